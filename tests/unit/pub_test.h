/*
 * The publisher's unit tests' fixture: a new journal (pub_journal) in a
 * temporary folder, as cmocka setup and teardown functions.
 */
#ifndef PUB_TEST_H
#define PUB_TEST_H

#include <stdlib.h>

#include "cb_test.h"
#include "pub_journal.h"

struct pub_fixture {
	char *dir, *path;
	struct pub_journal *j;
};

static inline int
pub_test_setup(void **state)
{
	struct pub_fixture *f = calloc(1, sizeof(*f));
	struct cb_err err;

	assert_non_null(f);
	f->dir = cb_test_tmpdir();
	f->path = cb_test_path(f->dir, "journal.db");
	f->j = pub_journal_open(f->path, &err);
	if (f->j == NULL)
		fail_msg("%s", err.msg);
	*state = f;
	return 0;
}

static inline int
pub_test_teardown(void **state)
{
	struct pub_fixture *f = *state;

	pub_journal_close(f->j);
	cb_test_rmtree(f->dir);
	free(f->path);
	free(f->dir);
	free(f);
	return 0;
}

/* A test run on a new journal. */
#define PUB_TEST(fn) \
	cmocka_unit_test_setup_teardown(fn, pub_test_setup, pub_test_teardown)

#endif
