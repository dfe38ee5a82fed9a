/* Unit tests for cb_utf8: decoding, cuts, widths, printable copies. */
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "cb_test.h"
#include "cb_utf8.h"

/* "đường" in NFC (5 code points) and NFD (đ, u, o + horn + grave, n,
 * g: the horn and grave are combining marks). */
static const char nfc[] = "\xc4\x91\xc6\xb0\xe1\xbb\x9dng";
static const char nfd[] = "\xc4\x91u\xcc\x9bo\xcc\x9b\xcc\x80ng";

static void
test_decode(void **state)
{
	uint32_t cp;

	(void)state;
	assert_int_equal(cb_utf8_decode("A", 1, &cp), 1);
	assert_int_equal(cp, 'A');
	assert_int_equal(cb_utf8_decode("\xc4\x91", 2, &cp), 2);
	assert_int_equal(cp, 0x111);
	assert_int_equal(cb_utf8_decode("\xe4\xb8\xad", 3, &cp), 3);
	assert_int_equal(cp, 0x4e2d);
	assert_int_equal(cb_utf8_decode("\xf0\x9f\x98\x80", 4, &cp), 4);
	assert_int_equal(cp, 0x1f600);
	/* Truncated, overlong, surrogate, stray continuation, NUL. */
	assert_int_equal(cb_utf8_decode("\xe4\xb8\xad", 2, &cp), 0);
	assert_int_equal(cp, 0xfffd);
	assert_int_equal(cb_utf8_decode("\xc0\xaf", 2, &cp), 0);
	assert_int_equal(cb_utf8_decode("\xed\xa0\x80", 3, &cp), 0);
	assert_int_equal(cb_utf8_decode("\x80", 1, &cp), 0);
	assert_int_equal(cb_utf8_decode("", 1, &cp), 0);
	assert_int_equal(cb_utf8_decode("A", 0, &cp), 0);
}

static void
test_valid(void **state)
{
	(void)state;
	assert_true(cb_utf8_valid(nfc, strlen(nfc)));
	assert_true(cb_utf8_valid(nfd, strlen(nfd)));
	assert_false(cb_utf8_valid("a\xff", 2));
	assert_false(cb_utf8_valid("a\0b", 3));
	assert_false(cb_utf8_valid("\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
}

static void
test_width(void **state)
{
	(void)state;
	assert_int_equal(cb_utf8_width(""), 0);
	assert_int_equal(cb_utf8_width("abc"), 3);
	assert_int_equal(cb_utf8_width(nfc), 5);
	assert_int_equal(cb_utf8_width(nfd), 5);
	assert_int_equal(cb_utf8_width("\xe4\xb8\xad\xe6\x96\x87"), 4);
	assert_int_equal(cb_utf8_width("a\xff" "b"), 3); /* shown as U+FFFD */
	assert_int_equal(cb_utf8_cp_width(0x300), 0);
	assert_int_equal(cb_utf8_cp_width(0x1b), 0);
	assert_int_equal(cb_utf8_cp_width(0xff01), 2);
}

/* Widths do not depend on the process's locale. */
static void
test_width_any_locale(void **state)
{
	(void)state;
	setlocale(LC_CTYPE, "C");
	assert_int_equal(cb_utf8_width(nfd), 5);
	assert_int_equal(cb_utf8_width("\xe4\xb8\xad"), 2);
}

static void
test_prefix_bytes(void **state)
{
	size_t i;

	(void)state;
	assert_int_equal(cb_utf8_prefix_bytes("abc", 10), 3);
	assert_int_equal(cb_utf8_prefix_bytes("abc", 2), 2);
	/* Never inside a character, whatever the limit. */
	for (i = 0; i <= strlen(nfc); i++) {
		size_t n = cb_utf8_prefix_bytes(nfc, i);

		assert_true(n <= i);
		assert_true(cb_utf8_valid(nfc, n));
		assert_true(i - n < 3);
	}
	assert_int_equal(cb_utf8_prefix_bytes("\xe4\xb8\xad", 2), 0);
	/* Invalid bytes count as one byte each. */
	assert_int_equal(cb_utf8_prefix_bytes("\xff\xfe" "a", 2), 2);
}

static void
test_prefix_cols(void **state)
{
	size_t w;

	(void)state;
	/* Combining marks stay with their base: "đươ" + grave is 3. */
	assert_int_equal(cb_utf8_prefix_cols(nfd, 3, &w), 10);
	assert_int_equal(w, 3);
	assert_int_equal(cb_utf8_prefix_cols(nfd, 5, &w), strlen(nfd));
	assert_int_equal(w, 5);
	/* A wide character that does not fit is left out whole. */
	assert_int_equal(cb_utf8_prefix_cols("a\xe4\xb8\xad", 2, &w), 1);
	assert_int_equal(w, 1);
	assert_int_equal(cb_utf8_prefix_cols("abc", 0, NULL), 0);
}

static void
test_clip_bytes(void **state)
{
	char s[64];

	(void)state;
	strcpy(s, "short");
	cb_utf8_clip_bytes(s, 5);
	assert_string_equal(s, "short");
	strcpy(s, nfc); /* 10 bytes: c4 91 | c6 b0 | e1 bb 9d | n | g */
	cb_utf8_clip_bytes(s, 8);
	assert_string_equal(s, "\xc4\x91\xc6\xb0" CB_UTF8_ELLIPSIS);
	strcpy(s, nfc);
	cb_utf8_clip_bytes(s, 2);
	assert_string_equal(s, "\xc4\x91");
	strcpy(s, nfc);
	cb_utf8_clip_bytes(s, 1);
	assert_string_equal(s, "");
	cb_utf8_clip_bytes(NULL, 3);
}

static void
test_clip_cols(void **state)
{
	char *s;

	(void)state;
	s = cb_utf8_clip_cols(nfd, 5);
	assert_string_equal(s, nfd);
	free(s);
	s = cb_utf8_clip_cols(nfd, 4);
	assert_string_equal(s, "\xc4\x91u\xcc\x9bo\xcc\x9b\xcc\x80"
	    CB_UTF8_ELLIPSIS);
	assert_int_equal(cb_utf8_width(s), 4);
	free(s);
	s = cb_utf8_clip_cols("\xe4\xb8\xad\xe6\x96\x87\xe5\xad\x97", 4);
	assert_string_equal(s, "\xe4\xb8\xad" CB_UTF8_ELLIPSIS);
	free(s);
}

/* NFD and NFC titles pad to the same column. */
static void
test_columns_line_up(void **state)
{
	char *a, *b;

	(void)state;
	a = cb_utf8_clip_cols(nfc, 80);
	b = cb_utf8_clip_cols(nfd, 80);
	assert_int_equal(cb_utf8_width(a), cb_utf8_width(b));
	free(a);
	free(b);
}

static void
test_printable(void **state)
{
	char *s;

	(void)state;
	s = cb_utf8_printable("a\033[31mb\tc\xff\xc2\x85" "d");
	assert_string_equal(s, "ab c\xef\xbf\xbd" "d");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_width),
		cmocka_unit_test(test_width_any_locale),
		cmocka_unit_test(test_prefix_bytes),
		cmocka_unit_test(test_prefix_cols),
		cmocka_unit_test(test_clip_bytes),
		cmocka_unit_test(test_clip_cols),
		cmocka_unit_test(test_columns_line_up),
		cmocka_unit_test(test_printable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
