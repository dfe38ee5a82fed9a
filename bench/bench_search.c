/*
 * bench_search: latency of "canhbao-sub search" over a large archive,
 * beside stock FTS5 over the same advisories in the same run.
 *
 *   bench_search N DIR [QUERIES]
 *
 * Builds (once; kept in DIR for the next run) an archive of N synthetic
 * advisories written through sub_store_put, as the daemon writes them,
 * 10,000 to a transaction: Vietnamese titles, summaries and actions
 * drawn from a vocabulary with diacritics (a few words common, most
 * rare, as in real text), products and CVE ids.  Beside it, the raw
 * baseline: a stock FTS5 table (unicode61 remove_diacritics 2) holding
 * the same fields of the same advisories.  Opens the archive for
 * writing once (an archive kept from an earlier version is brought up
 * to date, as the daemon would), then read-only, as the lookup commands
 * do, and times QUERIES searches (default 400) typed without
 * diacritics, cycling through a fixed mix of rare words, common words,
 * two- and three-word queries, a product and a CVE id, each with the
 * default limit of 20 hits; each is followed by the same words as
 * quoted strings against the raw table, ORDER BY rank LIMIT 20.
 * Prints the median and the 99th percentile of both, per query and
 * over all, and merges them into results.json (bench/results.h) as
 * search.N: p50_ms, p99_ms, raw_fts_p50_ms, raw_fts_p99_ms, p50_ratio,
 * p99_ratio.
 *
 * Stock unicode61 does not fold đ/Đ (a letter of its own, not a d with
 * a mark), so the raw table finds nothing for the queries with a "d"
 * that stands for "đ": it answers those fastest of all.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "cb_adv.h"
#include "cb_mem.h"
#include "cb_msg.h"
#include "cb_time.h"
#include "sub_search.h"
#include "sub_store.h"
#include "results.h"

static const char *const words[] = { "cảnh", "báo", "tấn", "công", "mạng",
	"lỗ", "hổng", "nghiêm", "trọng", "bản", "vá", "cập", "nhật", "hệ",
	"thống", "máy", "chủ", "đường", "dây", "nóng", "mã", "độc", "tống",
	"tiền", "lừa", "đảo", "giả", "mạo", "thư", "điện", "tử", "cổng",
	"thông", "tin", "dịch", "vụ", "công", "trực", "tuyến", "một", "cửa",
	"ứng", "cứu", "sự", "cố", "rà", "soát", "khắc", "phục", "ngay",
	"khẩn", "cấp", "phần", "mềm", "gián", "điệp", "chiến", "dịch", "dịp",
	"Tết", "Nguyên", "đán", "Sở", "Thông", "tin", "và", "Truyền",
	"thông", "Đà", "Nẵng", "Hà", "Nội", "Huế", "Cần", "Thơ", "Quảng",
	"Ngãi", "Thanh", "Hóa", "Nghệ", "An", "Hải", "Phòng", "Bắc", "Ninh",
	"Lạng", "Sơn", "Đồng", "Nai", "Bình", "Dương", "Khánh", "Hòa",
	"Kiên", "Giang", "tường", "lửa", "mật", "khẩu", "xác", "thực",
	"đăng", "nhập", "quản", "trị", "chiếm", "quyền", "điều", "khiển",
	"từ", "xa", "rò", "rỉ", "dữ", "liệu", "cá", "nhân", "sao", "lưu",
	"khôi", "phục", "giám", "sát", "nhật", "ký", "truy", "cập", "trái",
	"phép", "tổ", "chức", "đơn", "vị", "cơ", "quan", "nhà", "nước",
	"huyện", "xã", "phường", "tỉnh", "thành", "phố", "trung", "ương" };
#define NWORDS (sizeof(words) / sizeof(words[0]))

static const char *const products[] = { "Fortinet FortiOS",
	"Microsoft Exchange Server", "Palo Alto PAN-OS", "Cisco IOS XE",
	"Ivanti Connect Secure", "Citrix NetScaler", "VMware vCenter",
	"Apache Struts", "Atlassian Confluence", "Zimbra Collaboration",
	"Microsoft Windows", "Google Chrome", "Mozilla Firefox",
	"Oracle WebLogic", "SonicWall SMA", "F5 BIG-IP", "Joomla", "WordPress",
	"OpenSSL", "Linux kernel" };
#define NPRODUCTS (sizeof(products) / sizeof(products[0]))

/* Queries as staff type them: no diacritics. */
static const char *const queries[] = { "duong day nong", "da nang",
	"ma doc tong tien", "lo hong nghiem trong", "fortios", "exchange",
	"CVE-2024-3400", "ha noi", "gian diep", "tet nguyen dan", "khan cap",
	"chiem quyen dieu khien", "ro ri du lieu", "cong dich vu cong",
	"quang ngai", "mat khau", "kien giang", "sao luu", "confluence",
	"canh bao" };
#define NQUERIES (sizeof(queries) / sizeof(queries[0]))

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static unsigned
rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* A word: a skewed pick, so a few words are everywhere and most rare. */
static const char *
word(void)
{
	unsigned r = rnd(NWORDS);

	return words[rnd(2) ? r % 24 : r];
}

static char *
sentence(unsigned min, unsigned max)
{
	unsigned n = min + rnd(max - min + 1), i;
	char buf[2048];
	size_t len = 0;

	for (i = 0; i < n && len < sizeof(buf) - 64; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s",
		    i ? " " : "", word());
	return cb_xstrdup(buf);
}

static void
make_advisory(struct cb_adv *a, uint64_t seq)
{
	char buf[64];
	unsigned i, n;

	cb_adv_init(a);
	a->id = cb_xasprintf("bench:%08llu", (unsigned long long)seq);
	a->source = cb_xstrdup("bench");
	a->revision = 1;
	a->severity = (enum cb_severity)rnd(5);
	a->origin = (enum cb_origin)rnd(2);
	a->title = sentence(6, 12);
	a->summary = sentence(15, 30);
	a->published = 1700000000 + (int64_t)seq * 60;
	for (i = 0, n = 1 + rnd(3); i < n; i++) {
		char *s = sentence(5, 10);

		cb_strlist_add(&a->actions, s);
		free(s);
	}
	for (i = 0, n = rnd(3); i < n; i++) {
		snprintf(buf, sizeof(buf), "CVE-%u-%u", 2019 + rnd(7),
		    1000 + rnd(40000));
		cb_strlist_add(&a->cves, buf);
	}
	if (seq % 1000 == 7)
		cb_strlist_add(&a->cves, "CVE-2024-3400");
	snprintf(buf, sizeof(buf), "%s %u.%u", products[rnd(NPRODUCTS)],
	    1 + rnd(20), rnd(10));
	cb_strlist_add(&a->products, buf);
}

static void
put_one(struct sub_store *s, uint64_t seq)
{
	uint8_t sig[CB_MSG_SIGHDRLEN] = { 0 }, *sb;
	struct cb_msg msg;
	struct cb_adv a;
	struct cb_err err;
	char *json;
	size_t len;

	make_advisory(&a, seq);
	json = cb_adv_to_json(&a);
	len = strlen(json);
	sb = cb_xcalloc(1, CB_MSG_HDRLEN + len);
	memcpy(sb + CB_MSG_HDRLEN, json, len);
	memset(&msg, 0, sizeof(msg));
	msg.type = CB_MSG_ADVISORY;
	msg.seq = seq;
	msg.issued_ms = a.published * 1000;
	if (sub_store_put(s, &msg, &a, sb, CB_MSG_HDRLEN + len, sig,
		sizeof(sig), &err) < 0) {
		fprintf(stderr, "bench_search: %s\n", err.msg);
		exit(2);
	}
	free(sb);
	free(json);
	cb_adv_release(&a);
}

static void
fail(const char *what, const char *msg)
{
	fprintf(stderr, "bench_search: %s: %s\n", what, msg);
	exit(2);
}

/* Remove path and what SQLite keeps beside it. */
static void
remove_db(const char *path)
{
	static const char *const tails[] = { "", "-wal", "-shm" };
	char *p;
	size_t i;

	for (i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		p = cb_xasprintf("%s%s", path, tails[i]);
		remove(p);
		free(p);
	}
}

/* Archive advisories 1 to n at path, 10,000 to a transaction, without
 * waiting for the disk: the file is renamed into place only once it is
 * whole (a crash leaves a .building file the next run starts over). */
static void
build(const char *path, unsigned long n)
{
	int64_t t0 = cb_time_mono_ms();
	struct sub_store *s;
	struct cb_err err;
	unsigned long i;
	char *tmp = cb_xasprintf("%s.building", path);

	remove_db(tmp);
	s = sub_store_open(tmp, 0, &err);
	if (s == NULL)
		fail(tmp, err.msg);
	if (sqlite3_exec(sub_store_db(s), "PRAGMA synchronous = OFF",
		NULL, NULL, NULL) != SQLITE_OK)
		fail(tmp, sqlite3_errmsg(sub_store_db(s)));
	for (i = 1; i <= n; i++) {
		if (i % 10000 == 1 && sub_store_batch(s, 1, &err) < 0)
			fail(tmp, err.msg);
		put_one(s, i);
		if ((i % 10000 == 0 || i == n) &&
		    sub_store_batch(s, 0, &err) < 0)
			fail(tmp, err.msg);
	}
	sub_store_close(s);
	if (rename(tmp, path) < 0)
		fail(tmp, "cannot rename");
	printf("  built an archive of %lu advisories in %.1f s\n", n,
	    (double)(cb_time_mono_ms() - t0) / 1000);
	free(tmp);
}

/* The raw baseline at raw: stock FTS5 with the fields the archive
 * indexes, copied from the archive's index in one transaction. */
static void
build_raw(const char *archive, const char *raw)
{
	int64_t t0 = cb_time_mono_ms();
	char *tmp = cb_xasprintf("%s.building", raw);
	char *sql = sqlite3_mprintf("PRAGMA journal_mode = WAL;"
	    "PRAGMA cache_size = -262144;"
	    "CREATE VIRTUAL TABLE raw USING fts5(title, summary, actions,"
	    "  cves, products, tokenize = 'unicode61 remove_diacritics 2');"
	    "ATTACH %Q AS a;"
	    "BEGIN;"
	    "INSERT INTO raw (rowid, title, summary, actions, cves, products)"
	    "  SELECT rowid, title, summary, actions, cves, products"
	    "  FROM a.search;"
	    "COMMIT;"
	    "DETACH a;", archive);
	sqlite3 *db = NULL;

	remove_db(tmp);
	sub_search_register(); /* reading a.search names the tokenizer */
	if (sqlite3_open(tmp, &db) != SQLITE_OK ||
	    sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		fail(tmp, sqlite3_errmsg(db));
	sqlite3_close(db);
	sqlite3_free(sql);
	if (rename(tmp, raw) < 0)
		fail(tmp, "cannot rename");
	printf("  built the raw FTS5 table in %.1f s\n",
	    (double)(cb_time_mono_ms() - t0) / 1000);
	free(tmp);
}

/* The archive at path, brought up to date once (as the daemon would
 * open it: an archive kept from an earlier version is migrated), then
 * opened read-only, as the lookups open it. */
static struct sub_store *
open_archive(const char *path)
{
	struct sub_store *s;
	struct cb_err err;
	int64_t t0 = cb_time_mono_ms();

	s = sub_store_open(path, 0, &err);
	if (s == NULL)
		fail(path, err.msg);
	sub_store_close(s);
	if (cb_time_mono_ms() - t0 > 1000)
		printf("  brought the archive up to date in %.1f s\n",
		    (double)(cb_time_mono_ms() - t0) / 1000);
	s = sub_store_open(path, 1, &err);
	if (s == NULL)
		fail(path, err.msg);
	return s;
}

/* The query's words as FTS5 strings, all required: the query as plain
 * FTS5 sees it (a word ending in '*' a prefix, as in ours). */
static char *
raw_expr(const char *query)
{
	char *out = cb_xcalloc(1, 3 * strlen(query) + 8), *o = out;
	const char *p = query, *w;
	size_t len;

	while (*p != '\0') {
		for (; *p == ' '; p++)
			;
		for (w = p; *p != '\0' && *p != ' '; p++)
			;
		for (len = (size_t)(p - w); len > 0 && w[len - 1] == '*'; len--)
			;
		if (len == 0)
			continue;
		*o++ = '"';
		for (; len > 0; len--, w++) {
			if (*w == '"')
				*o++ = '"';
			*o++ = *w;
		}
		*o++ = '"';
		if (*w == '*')
			*o++ = '*';
		*o++ = ' ';
	}
	*o = '\0';
	return out;
}

static int
on_hit(const struct sub_hit *h, void *arg)
{
	(void)h;
	(*(int *)arg)++;
	return 0;
}

static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* One search of the archive: microseconds, hits in *hits. */
static int64_t
time_ours(struct sub_store *s, const char *query, int *hits)
{
	struct sub_query q;
	struct cb_err err;
	int64_t t = now_us();

	sub_query_init(&q);
	q.limit = 20;
	*hits = 0;
	if (sub_search(s, query, &q, on_hit, hits, &err) < 0)
		fail(query, err.msg);
	return now_us() - t;
}

/* The same words against the raw table: microseconds, hits in *hits. */
static int64_t
time_raw(sqlite3_stmt *st, const char *expr, int *hits)
{
	int64_t t = now_us();
	int rc;

	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, expr, -1, SQLITE_STATIC);
	*hits = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		(*hits)++;
	if (rc != SQLITE_DONE)
		fail(expr, sqlite3_errmsg(sqlite3_db_handle(st)));
	return now_us() - t;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Percentile pct of the n figures in v (sorted in place), in ms. */
static double
pct_ms(int64_t *v, int n, int pct)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_i64);
	return (double)v[(n * pct) / 100 < n ? (n * pct) / 100 : n - 1] /
	    1000;
}

/* Timings of one side (ours or raw): every run, and per query. */
struct side {
	int64_t *us;            /* [runs] */
	int64_t *per[NQUERIES]; /* [runs / NQUERIES + 1] */
	int nper[NQUERIES];
	int hits[NQUERIES];
};

static void
side_init(struct side *d, int runs)
{
	size_t i;

	memset(d, 0, sizeof(*d));
	d->us = cb_xcalloc((size_t)runs, sizeof(*d->us));
	for (i = 0; i < NQUERIES; i++)
		d->per[i] = cb_xcalloc((size_t)runs / NQUERIES + 1,
		    sizeof(*d->per[i]));
}

static void
side_add(struct side *d, int run, size_t query, int64_t us, int hits)
{
	d->us[run] = us;
	d->per[query][d->nper[query]++] = us;
	d->hits[query] = hits;
}

static void
side_release(struct side *d)
{
	size_t i;

	free(d->us);
	for (i = 0; i < NQUERIES; i++)
		free(d->per[i]);
}

static void
print_queries(struct side *ours, struct side *raw)
{
	size_t i;

	printf("  %-24s %12s %12s\n", "median ms (hits)", "canhbao",
	    "raw FTS5");
	for (i = 0; i < NQUERIES; i++) {
		if (ours->nper[i] == 0)
			continue;
		printf("  %-24s %7.2f (%2d) %7.2f (%2d)\n", queries[i],
		    pct_ms(ours->per[i], ours->nper[i], 50), ours->hits[i],
		    pct_ms(raw->per[i], raw->nper[i], 50), raw->hits[i]);
	}
}

/* Print the figures against the goals and merge them into
 * results.json as search.N. */
static void
report(unsigned long n, struct side *ours, struct side *raw, int runs)
{
	double p50 = pct_ms(ours->us, runs, 50), p99 = pct_ms(ours->us,
	    runs, 99), r50 = pct_ms(raw->us, runs, 50), r99 = pct_ms(raw->us,
	    runs, 99);
	cJSON *o = cJSON_CreateObject();
	char key[32];

	printf("  search over %lu advisories (%d queries):\n"
	       "    canhbao  median %.2f ms, p99 %.2f ms\n"
	       "    raw FTS5 median %.2f ms, p99 %.2f ms\n"
	       "    ratio    median %.2f (goal <= 1.5), p99 %.2f "
	       "(goal <= 3)\n", n, runs, p50, p99, r50, r99,
	    r50 > 0 ? p50 / r50 : 0, r99 > 0 ? p99 / r99 : 0);
	if (o == NULL)
		cb_oom(0);
	cJSON_AddNumberToObject(o, "p50_ms", p50);
	cJSON_AddNumberToObject(o, "p99_ms", p99);
	cJSON_AddNumberToObject(o, "raw_fts_p50_ms", r50);
	cJSON_AddNumberToObject(o, "raw_fts_p99_ms", r99);
	cJSON_AddNumberToObject(o, "p50_ratio", r50 > 0 ? p50 / r50 : 0);
	cJSON_AddNumberToObject(o, "p99_ratio", r99 > 0 ? p99 / r99 : 0);
	snprintf(key, sizeof(key), "%lu", n);
	results_set_in("search", key, o);
	if (results_save() < 0)
		exit(2);
}

static void
measure(const char *path, const char *rawpath, unsigned long n, int runs)
{
	struct sub_store *s = open_archive(path);
	struct side ours, raw;
	sqlite3_stmt *st = NULL;
	sqlite3 *db = NULL;
	char *expr[NQUERIES];
	int64_t us;
	size_t i;
	int k, r;

	if (sqlite3_open_v2(rawpath, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK || sqlite3_prepare_v2(db, "SELECT rowid FROM raw "
	    "WHERE raw MATCH ?1 ORDER BY rank LIMIT 20", -1, &st, NULL) !=
	    SQLITE_OK)
		fail(rawpath, sqlite3_errmsg(db));
	side_init(&ours, runs);
	side_init(&raw, runs);
	for (i = 0; i < NQUERIES; i++) { /* warm the page caches */
		expr[i] = raw_expr(queries[i]);
		time_ours(s, queries[i], &k);
		time_raw(st, expr[i], &k);
	}
	for (r = 0; r < runs; r++) {
		i = (size_t)r % NQUERIES;
		us = time_ours(s, queries[i], &k);
		side_add(&ours, r, i, us, k);
		us = time_raw(st, expr[i], &k);
		side_add(&raw, r, i, us, k);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	sub_store_close(s);
	print_queries(&ours, &raw);
	report(n, &ours, &raw, runs);
	side_release(&ours);
	side_release(&raw);
	for (i = 0; i < NQUERIES; i++)
		free(expr[i]);
}

int
main(int argc, char **argv)
{
	unsigned long n;
	struct stat st;
	char *path, *rawpath;
	long runs;

	if (argc < 3) {
		fprintf(stderr, "usage: bench_search N DIR [QUERIES]\n");
		return 2;
	}
	n = strtoul(argv[1], NULL, 10);
	runs = argc > 3 ? strtol(argv[3], NULL, 10) : 400;
	if (n == 0 || runs <= 0 || runs > 1000000)
		return 2;
	path = cb_xasprintf("%s/search-%lu.db", argv[2], n);
	rawpath = cb_xasprintf("%s/raw-%lu.db", argv[2], n);
	if (stat(path, &st) < 0)
		build(path, n);
	else
		printf("  (archive of %lu advisories kept from an earlier run: "
		       "%s)\n", n, path);
	if (stat(rawpath, &st) < 0)
		build_raw(path, rawpath);
	measure(path, rawpath, n, (int)runs);
	free(path);
	free(rawpath);
	return 0;
}
