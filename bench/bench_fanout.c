/*
 * bench_fanout: one burst of 1,000 advisories of about 2 KB to N
 * subscriber processes at once (N = 10, 30, 100, or $BENCH_FANOUT_N),
 * everything on 127.0.0.1 over TCP, beside raw ZeroMQ and mosquitto
 * measured in the same run on the same machine.
 *
 *   canhbao      a real canhbao-pub (its own state, a feed document of
 *                1,000 polled at once: the publisher signs and journals
 *                the burst, then broadcasts it), directly, and through
 *                one canhbao-relay when bin/canhbao-relay is built.  Two
 *                figures kept apart:
 *                delivery  N light receivers (bench_fanout_recv: a SUB
 *                          that reads the wire and verifies nothing):
 *                          from the poll until every receiver has all
 *                          1,000; "one" is the same for one advisory
 *                          published through the control channel
 *                archived  N real canhbao-sub, each with its own state:
 *                          from the poll until every one has verified
 *                          and durably archived all 1,000 (the line each
 *                          prints on stdout after its commit)
 *   raw ZeroMQ   a PUB (the publisher's options) sending 1,000 frames of
 *                the envelope's size to N plain receivers
 *   mosquitto    Debian's broker started here (persistence off), N
 *                clients at QoS 1 with persistent sessions (clean
 *                session off, fixed ids), one client publishing the
 *                1,000 at QoS 1: until every client has all 1,000
 *
 * The bound for "archived by 30" is what the work costs this machine
 * spread over its cores: (30,000 / verify_per_s + 30,000 / insert_per_s)
 * / cores, both rates measured in this run (bench/parts.c, as
 * bench_delivery).  Figures are printed and merged into results.json
 * under "fanout"; nothing is asserted.  Progress goes to stderr.
 *
 *   bench_fanout BINDIR
 */
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mosquitto.h>
#include <zmq.h>

#include "cb_file.h"
#include "cb_mem.h"
#include "cb_sig.h"
#include "parts.h"
#include "pub_control.h"
#include "results.h"

#define BURST 1000
#define PARTS_N 3000
#define MAX_N 1000
#define MAX_PIDS (4 * MAX_N + 16)
#define READY_MS 60000
#define BURST_MS 600000
#define MOSQUITTO "/usr/sbin/mosquitto"

/* A writable copy of a literal, for argv, kept until exit. */
#define S(lit) keep(cb_xstrdup(lit))

static char dir[] = "/tmp/canhbao-fanout.XXXXXX";
static const char *bindir;
static char *recv_prog;
static struct parts_rates rates;

/* Strings that live as long as the run (argv, folders, endpoints): kept
 * here, freed at exit. */
static char **kept;
static size_t nkept;

static char *
keep(char *s)
{
	kept = cb_xrealloc(kept, (nkept + 1) * sizeof(*kept));
	kept[nkept++] = s;
	return s;
}

static void
free_kept(void)
{
	while (nkept > 0)
		free(kept[--nkept]);
	free(kept);
	kept = NULL;
}

/* --- processes: every pid started is kept until it is ended ----------- */

static pid_t live[MAX_PIDS];

static pid_t
track(pid_t pid)
{
	int i;

	for (i = 0; i < MAX_PIDS; i++)
		if (live[i] == 0) {
			live[i] = pid;
			return pid;
		}
	parts_die("too many processes");
}

/* End pids (SIGTERM, all at once, then wait for each). */
static void
end(pid_t *pids, int n)
{
	int i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < MAX_PIDS; j++)
			if (pids[i] > 0 && live[j] == pids[i])
				live[j] = 0;
	parts_stop_all(pids, n);
}

/* At exit, also after parts_die: what is still running, and the
 * temporary folder. */
static void
cleanup(void)
{
	char cmd[256];

	parts_stop_all(live, MAX_PIDS);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench: cannot remove %s\n", dir);
	free_kept();
}

/* Run argv to its end; its exit status, or -1. */
static int
run(char *const argv[], const char *log)
{
	pid_t pid = parts_spawn(argv, -1, log);
	int st;

	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static void
progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
progress(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("fanout: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* A TCP port on 127.0.0.1 that nobody listens on now. */
static int
free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM, 0), port;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockname(s, (struct sockaddr *)&a, &len) < 0)
		parts_die("cannot find a free port");
	port = ntohs(a.sin_port);
	close(s);
	return port;
}

/* Wait until something listens on 127.0.0.1:port; 0, or -1. */
static int
wait_listening(int port, int timeout_ms)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	double end_ms = parts_now_ms() + timeout_ms;
	int s, rc;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)port);
	while (parts_now_ms() < end_ms) {
		s = socket(AF_INET, SOCK_STREAM, 0);
		rc = connect(s, (struct sockaddr *)&a, sizeof(a));
		close(s);
		if (rc == 0)
			return 0;
		usleep(20000);
	}
	return -1;
}

/* --- light receivers: lines on one shared pipe -------------------------- */

#define HERD_MARKS 8

/* Each receiver says "ready", then "got MARK MS" for each mark in turn;
 * a line may come before the wait for its mark (a fast receiver's last
 * mark while a slow one's earlier mark is awaited), so every line is
 * tallied under its mark as it is read. */
struct herd {
	pid_t pids[MAX_N];
	int n;
	int fd, wfd;
	char buf[1 << 16];
	size_t have;
	long mark[HERD_MARKS]; /* 0: "ready" */
	int count[HERD_MARKS];
	double last[HERD_MARKS];
	int nmarks;
};

static void
herd_init(struct herd *h)
{
	int fds[2];

	memset(h->pids, 0, sizeof(h->pids));
	h->n = 0;
	h->have = 0;
	h->nmarks = 0;
	if (pipe(fds) < 0)
		parts_die("cannot make a pipe");
	h->fd = fds[0];
	h->wfd = fds[1];
	fcntl(h->fd, F_SETFD, FD_CLOEXEC);
	fcntl(h->wfd, F_SETFD, FD_CLOEXEC);
}

static void
herd_spawn(struct herd *h, char *const argv[])
{
	char *log = cb_xasprintf("%s/receivers.log", dir);

	h->pids[h->n++] = track(parts_spawn(argv, h->wfd, log));
	free(log);
}

static void
herd_end(struct herd *h)
{
	end(h->pids, h->n);
	close(h->fd);
	if (h->wfd >= 0)
		close(h->wfd);
	h->wfd = -1;
}

/* The tally of a mark (0: "ready"), made when first needed. */
static int
herd_slot(struct herd *h, long mark)
{
	int i;

	for (i = 0; i < h->nmarks; i++)
		if (h->mark[i] == mark)
			return i;
	if (h->nmarks == HERD_MARKS)
		parts_die("too many marks");
	h->mark[i] = mark;
	h->count[i] = 0;
	h->last[i] = 0;
	h->nmarks++;
	return i;
}

/* One line of a receiver, tallied under its mark. */
static void
herd_line(struct herd *h, const char *line)
{
	long got;
	double ms;
	int i;

	if (strcmp(line, "ready") == 0) {
		h->count[herd_slot(h, 0)]++;
		return;
	}
	if (sscanf(line, "got %ld %lf", &got, &ms) != 2)
		return;
	i = herd_slot(h, got);
	h->count[i]++;
	if (ms > h->last[i])
		h->last[i] = ms;
}

/* Tally the complete lines read so far. */
static void
herd_lines(struct herd *h)
{
	char *nl;

	while ((nl = memchr(h->buf, '\n', h->have)) != NULL) {
		*nl = '\0';
		herd_line(h, h->buf);
		h->have -= (size_t)(nl + 1 - h->buf);
		memmove(h->buf, nl + 1, h->have);
	}
}

/* Wait until every receiver has said "ready" (mark 0) or "got MARK";
 * *last gets the latest of their times.  tick (may be NULL) is called
 * every 50 ms meanwhile.  0, or -1 after timeout_ms. */
static int
herd_wait(struct herd *h, long mark, int timeout_ms, double *last,
    void (*tick)(void *), void *arg)
{
	double end_ms = parts_now_ms() + timeout_ms;
	struct pollfd p = { .fd = h->fd, .events = POLLIN };
	int slot = herd_slot(h, mark);
	ssize_t r;

	if (h->wfd >= 0) /* the receivers hold the writing end now */
		close(h->wfd);
	h->wfd = -1;
	for (;;) {
		herd_lines(h);
		if (h->count[slot] >= h->n)
			break;
		if (parts_now_ms() > end_ms)
			return -1;
		if (tick != NULL)
			tick(arg);
		if (poll(&p, 1, 50) > 0) {
			r = read(h->fd, h->buf + h->have,
			    sizeof(h->buf) - h->have);
			if (r <= 0)
				return -1;
			h->have += (size_t)r;
		}
	}
	*last = h->last[slot];
	return 0;
}

/* --- canhbao-sub processes: each prints a line per archived advisory -- */

struct subs {
	pid_t pids[MAX_N];
	int fds[MAX_N];
	long lines[MAX_N];
	int bol[MAX_N];
	int n;
};

static void
subs_count(struct subs *s, int i, const char *buf, size_t len)
{
	size_t k;

	for (k = 0; k < len; k++) {
		if (s->bol[i] && buf[k] >= '0' && buf[k] <= '9')
			s->lines[i]++;
		s->bol[i] = buf[k] == '\n';
	}
}

/* Wait until every subscriber has printed want advisory lines; *last
 * gets the time the last of them got there.  0, or -1 after timeout. */
static int
subs_wait(struct subs *s, long want, int timeout_ms, double *last)
{
	static struct pollfd p[MAX_N];
	double end_ms = parts_now_ms() + timeout_ms;
	char buf[1 << 16];
	int i, done;
	ssize_t r;

	for (;;) {
		for (done = 0, i = 0; i < s->n; i++)
			done += s->lines[i] >= want;
		if (done == s->n)
			break;
		if (parts_now_ms() > end_ms)
			return -1;
		for (i = 0; i < s->n; i++)
			p[i] = (struct pollfd){ .fd = s->fds[i], .events = POLLIN };
		if (poll(p, (nfds_t)s->n, 100) <= 0)
			continue;
		for (i = 0; i < s->n; i++) {
			if (!(p[i].revents & (POLLIN | POLLHUP)))
				continue;
			r = read(s->fds[i], buf, sizeof(buf));
			if (r <= 0)
				return -1;
			subs_count(s, i, buf, (size_t)r);
		}
		*last = parts_now_ms();
	}
	return 0;
}

static void
subs_end(struct subs *s)
{
	int i;

	end(s->pids, s->n);
	for (i = 0; i < s->n; i++)
		close(s->fds[i]);
}

/* --- canhbao: a publisher, and a relay in front of it ------------------- */

struct canhbao {
	char *home;   /* this phase's folder */
	char *pubdir; /* the publisher's state */
	char *bcast;  /* where receivers connect: publisher or relay */
	char *reqs;
	pid_t pub, relay;
};

static char *
read_endpoint(const char *state, const char *file)
{
	char *p = cb_xasprintf("%s/%s", state, file), *ep = NULL;
	double end_ms = parts_now_ms() + 10000;
	size_t len;

	while (ep == NULL && parts_now_ms() < end_ms) {
		ep = cb_file_read(p, 256, 0, &len, NULL);
		if (ep == NULL)
			usleep(20000);
	}
	free(p);
	if (ep == NULL)
		parts_die("the publisher did not start (see its log)");
	return keep(ep);
}

static void
start_publisher(struct canhbao *c)
{
	c->pub = track(parts_start_pub(bindir, c->home, "tcp://127.0.0.1:*",
	    "tcp://127.0.0.1:*"));
	c->bcast = read_endpoint(c->pubdir, "broadcast.endpoint");
	c->reqs = read_endpoint(c->pubdir, "requests.endpoint");
}

static char *
relay_prog(void)
{
	return keep(cb_xasprintf("%s/canhbao-relay", bindir));
}

/* canhbao-relay in front of the publisher (the CLI of issue 15):
 * registered at the publisher as a relay, subscribed upstream, serving
 * its own broadcast and requests on free ports. */
static void
start_relay(struct canhbao *c)
{
	char *prog = relay_prog();
	char *state = keep(cb_xasprintf("%s/relay", c->home));
	char *log = cb_xasprintf("%s/relay.log", c->home);
	char *key = keep(cb_xasprintf("%s/relay.pub", state));
	char *pubkey = keep(cb_xasprintf("%s/publisher.pub", c->pubdir));
	char *kg[] = { prog, S("keygen"), S("--state"), state, NULL };
	char *add[] = { keep(cb_xasprintf("%s/canhbao-pub", bindir)),
		S("agency"),
		S("add"), S("--state"), c->pubdir, S("--relay"), S("relay"), key,
		NULL };
	char *b = keep(cb_xasprintf("tcp://127.0.0.1:%d", free_port()));
	char *r = keep(cb_xasprintf("tcp://127.0.0.1:%d", free_port()));
	char *argv[] = { prog, S("run"), S("--state"), state,
		S("--upstream-broadcast"), c->bcast, S("--upstream-requests"),
		c->reqs, S("--publisher-key"), pubkey, S("--broadcast"), b,
		S("--requests"), r, S("--insecure"), NULL };

	if (run(kg, log) != 0)
		parts_die("canhbao-relay keygen failed");
	/* insecure: the relay is admitted anyway; registered, its presence
	 * is taken as a relay's */
	if (run(add, log) != 0)
		progress("relay: canhbao-pub agency add --relay failed "
			 "(continuing: --insecure admits the relay)");
	c->relay = track(parts_spawn(argv, -1, log));
	c->bcast = b;
	c->reqs = r;
	free(log);
}

static void
canhbao_start(struct canhbao *c, const char *name, int via_relay)
{
	memset(c, 0, sizeof(*c));
	c->home = keep(cb_xasprintf("%s/%s", dir, name));
	c->pubdir = keep(cb_xasprintf("%s/pub", c->home));
	if (mkdir(c->home, 0700) < 0)
		parts_die("cannot make a phase folder");
	start_publisher(c);
	if (via_relay)
		start_relay(c);
}

/* The end of a log on stderr, when a phase did not finish (the folder
 * goes at exit). */
static void
show_tail(const char *home, const char *name)
{
	char *p = cb_xasprintf("%s/%s", home, name), *text;
	size_t len = 0;

	text = cb_file_read(p, 1 << 24, 0, &len, NULL);
	if (text != NULL)
		fprintf(stderr, "--- the end of %s:\n%s\n", name,
		    len > 3000 ? text + len - 3000 : text);
	free(text);
	free(p);
}

static void
canhbao_end(struct canhbao *c)
{
	end(&c->relay, 1);
	end(&c->pub, 1);
}

static char *
control(struct canhbao *c, const char *req)
{
	struct cb_err err;
	char *reply = pub_control_call(c->pubdir, req, &err);

	if (reply == NULL)
		parts_die(err.msg);
	return reply;
}

/* One advisory through the control channel, as staff publish it. */
static void
publish_one(struct canhbao *c)
{
	char *req = parts_publish_request("ONE", 1);

	free(control(c, req));
	free(req);
}

/* The burst: a feed document of BURST, polled at once. */
static void
publish_burst(struct canhbao *c)
{
	free(control(c, "{\"cmd\":\"poll\"}"));
}

struct figures {
	int done;
	double one_s, delivery_s, archived_s;
	double first_s; /* poll -> the burst's first message at every
			   receiver: the publisher's signing and journaling */
};

/* N light receivers: one advisory, then the burst, to all of them. */
static int
delivery(struct canhbao *c, int n, struct figures *f)
{
	static struct herd h;
	char one[16], first[16], all[16];
	char *argv[] = { recv_prog, S("zmq"), c->bcast, one, first, all,
		NULL };
	double t0, last;
	int i, rc = -1;

	snprintf(one, sizeof(one), "1");
	snprintf(first, sizeof(first), "2");
	snprintf(all, sizeof(all), "%d", BURST + 1);
	herd_init(&h);
	for (i = 0; i < n; i++)
		herd_spawn(&h, argv);
	if (herd_wait(&h, 0, READY_MS, &last, NULL, NULL) < 0)
		goto out;
	parts_write_feed(c->home, BURST);
	t0 = parts_now_ms();
	publish_one(c);
	if (herd_wait(&h, 1, READY_MS, &last, NULL, NULL) < 0)
		goto out;
	f->one_s = (last - t0) / 1e3;
	t0 = parts_now_ms();
	publish_burst(c);
	if (herd_wait(&h, 2, BURST_MS, &last, NULL, NULL) < 0)
		goto out;
	f->first_s = (last - t0) / 1e3;
	if (herd_wait(&h, BURST + 1, BURST_MS, &last, NULL, NULL) < 0)
		goto out;
	f->delivery_s = (last - t0) / 1e3;
	rc = 0;
out:
	herd_end(&h);
	return rc;
}

static void
subs_start(struct subs *s, struct canhbao *c, int n)
{
	char *key = keep(cb_xasprintf("%s/publisher.pub", c->pubdir)), *log;
	char *argv[] = { keep(cb_xasprintf("%s/canhbao-sub", bindir)), S("run"),
		S("--state"), NULL, S("--broadcast"), c->bcast,
		S("--requests"), c->reqs, S("--publisher-key"), key,
		S("--insecure"), NULL };
	int i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < n; i++) {
		argv[3] = cb_xasprintf("%s/sub%d", c->home, i);
		log = cb_xasprintf("%s/sub%d.log", c->home, i);
		s->pids[i] = track(parts_spawn_piped(argv, &s->fds[i], log));
		s->bol[i] = 1;
		s->n++;
		free(argv[3]);
		free(log);
	}
}

/* N canhbao-sub: every one has the warm-up advisory (so each is
 * connected and caught up), then the burst until all have archived it. */
static int
archived(struct canhbao *c, int n, struct figures *f)
{
	static struct subs s;
	double t0, last;
	int rc = -1;

	subs_start(&s, c, n);
	parts_write_feed(c->home, BURST);
	publish_one(c);
	if (subs_wait(&s, 1, READY_MS, &last) < 0)
		goto out;
	t0 = parts_now_ms();
	publish_burst(c);
	if (subs_wait(&s, BURST + 1, BURST_MS, &last) < 0)
		goto out;
	f->archived_s = (last - t0) / 1e3;
	rc = 0;
out:
	subs_end(&s);
	return rc;
}

/* One phase on a fresh publisher (and relay): a new subscriber would
 * otherwise catch up on the earlier burst first. */
static int
canhbao_phase(int n, int via_relay, const char *what,
    int (*fn)(struct canhbao *, int, struct figures *), struct figures *f)
{
	const char *how = via_relay ? "relay" : "direct";
	struct canhbao c;
	char name[64];
	int rc;

	snprintf(name, sizeof(name), "%s-%d-%s", how, n, what);
	canhbao_start(&c, name, via_relay);
	rc = fn(&c, n, f);
	canhbao_end(&c);
	if (rc < 0) {
		progress("N=%d canhbao %s: %s did not finish", n, how, what);
		show_tail(c.home, "pub.log");
		show_tail(c.home, "relay.log");
		show_tail(c.home, "sub0.log");
	}
	return rc;
}

static void
canhbao_fanout(int n, int via_relay, struct figures *f)
{
	const char *how = via_relay ? "relay" : "direct";

	if (canhbao_phase(n, via_relay, "delivery", delivery, f) < 0)
		return;
	progress("N=%d canhbao %s: one %.3f s, delivery %.3f s (the first "
		 "%.3f s)", n, how, f->one_s, f->delivery_s, f->first_s);
	if (canhbao_phase(n, via_relay, "archived", archived, f) < 0)
		return;
	progress("N=%d canhbao %s: archived by all %.3f s", n, how,
	    f->archived_s);
	f->done = 1;
}

/* --- raw ZeroMQ ---------------------------------------------------------- */

static void
send_hb(void *pub)
{
	zmq_send(pub, "hb", 2, ZMQ_DONTWAIT);
}

static double
zmq_fanout(int n)
{
	static struct herd h;
	void *ctx = zmq_ctx_new(), *pub = zmq_socket(ctx, ZMQ_PUB);
	char ep[256], all[16], *payload = cb_xmalloc(rates.envelope);
	char *argv[] = { recv_prog, S("zmq"), ep, all, NULL };
	size_t len = sizeof(ep);
	int i, hwm = 100000, linger = 0;
	double t0, last, s = -1;

	memset(payload, 'x', rates.envelope);
	zmq_setsockopt(pub, ZMQ_SNDHWM, &hwm, sizeof(hwm));
	zmq_setsockopt(pub, ZMQ_LINGER, &linger, sizeof(linger));
	if (zmq_bind(pub, "tcp://127.0.0.1:*") < 0 ||
	    zmq_getsockopt(pub, ZMQ_LAST_ENDPOINT, ep, &len) < 0)
		parts_die("cannot bind a ZeroMQ PUB");
	snprintf(all, sizeof(all), "%d", BURST);
	herd_init(&h);
	for (i = 0; i < n; i++)
		herd_spawn(&h, argv);
	if (herd_wait(&h, 0, READY_MS, &last, send_hb, pub) < 0)
		goto out;
	t0 = parts_now_ms();
	for (i = 0; i < BURST; i++) {
		zmq_send(pub, "adv.bench", 9, ZMQ_SNDMORE);
		zmq_send(pub, payload, rates.envelope, 0);
	}
	if (herd_wait(&h, BURST, BURST_MS, &last, NULL, NULL) == 0)
		s = (last - t0) / 1e3;
out:
	herd_end(&h);
	zmq_close(pub);
	zmq_ctx_term(ctx);
	free(payload);
	return s;
}

/* --- mosquitto ----------------------------------------------------------- */

static pid_t
start_mosquitto(int port)
{
	char *conf = cb_xasprintf("%s/mosquitto-%d.conf", dir, port);
	char *log = cb_xasprintf("%s/mosquitto.log", dir);
	char *argv[] = { S(MOSQUITTO), S("-c"), conf, NULL };
	FILE *f = fopen(conf, "w");
	pid_t pid;

	if (f == NULL)
		parts_die("cannot write the mosquitto configuration");
	/* persistence off: sessions in memory; no cap on a client's queue
	 * (the default, 1,000, would drop part of the burst) */
	fprintf(f, "listener %d 127.0.0.1\nallow_anonymous true\n"
		   "persistence false\nmax_queued_messages 0\n"
		   "log_dest stderr\nlog_type error\nlog_type warning\n", port);
	fclose(f);
	pid = track(parts_spawn(argv, -1, log));
	if (wait_listening(port, 10000) < 0)
		parts_die("mosquitto did not start (see its log)");
	free(conf);
	free(log);
	return pid;
}

/* The publishing client: connected, its network in libmosquitto's own
 * thread (mosquitto_loop_start). */
static struct mosquitto *
mqtt_publisher(int port)
{
	struct mosquitto *m = mosquitto_new("fanout-pub", true, NULL);

	if (m == NULL || mosquitto_connect(m, "127.0.0.1", port, 60) != 0 ||
	    mosquitto_loop_start(m) != 0)
		parts_die("cannot connect to mosquitto");
	return m;
}

static void
mqtt_burst(struct mosquitto *m, const char *payload, size_t len)
{
	int i;

	for (i = 0; i < BURST; i++)
		if (mosquitto_publish(m, NULL, "fanout", (int)len, payload, 1,
			false) != 0)
			parts_die("mosquitto_publish failed");
}

static double
mosquitto_fanout(int n)
{
	static struct herd h;
	int port = free_port(), i;
	pid_t broker = start_mosquitto(port);
	char portstr[16], all[16], id[64], *payload =
	    cb_xmalloc(rates.envelope);
	char *argv[] = { recv_prog, S("mqtt"), portstr, id, all, NULL };
	double t0, last, s = -1;
	struct mosquitto *m = NULL;

	memset(payload, 'x', rates.envelope);
	snprintf(portstr, sizeof(portstr), "%d", port);
	snprintf(all, sizeof(all), "%d", BURST);
	herd_init(&h);
	for (i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "fanout-%d-%d", n, i);
		herd_spawn(&h, argv);
	}
	if (herd_wait(&h, 0, READY_MS, &last, NULL, NULL) < 0)
		goto out;
	m = mqtt_publisher(port);
	t0 = parts_now_ms();
	mqtt_burst(m, payload, rates.envelope);
	if (herd_wait(&h, BURST, BURST_MS, &last, NULL, NULL) == 0)
		s = (last - t0) / 1e3;
out:
	herd_end(&h);
	if (m != NULL) {
		mosquitto_disconnect(m);
		mosquitto_loop_stop(m, false);
		mosquitto_destroy(m);
	}
	end(&broker, 1);
	free(payload);
	return s;
}

/* --- the report ---------------------------------------------------------- */

struct row {
	int n;
	struct figures direct, relay;
	double zmq_s, mosquitto_s;
};

static cJSON *
figures_json(const struct figures *f)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "delivery_s", f->delivery_s);
	cJSON_AddNumberToObject(o, "archived_s", f->archived_s);
	cJSON_AddNumberToObject(o, "one_s", f->one_s);
	cJSON_AddNumberToObject(o, "first_s", f->first_s);
	return o;
}

static void
save_row(const struct row *r)
{
	cJSON *o = cJSON_CreateObject();
	char key[16];

	if (r->direct.done)
		cJSON_AddItemToObject(o, "direct", figures_json(&r->direct));
	if (r->relay.done)
		cJSON_AddItemToObject(o, "relay", figures_json(&r->relay));
	if (r->zmq_s > 0)
		cJSON_AddNumberToObject(o, "zmq_s", r->zmq_s);
	if (r->mosquitto_s > 0)
		cJSON_AddNumberToObject(o, "mosquitto_s", r->mosquitto_s);
	snprintf(key, sizeof(key), "%d", r->n);
	results_set_in("fanout", key, o);
}

static void
print_figures(const struct figures *f)
{
	if (f->done)
		printf(" %6.3f %6.3f %8.3f %8.3f |", f->one_s, f->first_s,
		    f->delivery_s, f->archived_s);
	else
		printf(" %6s %6s %8s %8s |", "-", "-", "-", "-");
}

static void
print_ratio(const char *what, const struct figures *f, double to)
{
	if (f->done && to > 0)
		printf("  %s %6.2f", what, f->delivery_s / to);
	else
		printf("  %s %6s", what, "-");
}

static void
report(const struct row *rows, int nrows, int cores)
{
	double bound = (30000 / rates.verify_per_s +
	    30000 / rates.insert_per_s) / cores;
	cJSON *vs = cJSON_CreateObject();
	int i;

	printf("== fan-out: one burst of %d advisories (%zu bytes signed) to "
	       "N subscriber processes\n   (127.0.0.1, TCP; %d cores; this "
	       "run; seconds)\n", BURST, rates.envelope, cores);
	printf("parts: verify %.0f /s, durable batched insert %.0f /s: bound "
	       "for archived by 30 = (30000/verify + 30000/insert) / %d = "
	       "%.3f s\n", rates.verify_per_s, rates.insert_per_s, cores,
	    bound);
	printf("     N | canhbao direct                 | canhbao via one relay "
	       "         | raw ZeroMQ | mosquitto QoS 1\n"
	       "       |    one  first delivery archived |    one  first "
	       "delivery archived |   delivery |   delivery\n");
	for (i = 0; i < nrows; i++) {
		printf("%6d |", rows[i].n);
		print_figures(&rows[i].direct);
		print_figures(&rows[i].relay);
		printf(" %10.3f | %10.3f\n", rows[i].zmq_s,
		    rows[i].mosquitto_s);
	}
	printf("ratios of delivery (below 1: canhbao is faster)\n");
	for (i = 0; i < nrows; i++) {
		printf("%6d | to mosquitto:", rows[i].n);
		print_ratio("direct", &rows[i].direct, rows[i].mosquitto_s);
		print_ratio("relay", &rows[i].relay, rows[i].mosquitto_s);
		printf("   to raw ZeroMQ:");
		print_ratio("direct", &rows[i].direct, rows[i].zmq_s);
		print_ratio("relay", &rows[i].relay, rows[i].zmq_s);
		printf("\n");
		save_row(&rows[i]);
		if (rows[i].n == 30 && rows[i].direct.done) {
			printf("archived by 30: %.3f s, %.2f x the bound "
			       "(goal <= 2)\n", rows[i].direct.archived_s,
			    rows[i].direct.archived_s / bound);
			results_set_in("fanout", "archived_30_ratio",
			    cJSON_CreateNumber(rows[i].direct.archived_s /
				bound));
		}
		if (rows[i].n == 100 && rows[i].mosquitto_s > 0 &&
		    rows[i].direct.done)
			cJSON_AddNumberToObject(vs, "direct",
			    rows[i].direct.delivery_s / rows[i].mosquitto_s);
		if (rows[i].n == 100 && rows[i].mosquitto_s > 0 &&
		    rows[i].relay.done)
			cJSON_AddNumberToObject(vs, "relay",
			    rows[i].relay.delivery_s / rows[i].mosquitto_s);
	}
	results_set_in("fanout", "bound_30_s", cJSON_CreateNumber(bound));
	results_set_in("fanout", "verify_per_s",
	    cJSON_CreateNumber(rates.verify_per_s));
	results_set_in("fanout", "insert_per_s",
	    cJSON_CreateNumber(rates.insert_per_s));
	results_set_in("fanout", "delivery_100_vs_mosquitto", vs);
}

/* --- main ---------------------------------------------------------------- */

/* $BENCH_FANOUT_N, or 10 30 100. */
static int
read_sizes(struct row *rows, int max)
{
	const char *env = getenv("BENCH_FANOUT_N");
	char *list = cb_xstrdup(env != NULL && *env != '\0' ? env :
						       "10 30 100");
	char *tok, *save = NULL;
	int n = 0, v;

	for (tok = strtok_r(list, " ,", &save); tok != NULL && n < max;
	     tok = strtok_r(NULL, " ,", &save)) {
		v = atoi(tok);
		if (v < 1 || v > MAX_N)
			parts_die("BENCH_FANOUT_N: each N from 1 to 1000");
		memset(&rows[n], 0, sizeof(rows[n]));
		rows[n++].n = v;
	}
	free(list);
	return n;
}

/* Room for N of each kind of process and their connections. */
static void
raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static void
setup(const char *argv0)
{
	const char *slash;
	char *raw;

	if (cb_sig_init() < 0 || mkdtemp(dir) == NULL)
		parts_die("cannot set up");
	atexit(cleanup);
	progress("working in %s", dir);
	signal(SIGPIPE, SIG_IGN);
	raise_fd_limit();
	/* no desktop pop-ups, no configuration but the bench's */
	unsetenv("DBUS_SESSION_BUS_ADDRESS");
	setenv("XDG_CONFIG_HOME", dir, 1);
	setenv("XDG_STATE_HOME", dir, 1);
	unsetenv("CANHBAO_CONFIG");
	unsetenv("CANHBAO_STATE");
	slash = strrchr(argv0, '/');
	recv_prog = keep(slash == NULL ? cb_xstrdup("bench_fanout_recv") :
	    cb_xasprintf("%.*s/bench_fanout_recv", (int)(slash - argv0),
		argv0));
	progress("the parts alone: verify and durable insert rates");
	parts_crypto_rates(PARTS_N, &rates);
	raw = cb_xasprintf("%s/raw.db", dir);
	parts_insert_rates(raw, PARTS_N, &rates);
	free(raw);
}

static void
measure(struct row *r, int relay_built, int mosquitto_there)
{
	int n = r->n;

	progress("N=%d raw ZeroMQ", n);
	r->zmq_s = zmq_fanout(n);
	progress("N=%d raw ZeroMQ: %.3f s", n, r->zmq_s);
	if (mosquitto_there) {
		progress("N=%d mosquitto QoS 1", n);
		r->mosquitto_s = mosquitto_fanout(n);
		progress("N=%d mosquitto QoS 1: %.3f s", n, r->mosquitto_s);
	}
	progress("N=%d canhbao direct", n);
	canhbao_fanout(n, 0, &r->direct);
	if (relay_built) {
		progress("N=%d canhbao through one relay", n);
		canhbao_fanout(n, 1, &r->relay);
	}
}

int
main(int argc, char **argv)
{
	struct row rows[16];
	char *relay;
	int nrows, i, relay_built, mosquitto_there, cores;

	if (argc != 2) {
		fprintf(stderr, "usage: bench_fanout BINDIR\n");
		return 2;
	}
	bindir = argv[1];
	nrows = read_sizes(rows, 16);
	setup(argv[0]);
	relay = relay_prog();
	relay_built = access(relay, X_OK) == 0;
	if (!relay_built)
		printf("relay: bin/canhbao-relay not built, skipped\n");
	fflush(stdout);
	mosquitto_there = access(MOSQUITTO, X_OK) == 0;
	if (mosquitto_there)
		mosquitto_lib_init();
	else
		printf("mosquitto: %s not installed, skipped (sh "
		       "scripts/install-deps.sh)\n", MOSQUITTO);
	cores = (int)sysconf(_SC_NPROCESSORS_ONLN);
	for (i = 0; i < nrows; i++)
		measure(&rows[i], relay_built, mosquitto_there);
	report(rows, nrows, cores < 1 ? 1 : cores);
	return results_save() < 0 ? 1 : 0;
}
