/* Unit tests for sub_store: search, filters, acknowledgement, read state,
 * reminders, and the migration that indexes an existing archive. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_test.h"
#include "sub_test.h"
#include "cb_db.h"
#include "cb_msg.h"
#include "cb_time.h"
#include "sub_ack.h"
#include "sub_search.h"
#include "sub_store.h"

/* Archive adv as message seq, issued at issued_ms (0: now); the signed
 * bytes are a dummy header and the advisory JSON, as the store keeps
 * them (it does not verify: the daemon did). */
static void
put_at(struct sub_store *s, uint64_t seq, struct cb_adv *adv,
    int64_t issued_ms)
{
	struct cb_msg msg;
	struct cb_err err;
	char *json;
	uint8_t *sb, sig[CB_MSG_SIGHDRLEN] = { 0 };
	size_t len;

	memset(&msg, 0, sizeof(msg));
	msg.type = CB_MSG_ADVISORY;
	memset(msg.key_id, 7, sizeof(msg.key_id));
	msg.seq = seq;
	msg.issued_ms = issued_ms ? issued_ms : cb_time_now_ms();
	json = cb_adv_to_json(adv);
	len = strlen(json);
	sb = calloc(1, CB_MSG_HDRLEN + len);
	memcpy(sb + CB_MSG_HDRLEN, json, len);
	if (sub_store_put(s, &msg, adv, sb, CB_MSG_HDRLEN + len, sig,
		sizeof(sig), &err) != 1)
		fail_msg("put seq %llu: %s", (unsigned long long)seq, err.msg);
	free(sb);
	free(json);
}

static void
put(struct sub_store *s, uint64_t seq, struct cb_adv *adv)
{
	put_at(s, seq, adv, 0);
}

static void
make(struct cb_adv *a, const char *id, enum cb_severity sev,
    const char *title, const char *summary)
{
	cb_adv_init(a);
	a->id = strdup(id);
	a->source = strdup("local");
	a->revision = 1;
	a->severity = sev;
	a->title = strdup(title);
	a->summary = summary ? strdup(summary) : NULL;
	a->origin = CB_ORIGIN_PROVINCIAL;
	a->published = cb_time_now();
}

/* Four advisories: seq 1 to 4. */
static void
fill(struct sub_store *s)
{
	struct cb_adv a;

	make(&a, "t:1", CB_SEV_CRITICAL,
	    "Cảnh báo lừa đảo qua đường dây nóng giả mạo",
	    "Đối tượng giả danh cán bộ Sở TT&TT Đà Nẵng.");
	cb_strlist_add(&a.actions, "Cập nhật bản vá cho tường lửa");
	cb_strlist_add(&a.products, "Fortinet FortiOS 7.2");
	cb_strlist_add(&a.cves, "CVE-2024-21762");
	put(s, 1, &a);
	cb_adv_release(&a);
	make(&a, "t:2", CB_SEV_HIGH, "Lỗ hổng trong Microsoft Exchange",
	    "Ảnh hưởng đến thư điện tử tại Hà Nội.");
	a.origin = CB_ORIGIN_NATIONAL;
	cb_strlist_add(&a.cves, "CVE-2024-21410");
	put(s, 2, &a);
	cb_adv_release(&a);
	make(&a, "t:3", CB_SEV_MEDIUM, "Đà Lạt: diễn tập ứng cứu sự cố",
	    "Thời tiết oi bức, kiểm tra phòng máy.");
	a.status = CB_STATUS_EXERCISE;
	put(s, 3, &a);
	cb_adv_release(&a);
	make(&a, "t:4", CB_SEV_LOW, "Hà Nội: hội thảo an toàn thông tin",
	    NULL);
	a.published = cb_time_now() - 30 * 86400;
	put(s, 4, &a);
	cb_adv_release(&a);
}

/* Collects ids (and the first snippet) of what the store returns. */
struct got {
	char ids[256];
	char snippet[512];
	int n;
};

static void
add_id(struct got *g, const char *id)
{
	size_t len = strlen(g->ids);

	snprintf(g->ids + len, sizeof(g->ids) - len, "%s%s", len ? " " : "",
	    id);
	g->n++;
}

static int
on_hit(const struct sub_hit *h, void *arg)
{
	struct got *g = arg;

	if (g->n == 0)
		snprintf(g->snippet, sizeof(g->snippet), "%s", h->snippet);
	add_id(g, h->row.id);
	return 0;
}

static int
on_row(const struct sub_row *r, void *arg)
{
	add_id(arg, r->id);
	return 0;
}

static const char *
search(struct sub_store *s, const char *words, const struct sub_query *q,
    struct got *g)
{
	struct sub_query any;
	struct cb_err err;

	memset(g, 0, sizeof(*g));
	if (q == NULL) {
		sub_query_init(&any);
		q = &any;
	}
	if (sub_search(s, words, q, on_hit, g, &err) < 0)
		fail_msg("search '%s': %s", words, err.msg);
	return g->ids;
}

static void
test_search_folds(void **state)
{
	struct sub_fixture *f = *state;
	struct got g;

	fill(f->s);
	assert_string_equal(search(f->s, "duong day nong", NULL, &g), "t:1");
	assert_string_equal(search(f->s, "DUONG DAY NONG", NULL, &g), "t:1");
	assert_string_equal(search(f->s, "đà nẵng", NULL, &g), "t:1");
	assert_string_equal(search(f->s, "da lat", NULL, &g), "t:3");
	assert_string_equal(search(f->s, "cap nhat ban va", NULL, &g), "t:1");
	assert_string_equal(search(f->s, "fortios", NULL, &g), "t:1");
	assert_string_equal(search(f->s, "CVE-2024-21410", NULL, &g), "t:2");
	assert_string_equal(search(f->s, "exch*", NULL, &g), "t:2");
	assert_string_equal(search(f->s, "khong co", NULL, &g), "");
	/* in a title first, then in a summary */
	assert_string_equal(search(f->s, "ha noi", NULL, &g), "t:4 t:2");
}

static void
test_search_snippet(void **state)
{
	struct sub_fixture *f = *state;
	struct got g;

	fill(f->s);
	search(f->s, "da nang", NULL, &g);
	/* The text as written, the phrase marked. */
	assert_non_null(strstr(g.snippet, "\x02" "Đà Nẵng" "\x03"));
	search(f->s, "gia mao", NULL, &g);
	assert_non_null(strstr(g.snippet, "\x02giả mạo\x03"));
}

static void
test_search_filters(void **state)
{
	struct sub_fixture *f = *state;
	struct sub_query q;
	struct got g;

	fill(f->s);
	sub_query_init(&q);
	q.min_severity = CB_SEV_HIGH;
	assert_string_equal(search(f->s, "ha noi", &q, &g), "t:2");
	sub_query_init(&q);
	q.cve = "CVE-2024-21762";
	assert_string_equal(search(f->s, "", &q, &g), "t:1");
	assert_string_equal(search(f->s, "ha noi", &q, &g), "");
	sub_query_init(&q);
	q.since = cb_time_now() - 86400;
	assert_string_equal(search(f->s, "ha noi", &q, &g), "t:2");
	sub_query_init(&q);
	q.origin = CB_ORIGIN_NATIONAL;
	assert_string_equal(search(f->s, "ha noi", &q, &g), "t:2");
	sub_query_init(&q);
	q.limit = 1;
	assert_string_equal(search(f->s, "ha noi", &q, &g), "t:4");
}

/* The user's text never reaches FTS5's query syntax. */
static void
test_search_syntax_is_inert(void **state)
{
	static const char *hostile[] = { "\"", "title:", "NOT", "a OR",
		"(", ")", "-", "^da", "NEAR(a b)", "*", "'; DROP TABLE x; --",
		"da\" OR \"ha", "{title}:da" };
	struct sub_fixture *f = *state;
	struct sub_query q;
	struct cb_err err;
	struct got g;
	size_t i;

	fill(f->s);
	sub_query_init(&q);
	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		memset(&g, 0, sizeof(g));
		if (sub_search(f->s, hostile[i], &q, on_hit, &g, &err) <
			0 &&
		    strstr(err.msg, "nothing to search for") == NULL)
			fail_msg("'%s': %s", hostile[i], err.msg);
	}
	/* Operators are words like any other. */
	assert_string_equal(search(f->s, "NOT ha noi", NULL, &g), "");
	assert_int_equal(sub_search(f->s, " !!! ", &q, on_hit, &g, &err),
	    -1);
	assert_non_null(strstr(err.msg, "nothing to search for"));
}

static void
list(struct sub_store *s, const struct sub_query *q, struct got *g)
{
	struct cb_err err;

	memset(g, 0, sizeof(*g));
	if (sub_store_list(s, q, on_row, g, &err) < 0)
		fail_msg("%s", err.msg);
}

static void
test_list_filters(void **state)
{
	struct sub_fixture *f = *state;
	struct sub_query q;
	struct got g;

	fill(f->s);
	sub_query_init(&q);
	list(f->s, &q, &g);
	assert_string_equal(g.ids, "t:4 t:3 t:2 t:1");
	q.min_severity = CB_SEV_MEDIUM;
	list(f->s, &q, &g);
	assert_string_equal(g.ids, "t:3 t:2 t:1");
	sub_query_init(&q);
	q.since = cb_time_now() - 86400;
	list(f->s, &q, &g);
	assert_string_equal(g.ids, "t:3 t:2 t:1");
	sub_query_init(&q);
	q.unread = 1;
	assert_int_equal(sub_ack_mark_read(f->s, "t:2", 1, 1, NULL), 0);
	list(f->s, &q, &g);
	assert_string_equal(g.ids, "t:4 t:3 t:1");
}

static void
test_ack(void **state)
{
	struct sub_fixture *f = *state;
	struct sub_query q;
	struct sub_ack a;
	struct cb_err err;
	struct got g;

	fill(f->s);
	assert_int_equal(sub_ack_add(f->s, "nope", "An", NULL, 1, &a, &err),
	    0);
	assert_int_equal(sub_ack_add(f->s, "t:1", "Nguyễn Văn An",
			     "đã vá", 1000, &a, &err),
	    1);
	assert_int_equal(a.revision, 1);
	sub_ack_release(&a);
	assert_int_equal(sub_ack_add(f->s, "t:1", "B", NULL, 2000, &a, &err),
	    2);
	assert_string_equal(a.by, "Nguyễn Văn An"); /* the first is kept */
	assert_string_equal(a.note, "đã vá");
	assert_int_equal(a.at, 1000);
	sub_ack_release(&a);

	/* It survives closing the archive. */
	sub_store_close(f->s);
	f->s = sub_store_open(f->path, 1, &err);
	assert_non_null(f->s);
	sub_query_init(&q);
	q.unacked = 1;
	list(f->s, &q, &g);
	assert_string_equal(g.ids, "t:4 t:3 t:2");
	q.unacked = 0;
	q.unread = 1; /* acknowledged counts as read */
	list(f->s, &q, &g);
	assert_string_equal(g.ids, "t:4 t:3 t:2");
}

static void
test_revisions(void **state)
{
	struct sub_fixture *f = *state;
	struct sub_query q;
	struct sub_ack a;
	struct cb_adv adv;
	struct cb_err err;
	struct got g;

	fill(f->s);
	assert_int_equal(sub_ack_add(f->s, "t:1", "An", NULL, 1, &a, &err),
	    1);
	sub_ack_release(&a);
	make(&adv, "t:1", CB_SEV_CRITICAL, "Cập nhật", NULL);
	adv.revision = 2;
	adv.kind = CB_KIND_UPDATE;
	put(f->s, 5, &adv);
	cb_adv_release(&adv);
	memset(&g, 0, sizeof(g));
	assert_int_equal(sub_store_revisions(f->s, "t:1", on_row, &g, &err), 2);
	/* the update needs acknowledging again; only the latest is listed */
	sub_query_init(&q);
	q.unacked = 1;
	list(f->s, &q, &g);
	assert_string_equal(g.ids, "t:1 t:4 t:3 t:2");
	assert_int_equal(sub_ack_add(f->s, "t:1", "An", NULL, 2, &a, &err),
	    1);
	assert_int_equal(a.revision, 2);
	sub_ack_release(&a);
	list(f->s, &q, &g);
	assert_string_equal(g.ids, "t:4 t:3 t:2");
}

static int
count_ack(const struct sub_ack *a, void *arg)
{
	(void)a;
	(*(int *)arg)++;
	return 0;
}

static void
test_acks_listed(void **state)
{
	struct sub_fixture *f = *state;
	struct sub_ack a;
	struct cb_adv adv;
	struct cb_err err;
	int n = 0;

	fill(f->s);
	sub_ack_add(f->s, "t:1", "An", NULL, 1, &a, &err);
	sub_ack_release(&a);
	make(&adv, "t:1", CB_SEV_HIGH, "Cập nhật", NULL);
	adv.revision = 2;
	adv.kind = CB_KIND_UPDATE;
	put(f->s, 5, &adv);
	cb_adv_release(&adv);
	sub_ack_add(f->s, "t:1", "Bình", "ok", 2, &a, &err);
	sub_ack_release(&a);
	assert_int_equal(sub_ack_each(f->s, "t:1", count_ack, &n, &err), 2);
	assert_int_equal(n, 2);
}

static int
on_reminder(const struct sub_row *r, void *arg)
{
	assert_true(r->signed_len > CB_MSG_HDRLEN); /* with its blobs */
	add_id(arg, r->id);
	return 0;
}

static const char *
reminders(struct sub_store *s, int64_t received_before, struct got *g)
{
	struct cb_err err;

	memset(g, 0, sizeof(*g));
	if (sub_ack_reminders(s, cb_time_now(), received_before, 10,
		on_reminder, g, &err) < 0)
		fail_msg("%s", err.msg);
	return g->ids;
}

static void
test_reminders(void **state)
{
	struct sub_fixture *f = *state;
	int64_t later = cb_time_now() + 10;
	struct sub_ack a;
	struct cb_adv adv;
	struct cb_err err;
	struct got g;

	fill(f->s);
	make(&adv, "t:5", CB_SEV_CRITICAL, "Đã hết hạn", NULL);
	adv.expires = cb_time_now() - 10;
	put(f->s, 5, &adv);
	cb_adv_release(&adv);
	make(&adv, "t:6", CB_SEV_CRITICAL, "Lịch sử, trước khi đăng ký", NULL);
	put_at(f->s, 6, &adv, 1000); /* issued in 1970: history */
	cb_adv_release(&adv);
	make(&adv, "t:7", CB_SEV_CRITICAL, "Sẽ bị hủy", NULL);
	put(f->s, 7, &adv);
	cb_adv_release(&adv);

	assert_string_equal(reminders(f->s, later, &g), "t:1 t:7");
	/* not before renotify seconds have passed since it arrived */
	assert_string_equal(reminders(f->s, cb_time_now() - 100, &g), "");
	make(&adv, "t:7", CB_SEV_CRITICAL, "Hủy", NULL);
	adv.revision = 2;
	adv.kind = CB_KIND_CANCEL;
	put(f->s, 8, &adv);
	cb_adv_release(&adv);
	assert_string_equal(reminders(f->s, later, &g), "t:1");
	assert_int_equal(sub_ack_add(f->s, "t:1", "An", NULL, 1, &a, &err),
	    1);
	sub_ack_release(&a);
	assert_string_equal(reminders(f->s, later, &g), "");
}

static void
test_batch(void **state)
{
	struct sub_fixture *f = *state;
	struct cb_err err;
	struct got g;

	assert_int_equal(sub_store_batch(f->s, 1, &err), 0);
	fill(f->s);
	assert_int_equal(sub_store_batch(f->s, 0, &err), 0);
	assert_string_equal(search(f->s, "ha noi", NULL, &g), "t:4 t:2");
}

/* An advisory's indicators are kept one row each, found by value. */
static int
add_indicator_hit(uint64_t seq, const char *type, void *arg)
{
	struct got *g = arg;
	char what[64];

	snprintf(what, sizeof(what), "%llu:%s", (unsigned long long)seq, type);
	add_id(g, what);
	return 0;
}

static void
test_indicators(void **state)
{
	struct sub_fixture *f = *state;
	struct cb_adv a;
	struct cb_err err;
	struct got g;

	fill(f->s);
	make(&a, "misp:57c4445b", CB_SEV_CRITICAL, "Ransomware - Xorist",
	    NULL);
	cb_indicators_add(&a.indicators, "md5",
	    "0749bae92ca336a02c83d126e04ec628");
	cb_indicators_add(&a.indicators, "ip-dst", "198.51.100.7");
	put(f->s, 5, &a);
	cb_adv_release(&a);
	make(&a, "misp:5b0c", CB_SEV_HIGH, "Máy chủ điều khiển", NULL);
	cb_indicators_add(&a.indicators, "ip-src", "198.51.100.7");
	put(f->s, 6, &a);
	cb_adv_release(&a);
	memset(&g, 0, sizeof(g));
	assert_int_equal(sub_store_indicator_find(f->s, "198.51.100.7",
			     add_indicator_hit, &g, &err),
	    2);
	assert_string_equal(g.ids, "5:ip-dst 6:ip-src");
	memset(&g, 0, sizeof(g));
	assert_int_equal(sub_store_indicator_find(f->s, "198.51.100.8",
			     add_indicator_hit, &g, &err),
	    0);
}

/* An archive of schema version 2 (before search) gets its index built
 * from the messages it holds when it is opened. */
static void
test_migration_indexes_old_archive(void **state)
{
	static const char *const v2[] = {
		"CREATE TABLE message (seq INTEGER PRIMARY KEY, key_id BLOB "
		"NOT NULL, issued_ms INTEGER NOT NULL, adv_id TEXT NOT NULL, "
		"revision INTEGER NOT NULL, kind TEXT NOT NULL, severity TEXT "
		"NOT NULL, status TEXT NOT NULL, origin TEXT NOT NULL, title "
		"TEXT NOT NULL, published INTEGER NOT NULL, received INTEGER "
		"NOT NULL, signed BLOB NOT NULL, sigblock BLOB NOT NULL);"
		"CREATE INDEX message_adv ON message(adv_id, revision);"
		"CREATE TABLE publisher (key_id BLOB PRIMARY KEY, last_seq "
		"INTEGER NOT NULL);",
		"ALTER TABLE message ADD COLUMN expires INTEGER NOT NULL "
		"DEFAULT 0;",
	};
	static const char insert_v2[] =
	    "INSERT INTO message VALUES (1, x'07', 0, 't:9', 1, 'new', "
	    "'high', 'actual', 'national', 'Đường dây nóng', 0, 0, "
	    "CAST(zeroblob(33) || CAST('{\"title\":\"Đường dây nóng\","
	    "\"summary\":\"Sở TT&TT Đà Nẵng\","
	    "\"products\":[\"Cổng một cửa\"],"
	    "\"actions\":[\"Vá ngay\"]}' AS BLOB) AS BLOB), x'00', 0)";
	struct sub_fixture *f = *state;
	char *path = cb_test_path(f->dir, "old.db");
	struct sub_store *s;
	struct cb_err err;
	struct got g;
	sqlite3 *db;

	db = cb_db_open(path, 0, v2, 2, &err);
	assert_non_null(db);
	assert_int_equal(cb_db_exec(db, insert_v2, &err), 0);
	cb_db_close(db);
	s = sub_store_open(path, 0, &err);
	if (s == NULL)
		fail_msg("%s", err.msg);
	assert_string_equal(search(s, "da nang", NULL, &g), "t:9");
	assert_string_equal(search(s, "cong mot cua", NULL, &g), "t:9");
	assert_string_equal(search(s, "va ngay", NULL, &g), "t:9");
	sub_store_close(s);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		SUB_TEST(test_search_folds),
		SUB_TEST(test_search_snippet),
		SUB_TEST(test_search_filters),
		SUB_TEST(test_search_syntax_is_inert),
		SUB_TEST(test_list_filters),
		SUB_TEST(test_ack),
		SUB_TEST(test_revisions),
		SUB_TEST(test_acks_listed),
		SUB_TEST(test_reminders),
		SUB_TEST(test_batch),
		SUB_TEST(test_indicators),
		SUB_TEST(test_migration_indexes_old_archive),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
