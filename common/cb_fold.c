/* cb_fold: Vietnamese-aware folding for search (see cb_fold.h). */
#include <string.h>

#include "cb_fold.h"
#include "cb_mem.h"

/*
 * What each code point of U+00C0-U+024F and U+1E00-U+1EFF folds to ("":
 * kept as it is).  Made with Python's unicodedata: the NFD base letter,
 * lower-cased, for letters whose base is ASCII, plus by hand the letters
 * that have no decomposition (đ, ð, ø, ł, ħ, ŧ, ß, æ, œ, þ, ĳ, ŋ, ...).
 */
static const char fold_latin[400][3] = {
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i",
	"i", "i", "d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u",
	"u", "y", "th", "ss", "a", "a", "a", "a", "a", "a", "ae", "c", "e",
	"e", "e", "e", "i", "i", "i", "i", "d", "n", "o", "o", "o", "o", "o",
	"", "o", "u", "u", "u", "u", "y", "th", "y", "a", "a", "a", "a", "a",
	"a", "c", "c", "c", "c", "c", "c", "c", "c", "d", "d", "d", "d", "e",
	"e", "e", "e", "e", "e", "e", "e", "e", "e", "g", "g", "g", "g", "g",
	"g", "g", "g", "h", "h", "h", "h", "i", "i", "i", "i", "i", "i", "i",
	"i", "i", "i", "ij", "ij", "j", "j", "k", "k", "k", "l", "l", "l",
	"l", "l", "l", "l", "l", "l", "l", "n", "n", "n", "n", "n", "n", "n",
	"n", "n", "o", "o", "o", "o", "o", "o", "oe", "oe", "r", "r", "r",
	"r", "r", "r", "s", "s", "s", "s", "s", "s", "s", "s", "t", "t", "t",
	"t", "t", "t", "u", "u", "u", "u", "u", "u", "u", "u", "u", "u", "u",
	"u", "w", "w", "y", "y", "y", "z", "z", "z", "z", "z", "z", "s", "b",
	"b", "b", "b", "", "", "", "c", "c", "d", "d", "d", "d", "", "", "",
	"", "f", "f", "g", "", "", "", "i", "k", "k", "l", "", "", "n", "n",
	"o", "o", "o", "", "", "p", "p", "", "", "", "", "", "t", "t", "t",
	"t", "u", "u", "", "v", "y", "y", "z", "z", "", "", "", "", "", "",
	"", "", "", "", "", "", "", "dz", "dz", "dz", "lj", "lj", "lj", "nj",
	"nj", "nj", "a", "a", "i", "i", "o", "o", "u", "u", "u", "u", "u",
	"u", "u", "u", "u", "u", "", "a", "a", "a", "a", "ae", "ae", "g", "g",
	"g", "g", "k", "k", "o", "o", "o", "o", "", "", "j", "dz", "dz", "dz",
	"g", "g", "", "", "n", "n", "a", "a", "ae", "ae", "o", "o", "a", "a",
	"a", "a", "e", "e", "e", "e", "i", "i", "i", "i", "o", "o", "o", "o",
	"r", "r", "r", "r", "u", "u", "u", "u", "s", "s", "t", "t", "", "",
	"h", "h", "n", "d", "", "", "z", "z", "a", "a", "e", "e", "o", "o",
	"o", "o", "o", "o", "o", "o", "y", "y", "l", "n", "t", "j", "db",
	"qp", "a", "c", "c", "l", "t", "s", "z", "", "", "b", "u", "", "e",
	"e", "j", "j", "q", "q", "r", "r", "y", "y",
};
static const char fold_extra[256][3] = {
	"a", "a", "b", "b", "b", "b", "b", "b", "c", "c", "d", "d", "d", "d",
	"d", "d", "d", "d", "d", "d", "e", "e", "e", "e", "e", "e", "e", "e",
	"e", "e", "f", "f", "g", "g", "h", "h", "h", "h", "h", "h", "h", "h",
	"h", "h", "i", "i", "i", "i", "k", "k", "k", "k", "k", "k", "l", "l",
	"l", "l", "l", "l", "l", "l", "m", "m", "m", "m", "m", "m", "n", "n",
	"n", "n", "n", "n", "n", "n", "o", "o", "o", "o", "o", "o", "o", "o",
	"p", "p", "p", "p", "r", "r", "r", "r", "r", "r", "r", "r", "s", "s",
	"s", "s", "s", "s", "s", "s", "s", "s", "t", "t", "t", "t", "t", "t",
	"t", "t", "u", "u", "u", "u", "u", "u", "u", "u", "u", "u", "v", "v",
	"v", "v", "w", "w", "w", "w", "w", "w", "w", "w", "w", "w", "x", "x",
	"x", "x", "y", "y", "z", "z", "z", "z", "z", "z", "h", "t", "w", "y",
	"a", "s", "s", "s", "ss", "d", "a", "a", "a", "a", "a", "a", "a", "a",
	"a", "a", "a", "a", "a", "a", "a", "a", "a", "a", "a", "a", "a", "a",
	"a", "a", "e", "e", "e", "e", "e", "e", "e", "e", "e", "e", "e", "e",
	"e", "e", "e", "e", "i", "i", "i", "i", "o", "o", "o", "o", "o", "o",
	"o", "o", "o", "o", "o", "o", "o", "o", "o", "o", "o", "o", "o", "o",
	"o", "o", "o", "o", "u", "u", "u", "u", "u", "u", "u", "u", "u", "u",
	"u", "u", "u", "u", "y", "y", "y", "y", "y", "y", "y", "y", "", "",
	"", "", "", "",
};

/* The code point of the well-formed UTF-8 sequence at p (n bytes left)
 * and its length in *len, or -1 when it is not well-formed. */
static long
decode(const unsigned char *p, size_t n, size_t *len)
{
	unsigned long cp;
	size_t k, i;

	if (p[0] < 0xc2 || p[0] > 0xf4)
		return -1;
	k = p[0] < 0xe0 ? 2 : p[0] < 0xf0 ? 3 : 4;
	if (n < k)
		return -1;
	cp = p[0] & (0x7fu >> k);
	for (i = 1; i < k; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return -1;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((k == 3 && cp < 0x800) || (k == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	*len = k;
	return (long)cp;
}

/* The folded form of cp, "" to drop it, or NULL to keep it. */
static const char *
fold_cp(long cp)
{
	const char *f = NULL;

	if (cp >= 0x300 && cp <= 0x36f)
		return "";
	if (cp >= 0xc0 && cp <= 0x24f)
		f = fold_latin[cp - 0xc0];
	else if (cp >= 0x1e00 && cp <= 0x1eff)
		f = fold_extra[cp - 0x1e00];
	return f != NULL && *f != '\0' ? f : NULL;
}

size_t
cb_fold(const char *s, size_t len, char *out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, o = 0, k = 0, flen;
	const char *f;
	long cp;

	while (i < len) {
		if (p[i] < 0x80) {
			out[o++] = (char)(p[i] >= 'A' && p[i] <= 'Z' ?
				p[i] + ('a' - 'A') : p[i]);
			i++;
			continue;
		}
		cp = decode(p + i, len - i, &k);
		if (cp < 0) {
			out[o++] = (char)p[i++];
			continue;
		}
		f = fold_cp(cp);
		if (f == NULL) {
			memcpy(out + o, p + i, k);
			o += k;
		} else {
			flen = strlen(f);
			memcpy(out + o, f, flen);
			o += flen;
		}
		i += k;
	}
	out[o] = '\0';
	return o;
}

char *
cb_fold_dup(const char *s)
{
	size_t len = strlen(s);
	char *out = cb_xmalloc(len + 1);

	cb_fold(s, len, out);
	return out;
}
