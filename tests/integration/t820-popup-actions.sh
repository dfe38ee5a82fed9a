#!/bin/sh
# Pop-ups a duty officer can act on, shown by a real notification daemon
# (dunst on Xvfb, on a private D-Bus session bus): a first catch-up of 20
# advisories gives one summary, quiet, whose hint runs as printed; a
# live critical advisory after it gets a pop-up of its own; "Acknowledge"
# from dunst's context menu records the acknowledgement by the desk's
# ack_by and closes the pop-up; an update replaces the advisory's pop-up
# (same notification id) instead of adding one, and "Show" turns it into
# the details; a reminder replaces the pop-up, and its hint, run as
# printed, acknowledges from the command line, which closes it too.
if [ -z "${CANHBAO_IN_DBUS:-}" ]; then
	CANHBAO_IN_DBUS=1 exec dbus-run-session -- sh "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/desk.sh"

DESK="Trần Thị Bình (trực ban, ca 'đêm')"

# dunst runs record.sh for every notification shown: one folder per id,
# rewritten when a pop-up is replaced (same id).  Its context menu
# ("dunstctl context") asks pick.sh, which picks the entry named in
# $T/pick, as a person would in dmenu.
mkdir "$T/rec"
cat >"$T/record.sh" <<REC
#!/bin/sh
d="$T/rec/\$DUNST_ID"
mkdir -p "\$d"
printf '%s' "\$DUNST_URGENCY" >"\$d/urgency"
printf '%s' "\$DUNST_SUMMARY" >"\$d/summary"
printf '%s' "\$DUNST_BODY" >"\$d/body"
touch "\$d/done"
REC
cat >"$T/pick.sh" <<PICK
#!/bin/sh
tee -a "$T/menu" | grep -m 1 -F -- "\$(cat "$T/pick")"
PICK
chmod +x "$T/record.sh" "$T/pick.sh"
cat >"$T/dunstrc" <<RC
[global]
    font = Monospace 8
    dmenu = $T/pick.sh
[record]
    appname = "*"
    script = $T/record.sh
RC

start_desk
notes() { # how many pop-ups (ids) were shown
	find "$T/rec" -mindepth 1 -maxdepth 1 -type d | wc -l
}
# closed ID: dunst moved notification ID to its history (closed).
closed() {
	dunstctl history | "$PY" -c '
import json, sys
h = json.load(sys.stdin)
sys.exit(0 if any(n["id"]["data"] == int(sys.argv[1])
                  for n in h["data"][0]) else 1)' "$1"
}
acked_by() { # acked_by ID NAME
	"$SUB" show --state "$T/sub" --json "$1" | "$PY" -c '
import json, sys
a = json.load(sys.stdin)
sys.exit(0 if any(x["by"] == sys.argv[1]
                  for x in a.get("acknowledgements") or []) else 1)' "$2"
}
pick() { # pick ENTRY: choose ENTRY in dunst's context menu
	printf '%s' "$1" >"$T/pick"
	dunstctl context
}
# hint FILE WORD: the command on the line of FILE that holds WORD, after
# the label ("Acknowledge it: canhbao-sub ...").
hint() {
	grep -F -- "$2" "$1" | head -n 1 | sed 's/^[^:]*: //'
}
# run_hint FILE WORD: run that command with sh, as a person would paste
# it; fails when there is none.
run_hint() {
	h=$(hint "$1" "$2")
	[ -n "$h" ] && sh -c "$h"
}

start_pub "$T/pub" --requests 'tcp://127.0.0.1:*'
wait_until 10 test -s "$T/pub/requests.endpoint"
i=0
while [ "$i" -lt 20 ]; do
	sev=low
	[ $((i % 5)) -eq 0 ] && sev=critical
	[ $((i % 5)) -eq 1 ] && sev=high
	"$PUB" publish --state "$T/pub" --severity "$sev" \
	    --title "Cảnh báo cũ số $i" >/dev/null
	i=$((i + 1))
done

cat >"$T/sub.conf" <<CONF
[subscriber]
ack_by = $DESK
renotify = 3
CONF
start_sub "$T/sub" "$PUB_EP" "$T/pub/publisher.pub" -c "$T/sub.conf" \
    --requests "$(cat "$T/pub/requests.endpoint")"
wait_until 15 test "$(count_archived "$T/sub")" = 20
wait_until 10 note 'caught up' >/dev/null
S=$(note 'caught up')
check "the first catch-up of 20 gives one summary" test -n "$S"
check "and no other pop-up" test "$(notes)" -eq 1
check "the summary counts them" grep -qF '20 advisories caught up' "$S/summary"
check "the summary names a critical one" \
    grep -qF 'Critical: Cảnh báo cũ số' "$S/body"
check "no bell for old ones: normal urgency" \
    test "$(cat "$S/urgency")" = NORMAL
run_hint "$S/body" 'canhbao-sub' >"$T/hint.out"
check "the summary's hint runs as printed" test $? -eq 0
check "and lists the advisories" grep -qF 'Cảnh báo cũ số 19' "$T/hint.out"

# A live critical advisory right after: a pop-up of its own.
ID=$("$PUB" publish --state "$T/pub" --severity critical \
    --title 'Tấn công mã độc tống tiền đang diễn ra' | tail -n 1)
wait_until 10 note 'tống tiền' >/dev/null
C=$(note 'tống tiền')
check "a live critical after the catch-up has its own pop-up" test -n "$C"
check "with critical urgency" test "$(cat "$C/urgency")" = CRITICAL

# Acknowledge from the pop-up (dunst's context menu).
pick 'Acknowledge'
wait_until 10 acked_by "$ID" "$DESK"
check "Acknowledge records the ack by ack_by" acked_by "$ID" "$DESK"
wait_until 10 closed "${C##*/}"
check "and closes the pop-up" closed "${C##*/}"

# An update replaces the advisory's pop-up; Show turns it into details.
ID2=$("$PUB" publish --state "$T/pub" --severity high \
    --title 'Lỗ hổng VPN nghiêm trọng' --cve CVE-2024-3400 | tail -n 1)
wait_until 10 note 'Lỗ hổng VPN' >/dev/null
H=$(note 'Lỗ hổng VPN')
check "a live high advisory has its own pop-up" test -n "$H"
before=$(notes)
printf '{"id": "%s", "severity": "high", "title": "%s", "summary": "%s",
 "cves": ["CVE-2024-3400"]}\n' "$ID2" 'Lỗ hổng VPN: có bản vá' \
    'Cập nhật ngay PAN-OS.' >"$T/update.json"
"$PUB" publish --state "$T/pub" --file "$T/update.json" >/dev/null
wait_until 10 grep -q '^Update: ' "$H/summary"
check "the update replaces the pop-up (same id)" \
    grep -q '^Update: High: Lỗ hổng VPN: có bản vá' "$H/summary"
check "rather than adding one" test "$(notes)" -eq "$before"
pick 'Show'
wait_until 10 grep -qF 'show --state' "$H/body"
check "Show replaces it with the details" grep -qF 'PAN-OS' "$H/body"
check "the details name the CVE" grep -qF 'CVE-2024-3400' "$H/body"
run_hint "$H/body" ' show ' >"$T/show.out"
check "the details' hint runs as printed" test $? -eq 0
check "and shows the advisory" grep -qF 'PAN-OS' "$T/show.out"

# A reload that changes the notification settings (here the desk's
# name) keeps the pop-ups on screen: the next update still replaces the
# advisory's pop-up, and hints name the new desk.
DESK="Lê Văn Cường (trực ban, ca ngày)"
cat >"$T/sub.conf" <<CONF
[subscriber]
ack_by = $DESK
renotify = 3
CONF
MARK=$(log_mark "$T/sub.log")
kill -HUP "$SUB_PID"
wait_log 10 "$T/sub.log" "$MARK" 'reload: done'
check "a reload with a new ack_by is taken" \
    logged_after "$T/sub.log" "$MARK" 'ack_by'
before=$(notes)
printf '{"id": "%s", "severity": "high", "title": "%s"}\n' "$ID2" \
    'Lỗ hổng VPN: bản vá thứ hai' >"$T/update2.json"
"$PUB" publish --state "$T/pub" --file "$T/update2.json" >/dev/null
wait_until 10 grep -qF 'bản vá thứ hai' "$H/summary"
check "after the reload, an update still replaces the pop-up" \
    grep -qF 'bản vá thứ hai' "$H/summary"
check "rather than adding one" test "$(notes)" -eq "$before"

# A reminder replaces the pop-up; its hint, run as printed, acks it,
# and the ack made by another process closes the pop-up.
ID3=$("$PUB" publish --state "$T/pub" --severity critical \
    --title 'Cảnh báo chưa xác nhận' | tail -n 1)
wait_until 10 note 'chưa xác nhận' >/dev/null
R=$(note 'chưa xác nhận')
wait_until 15 grep -q '^Not acknowledged: ' "$R/summary"
check "the reminder replaces the pop-up" \
    grep -q '^Not acknowledged: Critical: ' "$R/summary"
check "one pop-up for the advisory" \
    test "$(grep -lF 'chưa xác nhận' "$T"/rec/*/summary | wc -l)" -eq 1
check "the reminder's hint names the real id" grep -qF "$ID3" "$R/body"
run_hint "$R/body" ' ack ' >/dev/null
check "the reminder's hint runs as printed" test $? -eq 0
check "and records the ack by the desk's name" acked_by "$ID3" "$DESK"
wait_until 10 closed "${R##*/}"
check "an ack from the command line closes the pop-up" closed "${R##*/}"

finish
