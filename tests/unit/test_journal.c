/* Unit tests for pub_journal: appends and their transactions, the
 * sequence after a rollback or a crash, revisions, replay order, feed
 * items, fetch validators, feed state, the agency registry; and a
 * journal made by the code before pub_inbound had its own tables. */
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cb_test.h"
#include "pub_test.h"
#include "cb_db.h"
#include "cb_msg.h"
#include "cb_seq.h"
#include "cb_sig.h"
#include "pub_inbound.h"
#include "pub_journal.h"
#include "pub_views.h"

#define NOW 1780000000 /* a fixed clock: 2026-05-28 */

static void
reopen(struct pub_fixture *f)
{
	struct cb_err err;

	pub_journal_close(f->j);
	f->j = pub_journal_open(f->path, &err);
	assert_non_null(f->j);
}

/* Append message seq (an advisory id at rev when id is not NULL). */
static int
append(struct pub_journal *j, uint64_t seq, const char *id, unsigned rev,
    const struct pub_item_ref *item)
{
	static const uint8_t bytes[4] = "CBM1", sig[2] = "ED";
	struct pub_entry e = { .seq = seq, .type = CB_MSG_ADVISORY,
		.issued_ms = (int64_t)NOW * 1000, .adv_id = id, .revision = rev,
		.severity = "high", .title = "t", .signed_bytes = bytes,
		.signed_len = sizeof(bytes), .sigblock = sig,
		.sigblock_len = sizeof(sig) };
	struct cb_err err;

	return pub_journal_append(j, &e, item, &err);
}

static void
test_append_commit_rollback(void **state)
{
	struct pub_fixture *f = *state;
	struct cb_err err;

	assert_int_equal(pub_journal_last_seq(f->j), 0);
	assert_int_equal(append(f->j, 1, "a:1", 1, NULL), 0);
	assert_int_equal(pub_journal_last_seq(f->j), 1);
	/* Only the next sequence number is accepted. */
	assert_int_equal(append(f->j, 1, "a:1", 2, NULL), -1);
	assert_int_equal(append(f->j, 3, "a:1", 2, NULL), -1);

	assert_int_equal(pub_journal_begin(f->j, &err), 0);
	assert_int_equal(pub_journal_begin(f->j, &err), -1); /* no nesting */
	assert_int_equal(append(f->j, 2, "a:2", 1, NULL), 0);
	assert_int_equal(append(f->j, 3, "a:3", 1, NULL), 0);
	assert_int_equal(pub_journal_last_seq(f->j), 3);
	pub_journal_rollback(f->j);
	assert_int_equal(pub_journal_last_seq(f->j), 1);
	reopen(f);
	assert_int_equal(pub_journal_last_seq(f->j), 1);

	assert_int_equal(pub_journal_begin(f->j, &err), 0);
	assert_int_equal(append(f->j, 2, "a:2", 1, NULL), 0);
	assert_int_equal(pub_journal_commit(f->j, &err), 0);
	reopen(f);
	assert_int_equal(pub_journal_last_seq(f->j), 2);
}

/* The last number there is: the journal says so rather than wrap (the
 * row is written past the API, as no test can append 2^63 messages). */
static void
test_numbers_run_out(void **state)
{
	struct pub_fixture *f = *state;
	struct cb_err err;
	uint64_t next;

	assert_int_equal(pub_journal_next_seq(f->j, &next, &err), 0);
	assert_true(next == 1);
	assert_int_equal(cb_db_exec(pub_journal_db(f->j),
	    "INSERT INTO message (seq, type, issued_ms, signed, sigblock) "
	    "VALUES (9223372036854775807, 1, 0, x'00', x'00')", &err), 0);
	reopen(f);
	assert_true(pub_journal_last_seq(f->j) == CB_SEQ_MAX);
	assert_int_equal(pub_journal_next_seq(f->j, &next, &err), -1);
	assert_non_null(strstr(err.msg, "no sequence number after"));
	assert_int_equal(append(f->j, 0, "a:0", 1, NULL), -1);
}

/* A process that dies inside a transaction: what it committed stays,
 * what it did not is gone, and no committed number comes again. */
static void
test_crash_never_reuses(void **state)
{
	struct pub_fixture *f = *state;
	struct cb_err err;
	int status;
	pid_t pid;

	pub_journal_close(f->j);
	f->j = NULL;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct pub_journal *j = pub_journal_open(f->path, &err);

		if (j == NULL || append(j, 1, "a:1", 1, NULL) < 0 ||
		    pub_journal_begin(j, &err) < 0 ||
		    append(j, 2, "a:2", 1, NULL) < 0)
			_exit(1);
		_exit(0); /* no commit, no close: a crash */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	f->j = pub_journal_open(f->path, &err);
	assert_non_null(f->j);
	assert_int_equal(pub_journal_last_seq(f->j), 1);
	assert_int_equal(append(f->j, 1, "a:9", 1, NULL), -1);
	assert_int_equal(append(f->j, 2, "a:2", 1, NULL), 0);
}

static void
test_revision(void **state)
{
	struct pub_fixture *f = *state;
	struct cb_err err;
	unsigned rev = 0;

	assert_int_equal(pub_journal_revision(f->j, "a:1", &rev, &err), 0);
	assert_int_equal(append(f->j, 1, "a:1", 1, NULL), 0);
	assert_int_equal(append(f->j, 2, "b:1", 1, NULL), 0);
	assert_int_equal(append(f->j, 3, "a:1", 2, NULL), 0);
	assert_int_equal(append(f->j, 4, NULL, 0, NULL), 0);
	assert_int_equal(pub_journal_revision(f->j, "a:1", &rev, &err), 1);
	assert_int_equal(rev, 2);
	assert_int_equal(pub_journal_revision(f->j, "b:1", &rev, &err), 1);
	assert_int_equal(rev, 1);
}

struct seen {
	uint64_t seq[16];
	int n, stop_after;
};

static int
collect(const struct pub_entry *e, void *arg)
{
	struct seen *s = arg;

	s->seq[s->n++] = e->seq;
	assert_int_equal(e->signed_len, 4);
	assert_memory_equal(e->signed_bytes, "CBM1", 4);
	return s->n == s->stop_after ? -1 : 0;
}

static void
test_each_order_and_limit(void **state)
{
	struct pub_fixture *f = *state;
	struct seen s = { .stop_after = -1 };
	struct cb_err err;
	uint64_t i;

	for (i = 1; i <= 5; i++)
		assert_int_equal(append(f->j, i, "a:1", (unsigned)i, NULL), 0);
	assert_int_equal(pub_journal_each(f->j, 1, 2, collect, &s, &err), 2);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.seq[0], 2);
	assert_int_equal(s.seq[1], 3);
	s = (struct seen){ .stop_after = -1 };
	assert_int_equal(pub_journal_each(f->j, 0, 100, collect, &s, &err), 5);
	for (i = 0; i < 5; i++)
		assert_int_equal(s.seq[i], i + 1);
	s = (struct seen){ .stop_after = 1 }; /* fn < 0 stops the walk */
	assert_int_equal(pub_journal_each(f->j, 0, 100, collect, &s, &err), 1);
	s = (struct seen){ .stop_after = -1 };
	assert_int_equal(pub_journal_each(f->j, 5, 100, collect, &s, &err), 0);
}

static void
test_feed_items(void **state)
{
	struct pub_fixture *f = *state;
	uint8_t h1[32], h2[32], got[32];
	struct pub_item_ref ref = { "cert", "x-1", h1 };
	struct cb_err err;
	int published = -1;
	long n = -1;

	memset(h1, 1, sizeof(h1));
	memset(h2, 2, sizeof(h2));
	assert_int_equal(pub_journal_item(f->j, "cert", "x-1", got, &published,
	    &err), 0);
	assert_int_equal(pub_journal_item_seen(f->j, &ref, "cert:x-1", &err), 0);
	assert_int_equal(pub_journal_item(f->j, "cert", "x-1", got, &published,
	    &err), 1);
	assert_memory_equal(got, h1, 32);
	assert_int_equal(published, 0);
	/* Published with its message: the same transaction. */
	ref.hash = h2;
	assert_int_equal(append(f->j, 1, "cert:x-1", 1, &ref), 0);
	assert_int_equal(pub_journal_item(f->j, "cert", "x-1", got, &published,
	    &err), 1);
	assert_memory_equal(got, h2, 32);
	assert_int_equal(published, 1);
	/* Seen again later: the hash moves, published stays. */
	ref.hash = h1;
	assert_int_equal(pub_journal_item_seen(f->j, &ref, "cert:x-1", &err), 0);
	assert_int_equal(pub_journal_item(f->j, "cert", "x-1", got, &published,
	    &err), 1);
	assert_memory_equal(got, h1, 32);
	assert_int_equal(published, 1);
	assert_int_equal(pub_journal_item_count(f->j, "cert", &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(pub_journal_item_count(f->j, "other", &n, &err), 0);
	assert_int_equal(n, 0);
}

static void
test_cache_validators(void **state)
{
	struct pub_fixture *f = *state;
	char *etag, *lm;
	struct cb_err err;
	const char *url = "https://127.0.0.1/feed.xml";

	assert_int_equal(pub_journal_cache_get(f->j, url, &etag, &lm, &err), 0);
	assert_null(etag);
	assert_null(lm);
	assert_int_equal(pub_journal_cache_put(f->j, url, "\"v1\"", NULL,
	    &err), 0);
	assert_int_equal(pub_journal_cache_put(f->j, url, "\"v2\"",
	    "Thu, 28 May 2026 00:00:00 GMT", &err), 0);
	reopen(f);
	assert_int_equal(pub_journal_cache_get(f->j, url, &etag, &lm, &err), 0);
	assert_string_equal(etag, "\"v2\"");
	assert_string_equal(lm, "Thu, 28 May 2026 00:00:00 GMT");
	free(etag);
	free(lm);
}

static void
test_feed_state(void **state)
{
	struct pub_fixture *f = *state;
	struct pub_feed_state in = { .last_success = NOW,
		.last_error_at = NOW - 60, .initialized = 1 }, out;
	struct cb_err err;

	assert_int_equal(pub_journal_feed_get(f->j, "cert", &out, &err), 0);
	assert_int_equal(out.last_success, 0);
	assert_int_equal(out.initialized, 0);
	snprintf(in.last_error, sizeof(in.last_error), "timeout");
	assert_int_equal(pub_journal_feed_put(f->j, "cert", &in, &err), 0);
	reopen(f);
	assert_int_equal(pub_journal_feed_get(f->j, "cert", &out, &err), 0);
	assert_int_equal(out.last_success, NOW);
	assert_int_equal(out.last_error_at, NOW - 60);
	assert_string_equal(out.last_error, "timeout");
	assert_int_equal(out.initialized, 1);
}

/* A MISP feed's mark survives a reopen, per feed; none reads empty. */
static void
test_misp_mark(void **state)
{
	struct pub_fixture *f = *state;
	struct cb_err err;
	char uuid[64];
	int64_t ts;

	assert_int_equal(pub_journal_misp_mark_get(f->j, "circl", uuid,
	    sizeof(uuid), &ts, &err), 0);
	assert_string_equal(uuid, "");
	assert_int_equal(ts, 0);
	assert_int_equal(pub_journal_misp_mark_put(f->j, "circl",
	    "5a3b2d2e-1c28-4b5e-9d7e-000000000001", NOW, &err), 0);
	assert_int_equal(pub_journal_misp_mark_put(f->j, "other", "x", 1,
	    &err), 0);
	reopen(f);
	assert_int_equal(pub_journal_misp_mark_get(f->j, "circl", uuid,
	    sizeof(uuid), &ts, &err), 0);
	assert_string_equal(uuid, "5a3b2d2e-1c28-4b5e-9d7e-000000000001");
	assert_int_equal(ts, NOW);
}

struct names {
	char name[4][65];
	int64_t last[4];
	int n;
};

static void
add_name(const struct pub_agency *a, void *arg)
{
	struct names *l = arg;

	snprintf(l->name[l->n], sizeof(l->name[0]), "%s", a->name);
	l->last[l->n++] = a->last_contact;
}

static void
new_key(struct cb_pubkey *pk)
{
	struct cb_seckey *sk;
	struct cb_err err;

	assert_int_equal(cb_sig_keygen(&sk, pk, &err), 0);
	cb_seckey_free(sk);
}

static void
test_agencies(void **state)
{
	struct pub_fixture *f = *state;
	struct cb_pubkey k1, k2, got;
	struct names l = { 0 };
	struct cb_err err;
	char name[65];

	new_key(&k1);
	new_key(&k2);
	assert_int_equal(pub_journal_agency_add(f->j, "so-y-te", &k1, NOW,
	    &err), 0);
	assert_int_equal(pub_journal_agency_add(f->j, "so-y-te", &k2, NOW,
	    &err), -1);
	assert_int_equal(pub_journal_agency_add(f->j, "other", &k1, NOW,
	    &err), -1); /* the same key twice */
	assert_int_equal(pub_journal_agency_add(f->j, "cong-an", &k2, NOW,
	    &err), 0);
	assert_int_equal(pub_journal_agency_touch(f->j, "so-y-te", NOW + 10,
	    &err), 0);
	assert_int_equal(pub_journal_agency_touch(f->j, "so-y-te", NOW + 5,
	    &err), 0); /* never back */
	assert_int_equal(pub_journal_agency_each(f->j, add_name, &l, &err), 2);
	assert_string_equal(l.name[0], "cong-an"); /* by name */
	assert_int_equal(l.last[0], 0);
	assert_string_equal(l.name[1], "so-y-te");
	assert_int_equal(l.last[1], NOW + 10);
	assert_int_equal(pub_journal_agency_by_key(f->j, k2.id, name,
	    sizeof(name), &got, &err), 1);
	assert_string_equal(name, "cong-an");
	assert_memory_equal(got.pk, k2.pk, CB_SIG_PKLEN);
	assert_int_equal(pub_journal_agency_remove(f->j, "cong-an", &err), 1);
	assert_int_equal(pub_journal_agency_remove(f->j, "cong-an", &err), 0);
	assert_int_equal(pub_journal_agency_by_key(f->j, k2.id, name,
	    sizeof(name), &got, &err), 0);
}

/* --- a journal the code before the inbound schema made ------------------ */

/* The journal's migrations as they were when its migration 4 also
 * created the inbound tables (copied, not shared: this is the past). */
static const char *const old_migrations[] = {
	"CREATE TABLE message ("
	"  seq INTEGER PRIMARY KEY,"
	"  type INTEGER NOT NULL,"
	"  issued_ms INTEGER NOT NULL,"
	"  adv_id TEXT,"
	"  revision INTEGER,"
	"  signed BLOB NOT NULL,"
	"  sigblock BLOB NOT NULL);"
	"CREATE INDEX message_adv ON message(adv_id, revision);",

	"CREATE TABLE feed_item ("
	"  feed TEXT NOT NULL,"
	"  source_id TEXT NOT NULL,"
	"  adv_id TEXT NOT NULL,"
	"  hash BLOB NOT NULL,"
	"  published INTEGER NOT NULL,"
	"  PRIMARY KEY (feed, source_id));"
	"CREATE TABLE fetch_cache ("
	"  url TEXT PRIMARY KEY,"
	"  etag TEXT,"
	"  last_modified TEXT);"
	"CREATE TABLE feed_state ("
	"  feed TEXT PRIMARY KEY,"
	"  last_success INTEGER NOT NULL,"
	"  last_error_at INTEGER NOT NULL,"
	"  last_error TEXT NOT NULL,"
	"  initialized INTEGER NOT NULL);",

	"CREATE TABLE agency ("
	"  name TEXT PRIMARY KEY,"
	"  key_id BLOB NOT NULL,"
	"  public_key BLOB NOT NULL UNIQUE,"
	"  added INTEGER NOT NULL);",

	"ALTER TABLE agency ADD COLUMN last_contact INTEGER NOT NULL DEFAULT 0;"
	"CREATE TABLE inbound ("
	"  agency TEXT NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  type INTEGER NOT NULL,"
	"  received INTEGER NOT NULL,"
	"  signed BLOB NOT NULL,"
	"  sigblock BLOB NOT NULL,"
	"  PRIMARY KEY (agency, seq));"
	"CREATE TABLE receipt ("
	"  agency TEXT NOT NULL,"
	"  adv_id TEXT NOT NULL,"
	"  revision INTEGER NOT NULL,"
	"  event TEXT NOT NULL,"
	"  at INTEGER NOT NULL,"
	"  ack_by TEXT,"
	"  note TEXT,"
	"  PRIMARY KEY (agency, adv_id, revision, event));"
	"CREATE TABLE report ("
	"  agency TEXT NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  received INTEGER NOT NULL,"
	"  filed INTEGER NOT NULL,"
	"  severity TEXT NOT NULL,"
	"  title TEXT NOT NULL,"
	"  details TEXT,"
	"  PRIMARY KEY (agency, seq));"
	"CREATE TABLE report_attachment ("
	"  agency TEXT NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  name TEXT NOT NULL,"
	"  data BLOB NOT NULL);"
	"ALTER TABLE message ADD COLUMN severity TEXT;"
	"ALTER TABLE message ADD COLUMN title TEXT;",
};

/* A receipt from the agency holding sk, as its subscriber signs it. */
static void
submit_receipt(struct pub_journal *j, const struct cb_seckey *sk,
    uint64_t seq, const char *event)
{
	struct pub_inbound_result res;
	struct cb_sealed s;
	struct cb_err err;
	char payload[256];

	snprintf(payload, sizeof(payload), "{\"id\":\"local:2026-000001\","
	    "\"revision\":1,\"event\":\"%s\",\"at\":\"2026-05-28T00:00:00Z\"}",
	    event);
	assert_int_equal(cb_msg_seal(sk, CB_MSG_RECEIPT, seq,
	    (int64_t)NOW * 1000, payload, strlen(payload), "receipt", &s,
	    &err), 0);
	if (pub_inbound_submit(j, s.signed_bytes, s.signed_len, s.sigblock,
		s.sigblock_len, NOW, &res, &err) < 0)
		fail_msg("submit: %s", err.msg);
	assert_int_equal(res.fresh, 1);
	assert_string_equal(res.agency, "so-y-te");
	cb_sealed_release(&s);
}

static const cJSON *
receipt_of(const cJSON *view, const char *agency)
{
	const cJSON *r;

	cJSON_ArrayForEach(r, view)
		if (strcmp(cJSON_GetObjectItem(r, "agency")->valuestring,
			agency) == 0)
			return r;
	fail_msg("no receipt row for %s", agency);
	return NULL;
}

/* Replace the fixture's journal by an empty one the old code made;
 * returns its handle, for rows written the old way. */
static sqlite3 *
old_journal(struct pub_fixture *f)
{
	struct cb_err err;
	sqlite3 *db;

	pub_journal_close(f->j);
	f->j = NULL;
	unlink(f->path);
	db = cb_db_open(f->path, 0, old_migrations, 4, &err);
	assert_non_null(db);
	return db;
}

/* Open it with the new code, as the daemon and the commands do. */
static void
new_code_opens(struct pub_fixture *f)
{
	struct cb_err err;

	f->j = pub_journal_open(f->path, &err);
	assert_non_null(f->j);
	assert_int_equal(pub_inbound_migrate(f->j, &err), 0);
}

static void
test_old_journal_opens(void **state)
{
	struct pub_fixture *f = *state;
	struct cb_seckey *sk;
	struct cb_pubkey pk;
	struct cb_err err;
	cJSON *view;
	sqlite3 *db = old_journal(f);
	char sql[512];

	assert_int_equal(cb_sig_keygen(&sk, &pk, &err), 0);
	assert_int_equal(cb_db_exec(db, "INSERT INTO message (seq, type, "
	    "issued_ms, adv_id, revision, signed, sigblock, severity, title) "
	    "VALUES (1, 1, 0, 'local:2026-000001', 1, x'00', x'00', 'high', "
	    "'t')", &err), 0);
	snprintf(sql, sizeof(sql), "INSERT INTO agency (name, key_id, "
	    "public_key, added) VALUES ('so-y-te', x'%02x%02x%02x%02x%02x%02x"
	    "%02x%02x', randomblob(32), 0)", pk.id[0], pk.id[1], pk.id[2],
	    pk.id[3], pk.id[4], pk.id[5], pk.id[6], pk.id[7]);
	assert_int_equal(cb_db_exec(db, sql, &err), 0);
	assert_int_equal(cb_db_exec(db, "INSERT INTO receipt VALUES ('so-y-te', "
	    "'local:2026-000001', 1, 'received', 1780000000, NULL, NULL)",
	    &err), 0);
	cb_db_close(db);

	new_code_opens(f);
	assert_int_equal(pub_journal_last_seq(f->j), 1);
	assert_int_equal(append(f->j, 2, "local:2026-000001", 2, NULL), 0);
	/* The old rows are there, in the tables pub_inbound adopted. */
	view = pub_views_receipts(f->j, "local:2026-000001", &err);
	assert_non_null(view);
	assert_true(cJSON_IsString(cJSON_GetObjectItem(receipt_of(view,
	    "so-y-te"), "received")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(receipt_of(view,
	    "so-y-te"), "acknowledged")));
	cJSON_Delete(view);
	cb_seckey_free(sk);
}

/* The same journal, its agency with a real key: the way back works. */
static void
test_old_journal_takes_receipts(void **state)
{
	struct pub_fixture *f = *state;
	struct cb_seckey *sk;
	struct cb_pubkey pk;
	struct cb_err err;
	cJSON *view;

	cb_db_close(old_journal(f));
	new_code_opens(f);
	assert_int_equal(pub_inbound_migrate(f->j, &err), 0); /* idempotent */
	assert_int_equal(cb_sig_keygen(&sk, &pk, &err), 0);
	assert_int_equal(pub_journal_agency_add(f->j, "so-y-te", &pk, NOW,
	    &err), 0);
	assert_int_equal(append(f->j, 1, "local:2026-000001", 1, NULL), 0);
	submit_receipt(f->j, sk, 1, "received");
	submit_receipt(f->j, sk, 2, "acknowledged");
	view = pub_views_agencies(f->j, NOW, 600, &err);
	assert_non_null(view);
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(cJSON_GetArrayItem(view,
	    0), "silent")));
	cJSON_Delete(view);
	view = pub_views_receipts(f->j, "local:2026-000001", &err);
	assert_non_null(view);
	assert_true(cJSON_IsString(cJSON_GetObjectItem(receipt_of(view,
	    "so-y-te"), "acknowledged")));
	cJSON_Delete(view);
	cb_seckey_free(sk);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		PUB_TEST(test_append_commit_rollback),
		PUB_TEST(test_numbers_run_out),
		PUB_TEST(test_crash_never_reuses),
		PUB_TEST(test_revision),
		PUB_TEST(test_each_order_and_limit),
		PUB_TEST(test_feed_items),
		PUB_TEST(test_cache_validators),
		PUB_TEST(test_feed_state),
		PUB_TEST(test_misp_mark),
		PUB_TEST(test_agencies),
		PUB_TEST(test_old_journal_opens),
		PUB_TEST(test_old_journal_takes_receipts),
	};

	if (cb_sig_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
