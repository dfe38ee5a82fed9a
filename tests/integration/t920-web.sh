#!/bin/sh
# The duty officer's screen (--web): a headless Chromium opens the page
# through the link web-link prints, with three agencies of which one has
# acknowledged the critical warning, one has only received it and one is
# switched off; it sees all of that, and the next acknowledgement arrive
# without a reload; with its event stream blocked it polls instead.
# Without a token, nothing but 401; strict security headers on every
# answer.  A screenshot is left for a person to look at.
. "$(dirname "$0")/lib.sh"

OUT=${CANHBAO_BUILD:-$TOP/build}/test-output
mkdir -p "$OUT"

"$PUB" keygen --state "$T/pub" >/dev/null
for a in an-giang bac-ninh ca-mau; do
	"$SUB" keygen --state "$T/$a" >/dev/null
	"$PUB" agency add --state "$T/pub" "$a" "$T/$a/agency.pub" >/dev/null
done
check_fails "web-link before any web page is set up: refused" \
    "$PUB" web-link --state "$T/pub"
check "and says so in Vietnamese" sh -c 'LANGUAGE=vi LC_ALL=C.UTF-8 \
    "$0" web-link --state "$1" 2>&1 | grep -q "chưa có màn hình trực ban"' \
    "$PUB" "$T/pub"
BC="ipc://$T/broadcast.sock" REQS="ipc://$T/requests.sock"
"$PUB" run --state "$T/pub" --broadcast "$BC" --requests "$REQS" \
    --heartbeat 1 --web 127.0.0.1:0 >>"$T/pub.log" 2>&1 &
track $!
wait_until 10 test -s "$T/pub/web.address" || fail "publisher start"
ADDR=$(cat "$T/pub/web.address")
URL="http://$ADDR"

run_sub() {
	"$SUB" run --state "$T/$1" --broadcast "$BC" --requests "$REQS" \
	    --publisher-key "$T/pub/publisher.pub" --presence 1 --verbose \
	    --no-desktop >>"$T/$1.out" 2>>"$T/$1.log" &
	track $!
	wait_until 10 grep -q ready "$T/$1.log"
}
# ca-mau is switched off: it never runs.
for a in an-giang bac-ninh; do run_sub "$a"; done
for a in an-giang bac-ninh; do
	wait_heartbeat "$T/$a.log" 0 || fail "$a saw no heartbeat"
done

TITLE='Khẩn: vá lỗ hổng VPN ngay trước Tết'
ID=$("$PUB" publish --state "$T/pub" --severity critical --title "$TITLE" |
    tail -n 1)
receipt() { # receipt AGENCY FIELD: that field of AGENCY's receipt is set
	"$PUB" receipts --state "$T/pub" --json "$ID" | "$PY" -c '
import json, sys
r = {x["agency"]: x for x in json.load(sys.stdin)}
sys.exit(0 if r[sys.argv[1]][sys.argv[2]] else 1)' "$1" "$2"
}
wait_until 20 receipt an-giang received || fail "an-giang received"
wait_until 20 receipt bac-ninh received || fail "bac-ninh received"
"$SUB" ack --state "$T/an-giang" "$ID" --by 'Nguyễn Văn An' >/dev/null
wait_until 20 receipt an-giang acknowledged || fail "an-giang acknowledged"

# An incident report with an attachment, to download from the page.
head -c 3000 /dev/urandom >"$T/capture.pcap"
printf 'Máy chủ thư gửi thư rác hàng loạt.\nĐã cô lập.\n' >"$T/details.txt"
"$SUB" report --state "$T/an-giang" --severity high \
    --title 'Phát hiện mã độc trên máy chủ thư' --details "$T/details.txt" \
    --attach "$T/capture.pcap" >/dev/null || fail "report"
wait_until 20 sh -c '"$0" reports --state "$1" --json | grep -q "máy chủ thư"' \
    "$PUB" "$T/pub" || fail "the report arrived"
REPORT_SEQ=$("$PUB" reports --state "$T/pub" --json |
    "$PY" -c 'import json,sys; print(int(json.load(sys.stdin)[0]["seq"]))')

# --- no token, no page ---------------------------------------------------
status() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
check "/ without a token: 401" test "$(status "$URL/")" = 401
check "/api/agencies without a token: 401" \
    test "$(status "$URL/api/agencies")" = 401
check "/api/events without a token: 401" \
    test "$(status "$URL/api/events")" = 401
check "the page's script without a token: 401" \
    test "$(status "$URL/app.js")" = 401
check "a made-up token: 401" test "$(status -H "Authorization: Bearer \
$(printf '%064d' 0)" "$URL/api/agencies")" = 401
check "a made-up login link: 401" \
    test "$(status "$URL/?token=$(printf '%064d' 1)")" = 401

LINK=$("$PUB" web-link --state "$T/pub")
TOKEN=${LINK#*token=}
check "web-link prints a link to the page with a token" \
    test "$LINK" = "$URL/?token=$TOKEN" -a ${#TOKEN} -eq 64
check "the state folder keeps only the token's hash, 0600" sh -c '
	! grep -q "$0" "$1/web.tokens" &&
	test "$(stat -c %a "$1/web.tokens")" = 600' "$TOKEN" "$T/pub"
curl -s -D "$T/h.txt" -o "$T/agencies.json" \
    -H "Authorization: Bearer $TOKEN" "$URL/api/agencies"
check "the API takes the token as Bearer" grep -q '^HTTP/1.1 200' "$T/h.txt"
check "/api/agencies is agency list --json" sh -c '
	"$0" agency list --state "$1" --json | "$2" -c "
import json, sys
cli = json.load(sys.stdin); web = json.load(open(sys.argv[1]))
sys.exit(0 if [sorted(a) for a in cli] == [sorted(a) for a in web] and
         [a[\"name\"] for a in cli] == [a[\"name\"] for a in web] else 1)" \
	"$3"' "$PUB" "$T/pub" "$PY" "$T/agencies.json"
header() { grep -qi "^$1" "$T/h.txt"; }
check "CSP: only the publisher's own script, no framing" \
    grep -qi "^Content-Security-Policy: default-src 'none'; script-src 'self';.*frame-ancestors 'none'" \
    "$T/h.txt"
check_fails "CSP allows no inline script or style" grep -qi 'unsafe-' "$T/h.txt"
check "X-Frame-Options: DENY" header 'X-Frame-Options: DENY'
check "Referrer-Policy: no-referrer" header 'Referrer-Policy: no-referrer'
check "nosniff" header 'X-Content-Type-Options: nosniff'
curl -s -D "$T/login.txt" -o /dev/null "$LINK"
check "the link logs in with an HttpOnly, SameSite=Strict cookie" \
    grep -qi '^Set-Cookie: canhbao_web=[0-9a-f]\{64\}; Path=/; HttpOnly; SameSite=Strict' \
    "$T/login.txt"
check "and sends the browser on to / without the token" \
    grep -qi '^Location: /.$' "$T/login.txt"
check "/api/advisories/ID is receipts --json ID" sh -c '
	test "$(curl -s -H "Authorization: Bearer $0" "$1/api/advisories/$2" |
	    "$4" -c "import json,sys; print(json.dumps(json.load(sys.stdin), sort_keys=True))")" = \
	"$("$3" receipts --state "$5" --json "$2" |
	    "$4" -c "import json,sys; print(json.dumps(json.load(sys.stdin), sort_keys=True))")"' \
    "$TOKEN" "$URL" "$ID" "$PUB" "$PY" "$T/pub"
check "/api/advisories is advisories --json, with the counts" sh -c '
	test "$(curl -s -H "Authorization: Bearer $0" "$1/api/advisories" |
	    "$3" -c "import json,sys; print(json.dumps(json.load(sys.stdin), sort_keys=True))")" = \
	"$("$2" advisories --state "$4" --json |
	    "$3" -c "import json,sys; a=json.load(sys.stdin); assert (a[0][\"registered\"], a[0][\"received\"], a[0][\"acknowledged\"]) == (3, 2, 1), a; print(json.dumps(a, sort_keys=True))")"' \
    "$TOKEN" "$URL" "$PUB" "$PY" "$T/pub"
curl -s -D "$T/att.txt" -o "$T/att.bin" -H "Authorization: Bearer $TOKEN" \
    "$URL/api/reports/an-giang/$REPORT_SEQ/capture.pcap"
check "a report's attachment downloads, byte for byte" \
    cmp -s "$T/capture.pcap" "$T/att.bin"
check "as an attachment, under its name" grep -qi \
    "^Content-Disposition: attachment; filename\*=UTF-8''capture.pcap" \
    "$T/att.txt"

# --- the page in a real browser -------------------------------------------
# The browser and its driver keep the real clock when the suite runs
# under faketime (libfaketime breaks Chromium's start and Python's
# sleep); the page takes the publisher's time from its Date header.
REAL="env -u LD_PRELOAD -u FAKETIME"
$REAL chromium --headless=new --no-sandbox --disable-gpu --no-first-run \
    --no-default-browser-check --disable-extensions --disable-sync \
    --disable-background-networking --disable-component-update \
    --disable-dev-shm-usage --lang=vi --accept-lang=vi --window-size=1600,1000 \
    --user-data-dir="$T/chromium" --remote-debugging-port=0 \
    about:blank >"$T/chromium.out" 2>&1 &
track $!
EXPECT=$("$PY" -c 'import json, sys; print(json.dumps({"id": sys.argv[1],
    "title": sys.argv[2], "acked": "an-giang", "by": "Nguyễn Văn An",
    "later": "bac-ninh", "later_by": "Trần Thị Bình", "off": "ca-mau",
    "reporter": "an-giang", "attachment": sys.argv[3],
    "second": "Cảnh báo thứ hai: cập nhật trình duyệt",
    "agencies": {"an-giang": "online", "bac-ninh": "online",
                 "ca-mau": "never"}}))' "$ID" "$TITLE" \
    "/api/reports/an-giang/$REPORT_SEQ/capture.pcap")
$REAL "$PY" "$TOP/tests/integration/cdp_page.py" "$T/chromium/DevToolsActivePort" \
    "$LINK" "$T/step" "$OUT/t920-web.png" "$EXPECT" >"$T/browser.out" 2>&1 &
BROWSER=$!
track "$BROWSER"
if wait_until 30 test -s "$T/step"; then
	"$SUB" ack --state "$T/bac-ninh" "$ID" --by 'Trần Thị Bình' >/dev/null
fi
if wait_until 30 grep -q polling "$T/step"; then
	"$PUB" publish --state "$T/pub" --severity high \
	    --title 'Cảnh báo thứ hai: cập nhật trình duyệt' >/dev/null
fi
wait "$BROWSER"
cat "$T/browser.out"
check "every check in the browser passed" \
    test "$(grep -c '^ok ' "$T/browser.out")" -eq 17
check "a screenshot for a person to look at" test -s "$OUT/t920-web.png"
echo "     screenshots: $OUT/t920-web.png $OUT/t920-web-phone.png"

"$PUB" web-link --state "$T/pub" --new >/dev/null 2>&1
check "web-link --new: the earlier link no longer works" \
    test "$(status -H "Authorization: Bearer $TOKEN" "$URL/api/agencies")" = 401

finish
