#!/bin/sh
# Log levels mean something.  Three agencies send presence every second
# and a receipt each: at default verbosity the publisher logs one line
# per agency coming into contact, none per message; an agency that
# stops is logged silent once, and back once when it returns.  A failed
# start is an error, not a warning.
. "$(dirname "$0")/lib.sh"

AGENCIES="an-giang bac-ninh ca-mau"
"$PUB" keygen --state "$T/pub" >/dev/null
for a in $AGENCIES; do
	"$SUB" keygen --state "$T/$a" >/dev/null
	"$PUB" agency add --state "$T/pub" "$a" "$T/$a/agency.pub" >/dev/null
done
BC="ipc://$T/broadcast.sock" REQS="ipc://$T/requests.sock"
cat >"$T/pub.conf" <<CONF
[publisher]
state = $T/pub
broadcast = $BC
requests = $REQS
heartbeat = 1
silent_after = 10
CONF
"$PUB" run -c "$T/pub.conf" >>"$T/pub.log" 2>&1 &
PUB_PID=$!
track "$PUB_PID"
wait_until 10 test -S "$T/pub/control.sock" || fail "publisher start"

run_agency() {
	"$SUB" run --state "$T/$1" --broadcast "$BC" --requests "$REQS" \
	    --publisher-key "$T/pub/publisher.pub" --presence 1 --no-desktop \
	    --no-journal >>"$T/$1.out" 2>>"$T/$1.log" &
	track $!
	eval "PID_$(echo "$1" | tr - _)=\$!"
}
for a in $AGENCIES; do run_agency "$a"; done

# presences AGENCY: how many presence messages the publisher kept.
presences() {
	sqlite3 "file:$T/pub/journal.db?mode=ro" \
	    "SELECT count(*) FROM inbound WHERE agency = '$1' AND type = 5"
}
presences_over() { test "$(presences "$1")" -gt "$2"; }
for a in $AGENCIES; do
	wait_until 30 presences_over "$a" 5 || fail "presence from $a"
done
"$PUB" publish --state "$T/pub" --severity high --title 'Kiểm tra nhật ký' \
    >/dev/null
received_by_all() {
	test "$(sqlite3 "file:$T/pub/journal.db?mode=ro" \
	    "SELECT count(DISTINCT agency) FROM inbound WHERE type = 4")" -eq 3
}
wait_until 20 received_by_all || fail "receipts from all three"

for a in $AGENCIES; do
	check "$a: one line when it comes into contact" \
	    test "$(grep -c "info: agency $a in contact" "$T/pub.log")" -eq 1
done
check "no line per presence or receipt at default verbosity" sh -c \
    '! grep -q "from agency" "$0"' "$T/pub.log"
check "nothing at debug level at default verbosity" sh -c \
    '! grep -q ": debug: " "$0"' "$T/pub.log"

stop "$PID_ca_mau"
wait_log 30 "$T/pub.log" 0 'agency ca-mau silent: no contact for' ||
    fail "a silent agency is logged"
check "as a warning" grep -q 'warning: agency ca-mau silent' "$T/pub.log"
MARK=$(log_mark "$T/pub.log")
run_agency ca-mau
wait_log 30 "$T/pub.log" "$MARK" 'agency ca-mau back in contact after' ||
    fail "its return is logged"
check "silent once, not once a check" test \
    "$(grep -c 'agency ca-mau silent' "$T/pub.log")" -eq 1
check "the others stayed in contact" sh -c \
    '! grep -q "agency \(an-giang\|bac-ninh\) silent" "$0"' "$T/pub.log"

# A start that fails is an error.
"$PUB" run --state "$T/pub" --broadcast "ipc://$T/other.sock" \
    >"$T/second.log" 2>&1
check "a second daemon on the same state fails to start" test $? -eq 2
check "and says so at error level" grep -q 'error: cannot start' \
    "$T/second.log"

finish
