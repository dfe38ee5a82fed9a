#!/bin/sh
# Receipts from three agencies; an acknowledgement made while its
# agency's daemon was down arrives after it restarts, once; overdue
# lists exactly the agencies that have not acknowledged; presence and
# silent agencies; forged receipts are rejected.
. "$(dirname "$0")/lib.sh"

"$PUB" keygen --state "$T/pub" >/dev/null
for a in an-giang bac-ninh ca-mau; do
	"$SUB" keygen --state "$T/$a" >/dev/null
	"$PUB" agency add --state "$T/pub" "$a" "$T/$a/agency.pub" >/dev/null
done
BC="ipc://$T/broadcast.sock" REQS="ipc://$T/requests.sock"
"$PUB" run --state "$T/pub" --broadcast "$BC" --requests "$REQS" \
    --heartbeat 1 >>"$T/pub.log" 2>&1 &
track $!
wait_until 10 test -S "$T/pub/control.sock" || fail "publisher start"

run_sub() {
	"$SUB" run --state "$T/$1" --broadcast "$BC" --requests "$REQS" \
	    --publisher-key "$T/pub/publisher.pub" --presence 1 --verbose \
	    >>"$T/$1.out" 2>>"$T/$1.log" &
	track $!
	eval "PID_$(echo "$1" | tr - _)=\$!"
	wait_until 10 grep -q ready "$T/$1.log"
}
for a in an-giang bac-ninh ca-mau; do run_sub "$a"; done
for a in an-giang bac-ninh ca-mau; do
	wait_heartbeat "$T/$a.log" 0 || fail "$a saw no heartbeat"
done

ID=$("$PUB" publish --state "$T/pub" --severity critical \
    --title 'Khẩn: vá lỗ hổng VPN ngay' | tail -n 1)
receipts() { "$PUB" receipts --state "$T/pub" --json "$ID"; }
all_received() {
	receipts | "$PY" -c 'import json,sys; r=json.load(sys.stdin); sys.exit(0 if all(x["received"] for x in r) and len(r)==3 else 1)'
}
wait_until 20 all_received
check "receipts from all three agencies" all_received

"$SUB" ack --state "$T/an-giang" "$ID" --by 'Nguyễn Văn A' --note 'đã vá' >/dev/null
stop "$PID_bac_ninh"
"$SUB" ack --state "$T/bac-ninh" "$ID" --by 'Trần Thị B' >/dev/null ||
    fail "ack with the daemon down"
acked() {
	receipts | "$PY" -c '
import json, sys
r = {x["agency"]: x for x in json.load(sys.stdin)}
sys.exit(0 if all(r[a]["acknowledged"] for a in sys.argv[1:]) else 1)' "$@"
}
wait_until 20 acked an-giang
check "an acknowledgement arrives, with who" sh -c '"$0" receipts --state "$1" --json "$2" | grep -q "Nguyễn Văn A"' "$PUB" "$T/pub" "$ID"
check_fails "the one made while the daemon is down has not" acked bac-ninh
run_sub bac-ninh
wait_until 20 acked bac-ninh
check "it arrives after the restart" acked bac-ninh
# Exactly once: after a restart, wait until a message the agency queued
# after it (a presence) has arrived; its outbox sends in order, so a
# second copy of the acknowledgement would have come before it.
last_inbound() {
	sqlite3 "file:$T/pub/journal.db?mode=ro" \
	    "SELECT coalesce(max(seq), 0) FROM inbound WHERE agency = '$1'"
}
inbound_after() { test "$(last_inbound "$1")" -gt "$2"; }
stop "$PID_bac_ninh"
LAST=$(last_inbound bac-ninh)
run_sub bac-ninh
wait_until 20 inbound_after bac-ninh "$LAST" ||
    fail "no presence from bac-ninh after its restart"
check "exactly once" test "$(sqlite3 "file:$T/pub/journal.db?mode=ro" \
    "SELECT count(*) FROM inbound i WHERE agency = 'bac-ninh' AND type = 4")" -eq 2

check "overdue lists exactly the agency that has not acknowledged" sh -c '
	"$0" overdue --state "$1" --severity critical --json |
	"$2" -c "import json,sys; o=json.load(sys.stdin); assert [a[\"agency\"] for a in o] == [\"ca-mau\"], o"' \
    "$PUB" "$T/pub" "$PY"
"$PUB" overdue --state "$T/pub" --severity critical --older 1h >/dev/null
check "nothing is overdue that is not yet an hour old" test $? -eq 1

stop "$PID_ca_mau"
silent() {
	"$PUB" agency list --state "$T/pub" --silent-after 2s --json |
	    grep -q '"silent":	true'
}
wait_until 15 silent
check "agency list shows the silent agency, only it" sh -c '
	"$0" agency list --state "$1" --silent-after 2s --json |
	"$2" -c "import json,sys; a={x[\"name\"]: x[\"silent\"] for x in json.load(sys.stdin)}; assert a == {\"an-giang\": False, \"bac-ninh\": False, \"ca-mau\": True}, a"' \
    "$PUB" "$T/pub" "$PY"

# Forged: a receipt signed by a key no agency has, and one claiming an
# agency's key id with another key's signature.
"$SUB" keygen --state "$T/forger" >/dev/null
# (It connects as a registered agency, an-giang, trying to forge.)
CB_AGENCY_KEY="$T/an-giang/agency.key" CB_PUBLISHER_PUB="$T/pub/publisher.pub" \
    "$PY" "$TOP/tests/integration/wire_client.py" forge "$REQS" \
    "$T/forger/agency.key" "$T/an-giang/agency.pub" "$ID" \
    >"$T/forge.out" 2>&1 || fail "forging client"
check "an unregistered key is refused (try later)" grep -q 'unregistered: status 2' "$T/forge.out"
check "a signature by the wrong key is refused" grep -q 'impostor: status 1' "$T/forge.out"
check "and logged" grep -q 'bad signature' "$T/pub.log"
check "a garbage request is dropped, counted and logged" \
    grep -q 'requests: dropped request (1 so far): not a canhbao request frame' "$T/pub.log"

# A drill: an exercise advisory, and after a while who received and
# acknowledged it; ca-mau is down, so the drill ends after its --wait,
# with exit 1.
"$PUB" drill --state "$T/pub" --wait 6s --json >"$T/drill.json" 2>"$T/drill.err" &
DRILL=$!
track "$DRILL"
drill_arrived() { "$SUB" list --state "$T/an-giang" --json | grep -q 'Diễn tập'; }
wait_until 10 drill_arrived
DID=$("$SUB" list --state "$T/an-giang" --json | "$PY" -c '
import json, sys
print([r["id"] for r in json.load(sys.stdin) if r["status"] == "exercise"][0])')
"$SUB" ack --state "$T/an-giang" "$DID" --by 'Trực ban' >/dev/null
wait "$DRILL"
check "a drill an agency missed: exit 1" test $? -eq 1
check "the drill reports who received and acknowledged it" "$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert (d["registered"], d["received"], d["acknowledged"]) == (3, 2, 1), d
r = {x["agency"]: x for x in d["agencies"]}
assert r["an-giang"]["acknowledged"] and r["an-giang"]["by"] == "Trực ban", r
assert r["bac-ninh"]["received"] and not r["bac-ninh"]["acknowledged"], r
assert r["ca-mau"]["missing"], r
' "$T/drill.json"

finish
