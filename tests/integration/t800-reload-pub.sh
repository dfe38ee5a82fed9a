#!/bin/sh
# SIGHUP reloads the publisher's configuration: a feed added, one
# removed, one changed, each logged and in force (status, polls, what
# is published); a key that needs a restart is named and kept; a bad
# file is refused with its file:line and the old feeds keep polling; a
# publisher started without a file survives SIGHUP too; each daemon
# still exits 0 on SIGTERM afterwards.  At default verbosity, routine
# traffic (receipts, presence) is not logged line by line.
. "$(dirname "$0")/lib.sh"

W="$T/www"
mkdir -p "$W"
make_feed "$W/a.json" 2 ALPHA
make_feed "$W/b.json" 2 BETA
make_feed "$W/c.json" 3 GAMMA
"$PY" "$TOP/tests/integration/feed_server.py" "$W" "$T/port" "$T/http.log" \
    2>"$T/server.log" &
track $!
wait_until 10 test -s "$T/port" || { echo "no HTTP server"; exit 1; }
U="http://127.0.0.1:$(cat "$T/port")"

# write_conf INTERVAL_ALPHA FEEDS...: the publisher's file with the
# named feeds (alpha, beta, gamma).
write_conf() {
	ia=$1
	shift
	{
		cat <<CONF
[publisher]
state = $T/pub
broadcast = tcp://127.0.0.1:*
requests = tcp://127.0.0.1:*
insecure = yes
heartbeat = 1
CONF
		for f in "$@"; do
			case $f in
			alpha) file=a.json interval=$ia ;;
			beta) file=b.json interval=3600 ;;
			gamma) file=c.json interval=3600 ;;
			esac
			printf '\n[feed "%s"]\nurl = %s/%s\nformat = json\n' \
			    "$f" "$U" "$file"
			printf 'backfill = all\ninterval = %s\n' "$interval"
		done
	} >"$T/pub.conf.new"
	mv "$T/pub.conf.new" "$T/pub.conf"
}

# feed_names: the feeds the running daemon polls, sorted, one line.
feed_names() {
	"$PUB" status -c "$T/pub.conf" --json | "$PY" -c '
import json, sys
print(" ".join(sorted(f["name"] for f in json.load(sys.stdin)["feeds"])))'
}
feeds_are() { test "$(feed_names)" = "$1"; }
# gets PATH: how many times the server was asked for PATH.
gets() { grep -c "^GET /$1 " "$T/http.log"; }
gets_over() { test "$(gets "$1")" -gt "$2"; }

write_conf 3600 alpha beta
start_pub_conf "$T/pub" "$T/pub.conf"
wait_until 20 journal_has "$T/pub" 4 || fail "alpha and beta published"
check "two feeds at start" feeds_are "alpha beta"

# Edit: beta removed, gamma added, alpha polled every 10 s.
write_conf 10 alpha gamma
MARK=$(log_mark "$T/pub.log")
kill -HUP "$PUB_PID"
wait_log 10 "$T/pub.log" "$MARK" "reload: feed 'gamma' added" ||
    fail "reload logs the added feed"
check "reload logs the removed feed" logged_after "$T/pub.log" "$MARK" \
    "reload: feed 'beta' removed"
check "reload logs the changed feed" logged_after "$T/pub.log" "$MARK" \
    "reload: feed 'alpha' changed: interval 3600 -> 10"
check "the daemon survives SIGHUP" kill -0 "$PUB_PID"
check "status shows the new set" feeds_are "alpha gamma"
check "the removed feed is unknown to poll" sh -c \
    '! "$0" poll -c "$1" beta 2>/dev/null' "$PUB" "$T/pub.conf"
wait_until 20 journal_has "$T/pub" 7
check "the added feed publishes" journal_has "$T/pub" 7
A=$(gets a.json)
wait_until 25 gets_over a.json "$A"
check "the changed feed polls on its new interval" gets_over a.json "$A"
check "a feed that stayed has one line, not a restart" sh -c \
    '! tail -n +"$2" "$1" | grep -q "feed .gamma. changed"' \
    "$T/pub.log" "$((MARK + 1))"

# A key that cannot change while running: named, kept.
sed -i 's|^broadcast = .*|broadcast = tcp://127.0.0.1:1|' "$T/pub.conf"
MARK=$(log_mark "$T/pub.log")
kill -HUP "$PUB_PID"
wait_log 10 "$T/pub.log" "$MARK" "reload: done" || fail "second reload"
check "a changed endpoint needs a restart, and says so" logged_after \
    "$T/pub.log" "$MARK" "reload: broadcast .* needs a restart"
check "the endpoint in force is the old one" sh -c \
    '"$0" status -c "$1" --json | "$2" -c "import json,sys; assert json.load(sys.stdin)[\"broadcast\"] == sys.argv[1]" "$3"' \
    "$PUB" "$T/pub.conf" "$PY" "$(cat "$T/pub/broadcast.endpoint")"

# A bad file: refused with its place; the old feeds stay in force.
cp "$T/pub.conf" "$T/pub.conf.good"
printf '[feed "delta"\nurl = %s/c.json\n' "$U" >>"$T/pub.conf"
BAD=$(($(wc -l <"$T/pub.conf.good") + 1))
MARK=$(log_mark "$T/pub.log")
kill -HUP "$PUB_PID"
wait_log 10 "$T/pub.log" "$MARK" "reload: refused" ||
    fail "a bad file is refused"
check "the refusal names the file and line" logged_after "$T/pub.log" \
    "$MARK" "error: reload: refused, the configuration in force stays: $T/pub.conf:$BAD:"
check "alive after a refused reload" kill -0 "$PUB_PID"
mv "$T/pub.conf.good" "$T/pub.conf"
check "the old feeds are still in force" feeds_are "alpha gamma"
C=$(gets c.json)
"$PUB" poll -c "$T/pub.conf" gamma >/dev/null
wait_until 10 gets_over c.json "$C"
check "and keep polling" gets_over c.json "$C"
"$PUB" publish --state "$T/pub" --severity high --title 'Sau khi nạp lại' \
    >/dev/null
check "and the daemon still publishes" journal_has "$T/pub" 8

kill "$PUB_PID"
wait "$PUB_PID"
check "SIGTERM after SIGHUP: exit 0" test $? -eq 0

# Without a configuration file.
start_pub "$T/bare"
MARK=$(log_mark "$T/bare.log")
kill -HUP "$PUB_PID"
wait_log 10 "$T/bare.log" "$MARK" "reload: no configuration file" ||
    fail "reload without a file says so"
check "alive after SIGHUP without a file" kill -0 "$PUB_PID"
kill "$PUB_PID"
wait "$PUB_PID"
check "and exits 0 on SIGTERM" test $? -eq 0

finish
