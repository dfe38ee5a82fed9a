/* Unit tests for cb_prom: the Prometheus text exposition format (HELP
 * and TYPE lines, label escaping, values, the size cap). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cb_test.h"
#include "cb_prom.h"

static void
expect_page(struct cb_prom *p, const char *want)
{
	assert_false(p->full);
	assert_non_null(p->buf.data);
	assert_string_equal(p->buf.data, want);
	cb_prom_release(p);
}

static void
test_family_and_samples(void **state)
{
	struct cb_prom p;

	(void)state;
	cb_prom_init(&p);
	cb_prom_family(&p, "canhbao_feed_polls_total", "counter",
	    "Polls of each feed.");
	cb_prom_sample(&p, "canhbao_feed_polls_total",
	    (const char *const[]){ "feed", "kev", NULL }, 3);
	cb_prom_sample(&p, "canhbao_feed_polls_total",
	    (const char *const[]){ "feed", "csaf", "origin", "national",
		NULL }, 0);
	cb_prom_one(&p, "canhbao_journal_size_bytes", "gauge",
	    "Size of the journal.", 4096);
	expect_page(&p,
	    "# HELP canhbao_feed_polls_total Polls of each feed.\n"
	    "# TYPE canhbao_feed_polls_total counter\n"
	    "canhbao_feed_polls_total{feed=\"kev\"} 3\n"
	    "canhbao_feed_polls_total{feed=\"csaf\",origin=\"national\"} 0\n"
	    "# HELP canhbao_journal_size_bytes Size of the journal.\n"
	    "# TYPE canhbao_journal_size_bytes gauge\n"
	    "canhbao_journal_size_bytes 4096\n");
}

/* Label values: backslash, double quote and line feed escaped; UTF-8
 * kept as it is; bytes that are not UTF-8 become '?'.  Help texts:
 * backslash and line feed escaped, quotes kept. */
static void
test_escaping(void **state)
{
	struct cb_prom p;

	(void)state;
	cb_prom_init(&p);
	cb_prom_family(&p, "x", "gauge", "a \\ b\n\"c\"");
	cb_prom_sample(&p, "x", (const char *const[]){ "agency",
		"sở \"y\\tế\"\nx", NULL }, 1);
	cb_prom_sample(&p, "x", (const char *const[]){ "feed", "a\xff\xc3z",
		NULL }, 2);
	expect_page(&p,
	    "# HELP x a \\\\ b\\n\"c\"\n"
	    "# TYPE x gauge\n"
	    "x{agency=\"sở \\\"y\\\\tế\\\"\\nx\"} 1\n"
	    "x{feed=\"a??z\"} 2\n");
}

static void
test_values(void **state)
{
	struct cb_prom p;

	(void)state;
	cb_prom_init(&p);
	cb_prom_sample(&p, "a", NULL, 1795841993.0);
	cb_prom_sample(&p, "b", NULL, 0.51);
	cb_prom_sample(&p, "c", NULL, -3);
	cb_prom_sample(&p, "d", NULL, 1e300);
	cb_prom_sample(&p, "e", NULL, NAN);
	cb_prom_sample(&p, "f", NULL, INFINITY);
	cb_prom_sample(&p, "g", NULL, -INFINITY);
	cb_prom_sample(&p, "h", NULL, 18446744073709551615.0);
	cb_prom_sample(&p, "i", NULL, 0.1 + 0.2);
	expect_page(&p,
	    "a 1795841993\n"
	    "b 0.51\n"
	    "c -3\n"
	    "d 1e+300\n"
	    "e NaN\n"
	    "f +Inf\n"
	    "g -Inf\n"
	    "h 1.8446744073709552e+19\n"
	    "i 0.30000000000000004\n");
}

/* Past CB_PROM_MAX the page says it is full and stays well formed up
 * to the last line that fitted. */
static void
test_cap(void **state)
{
	size_t n = 1024 * 1024, i;
	char *big = malloc(n + 1);
	struct cb_prom p;

	(void)state;
	assert_non_null(big);
	memset(big, 'a', n);
	big[n] = '\0';
	cb_prom_init(&p);
	for (i = 0; i < CB_PROM_MAX / n + 1; i++)
		cb_prom_sample(&p, "x", (const char *const[]){ "v", big, NULL },
		    1);
	assert_true(p.full);
	assert_true(p.buf.len <= CB_PROM_MAX);
	assert_int_equal(p.buf.data[p.buf.len - 1], '\n');
	cb_prom_release(&p);
	free(big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_family_and_samples),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
