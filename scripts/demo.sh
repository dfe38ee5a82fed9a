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

step "1. The provincial ICT department makes its signing key"
"$BIN/canhbao-pub" keygen --state "$D/pub"
cat "$D/pub/publisher.pub"

step "2. It starts the publisher on 127.0.0.1"
"$BIN/canhbao-pub" run --state "$D/pub" --broadcast 'tcp://127.0.0.1:*' \
    --insecure 2>"$D/pub.log" &
PIDS="$PIDS $!"
wait_for 10 test -s "$D/pub/broadcast.endpoint"
EP=$(cat "$D/pub/broadcast.endpoint")
echo "broadcasting on $EP"

step "3. An agency starts its subscriber, pinned to the department's key"
"$BIN/canhbao-sub" run --state "$D/sub" --broadcast "$EP" \
    --publisher-key "$D/pub/publisher.pub" --insecure \
    >"$D/sub.out" 2>"$D/sub.log" &
PIDS="$PIDS $!"
wait_for 10 grep -q ready "$D/sub.log"
sleep 0.5

step "4. Staff publish a warning"
ID=$("$BIN/canhbao-pub" publish --state "$D/pub" --severity critical \
    --title 'Cảnh báo chiến dịch tấn công mạng dịp Tết Nguyên đán: "khẩn" & quan trọng' \
    --summary 'Đề nghị các cơ quan, đơn vị rà soát, vá lỗ hổng, gỡ bỏ mã độc và trực 24/7.' \
    --cve CVE-2024-3400 | tail -n 1)
echo "published $ID"

step "5. The subscriber verified and archived it"
wait_for 10 grep -q "$ID" "$D/sub.out"
cat "$D/sub.out"

step "6. canhbao-sub list / show"
"$BIN/canhbao-sub" list --state "$D/sub"
echo
"$BIN/canhbao-sub" show --state "$D/sub" "$ID"

step "7. Anyone can check it with stock minisign"
"$BIN/canhbao-sub" export --state "$D/sub" "$ID" -o "$D/advisory" >/dev/null
minisign -Vm "$D/advisory" -p "$D/pub/publisher.pub"

printf '\nDemo finished; the temporary folder %s is removed.\n' "$D"
