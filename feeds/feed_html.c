/*
 * feed_html: HTML fragments to plain text (see feed_html.h).
 *
 * A small hand-written tokenizer rather than libxml2's HTML parser: we
 * only need the text, in one pass, with full control over white space
 * and line breaks, and without building (and later freeing) a tree for
 * hostile input.  The table of named character references is libxml2's
 * (htmlEntityLookup, a plain lookup with no parser state).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>

#include "cb_mem.h"
#include "cb_utf8.h"
#include "feed_html.h"

/* White space waiting to be written before the next visible text;
 * stronger breaks win, and none is written at the start or the end. */
enum gap { GAP_NONE = 0, GAP_SPACE, GAP_LINE, GAP_PARA };

struct out {
	char *v;
	size_t n, cap;
	enum gap gap;
};

static void
out_raw(struct out *o, const char *s, size_t n)
{
	if (o->n + n + 1 > o->cap) {
		o->cap = (o->n + n + 1) * 2;
		o->v = cb_xrealloc(o->v, o->cap);
	}
	memcpy(o->v + o->n, s, n);
	o->n += n;
	o->v[o->n] = '\0';
}

/* Visible text: write the pending gap first. */
static void
out_text(struct out *o, const char *s, size_t n)
{
	static const char *const gaps[] = { "", " ", "\n", "\n\n" };

	if (o->n > 0 && o->gap != GAP_NONE)
		out_raw(o, gaps[o->gap], strlen(gaps[o->gap]));
	o->gap = GAP_NONE;
	out_raw(o, s, n);
}

static void
out_gap(struct out *o, enum gap g)
{
	if (g > o->gap)
		o->gap = g;
}

/* Windows-1252 for the C1 range, as HTML reads "&#150;" (U+2013). */
static unsigned long
cp1252(unsigned long cp)
{
	static const unsigned short c1[32] = { 0x20ac, 0, 0x201a, 0x0192,
		0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039,
		0x0152, 0, 0x017d, 0, 0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022,
		0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0,
		0x017e, 0x0178 };

	if (cp >= 0x80 && cp <= 0x9f)
		return c1[cp - 0x80] != 0 ? c1[cp - 0x80] : 0xfffd;
	return cp;
}

/* One decoded character: white space becomes a gap, other control
 * characters vanish, anything unencodable becomes U+FFFD. */
static void
out_char(struct out *o, unsigned long cp)
{
	char buf[4];
	size_t n;

	cp = cp1252(cp);
	if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' ||
	    cp == 0xa0) {
		out_gap(o, GAP_SPACE);
		return;
	}
	if ((cp > 0 && cp < 0x20) || cp == 0x7f)
		return;
	if ((n = cb_utf8_encode(cp, buf)) == 0)
		n = cb_utf8_encode(0xfffd, buf);
	out_text(o, buf, n);
}

/* Decode the character reference at p ("&..."); returns the bytes it
 * used, or 0 when it is not one (then '&' is literal text). */
static size_t
char_ref(const char *p, unsigned long *cp)
{
	const htmlEntityDesc *d;
	char name[33];
	size_t i = 1, start;
	int hex = 0;

	if (p[i] == '#') {
		i++;
		if (p[i] == 'x' || p[i] == 'X') {
			hex = 1;
			i++;
		}
		start = i;
		*cp = 0;
		while (hex ? isxdigit((unsigned char)p[i])
			   : isdigit((unsigned char)p[i])) {
			unsigned long d1 = isdigit((unsigned char)p[i])
			    ? (unsigned long)(p[i] - '0')
			    : (unsigned long)(tolower((unsigned char)p[i]) -
				  'a' + 10);

			if (*cp <= 0x10ffff)
				*cp = *cp * (hex ? 16 : 10) + d1;
			i++;
		}
		if (i == start)
			return 0;
		if (*cp > 0x10ffff)
			*cp = 0xfffd;
		return p[i] == ';' ? i + 1 : i;
	}
	for (start = i; isalnum((unsigned char)p[i]) && i - start < 32; i++)
		name[i - start] = p[i];
	name[i - start] = '\0';
	if (i == start || p[i] != ';' || !isalpha((unsigned char)name[0]))
		return 0;
	if ((d = htmlEntityLookup((const xmlChar *)name)) == NULL)
		return 0;
	*cp = d->value;
	return i + 1;
}

/* Elements that separate blocks of text, and how strongly. */
static enum gap
tag_gap(const char *name)
{
	static const char *const para[] = { "p", "h1", "h2", "h3", "h4", "h5",
		"h6", "ul", "ol", "dl", "table", "blockquote", "pre", "hr",
		"section", "article", "header", "footer", "aside", "figure",
		"details", NULL };
	static const char *const line[] = { "br", "div", "li", "tr", "dt", "dd",
		"caption", "summary", "figcaption", "address", "nav", "main",
		NULL };
	static const char *const space[] = { "td", "th", "img", NULL };
	size_t i;

	for (i = 0; para[i] != NULL; i++)
		if (strcasecmp(name, para[i]) == 0)
			return GAP_PARA;
	for (i = 0; line[i] != NULL; i++)
		if (strcasecmp(name, line[i]) == 0)
			return GAP_LINE;
	for (i = 0; space[i] != NULL; i++)
		if (strcasecmp(name, space[i]) == 0)
			return GAP_SPACE;
	return GAP_NONE;
}

/* The first place in s where needle (whose first character is not a
 * letter) starts, compared without case; NULL when nowhere. */
static const char *
find_nocase(const char *s, const char *needle)
{
	size_t n = strlen(needle);

	for (; *s != '\0'; s++)
		if (tolower((unsigned char)*s) == needle[0] &&
		    strncasecmp(s, needle, n) == 0)
			return s;
	return NULL;
}

/* The end of the tag starting at p (just past its '>'), honouring
 * quoted attribute values; *selfclose tells whether it ended in "/>".
 * Returns NULL when the tag never ends. */
static const char *
tag_end(const char *p, int *selfclose)
{
	char q;

	*selfclose = 0;
	for (; *p != '\0'; p++) {
		if (*p == '>')
			return p + 1;
		*selfclose = *p == '/';
		if (*p != '=')
			continue;
		p++;
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (*p != '"' && *p != '\'') {
			p--;
			continue;
		}
		q = *p;
		if ((p = strchr(p + 1, q)) == NULL)
			return NULL;
	}
	return NULL;
}

/* The element name after "<" or "</" (letters and digits, at most 15
 * kept); returns the bytes it used. */
static size_t
tag_name(const char *p, char *name, size_t size)
{
	size_t i;

	for (i = 0; isalnum((unsigned char)p[i]); i++)
		if (i + 1 < size)
			name[i] = p[i];
	name[i + 1 < size ? i : size - 1] = '\0';
	return i;
}

/* Skip the content of a script or style element up to its end tag. */
static const char *
skip_raw(const char *p, const char name[16])
{
	char close[20];
	const char *e;
	int selfclose;

	snprintf(close, sizeof(close), "</%s", name);
	for (e = p; (e = find_nocase(e, close)) != NULL; e++) {
		if (!isalnum((unsigned char)e[strlen(close)]))
			break;
	}
	if (e == NULL || (e = tag_end(e, &selfclose)) == NULL)
		return p + strlen(p);
	return e;
}

/* Handle the markup at p ('<'); returns where text resumes, or NULL
 * when the '<' is literal text. */
static const char *
markup(struct out *o, const char *p)
{
	const char *e;
	char name[16];
	size_t n;
	int closing = p[1] == '/', selfclose;

	if (strncmp(p, "<!--", 4) == 0) {
		e = strstr(p + 4, "-->");
		return e != NULL ? e + 3 : p + strlen(p);
	}
	if (p[1] == '!' || p[1] == '?') { /* <!DOCTYPE, <![CDATA[, <? */
		e = strchr(p, '>');
		return e != NULL ? e + 1 : p + strlen(p);
	}
	if (!isalpha((unsigned char)p[1 + closing]))
		return NULL;
	n = tag_name(p + 1 + closing, name, sizeof(name));
	if ((e = tag_end(p + 1 + closing + n, &selfclose)) == NULL)
		return p + strlen(p); /* an unfinished tag ends the text */
	out_gap(o, tag_gap(name));
	if (!closing && !selfclose &&
	    (strcasecmp(name, "script") == 0 || strcasecmp(name, "style") == 0))
		return skip_raw(e, name);
	return e;
}

char *
feed_html_to_text(const char *html)
{
	struct out o = { NULL, 0, 0, GAP_NONE };
	const char *p = html, *next;
	unsigned long cp;
	uint32_t u; /* a NUL ends a short sequence before it is overread */
	size_t n;

	if (html == NULL)
		return NULL;
	out_raw(&o, "", 0);
	while (*p != '\0') {
		if (*p == '<' && (next = markup(&o, p)) != NULL) {
			p = next;
		} else if (*p == '&' && (n = char_ref(p, &cp)) > 0) {
			out_char(&o, cp);
			p += n;
		} else if ((unsigned char)*p < 0x80) {
			out_char(&o, (unsigned char)*p++);
		} else if ((n = cb_utf8_decode(p, 4, &u)) == 0) {
			out_char(&o, 0xfffd);
			p++;
		} else {
			if (n == 2 && (unsigned char)p[0] == 0xc2 &&
			    (unsigned char)p[1] == 0xa0)
				out_gap(&o, GAP_SPACE); /* no-break space */
			else
				out_text(&o, p, n);
			p += n;
		}
	}
	return o.v;
}

/* 1 when the tag at p ('<') names a known HTML element. */
static int
known_tag(const char *p)
{
	static const char *const tags[] = { "a", "abbr", "acronym", "b", "big",
		"body", "cite", "code", "del", "dfn", "em", "font", "head",
		"html", "i", "img", "ins", "kbd", "mark", "q", "s", "samp",
		"script", "small", "span", "strike", "strong", "style", "sub",
		"sup", "tbody", "tfoot", "thead", "title", "tt", "u", "var",
		NULL };
	char name[16];
	size_t i, n;

	p += p[1] == '/' ? 2 : 1;
	if (!isalpha((unsigned char)*p))
		return 0;
	n = tag_name(p, name, sizeof(name));
	if (p[n] != '>' && p[n] != '/' && !isspace((unsigned char)p[n]))
		return 0;
	if (tag_gap(name) != GAP_NONE)
		return 1;
	for (i = 0; tags[i] != NULL; i++)
		if (strcasecmp(name, tags[i]) == 0)
			return 1;
	return 0;
}

int
feed_html_detect(const char *s)
{
	unsigned long cp;
	size_t n;

	if (s == NULL)
		return 0;
	for (; (s = strpbrk(s, "<&")) != NULL; s++) {
		if (*s == '&' && (n = char_ref(s, &cp)) > 0 && s[n - 1] == ';')
			return 1;
		if (*s == '<' && (strncmp(s, "<!--", 4) == 0 || known_tag(s)))
			return 1;
	}
	return 0;
}

char *
feed_html_plain(const char *s)
{
	const char *end;
	char *r;

	if (s == NULL)
		return NULL;
	if (feed_html_detect(s)) {
		r = feed_html_to_text(s);
		if (*r == '\0') {
			free(r);
			return NULL;
		}
		return r;
	}
	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	return end > s ? cb_xstrndup(s, (size_t)(end - s)) : NULL;
}
