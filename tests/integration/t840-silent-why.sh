#!/bin/sh
# Why the channel is silent: the subscriber tells "not admitted" (the
# publisher's ZAP handler refused our agency key), "wrong transport"
# (plaintext against CurveZMQ) and "not reachable" (no publisher) apart
# from one another, in its log, in "canhbao-sub status" and in the
# stale-channel alarm, with what to do.  The publisher logs a refused
# key once, not once per retry.  An agency registered after it was
# refused gets in without a restart.
. "$(dirname "$0")/lib.sh"

start_way_back so-a
"$SUB" keygen --state "$T/stranger" >/dev/null

# run_sub DIR [OPTIONS...]: a subscriber on both channels; sets SUB_PID.
run_sub() {
	d=$1
	shift
	"$SUB" run --state "$d" --broadcast "$BC" --requests "$REQS" \
	    --publisher-key "$T/pub/publisher.pub" --verbose --no-desktop \
	    "$@" >>"$d.out" 2>>"$d.log" &
	SUB_PID=$!
	track "$SUB_PID"
}
status_json() {
	"$SUB" status --state "$1" --json |
	    "$PY" -c 'import json,sys; c=json.load(sys.stdin)["connection"]; print(c["running"], *[x["channel"] + "=" + x["state"] for x in c["channels"]])'
}

# (a) an agency not registered: not admitted, with the hint
run_sub "$T/stranger" --stale-after 3
STRANGER=$SUB_PID
wait_log 15 "$T/stranger.log" 0 'broadcast .*: not admitted' ||
    fail "the stranger never logged 'not admitted'"
check "the log says what to do" \
    grep -q 'not admitted.*send agency.pub to the department (canhbao-pub agency add)' \
    "$T/stranger.log"
KEY=$(sed -n 's/.*our CurveZMQ key \([0-9a-f]\{64\}\).*/\1/p' \
    "$T/stranger.log" | head -n 1)
check "the subscriber names its CurveZMQ key" test -n "$KEY"
wait_until 10 grep -q "refused a connection from .*: not a registered agency (CurveZMQ key $KEY" \
    "$T/pub.log"
check "the publisher logs the refused key" \
    grep -q "not a registered agency (CurveZMQ key $KEY" "$T/pub.log"
# Two retries later (each one a handshake on both channels) the key is
# still logged once.
retries() {
	test "$(grep -c 'trying again to connect' "$T/stranger.log")" -ge 4
}
wait_until 30 retries || fail "the subscriber did not try again"
check "the refused key is logged once, not once per retry" \
    test "$(grep -c "CurveZMQ key $KEY" "$T/pub.log")" -eq 1
check "one log line per state change, not per retry" \
    test "$(grep -c 'broadcast .*: not admitted' "$T/stranger.log")" -eq 1
"$SUB" status --state "$T/stranger" >"$T/status.txt"
check "status says not admitted, with the hint" \
    grep -q 'not admitted.*canhbao-pub agency add' "$T/status.txt"
check "status --json: not-admitted on both channels" \
    test "$(status_json "$T/stranger")" = \
    "True broadcast=not-admitted requests=not-admitted"
wait_until 10 grep -q 'ALARM stale' "$T/stranger.out" ||
    fail "no stale alarm for the stranger"
check "the stale alarm says why" \
    grep -q 'ALARM stale channel.*not admitted.*send agency.pub' \
    "$T/stranger.out"

# (c) registered now: admitted at the next try, without a restart
MARK=$(log_mark "$T/stranger.log")
"$PUB" agency add --state "$T/pub" stranger "$T/stranger/agency.pub" \
    >/dev/null
check "once registered, the stranger gets in" \
    wait_log 20 "$T/stranger.log" "$MARK" 'broadcast .*: connected'
check "and heartbeats arrive" wait_heartbeat "$T/stranger.log" "$MARK"
check "status --json: connected" \
    test "$(status_json "$T/stranger")" = \
    "True broadcast=connected requests=connected"
stop "$STRANGER"
check "status of a stopped daemon says so" \
    sh -c '"$0" status --state "$1" | grep -q "not running"' "$SUB" \
    "$T/stranger"

# (b) plaintext against CurveZMQ: wrong transport
run_sub "$T/plain" --insecure
wait_log 15 "$T/plain.log" 0 'broadcast .*: wrong transport' ||
    fail "--insecure against CurveZMQ: no 'wrong transport'"
check "wrong transport, with what to do" \
    grep -q 'wrong transport.*without --insecure' "$T/plain.log"
check "the publisher logs the plaintext client, with what to do" \
    wait_log 20 "$T/pub.log" 0 \
    'broadcast: a client at .* speaks plaintext .*must run without --insecure'
check "on the requests channel too" \
    wait_log 20 "$T/pub.log" 0 'requests: a client at .* speaks plaintext'
stop "$SUB_PID"

# (d) the registered agency: connected; then the publisher stops
run_sub "$T/so-a" --stale-after 3
wait_log 15 "$T/so-a.log" 0 'broadcast .*: connected' ||
    fail "the registered agency never connected"
check "connected, named in status" \
    sh -c '"$0" status --state "$1" | grep -q "^broadcast (ipc://.*): connected"' \
    "$SUB" "$T/so-a"
MARK=$(log_mark "$T/so-a.log")
stop "$PUB_PID"
check "publisher gone: not reachable" \
    wait_log 20 "$T/so-a.log" "$MARK" 'broadcast .*: publisher not reachable'
wait_until 10 grep -q 'ALARM stale' "$T/so-a.out" ||
    fail "no stale alarm once the publisher stopped"
check "the alarm says not reachable, not 'not admitted'" \
    grep -q 'ALARM stale channel.*not reachable' "$T/so-a.out"
check_fails "nothing about admission" grep -q 'not admitted' "$T/so-a.log"
check "status --json: unreachable" \
    test "$(status_json "$T/so-a")" = \
    "True broadcast=unreachable requests=unreachable"

finish
