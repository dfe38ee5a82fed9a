/* sub_store: the subscriber's archive (see sub_store.h). */
#include <stdlib.h>
#include <string.h>

#include "cb_db.h"
#include "cb_mem.h"
#include "cb_time.h"
#include "sub_ack.h"
#include "sub_outbox.h"
#include "sub_search.h"
#include "sub_store.h"

struct sub_store {
	sqlite3 *db;
	int batch;        /* inside sub_store_batch */
	uint8_t channel[CB_SIG_KEYIDLEN]; /* the pinned publisher key */
	int has_channel;
	int receipts;     /* queue receipts with archives and acks */
	sqlite3_stmt *insert, *advance; /* kept: every message runs them */
};

/*
 * The archive's own tables, in PRAGMA user_version.  Migration 3 once
 * also created the search index, the read state, the acknowledgements
 * and meta, and 4 the outbox: those now belong to sub_search, sub_ack
 * and sub_outbox (modules below), whose first steps adopt the tables an
 * archive made before already has.
 */
static const char *const migrations[] = {
	"CREATE TABLE message ("
	"  seq INTEGER PRIMARY KEY,"
	"  key_id BLOB NOT NULL,"
	"  issued_ms INTEGER NOT NULL,"
	"  adv_id TEXT NOT NULL,"
	"  revision INTEGER NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  severity TEXT NOT NULL,"
	"  status TEXT NOT NULL,"
	"  origin TEXT NOT NULL,"
	"  title TEXT NOT NULL,"
	"  published INTEGER NOT NULL,"
	"  received INTEGER NOT NULL,"
	"  signed BLOB NOT NULL,"
	"  sigblock BLOB NOT NULL);"
	"CREATE INDEX message_adv ON message(adv_id, revision);"
	"CREATE TABLE publisher ("
	"  key_id BLOB PRIMARY KEY,"
	"  last_seq INTEGER NOT NULL);",

	"ALTER TABLE message ADD COLUMN expires INTEGER NOT NULL DEFAULT 0;",

	"CREATE INDEX message_severity ON message(severity, issued_ms);",

	"CREATE TABLE publisher_key ("
	"  seq INTEGER PRIMARY KEY,"
	"  key_id BLOB NOT NULL,"
	"  public_key BLOB NOT NULL,"
	"  signed BLOB NOT NULL,"
	"  sigblock BLOB NOT NULL);",

	/* The key run was started with, so that lookups verify without
	 * being told it (one row). */
	"CREATE TABLE pinned_key ("
	"  one INTEGER PRIMARY KEY CHECK (one = 1),"
	"  key_id BLOB NOT NULL,"
	"  public_key BLOB NOT NULL);",

	/* The certificates of the publisher's signing keys by its identity
	 * key (cb_msg.h), for exports: from rotations and heartbeats. */
	"CREATE TABLE key_certificate ("
	"  key_id BLOB PRIMARY KEY,"
	"  certificate BLOB NOT NULL);",

	/* An advisory's indicators (a MISP event's addresses, domains,
	 * hashes), one row each, so that a value is found by index; the
	 * signed bytes stay what show and export read. */
	"CREATE TABLE indicator ("
	"  seq INTEGER NOT NULL REFERENCES message(seq),"
	"  type TEXT NOT NULL,"
	"  value TEXT NOT NULL);"
	"CREATE INDEX indicator_value ON indicator(value);"
	"CREATE INDEX indicator_seq ON indicator(seq);",
};

/* The modules that keep their tables in the archive, in the order their
 * schemas are applied (sub_search's reads the messages). */
static const struct cb_db_schema *const modules[] = {
	&sub_outbox_schema,
	&sub_ack_schema,
	&sub_search_schema,
};

static int
migrate_modules(sqlite3 *db, int readonly, struct cb_err *err)
{
	size_t i;

	for (i = 0; i < sizeof(modules) / sizeof(modules[0]); i++)
		if (cb_db_migrate(db, readonly, modules[i], err) < 0)
			return -1;
	return 0;
}

struct sub_store *
sub_store_open(const char *path, int readonly, struct cb_err *err)
{
	struct sub_store *s = cb_xcalloc(1, sizeof(*s));

	sub_search_register();
	s->db = cb_db_open(path, readonly, migrations,
	    (int)(sizeof(migrations) / sizeof(migrations[0])), err);
	if (s->db == NULL) {
		free(s);
		return NULL;
	}
	/* Durable (synchronous = FULL, cb_db_open): a receipt says the
	 * advisory is archived, so a power cut must not take it back.
	 * The daemon commits in batches (sub_store_batch) to afford it. */
	if (migrate_modules(s->db, readonly, err) < 0) {
		cb_err_prefix(err, "%s", path);
		sub_store_close(s);
		return NULL;
	}
	return s;
}

void
sub_store_close(struct sub_store *s)
{
	if (s == NULL)
		return;
	sqlite3_finalize(s->insert);
	sqlite3_finalize(s->advance);
	cb_db_close(s->db);
	free(s);
}

sqlite3 *
sub_store_db(struct sub_store *s)
{
	return s->db;
}

int
sub_store_batch(struct sub_store *s, int on, struct cb_err *err)
{
	if (on == s->batch)
		return 0;
	if (cb_db_exec(s->db, on ? "BEGIN IMMEDIATE" : "COMMIT", err) < 0) {
		if (!on)
			sub_store_abort(s);
		return -1;
	}
	s->batch = on;
	return 0;
}

void
sub_store_abort(struct sub_store *s)
{
	if (!s->batch)
		return;
	cb_db_exec(s->db, "ROLLBACK", NULL);
	s->batch = 0;
}

int
sub_store_in_batch(const struct sub_store *s)
{
	return s->batch;
}

int
sub_store_begin(struct sub_store *s, struct cb_err *err)
{
	return cb_db_exec(s->db, s->batch ? "SAVEPOINT one" :
	    "BEGIN IMMEDIATE", err);
}

int
sub_store_end(struct sub_store *s, int ok, struct cb_err *err)
{
	if (ok && cb_db_exec(s->db, s->batch ? "RELEASE one" : "COMMIT",
		err) == 0)
		return 0;
	cb_db_exec(s->db, s->batch ? "ROLLBACK TO one; RELEASE one" :
	    "ROLLBACK", NULL);
	return -1;
}

int
sub_store_receipt(struct sub_store *s, const char *id, unsigned revision,
    const char *event, int64_t at, const char *by, const char *note,
    struct cb_err *err)
{
	if (!s->receipts)
		return 0;
	return sub_outbox_receipt(s->db, id, revision, event, at, by, note,
	    err);
}

void
sub_store_set_channel(struct sub_store *s, const uint8_t *key_id)
{
	memcpy(s->channel, key_id, CB_SIG_KEYIDLEN);
	s->has_channel = 1;
}

int
sub_store_pin(struct sub_store *s, const struct cb_pubkey *pk,
    struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(s->db, "INSERT INTO pinned_key "
	    "(one, key_id, public_key) VALUES (1, ?1, ?2) ON CONFLICT(one) "
	    "DO UPDATE SET key_id = ?1, public_key = ?2 "
	    "WHERE key_id IS NOT ?1 OR public_key IS NOT ?2", err);
	int rc;

	if (st == NULL)
		return -1;
	sub_store_set_channel(s, pk->id);
	sqlite3_bind_blob(st, 1, pk->id, CB_SIG_KEYIDLEN, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, pk->pk, CB_SIG_PKLEN, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : cb_db_error(s->db, "archive", err);
}

/* A key from blob columns id_col and pk_col of st: 0, or -1 when their
 * sizes are wrong. */
static int
column_key(sqlite3_stmt *st, int id_col, int pk_col, struct cb_pubkey *pk)
{
	if (sqlite3_column_bytes(st, id_col) != CB_SIG_KEYIDLEN ||
	    sqlite3_column_bytes(st, pk_col) != CB_SIG_PKLEN)
		return -1;
	memcpy(pk->id, sqlite3_column_blob(st, id_col), CB_SIG_KEYIDLEN);
	memcpy(pk->pk, sqlite3_column_blob(st, pk_col), CB_SIG_PKLEN);
	return 0;
}

int
sub_store_pinned(struct sub_store *s, struct cb_pubkey *pk,
    struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(s->db, "SELECT key_id, public_key "
	    "FROM pinned_key", err);
	int rc, found = 0;

	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && column_key(st, 0, 1, pk) < 0) {
		sqlite3_finalize(st);
		return cb_err_set(err, "archive: the pinned key recorded is "
		    "damaged");
	}
	found = rc == SQLITE_ROW;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return cb_db_error(s->db, "archive", err);
	return found;
}

void
sub_store_set_receipts(struct sub_store *s, int on)
{
	s->receipts = on;
}

/* --- storing ------------------------------------------------------------ */

int
sub_store_last_seq(struct sub_store *s, const uint8_t *key_id, uint64_t *seq,
    struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(s->db, key_id != NULL ?
	    "SELECT last_seq FROM publisher WHERE key_id = ?" :
	    "SELECT max(last_seq) FROM publisher", err);
	int rc;

	if (st == NULL)
		return -1;
	if (key_id != NULL)
		sqlite3_bind_blob(st, 1, key_id, CB_SIG_KEYIDLEN,
		    SQLITE_STATIC);
	rc = sqlite3_step(st);
	*seq = rc == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return cb_db_error(s->db, "archive", err);
	return 0;
}

/* A statement kept in *slot for the life of the handle, prepared the
 * first time: the writes every message makes are not parsed again for
 * each.  Reset it after use.  NULL with err set on failure. */
static sqlite3_stmt *
kept(struct sub_store *s, sqlite3_stmt **slot, const char *sql,
    struct cb_err *err)
{
	if (*slot == NULL)
		*slot = cb_db_prepare(s->db, sql, err);
	return *slot;
}

static int
insert_message(struct sub_store *s, const struct cb_msg *msg,
    const struct cb_adv *adv, const uint8_t *sb, size_t sblen,
    const uint8_t *sig, size_t siglen, struct cb_err *err)
{
	sqlite3_stmt *st = kept(s, &s->insert,
	    "INSERT OR IGNORE INTO message (seq, key_id, issued_ms, adv_id, "
	    "revision, kind, severity, status, origin, title, published, "
	    "received, signed, sigblock, expires) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)msg->seq);
	sqlite3_bind_blob(st, 2, msg->key_id, CB_SIG_KEYIDLEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, msg->issued_ms);
	sqlite3_bind_text(st, 4, adv->id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, adv->revision);
	sqlite3_bind_text(st, 6, cb_kind_name(adv->kind), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, cb_severity_name(adv->severity), -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 8, cb_status_name(adv->status), -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 9, cb_origin_name(adv->origin), -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 10, adv->title, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 11, adv->published);
	sqlite3_bind_int64(st, 12, cb_time_now());
	sqlite3_bind_blob(st, 13, sb, (int)sblen, SQLITE_STATIC);
	sqlite3_bind_blob(st, 14, sig, (int)siglen, SQLITE_STATIC);
	sqlite3_bind_int64(st, 15, adv->expires);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return cb_db_error(s->db, "archive: cannot store", err);
	return sqlite3_changes(s->db);
}

/* The last sequence is kept per channel (the pinned key), so it runs
 * on across key rotations. */
static int
advance(struct sub_store *s, const struct cb_msg *msg, struct cb_err *err)
{
	sqlite3_stmt *st = kept(s, &s->advance,
	    "INSERT INTO publisher (key_id, last_seq) VALUES (?, ?) "
	    "ON CONFLICT(key_id) DO UPDATE SET "
	    "last_seq = max(last_seq, excluded.last_seq)", err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, s->has_channel ? s->channel : msg->key_id,
	    CB_SIG_KEYIDLEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)msg->seq);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return cb_db_error(s->db, "archive", err);
	return 0;
}

static int
insert_indicators(struct sub_store *s, uint64_t seq, const struct cb_adv *adv,
    struct cb_err *err)
{
	sqlite3_stmt *st;
	size_t i;
	int rc = SQLITE_DONE;

	if (adv->indicators.n == 0)
		return 0;
	st = cb_db_prepare(s->db, "INSERT INTO indicator (seq, type, value) "
				  "VALUES (?, ?, ?)", err);
	if (st == NULL)
		return -1;
	for (i = 0; i < adv->indicators.n && rc == SQLITE_DONE; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
		sqlite3_bind_text(st, 2, adv->indicators.v[i].type, -1,
		    SQLITE_STATIC);
		sqlite3_bind_text(st, 3, adv->indicators.v[i].value, -1,
		    SQLITE_STATIC);
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return cb_db_error(s->db, "archive: cannot store indicators",
		    err);
	return 0;
}

int
sub_store_indicator_find(struct sub_store *s, const char *value,
    int (*fn)(uint64_t seq, const char *type, void *arg), void *arg,
    struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(s->db, "SELECT seq, type FROM "
						"indicator WHERE value = ? "
						"ORDER BY seq",
	    err);
	int rc, n = 0;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, value, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		n++;
		if (fn((uint64_t)sqlite3_column_int64(st, 0),
			cb_db_text(st, 1), arg) != 0)
			break;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return cb_db_error(s->db, "archive", err);
	return n;
}

int
sub_store_put(struct sub_store *s, const struct cb_msg *msg,
    const struct cb_adv *adv, const uint8_t *signed_bytes, size_t signed_len,
    const uint8_t *sigblock, size_t sigblock_len, struct cb_err *err)
{
	int added, own = !s->batch;

	/* Inside a batch no savepoint per message (FTS5 flushes its
	 * pending terms at each): a failure rolls the batch back. */
	if (own && sub_store_begin(s, err) < 0)
		return -1;
	added = insert_message(s, msg, adv, signed_bytes, signed_len, sigblock,
	    sigblock_len, err);
	if (added < 0 ||
	    (added > 0 && sub_search_index(s->db, msg->seq, adv, err) < 0) ||
	    (added > 0 && insert_indicators(s, msg->seq, adv, err) < 0) ||
	    (added > 0 && sub_store_receipt(s, adv->id, adv->revision,
			      "received", cb_time_now(), NULL, NULL, err) < 0) ||
	    advance(s, msg, err) < 0) {
		if (!own) {
			sub_store_abort(s);
			return -1;
		}
		return sub_store_end(s, 0, err);
	}
	if (own && sub_store_end(s, 1, err) < 0)
		return -1;
	return added > 0 ? 1 : 0;
}

static int
insert_key(struct sub_store *s, const struct cb_msg *msg,
    const struct cb_pubkey *next, const uint8_t *signed_bytes,
    size_t signed_len, const uint8_t *sigblock, size_t sigblock_len,
    struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(s->db, "INSERT OR IGNORE INTO "
	    "publisher_key (seq, key_id, public_key, signed, sigblock) "
	    "VALUES (?, ?, ?, ?, ?)", err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)msg->seq);
	sqlite3_bind_blob(st, 2, next->id, CB_SIG_KEYIDLEN, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, next->pk, CB_SIG_PKLEN, SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, signed_bytes, (int)signed_len, SQLITE_STATIC);
	sqlite3_bind_blob(st, 5, sigblock, (int)sigblock_len, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : cb_db_error(s->db, "archive", err);
}

int
sub_store_certify(struct sub_store *s, const uint8_t *key_id,
    const uint8_t *cert, size_t len, struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(s->db, "INSERT OR IGNORE INTO "
	    "key_certificate (key_id, certificate) VALUES (?, ?)", err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, key_id, CB_SIG_KEYIDLEN, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, cert, (int)len, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : cb_db_error(s->db, "archive", err);
}

/* The certificate a rotation carries, if any, kept with it. */
static int
keep_rotation_cert(struct sub_store *s, const struct cb_msg *msg,
    const struct cb_pubkey *next, struct cb_err *err)
{
	size_t len;
	const uint8_t *cert = cb_msg_rotation_cert(msg, &len);

	return cert == NULL ? 0 : sub_store_certify(s, next->id, cert, len,
	    err);
}

int
sub_store_rotate(struct sub_store *s, const struct cb_msg *msg,
    const struct cb_pubkey *next, const uint8_t *signed_bytes,
    size_t signed_len, const uint8_t *sigblock, size_t sigblock_len,
    struct cb_err *err)
{
	if (sub_store_begin(s, err) < 0)
		return -1;
	return sub_store_end(s, insert_key(s, msg, next, signed_bytes,
	    signed_len, sigblock, sigblock_len, err) == 0 &&
	    keep_rotation_cert(s, msg, next, err) == 0 &&
	    advance(s, msg, err) == 0, err);
}

int
sub_store_certificate(struct sub_store *s, const uint8_t *key_id,
    uint8_t **cert, size_t *lenp, struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(s->db, "SELECT certificate FROM "
	    "key_certificate WHERE key_id = ?", err);
	int rc, found = 0;

	if (st == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, key_id, CB_SIG_KEYIDLEN, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*lenp = (size_t)sqlite3_column_bytes(st, 0);
		*cert = cb_xmalloc(*lenp ? *lenp : 1);
		if (*lenp > 0)
			memcpy(*cert, sqlite3_column_blob(st, 0), *lenp);
		found = 1;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return cb_db_error(s->db, "archive", err);
	return found;
}

int
sub_store_signing_key(struct sub_store *s, struct cb_pubkey *pk,
    uint64_t *since, struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(s->db, "SELECT seq, key_id, "
	    "public_key FROM publisher_key ORDER BY seq DESC LIMIT 1", err);
	int rc, found = 0;

	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && column_key(st, 1, 2, pk) == 0) {
		*since = (uint64_t)sqlite3_column_int64(st, 0);
		found = 1;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return cb_db_error(s->db, "archive", err);
	return found;
}

/* Step st to its end, calling row for each row until it returns
 * non-zero; st is finalized.  The number of rows visited or -1. */
static int
each_row(struct sub_store *s, sqlite3_stmt *st,
    int (*row)(sqlite3_stmt *, void *), void *arg, struct cb_err *err)
{
	int n = 0, rc = SQLITE_DONE, stop = 0;

	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		stop = row(st, arg);
		n++;
	}
	sqlite3_finalize(st);
	if (!stop && rc != SQLITE_DONE)
		return cb_db_error(s->db, "archive", err);
	return n;
}

struct rotation_walk {
	int (*fn)(const struct sub_rotation *, void *);
	void *arg;
};

static int
rotation_row(sqlite3_stmt *st, void *arg)
{
	struct rotation_walk *w = arg;
	struct sub_rotation r;

	memset(&r, 0, sizeof(r));
	r.seq = (uint64_t)sqlite3_column_int64(st, 0);
	r.key_ok = column_key(st, 1, 2, &r.key) == 0;
	r.signed_bytes = sqlite3_column_blob(st, 3);
	r.signed_len = (size_t)sqlite3_column_bytes(st, 3);
	r.sigblock = sqlite3_column_blob(st, 4);
	r.sigblock_len = (size_t)sqlite3_column_bytes(st, 4);
	return w->fn(&r, w->arg);
}

int
sub_store_rotations(struct sub_store *s,
    int (*fn)(const struct sub_rotation *, void *), void *arg,
    struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(s->db, "SELECT seq, key_id, "
	    "public_key, signed, sigblock FROM publisher_key ORDER BY seq",
	    err);
	struct rotation_walk w = { fn, arg };

	if (st == NULL)
		return -1;
	return each_row(s, st, rotation_row, &w, err);
}

/* --- damage --------------------------------------------------------------- */

int
sub_store_damaged(struct sub_store *s)
{
	int rc = sqlite3_errcode(s->db);

	return rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB;
}

/* SQLite's report (lines) as one line in err. */
static void
one_line(struct cb_err *err, const char *report)
{
	char *p;

	if (err == NULL)
		return;
	cb_err_set(err, "%s", report);
	for (p = err->msg; *p != '\0'; p++)
		if (*p == '\n')
			*p = ' ';
}

int
sub_store_check(struct sub_store *s, struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(s->db, "PRAGMA quick_check(1)", err);
	int rc, ok;

	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	ok = rc == SQLITE_ROW && strcmp(cb_db_text(st, 0), "ok") == 0;
	if (rc == SQLITE_ROW && !ok)
		one_line(err, cb_db_text(st, 0));
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return cb_db_error(s->db, "archive", err);
	return ok ? 0 : -1;
}

/* --- rows ---------------------------------------------------------------- */

void
sub_row_release(struct sub_row *r)
{
	free(r->id);
	free(r->kind);
	free(r->severity);
	free(r->status);
	free(r->origin);
	free(r->title);
	free(r->signed_bytes);
	free(r->sigblock);
	memset(r, 0, sizeof(*r));
}

static uint8_t *
blob_copy(sqlite3_stmt *st, int i, size_t *len)
{
	const void *b = sqlite3_column_blob(st, i);
	uint8_t *p;

	*len = (size_t)sqlite3_column_bytes(st, i);
	p = cb_xmalloc(*len ? *len : 1);
	if (*len > 0)
		memcpy(p, b, *len);
	return p;
}

/* The columns of a sub_row from message m, then read and acked (the
 * state sub_ack keeps), then, with blobs, the signed bytes and block. */
#define ROW_COLUMNS \
	"m.seq, m.adv_id, m.revision, m.kind, m.severity, m.status, " \
	"m.origin, m.title, m.published, m.issued_ms, m.received, m.expires, " \
	SUB_ACK_READ("m") ", " SUB_ACK_ACKED("m")
#define COL_READ 12
#define COL_ACKED 13
#define BLOB_COLUMNS ", m.signed, m.sigblock"

sqlite3_stmt *
sub_store_select(struct sub_store *s, int with_blobs, const char *tail,
    struct cb_err *err)
{
	char *sql = cb_xasprintf("SELECT " ROW_COLUMNS "%s FROM message m %s",
	    with_blobs ? BLOB_COLUMNS : "", tail);
	sqlite3_stmt *st = cb_db_prepare(s->db, sql, err);

	free(sql);
	return st;
}

void
sub_store_row(sqlite3_stmt *st, int with_blobs, struct sub_row *r)
{
	memset(r, 0, sizeof(*r));
	r->seq = (uint64_t)sqlite3_column_int64(st, 0);
	r->id = cb_xstrdup(cb_db_text(st, 1));
	r->revision = (unsigned)sqlite3_column_int64(st, 2);
	r->kind = cb_xstrdup(cb_db_text(st, 3));
	r->severity = cb_xstrdup(cb_db_text(st, 4));
	r->status = cb_xstrdup(cb_db_text(st, 5));
	r->origin = cb_xstrdup(cb_db_text(st, 6));
	r->title = cb_xstrdup(cb_db_text(st, 7));
	r->published = sqlite3_column_int64(st, 8);
	r->issued_ms = sqlite3_column_int64(st, 9);
	r->received = sqlite3_column_int64(st, 10);
	r->expires = sqlite3_column_int64(st, 11);
	r->read = sqlite3_column_int(st, COL_READ);
	r->acked = sqlite3_column_int(st, COL_ACKED);
	if (with_blobs) {
		r->signed_bytes = blob_copy(st, COL_ACKED + 1, &r->signed_len);
		r->sigblock = blob_copy(st, COL_ACKED + 2, &r->sigblock_len);
	}
}

struct row_walk {
	int with_blobs;
	int (*fn)(const struct sub_row *, void *);
	void *arg;
};

static int
message_row(sqlite3_stmt *st, void *arg)
{
	struct row_walk *w = arg;
	struct sub_row r;
	int stop;

	sub_store_row(st, w->with_blobs, &r);
	stop = w->fn(&r, w->arg);
	sub_row_release(&r);
	return stop;
}

int
sub_store_rows(struct sub_store *s, sqlite3_stmt *st, int with_blobs,
    int (*fn)(const struct sub_row *, void *), void *arg, struct cb_err *err)
{
	struct row_walk w = { with_blobs, fn, arg };

	return each_row(s, st, message_row, &w, err);
}

/* The one row st (bound) selects, into out: 1, 0 none, -1; st is
 * finalized. */
static int
one_row(struct sub_store *s, sqlite3_stmt *st, struct sub_row *out,
    struct cb_err *err)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		sub_store_row(st, 1, out);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return cb_db_error(s->db, "archive", err);
}

int
sub_store_get(struct sub_store *s, const char *id, struct sub_row *out,
    struct cb_err *err)
{
	sqlite3_stmt *st = sub_store_select(s, 1, "WHERE m.adv_id = ? "
	    "ORDER BY m.revision DESC, m.seq DESC LIMIT 1", err);

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	return one_row(s, st, out, err);
}

int
sub_store_get_seq(struct sub_store *s, uint64_t seq, struct sub_row *out,
    struct cb_err *err)
{
	sqlite3_stmt *st = sub_store_select(s, 1, "WHERE m.seq = ?", err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
	return one_row(s, st, out, err);
}

int
sub_store_latest(struct sub_store *s, const char *id, unsigned *revision,
    struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(s->db,
	    "SELECT max(revision) FROM message WHERE adv_id = ?", err);
	int rc, found = 0;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		*revision = (unsigned)sqlite3_column_int64(st, 0);
		found = 1;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return cb_db_error(s->db, "archive", err);
	return found;
}

int
sub_store_each(struct sub_store *s, int (*fn)(const struct sub_row *, void *),
    void *arg, struct cb_err *err)
{
	sqlite3_stmt *st = sub_store_select(s, 1, "ORDER BY m.seq", err);

	if (st == NULL)
		return -1;
	return sub_store_rows(s, st, 1, fn, arg, err);
}

int
sub_store_revisions(struct sub_store *s, const char *id,
    int (*fn)(const struct sub_row *, void *), void *arg, struct cb_err *err)
{
	sqlite3_stmt *st = sub_store_select(s, 0, "WHERE m.adv_id = ? "
	    "ORDER BY m.revision, m.seq", err);

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	return sub_store_rows(s, st, 0, fn, arg, err);
}

/* --- lookups with filters ------------------------------------------------ */

void
sub_query_init(struct sub_query *q)
{
	memset(q, 0, sizeof(*q));
	q->min_severity = -1;
	q->origin = -1;
}

/* The filters of struct sub_query, as parameters ?1 to ?5. */
#define FILTERS \
	"(?1 = 0 OR (CASE WHEN m.published > 0 THEN m.published " \
	"  ELSE m.issued_ms / 1000 END) >= ?1) " \
	"AND (CASE m.severity WHEN 'critical' THEN 4 WHEN 'high' THEN 3 " \
	"  WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE 0 END) >= ?2 " \
	"AND (?3 IS NULL OR m.origin = ?3) " \
	"AND (?4 = 0 OR NOT " SUB_ACK_READ("m") ") " \
	"AND (?5 = 0 OR NOT " SUB_ACK_ACKED("m") ") " \
	"AND (?4 + ?5 = 0 OR NOT " SUB_STORE_SUPERSEDED("m") ") "

const char *
sub_query_sql(void)
{
	return FILTERS;
}

void
sub_query_bind(sqlite3_stmt *st, const struct sub_query *q)
{
	sqlite3_bind_int64(st, 1, q->since);
	sqlite3_bind_int(st, 2, q->min_severity < 0 ? 0 : q->min_severity);
	if (q->origin >= 0)
		sqlite3_bind_text(st, 3,
		    cb_origin_name((enum cb_origin)q->origin), -1,
		    SQLITE_STATIC);
	sqlite3_bind_int(st, 4, q->unread != 0);
	sqlite3_bind_int(st, 5, q->unacked != 0);
	sqlite3_bind_int(st, 6, q->limit > 0 ? q->limit : -1);
}

int
sub_store_list(struct sub_store *s, const struct sub_query *q,
    int (*fn)(const struct sub_row *, void *), void *arg, struct cb_err *err)
{
	sqlite3_stmt *st = sub_store_select(s, 0, "WHERE " FILTERS
	    "ORDER BY m.seq DESC LIMIT ?6", err);

	if (st == NULL)
		return -1;
	sub_query_bind(st, q);
	return sub_store_rows(s, st, 0, fn, arg, err);
}
