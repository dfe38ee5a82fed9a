/*
 * Unit tests for feed_rss: the real RSS 2.0, RSS 1.0 and Atom samples,
 * hand-written Vietnamese feeds, and documents that must be refused.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_test.h"
#include "cb_adv.h"
#include "feed.h"
#include "feed_rss.h"

typedef int (*parse_fn)(const char *buf, size_t len,
    const struct feed_opts *opts, struct cb_adv_list *out, struct cb_err *err);

/* A default the samples never state, so that falling back shows. */
static const struct feed_opts opts = { CB_SEV_LOW };

static const char vi_title[] = "Cảnh báo lỗ hổng nghiêm trọng trong "
			       "Microsoft Exchange & \"Outlook\"";

/* Parse buf into a fresh list; every advisory must validate. */
static void
parse_ok(parse_fn fn, const char *buf, size_t len, struct cb_adv_list *l)
{
	struct cb_err err = { "" };
	size_t i;

	memset(l, 0, sizeof(*l));
	if (fn(buf, len, &opts, l, &err) != 0)
		fail_msg("refused: %s", err.msg);
	for (i = 0; i < l->n; i++)
		if (cb_adv_validate(&l->v[i], &err) != 0)
			fail_msg("item %zu invalid: %s", i, err.msg);
}

static void
parse_fixture(parse_fn fn, const char *rel, struct cb_adv_list *l)
{
	size_t len;
	char *buf = cb_test_fixture(rel, &len);

	parse_ok(fn, buf, len, l);
	free(buf);
}

/* fn must refuse buf, name needle in its message, and leave a list
 * that already holds one advisory exactly as it was. */
static void
expect_refused(parse_fn fn, const char *buf, size_t len, const char *needle)
{
	struct cb_adv_list l = { NULL, 0, 0 };
	struct cb_err err = { "" };
	struct cb_adv *keep, *v;

	keep = cb_adv_list_push(&l);
	keep->title = strdup("kept");
	v = l.v;
	assert_int_equal(fn(buf, len, &opts, &l, &err), -1);
	if (strstr(err.msg, needle) == NULL)
		fail_msg("error '%s' does not mention '%s'", err.msg, needle);
	assert_int_equal(l.n, 1);
	assert_ptr_equal(l.v, v);
	assert_string_equal(l.v[0].title, "kept");
	cb_adv_list_release(&l);
}

static void
assert_list(const struct cb_strlist *l, size_t n, ...)
{
	va_list ap;
	size_t i;

	if (l->n != n)
		fail_msg("list has %zu entries, not %zu (first '%s')", l->n, n,
		    l->n > 0 ? l->v[0] : "");
	va_start(ap, n);
	for (i = 0; i < n; i++)
		assert_string_equal(l->v[i], va_arg(ap, const char *));
	va_end(ap);
}

/* --- the real samples ------------------------------------------------ */

static void
test_bugalert_rss(void **state)
{
	struct cb_adv_list l;
	const struct cb_adv *a;

	(void)state;
	parse_fixture(feed_rss_parse,
	    "rss/bugalert-bug-alert-contributors.rss.xml", &l);
	assert_int_equal(l.n, 17);
	a = &l.v[0];
	assert_string_equal(a->title,
	    "Authorization Vulnerability in Atlassian Confluence "
	    "(CVE-2023-22518)");
	assert_string_equal(a->source_id,
	    "tag:bugalert.org,2023-10-31:/content/notices/"
	    "2023-10-31-confluence.html");
	assert_int_equal(a->severity, CB_SEV_HIGH); /* "High Severity" */
	assert_int_equal(a->kind, CB_KIND_NEW);
	assert_int_equal(a->status, CB_STATUS_ACTUAL);
	assert_int_equal(a->published, 1698763500);
	assert_int_equal(a->updated, 0);
	assert_list(&a->cves, 1, "CVE-2023-22518");
	assert_list(&a->references, 1,
	    "https://bugalert.org/content/notices/2023-10-31-confluence.html");
	/* The HTML-escaped description is plain text now. */
	assert_true(strncmp(a->summary,
			"An authorization vulnerability "
			"exploitable",
			42) == 0);
	assert_null(strstr(a->summary, "<p>"));
	assert_null(strstr(a->summary, "&lt;"));
	assert_non_null(strstr(a->summary, "severity of 'very high'."));
	/* A test notice states no severity: the feed's default. */
	assert_string_equal(l.v[2].title,
	    "Testing International Call and SMS Support via Twilio");
	assert_int_equal(l.v[2].severity, CB_SEV_LOW);
	assert_list(&l.v[3].cves, 3, "CVE-2022-26136", "CVE-2022-26137",
	    "CVE-2022-26138");
	assert_int_equal(l.v[3].severity, CB_SEV_HIGH); /* "Very High" */
	assert_int_equal(l.v[7].severity, CB_SEV_CRITICAL);
	/* Categories first, then the title's id, once. */
	assert_list(&l.v[7].cves, 2, "CVE-2010-1622", "CVE-2022-22965");
	cb_adv_list_release(&l);
}

static void
test_bugalert_atom(void **state)
{
	struct cb_adv_list l;
	const struct cb_adv *a;

	(void)state;
	parse_fixture(feed_atom_parse,
	    "atom/bugalert-critical-severity.atom.xml", &l);
	assert_int_equal(l.n, 3);
	a = &l.v[0];
	assert_string_equal(a->title,
	    "Confirmed remote code execution (RCE) in Spring Core, an "
	    "extremely popular Java framework (CVE-2022-22965)");
	assert_string_equal(a->source_id,
	    "tag:bugalert.org,2022-03-30:"
	    "/content/notices/2022-03-30-spring.html");
	assert_int_equal(a->severity, CB_SEV_CRITICAL);
	assert_int_equal(a->published, 1648652400);
	assert_int_equal(a->updated, 0); /* same as published */
	assert_list(&a->cves, 2, "CVE-2010-1622", "CVE-2022-22965");
	/* summary type="html", preferred to the long content */
	assert_string_equal(a->summary,
	    "Praetorian has confirmed that a remote code execution "
	    "vulnerability exists in Spring, an extremely popular Java "
	    "framework. How broadly this impacts the Spring ecosystem remains "
	    "unclear. The flaw has been assigned a bug alert severity of "
	    "'critical'.");
	assert_list(&a->references, 1,
	    "https://bugalert.org/content/notices/2022-03-30-spring.html");
	assert_string_equal(l.v[2].title, "RCE in Log4j");
	assert_int_equal(l.v[2].severity, CB_SEV_CRITICAL);
	cb_adv_list_release(&l);
}

static void
test_sec_rdf(void **state)
{
	struct cb_adv_list l;
	const struct cb_adv *a;

	(void)state;
	parse_fixture(feed_rss_parse, "rss/vi-sec-rss1.rdf.xml", &l);
	assert_int_equal(l.n, 4);
	a = &l.v[0];
	assert_string_equal(a->title,
	    "Lỗ hổng đệ quy không kiểm soát trong Contiki-NG");
	assert_string_equal(a->summary,
	    "Contiki-NG tồn tại lỗ hổng liên quan đến kiểm soát đệ quy.");
	assert_string_equal(a->source_id,
	    "https://vndb.so-tttt.example/vi/"
	    "2025/VNDB-2025-000579.html");
	assert_int_equal(a->severity, CB_SEV_HIGH); /* sec:cvss */
	assert_int_equal(a->published, 1744390320); /* 23:52+07:00 */
	assert_int_equal(a->updated, 0);
	assert_list(&a->cves, 1, "CVE-2023-29001");
	assert_list(&a->products, 1, "Contiki-NG");
	assert_int_equal(a->references.n, 6);
	assert_string_equal(a->references.v[0], a->source_id);
	assert_string_equal(a->references.v[3],
	    "https://github.com/contiki-ng/contiki-ng/pull/2264");
	assert_int_equal(l.v[2].severity, CB_SEV_CRITICAL); /* 9.8 */
	assert_list(&l.v[2].cves, 1, "CVE-2025-40500");
	assert_list(&l.v[2].products, 1, "Cổng thông tin điện tử");
	assert_int_equal(l.v[2].updated, 1744420500); /* dcterms:modified */
	cb_adv_list_release(&l);
}

static void
test_sec_rdf_malformed(void **state)
{
	size_t len;
	char *buf = cb_test_fixture("rss/vi-sec-rss1.malformed.rdf.xml", &len);

	(void)state;
	/* retCd= 0 (unquoted) on line 101: the whole feed goes. */
	expect_refused(feed_rss_parse, buf, len,
	    "rss: xml: line 101: AttValue");
	free(buf);
}

static void
test_nyalert(void **state)
{
	struct cb_adv_list l;
	const struct cb_adv *a;

	(void)state;
	parse_fixture(feed_rss_parse, "rss/nyalert-cap-index.rss", &l);
	assert_int_equal(l.n, 2);
	a = &l.v[0];
	assert_string_equal(a->source_id, "NYAlert-ALLHAZALERT-3167113");
	assert_string_equal(a->title,
	    "I-81 NB  29S EXIT RAMP to I-481SB is "
	    "Restricted  @ 3:20 PM due to an accident "
	    "for upto 2 hours. Onondaga County.");
	assert_int_equal(a->published, 1296850800);
	assert_int_equal(a->severity, CB_SEV_LOW);
	assert_string_equal(l.v[1].title,
	    "UPDATE: ROAD CLOSURE: State Hwy 218 in between Cornwall town "
	    "line & West Point Military Academy  due to weather.");
	assert_string_equal(l.v[1].summary,
	    "ROAD CLOSURE: State Hwy 218 in between Cornwall town line & West "
	    "Point Military Academy, in Cornwall, Orange County, closed due to "
	    "weather conditions, at 2:15am for up to 1 day.");
	cb_adv_list_release(&l);
}

static void
test_nws_atom(void **state)
{
	struct cb_adv_list l;
	const struct cb_adv *a;

	(void)state;
	parse_fixture(feed_atom_parse, "atom/nws-cap-weather_index.atom", &l);
	assert_int_equal(l.n, 2);
	a = &l.v[0];
	assert_string_equal(a->source_id,
	    "http://www.weather.gov/alerts-beta/wwacapget.php?x="
	    "CT20100831030400OKXAirQualityAlertOKX20100901031500CT");
	assert_true(
	    strncmp(a->title, "Air Quality Alert issued August 30", 34) == 0);
	assert_int_equal(a->kind, CB_KIND_NEW);	       /* cap:msgType */
	assert_int_equal(a->status, CB_STATUS_ACTUAL); /* cap:status */
	assert_int_equal(a->severity, CB_SEV_LOW);     /* Unknown */
	assert_int_equal(a->expires, 1283310900);      /* cap:expires */
	assert_true(
	    strncmp(a->summary, "...AIR QUALITY ALERT IS IN EFFECT", 33) == 0);
	cb_adv_list_release(&l);
}

static void
test_sec_atom(void **state)
{
	struct cb_adv_list l;
	const struct cb_adv *a;

	(void)state;
	parse_fixture(feed_atom_parse, "atom/vi-sec-tlp.atom.xml", &l);
	assert_int_equal(l.n, 2);
	a = &l.v[0];
	assert_string_equal(a->source_id, "VN-ALT-2025-0000");
	assert_string_equal(a->title, "Thông tin an ninh về dịch vụ cảnh báo");
	assert_string_equal(a->summary, "Thông báo về việc cập nhật.");
	assert_int_equal(a->severity, CB_SEV_INFO); /* term="Info" */
	assert_int_equal(a->published, 1743752758); /* +07:00 */
	assert_int_equal(a->updated, 1745627781);
	assert_list(&a->references, 1,
	    "https://canhbao.so-tttt.example/thong-bao/");
	assert_string_equal(l.v[1].title,
	    "Thông tin cập nhật phần mềm WordPress (công bố ngày 12 tháng 2 "
	    "năm 2025)");
	assert_null(l.v[1].summary);
	cb_adv_list_release(&l);
}

/* --- hand-written Vietnamese feeds ----------------------------------- */

static const char vi_rss[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<rss version=\"2.0\"><channel><title>Sở TT&amp;TT Thanh Hóa</title>\n"
    "<item>\n"
    " <title>Cảnh báo lỗ hổng nghiêm trọng trong Microsoft Exchange &amp; "
    "&quot;Outlook&quot;</title>\n"
    " <link>https://stttt.thanhhoa.gov.vn/canh-bao/2026-001</link>\n"
    " <guid isPermaLink=\"false\">stttt-th-2026-001</guid>\n"
    " <description>&lt;p&gt;Lỗ hổng &lt;b&gt;CVE-2024-21410&lt;/b&gt; cho "
    "phép leo thang đặc quyền.&lt;/p&gt;&lt;p&gt;Đề nghị các đơn vị cập "
    "nhật bản vá ngay&amp;nbsp;lập tức.&lt;/p&gt;</description>\n"
    " <category>Critical</category>\n"
    " <pubDate>Tue, 24 Nov 2026 08:30:00 +0700</pubDate>\n"
    "</item>\n"
    "<item>\n"
    " <title>Chiến dịch lừa đảo giả mạo cơ quan thuế</title>\n"
    " <guid>https://stttt.thanhhoa.gov.vn/canh-bao/2026-002</guid>\n"
    " <description><![CDATA[<p>Kẻ tấn công gửi thư giả mạo &ndash; "
    "không mở tệp đính kèm.</p>]]></description>\n"
    " <category>Medium Severity</category>\n"
    " <pubDate>Wed, 25 Nov 2026 08:30:00 +0700</pubDate>\n"
    "</item>\n"
    "<item><description>không có tiêu đề</description><guid>x</guid>"
    "</item>\n"
    "<item><title>không có mã</title></item>\n"
    "<item><title>  </title><guid>y</guid></item>\n"
    "</channel></rss>\n";

static void
test_vi_rss(void **state)
{
	struct cb_adv_list l;
	const struct cb_adv *a;

	(void)state;
	parse_ok(feed_rss_parse, vi_rss, sizeof(vi_rss) - 1, &l);
	assert_int_equal(l.n, 2); /* three unusable items skipped */
	a = &l.v[0];
	assert_string_equal(a->title, vi_title);
	assert_memory_equal(a->title, vi_title, sizeof(vi_title));
	assert_string_equal(a->source_id, "stttt-th-2026-001");
	assert_int_equal(a->severity, CB_SEV_CRITICAL);
	assert_int_equal(a->published, 1795483800);
	assert_string_equal(a->summary,
	    "Lỗ hổng CVE-2024-21410 cho phép leo thang đặc quyền.\n\n"
	    "Đề nghị các đơn vị cập nhật bản vá ngay lập tức.");
	assert_list(&a->cves, 1, "CVE-2024-21410");
	assert_list(&a->references, 1,
	    "https://stttt.thanhhoa.gov.vn/canh-bao/2026-001");
	a = &l.v[1];
	assert_string_equal(a->source_id,
	    "https://stttt.thanhhoa.gov.vn/canh-bao/2026-002");
	assert_list(&a->references, 1,
	    "https://stttt.thanhhoa.gov.vn/canh-bao/2026-002");
	assert_string_equal(a->summary,
	    "Kẻ tấn công gửi thư giả mạo – không mở tệp đính kèm.");
	assert_int_equal(a->severity, CB_SEV_MEDIUM);
	assert_int_equal(a->published, 1795570200);
	cb_adv_list_release(&l);
}

static const char vi_atom[] =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
    "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n"
    "<title>Cảnh báo an toàn thông tin</title>\n"
    "<entry>\n"
    " <title>Cảnh báo lỗ hổng nghiêm trọng trong Microsoft Exchange &amp; "
    "\"Outlook\"</title>\n"
    " <id>urn:uuid:5f0c3e1a-0b6e-4d55-9d1e-2c1f7a0e2026</id>\n"
    " <link rel=\"alternate\" href=\"https://ncsc.example.vn/a/1\"/>\n"
    " <link rel=\"related\" "
    "href=\"https://msrc.example.com/CVE-2024-21410\"/>\n"
    " <published>2026-11-24T08:30:00+07:00</published>\n"
    " <updated>2026-11-24T10:00:00+07:00</updated>\n"
    " <category term=\"critical\" label=\"Nghiêm trọng\"/>\n"
    " <summary type=\"html\">&lt;p&gt;Đề nghị các đơn vị &lt;em&gt;khẩn "
    "trương&lt;/em&gt; cập nhật.&lt;/p&gt;</summary>\n"
    "</entry>\n"
    "<entry>\n"
    " <title type=\"html\">Mã độc &amp;lt;b&amp;gt;mới&amp;lt;/b&amp;gt; "
    "&amp;amp; biến thể</title>\n"
    " <link href=\"https://ncsc.example.vn/a/2\"/>\n"
    " <updated>2026-11-24T09:00:00+07:00</updated>\n"
    " <content type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\">"
    "<p>Dòng một &lt;khẩn&gt;</p><ul><li>bước 1</li><li>bước 2</li></ul>"
    "</div></content>\n"
    "</entry>\n"
    "<entry><title type=\"text\">a &lt;b&gt; c</title><id>t</id>"
    "<content type=\"image/png\">iVBORw0KGgo=</content></entry>\n"
    "<entry><id>no-title</id></entry>\n"
    "</feed>\n";

static void
test_vi_atom(void **state)
{
	struct cb_adv_list l;
	const struct cb_adv *a;

	(void)state;
	parse_ok(feed_atom_parse, vi_atom, sizeof(vi_atom) - 1, &l);
	assert_int_equal(l.n, 3);
	a = &l.v[0];
	assert_memory_equal(a->title, vi_title, sizeof(vi_title));
	assert_string_equal(a->source_id,
	    "urn:uuid:5f0c3e1a-0b6e-4d55-9d1e-2c1f7a0e2026");
	assert_int_equal(a->severity, CB_SEV_CRITICAL);
	assert_int_equal(a->published, 1795483800);
	assert_int_equal(a->updated, 1795489200);
	assert_string_equal(a->summary,
	    "Đề nghị các đơn vị khẩn trương cập nhật.");
	assert_list(&a->references, 2, "https://ncsc.example.vn/a/1",
	    "https://msrc.example.com/CVE-2024-21410");
	assert_list(&a->cves, 0);
	a = &l.v[1];
	assert_string_equal(a->title, "Mã độc <b>mới</b> & biến thể");
	assert_string_equal(a->source_id, "https://ncsc.example.vn/a/2");
	assert_int_equal(a->published, 1795485600); /* updated only */
	assert_int_equal(a->updated, 0);
	assert_string_equal(a->summary, "Dòng một <khẩn>\n\nbước 1\nbước 2");
	assert_int_equal(a->severity, CB_SEV_LOW);
	a = &l.v[2];
	assert_string_equal(a->title, "a <b> c"); /* type="text": as is */
	assert_null(a->summary);		  /* not text */
	cb_adv_list_release(&l);
}

/* --- edge cases -------------------------------------------------------- */

static void
test_long_title(void **state)
{
	size_t n = 3000, i;
	char *doc = malloc(n * 3 + 200), *p = doc;
	struct cb_adv_list l;

	(void)state;
	p += sprintf(p, "<rss><channel><item><guid>g</guid><title>");
	for (i = 0; i < n; i++, p += 3)
		memcpy(p, "ầ", 3); /* 3 bytes each */
	p += sprintf(p, "</title></item></channel></rss>");
	parse_ok(feed_rss_parse, doc, (size_t)(p - doc), &l);
	assert_int_equal(l.n, 1);
	assert_true(strlen(l.v[0].title) <= CB_ADV_MAX_TITLE);
	assert_true(strlen(l.v[0].title) > CB_ADV_MAX_TITLE - 6);
	assert_non_null(strstr(l.v[0].title, "ầ…"));
	cb_adv_list_release(&l);
	free(doc);
}

static void
test_cap_index_skips(void **state)
{
	static const char doc[] =
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\" "
	    "xmlns:cap=\"urn:oasis:names:tc:emergency:cap:1.2\">"
	    "<entry><id>1</id><title>draft</title>"
	    "<cap:status>Draft</cap:status></entry>"
	    "<entry><id>2</id><title>ack</title>"
	    "<cap:msgType>Ack</cap:msgType></entry>"
	    "<entry><id>3</id><title>drill</title><cap:status>Exercise"
	    "</cap:status><cap:msgType>Cancel</cap:msgType>"
	    "<cap:severity>Extreme</cap:severity></entry>"
	    "<entry><id>4</id><title>not cap</title>"
	    "<status>Draft</status><severity>Extreme</severity></entry>"
	    "</feed>";
	struct cb_adv_list l;

	(void)state;
	parse_ok(feed_atom_parse, doc, sizeof(doc) - 1, &l);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].source_id, "3");
	assert_int_equal(l.v[0].status, CB_STATUS_EXERCISE);
	assert_int_equal(l.v[0].kind, CB_KIND_CANCEL);
	assert_int_equal(l.v[0].severity, CB_SEV_CRITICAL);
	assert_string_equal(l.v[1].source_id, "4");
	assert_int_equal(l.v[1].status, CB_STATUS_ACTUAL);
	assert_int_equal(l.v[1].severity, CB_SEV_LOW);
	cb_adv_list_release(&l);
}

static void
test_entry_document(void **state)
{
	static const char doc[] =
	    "<entry xmlns=\"http://www.w3.org/2005/Atom\">"
	    "<id>e</id><title>one</title></entry>";
	struct cb_adv_list l;

	(void)state;
	parse_ok(feed_atom_parse, doc, sizeof(doc) - 1, &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].title, "one");
	cb_adv_list_release(&l);
}

/* Output is appended after what the list already holds. */
static void
test_appends(void **state)
{
	struct cb_adv_list l = { NULL, 0, 0 };
	struct cb_err err;
	size_t len;
	char *buf = cb_test_fixture("rss/nyalert-cap-index.rss", &len);

	(void)state;
	assert_int_equal(feed_rss_parse(buf, len, &opts, &l, &err), 0);
	assert_int_equal(feed_rss_parse(buf, len, &opts, &l, &err), 0);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.v[2].source_id, l.v[0].source_id);
	cb_adv_list_release(&l);
	free(buf);
}

static void
test_too_many_items(void **state)
{
	static const char item[] =
	    "<item><title>t</title><guid>g</guid></item>";
	size_t n = FEED_MAX_ITEMS + 1, i;
	char *doc = malloc(n * (sizeof(item) - 1) + 64), *p = doc;

	(void)state;
	p += sprintf(p, "<rss><channel>");
	for (i = 0; i < n; i++, p += sizeof(item) - 1)
		memcpy(p, item, sizeof(item) - 1);
	p += sprintf(p, "</channel></rss>");
	expect_refused(feed_rss_parse, doc, (size_t)(p - doc),
	    "rss: more than 20000 items");
	free(doc);
}

/* --- refused documents ------------------------------------------------ */

static void
test_wrong_format(void **state)
{
	static const char json[] = "{\"rss\": {\"channel\": []}}";
	static const char rss[] = "<rss version=\"2.0\"><channel/></rss>";
	static const char norss[] = "<rss version=\"2.0\"></rss>";
	size_t len;
	char *atom =
	    cb_test_fixture("atom/bugalert-critical-severity.atom.xml", &len);
	char *cap = cb_test_fixture("cap/thunderstorm.cap", NULL);

	(void)state;
	expect_refused(feed_rss_parse, json, sizeof(json) - 1,
	    "rss: xml: line 1: Start tag expected");
	expect_refused(feed_atom_parse, json, sizeof(json) - 1,
	    "atom: xml: line 1");
	expect_refused(feed_rss_parse, atom, len,
	    "rss: root element is <feed>, not <rss> or <rdf:RDF>");
	expect_refused(feed_atom_parse, rss, sizeof(rss) - 1,
	    "atom: root element is <rss>, not <feed>");
	expect_refused(feed_atom_parse, cap, strlen(cap),
	    "atom: root element is <alert>");
	expect_refused(feed_rss_parse, norss, sizeof(norss) - 1,
	    "rss: <rss> has no <channel>");
	free(atom);
	free(cap);
}

static void
test_hostile(void **state)
{
	static const char laughs[] =
	    "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE rss [\n"
	    " <!ENTITY a \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">\n"
	    " <!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n"
	    " <!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">\n"
	    " <!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">\n"
	    " <!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">\n"
	    "]>\n"
	    "<rss><channel><item><title>&e;</title><guid>g</guid></item>"
	    "</channel></rss>\n";
	static const char xxe[] =
	    "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE feed [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><id>1</id>"
	    "<title>&x;</title></entry></feed>\n";
	static const char bad_utf8[] =
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<rss><channel><item><title>C\xe1\xba ngắt</title><guid>g</guid>"
	    "</item></channel></rss>\n";
	static const char truncated[] =
	    "<?xml version=\"1.0\"?>\n<rss><channel><item><title>t</title>"
	    "<guid>g</guid></item>\n<item><title>cut off";
	char deep[2000], *p = deep;
	int i;

	(void)state;
	expect_refused(feed_rss_parse, laughs, sizeof(laughs) - 1,
	    "rss: xml: line 3: document type declares entity 'a'");
	expect_refused(feed_atom_parse, xxe, sizeof(xxe) - 1,
	    "atom: xml: line 2: document type declares entity 'x'");
	expect_refused(feed_rss_parse, bad_utf8, sizeof(bad_utf8) - 1,
	    "rss: xml: line 2: Input is not proper UTF-8");
	expect_refused(feed_rss_parse, truncated, sizeof(truncated) - 1,
	    "rss: xml: line 3");
	p += sprintf(p, "<rss><channel>");
	for (i = 0; i < 100; i++)
		p += sprintf(p, "<item>");
	expect_refused(feed_rss_parse, deep, (size_t)(p - deep),
	    "rss: xml: line 1: elements nested deeper than 64");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bugalert_rss),
		cmocka_unit_test(test_bugalert_atom),
		cmocka_unit_test(test_sec_rdf),
		cmocka_unit_test(test_sec_rdf_malformed),
		cmocka_unit_test(test_nyalert),
		cmocka_unit_test(test_nws_atom),
		cmocka_unit_test(test_sec_atom),
		cmocka_unit_test(test_vi_rss),
		cmocka_unit_test(test_vi_atom),
		cmocka_unit_test(test_long_title),
		cmocka_unit_test(test_cap_index_skips),
		cmocka_unit_test(test_entry_document),
		cmocka_unit_test(test_appends),
		cmocka_unit_test(test_too_many_items),
		cmocka_unit_test(test_wrong_format),
		cmocka_unit_test(test_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
