#!/bin/sh
# The archive checked again: verify follows a key rotation (a rotation
# that does not verify is named; the key it names still checks the
# messages after it), names
# exactly the messages damaged (a signed byte, a signature byte, an
# indexed column, a rotation) and exits 1, 0 when nothing is; export
# writes nothing for a message that no longer verifies; lookups on a
# damaged archive (truncated, a page overwritten, the search index
# damaged) exit 2 with a message naming the archive, never 1.
. "$(dirname "$0")/lib.sh"

start_pub "$T/pub"
start_sub "$T/sub" "$PUB_EP" "$T/pub/publisher.pub" --no-desktop \
    --no-journal
for t in 'Một' 'Hai' 'Ba'; do
	"$PUB" publish --state "$T/pub" --severity high --title "Cảnh báo $t" |
	    tail -n 1 >>"$T/ids"
done
"$PUB" rotate-key --state "$T/pub" >/dev/null || fail "rotate-key"
for t in 'Bốn' 'Năm'; do
	"$PUB" publish --state "$T/pub" --severity high --title "Cảnh báo $t" |
	    tail -n 1 >>"$T/ids"
done
wait_until 15 grep -q 'Cảnh báo Năm' "$T/sub.out" ||
    fail "the subscriber did not archive everything"
stop_all
# seqs 1-3 under the first key, 4 the rotation, 5-6 under the new key
ID2=$(sed -n 2p "$T/ids")
ID6=$(sed -n 5p "$T/ids")

# verify DIR [OPTIONS]: run verify, output in $T/v.out; its exit status
verify() {
	d=$1
	shift
	"$SUB" verify --state "$d" "$@" >"$T/v.out" 2>"$T/v.err"
}
# damaged: the sequences verify named, space-separated
damaged() {
	sed -n 's/^seq \([0-9]*\): .*/\1/p' "$T/v.out" | tr '\n' ' '
}

verify "$T/sub"
check "verify passes an undamaged archive (exit 0)" test $? -eq 0
check "and counts what it checked, rotation included" \
    grep -q '^5 messages, 1 key rotations, 0 damaged$' "$T/v.out"
verify "$T/sub" --publisher-key "$T/pub/publisher.pub" --json
check "the same with the key given, in JSON" test $? -eq 0
check "JSON counts" "$PY" -c 'import json,sys
d = json.load(open(sys.argv[1]))
sys.exit(not (d["messages"] == 5 and d["rotations"] == 1 and
              d["damaged"] == 0 and d["problems"] == []))' "$T/v.out"
"$PUB" keygen --state "$T/other" >/dev/null
verify "$T/sub" --publisher-key "$T/other/publisher.pub"
check "under another publisher's key everything fails (exit 1)" \
    test $? -eq 1
check "the rotation and every message it signed named" \
    test "$(damaged)" = "4 1 2 3 "
"$SUB" export --state "$T/sub" -o "$T/e6" "$ID6" >/dev/null
check "export after the rotation verifies" test $? -eq 0
check "and writes both files" test -s "$T/e6" -a -s "$T/e6.minisig"

# Damage single messages with sqlite3, directly in the file.
cp -r "$T/sub" "$T/d"
sqlite3 "$T/d/archive.db" "
UPDATE message SET signed = substr(signed, 1, 40) ||
    CASE substr(signed, 41, 1) WHEN x'58' THEN x'59' ELSE x'58' END ||
    substr(signed, 42) WHERE seq = 2;
UPDATE message SET sigblock = substr(sigblock, 1, 30) ||
    CASE substr(sigblock, 31, 1) WHEN x'00' THEN x'01' ELSE x'00' END ||
    substr(sigblock, 32) WHERE seq = 5;
UPDATE message SET adv_id = 'local:khac' WHERE seq = 6;"
verify "$T/d"
check "verify finds damage (exit 1)" test $? -eq 1
check "and names exactly seqs 2, 5 and 6" test "$(damaged)" = "2 5 6 "
check "with what is wrong" grep -q "^seq 6: .*adv_id column 'local:khac'" \
    "$T/v.out"
check "and a summary" grep -q '^5 messages, 1 key rotations, 3 damaged$' \
    "$T/v.out"

mkdir "$T/out"
"$SUB" export --state "$T/d" -o "$T/out/adv" "$ID2" >/dev/null 2>"$T/e.err"
check "export of a message that no longer verifies exits 2" test $? -eq 2
check "says so" grep -q 'does not verify' "$T/e.err"
check "and leaves nothing behind" test -z "$(ls -A "$T/out")"

cp -r "$T/sub" "$T/r"
sqlite3 "$T/r/archive.db" "UPDATE publisher_key SET signed =
    substr(signed, 1, 40) ||
    CASE substr(signed, 41, 1) WHEN x'00' THEN x'01' ELSE x'00' END ||
    substr(signed, 42)"
verify "$T/r"
check "a damaged rotation is named by its seq" test "$(damaged)" = "4 "

# lookup DIR CMD...: a lookup on a damaged archive must exit 2 and
# name the archive
lookup_fails() {
	d=$1
	shift
	"$SUB" "$@" --state "$d" >/dev/null 2>"$T/l.err"
	rc=$?
	test $rc -eq 2 && grep -q "$d/archive.db" "$T/l.err"
}
lookups_fail() {
	what=$1 d=$2
	for c in list 'search cảnh' 'search khongcotu' "show $ID2" \
	    'show local:khong-co' "export -o $T/x $ID2" 'verify'; do
		# shellcheck disable=SC2086 # the words of the command
		check "$what: $c exits 2 naming the archive" \
		    lookup_fails "$d" $c
	done
}

cp -r "$T/sub" "$T/t"
truncate -s 8192 "$T/t/archive.db"
lookups_fail "truncated" "$T/t"

# The page of the index by advisory id overwritten: lookups by id
# would find nothing, without an error, were the file not checked.
cp -r "$T/sub" "$T/p"
root=$(sqlite3 "$T/p/archive.db" \
    "SELECT rootpage FROM sqlite_master WHERE name = 'message_adv'")
psize=$(sqlite3 "$T/p/archive.db" 'PRAGMA page_size')
dd if=/dev/zero of="$T/p/archive.db" bs="$psize" seek=$((root - 1)) \
    count=1 conv=notrunc 2>/dev/null
for c in "show $ID2" 'show local:khong-co' "export -o $T/x $ID2" verify; do
	# shellcheck disable=SC2086
	check "page overwritten: $c exits 2 naming the archive" \
	    lookup_fails "$T/p" $c
done

# A message gone from under the search index: the hit cannot be shown.
cp -r "$T/sub" "$T/f"
sqlite3 "$T/f/archive.db" "DELETE FROM message WHERE seq = 3"
check "search index naming a lost message: search exits 2" \
    lookup_fails "$T/f" search 'Ba'
verify "$T/f"
check "verify exits 1" test $? -eq 1
check "naming the search index" grep -q '^search index: 1 rows name no archived' \
    "$T/v.out"
# The index's own data damaged.
cp -r "$T/sub" "$T/i"
sqlite3 "$T/i/archive.db" "UPDATE search_data SET block = zeroblob(length(block))
    WHERE id > 10"
check "search index data damaged: search exits 2" \
    lookup_fails "$T/i" search 'cảnh'
verify "$T/i"
check "verify exits 1" test $? -eq 1
check "naming the search index" grep -q '^search index: ' "$T/v.out"

check "the undamaged archive still verifies" verify "$T/sub"
finish
