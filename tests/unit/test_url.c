/* Unit tests for cb_url: the one scheme check. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cb_test.h"
#include "cb_url.h"

static void
test_scheme(void **state)
{
	size_t n = 99;

	(void)state;
	assert_int_equal(cb_url_scheme("http://a/", &n), CB_URL_HTTP);
	assert_int_equal(n, 7);
	assert_int_equal(cb_url_scheme("https://a/", &n), CB_URL_HTTPS);
	assert_int_equal(n, 8);
	assert_int_equal(cb_url_scheme("HTTPS://a/", NULL), CB_URL_HTTPS);
	assert_int_equal(cb_url_scheme("file:///tmp/x", &n), CB_URL_FILE);
	assert_int_equal(n, 7);
	assert_int_equal(cb_url_scheme("ftp://a/", &n), CB_URL_OTHER);
	assert_int_equal(n, 0);
	assert_int_equal(cb_url_scheme("http:/a", NULL), CB_URL_OTHER);
	assert_int_equal(cb_url_scheme("javascript:x", NULL), CB_URL_OTHER);
	assert_int_equal(cb_url_scheme(NULL, &n), CB_URL_OTHER);
	assert_int_equal(cb_url_scheme("", NULL), CB_URL_OTHER);
}

static void
test_is_http(void **state)
{
	(void)state;
	assert_true(cb_url_is_http("http://x"));
	assert_true(cb_url_is_http("https://x"));
	assert_false(cb_url_is_http("file:///x"));
	assert_false(cb_url_is_http("httpx://x"));
	assert_false(cb_url_is_http(NULL));
}

static void
expect_resolve(const char *base, const char *ref, const char *want)
{
	char *u = cb_url_resolve(base, ref);

	if (u == NULL || strcmp(u, want) != 0)
		fail_msg("%s + %s gave %s, not %s", base, ref,
		    u != NULL ? u : "NULL", want);
	free(u);
}

static void
test_resolve(void **state)
{
	(void)state;
	expect_resolve("https://h.example/white/", "2024/x.json",
	    "https://h.example/white/2024/x.json");
	expect_resolve("https://h.example/white/changes.csv", "x.json",
	    "https://h.example/white/x.json");
	expect_resolve("https://h.example/a/b/", "../c.json",
	    "https://h.example/a/c.json");
	expect_resolve("https://h.example/a/", "/c.json",
	    "https://h.example/c.json");
	expect_resolve("https://h.example/a/", "https://o.example/x",
	    "https://o.example/x");
	/* Not a URI as written: percent-encoded, then resolved. */
	expect_resolve("https://h.example/a/", "2024/\xc3\xa4[1].json",
	    "https://h.example/a/2024/%C3%A4%5B1%5D.json");
	expect_resolve("https://h.example/a/", "2024/a%20b.json",
	    "https://h.example/a/2024/a%20b.json");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scheme),
		cmocka_unit_test(test_is_http),
		cmocka_unit_test(test_resolve),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
