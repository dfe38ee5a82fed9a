#!/bin/sh
# make bench: every benchmark, printing figures (never asserting them).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${CANHBAO_BUILD:?}
fix="$top/../shared/fixtures/feeds"

echo "== feed adapters: parse time and peak memory (median of 21 runs)"
"$build/bench/bench_feeds" kev "$fix/kev/known_exploited_vulnerabilities.json"
"$build/bench/bench_feeds" csaf "$fix/csaf/oasis-examples/cisco-sa-20180328-smi2.json"
"$build/bench/bench_feeds" csaf "$fix/csaf/provider-stackable/advisories/2024/stacksa_2024_0101_0001.json"
"$build/bench/bench_feeds" rss "$fix/rss/bugalert-bug-alert-contributors.rss.xml"
"$build/bench/bench_feeds" cap "$fix/cap/canada_signed.cap"

echo
"$build/bench/bench_delivery" "$CANHBAO_BIN"
