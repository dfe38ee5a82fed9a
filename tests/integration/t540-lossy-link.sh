#!/bin/sh
# (e) A subscriber behind a lossy link converges to the same archive as
# a clean one.  The test makes its own two network namespaces joined by
# a veth pair (documentation addresses 192.0.2.0/24, which exist only
# inside them): the publisher and a clean subscriber in one, a second
# subscriber in the other, whose link drops 10% of packets at random
# (iptables' statistic match) and is then cut entirely for longer than
# the heartbeat bound, then restored.  Needs root (CI and the developer
# machines run as root).
. "$(dirname "$0")/lib.sh"

A="cbA$$" B="cbB$$"
netns_cleanup() {
	stop_all
	ip netns del "$A" 2>/dev/null
	ip netns del "$B" 2>/dev/null
	rm -rf "$T"
}
trap netns_cleanup EXIT

ip netns add "$A" && ip netns add "$B" &&
    ip link add "va$$" type veth peer name "vb$$" &&
    ip link set "va$$" netns "$A" && ip link set "vb$$" netns "$B" &&
    ip -n "$A" addr add 192.0.2.1/24 dev "va$$" &&
    ip -n "$B" addr add 192.0.2.2/24 dev "vb$$" &&
    ip -n "$A" link set lo up && ip -n "$B" link set lo up &&
    ip -n "$A" link set "va$$" up && ip -n "$B" link set "vb$$" up ||
    { echo "cannot make network namespaces (root needed)"; exit 1; }

echo '{"canhbao_feed": 1, "advisories": []}' >"$T/empty.json"
BCAST="tcp://192.0.2.1:7370" REQS="tcp://192.0.2.1:7371" \
    pub_conf "$T/pub" "$T/empty.json" >"$T/pub.conf"
NETNS=$A start_pub_conf "$T/pub" "$T/pub.conf"

# sub_in NS DIR: a subscriber in a namespace, with a 4 s stale bound.
sub_in() {
	ip netns exec "$1" "$SUB" run --state "$2" --broadcast "$PUB_EP" \
	    --requests "$REQ_EP" --publisher-key "$T/pub/publisher.pub" \
	    --insecure --stale-after 4 --verbose >>"$2.out" 2>>"$2.log" &
	track $!
	wait_until 10 grep -q ready "$2.log"
}
sub_in "$A" "$T/clean"
sub_in "$B" "$T/lossy"
wait_heartbeat "$T/clean.log" 0 && wait_heartbeat "$T/lossy.log" 0 ||
    fail "the subscribers saw no heartbeat"

# 10% loss, both ways, on the lossy subscriber's side.
for chain in INPUT OUTPUT; do
	ip netns exec "$B" iptables -A "$chain" -m statistic --mode random \
	    --probability 0.1 -j DROP
done

publish_some() { # publish_some FROM TO
	i=$1
	while [ "$i" -le "$2" ]; do
		"$PUB" publish --state "$T/pub" --severity medium \
		    --title "Cảnh báo qua đường truyền kém $i" >/dev/null ||
		    fail "publish $i"
		i=$((i + 1))
	done
}
publish_some 1 150

# Cut the link entirely for longer than the heartbeat bound.
ip netns exec "$B" iptables -I INPUT 1 -j DROP
ip netns exec "$B" iptables -I OUTPUT 1 -j DROP
publish_some 151 250
wait_until 15 grep -q 'ALARM stale' "$T/lossy.out"
check "the cut subscriber raises the stale alarm" grep -q 'ALARM stale' "$T/lossy.out"
# a heartbeat after the alarm: the clean one had its chance to alarm
wait_heartbeat "$T/clean.log" || fail "the clean subscriber saw no heartbeat"
check_fails "the clean one does not" grep -q 'ALARM stale' "$T/clean.out"
ip netns exec "$B" iptables -D INPUT 1
ip netns exec "$B" iptables -D OUTPUT 1
publish_some 251 300

LAST=$(journal_last "$T/pub")
check "300 journaled" test "$LAST" -eq 300
wait_until 60 archive_is_complete "$T/clean" 300
check "the clean subscriber has all 300" archive_is_complete "$T/clean" 300
wait_until 90 archive_is_complete "$T/lossy" 300
check "the lossy one converges to all 300" archive_is_complete "$T/lossy" 300
check "the two archives hold the same signed bytes" test \
    "$(sqlite3 "file:$T/clean/archive.db?mode=ro" \
	'SELECT hex(signed) FROM message ORDER BY seq' | md5sum)" = \
    "$(sqlite3 "file:$T/lossy/archive.db?mode=ro" \
	'SELECT hex(signed) FROM message ORDER BY seq' | md5sum)"
wait_until 15 grep -q 'ALARM cleared' "$T/lossy.out"
check "its alarm cleared when the link came back" grep -q 'ALARM cleared' "$T/lossy.out"

finish
