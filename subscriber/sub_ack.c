/* sub_ack: acknowledgements, read state, reminders (see sub_ack.h). */
#include <stdlib.h>
#include <string.h>

#include "cb_db.h"
#include "cb_mem.h"
#include "sub_ack.h"
#include "sub_store.h"

/* 1: the tables the archive's migration 3 used to create, adopted as
 * they are by archives made before (meta keeps its created_ms).  The
 * creation time is to the millisecond (it was to the second): history
 * signed in the second the archive was made is history too. */
static const char *const steps[] = {
	"CREATE TABLE IF NOT EXISTS seen ("
	"  adv_id TEXT PRIMARY KEY,"
	"  revision INTEGER NOT NULL,"
	"  at INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS ack ("
	"  adv_id TEXT NOT NULL,"
	"  revision INTEGER NOT NULL,"
	"  who TEXT NOT NULL,"
	"  at INTEGER NOT NULL,"
	"  note TEXT,"
	"  PRIMARY KEY (adv_id, revision));"
	"CREATE TABLE IF NOT EXISTS meta ("
	"  key TEXT PRIMARY KEY,"
	"  value INTEGER NOT NULL);"
	"INSERT OR IGNORE INTO meta (key, value) "
	"  VALUES ('created_ms',"
	"          CAST((julianday('now') - 2440587.5) * 86400000.0"
	"               AS INTEGER));",
};

const struct cb_db_schema sub_ack_schema = {
	"ack", steps, (int)(sizeof(steps) / sizeof(steps[0])),
};

void
sub_ack_release(struct sub_ack *a)
{
	free(a->by);
	free(a->note);
	memset(a, 0, sizeof(*a));
}

static void
read_ack(sqlite3_stmt *st, struct sub_ack *a)
{
	a->revision = (unsigned)sqlite3_column_int64(st, 0);
	a->by = cb_xstrdup(cb_db_text(st, 1));
	a->at = sqlite3_column_int64(st, 2);
	a->note = sqlite3_column_type(st, 3) == SQLITE_NULL ? NULL :
	    cb_xstrdup(cb_db_text(st, 3));
}

/* The acknowledgement of revision rev of id already recorded, into out:
 * 2, or -1. */
static int
earlier_ack(sqlite3 *db, const char *id, unsigned rev, struct sub_ack *out,
    struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(db, "SELECT revision, who, at, note "
	    "FROM ack WHERE adv_id = ? AND revision = ?", err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, rev);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_ack(st, out);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 2 : cb_db_error(db, "archive", err);
}

/* Insert the acknowledgement, or read the one already there: 1 or 2. */
static int
insert_ack(sqlite3 *db, const char *id, unsigned rev, const char *by,
    const char *note, int64_t at, struct sub_ack *out, struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(db,
	    "INSERT INTO ack (adv_id, revision, who, at, note) "
	    "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING "
	    "RETURNING revision, who, at, note", err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, rev);
	sqlite3_bind_text(st, 3, by, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, at);
	if (note != NULL)
		sqlite3_bind_text(st, 5, note, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		read_ack(st, out);
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return cb_db_error(db, "archive: cannot acknowledge", err);
	return out->by != NULL ? 1 : earlier_ack(db, id, rev, out, err);
}

int
sub_ack_mark_read(struct sub_store *s, const char *id, unsigned revision,
    int64_t at, struct cb_err *err)
{
	sqlite3 *db = sub_store_db(s);
	sqlite3_stmt *st = cb_db_prepare(db,
	    "INSERT INTO seen (adv_id, revision, at) VALUES (?, ?, ?) "
	    "ON CONFLICT(adv_id) DO UPDATE SET revision = excluded.revision, "
	    "at = excluded.at WHERE excluded.revision > seen.revision", err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, revision);
	sqlite3_bind_int64(st, 3, at);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return cb_db_error(db, "archive: cannot mark as read", err);
	return 0;
}

int
sub_ack_add(struct sub_store *s, const char *id, const char *by,
    const char *note, int64_t at, struct sub_ack *out, struct cb_err *err)
{
	sqlite3 *db = sub_store_db(s);
	unsigned rev = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (sub_store_begin(s, err) < 0)
		return -1;
	rc = sub_store_latest(s, id, &rev, err);
	if (rc > 0)
		rc = insert_ack(db, id, rev, by, note, at, out, err);
	if (rc == 1 && (sub_ack_mark_read(s, id, rev, at, err) < 0 ||
			   sub_store_receipt(s, id, rev, "acknowledged", at, by,
			       note, err) < 0))
		rc = -1;
	if (sub_store_end(s, rc >= 0, err) < 0) {
		sub_ack_release(out);
		return -1;
	}
	return rc;
}

int
sub_ack_each(struct sub_store *s, const char *id,
    int (*fn)(const struct sub_ack *, void *), void *arg, struct cb_err *err)
{
	sqlite3 *db = sub_store_db(s);
	sqlite3_stmt *st = cb_db_prepare(db,
	    "SELECT revision, who, at, note FROM ack WHERE adv_id = ? "
	    "ORDER BY revision", err);
	struct sub_ack a;
	int n = 0, rc = SQLITE_DONE, stop = 0;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_ack(st, &a);
		stop = fn(&a, arg);
		sub_ack_release(&a);
		n++;
	}
	sqlite3_finalize(st);
	if (!stop && rc != SQLITE_DONE)
		return cb_db_error(db, "archive", err);
	return n;
}

int
sub_ack_created(struct sub_store *s, int64_t *ms, struct cb_err *err)
{
	sqlite3 *db = sub_store_db(s);
	sqlite3_stmt *st = cb_db_prepare(db,
	    "SELECT value FROM meta WHERE key = 'created_ms'", err);
	int rc;

	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	*ms = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return cb_db_error(db, "archive", err);
	return 0;
}

int
sub_ack_reminders(struct sub_store *s, int64_t now, int64_t received_before,
    int max, int (*fn)(const struct sub_row *, void *), void *arg,
    struct cb_err *err)
{
	sqlite3_stmt *st = sub_store_select(s, 1,
	    "WHERE m.severity = 'critical' "
	    "AND m.issued_ms >= (SELECT value FROM meta "
	    "  WHERE key = 'created_ms') "
	    "AND m.kind != 'cancel' AND (m.expires = 0 OR m.expires > ?1) "
	    "AND m.received <= ?2 AND NOT " SUB_STORE_SUPERSEDED("m")
	    " AND NOT " SUB_ACK_ACKED("m")
	    " ORDER BY m.seq LIMIT ?3", err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, received_before);
	sqlite3_bind_int(st, 3, max);
	return sub_store_rows(s, st, 1, fn, arg, err);
}
