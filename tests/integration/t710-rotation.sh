#!/bin/sh
# Key rotation end to end, over CurveZMQ: a live subscriber switches to
# the new key without a restart and keeps it after one; a subscriber
# that was offline follows the rotation on catch-up; one that revoked
# the new key refuses it; one pinned to another publisher archives
# nothing; an agency key readable by others is refused.
. "$(dirname "$0")/lib.sh"

"$PUB" keygen --state "$T/pub" >/dev/null
"$PUB" keygen --state "$T/other" >/dev/null # another publisher
for a in live offline revoker stranger; do
	"$SUB" keygen --state "$T/$a" >/dev/null || fail "sub keygen $a"
	"$PUB" agency add --state "$T/pub" "$a" "$T/$a/agency.pub" >/dev/null
done
check "sub keygen makes a 0600 secret key" \
    test "$(stat -c %a "$T/live/agency.key")" = 600
REQS="ipc://$T/requests.sock"
"$PUB" run --state "$T/pub" --broadcast "ipc://$T/broadcast.sock" \
    --requests "$REQS" --heartbeat 1 >>"$T/pub.log" 2>&1 &
PUB_PID=$!
track "$PUB_PID"
wait_until 10 test -S "$T/pub/control.sock" || fail "publisher start"
BC="ipc://$T/broadcast.sock"

# run_sub NAME [OPTIONS]: a CurveZMQ subscriber of the publisher.
run_sub() {
	n=$1
	shift
	"$SUB" run --state "$T/$n" --broadcast "$BC" --requests "$REQS" \
	    --publisher-key "${KEY:-$T/pub/publisher.pub}" --verbose "$@" \
	    >>"$T/$n.out" 2>>"$T/$n.log" &
	track $!
	eval "PID_$n=\$!"
	wait_until 10 grep -q ready "$T/$n.log"
}
run_sub live
run_sub revoker --revoked-keys 0000000000000000 # replaced below
KEY="$T/other/publisher.pub" run_sub stranger
# the stranger drops heartbeats it cannot verify: wait on the others
wait_heartbeat "$T/live.log" 0 && wait_heartbeat "$T/revoker.log" 0 ||
    fail "no heartbeat"

"$PUB" publish --state "$T/pub" --severity high --title 'Trước khi đổi khoá' >/dev/null
wait_until 10 grep -q 'Trước khi đổi khoá' "$T/live.out"
check "the live subscriber receives over CurveZMQ" grep -q 'Trước khi đổi khoá' "$T/live.out"

"$PUB" rotate-key --state "$T/pub" >"$T/rotate.out" || fail "rotate-key"
NEWID=$(sed -n 's/.* to \([0-9A-F]\{16\}\) .*/\1/p' "$T/rotate.out")
check "rotate-key names the new key" test -n "$NEWID"
check "the new key is installed" test -f "$T/pub/signing.key"
"$PUB" publish --state "$T/pub" --severity high --title 'Sau khi đổi khoá' >/dev/null
wait_until 10 grep -q 'Sau khi đổi khoá' "$T/live.out"
check "the live subscriber follows without a restart" grep -q 'Sau khi đổi khoá' "$T/live.out"
check "and says so" grep -q "publisher key rotated to $NEWID" "$T/live.log"

stop "$PID_live"
"$PUB" publish --state "$T/pub" --severity high --title 'Sau khi khởi động lại' >/dev/null
run_sub live
wait_until 10 grep -q 'Sau khi khởi động lại' "$T/live.out"
check "it kept the new key across a restart" grep -q 'Sau khi khởi động lại' "$T/live.out"

run_sub offline
wait_until 15 grep -q 'Sau khi khởi động lại' "$T/offline.out"
check "an offline subscriber follows the rotation on catch-up" \
    test "$(grep -c 'khoá\|khởi động' "$T/offline.out")" -eq 3

# The revoker was told the new key is revoked: it refuses the rotation
# and archives nothing signed by that key.
stop "$PID_revoker"
rm -f "$T/revoker.out" "$T/revoker.log"
rm -rf "$T/revoker/archive.db"*
run_sub revoker --revoked-keys "$NEWID"
wait_until 15 grep -q "rotation to revoked key $NEWID" "$T/revoker.log"
check "a rotation to a revoked key is refused" grep -q "rotation to revoked key $NEWID" "$T/revoker.log"
check "nothing signed by it is archived" sh -c '! grep -q "Sau khi" "$0"' "$T/revoker.out"

# Revoking the key that signs now: nothing it signed counts.
OLDID=$(sed -n 's/^untrusted comment: minisign public key //p' "$T/pub/publisher.pub")
stop "$PID_revoker"
rm -rf "$T/revoker/archive.db"* "$T/revoker.out" "$T/revoker.log"
run_sub revoker --revoked-keys "$OLDID"
wait_until 15 grep -q "signed by revoked key $OLDID" "$T/revoker.log"
check "messages signed by a revoked current key are dropped" \
    grep -q "signed by revoked key $OLDID" "$T/revoker.log"
check "and nothing is archived" test "$(archive_count "$T/revoker")" -eq 0

check "a subscriber pinned to another publisher archives nothing" \
    test "$(archive_count "$T/stranger")" -eq 0

stop "$PID_live"
chmod 644 "$T/live/agency.key"
"$SUB" run --state "$T/live" --broadcast "$BC" --publisher-key \
    "$T/pub/publisher.pub" >"$T/bad.out" 2>"$T/bad.log"
check "a readable agency key is refused (exit 2)" test $? -eq 2
check "with a clear message" grep -q 'accessible by others' "$T/bad.log"

finish
