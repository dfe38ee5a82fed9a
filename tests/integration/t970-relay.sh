#!/bin/sh
# canhbao-relay: publisher -> relay A -> relay B, subscribers behind
# each.  In plaintext: advisories arrive through one and two relays; an
# advisory that crossed two relays verifies with stock minisign against
# publisher.pub; a subscriber that starts after the publisher stopped
# catches up entirely from a relay's journal; a relay killed (SIGKILL)
# in the middle of a burst resumes its journal and its subscriber
# converges with no loss and no duplicates; a relay with two upstreams
# switches to the second when the first dies, and misses nothing.
. "$(dirname "$0")/lib.sh"

IDKEY="$T/pub/publisher.pub"
make_feed "$T/feed.json" 200
BCAST="ipc://$T/pub.bc" REQS="ipc://$T/pub.rq" pub_conf "$T/pub" \
    "$T/feed.json" >"$T/pub.conf"
start_pub_conf "$T/pub" "$T/pub.conf"

start_relay "$T/ra" "$PUB_EP" "$REQ_EP" "$IDKEY" --insecure
RA_PID=$RELAY_PID RA_BC=$RELAY_BC RA_RQ=$RELAY_RQ
start_relay "$T/rb" "$RA_BC" "$RA_RQ" "$IDKEY" --insecure
RB_BC=$RELAY_BC RB_RQ=$RELAY_RQ

# An empty relay fills itself from upstream first.
wait_until 30 relay_has "$T/ra" 200
check "relay A journaled all 200 from the publisher" \
    test "$(relay_last "$T/ra")" -eq 200
wait_until 30 relay_has "$T/rb" 200
check "relay B journaled all 200 from relay A" \
    test "$(relay_last "$T/rb")" -eq 200

start_sub "$T/s1" "$RA_BC" "$IDKEY" --requests "$RA_RQ" --no-desktop \
    --no-journal
S1_PID=$SUB_PID
start_sub "$T/s2" "$RB_BC" "$IDKEY" --requests "$RB_RQ" --no-desktop \
    --no-journal
wait_until 30 archive_is_complete "$T/s1" 200
check "the subscriber behind relay A caught up on all 200" \
    archive_is_complete "$T/s1" 200
wait_until 30 archive_is_complete "$T/s2" 200
check "the subscriber behind relay B caught up on all 200" \
    archive_is_complete "$T/s2" 200

# A live advisory crosses both relays, as broadcast.
ID=$("$PUB" publish --state "$T/pub" --severity critical \
    --title "Qua hai trạm chuyển tiếp" | tail -n 1)
wait_until 15 grep -q 'Qua hai trạm chuyển tiếp' "$T/s2.out"
check "a live advisory reached the subscriber behind two relays" \
    grep -q 'Qua hai trạm chuyển tiếp' "$T/s2.out"
check "it came live, not by catch-up" grep -q \
    "archived seq 201: $ID revision 1 (critical)" "$T/s2.log"
"$SUB" export --state "$T/s2" -o "$T/adv" "$ID" >/dev/null 2>"$T/export.err"
check "export of the advisory that crossed two relays" test -s "$T/adv"
check "stock minisign verifies it against publisher.pub" \
    minisign -q -Vm "$T/adv" -p "$IDKEY"

# The publisher stops: a new subscriber gets everything from relay B.
stop "$PUB_PID"
HB_WAIT=no start_sub "$T/s3" "$RB_BC" "$IDKEY" --requests "$RB_RQ" \
    --no-desktop --no-journal
wait_until 30 archive_is_complete "$T/s3" 201
check "a subscriber started after the publisher stopped caught up on all
    201 from relay B's journal" archive_is_complete "$T/s3" 201

# A burst of 1,500; relay A is killed as soon as its journal moves (in
# the middle of the burst, as a rule: the line below says where) and
# started again.
make_feed "$T/feed.json" 1500 BURST
start_pub_conf "$T/pub" "$T/pub.conf"
n=0
while [ "$(relay_last "$T/ra")" -le 201 ] && [ "$n" -lt 20000 ]; do
	n=$((n + 1))
done
kill -9 "$RA_PID"
wait "$RA_PID" 2>/dev/null
killed_at=$(relay_last "$T/ra")
echo "# relay A killed at seq $killed_at of 1701"
start_relay "$T/ra" "$PUB_EP" "$REQ_EP" "$IDKEY" --insecure
RELAY_A2=$RELAY_PID
check "relay A resumed its journal after seq $killed_at" \
    grep -q "catching up after seq $killed_at: starting" "$T/ra.log"
wait_until 60 relay_has "$T/ra" 1701
check "relay A's journal is complete again: 1..1701, once each" test \
    "$(sqlite3 -readonly "file:$T/ra/relay.db?mode=ro" 'SELECT count(*) ||
    "/" || count(DISTINCT seq) || "/" || min(seq) || "/" || max(seq) FROM
    message')" = "1701/1701/1/1701"
wait_until 60 archive_is_complete "$T/s1" 1701
check "its subscriber converged: 1..1701, each once" \
    archive_is_complete "$T/s1" 1701
wait_until 60 archive_is_complete "$T/s2" 1701
check "and so did the one behind relay B" archive_is_complete "$T/s2" 1701
check "the relays dropped nothing" test -z \
    "$(grep -h 'dropped message' "$T/ra.log" "$T/rb.log")"

# Failover: relay C takes relay A, else relay D (both on the publisher).
start_relay "$T/rd" "$PUB_EP" "$REQ_EP" "$IDKEY" --insecure
RD_BC=$RELAY_BC RD_RQ=$RELAY_RQ
start_relay "$T/rc" "$RA_BC,$RD_BC" "$RA_RQ,$RD_RQ" "$IDKEY" --insecure \
    --failover-after 2 --stale-after 10 --metrics 127.0.0.1:0
RC_METRICS=$(sed -n 's|.*metrics on \(http://[^ ]*\).*|\1|p' "$T/rc.log")
wait_until 30 relay_has "$T/rc" 1701
start_sub "$T/s4" "$RELAY_BC" "$IDKEY" --requests "$RELAY_RQ" \
    --no-desktop --no-journal
wait_until 30 archive_is_complete "$T/s4" 1701
mark=$(log_mark "$T/rc.log")
kill -9 "$RELAY_A2"
"$PUB" publish --state "$T/pub" --severity high --title "Khi trạm A tắt" \
    >/dev/null
check "relay C switched to relay D" wait_log 15 "$T/rc.log" "$mark" \
    "switching to $RD_BC"
wait_until 30 archive_is_complete "$T/s4" 1702
check "its subscriber missed nothing: 1..1702, each once" \
    archive_is_complete "$T/s4" 1702
# metric NAME: its value on relay C's /metrics.
metric() {
	"$PY" -c '
import sys, urllib.request
for l in urllib.request.urlopen(sys.argv[1]).read().decode().splitlines():
    if l.startswith(sys.argv[2] + " "):
        print(l.split()[1])' "$RC_METRICS" "$1"
}
check "/metrics: one upstream switch" \
    test "$(metric canhbao_relay_upstream_switches_total)" = 1
check "/metrics: one subscriber connected downstream" \
    test "$(metric canhbao_relay_downstream_connections)" = 1
check "/metrics: the journal at 1702" \
    test "$(metric canhbao_relay_last_journaled_sequence)" = 1702
check "relay status names the upstream in use" wait_until 15 sh -c \
    '"$0" status --state "$1" --json | grep -q "\"upstream\":\"$2\""' \
    "$RELAY" "$T/rc" "$RD_BC"

finish
