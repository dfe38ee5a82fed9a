#!/bin/sh
# Drills with a verdict and reports the department can work through.
# A drill waits for the receipts and acknowledgements of every
# registered agency, returns as soon as all have both, prints
# "N/M received, K/M acknowledged" and exits 1 when an agency did not
# receive within --wait.  reports filters by agency and by when the
# publisher received them; handle-report marks one handled (who, when,
# a note) and reports --unhandled lists what is left.
. "$(dirname "$0")/lib.sh"

start_way_back an-giang bac-ninh ca-mau

run_sub() {
	mark=$(log_mark "$T/$1.log")
	"$SUB" run --state "$T/$1" --broadcast "$BC" --requests "$REQS" \
	    --publisher-key "$T/pub/publisher.pub" --verbose \
	    >>"$T/$1.out" 2>>"$T/$1.log" &
	track $!
	eval "PID_$(echo "$1" | tr - _)=\$!"
	wait_log 10 "$T/$1.log" "$mark" ready || fail "$1 start"
	wait_heartbeat "$T/$1.log" "$mark" || fail "$1 saw no heartbeat"
}
for a in an-giang bac-ninh ca-mau; do run_sub "$a"; done

# start_drill NAME ARGS...: a drill in the background, its output in
# $T/NAME.out and .err, its pid in DRILL and its advisory's id in DID.
start_drill() {
	name=$1
	shift
	"$PUB" drill --state "$T/pub" "$@" >"$T/$name.out" 2>"$T/$name.err" &
	DRILL=$!
	track "$DRILL"
	wait_until 10 grep -q '^drill .* published' "$T/$name.err" ||
	    fail "$name: no drill published"
	DID=$(sed -n 's/^drill \([^ ]*\) published.*/\1/p' "$T/$name.err")
}
# ack_drill AGENCY: once the drill has reached AGENCY, acknowledge it.
ack_drill() {
	wait_until 20 "$SUB" show --state "$T/$1" "$DID" >/dev/null ||
	    fail "the drill did not reach $1"
	"$SUB" ack --state "$T/$1" "$DID" --by "Trực ban $1" >/dev/null
}
running() { kill -0 "$1" 2>/dev/null; }
# drill_rc: wait for the drill and set RC to its exit status.
drill_rc() {
	wait "$DRILL"
	RC=$?
}

# 1. Every agency receives and acknowledges: the drill ends at once,
# long before its --wait of ten minutes, with exit 0.
start_drill all --wait 10m --json
for a in an-giang bac-ninh ca-mau; do ack_drill "$a"; done
wait_until 30 sh -c '! kill -0 "$0" 2>/dev/null' "$DRILL"
check "a drill ends as soon as every agency has received and acknowledged" \
    sh -c '! kill -0 "$0" 2>/dev/null' "$DRILL"
running "$DRILL" && kill "$DRILL"
drill_rc
check "all received: exit 0" test "$RC" -eq 0
check "its JSON verdict: 3/3 received, 3/3 acknowledged" "$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["id"] == sys.argv[2], d
assert (d["registered"], d["received"], d["acknowledged"]) == (3, 3, 3), d
r = {x["agency"]: x for x in d["agencies"]}
assert sorted(r) == ["an-giang", "bac-ninh", "ca-mau"], r
assert r["bac-ninh"]["by"] == "Trực ban bac-ninh", r
' "$T/all.out" "$DID"

# 2. All receive, one does not acknowledge: the drill waits out --wait
# (acknowledging is what people have that long for), then exit 0: the
# exit status is about delivery.
start_drill noack --wait 8s
ack_drill an-giang
ack_drill bac-ninh
drill_rc
check "received by all, not acknowledged by all: exit 0" test "$RC" -eq 0
check "text verdict: 3/3 received, 2/3 acknowledged" \
    grep -qx '3/3 received, 2/3 acknowledged' "$T/noack.out"
check "the table names the agency that has not acknowledged" \
    grep -q '^ca-mau .*not acknowledged' "$T/noack.out"

# 3. One agency's daemon is down: after a short --wait (the wait is what
# is under test), "2/3 received" and exit 1.
stop "$PID_ca_mau"
start_drill down --wait 3s
ack_drill an-giang
drill_rc
check "an agency that did not receive: exit 1" test "$RC" -eq 1
check "text verdict: 2/3 received, 1/3 acknowledged" \
    grep -qx '2/3 received, 1/3 acknowledged' "$T/down.out"
check "the table names the agency that did not receive" \
    grep -q '^ca-mau .*not received' "$T/down.out"
check "--wait takes only durations" sh -c \
    '"$0" drill --state "$1" --wait soon 2>&1 >/dev/null | grep -q "must be a duration"' \
    "$PUB" "$T/pub"
run_sub ca-mau

# --- reports ------------------------------------------------------------

report() {
	"$SUB" report --state "$T/$1" --severity high --title "$2" >/dev/null ||
	    fail "report from $1"
}
report an-giang 'Mã độc trên máy chủ thư'
report an-giang 'Dò quét cổng từ bên ngoài'
report bac-ninh 'Trang web bị thay giao diện'
reports() { "$PUB" reports --state "$T/pub" --json "$@"; }
count() { reports "$@" | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)))'; }
three() { test "$(count)" -eq 3; }
wait_until 30 three || fail "the three reports did not arrive"

check "reports --agency: only that agency's" test "$(count --agency an-giang)" -eq 2
"$PUB" reports --state "$T/pub" --agency nosuch >"$T/out" 2>"$T/err"
check "reports --agency of no agency: exit 1" test $? -eq 1
check "which it names" grep -q "no agency 'nosuch'" "$T/err"

# bac-ninh's report came three hours ago; an-giang's first says it was
# filed then too (a machine whose clock is wrong, or queued offline),
# but it came now: --since counts from when the publisher received.
J="$T/pub/journal.db"
sqlite3 "$J" "UPDATE report SET received = received - 10800,
    filed = filed - 10800 WHERE agency = 'bac-ninh'"
sqlite3 "$J" "UPDATE report SET filed = filed - 10800 WHERE agency = 'an-giang'
    AND title = 'Mã độc trên máy chủ thư'"
check "reports --since 2h: the two received in the last two hours" \
    test "$(count --since 2h)" -eq 2
check "reports --since 4h: all three" test "$(count --since 4h)" -eq 3
check "reports --since takes only durations" sh -c \
    '"$0" reports --state "$1" --since yesterday 2>&1 | grep -q "must be a duration"' \
    "$PUB" "$T/pub"

SEQ=$(reports --agency an-giang | "$PY" -c '
import json, sys
print([r["seq"] for r in json.load(sys.stdin) if r["title"].startswith("Mã độc")][0])')
check "a new report is unhandled" sh -c '"$0" reports --state "$1" --json |
    "$2" -c "import json,sys; assert all(r[\"handled\"] is None for r in json.load(sys.stdin))"' \
    "$PUB" "$T/pub" "$PY"
check "and says so in text" sh -c '"$0" reports --state "$1" | grep -q "UNHANDLED"' \
    "$PUB" "$T/pub"

"$PUB" handle-report --state "$T/pub" an-giang "$SEQ" >"$T/out" 2>"$T/err"
check "handle-report without --by: exit 2" test $? -eq 2
check "naming --by" grep -q -- '--by' "$T/err"
"$PUB" handle-report --state "$T/pub" --by 'Lê Văn C' --note 'đã cô lập máy chủ' \
    an-giang "$SEQ" >"$T/out"
check "handle-report: exit 0" test $? -eq 0
check "handle-report says what it marked" grep -q "an-giang #$SEQ" "$T/out"
check "reports --json shows who, when and the note" sh -c '
	"$0" reports --state "$1" --agency an-giang --json | "$2" -c "
import json, sys
r = {x[\"seq\"]: x for x in json.load(sys.stdin)}
h = r[$3][\"handled\"]
assert h[\"by\"] == \"Lê Văn C\" and h[\"note\"] == \"đã cô lập máy chủ\", h
assert h[\"at\"].endswith(\"Z\"), h
assert [x[\"handled\"] for s, x in r.items() if s != $3] == [None], r
"' "$PUB" "$T/pub" "$PY" "$SEQ"
check "and reports in text" sh -c '"$0" reports --state "$1" --agency an-giang |
    grep -q "handled .* by Lê Văn C: đã cô lập máy chủ"' "$PUB" "$T/pub"
check "reports --unhandled lists the other two" test "$(count --unhandled)" -eq 2
check "without the handled one" sh -c '! "$0" reports --state "$1" --unhandled |
    grep -q "Mã độc"' "$PUB" "$T/pub"
"$PUB" reports --state "$T/pub" --unhandled --agency an-giang --since 2h \
    --json >"$T/out"
check "filters combine" test $? -eq 0
check "to the one left" test "$("$PY" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$T/out")" -eq 1

"$PUB" handle-report --state "$T/pub" --by x nosuch 1 >"$T/out" 2>"$T/err"
check "handle-report of an unknown agency: exit 1" test $? -eq 1
check "naming it" grep -q "no agency 'nosuch'" "$T/err"
"$PUB" handle-report --state "$T/pub" --by x bac-ninh 999 >"$T/out" 2>"$T/err"
check "handle-report of an unknown report: exit 1" test $? -eq 1
check "naming it" grep -q "bac-ninh has no report #999" "$T/err"
"$PUB" handle-report --state "$T/pub" --by x bac-ninh 1x >"$T/out" 2>"$T/err"
check "a report number that is not one: exit 2" test $? -eq 2

for s in $(reports --agency an-giang | "$PY" -c 'import json,sys; print(" ".join(str(r["seq"]) for r in json.load(sys.stdin)))') \
    ; do
	"$PUB" handle-report --state "$T/pub" --by 'Lê Văn C' an-giang "$s" >/dev/null
done
"$PUB" handle-report --state "$T/pub" --by 'Lê Văn C' bac-ninh \
    "$(reports --agency bac-ninh | "$PY" -c 'import json,sys; print(json.load(sys.stdin)[0]["seq"])')" >/dev/null
"$PUB" reports --state "$T/pub" --unhandled >"$T/out"
check "reports --unhandled with none left: exit 1" test $? -eq 1

finish
