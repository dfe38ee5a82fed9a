#!/bin/sh
# (d) Heartbeats stop: the subscriber raises the stale-channel alarm
# within the configured time, and clears it when they return.
. "$(dirname "$0")/lib.sh"

echo '{"canhbao_feed": 1, "advisories": []}' >"$T/empty.json"
pub_conf "$T/pub" "$T/empty.json" >"$T/pub.conf"
start_pub_conf "$T/pub" "$T/pub.conf"
MARK=$(log_mark "$T/sub.log")
start_sub "$T/sub" "$PUB_EP" "$T/pub/publisher.pub" --requests "$REQ_EP" \
    --stale-after 3
# Four heartbeats a second apart: longer than --stale-after has passed.
heartbeats() {
	test "$(tail -n +$((MARK + 1)) "$T/sub.log" |
	    grep -c 'heartbeat: the publisher')" -ge 4
}
wait_until 15 heartbeats || fail "heartbeats did not flow"
check_fails "no alarm while heartbeats flow" grep -q 'ALARM' "$T/sub.out"

kill -STOP "$PUB_PID" # the publisher freezes: the channel goes silent
FROZE=$(date +%s)
wait_until 10 grep -q 'ALARM stale' "$T/sub.out"
RAISED=$(date +%s)
check "the alarm is raised" grep -q 'ALARM stale channel' "$T/sub.out"
check "within the bound (3 s + a tick): took $((RAISED - FROZE)) s" \
    test $((RAISED - FROZE)) -le 5
check "and logged" grep -q 'ALARM: channel stale' "$T/sub.log"

kill -CONT "$PUB_PID"
wait_until 10 grep -q 'ALARM cleared' "$T/sub.out"
check "it clears when heartbeats return" grep -q 'ALARM cleared' "$T/sub.out"
check "raised once, cleared once" test "$(grep -c ALARM "$T/sub.out")" -eq 2

finish
