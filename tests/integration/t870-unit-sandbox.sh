#!/bin/sh
# The daemons run inside the system-call sandbox their shipped units ask
# for (dist/systemd: SystemCallFilter=, RestrictAddressFamilies=,
# MemoryDenyWriteExecute=, NoNewPrivileges=), which systemd would apply
# and this machine (no systemd as PID 1) cannot: sandbox_exec.py loads
# the same seccomp filter and runs the daemon in it.  A publisher with a
# feed over HTTP (libcurl), CurveZMQ and a requests channel, and a
# subscriber, each made by its keygen unit's filter, exchange an
# advisory and a receipt, reload on SIGHUP and stop cleanly.
. "$(dirname "$0")/lib.sh"

UNITS="$TOP/dist/systemd"
# $SANDBOX UNIT PROG ARGS...: run PROG in the sandbox of UNIT (a plain
# command, so that $! of one run in the background is the daemon's).
SANDBOX="$PY $TOP/tests/integration/sandbox_exec.py"
# LeakSanitizer, in a sanitizer build, needs ptrace: no daemon's call.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"

keygen() {
	$SANDBOX "$UNITS/$1-keygen.service" "$BIN/$1" keygen --state "$2" \
	    >/dev/null
}
check "the publisher's keygen runs in its unit's sandbox" \
    keygen canhbao-pub "$T/pub"
check "the subscriber's keygen runs in its unit's sandbox" \
    keygen canhbao-sub "$T/so-y-te"
"$PUB" agency add --state "$T/pub" so-y-te "$T/so-y-te/agency.pub" >/dev/null

mkdir "$T/www"
make_feed "$T/www/feed.json" 2 KEV
"$PY" "$TOP/tests/integration/feed_server.py" "$T/www" "$T/port" \
    "$T/http.log" 2>"$T/server.log" &
track $!
wait_until 10 test -s "$T/port" || { fail "no HTTP server"; finish; }
BC="ipc://$T/broadcast.sock" REQS="ipc://$T/requests.sock"
# The suite's configuration, with CurveZMQ and the feed over HTTP.
BCAST=$BC REQS=$REQS pub_conf "$T/pub" - | grep -v '^insecure' |
    sed "s|^url = .*|url = http://127.0.0.1:$(cat "$T/port")/feed.json|" \
    >"$T/pub.conf"
$SANDBOX "$UNITS/canhbao-pub.service" "$PUB" run -c "$T/pub.conf" \
    >>"$T/pub.log" 2>&1 &
PUB_PID=$!
track "$PUB_PID"
wait_until 10 test -S "$T/pub/control.sock" ||
    { fail "the publisher did not start in its sandbox"; finish; }
$SANDBOX "$UNITS/canhbao-sub.service" "$SUB" run --state "$T/so-y-te" \
    --broadcast "$BC" --requests "$REQS" \
    --publisher-key "$T/pub/publisher.pub" --no-desktop --presence 1 --verbose >>"$T/so-y-te.out" 2>>"$T/so-y-te.log" &
SUB_PID=$!
track "$SUB_PID"
wait_heartbeat "$T/so-y-te.log" 0 ||
    fail "the subscriber in its sandbox saw no heartbeat"

check "the feed was fetched over HTTP and published" \
    wait_log 10 "$T/pub.log" 0 'feed bulk: published'
ID=$("$PUB" publish --state "$T/pub" --severity critical \
    --title 'Khẩn: vá lỗ hổng VPN ngay' | tail -n 1)
archived_all() { test "$(archive_count "$T/so-y-te")" -eq 3; }
check "the subscriber archived all three" wait_until 20 archived_all
received() {
	"$PUB" receipts --state "$T/pub" --json "$ID" | "$PY" -c '
import json, sys
sys.exit(0 if any(r["received"] for r in json.load(sys.stdin)) else 1)'
}
check "its receipt reached the publisher" wait_until 20 received

pub_mark=$(log_mark "$T/pub.log") sub_mark=$(log_mark "$T/so-y-te.log")
kill -HUP "$PUB_PID" "$SUB_PID"
check "the publisher reloads in its sandbox" \
    wait_log 10 "$T/pub.log" "$pub_mark" 'reload: done'
check "the subscriber reloads in its sandbox" \
    wait_log 10 "$T/so-y-te.log" "$sub_mark" 'reload: no configuration'
kill "$PUB_PID" "$SUB_PID"
wait "$PUB_PID"
check "the publisher stops with status 0" test $? -eq 0
wait "$SUB_PID"
check "the subscriber stops with status 0" test $? -eq 0
check_fails "no system call refused, no assertion" grep -qiE \
    'not permitted|assert|abort|bad system call' "$T/pub.log" "$T/so-y-te.log"
finish
