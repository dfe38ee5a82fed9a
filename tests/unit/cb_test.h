/*
 * cb_test.h: what every cmocka unit test includes, plus small helpers
 * for the test data folders and temporary directories.
 */
#ifndef CB_TEST_H
#define CB_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/* Folder of the feed samples: CANHBAO_FIXTURES when set, else
 * $CANHBAO_TOP/tests/fixtures/feeds; fails the test when neither is
 * set.  Borrowed, valid until the next call. */
const char *cb_test_fixtures(void);

/* Read a whole file into a malloc'd, NUL-terminated buffer; fails the
 * test when it cannot.  *lenp gets the length. */
char *cb_test_read(const char *path, size_t *lenp);

/* Read <cb_test_fixtures()>/<rel> (malloc'd, as cb_test_read). */
char *cb_test_fixture(const char *rel, size_t *lenp);

/* dir + "/" + name, malloc'd. */
char *cb_test_path(const char *dir, const char *name);

/* A new temporary directory (free the string, cb_test_rmtree it). */
char *cb_test_tmpdir(void);
void cb_test_rmtree(const char *path);

#endif
