/* cb_json: reading members of cJSON objects (see cb_json.h). */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cb_json.h"
#include "cb_mem.h"
#include "cb_time.h"
#include "cb_utf8.h"

const cJSON *
cb_json_member(const cJSON *obj, const char *key)
{
	return cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key)
				   : NULL;
}

const char *
cb_json_str(const cJSON *obj, const char *key)
{
	const cJSON *v = cb_json_member(obj, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

double
cb_json_num(const cJSON *obj, const char *key, double dflt)
{
	const cJSON *v = cb_json_member(obj, key);

	return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

const cJSON *
cb_json_array(const cJSON *obj, const char *key)
{
	const cJSON *v = cb_json_member(obj, key);

	return cJSON_IsArray(v) ? v : NULL;
}

static int
cmp_key(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The first key of obj's members that appears twice, or NULL. */
static const char *
repeated_key(const cJSON *obj)
{
	const char **keys, *dup = NULL;
	const cJSON *item;
	size_t n = 0, i;

	cJSON_ArrayForEach(item, obj)
		n++;
	if (n < 2)
		return NULL;
	keys = cb_xcalloc(n, sizeof(*keys));
	n = 0;
	cJSON_ArrayForEach(item, obj)
		keys[n++] = item->string != NULL ? item->string : "";
	qsort(keys, n, sizeof(*keys), cmp_key);
	for (i = 1; i < n && dup == NULL; i++)
		if (strcmp(keys[i - 1], keys[i]) == 0)
			dup = keys[i];
	free(keys);
	return dup;
}

int
cb_json_unique_keys(const cJSON *node, struct cb_err *err)
{
	const cJSON *item;
	const char *dup;

	if (cJSON_IsObject(node) && (dup = repeated_key(node)) != NULL) {
		if (node->string != NULL)
			return cb_err_set(err, "key '%.64s' appears twice in "
			    "'%.64s'", dup, node->string);
		return cb_err_set(err, "key '%.64s' appears twice", dup);
	}
	if (cJSON_IsObject(node) || cJSON_IsArray(node))
		cJSON_ArrayForEach(item, node)
			if (cb_json_unique_keys(item, err) < 0)
				return -1;
	return 0;
}

cJSON *
cb_json_parse_object(const char *json, size_t len, const char *what,
    struct cb_err *err)
{
	const char *end = NULL;
	cJSON *obj;

	if (!cb_utf8_valid(json, len)) {
		cb_err_set(err, "%s JSON is not valid UTF-8", what);
		return NULL;
	}
	obj = cJSON_ParseWithLengthOpts(json, len, &end, 0);
	if (obj == NULL) {
		cb_err_set(err, "%s is not valid JSON (near byte %td)", what,
		    cJSON_GetErrorPtr() ? cJSON_GetErrorPtr() - json :
					  (ptrdiff_t)0);
		return NULL;
	}
	while (end != NULL && end < json + len &&
	    (*end == ' ' || *end == '\n' || *end == '\r' || *end == '\t'))
		end++;
	if (end != json + len)
		cb_err_set(err, "trailing data after the %s JSON", what);
	else if (!cJSON_IsObject(obj))
		cb_err_set(err, "%s is not a JSON object", what);
	else if (cb_json_unique_keys(obj, err) == 0)
		return obj;
	cJSON_Delete(obj);
	return NULL;
}

void
cb_json_add_time(cJSON *obj, const char *key, int64_t t)
{
	char buf[CB_TIME_BUFSZ];

	if (t > 0)
		cJSON_AddStringToObject(obj, key, cb_time_format(t, buf));
	else
		cJSON_AddNullToObject(obj, key);
}
