/*
 * Unit tests for feed_cap: every CAP sample, a hand-written Vietnamese
 * alert, the message types and statuses that are not advisories, and
 * hostile documents.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_test.h"
#include "cb_adv.h"
#include "cb_utf8.h"
#include "feed.h"
#include "feed_cap.h"

static const struct feed_opts opts = { CB_SEV_LOW };

/* Parse buf; exactly one valid advisory comes out, copied into a. */
static void
parse_one(const char *buf, size_t len, struct cb_adv *a)
{
	struct cb_adv_list l = { NULL, 0, 0 };
	struct cb_err err = { "" };

	if (feed_cap_parse(buf, len, &opts, &l, &err) != 0)
		fail_msg("refused: %s", err.msg);
	assert_int_equal(l.n, 1);
	if (cb_adv_validate(&l.v[0], &err) != 0)
		fail_msg("invalid: %s", err.msg);
	cb_adv_copy(a, &l.v[0]);
	cb_adv_list_release(&l);
}

static void
parse_fixture(const char *rel, struct cb_adv *a)
{
	size_t len;
	char *buf = cb_test_fixture(rel, &len);

	parse_one(buf, len, a);
	free(buf);
}

/* The document must be refused, naming needle, with out untouched. */
static void
expect_refused(const char *buf, size_t len, const char *needle)
{
	struct cb_adv_list l = { NULL, 0, 0 };
	struct cb_err err = { "" };
	struct cb_adv *keep;

	keep = cb_adv_list_push(&l);
	keep->title = strdup("kept");
	assert_int_equal(feed_cap_parse(buf, len, &opts, &l, &err), -1);
	if (strstr(err.msg, needle) == NULL)
		fail_msg("error '%s' does not mention '%s'", err.msg, needle);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].title, "kept");
	cb_adv_list_release(&l);
}

static void
assert_list(const struct cb_strlist *l, size_t n, ...)
{
	va_list ap;
	size_t i;

	if (l->n != n)
		fail_msg("list has %zu entries, not %zu", l->n, n);
	va_start(ap, n);
	for (i = 0; i < n; i++)
		assert_string_equal(l->v[i], va_arg(ap, const char *));
	va_end(ap);
}

/* --- the real samples ------------------------------------------------ */

static void
test_thunderstorm(void **state)
{
	struct cb_adv a;

	(void)state;
	parse_fixture("cap/thunderstorm.cap", &a);
	assert_string_equal(a.source_id, "KSTO1055887203");
	assert_string_equal(a.title, "SEVERE THUNDERSTORM WARNING");
	assert_int_equal(a.severity, CB_SEV_HIGH); /* Severe */
	assert_int_equal(a.kind, CB_KIND_NEW);
	assert_int_equal(a.status, CB_STATUS_ACTUAL);
	assert_int_equal(a.published, 1055887020);
	assert_int_equal(a.updated, 0);
	assert_int_equal(a.expires, 1055890800);
	assert_true(
	    strncmp(a.summary, "AT 254 PM PDT...NATIONAL WEATHER", 32) == 0);
	assert_list(&a.actions, 1,
	    "TAKE COVER IN A SUBSTANTIAL SHELTER UNTIL THE STORM PASSES.");
	assert_int_equal(a.references.n, 0);
	assert_int_equal(a.audience.n, 0);
	cb_adv_release(&a);
}

static void
test_homeland(void **state)
{
	struct cb_adv a;

	(void)state;
	parse_fixture("cap/43b080713727.cap", &a);
	assert_string_equal(a.source_id, "43b080713727");
	assert_string_equal(a.title, "Homeland Security Sets Code ORANGE");
	assert_int_equal(a.severity, CB_SEV_HIGH);
	assert_list(&a.references, 1,
	    "http://www.dhs.gov/dhspublic/display?theme=29");
	assert_int_equal(a.actions.n, 1);
	cb_adv_release(&a);
}

static void
test_amber_cap11(void **state)
{
	struct cb_adv a;

	(void)state;
	parse_fixture("cap/KAR0-0306112239-SW.cap", &a);
	assert_string_equal(a.source_id, "KAR0-0306112239-SW");
	assert_string_equal(a.title, "AMBER ALERT");
	assert_int_equal(a.severity, CB_SEV_HIGH);
	assert_int_equal(a.actions.n, 0); /* no instruction */
	cb_adv_release(&a);
}

static void
test_earthquake_latin1(void **state)
{
	struct cb_adv a;

	(void)state;
	parse_fixture("cap/earthquake-iso8859-1.cap", &a);
	assert_string_equal(a.title,
	    "EQ 4.6 Usulut\xc3\xa1n, Usulut\xc3\xa1n, "
	    "El Salvador - PRELIMINARY REPORT");
	assert_true(cb_utf8_valid(a.summary, strlen(a.summary)));
	assert_non_null(strstr(a.summary, "near Usulut\xc3\xa1n, "));
	assert_int_equal(a.severity, CB_SEV_LOW); /* Unknown: default */
	assert_int_equal(a.published, 1350255184);
	assert_int_equal(a.audience.n, 0); /* scope Public */
	assert_list(&a.references, 1,
	    "http://earthquake.usgs.gov/earthquakes/eventpage/usB000D5T4");
	cb_adv_release(&a);
}

static void
test_australia_prefixed(void **state)
{
	struct cb_adv a;

	(void)state;
	parse_fixture("cap/australia.cap", &a);
	assert_string_equal(a.source_id,
	    "tag:www.rfs.nsw.gov.au2011-10-06:40184");
	assert_string_equal(a.title, "Yerong Creek Structure Fire");
	assert_int_equal(a.severity, CB_SEV_LOW); /* Minor */
	/* The description is escaped HTML with <br />: lines now. */
	assert_true(strncmp(a.summary,
			"ALERT LEVEL: Not Applicable\n"
			"LOCATION: 12 Cox Street, Yerong Creek\n",
			66) == 0);
	assert_null(strstr(a.summary, "<br"));
	cb_adv_release(&a);
}

static void
test_canada_english(void **state)
{
	struct cb_adv a;

	(void)state;
	parse_fixture("cap/canada.cap", &a);
	assert_string_equal(a.title, "severe thunderstorm watch");
	assert_int_equal(a.kind, CB_KIND_UPDATE);
	/* Filed under the first alert it updates. */
	assert_string_equal(a.source_id, "2.49.0.1.124.a3f342a4.2012");
	assert_list(&a.references, 3,
	    "cap@ec.gc.ca,2.49.0.1.124.a3f342a4.2012,2012-05-02T21:45:05-00:00",
	    "cap@ec.gc.ca,2.49.0.1.124.60f31a3a.2012,2012-05-02T21:55:21-00:00",
	    "http://www.weatheroffice.gc.ca/warnings/warnings_e.html");
	assert_int_equal(a.published, 1336000864);
	assert_int_equal(a.updated, 1336000864);
	assert_int_equal(a.severity, CB_SEV_LOW);
	cb_adv_release(&a);
}

static void
test_canada_signed(void **state)
{
	struct cb_adv a;

	(void)state;
	parse_fixture("cap/canada_signed.cap", &a);
	assert_string_equal(a.title, "snowfall warning");
	assert_string_equal(a.source_id, "2.49.0.1.124.726d2331.2013");
	assert_int_equal(a.severity, CB_SEV_MEDIUM); /* Moderate */
	assert_int_equal(a.references.n, 10);
	cb_adv_release(&a);
}

static void
test_tsunami(void **state)
{
	struct cb_adv a;

	(void)state;
	parse_fixture("cap/wcatwc-warning.cap", &a);
	assert_int_equal(a.severity, CB_SEV_CRITICAL); /* Extreme */
	assert_int_equal(a.kind, CB_KIND_UPDATE);
	assert_string_equal(a.source_id, "PAAQ-1-lqw6d6");
	assert_string_equal(a.references.v[0],
	    "PAAQ,PAAQ-1-lqw6d6,2011-09-02T10:55:55-00:00");
	assert_int_equal(a.published, 1314963410);
	cb_adv_release(&a);
}

static void
test_weather_cap11(void **state)
{
	struct cb_adv a;

	(void)state;
	parse_fixture("cap/weather.cap", &a);
	assert_string_equal(a.source_id,
	    "NOAA-NWS-ALERTS-MT20100830100700"
	    "TFXFlashFloodWatchTFX20100830180000MT");
	assert_int_equal(a.severity, CB_SEV_HIGH);
	assert_true(strncmp(a.title, "Flash Flood Watch issued", 24) == 0);
	cb_adv_release(&a);
}

/* --- a Vietnamese alert ---------------------------------------------- */

static const char vi_title[] = "Cảnh báo lỗ hổng nghiêm trọng trong "
			       "Microsoft Exchange & \"Outlook\"";

/* An Alert with an English and a Vietnamese <info>, for one agency. */
static const char vi_cap[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">\n"
    " <identifier>STTTT-TH-2026-0042</identifier>\n"
    " <sender>ais@stttt.thanhhoa.gov.vn</sender>\n"
    " <sent>2026-11-24T08:30:00+07:00</sent>\n"
    " <status>Actual</status>\n"
    " <msgType>Alert</msgType>\n"
    " <scope>Private</scope>\n"
    " <addresses>vp-ubnd \"UBND huyện Quảng Xương\" so-yte</addresses>\n"
    " <info>\n"
    "  <language>en-US</language>\n"
    "  <category>Security</category>\n"
    "  <event>Vulnerability</event>\n"
    "  <urgency>Immediate</urgency><severity>Severe</severity>\n"
    "  <certainty>Observed</certainty>\n"
    "  <headline>Critical Exchange vulnerability</headline>\n"
    " </info>\n"
    " <info>\n"
    "  <language>vi-VN</language>\n"
    "  <category>Security</category>\n"
    "  <event>Lỗ hổng</event>\n"
    "  <urgency>Immediate</urgency>\n"
    "  <severity>Extreme</severity>\n"
    "  <certainty>Observed</certainty>\n"
    "  <expires>2026-11-25T08:30:00+07:00</expires>\n"
    "  <headline>Cảnh báo lỗ hổng nghiêm trọng trong Microsoft Exchange "
    "&amp; &quot;Outlook&quot;</headline>\n"
    "  <description>Lỗ hổng CVE-2024-21410 cho phép kẻ tấn công leo thang "
    "đặc quyền.\nĐã có mã khai thác công khai.</description>\n"
    "  <instruction>Cập nhật bản vá ngay; rà soát nhật ký truy cập.\n"
    "</instruction>\n"
    "  <web>https://stttt.thanhhoa.gov.vn/canh-bao/0042</web>\n"
    " </info>\n"
    "</alert>\n";

static void
test_vietnamese(void **state)
{
	struct cb_adv a;

	(void)state;
	parse_one(vi_cap, sizeof(vi_cap) - 1, &a);
	assert_memory_equal(a.title, vi_title, sizeof(vi_title));
	assert_int_equal(a.severity, CB_SEV_CRITICAL); /* Extreme, vi info */
	assert_string_equal(a.source_id, "STTTT-TH-2026-0042");
	assert_string_equal(a.summary,
	    "Lỗ hổng CVE-2024-21410 cho phép kẻ tấn công leo thang đặc "
	    "quyền.\nĐã có mã khai thác công khai.");
	assert_list(&a.actions, 1,
	    "Cập nhật bản vá ngay; rà soát nhật ký truy cập.");
	assert_list(&a.cves, 1, "CVE-2024-21410");
	assert_list(&a.audience, 3, "vp-ubnd", "UBND huyện Quảng Xương",
	    "so-yte");
	assert_list(&a.references, 1,
	    "https://stttt.thanhhoa.gov.vn/canh-bao/0042");
	assert_int_equal(a.published, 1795483800);
	assert_int_equal(a.expires, 1795570200);
	cb_adv_release(&a);
}

/* vi_cap with one piece of text replaced. */
static char *
vi_with(const char *from, const char *to)
{
	const char *at = strstr(vi_cap, from);
	char *s;

	assert_non_null(at);
	s = malloc(sizeof(vi_cap) + strlen(to));
	memcpy(s, vi_cap, (size_t)(at - vi_cap));
	strcpy(s + (at - vi_cap), to);
	strcat(s, at + strlen(from));
	return s;
}

static void
test_not_advisories(void **state)
{
	static const struct {
		const char *from, *to, *needle;
	} cases[] = {
		{ "<msgType>Alert", "<msgType>Ack",
		    "cap: msgType 'Ack' is not an advisory" },
		{ "<msgType>Alert", "<msgType>Error",
		    "cap: msgType 'Error' is not an advisory" },
		{ "<status>Actual", "<status>Draft",
		    "cap: status 'Draft' is not an advisory" },
		{ "<status>Actual", "<status>System",
		    "cap: status 'System' is not an advisory" },
		{ "<status>Actual</status>", "",
		    "cap: <alert> has no <status>" },
		{ "<msgType>Alert</msgType>", "",
		    "cap: <alert> has no <msgType>" },
		{ "<identifier>STTTT-TH-2026-0042</identifier>", "",
		    "cap: <alert> has no <identifier>" },
		{ "<headline>Cảnh báo", "<note>Cảnh báo",
		    "cap: xml: line 26: Opening and ending tag mismatch" },
	};
	size_t i;
	char *s;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = vi_with(cases[i].from, cases[i].to);
		expect_refused(s, strlen(s), cases[i].needle);
		free(s);
	}
}

static void
test_exercise_and_test(void **state)
{
	struct cb_adv a;
	char *s;

	(void)state;
	s = vi_with("<status>Actual", "<status>Exercise");
	parse_one(s, strlen(s), &a);
	assert_int_equal(a.status, CB_STATUS_EXERCISE);
	cb_adv_release(&a);
	free(s);
	s = vi_with("<status>Actual", "<status>Test");
	parse_one(s, strlen(s), &a);
	assert_int_equal(a.status, CB_STATUS_TEST);
	cb_adv_release(&a);
	free(s);
}

static void
test_update_without_references(void **state)
{
	struct cb_adv a;
	char *s = vi_with("<msgType>Alert", "<msgType>Update");

	(void)state;
	parse_one(s, strlen(s), &a);
	assert_int_equal(a.kind, CB_KIND_UPDATE);
	assert_string_equal(a.source_id, "STTTT-TH-2026-0042"); /* its own */
	assert_int_equal(a.updated, a.published);
	cb_adv_release(&a);
	free(s);
}

static void
test_cancel(void **state)
{
	static const char bare[] =
	    "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.1\">"
	    "<identifier>C-2</identifier><sender>s</sender>"
	    "<sent>2026-11-24T10:00:00+07:00</sent><status>Actual</status>"
	    "<msgType>Cancel</msgType><scope>Public</scope>"
	    "<references>s,C-1,2026-11-24T08:30:00+07:00</references>"
	    "%s</alert>";
	char doc[1024];
	struct cb_adv a;

	(void)state;
	snprintf(doc, sizeof(doc), bare, "<note>Đã khắc phục xong.</note>");
	parse_one(doc, strlen(doc), &a);
	assert_int_equal(a.kind, CB_KIND_CANCEL);
	assert_string_equal(a.source_id, "C-1");
	assert_string_equal(a.title, "Đã khắc phục xong.");
	assert_int_equal(a.updated, 1795489200);
	assert_list(&a.references, 1, "s,C-1,2026-11-24T08:30:00+07:00");
	cb_adv_release(&a);
	snprintf(doc, sizeof(doc), bare, "");
	parse_one(doc, strlen(doc), &a);
	assert_string_equal(a.title, "Cancelled alert C-1");
	cb_adv_release(&a);
}

static void
test_no_info(void **state)
{
	static const char doc[] =
	    "<alert><identifier>x</identifier><status>Actual</status>"
	    "<msgType>Alert</msgType></alert>";
	static const char empty_info[] =
	    "<alert><identifier>x</identifier><status>Actual</status>"
	    "<msgType>Alert</msgType><info><urgency>Past</urgency></info>"
	    "</alert>";

	(void)state;
	expect_refused(doc, sizeof(doc) - 1, "cap: <alert> has no <info>");
	expect_refused(empty_info, sizeof(empty_info) - 1,
	    "cap: <info> has no <headline> and no <event>");
}

/* Without a Vietnamese <info>, English wins over the first. */
static void
test_language_choice(void **state)
{
	static const char doc[] =
	    "<alert><identifier>x</identifier><status>Actual</status>"
	    "<msgType>Alert</msgType>"
	    "<info><language>fr-CA</language><event>orages</event></info>"
	    "<info><language>en-CA</language><event>storms</event></info>"
	    "<info><language>vie</language><event>not vi</event></info>"
	    "</alert>";
	struct cb_adv a;

	(void)state;
	parse_one(doc, sizeof(doc) - 1, &a);
	assert_string_equal(a.title, "storms");
	assert_int_equal(a.severity, CB_SEV_LOW); /* none: default */
	cb_adv_release(&a);
}

static void
test_long_headline(void **state)
{
	char *doc = malloc(8000), *p = doc;
	struct cb_adv a;
	int i;

	(void)state;
	p += sprintf(p,
	    "<alert><identifier>x</identifier><status>Actual"
	    "</status><msgType>Alert</msgType><info><headline>");
	for (i = 0; i < 2000; i++)
		p += sprintf(p, "ễ");
	sprintf(p, "</headline></info></alert>");
	parse_one(doc, strlen(doc), &a);
	assert_true(strlen(a.title) <= CB_ADV_MAX_TITLE);
	assert_true(strlen(a.title) >= CB_ADV_MAX_TITLE - 6);
	cb_adv_release(&a);
	free(doc);
}

/* --- refused documents ------------------------------------------------ */

static void
test_wrong_format(void **state)
{
	static const char json[] = "{\"alert\": {\"identifier\": \"x\"}}";
	static const char foreign[] =
	    "<alert xmlns=\"http://example.com/not-cap\"><identifier>x"
	    "</identifier></alert>";
	size_t len;
	char *atom = cb_test_fixture("atom/nws-cap-weather_index.atom", &len);

	(void)state;
	expect_refused(atom, len, "cap: root element is <feed>, not <alert>");
	expect_refused(json, sizeof(json) - 1,
	    "cap: xml: line 1: Start tag expected");
	expect_refused(foreign, sizeof(foreign) - 1,
	    "cap: <alert> is in namespace 'http://example.com/not-cap'");
	free(atom);
}

static void
test_hostile(void **state)
{
	static const char xxe[] =
	    "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE alert [\n"
	    "  <!ENTITY xxe SYSTEM \"file:///etc/passwd\">\n"
	    "]>\n"
	    "<alert><identifier>&xxe;</identifier></alert>";
	static const char laughs[] =
	    "<!DOCTYPE alert [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b "
	    "\"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;"
	    "&b;&b;&b;&b;&b;\">]><alert><identifier>&c;</identifier></alert>";
	char *trunc = vi_with("</alert>\n", "");
	char *latin = vi_with("encoding=\"UTF-8\"", "encoding=\"UTF-16\"");

	(void)state;
	expect_refused(xxe, sizeof(xxe) - 1,
	    "cap: xml: line 3: document type declares entity 'xxe'");
	expect_refused(laughs, sizeof(laughs) - 1, "entity 'a' (refused)");
	expect_refused(trunc, strlen(trunc), "cap: xml: line 33");
	expect_refused(latin, strlen(latin), "cap: xml:");
	free(trunc);
	free(latin);
}

static void
test_code_words(void **state)
{
	enum cb_status st;
	enum cb_kind k;

	(void)state;
	assert_int_equal(feed_cap_severity("Extreme", CB_SEV_LOW),
	    CB_SEV_CRITICAL);
	assert_int_equal(feed_cap_severity("severe", CB_SEV_LOW), CB_SEV_HIGH);
	assert_int_equal(feed_cap_severity("Moderate", CB_SEV_LOW),
	    CB_SEV_MEDIUM);
	assert_int_equal(feed_cap_severity("Minor", CB_SEV_HIGH), CB_SEV_LOW);
	assert_int_equal(feed_cap_severity("Unknown", CB_SEV_INFO),
	    CB_SEV_INFO);
	assert_int_equal(feed_cap_severity(NULL, CB_SEV_MEDIUM), CB_SEV_MEDIUM);
	assert_int_equal(feed_cap_status("Exercise", &st), 0);
	assert_int_equal(st, CB_STATUS_EXERCISE);
	assert_int_equal(feed_cap_status("Draft", &st), -1);
	assert_int_equal(feed_cap_kind("Cancel", &k), 0);
	assert_int_equal(k, CB_KIND_CANCEL);
	assert_int_equal(feed_cap_kind("Ack", &k), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_thunderstorm),
		cmocka_unit_test(test_homeland),
		cmocka_unit_test(test_amber_cap11),
		cmocka_unit_test(test_earthquake_latin1),
		cmocka_unit_test(test_australia_prefixed),
		cmocka_unit_test(test_canada_english),
		cmocka_unit_test(test_canada_signed),
		cmocka_unit_test(test_tsunami),
		cmocka_unit_test(test_weather_cap11),
		cmocka_unit_test(test_vietnamese),
		cmocka_unit_test(test_not_advisories),
		cmocka_unit_test(test_exercise_and_test),
		cmocka_unit_test(test_update_without_references),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_no_info),
		cmocka_unit_test(test_language_choice),
		cmocka_unit_test(test_long_headline),
		cmocka_unit_test(test_wrong_format),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_code_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
