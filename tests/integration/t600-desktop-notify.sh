#!/bin/sh
# A real notification daemon (dunst on Xvfb, on a private D-Bus session
# bus) shows the subscriber's pop-ups: a critical advisory with critical
# urgency, its title and summary; an exercise marked as such; a low one
# with low urgency; the stale-channel alarm as critical, replaced when
# it clears.  With --no-desktop the subscriber stays off the bus.
if [ -z "${CANHBAO_IN_DBUS:-}" ]; then
	CANHBAO_IN_DBUS=1 exec dbus-run-session -- sh "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/desk.sh"

TITLE='Cảnh báo tấn công mạng dịp Tết: "khẩn" & <quan trọng>'
SUMMARY='Đề nghị rà soát ngay đường dây nóng Đà Nẵng.'

# dunst runs record.sh for every notification: one folder per id.
mkdir "$T/rec"
cat >"$T/record.sh" <<EOF
#!/bin/sh
d="$T/rec/\$DUNST_ID"
mkdir -p "\$d"
printf '%s' "\$DUNST_URGENCY" >"\$d/urgency"
printf '%s' "\$DUNST_SUMMARY" >"\$d/summary"
printf '%s' "\$DUNST_BODY" >"\$d/body"
printf '%s' "\$DUNST_APP_NAME" >"\$d/app"
printf '%s' "\$DUNST_CATEGORY" >"\$d/category"
touch "\$d/done"
EOF
chmod +x "$T/record.sh"
cat >"$T/dunstrc" <<EOF
[global]
    font = Monospace 8
[record]
    appname = "*"
    script = $T/record.sh
EOF

start_desk
field_is() { # field_is FOLDER FIELD VALUE
	test "$(cat "$1/$2")" = "$3"
}

start_pub "$T/pub" --heartbeat 1
start_sub "$T/sub" "$PUB_EP" "$T/pub/publisher.pub" --stale-after 3
check "the subscriber found the session bus" \
    grep -q 'notifying on: terminal desktop' "$T/sub.log"

ID=$("$PUB" publish --state "$T/pub" --severity critical --title "$TITLE" \
    --summary "$SUMMARY" | tail -n 1)
wait_until 10 note 'Tết' >/dev/null
N=$(note 'Tết')
check "a pop-up for the critical advisory" test -n "$N"
check "with critical urgency" field_is "$N" urgency CRITICAL
check "from canhbao" field_is "$N" app canhbao
check "in the advisory category" field_is "$N" category x-canhbao.advisory
check "the title shown" grep -qF 'Tết: "khẩn"' "$N/summary"
check "the severity shown" grep -q '^Critical: ' "$N/summary"
check "the summary shown" grep -qF "$SUMMARY" "$N/body"
check "the id shown" grep -qF "$ID" "$N/body"

"$PUB" publish --state "$T/pub" --severity high --status exercise \
    --title 'Diễn tập ứng cứu sự cố' >/dev/null
"$PUB" publish --state "$T/pub" --severity low \
    --title 'Bản tin an toàn thông tin tuần' >/dev/null
wait_until 10 note 'Bản tin' >/dev/null
E=$(note 'Diễn tập')
L=$(note 'Bản tin')
check "an exercise is marked" grep -q '^\[EXERCISE\] High: ' "$E/summary"
check "a high one has normal urgency" field_is "$E" urgency NORMAL
check "a low one has low urgency" field_is "$L" urgency LOW

# The alarm goes through the same path.  (Its pop-up is read before the
# publisher resumes: the clearing replaces it, in the same folder.)
kill -STOP "$PUB_PID"
wait_until 10 note 'silent' >/dev/null
A=$(note 'silent')
check "the stale-channel alarm pops up" test -n "$A"
check "with critical urgency" field_is "$A" urgency CRITICAL
kill -CONT "$PUB_PID"
wait_until 10 note 'is back' >/dev/null
check "and its clearing replaces it" test "$(note 'is back')" = "$A"

dunstctl close-all
check "dunst's history holds the advisories" "$PY" -c '
import json, subprocess
h = json.loads(subprocess.check_output(["dunstctl", "history"]))
apps = [n["appname"]["data"] for n in h["data"][0]]
assert apps.count("canhbao") >= 4, apps
'

start_sub "$T/quiet" "$PUB_EP" "$T/pub/publisher.pub" --no-desktop
check "--no-desktop keeps off the bus" \
    grep -q 'notifying on: terminal syslog$\|notifying on: terminal journal$' \
    "$T/quiet.log"

finish
