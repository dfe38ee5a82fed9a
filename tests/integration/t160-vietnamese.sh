#!/bin/sh
# Vietnamese throughout, one time convention, JSON unchanged.
#
# Under a Vietnamese locale a representative set of both programs'
# commands (help, errors, list, show, status, ack, receipts, overdue,
# reports, agency list, a drill's verdict) prints no English word: field
# values (severities, states, yes/no) are translated too, and dates are
# written day first.  Text output is in local time with the zone shown,
# --utc in UTC, in both programs; JSON stays English, in UTC, with
# "published" the advisory's own time and "issued" when it was signed.
# And po/vi.po holds every message of the sources, none fuzzy.
. "$(dirname "$0")/lib.sh"

export TZ=Asia/Ho_Chi_Minh
vi() { LANGUAGE=vi LC_ALL=C.UTF-8 "$@"; }

start_way_back an-giang bac-ninh
mark=$(log_mark "$T/an-giang.log")
"$SUB" run --state "$T/an-giang" --broadcast "$BC" --requests "$REQS" \
    --publisher-key "$T/pub/publisher.pub" --no-desktop --verbose \
    >>"$T/an-giang.out" 2>>"$T/an-giang.log" &
track $!
wait_log 10 "$T/an-giang.log" "$mark" ready || fail "the subscriber start"
wait_heartbeat "$T/an-giang.log" "$mark" || fail "no heartbeat"

ID=$("$PUB" publish --state "$T/pub" --severity critical \
    --title 'Lỗ hổng nghiêm trọng trên máy chủ thư' \
    --summary 'Cập nhật bản vá ngay.' --cve CVE-2024-3400)
wait_until 20 "$SUB" show --state "$T/an-giang" "$ID" >/dev/null ||
    fail "the advisory did not arrive"
"$SUB" report --state "$T/an-giang" --severity high \
    --title 'Phát hiện mã độc' >/dev/null
reports_in() {
	"$PUB" reports --state "$T/pub" --json |
	    "$PY" -c 'import json,sys; sys.exit(len(json.load(sys.stdin)) != 1)'
}
wait_until 20 reports_in || fail "the report did not arrive"
RSEQ=$("$PUB" reports --state "$T/pub" --json |
    "$PY" -c 'import json,sys; print(json.load(sys.stdin)[0]["seq"])')
"$PUB" handle-report --state "$T/pub" --by 'Lê Văn C' --note 'đã cô lập' \
    an-giang "$RSEQ" >/dev/null || fail "handle-report"

# out NAME PROGRAM ARGS...: run under the Vietnamese locale, both
# streams in $T/vi/NAME.
mkdir "$T/vi"
out() {
	name=$1
	shift
	vi "$@" >"$T/vi/$name" 2>&1
}
S="--state $T/an-giang"
P="--state $T/pub"
out sub-help "$SUB" --help
out sub-help-ack "$SUB" help ack
out sub-ack-h "$SUB" ack -h
out sub-list "$SUB" list $S
out sub-show "$SUB" show $S "$ID"
out sub-ack "$SUB" ack $S --by 'Nguyễn Văn An' "$ID"
out sub-ack-again "$SUB" ack $S --by 'Nguyễn Văn An' "$ID"
out sub-status "$SUB" status $S
out sub-err-show "$SUB" show $S nope
out sub-err-option "$SUB" list $S --bogus
out sub-err-missing "$SUB" ack $S "$ID"
out sub-err-state "$SUB" list --state "$T/nothing-here"
acked() {
	"$PUB" receipts --state "$T/pub" --json "$ID" | "$PY" -c '
import json, sys
r = {x["agency"]: x for x in json.load(sys.stdin)}
sys.exit(r["an-giang"]["acknowledged"] is None)'
}
wait_until 20 acked || fail "the acknowledgement did not reach the publisher"
# An agency the department has not registered: status says why, and
# what to do, in Vietnamese too.
"$SUB" keygen --state "$T/stranger" >/dev/null
# (Its daemon runs under the Vietnamese locale: its log is in Vietnamese
# but for the keys scripts look for.)
# (Not through vi(), whose subshell $! would name instead of the daemon.)
LANGUAGE=vi LC_ALL=C.UTF-8 "$SUB" run --state "$T/stranger" \
    --broadcast "$BC" --requests "$REQS" \
    --publisher-key "$T/pub/publisher.pub" --no-desktop \
    >>"$T/stranger.out" 2>>"$T/stranger.log" &
track $!
wait_log 15 "$T/stranger.log" 0 'kênh phát .*: không được chấp nhận' ||
    fail "the stranger was not refused"
check "the daemon's log in Vietnamese, its key 'ready' kept" \
    grep -q '^canhbao-sub: info: ready: sẵn sàng, khóa bên phát hành' \
    "$T/stranger.log"
out sub-status-refused "$SUB" status --state "$T/stranger"
out pub-help "$PUB" --help
out pub-help-receipts "$PUB" help receipts
out pub-receipts "$PUB" receipts $P "$ID"
out pub-overdue "$PUB" overdue $P
out pub-reports "$PUB" reports $P
out pub-agencies "$PUB" agency list $P
out pub-status "$PUB" status $P
out pub-err-missing "$PUB" publish $P --severity high
out pub-err-receipts "$PUB" receipts $P nosuch
out pub-err-severity "$PUB" overdue $P --severity urgent
out pub-err-journal "$PUB" reports --state "$T/nothing-here"
out pub-drill "$PUB" drill $P --wait 2s
mkdir -m 0700 "$T/empty"
out pub-err-daemon "$PUB" status --state "$T/empty"
printf '[publisher]\nbogus = 1\n' >"$T/bad.conf"
out pub-err-config "$PUB" check-config -c "$T/bad.conf"

for f in "$T"/vi/*; do
	check "$(basename "$f") says something" test -s "$f"
done
# No English word a person would read: options, commands and file names
# are typed, so they stay (they are taken out first), as do ids.
check "no English left under LANGUAGE=vi" "$PY" - "$T"/vi/* <<'PYEOF'
import re, sys
words = r"""critical high medium actual exercise received acknowledged
acknowledge yes no unknown error usage never missing published revision
since contact silent running outbox waiting refused handled attachment
feed uptime journal archive not daemon connection advisory seq severity
title summary history added removed drill""".split()
english = re.compile(r"\b(%s)\b" % "|".join(words), re.I)
typed = re.compile(r"--?[A-Za-z][\w-]*|canhbao-(pub|sub)( [a-z][a-z-]*){0,2}"
                   r"|'[^']*'|\S*/\S*|local:\S+|ack_by|sub\.conf")
bad = 0
for path in sys.argv[1:]:
    for line in open(path, encoding="utf-8"):
        m = english.search(typed.sub(" ", line))
        if m:
            bad += 1
            print("%s: %r: %s" % (path.rsplit("/", 1)[1], m.group(0),
                                  line.rstrip()))
sys.exit(bad > 0)
PYEOF
check "severities are translated in the table" \
    grep -q '^ *1 nghiêm trọng ' "$T/vi/sub-list"
check "show translates field values" \
    grep -q '^trạng thái *thật$' "$T/vi/sub-show"
check "usage in Vietnamese, on stdout for --help" \
    grep -q '^cách dùng: canhbao-sub ack .*--by TÊN' "$T/vi/sub-ack-h"
check "a missing option is named in Vietnamese" \
    grep -q 'thiếu --by TÊN' "$T/vi/sub-err-missing"
check "a configuration error names file:line, in Vietnamese" \
    grep -q "bad.conf:2: không có khóa cấu hình 'bogus' trong \\[publisher\\]" \
    "$T/vi/pub-err-config"
check "a refused agency key: why and what to do, in Vietnamese" \
    grep -q 'không được chấp nhận: .*hãy gửi agency.pub cho sở' \
    "$T/vi/sub-status-refused"
check "the drill's verdict in Vietnamese" \
    grep -qx '[0-2]/2 đã nhận, [0-2]/2 đã xác nhận' "$T/vi/pub-drill"
check "an agency never heard from: never, silent" \
    grep -q '^bac-ninh .*chưa bao giờ  IM LẶNG' "$T/vi/pub-agencies"
check "dates day first, local time with the zone" \
    grep -Eq '[0-3][0-9]/[01][0-9]/[0-9]{4} [0-2][0-9]:[0-5][0-9] \+07' \
    "$T/vi/pub-receipts"

# One time convention: local with the zone, or --utc, in both programs;
# the same moment, 7 hours apart in Ho Chi Minh City.
"$SUB" list $S >"$T/list.local"
"$SUB" list $S --utc >"$T/list.utc"
"$PUB" receipts $P "$ID" >"$T/receipts.local"
"$PUB" receipts $P --utc "$ID" >"$T/receipts.utc"
"$SUB" show $S --utc "$ID" >"$T/show.utc"
same_moment() {
	"$PY" - "$1" "$2" <<'PYEOF'
import datetime, re, sys
t = r"(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d) (\+07|UTC)"
def first(path):
    m = re.search(t, open(path, encoding="utf-8").read())
    y, mo, d, h, mi, zone = m.groups()
    return datetime.datetime(int(y), int(mo), int(d), int(h), int(mi)), zone
(local, lz), (utc, uz) = first(sys.argv[1]), first(sys.argv[2])
assert (lz, uz) == ("+07", "UTC"), (lz, uz)
assert local - utc == datetime.timedelta(hours=7), (local, utc)
PYEOF
}
check "subscriber: local time with +07, --utc in UTC, 7 hours apart" \
    same_moment "$T/list.local" "$T/list.utc"
check "publisher: the same convention" \
    same_moment "$T/receipts.local" "$T/receipts.utc"
check "show --utc too" grep -q '^published .* UTC$' "$T/show.utc"

# JSON stays English and in UTC under a Vietnamese locale.
vi "$SUB" list $S --json >"$T/list.json"
vi "$PUB" overdue $P --json >"$T/overdue.json"
check "JSON is unchanged by the locale; published and issued have one meaning" \
    "$PY" - "$T/list.json" "$T/overdue.json" <<'PYEOF'
import json, sys
r = [x for x in json.load(open(sys.argv[1])) if x["seq"] == 1][0]
assert r["severity"] == "critical" and r["status"] == "actual", r
assert r["published"].endswith("Z") and r["issued"].endswith("Z"), r
overdue = json.load(open(sys.argv[2]))
adv = overdue[0]["advisories"][0]
assert "published" in adv and "issued" in adv, adv
assert adv["issued"].endswith("Z"), adv
PYEOF

check "po/vi.po has every message, none fuzzy or untranslated" \
    make -s -C "$TOP" po-check
finish
