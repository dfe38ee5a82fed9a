#!/bin/sh
# The command line a sysadmin expects: help on every program and
# command (stdout, exit 0), --version, a wrong or missing option named
# in one line with the right form, the state folder found without
# --state ($CANHBAO_STATE, $STATE_DIRECTORY, the XDG folder), the
# configuration found without -c and -c taken by the lookups, and a
# lookup in a folder without a journal or archive that says so, exit 2,
# and creates nothing.
. "$(dirname "$0")/lib.sh"

# helps DESCRIPTION PROGRAM ARGS...: exit 0, a usage on stdout, nothing
# on stderr.
helps() {
	what=$1
	shift
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	check "$what: exit 0" test "$rc" -eq 0
	check "$what: usage on stdout" grep -q '^usage: ' "$T/out"
	check "$what: nothing on stderr" test ! -s "$T/err"
}

# refused DESCRIPTION PATTERN PROGRAM ARGS...: exit 2, one line on
# stderr that holds PATTERN, nothing on stdout.
refused() {
	what=$1 pattern=$2
	shift 2
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	check "$what: exit 2" test "$rc" -eq 2
	check "$what: one line" test "$(wc -l <"$T/err")" -eq 1
	check "$what: names it" grep -q -- "$pattern" "$T/err"
	check "$what: nothing on stdout" test ! -s "$T/out"
}

for p in "$PUB" "$SUB"; do
	n=$(basename "$p")
	helps "$n --help" "$p" --help
	helps "$n -h" "$p" -h
	helps "$n help" "$p" help
	helps "$n help keygen" "$p" help keygen
	helps "$n keygen --help" "$p" keygen --help
	"$p" --version >"$T/out" 2>&1
	check "$n --version: exit 0" test $? -eq 0
	check "$n --version: name and version" grep -q "^$n [0-9]" "$T/out"
	refused "$n unknown command" "unknown command 'frob'" "$p" frob
done
helps "canhbao-sub ack -h" "$SUB" ack -h
check "ack -h: its own usage" grep -q '^usage: canhbao-sub ack ' "$T/out"
helps "canhbao-pub agency add --help" "$PUB" agency add --help
helps "canhbao-pub help agency" "$PUB" help agency
check "help agency: each verb" test "$(grep -c 'canhbao-pub agency' \
    "$T/out")" -eq 3

mkdir -m 700 "$T/empty"
refused "wrong option" "list: unknown option '--bogus'" \
    "$SUB" list --state "$T/empty" --bogus
refused "another command's option" "show: unknown option '--by'" \
    "$SUB" show --state "$T/empty" --by me x
refused "missing --by" \
    "ack: missing --by NAME; usage: canhbao-sub ack .*--by NAME" \
    "$SUB" ack --state "$T/empty" x
refused "missing ID" "show: missing ID" "$SUB" show --state "$T/empty"
refused "missing --title" "report: missing --title TEXT" \
    "$SUB" report --state "$T/empty" --severity high
refused "missing operand (pub)" "receipts: missing ID" \
    "$PUB" receipts --state "$T/empty"
refused "bad severity (sub)" "unknown severity 'severe' (use critical" \
    "$SUB" report --state "$T/empty" --severity severe --title x
refused "bad severity (pub)" "unknown severity 'severe' (use critical" \
    "$PUB" overdue --state "$T/empty" --severity severe
refused "missing -c file" "nothing.conf" \
    "$SUB" list -c "$T/nothing.conf"

# Lookups in a folder without a journal or archive: exit 2, nothing made.
for c in "receipts x" "overdue" "reports" "agency list" "drill"; do
	# shellcheck disable=SC2086 # the command's words
	"$PUB" $c --state "$T/empty" >"$T/out" 2>"$T/err"
	check "pub $c in an empty folder: exit 2" test $? -eq 2
	check "pub $c: says so" grep -q "no journal in '$T/empty'" "$T/err"
done
for c in "list" "show x" "status" "search word" "ack --by me x"; do
	# shellcheck disable=SC2086
	"$SUB" $c --state "$T/empty" >"$T/out" 2>"$T/err"
	check "sub $c in an empty folder: exit 2" test $? -eq 2
	check "sub $c: says so" grep -q "no archive in '$T/empty'" "$T/err"
done
check "the empty folder stays empty" test -z "$(ls -A "$T/empty")"
CANHBAO_STATE="$T/absent" "$PUB" receipts x >/dev/null 2>&1
check "a missing folder is not created" test ! -e "$T/absent"

# Where the state folder is without --state.
CANHBAO_STATE="$T/env-pub" "$PUB" keygen >/dev/null
check "publisher: \$CANHBAO_STATE" test -f "$T/env-pub/publisher.key"
STATE_DIRECTORY="$T/systemd:$T/other" "$PUB" keygen >/dev/null
check "publisher: \$STATE_DIRECTORY's first folder" \
    test -f "$T/systemd/publisher.key"
CANHBAO_STATE="$T/env-sub" "$SUB" keygen >/dev/null
check "subscriber: \$CANHBAO_STATE" test -f "$T/env-sub/agency.pub"
"$SUB" keygen >/dev/null
check "subscriber: \$XDG_STATE_HOME/canhbao" \
    test -f "$XDG_STATE_HOME/canhbao/agency.pub"
mkdir "$T/home"
(unset XDG_STATE_HOME; HOME="$T/home" "$SUB" keygen >/dev/null)
check "subscriber: ~/.local/state/canhbao" \
    test -f "$T/home/.local/state/canhbao/agency.pub"
CANHBAO_STATE="$T/nowhere" "$SUB" keygen --state "$T/flag" >/dev/null
check "--state comes first" test -f "$T/flag/agency.pub"
check "... and nothing is made where the environment points" \
    test ! -e "$T/nowhere"

# Lookups on a real archive and journal, found through the environment,
# -c FILE, or the configuration file found by itself.
start_pub "$T/pub"
start_sub "$T/sub" "$PUB_EP" "$T/pub/publisher.pub"
id=$(CANHBAO_STATE="$T/pub" "$PUB" publish --severity high --title \
    "cli test")
wait_until 10 sh -c "test \"\$(CANHBAO_STATE='$T/sub' '$SUB' list \
    --json | grep -c '\"$id\"')\" -gt 0"
check "sub list through \$CANHBAO_STATE" \
    sh -c "CANHBAO_STATE='$T/sub' '$SUB' list | grep -q 'cli test'"
# (before show, which marks it read)
check "the pop-up's hint runs as printed" \
    "$SUB" list --state "$T/sub" --unread
printf '[subscriber]\nstate = %s\n' "$T/sub" >"$T/sub.conf"
check "sub show -c FILE" sh -c "'$SUB' show -c '$T/sub.conf' '$id' |
    grep -q 'cli test'"
mkdir -p "$XDG_CONFIG_HOME/canhbao"
cp "$T/sub.conf" "$XDG_CONFIG_HOME/canhbao/sub.conf"
check "sub show with \$XDG_CONFIG_HOME/canhbao/sub.conf" \
    sh -c "'$SUB' show '$id' | grep -q 'cli test'"
printf '[publisher]\nstate = %s\n' "$T/pub" >"$T/pub.conf"
check "pub receipts -c FILE" sh -c "'$PUB' receipts -c '$T/pub.conf' '$id' |
    grep -q '^AGENCY'"
check "check-config: the state the file names" \
    sh -c "'$PUB' check-config -c '$T/pub.conf' | grep -q 'state $T/pub,'"
check "pub status through CANHBAO_CONFIG" \
    sh -c "CANHBAO_CONFIG='$T/pub.conf' '$PUB' status >/dev/null"

# Errors name what the user named, never a temporary file.
"$PUB" poll --state "$T/pub" nofeed 2>"$T/err"
check "poll: an unknown feed named" grep -q "no feed 'nofeed'" "$T/err"
"$SUB" export --state "$T/sub" -o "$T/nonexistent/x" "$id" 2>"$T/err"
check "export -o: the file named" grep -q "'$T/nonexistent/x'" "$T/err"
check_fails "export -o: no temporary file named" grep -q "x\.tmp" "$T/err"
finish
