/* relay_store: the relay's journal, keys and registry (see .h). */
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "cb_db.h"
#include "cb_mem.h"
#include "relay_store.h"

static const char *const migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE message (seq INTEGER PRIMARY KEY, type INTEGER NOT NULL,"
	" signed BLOB NOT NULL, sigblock BLOB NOT NULL);"
	"CREATE TABLE signing_key (since INTEGER PRIMARY KEY,"
	" key_id BLOB NOT NULL, public_key BLOB NOT NULL);"
	"CREATE TABLE registry (id INTEGER PRIMARY KEY CHECK (id = 1),"
	" generation INTEGER NOT NULL, signed BLOB NOT NULL,"
	" sigblock BLOB NOT NULL);"
	"CREATE TABLE status (name TEXT PRIMARY KEY, value TEXT NOT NULL);",
};

struct relay_store {
	sqlite3 *db;
	sqlite3_stmt *put;
	uint64_t last_seq, batch_seq;
	int in_batch;
};

static int
read_last(struct relay_store *s, struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(s->db,
	    "SELECT coalesce(max(seq), 0) FROM message", err);
	int rc;

	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		s->last_seq = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : cb_db_error(s->db, "relay journal", err);
}

struct relay_store *
relay_store_open(const char *path, int readonly, struct cb_err *err)
{
	struct relay_store *s = cb_xcalloc(1, sizeof(*s));

	s->db = cb_db_open(path, readonly, migrations,
	    (int)(sizeof(migrations) / sizeof(migrations[0])), err);
	if (s->db == NULL || read_last(s, err) < 0)
		goto fail;
	if (!readonly && (s->put = cb_db_prepare(s->db, "INSERT INTO message "
	    "(seq, type, signed, sigblock) VALUES (?, ?, ?, ?)", err)) == NULL)
		goto fail;
	return s;
fail:
	relay_store_close(s);
	return NULL;
}

void
relay_store_close(struct relay_store *s)
{
	if (s == NULL)
		return;
	sqlite3_finalize(s->put);
	cb_db_close(s->db);
	free(s);
}

struct sqlite3 *
relay_store_db(const struct relay_store *s)
{
	return s->db;
}

uint64_t
relay_store_last_seq(const struct relay_store *s)
{
	return s->last_seq;
}

int
relay_store_in_batch(const struct relay_store *s)
{
	return s->in_batch;
}

int
relay_store_begin(struct relay_store *s, struct cb_err *err)
{
	if (s->in_batch)
		return 0;
	if (cb_db_exec(s->db, "BEGIN IMMEDIATE", err) < 0)
		return -1;
	s->in_batch = 1;
	s->batch_seq = s->last_seq;
	return 0;
}

int
relay_store_commit(struct relay_store *s, struct cb_err *err)
{
	if (!s->in_batch)
		return 0;
	s->in_batch = 0;
	if (cb_db_exec(s->db, "COMMIT", err) == 0)
		return 0;
	(void)cb_db_exec(s->db, "ROLLBACK", NULL);
	s->last_seq = s->batch_seq;
	return -1;
}

int
relay_store_put(struct relay_store *s, uint64_t seq, int type,
    const uint8_t *signed_bytes, size_t signed_len, const uint8_t *sigblock,
    size_t sigblock_len, struct cb_err *err)
{
	int rc;

	sqlite3_reset(s->put);
	sqlite3_bind_int64(s->put, 1, (sqlite3_int64)seq);
	sqlite3_bind_int(s->put, 2, type);
	sqlite3_bind_blob(s->put, 3, signed_bytes, (int)signed_len,
	    SQLITE_STATIC);
	sqlite3_bind_blob(s->put, 4, sigblock, (int)sigblock_len,
	    SQLITE_STATIC);
	rc = sqlite3_step(s->put);
	sqlite3_clear_bindings(s->put);
	sqlite3_reset(s->put);
	if (rc != SQLITE_DONE)
		return cb_db_error(s->db, "relay journal", err);
	if (seq > s->last_seq)
		s->last_seq = seq;
	return 0;
}

int
relay_store_each(struct relay_store *s, uint64_t after, int limit,
    cb_serve_entry_fn fn, void *arg, struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(s->db, "SELECT seq, signed, sigblock "
	    "FROM message WHERE seq > ? ORDER BY seq LIMIT ?", err);
	struct cb_serve_entry e;
	int rc, n = 0;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)after);
	sqlite3_bind_int(st, 2, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		e.seq = (uint64_t)sqlite3_column_int64(st, 0);
		e.signed_bytes = sqlite3_column_blob(st, 1);
		e.signed_len = (size_t)sqlite3_column_bytes(st, 1);
		e.sigblock = sqlite3_column_blob(st, 2);
		e.sigblock_len = (size_t)sqlite3_column_bytes(st, 2);
		if (fn(&e, arg) < 0)
			break;
		n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return cb_db_error(s->db, "relay journal", err);
	return n;
}

int
relay_store_signing_key(struct relay_store *s, struct cb_pubkey *pk,
    uint64_t *since, struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(s->db, "SELECT since, key_id, "
	    "public_key FROM signing_key ORDER BY since DESC LIMIT 1", err);
	int rc, found = 0;

	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW &&
	    sqlite3_column_bytes(st, 1) == CB_SIG_KEYIDLEN &&
	    sqlite3_column_bytes(st, 2) == CB_SIG_PKLEN) {
		*since = (uint64_t)sqlite3_column_int64(st, 0);
		memcpy(pk->id, sqlite3_column_blob(st, 1), CB_SIG_KEYIDLEN);
		memcpy(pk->pk, sqlite3_column_blob(st, 2), CB_SIG_PKLEN);
		found = 1;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return cb_db_error(s->db, "relay journal", err);
	return found;
}

/* Run st (bound by the caller) to its end and finalize it. */
static int
step_done(struct relay_store *s, sqlite3_stmt *st, struct cb_err *err)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : cb_db_error(s->db, "relay journal", err);
}

int
relay_store_set_signing_key(struct relay_store *s,
    const struct cb_pubkey *pk, uint64_t since, struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(s->db, "INSERT OR REPLACE INTO "
	    "signing_key (since, key_id, public_key) VALUES (?, ?, ?)", err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)since);
	sqlite3_bind_blob(st, 2, pk->id, CB_SIG_KEYIDLEN, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, pk->pk, CB_SIG_PKLEN, SQLITE_STATIC);
	return step_done(s, st, err);
}

static uint8_t *
column_copy(sqlite3_stmt *st, int i, size_t *lenp)
{
	size_t n = (size_t)sqlite3_column_bytes(st, i);
	uint8_t *p = cb_xmalloc(n ? n : 1);

	if (n > 0)
		memcpy(p, sqlite3_column_blob(st, i), n);
	*lenp = n;
	return p;
}

int
relay_store_registry(struct relay_store *s, uint8_t **sb, size_t *sblen,
    uint8_t **sig, size_t *siglen, uint64_t *generation, struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(s->db, "SELECT generation, signed, "
	    "sigblock FROM registry WHERE id = 1", err);
	int rc, found = 0;

	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*generation = (uint64_t)sqlite3_column_int64(st, 0);
		*sb = column_copy(st, 1, sblen);
		*sig = column_copy(st, 2, siglen);
		found = 1;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return cb_db_error(s->db, "relay journal", err);
	return found;
}

int
relay_store_set_registry(struct relay_store *s, uint64_t generation,
    const uint8_t *sb, size_t sblen, const uint8_t *sig, size_t siglen,
    struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(s->db, "INSERT OR REPLACE INTO "
	    "registry (id, generation, signed, sigblock) VALUES (1, ?, ?, ?)",
	    err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)generation);
	sqlite3_bind_blob(st, 2, sb, (int)sblen, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, sig, (int)siglen, SQLITE_STATIC);
	return step_done(s, st, err);
}

int
relay_store_set_status(struct relay_store *s, const char *name,
    const char *value, struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(s->db, "INSERT OR REPLACE INTO "
	    "status (name, value) VALUES (?, ?)", err);

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	return step_done(s, st, err);
}

int
relay_store_status_each(struct relay_store *s,
    void (*fn)(const char *name, const char *value, void *arg), void *arg,
    struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(s->db, "SELECT name, value FROM "
	    "status ORDER BY name", err);
	int rc;

	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn(cb_db_text(st, 0), cb_db_text(st, 1), arg);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : cb_db_error(s->db, "relay journal", err);
}
