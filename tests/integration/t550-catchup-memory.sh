#!/bin/sh
# Peers that ask for catch-up and never read cannot make the publisher
# hold their answers: with a journal of 100 advisories of about 256 KB,
# three such peers sending 20 requests each leave the publisher under
# 200 MiB resident (peak and after they leave), and a subscriber that
# reads catches up fully meanwhile.
. "$(dirname "$0")/lib.sh"

LIMIT_KB=$((200 * 1024))

# big_feed FILE FIRST N: N advisories of about 256 KB each (a summary and
# three actions near CB_ADV_MAX_TEXT, under the 256 KiB payload cap).
big_feed() {
	"$PY" - "$1" "$2" "$3" <<'PYEOF'
import datetime, json, os, sys
path, first, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
published = (datetime.datetime.now(datetime.timezone.utc) -
             datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
text = lambda i, k: ("%d-%d " % (i, k) + "canh bao tan cong mang " * 3000)[:64000]
advs = [{"id": "BIG-%03d" % i, "title": "Cảnh báo lớn %d" % i,
         "severity": "high", "summary": text(i, 0),
         "actions": [text(i, k) for k in (1, 2, 3)],
         "published": published} for i in range(first, first + n)]
with open(path + ".tmp", "w", encoding="utf-8") as f:
    json.dump({"canhbao_feed": 1, "advisories": advs}, f)
os.rename(path + ".tmp", path)
PYEOF
}

# kb PID FIELD: a field of /proc/PID/status, in kB.
kb() {
	sed -n "s/^$2:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$1/status"
}

# status_num KEY: a number from canhbao-pub status --json (0 if absent).
status_num() {
	"$PUB" status --state "$T/pub" --json 2>/dev/null | "$PY" -c '
import json, sys
print(int(json.load(sys.stdin).get(sys.argv[1], 0)))' "$1"
}

status_at_least() {
	test "$(status_num "$1")" -ge "$2"
}

status_is() {
	test "$(status_num "$1")" -eq "$2"
}

# Four feeds of 25: one of 100 would be over the 16 MiB transfer cap.
pub_conf "$T/pub" "$T/feed0.json" >"$T/pub.conf"
big_feed "$T/feed0.json" 0 25
for i in 1 2 3; do
	big_feed "$T/feed$i.json" $((i * 25)) 25
	printf '\n[feed "bulk%s"]\nurl = file://%s\nformat = json\nbackfill = all\ninterval = 3600\n' \
	    "$i" "$T/feed$i.json" >>"$T/pub.conf"
done
start_pub_conf "$T/pub" "$T/pub.conf"
wait_until 60 journal_has "$T/pub" 100
[ "$(journal_last "$T/pub")" -eq 100 ] ||
    { echo "100 big advisories were not journaled"; cat "$T/pub.log"; exit 1; }
check "each about 256 KB" test "$(sqlite3 -readonly \
    "file:$T/pub/journal.db?mode=ro" \
    'SELECT min(length(signed)) FROM message')" -gt 250000
BASE=$(kb "$PUB_PID" VmRSS)
echo "publisher resident before: $BASE kB"
# Under the sanitizers the shadow memory and ASan's quarantine are not
# the publisher's: there the bound is on growth from this baseline.
if ldd "$PUB" | grep -q libasan; then
	LIMIT_KB=$((BASE + LIMIT_KB))
fi

"$PY" "$TOP/tests/integration/hog_peers.py" "$REQ_EP" 3 20 "$T/stop" \
    >"$T/hogs.out" 2>"$T/hogs.log" &
HOGS=$!
track "$HOGS"
wait_until 30 grep -q sent "$T/hogs.out" || fail "the hogs sent"
check "the publisher read all 60 requests" \
    wait_until 60 status_at_least catchup_requests 60

start_sub "$T/sub" "$PUB_EP" "$T/pub/publisher.pub" --requests "$REQ_EP"
wait_until 60 archive_is_complete "$T/sub" 100
check "a reading subscriber catches up fully meanwhile" \
    archive_is_complete "$T/sub" 100
PEAK=$(kb "$PUB_PID" VmHWM)
echo "publisher resident at its peak: $PEAK kB"
check "the publisher's peak stays under 200 MiB" test "$PEAK" -lt "$LIMIT_KB"

touch "$T/stop"
wait "$HOGS"
check "the publisher lets go of the peers that left" \
    wait_until 60 status_is catchup_answering 0
RSS=$(kb "$PUB_PID" VmRSS)
echo "publisher resident after the peers left: $RSS kB"
check "and is under 200 MiB after they left" test "$RSS" -lt "$LIMIT_KB"
check "the catch-up counters are in status" status_at_least \
    catchup_messages 100

finish
