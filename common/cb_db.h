/*
 * cb_db: opening the daemons' SQLite files the one way canhbao uses
 * them: WAL, a busy timeout so lookups read while the daemon writes,
 * foreign keys on, and the schema brought up to date through numbered
 * migrations recorded in PRAGMA user_version.
 *
 * The journal (publisher) and the archive (subscriber) build their
 * queries on top of this; they bind parameters, never build SQL.
 */
#ifndef CB_DB_H
#define CB_DB_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "cb_err.h"

/* Open (creating when writable) the database at path.  migrations[i]
 * is the SQL that takes the schema from version i to i + 1; those not
 * yet applied run in one transaction.  A read-only open applies none and
 * fails when the file is missing or older than the program.  Returns the
 * handle (close with cb_db_close) or NULL. */
sqlite3 *cb_db_open(const char *path, int readonly,
    const char *const *migrations, int nmigrations, struct cb_err *err);
void cb_db_close(sqlite3 *db);

/* A module that keeps its own tables in a database (the publisher's
 * inbound path in the journal, the subscriber's outbox in the archive)
 * names them here with its own numbered migrations: steps[i] takes its
 * tables from version i to i + 1.  Its version is kept in the table
 * cb_schema(module, version), apart from the owner's PRAGMA
 * user_version, so each module's schema changes without touching the
 * others'.  A writable handle applies the missing steps in one
 * transaction; a read-only one only checks that none is missing.
 * A module's first step should create its tables IF NOT EXISTS, so it
 * also adopts tables an older owner migration created. */
struct cb_db_schema {
	const char *module;
	const char *const *steps;
	int nsteps;
};
int cb_db_migrate(sqlite3 *db, int readonly, const struct cb_db_schema *s,
    struct cb_err *err);

/* Run SQL without results; 0 or -1 with the SQLite message in err. */
int cb_db_exec(sqlite3 *db, const char *sql, struct cb_err *err);

/* Prepare one statement; NULL with err set on failure. */
sqlite3_stmt *cb_db_prepare(sqlite3 *db, const char *sql, struct cb_err *err);

/* Fill err from the handle's last error, prefixed by what; returns -1. */
int cb_db_error(sqlite3 *db, const char *what, struct cb_err *err);

/* Borrowed text of column i, or "" for NULL. */
const char *cb_db_text(sqlite3_stmt *st, int i);

/* A copy of blob column i (malloc'd, never NULL: one byte at least;
 * the caller frees it), its length in *lenp. */
uint8_t *cb_db_blob(sqlite3_stmt *st, int i, size_t *lenp);

#endif
