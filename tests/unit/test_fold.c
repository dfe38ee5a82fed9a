/* Unit tests for the search folding: FTS5's unicode61 (remove_diacritics
 * 2) and cb_fold after it, as the "canhbao" tokenizer (sub_search)
 * chains them, and cb_fold alone on the letters unicode61 leaves. */
#include <stdlib.h>
#include <string.h>

#include "cb_test.h"
#include "sub_test.h"
#include "cb_fold.h"
#include "sub_search.h"
#include "sub_store.h"

/* The words the index holds for in are want (each followed by a
 * space). */
static void
expect_terms(struct sub_store *s, const char *in, const char *want)
{
	struct cb_err err;
	char *got = sub_search_terms(s, in, &err);

	if (got == NULL)
		fail_msg("%s", err.msg);
	if (strcmp(got, want) != 0)
		fail_msg("terms('%s') = '%s', want '%s'", in, got, want);
	free(got);
}

static void
test_vietnamese(void **state)
{
	struct sub_fixture *f = *state;

	expect_terms(f->s, "đường dây nóng", "duong day nong ");
	expect_terms(f->s, "Đà Nẵng", "da nang ");
	expect_terms(f->s, "ĐƯỜNG DÂY NÓNG", "duong day nong ");
	expect_terms(f->s, "Cảnh báo tấn công mạng dịp Tết Nguyên đán",
	    "canh bao tan cong mang dip tet nguyen dan ");
	expect_terms(f->s, "Sở Thông tin và Truyền thông Thanh Hóa",
	    "so thong tin va truyen thong thanh hoa ");
	expect_terms(f->s, "Quảng Ngãi, Huế, Hội An, Cần Thơ",
	    "quang ngai hue hoi an can tho ");
}

/* Every letter of the Vietnamese alphabet with every tone, both cases,
 * in NFC (precomposed) and in NFD (base letter and combining marks):
 * each folds to its ASCII base letter. */
static const struct {
	const char *letters, *base;
} nfc[] = {
		{ "aàáảãạăằắẳẵặâầấẩẫậ", "a" },
		{ "AÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬ", "a" },
		{ "eèéẻẽẹêềếểễệ", "e" },
		{ "EÈÉẺẼẸÊỀẾỂỄỆ", "e" },
		{ "iìíỉĩị", "i" },
		{ "IÌÍỈĨỊ", "i" },
		{ "oòóỏõọôồốổỗộơờớởỡợ", "o" },
		{ "OÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢ", "o" },
		{ "uùúủũụưừứửữự", "u" },
		{ "UÙÚỦŨỤƯỪỨỬỮỰ", "u" },
		{ "yỳýỷỹỵ", "y" },
		{ "YỲÝỶỸỴ", "y" },
		{ "dđ", "d" },
		{ "DĐ", "d" },
}, nfd[] = {
		{ "a" "a\xcc\x80" "a\xcc\x81" "a\xcc\x89" "a\xcc\x83"
		    "a\xcc\xa3" "a\xcc\x86" "a\xcc\x86\xcc\x80"
		    "a\xcc\x86\xcc\x81" "a\xcc\x86\xcc\x89"
		    "a\xcc\x86\xcc\x83" "a\xcc\xa3\xcc\x86" "a\xcc\x82"
		    "a\xcc\x82\xcc\x80" "a\xcc\x82\xcc\x81"
		    "a\xcc\x82\xcc\x89" "a\xcc\x82\xcc\x83"
		    "a\xcc\xa3\xcc\x82",
		    "a" },
		{ "A" "A\xcc\x80" "A\xcc\x81" "A\xcc\x89" "A\xcc\x83"
		    "A\xcc\xa3" "A\xcc\x86" "A\xcc\x86\xcc\x80"
		    "A\xcc\x86\xcc\x81" "A\xcc\x86\xcc\x89"
		    "A\xcc\x86\xcc\x83" "A\xcc\xa3\xcc\x86" "A\xcc\x82"
		    "A\xcc\x82\xcc\x80" "A\xcc\x82\xcc\x81"
		    "A\xcc\x82\xcc\x89" "A\xcc\x82\xcc\x83"
		    "A\xcc\xa3\xcc\x82",
		    "a" },
		{ "e" "e\xcc\x80" "e\xcc\x81" "e\xcc\x89" "e\xcc\x83"
		    "e\xcc\xa3" "e\xcc\x82" "e\xcc\x82\xcc\x80"
		    "e\xcc\x82\xcc\x81" "e\xcc\x82\xcc\x89"
		    "e\xcc\x82\xcc\x83" "e\xcc\xa3\xcc\x82",
		    "e" },
		{ "E" "E\xcc\x80" "E\xcc\x81" "E\xcc\x89" "E\xcc\x83"
		    "E\xcc\xa3" "E\xcc\x82" "E\xcc\x82\xcc\x80"
		    "E\xcc\x82\xcc\x81" "E\xcc\x82\xcc\x89"
		    "E\xcc\x82\xcc\x83" "E\xcc\xa3\xcc\x82",
		    "e" },
		{ "i" "i\xcc\x80" "i\xcc\x81" "i\xcc\x89" "i\xcc\x83"
		    "i\xcc\xa3",
		    "i" },
		{ "I" "I\xcc\x80" "I\xcc\x81" "I\xcc\x89" "I\xcc\x83"
		    "I\xcc\xa3",
		    "i" },
		{ "o" "o\xcc\x80" "o\xcc\x81" "o\xcc\x89" "o\xcc\x83"
		    "o\xcc\xa3" "o\xcc\x82" "o\xcc\x82\xcc\x80"
		    "o\xcc\x82\xcc\x81" "o\xcc\x82\xcc\x89"
		    "o\xcc\x82\xcc\x83" "o\xcc\xa3\xcc\x82" "o\xcc\x9b"
		    "o\xcc\x9b\xcc\x80" "o\xcc\x9b\xcc\x81"
		    "o\xcc\x9b\xcc\x89" "o\xcc\x9b\xcc\x83"
		    "o\xcc\x9b\xcc\xa3",
		    "o" },
		{ "O" "O\xcc\x80" "O\xcc\x81" "O\xcc\x89" "O\xcc\x83"
		    "O\xcc\xa3" "O\xcc\x82" "O\xcc\x82\xcc\x80"
		    "O\xcc\x82\xcc\x81" "O\xcc\x82\xcc\x89"
		    "O\xcc\x82\xcc\x83" "O\xcc\xa3\xcc\x82" "O\xcc\x9b"
		    "O\xcc\x9b\xcc\x80" "O\xcc\x9b\xcc\x81"
		    "O\xcc\x9b\xcc\x89" "O\xcc\x9b\xcc\x83"
		    "O\xcc\x9b\xcc\xa3",
		    "o" },
		{ "u" "u\xcc\x80" "u\xcc\x81" "u\xcc\x89" "u\xcc\x83"
		    "u\xcc\xa3" "u\xcc\x9b" "u\xcc\x9b\xcc\x80"
		    "u\xcc\x9b\xcc\x81" "u\xcc\x9b\xcc\x89"
		    "u\xcc\x9b\xcc\x83" "u\xcc\x9b\xcc\xa3",
		    "u" },
		{ "U" "U\xcc\x80" "U\xcc\x81" "U\xcc\x89" "U\xcc\x83"
		    "U\xcc\xa3" "U\xcc\x9b" "U\xcc\x9b\xcc\x80"
		    "U\xcc\x9b\xcc\x81" "U\xcc\x9b\xcc\x89"
		    "U\xcc\x9b\xcc\x83" "U\xcc\x9b\xcc\xa3",
		    "u" },
		{ "y" "y\xcc\x80" "y\xcc\x81" "y\xcc\x89" "y\xcc\x83"
		    "y\xcc\xa3",
		    "y" },
		{ "Y" "Y\xcc\x80" "Y\xcc\x81" "Y\xcc\x89" "Y\xcc\x83"
		    "Y\xcc\xa3",
		    "y" },
		{ "d" "\xc4\x91",
		    "d" },
		{ "D" "\xc4\x90",
		    "d" },
};

static void
expect_letters(struct sub_store *s, const char *letters, const char *base)
{
	struct cb_err err;
	char *got = sub_search_terms(s, letters, &err);
	size_t n;

	if (got == NULL)
		fail_msg("%s", err.msg);
	for (n = 0; got[n] != ' '; n++)
		if (got[n] != base[0])
			fail_msg("'%s' folds to '%s'", letters, got);
	assert_string_equal(got + n, " "); /* one word */
	free(got);
}

static void
test_every_vietnamese_letter(void **state)
{
	struct sub_fixture *f = *state;
	size_t i;

	for (i = 0; i < sizeof(nfc) / sizeof(nfc[0]); i++)
		expect_letters(f->s, nfc[i].letters, nfc[i].base);
	for (i = 0; i < sizeof(nfd) / sizeof(nfd[0]); i++)
		expect_letters(f->s, nfd[i].letters, nfd[i].base);
}

/* Decomposed text (NFD: base letter + combining marks) folds the same. */
static void
test_nfd(void **state)
{
	struct sub_fixture *f = *state;

	/* "Nẵng" as N a U+0306 U+0303 n g, "ướ" with U+031B U+0301 */
	expect_terms(f->s, "Na\xcc\x86\xcc\x83ng", "nang ");
	expect_terms(f->s, "\xc4\x91u\xcc\x9bo\xcc\x9b\xcc\x80ng", "duong ");
}

static void
test_other_latin(void **state)
{
	struct sub_fixture *f = *state;

	expect_terms(f->s, "Ærøskøbing Straße Łódź",
	    "aeroskobing strasse lodz ");
	expect_terms(f->s, "Œuvre Þór ĳs", "oeuvre thor ijs ");
	expect_terms(f->s, "Crème brûlée, naïve café",
	    "creme brulee naive cafe ");
	expect_terms(f->s, "ǅemal Ș ț", "dzemal s t ");
}

/* Punctuation separates words; other scripts stay as unicode61 leaves
 * them; a query of punctuation has no word. */
static void
test_words(void **state)
{
	struct sub_fixture *f = *state;

	expect_terms(f->s, "", "");
	expect_terms(f->s, "!!! \xe2\x80\x94 ?", "");
	expect_terms(f->s, "CVE-2024-3400 v1.2_x", "cve 2024 3400 v1 2 x ");
	expect_terms(f->s, "Москва 東京", "москва 東京 ");
}

/* Names compared as the index compares words (the audience filter). */
static void
test_same(void **state)
{
	(void)state;
	assert_true(sub_search_same("Sở TT&TT Đà Nẵng", "SO TT&TT DA NANG"));
	assert_true(sub_search_same("ubnd-quan-1", "UBND quận 1"));
	assert_false(sub_search_same("ubnd-quan-1", "ubnd-quan-2"));
	assert_false(sub_search_same("Đà Nẵng", "Đà Lạt"));
}

/* cb_fold alone: the letters unicode61 leaves, and nothing else, bad
 * bytes included. */
static void
test_fold_table(void **state)
{
	char out[64];
	size_t n;

	(void)state;
	n = cb_fold("đ ð ø ł ß æ œ þ ĳ ǆ ẟ", 33, out);
	assert_string_equal(out, "d d o l ss ae oe th ij dz d");
	assert_int_equal(n, strlen(out));
	/* what unicode61 folds itself is not cb_fold's: kept */
	n = cb_fold("Aé\xcc\x81", 5, out);
	assert_int_equal(n, 5);
	assert_memory_equal(out, "Aé\xcc\x81", 5);
	n = cb_fold("A\xff\xc3(\xe1\xba", 7, out);
	assert_int_equal(n, 7);
	assert_memory_equal(out, "A\xff\xc3(\xe1\xba", 7);
	assert_int_equal(out[n], '\0');
	/* A NUL inside the length is copied, not an end; a sequence cut
	 * at the end is copied as it is. */
	n = cb_fold("A\0B\xc4", 4, out);
	assert_int_equal(n, 4);
	assert_memory_equal(out, "A\0B\xc4", 4);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		SUB_TEST(test_vietnamese),
		SUB_TEST(test_every_vietnamese_letter),
		SUB_TEST(test_nfd),
		SUB_TEST(test_other_latin),
		SUB_TEST(test_words),
		cmocka_unit_test(test_same),
		cmocka_unit_test(test_fold_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
