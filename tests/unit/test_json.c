/* Unit tests for cb_json: member helpers and the strict reading of
 * signed JSON (one object, no key repeated at any depth). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cb_test.h"
#include "cb_json.h"

static void
expect_refused(const char *json, const char *needle)
{
	struct cb_err err = { "" };
	cJSON *o = cb_json_parse_object(json, strlen(json), "payload", &err);

	if (o != NULL)
		fail_msg("'%s' was accepted", json);
	if (strstr(err.msg, needle) == NULL)
		fail_msg("error '%s' does not mention '%s'", err.msg, needle);
}

static void
test_repeated_keys(void **state)
{
	struct cb_err err;
	cJSON *o;

	(void)state;
	expect_refused("{\"a\":1,\"b\":2,\"a\":3}", "key 'a' appears twice");
	expect_refused("{\"r\":{\"seq\":1,\"x\":[],\"seq\":2}}",
	    "key 'seq' appears twice in 'r'");
	expect_refused("{\"list\":[1,{\"k\":1,\"k\":1}]}",
	    "key 'k' appears twice");
	expect_refused("{\"\":1,\"\":2}", "key '' appears twice");
	/* The same key in two objects, or as a value, is not a repeat. */
	o = cb_json_parse_object("{\"a\":{\"a\":\"a\"},\"b\":[{\"a\":1},"
				 "{\"a\":2}]}",
	    37, "payload", &err);
	assert_non_null(o);
	cJSON_Delete(o);
}

/* A long object is sorted, not compared pair by pair. */
static void
test_many_keys(void **state)
{
	enum { N = 50000 };
	size_t cap = (size_t)N * 16 + 16, len = 0;
	char *json = malloc(cap);
	struct cb_err err;
	cJSON *o;
	int i;

	(void)state;
	json[len++] = '{';
	for (i = 0; i < N; i++)
		len += (size_t)snprintf(json + len, cap - len, "%s\"k%d\":0",
		    i ? "," : "", i);
	json[len++] = '}';
	o = cb_json_parse_object(json, len, "payload", &err);
	assert_non_null(o);
	cJSON_Delete(o);
	memcpy(json + len - 1, ",\"k4242\":1}", 11);
	o = cb_json_parse_object(json, len + 10, "payload", &err);
	assert_null(o);
	assert_non_null(strstr(err.msg, "key 'k4242' appears twice"));
	free(json);
}

static void
test_strict_object(void **state)
{
	(void)state;
	expect_refused("[1]", "payload is not a JSON object");
	expect_refused("{} {}", "trailing data after the payload JSON");
	expect_refused("{\"a\":", "payload is not valid JSON");
	expect_refused("{\"a\":\"\xc3\x28\"}", "not valid UTF-8");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_repeated_keys),
		cmocka_unit_test(test_many_keys),
		cmocka_unit_test(test_strict_object),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
