#!/bin/sh
# Exports verify for anyone with stock minisign, before and after key
# rotations: export -o FILE writes FILE, FILE.minisig, FILE.pub (the key
# that signed it) and FILE.pub.minisig (that key certified by the
# publisher's identity key), so that
#   minisign -Vm FILE.pub -p publisher.pub
#   minisign -Vm FILE -p FILE.pub
# both succeed, for a subscriber that followed two rotations live and
# for one that caught up on them afterwards; a FILE.pub that was
# tampered with fails the first.  canhbao-pub signing-key gives out
# the current signing key and its certificate.
. "$(dirname "$0")/lib.sh"

start_way_back live late
IDKEY="$T/pub/publisher.pub"

# run_sub NAME: a CurveZMQ subscriber of the publisher, up and with a
# heartbeat seen (so subscribed).
run_sub() {
	mark=$(log_mark "$T/$1.log")
	"$SUB" run --state "$T/$1" --broadcast "$BC" --requests "$REQS" \
	    --publisher-key "$IDKEY" --verbose --no-desktop --no-journal \
	    >>"$T/$1.out" 2>>"$T/$1.log" &
	track $!
	wait_heartbeat "$T/$1.log" "$mark" || fail "$1: no heartbeat"
}

# publish TITLE: publish a high advisory, its id appended to $T/ids.
publish() {
	"$PUB" publish --state "$T/pub" --severity high --title "$1" |
	    tail -n 1 >>"$T/ids"
}

# minisign_ok FILE KEY: stock minisign verifies FILE with KEY.
minisign_ok() {
	minisign -q -Vm "$1" -p "$2" >/dev/null 2>&1
}

# exported NAME N: export the Nth advisory from NAME's archive to
# $T/NAME-N; then check the four files with stock minisign.
exported() {
	f="$T/$1-$2"
	id=$(sed -n "${2}p" "$T/ids")
	"$SUB" export --state "$T/$1" -o "$f" "$id" >"$f.paths" 2>"$f.err"
	check "$1: export of advisory $2 succeeds" test $? -eq 0
	check "$1: it writes FILE.pub and FILE.pub.minisig" \
	    test -s "$f.pub" -a -s "$f.pub.minisig"
	check "$1: and names all four files" test "$(wc -l <"$f.paths")" -eq 4
	check "$1: minisign -Vm FILE.pub -p publisher.pub (advisory $2)" \
	    minisign_ok "$f.pub" "$IDKEY"
	check "$1: minisign -Vm FILE -p FILE.pub (advisory $2)" \
	    minisign_ok "$f" "$f.pub"
}

# all_exported NAME: once NAME has archived the last advisory, export
# and check each of the three.
all_exported() {
	wait_until 15 grep -q 'Sau lần đổi khoá thứ hai' "$T/$1.out" ||
	    fail "$1 did not archive everything"
	for n in 1 2 3; do
		exported "$1" "$n"
	done
}

run_sub live
publish 'Trước lần đổi khoá thứ nhất'
"$PUB" rotate-key --state "$T/pub" >/dev/null || fail "first rotate-key"
publish 'Giữa hai lần đổi khoá'
"$PUB" rotate-key --state "$T/pub" >/dev/null || fail "second rotate-key"
publish 'Sau lần đổi khoá thứ hai'
all_exported live
check "before any rotation FILE.pub is publisher.pub" \
    cmp -s "$T/live-1.pub" "$IDKEY"
check "after two rotations FILE.pub is the current signing key" \
    cmp -s "$T/live-3.pub" "$T/pub/signing.pub"
check "each rotation's advisory names a different key" \
    test "$(cat "$T"/live-[123].pub | sort -u | grep -vc comment)" -eq 3
check_fails "the second key does not verify what the third signed" \
    minisign_ok "$T/live-3" "$T/live-2.pub"

# A tampered FILE.pub (another key, put in its place) is refused by the
# certificate check.
"$SUB" keygen --state "$T/mallory" >/dev/null
cp "$T/mallory/agency.pub" "$T/live-3.pub"
check_fails "a tampered FILE.pub fails minisign -Vm FILE.pub -p publisher.pub" \
    minisign_ok "$T/live-3.pub" "$IDKEY"

# A subscriber that was off during both rotations gets them, and their
# certificates, with its catch-up.
run_sub late
all_exported late
check "the late subscriber's export of advisory 2 has the same key" \
    cmp -s "$T/late-2.pub" "$T/live-2.pub"

# The current signing key, given out by the publisher.
"$PUB" signing-key --state "$T/pub" -o "$T/signing" >/dev/null
check "signing-key writes the key" cmp -s "$T/signing" "$T/pub/signing.pub"
check "signing-key's certificate verifies with publisher.pub" \
    minisign_ok "$T/signing" "$IDKEY"
check "and the key verifies what it signed" minisign_ok "$T/live-3" \
    "$T/signing"
"$PUB" signing-key --state "$T/pub" >"$T/signing.txt"
check "without -o it prints the key file and its certificate" \
    test "$(head -n 2 "$T/signing.txt")" = "$(cat "$T/signing")"

finish
