/* sub_store: the subscriber's archive (see sub_store.h). */
#include <stdlib.h>
#include <string.h>

#include "cb_db.h"
#include "cb_mem.h"
#include "cb_time.h"
#include "sub_store.h"

struct sub_store {
	sqlite3 *db;
};

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
};

struct sub_store *
sub_store_open(const char *path, int readonly, struct cb_err *err)
{
	struct sub_store *s = cb_xcalloc(1, sizeof(*s));

	s->db = cb_db_open(path, readonly, migrations,
	    (int)(sizeof(migrations) / sizeof(migrations[0])), err);
	if (s->db == NULL) {
		free(s);
		return NULL;
	}
	return s;
}

void
sub_store_close(struct sub_store *s)
{
	if (s == NULL)
		return;
	cb_db_close(s->db);
	free(s);
}

int
sub_store_last_seq(struct sub_store *s, const uint8_t *key_id, uint64_t *seq,
    struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(s->db,
	    "SELECT last_seq FROM publisher WHERE key_id = ?", err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, key_id, CB_SIG_KEYIDLEN, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*seq = rc == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return cb_db_error(s->db, "archive", err);
	return 0;
}

static int
insert_message(struct sub_store *s, const struct cb_msg *msg,
    const struct cb_adv *adv, const uint8_t *sb, size_t sblen,
    const uint8_t *sig, size_t siglen, struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(s->db,
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
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return cb_db_error(s->db, "archive: cannot store", err);
	return sqlite3_changes(s->db);
}

static int
advance(struct sub_store *s, const struct cb_msg *msg, struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(s->db,
	    "INSERT INTO publisher (key_id, last_seq) VALUES (?, ?) "
	    "ON CONFLICT(key_id) DO UPDATE SET "
	    "last_seq = max(last_seq, excluded.last_seq)", err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, msg->key_id, CB_SIG_KEYIDLEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)msg->seq);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return cb_db_error(s->db, "archive", err);
	return 0;
}

int
sub_store_put(struct sub_store *s, const struct cb_msg *msg,
    const struct cb_adv *adv, const uint8_t *signed_bytes, size_t signed_len,
    const uint8_t *sigblock, size_t sigblock_len, struct cb_err *err)
{
	int added;

	if (cb_db_exec(s->db, "BEGIN IMMEDIATE", err) < 0)
		return -1;
	added = insert_message(s, msg, adv, signed_bytes, signed_len, sigblock,
	    sigblock_len, err);
	if (added < 0 || advance(s, msg, err) < 0 ||
	    cb_db_exec(s->db, "COMMIT", err) < 0) {
		cb_db_exec(s->db, "ROLLBACK", NULL);
		return -1;
	}
	return added > 0 ? 1 : 0;
}

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
	p = cb_xmalloc(*len);
	if (*len > 0)
		memcpy(p, b, *len);
	return p;
}

#define ROW_COLUMNS \
	"seq, adv_id, revision, kind, severity, status, origin, title, " \
	"published, issued_ms, received, expires"

static void
read_row(sqlite3_stmt *st, struct sub_row *r, int with_blobs)
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
	if (with_blobs) {
		r->signed_bytes = blob_copy(st, 12, &r->signed_len);
		r->sigblock = blob_copy(st, 13, &r->sigblock_len);
	}
}

int
sub_store_each(struct sub_store *s, int (*fn)(const struct sub_row *, void *),
    void *arg, struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(s->db,
	    "SELECT " ROW_COLUMNS " FROM message ORDER BY seq DESC", err);
	struct sub_row r;
	int n = 0, rc, stop = 0;

	if (st == NULL)
		return -1;
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_row(st, &r, 0);
		stop = fn(&r, arg);
		sub_row_release(&r);
		n++;
	}
	if (!stop && rc != SQLITE_DONE) {
		sqlite3_finalize(st);
		return cb_db_error(s->db, "archive", err);
	}
	sqlite3_finalize(st);
	return n;
}

int
sub_store_get(struct sub_store *s, const char *id, struct sub_row *out,
    struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(s->db,
	    "SELECT " ROW_COLUMNS ", signed, sigblock FROM message "
	    "WHERE adv_id = ? ORDER BY revision DESC, seq DESC LIMIT 1", err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_row(st, out, 1);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return cb_db_error(s->db, "archive", err);
}
