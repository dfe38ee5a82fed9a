/* cb_db: SQLite files in WAL mode with numbered migrations (cb_db.h). */
#include <stdio.h>
#include <string.h>

#include "cb_db.h"
#include "cb_mem.h"

int
cb_db_error(sqlite3 *db, const char *what, struct cb_err *err)
{
	return cb_err_set(err, "%s: %s", what, sqlite3_errmsg(db));
}

int
cb_db_exec(sqlite3 *db, const char *sql, struct cb_err *err)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		cb_err_set(err, "database: %s", msg ? msg : "error");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

sqlite3_stmt *
cb_db_prepare(sqlite3 *db, const char *sql, struct cb_err *err)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		cb_db_error(db, "database", err);
		return NULL;
	}
	return st;
}

const char *
cb_db_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t != NULL ? (const char *)t : "";
}

uint8_t *
cb_db_blob(sqlite3_stmt *st, int i, size_t *lenp)
{
	uint8_t *out;

	*lenp = (size_t)sqlite3_column_bytes(st, i);
	out = cb_xmalloc(*lenp ? *lenp : 1);
	if (*lenp > 0)
		memcpy(out, sqlite3_column_blob(st, i), *lenp);
	return out;
}

static int
user_version(sqlite3 *db, int *out, struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(db, "PRAGMA user_version", err);

	if (st == NULL)
		return -1;
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return cb_db_error(db, "database", err);
	}
	*out = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return 0;
}

static int
migrate(sqlite3 *db, const char *const *migrations, int n, int from,
    struct cb_err *err)
{
	char sql[64];
	int v;

	if (cb_db_exec(db, "BEGIN IMMEDIATE", err) < 0)
		return -1;
	for (v = from; v < n; v++)
		if (cb_db_exec(db, migrations[v], err) < 0)
			goto fail;
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", n);
	if (cb_db_exec(db, sql, err) < 0 || cb_db_exec(db, "COMMIT", err) < 0)
		goto fail;
	return 0;
fail:
	cb_db_exec(db, "ROLLBACK", NULL);
	return -1;
}

sqlite3 *
cb_db_open(const char *path, int readonly, const char *const *migrations,
    int nmigrations, struct cb_err *err)
{
	int flags = readonly ? SQLITE_OPEN_READONLY :
			       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	sqlite3 *db = NULL;
	int version = 0;

	if (sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOFOLLOW, NULL) !=
	    SQLITE_OK) {
		cb_err_set(err, "cannot open database '%s': %s", path,
		    db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, 5000);
	if ((!readonly && cb_db_exec(db, "PRAGMA journal_mode = WAL", err) < 0) ||
	    cb_db_exec(db, "PRAGMA foreign_keys = ON", err) < 0 ||
	    user_version(db, &version, err) < 0)
		goto fail;
	if (version > nmigrations) {
		cb_err_set(err, "database '%s' has schema version %d, newer "
		    "than this program's %d", path, version, nmigrations);
		goto fail;
	}
	if (version < nmigrations) {
		if (readonly) {
			cb_err_set(err, "database '%s' has an old schema; "
			    "start the daemon once to upgrade it", path);
			goto fail;
		}
		if (migrate(db, migrations, nmigrations, version, err) < 0)
			goto fail;
	}
	if (!readonly && cb_db_exec(db, "PRAGMA synchronous = FULL", err) < 0)
		goto fail;
	return db;
fail:
	cb_err_prefix(err, "%s", path);
	sqlite3_close(db);
	return NULL;
}

void
cb_db_close(sqlite3 *db)
{
	sqlite3_close(db);
}

/* The version of module s recorded in cb_schema (0: none yet). */
static int
module_version(sqlite3 *db, const char *module, int *out, struct cb_err *err)
{
	sqlite3_stmt *st;
	int rc;

	*out = 0;
	st = cb_db_prepare(db, "SELECT version FROM cb_schema WHERE module = ?",
	    NULL);
	if (st == NULL) /* no cb_schema table yet: nothing recorded */
		return 0;
	sqlite3_bind_text(st, 1, module, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 :
						       cb_db_error(db, "database", err);
}

static int
module_steps(sqlite3 *db, const struct cb_db_schema *s, int from,
    struct cb_err *err)
{
	sqlite3_stmt *st;
	int v, rc;

	if (cb_db_exec(db, "BEGIN IMMEDIATE", err) < 0)
		return -1;
	if (cb_db_exec(db, "CREATE TABLE IF NOT EXISTS cb_schema ("
		"  module TEXT PRIMARY KEY,"
		"  version INTEGER NOT NULL);", err) < 0)
		goto fail;
	for (v = from; v < s->nsteps; v++)
		if (cb_db_exec(db, s->steps[v], err) < 0)
			goto fail;
	st = cb_db_prepare(db, "INSERT OR REPLACE INTO cb_schema (module, "
	    "version) VALUES (?, ?)", err);
	if (st == NULL)
		goto fail;
	sqlite3_bind_text(st, 1, s->module, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, s->nsteps);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		cb_db_error(db, "database", err);
		goto fail;
	}
	if (cb_db_exec(db, "COMMIT", err) < 0)
		goto fail;
	return 0;
fail:
	cb_db_exec(db, "ROLLBACK", NULL);
	return -1;
}

int
cb_db_migrate(sqlite3 *db, int readonly, const struct cb_db_schema *s,
    struct cb_err *err)
{
	int version;

	if (module_version(db, s->module, &version, err) < 0)
		return -1;
	if (version > s->nsteps)
		return cb_err_set(err, "%s tables have schema version %d, "
		    "newer than this program's %d", s->module, version,
		    s->nsteps);
	if (version == s->nsteps)
		return 0;
	if (readonly)
		return cb_err_set(err, "%s tables have an old schema; start "
		    "the daemon once to upgrade them", s->module);
	return module_steps(db, s, version, err);
}
