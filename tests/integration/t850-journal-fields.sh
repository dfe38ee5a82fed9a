#!/bin/sh
# Under systemd the daemons log to the journal, each line one entry with
# PRIORITY, SYSLOG_IDENTIFIER and the CANHBAO_* fields of what it is
# about (journalctl CANHBAO_SEVERITY=critical).  No systemd here: the
# test runs in its own mount namespace with an empty /run, where a
# reader of journald's native protocol listens on
# /run/systemd/journal/socket, and the publisher's stderr is the file
# that JOURNAL_STREAM names, as systemd would set it.
. "$(dirname "$0")/journald.sh"

play_journald "$T/journal.json"

"$PUB" keygen --state "$T/pub" >/dev/null
"$SUB" keygen --state "$T/so-y-te" >/dev/null
"$PUB" agency add --state "$T/pub" so-y-te "$T/so-y-te/agency.pub" >/dev/null
make_feed "$T/feed.json" 1 KEV
BC="ipc://$T/broadcast.sock" REQS="ipc://$T/requests.sock"
# The configuration of the suite, with CurveZMQ (agencies have names).
BCAST=$BC REQS=$REQS pub_conf "$T/pub" "$T/feed.json" |
    grep -v '^insecure' >"$T/pub.conf"
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
    entries CANHBAO_FEED=bulk PRIORITY=6
check "the feed's advisory: id, sequence, severity and feed" \
    entries CANHBAO_ID=bulk:KEV-00000 CANHBAO_SEQ=1 CANHBAO_SEVERITY=critical \
    CANHBAO_FEED=bulk
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
