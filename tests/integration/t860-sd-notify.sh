#!/bin/sh
# Under systemd (Type=notify, WatchdogSec=): each daemon says READY=1
# with a STATUS line once it is bound, RELOADING=1 and READY=1 around a
# SIGHUP reload, STOPPING=1 at the end, and pings the watchdog at half
# the interval from its loop, also while nothing else happens (a
# heartbeat of a minute).  A datagram socket in $T plays systemd's
# NOTIFY_SOCKET.
. "$(dirname "$0")/lib.sh"

# notify_listener SOCKET FILE: one line per message, fields joined by |.
notify_listener() {
	"$PY" "$(dirname "$0")/dgram_sink.py" "$1" "$2" '|' &
	track $!
	wait_until 5 test -S "$1" || { fail "no notify socket $1"; finish; }
}
# count FILE PATTERN: lines of FILE with PATTERN.
count() { grep -c -- "$2" "$1" 2>/dev/null || true; }
at_least() { test "$(count "$2" "$3")" -ge "$1"; }
# after_reload FILE PATTERN: a line after RELOADING=1 has PATTERN.
after_reload() {
	sed -n '/^RELOADING=1|MONOTONIC_USEC=[0-9]/,$p' "$1" | grep -q -- "$2"
}

notify_listener "$T/pub.notify" "$T/pub.msgs"
"$PUB" keygen --state "$T/pub" >/dev/null
printf '[publisher]\nstate = %s\nbroadcast = ipc://%s/bc.sock\nheartbeat = 60\n' \
    "$T/pub" "$T" >"$T/pub.conf"
NOTIFY_SOCKET="$T/pub.notify" WATCHDOG_USEC=400000 \
    "$PUB" run -c "$T/pub.conf" >>"$T/pub.log" 2>&1 &
PUB_PID=$!
track "$PUB_PID"
wait_until 10 at_least 1 "$T/pub.msgs" 'READY=1' ||
    fail "publisher: READY=1"
check "publisher: READY=1 with a status line" \
    grep -q '^READY=1|STATUS=broadcast on ipc://.*last seq 0' "$T/pub.msgs"
check "publisher: the watchdog pinged at half the interval, between heartbeats" \
    wait_until 10 at_least 6 "$T/pub.msgs" '^WATCHDOG=1$'
"$PUB" publish --state "$T/pub" --severity high --title 'Trạng thái' \
    >/dev/null
kill -HUP "$PUB_PID"
check "publisher: a reload says RELOADING=1, then READY=1 with last seq 1" \
    wait_until 10 after_reload "$T/pub.msgs" \
    '^READY=1|STATUS=.*last seq 1, 1 published'
mark=$(log_mark "$T/pub.msgs")
# pings_after FILE MARK N: N watchdog pings after line MARK.
pings_after() {
	test "$(tail -n +$(($2 + 1)) "$1" | grep -c '^WATCHDOG=1$')" -ge "$3"
}
check "publisher: the watchdog goes on after the reload" \
    wait_until 10 pings_after "$T/pub.msgs" "$mark" 3
stop "$PUB_PID"
check "publisher: STOPPING=1" grep -q '^STOPPING=1' "$T/pub.msgs"
check "publisher: nothing on stdout or stderr about sd_notify" \
    sh -c '! grep -qi notify "$0"' "$T/pub.log"

# The subscriber, against a publisher that is not watched.
start_pub "$T/pub2"
notify_listener "$T/sub.notify" "$T/sub.msgs"
NOTIFY_SOCKET="$T/sub.notify" WATCHDOG_USEC=400000 \
    start_sub "$T/sub" "$PUB_EP" "$T/pub2/publisher.pub" --no-desktop \
    --no-journal
SUB_PID_1=$SUB_PID
check "subscriber: READY=1 with a status line" \
    grep -q '^READY=1|STATUS=channel alive; last archived seq 0' "$T/sub.msgs"
check "subscriber: the watchdog pinged" \
    wait_until 10 at_least 4 "$T/sub.msgs" '^WATCHDOG=1$'
"$PUB" publish --state "$T/pub2" --severity high --title 'Trạng thái' \
    >/dev/null
check "subscriber: the status follows what it archived" \
    wait_until 10 grep -q '^STATUS=channel alive; last archived seq 1, 1 archived' \
    "$T/sub.msgs"
kill -HUP "$SUB_PID_1"
check "subscriber: RELOADING=1 then READY=1 around a reload" \
    wait_until 10 after_reload "$T/sub.msgs" \
    '^READY=1|STATUS=channel alive; last archived seq 1'
stop "$SUB_PID_1"
check "subscriber: STOPPING=1" grep -q '^STOPPING=1' "$T/sub.msgs"
finish
