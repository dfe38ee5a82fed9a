/* Unit tests for cb_registry: the registry payload that relays trust. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_test.h"
#include "cb_registry.h"
#include "cb_sig.h"

static void
member(struct cb_registry_member *m, const char *name,
    enum cb_registry_kind kind)
{
	struct cb_seckey *sk;

	memset(m, 0, sizeof(*m));
	snprintf(m->name, sizeof(m->name), "%s", name);
	m->kind = kind;
	assert_int_equal(cb_sig_keygen(&sk, &m->key, NULL), 0);
	cb_seckey_free(sk);
}

static void
test_roundtrip(void **state)
{
	struct cb_registry_member m[3];
	struct cb_registry r;
	struct cb_err err;
	char *json;
	size_t len;

	(void)state;
	member(&m[0], "relay-ha-noi", CB_REGISTRY_RELAY);
	member(&m[1], "so-tai-chinh", CB_REGISTRY_AGENCY);
	member(&m[2], "so-y-te", CB_REGISTRY_AGENCY);
	json = cb_registry_encode(42, m, 3, &len, &err);
	assert_non_null(json);
	assert_int_equal(len, strlen(json));
	assert_non_null(strstr(json, "\"generation\":42"));
	assert_int_equal(cb_registry_decode((const uint8_t *)json, len, &r,
	    &err), 0);
	assert_int_equal(r.generation, 42);
	assert_int_equal(r.n, 3);
	assert_string_equal(r.members[0].name, "relay-ha-noi");
	assert_int_equal(r.members[0].kind, CB_REGISTRY_RELAY);
	assert_int_equal(r.members[2].kind, CB_REGISTRY_AGENCY);
	assert_memory_equal(r.members[2].key.pk, m[2].key.pk, CB_SIG_PKLEN);
	assert_ptr_equal(cb_registry_find_key(&r, m[1].key.id),
	    &r.members[1]);
	cb_registry_release(&r);
	free(json);

	/* An empty registry is one: it admits nobody. */
	json = cb_registry_encode(7, NULL, 0, &len, &err);
	assert_int_equal(cb_registry_decode((const uint8_t *)json, len, &r,
	    &err), 0);
	assert_int_equal(r.n, 0);
	assert_null(cb_registry_find_key(&r, m[0].key.id));
	cb_registry_release(&r);
	free(json);
}

/* Each refused with an error that says what and where. */
static void
test_refuses(void **state)
{
	static const struct {
		const char *json, *says;
	} bad[] = {
		{ "{\"members\":[]}", "generation" },
		{ "{\"generation\":0,\"members\":[]}", "generation" },
		{ "{\"generation\":1.5,\"members\":[]}", "generation" },
		{ "{\"generation\":1}", "members" },
		{ "{\"generation\":1,\"members\":[],\"x\":1}", "unknown key 'x'" },
		{ "{\"generation\":1,\"members\":[1]}", "member 0" },
		{ "{\"generation\":1,\"members\":[{\"name\":\"a b\",\"kind\":"
		  "\"agency\",\"key\":\"x\"}]}", "member 0: name" },
		{ "{\"generation\":1,\"members\":[{\"name\":\"a\",\"kind\":"
		  "\"boss\",\"key\":\"x\"}]}", "kind" },
		{ "{\"generation\":1,\"members\":[{\"name\":\"a\",\"kind\":"
		  "\"agency\",\"key\":\"RWQ\"}]}", "key" },
		{ "{\"generation\":1,\"members\":[{\"name\":\"a\",\"kind\":"
		  "\"agency\",\"key\":\"x\",\"extra\":1}]}", "unknown key" },
		{ "{\"generation\":1,\"generation\":2,\"members\":[]}", "twice" },
	};
	struct cb_registry r;
	struct cb_err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(cb_registry_decode(
		    (const uint8_t *)bad[i].json, strlen(bad[i].json), &r,
		    &err), -1);
		if (strstr(err.msg, bad[i].says) == NULL)
			fail_msg("%s: '%s' does not say %s", bad[i].json,
			    err.msg, bad[i].says);
		assert_null(r.members);
	}
}

static void
test_name_twice(void **state)
{
	struct cb_registry_member m[2];
	struct cb_registry r;
	struct cb_err err;
	char *json;
	size_t len;

	(void)state;
	member(&m[0], "so-y-te", CB_REGISTRY_AGENCY);
	member(&m[1], "so-y-te", CB_REGISTRY_RELAY);
	json = cb_registry_encode(3, m, 2, &len, &err);
	assert_int_equal(cb_registry_decode((const uint8_t *)json, len, &r,
	    &err), -1);
	assert_non_null(strstr(err.msg, "'so-y-te' appears twice"));
	free(json);
	snprintf(m[0].name, sizeof(m[0].name), "../etc");
	assert_null(cb_registry_encode(3, m, 1, &len, &err));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_refuses),
		cmocka_unit_test(test_name_twice),
	};

	assert_int_equal(cb_sig_init(), 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
