/*
 * The subscriber's unit tests' fixture: a new archive (sub_store) in a
 * temporary folder, as cmocka setup and teardown functions.
 */
#ifndef SUB_TEST_H
#define SUB_TEST_H

#include <stdlib.h>

#include "cb_test.h"
#include "sub_store.h"

struct sub_fixture {
	char *dir, *path;
	struct sub_store *s;
};

static inline int
sub_test_setup(void **state)
{
	struct sub_fixture *f = calloc(1, sizeof(*f));
	struct cb_err err;

	f->dir = cb_test_tmpdir();
	f->path = cb_test_path(f->dir, SUB_ARCHIVE_FILE);
	f->s = sub_store_open(f->path, 0, &err);
	if (f->s == NULL)
		fail_msg("%s", err.msg);
	*state = f;
	return 0;
}

static inline int
sub_test_teardown(void **state)
{
	struct sub_fixture *f = *state;

	sub_store_close(f->s);
	cb_test_rmtree(f->dir);
	free(f->dir);
	free(f->path);
	free(f);
	return 0;
}

/* A test run on a new archive. */
#define SUB_TEST(fn) \
	cmocka_unit_test_setup_teardown(fn, sub_test_setup, sub_test_teardown)

#endif
