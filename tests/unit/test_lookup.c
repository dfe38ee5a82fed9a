/* Unit tests for sub_lookup: the --since argument. */
#include <stdlib.h>
#include <string.h>

#include "cb_test.h"
#include "cb_time.h"
#include "sub_lookup.h"

static void
test_since_dates(void **state)
{
	int64_t t;

	(void)state;
	assert_int_equal(sub_lookup_since("2026-11-24", 1, &t), 0);
	assert_int_equal(t, 1795478400); /* midnight UTC with --utc */
	assert_int_equal(sub_lookup_since("2026-11-24 08:30", 1, &t), 0);
	assert_int_equal(t, 1795478400 + 8 * 3600 + 30 * 60);
	assert_int_equal(sub_lookup_since("2026-11-24T08:30", 1, &t), 0);
	assert_int_equal(t, 1795478400 + 8 * 3600 + 30 * 60);
	assert_int_equal(sub_lookup_since("2026-11-24T08:00:00+07:00", 0, &t),
	    0);
	assert_int_equal(t, 1795478400 + 3600);
}

static void
test_since_local(void **state)
{
	int64_t t;

	(void)state;
	setenv("TZ", "Asia/Ho_Chi_Minh", 1);
	assert_int_equal(sub_lookup_since("2026-11-24", 0, &t), 0);
	/* Vietnam has no DST: midnight there is 17:00 UTC the day before;
	 * without the zone data, the C library falls back to UTC. */
	assert_true(t == 1795478400 - 7 * 3600 || t == 1795478400);
	unsetenv("TZ");
}

static void
test_since_durations(void **state)
{
	int64_t t, now = cb_time_now();

	(void)state;
	assert_int_equal(sub_lookup_since("7d", 0, &t), 0);
	assert_true(t >= now - 7 * 86400 - 2 && t <= now - 7 * 86400 + 2);
	assert_int_equal(sub_lookup_since("12h", 0, &t), 0);
	assert_true(t >= now - 12 * 3600 - 2 && t <= now - 12 * 3600 + 2);
}

static void
test_since_rejects(void **state)
{
	static const char *bad[] = { "", "2026", "2026-11", "2026-13-01",
		"2026-11-24 25:00", "2026-11-24x", "tomorrow", "7", "7dd",
		"-3d" };
	size_t i;
	int64_t t;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (sub_lookup_since(bad[i], 0, &t) == 0)
			fail_msg("'%s' was accepted", bad[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_since_dates),
		cmocka_unit_test(test_since_local),
		cmocka_unit_test(test_since_durations),
		cmocka_unit_test(test_since_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
