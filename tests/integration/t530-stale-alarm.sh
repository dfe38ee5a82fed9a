#!/bin/sh
# (d) Heartbeats stop: the subscriber raises the stale-channel alarm
# within the configured time, and clears it when they return; "status"
# shows the last heartbeat, the sequence numbers and the stale flag.
. "$(dirname "$0")/lib.sh"

# status_is EXPR: canhbao-sub status --json, read as s, makes EXPR true.
status_is() {
	"$SUB" status --state "$T/sub" --json | "$PY" -c '
import json, sys
s = json.load(sys.stdin)
sys.exit(0 if eval("(" + sys.argv[1] + ")") else 1)' "$1"
}

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
check "status --json: connected, fresh, a recent heartbeat" status_is \
    's["connected"] and s["stale"] is False and s["last_seq"] == 0 and
s["publisher_seq"] == 0 and s["outbox_pending"] >= 0 and
s["last_heartbeat"].endswith("Z")'
check "status: the last heartbeat in words" sh -c \
    '"$0" status --state "$1" | grep -q "^last heartbeat: .*seq 0$"' \
    "$SUB" "$T/sub"

kill -STOP "$PUB_PID" # the publisher freezes: the channel goes silent
FROZE=$(date +%s)
wait_until 10 grep -q 'ALARM stale' "$T/sub.out"
RAISED=$(date +%s)
check "the alarm is raised" grep -q 'ALARM stale channel' "$T/sub.out"
check "within the bound (3 s + a tick): took $((RAISED - FROZE)) s" \
    test $((RAISED - FROZE)) -le 5
check "and logged" grep -q 'ALARM: channel stale' "$T/sub.log"
check "status --json: stale" status_is 's["stale"] is True'
check "status: stale in words" sh -c \
    '"$0" status --state "$1" | grep -q "^channel: stale"' "$SUB" "$T/sub"

kill -CONT "$PUB_PID"
wait_until 10 grep -q 'ALARM cleared' "$T/sub.out"
check "it clears when heartbeats return" grep -q 'ALARM cleared' "$T/sub.out"
check "raised once, cleared once" test "$(grep -c ALARM "$T/sub.out")" -eq 2
check "status --json: fresh again" status_is 's["stale"] is False'

finish
