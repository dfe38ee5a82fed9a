#!/bin/sh
# A signed Vietnamese advisory travels from publisher to subscriber on
# 127.0.0.1: it arrives byte-exact and verified, an independent ZeroMQ
# client sees and verifies it on the wire, and its export verifies with
# stock minisign (and fails after a one-byte change).
. "$(dirname "$0")/lib.sh"

# The title of a real directive (diacritics, quotes, ampersand, <>).
TITLE='Cảnh báo chiến dịch tấn công mạng dịp Tết Nguyên đán Canh Tý: "khẩn" & <quan trọng> — Sở TT&TT Thanh Hóa'
SUMMARY='Đề nghị các cơ quan, đơn vị rà soát, vá lỗ hổng, gỡ bỏ mã độc; trực 24/7 và báo cáo về Sở khi phát hiện dấu hiệu tấn công ("đường dây nóng").'

start_pub "$T/pub"
mkdir "$T/wire"
"$PY" "$TOP/tests/integration/wire_client.py" listen "$PUB_EP" \
    "$T/pub/publisher.pub" 1 "$T/wire" >"$T/wire.out" 2>"$T/wire.log" &
WIRE_PID=$!
track "$WIRE_PID"
start_sub "$T/sub" "$PUB_EP" "$T/pub/publisher.pub"
wait_until 15 test -f "$T/wire/ready" || fail "wire client never saw a heartbeat"

ID=$("$PUB" publish --state "$T/pub" --severity critical --title "$TITLE" \
    --summary "$SUMMARY" --cve CVE-2020-0601 | tail -n 1)
check "publish prints an id" test -n "$ID"

wait_until 10 grep -q "$ID" "$T/sub.out"
check "subscriber prints a line for the advisory" grep -q "critical $ID r1" "$T/sub.out"

"$SUB" list --state "$T/sub" --json >"$T/list.json"
check "list --json has the title byte-exact" "$PY" -c '
import json, sys
rows = json.load(open(sys.argv[1], encoding="utf-8"))
assert len(rows) == 1, rows
r = rows[0]
assert r["title"] == sys.argv[2], r["title"]
assert r["id"] == sys.argv[3] and r["seq"] == 1 and r["revision"] == 1
assert r["severity"] == "critical" and r["status"] == "actual"
' "$T/list.json" "$TITLE" "$ID"

"$SUB" show --state "$T/sub" --json "$ID" >"$T/show.json"
check "show --json has summary and CVE" "$PY" -c '
import json, sys
a = json.load(open(sys.argv[1], encoding="utf-8"))
assert a["summary"] == sys.argv[2] and a["cves"] == ["CVE-2020-0601"], a
' "$T/show.json" "$SUMMARY"
check "show prints the title" sh -c '"$0" show --state "$1" "$2" | grep -qF "$3"' \
    "$SUB" "$T/sub" "$ID" "$TITLE"

wait "$WIRE_PID"
check "independent client verified the message on the wire" "$PY" -c '
import json, sys
m = json.loads(open(sys.argv[1], encoding="utf-8").readline())
assert m["title"] == sys.argv[2] and m["topic"] == "adv.critical", m
' "$T/wire.out" "$TITLE"
check "the wire bytes equal the archived bytes" sh -c '
	"$0" export --state "$1" "$2" -o "$3/exported" >/dev/null &&
	cmp -s "$3/exported" "$3/wire/1.msg"' "$SUB" "$T/sub" "$ID" "$T"

check "stock minisign verifies the export" \
    minisign -Vm "$T/exported" -p "$T/pub/publisher.pub" -q
"$PY" -c '
import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[60] ^= 0x20
open(sys.argv[2], "wb").write(b)
' "$T/exported" "$T/tampered"
cp "$T/exported.minisig" "$T/tampered.minisig"
check_fails "minisign rejects a one-byte change" \
    minisign -Vm "$T/tampered" -p "$T/pub/publisher.pub" -q

check_fails "show of an unknown id fails" "$SUB" show --state "$T/sub" nope
"$SUB" show --state "$T/sub" nope 2>/dev/null
check "show of an unknown id exits 1" test $? -eq 1

# The publisher counts the connections on its broadcast channel: the
# subscriber's (the wire client left after its one message), then none
# when the subscriber ends.
connected() {
	"$PUB" status --state "$T/pub" --json | "$PY" -c '
import json, sys
sys.exit(0 if json.load(sys.stdin)["subscribers_connected"] == int(sys.argv[1])
         else 1)' "$1"
}
wait_until 10 connected 1
check "status counts the subscriber's connection" connected 1
check "status says so in words" sh -c \
    '"$0" status --state "$1" | grep -q "^connected  1 on the broadcast"' \
    "$PUB" "$T/pub"
stop "$SUB_PID"
wait_until 10 connected 0
check "and none after the subscriber stops" connected 0

finish
