/*
 * Unit tests for cb_time: every accepted ISO 8601 / RFC 3339 and RFC 822
 * form, offsets and zones, leap days, bad dates, durations; and the same
 * answers whatever the process's TZ.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cb_test.h"
#include "cb_time.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

#define T_0301_1200 INT64_C(1709294400) /* 2024-03-01T12:00:00Z */
#define T_0301	    INT64_C(1709251200) /* 2024-03-01T00:00:00Z */
#define T_RSS	    INT64_C(1055217600) /* 2003-06-10T04:00:00Z */
#define H	    INT64_C(3600)

struct good {
	const char *s;
	int64_t t;
};

static const struct good iso_good[] = {
	{ "2024-03-01T12:00:00Z", T_0301_1200 },
	{ "2024-03-01t12:00:00z", T_0301_1200 },
	{ "2024-03-01 12:00:00Z", T_0301_1200 },
	{ "  2024-03-01T12:00:00Z", T_0301_1200 },
	{ "2024-03-01T12:00:00", T_0301_1200 }, /* no zone: UTC */
	{ "2024-03-01T12:00Z", T_0301_1200 },
	{ "2024-03-01T12:00", T_0301_1200 },
	{ "2024-03-01T12:00:00.123456Z", T_0301_1200 },
	{ "2024-03-01T12:00:00,5Z", T_0301_1200 },
	{ "2024-03-01T19:00:00+07:00", T_0301_1200 },
	{ "2024-03-01T19:00:00+0700", T_0301_1200 },
	{ "2024-03-01T19:00:00+07", T_0301_1200 },
	{ "2024-03-01T19:00:00.9+07:00", T_0301_1200 },
	{ "2024-03-01T07:00:00-05:00", T_0301_1200 },
	{ "2024-03-01T12:30:00+00:30", T_0301_1200 },
	{ "2024-03-01", T_0301 },
	{ "2024-02-29", T_0301 - 24 * H },   /* leap day */
	{ "2000-02-29", INT64_C(951782400) }, /* divisible by 400 */
	{ "2024-03-01T11:59:60Z", T_0301_1200 }, /* leap second */
	{ "1970-01-01T00:00:00Z", 0 },
	{ "9999-12-31T23:59:59Z", INT64_C(253402300799) },
};

static const char *const iso_bad[] = {
	"",
	"   ",
	"2024",
	"2024-03",
	"2024-3-1",
	"24-03-01",
	"2024/03/01",
	"2024-03-01X",
	"2024-03-01T",
	"2024-03-01T12",
	"2024-03-01T1200",
	"2024-03-01T12:00:00Zx",
	"2024-03-01T12:00:00.Z",
	"2024-03-01T12:00:00 Z",
	"2023-02-29",   /* not a leap year */
	"1900-02-29",   /* before 1970 anyway */
	"2100-02-29",   /* divisible by 100, not 400 */
	"2024-02-30",
	"2024-04-31",
	"2024-00-10",
	"2024-13-01",
	"2024-03-00",
	"2024-03-32",
	"2024-03-01T24:00:00Z",
	"2024-03-01T12:60:00Z",
	"2024-03-01T12:00:61Z",
	"2024-03-01T12:00:00+24:00",
	"2024-03-01T12:00:00+07:60",
	"2024-03-01T12:00:00+7",
	"2024-03-01T12:00:00 +07:00",
	"1969-12-31T23:59:59Z",
	"10000-01-01",
};

static const struct good rfc_good[] = {
	{ "Tue, 10 Jun 2003 04:00:00 GMT", T_RSS },
	{ "10 Jun 2003 04:00:00 GMT", T_RSS },
	{ "  Tue, 10 Jun 2003 04:00:00 GMT", T_RSS },
	{ "Tuesday, 10 Jun 2003 04:00:00 GMT", T_RSS },
	{ "Tue, 10 jun 2003 04:00:00 gmt", T_RSS },
	{ "Tue, 10 Jun 2003 04:00 GMT", T_RSS },
	{ "Tue, 10 Jun 2003 04:00:00", T_RSS }, /* no zone: UTC */
	{ "Tue, 10 Jun 2003 04:00:00 UT", T_RSS },
	{ "Tue, 10 Jun 2003 04:00:00 UTC", T_RSS },
	{ "Tue, 10 Jun 2003 04:00:00 Z", T_RSS },
	{ "Tue, 10 Jun 2003 11:00:00 +0700", T_RSS },
	{ "Tue, 10 Jun 2003 00:00:00 -0400", T_RSS },
	{ "Mon, 09 Jun 2003 23:00:00 EST", T_RSS },
	{ "Tue, 10 Jun 2003 00:00:00 EDT", T_RSS },
	{ "Mon, 09 Jun 2003 22:00:00 CST", T_RSS },
	{ "Mon, 09 Jun 2003 23:00:00 CDT", T_RSS },
	{ "Mon, 09 Jun 2003 21:00:00 MST", T_RSS },
	{ "Mon, 09 Jun 2003 22:00:00 MDT", T_RSS },
	{ "Mon, 09 Jun 2003 20:00:00 PST", T_RSS },
	{ "Mon, 09 Jun 2003 21:00:00 PDT", T_RSS },
	{ "10 Jun 03 04:00:00 GMT", T_RSS },                /* 2-digit year */
	{ "10 Jun 99 04:00:00 GMT", INT64_C(928987200) },   /* 1999 */
	{ "Thu, 29 Feb 2024 00:00:00 GMT", T_0301 - 24 * H }, /* leap day */
};

static const char *const rfc_bad[] = {
	"",
	"Tue,",
	"Tue, 10 Jun 2003",
	"Tue, 10 Jum 2003 04:00:00 GMT",
	"Tue, 10 Jun 2003 04:00:00 XYZ",
	"Tue, 10 Jun 2003 04:00:00 +07",
	"Tue, 31 Jun 2003 04:00:00 GMT",
	"Fri, 29 Feb 2023 04:00:00 GMT",
	"Tue, 10 Jun 2003 24:00:00 GMT",
	"Tue, 10 Jun 2003 04:60:00 GMT",
	"Tue, 00 Jun 2003 04:00:00 GMT",
	"Tue, 10 Jun 1969 04:00:00 GMT",
};

static void
check_good(const struct good *g, size_t n, int (*parse)(const char *,
    int64_t *))
{
	size_t i;
	int64_t t;

	for (i = 0; i < n; i++) {
		t = -12345;
		if (parse(g[i].s, &t) != 0)
			fail_msg("'%s' was refused", g[i].s);
		if (t != g[i].t)
			fail_msg("'%s' gave %lld, not %lld", g[i].s,
			    (long long)t, (long long)g[i].t);
	}
}

static void
check_bad(const char *const *b, size_t n, int (*parse)(const char *,
    int64_t *))
{
	size_t i;
	int64_t t = -12345;

	for (i = 0; i < n; i++) {
		if (parse(b[i], &t) == 0)
			fail_msg("'%s' was accepted as %lld", b[i],
			    (long long)t);
		assert_int_equal(t, -12345); /* *out untouched */
	}
}

static void
test_iso(void **state)
{
	(void)state;
	check_good(iso_good, NELEM(iso_good), cb_time_parse_iso);
	check_bad(iso_bad, NELEM(iso_bad), cb_time_parse_iso);
}

static void
test_rfc822(void **state)
{
	(void)state;
	check_good(rfc_good, NELEM(rfc_good), cb_time_parse_rfc822);
	check_bad(rfc_bad, NELEM(rfc_bad), cb_time_parse_rfc822);
}

static void
test_any(void **state)
{
	(void)state;
	check_good(iso_good, NELEM(iso_good), cb_time_parse_any);
	check_good(rfc_good, NELEM(rfc_good), cb_time_parse_any);
	check_bad(rfc_bad, NELEM(rfc_bad), cb_time_parse_any);
}

static void
test_format(void **state)
{
	char buf[CB_TIME_BUFSZ];

	(void)state;
	assert_string_equal(cb_time_format(T_0301_1200, buf),
	    "2024-03-01T12:00:00Z");
	assert_string_equal(cb_time_format(0, buf), "1970-01-01T00:00:00Z");
}

/* Times for people: local with the zone's offset, or UTC, always
 * saying which; minutes only when the zone has them; 0 is unknown.
 * (The order of the date is the catalogue's: t160 checks Vietnamese.) */
static void
test_human(void **state)
{
	char buf[CB_TIME_BUFSZ];

	(void)state;
	setenv("TZ", "ICT-7", 1);
	tzset();
	assert_string_equal(cb_time_human(T_0301_1200, 0, buf),
	    "2024-03-01 19:00 +07");
	assert_string_equal(cb_time_human(T_0301_1200, 1, buf),
	    "2024-03-01 12:00 UTC");
	assert_string_equal(cb_time_human(T_0301_1200 - 13 * H, 0, buf),
	    "2024-03-01 06:00 +07");
	setenv("TZ", "EST5", 1);
	tzset();
	assert_string_equal(cb_time_human(T_0301_1200, 0, buf),
	    "2024-03-01 07:00 -05");
	setenv("TZ", "<+0530>-5:30", 1);
	tzset();
	assert_string_equal(cb_time_human(T_0301_1200, 0, buf),
	    "2024-03-01 17:30 +0530");
	setenv("TZ", "UTC0", 1);
	tzset();
	assert_string_equal(cb_time_human(T_0301_1200, 0, buf),
	    "2024-03-01 12:00 +00");
	assert_string_equal(cb_time_human(0, 0, buf), "-");
	assert_string_equal(cb_time_human(0, 1, buf), "-");
	unsetenv("TZ");
	tzset();
}

/* The same answers under any TZ: the parsers and the formatter work in
 * UTC whatever the process's zone (POSIX TZ strings, no zone files). */
static void
test_any_tz(void **state)
{
	static const char *const zones[] = { "ICT-7", "EST5EDT,M3.2.0,M11.1.0",
		"UTC0", "<+1345>-13:45" };
	char buf[CB_TIME_BUFSZ];
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(zones); i++) {
		setenv("TZ", zones[i], 1);
		tzset();
		check_good(iso_good, NELEM(iso_good), cb_time_parse_iso);
		check_good(rfc_good, NELEM(rfc_good), cb_time_parse_rfc822);
		check_bad(iso_bad, NELEM(iso_bad), cb_time_parse_iso);
		assert_string_equal(cb_time_format(T_0301_1200, buf),
		    "2024-03-01T12:00:00Z");
	}
	unsetenv("TZ");
	tzset();
}

static void
test_duration(void **state)
{
	static const struct good good[] = { { "0", 0 }, { "10", 10 },
		{ "10s", 10 }, { "5m", 300 }, { "12h", 12 * H },
		{ "30d", 30 * 24 * H }, { "2w", 14 * 24 * H },
		{ "3153600000", INT64_C(3153600000) } };
	static const char *const bad[] = { "", "d", "-5", "+5", " 5", "5x",
		"5dd", "5 d", "1.5h", "3153600001", "99999999999999999999" };

	(void)state;
	check_good(good, NELEM(good), cb_duration_parse);
	check_bad(bad, NELEM(bad), cb_duration_parse);
}

static void
test_clocks(void **state)
{
	int64_t a, b;

	(void)state;
	a = cb_time_mono_ms();
	b = cb_time_mono_ms();
	assert_true(b >= a);
	assert_true(cb_time_now_ms() / 1000 - cb_time_now() <= 1);
}

/* Times from signed headers and feeds: saturating, never overflowing
 * (UBSan would abort on INT64_MIN - 1). */
static void
test_arithmetic(void **state)
{
	(void)state;
	assert_true(cb_time_add_ms(1000, 500) == 1500);
	assert_true(cb_time_add_ms(INT64_MAX, 1) == INT64_MAX);
	assert_true(cb_time_add_ms(INT64_MIN, -1) == -INT64_MAX);
	assert_true(cb_time_add_ms(INT64_MIN, 0) == -INT64_MAX);
	assert_true(cb_time_diff_ms(1500, 1000) == 500);
	assert_true(cb_time_diff_ms(1000, INT64_MIN) == INT64_MAX);
	assert_true(cb_time_diff_ms(-1000, INT64_MAX) == -INT64_MAX);
	assert_true(cb_time_diff_ms(0, INT64_MIN) == INT64_MAX);
	assert_true(cb_time_within(10000, 9000, 1000));
	assert_true(cb_time_within(10000, 11000, 1000));
	assert_false(cb_time_within(10000, 11001, 1000));
	assert_false(cb_time_within(1795484379844LL, INT64_MIN, 120000));
	assert_false(cb_time_within(1795484379844LL, INT64_MAX, 120000));
	assert_true(cb_time_within(INT64_MAX, INT64_MAX, 0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iso),
		cmocka_unit_test(test_rfc822),
		cmocka_unit_test(test_any),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_human),
		cmocka_unit_test(test_any_tz),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_clocks),
		cmocka_unit_test(test_arithmetic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
