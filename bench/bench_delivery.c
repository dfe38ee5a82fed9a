/*
 * bench_delivery: the delivery path on the real daemons over ipc://,
 * beside what the machine itself can do in the same run.
 *
 *   latency      publish (control request) -> archived and reported by
 *                the subscriber: median and p99 of 200
 *   sustained    advisories/s, one publish after another, through sign,
 *                journal, broadcast, verify, archive; and the same for a
 *                feed document of 2,000 (one journal transaction)
 *   catch-up     seconds for a subscriber that was off to catch up on
 *                10,000 advisories
 *   baselines    Ed25519 verifications/s (cb_sig_verify on a 600-byte
 *                message), raw ZeroMQ PUB/SUB messages/s and REQ/REP
 *                round trip over ipc://, with ratios
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

#include <zmq.h>

#include "cb_file.h"
#include "cb_mem.h"
#include "cb_sig.h"
#include "pub_control.h"

extern char **environ;

static char dir[] = "/tmp/canhbao-bench.XXXXXX";
static const char *bindir;
static pid_t pub_pid, sub_pid;
static int sub_out = -1;

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

static void
write_feed(int n)
{
	char *p = path("feed.json"), *tmp = path("feed.json.tmp");
	FILE *f = fopen(tmp, "w");
	int i;

	fprintf(f, "{\"canhbao_feed\": 1, \"advisories\": [");
	for (i = 0; i < n; i++)
		fprintf(f, "%s{\"id\": \"B-%d-%d\", \"severity\": \"high\", "
			   "\"title\": \"Cảnh báo hiệu năng %d: lỗ hổng "
			   "nghiêm trọng trong phần mềm một cửa\", "
			   "\"summary\": \"Đề nghị các đơn vị cập nhật bản "
			   "vá ngay lập tức và báo cáo về Sở.\"}",
		    i ? "," : "", n, i, i);
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
	usleep(500000);
}

/* Read subscriber lines until one contains want (or count lines when
 * want is NULL); returns 0, or -1 after timeout_ms. */
static int
read_until(const char *want, int count, int timeout_ms)
{
	static char buf[1 << 16];
	static size_t have;
	double end = now_ms() + timeout_ms;
	struct pollfd p = { .fd = sub_out, .events = POLLIN };
	char *nl;
	ssize_t n;

	for (;;) {
		while ((nl = memchr(buf, '\n', have)) != NULL) {
			size_t len = (size_t)(nl - buf) + 1;
			int hit;

			*nl = '\0';
			hit = want ? strstr(buf, want) != NULL :
				     buf[0] >= '0' && buf[0] <= '9';
			memmove(buf, buf + len, have - len);
			have -= len;
			if (hit && (want != NULL || --count == 0))
				return 0;
		}
		if (now_ms() > end || poll(&p, 1, 100) < 0)
			return now_ms() > end ? -1 : 0;
		if (p.revents & POLLIN) {
			n = read(sub_out, buf + have, sizeof(buf) - have - 1);
			if (n <= 0)
				return -1;
			have += (size_t)n;
		}
	}
}

static char *
publish(int i)
{
	char req[512], *reply, *id, *end;
	struct cb_err err;
	char *state = path("pub");

	snprintf(req, sizeof(req), "{\"cmd\":\"publish\",\"advisory\":"
		 "{\"severity\":\"high\",\"title\":\"Cảnh báo đo độ trễ %d: "
		 "tấn công mạng\",\"summary\":\"Kiểm tra hiệu năng.\"}}", i);
	reply = pub_control_call(state, req, &err);
	free(state);
	if (reply == NULL) {
		fprintf(stderr, "bench: %s\n", err.msg);
		exit(2);
	}
	id = strstr(reply, "\"id\":\"");
	if (id == NULL)
		exit(2);
	id += 6;
	end = strchr(id, '"');
	id = cb_xstrndup(id, (size_t)(end - id));
	free(reply);
	return id;
}

static void
control(const char *req)
{
	struct cb_err err;
	char *state = path("pub"), *reply = pub_control_call(state, req, &err);

	free(reply);
	free(state);
}

static double verify_rate, zmq_rate, zmq_rtt;

static void
baselines(void)
{
	struct cb_seckey *sk;
	struct cb_pubkey pk;
	uint8_t msg[600], sig[CB_SIG_LEN];
	double t0;
	int i, n = 20000;
	void *ctx = zmq_ctx_new(), *pub = zmq_socket(ctx, ZMQ_PUB),
	     *sub = zmq_socket(ctx, ZMQ_SUB), *rep = zmq_socket(ctx, ZMQ_REP),
	     *req = zmq_socket(ctx, ZMQ_REQ);
	char *ep1 = cb_xasprintf("ipc://%s/raw1", dir), *ep2 =
	    cb_xasprintf("ipc://%s/raw2", dir);
	int hwm = 0;
	double rtt[2000];

	memset(msg, 'x', sizeof(msg));
	cb_sig_keygen(&sk, &pk, NULL);
	cb_sig_sign(sk, msg, sizeof(msg), sig);
	t0 = now_ms();
	for (i = 0; i < n; i++)
		cb_sig_verify(&pk, msg, sizeof(msg), sig);
	verify_rate = n / ((now_ms() - t0) / 1e3);
	cb_seckey_free(sk);

	zmq_setsockopt(pub, ZMQ_SNDHWM, &hwm, sizeof(hwm));
	zmq_setsockopt(sub, ZMQ_RCVHWM, &hwm, sizeof(hwm));
	zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0);
	zmq_bind(pub, ep1);
	zmq_connect(sub, ep1);
	usleep(300000);
	n = 100000;
	t0 = now_ms();
	for (i = 0; i < n; i++)
		zmq_send(pub, msg, sizeof(msg), 0);
	for (i = 0; i < n; i++)
		zmq_recv(sub, msg, sizeof(msg), 0);
	zmq_rate = n / ((now_ms() - t0) / 1e3);

	zmq_bind(rep, ep2);
	zmq_connect(req, ep2);
	for (i = 0; i < 2000; i++) {
		t0 = now_ms();
		zmq_send(req, msg, 100, 0);
		zmq_recv(rep, msg, sizeof(msg), 0);
		zmq_send(rep, msg, 100, 0);
		zmq_recv(req, msg, sizeof(msg), 0);
		rtt[i] = now_ms() - t0;
	}
	zmq_rtt = pct(rtt, 2000, 0.5);
	zmq_close(pub);
	zmq_close(sub);
	zmq_close(rep);
	zmq_close(req);
	zmq_ctx_term(ctx);
	free(ep1);
	free(ep2);
}

int
main(int argc, char **argv)
{
	double lat[200], t0, rate, feed_rate, catchup_s;
	int i, n = 200, sustained = 1000, bulk = 2000, behind = 10000;
	char *id, cmd[256];

	if (argc != 2) {
		fprintf(stderr, "usage: bench_delivery BINDIR\n");
		return 2;
	}
	bindir = argv[1];
	if (cb_sig_init() < 0 || mkdtemp(dir) == NULL)
		return 2;
	signal(SIGPIPE, SIG_IGN);
	unsetenv("DBUS_SESSION_BUS_ADDRESS"); /* no desktop pop-ups */
	baselines();
	start_pub();
	start_sub();

	for (i = 0; i < n; i++) {
		t0 = now_ms();
		id = publish(i);
		if (read_until(id, 0, 10000) < 0) {
			fprintf(stderr, "bench: %s never arrived\n", id);
			return 2;
		}
		lat[i] = now_ms() - t0;
		free(id);
	}
	t0 = now_ms();
	for (i = 0; i < sustained; i++)
		free(publish(i));
	read_until(NULL, sustained, 60000);
	rate = sustained / ((now_ms() - t0) / 1e3);

	write_feed(bulk);
	t0 = now_ms();
	control("{\"cmd\":\"poll\"}");
	read_until(NULL, bulk, 60000);
	feed_rate = bulk / ((now_ms() - t0) / 1e3);

	stop(&sub_pid);
	close(sub_out);
	write_feed(behind);
	control("{\"cmd\":\"poll\"}");
	sleep(3); /* the publisher journals them while nobody listens */
	t0 = now_ms();
	start_sub();
	if (read_until(NULL, behind, 120000) < 0)
		fprintf(stderr, "bench: catch-up did not finish\n");
	catchup_s = (now_ms() - t0) / 1e3 - 0.5; /* start_sub sleeps 0.5 s */

	printf("== delivery on the real daemons over ipc:// (this machine, "
	       "this run)\n");
	printf("latency publish -> archived   median %6.2f ms   p99 %6.2f ms "
	       "  (%d)\n", pct(lat, n, 0.5), pct(lat, n, 0.99), n);
	printf("sustained, one by one         %8.0f advisories/s\n", rate);
	printf("sustained, one feed document  %8.0f advisories/s\n",
	    feed_rate);
	printf("catch-up of %d             %8.2f s  (%.0f advisories/s)\n",
	    behind, catchup_s, behind / catchup_s);
	printf("baseline Ed25519 verify       %8.0f /s\n", verify_rate);
	printf("baseline ZeroMQ PUB/SUB ipc   %8.0f msgs/s (600 bytes)\n",
	    zmq_rate);
	printf("baseline ZeroMQ REQ/REP ipc   %8.3f ms round trip\n", zmq_rtt);
	printf("ratios: latency / ZeroMQ round trip %.0fx; sustained / "
	       "verify rate %.3f;\n        feed / verify rate %.3f; catch-up "
	       "rate / verify rate %.3f; feed / raw PUB/SUB %.4f\n",
	    pct(lat, n, 0.5) / zmq_rtt, rate / verify_rate,
	    feed_rate / verify_rate, behind / catchup_s / verify_rate,
	    feed_rate / zmq_rate);

	stop(&sub_pid);
	stop(&pub_pid);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 1;
	return 0;
}
