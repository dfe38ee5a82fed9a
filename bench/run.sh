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

echo
"$build/bench/bench_delivery" "$CANHBAO_BIN"

# Issue 6: search and the idle subscriber.
echo "== subscriber search: latency over large archives (built once, kept"
echo "   in $build/bench/archives; queries typed without diacritics)"
mkdir -p "$build/bench/archives"
"$build/bench/bench_search" 100000 "$build/bench/archives"
"$build/bench/bench_search" 1000000 "$build/bench/archives"

echo "== subscriber verify: every signature and column checked again"
"$build/bench/bench_verify" 10000 "$build/bench/archives/verify-10000"

sh "$top/bench/idle.sh"
