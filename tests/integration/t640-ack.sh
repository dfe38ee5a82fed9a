#!/bin/sh
# Acknowledgement: an unacknowledged critical advisory is reminded of
# every --renotify seconds, and the reminders stop once "canhbao-sub
# ack" records who handled it (from another process, while the daemon
# runs).  The acknowledgement survives restarts, works with the daemon
# stopped, shows in show and list; an update makes the advisory
# unacknowledged again and links to the earlier revision; a cancelled
# one is not reminded of; unknown ids and bad use fail clearly.
. "$(dirname "$0")/lib.sh"

start_pub "$T/pub"
start_sub "$T/sub" "$PUB_EP" "$T/pub/publisher.pub" --no-desktop \
    --renotify 1
ID=$("$PUB" publish --state "$T/pub" --severity critical \
    --title 'Mã độc tống tiền tấn công cổng thông tin' | tail -n 1)
LOW=$("$PUB" publish --state "$T/pub" --severity high \
    --title 'Không phải nghiêm trọng' | tail -n 1)
reminders() { grep -c "^REMINDER [0-9]* critical $1 " "$T/sub.out"; }
reminded() { test "$(reminders "$1")" -ge "$2"; } # reminded ID N
# rounds MARK N: wait until N reminder rounds have ended after line MARK
# of the log (with --verbose, a round that reminds of nothing says so).
rounds() {
	mark=$1
	n=$2
	while [ "$n" -gt 0 ]; do
		wait_log 10 "$T/sub.log" "$mark" 'remind' || return 1
		mark=$(grep -n 'remind' "$T/sub.log" |
		    awk -F: -v m="$mark" '$1 > m { print $1; exit }')
		n=$((n - 1))
	done
}
# not_reminded_after MARK ID: the rounds that begin after the first one
# ending after MARK do not remind of ID (a round already under way at
# MARK may still remind once).
not_reminded_after() {
	rounds "$1" 1 || return 1
	before=$(reminders "$2")
	rounds "$(log_mark "$T/sub.log")" 2 || return 1
	test "$(reminders "$2")" -eq "$before"
}
wait_until 10 reminded "$ID" 2
check "an unacknowledged critical advisory is reminded of" \
    test "$(reminders "$ID")" -ge 2
check "only critical ones" test "$(reminders "$LOW")" -eq 0

MARK=$(log_mark "$T/sub.log")
"$SUB" ack --state "$T/sub" "$ID" --by 'Nguyễn Văn An' \
    --note 'Đã cô lập máy chủ' >"$T/ack.out"
check "ack while the daemon runs" test $? -eq 0
check "ack says so" grep -q "^acknowledged $ID revision 1 by Nguyễn Văn An at " \
    "$T/ack.out"
check "the reminders stop after ack" not_reminded_after "$MARK" "$ID"
BEFORE=$(reminders "$ID")
check "show displays the acknowledgement" sh -c \
    '"$0" show --state "$1" "$2" | grep -q "^ack *r1 .* by Nguyễn Văn An: Đã cô lập máy chủ$"' \
    "$SUB" "$T/sub" "$ID"

# Restart: still acknowledged, and still no reminders.
stop "$SUB_PID"
MARK=$(log_mark "$T/sub.log")
start_sub "$T/sub" "$PUB_EP" "$T/pub/publisher.pub" --no-desktop \
    --renotify 1
check "after a restart, two rounds of reminders" rounds "$MARK" 2
check "and none of them for it" test "$(reminders "$ID")" -eq "$BEFORE"
"$SUB" show --state "$T/sub" --json "$ID" >"$T/show.json"
check "the acknowledgement survives the restart" "$PY" -c '
import json, sys
a = json.load(open(sys.argv[1], encoding="utf-8"))["acknowledgements"]
assert len(a) == 1 and a[0]["by"] == "Nguyễn Văn An", a
assert a[0]["revision"] == 1 and a[0]["note"] == "Đã cô lập máy chủ", a
' "$T/show.json"
"$SUB" ack --state "$T/sub" "$ID" --by 'Trần Thị Bình' >"$T/again.out"
check "a second ack of the same revision exits 0" test $? -eq 0
check "and keeps the first" grep -q 'already acknowledged by Nguyễn Văn An' \
    "$T/again.out"

# With the daemon stopped.
stop "$SUB_PID"
"$SUB" ack --state "$T/sub" "$LOW" --by 'Trần Thị Bình' --json >"$T/ack.json"
check "ack with the daemon stopped, in JSON" "$PY" -c '
import json, sys
a = json.load(open(sys.argv[1], encoding="utf-8"))
assert a["id"] == sys.argv[2] and a["by"] == "Trần Thị Bình", a
assert a["revision"] == 1 and a["note"] is None and a["already"] is False, a
' "$T/ack.json" "$LOW"
"$SUB" list --state "$T/sub" --unacked >"$T/unacked.out"
check "nothing left unacknowledged: exit 1" test $? -eq 1

# An update needs a new acknowledgement and links to revision 1.
start_sub "$T/sub" "$PUB_EP" "$T/pub/publisher.pub" --no-desktop \
    --renotify 1
printf '{"id": "%s", "kind": "update", "severity": "critical", "title": "%s"}' \
    "$ID" 'Cập nhật: mã độc đã lan sang hệ thống thư' >"$T/update.json"
"$PUB" publish --state "$T/pub" --file "$T/update.json" >/dev/null
wait_until 10 grep -q "critical $ID r2 " "$T/sub.out"
check "an update is unacknowledged again" sh -c \
    '"$0" list --state "$1" --unacked --json | grep -q "\"revision\":	2"' \
    "$SUB" "$T/sub"
"$SUB" list --state "$T/sub" >"$T/list.out"
check "list shows it as an update" grep -q "$ID  (update) Cập nhật" \
    "$T/list.out"
"$SUB" show --state "$T/sub" "$ID" >"$T/show.out"
check "show links the revisions" grep -q '^history *r1 new, seq 1, ' "$T/show.out"
check "show marks the one shown" grep -q '^ *r2 update, seq 3, .* (shown here)$' \
    "$T/show.out"
check "show keeps the earlier acknowledgement" grep -q '^ack *r1 ' "$T/show.out"
wait_until 5 grep -q "^REMINDER 3 critical $ID r2 " "$T/sub.out"
check "and the update is reminded of" grep -q "^REMINDER 3 critical $ID r2 " \
    "$T/sub.out"

# A cancellation ends the reminders without an acknowledgement.
printf '{"id": "%s", "kind": "cancel", "severity": "critical", "title": "%s"}' \
    "$ID" 'Hủy cảnh báo' >"$T/cancel.json"
"$PUB" publish --state "$T/pub" --file "$T/cancel.json" >/dev/null
wait_until 10 grep -q "critical $ID r3 " "$T/sub.out"
check "a cancelled advisory is not reminded of" \
    not_reminded_after "$(log_mark "$T/sub.log")" "$ID"
check "show says it is cancelled" sh -c \
    '"$0" show --state "$1" "$2" | grep -q "^\*\*\* CANCELLED"' \
    "$SUB" "$T/sub" "$ID"

"$SUB" ack --state "$T/sub" nope --by X 2>"$T/nope.err"
check "ack of an unknown id exits 1" test $? -eq 1
check "with a clear message" grep -q "no advisory 'nope' in the archive" \
    "$T/nope.err"
"$SUB" ack --state "$T/sub" "$ID" 2>/dev/null
check "ack without --by is a usage error" test $? -eq 2
"$SUB" ack --state "$T/none" "$ID" --by X 2>"$T/none.err"
check "ack without an archive exits 2" test $? -eq 2
check "and creates none" test ! -e "$T/none"
finish
