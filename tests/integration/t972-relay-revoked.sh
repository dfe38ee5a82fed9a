#!/bin/sh
# canhbao-relay --revoked-keys: a relay told that the publisher's key is
# revoked forwards and journals nothing that key signs (advisories,
# heartbeats, the registry), as canhbao-sub refuses it; a relay given
# another key's id goes on as before.
. "$(dirname "$0")/lib.sh"

IDKEY="$T/pub/publisher.pub"
echo '{"canhbao_feed": 1, "advisories": []}' >"$T/empty.json"
BCAST="ipc://$T/pub.bc" REQS="ipc://$T/pub.rq" pub_conf "$T/pub" \
    "$T/empty.json" >"$T/pub.conf"
start_pub_conf "$T/pub" "$T/pub.conf"
KEYID=$(sed -n 's/^untrusted comment: minisign public key //p' "$IDKEY")
check "the publisher's key id" test "${#KEYID}" -eq 16

start_relay "$T/bad" "$PUB_EP" "$REQ_EP" "$IDKEY" --insecure \
    --revoked-keys "$KEYID"
BAD=$RELAY_PID
start_relay "$T/good" "$PUB_EP" "$REQ_EP" "$IDKEY" --insecure \
    --revoked-keys 0123456789ABCDEF
"$PUB" publish --state "$T/pub" --severity high \
    --title "Ký bằng khóa đã thu hồi" >/dev/null || fail "publish"
wait_until 20 relay_has "$T/good" 1
check "a relay with another key revoked journals the advisory" \
    relay_has "$T/good" 1
wait_until 20 grep -q "signed by revoked key $KEYID" "$T/bad.log"
check "the relay with the publisher's key revoked says why it drops" \
    grep -q "signed by revoked key $KEYID" "$T/bad.log"
# The heartbeats after the advisory are dropped too: once one is, the
# advisory before it has been seen and refused.
mark=$(log_mark "$T/bad.log")
wait_log 10 "$T/bad.log" "$mark" "signed by revoked key" ||
    fail "no later message dropped"
check "it journals nothing" test "$(relay_last "$T/bad")" -eq 0
check "it keeps running" kill -0 "$BAD"
"$RELAY" run --state "$T/bad2" --upstream-broadcast "$PUB_EP" \
    --upstream-requests "$REQ_EP" --publisher-key "$IDKEY" --insecure \
    --broadcast "ipc://$T/b2.bc" --requests "ipc://$T/b2.rq" \
    --revoked-keys "not-a-key" 2>"$T/err"
check "a malformed key id exits 2" test $? -eq 2
check "and names it" grep -q "not-a-key" "$T/err"

finish
