/* cb_fold: the letters FTS5's unicode61 does not fold (see cb_fold.h). */
#include <stdlib.h>
#include <string.h>

#include "cb_fold.h"

/*
 * Each letter unicode61 (remove_diacritics 2) leaves as it is, and what
 * it folds to, sorted by UTF-8 bytes.  Made by running every code point
 * of U+00C0-U+024F and U+1E00-U+1EFF through unicode61 with
 * remove_diacritics 0 and 2: the words that came out different from
 * those of the former fold table (the NFD base letter, lower-cased; by
 * hand the letters without a decomposition) are these.
 */
struct fold {
	char from[4]; /* UTF-8, 2 or 3 bytes */
	char to[3];
};

static const struct fold folds[] = {
	{ "ß", "ss" }, /* U+00DF latin small letter sharp s */
	{ "æ", "ae" }, /* U+00E6 latin small letter ae */
	{ "ð", "d" }, /* U+00F0 latin small letter eth */
	{ "ø", "o" }, /* U+00F8 latin small letter o with stroke */
	{ "þ", "th" }, /* U+00FE latin small letter thorn */
	{ "đ", "d" }, /* U+0111 latin small letter d with stroke */
	{ "ħ", "h" }, /* U+0127 latin small letter h with stroke */
	{ "ı", "i" }, /* U+0131 latin small letter dotless i */
	{ "ĳ", "ij" }, /* U+0133 latin small ligature ij */
	{ "ĸ", "k" }, /* U+0138 latin small letter kra */
	{ "ŀ", "l" }, /* U+0140 latin small letter l with middle dot */
	{ "ł", "l" }, /* U+0142 latin small letter l with stroke */
	{ "ŉ", "n" }, /* U+0149 latin small letter n preceded by apostrophe */
	{ "ŋ", "n" }, /* U+014B latin small letter eng */
	{ "œ", "oe" }, /* U+0153 latin small ligature oe */
	{ "ŧ", "t" }, /* U+0167 latin small letter t with stroke */
	{ "ƀ", "b" }, /* U+0180 latin small letter b with stroke */
	{ "ƃ", "b" }, /* U+0183 latin small letter b with topbar */
	{ "ƈ", "c" }, /* U+0188 latin small letter c with hook */
	{ "ƌ", "d" }, /* U+018C latin small letter d with topbar */
	{ "ƒ", "f" }, /* U+0192 latin small letter f with hook */
	{ "ƙ", "k" }, /* U+0199 latin small letter k with hook */
	{ "ƚ", "l" }, /* U+019A latin small letter l with bar */
	{ "ƞ", "n" }, /* U+019E latin small letter n with long right leg */
	{ "ƥ", "p" }, /* U+01A5 latin small letter p with hook */
	{ "ƫ", "t" }, /* U+01AB latin small letter t with palatal hook */
	{ "ƭ", "t" }, /* U+01AD latin small letter t with hook */
	{ "ƴ", "y" }, /* U+01B4 latin small letter y with hook */
	{ "ƶ", "z" }, /* U+01B6 latin small letter z with stroke */
	{ "ǆ", "dz" }, /* U+01C6 latin small letter dz with caron */
	{ "ǉ", "lj" }, /* U+01C9 latin small letter lj */
	{ "ǌ", "nj" }, /* U+01CC latin small letter nj */
	{ "ǡ", "a" }, /* U+01E1 latin small letter a with dot above and macron */
	{ "ǣ", "ae" }, /* U+01E3 latin small letter ae with macron */
	{ "ǥ", "g" }, /* U+01E5 latin small letter g with stroke */
	{ "ǳ", "dz" }, /* U+01F3 latin small letter dz */
	{ "ǽ", "ae" }, /* U+01FD latin small letter ae with acute */
	{ "ǿ", "o" }, /* U+01FF latin small letter o with stroke and acute */
	{ "ȡ", "d" }, /* U+0221 latin small letter d with curl */
	{ "ȥ", "z" }, /* U+0225 latin small letter z with hook */
	{ "ȴ", "l" }, /* U+0234 latin small letter l with curl */
	{ "ȵ", "n" }, /* U+0235 latin small letter n with curl */
	{ "ȶ", "t" }, /* U+0236 latin small letter t with curl */
	{ "ȷ", "j" }, /* U+0237 latin small letter dotless j */
	{ "ȸ", "db" }, /* U+0238 latin small letter db digraph */
	{ "ȹ", "qp" }, /* U+0239 latin small letter qp digraph */
	{ "ȼ", "c" }, /* U+023C latin small letter c with stroke */
	{ "ȿ", "s" }, /* U+023F latin small letter s with swash tail */
	{ "ɀ", "z" }, /* U+0240 latin small letter z with swash tail */
	{ "ɇ", "e" }, /* U+0247 latin small letter e with stroke */
	{ "ɉ", "j" }, /* U+0249 latin small letter j with stroke */
	{ "ɋ", "q" }, /* U+024B latin small letter q with hook tail */
	{ "ɍ", "r" }, /* U+024D latin small letter r with stroke */
	{ "ɏ", "y" }, /* U+024F latin small letter y with stroke */
	{ "ẚ", "a" }, /* U+1E9A latin small letter a with right half ring */
	{ "ẜ", "s" }, /* U+1E9C latin small letter long s with diagonal stroke */
	{ "ẝ", "s" }, /* U+1E9D latin small letter long s with high stroke */
	{ "ẟ", "d" }, /* U+1E9F latin small letter delta */
};

/* The text at p (n bytes left), as bsearch looks it up in folds. */
struct key {
	const char *p;
	size_t n;
};

static int
cmp_fold(const void *k, const void *e)
{
	const struct key *key = k;
	const struct fold *f = e;
	size_t flen = strlen(f->from);
	int c = memcmp(key->p, f->from, key->n < flen ? key->n : flen);

	return c != 0 ? c : key->n < flen ? -1 : 0;
}

size_t
cb_fold(const char *s, size_t len, char *out)
{
	const struct fold *f;
	struct key key;
	size_t i = 0, o = 0, flen;

	while (i < len) {
		if ((unsigned char)s[i] < 0xc3) { /* before U+00C0 */
			out[o++] = s[i++];
			continue;
		}
		key.p = s + i;
		key.n = len - i;
		f = bsearch(&key, folds, sizeof(folds) / sizeof(folds[0]),
		    sizeof(folds[0]), cmp_fold);
		if (f == NULL) {
			out[o++] = s[i++];
			continue;
		}
		flen = strlen(f->to);
		memcpy(out + o, f->to, flen);
		o += flen;
		i += strlen(f->from);
	}
	out[o] = '\0';
	return o;
}
