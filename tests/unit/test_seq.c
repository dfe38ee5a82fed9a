/* Unit tests for cb_seq: sequence numbers stay within SQLite's signed
 * 64-bit range and never wrap. */
#include <stdint.h>

#include "cb_test.h"
#include "cb_seq.h"

static void
test_range(void **state)
{
	(void)state;
	assert_true(cb_seq_valid(0));
	assert_true(cb_seq_valid(INT64_MAX));
	assert_false(cb_seq_valid((uint64_t)INT64_MAX + 1));
	assert_false(cb_seq_valid(UINT64_MAX));
}

static void
test_next(void **state)
{
	uint64_t n = 99;

	(void)state;
	assert_int_equal(cb_seq_next(0, &n), 0);
	assert_true(n == 1);
	assert_int_equal(cb_seq_next(INT64_MAX - 1, &n), 0);
	assert_true(n == INT64_MAX);
	n = 99;
	assert_int_equal(cb_seq_next(INT64_MAX, &n), -1);
	assert_int_equal(cb_seq_next(UINT64_MAX, &n), -1);
	assert_true(n == 99);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_range),
		cmocka_unit_test(test_next),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
