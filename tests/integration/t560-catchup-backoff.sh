#!/bin/sh
# A subscriber that cannot move on backs off instead of hammering the
# publisher: told that the publisher's new key is revoked, it cannot
# archive past the rotation; over a window of 15 heartbeats it asks a
# handful of times, not hundreds, and logs a handful of lines, saying
# once that it backs off and why.  With the revocation lifted it
# resumes and archives everything.
. "$(dirname "$0")/lib.sh"

start_pub "$T/pub" --requests 'tcp://127.0.0.1:*'
REQ_EP=$(cat "$T/pub/requests.endpoint")

# status_num KEY: a number from canhbao-pub status --json.
status_num() {
	"$PUB" status --state "$T/pub" --json | "$PY" -c '
import json, sys
print(int(json.load(sys.stdin)[sys.argv[1]]))' "$1"
}

"$PUB" publish --state "$T/pub" --severity high --title 'Trước khi đổi khoá' >/dev/null
"$PUB" rotate-key --state "$T/pub" >"$T/rotate.out" || fail "rotate-key"
NEWID=$(sed -n 's/.* to \([0-9A-F]\{16\}\) .*/\1/p' "$T/rotate.out")
"$PUB" publish --state "$T/pub" --severity high --title 'Sau khi đổi khoá' >/dev/null
check "three messages journaled" test "$(journal_last "$T/pub")" -eq 3

# A witness that follows the rotation sees the heartbeats (signed by
# the new key, which the stuck subscriber cannot verify).
start_sub "$T/witness" "$PUB_EP" "$T/pub/publisher.pub" --requests "$REQ_EP"
HB_WAIT=no start_sub "$T/sub" "$PUB_EP" "$T/pub/publisher.pub" \
    --requests "$REQ_EP" --revoked-keys "$NEWID"
wait_log 15 "$T/sub.log" 0 "rotation to revoked key $NEWID" ||
    fail "the rotation is refused"
check "it archived what came before the rotation" \
    test "$(archive_count "$T/sub")" -eq 1

# The window: 15 heartbeats seen by the witness.
mark=$(log_mark "$T/sub.log")
before=$(status_num requests_served)
hb=0
while [ "$hb" -lt 15 ]; do
	wait_heartbeat "$T/witness.log" || fail "heartbeat $hb"
	hb=$((hb + 1))
done
served=$(($(status_num requests_served) - before))
lines=$(tail -n +$((mark + 1)) "$T/sub.log" | grep -vc ': debug: ')
echo "over 15 heartbeats: $served catch-up requests served, $lines log lines"
check "a handful of catch-up requests, not hundreds" test "$served" -le 6
check "a handful of log lines, not hundreds" test "$lines" -le 4
check "it says once that it backs off, and why" test "$(grep -c \
    "catch-up makes no progress past seq 1 (.*revoked key $NEWID" \
    "$T/sub.log")" -eq 1
check "still one advisory archived" test "$(archive_count "$T/sub")" -eq 1

# The problem clears: the revocation is lifted.
stop "$SUB_PID"
mark=$(log_mark "$T/sub.log")
HB_WAIT=no start_sub "$T/sub" "$PUB_EP" "$T/pub/publisher.pub" --requests "$REQ_EP"
wait_log 15 "$T/sub.log" "$mark" 'caught up at seq 3' ||
    fail "caught up after the revocation is lifted"
check "it resumes: the rotation followed, both advisories archived" \
    test "$(archive_count "$T/sub")" -eq 2
check "the advisory after the rotation is there" \
    grep -q 'Sau khi đổi khoá' "$T/sub.out"

finish
