#!/bin/sh
# Bad input to publish: each a clear error and a non-zero exit, and
# nothing journaled or sent.
. "$(dirname "$0")/lib.sh"

"$PUB" keygen --state "$T/pub" >/dev/null
"$PUB" publish --state "$T/pub" --severity high --title x 2>"$T/err"
check "no daemon: exit 2" test $? -eq 2
check "no daemon: says it is not running" grep -q 'not running' "$T/err"

start_pub "$T/pub"
start_sub "$T/sub" "$PUB_EP" "$T/pub/publisher.pub"

# expect_error DESCRIPTION PATTERN ARGS...
expect_error() {
	desc=$1 pattern=$2
	shift 2
	"$PUB" publish --state "$T/pub" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	check "$desc: exit 2" test "$rc" -eq 2
	check "$desc: message" grep -q "$pattern" "$T/err"
	check "$desc: no id printed" test ! -s "$T/out"
}

printf '{"severity": "high", "title": "x"' >"$T/truncated.json"
expect_error "malformed --file" "truncated.json: malformed JSON" \
    --file "$T/truncated.json"
printf '{"severity": "high", "titel": "x"}' >"$T/typo.json"
expect_error "unknown key in --file" "unknown key 'titel'" --file "$T/typo.json"
printf '[1, 2]' >"$T/array.json"
expect_error "--file not an object" "not a JSON object" --file "$T/array.json"
expect_error "unknown severity" "unknown severity 'severe' (use critical" --severity severe \
    --title x
expect_error "empty title" "title is empty" --severity high --title ''
expect_error "blank title" "title is empty" --severity high --title '   '
expect_error "missing severity" "publish: missing --severity LEVEL" --title x
expect_error "missing --file" "cannot open" --file "$T/nope.json"
printf '{"severity": "high", "title": "\377\376"}' >"$T/latin.json"
expect_error "invalid UTF-8" "UTF-8" --file "$T/latin.json"

check "nothing was journaled" sh -c \
    '"$0" status --state "$1" --json | grep -q "\"last_seq\":[[:space:]]*0"' \
    "$PUB" "$T/pub"
check "nothing was archived" test "$(count_archived "$T/sub")" = 0
check "publisher still running" kill -0 "$PUB_PID"

# A good one after all that still goes through, from a file.
cat >"$T/good.json" <<'JSON'
{"severity": "medium", "title": "Bản tin tuần: cập nhật bản vá",
 "actions": ["Cập nhật Windows", "Khởi động lại máy chủ"], "tlp": "GREEN"}
JSON
ID=$("$PUB" publish --state "$T/pub" --file "$T/good.json" | tail -n 1)
check "publish --file works" test -n "$ID"
wait_until 10 grep -q "$ID" "$T/sub.out"
check "it arrives" grep -q "medium $ID r1 Bản tin tuần" "$T/sub.out"
# And an update of it gets revision 2.
printf '{"id": "%s", "severity": "high", "title": "Bản tin tuần (sửa)"}' \
    "$ID" >"$T/update.json"
"$PUB" publish --state "$T/pub" --file "$T/update.json" >/dev/null
wait_until 10 grep -q "$ID r2" "$T/sub.out"
check "an update arrives as revision 2" grep -q "high $ID r2" "$T/sub.out"
printf '{"id": "local:none", "kind": "cancel", "severity": "high", "title": "x"}' \
    >"$T/cancel.json"
expect_error "cancelling an unknown id" "no advisory 'local:none'" \
    --file "$T/cancel.json"

finish
