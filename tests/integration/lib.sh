# lib.sh: what every integration test sources.  Each test runs the real
# binaries on 127.0.0.1 in its own temporary folder, ends every process
# it started by its pid, and removes the folder, pass or fail.
set -u

BIN=${CANHBAO_BIN:?CANHBAO_BIN is not set}
TOP=${CANHBAO_TOP:?CANHBAO_TOP is not set}
PY=/usr/bin/python3 # Debian's, with python3-zmq and python3-nacl
PUB="$BIN/canhbao-pub"
SUB="$BIN/canhbao-sub"
T=$(mktemp -d /tmp/canhbao-it.XXXXXX)
PIDS=""
FAILS=0

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
wait_until() {
	limit=$(($1 * 10))
	shift
	i=0
	while [ "$i" -lt "$limit" ]; do
		if "$@" 2>/dev/null; then return 0; fi
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# start_pub DIR [OPTIONS...]: keygen if needed, run on a free port;
# sets PUB_PID and PUB_EP.
start_pub() {
	dir=$1
	shift
	[ -f "$dir/publisher.key" ] || "$PUB" keygen --state "$dir" >/dev/null
	rm -f "$dir/broadcast.endpoint"
	"$PUB" run --state "$dir" --broadcast 'tcp://127.0.0.1:*' --insecure \
	    "$@" >>"$dir.log" 2>&1 &
	PUB_PID=$!
	track "$PUB_PID"
	wait_until 10 test -s "$dir/broadcast.endpoint" ||
	    { echo "publisher did not start:"; cat "$dir.log"; exit 1; }
	PUB_EP=$(cat "$dir/broadcast.endpoint")
}

# start_sub DIR ENDPOINT KEYFILE [OPTIONS...]: sets SUB_PID; output in
# DIR.out, log in DIR.log.
start_sub() {
	dir=$1 ep=$2 key=$3
	shift 3
	"$SUB" run --state "$dir" --broadcast "$ep" --publisher-key "$key" \
	    --insecure "$@" >>"$dir.out" 2>>"$dir.log" &
	SUB_PID=$!
	track "$SUB_PID"
	wait_until 10 grep -q 'ready' "$dir.log" ||
	    { echo "subscriber did not start:"; cat "$dir.log"; exit 1; }
	sleep 0.3 # let the SUB socket's subscription reach the publisher
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
