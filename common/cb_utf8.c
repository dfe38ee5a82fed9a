/*
 * cb_utf8: UTF-8 validation, decoding, cuts, widths and terminal-safe
 * copies (see cb_utf8.h).
 */
#define _XOPEN_SOURCE 700 /* wcwidth */
#include <locale.h>
#include <pthread.h>
#include <string.h>
#include <wchar.h>

#include "cb_buf.h"
#include "cb_mem.h"
#include "cb_utf8.h"

/* Length of the well-formed sequence at s (at most n bytes), or 0. */
static size_t
seqlen(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];

	if (c >= 0x01 && c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		if (n >= 2 && (s[1] & 0xc0) == 0x80)
			return 2;
		return 0;
	}
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && s[1] < 0xa0)
			return 0; /* overlong */
		if (c == 0xed && s[1] >= 0xa0)
			return 0; /* surrogate */
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || (s[1] & 0xc0) != 0x80 ||
		    (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && s[1] < 0x90)
			return 0; /* overlong */
		if (c == 0xf4 && s[1] >= 0x90)
			return 0; /* above U+10FFFF */
		return 4;
	}
	return 0;
}

int
cb_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;

	while (i < len) {
		k = seqlen(p + i, len - i);
		if (k == 0)
			return 0;
		i += k;
	}
	return 1;
}

size_t
cb_utf8_decode(const char *s, size_t n, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t k = n > 0 ? seqlen(p, n) : 0, i;
	static const unsigned char lead_mask[] = { 0, 0x7f, 0x1f, 0x0f, 0x07 };
	uint32_t v;

	if (k == 0) {
		*cp = 0xfffd;
		return 0;
	}
	v = p[0] & lead_mask[k];
	for (i = 1; i < k; i++)
		v = (v << 6) | (p[i] & 0x3f);
	*cp = v;
	return k;
}

size_t
cb_utf8_encode(unsigned long cp, char *out)
{
	unsigned char *o = (unsigned char *)out;

	if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xc0 | (cp >> 6));
		o[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xe0 | (cp >> 12));
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (unsigned char)(0xf0 | (cp >> 18));
	o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

/* --- widths and cuts ------------------------------------------------- */

static pthread_once_t width_once = PTHREAD_ONCE_INIT;
static locale_t width_locale;

static void
width_init(void)
{
	width_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

/* Width of a code point at or above U+00A0 under C.UTF-8; 1 when that
 * locale is missing or has no answer (an unassigned code point). */
static int
wide_width(uint32_t cp)
{
	locale_t old;
	int w;

	pthread_once(&width_once, width_init);
	if (width_locale == (locale_t)0)
		return 1;
	old = uselocale(width_locale);
	w = wcwidth((wchar_t)cp);
	uselocale(old);
	return w < 0 ? 1 : w;
}

int
cb_utf8_cp_width(uint32_t cp)
{
	if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
		return 0;
	if (cp < 0x7f)
		return 1;
	return wide_width(cp);
}

/* Bytes and columns of the character at s (at most n bytes); an
 * invalid byte is one byte of one column. */
static size_t
step(const char *s, size_t n, int *cols)
{
	uint32_t cp;
	size_t k = cb_utf8_decode(s, n, &cp);

	*cols = k == 0 ? 1 : cb_utf8_cp_width(cp);
	return k == 0 ? 1 : k;
}

size_t
cb_utf8_width(const char *s)
{
	size_t n = strlen(s), i = 0, w = 0;
	int c;

	while (i < n) {
		i += step(s + i, n - i, &c);
		w += (size_t)c;
	}
	return w;
}

int
cb_utf8_field(const char *s, size_t cols)
{
	size_t w = cb_utf8_width(s), n = strlen(s);

	return (int)(w >= cols ? n : n + cols - w);
}

size_t
cb_utf8_prefix_bytes(const char *s, size_t max)
{
	size_t n = strlen(s), i = 0, k;
	uint32_t cp;

	if (n <= max)
		return n;
	while (i < max) {
		k = cb_utf8_decode(s + i, n - i, &cp);
		if (k == 0)
			k = 1;
		if (i + k > max)
			break;
		i += k;
	}
	return i;
}

size_t
cb_utf8_prefix_cols(const char *s, size_t cols, size_t *width)
{
	size_t n = strlen(s), i = 0, w = 0, k;
	int c;

	while (i < n) {
		k = step(s + i, n - i, &c);
		if (w + (size_t)c > cols)
			break;
		w += (size_t)c;
		i += k;
	}
	if (width != NULL)
		*width = w;
	return i;
}

void
cb_utf8_clip_bytes(char *s, size_t max)
{
	size_t n;

	if (s == NULL || strlen(s) <= max)
		return;
	if (max < CB_UTF8_ELLIPSIS_LEN) {
		s[cb_utf8_prefix_bytes(s, max)] = '\0';
		return;
	}
	n = cb_utf8_prefix_bytes(s, max - CB_UTF8_ELLIPSIS_LEN);
	memcpy(s + n, CB_UTF8_ELLIPSIS, CB_UTF8_ELLIPSIS_LEN + 1);
}

char *
cb_utf8_clip_cols(const char *s, size_t cols)
{
	size_t n = cb_utf8_prefix_cols(s, cols, NULL);

	if (s[n] == '\0')
		return cb_xstrdup(s);
	n = cols > 0 ? cb_utf8_prefix_cols(s, cols - 1, NULL) : 0;
	return cb_xasprintf("%.*s%s", (int)n, s, CB_UTF8_ELLIPSIS);
}

/* --- printable copies ------------------------------------------------ */

/* Skip an ANSI escape sequence starting at p[0] == ESC; returns its
 * length (CSI and OSC forms, else ESC plus one byte). */
static size_t
escape_len(const unsigned char *p, size_t n)
{
	size_t i;

	if (n < 2)
		return 1;
	if (p[1] == '[') {
		for (i = 2; i < n; i++)
			if (p[i] >= 0x40 && p[i] <= 0x7e)
				return i + 1;
		return n;
	}
	if (p[1] == ']') {
		for (i = 2; i < n; i++) {
			if (p[i] == 0x07)
				return i + 1;
			if (p[i] == 0x1b && i + 1 < n && p[i + 1] == '\\')
				return i + 2;
		}
		return n;
	}
	return 2;
}

char *
cb_utf8_printable(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, k;
	struct cb_buf out;

	cb_buf_init(&out, n * 3 + 1);
	while (i < n) {
		if (p[i] == 0x1b) {
			i += escape_len(p + i, n - i);
			continue;
		}
		if (p[i] == '\n' || p[i] == '\t' || p[i] == '\r') {
			cb_buf_append(&out, " ", 1, NULL);
			i++;
			continue;
		}
		if (p[i] < 0x20 || p[i] == 0x7f) {
			i++;
			continue;
		}
		k = seqlen(p + i, n - i);
		if (k == 0) {
			cb_buf_append(&out, "\xef\xbf\xbd", 3, NULL);
			i++;
			continue;
		}
		/* C1 controls U+0080..U+009F are encoded as C2 80..C2 9F. */
		if (k == 2 && p[i] == 0xc2 && p[i + 1] < 0xa0) {
			i += 2;
			continue;
		}
		cb_buf_append(&out, p + i, k, NULL);
		i += k;
	}
	return cb_buf_detach(&out, NULL);
}
