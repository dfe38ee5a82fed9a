/* pub_journal: the publisher's journal of signed messages (see .h). */
#include <stdlib.h>

#include "cb_db.h"
#include "cb_mem.h"
#include "pub_journal.h"

struct pub_journal {
	sqlite3 *db;
	uint64_t last_seq;
	sqlite3_stmt *insert;
	sqlite3_stmt *revision;
};

static const char *const migrations[] = {
	"CREATE TABLE message ("
	"  seq INTEGER PRIMARY KEY,"
	"  type INTEGER NOT NULL,"
	"  issued_ms INTEGER NOT NULL,"
	"  adv_id TEXT,"
	"  revision INTEGER,"
	"  signed BLOB NOT NULL,"
	"  sigblock BLOB NOT NULL);"
	"CREATE INDEX message_adv ON message(adv_id, revision);",
};

static int
load_last_seq(struct pub_journal *j, struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(j->db,
	    "SELECT coalesce(max(seq), 0) FROM message", err);

	if (st == NULL)
		return -1;
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return cb_db_error(j->db, "journal", err);
	}
	j->last_seq = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return 0;
}

struct pub_journal *
pub_journal_open(const char *path, struct cb_err *err)
{
	struct pub_journal *j = cb_xcalloc(1, sizeof(*j));

	j->db = cb_db_open(path, 0, migrations,
	    (int)(sizeof(migrations) / sizeof(migrations[0])), err);
	if (j->db == NULL)
		goto fail;
	j->insert = cb_db_prepare(j->db,
	    "INSERT INTO message (seq, type, issued_ms, adv_id, revision, "
	    "signed, sigblock) VALUES (?, ?, ?, ?, ?, ?, ?)", err);
	j->revision = cb_db_prepare(j->db,
	    "SELECT max(revision) FROM message WHERE adv_id = ?", err);
	if (j->insert == NULL || j->revision == NULL ||
	    load_last_seq(j, err) < 0)
		goto fail;
	return j;
fail:
	pub_journal_close(j);
	return NULL;
}

void
pub_journal_close(struct pub_journal *j)
{
	if (j == NULL)
		return;
	sqlite3_finalize(j->insert);
	sqlite3_finalize(j->revision);
	cb_db_close(j->db);
	free(j);
}

uint64_t
pub_journal_last_seq(const struct pub_journal *j)
{
	return j->last_seq;
}

int
pub_journal_revision(struct pub_journal *j, const char *adv_id,
    unsigned *revision, struct cb_err *err)
{
	int rc;

	sqlite3_reset(j->revision);
	sqlite3_bind_text(j->revision, 1, adv_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(j->revision);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(j->revision);
		return cb_db_error(j->db, "journal", err);
	}
	if (sqlite3_column_type(j->revision, 0) == SQLITE_NULL) {
		sqlite3_reset(j->revision);
		return 0;
	}
	*revision = (unsigned)sqlite3_column_int64(j->revision, 0);
	sqlite3_reset(j->revision);
	return 1;
}

int
pub_journal_append(struct pub_journal *j, const struct pub_entry *e,
    struct cb_err *err)
{
	sqlite3_stmt *st = j->insert;
	int rc;

	if (e->seq != j->last_seq + 1)
		return cb_err_set(err, "journal: sequence %llu is not next "
		    "after %llu", (unsigned long long)e->seq,
		    (unsigned long long)j->last_seq);
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)e->seq);
	sqlite3_bind_int(st, 2, e->type);
	sqlite3_bind_int64(st, 3, e->issued_ms);
	if (e->adv_id != NULL) {
		sqlite3_bind_text(st, 4, e->adv_id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, e->revision);
	} else {
		sqlite3_bind_null(st, 4);
		sqlite3_bind_null(st, 5);
	}
	sqlite3_bind_blob(st, 6, e->signed_bytes, (int)e->signed_len,
	    SQLITE_STATIC);
	sqlite3_bind_blob(st, 7, e->sigblock, (int)e->sigblock_len,
	    SQLITE_STATIC);
	rc = sqlite3_step(st); /* autocommit: durable once this returns */
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE)
		return cb_db_error(j->db, "journal: cannot append", err);
	j->last_seq = e->seq;
	return 0;
}

int
pub_journal_each(struct pub_journal *j, uint64_t after, int limit,
    int (*fn)(const struct pub_entry *, void *), void *arg,
    struct cb_err *err)
{
	sqlite3_stmt *st;
	struct pub_entry e;
	int n = 0, rc;

	st = cb_db_prepare(j->db,
	    "SELECT seq, type, issued_ms, adv_id, revision, signed, sigblock "
	    "FROM message WHERE seq > ? ORDER BY seq LIMIT ?", err);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)after);
	sqlite3_bind_int(st, 2, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		e.seq = (uint64_t)sqlite3_column_int64(st, 0);
		e.type = sqlite3_column_int(st, 1);
		e.issued_ms = sqlite3_column_int64(st, 2);
		e.adv_id = (const char *)sqlite3_column_text(st, 3);
		e.revision = (unsigned)sqlite3_column_int64(st, 4);
		e.signed_bytes = sqlite3_column_blob(st, 5);
		e.signed_len = (size_t)sqlite3_column_bytes(st, 5);
		e.sigblock = sqlite3_column_blob(st, 6);
		e.sigblock_len = (size_t)sqlite3_column_bytes(st, 6);
		n++;
		if (fn(&e, arg) < 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		sqlite3_finalize(st);
		return cb_db_error(j->db, "journal", err);
	}
	sqlite3_finalize(st);
	return n;
}
