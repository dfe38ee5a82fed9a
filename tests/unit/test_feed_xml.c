/*
 * Unit tests for feed_xml (safe parsing, tree and text helpers) and
 * feed_html (HTML fragments to text).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cb_test.h"
#include "cb_utf8.h"
#include "feed.h"
#include "feed_html.h"
#include "feed_xml.h"

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

/* Parse s; fail the test unless it is refused with a message holding
 * every one of the needles (NULL-terminated). */
static void
expect_refused(const char *s, size_t len, ...)
{
	struct cb_err err = { "" };
	const char *needle;
	xmlDocPtr doc;
	va_list ap;

	doc = feed_xml_read(s, len, "test", &err);
	if (doc != NULL) {
		xmlFreeDoc(doc);
		fail_msg("document accepted: %.80s", s);
	}
	va_start(ap, len);
	while ((needle = va_arg(ap, const char *)) != NULL)
		if (strstr(err.msg, needle) == NULL)
			fail_msg("error '%s' does not mention '%s'", err.msg,
			    needle);
	va_end(ap);
	assert_true(strncmp(err.msg, "test: xml: ", 11) == 0);
}

static xmlDocPtr
must_read(const char *s, size_t len)
{
	struct cb_err err = { "" };
	xmlDocPtr doc = feed_xml_read(s, len, "test", &err);

	if (doc == NULL)
		fail_msg("document refused: %s", err.msg);
	return doc;
}

static void
test_helpers(void **state)
{
	static const char xml[] =
	    "<?xml version=\"1.0\"?>\n"
	    "<c:alert xmlns:c=\"urn:oasis:names:tc:emergency:cap:1.2\""
	    " xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
	    "  <c:info rdf:about=\" http://a.example/1 \">one</c:info>\n"
	    "  <note>skip</note>\n"
	    "  <info>  <![CDATA[two <b>]]> &amp; more \n</info>\n"
	    "  <info>   </info>\n"
	    "</c:alert>\n";
	xmlDocPtr doc = must_read(xml, sizeof(xml) - 1);
	const xmlNode *root = xmlDocGetRootElement(doc), *n;
	char *s;

	(void)state;
	assert_true(feed_xml_is(root, "alert"));
	assert_false(feed_xml_is(root, "info"));
	assert_true(feed_xml_ns_is(root, "urn:oasis:names:tc:emergency:cap:"));
	assert_false(feed_xml_ns_is(root, "http://www.w3.org/2005/Atom"));
	n = feed_xml_child(root, "info");
	assert_non_null(n);
	s = feed_xml_attr(n, "about");
	assert_string_equal(s, "http://a.example/1");
	free(s);
	assert_null(feed_xml_attr(n, "missing"));
	s = feed_xml_text(n);
	assert_string_equal(s, "one");
	free(s);
	n = feed_xml_next(n, "info");
	s = feed_xml_text(n);
	assert_string_equal(s, "two <b> & more");
	free(s);
	n = feed_xml_next(n, "info");
	assert_non_null(n);
	assert_null(feed_xml_text(n)); /* blank */
	assert_null(feed_xml_next(n, "info"));
	assert_null(feed_xml_child(root, "nothing"));
	assert_null(feed_xml_child_text(root, "nothing"));
	assert_null(feed_xml_text(NULL));
	xmlFreeDoc(doc);
}

static void
test_inner(void **state)
{
	static const char xml[] = "<content type=\"xhtml\"><div "
				  "xmlns=\"http://www.w3.org/1999/xhtml\">"
				  "<p>a &lt; b</p></div></content>";
	xmlDocPtr doc = must_read(xml, sizeof(xml) - 1);
	char *s = feed_xml_inner(xmlDocGetRootElement(doc));

	(void)state;
	assert_non_null(s);
	assert_non_null(strstr(s, "<p>a &lt; b</p>"));
	free(s);
	xmlFreeDoc(doc);
}

/* The ISO-8859-1 CAP sample comes out as UTF-8. */
static void
test_latin1(void **state)
{
	size_t len;
	char *buf = cb_test_fixture("cap/earthquake-iso8859-1.cap", &len);
	xmlDocPtr doc;
	const xmlNode *info;
	char *s;

	(void)state;
	/* The raw bytes are Latin-1: 'á' is the single byte 0xE1. */
	assert_non_null(strstr(buf, "Usulut\xe1n"));
	doc = must_read(buf, len);
	info = feed_xml_child(xmlDocGetRootElement(doc), "info");
	s = feed_xml_child_text(info, "headline");
	assert_string_equal(s,
	    "EQ 4.6 Usulut\xc3\xa1n, Usulut\xc3\xa1n, El "
	    "Salvador - PRELIMINARY REPORT");
	assert_true(cb_utf8_valid(s, strlen(s)));
	free(s);
	xmlFreeDoc(doc);
	free(buf);
}

static void
test_billion_laughs(void **state)
{
	static const char xml[] =
	    "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE lolz [\n"
	    " <!ENTITY lol \"lol\">\n"
	    " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
	    " <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
	    " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
	    " <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
	    " <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
	    " <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
	    " <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
	    " <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
	    " <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
	    "]>\n"
	    "<lolz>&lol9;</lolz>\n";

	(void)state;
	expect_refused(xml, sizeof(xml) - 1, "line 3", "declares entity 'lol'",
	    (char *)NULL);
}

static void
test_parameter_entity(void **state)
{
	static const char xml[] = "<!DOCTYPE r [ <!ENTITY % pe \"<!ENTITY x "
				  "'y'>\"> %pe; ]><r>&x;</r>";

	(void)state;
	expect_refused(xml, sizeof(xml) - 1, "entity 'pe'", (char *)NULL);
}

static void
test_external_entity(void **state)
{
	static const char xxe[] =
	    "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE r [ <!ENTITY xxe SYSTEM \"file:///etc/passwd\"> ]>\n"
	    "<r>&xxe;</r>\n";
	/* A DOCTYPE naming an external DTD is not loaded; a reference to
	 * an entity it might declare is refused, not silently dropped. */
	static const char ext[] = "<?xml version=\"1.0\"?>\n"
				  "<!DOCTYPE r SYSTEM \"file:///etc/passwd\">\n"
				  "<r>a &xxe; b</r>\n";
	static const char plain[] =
	    "<!DOCTYPE r SYSTEM \"file:///etc/passwd\"><r>ok</r>";
	xmlDocPtr doc;

	(void)state;
	expect_refused(xxe, sizeof(xxe) - 1, "line 2", "entity 'xxe'",
	    (char *)NULL);
	expect_refused(ext, sizeof(ext) - 1, "line 3",
	    "undeclared entity '&xxe;'", (char *)NULL);
	doc = must_read(plain, sizeof(plain) - 1);
	assert_null(doc->extSubset); /* never loaded */
	xmlFreeDoc(doc);
}

static void
test_internal_subset(void **state)
{
	static const char elem[] = "<!DOCTYPE r [ <!ELEMENT r ANY> ]><r/>";
	static const char attr[] =
	    "<!DOCTYPE r [ <!ATTLIST r a (x|y) 'x'> ]><r/>";
	static const char comment[] = "<!DOCTYPE r [ <!-- hi --> ]><r/>";
	static const char empty[] = "<!DOCTYPE r []><r/>";

	(void)state;
	expect_refused(elem, sizeof(elem) - 1, "internal subset", (char *)NULL);
	expect_refused(attr, sizeof(attr) - 1, "internal subset", (char *)NULL);
	expect_refused(comment, sizeof(comment) - 1, "internal subset",
	    (char *)NULL);
	xmlFreeDoc(must_read(empty, sizeof(empty) - 1));
}

/* n nested <a> elements. */
static char *
nested(int n)
{
	char *s = malloc((size_t)n * 7 + 1), *p = s;
	int i;

	for (i = 0; i < n; i++, p += 3)
		memcpy(p, "<a>", 3);
	for (i = 0; i < n; i++, p += 4)
		memcpy(p, "</a>", 4);
	*p = '\0';
	return s;
}

static void
test_depth(void **state)
{
	char *s;

	(void)state;
	s = nested(FEED_MAX_DEPTH);
	xmlFreeDoc(must_read(s, strlen(s)));
	free(s);
	s = nested(FEED_MAX_DEPTH + 1);
	expect_refused(s, strlen(s), "deeper than 64", (char *)NULL);
	free(s);
	s = nested(100);
	expect_refused(s, strlen(s), "line 1", "deeper than 64", (char *)NULL);
	free(s);
	s = nested(100000); /* far past libxml2's own limit too */
	expect_refused(s, strlen(s), "deeper than", (char *)NULL);
	free(s);
}

static void
test_bad_utf8(void **state)
{
	static const char bad[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
				  "\n<r>bad \xc3\x28 byte</r>";
	static const char surrogate[] = "<r>\xed\xa0\x80</r>";
	static const char overlong[] = "<r a=\"\xc0\xaf\"/>";
	static const char nul[] = "<r>a\0b</r>";

	(void)state;
	expect_refused(bad, sizeof(bad) - 1, "line 2", "UTF-8", (char *)NULL);
	expect_refused(surrogate, sizeof(surrogate) - 1, "line 1",
	    (char *)NULL);
	expect_refused(overlong, sizeof(overlong) - 1, "line 1", (char *)NULL);
	expect_refused(nul, sizeof(nul) - 1, "line 1", (char *)NULL);
}

static void
test_not_xml(void **state)
{
	static const char json[] = "{\"title\": \"x\"}";
	static const char trunc[] = "<?xml version=\"1.0\"?>\n<rss><channel>"
				    "<item><title>cut";
	static const char malformed[] = "<r>\n<a b= 0/></r>";
	static const char twice[] = "<r/><r/>";

	(void)state;
	expect_refused(json, sizeof(json) - 1, "line 1", "Start tag expected",
	    (char *)NULL);
	expect_refused(trunc, sizeof(trunc) - 1, "line 2", (char *)NULL);
	expect_refused(malformed, sizeof(malformed) - 1, "line 2", "AttValue",
	    (char *)NULL);
	expect_refused(twice, sizeof(twice) - 1, "line 1", (char *)NULL);
	expect_refused("", 0, "empty", (char *)NULL);
}

/* Messages quoting the document stay one line of valid UTF-8, even cut
 * in the middle of a long Vietnamese element name. */
static void
test_message_utf8(void **state)
{
	char doc[2048], *p = doc;
	struct cb_err err;
	int i;

	(void)state;
	*p++ = '<';
	for (i = 0; i < 300; i++, p += 3)
		memcpy(p, "\xe1\xba\xa3", 3); /* "ả" */
	strcpy(p, ">\n</b>");
	assert_null(feed_xml_read(doc, strlen(doc), "test", &err));
	assert_non_null(strstr(err.msg,
	    "line 2: Opening and ending tag "
	    "mismatch"));
	assert_true(cb_utf8_valid(err.msg, strlen(err.msg)));
	assert_null(strchr(err.msg, '\n'));
}

static void
test_size_limit(void **state)
{
	size_t len = FEED_MAX_BODY + 1;
	char *big = malloc(len);

	(void)state;
	memset(big, ' ', len);
	memcpy(big, "<r>", 3);
	memcpy(big + len - 4, "</r>", 4);
	expect_refused(big, len, "more than", (char *)NULL);
	free(big);
}

static int foreign_calls;

static void
foreign_handler(void *data, xmlErrorPtr e)
{
	(void)data;
	(void)e;
	foreign_calls++;
}

/* libxml2 errors reach neither stderr nor a handler someone else set,
 * and that handler is back in place afterwards. */
static void
test_quiet(void **state)
{
	static const char bad[] = "<?xml version=\"1.0\" encoding=\"bogus-9\"?>"
				  "<r>\xff</r><<<";
	struct cb_err err;
	FILE *tmp = tmpfile();
	int saved = dup(2);

	(void)state;
	assert_non_null(tmp);
	xmlSetStructuredErrorFunc(NULL, foreign_handler);
	fflush(stderr);
	dup2(fileno(tmp), 2);
	assert_null(feed_xml_read(bad, sizeof(bad) - 1, "test", &err));
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	assert_int_equal(foreign_calls, 0);
	assert_true(xmlStructuredError == foreign_handler);
	xmlSetStructuredErrorFunc(NULL, NULL);
	assert_int_equal(fseek(tmp, 0, SEEK_END), 0);
	assert_int_equal(ftell(tmp), 0);
	fclose(tmp);
	assert_true(err.msg[0] != '\0');
}

/* The hooks and settings stay with feed_xml_read's own parser: plain
 * libxml2 use elsewhere in the process behaves as before. */
static void
test_no_side_effects(void **state)
{
	static const char doc[] = "<!DOCTYPE r [<!ENTITY e \"x\">]><r>&e;</r>";
	struct cb_err err;
	xmlDocPtr d;
	xmlChar *s;

	(void)state;
	assert_null(feed_xml_read(doc, sizeof(doc) - 1, "test", &err));
	d = xmlReadMemory(doc, sizeof(doc) - 1, NULL, NULL,
	    XML_PARSE_NOENT | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	assert_non_null(d);
	s = xmlNodeGetContent(xmlDocGetRootElement(d));
	assert_string_equal((const char *)s, "x");
	xmlFree(s);
	xmlFreeDoc(d);
}

static void
test_clip(void **state)
{
	static const char vi[] = "Cảnh báo khẩn";
	char buf[64];
	size_t max;

	(void)state;
	for (max = 0; max <= sizeof(vi); max++) {
		memcpy(buf, vi, sizeof(vi));
		cb_utf8_clip_bytes(buf, max);
		assert_true(strlen(buf) <= max);
		assert_true(cb_utf8_valid(buf, strlen(buf)));
		if (max >= sizeof(vi) - 1)
			assert_string_equal(buf, vi);
	}
	memcpy(buf, vi, sizeof(vi));
	cb_utf8_clip_bytes(buf, 9); /* "Cảnh" is 6 bytes, then "…" */
	assert_string_equal(buf, "Cảnh\xe2\x80\xa6");
	memcpy(buf, vi, sizeof(vi));
	cb_utf8_clip_bytes(buf, 5); /* 2 bytes left end inside "ả": "C" */
	assert_string_equal(buf, "C\xe2\x80\xa6");
}

static void
test_cves(void **state)
{
	struct cb_strlist l = { NULL, 0 };

	(void)state;
	feed_xml_add_cves(&l,
	    "Fix cve-2024-3400 and CVE-2021-44228; again "
	    "CVE-2024-3400, not XCVE-2020-1234, "
	    "CVE-2020-123, CVE-20201-1234 or CVE-2020-1234x;"
	    " last (CVE-2023-1234567)");
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[0], "CVE-2024-3400");
	assert_string_equal(l.v[1], "CVE-2021-44228");
	assert_string_equal(l.v[2], "CVE-2023-1234567");
	feed_xml_add_cves(&l, NULL);
	feed_xml_add_cves(&l, "CVE-2021-44228 cve-");
	assert_int_equal(l.n, 3);
	cb_strlist_release(&l);
}

static void
test_add_item(void **state)
{
	struct cb_strlist l = { NULL, 0 };
	char *big = malloc(CB_ADV_MAX_ITEM + 2);

	(void)state;
	memset(big, 'x', CB_ADV_MAX_ITEM + 1);
	big[CB_ADV_MAX_ITEM + 1] = '\0';
	feed_xml_add_item(&l, "a");
	feed_xml_add_item(&l, "a");
	feed_xml_add_item(&l, "");
	feed_xml_add_item(&l, NULL);
	feed_xml_add_item(&l, big);
	assert_int_equal(l.n, 1);
	cb_strlist_release(&l);
	free(big);
}

/* --- feed_html ------------------------------------------------------- */

static void
expect_text(const char *html, const char *want)
{
	char *got = feed_html_to_text(html);

	assert_non_null(got);
	if (strcmp(got, want) != 0)
		fail_msg("'%s' gave '%s', not '%s'", html, got, want);
	assert_true(cb_utf8_valid(got, strlen(got)) || got[0] == '\0');
	free(got);
}

static void
test_html_entities(void **state)
{
	(void)state;
	expect_text("Tom &amp; Jerry &lt;3 &gt; &quot;x&quot; &apos;y&apos;",
	    "Tom & Jerry <3 > \"x\" 'y'");
	expect_text("caf&eacute; &Eacute;t&eacute; &hellip; &euro;5 &copy;",
	    "café Été … €5 ©");
	expect_text("it&#8217;s &#x201C;q&#x201d; &#150; C&#7871;",
	    "it’s “q” – Cế");
	expect_text("a&nbsp;&nbsp; b", "a b");
	expect_text("AT&T &unknown; &amp &#; &#x; 5 & 6",
	    "AT&T &unknown; "
	    "&amp &#; &#x; 5 & 6");
	expect_text("bad &#0; &#xD800; &#x110000; &#99999999999; end",
	    "bad \xef\xbf\xbd \xef\xbf\xbd \xef\xbf\xbd \xef\xbf\xbd end");
	expect_text("&#1;&#7;x", "x"); /* control characters vanish */
}

static void
test_html_tags(void **state)
{
	(void)state;
	expect_text("<p>One <b>bold</b> <a href=\"x>y\" title='a > b'>link"
		    "</a>.</p><p>Two<br>three<br/>four</p>",
	    "One bold link.\n\nTwo\nthree\nfour");
	expect_text("<ul><li>a</li><li>b</li></ul>after", "a\nb\n\nafter");
	expect_text("x<script type=\"text/javascript\">alert('<p>hi</p>')"
		    "</script >y<STYLE>p{}</style>z<script/>w",
	    "xyzw");
	expect_text("a<!-- <p>hidden</p> -->b<!DOCTYPE html>c<![CDATA[d]]>e",
	    "abce");
	expect_text("  lots \n\t of   <i>space</i>  ", "lots of space");
	expect_text("x < 3 and y <> 4 and </ 5", "x < 3 and y <> 4 and </ 5");
	expect_text("<td>a</td><td>b</td>", "a b");
	expect_text("end <a href=\"unterminated", "end");
	expect_text("end <script>never closed", "end");
	expect_text("end <!-- never closed", "end");
	expect_text("", "");
	assert_null(feed_html_to_text(NULL));
}

static void
test_html_utf8(void **state)
{
	(void)state;
	expect_text("<p>Cảnh báo <b>khẩn</b></p>", "Cảnh báo khẩn");
	expect_text("a\xff"
		    "b\xc3",
	    "a\xef\xbf\xbd"
	    "b\xef\xbf\xbd");
	expect_text("\xed\xa0\x80!", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd!");
	expect_text("x\xc2\xa0\xc2\xa0y", "x y"); /* raw no-break spaces */
}

static void
test_html_detect(void **state)
{
	char *s;

	(void)state;
	assert_true(feed_html_detect("<p>x</p>"));
	assert_true(feed_html_detect("a<br/>b"));
	assert_true(feed_html_detect("x &amp; y"));
	assert_true(feed_html_detect("x &#233; y"));
	assert_true(feed_html_detect("<!-- c -->"));
	assert_true(feed_html_detect("</SPAN>"));
	assert_false(feed_html_detect("AT&T"));
	assert_false(feed_html_detect("Exchange & \"Outlook\""));
	assert_false(feed_html_detect("x < 3"));
	assert_false(feed_html_detect("<khẩn>"));
	assert_false(feed_html_detect("<foo>bar</foo>"));
	assert_false(feed_html_detect("&#169 no semicolon"));
	assert_false(feed_html_detect(NULL));
	s = feed_html_plain("  Cảnh báo <khẩn> & \"x\"\n ");
	assert_string_equal(s, "Cảnh báo <khẩn> & \"x\"");
	free(s);
	s = feed_html_plain("<p>a &amp; b</p>");
	assert_string_equal(s, "a & b");
	free(s);
	assert_null(feed_html_plain(" \n "));
	assert_null(feed_html_plain("<p> </p>"));
	assert_null(feed_html_plain(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_helpers),
		cmocka_unit_test(test_inner),
		cmocka_unit_test(test_latin1),
		cmocka_unit_test(test_billion_laughs),
		cmocka_unit_test(test_parameter_entity),
		cmocka_unit_test(test_external_entity),
		cmocka_unit_test(test_internal_subset),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_bad_utf8),
		cmocka_unit_test(test_not_xml),
		cmocka_unit_test(test_message_utf8),
		cmocka_unit_test(test_size_limit),
		cmocka_unit_test(test_quiet),
		cmocka_unit_test(test_no_side_effects),
		cmocka_unit_test(test_clip),
		cmocka_unit_test(test_cves),
		cmocka_unit_test(test_add_item),
		cmocka_unit_test(test_html_entities),
		cmocka_unit_test(test_html_tags),
		cmocka_unit_test(test_html_utf8),
		cmocka_unit_test(test_html_detect),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
