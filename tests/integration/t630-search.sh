#!/bin/sh
# Search ignores case and Vietnamese diacritics, đ/Đ included, over
# title, summary, actions, CVEs and products; it finds what it should
# and nothing unrelated, ranks title matches first, then words side by
# side, then the newest, highlights the matched words, filters; list
# filters too.  Lookups work while the daemon writes and after it
# stops; tables fit 80 columns; messages follow the locale (Vietnamese
# or English).
. "$(dirname "$0")/lib.sh"

start_pub "$T/pub"
start_sub "$T/sub" "$PUB_EP" "$T/pub/publisher.pub" --no-desktop

# pub_file JSON: publish an advisory written as JSON; prints its id.
pub_file() {
	printf '%s' "$1" >"$T/adv.json"
	"$PUB" publish --state "$T/pub" --file "$T/adv.json" | tail -n 1
}
A1=$(pub_file '{"severity": "critical",
  "title": "Cảnh báo lừa đảo qua đường dây nóng giả mạo",
  "summary": "Đối tượng giả danh cán bộ Sở TT&TT Đà Nẵng.",
  "actions": ["Cập nhật bản vá cho tường lửa"],
  "products": ["Fortinet FortiOS 7.2"], "cves": ["CVE-2024-21762"]}')
A2=$(pub_file '{"severity": "high", "origin": "national",
  "title": "Lỗ hổng nghiêm trọng trong Microsoft Exchange",
  "summary": "Ảnh hưởng đến hệ thống thư điện tử tại Hà Nội.",
  "products": ["Microsoft Exchange Server 2019"],
  "cves": ["CVE-2024-21410"]}')
A3=$(pub_file '{"severity": "medium", "status": "exercise",
  "title": "Đà Lạt: diễn tập ứng cứu sự cố",
  "summary": "Thời tiết nắng nóng, kiểm tra điều hòa phòng máy."}')
A4=$(pub_file '{"severity": "low",
  "title": "Hà Nội: hội thảo an toàn thông tin"}')
# A title in NFD (decomposed), as some feeds send it.
NFD=$("$PY" -c 'import unicodedata; print(unicodedata.normalize("NFD", "Quảng Ngãi: tin giả về bão"))')
A5=$("$PUB" publish --state "$T/pub" --severity info --title "$NFD" | tail -n 1)
archived() { test "$(count_archived "$T/sub")" -eq "$1"; }
wait_until 10 archived 5

# ids QUERY...: the ids search finds, in rank order, one per line.
ids() {
	"$SUB" search --state "$T/sub" --json "$@" |
	    "$PY" -c 'import json,sys; [print(r["id"]) for r in json.load(sys.stdin)]'
}
finds() { # finds "ID..." QUERY...
	want=$1
	shift
	got=$(ids "$@" | tr '\n' ' ' | sed 's/ $//')
	[ "$got" = "$want" ] || { echo "found: '$got'"; return 1; }
}

check "'duong day nong' finds 'đường dây nóng' only" finds "$A1" duong day nong
check "'da lat' finds 'Đà Lạt' only" finds "$A3" da lat
check "'da nang' ranks 'Đà Nẵng' above 'Đà Lạt ... nắng'" \
    finds "$A1 $A3" da nang
check "case is ignored" finds "$A1" DUONG DAY NONG
check "diacritics in the query are ignored too" finds "$A1" 'đường dây nóng'
check "actions are searched" finds "$A1" cap nhat ban va
check "products are searched" finds "$A1" fortios
check "CVEs are searched" finds "$A1" CVE-2024-21762
check "a prefix" finds "$A2" exchan'*'
check "with a prefix too, words side by side rank first" \
    finds "$A1 $A3" da nan'*'
check "NFD text is found" finds "$A5" quang ngai
check "the title match ranks first" finds "$A4 $A2" ha noi
check "--cve" finds "$A2" --cve CVE-2024-21410
check "--cve with words" finds "" --cve CVE-2024-21410 da nang
check "--severity is a minimum" finds "$A2" --severity high ha noi
check "--since in the future finds nothing" finds "" --since 2999-01-01 ha noi

"$SUB" search --state "$T/sub" khong co gi >"$T/none.out"
check "no hit exits 1" test $? -eq 1
check "and prints nothing" test ! -s "$T/none.out"
"$SUB" search --state "$T/sub" '!!!' 2>"$T/bad.err"
check "a query without words exits 2" test $? -eq 2
check "saying why" grep -q 'nothing to search for' "$T/bad.err"

"$SUB" search --state "$T/sub" da nang >"$T/hit.out"
check "the snippet highlights the matched words" \
    grep -q '\*\*Đà Nẵng\*\*' "$T/hit.out"
check "the hit line fits the table" grep -q "^    1 critical .* $A1 " \
    "$T/hit.out"

"$SUB" list --state "$T/sub" >"$T/list.out"
"$SUB" search --state "$T/sub" --utc ha noi >>"$T/list.out"
check "tables fit 80 columns" "$PY" -c '
import sys, unicodedata
def width(s):  # combining marks take no column, wide characters two
    return sum(0 if unicodedata.combining(c) else
               2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
for l in open(sys.argv[1], encoding="utf-8"):
    assert width(l.rstrip("\n")) <= 80, (width(l), l)
' "$T/list.out"

# list_ids OPTIONS...: the ids list prints.
list_ids() {
	"$SUB" list --state "$T/sub" --json "$@" |
	    "$PY" -c 'import json,sys; print(" ".join(r["id"] for r in json.load(sys.stdin)))'
}
check "list --severity high" test "$(list_ids --severity high)" = "$A2 $A1"
check "list --origin national" test "$(list_ids --origin national)" = "$A2"
check "list --since 1d" test "$(list_ids --since 1d | wc -w)" -eq 5
check "list --since a date" test "$(list_ids --since 2000-01-01 | wc -w)" -eq 5
"$SUB" show --state "$T/sub" "$A3" >/dev/null
check "list --unread leaves out what show showed" \
    test "$(list_ids --unread)" = "$A5 $A4 $A2 $A1"
"$SUB" list --state "$T/sub" --since tomorrow 2>"$T/since.err"
check "a bad --since exits 2" test $? -eq 2

# Equal scores: the newest first.
A6=$(pub_file '{"severity": "info", "title": "Sao lưu dữ liệu định kỳ"}')
A7=$(pub_file '{"severity": "info", "title": "Sao lưu dữ liệu định kỳ"}')
wait_until 10 archived 7
check "the newest first among equals" finds "$A7 $A6" sao luu

# The same with the daemon stopped.
stop "$SUB_PID"
check "search works with the daemon stopped" finds "$A1" duong day nong

# Messages in Vietnamese when the locale says so, English otherwise.
LANGUAGE=vi LC_ALL=C.UTF-8 "$SUB" show --state "$T/sub" nope 2>"$T/vi.err"
check "Vietnamese error message" grep -q 'không có cảnh báo' "$T/vi.err"
LANGUAGE=vi LC_ALL=C.UTF-8 "$SUB" list --state "$T/sub" >"$T/vi.out"
check "Vietnamese table heading" grep -q 'TIÊU ĐỀ' "$T/vi.out"
LANGUAGE= LC_ALL=C.UTF-8 "$SUB" show --state "$T/sub" nope 2>"$T/en.err"
check "English otherwise" grep -q "no advisory 'nope' in the archive" \
    "$T/en.err"
finish
