/* cb_registry: the registry payload (see cb_registry.h). */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cb_json.h"
#include "cb_mem.h"
#include "cb_registry.h"

#define MAX_GENERATION 9007199254740992.0 /* 2^53: exact in JSON */

int
cb_registry_name_ok(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n > CB_REGISTRY_MAXNAME)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '-' &&
		    name[i] != '_' && name[i] != '.')
			return 0;
	return 1;
}

const char *
cb_registry_kind_name(enum cb_registry_kind kind)
{
	return kind == CB_REGISTRY_RELAY ? "relay" : "agency";
}

/* The base64 line of a public key file: "RWQ..." (56 characters). */
static char *
key_line(const struct cb_pubkey *pk)
{
	uint8_t bin[CB_SIG_PKBIN];

	cb_sig_pubkey_bin(pk, bin);
	return cb_sig_base64(bin, sizeof(bin));
}

char *
cb_registry_encode(uint64_t gen, const struct cb_registry_member *m,
    size_t n, size_t *lenp, struct cb_err *err)
{
	cJSON *root = cJSON_CreateObject(), *arr;
	char *out;
	size_t i;

	cJSON_AddNumberToObject(root, "generation", (double)gen);
	arr = cJSON_AddArrayToObject(root, "members");
	for (i = 0; i < n; i++) {
		cJSON *o;
		char *key;

		if (!cb_registry_name_ok(m[i].name)) {
			cJSON_Delete(root);
			cb_err_set(err, "member %zu: name '%s' is not valid",
			    i, m[i].name);
			return NULL;
		}
		o = cJSON_CreateObject();
		key = key_line(&m[i].key);
		cJSON_AddStringToObject(o, "name", m[i].name);
		cJSON_AddStringToObject(o, "kind",
		    cb_registry_kind_name(m[i].kind));
		cJSON_AddStringToObject(o, "key", key);
		free(key);
		cJSON_AddItemToArray(arr, o);
	}
	out = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	if (out == NULL)
		cb_oom(0);
	*lenp = strlen(out);
	return out;
}

/* Exactly the keys name, kind and key, each a string. */
static int
read_member(const cJSON *o, size_t i, struct cb_registry_member *m,
    struct cb_err *err)
{
	const cJSON *it;
	const char *name, *kind, *key;

	if (!cJSON_IsObject(o))
		return cb_err_set(err, "member %zu is not an object", i);
	for (it = o->child; it != NULL; it = it->next)
		if (strcmp(it->string, "name") != 0 &&
		    strcmp(it->string, "kind") != 0 &&
		    strcmp(it->string, "key") != 0)
			return cb_err_set(err, "member %zu: unknown key '%s'",
			    i, it->string);
	name = cb_json_str(o, "name");
	kind = cb_json_str(o, "kind");
	key = cb_json_str(o, "key");
	if (name == NULL || kind == NULL || key == NULL)
		return cb_err_set(err, "member %zu: name, kind and key must "
		    "be strings", i);
	if (!cb_registry_name_ok(name))
		return cb_err_set(err, "member %zu: name is not valid", i);
	memcpy(m->name, name, strlen(name) + 1);
	if (strcmp(kind, "agency") == 0)
		m->kind = CB_REGISTRY_AGENCY;
	else if (strcmp(kind, "relay") == 0)
		m->kind = CB_REGISTRY_RELAY;
	else
		return cb_err_set(err, "member %zu (%s): kind must be agency "
		    "or relay", i, name);
	if (strlen(key) != 56 || cb_sig_parse_pubkey(key, &m->key, err) < 0)
		return cb_err_set(err, "member %zu (%s): key is not a "
		    "minisign public key", i, name);
	return 0;
}

static int
read_generation(const cJSON *root, uint64_t *gen, struct cb_err *err)
{
	const cJSON *g = cb_json_member(root, "generation");

	if (!cJSON_IsNumber(g) || g->valuedouble < 1 ||
	    g->valuedouble > MAX_GENERATION ||
	    floor(g->valuedouble) != g->valuedouble)
		return cb_err_set(err, "generation must be a whole number "
		    "from 1");
	*gen = (uint64_t)g->valuedouble;
	return 0;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(((const struct cb_registry_member *)a)->name,
	    ((const struct cb_registry_member *)b)->name);
}

/* No name twice (sorts a copy's order: members are looked up by key). */
static int
names_unique(struct cb_registry *r, struct cb_err *err)
{
	size_t i;

	qsort(r->members, r->n, sizeof(r->members[0]), by_name);
	for (i = 1; i < r->n; i++)
		if (strcmp(r->members[i - 1].name, r->members[i].name) == 0)
			return cb_err_set(err, "member '%s' appears twice",
			    r->members[i].name);
	return 0;
}

static int
decode_tree(const cJSON *root, struct cb_registry *r, struct cb_err *err)
{
	const cJSON *arr, *it;
	size_t i = 0;

	for (it = root->child; it != NULL; it = it->next)
		if (strcmp(it->string, "generation") != 0 &&
		    strcmp(it->string, "members") != 0)
			return cb_err_set(err, "unknown key '%s'", it->string);
	if (read_generation(root, &r->generation, err) < 0)
		return -1;
	if ((arr = cb_json_array(root, "members")) == NULL)
		return cb_err_set(err, "members must be an array");
	r->n = (size_t)cJSON_GetArraySize(arr);
	if (r->n > CB_REGISTRY_MAXMEMBERS)
		return cb_err_set(err, "%zu members, at most %d", r->n,
		    CB_REGISTRY_MAXMEMBERS);
	r->members = cb_xcalloc(r->n ? r->n : 1, sizeof(r->members[0]));
	cJSON_ArrayForEach(it, arr) {
		if (read_member(it, i, &r->members[i], err) < 0)
			return -1;
		i++;
	}
	return names_unique(r, err);
}

int
cb_registry_decode(const uint8_t *payload, size_t len, struct cb_registry *r,
    struct cb_err *err)
{
	cJSON *root;
	int rc;

	memset(r, 0, sizeof(*r));
	root = cb_json_parse_object((const char *)payload, len, "registry",
	    err);
	if (root == NULL)
		return -1;
	rc = decode_tree(root, r, err);
	cJSON_Delete(root);
	if (rc < 0) {
		cb_err_prefix(err, "registry");
		cb_registry_release(r);
	}
	return rc;
}

void
cb_registry_release(struct cb_registry *r)
{
	free(r->members);
	memset(r, 0, sizeof(*r));
}

const struct cb_registry_member *
cb_registry_find_key(const struct cb_registry *r,
    const uint8_t id[CB_SIG_KEYIDLEN])
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (memcmp(r->members[i].key.id, id, CB_SIG_KEYIDLEN) == 0)
			return &r->members[i];
	return NULL;
}
