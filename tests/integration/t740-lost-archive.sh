#!/bin/sh
# An agency loses its archive (and with it its outbox numbering): a
# report filed afterwards still reaches the department.  The outbox of
# a new archive numbers from the clock, so in normal life it never
# reuses a number; when it does (a clock set back, an archive older
# than that), the publisher refuses the different content under the
# number it holds, says so in its log, and answers "number taken" with
# the highest number it holds; the subscriber renumbers above it, logs
# that once, and the report arrives, once.
. "$(dirname "$0")/lib.sh"

start_way_back so-y-te
run_sub() {
	"$SUB" run --state "$T/so-y-te" --broadcast "$BC" --requests "$REQS" \
	    --publisher-key "$T/pub/publisher.pub" >>"$T/sub.out" \
	    2>>"$T/sub.log" &
	SUB_PID=$!
	track "$SUB_PID"
}
report() {
	"$SUB" report --state "$T/so-y-te" --severity high --title "$1" \
	    >/dev/null || fail "report $1"
}
# reported TITLE: how many times the department holds a report TITLE.
reported() {
	"$PUB" reports --state "$T/pub" --json | "$PY" -c '
import json, sys
print(sum(1 for r in json.load(sys.stdin) if r["title"] == sys.argv[1]))' "$1"
}
arrived() { test "$(reported "$1")" -ge 1; }
held() {
	sqlite3 "file:$T/pub/journal.db?mode=ro" \
	    "SELECT seq FROM report WHERE agency = 'so-y-te' AND title = '$1'"
}
lose_archive() {
	stop "$SUB_PID"
	rm -f "$T/so-y-te/archive.db" "$T/so-y-te/archive.db-wal" \
	    "$T/so-y-te/archive.db-shm"
}

report 'Báo cáo MỘT'
run_sub
wait_until 30 arrived 'Báo cáo MỘT' || fail "report ONE did not arrive"
lose_archive
report 'Báo cáo HAI'
run_sub
wait_until 30 arrived 'Báo cáo HAI'
check "a report filed after the archive was lost arrives" arrived 'Báo cáo HAI'
check "under a number above the lost archive's" \
    test "$(held 'Báo cáo HAI')" -gt "$(held 'Báo cáo MỘT')"

# The clock was set back (or the archive predates numbering from the
# clock): the next entry carries a number the department holds.
lose_archive
report 'Báo cáo BA'
TAKEN=$(held 'Báo cáo HAI')
sqlite3 "$T/so-y-te/archive.db" "UPDATE outbox SET id = $TAKEN" ||
    fail "renumbering the entry by hand"
mark=$(log_mark "$T/pub.log")
run_sub
wait_until 30 arrived 'Báo cáo BA'
check "a report whose number the department holds still arrives" \
    arrived 'Báo cáo BA'
check "the publisher logged the clash, naming agency and number" \
    logged_after "$T/pub.log" "$mark" \
    "so-y-te.*number $TAKEN.*content that differs"
check "the subscriber logged that it renumbered" \
    grep -q 'renumbered' "$T/sub.log"
check "once" test "$(grep -c 'renumbered' "$T/sub.log")" -eq 1
check "the report held under that number is untouched" \
    test "$(held 'Báo cáo HAI')" -eq "$TAKEN"
for t in 'Báo cáo MỘT' 'Báo cáo HAI' 'Báo cáo BA'; do
	check "$t is held exactly once" test "$(reported "$t")" -eq 1
done

finish
