/* Unit tests for the archive's modules on an archive made by the code
 * before they had their own schemas: sub_store's migrations, then
 * sub_outbox's, sub_ack's and sub_search's steps adopt its tables, and
 * sub_search rebuilds the index its earlier tokenizer made.  Then the
 * ranking (canhbao_rank: bm25, the words side by side, the newest first
 * among equals, the same best k however many are wanted) and the
 * extracts shown with each hit. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_test.h"
#include "sub_test.h"
#include "cb_db.h"
#include "sub_ack.h"
#include "sub_outbox.h"
#include "sub_search.h"
#include "sub_store.h"

/* The archive's migrations as they were (PRAGMA user_version 4), the
 * outbox and the search index among them. */
static const char *const old_migrations[] = {
	"CREATE TABLE message ("
	"  seq INTEGER PRIMARY KEY, key_id BLOB NOT NULL,"
	"  issued_ms INTEGER NOT NULL, adv_id TEXT NOT NULL,"
	"  revision INTEGER NOT NULL, kind TEXT NOT NULL,"
	"  severity TEXT NOT NULL, status TEXT NOT NULL,"
	"  origin TEXT NOT NULL, title TEXT NOT NULL,"
	"  published INTEGER NOT NULL, received INTEGER NOT NULL,"
	"  signed BLOB NOT NULL, sigblock BLOB NOT NULL);"
	"CREATE INDEX message_adv ON message(adv_id, revision);"
	"CREATE TABLE publisher ("
	"  key_id BLOB PRIMARY KEY, last_seq INTEGER NOT NULL);",

	"ALTER TABLE message ADD COLUMN expires INTEGER NOT NULL DEFAULT 0;",

	"CREATE VIRTUAL TABLE search USING fts5(title, summary, actions, cves,"
	"  products, tokenize = 'canhbao');"
	"INSERT INTO search (rowid, title, summary, actions, cves, products) "
	"  SELECT seq, title, coalesce(json_extract(p, '$.summary'), ''), "
	"  coalesce((SELECT group_concat(value, char(10)) FROM "
	"    json_each(p, '$.actions')), ''), "
	"  coalesce((SELECT group_concat(value, ' ') FROM "
	"    json_each(p, '$.cves')), ''), "
	"  coalesce((SELECT group_concat(value, char(10)) FROM "
	"    json_each(p, '$.products')), '') "
	"  FROM (SELECT seq, title, CAST(substr(signed, 34) AS TEXT) AS p "
	"        FROM message "
	"        WHERE json_valid(CAST(substr(signed, 34) AS TEXT)));"
	"CREATE TABLE seen (adv_id TEXT PRIMARY KEY,"
	"  revision INTEGER NOT NULL, at INTEGER NOT NULL);"
	"CREATE TABLE ack (adv_id TEXT NOT NULL, revision INTEGER NOT NULL,"
	"  who TEXT NOT NULL, at INTEGER NOT NULL, note TEXT,"
	"  PRIMARY KEY (adv_id, revision));"
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);"
	"INSERT INTO meta (key, value) VALUES ('created_ms',"
	"  CAST(strftime('%s', 'now') AS INTEGER) * 1000);"
	"CREATE INDEX message_severity ON message(severity, issued_ms);",

	"CREATE TABLE outbox (id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  type INTEGER NOT NULL, payload TEXT NOT NULL,"
	"  created INTEGER NOT NULL, signed BLOB, sigblock BLOB,"
	"  due_ms INTEGER NOT NULL DEFAULT 0, refused TEXT);"
	"CREATE TABLE publisher_key (seq INTEGER PRIMARY KEY,"
	"  key_id BLOB NOT NULL, public_key BLOB NOT NULL,"
	"  signed BLOB NOT NULL, sigblock BLOB NOT NULL);",
};

/* One advisory as the old code stored it (a 33-byte header, then the
 * JSON), an acknowledgement of another one's revision, and a receipt
 * still in the outbox. */
static const char old_rows[] =
    "INSERT INTO message VALUES (1, x'07', 0, 't:9', 1, 'new', "
    "'critical', 'actual', 'national', 'Đường dây nóng', 0, 0, "
    "CAST(zeroblob(33) || CAST('{\"title\":\"Đường dây nóng\","
    "\"summary\":\"Sở TT&TT Đà Nẵng\","
    "\"products\":[\"Cổng một cửa\"],"
    "\"actions\":[\"Vá ngay\"]}' AS BLOB) AS BLOB), x'00', 0);"
    "INSERT INTO publisher VALUES (x'07', 1);"
    "INSERT INTO outbox (type, payload, created) "
    "  VALUES (5, '{\"id\":\"t:8\"}', 0);";

/* The words the earlier tokenizer left in the index: stand-ins that the
 * rebuild must replace with those of the archived message. */
static const char old_index[] =
    "DELETE FROM search;"
    "INSERT INTO search (rowid, title, summary, actions, cves, products) "
    "  VALUES (1, 'stale', 'stale', '', '', '');";

struct found {
	char ids[256];
};

static int
on_hit(const struct sub_hit *h, void *arg)
{
	struct found *g = arg;

	if (g->ids[0] != '\0')
		strcat(g->ids, " ");
	strcat(g->ids, h->row.id);
	return 0;
}

static const char *
search(struct sub_store *s, const char *words, struct found *g)
{
	struct sub_query q;
	struct cb_err err;

	sub_query_init(&q);
	g->ids[0] = '\0';
	if (sub_search(s, words, &q, on_hit, g, &err) < 0)
		fail_msg("search '%s': %s", words, err.msg);
	return g->ids;
}

static char *
make_old_archive(const char *dir)
{
	char *path = cb_test_path(dir, SUB_ARCHIVE_FILE);
	struct cb_err err;
	sqlite3 *db;

	sub_search_register(); /* the old migration names the tokenizer */
	db = cb_db_open(path, 0, old_migrations, 4, &err);
	if (db == NULL)
		fail_msg("%s", err.msg);
	if (cb_db_exec(db, old_rows, &err) < 0 ||
	    cb_db_exec(db, old_index, &err) < 0)
		fail_msg("%s", err.msg);
	cb_db_close(db);
	return path;
}

/* Opened by the new code: the index is rebuilt (found by its words in
 * NFC and without diacritics, the stale words gone), acknowledgement
 * and the outbox work on the tables the old code made, and what they
 * held is kept. */
static void
test_old_archive(void **state)
{
	char *dir = cb_test_tmpdir(), *path;
	struct sub_store *s;
	struct sub_ack a;
	struct cb_err err;
	struct found g;
	long n;

	(void)state;
	path = make_old_archive(dir);
	s = sub_store_open(path, 0, &err);
	if (s == NULL)
		fail_msg("%s", err.msg);
	assert_string_equal(search(s, "duong day nong", &g), "t:9");
	assert_string_equal(search(s, "đường dây nóng", &g), "t:9");
	assert_string_equal(search(s, "da nang", &g), "t:9");
	assert_string_equal(search(s, "cong mot cua", &g), "t:9");
	assert_string_equal(search(s, "va ngay", &g), "t:9");
	assert_string_equal(search(s, "stale", &g), "");

	sub_store_set_receipts(s, 1);
	assert_int_equal(sub_ack_add(s, "t:9", "An", NULL, 100, &a, &err), 1);
	sub_ack_release(&a);
	assert_int_equal(sub_outbox_pending(sub_store_db(s), &n, &err), 0);
	assert_int_equal(n, 2); /* the old receipt and the new one */
	assert_int_equal(sub_outbox_add(sub_store_db(s), CB_MSG_REPORT,
			     "{\"title\":\"x\"}", &err), 0);
	sub_store_close(s);

	/* read-only now, as lookups open it */
	s = sub_store_open(path, 1, &err);
	if (s == NULL)
		fail_msg("%s", err.msg);
	assert_string_equal(search(s, "DUONG", &g), "t:9");
	sub_store_close(s);
	cb_test_rmtree(dir);
	free(dir);
	free(path);
}

/* A read-only open of an archive whose modules are not up to date says
 * so (the daemon upgrades it), and changes nothing. */
static void
test_old_archive_read_only(void **state)
{
	char *dir = cb_test_tmpdir(), *path;
	struct cb_err err;

	(void)state;
	path = make_old_archive(dir);
	assert_null(sub_store_open(path, 1, &err));
	assert_non_null(strstr(err.msg, "start the daemon once"));
	cb_test_rmtree(dir);
	free(dir);
	free(path);
}

/* An NFD advisory is found by words typed in NFC or without marks, and
 * the other way round. */
static void
test_nfd_both_ways(void **state)
{
	char *dir = cb_test_tmpdir(), *path;
	struct sub_store *s;
	struct cb_err err;
	struct found g;
	sqlite3 *db;

	(void)state;
	path = make_old_archive(dir);
	db = cb_db_open(path, 0, old_migrations, 4, &err);
	assert_non_null(db);
	/* "Nẵng" in NFD: N a U+0306 U+0303 n g; "Hà" as H a U+0300 */
	assert_int_equal(cb_db_exec(db, "UPDATE message SET signed = "
			     "CAST(zeroblob(33) || CAST('{\"summary\":"
			     "\"Na\xcc\x86\xcc\x83ng Ha\xcc\x80\"}' AS BLOB)"
			     " AS BLOB)", &err), 0);
	cb_db_close(db);
	s = sub_store_open(path, 0, &err);
	assert_non_null(s);
	assert_string_equal(search(s, "nang ha", &g), "t:9");
	assert_string_equal(search(s, "Nẵng Hà", &g), "t:9");
	sub_store_close(s);
	cb_test_rmtree(dir);
	free(dir);
	free(path);
}

/* --- ranking and extracts ------------------------------------------ */

/* Archive an advisory the short way: its message row in SQL, its index
 * row by sub_search_index, as sub_store_put writes both.  Its id is
 * "t:SEQ". */
static void
archive(struct sub_store *s, uint64_t seq, const char *title,
    const char *summary, const char *cve)
{
	sqlite3 *db = sub_store_db(s);
	sqlite3_stmt *st;
	struct cb_err err;
	struct cb_adv a;

	cb_adv_init(&a);
	a.title = strdup(title);
	a.summary = summary ? strdup(summary) : NULL;
	if (cve != NULL)
		cb_strlist_add(&a.cves, cve);
	st = cb_db_prepare(db, "INSERT INTO message (seq, key_id, issued_ms,"
	    " adv_id, revision, kind, severity, status, origin, title,"
	    " published, received, signed, sigblock) VALUES (?1, x'07', 0,"
	    " 't:' || ?1, 1, 'new', 'high', 'actual', 'national', ?2, 0, 0,"
	    " x'00', x'00')", &err);
	if (st == NULL)
		fail_msg("%s", err.msg);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
	sqlite3_bind_text(st, 2, title, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	if (sub_search_index(db, seq, &a, &err) < 0)
		fail_msg("%s", err.msg);
	cb_adv_release(&a);
}

/* The ids of the best limit hits (0: all), and the first extract. */
struct ranked {
	char ids[1024];
	char extract[512];
};

static int
on_ranked(const struct sub_hit *h, void *arg)
{
	struct ranked *r = arg;
	size_t len = strlen(r->ids);

	if (len == 0)
		snprintf(r->extract, sizeof(r->extract), "%s", h->snippet);
	snprintf(r->ids + len, sizeof(r->ids) - len, "%s%s", len ? " " : "",
	    h->row.id);
	return 0;
}

static const char *
best(struct sub_store *s, const char *words, int limit, struct ranked *r)
{
	struct sub_query q;
	struct cb_err err;

	sub_query_init(&q);
	q.limit = limit;
	memset(r, 0, sizeof(*r));
	if (sub_search(s, words, &q, on_ranked, r, &err) < 0)
		fail_msg("search '%s': %s", words, err.msg);
	return r->ids;
}

/* Words side by side, in the order typed, rank first, also for a prefix
 * and for some of the words only; the score is otherwise the same
 * (same words, same length), and the newer would win the tie. */
static void
test_rank_words_together(void **state)
{
	struct sub_fixture *f = *state;
	struct ranked r;

	archive(f->s, 1, "Đà Nẵng họp báo", NULL, NULL);
	archive(f->s, 2, "Nẵng họp báo Đà", NULL, NULL);
	assert_string_equal(best(f->s, "da nang", 0, &r), "t:1 t:2");
	assert_string_equal(best(f->s, "da nan*", 0, &r), "t:1 t:2");
	/* two of three pairs side by side, against none */
	archive(f->s, 3, "mật khẩu và quyền quản trị", NULL, NULL);
	archive(f->s, 4, "khẩu mật và trị quyền quản", NULL, NULL);
	assert_string_equal(best(f->s, "mat khau quan tri", 0, &r),
	    "t:3 t:4");
}

/* Equal scores: the newest first. */
static void
test_rank_newest_first(void **state)
{
	struct sub_fixture *f = *state;
	struct ranked r;

	archive(f->s, 5, "Cảnh báo sao lưu dữ liệu", NULL, NULL);
	archive(f->s, 6, "Cảnh báo sao lưu dữ liệu", NULL, NULL);
	archive(f->s, 7, "Cảnh báo sao lưu dữ liệu", NULL, NULL);
	assert_string_equal(best(f->s, "sao luu", 0, &r), "t:7 t:6 t:5");
	assert_string_equal(best(f->s, "sao luu", 2, &r), "t:7 t:6");
}

static const char *const vocab[] = { "cảnh", "báo", "lỗ", "hổng", "mã",
	"độc", "Đà", "Nẵng", "Hà", "Nội", "mật", "khẩu", "sao", "lưu",
	"tường", "lửa", "vá", "ngay", "cổng", "thông", "tin" };
#define NVOCAB (sizeof(vocab) / sizeof(vocab[0]))

/* A sentence of n words from vocab, drawn by *rng. */
static void
sentence(char *buf, size_t size, int n, unsigned *rng)
{
	size_t len = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < n && len + 32 < size; i++) {
		*rng = *rng * 1103515245u + 12345u;
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
		    i ? " " : "", vocab[(*rng >> 16) % NVOCAB]);
	}
}

/* 300 advisories of random words, of random lengths. */
static void
archive_many(struct sub_store *s)
{
	char title[256], summary[1024];
	unsigned rng = 42;
	struct cb_err err;
	uint64_t seq;

	assert_int_equal(sub_store_batch(s, 1, &err), 0);
	for (seq = 1; seq <= 300; seq++) {
		sentence(title, sizeof(title), 3 + (int)(seq % 7), &rng);
		sentence(summary, sizeof(summary), 5 + (int)(seq % 23), &rng);
		archive(s, seq, title, summary, NULL);
	}
	assert_int_equal(sub_store_batch(s, 0, &err), 0);
}

/* canhbao_rank is bm25 with the index's weights, times 1 to 2 for the
 * words side by side: the same for one word, no better than twice as
 * good for several. */
static void
test_rank_is_bm25(void **state)
{
	static const char *exprs[] = { "\"ma\"", "\"da\"*", "\"ha\" \"noi\"",
		"\"mat\" \"khau\" \"tin\"" };
	struct sub_fixture *f = *state;
	sqlite3_stmt *st;
	double ours, bm25;
	size_t i;
	int rows;

	archive_many(f->s);
	for (i = 0; i < sizeof(exprs) / sizeof(exprs[0]); i++) {
		st = cb_db_prepare(sub_store_db(f->s), "SELECT "
		    "canhbao_rank(search, ?2, 0), bm25(search, 10.0, 2.0, 1.0,"
		    " 5.0, 3.0) FROM search WHERE search MATCH ?1", NULL);
		assert_non_null(st);
		sqlite3_bind_text(st, 1, exprs[i], -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, i < 2 ? 1 : 2 + (int)(i - 2));
		for (rows = 0; sqlite3_step(st) == SQLITE_ROW; rows++) {
			ours = sqlite3_column_double(st, 0);
			bm25 = sqlite3_column_double(st, 1);
			if (i < 2)
				assert_true(fabs(ours - bm25) <=
				    1e-9 * fabs(bm25));
			else
				assert_true(ours <= bm25 * (1 - 1e-9) &&
				    ours >= 2 * bm25 * (1 + 1e-9));
		}
		sqlite3_finalize(st);
		assert_true(rows > 10);
	}
}

/* The best k are the same whether k or all are wanted (those that
 * cannot be among the k are not scored in full). */
static void
test_rank_top_k(void **state)
{
	static const char *queries[] = { "ma", "cong thong", "da nang",
		"mat khau", "vá ngay", "t*", "ha noi tin" };
	struct sub_fixture *f = *state;
	struct ranked some, all;
	size_t i;
	int k;

	archive_many(f->s);
	for (i = 0; i < sizeof(queries) / sizeof(queries[0]); i++)
		for (k = 1; k <= 20; k += 6) {
			best(f->s, queries[i], k, &some);
			best(f->s, queries[i], 0, &all);
			assert_true(some.ids[0] != '\0');
			assert_int_equal(strncmp(all.ids, some.ids,
					     strlen(some.ids)), 0);
			assert_true(all.ids[strlen(some.ids)] == ' ' ||
			    all.ids[strlen(some.ids)] == '\0');
		}
}

/* The extract: the field that matched best, cut as FTS5's snippet cuts
 * it (12 words around the words found, from the start of their
 * sentence when they fit, "…" where the field goes on), the words
 * marked where the index found them (a prefix, a CVE id; words side by
 * side as one). */
static void
test_extract(void **state)
{
	struct sub_fixture *f = *state;
	struct ranked r;

	archive(f->s, 1, "Lỗ hổng trong Microsoft Exchange",
	    "Một hai ba bốn năm sáu bảy tám chín mười: máy chủ thư điện tử "
	    "tại Hà Nội bị tấn công, một hai ba bốn năm sáu bảy tám chín.",
	    "CVE-2024-21410");
	best(f->s, "ha noi", 0, &r);
	assert_string_equal(r.extract, "\xe2\x80\xa6" "máy chủ thư điện tử "
	    "tại \x02Hà Nội\x03 bị tấn công, một\xe2\x80\xa6");
	best(f->s, "exch*", 0, &r);
	assert_string_equal(r.extract,
	    "Lỗ hổng trong Microsoft \x02" "Exchange\x03");
	best(f->s, "CVE-2024-21410", 0, &r);
	assert_string_equal(r.extract, "\x02" "CVE-2024-21410\x03");
	best(f->s, "ha tan cong", 0, &r);
	assert_string_equal(r.extract, "\xe2\x80\xa6" "máy chủ thư điện tử "
	    "tại \x02Hà\x03 Nội bị \x02tấn công\x03, một\xe2\x80\xa6");
	best(f->s, "ba bon nam chin", 0, &r);
	assert_string_equal(r.extract, "Một hai \x02" "ba bốn năm\x03 sáu "
	    "bảy tám \x02" "chín\x03 mười: máy chủ\xe2\x80\xa6");
	/* to the end of the field, when the window reaches it */
	archive(f->s, 2, "Cảnh báo", "Đối tượng giả danh cán bộ Sở TT&TT "
	    "Đà Nẵng. Họ gọi điện thoại, yêu cầu chuyển tiền vào tài khoản "
	    "lạ.", NULL);
	best(f->s, "tien", 0, &r);
	assert_string_equal(r.extract, "\xe2\x80\xa6" "Họ gọi điện thoại, "
	    "yêu cầu chuyển \x02tiền\x03 vào tài khoản lạ.");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_old_archive),
		cmocka_unit_test(test_old_archive_read_only),
		cmocka_unit_test(test_nfd_both_ways),
		SUB_TEST(test_rank_words_together),
		SUB_TEST(test_rank_newest_first),
		SUB_TEST(test_rank_is_bm25),
		SUB_TEST(test_rank_top_k),
		SUB_TEST(test_extract),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
