#!/bin/sh
# Issue 15: a country on relays, on separate hosts.  The test makes its
# own network: a switch namespace holding a bridge, and one namespace
# per host joined to it by a veth pair (documentation addresses
# 192.0.2.0/24, which exist only inside them): the publisher (.1), two
# relays (.11, .12) and six agencies (.21 to .26), each with both relays
# as its sources (three prefer the first, three the second).  CurveZMQ
# throughout: the relays admit exactly the agencies the publisher
# registered.  Then: a relay's uplink is cut for longer than the stale
# bound and restored; a relay is killed with SIGKILL; an agency is
# removed; an agency behind a relay files a report.  Every subscriber
# must end with the same signed bytes as the publisher's journal, and
# the report must reach the publisher once.  Needs root.
. "$(dirname "$0")/lib.sh"
RELAY="$BIN/canhbao-relay"

N=$$
SW="cbsw$N"
HOSTS=""
netns_cleanup() {
	stop_all
	for h in $HOSTS; do ip netns del "cb$h$N" 2>/dev/null; done
	ip netns del "$SW" 2>/dev/null
	rm -rf "$T"
}
trap netns_cleanup EXIT

# host NAME LASTOCTET: a namespace cbNAME$$ with 192.0.2.LASTOCTET on
# the switch.
host() {
	ns="cb$1$N"
	ip netns add "$ns" &&
	    ip link add "h$2x$N" type veth peer name "s$2x$N" &&
	    ip link set "h$2x$N" netns "$ns" &&
	    ip link set "s$2x$N" netns "$SW" &&
	    ip -n "$SW" link set "s$2x$N" master br0 &&
	    ip -n "$SW" link set "s$2x$N" up &&
	    ip -n "$ns" addr add "192.0.2.$2/24" dev "h$2x$N" &&
	    ip -n "$ns" link set lo up &&
	    ip -n "$ns" link set "h$2x$N" up || return 1
	HOSTS="$HOSTS $1"
}
ip netns add "$SW" && ip -n "$SW" link add br0 type bridge &&
    ip -n "$SW" link set br0 up &&
    host pub 1 && host r1 11 && host r2 12 &&
    host a1 21 && host a2 22 && host a3 23 && host a4 24 && host a5 25 &&
    host a6 26 ||
    { echo "cannot make network namespaces (root needed)"; exit 1; }
# in_ns HOST COMMAND...: in the foreground only (in the background, $!
# would be a subshell's pid, not the program's: start those with "ip
# netns exec" itself, which execs the program).
in_ns() { ns="cb$1$N"; shift; ip netns exec "$ns" "$@"; }

# Keys: the publisher, two relays, six agencies and one to be removed.
"$PUB" keygen --state "$T/pub" >/dev/null
for r in r1 r2; do
	"$RELAY" keygen --state "$T/$r" >/dev/null || fail "relay keygen $r"
	"$PUB" agency add --state "$T/pub" --relay "relay-$r" "$T/$r/relay.pub" \
	    >/dev/null || fail "agency add --relay $r"
done
AGENCIES="a1 a2 a3 a4 a5 a6"
for a in $AGENCIES gone; do
	"$SUB" keygen --state "$T/$a" >/dev/null
	"$PUB" agency add --state "$T/pub" "so-$a" "$T/$a/agency.pub" >/dev/null
done
check "agency list shows the relays apart" sh -c \
    '"$0" agency list --state "$1" --json | "$2" -c "
import json, sys
rows = json.load(sys.stdin)
kinds = sorted((r[\"name\"], r[\"kind\"]) for r in rows)
assert (\"relay-r1\", \"relay\") in kinds and (\"so-a1\", \"agency\") in kinds, kinds"' \
    "$PUB" "$T/pub" "$PY"

echo '{"canhbao_feed": 1, "advisories": []}' >"$T/empty.json"
ip netns exec "cbpub$N" "$PUB" run --state "$T/pub" \
    --broadcast tcp://192.0.2.1:7370 \
    --requests tcp://192.0.2.1:7371 --heartbeat 1 >>"$T/pub.log" 2>&1 &
PUB_PID=$!
track $PUB_PID
wait_until 10 test -S "$T/pub/control.sock" || fail "publisher start"

# relay NAME: a relay on its host, the publisher upstream.
relay() {
	ip=192.0.2.1$(echo "$1" | tr -d r)
	ip netns exec "cb$1$N" "$RELAY" run --state "$T/$1" \
	    --upstream-broadcast tcp://192.0.2.1:7370 \
	    --upstream-requests tcp://192.0.2.1:7371 \
	    --publisher-key "$T/pub/publisher.pub" \
	    --broadcast "tcp://$ip:7370" --requests "tcp://$ip:7371" \
	    --stale-after 6 --failover-after 2 --verbose >>"$T/$1.log" 2>&1 &
	eval "PID_$1=\$!"
	track $!
	wait_log 10 "$T/$1.log" "$2" 'ready' ||
	    { echo "relay $1 did not start:"; cat "$T/$1.log"; exit 1; }
}
relay r1 0
relay r2 0

# agency A FIRST SECOND: a subscriber on A's host using both relays.
agency() {
	a=$1 x=$2 y=$3
	ip netns exec "cb$a$N" "$SUB" run --state "$T/$a" \
	    --broadcast "tcp://192.0.2.1$x:7370,tcp://192.0.2.1$y:7370" \
	    --requests "tcp://192.0.2.1$x:7371,tcp://192.0.2.1$y:7371" \
	    --server-key "$T/r$x/relay.pub,$T/r$y/relay.pub" \
	    --publisher-key "$T/pub/publisher.pub" --stale-after 6 \
	    --failover-after 2 --verbose >>"$T/$a.out" 2>>"$T/$a.log" &
	eval "PID_$a=\$!"
	track $!
}
agency a1 1 2; agency a2 1 2; agency a3 1 2
agency a4 2 1; agency a5 2 1; agency a6 2 1

publish() { # publish FROM TO
	i=$1
	while [ "$i" -le "$2" ]; do
		"$PUB" publish --state "$T/pub" --severity high \
		    --title "Cảnh báo tấn công qua trạm chuyển tiếp $i" \
		    >/dev/null || fail "publish $i"
		i=$((i + 1))
	done
}

# same_as_journal DIR: the archive holds the journal's signed bytes.
journal_bytes() {
	sqlite3 "file:$T/pub/journal.db?mode=ro" \
	    'SELECT hex(signed) FROM message ORDER BY seq' | md5sum
}
same_as_journal() {
	test "$(sqlite3 "file:$1/archive.db?mode=ro" \
	    'SELECT hex(signed) FROM message ORDER BY seq' 2>/dev/null |
	    md5sum)" = "$(journal_bytes)"
}
all_converge() { # all_converge N
	for a in $AGENCIES; do
		archive_is_complete "$T/$a" "$1" && same_as_journal "$T/$a" ||
		    return 1
	done
}

publish 1 5
wait_until 60 all_converge 5
check "six agencies behind two relays hold the 5 signed advisories" \
    all_converge 5
[ "$FAILS" -eq 0 ] || finish # the rest builds on it

# Cut relay r1's uplink for longer than the stale bound, then restore.
for a in a1 a2 a3; do eval "M_$a=\$(log_mark \"\$T/\$a.log\")"; done
in_ns r1 iptables -I INPUT 1 -s 192.0.2.1 -j DROP
in_ns r1 iptables -I OUTPUT 1 -d 192.0.2.1 -j DROP
publish 6 10
for a in a1 a2 a3; do
	eval "m=\$M_$a"
	wait_log 20 "$T/$a.log" "$m" 'switching to source 2' ||
	    fail "$a did not fail over from the cut relay"
done
wait_until 60 all_converge 10
check "while r1 is cut off, all converge through r2" all_converge 10
in_ns r1 iptables -D INPUT 1
in_ns r1 iptables -D OUTPUT 1
publish 11 15
wait_until 60 all_converge 15
check "with r1 back, all converge" all_converge 15
wait_until 60 sh -c '[ "$(sqlite3 "file:$0/relay.db?mode=ro" "SELECT max(seq) FROM message")" = 15 ]' "$T/r1"
check "r1 caught its journal up after the cut" sh -c \
    '[ "$(sqlite3 "file:$0/relay.db?mode=ro" "SELECT max(seq) FROM message")" = 15 ]' "$T/r1"

# SIGKILL relay r2: its agencies fail over to r1 and miss nothing.
for a in a4 a5 a6; do eval "M_$a=\$(log_mark \"\$T/\$a.log\")"; done
kill -KILL "$PID_r2"
wait "$PID_r2" 2>/dev/null
publish 16 20
for a in a4 a5 a6; do
	eval "m=\$M_$a"
	wait_log 20 "$T/$a.log" "$m" 'switching to source 2' ||
	    fail "$a did not fail over from the killed relay"
done
wait_until 60 all_converge 20
check "with r2 killed, all converge through r1" all_converge 20
relay r2 "$(log_mark "$T/r2.log")"

# An agency behind a relay files a report: it reaches the publisher once.
in_ns a4 "$SUB" report --state "$T/a4" --severity high \
    --title "Phát hiện mã độc tại sở" >/dev/null || fail "report"
wait_until 60 sh -c '"$0" reports --state "$1" --json | grep -q "Phát hiện mã độc"' "$PUB" "$T/pub"
check "the report reached the publisher once" sh -c \
    '"$0" reports --state "$1" --json | "$2" -c "
import json, sys
rows = json.load(sys.stdin)
n = sum(1 for r in rows if r[\"title\"] == \"Phát hiện mã độc tại sở\")
assert n == 1, rows"' "$PUB" "$T/pub" "$PY"

# A removed agency is refused by both relays.
"$PUB" agency remove --state "$T/pub" so-gone >/dev/null
for r in r1 r2; do
	wait_until 20 grep -q "registry generation" "$T/$r.log"
done
M_gone=$(log_mark "$T/gone.log")
for x in 1 2; do
	mr=$(log_mark "$T/r$x.log")
	ip netns exec "cba1$N" "$SUB" run --state "$T/gone" \
	    --broadcast "tcp://192.0.2.1$x:7370" --requests "tcp://192.0.2.1$x:7371" \
	    --server-key "$T/r$x/relay.pub" \
	    --publisher-key "$T/pub/publisher.pub" --verbose \
	    >>"$T/gone.out" 2>>"$T/gone.log" &
	gp=$!
	track $gp
	wait_log 20 "$T/r$x.log" "$mr" 'refused a connection' ||
	    fail "relay r$x did not refuse the removed agency"
	check "relay r$x refuses the removed agency" logged_after "$T/r$x.log" "$mr" 'refused a connection'
	stop $gp
done
check "the removed agency archived nothing" test "$(archive_count "$T/gone")" -eq 0

finish
