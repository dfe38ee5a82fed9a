#!/bin/sh
# make bench: every benchmark, printing figures (never asserting them).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${CANHBAO_BUILD:?}
fix="$top/tests/fixtures/feeds"

echo "== feed adapters: parse time and peak memory (median of 21 runs)"
"$build/bench/bench_feeds" kev "$fix/kev/known_exploited_vulnerabilities.json"
"$build/bench/bench_feeds" csaf "$fix/csaf/oasis-examples/cisco-sa-20180328-smi2.json"
"$build/bench/bench_feeds" csaf "$fix/csaf/provider-cisa/IT/white/2024/va-24-201-01.json"
"$build/bench/bench_feeds" rss "$fix/rss/bugalert-bug-alert-contributors.rss.xml"
"$build/bench/bench_feeds" cap "$fix/cap/canada_signed.cap"
"$build/bench/bench_feeds" misp "$fix/misp/chrome-mal-ids/225c906e-8896-52e9-9592-4285af976341.json"
"$build/bench/bench_feeds" misp "$fix/misp/pymisp-tests/57c4445b-c548-4654-af0b-4be3950d210f.json"

echo
"$build/bench/bench_delivery" "$CANHBAO_BIN"

# Issue 6: search and the idle subscriber.
echo "== subscriber search: latency over large archives (built once, kept"
echo "   in $build/bench/archives; queries typed without diacritics),"
echo "   beside stock FTS5 over the same advisories"
mkdir -p "$build/bench/archives"
for n in ${BENCH_SEARCH_N:-100000 1000000}; do
	"$build/bench/bench_search" "$n" "$build/bench/archives"
done

# Issue 17: what checking a CSAF document costs the publisher's loop.
echo "== CSAF trust: a document's .asc and .sha512 checked"
csaf_keys=$(mktemp -d)
"$build/bench/bench_csaf_trust" "$top/tests/data/csaf" 200 "$csaf_keys/openpgp"
rm -rf "$csaf_keys"

# Issue 16: what the duty page costs the publisher at each event.
echo "== publisher: the views the duty page reads (functions behind its API)"
"$build/bench/bench_web" 1000 500 "$build/bench/web"

echo "== subscriber verify: every signature and column checked again"
"$build/bench/bench_verify" 10000 "$build/bench/archives/verify-10000"

# Issue 14: one scrape of the publisher's /metrics, which blocks its loop.
echo "== publisher /metrics: time to write the page (built once, kept in"
echo "   $build/bench/archives; 500 agencies, receipts of every critical)"
"$build/bench/bench_metrics" 20000 500 "$build/bench/archives"

echo "== subscriber daemon, idle (publisher heartbeat every 5 s): resident"
echo "   memory (VmRSS) and wake-ups (context switches of all its threads,"
echo "   from /proc/PID/task/*/status) over 60 s"
idle=$(mktemp -d)
bin=${CANHBAO_BIN:?}
"$bin/canhbao-pub" keygen --state "$idle/pub" >/dev/null
"$bin/canhbao-pub" run --state "$idle/pub" --broadcast 'tcp://127.0.0.1:*' \
    --insecure >"$idle/pub.log" 2>&1 &
idle_pub=$!
trap 'kill $idle_pub ${idle_sub:-} 2>/dev/null; rm -rf "$idle"' EXIT
i=0
while [ ! -s "$idle/pub/broadcast.endpoint" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
"$bin/canhbao-sub" run --state "$idle/sub" \
    --broadcast "$(cat "$idle/pub/broadcast.endpoint")" \
    --publisher-key "$idle/pub/publisher.pub" --insecure --no-desktop \
    >/dev/null 2>"$idle/sub.log" &
idle_sub=$!
sleep 5
switches() {
	cat /proc/"$1"/task/*/status |
	    awk '/^(voluntary|nonvoluntary)_ctxt_switches/ { n += $2 } END { print n }'
}
s0=$(switches "$idle_sub")
sleep 60
s1=$(switches "$idle_sub")
echo "  VmRSS $(awk '/^VmRSS/ { print $2, $3 }' /proc/"$idle_sub"/status)," \
    "$(ls /proc/"$idle_sub"/task | wc -l) threads, $((s1 - s0)) wake-ups" \
    "per minute"
