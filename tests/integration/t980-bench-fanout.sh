#!/bin/sh
# make bench-fanout's programs at N = 2: every phase finishes (canhbao
# direct, and through the relay when bin/canhbao-relay is built; raw
# ZeroMQ; mosquitto), its figures land in the results file under
# "fanout", and it ends every process it started and removes its
# folder.  The figures themselves are not checked (speed is printed by
# the benchmark, never asserted).
. "$(dirname "$0")/lib.sh"

BENCH=${CANHBAO_BUILD:?CANHBAO_BUILD is not set}/bench/bench_fanout
export CANHBAO_BENCH_RESULTS="$T/results.json" BENCH_FANOUT_N=2
"$BENCH" "$BIN" >"$T/bench.out" 2>"$T/bench.log"
check "the benchmark exits 0" test $? -eq 0
check "it prints the table" grep -q '^ *2 |' "$T/bench.out"
check "and the ratios to mosquitto and raw ZeroMQ" \
    grep -q '2 | to mosquitto: .* to raw ZeroMQ:' "$T/bench.out"

# has KEY...: a positive number at that path in the results file.
has() {
	"$PY" - "$T/results.json" "$@" <<'PYEOF'
import json, sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2:]:
    v = v[k]
sys.exit(0 if isinstance(v, (int, float)) and v > 0 else 1)
PYEOF
}
for k in delivery_s archived_s one_s first_s; do
	check "fanout.2.direct.$k" has fanout 2 direct "$k"
done
check "fanout.2.zmq_s" has fanout 2 zmq_s
check "fanout.2.mosquitto_s" has fanout 2 mosquitto_s
check "fanout.bound_30_s" has fanout bound_30_s
if [ -x "$BIN/canhbao-relay" ]; then
	for k in delivery_s archived_s one_s; do
		check "fanout.2.relay.$k" has fanout 2 relay "$k"
	done
else
	check "without the relay, says it skipped it" \
	    grep -qx 'relay: bin/canhbao-relay not built, skipped' "$T/bench.out"
fi

# Nothing of the run is left: its folder, and any process started with
# a path in it (publisher, relay, subscribers, broker).
dir=$(sed -n 's/^fanout: working in //p' "$T/bench.log")
check "the bench said where it worked" test -n "$dir"
check "its folder is removed" test ! -e "$dir"
check_fails "no process of the run is left" pgrep -f "$dir/"

finish
