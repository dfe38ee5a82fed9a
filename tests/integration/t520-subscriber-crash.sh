#!/bin/sh
# (c) The subscriber is SIGKILLed in the middle of catching up: its
# archive stays intact and converges on restart.
. "$(dirname "$0")/lib.sh"

N=5000
echo '{"canhbao_feed": 1, "advisories": []}' >"$T/empty.json"
pub_conf "$T/pub" "$T/empty.json" >"$T/empty.conf"
make_feed "$T/feed.json" "$N"
pub_conf "$T/pub" "$T/feed.json" >"$T/pub.conf"

start_pub_conf "$T/pub" "$T/empty.conf"
start_sub "$T/sub" "$PUB_EP" "$T/pub/publisher.pub" --requests "$REQ_EP"
stop "$SUB_PID"
stop "$PUB_PID"
start_pub_conf "$T/pub" "$T/pub.conf"
wait_until 60 journal_has "$T/pub" "$N"

# Kill it as soon as it has archived some but not all.
"$SUB" run --state "$T/sub" --broadcast "$PUB_EP" --requests "$REQ_EP" \
    --publisher-key "$T/pub/publisher.pub" --insecure \
    >>"$T/sub.out" 2>>"$T/sub.log" &
SUB_PID=$!
track "$SUB_PID"
some() { n=$(archive_count "$T/sub"); test "$n" -gt 0; }
wait_until 30 some
kill -9 "$SUB_PID"
wait "$SUB_PID" 2>/dev/null
AT=$(archive_count "$T/sub")
check "killed mid-catch-up (at $AT of $N)" test "$AT" -lt "$N"
check "the archive is intact" test \
    "$(sqlite3 "$T/sub/archive.db" 'PRAGMA integrity_check')" = ok
check "what it holds is a prefix 1..$AT" archive_is_complete "$T/sub" "$AT"

start_sub "$T/sub" "$PUB_EP" "$T/pub/publisher.pub" --requests "$REQ_EP"
wait_until 60 archive_is_complete "$T/sub" "$N"
check "it converges to all $N on restart" archive_is_complete "$T/sub" "$N"
check "the archive is still intact" test \
    "$(sqlite3 "$T/sub/archive.db" 'PRAGMA integrity_check')" = ok

finish
