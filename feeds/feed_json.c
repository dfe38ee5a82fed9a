/*
 * feed_json: canhbao's own JSON feed format, and the checked JSON loading
 * every JSON-based adapter goes through (see feed_json.h).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cb_adv.h"
#include "cb_json.h"
#include "cb_mem.h"
#include "cb_time.h"
#include "cb_utf8.h"
#include "feed.h"
#include "feed_json.h"

/* --- loading --------------------------------------------------------- */

enum scan_result { SCAN_OK = 0, SCAN_DEEP, SCAN_NUL };

/*
 * One pass over the raw bytes, before cJSON recurses into them: the
 * nesting depth of objects and arrays, and "\u0000" escapes (cJSON would
 * cut the string there without a word).  *at gets the offending offset.
 */
static enum scan_result
scan(const char *buf, size_t len, size_t *at)
{
	size_t i, depth = 0;
	int in_string = 0;

	for (i = 0; i < len; i++) {
		char c = buf[i];

		if (in_string) {
			if (c == '"') {
				in_string = 0;
			} else if (c == '\\' && i + 1 < len) {
				i++;
				if (buf[i] == 'u' && i + 4 < len &&
				    memcmp(buf + i + 1, "0000", 4) == 0) {
					*at = i - 1;
					return SCAN_NUL;
				}
			}
			continue;
		}
		if (c == '"') {
			in_string = 1;
		} else if (c == '{' || c == '[') {
			if (++depth > FEED_MAX_DEPTH) {
				*at = i;
				return SCAN_DEEP;
			}
		} else if ((c == '}' || c == ']') && depth > 0) {
			depth--;
		}
	}
	return SCAN_OK;
}

static int
json_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Checks the bytes as feed_json_load promises; 0 or -1 with err set. */
static int
check_body(const char *buf, size_t len, const char *what, size_t skipped,
    struct cb_err *err)
{
	size_t at = 0;

	if (len == 0)
		return cb_err_set(err, "%s: document is empty", what);
	if (len + skipped > FEED_MAX_BODY)
		return cb_err_set(err,
		    "%s: document is %zu bytes, more than %u", what,
		    len + skipped, FEED_MAX_BODY);
	if (!cb_utf8_valid(buf, len))
		return cb_err_set(err, "%s: document is not valid UTF-8", what);
	switch (scan(buf, len, &at)) {
	case SCAN_DEEP:
		return cb_err_set(err,
		    "%s: nesting deeper than %d levels at byte %zu", what,
		    FEED_MAX_DEPTH, at + skipped);
	case SCAN_NUL:
		return cb_err_set(err, "%s: \\u0000 in a string at byte %zu",
		    what, at + skipped);
	case SCAN_OK:
		break;
	}
	return 0;
}

struct cJSON *
feed_json_load(const char *buf, size_t len, const char *what,
    struct cb_err *err)
{
	size_t skipped = 0, at;
	const char *end = NULL, *errp;
	char *copy;
	cJSON *root;

	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		skipped = 3; /* a UTF-8 byte order mark */
	buf += skipped;
	len -= skipped;
	if (check_body(buf, len, what, skipped, err) < 0)
		return NULL;
	/* cJSON may look one byte past the length it is given. */
	copy = cb_xstrndup(buf, len);
	root = cJSON_ParseWithLengthOpts(copy, len, &end, 0);
	if (root == NULL) {
		errp = cJSON_GetErrorPtr();
		at = errp != NULL && errp >= copy && errp <= copy + len
		    ? (size_t)(errp - copy)
		    : len;
		free(copy);
		cb_err_set(err, "%s: not valid JSON near byte %zu", what,
		    at + skipped);
		return NULL;
	}
	while (end != NULL && end < copy + len && json_space(*end))
		end++;
	at = end != NULL ? (size_t)(end - copy) : 0;
	free(copy);
	if (at != len) {
		cJSON_Delete(root);
		cb_err_set(err, "%s: trailing data after the JSON at byte %zu",
		    what, at + skipped);
		return NULL;
	}
	return root;
}

/* --- small shared helpers -------------------------------------------- */

char *
feed_json_strdup_cut(const char *s, size_t max)
{
	size_t len;
	char *p;

	while (json_space(*s))
		s++;
	len = strlen(s);
	while (len > 0 && json_space(s[len - 1]))
		len--;
	if (len == 0)
		return NULL;
	p = cb_xstrndup(s, len);
	cb_utf8_clip_bytes(p, max);
	return p;
}

/* --- the canhbao feed format ----------------------------------------- */

static int
parse_advisories(const cJSON *arr, const struct feed_opts *opts,
    struct cb_adv_list *list, struct cb_err *err)
{
	const cJSON *e;
	size_t i = 0;

	if (cJSON_GetArraySize(arr) > FEED_MAX_ITEMS)
		return cb_err_set(err, "json: more than %d advisories",
		    FEED_MAX_ITEMS);
	cJSON_ArrayForEach(e, arr)
	{
		if (cb_adv_from_feed_item(cb_adv_list_push(list), e,
			opts != NULL ? opts->default_severity : CB_SEV_INFO,
			err) < 0) {
			cb_err_prefix(err, "json: advisories[%zu]", i);
			return -1;
		}
		i++;
	}
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Two advisories of one feed may not share an id. */
static int
check_unique_ids(const struct cb_adv_list *list, struct cb_err *err)
{
	const char **ids;
	size_t i;
	int rc = 0;

	if (list->n < 2)
		return 0;
	ids = cb_xcalloc(list->n, sizeof(*ids));
	for (i = 0; i < list->n; i++)
		ids[i] = list->v[i].source_id;
	qsort(ids, list->n, sizeof(*ids), cmp_str);
	for (i = 1; i < list->n && rc == 0; i++)
		if (strcmp(ids[i - 1], ids[i]) == 0)
			rc = cb_err_set(err, "json: id '%.128s' is used twice",
			    ids[i]);
	free(ids);
	return rc;
}

/* The top level: {"canhbao_feed": 1, "title": ..., "advisories": [...]} */
static int
parse_feed(const cJSON *root, const struct feed_opts *opts,
    struct cb_adv_list *list, struct cb_err *err)
{
	const cJSON *item, *advs = NULL, *version = NULL, *title = NULL;

	if (!cJSON_IsObject(root))
		return cb_err_set(err, "json: the document is not an object");
	cJSON_ArrayForEach(item, root)
	{
		const cJSON **slot;

		if (strcmp(item->string, "canhbao_feed") == 0)
			slot = &version;
		else if (strcmp(item->string, "title") == 0)
			slot = &title;
		else if (strcmp(item->string, "advisories") == 0)
			slot = &advs;
		else
			return cb_err_set(err, "json: unknown key '%.64s'",
			    item->string);
		*slot = item;
	}
	if (version == NULL)
		return cb_err_set(err,
		    "json: 'canhbao_feed' is missing; "
		    "not a canhbao feed");
	if (!cJSON_IsNumber(version) || version->valuedouble != 1)
		return cb_err_set(err, "json: 'canhbao_feed' must be 1");
	if (title != NULL &&
	    (!cJSON_IsString(title) ||
		strlen(title->valuestring) > CB_ADV_MAX_TITLE))
		return cb_err_set(err,
		    "json: 'title' must be a string of at "
		    "most %d bytes",
		    CB_ADV_MAX_TITLE);
	if (advs == NULL)
		return cb_err_set(err, "json: 'advisories' is missing");
	if (!cJSON_IsArray(advs))
		return cb_err_set(err, "json: 'advisories' must be an array");
	if (parse_advisories(advs, opts, list, err) < 0 ||
	    check_unique_ids(list, err) < 0)
		return -1;
	/* The items refused their own repeated keys, with their index;
	 * this finds a repeated key among the document's own. */
	if (cb_json_unique_keys(root, err) < 0) {
		cb_err_prefix(err, "json");
		return -1;
	}
	return 0;
}

int
feed_json_parse(const char *buf, size_t len, const struct feed_opts *opts,
    struct cb_adv_list *out, struct cb_err *err)
{
	struct cb_adv_list local = { NULL, 0, 0 };
	cJSON *root;
	int rc;

	if ((root = feed_json_load(buf, len, "json", err)) == NULL)
		return -1;
	rc = parse_feed(root, opts, &local, err);
	cJSON_Delete(root);
	if (rc < 0) {
		cb_adv_list_release(&local);
		return -1;
	}
	cb_adv_list_move(out, &local);
	return 0;
}
