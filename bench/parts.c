/*
 * parts: the advisory, the parts' rates and the processes that the
 * delivery benchmarks share.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "cb_mem.h"
#include "cb_msg.h"
#include "cb_sig.h"
#include "parts.h"

extern char **environ;

const char parts_summary[] =
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

double
parts_now_ms(void)
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

double
parts_pct(double *v, int n, double p)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_d);
	return v[(int)(p * (n - 1))];
}

void
parts_die(const char *what)
{
	fprintf(stderr, "bench: %s\n", what);
	exit(2);
}

char *
parts_advisory_json(const char *tag, int i)
{
	return cb_xasprintf("{\"id\": \"%s-%d\", \"severity\": \"high\", "
			    "\"title\": \"Cảnh báo hiệu năng %d: lỗ hổng "
			    "nghiêm trọng trong phần mềm một cửa\", "
			    "\"summary\": \"%s\"}", tag, i, i, parts_summary);
}

void
parts_write_feed(const char *dir, int n)
{
	char *p = cb_xasprintf("%s/feed.json", dir);
	char *tmp = cb_xasprintf("%s/feed.json.tmp", dir), *a, tag[32];
	FILE *f = fopen(tmp, "w");
	int i;

	if (f == NULL)
		parts_die("cannot write the feed");
	snprintf(tag, sizeof(tag), "F%d", n);
	fprintf(f, "{\"canhbao_feed\": 1, \"advisories\": [");
	for (i = 0; i < n; i++) {
		a = parts_advisory_json(tag, i);
		fprintf(f, "%s%s", i ? "," : "", a);
		free(a);
	}
	fprintf(f, "]}\n");
	if (fclose(f) != 0 || rename(tmp, p) < 0)
		parts_die("cannot write the feed");
	free(p);
	free(tmp);
}

char *
parts_publish_request(const char *tag, int i)
{
	char *a = parts_advisory_json(tag, i), *req;

	/* a draft has no id: drop it, the publisher assigns one */
	req = cb_xasprintf("{\"cmd\":\"publish\",\"advisory\":{%s}",
	    strstr(a, "\"severity\""));
	free(a);
	return req;
}

pid_t
parts_spawn(char *const argv[], int out, const char *log)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;

	posix_spawn_file_actions_init(&fa);
	if (out < 0)
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null",
		    O_WRONLY, 0);
	else
		posix_spawn_file_actions_adddup2(&fa, out, 1);
	posix_spawn_file_actions_addopen(&fa, 2, log,
	    O_WRONLY | O_CREAT | O_APPEND, 0600);
	if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ) != 0) {
		perror(argv[0]);
		exit(2);
	}
	posix_spawn_file_actions_destroy(&fa);
	return pid;
}

pid_t
parts_spawn_piped(char *const argv[], int *out_fd, const char *log)
{
	int fds[2];
	pid_t pid;

	if (pipe(fds) < 0 || fcntl(fds[0], F_SETFD, FD_CLOEXEC) < 0 ||
	    fcntl(fds[1], F_SETFD, FD_CLOEXEC) < 0)
		parts_die("cannot make a pipe");
	pid = parts_spawn(argv, fds[1], log);
	close(fds[1]);
	*out_fd = fds[0];
	return pid;
}

pid_t
parts_start_pub(const char *bindir, const char *home, const char *broadcast,
    const char *requests)
{
	char *state = cb_xasprintf("%s/pub", home);
	char *conf = cb_xasprintf("%s/pub.conf", home);
	char *log = cb_xasprintf("%s/pub.log", home);
	char *prog = cb_xasprintf("%s/canhbao-pub", bindir);
	char kw[] = "keygen", sw[] = "--state", rw[] = "run", cw[] = "-c";
	char *kg[] = { prog, kw, sw, state, NULL };
	char *run[] = { prog, rw, cw, conf, NULL };
	FILE *f;
	pid_t pid;
	int st;

	pid = parts_spawn(kg, -1, log);
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
		parts_die("canhbao-pub keygen failed");
	f = fopen(conf, "w");
	if (f == NULL)
		parts_die("cannot write pub.conf");
	fprintf(f, "[publisher]\nstate = %s\nbroadcast = %s\n"
		   "requests = %s\nheartbeat = 1\ninsecure = yes\n"
		   "[feed \"bench\"]\nurl = file://%s/feed.json\nformat = "
		   "json\nbackfill = all\ninterval = 86400\n",
	    state, broadcast, requests, home);
	if (fclose(f) != 0)
		parts_die("cannot write pub.conf");
	parts_write_feed(home, 0);
	pid = parts_spawn(run, -1, log);
	free(state);
	free(conf);
	free(log);
	free(prog);
	return pid;
}

void
parts_stop(pid_t *pid)
{
	parts_stop_all(pid, 1);
}

void
parts_stop_all(pid_t *pids, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGTERM);
	for (i = 0; i < n; i++) {
		if (pids[i] > 0)
			waitpid(pids[i], NULL, 0);
		pids[i] = 0;
	}
}

void
parts_crypto_rates(int n, struct parts_rates *r)
{
	struct cb_sealed m;
	struct cb_seckey *sk;
	struct cb_pubkey pk;
	struct cb_msg msg;
	struct cb_err err;
	char *json = parts_advisory_json("V", 1);
	double t0;
	int i;

	memset(&m, 0, sizeof(m));
	cb_sig_keygen(&sk, &pk, NULL);
	t0 = parts_now_ms();
	for (i = 0; i < n; i++) {
		if (cb_msg_seal(sk, CB_MSG_ADVISORY, (uint64_t)i + 1, 0, json,
			strlen(json), "bench", &m, &err) < 0)
			parts_die(err.msg);
		if (i + 1 < n)
			cb_sealed_release(&m);
	}
	r->sign_per_s = n / ((parts_now_ms() - t0) / 1e3);
	t0 = parts_now_ms();
	for (i = 0; i < n; i++)
		if (cb_msg_open(&pk, 1, m.signed_bytes, m.signed_len,
			m.sigblock, m.sigblock_len, &msg, &err) < 0)
			parts_die(err.msg);
	r->verify_per_s = n / ((parts_now_ms() - t0) / 1e3);
	r->envelope = m.signed_len + m.sigblock_len;
	cb_sealed_release(&m);
	cb_seckey_free(sk);
	free(json);
}

static void
sql(sqlite3 *db, const char *q)
{
	char *msg = NULL;

	if (sqlite3_exec(db, q, NULL, NULL, &msg) != SQLITE_OK)
		parts_die(msg != NULL ? msg : q);
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
	sqlite3_bind_text(r->x, 3, parts_summary, -1, SQLITE_STATIC);
	if (sqlite3_step(r->m) != SQLITE_DONE ||
	    sqlite3_step(r->x) != SQLITE_DONE)
		parts_die(sqlite3_errmsg(r->db));
	sqlite3_reset(r->m);
	sqlite3_reset(r->x);
	free(title);
}

void
parts_insert_rates(const char *file, int n, struct parts_rates *r)
{
	struct raw w;
	double t0, one[50];
	int i;

	memset(w.blob, 'x', sizeof(w.blob));
	if (sqlite3_open(file, &w.db) != SQLITE_OK)
		parts_die("cannot open the raw database");
	sql(w.db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
		  "CREATE TABLE message (seq INTEGER PRIMARY KEY, adv_id TEXT,"
		  "  title TEXT, signed BLOB, sigblock BLOB);"
		  "CREATE VIRTUAL TABLE idx USING fts5(title, summary,"
		  "  tokenize = 'unicode61 remove_diacritics 2');");
	if (sqlite3_prepare_v2(w.db, "INSERT INTO message VALUES "
				     "(?, ?, ?, ?, ?)", -1, &w.m, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(w.db, "INSERT INTO idx (rowid, title, summary) "
				     "VALUES (?, ?, ?)", -1, &w.x, NULL) != SQLITE_OK)
		parts_die(sqlite3_errmsg(w.db));
	t0 = parts_now_ms();
	for (i = 0; i < n; i++) {
		if (i % PARTS_BATCH == 0)
			sql(w.db, "BEGIN");
		insert_row(&w, i + 1);
		if (i % PARTS_BATCH == PARTS_BATCH - 1 || i == n - 1)
			sql(w.db, "COMMIT");
	}
	r->insert_per_s = n / ((parts_now_ms() - t0) / 1e3);
	for (i = 0; i < 50; i++) {
		t0 = parts_now_ms();
		sql(w.db, "BEGIN");
		insert_row(&w, n + 1 + i);
		sql(w.db, "COMMIT");
		one[i] = parts_now_ms() - t0;
	}
	r->commit_ms = parts_pct(one, 50, 0.5);
	sqlite3_finalize(w.m);
	sqlite3_finalize(w.x);
	sqlite3_close(w.db);
}
