/* sub_outbox: the agency's messages to the publisher (see .h). */
#include <sys/stat.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "cb_db.h"
#include "cb_file.h"
#include "cb_locale.h"
#include "cb_mem.h"
#include "cb_seq.h"
#include "cb_time.h"
#include "sub_outbox.h"

/*
 * 1: the table, adopted as it is by archives whose migration 4 made it.
 * 2: waiting: sent, and no answer yet (until due again); what bounds
 *    the entries in flight.
 * 3: numbers start from the wall clock: the milliseconds since 1970
 *    times 1000 when the archive is made (or this step runs on an older
 *    one).  An agency that loses its archive makes a new one later, so
 *    its numbers start above every one the lost outbox can have used
 *    (that would take more than 1000 entries a millisecond); the
 *    publisher's "number taken" covers a clock set back.
 */
#define CLOCK_BASE "CAST((julianday('now') - 2440587.5) * 86400000.0 " \
	"AS INTEGER) * 1000"

static const char *const steps[] = {
	"CREATE TABLE IF NOT EXISTS outbox ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  type INTEGER NOT NULL,"
	"  payload TEXT NOT NULL,"
	"  created INTEGER NOT NULL,"
	"  signed BLOB,"
	"  sigblock BLOB,"
	"  due_ms INTEGER NOT NULL DEFAULT 0,"
	"  refused TEXT);",

	"ALTER TABLE outbox ADD COLUMN waiting INTEGER NOT NULL DEFAULT 0;",

	"UPDATE sqlite_sequence SET seq = max(seq, " CLOCK_BASE ") "
	"  WHERE name = 'outbox';"
	"INSERT INTO sqlite_sequence (name, seq) SELECT 'outbox', "
	CLOCK_BASE " WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence "
	"  WHERE name = 'outbox');",
};

const struct cb_db_schema sub_outbox_schema = {
	"outbox", steps, (int)(sizeof(steps) / sizeof(steps[0])),
};

static int
step_done(sqlite3 *db, sqlite3_stmt *st, struct cb_err *err)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : cb_db_error(db, "outbox", err);
}

int
sub_outbox_add(sqlite3 *db, enum cb_msg_type type, const char *payload,
    struct cb_err *err)
{
	sqlite3_stmt *st;

	if (strlen(payload) > cb_msg_max_payload(type))
		return cb_err_set(err,
		    _("%s of %zu bytes is over the limit of %zu"),
		    cb_msg_type_name(type), strlen(payload),
		    cb_msg_max_payload(type));
	if (type == CB_MSG_PRESENCE) {
		st = cb_db_prepare(db, "DELETE FROM outbox WHERE type = ? AND "
				       "signed IS NULL", err);
		if (st == NULL)
			return -1;
		sqlite3_bind_int(st, 1, CB_MSG_PRESENCE);
		if (step_done(db, st, err) < 0)
			return -1;
	}
	st = cb_db_prepare(db, "INSERT INTO outbox (type, payload, created) "
			       "VALUES (?, ?, ?)", err);
	if (st == NULL)
		return -1;
	sqlite3_bind_int(st, 1, (int)type);
	sqlite3_bind_text(st, 2, payload, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, cb_time_now());
	return step_done(db, st, err);
}

int
sub_outbox_receipt(sqlite3 *db, const char *id, unsigned revision,
    const char *event, int64_t at, const char *by, const char *note,
    struct cb_err *err)
{
	char when[CB_TIME_BUFSZ], *s;
	cJSON *o = cJSON_CreateObject();
	int rc;

	cJSON_AddStringToObject(o, "id", id);
	cJSON_AddNumberToObject(o, "revision", revision);
	cJSON_AddStringToObject(o, "event", event);
	cJSON_AddStringToObject(o, "at", cb_time_format(at, when));
	if (by != NULL)
		cJSON_AddStringToObject(o, "by", by);
	if (note != NULL)
		cJSON_AddStringToObject(o, "note", note);
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	rc = sub_outbox_add(db, CB_MSG_RECEIPT, s, err);
	free(s);
	return rc;
}

static int
attach(cJSON *list, const char *path, size_t *total, struct cb_err *err)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	cJSON *o;
	char *data, *b64;
	struct stat st;
	size_t len;

	/* (the size is asked of stat, not read from cb_file's message,
	 * which may be translated) */
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    (uintmax_t)st.st_size > SUB_OUTBOX_MAX_ATTACH - *total)
		return cb_err_set(err,
		    _("attachment '%s' would bring the report over the cap of "
		      "%d bytes (%d MiB) for all attachments together"),
		    path, SUB_OUTBOX_MAX_ATTACH, SUB_OUTBOX_MAX_ATTACH >> 20);
	data = cb_file_read(path, SUB_OUTBOX_MAX_ATTACH - *total, 0, &len, err);
	if (data == NULL)
		return -1;
	if (base[0] == '\0' || base[0] == '.') {
		free(data);
		return cb_err_set(err,
		    _("attachment '%s' needs a plain file name"),
		    path);
	}
	*total += len;
	b64 = cb_sig_base64(data, len);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "name", base);
	cJSON_AddStringToObject(o, "data", b64);
	cJSON_AddItemToArray(list, o);
	free(b64);
	free(data);
	return 0;
}

char *
sub_outbox_report(const char *severity, const char *title,
    const char *details, char *const *files, size_t nfiles,
    struct cb_err *err)
{
	char when[CB_TIME_BUFSZ], *s = NULL;
	cJSON *o = cJSON_CreateObject(), *list;
	size_t i, total = 0;

	if (nfiles > SUB_OUTBOX_MAX_FILES) {
		cb_err_set(err, _("at most %d attachments"),
		    SUB_OUTBOX_MAX_FILES);
		goto out;
	}
	cJSON_AddStringToObject(o, "severity", severity);
	cJSON_AddStringToObject(o, "title", title);
	if (details != NULL)
		cJSON_AddStringToObject(o, "details", details);
	cJSON_AddStringToObject(o, "filed", cb_time_format(cb_time_now(), when));
	list = cJSON_AddArrayToObject(o, "attachments");
	for (i = 0; i < nfiles; i++)
		if (attach(list, files[i], &total, err) < 0)
			goto out;
	s = cJSON_PrintUnformatted(o);
out:
	cJSON_Delete(o);
	return s;
}

/* Sign entry id now and keep the signature, so a resend is the same
 * bytes (the publisher keeps (agency, seq) once). */
static int
sign_entry(sqlite3 *db, const struct cb_seckey *sk, sqlite3_int64 id,
    int type, const char *payload, struct cb_sealed *s, struct cb_err *err)
{
	char comment[64];
	sqlite3_stmt *st;

	snprintf(comment, sizeof(comment), "canhbao agency %s seq:%lld",
	    cb_msg_type_name((enum cb_msg_type)type), (long long)id);
	if (cb_msg_seal(sk, (enum cb_msg_type)type, (uint64_t)id,
		cb_time_now_ms(), payload, strlen(payload), comment, s,
		err) < 0)
		return -1;
	st = cb_db_prepare(db, "UPDATE outbox SET signed = ?, sigblock = ? "
			       "WHERE id = ?", err);
	if (st == NULL) {
		cb_sealed_release(s);
		return -1;
	}
	sqlite3_bind_blob(st, 1, s->signed_bytes, (int)s->signed_len,
	    SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, s->sigblock, (int)s->sigblock_len,
	    SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, id);
	if (step_done(db, st, err) < 0) {
		cb_sealed_release(s);
		return -1;
	}
	return 0;
}

/* Entry seq is due again at due_ms, waiting for an answer till then
 * or not. */
static int
mark_due(sqlite3 *db, uint64_t seq, int64_t due_ms, int waiting,
    struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(db,
	    "UPDATE outbox SET due_ms = ?, waiting = ? WHERE id = ?", err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, due_ms);
	sqlite3_bind_int(st, 2, waiting);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)seq);
	return step_done(db, st, err);
}

/* Entries sent that wait for an answer at now_ms: 0 or more, or -1. */
static int
in_flight(sqlite3 *db, int64_t now_ms, struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(db, "SELECT count(*) FROM outbox "
	    "WHERE waiting AND due_ms > ? AND refused IS NULL", err);
	int rc, n;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now_ms);
	rc = sqlite3_step(st);
	n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? n : cb_db_error(db, "outbox", err);
}

int
sub_outbox_next_due(sqlite3 *db, int64_t now_ms, int64_t *at,
    struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(db, "SELECT min(due_ms) FROM outbox "
	    "WHERE due_ms > ? AND refused IS NULL", err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now_ms);
	rc = sqlite3_step(st);
	*at = rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL ?
	    sqlite3_column_int64(st, 0) : -1;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : cb_db_error(db, "outbox", err);
}

int
sub_outbox_next(sqlite3 *db, const struct cb_seckey *sk, int64_t now_ms,
    struct sub_outbox_item *item, struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(db,
	    "SELECT id, type, payload, signed, sigblock FROM outbox "
	    "WHERE refused IS NULL AND due_ms <= ? ORDER BY id LIMIT 1", err);
	int rc;

	memset(item, 0, sizeof(*item));
	if (st == NULL)
		return -1;
	rc = in_flight(db, now_ms, err);
	if (rc < 0 || rc >= SUB_OUTBOX_INFLIGHT) {
		sqlite3_finalize(st);
		return rc < 0 ? -1 : 0;
	}
	sqlite3_bind_int64(st, 1, now_ms);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		return rc == SQLITE_DONE ? 0 : cb_db_error(db, "outbox", err);
	}
	item->seq = (uint64_t)sqlite3_column_int64(st, 0);
	if (sqlite3_column_type(st, 3) == SQLITE_NULL) {
		char *payload = cb_xstrdup(cb_db_text(st, 2));
		int type = sqlite3_column_int(st, 1);

		sqlite3_finalize(st);
		rc = sign_entry(db, sk, (sqlite3_int64)item->seq, type, payload,
		    &item->s, err);
		free(payload);
		if (rc < 0)
			return -1;
	} else {
		item->s.signed_bytes = cb_db_blob(st, 3, &item->s.signed_len);
		item->s.sigblock = cb_db_blob(st, 4, &item->s.sigblock_len);
		sqlite3_finalize(st);
	}
	if (mark_due(db, item->seq, now_ms + SUB_OUTBOX_RETRY_MS, 1, err) < 0) {
		cb_sealed_release(&item->s);
		return -1;
	}
	return 1;
}

int
sub_outbox_confirm(sqlite3 *db, uint64_t seq, enum cb_req_status status,
    const char *reason, int64_t now_ms, struct cb_err *err)
{
	sqlite3_stmt *st;
	char *why;

	if (status == CB_REQ_LATER || status == CB_REQ_TAKEN)
		return mark_due(db, seq, now_ms + SUB_OUTBOX_LATER_MS, 0, err);
	st = cb_db_prepare(db, status == CB_REQ_KEPT ?
		"DELETE FROM outbox WHERE id = ?" :
		"UPDATE outbox SET refused = ?2 WHERE id = ?1", err);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
	if (status == CB_REQ_KEPT)
		return step_done(db, st, err);
	why = cb_xasprintf("refused by the publisher: %s",
	    reason != NULL && reason[0] != '\0' ? reason : "no reason given");
	sqlite3_bind_text(st, 2, why, -1, SQLITE_TRANSIENT);
	free(why);
	return step_done(db, st, err);
}

/* The number above which to renumber: past highest, every entry and
 * every number the table has handed out. */
static int
renumber_base(sqlite3 *db, uint64_t highest, uint64_t *base,
    struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(db, "SELECT max(?, coalesce((SELECT "
	    "max(id) FROM outbox), 0), coalesce((SELECT seq FROM "
	    "sqlite_sequence WHERE name = 'outbox'), 0))", err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)highest);
	rc = sqlite3_step(st);
	*base = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : cb_db_error(db, "outbox", err);
}

/* The entries to renumber, in order: seq itself, and every entry never
 * signed (never sent) at or below highest.  One signed and sent gets
 * its own answer: renumbering it could make it kept twice. */
static sqlite3_int64 *
taken_entries(sqlite3 *db, uint64_t seq, uint64_t highest, size_t *n,
    struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(db, "SELECT id FROM outbox WHERE "
	    "refused IS NULL AND (id = ? OR (signed IS NULL AND id <= ?)) "
	    "ORDER BY id", err);
	sqlite3_int64 *ids = NULL;
	size_t cap = 0;
	int rc;

	*n = 0;
	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)highest);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			ids = cb_xrealloc(ids, cap * sizeof(*ids));
		}
		ids[(*n)++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		free(ids);
		cb_db_error(db, "outbox", err);
		return NULL;
	}
	return ids != NULL ? ids : cb_xcalloc(1, sizeof(*ids));
}

/* Entry id gets number to, unsigned (it is signed again when sent:
 * the number is inside the signed bytes) and due now. */
static int
move_entry(sqlite3 *db, sqlite3_int64 id, uint64_t to, struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(db, "UPDATE outbox SET id = ?, "
	    "signed = NULL, sigblock = NULL, due_ms = 0, waiting = 0 "
	    "WHERE id = ?", err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)to);
	sqlite3_bind_int64(st, 2, id);
	return step_done(db, st, err);
}

static int
renumber(sqlite3 *db, uint64_t seq, uint64_t highest, size_t *count,
    struct cb_err *err)
{
	sqlite3_int64 *ids;
	sqlite3_stmt *st;
	uint64_t base;
	size_t i;
	int rc = 0;

	if (renumber_base(db, highest, &base, err) < 0 ||
	    (ids = taken_entries(db, seq, highest, count, err)) == NULL)
		return -1;
	if (base > CB_SEQ_MAX - *count) {
		free(ids);
		return cb_err_set(err, "no numbers left above %llu",
		    (unsigned long long)base);
	}
	for (i = 0; i < *count && rc == 0; i++)
		rc = move_entry(db, ids[i], base + 1 + i, err);
	free(ids);
	if (rc < 0)
		return -1;
	st = cb_db_prepare(db, "UPDATE sqlite_sequence SET seq = ? WHERE "
	    "name = 'outbox'", err);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)(base + *count));
	return step_done(db, st, err);
}

int
sub_outbox_renumber(sqlite3 *db, uint64_t seq, uint64_t highest,
    size_t *count, struct cb_err *err)
{
	if (cb_db_exec(db, "SAVEPOINT renumber", err) < 0)
		return -1;
	if (renumber(db, seq, highest, count, err) < 0) {
		cb_db_exec(db, "ROLLBACK TO renumber; RELEASE renumber", NULL);
		return -1;
	}
	return cb_db_exec(db, "RELEASE renumber", err);
}

int
sub_outbox_restart(sqlite3 *db, struct cb_err *err)
{
	return cb_db_exec(db, "UPDATE outbox SET due_ms = 0, waiting = 0 "
	    "WHERE refused IS NULL", err);
}

static int
count_rows(sqlite3 *db, const char *sql, long *count, struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(db, sql, err);
	int rc;

	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	*count = rc == SQLITE_ROW ? (long)sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : cb_db_error(db, "outbox", err);
}

int
sub_outbox_pending(sqlite3 *db, long *count, struct cb_err *err)
{
	return count_rows(db, "SELECT count(*) FROM outbox WHERE refused IS "
	    "NULL", count, err);
}

int
sub_outbox_refused(sqlite3 *db, long *count, struct cb_err *err)
{
	return count_rows(db, "SELECT count(*) FROM outbox WHERE refused IS "
	    "NOT NULL", count, err);
}

int
sub_outbox_each(sqlite3 *db, int refused_only,
    int (*fn)(const struct sub_outbox_entry *e, void *arg), void *arg,
    struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(db, "SELECT id, type, created, "
	    "payload, refused FROM outbox WHERE ? = 0 OR refused IS NOT NULL "
	    "ORDER BY id", err);
	struct sub_outbox_entry e;
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int(st, 1, refused_only);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		e.seq = (uint64_t)sqlite3_column_int64(st, 0);
		e.type = (enum cb_msg_type)sqlite3_column_int(st, 1);
		e.created = sqlite3_column_int64(st, 2);
		e.payload = cb_db_text(st, 3);
		e.refused = sqlite3_column_type(st, 4) == SQLITE_NULL ? NULL :
		    cb_db_text(st, 4);
		if (fn(&e, arg) < 0) {
			sqlite3_finalize(st);
			return cb_err_set(err, "stopped at outbox entry %llu",
			    (unsigned long long)e.seq);
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : cb_db_error(db, "outbox", err);
}
