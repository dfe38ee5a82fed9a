#!/bin/sh
# make demo: a signed Vietnamese advisory travels from a publisher to a
# subscriber on 127.0.0.1, is looked up, exported and verified with
# stock minisign.  Everything runs in a temporary folder that is removed
# at the end; both daemons are stopped by their pids.
set -eu
BIN=${CANHBAO_BIN:-$(cd "$(dirname "$0")/.." && pwd)/bin}
D=$(mktemp -d /tmp/canhbao-demo.XXXXXX)
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null || true; done
	for p in $PIDS; do wait "$p" 2>/dev/null || true; done
	rm -rf "$D"
}
trap cleanup EXIT INT TERM

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
wait_for() { # wait_for SECONDS COMMAND...
	n=$(($1 * 10)); shift
	while [ "$n" -gt 0 ]; do "$@" 2>/dev/null && return 0; sleep 0.1; n=$((n - 1)); done
	return 1
}

step "1. The provincial ICT department makes its signing key; an agency its own"
"$BIN/canhbao-pub" keygen --state "$D/pub"
"$BIN/canhbao-sub" keygen --state "$D/sub"
"$BIN/canhbao-pub" agency add --state "$D/pub" so-y-te "$D/sub/agency.pub"

step "2. It starts the publisher on 127.0.0.1 (CurveZMQ: only registered agencies listen)"
"$BIN/canhbao-pub" run --state "$D/pub" --broadcast 'tcp://127.0.0.1:*' \
    --requests 'tcp://127.0.0.1:*' --heartbeat 1 2>"$D/pub.log" &
PIDS="$PIDS $!"
wait_for 10 test -s "$D/pub/requests.endpoint"
EP=$(cat "$D/pub/broadcast.endpoint")
REQ=$(cat "$D/pub/requests.endpoint")
echo "broadcasting on $EP, requests on $REQ"

step "3. The agency starts its subscriber, pinned to the department's key"
"$BIN/canhbao-sub" run --state "$D/sub" --broadcast "$EP" --requests "$REQ" \
    --publisher-key "$D/pub/publisher.pub" >"$D/sub.out" 2>"$D/sub.log" &
PIDS="$PIDS $!"
wait_for 10 grep -q ready "$D/sub.log"
# A first heartbeat shows the subscription is in place; it also brings
# the certificate of the publisher's key that exports carry.
certified() {
	test "$(sqlite3 "file:$D/sub/archive.db?mode=ro" \
	    'SELECT count(*) FROM key_certificate')" -gt 0
}
wait_for 15 certified

step "4. Staff publish a warning"
ID=$("$BIN/canhbao-pub" publish --state "$D/pub" --severity critical \
    --title 'Cảnh báo chiến dịch tấn công mạng dịp Tết Nguyên đán: "khẩn" & quan trọng' \
    --summary 'Đề nghị các cơ quan, đơn vị rà soát, vá lỗ hổng, gỡ bỏ mã độc và trực 24/7.' \
    --cve CVE-2024-3400 | tail -n 1)
echo "published $ID"

step "5. The subscriber verified, archived and notified it (a desktop pop-up too, when there is a desktop)"
wait_for 10 grep -q "$ID" "$D/sub.out"
cat "$D/sub.out"

step "6. Staff find it again without typing diacritics: canhbao-sub search \"tan cong\""
"$BIN/canhbao-sub" search --state "$D/sub" "tan cong"

step "7. They acknowledge it; the department sees who received and acknowledged"
"$BIN/canhbao-sub" ack --state "$D/sub" "$ID" --by "Nguyễn Văn An" >/dev/null
acked() { "$BIN/canhbao-pub" receipts --state "$D/pub" --json "$ID" | grep -q Nguy; }
wait_for 20 acked || true
"$BIN/canhbao-pub" receipts --state "$D/pub" "$ID"

step "8. Anyone can check the warning with stock minisign"
"$BIN/canhbao-sub" export --state "$D/sub" "$ID" -o "$D/advisory" >/dev/null
echo "the key that signed it, certified by the department's publisher.pub:"
minisign -Vm "$D/advisory.pub" -p "$D/pub/publisher.pub"
echo "the warning, signed by that key:"
minisign -Vm "$D/advisory" -p "$D/advisory.pub"

printf '\nDemo finished; the temporary folder %s is removed.\n' "$D"
