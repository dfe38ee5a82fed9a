#!/bin/sh
# (a) A subscriber is offline while 1,000 advisories are published;
# restarted, it gets all 1,000, once each, in order.
. "$(dirname "$0")/lib.sh"

make_feed "$T/feed.json" 1000
pub_conf "$T/pub" "$T/feed.json" >"$T/pub.conf"
echo '{"canhbao_feed": 1, "advisories": []}' >"$T/empty.json"
pub_conf "$T/pub" "$T/empty.json" >"$T/pub-empty.conf"

# The subscriber first meets the publisher with nothing published.
start_pub_conf "$T/pub" "$T/pub-empty.conf"
start_sub "$T/sub" "$PUB_EP" "$T/pub/publisher.pub" --requests "$REQ_EP"
stop "$SUB_PID"
stop "$PUB_PID"

# Offline: the publisher publishes 1,000.
start_pub_conf "$T/pub" "$T/pub.conf"
wait_until 60 journal_has "$T/pub" 1000
check "1,000 journaled" test "$(journal_last "$T/pub")" -eq 1000

# Back online.
start_sub "$T/sub" "$PUB_EP" "$T/pub/publisher.pub" --requests "$REQ_EP"
wait_until 60 archive_is_complete "$T/sub" 1000
check "all 1,000 archived, each once, seqs 1..1000" \
    archive_is_complete "$T/sub" 1000
check "reported in order, once each" "$PY" -c '
import sys
seqs = [int(l.split()[0]) for l in open(sys.argv[1], encoding="utf-8")
        if l[0].isdigit()]
assert seqs == list(range(1, 1001)), (len(seqs), seqs[:5], seqs[-5:])
' "$T/sub.out"
check "it said it caught up" grep -q 'caught up at seq 1000' "$T/sub.log"

finish
