# bash completion for canhbao-pub, canhbao-sub and canhbao-relay -*- shell-script -*-
#
# Installed as .../bash-completion/completions/canhbao-pub,
# canhbao-sub and canhbao-relay.  Commands and options are read from the program's own
# help ("PROG --help", "PROG help COMMAND"), so this file never falls
# behind the program; advisory ids for show/ack/export come from
# "canhbao-sub list --json".

# The commands, from the usage lines of "PROG --help".
_canhbao_commands()
{
	"$1" --help 2>/dev/null | sed -n \
	    -e 's/^usage: [^ ]* \([a-z-]*\).*/\1/p' \
	    -e 's/^       [^ ]* \([a-z-]*\).*/\1/p' | sort -u
}

# The sub-commands of a command with them ("agency add").
_canhbao_subcommands()
{
	"$1" --help 2>/dev/null | sed -n \
	    -e "s/^\(usage:\)\{0,1\} *[^ ]* $2 \([a-z][a-z-]*\) .*/\2/p" | sort -u
}

# The options of one command, from "PROG help COMMAND".
_canhbao_options()
{
	{
		"$1" help "$2" 2>/dev/null | grep -o -- '-\{1,2\}[a-z][a-z-]*'
		printf '%s\n' -c --state -h --help
	} | sort -u
}

# The ids in the archive the command line names (its --state or -c, if
# given, else the one canhbao-sub finds itself).
_canhbao_ids()
{
	"$1" list "${@:2}" --json --limit 200 2>/dev/null |
	    sed -n 's/^[[:space:]]*"id":[[:space:]]*"\([^"]*\)".*/\1/p'
}

_canhbao()
{
	local cur prev prog cmd i
	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	prog=${COMP_WORDS[0]}

	local where=()
	cmd=
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-c | --state)
			where+=("${COMP_WORDS[i]}" "${COMP_WORDS[i + 1]}")
			((i++)) ;;
		-o | --*key | --file | --save | --attach | --details | --on-*)
			((i++)) ;;
		-*) ;;
		*) cmd=${COMP_WORDS[i]}; break ;;
		esac
	done

	case $prev in
	-c | --file | --publisher-key | --attach | --details | -o | \
	--revoked-keys | --on-advisory | --on-report)
		COMPREPLY=($(compgen -f -- "$cur"))
		return ;;
	--state | --save | --ca-path)
		COMPREPLY=($(compgen -d -- "$cur"))
		return ;;
	--severity | --min-severity)
		COMPREPLY=($(compgen -W "critical high medium low info" \
		    -- "$cur"))
		return ;;
	esac

	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--help --version -c --state" \
			    -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(_canhbao_commands "$prog")" \
			    -- "$cur"))
		fi
		return
	fi
	if [[ $cmd == help ]]; then
		COMPREPLY=($(compgen -W "$(_canhbao_commands "$prog")" \
		    -- "$cur"))
		return
	fi
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_canhbao_options "$prog" "$cmd")" \
		    -- "$cur"))
		return
	fi
	if [[ $prev == "$cmd" ]]; then
		local subs
		subs=$(_canhbao_subcommands "$prog" "$cmd")
		if [[ -n $subs ]]; then
			COMPREPLY=($(compgen -W "$subs" -- "$cur"))
			return
		fi
	fi
	for ((i++; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-c | --state)
			where+=("${COMP_WORDS[i]}" "${COMP_WORDS[i + 1]}")
			((i++)) ;;
		esac
	done
	case $prog:$cmd in
	*canhbao-sub:show | *canhbao-sub:ack | *canhbao-sub:export)
		COMPREPLY=($(compgen -W "$(_canhbao_ids "$prog" "${where[@]}")" \
		    -- "$cur")) ;;
	esac
}
complete -F _canhbao canhbao-pub canhbao-sub canhbao-relay
