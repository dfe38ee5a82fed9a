#!/bin/sh
# make bench: every benchmark, printing figures (never asserting them).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${CANHBAO_BUILD:?}
fix="$top/tests/fixtures/feeds"

echo "== feed adapters: parse time and peak memory (median of 21 runs)"
"$build/bench/bench_feeds" kev "$fix/kev/known_exploited_vulnerabilities.json"
"$build/bench/bench_feeds" csaf "$fix/csaf/oasis-examples/cisco-sa-20180328-smi2.json"
"$build/bench/bench_feeds" csaf "$fix/csaf/provider-cisa/IT/white/2024/va-24-201-01.json"
"$build/bench/bench_feeds" rss "$fix/rss/bugalert-bug-alert-contributors.rss.xml"
"$build/bench/bench_feeds" cap "$fix/cap/canada_signed.cap"
"$build/bench/bench_feeds" misp "$fix/misp/chrome-mal-ids/225c906e-8896-52e9-9592-4285af976341.json"
"$build/bench/bench_feeds" misp "$fix/misp/pymisp-tests/57c4445b-c548-4654-af0b-4be3950d210f.json"

echo
"$build/bench/bench_delivery" "$CANHBAO_BIN"

# Issue 6: search and the idle subscriber.
echo "== subscriber search: latency over large archives (built once, kept"
echo "   in $build/bench/archives; queries typed without diacritics),"
echo "   beside stock FTS5 over the same advisories"
mkdir -p "$build/bench/archives"
for n in ${BENCH_SEARCH_N:-100000 1000000}; do
	"$build/bench/bench_search" "$n" "$build/bench/archives"
done

# Issue 17: what checking a CSAF document costs the publisher's loop.
echo "== CSAF trust: a document's .asc and .sha512 checked"
csaf_keys=$(mktemp -d)
"$build/bench/bench_csaf_trust" "$top/tests/data/csaf" 200 "$csaf_keys/openpgp"
rm -rf "$csaf_keys"

# Issue 15: what a relay's way back takes in and forwards.
mkdir -p "$build/bench/way-back"
"$build/bench/bench_way_back" 2000 "$build/bench/way-back"

# Issue 16: what the duty page costs the publisher at each event.
echo "== publisher: the views the duty page reads (functions behind its API)"
"$build/bench/bench_web" 1000 500 "$build/bench/web"

echo "== subscriber verify: every signature and column checked again"
"$build/bench/bench_verify" 10000 "$build/bench/archives/verify-10000"

# Issue 14: one scrape of the publisher's /metrics, which blocks its loop.
echo "== publisher /metrics: time to write the page (built once, kept in"
echo "   $build/bench/archives; 500 agencies, receipts of every critical)"
"$build/bench/bench_metrics" 20000 500 "$build/bench/archives"

sh "$top/bench/idle.sh"
