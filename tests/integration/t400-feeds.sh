#!/bin/sh
# Feed ingestion end to end: a local HTTP server (ETag, gzip) serves the
# repository's feed samples and hand-written Vietnamese feeds (dated
# from the clock, so that they never age out of the backfill window);
# the publisher ingests them, a subscriber receives them; a second poll publishes nothing and
# gets 304s; an edited item arrives as revision 2; a truncated feed and
# an entity bomb sit beside the good ones without harming them; a
# restart publishes nothing again.
. "$(dirname "$0")/lib.sh"

FIX="$TOP/tests/fixtures/feeds"
W="$T/www"
mkdir -p "$W"

# The feeds appear only once the subscriber listens (the first polls
# get 404s), so that it sees every advisory published.
serve_feeds() {
	mkdir -p "$W/rolie"
	for f in "$TOP"/tests/data/feeds/*; do
		render_dates "$f" "$W/$(basename "$f")" || exit 1
	done
	cp "$FIX/kev/known_exploited_vulnerabilities.json" "$W/kev.json"
	cp -r "$FIX/csaf/provider-sotttt/white/." "$W/rolie/"
	cp "$FIX/rss/bugalert-bug-alert-contributors.rss.xml" "$W/bugalert.rss"
	cp "$FIX/atom/bugalert-critical-severity.atom.xml" "$W/bugalert.atom"
	cp "$FIX/cap/thunderstorm.cap" "$W/thunderstorm.cap"
}

"$PY" "$TOP/tests/integration/feed_server.py" "$W" "$T/port" "$T/http.log" \
    2>"$T/server.log" &
track $!
wait_until 10 test -s "$T/port" || { echo "no HTTP server"; exit 1; }
U="http://127.0.0.1:$(cat "$T/port")"

"$PUB" keygen --state "$T/pub" >/dev/null
cat >"$T/pub.conf" <<CONF
# canhbao-pub test configuration
[publisher]
state = $T/pub
broadcast = tcp://127.0.0.1:*
insecure = yes
heartbeat = 1

[feed "kev"]
url = $U/kev.json
format = kev
backfill = 7d
interval = 3600

[feed "rolie"]
url = $U/rolie/changes.csv
format = csaf
backfill = all
interval = 3600

[feed "bugalert"]
url = $U/bugalert.rss
format = rss
severity = high
backfill = all
interval = 3600

[feed "bugalert-critical"]
url = $U/bugalert.atom
format = atom
backfill = all
interval = 3600

[feed "weather"]
url = $U/thunderstorm.cap
format = cap
backfill = all
interval = 3600

[feed "so-tttt"]
url = $U/vi-feed.json
format = json
origin = provincial
interval = 3600

[feed "vi-rss"]
url = $U/vi-rss.xml
format = rss
severity = high
interval = 3600

[feed "vi-atom"]
url = $U/vi-atom.xml
format = atom
severity = high
interval = 3600

[feed "vi-cap"]
url = $U/vi-alert.cap
format = cap
interval = 3600

[feed "vi-csaf"]
url = $U/vi-csaf.json
format = csaf
interval = 3600

[feed "broken"]
url = $U/truncated-rss.xml
format = rss
interval = 3600

[feed "bomb"]
url = $U/bomb.xml
format = rss
interval = 3600
CONF

check "check-config accepts it" sh -c '"$0" check-config -c "$1" >/dev/null' \
    "$PUB" "$T/pub.conf"

# seq of the last message journaled
last_seq() {
	"$PUB" status --state "$T/pub" --json |
	    "$PY" -c 'import json,sys; print(json.load(sys.stdin)["last_seq"])'
}
# polls done by every feed are at least $1
polled() {
	"$PUB" status --state "$T/pub" --json | "$PY" -c '
import json, sys
fs = json.load(sys.stdin)["feeds"]
sys.exit(0 if all(f["polls"] >= int(sys.argv[1]) and f["next_poll"] != "now"
                  for f in fs) else 1)' "$1"
}

"$PUB" run -c "$T/pub.conf" >>"$T/pub.log" 2>&1 &
PUB_PID=$!
track "$PUB_PID"
wait_until 10 test -s "$T/pub/broadcast.endpoint" || fail "publisher start"
wait_until 30 polled 1 || fail "the polls of an empty server"
check "nothing published from 404s" test "$(last_seq)" -eq 0
check "a 404 is a feed error" grep -q 'feed kev: .*HTTP status 404' "$T/pub.log"
start_sub "$T/sub" "$(cat "$T/pub/broadcast.endpoint")" "$T/pub/publisher.pub"
serve_feeds
"$PUB" poll --state "$T/pub" >/dev/null
wait_until 60 polled 2 || fail "first real poll of every feed"
FIRST=$(last_seq)
check "the first poll published something" test "$FIRST" -gt 10
wait_until 15 sh -c 'test "$("$0" list --state "$1" | wc -l)" -gt "$2"' \
    "$SUB" "$T/sub" "$FIRST"
check "the subscriber archived every one of them" \
    test "$(count_archived "$T/sub")" -eq "$FIRST"

"$SUB" list --state "$T/sub" --json >"$T/list.json"
check "hand-written Vietnamese feeds: titles and severities" "$PY" -c '
import json, sys
rows = {r["id"]: r for r in json.load(open(sys.argv[1], encoding="utf-8"))}
want = {
 "so-tttt:STTTT-TH-2026-001": ("critical", "Cảnh báo chiến dịch tấn công APT nhắm vào cơ quan nhà nước dịp Tết: \"khẩn\" & <quan trọng>"),
 "so-tttt:STTTT-TH-2026-002": ("medium", "Lỗ hổng mức trung bình trong phần mềm văn phòng"),
 "vi-rss:ncsc-rss-2026-0042": ("high", "Cảnh báo lỗ hổng nghiêm trọng trong Microsoft Exchange & \"Outlook\" (CVE-2024-21410)"),
 "vi-atom:urn:uuid:0f6a1c2e-ais-2026-17": ("high", "Cảnh báo mã độc tống tiền lây lan qua thư điện tử giả mạo \"Thông báo thuế\""),
 "vi-cap:VNCERT-CAP-2026-0007": ("critical", "Tấn công DDoS quy mô lớn vào cổng dịch vụ công tỉnh Thanh Hóa"),
 "vi-csaf:VN-CSAF-2026-0003": ("critical", "Lỗ hổng thực thi mã từ xa trong phần mềm một cửa điện tử"),
}
for i, (sev, title) in want.items():
    assert i in rows, (i, sorted(rows))
    r = rows[i]
    assert (r["severity"], r["title"], r["revision"]) == (sev, title, 1), r
assert "so-tttt:STTTT-TH-2026-000" not in rows, "published 30 days old"
assert rows["so-tttt:STTTT-TH-2026-001"]["origin"] == "provincial"
assert rows["vi-cap:VNCERT-CAP-2026-0007"]["origin"] == "national"
' "$T/list.json"
"$SUB" show --state "$T/sub" --json vi-rss:ncsc-rss-2026-0042 >"$T/rss.json"
check "RSS HTML is reduced to text, CVE found" "$PY" -c '
import json, sys
a = json.load(open(sys.argv[1], encoding="utf-8"))
assert a["summary"] == "Tin tặc đang khai thác lỗ hổng tại Đà Nẵng & Hà Nội.", a
assert a["cves"] == ["CVE-2024-21410"], a
' "$T/rss.json"

check "kev: 1404 items seen, none before the backfill window published" \
    "$PY" -c '
import json, subprocess, sys
st = json.loads(subprocess.check_output([sys.argv[1], "status", "--state",
                                         sys.argv[2], "--json"]))
f = {x["name"]: x for x in st["feeds"]}
assert f["kev"]["items"] == 1404, f["kev"]
assert f["kev"]["published"] == 0, f["kev"]
assert f["rolie"]["published"] == 2, f["rolie"]
assert f["bugalert"]["published"] >= 5, f["bugalert"]
assert f["bugalert-critical"]["published"] >= 3, f["bugalert-critical"]
assert f["weather"]["items"] == 1 and f["weather"]["published"] == 0, f["weather"]
assert f["so-tttt"]["items"] == 3 and f["so-tttt"]["published"] == 2, f["so-tttt"]
for name in ("so-tttt", "vi-rss", "vi-atom", "vi-cap", "vi-csaf"):
    assert f[name]["published"] >= 1 and f[name]["last_error"] is None, f[name]
assert f["broken"]["last_error"] and f["broken"]["published"] == 0, f["broken"]
assert f["bomb"]["last_error"] and f["bomb"]["published"] == 0, f["bomb"]
' "$PUB" "$T/pub"

check "the broken feed is named in the log" grep -q 'feed broken: .*truncated-rss.xml' "$T/pub.log"
check "the entity bomb is named in the log" grep -q 'feed bomb: .*bomb.xml.*entit' "$T/pub.log"

# Poll again so that the subscriber (connected now) sees a fresh edit.
POLLED=$(grep -c ' 304' "$T/http.log")
"$PUB" poll --state "$T/pub" >/dev/null
wait_until 30 polled 3 || fail "second poll"
check "the second poll published nothing" test "$(last_seq)" -eq "$FIRST"
check "the second poll got 304s" test "$(grep -c ' 304' "$T/http.log")" -ge $((POLLED + 10))
check "bodies were compressed" grep -q ' 200 gzip' "$T/http.log"

# Edit one item of the provincial JSON feed: it comes as revision 2.
sed 's/Lỗ hổng mức trung bình trong phần mềm văn phòng/Lỗ hổng mức CAO trong phần mềm văn phòng/; s/"severity": "medium"/"severity": "high"/' \
    "$W/vi-feed.json" >"$W/vi-feed.json.new"
mv "$W/vi-feed.json.new" "$W/vi-feed.json"
"$PUB" poll --state "$T/pub" so-tttt >/dev/null
wait_until 15 grep -q 'so-tttt:STTTT-TH-2026-002 r2' "$T/sub.out"
check "an edited item arrives as revision 2" \
    grep -q 'high so-tttt:STTTT-TH-2026-002 r2 Lỗ hổng mức CAO' "$T/sub.out"
check "exactly one advisory more" test "$(last_seq)" -eq $((FIRST + 1))

# Restart: the journal remembers items and validators.
stop "$PUB_PID"
BEFORE=$(grep -c ' 304' "$T/http.log")
"$PUB" run -c "$T/pub.conf" >>"$T/pub.log" 2>&1 &
PUB_PID=$!
track "$PUB_PID"
wait_until 10 test -S "$T/pub/control.sock" || fail "publisher restart"
wait_until 60 polled 1 || fail "poll after restart"
check "a restart publishes nothing again" test "$(last_seq)" -eq $((FIRST + 1))
check "and polls with the stored ETags (304)" \
    test "$(grep -c ' 304' "$T/http.log")" -ge $((BEFORE + 10))

finish
