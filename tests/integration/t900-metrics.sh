#!/bin/sh
# /metrics on both daemons, scraped by a real Prometheus (Debian's, on
# 127.0.0.1, every second) and read back through its HTTP API: the
# publisher's counters and agency gauges and the subscriber's figures
# have the values this test causes; promtool accepts a live scrape of
# each and the shipped alert rules; an agency that stops makes the
# silent-agency alert fire, for it alone.
. "$(dirname "$0")/lib.sh"

RULES="$TOP/dist/prometheus/canhbao.rules.yml"
check "promtool accepts the shipped alert rules" \
    sh -c 'promtool check rules "$0" >/dev/null' "$RULES"

# check-config reads the address: a port alone is loopback; a name is
# refused, naming the option.
check "a port alone listens on loopback" sh -c '"$0" check-config \
    --state "$1" --metrics 9464 | grep -qx "  metrics: http://127.0.0.1:9464/metrics"' \
    "$PUB" "$T/x"
"$SUB" check-config --state "$T/x" --broadcast ipc://x --publisher-key x \
    --metrics localhost:9465 >/dev/null 2>"$T/err"
check "a host name is refused (exit 2)" test $? -eq 2
check "with the reason" grep -q "'localhost' is not a numeric IPv4 address" \
    "$T/err"

# A publisher with three registered agencies, a short silent_after,
# /metrics on a port the system chooses, a feed of two national
# advisories (one critical) and a feed that fails.
"$PUB" keygen --state "$T/pub" >/dev/null
make_feed "$T/feed.json" 2
for a in an-giang bac-ninh ca-mau; do
	"$SUB" keygen --state "$T/$a" >/dev/null
	"$PUB" agency add --state "$T/pub" "$a" "$T/$a/agency.pub" >/dev/null
done
cat >"$T/pub.conf" <<CONF
[publisher]
silent_after = 10s
metrics = 127.0.0.1:0

[feed "bulk"]
url = file://$T/feed.json
format = json

[feed "broken"]
url = file://$T/no-such-feed.json
format = json
CONF
BC="ipc://$T/broadcast.sock" REQS="ipc://$T/requests.sock"
"$PUB" run -c "$T/pub.conf" --state "$T/pub" --broadcast "$BC" \
    --requests "$REQS" --heartbeat 1 >>"$T/pub.log" 2>&1 &
track $!
wait_until 10 test -S "$T/pub/control.sock" ||
    { echo "publisher did not start:"; cat "$T/pub.log"; exit 1; }

# metrics_at LOG: the host:port a daemon logged it serves /metrics on.
metrics_at() {
	sed -n 's|.*metrics on http://\([^/]*\)/metrics.*|\1|p' "$1" | tail -n 1
}
PUB_M=$(metrics_at "$T/pub.log")

run_sub() {
	name=$1
	shift
	"$SUB" run --state "$T/$name" --broadcast "$BC" --requests "$REQS" \
	    --publisher-key "$T/pub/publisher.pub" --presence 1 --verbose \
	    --no-desktop "$@" >>"$T/$name.out" 2>>"$T/$name.log" &
	track $!
	eval "PID_$(echo "$name" | tr - _)=\$!"
}
run_sub an-giang --metrics 127.0.0.1:0
run_sub bac-ninh
run_sub ca-mau
for a in an-giang bac-ninh ca-mau; do
	wait_heartbeat "$T/$a.log" 0 || fail "$a saw no heartbeat"
done
SUB_M=$(metrics_at "$T/an-giang.log")
check "both daemons say where /metrics is" test -n "$PUB_M" -a -n "$SUB_M"

# scrape HOST:PORT [PATH]: the page, through Python (no curl needed).
scrape() {
	"$PY" -c '
import sys, urllib.request
try:
    r = urllib.request.urlopen("http://%s%s" % (sys.argv[1], sys.argv[2]),
                               timeout=5)
except urllib.error.HTTPError as e:
    print(e.code)
    sys.exit(1)
sys.stdout.write(r.read().decode())' "$1" "${2:-/metrics}"
}
# lint HOST:PORT: promtool check metrics on a live page (not empty:
# promtool passes an empty page).
lint() {
	scrape "$1" >"$T/page" && grep -q '^canhbao_' "$T/page" &&
	    promtool check metrics <"$T/page"
}
check "promtool accepts the publisher's page" lint "$PUB_M"
check "promtool accepts the subscriber's page" lint "$SUB_M"
scrape "$PUB_M" /nothing >"$T/404" 2>&1
check "another path is 404" grep -qx 404 "$T/404"

# One Prometheus, scraping both every second and evaluating the rules
# every second, on a free port of 127.0.0.1.
cat >"$T/prometheus.yml" <<CONF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - $RULES
scrape_configs:
  - job_name: canhbao-pub
    static_configs:
      - targets: ['$PUB_M']
  - job_name: canhbao-sub
    static_configs:
      - targets: ['$SUB_M']
CONF

# api PATH: Prometheus's JSON answer (exit 1 when it is not up yet).
api() {
	scrape "127.0.0.1:$PROM_PORT" "$1"
}
# value EXPR WANT: the query gives exactly one series, whose value is
# WANT.
value() {
	api "/api/v1/query?query=$(printf '%s' "$1" | "$PY" -c \
	    'import sys, urllib.parse; print(urllib.parse.quote(sys.stdin.read()))')" |
	    "$PY" -c '
import json, sys
r = json.load(sys.stdin)["data"]["result"]
sys.exit(0 if len(r) == 1 and float(r[0]["value"][1]) == float(sys.argv[1])
         else 1)' "$2"
}
# settle SECONDS EXPR WANT: wait until the query gives WANT.
settle() {
	wait_until "$1" value "$2" "$3" ||
	    fail "$2 is not $3: $(api "/api/v1/query?query=$(printf '%s' \
	        "$2" | "$PY" -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.stdin.read()))')")"
}
# start_prometheus: on a port that was free a moment ago; another
# program may take it first, so up to three tries (Prometheus exits at
# once when it cannot listen), each waiting up to 300 polls for it to
# say it is ready.
start_prometheus() {
	for _try in 1 2 3; do
		PROM_PORT=$("$PY" -c '
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
		prometheus --config.file="$T/prometheus.yml" \
		    --storage.tsdb.path="$T/prom" \
		    --web.listen-address="127.0.0.1:$PROM_PORT" \
		    >>"$T/prometheus.log" 2>&1 &
		PROM_PID=$!
		track "$PROM_PID"
		_i=0
		while kill -0 "$PROM_PID" 2>/dev/null && [ "$_i" -lt 300 ]; do
			api /-/ready >/dev/null 2>&1 && return 0
			sleep 0.1
			_i=$((_i + 1))
		done
	done
	return 1
}
start_prometheus ||
    { echo "prometheus did not start:"; cat "$T/prometheus.log"; exit 1; }
settle 30 'count(up == 1)' 2
settle 20 'canhbao_agencies{state="online"}' 3
settle 5 'canhbao_advisories_published_total{origin="national"}' 2
settle 5 'canhbao_feed_polls_total{feed="bulk"}' 1
settle 5 'canhbao_feed_poll_errors_total{feed="bulk"}' 0
settle 5 'canhbao_feed_last_success_timestamp_seconds{feed="bulk"} > bool 0' 1
# (it tries again after about 30 s: at least one failure by now)
settle 5 'canhbao_feed_poll_errors_total{feed="broken"} >= bool 1' 1
settle 5 'canhbao_feed_consecutive_failures{feed="broken"} >= bool 1' 1
settle 5 'canhbao_feed_last_success_timestamp_seconds{feed="broken"}' 0

# Staff publish two provincial advisories, one critical, which an-giang
# acknowledges.
"$PUB" publish --state "$T/pub" --severity critical \
    --title 'Khẩn: vá lỗ hổng VPN ngay' >"$T/id" || fail "publish"
"$PUB" publish --state "$T/pub" --severity high \
    --title 'Cập nhật trình duyệt' >/dev/null || fail "publish"
ID=$(tail -n 1 "$T/id")
settle 20 'sum(canhbao_advisories_published_total)' 4
settle 5 'canhbao_advisories_published_total{origin="provincial"}' 2
settle 20 'canhbao_advisories_archived_total' 4
settle 5 'canhbao_last_archived_sequence' 4
settle 5 'canhbao_publisher_sequence' 4
settle 5 'canhbao_channel_stale' 0
settle 20 'sum(canhbao_critical_receipts_outstanding{receipt="received"})' 0
"$SUB" ack --state "$T/an-giang" "$ID" --by 'Nguyễn Văn A' >/dev/null ||
    fail "ack"
# two critical advisories each; an-giang acknowledged one
settle 20 'canhbao_critical_receipts_outstanding{agency="an-giang",receipt="acknowledged"}' 1
settle 5 'sum(canhbao_critical_receipts_outstanding{receipt="acknowledged"})' 5
settle 5 'canhbao_outbox_pending' 0
settle 5 'canhbao_agencies{state="silent"}' 0
# alerts_are LINE...: the alerts pending or firing are exactly these,
# each "NAME STATE AGENCY" (but for CanhbaoFeedFailing: the broken
# feed's third failure in a row, which it needs, comes a minute or
# more after the start, as it backs off; a slow machine gets there).
alerts_are() {
	api /api/v1/alerts | "$PY" -c '
import json, sys
got = sorted("%s %s %s" % (x["labels"]["alertname"], x["state"],
                           x["labels"].get("agency", "-"))
             for x in json.load(sys.stdin)["data"]["alerts"]
             if x["labels"]["alertname"] != "CanhbaoFeedFailing")
sys.exit(0 if got == sorted(sys.argv[1:]) else 1)' "$@"
}
# The unacknowledged critical advisories wait their hour (pending) for
# each agency; nothing else.
UNACKED="CanhbaoCriticalUnacknowledged pending"
ALERTS="$UNACKED an-giang|$UNACKED bac-ninh|$UNACKED ca-mau"
IFS='|'
wait_until 20 alerts_are $ALERTS
check "while every agency is in contact, nothing fires" alerts_are $ALERTS

# ca-mau stops: silent after 10 s, and the example alert fires for it.
stop "$PID_ca_mau"
ALERTS="$ALERTS|CanhbaoAgencySilent firing ca-mau"
wait_until 40 alerts_are $ALERTS
check "the silent-agency alert fires for ca-mau alone" alerts_are $ALERTS
unset IFS
settle 5 'canhbao_agencies{state="silent"}' 1
settle 5 'canhbao_agencies{state="online"}' 2

finish
