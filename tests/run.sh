#!/bin/sh
# Run every test: the cmocka unit tests (one binary per module), the
# replay of every saved fuzz corpus, and the integration scripts.
# Prints one line per test and closes with "N passed, N failed".
#
#   CANHBAO_BIN    folder with canhbao-pub and canhbao-sub
#   CANHBAO_BUILD  build folder (tests/test_*, tests/replay_*)
#   T=PATTERN      run only the tests whose name contains PATTERN
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
build=${CANHBAO_BUILD:?CANHBAO_BUILD is not set}
export CANHBAO_BIN=${CANHBAO_BIN:?CANHBAO_BIN is not set}
export CANHBAO_TOP="$top"
pattern=${T:-}
passed=0 failed=0 failures=""
log=$(mktemp)
trap 'rm -f "$log"' EXIT INT TERM

selected() {
	[ -z "$pattern" ] && return 0
	case $1 in *"$pattern"*) return 0 ;; esac
	return 1
}

# cmocka in TAP form: one "ok"/"not ok" line per test case.
for t in "$build"/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	selected "$name" || continue
	CMOCKA_MESSAGE_OUTPUT=TAP "$t" >"$log" 2>&1
	rc=$?
	p=$(grep -c '^ok ' "$log")
	f=$(grep -c '^not ok ' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1 # crashed before reporting
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$f" -gt 0 ]; then
		failures="$failures $name"
		echo "FAIL $name"
		cat "$log"
	else
		echo "ok   $name ($p cases)"
	fi
done

# Saved fuzz corpora replay under gcc (and ASan in a SANITIZE build).
for r in "$build"/tests/replay_*; do
	[ -x "$r" ] || continue
	name=$(basename "$r")
	selected "$name" || continue
	target=${name#replay_fuzz_}
	corpus="$top/tests/fuzz/corpus/$target"
	if "$r" "$corpus" >"$log" 2>&1; then
		passed=$((passed + 1))
		echo "ok   $name ($(tail -n 1 "$log"))"
	else
		failed=$((failed + 1))
		failures="$failures $name"
		echo "FAIL $name"
		tail -n 30 "$log"
	fi
done

# Integration scripts: real processes on 127.0.0.1.
for s in "$top"/tests/integration/t[0-9]*.sh; do
	[ -f "$s" ] || continue
	name=$(basename "$s" .sh)
	selected "$name" || continue
	start=$(date +%s)
	if sh "$s" >"$log" 2>&1; then
		passed=$((passed + 1))
		echo "ok   $name ($(( $(date +%s) - start ))s)"
	else
		failed=$((failed + 1))
		failures="$failures $name"
		echo "FAIL $name"
		cat "$log"
	fi
done

[ -n "$failures" ] && echo "failed:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
