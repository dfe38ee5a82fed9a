/* cb_json: reading members of cJSON objects (see cb_json.h). */
#include <stddef.h>

#include <cjson/cJSON.h>

#include "cb_json.h"

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
