/* Unit tests for pub_webauth: the duty page's tokens are random, kept
 * only as hashes (0600), each link adds one up to the cap, and --new
 * replaces them all. */
#include <sys/stat.h>

#include <stdlib.h>
#include <string.h>

#include "cb_test.h"
#include "cb_sig.h"
#include "pub_webauth.h"

static void
test_new_and_check(void **state)
{
	char *dir = cb_test_tmpdir(), *path, *text;
	char a[PUB_WEB_TOKEN_HEX + 1], b[PUB_WEB_TOKEN_HEX + 1];
	struct cb_err err;
	struct stat st;

	(void)state;
	assert_int_equal(pub_webauth_check(dir, NULL), 0);
	assert_int_equal(pub_webauth_new(dir, 0, a, &err), 0);
	assert_int_equal(pub_webauth_new(dir, 0, b, &err), 0);
	assert_int_equal(strlen(a), PUB_WEB_TOKEN_HEX);
	assert_true(strspn(a, "0123456789abcdef") == PUB_WEB_TOKEN_HEX);
	assert_string_not_equal(a, b);
	assert_int_equal(pub_webauth_check(dir, a), 1);
	assert_int_equal(pub_webauth_check(dir, b), 1);
	a[0] = a[0] == '0' ? '1' : '0';
	assert_int_equal(pub_webauth_check(dir, a), 0);
	assert_int_equal(pub_webauth_check(dir, "short"), 0);
	path = cb_test_path(dir, PUB_WEB_TOKENS_FILE);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	text = cb_test_read(path, NULL);
	assert_null(strstr(text, b)); /* only its hash */
	free(text);
	free(path);
	cb_test_rmtree(dir);
	free(dir);
}

static void
test_new_replaces(void **state)
{
	char *dir = cb_test_tmpdir();
	char a[PUB_WEB_TOKEN_HEX + 1], b[PUB_WEB_TOKEN_HEX + 1];
	struct cb_err err;

	(void)state;
	assert_int_equal(pub_webauth_new(dir, 0, a, &err), 0);
	assert_int_equal(pub_webauth_new(dir, 1, b, &err), 0);
	assert_int_equal(pub_webauth_check(dir, a), 0);
	assert_int_equal(pub_webauth_check(dir, b), 1);
	cb_test_rmtree(dir);
	free(dir);
}

static void
test_cap_drops_oldest(void **state)
{
	char *dir = cb_test_tmpdir();
	char first[PUB_WEB_TOKEN_HEX + 1], t[PUB_WEB_TOKEN_HEX + 1];
	struct cb_err err;
	int i;

	(void)state;
	assert_int_equal(pub_webauth_new(dir, 0, first, &err), 0);
	for (i = 1; i < PUB_WEB_TOKENS_MAX; i++)
		assert_int_equal(pub_webauth_new(dir, 0, t, &err), 0);
	assert_int_equal(pub_webauth_check(dir, first), 1);
	assert_int_equal(pub_webauth_new(dir, 0, t, &err), 0);
	assert_int_equal(pub_webauth_check(dir, first), 0);
	assert_int_equal(pub_webauth_check(dir, t), 1);
	cb_test_rmtree(dir);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_and_check),
		cmocka_unit_test(test_new_replaces),
		cmocka_unit_test(test_cap_drops_oldest),
	};

	if (cb_sig_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
