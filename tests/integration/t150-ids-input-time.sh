#!/bin/sh
# Ids, input and time on the command line: severities in any case, CVE
# ids checked and upper-cased, publish --dry-run and --summary -, report
# --details -, durations with units in flags and config, show/ack taking
# a sequence number or a unique id prefix (an ambiguous one lists the
# candidates), list --limit, export -o - refused, signing-key -o -, and
# follow printing each advisory as it is archived.
. "$(dirname "$0")/lib.sh"

# Durations with units in the config and on the command line.
cat >"$T/sub.conf" <<EOF
[subscriber]
state = $T/sub
renotify = 10m
presence = 1m
hook_timeout = 30s
EOF
cat >"$T/pub.conf" <<EOF
[publisher]
state = $T/pub
heartbeat = 1s
silent_after = 2m

[feed "kev"]
url = file:///dev/null
format = kev
interval = 5m
severity = High
EOF
"$PUB" check-config -c "$T/pub.conf" >"$T/out" 2>&1
check "pub.conf: interval = 5m, heartbeat = 1s, severity High" \
    grep -q 'kev.* every 300s' "$T/out"
printf '[subscriber]\nstale_after = 2x\n' >"$T/bad.conf"
"$SUB" check-config -c "$T/bad.conf" 2>"$T/err"
check "a bad duration: exit 2" test $? -eq 2
check "a bad duration: named with its file and line" \
    grep -q "bad.conf:2: 'stale_after' must be a duration" "$T/err"

start_pub "$T/pub"
start_sub "$T/sub" "$PUB_EP" "$T/pub/publisher.pub" -c "$T/sub.conf" \
    --no-desktop --stale-after 2m --presence 1m

last_seq() {
	"$PUB" status --state "$T/pub" --json | sed -n \
	    's/.*"last_seq":[[:space:]]*\([0-9]*\).*/\1/p'
}
SEQ0=$(last_seq)

# Bad input: one message each, exit 2, nothing sent.
"$PUB" publish --state "$T/pub" --severity severe --title x 2>"$T/err"
check "bad severity: exit 2" test $? -eq 2
check "bad severity: the one wording" grep -q \
    "unknown severity 'severe' (use critical, high, medium, low or info)" \
    "$T/err"
"$PUB" publish --state "$T/pub" --severity high --title x \
    --cve cve-2024-1 2>"$T/err"
check "a CVE id with 1 digit: exit 2" test $? -eq 2
check "a CVE id with 1 digit: named" grep -q "'cve-2024-1' is not a CVE id" \
    "$T/err"
"$PUB" publish --state "$T/pub" --severity high --title x \
    --cve CVE-24-12345 2>"$T/err"
check "a CVE id with a 2-digit year: exit 2" test $? -eq 2
"$PUB" overdue --state "$T/pub" --severity severe 2>"$T/err"
check "overdue: the same wording" grep -q "unknown severity 'severe' (use" \
    "$T/err"

# --dry-run prints what would be signed, and sends nothing.
echo 'Tóm tắt từ đầu vào chuẩn' | "$PUB" publish --dry-run \
    --severity HIGH --title 'Thử' --summary - --cve cve-2024-3400 \
    >"$T/dry" 2>"$T/err"
check "dry-run: exit 0" test $? -eq 0
check "dry-run: prints the advisory as JSON" "$PY" -c '
import json, sys
a = json.load(open(sys.argv[1]))
assert a["severity"] == "high", a
assert a["cves"] == ["CVE-2024-3400"], a
assert a["summary"] == "Tóm tắt từ đầu vào chuẩn\n", a
assert a["title"] == "Thử", a' "$T/dry"
check "nothing was journaled by any of the above" test "$(last_seq)" = "$SEQ0"

# follow, started before the advisories, catching up from --since.
"$SUB" follow --state "$T/sub" --since 1d >"$T/follow" 2>"$T/follow.err" &
FOLLOW=$!
track "$FOLLOW"
"$SUB" follow --state "$T/sub" --since 1d --json >"$T/follow.json" &
FOLLOWJ=$!
track "$FOLLOWJ"

# Severity in any case, CVE upper-cased, summary from standard input.
ID=$(printf 'Chi tiết qua đường ống\n' | "$PUB" publish --state "$T/pub" \
    --severity Critical --title 'Cảnh báo khẩn' --summary - \
    --cve cve-2024-3400 | tail -n 1)
check "--severity Critical is accepted" test -n "$ID"
wait_until 10 grep -q "$ID" "$T/sub.out"
"$SUB" show --state "$T/sub" --json "$ID" >"$T/show.json"
check "signed as critical, CVE-2024-3400, with the summary read" "$PY" -c '
import json, sys
a = json.load(open(sys.argv[1]))
assert a["severity"] == "critical", a
assert a["cves"] == ["CVE-2024-3400"], a
assert a["summary"] == "Chi tiết qua đường ống\n", a' "$T/show.json"
SEQ=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["seq"])' \
    "$T/show.json")

check "follow: the first advisory (from --since)" \
    wait_until 10 grep -q "^$SEQ critical $ID r1 Cảnh báo khẩn\$" "$T/follow"
ID2=$("$PUB" publish --state "$T/pub" --severity low --title 'Tin thứ hai' |
    tail -n 1)
check "follow: the next one, live" \
    wait_until 10 grep -q " low $ID2 r1 Tin thứ hai\$" "$T/follow"
check "follow --json: one object per line" wait_until 10 "$PY" -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert [r["id"] for r in rows] == [sys.argv[2], sys.argv[3]], rows' \
    "$T/follow.json" "$ID" "$ID2"
kill -INT "$FOLLOW"
wait "$FOLLOW"
check "follow: SIGINT ends it with 0" test $? -eq 0
kill -TERM "$FOLLOWJ"
wait "$FOLLOWJ"
check "follow: SIGTERM ends it with 0" test $? -eq 0
check "follow: nothing on stderr" test ! -s "$T/follow.err"

# show, ack and export by sequence number or unique prefix.
"$SUB" show --state "$T/sub" "#$SEQ" >"$T/out" 2>&1
check "show #SEQ" grep -q "$ID" "$T/out"
"$SUB" show --state "$T/sub" "$SEQ" >"$T/out" 2>&1
check "show SEQ (bare number)" grep -q "$ID" "$T/out"
PREFIX=$(echo "$ID2" | sed 's/.$//')
"$SUB" show --state "$T/sub" "$PREFIX" >"$T/out" 2>"$T/err"
rc=$?
if [ "$(echo "$ID" | sed 's/.$//')" = "$PREFIX" ]; then
	check "an ambiguous prefix: exit 2" test "$rc" -eq 2
	check "an ambiguous prefix: lists the candidates" sh -c \
	    'grep -q "^  $1\$" "$3" && grep -q "^  $2\$" "$3"' sh "$ID" "$ID2" \
	    "$T/err"
fi
"$SUB" show --state "$T/sub" "$(echo "$ID" | sed 's/..$//')" 2>"$T/err"
check "a prefix of both ids: exit 2, several" test $? -eq 2
check "a prefix of both: says so" grep -q "start of several" "$T/err"
"$SUB" show --state "$T/sub" "$ID2" >"$T/out" 2>&1
check "an exact id still works" grep -q "Tin thứ hai" "$T/out"
"$SUB" ack --state "$T/sub" --by 'Nguyễn Văn An' "#$SEQ" >"$T/out" 2>&1
check "ack #SEQ acknowledges the advisory" grep -q "acknowledged $ID " \
    "$T/out"
"$SUB" show --state "$T/sub" "#999999" 2>"$T/err"
check "an unknown sequence: exit 1" test $? -eq 1

# list --limit; ids whole.
"$SUB" list --state "$T/sub" --limit 1 --json >"$T/out"
check "list --limit 1: one row, the newest" "$PY" -c '
import json, sys
rows = json.load(open(sys.argv[1]))
assert [r["id"] for r in rows] == [sys.argv[2]], rows' "$T/out" "$ID2"
"$SUB" list --state "$T/sub" >"$T/out"
check "list: the ids whole" grep -q " $ID " "$T/out"

# -o -: export writes four files, so refuses; signing-key prints.
(cd "$T" && "$SUB" export --state "$T/sub" -o - "$ID" >"$T/out" 2>"$T/err")
check "export -o -: exit 2" test $? -eq 2
check "export -o -: says why" grep -q "takes a file name, not '-'" "$T/err"
check "export -o -: no file named -" test ! -e "$T/-"
"$PUB" signing-key --state "$T/pub" -o - >"$T/out"
check "signing-key -o -: the key on standard output" \
    grep -q '^untrusted comment' "$T/out"

# report --details - reads standard input.
"$SUB" keygen --state "$T/sub" >/dev/null 2>&1
printf 'Máy chủ bị dò quét\n' | "$SUB" report --state "$T/sub" \
    --severity HIGH --title 'Dò quét' --details - >"$T/out" 2>"$T/err"
check "report --details - --severity HIGH: queued" grep -q queued "$T/out"

finish
