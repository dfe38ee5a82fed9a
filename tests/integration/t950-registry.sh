#!/bin/sh
# The registry (canhbao.7 "Registry"): a relay is registered apart from
# the agencies; the publisher sends the signed registry (type 7, topic
# "reg") the moment someone subscribes to it and a new generation the
# moment a member is removed; stock minisign verifies it with
# publisher.pub; a subscriber never receives it; relays count nowhere an
# agency does; over CurveZMQ a relay's connection passes on an agency's
# messages as that agency's, unlimited by the per-sender rate, and a
# relay's presence says how far behind it is.
. "$(dirname "$0")/lib.sh"

RC="$TOP/tests/integration/registry_client.py"
WC="$TOP/tests/integration/wire_client.py"

"$PUB" keygen --state "$T/pub" >/dev/null
for a in an-giang bac-ninh relay-hn relay-2; do
	"$SUB" keygen --state "$T/$a" >/dev/null # a relay's key: the same kind
done
for a in an-giang bac-ninh; do
	"$PUB" agency add --state "$T/pub" "$a" "$T/$a/agency.pub" >/dev/null
done
check "agency add --relay registers a relay" sh -c \
    '"$0" agency add --state "$1" --relay relay-hn "$2" | grep -q "^relay relay-hn added"' \
    "$PUB" "$T/pub" "$T/relay-hn/agency.pub"
check_fails "one name space for agencies and relays" "$PUB" agency add \
    --state "$T/pub" --relay an-giang "$T/relay-2/agency.pub"
check_fails "one rule for names (cb_registry_name_ok)" "$PUB" agency add \
    --state "$T/pub" --relay 'relay 2' "$T/relay-2/agency.pub"

# --- in plaintext: the registry on subscribing, and on a removal -------
start_pub "$T/pub" --requests 'tcp://127.0.0.1:*'
REQ_EP=$(cat "$T/pub/requests.endpoint")
mkdir "$T/reg"
"$PY" "$RC" listen "$PUB_EP" "$T/pub/publisher.pub" 2 "$T/reg" \
    >"$T/reg.out" 2>"$T/reg.log" &
LISTENER=$!
track "$LISTENER"
lines() { test "$(wc -l <"$1")" -ge "$2"; }
check "the registry arrives at once on subscribing to reg" \
    wait_until 10 lines "$T/reg.out" 1

key_of() { sed -n 2p "$T/$1/agency.pub"; }
check "generation 4 (1 + three adds), members by name with their kinds and keys" \
    "$PY" -c '
import json, sys
r = json.loads(open(sys.argv[1]).readline())
want = [{"name": "an-giang", "kind": "agency", "key": sys.argv[2]},
        {"name": "bac-ninh", "kind": "agency", "key": sys.argv[3]},
        {"name": "relay-hn", "kind": "relay", "key": sys.argv[4]}]
assert r["generation"] == 4 and r["members"] == want, r
assert r["comment"].startswith("canhbao registry generation:4 key:"), r
' "$T/reg.out" "$(key_of an-giang)" "$(key_of bac-ninh)" "$(key_of relay-hn)"
check "stock minisign verifies it with publisher.pub" \
    minisign -Vqm "$T/reg/4" -x "$T/reg/4.minisig" -p "$T/pub/publisher.pub"

start_sub "$T/an-giang" "$PUB_EP" "$T/pub/publisher.pub" \
    --requests "$REQ_EP" --presence 1
check "agency remove says what it removed" sh -c \
    '"$0" agency remove --state "$1" bac-ninh | grep -q "agency bac-ninh removed"' \
    "$PUB" "$T/pub"
check "a removal sends the next generation at once" \
    wait_until 10 lines "$T/reg.out" 2
check "generation 5 without the removed agency" "$PY" -c '
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])][1]
assert r["generation"] == 5, r
assert [m["name"] for m in r["members"]] == ["an-giang", "relay-hn"], r
' "$T/reg.out"
wait "$LISTENER"
check "the listener verified both" test $? -eq 0

ID=$("$PUB" publish --state "$T/pub" --severity critical \
    --title 'Cảnh báo: chỉ đơn vị được đếm' | tail -n 1)
check "the subscriber archives as before" \
    wait_until 15 sh -c 'test "$(sqlite3 "file:$0/archive.db?mode=ro" "SELECT count(*) FROM message")" -ge 1' "$T/an-giang"
received() {
	"$PUB" receipts --state "$T/pub" --json "$ID" | "$PY" -c '
import json, sys
r = json.load(sys.stdin)
sys.exit(0 if len(r) == 1 and r[0]["received"] else 1)'
}
check "receipts count the one agency, not the relay" wait_until 15 received
# Everything sent before this heartbeat (the registry of the removal,
# the advisory) has reached the subscriber.
wait_heartbeat "$T/an-giang.log"
check_fails "the subscriber never received the registry" \
    grep -Eiq 'registry|type 7|refus|unknown key' "$T/an-giang.log"
check "overdue lists the agency, not the relay" sh -c '
	"$0" overdue --state "$1" --json |
	"$2" -c "import json,sys; o=json.load(sys.stdin); assert [a[\"agency\"] for a in o] == [\"an-giang\"], o"' \
    "$PUB" "$T/pub" "$PY"
check "advisories: 1/1 received" sh -c '
	"$0" advisories --state "$1" --json |
	"$2" -c "import json,sys; a=json.load(sys.stdin)[0]; assert (a[\"registered\"], a[\"received\"]) == (1, 1), a"' \
    "$PUB" "$T/pub" "$PY"
check "agency list shows the relay apart" sh -c '
	"$0" agency list --state "$1" --utc | sed -n "/^Relays/,\$p" | grep -q "^relay-hn .*never, no presence yet"' \
    "$PUB" "$T/pub"
check "agency list --json: a kind each" sh -c '
	"$0" agency list --state "$1" --json |
	"$2" -c "import json,sys; l=json.load(sys.stdin); assert [(a[\"name\"], a[\"kind\"]) for a in l] == [(\"an-giang\", \"agency\"), (\"relay-hn\", \"relay\")], l"' \
    "$PUB" "$T/pub" "$PY"
stop "$SUB_PID"
stop "$PUB_PID"

# --- over CurveZMQ: what comes through a relay's connection ------------
BC="ipc://$T/broadcast.sock" REQS="ipc://$T/requests.sock"
"$PUB" run --state "$T/pub" --broadcast "$BC" --requests "$REQS" \
    --heartbeat 1 >>"$T/pub.log" 2>&1 &
track $!
wait_until 10 test -S "$T/pub/control.sock" || fail "publisher start"
export CB_PUBLISHER_PUB="$T/pub/publisher.pub"
AT=$(date -u +%Y-%m-%dT%H:%M:%SZ)
printf '{"id":"%s","revision":1,"event":"acknowledged","at":"%s","by":"Lê Văn C"}' \
    "$ID" "$AT" >"$T/ack.json"
printf '{"at":"%s","last_seq":0}' "$AT" >"$T/presence.json"
via_relay() { CB_AGENCY_KEY="$T/relay-hn/agency.key" "$PY" "$@"; }
OUT=$(via_relay "$WC" submit "$REQS" "$T/an-giang/agency.key" 4 1000 \
    "$T/ack.json")
check "an agency's acknowledgement on the relay's connection is kept" \
    test "$OUT" = "status 0"
check "as that agency's" sh -c '
	"$0" receipts --state "$1" --json "$2" |
	"$3" -c "import json,sys; r=json.load(sys.stdin); assert [(x[\"agency\"], x[\"by\"]) for x in r] == [(\"an-giang\", \"Lê Văn C\")], r"' \
    "$PUB" "$T/pub" "$ID" "$PY"
OUT=$(via_relay "$WC" submit "$REQS" "$T/relay-hn/agency.key" 5 1 \
    "$T/presence.json")
check "the relay's own presence is kept" test "$OUT" = "status 0"
check "agency list: the relay's last contact and how far behind it is" sh -c '
	"$0" agency list --state "$1" --json |
	"$2" -c "import json,sys; r=[a for a in json.load(sys.stdin) if a[\"kind\"] == \"relay\"][0]; assert r[\"last_contact\"] and (r[\"last_seq\"], r[\"behind\"]) == (0, 1), r"' \
    "$PUB" "$T/pub" "$PY"
OUT=$(via_relay "$WC" submit "$REQS" "$T/relay-hn/agency.key" 4 2 \
    "$T/ack.json")
check "a receipt signed by a relay is refused" \
    sh -c 'case $0 in "status 1 "*) exit 0;; esac; exit 1' "$OUT"
OUT=$(via_relay "$RC" flood "$REQS" "$T/an-giang/agency.key" 2000 400)
check "a relay's connection is not held to the per-sender rate ($OUT/400)" \
    test "$OUT" = 400
mkdir "$T/reg2"
check "the registry reaches the relay over CurveZMQ" via_relay "$RC" \
    listen "$BC" "$T/pub/publisher.pub" 1 "$T/reg2"
finish
