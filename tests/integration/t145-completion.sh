#!/bin/sh
# Bash completion (completion/canhbao.bash, installed for both
# programs): commands, sub-commands and options come from the programs'
# own help, severities are offered, and show/ack/export complete the
# advisory ids of the archive the command line names.
. "$(dirname "$0")/lib.sh"

COMPLETION="$CANHBAO_TOP/completion/canhbao.bash"
# complete WORD...: what bash would offer for the last word.
complete_words() {
	PATH="$CANHBAO_BIN:$PATH" bash -c '
		. "$0"
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		_canhbao
		printf "%s\n" "${COMPREPLY[@]}"' "$COMPLETION" "$@"
}
offers() { # offers WANTED WORD...
	want=$1
	shift
	complete_words "$@" | grep -qx -- "$want"
}

check "the completion file is valid bash" bash -n "$COMPLETION"
check "publisher commands" offers receipts canhbao-pub re
check "subscriber commands" offers search canhbao-sub se
check "help COMMAND" offers handle-report canhbao-pub help h
check "sub-commands of agency" offers remove canhbao-pub agency ''
check "options of one command" offers --dry-run canhbao-pub publish --d
check "options every command takes" offers --state canhbao-sub list --s
check "no option twice" test "$(complete_words canhbao-sub list --s |
    grep -cx -- --state)" -eq 1
check "severities" offers critical canhbao-sub list --severity c
check_fails "nothing made up for a command without the option" \
    offers --dry-run canhbao-sub list --d

start_pub "$T/pub"
start_sub "$T/sub" "$PUB_EP" "$T/pub/publisher.pub" --no-desktop
ID=$("$PUB" publish --state "$T/pub" --severity high \
    --title 'Tấn công có chủ đích vào cổng thông tin' | tail -n 1)
has_it() { "$SUB" show --state "$T/sub" "$ID" >/dev/null 2>&1; }
wait_until 10 has_it
check "show completes the archive's ids" \
    offers "$ID" canhbao-sub show --state "$T/sub" "${ID%"${ID#???}"}"
check "ack completes them too (state given after the command)" \
    offers "$ID" canhbao-sub ack --by An --state "$T/sub" ''
finish
