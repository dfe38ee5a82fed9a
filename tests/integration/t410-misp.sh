#!/bin/sh
# MISP in, end to end: a local HTTP server serves a MISP feed (the real
# samples: three chrome-mal-ids events and CIRCL's Xorist event, with a
# manifest naming them and an unpublished event), and a local ZeroMQ PUB
# behaves as a MISP instance does (one frame "<topic> <json>",
# keep-alives on misp_json_self, ZMQ PLAIN).  The publisher ingests
# both, a subscriber archives what it signs: each event once, a changed
# one as revision 2, ransomware as critical, indicators carried and
# shown; hostile MISP JSON is a feed error that harms nothing else; a
# silent stream is a feed error in status, and when it is heard again
# the misp feed named by fill_from fetches what the stream lost.
. "$(dirname "$0")/lib.sh"

FIX="$TOP/tests/fixtures/feeds/misp"
W="$T/www"
SPOOL="$T/spool"
mkdir -p "$W/misp" "$SPOOL"
XORIST=57c4445b-c548-4654-af0b-4be3950d210f
CHROME="049f01a5-7e01-559b-83e8-3a67738bbbe1 6750f214-d7e9-58e4-bc30-9073e823d8fe 225c906e-8896-52e9-9592-4285af976341"
UNPUB=00000000-0000-4000-8000-00000000000a
LIVE=00000000-0000-4000-8000-00000000000b
MARK1=00000000-0000-4000-8000-00000000000c
MARK2=00000000-0000-4000-8000-00000000000d
GAP=00000000-0000-4000-8000-00000000000e

# event SRC UUID TIMESTAMP [PUBLISHED]: the event of SRC under another
# uuid and timestamp (and published flag), on stdout.
event() {
	"$PY" - "$@" <<'PYEOF'
import json, sys
doc = json.load(open(sys.argv[1], encoding="utf-8"))
ev = doc["Event"]
ev["uuid"], ev["timestamp"] = sys.argv[2], sys.argv[3]
if len(sys.argv) > 4:
    ev["published"] = sys.argv[4] == "true"
sys.stdout.write(json.dumps(doc, ensure_ascii=False))
PYEOF
}

# manifest: a manifest.json naming every event file in $W/misp, with
# each event's own timestamp (the real manifest names 79 events, of
# which the fixtures hold three).
manifest() {
	"$PY" - "$W/misp" <<'PYEOF'
import json, os, sys
d = sys.argv[1]
m = {}
for name in sorted(os.listdir(d)):
    if not name.endswith(".json") or name == "manifest.json":
        continue
    try:
        ev = json.load(open(os.path.join(d, name), encoding="utf-8"))["Event"]
        m[name[:-5]] = {"info": ev["info"], "timestamp": ev["timestamp"],
                        "Orgc": ev.get("Orgc", {})}
    except Exception:  # a hostile file: named all the same
        m[name[:-5]] = {"timestamp": str(int(os.path.getmtime(
            os.path.join(d, name))))}
with open(os.path.join(d, "manifest.json.tmp"), "w", encoding="utf-8") as f:
    json.dump(m, f, ensure_ascii=False)
os.rename(os.path.join(d, "manifest.json.tmp"), os.path.join(d, "manifest.json"))
PYEOF
}

# frame NAME TOPIC FILE: have the MISP stand-in send "TOPIC <FILE>".
frame() {
	{ printf '%s ' "$2"; cat "$3"; } >"$SPOOL/$1.tmp" &&
	    mv "$SPOOL/$1.tmp" "$SPOOL/$1"
}

start_misp() {
	rm -f "$T/misp.port.new"
	"$PY" "$TOP/tests/integration/misp_pub.py" "$SPOOL" "$T/misp.port.new" \
	    canhbao 'mật khẩu s3cret' ${1:-} 2>>"$T/misp.log" &
	MISP_PID=$!
	track "$MISP_PID"
	wait_until 10 test -s "$T/misp.port.new" || { echo "no MISP"; exit 1; }
	MISP_PORT=$(cat "$T/misp.port.new")
}

"$PY" "$TOP/tests/integration/feed_server.py" "$W" "$T/port" "$T/http.log" \
    2>"$T/server.log" &
track $!
wait_until 10 test -s "$T/port" || { echo "no HTTP server"; exit 1; }
U="http://127.0.0.1:$(cat "$T/port")"
start_misp
printf 'mật khẩu s3cret\n' >"$T/misp.pw"
printf 'wrong\n' >"$T/wrong.pw"
chmod 600 "$T/misp.pw" "$T/wrong.pw"

"$PUB" keygen --state "$T/pub" >/dev/null
{
	pub_section "$T/pub"
	cat <<CONF
[feed "circl"]
url = $U/misp/manifest.json
format = misp
backfill = all
interval = 3600

[feed "circl-live"]
url = tcp://127.0.0.1:$MISP_PORT
format = misp-zmq
username = canhbao
password_file = $T/misp.pw
silent_after = 5s
fill_from = circl

[feed "wrong-password"]
url = tcp://127.0.0.1:$MISP_PORT
format = misp-zmq
username = canhbao
password_file = $T/wrong.pw
silent_after = 5s
CONF
} >"$T/pub.conf"

check "check-config accepts misp and misp-zmq feeds" \
    sh -c '"$0" check-config -c "$1" >/dev/null' "$PUB" "$T/pub.conf"
sed 's/^fill_from = circl$/fill_from = circl-live/' "$T/pub.conf" >"$T/bad.conf"
check "check-config: fill_from must name a misp feed" \
    sh -c '"$0" check-config -c "$1" 2>&1 | grep -q "is not a misp feed"' \
    "$PUB" "$T/bad.conf"

# feed NAME FIELD: a field of the feed's status, as JSON.
feed() {
	"$PUB" status --state "$T/pub" --json | "$PY" -c '
import json, sys
f = {x["name"]: x for x in json.load(sys.stdin)["feeds"]}[sys.argv[1]]
print(json.dumps(f.get(sys.argv[2])))' "$1" "$2"
}
stream_is() {
	test "$(feed circl-live stream)" = "\"$1\"" &&
	    test "$(feed circl-live last_success)" != null
}
archived() {
	"$SUB" show --state "$T/sub" --json "circl:$1" >/dev/null 2>&1
}
revision_of() {
	"$SUB" show --state "$T/sub" --json "circl:$1" | "$PY" -c '
import json, sys; print(json.load(sys.stdin)["revision"])'
}
is_revision() {
	test "$(revision_of "$1" 2>/dev/null)" = "$2"
}
# has_error FEED TEXT: the feed's status shows an error saying TEXT.
has_error() {
	feed "$1" last_error | grep -q -- "$2"
}
is_silent() {
	test "$(feed circl-live stream)" = '"silent"' &&
	    has_error circl-live "no message from MISP"
}

"$PUB" run -c "$T/pub.conf" >>"$T/pub.log" 2>&1 &
PUB_PID=$!
track "$PUB_PID"
wait_until 10 test -s "$T/pub/broadcast.endpoint" || fail "publisher start"
start_sub "$T/sub" "$(cat "$T/pub/broadcast.endpoint")" "$T/pub/publisher.pub"
# Keep-alives arrive: PLAIN let us in, and our subscription has reached
# MISP's PUB (what it sends from now on is not lost to a slow join).
check "the stream is heard (ZMQ PLAIN)" wait_until 20 stream_is receiving

# --- the MISP feed ---------------------------------------------------------
for u in $CHROME; do
	cp "$FIX/chrome-mal-ids/$u.json" "$W/misp/"
done
cp "$FIX/pymisp-tests/$XORIST.json" "$W/misp/"
event "$FIX/pymisp-tests/$XORIST.json" $UNPUB 1472541011 false \
    >"$W/misp/$UNPUB.json"
manifest
"$PUB" poll --state "$T/pub" circl >/dev/null
check "the real MISP samples arrive" wait_until 30 archived $XORIST
has_archived() {
	test "$(count_archived "$T/sub")" -ge "$1"
}
wait_until 10 has_archived 4
"$SUB" list --state "$T/sub" --json >"$T/list.json"
check "four events, graded by threat level and ransomware tags" "$PY" -c '
import json, sys
rows = {r["id"]: r for r in json.load(open(sys.argv[1], encoding="utf-8"))}
want = {"circl:57c4445b-c548-4654-af0b-4be3950d210f": "critical",
        "circl:049f01a5-7e01-559b-83e8-3a67738bbbe1": "low",
        "circl:6750f214-d7e9-58e4-bc30-9073e823d8fe": "high",
        "circl:225c906e-8896-52e9-9592-4285af976341": "medium"}
assert sorted(rows) == sorted(want), sorted(rows)
for i, sev in want.items():
    assert rows[i]["severity"] == sev and rows[i]["revision"] == 1, rows[i]
assert rows["circl:57c4445b-c548-4654-af0b-4be3950d210f"]["title"] == \
    "Ransomware - Xorist"
' "$T/list.json"
check_fails "published: false is skipped" archived $UNPUB
"$SUB" show --state "$T/sub" --json circl:$XORIST >"$T/xorist.json"
check "indicators are carried in the signed advisory" "$PY" -c '
import json, sys
a = json.load(open(sys.argv[1], encoding="utf-8"))
ind = {(i["type"], i["value"]) for i in a["indicators"]}
assert ("md5", "0749bae92ca336a02c83d126e04ec628") in ind, ind
assert ("filename", "3Z4wnG9603it23y.exe") in ind, ind
assert a["tlp"] == "CLEAR" and len(a["references"]) == 2, a
' "$T/xorist.json"
"$SUB" show --state "$T/sub" circl:$XORIST >"$T/xorist.txt"
check "show prints the indicators" grep -q \
    '^ *md5 0749bae92ca336a02c83d126e04ec628$' "$T/xorist.txt"
check "the subscriber keeps the indicators by value" test "$(sqlite3 \
    -readonly "file:$T/sub/archive.db?mode=ro" "SELECT count(*) FROM \
    indicator WHERE value = '0749bae92ca336a02c83d126e04ec628'")" -eq 1

# --- the ZeroMQ stream ----------------------------------------------------
SEQ0=$(journal_last "$T/pub")
# An event the feed brought, sent again unchanged: the same advisory.
frame 01 misp_json "$FIX/chrome-mal-ids/049f01a5-7e01-559b-83e8-3a67738bbbe1.json"
# A new event, sent twice, then a marker: once the marker is archived,
# the three frames before it were all handled.
event "$FIX/pymisp-tests/$XORIST.json" $LIVE 1800000000 >"$T/live.json"
frame 02 misp_json "$T/live.json"
frame 03 misp_json "$T/live.json"
event "$FIX/chrome-mal-ids/049f01a5-7e01-559b-83e8-3a67738bbbe1.json" \
    $MARK1 1800000000 >"$T/mark1.json"
frame 04 misp_json "$T/mark1.json"
check "a stream event arrives" wait_until 20 archived $MARK1
check "a repeated event is published once, a known one not again" \
    test "$(journal_last "$T/pub")" -eq $((SEQ0 + 2))
check "it is the same advisory as the feed's (fill_from scope)" \
    grep -q "feed circl: published circl:$LIVE revision 1" "$T/pub.log"
event "$FIX/pymisp-tests/$XORIST.json" $LIVE 1800000100 >"$T/live2.json"
frame 05 misp_json "$T/live2.json"
check "a changed event (timestamp) is revision 2" \
    wait_until 20 is_revision $LIVE 2

# --- hostile MISP JSON ------------------------------------------------------
"$PY" -c 'import sys; sys.stdout.write("[" * 200 + "]" * 200)' >"$T/deep.json"
printf '{"Event":{"uuid":5,"info":["x"],"Attribute":"no"}}' >"$T/types.json"
"$PY" -c '
import json, sys
sys.stdout.write(json.dumps({"Event": {"uuid": "huge", "info": "A" * (17 << 20)}}))' \
    >"$T/huge.json"
mark=$(log_mark "$T/pub.log")
frame 06 misp_json "$T/deep.json"
frame 07 misp_json "$T/types.json"
check "deep and mistyped frames are a feed error" \
    wait_log 20 "$T/pub.log" "$mark" "feed circl-live: .*misp"
check "status shows the stream's error" has_error circl-live misp
frame 08 misp_json "$T/huge.json"
event "$FIX/chrome-mal-ids/049f01a5-7e01-559b-83e8-3a67738bbbe1.json" \
    $MARK2 1800000000 >"$T/mark2.json"
# A frame over the size limit makes libzmq drop the connection; the
# stream connects again and what follows arrives (sent until it does:
# MISP keeps nothing for a subscriber that reconnects).
resend_mark2() {
	archived $MARK2 && return 0
	[ -e "$SPOOL/09" ] || frame 09 misp_json "$T/mark2.json"
	return 1
}
check "after a huge frame the stream goes on" wait_until 30 resend_mark2
check "the publisher still runs" kill -0 "$PUB_PID"

# A hostile event file in the MISP feed: named, the rest unharmed.
cp "$T/deep.json" "$W/misp/6750f214-d7e9-58e4-bc30-9073e823d8fe.json"
touch -d '@1900000000' "$W/misp/6750f214-d7e9-58e4-bc30-9073e823d8fe.json"
cp "$T/huge.json" "$W/misp/11111111-0000-4000-8000-000000000001.json"
manifest
mark=$(log_mark "$T/pub.log")
"$PUB" poll --state "$T/pub" circl >/dev/null
check "a deep event file is a feed error naming it" wait_log 30 "$T/pub.log" \
    "$mark" "feed circl: .*6750f214-d7e9-58e4-bc30-9073e823d8fe.json: .*deep"
check "a huge event file is a feed error naming it" wait_log 30 "$T/pub.log" \
    "$mark" "feed circl: .*11111111-0000-4000-8000-000000000001.json"
check "the old state is kept" \
    is_revision 6750f214-d7e9-58e4-bc30-9073e823d8fe 1
failed_polls() {
	test "$(feed circl failures)" -ge 1
}
check "status counts the failed poll" wait_until 10 failed_polls

# The feed healthy again, so that only the gap fill polls it below
# (its interval is an hour).
cp "$FIX/chrome-mal-ids/6750f214-d7e9-58e4-bc30-9073e823d8fe.json" "$W/misp/"
rm "$W/misp/11111111-0000-4000-8000-000000000001.json"
manifest
mark=$(log_mark "$T/pub.log")
"$PUB" poll --state "$T/pub" circl >/dev/null
check "the feed recovers" wait_log 30 "$T/pub.log" "$mark" \
    "feed circl: 0 items"
# Where the walk stands is in the journal, so a restart resumes there.
MARK=$(sqlite3 "file:$T/pub/journal.db?mode=ro" \
    "SELECT uuid FROM misp_mark WHERE feed = 'circl' AND timestamp > 0")
check "the feed's mark is journaled: an event of its manifest" sh -c \
    'test -n "$0" && grep -q "\"$0\"" "$1"' "$MARK" "$W/misp/manifest.json"

# --- silence, and the gap filled ------------------------------------------
stop "$MISP_PID"
check "a silent stream is a feed error" wait_until 20 is_silent
check "a wrong password is never heard" \
    has_error wrong-password "no message from MISP"
# While MISP's stream is away, an event appears in its feed.
event "$FIX/pymisp-tests/$XORIST.json" $GAP 1800000200 >"$W/misp/$GAP.json"
manifest
mark=$(log_mark "$T/pub.log")
start_misp "$MISP_PORT"
check "heard again, the gap is filled from the feed" \
    wait_log 30 "$T/pub.log" "$mark" "filling the gap from feed circl"
check "what the stream lost arrives" wait_until 30 archived $GAP
check "the stream is receiving again" wait_until 10 stream_is receiving

finish
