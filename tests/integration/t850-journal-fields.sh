#!/bin/sh
# Under systemd the daemons log to the journal, each line one entry with
# PRIORITY, SYSLOG_IDENTIFIER and the CANHBAO_* fields of what it is
# about (journalctl CANHBAO_SEVERITY=critical).  No systemd here: the
# test runs in its own mount namespace with an empty /run, where a
# reader of journald's native protocol listens on
# /run/systemd/journal/socket, and the publisher's stderr is the file
# that JOURNAL_STREAM names, as systemd would set it.
if [ -z "${CANHBAO_IN_NS:-}" ]; then
	CANHBAO_IN_NS=1 exec unshare --mount --propagation private sh "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"

mount -t tmpfs -o mode=0755 tmpfs /run || { fail "cannot mount /run"; finish; }
mkdir -p /run/systemd/journal
# One JSON object per datagram; fields in the plain ("NAME=value\n") or
# the binary ("NAME\n", 64-bit little-endian length, value, "\n") form.
"$PY" - "$T/journal.json" <<'PYEOF' &
import json, socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/run/systemd/journal/socket")
out = open(sys.argv[1], "a", encoding="utf-8", buffering=1)
s.settimeout(120)
while True:
    try:
        data = s.recv(1 << 20)
    except socket.timeout:
        break
    entry, i = {}, 0
    while i < len(data):
        nl = data.index(b"\n", i)
        line = data[i:nl]
        if b"=" in line:
            k, v = line.split(b"=", 1)
            i = nl + 1
        else:
            k = line
            n = struct.unpack("<Q", data[nl + 1:nl + 9])[0]
            v = data[nl + 9:nl + 9 + n]
            i = nl + 9 + n + 1
        entry[k.decode()] = v.decode("utf-8", "replace")
    out.write(json.dumps(entry, ensure_ascii=False) + "\n")
PYEOF
track $!
wait_until 5 test -S /run/systemd/journal/socket ||
    { fail "no journal socket"; finish; }

"$PUB" keygen --state "$T/pub" >/dev/null
"$SUB" keygen --state "$T/so-y-te" >/dev/null
"$PUB" agency add --state "$T/pub" so-y-te "$T/so-y-te/agency.pub" >/dev/null
make_feed "$T/feed.json" 1 KEV
BC="ipc://$T/broadcast.sock" REQS="ipc://$T/requests.sock"
cat >"$T/pub.conf" <<CONF
[publisher]
state = $T/pub
broadcast = $BC
requests = $REQS
heartbeat = 1

[feed "quoc-gia"]
url = file://$T/feed.json
format = json
backfill = all
interval = 3600
CONF
: >"$T/pub.log"
JOURNAL_STREAM=$(stat -c '%d:%i' "$T/pub.log") \
    "$PUB" run -c "$T/pub.conf" 2>>"$T/pub.log" &
track $!
wait_until 10 test -S "$T/pub/control.sock" ||
    { fail "publisher did not start"; finish; }
: >"$T/so-y-te.log"
JOURNAL_STREAM=$(stat -c '%d:%i' "$T/so-y-te.log") \
    "$SUB" run --state "$T/so-y-te" --broadcast "$BC" --requests "$REQS" \
    --publisher-key "$T/pub/publisher.pub" --presence 1 --verbose \
    --no-desktop --no-journal >>"$T/so-y-te.out" 2>>"$T/so-y-te.log" &
track $!
wait_until 15 grep -q '"heartbeat: the publisher is at seq 1' \
    "$T/journal.json" || fail "the subscriber saw no heartbeat"

ID=$("$PUB" publish --state "$T/pub" --severity critical \
    --title 'Khẩn: vá lỗ hổng VPN ngay' | tail -n 1)
# entries FIELD=VALUE...: the journal has an entry with these fields.
entries() {
	"$PY" - "$T/journal.json" "$@" <<'PYEOF'
import json, sys
want = dict(a.split("=", 1) for a in sys.argv[2:])
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
sys.exit(0 if any(all(r.get(k) == v for k, v in want.items())
                  for r in rows) else 1)
PYEOF
}
wait_until 10 entries CANHBAO_ID="$ID" ||
    fail "the advisory published is in the journal"
check "a critical advisory: its id, sequence and severity as fields" \
    entries CANHBAO_ID="$ID" CANHBAO_SEQ=2 CANHBAO_SEVERITY=critical \
    PRIORITY=6 SYSLOG_IDENTIFIER=canhbao-pub
wait_until 10 entries CANHBAO_AGENCY=so-y-te PRIORITY=6 ||
    fail "the agency's contact is in the journal"
check "the agency's contact: the agency as a field" \
    entries CANHBAO_AGENCY=so-y-te SYSLOG_IDENTIFIER=canhbao-pub
check "the feed's poll: the feed as a field" \
    entries CANHBAO_FEED=quoc-gia PRIORITY=6
check "the feed's advisory: id, sequence, severity and feed" \
    entries CANHBAO_ID=quoc-gia:KEV-00000 CANHBAO_SEQ=1 CANHBAO_SEVERITY=critical \
    CANHBAO_FEED=quoc-gia
check "a line about nothing in particular has no such fields" "$PY" -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
r = [r for r in rows if r["MESSAGE"].startswith("ready:") and
     r["SYSLOG_IDENTIFIER"] == "canhbao-pub"]
assert len(r) == 1 and not any(k.startswith("CANHBAO_") or
                               k.startswith("CODE_") for k in r[0]), r
' "$T/journal.json"
check_fails "what went to the journal is not on stderr too" \
    grep -q published "$T/pub.log"
wait_until 10 entries SYSLOG_IDENTIFIER=canhbao-sub CANHBAO_ID="$ID" ||
    fail "the subscriber's log line about the advisory is in the journal"
check "the subscriber archived it: id, sequence and severity as fields" \
    entries SYSLOG_IDENTIFIER=canhbao-sub CANHBAO_ID="$ID" CANHBAO_SEQ=2 \
    CANHBAO_SEVERITY=critical PRIORITY=6
check "its debug lines are in the journal at debug priority" \
    entries SYSLOG_IDENTIFIER=canhbao-sub PRIORITY=7 \
    MESSAGE='heartbeat: the publisher is at seq 1'
finish
