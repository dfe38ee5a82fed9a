/*
 * bench_search: latency of "canhbao-sub search" over a large archive.
 *
 *   bench_search N DIR [QUERIES]
 *
 * Builds (once; kept in DIR for the next run) an archive of N synthetic
 * advisories written through sub_store_put, as the daemon writes them:
 * Vietnamese titles, summaries and actions drawn from a vocabulary with
 * diacritics (a few words common, most rare, as in real text), products
 * and CVE ids.  Then opens it read-only, as the lookup commands do, and
 * times QUERIES searches (default 400) typed without diacritics, cycling
 * through a fixed mix of rare words, common words, two- and three-word
 * queries, a product and a CVE id, each with the default limit of 20
 * hits.  Prints the median and the 99th percentile.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cb_adv.h"
#include "cb_mem.h"
#include "cb_msg.h"
#include "cb_time.h"
#include "sub_search.h"
#include "sub_store.h"

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
build(const char *path, unsigned long n)
{
	int64_t t0 = cb_time_mono_ms();
	struct sub_store *s;
	struct cb_err err;
	unsigned long i;
	char *tmp = cb_xasprintf("%s.building", path);

	remove(tmp);
	s = sub_store_open(tmp, 0, &err);
	if (s == NULL) {
		fprintf(stderr, "bench_search: %s\n", err.msg);
		exit(2);
	}
	for (i = 1; i <= n; i++) {
		if (i % 10000 == 1 && sub_store_batch(s, 1, &err) < 0)
			goto fail;
		put_one(s, i);
		if ((i % 10000 == 0 || i == n) &&
		    sub_store_batch(s, 0, &err) < 0)
			goto fail;
	}
	sub_store_close(s);
	if (rename(tmp, path) < 0) {
		perror("bench_search: rename");
		exit(2);
	}
	printf("  built an archive of %lu advisories in %.1f s\n", n,
	    (double)(cb_time_mono_ms() - t0) / 1000);
	free(tmp);
	return;
fail:
	fprintf(stderr, "bench_search: %s\n", err.msg);
	exit(2);
}

static int
on_hit(const struct sub_hit *h, void *arg)
{
	(void)h;
	(*(int *)arg)++;
	return 0;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
measure(const char *path, unsigned long n, int runs)
{
	int64_t *us = cb_xcalloc((size_t)runs, sizeof(*us)), t, worst = 0;
	const char *slowest = "";
	struct sub_store *s;
	struct sub_query q;
	struct cb_err err;
	long hits = 0;
	int i, k;

	s = sub_store_open(path, 1, &err);
	if (s == NULL) {
		fprintf(stderr, "bench_search: %s\n", err.msg);
		exit(2);
	}
	sub_query_init(&q);
	q.limit = 20;
	for (i = 0; i < (int)NQUERIES; i++) /* warm the page cache */
		sub_search(s, queries[i], &q, on_hit, &k, &err);
	for (i = 0; i < runs; i++) {
		k = 0;
		t = now_us();
		if (sub_search(s, queries[i % NQUERIES], &q, on_hit, &k,
			&err) < 0) {
			fprintf(stderr, "bench_search: %s\n", err.msg);
			exit(2);
		}
		us[i] = now_us() - t;
		hits += k;
		if (us[i] > worst) {
			worst = us[i];
			slowest = queries[i % NQUERIES];
		}
	}
	sub_store_close(s);
	qsort(us, (size_t)runs, sizeof(*us), cmp_i64);
	printf("  search over %lu advisories: median %.2f ms, p99 %.2f ms "
	       "(%d queries, %.1f hits each)\n",
	    n, (double)us[runs / 2] / 1000,
	    (double)us[(runs * 99) / 100] / 1000, runs,
	    (double)hits / runs);
	printf("  slowest query: '%s', %.2f ms\n", slowest,
	    (double)worst / 1000);
	free(us);
}

int
main(int argc, char **argv)
{
	unsigned long n;
	struct stat st;
	char *path;
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
	if (stat(path, &st) < 0)
		build(path, n);
	else
		printf("  (archive of %lu advisories kept from an earlier run: "
		       "%s)\n", n, path);
	measure(path, n, (int)runs);
	free(path);
	return 0;
}
