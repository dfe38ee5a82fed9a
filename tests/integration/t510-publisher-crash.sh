#!/bin/sh
# (b) The publisher is SIGKILLed while advisories are being published
# and restarted: every advisory whose publish succeeded reaches the
# subscriber, and no sequence number is used twice.
. "$(dirname "$0")/lib.sh"

echo '{"canhbao_feed": 1, "advisories": []}' >"$T/empty.json"
# Endpoints that stay the same across the restart, as a real
# deployment's do (ipc:// in the test folder: no port to pick).
BCAST="ipc://$T/broadcast.sock" REQS="ipc://$T/requests.sock" \
    pub_conf "$T/pub" "$T/empty.json" >"$T/pub.conf"
start_pub_conf "$T/pub" "$T/pub.conf"
start_sub "$T/sub" "$PUB_EP" "$T/pub/publisher.pub" --requests "$REQ_EP"

# Staff keep publishing, one advisory after another, for the whole test;
# the ids of those that succeeded are written down.
(
	i=0
	while [ ! -f "$T/stop-publishing" ] && [ "$i" -lt 400 ]; do
		i=$((i + 1))
		if id=$("$PUB" publish --state "$T/pub" --severity high \
		    --title "Cảnh báo khẩn số $i" 2>/dev/null); then
			echo "$id" >>"$T/succeeded"
		else
			echo "$i" >>"$T/failed"
		fi
	done
) &
LOOP=$!
track "$LOOP"

published() { test "$(wc -l <"$T/succeeded" 2>/dev/null || echo 0)" -ge "$1"; }
wait_until 30 published 40 || fail "publishing did not start"
kill -9 "$PUB_PID"
wait "$PUB_PID" 2>/dev/null
KILLED_AT=$(wc -l <"$T/succeeded")
# restart only once a publish has failed against the dead publisher
wait_until 10 test -s "$T/failed" || fail "no publish failed while it was down"
start_pub_conf "$T/pub" "$T/pub.conf"
wait_until 60 published $((KILLED_AT + 40)) || fail "publishing did not resume"
touch "$T/stop-publishing"
wait "$LOOP"

LAST=$(journal_last "$T/pub")
check "the journal's sequence numbers are 1..$LAST, none twice" test \
    "$(sqlite3 "file:$T/pub/journal.db?mode=ro" \
    'SELECT count(DISTINCT seq) || "/" || min(seq) || "/" || max(seq) FROM message')" = "$LAST/1/$LAST"
check "no advisory id was journaled twice" test \
    "$(sqlite3 "file:$T/pub/journal.db?mode=ro" \
    'SELECT count(*) - count(DISTINCT adv_id) FROM message')" = 0
wait_until 30 archive_is_complete "$T/sub" "$LAST"
check "the subscriber has all $LAST, each once" archive_is_complete "$T/sub" "$LAST"
check "every publish that succeeded arrived" sh -c '
	sqlite3 "file:$1/archive.db?mode=ro" "SELECT adv_id FROM message" |
	    sort >"$2/archived"
	sort "$2/succeeded" | comm -23 - "$2/archived" >"$2/missing"
	test ! -s "$2/missing"' sh "$T/sub" "$T"
check "the subscriber reported them in order" "$PY" -c '
import sys
seqs = [int(l.split()[0]) for l in open(sys.argv[1], encoding="utf-8")
        if l[0].isdigit()]
assert seqs == sorted(seqs) and len(seqs) == len(set(seqs)), seqs
' "$T/sub.out"
echo "killed after $KILLED_AT successful publishes; $LAST journaled in all"

finish
