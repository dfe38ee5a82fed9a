#!/bin/sh
# Garbage, forged, tampered, replayed and mislabelled messages sent to a
# subscriber by a fake publisher: each dropped with a log line naming
# why, nothing archived that should not be, and the daemon keeps going.
. "$(dirname "$0")/lib.sh"

# Capture one real signed advisory off the wire.
start_pub "$T/pub"
mkdir "$T/wire" "$T/frames"
"$PY" "$TOP/tests/integration/wire_client.py" listen "$PUB_EP" \
    "$T/pub/publisher.pub" 1 "$T/wire" >"$T/wire.out" 2>"$T/wire.log" &
WIRE_PID=$!
track "$WIRE_PID"
wait_until 15 test -f "$T/wire/ready" || fail "wire client never ready"
"$PUB" publish --state "$T/pub" --severity high --title 'Thật' >/dev/null
wait "$WIRE_PID"
check "captured a real message" test -s "$T/wire/1.msg"

# A second publisher key signs a forgery of the same shape.
start_pub "$T/evil"
mkdir "$T/evilwire"
"$PY" "$TOP/tests/integration/wire_client.py" listen "$PUB_EP" \
    "$T/evil/publisher.pub" 1 "$T/evilwire" >/dev/null 2>&1 &
EVIL_WIRE=$!
track "$EVIL_WIRE"
wait_until 15 test -f "$T/evilwire/ready" || fail "second wire client"
"$PUB" publish --state "$T/evil" --severity critical --title 'Giả mạo' >/dev/null
wait "$EVIL_WIRE"

F="$T/frames"
printf 'adv.garbage' >"$F/a.0" # one frame, topic passes the filter
printf 'adv.high' >"$F/b.0"; printf 'xx' >"$F/b.1"; printf 'yy' >"$F/b.2"
cp "$T/evilwire/1.topic" "$F/c.0"; cp "$T/evilwire/1.msg" "$F/c.1"
cp "$T/evilwire/1.sig" "$F/c.2"                          # forged
cp "$T/wire/1.topic" "$F/d.0"; cp "$T/wire/1.msg" "$F/d.1"
cp "$T/wire/1.sig" "$F/d.2"
"$PY" -c '
import sys
b = bytearray(open(sys.argv[1], "rb").read()); b[-3] ^= 1
open(sys.argv[2], "wb").write(b)' "$T/wire/1.msg" "$F/d.1"   # tampered
printf 'adv.info' >"$F/e.0"; cp "$T/wire/1.msg" "$F/e.1"
cp "$T/wire/1.sig" "$F/e.2"                          # wrong topic
cp "$T/wire/1.topic" "$F/f.0"; cp "$T/wire/1.msg" "$F/f.1"
cp "$T/wire/1.sig" "$F/f.2"                          # the real one
cp "$F/f.0" "$F/g.0"; cp "$F/f.1" "$F/g.1"; cp "$F/f.2" "$F/g.2" # replay

# The fake publisher sends once the subscription reaches it; the replay
# goes last, so once it is logged every other frame has been handled.
"$PY" "$TOP/tests/integration/wire_client.py" fakepub "$T/fake.ep" \
    "$F" 2>"$T/fake.log" &
FAKE_PID=$!
track "$FAKE_PID"
wait_until 10 test -s "$T/fake.ep" || fail "fake publisher did not start"
HB_WAIT=no start_sub "$T/sub" "$(cat "$T/fake.ep")" "$T/pub/publisher.pub"
wait "$FAKE_PID"
wait_until 10 grep -q 'replayed' "$T/sub.log"

check "garbage frame dropped" grep -q 'has 1 frames, not 3' "$T/sub.log"
check "garbage 3-frame message dropped" grep -q 'signature block is 2 bytes' "$T/sub.log"
check "forgery dropped (unknown key)" grep -q 'signed by unknown key' "$T/sub.log"
check "tampered message dropped" grep -q 'bad signature' "$T/sub.log"
check "mislabelled topic dropped" grep -q 'topic does not match' "$T/sub.log"
check "replay ignored" grep -q 'not newer than 1 (duplicate or replayed)' "$T/sub.log"
check "exactly the real advisory archived" test "$(count_archived "$T/sub")" = 1
check "it is the real one" sh -c '"$0" list --state "$1" | grep -q "Thật"' \
    "$SUB" "$T/sub"
check "subscriber still running" kill -0 "$SUB_PID"
check "drops are counted" grep -q 'dropped message (5 so far)' "$T/sub.log"

finish
