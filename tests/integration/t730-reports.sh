#!/bin/sh
# Incident reports: one filed while the publisher is down arrives after
# it restarts, once, with its details and a 1 MB attachment intact;
# an attachment over the cap is refused with a clear message; the
# on_report hook runs (no shell) with the report.
. "$(dirname "$0")/lib.sh"

"$PUB" keygen --state "$T/pub" >/dev/null
"$SUB" keygen --state "$T/agency" >/dev/null
"$PUB" agency add --state "$T/pub" so-y-te "$T/agency/agency.pub" >/dev/null
BC="ipc://$T/broadcast.sock" REQS="ipc://$T/requests.sock"
cat >"$T/hook.sh" <<'HOOK'
#!/bin/sh
cat >"$(dirname "$0")/hook.json"
echo "$CANHBAO_AGENCY|$CANHBAO_SEVERITY|$CANHBAO_TITLE" >"$(dirname "$0")/hook.env"
HOOK
chmod +x "$T/hook.sh"
run_pub() {
	"$PUB" run --state "$T/pub" --broadcast "$BC" --requests "$REQS" \
	    --heartbeat 1 --on-report "$T/hook.sh" >>"$T/pub.log" 2>&1 &
	PUB_PID=$!
	track "$PUB_PID"
	wait_until 10 test -S "$T/pub/control.sock" || fail "publisher start"
}
run_pub
"$SUB" run --state "$T/agency" --broadcast "$BC" --requests "$REQS" \
    --publisher-key "$T/pub/publisher.pub" --presence 1 \
    >>"$T/sub.out" 2>>"$T/sub.log" &
track $!
wait_until 10 grep -q ready "$T/sub.log"
stop "$PUB_PID" # the department's machine goes down

printf 'Máy chủ thư điện tử gửi thư rác hàng loạt lúc 02:00.\nĐã cô lập.\n' >"$T/details.txt"
head -c 1048576 /dev/urandom >"$T/capture.pcap"
"$SUB" report --state "$T/agency" --severity high \
    --title 'Phát hiện mã độc trên máy chủ thư' --details "$T/details.txt" \
    --attach "$T/capture.pcap" >"$T/report.out" 2>&1
check "a report is queued while the publisher is down" test $? -eq 0
head -c 5000000 /dev/urandom >"$T/huge.bin"
"$SUB" report --state "$T/agency" --severity low --title 'quá lớn' \
    --attach "$T/huge.bin" 2>"$T/huge.err"
check "an attachment over the cap is refused (exit 2)" test $? -eq 2
check "with a clear message" grep -q 'over the cap' "$T/huge.err"

run_pub
reports() { "$PUB" reports --state "$T/pub" --json; }
arrived() { reports | grep -q 'Phát hiện mã độc'; }
wait_until 30 arrived
check "it arrives after the publisher restarts" arrived
mkdir "$T/saved"
"$PUB" reports --state "$T/pub" --save "$T/saved" >/dev/null
check "the 1 MB attachment is intact" cmp -s "$T/capture.pcap" "$T"/saved/so-y-te-*-capture.pcap
check "with its details" sh -c '"$0" reports --state "$1" --json | grep -q "Đã cô lập"' "$PUB" "$T/pub"
# Exactly once: wait until a presence the agency queued after the report
# has arrived (its outbox sends in order), then count.
last_inbound() {
	sqlite3 "file:$T/pub/journal.db?mode=ro" \
	    "SELECT coalesce(max(seq), 0) FROM inbound WHERE agency = 'so-y-te'"
}
inbound_after() { test "$(last_inbound)" -gt "$1"; }
wait_until 20 inbound_after "$(last_inbound)" ||
    fail "no presence after the report"
check "exactly once" test "$(reports | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)))')" -eq 1
wait_until 10 test -s "$T/hook.env"
check "the on_report hook ran with the report" grep -q 'so-y-te|high|Phát hiện mã độc' "$T/hook.env"
check "and got its JSON on stdin" grep -q '"title":"Phát hiện mã độc' "$T/hook.json"

finish
