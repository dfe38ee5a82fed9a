/* pub_journal: the publisher's journal of signed messages (see .h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_db.h"
#include "cb_mem.h"
#include "cb_seq.h"
#include "pub_journal.h"

struct pub_journal {
	sqlite3 *db;
	uint64_t last_seq;      /* including appends not yet committed */
	uint64_t committed_seq; /* what a rollback returns to */
	int batch;              /* inside pub_journal_begin */
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

	/* Version 4 also created the inbound tables; pub_inbound owns them
	 * now (its own cb_db_schema, which adopts them where they exist). */
	"ALTER TABLE agency ADD COLUMN last_contact INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE message ADD COLUMN severity TEXT;"
	"ALTER TABLE message ADD COLUMN title TEXT;",

	/* 5: relays (issue 15).  A registered key is an agency's or a
	 * relay's; a relay's last_seq is the journal's last number as
	 * its latest presence (by its own number, presence_seq) gave it.
	 * The registry's generation counts every add and remove. */
	"ALTER TABLE agency ADD COLUMN kind TEXT NOT NULL DEFAULT 'agency' "
	"  CHECK (kind IN ('agency', 'relay'));"
	"ALTER TABLE agency ADD COLUMN last_seq INTEGER;"
	"ALTER TABLE agency ADD COLUMN presence_seq INTEGER NOT NULL "
	"  DEFAULT 0;"
	"CREATE TABLE registry (generation INTEGER NOT NULL);"
	"INSERT INTO registry (generation) VALUES (1);",
};

/* The walk through CSAF lists (ROLIE feeds, changes.csv): what each
 * feed has taken in, and what its last poll left over; and where each
 * MISP feed's walk through its manifest stands.  A schema of its own,
 * so that it changes apart from the numbered steps above. */
static const char *const walk_steps[] = {
	"CREATE TABLE IF NOT EXISTS csaf_doc ("
	"  feed TEXT NOT NULL,"
	"  url TEXT NOT NULL,"
	"  listed INTEGER NOT NULL,"
	"  PRIMARY KEY (feed, url));"
	"CREATE TABLE IF NOT EXISTS csaf_walk ("
	"  feed TEXT PRIMARY KEY,"
	"  deferred INTEGER NOT NULL,"
	"  retry INTEGER NOT NULL);",
	/* 2: a MISP feed's last event taken, so a restart resumes there. */
	"CREATE TABLE IF NOT EXISTS misp_mark ("
	"  feed TEXT PRIMARY KEY,"
	"  uuid TEXT NOT NULL,"
	"  timestamp INTEGER NOT NULL);",
};
static const struct cb_db_schema walk_schema = { "csaf_walk", walk_steps,
	(int)(sizeof(walk_steps) / sizeof(walk_steps[0])) };

static int insert_message(struct pub_journal *, const struct pub_entry *,
    struct cb_err *);

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
	j->committed_seq = j->last_seq;
	sqlite3_finalize(st);
	return 0;
}

struct pub_journal *
pub_journal_open(const char *path, struct cb_err *err)
{
	struct pub_journal *j = cb_xcalloc(1, sizeof(*j));

	j->db = cb_db_open(path, 0, migrations,
	    (int)(sizeof(migrations) / sizeof(migrations[0])), err);
	if (j->db == NULL || cb_db_migrate(j->db, 0, &walk_schema, err) < 0)
		goto fail;
	j->insert = cb_db_prepare(j->db,
	    "INSERT INTO message (seq, type, issued_ms, adv_id, revision, "
	    "signed, sigblock, severity, title) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", err);
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
pub_journal_next_seq(const struct pub_journal *j, uint64_t *next,
    struct cb_err *err)
{
	if (cb_seq_next(j->last_seq, next) < 0)
		return cb_err_set(err, "journal: no sequence number after "
		    "%llu", (unsigned long long)j->last_seq);
	return 0;
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

static int
put_item(struct pub_journal *j, const struct pub_item_ref *item,
    const char *adv_id, int published, struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(j->db,
	    "INSERT INTO feed_item (feed, source_id, adv_id, hash, published) "
	    "VALUES (?, ?, ?, ?, ?) ON CONFLICT(feed, source_id) DO UPDATE "
	    "SET adv_id = excluded.adv_id, hash = excluded.hash, "
	    "published = max(published, excluded.published)", err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, item->feed, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, item->source_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, adv_id, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, item->hash, 32, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, published);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : cb_db_error(j->db, "journal", err);
}

int
pub_journal_item_seen(struct pub_journal *j, const struct pub_item_ref *item,
    const char *adv_id, struct cb_err *err)
{
	return put_item(j, item, adv_id, 0, err);
}

int
pub_journal_begin(struct pub_journal *j, struct cb_err *err)
{
	if (j->batch)
		return cb_err_set(err, "journal: already in a transaction");
	if (cb_db_exec(j->db, "BEGIN IMMEDIATE", err) < 0)
		return -1;
	j->batch = 1;
	return 0;
}

int
pub_journal_commit(struct pub_journal *j, struct cb_err *err)
{
	if (!j->batch)
		return 0;
	if (cb_db_exec(j->db, "COMMIT", err) < 0) {
		pub_journal_rollback(j);
		return -1;
	}
	j->batch = 0;
	j->committed_seq = j->last_seq;
	return 0;
}

void
pub_journal_rollback(struct pub_journal *j)
{
	if (!j->batch)
		return;
	cb_db_exec(j->db, "ROLLBACK", NULL);
	j->batch = 0;
	j->last_seq = j->committed_seq;
}

int
pub_journal_append(struct pub_journal *j, const struct pub_entry *e,
    const struct pub_item_ref *item, struct cb_err *err)
{
	int own = !j->batch;
	uint64_t next;

	if (pub_journal_next_seq(j, &next, err) < 0)
		return -1;
	if (e->seq != next)
		return cb_err_set(err, "journal: sequence %llu is not next "
		    "after %llu", (unsigned long long)e->seq,
		    (unsigned long long)j->last_seq);
	if (own && pub_journal_begin(j, err) < 0)
		return -1;
	/* Inside a batch, a failed append must leave nothing behind. */
	if (!own && cb_db_exec(j->db, "SAVEPOINT append", err) < 0)
		return -1;
	if (insert_message(j, e, err) < 0 ||
	    (item != NULL && put_item(j, item, e->adv_id, 1, err) < 0)) {
		if (own)
			pub_journal_rollback(j);
		else
			cb_db_exec(j->db, "ROLLBACK TO append; RELEASE append",
			    NULL);
		return -1;
	}
	j->last_seq = e->seq;
	if (!own)
		return cb_db_exec(j->db, "RELEASE append", err);
	return pub_journal_commit(j, err);
}

static int
insert_message(struct pub_journal *j, const struct pub_entry *e,
    struct cb_err *err)
{
	sqlite3_stmt *st = j->insert;
	int rc;

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
	sqlite3_bind_text(st, 8, e->severity, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, e->title, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE)
		return cb_db_error(j->db, "journal: cannot append", err);
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

int
pub_journal_item(struct pub_journal *j, const char *feed,
    const char *source_id, uint8_t hash[32], int *published,
    struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(j->db,
	    "SELECT hash, published FROM feed_item "
	    "WHERE feed = ? AND source_id = ?", err);
	int rc, found = 0;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, feed, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, source_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 0) == 32) {
		memcpy(hash, sqlite3_column_blob(st, 0), 32);
		*published = sqlite3_column_int(st, 1);
		found = 1;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return cb_db_error(j->db, "journal", err);
	return found;
}

int
pub_journal_item_count(struct pub_journal *j, const char *feed, long *count,
    struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(j->db,
	    "SELECT count(*) FROM feed_item WHERE feed = ?", err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, feed, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*count = rc == SQLITE_ROW ? (long)sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : cb_db_error(j->db, "journal", err);
}

static char *
column_dup(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return NULL;
	return cb_xstrdup(cb_db_text(st, i));
}

int
pub_journal_cache_get(struct pub_journal *j, const char *url, char **etag,
    char **last_modified, struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(j->db,
	    "SELECT etag, last_modified FROM fetch_cache WHERE url = ?", err);
	int rc;

	*etag = *last_modified = NULL;
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, url, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*etag = column_dup(st, 0);
		*last_modified = column_dup(st, 1);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return cb_db_error(j->db, "journal", err);
	return 0;
}

int
pub_journal_cache_put(struct pub_journal *j, const char *url,
    const char *etag, const char *last_modified, struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(j->db,
	    "INSERT OR REPLACE INTO fetch_cache (url, etag, last_modified) "
	    "VALUES (?, ?, ?)", err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, url, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, etag, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, last_modified, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : cb_db_error(j->db, "journal", err);
}

int
pub_journal_feed_get(struct pub_journal *j, const char *feed,
    struct pub_feed_state *fs, struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(j->db,
	    "SELECT last_success, last_error_at, last_error, initialized "
	    "FROM feed_state WHERE feed = ?", err);
	int rc;

	memset(fs, 0, sizeof(*fs));
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, feed, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		fs->last_success = sqlite3_column_int64(st, 0);
		fs->last_error_at = sqlite3_column_int64(st, 1);
		snprintf(fs->last_error, sizeof(fs->last_error), "%s",
		    cb_db_text(st, 2));
		fs->initialized = sqlite3_column_int(st, 3);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return cb_db_error(j->db, "journal", err);
	return 0;
}

int
pub_journal_feed_put(struct pub_journal *j, const char *feed,
    const struct pub_feed_state *fs, struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(j->db,
	    "INSERT OR REPLACE INTO feed_state (feed, last_success, "
	    "last_error_at, last_error, initialized) VALUES (?, ?, ?, ?, ?)",
	    err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, feed, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, fs->last_success);
	sqlite3_bind_int64(st, 3, fs->last_error_at);
	sqlite3_bind_text(st, 4, fs->last_error, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, fs->initialized);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : cb_db_error(j->db, "journal", err);
}

int
pub_journal_doc_listed(struct pub_journal *j, const char *feed,
    const char *url, int64_t *listed, struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(j->db,
	    "SELECT listed FROM csaf_doc WHERE feed = ? AND url = ?", err);
	int rc;

	*listed = 0;
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, feed, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, url, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*listed = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return cb_db_error(j->db, "journal", err);
	return rc == SQLITE_ROW;
}

int
pub_journal_doc_put(struct pub_journal *j, const char *feed, const char *url,
    int64_t listed, struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(j->db,
	    "INSERT OR REPLACE INTO csaf_doc (feed, url, listed) "
	    "VALUES (?, ?, ?)", err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, feed, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, url, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, listed);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : cb_db_error(j->db, "journal", err);
}

int
pub_journal_walk_get(struct pub_journal *j, const char *feed,
    struct pub_walk_state *w, struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(j->db,
	    "SELECT deferred, retry FROM csaf_walk WHERE feed = ?", err);
	int rc;

	memset(w, 0, sizeof(*w));
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, feed, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		w->deferred = sqlite3_column_int(st, 0);
		w->retry = sqlite3_column_int(st, 1);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return cb_db_error(j->db, "journal", err);
	return 0;
}

int
pub_journal_walk_put(struct pub_journal *j, const char *feed,
    const struct pub_walk_state *w, struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(j->db,
	    "INSERT OR REPLACE INTO csaf_walk (feed, deferred, retry) "
	    "VALUES (?, ?, ?)", err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, feed, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, w->deferred);
	sqlite3_bind_int(st, 3, w->retry);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : cb_db_error(j->db, "journal", err);
}

int
pub_journal_misp_mark_get(struct pub_journal *j, const char *feed,
    char *uuid, size_t uuidsz, int64_t *timestamp, struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(j->db,
	    "SELECT uuid, timestamp FROM misp_mark WHERE feed = ?", err);
	int rc;

	uuid[0] = '\0';
	*timestamp = 0;
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, feed, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(uuid, uuidsz, "%s", cb_db_text(st, 0));
		*timestamp = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return cb_db_error(j->db, "journal", err);
	return 0;
}

int
pub_journal_misp_mark_put(struct pub_journal *j, const char *feed,
    const char *uuid, int64_t timestamp, struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(j->db,
	    "INSERT OR REPLACE INTO misp_mark (feed, uuid, timestamp) "
	    "VALUES (?, ?, ?)", err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, feed, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, uuid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, timestamp);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : cb_db_error(j->db, "journal", err);
}

/* The registry's generation moves on by one (an add or a remove). */
static int
next_generation(struct pub_journal *j, struct cb_err *err)
{
	return cb_db_exec(j->db, "UPDATE registry SET generation = "
	    "generation + 1", err);
}

/* Run st (prepared; finalized here) and, when it changed a row, move
 * the generation on, in one transaction (the caller's when one is
 * open).  1 when a row changed, 0 when none, -1 with err (*constraint
 * set when a constraint refused the change). */
static int
registry_change(struct pub_journal *j, sqlite3_stmt *st, int *constraint,
    struct cb_err *err)
{
	int own = !j->batch, rc, changed;

	*constraint = 0;
	if (own && pub_journal_begin(j, err) < 0) {
		sqlite3_finalize(st);
		return -1;
	}
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	changed = rc == SQLITE_DONE && sqlite3_changes(j->db) > 0;
	if (rc != SQLITE_DONE) {
		*constraint = rc == SQLITE_CONSTRAINT;
		cb_db_error(j->db, "journal", err);
	}
	if (rc != SQLITE_DONE || (changed && next_generation(j, err) < 0) ||
	    (own && pub_journal_commit(j, err) < 0)) {
		if (own)
			pub_journal_rollback(j);
		return -1;
	}
	return changed;
}

int
pub_journal_member_add(struct pub_journal *j, const char *name,
    enum cb_registry_kind kind, const struct cb_pubkey *pk, int64_t now,
    struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(j->db,
	    "INSERT INTO agency (name, key_id, public_key, added, kind) "
	    "VALUES (?, ?, ?, ?, ?)", err);
	int constraint;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, pk->id, CB_SIG_KEYIDLEN, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, pk->pk, CB_SIG_PKLEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now);
	sqlite3_bind_text(st, 5, cb_registry_kind_name(kind), -1,
	    SQLITE_STATIC);
	if (registry_change(j, st, &constraint, err) >= 0)
		return 0;
	if (constraint)
		return cb_err_set(err, "an agency or relay named '%s', or one "
		    "with that key, is already registered", name);
	return -1;
}

int
pub_journal_agency_add(struct pub_journal *j, const char *name,
    const struct cb_pubkey *pk, int64_t now, struct cb_err *err)
{
	return pub_journal_member_add(j, name, CB_REGISTRY_AGENCY, pk, now,
	    err);
}

int
pub_journal_agency_remove(struct pub_journal *j, const char *name,
    struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(j->db,
	    "DELETE FROM agency WHERE name = ?", err);
	int constraint;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	return registry_change(j, st, &constraint, err);
}

int
pub_journal_agency_each(struct pub_journal *j,
    void (*fn)(const struct pub_agency *a, void *arg), void *arg,
    struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(j->db,
	    "SELECT name, key_id, public_key, added, last_contact, kind, "
	    "last_seq FROM agency ORDER BY name", err);
	struct pub_agency a;
	int rc, n = 0;

	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_bytes(st, 1) != CB_SIG_KEYIDLEN ||
		    sqlite3_column_bytes(st, 2) != CB_SIG_PKLEN)
			continue;
		a.name = cb_db_text(st, 0);
		memcpy(a.pk.id, sqlite3_column_blob(st, 1), CB_SIG_KEYIDLEN);
		memcpy(a.pk.pk, sqlite3_column_blob(st, 2), CB_SIG_PKLEN);
		a.added = sqlite3_column_int64(st, 3);
		a.last_contact = sqlite3_column_int64(st, 4);
		a.kind = strcmp(cb_db_text(st, 5), "relay") == 0 ?
		    CB_REGISTRY_RELAY : CB_REGISTRY_AGENCY;
		a.has_last_seq = sqlite3_column_type(st, 6) != SQLITE_NULL;
		a.last_seq = (uint64_t)sqlite3_column_int64(st, 6);
		fn(&a, arg);
		n++;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? n : cb_db_error(j->db, "journal", err);
}

int
pub_journal_agency_touch(struct pub_journal *j, const char *name, int64_t now,
    struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(j->db,
	    "UPDATE agency SET last_contact = max(last_contact, ?) "
	    "WHERE name = ?", err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : cb_db_error(j->db, "journal", err);
}

int
pub_journal_generation(struct pub_journal *j, uint64_t *gen,
    struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(j->db,
	    "SELECT generation FROM registry", err);
	int rc;

	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	*gen = rc == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? cb_err_set(err, "journal: no "
		    "registry generation") : cb_db_error(j->db, "journal", err);
	return 0;
}

int
pub_journal_relay_presence(struct pub_journal *j, const char *name,
    uint64_t presence_seq, uint64_t last_seq, struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(j->db,
	    "UPDATE agency SET last_seq = ?1, presence_seq = ?2 "
	    "WHERE name = ?3 AND kind = 'relay' AND presence_seq <= ?2", err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)last_seq);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)presence_seq);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : cb_db_error(j->db, "journal", err);
}

int
pub_journal_is_relay(struct pub_journal *j, const char *name)
{
	sqlite3_stmt *st = cb_db_prepare(j->db, "SELECT 1 FROM agency "
	    "WHERE name = ? AND kind = 'relay'", NULL);
	int rc;

	if (st == NULL)
		return 0;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW;
}

sqlite3 *
pub_journal_db(struct pub_journal *j)
{
	return j->db;
}

int
pub_journal_agency_by_key(struct pub_journal *j, const uint8_t *key_id,
    char *name, size_t namesz, struct cb_pubkey *pk, struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(j->db,
	    "SELECT name, public_key FROM agency WHERE key_id = ?", err);
	int rc, found = 0;

	if (st == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, key_id, CB_SIG_KEYIDLEN, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 1) == CB_SIG_PKLEN) {
		snprintf(name, namesz, "%s", cb_db_text(st, 0));
		memcpy(pk->id, key_id, CB_SIG_KEYIDLEN);
		memcpy(pk->pk, sqlite3_column_blob(st, 1), CB_SIG_PKLEN);
		found = 1;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return cb_db_error(j->db, "journal", err);
	return found;
}
