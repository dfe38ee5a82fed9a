#!/bin/sh
# canhbao-relay over CurveZMQ: the publisher's signed registry reaches
# the relay live; the relay admits exactly the registered agencies
# (ZAP), refuses an unregistered one, and refuses an agency as soon as
# "canhbao-pub agency remove" takes it out; an agency's receipt handed
# to the relay reaches the publisher once, as that agency's; a second
# relay behind the first (--upstream-key) is admitted as a relay and
# gets the registry from it.
. "$(dirname "$0")/lib.sh"

WC="$TOP/tests/integration/wire_client.py"

"$RELAY" keygen --state "$T/ra" >/dev/null
"$RELAY" keygen --state "$T/rb" >/dev/null
check "keygen writes relay.key (0600) and relay.pub" \
    test "$(stat -c %a "$T/ra/relay.key")" = 600 -a -s "$T/ra/relay.pub"
check_fails "keygen does not overwrite them" \
    "$RELAY" keygen --state "$T/ra" 2>/dev/null
"$SUB" keygen --state "$T/stranger" >/dev/null

start_way_back an-giang bac-ninh
for r in ra rb; do
	"$PUB" agency add --state "$T/pub" --relay "relay-$r" \
	    "$T/$r/relay.pub" >/dev/null
done
start_relay "$T/ra" "$BC" "$REQS" "$T/pub/publisher.pub"
RA_BC=$RELAY_BC RA_RQ=$RELAY_RQ
check "the publisher admits the relay" \
    wait_log 10 "$T/pub.log" 0 'relay relay-ra connected'
check "the registry reaches the relay: generation 5, 4 members" \
    wait_log 10 "$T/ra.log" 0 'registry generation 5: 4 members'
start_relay "$T/rb" "$RA_BC" "$RA_RQ" "$T/pub/publisher.pub" \
    --upstream-key "$T/ra/relay.pub"
check "a relay behind it is admitted as a relay" \
    wait_log 10 "$T/ra.log" 0 'relay relay-rb connected'
check "and gets the registry from it" \
    wait_log 10 "$T/rb.log" 0 'registry generation 5: 4 members'
RELAY_RQ=$RA_RQ

ID=$("$PUB" publish --state "$T/pub" --severity high \
    --title 'Qua trạm chuyển tiếp' | tail -n 1)
AT=$(date -u +%Y-%m-%dT%H:%M:%SZ)
printf '{"id":"%s","revision":1,"event":"acknowledged","at":"%s","by":"Lê Văn C"}' \
    "$ID" "$AT" >"$T/ack.json"

# submit AGENCY SEQ: a receipt signed by AGENCY, on a CurveZMQ
# connection to the relay made with AGENCY's key.
submit() {
	CB_PUBLISHER_PUB="$T/ra/relay.pub" CB_AGENCY_KEY="$T/$1/agency.key" \
	    "$PY" "$WC" submit "$RELAY_RQ" "$T/$1/agency.key" 4 "$2" \
	    "$T/ack.json" 2>/dev/null
}
# refused AGENCY: the relay refuses AGENCY's connection (logged by its
# ZAP handler); the client, which would wait for a CONFIRM, is stopped.
refused() {
	mark=$(log_mark "$T/ra.log")
	CB_PUBLISHER_PUB="$T/ra/relay.pub" CB_AGENCY_KEY="$T/$1/agency.key" \
	    "$PY" "$WC" submit "$RELAY_RQ" "$T/$1/agency.key" 4 9 \
	    "$T/ack.json" >"$T/$1.submit" 2>/dev/null &
	client=$! # the client itself, so that kill ends it
	wait_log 10 "$T/ra.log" "$mark" \
	    'refused a connection from .*not a registered agency'
	rc=$?
	kill "$client" 2>/dev/null
	wait "$client" 2>/dev/null
	return $rc
}

check "a registered agency is admitted and its receipt kept" \
    test "$(submit an-giang 1)" = "status 0"
received_once() {
	"$PUB" receipts --state "$T/pub" --json "$ID" | "$PY" -c '
import json, sys
r = [x for x in json.load(sys.stdin) if x["agency"] == "an-giang"]
sys.exit(0 if len(r) == 1 and r[0]["by"] == "Lê Văn C" else 1)'
}
check "the receipt reached the publisher once, as an-giang's" \
    wait_until 15 received_once
check "an unregistered agency is refused" refused stranger
check_fails "and got no CONFIRM" grep -q status "$T/stranger.submit"

"$PUB" agency remove --state "$T/pub" an-giang >/dev/null
check "the removal reaches the relay live: generation 6, 3 members" \
    wait_log 10 "$T/ra.log" 0 'registry generation 6: 3 members'
check "the removed agency is refused by the relay" refused an-giang
check "the other agency is still admitted" \
    test "$(submit bac-ninh 1)" = "status 0"
check "the relay behind passed the removal on" \
    wait_log 10 "$T/rb.log" 0 'registry generation 6: 3 members'

finish
