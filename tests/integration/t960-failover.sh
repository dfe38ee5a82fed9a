#!/bin/sh
# Failover between sources (canhbao-sub --broadcast EP1,EP2 --requests
# EP1,EP2): (a) source 1 where nothing listens, the subscriber moves to
# the publisher and archives; (b) source 1 a pair of forwarders in front
# of the publisher, killed: the subscriber moves to the publisher within
# failover_after, archives every advisory once, and an acknowledgement
# made while source 1 was dead reaches the publisher once; (c) CurveZMQ
# with a wrong server key for source 2: the subscriber gives it up and
# comes back to source 1 once it is up again.
. "$(dirname "$0")/lib.sh"

FWD="$TOP/tests/integration/tcp_forward.py"
start_way_back fa fb fc
wait_until 10 test -S "$T/requests.sock" || fail "requests channel"

# forward NAME TARGET [PORT]: a forwarder to TARGET; sets FWD_PID, and
# FWD_EP to the endpoint it listens on.
forward() {
	rm -f "$T/$1.ep"
	"$PY" "$FWD" "$T/$1.ep" "$2" ${3:-} 2>>"$T/$1.log" &
	FWD_PID=$!
	track "$FWD_PID"
	wait_until 10 test -s "$T/$1.ep" || { fail "forwarder $1"; finish; }
	FWD_EP=$(cat "$T/$1.ep")
}

# run_sub AGENCY BROADCASTS REQUESTS [OPTIONS...]: sets SUB_PID.
run_sub() {
	a=$1 bc=$2 rq=$3
	shift 3
	"$SUB" run --state "$T/$a" --broadcast "$bc" --requests "$rq" \
	    --publisher-key "$T/pub/publisher.pub" --failover-after 2 \
	    --presence 1 --verbose "$@" >>"$T/$a.out" 2>>"$T/$a.log" &
	SUB_PID=$!
	track "$SUB_PID"
	wait_until 10 grep -q ready "$T/$a.log" || fail "$a did not start"
}

publish() {
	"$PUB" publish --state "$T/pub" --severity high --title "$1" |
	    tail -n 1
}

has() { "$SUB" list --state "$T/$1" --json | grep -q "$2"; }
source_is() {
	"$SUB" status --state "$T/$1" --json | "$PY" -c '
import json, sys
s = json.load(sys.stdin)["source"]
sys.exit(0 if (s["index"], s["count"], s["broadcast"]) ==
	 (int(sys.argv[1]), 2, sys.argv[2]) else 1)' "$2" "$3"
}

# --- (a) nothing listens at source 1 -----------------------------------
ID1=$(publish 'Cảnh báo một: trước khi có nguồn')
NONE="ipc://$T/nobody-bc.sock"
run_sub fa "$NONE,$BC" "ipc://$T/nobody-req.sock,$REQS"
check "(a) switches away from a source where nothing listens" \
    wait_log 10 "$T/fa.log" 0 "switching to source 2 ($BC): no fresh heartbeat for 2 s"
check "(a) and archives from the next" wait_until 15 has fa "$ID1"
check "(a) status names the source in use" source_is fa 2 "$BC"

# --- (b) source 1 dies --------------------------------------------------
forward fb-bc "$BC"
FB_BC_PID=$FWD_PID FB_BC=$FWD_EP
forward fb-req "$REQS"
FB_REQ_PID=$FWD_PID FB_REQ=$FWD_EP
run_sub fb "$FB_BC,$BC" "$FB_REQ,$REQS" --metrics 127.0.0.1:0
FB_PID=$SUB_PID
wait_heartbeat "$T/fb.log" 0 || fail "(b) no heartbeat through source 1"
check "(b) it archives through source 1" wait_until 15 has fb "$ID1"
check "(b) status: source 1" source_is fb 1 "$FB_BC"
check_fails "(b) no switch while source 1 works" grep -q switching "$T/fb.log"
ID2=$(publish 'Cảnh báo hai: qua nguồn một')
wait_until 15 has fb "$ID2" || fail "(b) live through source 1"

MARK=$(log_mark "$T/fb.log")
kill -KILL "$FB_BC_PID" "$FB_REQ_PID"
# Queued while source 1 is dead: it goes through source 2.
"$SUB" ack --state "$T/fb" "$ID2" --by 'Trực ban B' >/dev/null ||
    fail "(b) ack"
ID3=$(publish 'Cảnh báo ba: nguồn một đã chết')
ID4=$(publish 'Cảnh báo bốn: nguồn một đã chết')
check "(b) switches within failover_after" \
    wait_log 10 "$T/fb.log" "$MARK" "switching to source 2 ($BC): no fresh heartbeat for 2 s"
check "(b) archives what came while source 1 was dead" \
    wait_until 15 has fb "$ID4"
check "(b) every advisory once, in sequence" \
    archive_is_complete "$T/fb" "$(journal_last "$T/pub")"
check "(b) status: source 2" source_is fb 2 "$BC"
check "(b) and in text" sh -c '"$0" status --state "$1" |
    grep -qF "source: 2 of 2 (broadcast $2, requests $3)"' "$SUB" "$T/fb" "$BC" "$REQS"
M=$(sed -n 's|.*metrics on http://\([^/]*\)/metrics.*|\1|p' "$T/fb.log" |
    tail -n 1)
check "(b) /metrics counts the switch" sh -c \
    'curl -sf "http://$0/metrics" | grep -qx "canhbao_source_switches_total 1"' "$M"

acked() {
	"$PUB" receipts --state "$T/pub" --json "$ID2" | "$PY" -c '
import json, sys
r = {x["agency"]: x for x in json.load(sys.stdin)}
sys.exit(0 if r["fb"]["acknowledged"] else 1)'
}
# (well before the outbox would send it again on its own, after 15 s)
check "(b) the acknowledgement queued meanwhile reaches the publisher" \
    wait_until 8 acked
# Once: wait for a presence queued after it (the outbox sends in order),
# then count what the publisher holds from fb.
last_inbound() {
	sqlite3 "file:$T/pub/journal.db?mode=ro" \
	    "SELECT coalesce(max(seq), 0) FROM inbound WHERE agency = 'fb'"
}
inbound_after() { test "$(last_inbound)" -gt "$1"; }
LAST=$(last_inbound)
wait_until 20 inbound_after "$LAST" || fail "(b) no presence after the ack"
check "(b) the acknowledgement is held once" test "$(sqlite3 \
    "file:$T/pub/journal.db?mode=ro" "SELECT count(*) FROM inbound WHERE
     agency = 'fb' AND type = 4 AND
     instr(signed, CAST('\"acknowledged\"' AS BLOB)) > 0")" -eq 1
stop "$FB_PID"

# --- (c) CurveZMQ: a wrong server key for source 2 ----------------------
"$SUB" keygen --state "$T/stranger" >/dev/null
forward fc-bc "$BC"
FC_BC_PID=$FWD_PID FC_BC=$FWD_EP
forward fc-req "$REQS"
FC_REQ_PID=$FWD_PID FC_REQ=$FWD_EP
run_sub fc "$FC_BC,$BC" "$FC_REQ,$REQS" \
    --server-key ",$T/stranger/agency.pub"
wait_heartbeat "$T/fc.log" 0 || fail "(c) no heartbeat through source 1"
MARK=$(log_mark "$T/fc.log")
kill -KILL "$FC_BC_PID" "$FC_REQ_PID"
ID5=$(publish 'Cảnh báo năm: khóa sai ở nguồn hai')
check "(c) switches to source 2" \
    wait_log 10 "$T/fc.log" "$MARK" "switching to source 2 ($BC)"
MARK2=$(log_mark "$T/fc.log")
check "(c) gives up source 2, whose key is wrong, and comes back to 1" \
    wait_log 10 "$T/fc.log" "$MARK2" "switching to source 1 ($FC_BC)"
check_fails "(c) nothing came through source 2" has fc "$ID5"
# Source 1 comes back on the same ports.
forward fc-bc "$BC" "${FC_BC##*:}"
forward fc-req "$REQS" "${FC_REQ##*:}"
check "(c) and archives there once it is up again" \
    wait_until 20 has fc "$ID5"
check "(c) every advisory once" \
    archive_is_complete "$T/fc" "$(journal_last "$T/pub")"

finish
