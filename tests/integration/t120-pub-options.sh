#!/bin/sh
# Each canhbao-pub command takes only its own options: an option of
# another command (overdue --save used to be accepted and ignored), an
# unknown one, or one without its argument is named on stderr, exit 2,
# and the command does nothing.  No daemon is needed: the options are
# checked before anything else.
. "$(dirname "$0")/lib.sh"

"$PUB" keygen --state "$T/pub" >/dev/null

# expect_refused OPTION ARGS...: exit 2, OPTION named, nothing on stdout.
expect_refused() {
	opt=$1
	shift
	"$PUB" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	check "$* : exit 2" test "$rc" -eq 2
	check "$* : names $opt" grep -q -- "option '$opt'" "$T/err"
	check "$* : prints nothing" test ! -s "$T/out"
}

expect_refused --save overdue --state "$T/pub" --save "$T/saved"
check "overdue --save: no folder made" test ! -e "$T/saved"
expect_refused --older reports --state "$T/pub" --older 1h
expect_refused --severity receipts --state "$T/pub" --severity high x
expect_refused --wait receipts --state "$T/pub" x --wait 5
expect_refused --save drill --state "$T/pub" --save "$T/saved"
expect_refused --silent-after agency add --state "$T/pub" --silent-after 1h \
    a "$T/pub/publisher.pub"
expect_refused --json agency remove --state "$T/pub" --json a
expect_refused --title status --state "$T/pub" --title x
expect_refused --json poll --state "$T/pub" --json
expect_refused --json publish --state "$T/pub" --severity high --title x \
    --json
expect_refused --bogus run --state "$T/pub" --bogus
expect_refused -x check-config -x
expect_refused --state overdue --state

# What a command does take still works (no agency: exit 1, empty list),
# once there is a journal (a lookup makes none).
"$PUB" agency add --state "$T/pub" a "$T/pub/publisher.pub" >/dev/null
"$PUB" agency remove --state "$T/pub" a >/dev/null
"$PUB" overdue --state "$T/pub" --severity high --older 1h --json \
    >"$T/out" 2>"$T/err"
check "overdue with its own options: exit 1 (nothing overdue)" \
    test $? -eq 1
check "overdue with its own options: no error" test ! -s "$T/err"
"$PUB" agency list --state "$T/pub" --silent-after 1h --json >"$T/out"
check "agency list with its own options: exit 1 (no agency)" test $? -eq 1
check_fails "nothing was added" grep -q '"name"' "$T/out"

finish
