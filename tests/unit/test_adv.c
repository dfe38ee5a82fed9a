/* Unit tests for cb_adv: names, validation, canonical JSON round trip. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_test.h"
#include "cb_adv.h"

#include <cjson/cJSON.h>

static const char *vi_title =
    "Cảnh báo chiến dịch tấn công APT nhắm vào các cơ quan nhà nước "
    "dịp Tết Nguyên đán \"Canh Tý\" & cách phòng chống <khẩn>";

static void
fill(struct cb_adv *a)
{
	cb_adv_init(a);
	a->id = strdup("local:2026-000001");
	a->source = strdup("local");
	a->title = strdup(vi_title);
	a->summary = strdup("Đề nghị các đơn vị rà soát, khắc phục ngay.");
	a->severity = CB_SEV_CRITICAL;
	a->status = CB_STATUS_EXERCISE;
	a->origin = CB_ORIGIN_PROVINCIAL;
	a->published = 1732406400;
	cb_strlist_add(&a->cves, "CVE-2024-3400");
	cb_strlist_add(&a->actions, "Cập nhật bản vá");
}

static void
test_names(void **state)
{
	enum cb_severity s;
	enum cb_kind k;

	(void)state;
	assert_int_equal(cb_severity_parse("high", &s), 0);
	assert_int_equal(s, CB_SEV_HIGH);
	assert_string_equal(cb_severity_name(CB_SEV_CRITICAL), "critical");
	assert_int_equal(cb_severity_parse("HIGH", &s), -1);
	assert_int_equal(cb_severity_parse("severe", &s), -1);
	assert_int_equal(cb_kind_parse("cancel", &k), 0);
	assert_int_equal(k, CB_KIND_CANCEL);
}

static void
test_roundtrip_byte_exact(void **state)
{
	struct cb_adv a, b;
	struct cb_err err;
	char *j1, *j2;

	(void)state;
	fill(&a);
	j1 = cb_adv_to_json(&a);
	assert_int_equal(cb_adv_from_json(&b, j1, strlen(j1), 0, &err), 0);
	assert_string_equal(b.title, vi_title);
	assert_int_equal(b.severity, CB_SEV_CRITICAL);
	assert_int_equal(b.status, CB_STATUS_EXERCISE);
	assert_int_equal(b.published, 1732406400);
	assert_int_equal(b.cves.n, 1);
	j2 = cb_adv_to_json(&b);
	assert_string_equal(j1, j2); /* canonical: same bytes again */
	/* Vietnamese text is kept as UTF-8, not escaped. */
	assert_non_null(strstr(j1, "Cảnh báo"));
	free(j1);
	free(j2);
	cb_adv_release(&a);
	cb_adv_release(&b);
}

static void
expect_reject(const char *json, int partial, const char *needle)
{
	struct cb_adv a;
	struct cb_err err = { "" };

	assert_int_equal(cb_adv_from_json(&a, json, strlen(json), partial,
			     &err),
	    -1);
	if (strstr(err.msg, needle) == NULL)
		fail_msg("error '%s' does not mention '%s'", err.msg, needle);
	cb_adv_release(&a);
}

static void
test_rejects(void **state)
{
	(void)state;
	expect_reject("{\"severity\":\"high\",\"title\":\"  \"}", 1,
	    "title is empty");
	expect_reject("{\"severity\":\"severe\",\"title\":\"x\"}", 1,
	    "severity");
	expect_reject("{\"title\":\"x\"}", 1, "severity");
	expect_reject("{\"severity\":\"low\",\"title\":\"x\",\"titel\":1}", 1,
	    "unknown key 'titel'");
	expect_reject("{\"severity\":\"low\",\"title\":\"x\"", 1,
	    "not valid JSON");
	expect_reject("{\"severity\":\"low\",\"title\":\"x\"} xx", 1,
	    "trailing");
	expect_reject("{\"severity\":\"low\",\"title\":\"\xc3\x28\"}", 1,
	    "UTF-8");
	expect_reject("{\"severity\":\"low\",\"title\":\"x\"}", 0, "id");
	expect_reject("{\"severity\":\"low\",\"title\":\"x\",\"cves\":[1]}", 1,
	    "cves");
	expect_reject("[]", 1, "object");
}

/* A repeated key is refused in every form, not read as its last value
 * (another parser of the same signed bytes may read the first). */
static void
test_repeated_keys(void **state)
{
	static const char full[] = "{\"id\":\"local:2026-000001\","
				   "\"severity\":\"low\",\"title\":\"a\","
				   "\"published\":\"2026-01-20T08:00:00Z\"";
	char json[512];
	struct cb_adv a;
	struct cb_err err;
	cJSON *obj;

	(void)state;
	snprintf(json, sizeof(json), "%s}", full);
	assert_int_equal(cb_adv_from_json(&a, json, strlen(json), 0, &err), 0);
	cb_adv_release(&a);
	snprintf(json, sizeof(json), "%s,\"severity\":\"critical\"}", full);
	expect_reject(json, 0, "key 'severity' appears twice");
	expect_reject("{\"severity\":\"low\",\"title\":\"x\",\"cves\":[],"
		      "\"title\":\"y\"}",
	    1, "key 'title' appears twice");
	/* A draft parsed by its caller ("publish --file", the control
	 * channel) and a feed item are held to the same rule. */
	obj = cJSON_Parse("{\"id\":\"v\",\"title\":\"t\",\"severity\":"
			  "\"low\",\"severity\":\"high\"}");
	assert_int_equal(cb_adv_from_cjson(&a, obj, 1, &err), -1);
	assert_non_null(strstr(err.msg, "key 'severity' appears twice"));
	cb_adv_release(&a);
	assert_int_equal(cb_adv_from_feed_item(&a, obj, CB_SEV_HIGH, &err), -1);
	assert_non_null(strstr(err.msg, "key 'severity' appears twice"));
	cb_adv_release(&a);
	cJSON_Delete(obj);
}

static void
test_title_limit(void **state)
{
	struct cb_adv a;
	struct cb_err err;

	(void)state;
	fill(&a);
	free(a.title);
	a.title = malloc(CB_ADV_MAX_TITLE + 2);
	memset(a.title, 'x', CB_ADV_MAX_TITLE + 1);
	a.title[CB_ADV_MAX_TITLE + 1] = '\0';
	assert_int_equal(cb_adv_validate(&a, &err), -1);
	assert_non_null(strstr(err.msg, "title"));
	cb_adv_release(&a);
}

static void
test_copy(void **state)
{
	struct cb_adv a, b;
	char *j1, *j2;

	(void)state;
	fill(&a);
	cb_adv_copy(&b, &a);
	j1 = cb_adv_to_json(&a);
	j2 = cb_adv_to_json(&b);
	assert_string_equal(j1, j2);
	free(j1);
	free(j2);
	cb_adv_release(&a);
	cb_adv_release(&b);
}

/* One schema, three forms: a feed item takes "id" as its source_id and
 * none of the keys the publisher assigns. */
static void
test_feed_item_form(void **state)
{
	static const char item[] = "{\"id\":\"VN-1\",\"title\":\"t\","
				   "\"cves\":[\"CVE-2024-3400\"]}";
	struct cb_adv a;
	struct cb_err err = { "" };
	cJSON *obj;

	(void)state;
	obj = cJSON_Parse(item);
	assert_int_equal(cb_adv_from_feed_item(&a, obj, CB_SEV_HIGH, &err), 0);
	assert_string_equal(a.source_id, "VN-1");
	assert_null(a.id);
	assert_int_equal(a.severity, CB_SEV_HIGH);
	assert_int_equal(a.cves.n, 1);
	cb_adv_release(&a);
	/* The same object is a draft without severity. */
	assert_int_equal(cb_adv_from_cjson(&a, obj, 1, &err), -1);
	assert_non_null(strstr(err.msg, "'severity' is missing"));
	cb_adv_release(&a);
	cJSON_Delete(obj);
	obj = cJSON_Parse("{\"id\":\"x\",\"title\":\"t\",\"revision\":2}");
	assert_int_equal(cb_adv_from_feed_item(&a, obj, CB_SEV_HIGH, &err), -1);
	assert_non_null(strstr(err.msg, "unknown key 'revision'"));
	cb_adv_release(&a);
	cJSON_Delete(obj);
}

/* Times the JSON form can carry: after 1970, before 10000. */
static void
test_times(void **state)
{
	int64_t t;

	(void)state;
	assert_int_equal(cb_adv_time_parse("2026-01-20T08:00:00+07:00", &t), 0);
	assert_int_equal(t, 1768870800);
	assert_int_equal(cb_adv_time_parse("1970-01-01T00:00:00Z", &t), -1);
	assert_int_equal(cb_adv_time_parse("1970-01-01T00:30:00+01:00", &t),
	    -1);
	assert_int_equal(cb_adv_time_parse("9999-12-31T23:59:59-01:00", &t),
	    -1);
	expect_reject("{\"severity\":\"low\",\"title\":\"x\","
		      "\"expires\":\"1970-01-01T00:30:00+01:00\"}",
	    1, "'expires' must be an RFC 3339 time");
}

static void
test_moves(void **state)
{
	struct cb_strlist a = { NULL, 0 }, b = { NULL, 0 };
	struct cb_adv_list x = { NULL, 0, 0 }, y = { NULL, 0, 0 };

	(void)state;
	cb_strlist_add(&a, "1");
	cb_strlist_add(&b, "2");
	cb_strlist_add(&b, "3");
	cb_strlist_move(&a, &b);
	assert_int_equal(a.n, 3);
	assert_string_equal(a.v[2], "3");
	assert_int_equal(b.n, 0);
	assert_null(b.v);
	cb_adv_list_push(&y)->title = strdup("t");
	cb_adv_list_move(&x, &y);
	assert_int_equal(x.n, 1);
	assert_string_equal(x.v[0].title, "t");
	assert_int_equal(y.n, 0);
	cb_strlist_release(&a);
	cb_adv_list_release(&x);
}

static void
test_severity_arg(void **state)
{
	static const char *const names[] = { "critical", "Critical", "HIGH",
		"mEdium", "low", "Info" };
	static const enum cb_severity want[] = { CB_SEV_CRITICAL, CB_SEV_CRITICAL,
		CB_SEV_HIGH, CB_SEV_MEDIUM, CB_SEV_LOW, CB_SEV_INFO };
	enum cb_severity sev;
	struct cb_err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		assert_int_equal(cb_severity_arg(names[i], &sev, &err), 0);
		assert_int_equal(sev, want[i]);
	}
	assert_int_equal(cb_severity_arg("severe", &sev, &err), -1);
	assert_string_equal(err.msg, "unknown severity 'severe' (use "
	    "critical, high, medium, low or info)");
	assert_int_equal(cb_severity_arg("", &sev, &err), -1);
	/* The signed form stays exact. */
	assert_int_equal(cb_severity_parse("Critical", &sev), -1);
}

static void
test_cve_normalise(void **state)
{
	static const char *const good[][2] = {
		{ "CVE-2024-3400", "CVE-2024-3400" },
		{ "cve-2024-3400", "CVE-2024-3400" },
		{ "Cve-2021-44228", "CVE-2021-44228" },
		{ "CVE-2024-1234567", "CVE-2024-1234567" } };
	static const char *const bad[] = { "cve-2024-1", "CVE-2024-123",
		"CVE-24-12345", "CVE-20245-1234", "CVE-2024-12a4",
		"CVE-2024-1234 ", "CVE_2024_1234", "2024-1234", "",
		"CVE-2024-12345678901234567890", "CVE-2024-" };
	char out[CB_CVE_MAX];
	struct cb_err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(cb_cve_normalise(good[i][0], out, &err), 0);
		assert_string_equal(out, good[i][1]);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (cb_cve_normalise(bad[i], out, &err) == 0)
			fail_msg("'%s' was accepted", bad[i]);
	cb_cve_normalise("cve-2024-1", out, &err);
	assert_string_equal(err.msg, "'cve-2024-1' is not a CVE id "
	    "(CVE-YYYY-NNNN, with at least 4 digits after the year)");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_roundtrip_byte_exact),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_repeated_keys),
		cmocka_unit_test(test_title_limit),
		cmocka_unit_test(test_copy),
		cmocka_unit_test(test_feed_item_form),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_moves),
		cmocka_unit_test(test_severity_arg),
		cmocka_unit_test(test_cve_normalise),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
