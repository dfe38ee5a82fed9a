#!/bin/sh
# keygen: a private state folder, a 0600 secret key created exclusively,
# and a public key in minisign's format that stock minisign accepts.
. "$(dirname "$0")/lib.sh"

check "keygen succeeds" sh -c '"$0" keygen --state "$1/state" >/dev/null' \
    "$PUB" "$T"
check "state folder is 0700" test "$(stat -c %a "$T/state")" = 700
check "secret key is 0600" test "$(stat -c %a "$T/state/publisher.key")" = 600
check "public key is minisign's" \
    grep -q '^untrusted comment: minisign public key ' "$T/state/publisher.pub"

cp "$T/state/publisher.key" "$T/before"
"$PUB" keygen --state "$T/state" 2>"$T/err"
check "keygen refuses to overwrite (exit 2)" test $? -eq 2
check "and says so" grep -q 'refusing to overwrite' "$T/err"
check "the old key is untouched" cmp -s "$T/before" "$T/state/publisher.key"

# Stock minisign signs with our secret key and verifies with our public key.
echo "Cảnh báo" >"$T/file"
check "minisign signs with the secret key" \
    sh -c 'minisign -S -s "$0" -m "$1" -W >/dev/null 2>&1 ||
	   minisign -S -s "$0" -m "$1" </dev/null >/dev/null 2>&1' \
    "$T/state/publisher.key" "$T/file"
check "minisign verifies with the public key" \
    minisign -Vm "$T/file" -p "$T/state/publisher.pub" -q

chmod 644 "$T/state/publisher.key"
"$PUB" run --state "$T/state" --broadcast 'tcp://127.0.0.1:*' --insecure \
    >"$T/run.log" 2>&1
check "run refuses a readable secret key (exit 2)" test $? -eq 2
check "and names the problem" grep -q 'accessible by others' "$T/run.log"

finish
