/* Unit tests for the archive's modules on an archive made by the code
 * before they had their own schemas: sub_store's migrations, then
 * sub_outbox's, sub_ack's and sub_search's steps adopt its tables, and
 * sub_search rebuilds the index its earlier tokenizer made. */
#include <stdlib.h>
#include <string.h>

#include "cb_test.h"
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_old_archive),
		cmocka_unit_test(test_old_archive_read_only),
		cmocka_unit_test(test_nfd_both_ways),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
