/* Unit tests for cb_db: the owner's numbered migrations and a module's
 * own tables with their own version (cb_db_migrate). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_test.h"
#include "cb_db.h"

static const char *const owner[] = {
	"CREATE TABLE message (seq INTEGER PRIMARY KEY);",
	"ALTER TABLE message ADD COLUMN title TEXT;",
};

static const char *const outbox_v1[] = {
	"CREATE TABLE IF NOT EXISTS outbox (id INTEGER PRIMARY KEY);",
};

static const char *const outbox_v2[] = {
	"CREATE TABLE IF NOT EXISTS outbox (id INTEGER PRIMARY KEY);",
	"ALTER TABLE outbox ADD COLUMN body TEXT;",
};

static int
count(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = cb_db_prepare(db, sql, NULL);
	int n;

	assert_non_null(st);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void
test_module_versions_apart(void **state)
{
	char *dir = cb_test_tmpdir(), *path = cb_test_path(dir, "x.db");
	struct cb_db_schema v1 = { "outbox", outbox_v1, 1 };
	struct cb_db_schema v2 = { "outbox", outbox_v2, 2 };
	struct cb_err err;
	sqlite3 *db;

	(void)state;
	db = cb_db_open(path, 0, owner, 2, &err);
	assert_non_null(db);
	assert_int_equal(cb_db_migrate(db, 0, &v1, &err), 0);
	assert_int_equal(count(db, "SELECT version FROM cb_schema WHERE "
	    "module = 'outbox'"), 1);
	/* The module's step does not move the owner's version. */
	assert_int_equal(count(db, "PRAGMA user_version"), 2);
	/* A read-only user of a newer program refuses the old tables. */
	assert_int_equal(cb_db_migrate(db, 1, &v2, &err), -1);
	assert_non_null(strstr(err.msg, "outbox tables have an old schema"));
	assert_int_equal(cb_db_migrate(db, 0, &v2, &err), 0);
	assert_int_equal(cb_db_exec(db, "INSERT INTO outbox (body) "
	    "VALUES ('x')", &err), 0);
	/* Applying again changes nothing. */
	assert_int_equal(cb_db_migrate(db, 0, &v2, &err), 0);
	assert_int_equal(count(db, "SELECT count(*) FROM outbox"), 1);
	/* An older program refuses tables newer than it knows. */
	assert_int_equal(cb_db_migrate(db, 0, &v1, &err), -1);
	assert_non_null(strstr(err.msg, "newer than this program's 1"));
	cb_db_close(db);
	cb_test_rmtree(dir);
	free(path);
	free(dir);
}

/* Tables an older owner migration created are adopted, not recreated. */
static void
test_adopts_existing_tables(void **state)
{
	static const char *const legacy[] = {
		"CREATE TABLE message (seq INTEGER PRIMARY KEY);"
		"CREATE TABLE outbox (id INTEGER PRIMARY KEY);"
		"INSERT INTO outbox (id) VALUES (7);",
	};
	char *dir = cb_test_tmpdir(), *path = cb_test_path(dir, "x.db");
	struct cb_db_schema v2 = { "outbox", outbox_v2, 2 };
	struct cb_err err;
	sqlite3 *db;

	(void)state;
	db = cb_db_open(path, 0, legacy, 1, &err);
	assert_non_null(db);
	assert_int_equal(cb_db_migrate(db, 0, &v2, &err), 0);
	assert_int_equal(count(db, "SELECT count(*) FROM outbox WHERE id = 7 "
	    "AND body IS NULL"), 1);
	cb_db_close(db);
	cb_test_rmtree(dir);
	free(path);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_module_versions_apart),
		cmocka_unit_test(test_adopts_existing_tables),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
