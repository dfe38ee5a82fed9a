#!/bin/sh
# The journald path: each advisory notified is one structured journal
# entry (MESSAGE, PRIORITY from severity, CANHBAO_* fields), and so is
# the stale-channel alarm.  The test runs in its own mount namespace
# with an empty /run, where a small listener plays journald on
# /run/systemd/journal/socket.
. "$(dirname "$0")/journald.sh"

play_journald "$T/journal.txt" "$(printf '\036')"

start_pub "$T/pub" --heartbeat 1
start_sub "$T/sub" "$PUB_EP" "$T/pub/publisher.pub" --stale-after 3 \
    --no-desktop --min-severity medium
check "the subscriber uses the journal" \
    grep -q 'notifying on: terminal journal' "$T/sub.log"
ID=$("$PUB" publish --state "$T/pub" --severity critical \
    --title 'Cảnh báo mã độc tống tiền' | tail -n 1)
"$PUB" publish --state "$T/pub" --severity low --title 'Thấp, bị lọc' \
    >/dev/null
"$PUB" publish --state "$T/pub" --severity medium --title 'Trung bình' \
    >/dev/null
wait_until 10 grep -q 'Trung b' "$T/journal.txt"

# entries: the journal entries as dicts, one per datagram.
check "one entry per notified advisory, with its fields" "$PY" -c '
import sys
rows = [dict(f.split("=", 1) for f in l.rstrip("\n").split("\x1e") if f)
        for l in open(sys.argv[1], encoding="utf-8")]
adv = [r for r in rows if r.get("CANHBAO_EVENT") == "advisory"]
assert len(adv) == 2, adv
c, m = adv
assert c["CANHBAO_ID"] == sys.argv[2] and c["PRIORITY"] == "2", c
assert c["CANHBAO_SEVERITY"] == "critical" and c["CANHBAO_SEQ"] == "1", c
assert c["SYSLOG_IDENTIFIER"] == "canhbao-sub", c
assert c["MESSAGE"].endswith("Cảnh báo mã độc tống tiền"), c
assert m["PRIORITY"] == "4" and m["CANHBAO_SEQ"] == "3", m
' "$T/journal.txt" "$ID"
check "the filtered one is archived all the same" \
    test "$(count_archived "$T/sub")" -eq 3
check "but not notified on the terminal either" \
    test "$(grep -c '^[0-9]' "$T/sub.out")" -eq 2

kill -STOP "$PUB_PID"
wait_until 10 grep -q 'CANHBAO_ALARM=raised' "$T/journal.txt"
kill -CONT "$PUB_PID"
check "the alarm is a critical journal entry" "$PY" -c '
import sys
rows = [dict(f.split("=", 1) for f in l.rstrip("\n").split("\x1e") if f)
        for l in open(sys.argv[1], encoding="utf-8")]
a = [r for r in rows if r.get("CANHBAO_ALARM") == "raised"]
assert len(a) == 1 and a[0]["PRIORITY"] == "2", a
assert a[0]["MESSAGE"].startswith("ALARM stale channel"), a
' "$T/journal.txt"
finish
