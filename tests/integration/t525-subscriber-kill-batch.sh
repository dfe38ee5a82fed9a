#!/bin/sh
# The subscriber is SIGKILLed in the middle of a large batch: catching
# up on 2000 advisories, archived up to a thousand in one transaction,
# with a receipt going back for each.  What it told and what it
# acknowledged upstream before the kill is all in its archive, and the
# open batch left nothing; on restart it archives the rest, each
# advisory once, and no receipt reaches the publisher twice.
. "$(dirname "$0")/lib.sh"

N=2000
AGENCY=so-y-te
echo '{"canhbao_feed": 1, "advisories": []}' >"$T/feed.json"
# CurveZMQ (no "insecure"): receipts come only from registered agencies.
pub_conf "$T/pub" "$T/feed.json" | sed '/^insecure/d' >"$T/pub.conf"
"$PUB" keygen --state "$T/pub" >/dev/null
"$SUB" keygen --state "$T/sub" >/dev/null
"$PUB" agency add --state "$T/pub" "$AGENCY" "$T/sub/agency.pub" >/dev/null
start_pub_conf "$T/pub" "$T/pub.conf"

run_sub() {
	"$SUB" run --state "$T/sub" --broadcast "$PUB_EP" --requests "$REQ_EP" \
	    --publisher-key "$T/pub/publisher.pub" --verbose \
	    >>"$T/sub.out" 2>>"$T/sub.log" &
	SUB_PID=$!
	track "$SUB_PID"
}
# kill_in_batch LOG MARK PID: SIGKILL PID the moment it logs, after line
# MARK of LOG, that a batch holds 250 advisories not yet committed.
kill_in_batch() {
	"$PY" - "$@" <<'PYEOF'
import os, select, signal, sys, time
path, mark, pid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
end = time.monotonic() + 60
with open(path, encoding="utf-8") as f:
    for _ in range(mark):
        f.readline()
    while time.monotonic() < end:
        line = f.readline()
        if not line:
            # select, not time.sleep: that fails under libfaketime
            select.select([], [], [], 0.001)
        elif "250 archived, not yet committed" in line:
            os.kill(pid, signal.SIGKILL)
            sys.exit(0)
sys.exit(1)
PYEOF
}
# receipts_of: advisories the publisher holds a "received" receipt for.
receipts_of() {
	sqlite3 -readonly "file:$T/pub/journal.db?mode=ro" \
	    "SELECT adv_id FROM receipt WHERE agency = '$AGENCY' AND
	     event = 'received' ORDER BY adv_id"
}
receipts_are() { test "$(receipts_of | wc -l)" -eq "$1"; }
archived_ids() {
	sqlite3 -readonly "file:$T/sub/archive.db?mode=ro" \
	    'SELECT adv_id FROM message ORDER BY adv_id'
}
# told: the sequence numbers the terminal path printed, one a line.
told() {
	sed -n 's/^\([0-9][0-9]*\) .*/\1/p' "$T/sub.out"
}
# receipts_archived: every receipt the publisher holds is for an
# advisory in the archive.
receipts_archived() {
	archived_ids >"$T/archived"
	test -z "$(receipts_of | comm -23 - "$T/archived")"
}

# Three advisories archived and acknowledged upstream: the outbox is
# empty when the big batch comes.
run_sub
wait_until 10 grep -q ready "$T/sub.log" || fail "the subscriber started"
for i in 1 2 3; do
	"$PUB" publish --state "$T/pub" --severity high \
	    --title "Cảnh báo trước $i" >/dev/null || fail "publish $i"
done
wait_until 20 receipts_are 3 || fail "the first receipts arrived"
stop "$SUB_PID"
make_feed "$T/feed.json" "$N"
"$PUB" poll --state "$T/pub" >/dev/null
wait_until 60 journal_has "$T/pub" $((N + 3)) || fail "the feed was journaled"

mark=$(log_mark "$T/sub.log")
run_sub
kill_in_batch "$T/sub.log" "$mark" "$SUB_PID" ||
    { fail "it never had 250 in a batch"; kill -9 "$SUB_PID"; }
wait "$SUB_PID" 2>/dev/null
AT=$(archive_count "$T/sub")
# the batch the kill came in: the last one opened (a loaded machine may
# commit an earlier one before it holds 250, at the 200 ms bound)
OPEN=$(tail -n +$((mark + 1)) "$T/sub.log" |
    sed -n 's/.*archiving a batch after seq \([0-9]*\).*/\1/p' | tail -n 1)
check "killed with a batch open after seq $OPEN" test -n "$OPEN" -a \
    "$(grep -c "archived seq $((OPEN + 1)) to" "$T/sub.log")" -eq 0
check "the open batch left nothing: $AT archived of $((N + 3))" \
    test "$AT" -eq "$OPEN"
check "the archive is intact" test \
    "$(sqlite3 "$T/sub/archive.db" 'PRAGMA integrity_check')" = ok
check "what it holds is a prefix 1..$AT" archive_is_complete "$T/sub" "$AT"
check "it told about exactly what it archived" test \
    "$(told | sort -n | uniq | wc -l)/$(told | wc -l)/$(told | sort -n |
	tail -n 1)" = "$AT/$AT/$AT"
check "every receipt the publisher holds is for an archived advisory" \
    receipts_archived

run_sub
wait_until 60 archive_is_complete "$T/sub" $((N + 3))
check "it converges to all $((N + 3)) on restart" \
    archive_is_complete "$T/sub" $((N + 3))
check "each advisory archived once" test \
    "$(archived_ids | uniq | wc -l)" -eq $((N + 3))
check "and told once" test \
    "$(told | sort -n | uniq | wc -l)/$(told | wc -l)" = \
    "$((N + 3))/$((N + 3))"
# The publisher takes 50 messages a second from an agency: the receipts
# take a while to arrive all, so look at those that have.
check "every receipt it holds is for an archived advisory" receipts_archived
check "none came twice" test "$(sqlite3 -readonly \
    "file:$T/pub/journal.db?mode=ro" "SELECT (SELECT count(*) FROM inbound
     WHERE agency = '$AGENCY' AND type = 4) - (SELECT count(*) FROM receipt
     WHERE agency = '$AGENCY')")" -eq 0
check "the archive is still intact" test \
    "$(sqlite3 "$T/sub/archive.db" 'PRAGMA integrity_check')" = ok

finish
