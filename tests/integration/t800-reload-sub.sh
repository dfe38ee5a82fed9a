#!/bin/sh
# SIGHUP reloads the subscriber's configuration, and what it then does
# shows it: reminders start when renotify is turned on and stop when it
# is turned off, a stricter notification filter holds back what it
# should, a key put in revoked_keys is refused from then on; a key that
# needs a restart is named and kept; a bad file is refused with its
# file:line; a subscriber without a file survives SIGHUP; SIGTERM
# afterwards still ends it with status 0.
. "$(dirname "$0")/lib.sh"

start_way_back an-giang
S="$T/an-giang"
# write_conf KEY=VALUE...: the subscriber's file, with these keys last.
write_conf() {
	{
		cat <<CONF
[subscriber]
state = $S
broadcast = $BC
requests = $REQS
publisher_key = $T/pub/publisher.pub
desktop = no
journal = no
verbose = yes
CONF
		for kv in "$@"; do
			echo "${kv%%=*} = ${kv#*=}"
		done
	} >"$T/sub.conf.new"
	mv "$T/sub.conf.new" "$T/sub.conf"
}
# hup: SIGHUP the subscriber and wait until the reload has ended.
hup() {
	mark=$(log_mark "$S.log")
	kill -HUP "$SUB_PID"
	wait_log 10 "$S.log" "$mark" 'reload: \(done\|refused\)'
}
publish() {
	"$PUB" publish --state "$T/pub" --severity "$1" --title "$2" |
	    tail -n 1
}
# shown TITLE: the terminal path printed an advisory with TITLE.
shown() { grep -q "$1" "$S.out"; }
reminders() { grep -c '^REMINDER ' "$S.out"; }
reminders_over() { test "$(reminders)" -gt "$1"; }

write_conf renotify=0
"$SUB" run -c "$T/sub.conf" >>"$S.out" 2>>"$S.log" &
SUB_PID=$!
track "$SUB_PID"
wait_until 10 grep -q ready "$S.log" || fail "subscriber start"
wait_heartbeat "$S.log" 0 || fail "no heartbeat"

ID=$(publish critical 'Khẩn: vá lỗ hổng VPN')
wait_until 10 shown 'Khẩn: vá lỗ hổng VPN' || fail "first advisory"

# Reminders on.
write_conf renotify=1
hup || fail "reload with renotify"
check "the change is logged" grep -q 'reload: renotify 0 -> 1' "$S.log"
check "the daemon survives SIGHUP" kill -0 "$SUB_PID"
wait_until 10 reminders_over 0
check "reminders start" reminders_over 0

# Reminders off, and only critical advisories notified.
write_conf renotify=0 min_severity=critical
hup || fail "reload with a filter"
check "both changes are logged" sh -c \
    'grep -q "reload: renotify 1 -> 0" "$0" &&
     grep -q "reload: min_severity (none) -> .critical." "$0"' "$S.log"
publish high 'Cao: không hiện' >/dev/null
R=$(reminders)
publish critical 'Khẩn: hiện ngay' >/dev/null
wait_until 10 shown 'Khẩn: hiện ngay'
check "the new filter lets critical through" shown 'Khẩn: hiện ngay'
check "and holds high back (it came first)" sh -c \
    '! grep -q "Cao: không hiện" "$0"' "$S.out"
check "the high one is archived all the same" sh -c \
    '"$0" list --state "$1" --json | grep -q "Cao: không hiện"' "$SUB" "$S"
check "reminders stop" test "$(reminders)" -eq "$R"

# The publisher's key revoked at run time.
KEY=$("$PUB" status --state "$T/pub" --json | "$PY" -c \
    'import json,sys; print(json.load(sys.stdin)["key_id"])')
write_conf renotify=0 min_severity=critical "revoked_keys=$KEY"
hup || fail "reload with a revoked key"
check "the revocation is logged" grep -q "reload: revoked_keys (none) -> '$KEY'" \
    "$S.log"
MARK=$(log_mark "$S.log")
publish critical 'Khẩn: ký bằng khóa đã thu hồi' >/dev/null
wait_log 10 "$S.log" "$MARK" "signed by revoked key $KEY" ||
    fail "a message signed by the revoked key is refused"
check "and not archived" sh -c \
    '! "$0" list --state "$1" --json | grep -q "thu hồi"' "$SUB" "$S"

# A key that needs a restart; then a bad file.
write_conf renotify=0 min_severity=critical "revoked_keys=$KEY" \
    "stale_after=30"
sed -i "s|^broadcast = .*|broadcast = tcp://127.0.0.1:1|" "$T/sub.conf"
hup || fail "reload with a new endpoint"
check "a changed endpoint needs a restart, and says so" grep -q \
    "reload: broadcast .* needs a restart" "$S.log"
check "a live key changes in the same reload" grep -q \
    'reload: stale_after 120 -> 30' "$S.log"
echo 'renotify = soon' >>"$T/sub.conf"
N=$(wc -l <"$T/sub.conf")
hup || fail "a bad file"
check "a bad file is refused with its file:line" grep -q \
    "error: reload: refused, the configuration in force stays: $T/sub.conf:$N:" \
    "$S.log"
check "alive after a refused reload" kill -0 "$SUB_PID"
kill "$SUB_PID"
wait "$SUB_PID"
check "SIGTERM after SIGHUP: exit 0" test $? -eq 0

# Without a configuration file.
HB_WAIT=no start_sub "$T/bare" "$BC" "$T/pub/publisher.pub"
MARK=$(log_mark "$T/bare.log")
kill -HUP "$SUB_PID"
wait_log 10 "$T/bare.log" "$MARK" 'reload: no configuration file' ||
    fail "reload without a file says so"
check "alive after SIGHUP without a file" kill -0 "$SUB_PID"
kill "$SUB_PID"
wait "$SUB_PID"
check "and exits 0 on SIGTERM" test $? -eq 0

finish
