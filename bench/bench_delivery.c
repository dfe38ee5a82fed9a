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

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>
#include <zmq.h>

#include "cb_file.h"
#include "cb_mem.h"
#include "cb_msg.h"
#include "cb_sig.h"
#include "pub_control.h"
#include "results.h"

extern char **environ;

#define LATENCY_N 200
#define BURST_N 2000
#define SUSTAINED_N 5000
#define BEHIND_N 10000
#define PARTS_N 3000
#define INSERT_BATCH 1000

static char dir[] = "/tmp/canhbao-bench.XXXXXX";
static const char *bindir;
static pid_t pub_pid, sub_pid;
static int sub_out = -1;

/* About 1.8 KB of summary, so that a signed advisory is about 2 KB. */
static const char summary[] =
    "Đề nghị các đơn vị cập nhật bản vá ngay lập tức, rà soát nhật ký "
    "truy cập của hệ thống máy chủ, đổi mật khẩu quản trị, giám sát các "
    "kết nối bất thường từ xa và báo cáo về Sở Thông tin và Truyền thông "
    "trước 17 giờ. Lỗ hổng cho phép kẻ tấn công chiếm quyền điều khiển "
    "hệ thống mà không cần xác thực; mã khai thác đã được công bố và đang "
    "bị sử dụng trong các chiến dịch tấn công nhằm vào cơ quan nhà nước "
    "dịp Tết Nguyên đán. Các đơn vị chưa thể vá cần tạm ngắt dịch vụ "
    "khỏi Internet, sao lưu dữ liệu, kiểm tra dấu hiệu xâm nhập theo danh "
    "sách IoC đính kèm và phối hợp với đội ứng cứu sự cố của tỉnh. Cán bộ "
    "trực cần theo dõi 24/7 và báo cáo ngay khi phát hiện sự cố. Đề nghị "
    "các đơn vị cập nhật bản vá ngay lập tức, rà soát nhật ký truy cập "
    "của hệ thống máy chủ, đổi mật khẩu quản trị, giám sát các kết nối "
    "bất thường từ xa và báo cáo về Sở Thông tin và Truyền thông trước "
    "17 giờ. Lỗ hổng cho phép kẻ tấn công chiếm quyền điều khiển hệ thống "
    "mà không cần xác thực; mã khai thác đã được công bố và đang bị sử "
    "dụng trong các chiến dịch tấn công nhằm vào cơ quan nhà nước.";

/* A writable copy of a literal, for argv (the few bytes are not freed:
 * the bench runs once). */
#define S(lit) cb_xstrdup(lit)

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
pct(double *v, int n, double p)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_d);
	return v[(int)(p * (n - 1))];
}

static void
die(const char *what)
{
	fprintf(stderr, "bench: %s\n", what);
	exit(2);
}

static pid_t
spawn(char *const argv[], int *out_fd, const char *log)
{
	posix_spawn_file_actions_t fa;
	int fds[2];
	pid_t pid;

	posix_spawn_file_actions_init(&fa);
	if (out_fd == NULL)
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null",
		    O_WRONLY, 0);
	if (out_fd != NULL) {
		if (pipe(fds) < 0)
			exit(2);
		posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
		posix_spawn_file_actions_addclose(&fa, fds[0]);
	}
	posix_spawn_file_actions_addopen(&fa, 2, log,
	    O_WRONLY | O_CREAT | O_APPEND, 0600);
	if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ) != 0) {
		perror(argv[0]);
		exit(2);
	}
	posix_spawn_file_actions_destroy(&fa);
	if (out_fd != NULL) {
		close(fds[1]);
		*out_fd = fds[0];
	}
	return pid;
}

static void
stop(pid_t *pid)
{
	if (*pid > 0) {
		kill(*pid, SIGTERM);
		waitpid(*pid, NULL, 0);
	}
	*pid = 0;
}

static char *
path(const char *name)
{
	return cb_xasprintf("%s/%s", dir, name);
}

/* The JSON of advisory i of a run tag, as a feed item or a draft. */
static char *
advisory_json(const char *tag, int i)
{
	return cb_xasprintf("{\"id\": \"%s-%d\", \"severity\": \"high\", "
			    "\"title\": \"Cảnh báo hiệu năng %d: lỗ hổng "
			    "nghiêm trọng trong phần mềm một cửa\", "
			    "\"summary\": \"%s\"}", tag, i, i, summary);
}

static void
write_feed(int n)
{
	char *p = path("feed.json"), *tmp = path("feed.json.tmp"), *a, tag[32];
	FILE *f = fopen(tmp, "w");
	int i;

	if (f == NULL)
		die("cannot write the feed");
	snprintf(tag, sizeof(tag), "F%d", n);
	fprintf(f, "{\"canhbao_feed\": 1, \"advisories\": [");
	for (i = 0; i < n; i++) {
		a = advisory_json(tag, i);
		fprintf(f, "%s%s", i ? "," : "", a);
		free(a);
	}
	fprintf(f, "]}\n");
	fclose(f);
	rename(tmp, p);
	free(p);
	free(tmp);
}

static void
start_pub(void)
{
	char *state = path("pub"), *conf = path("pub.conf"), *log =
	    path("pub.log");
	char *prog = cb_xasprintf("%s/canhbao-pub", bindir);
	char *kg[] = { prog, S("keygen"), S("--state"), state, NULL };
	char *run[] = { prog, S("run"), S("-c"), conf, NULL };
	FILE *f;
	pid_t pid;

	pid = spawn(kg, NULL, log);
	waitpid(pid, NULL, 0);
	f = fopen(conf, "w");
	if (f == NULL)
		die("cannot write pub.conf");
	fprintf(f, "[publisher]\nstate = %s\nbroadcast = ipc://%s/b\n"
		   "requests = ipc://%s/r\nheartbeat = 1\ninsecure = yes\n"
		   "[feed \"bench\"]\nurl = file://%s/feed.json\nformat = "
		   "json\nbackfill = all\ninterval = 86400\n",
	    state, dir, dir, dir);
	fclose(f);
	write_feed(0);
	pub_pid = spawn(run, NULL, log);
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

	sub_pid = spawn(run, &sub_out, log);
}

/* Read subscriber lines until one contains want, or until count report
 * lines when want is NULL; *first (may be NULL) gets the time the first
 * of them was read.  Returns 0, or -1 after timeout_ms. */
static int
read_until(const char *want, int count, int timeout_ms, double *first)
{
	static char buf[1 << 16];
	static size_t have;
	double end = now_ms() + timeout_ms;
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
				*first = now_ms();
			if (hit && (want != NULL || --count == 0))
				return 0;
		}
		if (now_ms() > end || poll(&p, 1, 100) < 0)
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
		die(err.msg);
	return reply;
}

static char *
publish_request(int i)
{
	char tag[32], *a, *req;

	snprintf(tag, sizeof(tag), "L%d", i);
	a = advisory_json(tag, i);
	/* a draft has no id: drop it, the publisher assigns one */
	req = cb_xasprintf("{\"cmd\":\"publish\",\"advisory\":{%s}",
	    strstr(a, "\"severity\""));
	free(a);
	return req;
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
		die("cannot connect to the control socket");
	free(ep);
	return d;
}

static void
send_publish(void *d, int i)
{
	char *req = publish_request(i);

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
		die("no reply from the publisher");
	buf[n < (int)sizeof(buf) - 1 ? n : (int)sizeof(buf) - 1] = '\0';
	if (id == NULL)
		return;
	p = strstr(buf, "\"id\":\"");
	if (p == NULL)
		die("publish refused");
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

static double verify_rate, sign_rate, insert_rate, zmq_rtt, commit_ms;

/* Envelopes of about 2 KB, signed and verified as the daemons do. */
static void
crypto_rates(void)
{
	struct cb_sealed m;
	struct cb_seckey *sk;
	struct cb_pubkey pk;
	struct cb_msg msg;
	struct cb_err err;
	char *json = advisory_json("V", 1);
	double t0;
	int i;

	cb_sig_keygen(&sk, &pk, NULL);
	t0 = now_ms();
	for (i = 0; i < PARTS_N; i++) {
		if (cb_msg_seal(sk, CB_MSG_ADVISORY, (uint64_t)i + 1, 0, json,
			strlen(json), "bench", &m, &err) < 0)
			die(err.msg);
		if (i + 1 < PARTS_N)
			cb_sealed_release(&m);
	}
	sign_rate = PARTS_N / ((now_ms() - t0) / 1e3);
	t0 = now_ms();
	for (i = 0; i < PARTS_N; i++)
		if (cb_msg_open(&pk, 1, m.signed_bytes, m.signed_len,
			m.sigblock, m.sigblock_len, &msg, &err) < 0)
			die(err.msg);
	verify_rate = PARTS_N / ((now_ms() - t0) / 1e3);
	printf("  envelope of %zu bytes signed\n", m.signed_len + m.sigblock_len);
	cb_sealed_release(&m);
	cb_seckey_free(sk);
	free(json);
}

static void
sql(sqlite3 *db, const char *q)
{
	char *msg = NULL;

	if (sqlite3_exec(db, q, NULL, NULL, &msg) != SQLITE_OK)
		die(msg != NULL ? msg : q);
}

struct raw {
	sqlite3 *db;
	sqlite3_stmt *m, *x;
	uint8_t blob[2000];
};

/* One advisory's rows as the archive writes them: the message with its
 * signed bytes, and the words of the index. */
static void
insert_row(struct raw *r, int i)
{
	char *title = cb_xasprintf("Cảnh báo hiệu năng %d: lỗ hổng nghiêm "
				   "trọng trong phần mềm một cửa", i);

	sqlite3_bind_int(r->m, 1, i);
	sqlite3_bind_text(r->m, 2, title + 10, -1, SQLITE_STATIC);
	sqlite3_bind_text(r->m, 3, title, -1, SQLITE_STATIC);
	sqlite3_bind_blob(r->m, 4, r->blob, 1900, SQLITE_STATIC);
	sqlite3_bind_blob(r->m, 5, r->blob, 100, SQLITE_STATIC);
	sqlite3_bind_int(r->x, 1, i);
	sqlite3_bind_text(r->x, 2, title, -1, SQLITE_STATIC);
	sqlite3_bind_text(r->x, 3, summary, -1, SQLITE_STATIC);
	if (sqlite3_step(r->m) != SQLITE_DONE ||
	    sqlite3_step(r->x) != SQLITE_DONE)
		die(sqlite3_errmsg(r->db));
	sqlite3_reset(r->m);
	sqlite3_reset(r->x);
	free(title);
}

/* Raw SQLite + FTS5, durably: PARTS_N rows INSERT_BATCH to a
 * transaction; then single rows, one transaction each. */
static void
insert_rates(void)
{
	char *file = path("raw.db");
	struct raw r;
	double t0, one[50];
	int i;

	memset(r.blob, 'x', sizeof(r.blob));
	if (sqlite3_open(file, &r.db) != SQLITE_OK)
		die("cannot open raw.db");
	sql(r.db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
		  "CREATE TABLE message (seq INTEGER PRIMARY KEY, adv_id TEXT,"
		  "  title TEXT, signed BLOB, sigblock BLOB);"
		  "CREATE VIRTUAL TABLE idx USING fts5(title, summary,"
		  "  tokenize = 'unicode61 remove_diacritics 2');");
	if (sqlite3_prepare_v2(r.db, "INSERT INTO message VALUES "
				     "(?, ?, ?, ?, ?)", -1, &r.m, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(r.db, "INSERT INTO idx (rowid, title, summary) "
				     "VALUES (?, ?, ?)", -1, &r.x, NULL) != SQLITE_OK)
		die(sqlite3_errmsg(r.db));
	t0 = now_ms();
	for (i = 0; i < PARTS_N; i++) {
		if (i % INSERT_BATCH == 0)
			sql(r.db, "BEGIN");
		insert_row(&r, i + 1);
		if (i % INSERT_BATCH == INSERT_BATCH - 1 || i == PARTS_N - 1)
			sql(r.db, "COMMIT");
	}
	insert_rate = PARTS_N / ((now_ms() - t0) / 1e3);
	for (i = 0; i < 50; i++) {
		t0 = now_ms();
		sql(r.db, "BEGIN");
		insert_row(&r, PARTS_N + 1 + i);
		sql(r.db, "COMMIT");
		one[i] = now_ms() - t0;
	}
	commit_ms = pct(one, 50, 0.5);
	sqlite3_finalize(r.m);
	sqlite3_finalize(r.x);
	sqlite3_close(r.db);
	free(file);
}

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
		t0 = now_ms();
		zmq_send(req, msg, sizeof(msg), 0);
		zmq_recv(rep, msg, sizeof(msg), 0);
		zmq_send(rep, msg, sizeof(msg), 0);
		zmq_recv(req, msg, sizeof(msg), 0);
		rtt[i] = now_ms() - t0;
	}
	zmq_rtt = pct(rtt, 2000, 0.5);
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
		t0 = now_ms();
		send_publish(d, i);
		recv_reply(d, &id);
		journaled[i] = now_ms() - t0;
		if (read_until(id, 0, 10000, NULL) < 0)
			die("an advisory never arrived");
		lat[i] = now_ms() - t0;
		free(id);
	}
	lat_p50 = pct(lat, LATENCY_N, 0.5);
	lat_p99 = pct(lat, LATENCY_N, 0.99);
	journaled_p50 = pct(journaled, LATENCY_N, 0.5);
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
	t0 = now_ms();
	for (i = 0; i < BURST_N; i++)
		send_publish(d, 1000000 + i);
	for (i = 0; i < BURST_N; i++) { /* topic, signed, signature */
		zmq_recv(s, buf, sizeof(buf), 0);
		zmq_recv(s, buf, sizeof(buf), 0);
		zmq_recv(s, buf, sizeof(buf), 0);
	}
	publisher_rate = BURST_N / ((now_ms() - t0) / 1e3);
	for (i = 0; i < BURST_N; i++)
		recv_reply(d, NULL);
	if (read_until(NULL, BURST_N, 120000, NULL) < 0)
		die("the burst did not arrive");
	zmq_close(d);
	zmq_close(s);
	zmq_ctx_term(ctx);
	free(bep);
}

static void
sustained(void)
{
	double first = 0;

	write_feed(SUSTAINED_N);
	free(control("{\"cmd\":\"poll\"}"));
	if (read_until(NULL, SUSTAINED_N, 120000, &first) < 0)
		die("the feed did not arrive");
	/* from the first report: the publisher signs and journals the
	 * whole document before it broadcasts any of it */
	sustained_rate = (SUSTAINED_N - 1) / ((now_ms() - first) / 1e3);
}

static void
catch_up(void)
{
	unsigned long want;
	double t0;

	stop(&sub_pid);
	close(sub_out);
	want = journal_last() + BEHIND_N;
	write_feed(BEHIND_N);
	free(control("{\"cmd\":\"poll\"}"));
	while (journal_last() < want) /* journaled while nobody listens */
		usleep(100000);
	t0 = now_ms();
	start_sub();
	if (read_until(NULL, BEHIND_N, 120000, NULL) < 0)
		die("catch-up did not finish");
	catchup_s = (now_ms() - t0) / 1e3;
}

static void
report(void)
{
	double bound = verify_rate < insert_rate ? verify_rate : insert_rate;
	double lat_bound = zmq_rtt + 1e3 / verify_rate + commit_ms;

	printf("== delivery on the real daemons over ipc:// (this machine, "
	       "this run)\n");
	printf("parts: verify %8.0f /s   sign %8.0f /s   raw SQLite+FTS5 "
	       "insert %8.0f /s\n", verify_rate, sign_rate, insert_rate);
	printf("       ZeroMQ REQ/REP round trip %.3f ms, durable commit of "
	       "one row %.3f ms\n", zmq_rtt, commit_ms);
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
	results_number("verify_per_s", verify_rate);
	results_number("sign_per_s", sign_rate);
	results_number("insert_per_s", insert_rate);
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
	char cmd[256];
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
	crypto_rates();
	insert_rates();
	zmq_round_trip();
	start_pub();
	start_sub();
	usleep(500000); /* connected and subscribed */
	latency();
	publisher_burst();
	sustained();
	catch_up();
	report();
	stop(&sub_pid);
	stop(&pub_pid);
	rc = results_save();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 1;
	return rc < 0 ? 1 : 0;
}
