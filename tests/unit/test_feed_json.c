/*
 * Unit tests for feed_json: canhbao's own feed format (Vietnamese text
 * kept byte for byte, every field, every way to get it wrong) and the
 * JSON loading helpers the other JSON adapters share.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cb_test.h"
#include "cb_adv.h"
#include "cb_mem.h"
#include "cb_utf8.h"
#include "feed.h"
#include "feed_json.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const struct feed_opts opts_medium = { CB_SEV_MEDIUM };

/* A province's hand-written feed: diacritics, quotes, ampersand, angle
 * brackets, a \u escape and a newline. */
static const char vi_feed[] =
    "{\n"
    "  \"canhbao_feed\": 1,\n"
    "  \"title\": \"Sở Thông tin và Truyền thông Thanh Hóa\",\n"
    "  \"advisories\": [\n"
    "    {\n"
    "      \"id\": \"STTTT-TH-2026-001\",\n"
    "      \"title\": \"Cảnh báo chiến dịch tấn công APT nhắm vào các cơ "
    "quan nhà nước dịp Tết Nguyên đán \\\"Bính Ngọ\\\" & cách phòng chống "
    "<khẩn>\",\n"
    "      \"severity\": \"critical\",\n"
    "      \"summary\": \"Đề nghị các đơn vị rà soát, khắc phục ngay.\\n"
    "Trực 24/7 trong dịp Tết; \\u0111\\u01b0\\u1eddng dây nóng.\",\n"
    "      \"kind\": \"update\",\n"
    "      \"status\": \"exercise\",\n"
    "      \"cves\": [\"CVE-2024-3400\", \"CVE-2023-4966\"],\n"
    "      \"products\": [\"Palo Alto PAN-OS\", \"Citrix NetScaler ADC\"],\n"
    "      \"actions\": [\"Cập nhật bản vá\", \"Báo cáo sự cố về Sở\"],\n"
    "      \"references\": [\"https://khonggianmang.vn/\"],\n"
    "      \"tlp\": \"AMBER\",\n"
    "      \"audience\": [\"UBND huyện Quảng Xương\", \"Sở Y tế\"],\n"
    "      \"published\": \"2026-01-20T08:00:00+07:00\",\n"
    "      \"updated\": \"2026-01-21T01:00:00Z\",\n"
    "      \"expires\": \"2026-02-28\"\n"
    "    },\n"
    "    { \"id\": \"STTTT-TH-2026-002\", \"title\": \"Lỗ hổng mức thấp\" "
    "}\n"
    "  ]\n"
    "}\n";

static const char vi_title[] =
    "Cảnh báo chiến dịch tấn công APT nhắm vào các cơ quan nhà nước dịp "
    "Tết Nguyên đán \"Bính Ngọ\" & cách phòng chống <khẩn>";

/* What cb_adv_to_json makes of the first advisory, byte for byte. */
static const char vi_canonical[] =
    "{\"revision\":1,\"kind\":\"update\",\"status\":\"exercise\","
    "\"origin\":\"national\",\"source_id\":\"STTTT-TH-2026-001\","
    "\"severity\":\"critical\",\"title\":\"Cảnh báo chiến dịch tấn công "
    "APT nhắm vào các cơ quan nhà nước dịp Tết Nguyên đán \\\"Bính "
    "Ngọ\\\" & cách phòng chống <khẩn>\",\"summary\":\"Đề nghị các đơn vị "
    "rà soát, khắc phục ngay.\\nTrực 24/7 trong dịp Tết; đường dây "
    "nóng.\",\"tlp\":\"AMBER\",\"cves\":[\"CVE-2024-3400\","
    "\"CVE-2023-4966\"],\"products\":[\"Palo Alto PAN-OS\",\"Citrix "
    "NetScaler ADC\"],\"actions\":[\"Cập nhật bản vá\",\"Báo cáo sự cố về "
    "Sở\"],\"references\":[\"https://khonggianmang.vn/\"],\"audience\":["
    "\"UBND huyện Quảng Xương\",\"Sở Y tế\"],\"published\":"
    "\"2026-01-20T01:00:00Z\",\"updated\":\"2026-01-21T01:00:00Z\","
    "\"expires\":\"2026-02-28T00:00:00Z\"}";

static void
test_vietnamese_round_trip(void **state)
{
	struct cb_adv_list l = { NULL, 0, 0 };
	struct cb_err err = { "" };
	struct cb_adv back;
	const struct cb_adv *a;
	char *j1, *j2;

	(void)state;
	if (feed_json_parse(vi_feed, strlen(vi_feed), &opts_medium, &l, &err) !=
	    0)
		fail_msg("%s", err.msg);
	assert_int_equal(l.n, 2);
	a = &l.v[0];
	assert_string_equal(a->title, vi_title);
	assert_string_equal(a->summary,
	    "Đề nghị các đơn vị rà soát, khắc phục "
	    "ngay.\nTrực 24/7 trong dịp Tết; "
	    "đường dây nóng.");
	assert_string_equal(a->source_id, "STTTT-TH-2026-001");
	assert_null(a->id); /* the publisher scopes ids by feed */
	assert_int_equal(a->published, 1768870800);
	/* The advisory's canonical JSON keeps the text byte for byte... */
	j1 = cb_adv_to_json(a);
	assert_string_equal(j1, vi_canonical);
	/* ...and reads back into the same bytes. */
	assert_int_equal(cb_adv_from_json(&back, j1, strlen(j1), 1, &err), 0);
	assert_string_equal(back.title, vi_title);
	j2 = cb_adv_to_json(&back);
	assert_string_equal(j1, j2);
	free(j1);
	free(j2);
	cb_adv_release(&back);
	cb_adv_list_release(&l);
}

/* Omitted fields: default severity, new, actual, CLEAR, no times. */
static void
test_defaults(void **state)
{
	struct cb_adv_list l = { NULL, 0, 0 };
	struct cb_err err = { "" };
	const struct cb_adv *b;

	(void)state;
	assert_int_equal(feed_json_parse(vi_feed, strlen(vi_feed), &opts_medium,
			     &l, &err),
	    0);
	assert_int_equal(feed_json_parse(vi_feed, strlen(vi_feed), NULL, &l,
			     &err),
	    0);
	assert_int_equal(l.n, 4);
	b = &l.v[1];
	assert_string_equal(b->title, "Lỗ hổng mức thấp");
	assert_int_equal(b->severity, CB_SEV_MEDIUM);
	assert_int_equal(l.v[3].severity, CB_SEV_INFO); /* opts NULL */
	assert_int_equal(b->kind, CB_KIND_NEW);
	assert_int_equal(b->status, CB_STATUS_ACTUAL);
	assert_null(b->tlp);
	assert_null(b->summary);
	assert_int_equal(b->cves.n + b->products.n + b->actions.n +
		b->references.n + b->audience.n,
	    0);
	assert_int_equal(b->published + b->updated + b->expires, 0);
	assert_int_equal(l.v[0].kind, CB_KIND_UPDATE);
	assert_int_equal(l.v[0].status, CB_STATUS_EXERCISE);
	assert_int_equal(l.v[0].audience.n, 2);
	cb_adv_list_release(&l);
}

static void
test_empty_feed_and_bom(void **state)
{
	static const char feed[] = "\xef\xbb\xbf{\"advisories\":[],"
				   "\"canhbao_feed\":1} \r\n";
	struct cb_adv_list l = { NULL, 0, 0 };
	struct cb_err err = { "" };

	(void)state;
	assert_int_equal(feed_json_parse(feed, strlen(feed), NULL, &l, &err),
	    0);
	assert_int_equal(l.n, 0);
}

/* Each bad document is rejected with a message naming the problem and
 * leaves a list that already held one advisory as it was. */
static void
expect_reject_len(const char *doc, size_t len, const char *needle)
{
	struct cb_adv_list l = { NULL, 0, 0 };
	struct cb_err err = { "" };
	struct cb_adv *first;

	first = cb_adv_list_push(&l);
	first->title = cb_xstrdup("already there");
	assert_int_equal(feed_json_parse(doc, len, NULL, &l, &err), -1);
	if (strstr(err.msg, needle) == NULL)
		fail_msg("error '%s' does not mention '%s'", err.msg, needle);
	assert_int_equal(l.n, 1);
	assert_ptr_equal(l.v, first);
	assert_string_equal(l.v[0].title, "already there");
	cb_adv_list_release(&l);
}

static void
expect_reject(const char *doc, const char *needle)
{
	expect_reject_len(doc, strlen(doc), needle);
}

/* One advisory with the given members after a valid id and title. */
static char *
item(const char *members)
{
	return cb_xasprintf("{\"canhbao_feed\":1,\"advisories\":[{\"id\":"
			    "\"A-1\",\"title\":\"Tiêu đề\"%s}]}",
	    members);
}

static void
expect_item_reject(const char *members, const char *needle)
{
	char *doc = item(members);

	expect_reject(doc, needle);
	free(doc);
}

static void
test_rejects_item_fields(void **state)
{
	static const char *const cases[][2] = {
		{ ",\"sumary\":\"x\"",
		    "json: advisories[0]: unknown key 'sumary'" },
		{ ",\"severity\":\"severe\"",
		    "json: advisories[0]: 'severity' has unknown value "
		    "'severe'" },
		{ ",\"severity\":\"HIGH\"", "'severity' has unknown value" },
		{ ",\"severity\":3", "'severity' must be a string" },
		{ ",\"summary\":5", "'summary' must be a string" },
		{ ",\"summary\":null", "'summary' must be a string" },
		{ ",\"cves\":\"CVE-2024-1\"",
		    "'cves' must be an array of strings" },
		{ ",\"cves\":[1]", "'cves' must be an array of strings" },
		{ ",\"cves\":[\"\"]", "cves has an empty entry" },
		{ ",\"kind\":\"revoke\"", "'kind' has unknown value 'revoke'" },
		{ ",\"status\":\"draft\"", "'status' has unknown value" },
		{ ",\"tlp\":\"WHITE\"", "'tlp' must be one of CLEAR, GREEN" },
		{ ",\"published\":\"20/01/2026\"",
		    "'published' must be an RFC 3339 time" },
		{ ",\"expires\":1768870800",
		    "'expires' must be an RFC 3339 time" },
		{ ",\"updated\":\"1970-01-01T00:30:00+01:00\"",
		    "'updated' must be an RFC 3339 time after 1970" },
		{ ",\"updated\":\"9999-12-31T23:59:59-01:00\"",
		    "'updated' must be an RFC 3339 time after 1970" },
		{ ",\"title\":\"again\"", "key 'title' appears twice" },
		{ ",\"revision\":2", "unknown key 'revision'" },
		{ ",\"origin\":\"provincial\"", "unknown key 'origin'" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++)
		expect_item_reject(cases[i][0], cases[i][1]);
}

static void
test_rejects_id_and_title(void **state)
{
	char *doc, *long_title;

	(void)state;
	expect_reject("{\"canhbao_feed\":1,\"advisories\":[{\"title\":\"t\"}]}",
	    "json: advisories[0]: 'id' is missing");
	expect_reject("{\"canhbao_feed\":1,\"advisories\":[{\"id\":\"a\"}]}",
	    "json: advisories[0]: 'title' is missing");
	expect_reject("{\"canhbao_feed\":1,\"advisories\":[{\"id\":\"a\","
		      "\"title\":\" \\n \"}]}",
	    "json: advisories[0]: title is empty");
	expect_reject("{\"canhbao_feed\":1,\"advisories\":[{\"id\":\"a b\","
		      "\"title\":\"t\"}]}",
	    "'id' may hold only printable ASCII");
	expect_reject("{\"canhbao_feed\":1,\"advisories\":[{\"id\":\"\","
		      "\"title\":\"t\"}]}",
	    "'id' must be 1 to 128 bytes long");
	expect_reject("{\"canhbao_feed\":1,\"advisories\":["
		      "{\"id\":\"a\",\"title\":\"t\"},{\"id\":\"b\","
		      "\"title\":\"t\"},{\"id\":\"a\",\"title\":\"u\"}]}",
	    "json: id 'a' is used twice");
	expect_reject("{\"canhbao_feed\":1,\"advisories\":["
		      "{\"id\":\"a\",\"title\":\"t\"},[]]}",
	    "json: advisories[1]: not a JSON object");
	/* our own format: an over-long title is the author's to fix */
	long_title = cb_xmalloc(CB_ADV_MAX_TITLE + 2);
	memset(long_title, 'x', CB_ADV_MAX_TITLE + 1);
	long_title[CB_ADV_MAX_TITLE + 1] = '\0';
	doc = cb_xasprintf("{\"canhbao_feed\":1,\"advisories\":[{\"id\":\"a\","
			   "\"title\":\"%s\"}]}",
	    long_title);
	expect_reject(doc, "title is 1025 bytes, more than 1024");
	free(doc);
	free(long_title);
}

static void
test_rejects_top_level(void **state)
{
	static const char *const cases[][2] = {
		{ "{\"canhbao_feed\":1,\"advisories\":[],\"titel\":\"x\"}",
		    "json: unknown key 'titel'" },
		{ "{\"advisories\":[]}", "json: 'canhbao_feed' is missing" },
		{ "{\"canhbao_feed\":2,\"advisories\":[]}",
		    "json: 'canhbao_feed' must be 1" },
		{ "{\"canhbao_feed\":\"1\",\"advisories\":[]}",
		    "json: 'canhbao_feed' must be 1" },
		{ "{\"canhbao_feed\":1}", "json: 'advisories' is missing" },
		{ "{\"canhbao_feed\":1,\"advisories\":{}}",
		    "json: 'advisories' must be an array" },
		{ "{\"canhbao_feed\":1,\"advisories\":[],\"title\":7}",
		    "json: 'title' must be a string" },
		{ "{\"canhbao_feed\":1,\"canhbao_feed\":1,\"advisories\":[]}",
		    "json: key 'canhbao_feed' appears twice" },
		{ "[]", "json: the document is not an object" },
		{ "{\"canhbao_feed\":1,\"advisories\":[]} []",
		    "json: trailing data after the JSON at byte 35" },
		{ "{\"canhbao_feed\":1,\"advisories\":[",
		    "json: not valid JSON" },
		{ "{\"canhbao_feed\":1,\"advisories\":[],\"title\":"
		  "\"\xc3\x28\"}",
		    "json: document is not valid UTF-8" },
		{ "{\"canhbao_feed\":1,\"advisories\":[],\"title\":"
		  "\"a\\u0000b\"}",
		    "json: \\u0000 in a string at byte 44" },
		{ "", "json: document is empty" },
		{ "\xef\xbb\xbf", "json: document is empty" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++)
		expect_reject(cases[i][0], cases[i][1]);
}

/* A nest of n arrays inside "title", so that only depth is wrong. */
static char *
nest(size_t n)
{
	size_t i,
	    pre = strlen("{\"canhbao_feed\":1,\"advisories\":[],"
			 "\"title\":");
	char *s = cb_xmalloc(pre + 2 * n + 2);

	memcpy(s, "{\"canhbao_feed\":1,\"advisories\":[],\"title\":", pre);
	for (i = 0; i < n; i++) {
		s[pre + i] = '[';
		s[pre + n + i] = ']';
	}
	s[pre + 2 * n] = '}';
	s[pre + 2 * n + 1] = '\0';
	return s;
}

static void
test_rejects_deep_and_big(void **state)
{
	char *s;

	(void)state;
	s = nest(FEED_MAX_DEPTH);
	expect_reject(s, "json: nesting deeper than 64 levels");
	free(s);
	s = nest(2000); /* past cJSON's own limit, too */
	expect_reject(s, "json: nesting deeper than 64 levels");
	free(s);
	s = cb_xmalloc(FEED_MAX_BODY + 2);
	memset(s, ' ', FEED_MAX_BODY + 1);
	s[FEED_MAX_BODY + 1] = '\0';
	expect_reject(s,
	    "json: document is 16777217 bytes, more than 16777216");
	free(s);
}

static void
test_rejects_too_many(void **state)
{
	size_t i, n = FEED_MAX_ITEMS + 1, off;
	char *s = cb_xmalloc(64 + n * 32);

	(void)state;
	off = (size_t)sprintf(s, "{\"canhbao_feed\":1,\"advisories\":[");
	for (i = 0; i < n; i++)
		off += (size_t)sprintf(s + off,
		    "%s{\"id\":\"a%zu\",\"title\":"
		    "\"t\"}",
		    i ? "," : "", i);
	strcpy(s + off, "]}");
	expect_reject(s, "json: more than 20000 advisories");
	free(s);
}

/* --- the shared helpers ---------------------------------------------- */

static void
test_load_depth_limit(void **state)
{
	static const char nested_in_strings[] = "[\"[[[[\",\"\\\"[\"]";
	struct cb_err err = { "" };
	char s[2 * FEED_MAX_DEPTH + 3];
	cJSON *root;
	size_t i;

	(void)state;
	for (i = 0; i < FEED_MAX_DEPTH; i++) {
		s[i] = '[';
		s[2 * FEED_MAX_DEPTH - 1 - i] = ']';
	}
	/* exactly FEED_MAX_DEPTH levels, not NUL-terminated */
	root = feed_json_load(s, 2 * FEED_MAX_DEPTH, "t", &err);
	assert_non_null(root);
	cJSON_Delete(root);
	/* brackets inside strings do not count */
	root = feed_json_load(nested_in_strings, strlen(nested_in_strings), "t",
	    &err);
	assert_non_null(root);
	cJSON_Delete(root);
	memmove(s + 1, s, 2 * FEED_MAX_DEPTH);
	s[0] = '[';
	s[2 * FEED_MAX_DEPTH + 1] = ']';
	assert_null(feed_json_load(s, 2 * FEED_MAX_DEPTH + 2, "t", &err));
	assert_string_equal(err.msg,
	    "t: nesting deeper than 64 levels at "
	    "byte 64");
}

static void
test_strdup_cut(void **state)
{
	char *s;

	(void)state;
	s = feed_json_strdup_cut("  Tết  \n", 100);
	assert_string_equal(s, "Tết");
	free(s);
	assert_null(feed_json_strdup_cut(" \t\r\n ", 100));
	/* "ệệệ" is 9 bytes; 8 leaves room for one and the ellipsis */
	s = feed_json_strdup_cut("\xe1\xbb\x87\xe1\xbb\x87\xe1\xbb\x87", 8);
	assert_string_equal(s, "\xe1\xbb\x87\xe2\x80\xa6");
	free(s);
	s = feed_json_strdup_cut("\xe1\xbb\x87\xe1\xbb\x87\xe1\xbb\x87", 9);
	assert_string_equal(s, "\xe1\xbb\x87\xe1\xbb\x87\xe1\xbb\x87");
	free(s);
	s = feed_json_strdup_cut("abcdefgh", 7);
	assert_string_equal(s, "abcd\xe2\x80\xa6");
	assert_true(cb_utf8_valid(s, strlen(s)));
	free(s);
}

static void
test_list_move(void **state)
{
	static const char *const titles[] = { "b1", "b2" };
	struct cb_adv_list a = { NULL, 0, 0 }, b = { NULL, 0, 0 };
	size_t i;

	(void)state;
	cb_adv_list_push(&a)->title = cb_xstrdup("a");
	for (i = 0; i < 2; i++)
		cb_adv_list_push(&b)->title = cb_xstrdup(titles[i]);
	cb_adv_list_move(&a, &b);
	assert_int_equal(a.n, 3);
	assert_string_equal(a.v[2].title, "b2");
	assert_int_equal(b.n, 0);
	assert_null(b.v);
	cb_adv_list_release(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vietnamese_round_trip),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_empty_feed_and_bom),
		cmocka_unit_test(test_rejects_item_fields),
		cmocka_unit_test(test_rejects_id_and_title),
		cmocka_unit_test(test_rejects_top_level),
		cmocka_unit_test(test_rejects_deep_and_big),
		cmocka_unit_test(test_rejects_too_many),
		cmocka_unit_test(test_load_depth_limit),
		cmocka_unit_test(test_strdup_cut),
		cmocka_unit_test(test_list_move),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
