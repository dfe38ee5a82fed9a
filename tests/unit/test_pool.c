/* Unit tests for sub_pool: every item of a run is done once, on the
 * two threads, whether the caller works meanwhile or not; without a
 * pool, on the caller's. */
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cb_test.h"
#include "sub_pool.h"

#define ITEMS 2000

struct run {
	int done[ITEMS];
	pthread_t by[ITEMS];
};

static void
mark(size_t i, void *arg)
{
	struct run *r = arg;

	r->done[i]++;
	r->by[i] = pthread_self();
}

/* Each of the first n items done once, the rest not at all; the
 * number done by another thread than this one. */
static size_t
check_once(const struct run *r, size_t n)
{
	size_t i, other = 0;

	for (i = 0; i < ITEMS; i++) {
		assert_int_equal(r->done[i], i < n ? 1 : 0);
		if (i < n && !pthread_equal(r->by[i], pthread_self()))
			other++;
	}
	return other;
}

static void
test_run(void **state)
{
	struct cb_err err;
	struct sub_pool *p = sub_pool_new(&err);
	static struct run r;
	int k;

	(void)state;
	assert_non_null(p);
	for (k = 0; k < 20; k++) { /* the thread sleeps and wakes again */
		memset(&r, 0, sizeof(r));
		sub_pool_run(p, ITEMS, mark, &r);
		check_once(&r, ITEMS);
	}
	sub_pool_free(p);
}

static void
test_start_finish(void **state)
{
	struct cb_err err;
	struct sub_pool *p = sub_pool_new(&err);
	static struct run r;
	volatile unsigned long spin = 0;
	size_t other;
	int k;

	(void)state;
	assert_non_null(p);
	for (k = 0; k < 20; k++) {
		memset(&r, 0, sizeof(r));
		sub_pool_start(p, ITEMS, mark, &r);
		while (spin < 200000) /* the caller's own work meanwhile */
			spin++;
		spin = 0;
		sub_pool_finish(p);
		other = check_once(&r, ITEMS);
		assert_true(other <= ITEMS);
	}
	sub_pool_finish(p); /* nothing started: returns at once */
	sub_pool_free(p);
}

static void
test_small_and_none(void **state)
{
	struct cb_err err;
	struct sub_pool *p = sub_pool_new(&err);
	static struct run r;

	(void)state;
	memset(&r, 0, sizeof(r));
	sub_pool_run(p, 1, mark, &r); /* one item: on this thread */
	assert_int_equal(check_once(&r, 1), 0);
	memset(&r, 0, sizeof(r));
	sub_pool_run(p, 0, mark, &r);
	check_once(&r, 0);
	sub_pool_free(p);
	memset(&r, 0, sizeof(r));
	sub_pool_start(NULL, ITEMS, mark, &r); /* no pool: all at once */
	assert_int_equal(check_once(&r, ITEMS), 0);
	sub_pool_finish(NULL);
	sub_pool_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run),
		cmocka_unit_test(test_start_finish),
		cmocka_unit_test(test_small_and_none),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
