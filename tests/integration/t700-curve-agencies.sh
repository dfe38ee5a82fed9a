#!/bin/sh
# CurveZMQ by default: a registered agency receives; an unregistered one
# and a plaintext client receive nothing (and the refusal is logged);
# an agency removed while connected receives nothing published after
# its removal.  The listeners are the independent client (pyzmq with
# the keys converted by PyNaCl, as canhbao.7 describes).
. "$(dirname "$0")/lib.sh"

"$PUB" keygen --state "$T/pub" >/dev/null
for a in so-tttt huyen-x; do
	"$PUB" keygen --state "$T/$a" >/dev/null # an agency's key pair
done
check "agency add" sh -c '"$0" agency add --state "$1" so-tttt "$2" >/dev/null' \
    "$PUB" "$T/pub" "$T/so-tttt/publisher.pub"
"$PUB" agency add --state "$T/pub" 'bad name' "$T/huyen-x/publisher.pub" 2>"$T/err"
check "a bad agency name is refused" grep -q "must be 1 to 64" "$T/err"
"$PUB" agency add --state "$T/pub" again "$T/so-tttt/publisher.pub" 2>"$T/err"
check "the same key twice is refused" grep -q "already registered" "$T/err"
check "agency list --json" sh -c '"$0" agency list --state "$1" --json |
	"$2" -c "import json,sys; a=json.load(sys.stdin); assert [x[\"name\"] for x in a] == [\"so-tttt\"], a"' \
    "$PUB" "$T/pub" "$PY"

"$PUB" run --state "$T/pub" --broadcast 'tcp://127.0.0.1:*' --heartbeat 1 \
    >>"$T/pub.log" 2>&1 &
PUB_PID=$!
track "$PUB_PID"
wait_until 10 test -s "$T/pub/broadcast.endpoint" || fail "publisher start"
EP=$(cat "$T/pub/broadcast.endpoint")
check "the log says CurveZMQ" grep -q 'transport is CurveZMQ' "$T/pub.log"

# listen NAME KEYFILE COUNT: the independent client in the background.
listen() {
	mkdir -p "$T/w-$1"
	CB_AGENCY_KEY=$2 CB_TIMEOUT_MS=${WAIT_MS:-6000} "$PY" \
	    "$TOP/tests/integration/wire_client.py" listen "$EP" \
	    "$T/pub/publisher.pub" "$3" "$T/w-$1" >"$T/w-$1.out" 2>&1 &
	track $!
	eval "PID_$(echo "$1" | tr -c 'a-z0-9\n' _)=\$!"
}
listen registered "$T/so-tttt/publisher.key" 1
listen stranger "$T/huyen-x/publisher.key" 1
listen plaintext "" 1
wait_until 10 test -f "$T/w-registered/ready" || fail "registered never ready"
# publish only once the stranger has tried, and been refused
wait_until 10 grep -q 'refused a connection from 127.0.0.1: not a registered agency' \
    "$T/pub.log" || fail "the stranger was never refused"
"$PUB" publish --state "$T/pub" --severity critical --title 'Chỉ dành cho đơn vị đã đăng ký' >/dev/null
wait $PID_registered $PID_stranger $PID_plaintext 2>/dev/null
check "the registered agency receives it" grep -q 'Chỉ dành cho' "$T/w-registered.out"
check "an unregistered agency receives nothing" grep -qx 'timeout: nothing received' "$T/w-stranger.out"
check "a plaintext client receives nothing" grep -qx 'timeout: nothing received' "$T/w-plaintext.out"
check "the refusal is logged" grep -q 'refused a connection from 127.0.0.1: not a registered agency' "$T/pub.log"

# Removed while connected: the first advisory arrives, the second not.
WAIT_MS=8000 listen live "$T/so-tttt/publisher.key" 2
wait_until 10 test -f "$T/w-live/ready" || fail "live listener never ready"
"$PUB" publish --state "$T/pub" --severity high --title 'Trước khi gỡ' >/dev/null
wait_until 5 grep -q 'Trước khi gỡ' "$T/w-live.out"
check "remove the agency" sh -c '"$0" agency remove --state "$1" so-tttt >/dev/null' "$PUB" "$T/pub"
wait_until 5 grep -q 'reconnecting every subscriber' "$T/pub.log"
"$PUB" publish --state "$T/pub" --severity high --title 'Sau khi gỡ' >/dev/null
wait $PID_live 2>/dev/null
check "before the removal: received" grep -q 'Trước khi gỡ' "$T/w-live.out"
check_fails "after the removal: nothing" grep -q 'Sau khi gỡ' "$T/w-live.out"
"$PUB" agency remove --state "$T/pub" so-tttt 2>/dev/null
check "removing an unknown agency exits 1" test $? -eq 1

check "the publisher is still running" kill -0 "$PUB_PID"

finish
