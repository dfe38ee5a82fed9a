/*
 * bench_delivery: the delivery path on the real daemons over ipc://,
 * beside what its parts do alone on this machine in the same run.
 * Advisories are about 2 KB signed, Vietnamese text.
 *
 *   parts        verify_per_s   envelopes verified (cb_msg_open: both
 *                               Ed25519 signatures, as a subscriber does)
 *                sign_per_s     envelopes signed (cb_msg_seal)
 *                insert_per_s   the same rows into raw SQLite + FTS5
 *                               (unicode61 remove_diacritics 2), WAL,
 *                               synchronous = FULL, 1,000 a transaction
 *                ZeroMQ REQ/REP round trip over ipc://, one durable
 *                commit of one row
 *   latency      publish (control request) -> archived and reported by
 *                the subscriber: median and p99 of 200; the bound is
 *                round trip + one verify + one durable commit
 *   publisher    a burst of 2,000 publish commands sent at once:
 *                signed, journaled and broadcast per second
 *   sustained    a feed document of 5,000 broadcast as fast as the
 *                publisher can: verified and durably archived per second
 *                by the subscriber (first report to last)
 *   catch-up     seconds for a subscriber that was off to catch up on
 *                10,000 advisories (from its start to the last report)
 *
 * Ratios are to min(verify_per_s, insert_per_s), what the subscriber's
 * parts allow.  Figures are printed and merged into results.json
 * (bench/results.h); nothing is asserted.
 *
 *   bench_delivery BINDIR
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zmq.h>

#include "cb_file.h"
#include "cb_mem.h"
#include "cb_sig.h"
#include "parts.h"
#include "pub_control.h"
#include "results.h"

#define LATENCY_N 200
#define BURST_N 2000
#define SUSTAINED_N 5000
#define BEHIND_N 10000
#define PARTS_N 3000

static char dir[] = "/tmp/canhbao-bench.XXXXXX";
static const char *bindir;
static pid_t pub_pid, sub_pid;
static int sub_out = -1;

/* A writable copy of a literal, for argv (the few bytes are not freed:
 * the bench runs once). */
#define S(lit) cb_xstrdup(lit)

static char *
path(const char *name)
{
	return cb_xasprintf("%s/%s", dir, name);
}

static void
start_pub(void)
{
	char *b = cb_xasprintf("ipc://%s/b", dir), *r =
	    cb_xasprintf("ipc://%s/r", dir);

	pub_pid = parts_start_pub(bindir, dir, b, r);
	free(b);
	free(r);
	usleep(500000);
}

static void
start_sub(void)
{
	char *state = path("sub"), *key = path("pub/publisher.pub");
	char *b = cb_xasprintf("ipc://%s/b", dir), *r =
	    cb_xasprintf("ipc://%s/r", dir);
	char *run[] = { cb_xasprintf("%s/canhbao-sub", bindir), S("run"),
		S("--state"), state, S("--broadcast"), b, S("--requests"), r,
		S("--publisher-key"), key, S("--insecure"), NULL };
	char *log = path("sub.log");

	sub_pid = parts_spawn_piped(run, &sub_out, log);
}

/* Read subscriber lines until one contains want, or until count report
 * lines when want is NULL; *first (may be NULL) gets the time the first
 * of them was read.  Returns 0, or -1 after timeout_ms. */
static int
read_until(const char *want, int count, int timeout_ms, double *first)
{
	static char buf[1 << 16];
	static size_t have;
	double end = parts_now_ms() + timeout_ms;
	struct pollfd p = { .fd = sub_out, .events = POLLIN };
	int seen = 0, hit;
	char *nl;
	ssize_t n;

	for (;;) {
		while ((nl = memchr(buf, '\n', have)) != NULL) {
			size_t len = (size_t)(nl - buf) + 1;

			*nl = '\0';
			hit = want ? strstr(buf, want) != NULL :
				     buf[0] >= '0' && buf[0] <= '9';
			memmove(buf, buf + len, have - len);
			have -= len;
			if (hit && first != NULL && seen++ == 0)
				*first = parts_now_ms();
			if (hit && (want != NULL || --count == 0))
				return 0;
		}
		if (parts_now_ms() > end || poll(&p, 1, 100) < 0)
			return -1;
		if (p.revents & POLLIN) {
			n = read(sub_out, buf + have, sizeof(buf) - have - 1);
			if (n <= 0)
				return -1;
			have += (size_t)n;
		}
	}
}

static char *
control(const char *req)
{
	struct cb_err err;
	char *state = path("pub"), *reply = pub_control_call(state, req, &err);

	free(state);
	if (reply == NULL)
		parts_die(err.msg);
	return reply;
}

/* A DEALER on the publisher's control socket, kept for many requests
 * (as REQ would send them: an empty frame first). */
static void *
control_dealer(void *ctx)
{
	char *ep = cb_xasprintf("ipc://%s/pub/%s", dir, PUB_CONTROL_SOCK);
	void *d = zmq_socket(ctx, ZMQ_DEALER);
	int hwm = 0;

	zmq_setsockopt(d, ZMQ_SNDHWM, &hwm, sizeof(hwm));
	if (zmq_connect(d, ep) < 0)
		parts_die("cannot connect to the control socket");
	free(ep);
	return d;
}

static void
send_publish(void *d, int i)
{
	char *req = parts_publish_request("L", i);

	zmq_send(d, "", 0, ZMQ_SNDMORE);
	zmq_send(d, req, strlen(req), 0);
	free(req);
}

/* The next reply on d; the id it gives, when id is not NULL (the caller
 * frees it). */
static void
recv_reply(void *d, char **id)
{
	char buf[1024], *p, *end;
	int n;

	zmq_recv(d, buf, sizeof(buf), 0);
	n = zmq_recv(d, buf, sizeof(buf) - 1, 0);
	if (n < 0)
		parts_die("no reply from the publisher");
	buf[n < (int)sizeof(buf) - 1 ? n : (int)sizeof(buf) - 1] = '\0';
	if (id == NULL)
		return;
	p = strstr(buf, "\"id\":\"");
	if (p == NULL)
		parts_die("publish refused");
	p += 6;
	end = strchr(p, '"');
	*id = cb_xstrndup(p, (size_t)(end - p));
}

/* The publisher's last sequence (control "status"). */
static unsigned long
journal_last(void)
{
	char *reply = control("{\"cmd\":\"status\"}");
	char *p = strstr(reply, "\"last_seq\":");
	unsigned long n = p ? strtoul(p + 11, NULL, 10) : 0;

	free(reply);
	return n;
}

/* --- the parts alone --------------------------------------------------- */

static struct parts_rates rates;
static double zmq_rtt;

static void
zmq_round_trip(void)
{
	void *ctx = zmq_ctx_new(), *rep = zmq_socket(ctx, ZMQ_REP),
	     *req = zmq_socket(ctx, ZMQ_REQ);
	char *ep = cb_xasprintf("ipc://%s/raw", dir), msg[100];
	double rtt[2000], t0;
	int i;

	memset(msg, 'x', sizeof(msg));
	zmq_bind(rep, ep);
	zmq_connect(req, ep);
	for (i = 0; i < 2000; i++) {
		t0 = parts_now_ms();
		zmq_send(req, msg, sizeof(msg), 0);
		zmq_recv(rep, msg, sizeof(msg), 0);
		zmq_send(rep, msg, sizeof(msg), 0);
		zmq_recv(req, msg, sizeof(msg), 0);
		rtt[i] = parts_now_ms() - t0;
	}
	zmq_rtt = parts_pct(rtt, 2000, 0.5);
	zmq_close(rep);
	zmq_close(req);
	zmq_ctx_term(ctx);
	free(ep);
}

/* --- the daemons --------------------------------------------------------- */

static double lat_p50, lat_p99, journaled_p50, publisher_rate,
    sustained_rate, catchup_s;

/* One publish request at a time, on a connection kept open (as the
 * bound counts one round trip, not a connection's set-up). */
static void
latency(void)
{
	void *ctx = zmq_ctx_new(), *d = control_dealer(ctx);
	double lat[LATENCY_N], journaled[LATENCY_N], t0;
	char *id;
	int i;

	for (i = 0; i < LATENCY_N; i++) {
		t0 = parts_now_ms();
		send_publish(d, i);
		recv_reply(d, &id);
		journaled[i] = parts_now_ms() - t0;
		if (read_until(id, 0, 10000, NULL) < 0)
			parts_die("an advisory never arrived");
		lat[i] = parts_now_ms() - t0;
		free(id);
	}
	lat_p50 = parts_pct(lat, LATENCY_N, 0.5);
	lat_p99 = parts_pct(lat, LATENCY_N, 0.99);
	journaled_p50 = parts_pct(journaled, LATENCY_N, 0.5);
	zmq_close(d);
	zmq_ctx_term(ctx);
}

/* BURST_N publish commands at once on one DEALER (as that many staff
 * commands would come), counted as they are broadcast. */
static void
publisher_burst(void)
{
	void *ctx = zmq_ctx_new(), *d = control_dealer(ctx),
	     *s = zmq_socket(ctx, ZMQ_SUB);
	char *bep = cb_xasprintf("ipc://%s/b", dir), buf[256];
	int i, hwm = 0;
	double t0;

	zmq_setsockopt(s, ZMQ_RCVHWM, &hwm, sizeof(hwm));
	zmq_setsockopt(s, ZMQ_SUBSCRIBE, "adv.", 4);
	zmq_connect(s, bep);
	usleep(300000); /* the subscription reaches the publisher */
	t0 = parts_now_ms();
	for (i = 0; i < BURST_N; i++)
		send_publish(d, 1000000 + i);
	for (i = 0; i < BURST_N; i++) { /* topic, signed, signature */
		zmq_recv(s, buf, sizeof(buf), 0);
		zmq_recv(s, buf, sizeof(buf), 0);
		zmq_recv(s, buf, sizeof(buf), 0);
	}
	publisher_rate = BURST_N / ((parts_now_ms() - t0) / 1e3);
	for (i = 0; i < BURST_N; i++)
		recv_reply(d, NULL);
	if (read_until(NULL, BURST_N, 120000, NULL) < 0)
		parts_die("the burst did not arrive");
	zmq_close(d);
	zmq_close(s);
	zmq_ctx_term(ctx);
	free(bep);
}

static void
sustained(void)
{
	double first = 0;

	parts_write_feed(dir, SUSTAINED_N);
	free(control("{\"cmd\":\"poll\"}"));
	if (read_until(NULL, SUSTAINED_N, 120000, &first) < 0)
		parts_die("the feed did not arrive");
	/* from the first report: the publisher signs and journals the
	 * whole document before it broadcasts any of it */
	sustained_rate = (SUSTAINED_N - 1) / ((parts_now_ms() - first) / 1e3);
}

static void
catch_up(void)
{
	unsigned long want;
	double t0;

	parts_stop(&sub_pid);
	close(sub_out);
	want = journal_last() + BEHIND_N;
	parts_write_feed(dir, BEHIND_N);
	free(control("{\"cmd\":\"poll\"}"));
	while (journal_last() < want) /* journaled while nobody listens */
		usleep(100000);
	t0 = parts_now_ms();
	start_sub();
	if (read_until(NULL, BEHIND_N, 120000, NULL) < 0)
		parts_die("catch-up did not finish");
	catchup_s = (parts_now_ms() - t0) / 1e3;
}

static void
report(void)
{
	double bound = rates.verify_per_s < rates.insert_per_s ?
	    rates.verify_per_s : rates.insert_per_s;
	double lat_bound = zmq_rtt + 1e3 / rates.verify_per_s + rates.commit_ms;

	printf("== delivery on the real daemons over ipc:// (this machine, "
	       "this run)\n");
	printf("parts: verify %8.0f /s   sign %8.0f /s   raw SQLite+FTS5 "
	       "insert %8.0f /s\n", rates.verify_per_s, rates.sign_per_s,
	    rates.insert_per_s);
	printf("       ZeroMQ REQ/REP round trip %.3f ms, durable commit of "
	       "one row %.3f ms\n", zmq_rtt, rates.commit_ms);
	printf("latency publish -> archived   median %6.2f ms   p99 %6.2f ms"
	       "   bound %.2f ms   ratio %.2f\n", lat_p50, lat_p99, lat_bound,
	    lat_p50 / lat_bound);
	printf("  of which the publisher's answer (signed, journaled durably, "
	       "sent): median %.2f ms\n", journaled_p50);
	printf("publisher, a burst of %d     %8.0f advisories/s\n", BURST_N,
	    publisher_rate);
	printf("subscriber sustained          %8.0f advisories/s   ratio %.2f\n",
	    sustained_rate, sustained_rate / bound);
	printf("catch-up of %d             %8.2f s  (%.0f advisories/s)   "
	       "ratio %.2f\n", BEHIND_N, catchup_s, BEHIND_N / catchup_s,
	    BEHIND_N / catchup_s / bound);
	results_number("verify_per_s", rates.verify_per_s);
	results_number("sign_per_s", rates.sign_per_s);
	results_number("insert_per_s", rates.insert_per_s);
	results_number("subscriber_sustained_per_s", sustained_rate);
	results_number("subscriber_sustained_ratio", sustained_rate / bound);
	results_number("catchup_10000_s", catchup_s);
	results_number("catchup_ratio", BEHIND_N / catchup_s / bound);
	results_number("latency_p50_ms", lat_p50);
	results_number("latency_p99_ms", lat_p99);
	results_number("latency_bound_ms", lat_bound);
	results_number("latency_ratio", lat_p50 / lat_bound);
	results_number("publisher_per_s", publisher_rate);
}

int
main(int argc, char **argv)
{
	char cmd[256], *raw;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: bench_delivery BINDIR\n");
		return 2;
	}
	bindir = argv[1];
	if (cb_sig_init() < 0 || mkdtemp(dir) == NULL)
		return 2;
	signal(SIGPIPE, SIG_IGN);
	unsetenv("DBUS_SESSION_BUS_ADDRESS"); /* no desktop pop-ups */
	parts_crypto_rates(PARTS_N, &rates);
	printf("  envelope of %zu bytes signed\n", rates.envelope);
	raw = path("raw.db");
	parts_insert_rates(raw, PARTS_N, &rates);
	free(raw);
	zmq_round_trip();
	start_pub();
	start_sub();
	usleep(500000); /* connected and subscribed */
	latency();
	publisher_burst();
	sustained();
	catch_up();
	report();
	parts_stop(&sub_pid);
	parts_stop(&pub_pid);
	rc = results_save();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 1;
	return rc < 0 ? 1 : 0;
}
