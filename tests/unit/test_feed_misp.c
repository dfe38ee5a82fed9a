/*
 * Unit tests for feed_misp: the real MISP samples (a CIRCL OSINT event
 * and chrome-mal-ids' feed), the mapping field by field, unpublished
 * events, the manifest's order, ZeroMQ frames, hostile events, and the
 * indicators' round trip through the signed JSON form.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_test.h"
#include "cb_adv.h"
#include "cb_mem.h"
#include "feed.h"
#include "feed_misp.h"

#define XORIST "misp/pymisp-tests/57c4445b-c548-4654-af0b-4be3950d210f.json"
#define CHROME "misp/chrome-mal-ids/"

static int
has_indicator(const struct cb_adv *a, const char *type, const char *value)
{
	size_t i;

	for (i = 0; i < a->indicators.n; i++)
		if (strcmp(a->indicators.v[i].type, type) == 0 &&
		    strcmp(a->indicators.v[i].value, value) == 0)
			return 1;
	return 0;
}

static void
parse_fixture(const char *rel, struct cb_adv_list *l)
{
	struct cb_err err = { "" };
	size_t len;
	char *buf = cb_test_fixture(rel, &len);

	if (feed_misp_parse_event(buf, len, NULL, l, &err) != 0)
		fail_msg("%s: %s", rel, err.msg);
	free(buf);
}

/* CIRCL's "Ransomware - Xorist": tagged Ransom, so critical although
 * its threat level is 3 (low). */
static void
test_circl_ransomware(void **state)
{
	struct cb_adv_list l = { NULL, 0, 0 };
	const struct cb_adv *a;

	(void)state;
	parse_fixture(XORIST, &l);
	assert_int_equal(l.n, 1);
	a = &l.v[0];
	assert_string_equal(a->source_id,
	    "57c4445b-c548-4654-af0b-4be3950d210f");
	assert_string_equal(a->title, "Ransomware - Xorist");
	assert_int_equal(a->severity, CB_SEV_CRITICAL);
	assert_string_equal(a->tlp, "CLEAR");
	assert_int_equal(a->published, 1472428800); /* 2016-08-29 */
	assert_int_equal(a->updated, 1472541011);
	assert_string_equal(a->summary, "MISP event shared by CIRCL.");
	/* two "link" attributes are references, the comment and the text
	 * (not to_ids) are left out, the rest are indicators */
	assert_int_equal(a->references.n, 2);
	assert_int_equal(a->indicators.n, 5);
	assert_true(has_indicator(a, "md5",
	    "0749bae92ca336a02c83d126e04ec628"));
	assert_true(has_indicator(a, "filename", "3Z4wnG9603it23y.exe"));
	assert_true(has_indicator(a, "regkey|value",
	    "Software\\Wow6432Node\\Microsoft\\Windows\\CurrentVersion\\Run|"
	    "%TEMP%\\3Z4wnG9603it23y.exe"));
	cb_adv_list_release(&l);
}

/* chrome-mal-ids: levels 3 and 1, URLs and a to_ids text as
 * indicators, curly quotes kept byte for byte. */
static void
test_chrome_feed_events(void **state)
{
	struct cb_adv_list l = { NULL, 0, 0 };

	(void)state;
	parse_fixture(CHROME "049f01a5-7e01-559b-83e8-3a67738bbbe1.json", &l);
	parse_fixture(CHROME "6750f214-d7e9-58e4-bc30-9073e823d8fe.json", &l);
	parse_fixture(CHROME "225c906e-8896-52e9-9592-4285af976341.json", &l);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.v[0].severity, CB_SEV_LOW);
	assert_int_equal(l.v[1].severity, CB_SEV_HIGH);
	assert_int_equal(l.v[2].severity, CB_SEV_MEDIUM);
	assert_non_null(strstr(l.v[0].title, "\xe2\x80\x9cThe extension"));
	assert_true(has_indicator(&l.v[0], "text",
	    "mabdjppmcjpjploliggpbonahnjjlgkf"));
	assert_true(has_indicator(&l.v[0], "url",
	    "https://chromewebstore.google.com/detail/"
	    "mabdjppmcjpjploliggpbonahnjjlgkf"));
	assert_int_equal(l.v[0].cves.n, 0);
	cb_adv_list_release(&l);
}

static void
test_manifest(void **state)
{
	struct feed_misp_entry *v = NULL;
	struct cb_err err = { "" };
	size_t len, n, i;
	char *buf = cb_test_fixture(CHROME "manifest.json", &len);
	char *url;

	(void)state;
	if (feed_misp_parse_manifest(buf, len, &v, &n, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(n, 79);
	for (i = 1; i < n; i++)
		assert_true(feed_misp_entry_cmp(&v[i - 1], &v[i]) < 0);
	assert_int_equal(v[0].timestamp, 1780091866);
	free(v);
	free(buf);
	url = feed_misp_event_url("http://127.0.0.1:8000/misp/manifest.json",
	    "049f01a5-7e01-559b-83e8-3a67738bbbe1");
	assert_string_equal(url, "http://127.0.0.1:8000/misp/"
				 "049f01a5-7e01-559b-83e8-3a67738bbbe1.json");
	free(url);
	/* keys that would not be safe in a URL are skipped */
	buf = cb_xstrdup("{\"../x\":{\"timestamp\":\"1\"},\"a-1\":"
			 "{\"timestamp\":2},\"b\":3}");
	assert_int_equal(feed_misp_parse_manifest(buf, strlen(buf), &v, &n,
			     &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].uuid, "a-1");
	assert_int_equal(v[0].timestamp, 2);
	free(v);
	free(buf);
	assert_int_equal(feed_misp_parse_manifest("[]", 2, &v, &n, &err), -1);
	assert_null(v);
}

static int
parse_str(const char *doc, struct cb_adv_list *l, struct cb_err *err)
{
	return feed_misp_parse_event(doc, strlen(doc), NULL, l, err);
}

static void
test_unpublished_skipped(void **state)
{
	struct cb_adv_list l = { NULL, 0, 0 };
	struct cb_err err = { "" };

	(void)state;
	assert_int_equal(parse_str("{\"Event\":{\"uuid\":\"u1\",\"info\":"
				   "\"x\",\"published\":false}}",
			     &l, &err),
	    0);
	assert_int_equal(parse_str("{\"Event\":{\"uuid\":\"u1\",\"info\":"
				   "\"x\",\"published\":\"0\"}}",
			     &l, &err),
	    0);
	assert_int_equal(l.n, 0);
	assert_int_equal(parse_str("{\"Event\":{\"uuid\":\"u1\",\"info\":"
				   "\"x\",\"published\":true,"
				   "\"threat_level_id\":4}}",
			     &l, &err),
	    0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].severity, CB_SEV_INFO);
	cb_adv_list_release(&l);
}

static void
expect_reject(const char *doc, const char *want)
{
	struct cb_adv_list l = { NULL, 0, 0 };
	struct cb_err err = { "" };

	assert_int_equal(parse_str(doc, &l, &err), -1);
	assert_int_equal(l.n, 0);
	if (strstr(err.msg, want) == NULL)
		fail_msg("'%s' does not say '%s'", err.msg, want);
}

/* Wrong types, deep nesting, a huge event: rejected with a reason. */
static void
test_hostile_events(void **state)
{
	size_t depth = 100, i;
	char *deep, *huge;

	(void)state;
	expect_reject("{\"Event\":[]}", "not an event");
	expect_reject("{\"Event\":{\"uuid\":7,\"info\":\"x\"}}", "'uuid'");
	expect_reject("{\"Event\":{\"uuid\":\"a/b\",\"info\":\"x\"}}",
	    "not a uuid");
	expect_reject("{\"Event\":{\"uuid\":\"u\",\"info\":[]}}", "'info'");
	expect_reject("{\"Event\":{\"uuid\":\"u\",\"info\":\"x\","
		      "\"threat_level_id\":\"9\"}}",
	    "threat_level_id");
	expect_reject("{\"Event\":{\"uuid\":\"u\",\"info\":\"x\","
		      "\"Tag\":{}}}",
	    "'Tag'");
	expect_reject("{\"Event\":{\"uuid\":\"u\",\"info\":\"x\","
		      "\"Attribute\":[1]}}",
	    "'Attribute'");
	expect_reject("{\"Event\":{\"uuid\":\"u\",\"info\":\"x\","
		      "\"published\":{}}}",
	    "'published'");
	expect_reject("{\"Event\":{\"uuid\":\"u\",\"info\":\"x\","
		      "\"timestamp\":\"soon\"}}",
	    "'timestamp'");
	deep = cb_xcalloc(2 * depth + 1, 1);
	for (i = 0; i < depth; i++) {
		deep[i] = '[';
		deep[2 * depth - 1 - i] = ']';
	}
	expect_reject(deep, "deep");
	free(deep);
	huge = cb_xcalloc(FEED_MAX_BODY + 2, 1);
	memset(huge, ' ', FEED_MAX_BODY + 1);
	huge[0] = '{';
	huge[FEED_MAX_BODY] = '}';
	{
		struct cb_adv_list l = { NULL, 0, 0 };
		struct cb_err err = { "" };

		assert_int_equal(feed_parse(FEED_MISP, huge, FEED_MAX_BODY + 1,
				     NULL, &l, &err),
		    -1);
		assert_non_null(strstr(err.msg, "over the limit"));
	}
	free(huge);
}

/* An event with more indicators than an advisory carries: cut, and the
 * summary says how many were left out. */
static void
test_indicator_cap(void **state)
{
	struct cb_adv_list l = { NULL, 0, 0 };
	struct cb_err err = { "" };
	size_t n = FEED_MISP_MAX_INDICATORS + 50, i, off;
	char *doc = cb_xcalloc(n * 64 + 256, 1);

	(void)state;
	off = (size_t)sprintf(doc, "{\"Event\":{\"uuid\":\"u\",\"info\":\"x\","
				   "\"Object\":[{\"Attribute\":[");
	for (i = 0; i < n; i++)
		off += (size_t)sprintf(doc + off, "%s{\"type\":\"ip-dst\","
						  "\"value\":\"10.0.%zu.%zu\"}",
		    i ? "," : "", i / 256, i % 256);
	sprintf(doc + off, "]}]}}");
	if (parse_str(doc, &l, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(l.v[0].indicators.n, FEED_MISP_MAX_INDICATORS);
	assert_string_equal(l.v[0].summary,
	    "50 more attributes are in the MISP event.");
	cb_adv_list_release(&l);
	free(doc);
}

static void
test_frames(void **state)
{
	struct cb_adv_list l = { NULL, 0, 0 };
	struct cb_err err = { "" };
	enum feed_misp_frame kind;
	const char *ka = "misp_json_self {\"status\":\"keep-alive\"}";
	const char *ev = "misp_json {\"Event\":{\"uuid\":\"u\",\"info\":\"x\","
			 "\"Attribute\":[{\"type\":\"vulnerability\","
			 "\"value\":\"cve-2024-3400\"}]}}";

	(void)state;
	assert_int_equal(feed_misp_parse_frame(ka, strlen(ka), NULL, &kind, &l,
			     &err),
	    0);
	assert_int_equal(kind, FEED_MISP_KEEPALIVE);
	assert_int_equal(feed_misp_parse_frame("misp_json_sighting {}", 21,
			     NULL, &kind, &l, &err),
	    0);
	assert_int_equal(kind, FEED_MISP_OTHER);
	assert_int_equal(l.n, 0);
	assert_int_equal(feed_misp_parse_frame(ev, strlen(ev), NULL, &kind, &l,
			     &err),
	    0);
	assert_int_equal(kind, FEED_MISP_EVENT);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].cves.v[0], "CVE-2024-3400");
	assert_int_equal(feed_misp_parse_frame("misp_json", 9, NULL, &kind, &l,
			     &err),
	    -1);
	assert_int_equal(feed_misp_parse_frame("misp_json {", 11, NULL, &kind,
			     &l, &err),
	    -1);
	assert_int_equal(l.n, 1);
	cb_adv_list_release(&l);
}

/* The indicators survive the signed JSON form; an advisory without any
 * writes no "indicators" key (what receivers before them accept). */
static void
test_indicators_round_trip(void **state)
{
	struct cb_adv_list l = { NULL, 0, 0 };
	struct cb_adv back;
	struct cb_err err = { "" };
	char *json;

	(void)state;
	parse_fixture(XORIST, &l);
	l.v[0].id = cb_xstrdup("misp:57c4445b");
	json = cb_adv_to_json(&l.v[0]);
	assert_non_null(strstr(json, ",\"indicators\":[{\"type\":\"filename\","
				     "\"value\":\"3Z4wnG9603it23y.exe\"}"));
	if (cb_adv_from_json(&back, json, strlen(json), 0, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(back.indicators.n, 5);
	assert_true(has_indicator(&back, "sha1",
	    "77b0c41b7d340b8a3d903f21347bbf06aa766b5b"));
	cb_adv_release(&back);
	free(json);
	cb_indicators_release(&l.v[0].indicators);
	json = cb_adv_to_json(&l.v[0]);
	assert_null(strstr(json, "indicators"));
	free(json);
	json = cb_xstrdup("{\"id\":\"a\",\"severity\":\"low\",\"title\":\"t\","
			  "\"published\":\"2026-01-01T00:00:00Z\","
			  "\"indicators\":[{\"type\":\"a b\",\"value\":\"v\"}]}");
	assert_int_equal(cb_adv_from_json(&back, json, strlen(json), 0, &err),
	    -1);
	cb_adv_release(&back);
	free(json);
	cb_adv_list_release(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_circl_ransomware),
		cmocka_unit_test(test_chrome_feed_events),
		cmocka_unit_test(test_manifest),
		cmocka_unit_test(test_unpublished_skipped),
		cmocka_unit_test(test_hostile_events),
		cmocka_unit_test(test_indicator_cap),
		cmocka_unit_test(test_frames),
		cmocka_unit_test(test_indicators_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
