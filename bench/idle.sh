#!/bin/sh
# make bench-idle: the subscriber daemon idle, as an agency runs it
# (CurveZMQ, the requests channel connected, presence every minute; the
# publisher's heartbeat every 5 s): its resident memory (VmRSS) and its
# wake-ups (voluntary and involuntary context switches of all its
# threads, from /proc/PID/task/*/status) over BENCH_IDLE_S seconds
# (default 60), per minute.  Prints them and merges idle_wakeups_per_min
# and idle_rss_kib into results.json.
set -eu
build=${CANHBAO_BUILD:?}
bin=${CANHBAO_BIN:?}
secs=${BENCH_IDLE_S:-60}

idle=$(mktemp -d)
idle_pub='' idle_sub=''
trap 'kill $idle_pub $idle_sub 2>/dev/null; rm -rf "$idle"' EXIT
"$bin/canhbao-pub" keygen --state "$idle/pub" >/dev/null
"$bin/canhbao-sub" keygen --state "$idle/sub" >/dev/null
"$bin/canhbao-pub" agency add --state "$idle/pub" bench \
    "$idle/sub/agency.pub" >/dev/null
"$bin/canhbao-pub" run --state "$idle/pub" --broadcast 'tcp://127.0.0.1:*' \
    --requests 'tcp://127.0.0.1:*' >"$idle/pub.log" 2>&1 &
idle_pub=$!
i=0
while [ ! -s "$idle/pub/requests.endpoint" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
"$bin/canhbao-sub" run --state "$idle/sub" \
    --broadcast "$(cat "$idle/pub/broadcast.endpoint")" \
    --requests "$(cat "$idle/pub/requests.endpoint")" \
    --publisher-key "$idle/pub/publisher.pub" --no-desktop --verbose \
    >/dev/null 2>"$idle/sub.log" &
idle_sub=$!
# settled: connected, caught up, a heartbeat seen
i=0
while ! grep -qs 'heartbeat: the publisher' "$idle/sub.log" && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
switches() {
	cat /proc/"$1"/task/*/status |
	    awk '/^(voluntary|nonvoluntary)_ctxt_switches/ { n += $2 } END { print n }'
}
s0=$(switches "$idle_sub")
sleep "$secs"
s1=$(switches "$idle_sub")
rss=$(awk '/^VmRSS/ { print $2 }' /proc/"$idle_sub"/status)
threads=$(ls /proc/"$idle_sub"/task | wc -l)
per_min=$(((s1 - s0) * 60 / secs))
echo "== subscriber daemon, idle (heartbeat every 5 s, requests channel"
echo "   connected, CurveZMQ, presence every 60 s), over $secs s"
echo "  VmRSS $rss kB, $threads threads, $per_min wake-ups per minute"
"$build/bench/bench_record" idle_wakeups_per_min "$per_min" \
    idle_rss_kib "$rss"
