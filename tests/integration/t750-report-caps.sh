#!/bin/sh
# The caps of the way back, exactly: an attachment of exactly 4 MiB
# arrives intact and one byte more is refused by the subscriber; the
# publisher keeps an attachment and a report payload of exactly their
# caps and refuses one byte more for good, saying why; a refused entry
# stays in the agency's outbox with the reason, which `canhbao-sub
# status` shows; a SUBMIT whose signature block is malformed is refused
# for good, not "try later".
. "$(dirname "$0")/lib.sh"

start_way_back so-y-te
CAP=4194304

head -c "$CAP" /dev/urandom >"$T/cap.pcap"
"$SUB" report --state "$T/so-y-te" --severity high --title 'Đúng giới hạn' \
    --attach "$T/cap.pcap" >/dev/null 2>"$T/cap.err"
check "the subscriber queues an attachment of exactly the cap" test $? -eq 0
head -c $((CAP + 1)) /dev/urandom >"$T/over.pcap"
"$SUB" report --state "$T/so-y-te" --severity high --title 'Quá một byte' \
    --attach "$T/over.pcap" >/dev/null 2>"$T/over.err"
check "and refuses one byte more (exit 2)" test $? -eq 2
check "saying it is over the cap" grep -q 'over the cap' "$T/over.err"
head -c $((CAP - 1)) /dev/urandom >"$T/most.bin"
head -c 2 /dev/urandom >"$T/two.bin"
"$SUB" report --state "$T/so-y-te" --severity low --title 'Hai tệp' \
    --attach "$T/most.bin" --attach "$T/two.bin" >/dev/null 2>&1
check "and two attachments one byte over together (exit 2)" test $? -eq 2

# An entry the publisher refuses for good (here, one whose payload
# another program put in the outbox).
sqlite3 "$T/so-y-te/archive.db" "INSERT INTO outbox (type, payload, created)
    VALUES (6, '{\"severity\":\"bogus\",\"title\":\"Sai mức độ\",
    \"filed\":\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\"}', 0)" ||
    fail "inserting a bad entry"

"$SUB" run --state "$T/so-y-te" --broadcast "$BC" --requests "$REQS" \
    --publisher-key "$T/pub/publisher.pub" >>"$T/sub.out" 2>>"$T/sub.log" &
track $!
arrived() { "$PUB" reports --state "$T/pub" --json | grep -q "$1"; }
wait_until 60 arrived 'Đúng giới hạn'
check "the report with a 4 MiB attachment arrives" arrived 'Đúng giới hạn'
mkdir "$T/saved"
"$PUB" reports --state "$T/pub" --save "$T/saved" >/dev/null
check "its attachment intact" cmp -s "$T/cap.pcap" "$T"/saved/so-y-te-*-cap.pcap

refused_shown() { "$SUB" status --state "$T/so-y-te" | grep -q "$1"; }
wait_until 30 refused_shown "unknown severity 'bogus'"
check "status shows the refused report with the publisher's reason" \
    refused_shown "unknown severity 'bogus'"
check "and its title" refused_shown 'Sai mức độ'
"$SUB" status --state "$T/so-y-te" --json >"$T/status.json"
check "status --json lists it with the reason" "$PY" -c '
import json, sys
s = json.load(open(sys.argv[1]))
r = [e for e in s["refused"] if e["title"] == "Sai mức độ"]
assert s["outbox_pending"] == 0 and len(r) == 1, s
assert "unknown severity" in r[0]["reason"], r
assert r[0]["type"] == "incident report", r' "$T/status.json"

# Exactly at the publisher's caps, and one byte over, from an
# independent client signing with the agency's key.
payload() { # ATTACH_BYTES PAD_TO
	"$PY" -c '
import base64, json, os, sys, time
n, pad = int(sys.argv[1]), int(sys.argv[2])
p = json.dumps({"severity": "low", "title": "t%d" % n,
    "filed": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    "attachments": [{"name": "a.bin",
        "data": base64.b64encode(os.urandom(n)).decode()}]})
sys.stdout.write(p + " " * (pad - len(p)) if pad else p)' "$1" "$2"
}
submit() { # SEQ PAYLOAD_FILE
	"$PY" "$TOP/tests/integration/wire_client.py" submit "$REQS" \
	    "$T/so-y-te/agency.key" 6 "$1" "$2"
}
export CB_AGENCY_KEY="$T/so-y-te/agency.key" CB_PUBLISHER_PUB="$T/pub/publisher.pub"
payload "$CAP" 0 >"$T/p1"
check "the publisher keeps an attachment of exactly the cap" \
    test "$(submit 1 "$T/p1")" = "status 0"
payload $((CAP + 1)) 0 >"$T/p2"
submit 2 "$T/p2" >"$T/p2.out" 2>&1
check "and refuses one byte more for good, saying why" \
    grep -q '^status 1 highest 0 reason .*over the cap' "$T/p2.out"
payload 1000 6291456 >"$T/p3"
check "keeps a report payload of exactly 6 MiB" \
    test "$(submit 3 "$T/p3")" = "status 0"
payload 1000 6291457 >"$T/p4"
submit 4 "$T/p4" >"$T/p4.out" 2>&1
check "and refuses one byte more for good" grep -q '^status 1 ' "$T/p4.out"

"$PY" "$TOP/tests/integration/wire_client.py" badsig "$REQS" >"$T/badsig.out" 2>&1
for c in short algorithm comment-length; do
	check "a malformed signature block ($c) is refused for good" \
	    grep -q "^$c: status 1 " "$T/badsig.out"
done

finish
