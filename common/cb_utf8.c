/* cb_utf8: UTF-8 validation and terminal-safe copies (see cb_utf8.h). */
#include <string.h>

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
