# lib.sh: what every integration test sources.  Each test runs the real
# binaries on 127.0.0.1 in its own temporary folder, ends every process
# it started by its pid, and removes the folder, pass or fail.
set -u

BIN=${CANHBAO_BIN:?CANHBAO_BIN is not set}
TOP=${CANHBAO_TOP:?CANHBAO_TOP is not set}
PY=/usr/bin/python3 # Debian's, with python3-zmq and python3-nacl
PUB="$BIN/canhbao-pub"
SUB="$BIN/canhbao-sub"
RELAY="$BIN/canhbao-relay"
T=$(mktemp -d /tmp/canhbao-it.XXXXXX)
PIDS=""
FAILS=0
# No state folder or configuration file of the machine's or the user's:
# each test names its own (or finds them under $T, as t140 does).
unset CANHBAO_STATE CANHBAO_CONFIG STATE_DIRECTORY
export XDG_CONFIG_HOME="$T/xdg-config" XDG_STATE_HOME="$T/xdg-state"

stop_all() {
	for p in $PIDS; do
		kill "$p" 2>/dev/null
	done
	for p in $PIDS; do
		wait "$p" 2>/dev/null
	done
	PIDS=""
}

cleanup() {
	stop_all
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# Remember a background process so that cleanup ends it.
track() {
	PIDS="$PIDS $1"
}

ok() {
	echo "ok   $*"
}

fail() {
	echo "FAIL $*"
	FAILS=$((FAILS + 1))
}

# check DESCRIPTION COMMAND...: passes when the command succeeds.
check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else fail "$desc"; fi
}

# check_fails DESCRIPTION COMMAND...: passes when the command fails.
check_fails() {
	desc=$1
	shift
	if "$@"; then fail "$desc"; else ok "$desc"; fi
}

# wait_until SECONDS COMMAND...: poll every 0.1 s until it succeeds.
# (Its counters have names of their own: a caller's loop over "i" must
# not be reset by a wait inside it.)
wait_until() {
	_wu_limit=$(($1 * 10))
	shift
	_wu_i=0
	while [ "$_wu_i" -lt "$_wu_limit" ]; do
		if "$@" 2>/dev/null; then return 0; fi
		sleep 0.1
		_wu_i=$((_wu_i + 1))
	done
	return 1
}

# log_mark FILE: the number of lines FILE has now (0 if absent), for
# wait_log to look only at what comes after.
log_mark() {
	if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi
}

# logged_after FILE MARK PATTERN: PATTERN is in FILE after line MARK.
logged_after() {
	tail -n +$(($2 + 1)) "$1" 2>/dev/null | grep -q -- "$3"
}

# wait_log SECONDS FILE MARK PATTERN: wait until PATTERN is logged
# after line MARK of FILE.
wait_log() {
	wait_until "$1" logged_after "$2" "$3" "$4"
}

# start_pub DIR [OPTIONS...]: keygen if needed, run on a free port with
# a heartbeat every second; sets PUB_PID and PUB_EP.
start_pub() {
	dir=$1
	shift
	[ -f "$dir/publisher.key" ] || "$PUB" keygen --state "$dir" >/dev/null
	rm -f "$dir/broadcast.endpoint"
	"$PUB" run --state "$dir" --broadcast 'tcp://127.0.0.1:*' --insecure \
	    --heartbeat 1 "$@" >>"$dir.log" 2>&1 &
	PUB_PID=$!
	track "$PUB_PID"
	wait_until 10 test -s "$dir/broadcast.endpoint" ||
	    { echo "publisher did not start:"; cat "$dir.log"; exit 1; }
	PUB_EP=$(cat "$dir/broadcast.endpoint")
}

# start_way_back AGENCY...: a publisher in $T/pub (log $T/pub.log,
# PUB_PID) with its broadcast and requests channels on ipc:// in $T (BC,
# REQS), CurveZMQ, a heartbeat every second, and each AGENCY's key made
# in $T/AGENCY and registered under that name.
start_way_back() {
	"$PUB" keygen --state "$T/pub" >/dev/null
	for a in "$@"; do
		"$SUB" keygen --state "$T/$a" >/dev/null
		"$PUB" agency add --state "$T/pub" "$a" "$T/$a/agency.pub" \
		    >/dev/null
	done
	BC="ipc://$T/broadcast.sock" REQS="ipc://$T/requests.sock"
	"$PUB" run --state "$T/pub" --broadcast "$BC" --requests "$REQS" \
	    --heartbeat 1 >>"$T/pub.log" 2>&1 &
	PUB_PID=$!
	track "$PUB_PID"
	wait_until 10 test -S "$T/pub/control.sock" ||
	    { echo "publisher did not start:"; cat "$T/pub.log"; exit 1; }
}

# start_sub DIR ENDPOINT KEYFILE [OPTIONS...]: sets SUB_PID; output in
# DIR.out, log in DIR.log (with --verbose).  Returns once a heartbeat
# has arrived: the subscriptions have reached the publisher (the slow
# joiner), so nothing published from then on is missed.  HB_WAIT=no
# skips that, for a publisher that sends no heartbeats.
start_sub() {
	dir=$1 ep=$2 key=$3
	shift 3
	mark=$(log_mark "$dir.log")
	"$SUB" run --state "$dir" --broadcast "$ep" --publisher-key "$key" \
	    --insecure --verbose "$@" >>"$dir.out" 2>>"$dir.log" &
	SUB_PID=$!
	track "$SUB_PID"
	wait_log 10 "$dir.log" "$mark" 'ready' ||
	    { echo "subscriber did not start:"; cat "$dir.log"; exit 1; }
	[ "${HB_WAIT:-yes}" = no ] && return 0
	wait_heartbeat "$dir.log" "$mark" ||
	    { echo "subscriber saw no heartbeat:"; cat "$dir.log"; exit 1; }
}

# start_relay DIR UP_BCAST UP_REQS PUBKEY [OPTIONS...]: a relay with
# state DIR, log DIR.log (--verbose), its own broadcast and requests on
# ipc:// beside DIR (DIR.bc, DIR.rq: the same after a restart); sets
# RELAY_PID, RELAY_BC and RELAY_RQ.  Returns once it is ready.  Pass
# --insecure for plaintext.
start_relay() {
	dir=$1 ub=$2 ur=$3 key=$4
	shift 4
	mark=$(log_mark "$dir.log")
	RELAY_BC="ipc://$dir.bc" RELAY_RQ="ipc://$dir.rq"
	"$RELAY" run --state "$dir" --upstream-broadcast "$ub" \
	    --upstream-requests "$ur" --publisher-key "$key" \
	    --broadcast "$RELAY_BC" --requests "$RELAY_RQ" --verbose "$@" \
	    >>"$dir.log" 2>&1 &
	RELAY_PID=$!
	track "$RELAY_PID"
	wait_log 10 "$dir.log" "$mark" 'ready' ||
	    { echo "relay did not start:"; cat "$dir.log"; exit 1; }
}

# relay_last DIR: the relay journal's last sequence number.
relay_last() {
	sqlite3 -readonly "file:$1/relay.db?mode=ro" \
	    'SELECT coalesce(max(seq), 0) FROM message' 2>/dev/null || echo 0
}

# relay_has DIR N: the relay's journal holds at least N messages.
relay_has() {
	test "$(relay_last "$1")" -ge "$2"
}

# wait_heartbeat LOG [MARK]: wait until a subscriber running with
# --verbose logs a heartbeat after line MARK (default: now).  Whatever
# was published before that heartbeat has reached it already: a
# negative check ("X did not arrive") waits for this first.
wait_heartbeat() {
	wait_log 15 "$1" "${2:-$(log_mark "$1")}" 'heartbeat: the publisher'
}

# stop PID: SIGTERM and wait.
stop() {
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

# count_archived DIR: number of advisories in the archive.
count_archived() {
	"$SUB" list --state "$1" --json 2>/dev/null |
	    "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)))'
}

# Stop everything, then fail on any sanitizer report in the logs (the
# daemons' leak checks run as they exit).
finish() {
	stop_all
	if grep -lE 'ERROR: (Address|Leak)Sanitizer|runtime error:' \
	    "$T"/*.log "$T"/*.out "$T"/*/*.log >/dev/null 2>&1; then
		fail "sanitizer reports in the logs"
	fi
	if [ "$FAILS" -gt 0 ]; then
		echo "$FAILS check(s) failed"
		for f in "$T"/*.log; do
			[ -f "$f" ] && { echo "--- $f"; cat "$f"; }
		done
		exit 1
	fi
	exit 0
}

# render_dates SRC DST: copy a test feed, replacing each date token with
# a time relative to now, so that the feed never ages out of a backfill
# window nor past an expiry.  Tokens: @ISO:-3d@ (UTC, RFC 3339),
# @ISO+07:-12h@ (the same time written in +07:00), @RFC822+07:-12h@
# (RSS pubDate in +07:00); the offset is a signed number of d or h.
render_dates() {
	"$PY" - "$1" "$2" <<'PYEOF'
import datetime, re, sys
now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
ict = datetime.timezone(datetime.timedelta(hours=7))
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
          "Oct", "Nov", "Dec"]

def one(m):
    n = int(m.group(2))
    t = now + (datetime.timedelta(days=n) if m.group(3) == "d"
               else datetime.timedelta(hours=n))
    if m.group(1) == "ISO":
        return t.strftime("%Y-%m-%dT%H:%M:%SZ")
    t = t.astimezone(ict)
    if m.group(1) == "ISO+07":
        return t.strftime("%Y-%m-%dT%H:%M:%S+07:00")
    # RFC 822 names in English whatever the locale
    return "%s, %02d %s %d %s +0700" % (DAYS[t.weekday()], t.day,
        MONTHS[t.month - 1], t.year, t.strftime("%H:%M:%S"))

src = open(sys.argv[1], encoding="utf-8").read()
out = re.sub(r"@(ISO|ISO\+07|RFC822\+07):([+-][0-9]+)([dh])@", one, src)
if "@ISO" in out or "@RFC822" in out:
    sys.exit("%s: a date token is malformed" % sys.argv[1])
with open(sys.argv[2], "w", encoding="utf-8") as f:
    f.write(out)
PYEOF
}

# --- for the reliable-delivery tests ------------------------------------

# make_feed FILE N [PREFIX]: a canhbao JSON feed of N advisories.
make_feed() {
	"$PY" - "$1" "$2" "${3:-ADV}" <<'PYEOF'
import datetime, json, sys
path, n, prefix = sys.argv[1], int(sys.argv[2]), sys.argv[3]
# an hour ago: inside any backfill window, on any date
published = (datetime.datetime.now(datetime.timezone.utc) -
             datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
sev = ["critical", "high", "medium", "low", "info"]
advs = [{"id": "%s-%05d" % (prefix, i),
         "title": "Cảnh báo số %d: lỗ hổng trong hệ thống một cửa" % i,
         "severity": sev[i % 5],
         "summary": "Đề nghị rà soát và cập nhật bản vá (%d)." % i,
         "published": published} for i in range(n)]
with open(path + ".tmp", "w", encoding="utf-8") as f:
    json.dump({"canhbao_feed": 1, "advisories": advs}, f, ensure_ascii=False)
import os
os.rename(path + ".tmp", path)
PYEOF
}

# pub_conf DIR FEEDFILE: a publisher configuration with one file:// feed.
# pub_section DIR: the [publisher] section every test configuration
# starts with: state DIR, plaintext, a heartbeat a second, broadcast and
# requests on ports the system chooses (or $BCAST, $REQS).
pub_section() {
	cat <<CONF
[publisher]
state = $1
broadcast = ${BCAST:-tcp://127.0.0.1:*}
requests = ${REQS:-tcp://127.0.0.1:*}
insecure = yes
heartbeat = 1
CONF
}

pub_conf() {
	pub_section "$1"
	cat <<CONF

[feed "bulk"]
url = file://$2
format = json
backfill = all
interval = 3600
CONF
}

# start_pub_conf DIR CONF: run the publisher from a configuration; sets
# PUB_PID, PUB_EP and REQ_EP.  $NETNS, when set, names a network
# namespace to run it in.
start_pub_conf() {
	dir=$1
	[ -f "$dir/publisher.key" ] || "$PUB" keygen --state "$dir" >/dev/null
	rm -f "$dir/broadcast.endpoint" "$dir/requests.endpoint"
	${NETNS:+ip netns exec "$NETNS"} "$PUB" run -c "$2" >>"$dir.log" 2>&1 &
	PUB_PID=$!
	track "$PUB_PID"
	# (requests.endpoint is written first: wait for both)
	wait_until 10 test -s "$dir/requests.endpoint" -a \
	    -s "$dir/broadcast.endpoint" ||
	    { echo "publisher did not start:"; cat "$dir.log"; exit 1; }
	PUB_EP=$(cat "$dir/broadcast.endpoint")
	REQ_EP=$(cat "$dir/requests.endpoint")
}

# archive_count DIR: rows in the archive (read with the sqlite3 tool).
archive_count() {
	sqlite3 -readonly "file:$1/archive.db?mode=ro" \
	    'SELECT count(*) FROM message' 2>/dev/null || echo 0
}

# journal_last DIR: the publisher journal's last sequence number.
journal_last() {
	sqlite3 -readonly "file:$1/journal.db?mode=ro" \
	    'SELECT coalesce(max(seq), 0) FROM message' 2>/dev/null || echo 0
}

# journal_has DIR N: the journal holds at least N messages.
journal_has() {
	test "$(journal_last "$1")" -ge "$2"
}

# archive_is_complete DIR N: seqs 1..N, each once, nothing else.
archive_is_complete() {
	test "$(sqlite3 -readonly "file:$1/archive.db?mode=ro" \
	    'SELECT count(*) || "/" || count(DISTINCT seq) || "/" ||
	     coalesce(min(seq), 0) || "/" || coalesce(max(seq), 0)
	     FROM message')" = "$2/$2/1/$2"
}
