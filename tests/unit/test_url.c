/* Unit tests for cb_url: the one scheme check. */
#include <stddef.h>

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scheme),
		cmocka_unit_test(test_is_http),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
