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
#include "cb_mem.h"
#include "cb_time.h"
#include "cb_utf8.h"
#include "feed.h"
#include "feed_json.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

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

int
feed_json_time(const char *s, int64_t *out)
{
	const int64_t year_10000 = INT64_C(253402300800);
	int64_t t;

	if (cb_time_parse_iso(s, &t) < 0 || t <= 0 || t >= year_10000)
		return -1;
	*out = t;
	return 0;
}

void
feed_json_list_move(struct cb_adv_list *dst, struct cb_adv_list *src)
{
	size_t i;

	for (i = 0; i < src->n; i++)
		*cb_adv_list_push(dst) = src->v[i];
	free(src->v);
	src->v = NULL;
	src->n = src->cap = 0;
}

/* --- the canhbao feed format ----------------------------------------- */

enum field_type {
	F_ID,
	F_TEXT,
	F_SEVERITY,
	F_KIND,
	F_STATUS,
	F_TLP,
	F_LIST,
	F_TIME
};

/* The keys of one advisory, with where each goes in struct cb_adv. */
static const struct field {
	const char *name;
	enum field_type type;
	size_t off;
} fields[] = {
	{ "id", F_ID, offsetof(struct cb_adv, source_id) },
	{ "title", F_TEXT, offsetof(struct cb_adv, title) },
	{ "severity", F_SEVERITY, offsetof(struct cb_adv, severity) },
	{ "summary", F_TEXT, offsetof(struct cb_adv, summary) },
	{ "kind", F_KIND, offsetof(struct cb_adv, kind) },
	{ "status", F_STATUS, offsetof(struct cb_adv, status) },
	{ "cves", F_LIST, offsetof(struct cb_adv, cves) },
	{ "products", F_LIST, offsetof(struct cb_adv, products) },
	{ "actions", F_LIST, offsetof(struct cb_adv, actions) },
	{ "references", F_LIST, offsetof(struct cb_adv, references) },
	{ "tlp", F_TLP, offsetof(struct cb_adv, tlp) },
	{ "audience", F_LIST, offsetof(struct cb_adv, audience) },
	{ "published", F_TIME, offsetof(struct cb_adv, published) },
	{ "updated", F_TIME, offsetof(struct cb_adv, updated) },
	{ "expires", F_TIME, offsetof(struct cb_adv, expires) },
};

#define FIELD_ID       0
#define FIELD_TITLE    1
#define FIELD_SEVERITY 2

static const char *const tlp_labels[] = { "CLEAR", "GREEN", "AMBER",
	"AMBER+STRICT", "RED" };

static int
get_id(const cJSON *item, char **out, struct cb_err *err)
{
	const char *s;

	if (!cJSON_IsString(item))
		return cb_err_set(err, "'id' must be a string");
	s = item->valuestring;
	if (*s == '\0' || strlen(s) > FEED_MAX_SOURCE_ID)
		return cb_err_set(err, "'id' must be 1 to %d bytes long",
		    FEED_MAX_SOURCE_ID);
	for (; *s != '\0'; s++)
		if (*s < 0x21 || *s > 0x7e)
			return cb_err_set(err,
			    "'id' may hold only printable ASCII, no spaces");
	*out = cb_xstrdup(item->valuestring);
	return 0;
}

static int
get_text(const cJSON *item, const char *key, char **out, struct cb_err *err)
{
	if (!cJSON_IsString(item))
		return cb_err_set(err, "'%s' must be a string", key);
	*out = cb_xstrdup(item->valuestring);
	return 0;
}

static int
get_list(const cJSON *item, const char *key, struct cb_strlist *l,
    struct cb_err *err)
{
	const cJSON *e;

	if (!cJSON_IsArray(item))
		return cb_err_set(err, "'%s' must be an array of strings", key);
	if (cJSON_GetArraySize(item) > CB_ADV_MAX_ITEMS)
		return cb_err_set(err, "'%s' has more than %d entries", key,
		    CB_ADV_MAX_ITEMS);
	cJSON_ArrayForEach(e, item)
	{
		if (!cJSON_IsString(e))
			return cb_err_set(err,
			    "'%s' must be an array of strings", key);
		cb_strlist_add(l, e->valuestring);
	}
	return 0;
}

static int
get_time(const cJSON *item, const char *key, int64_t *out, struct cb_err *err)
{
	if (!cJSON_IsString(item) || feed_json_time(item->valuestring, out) < 0)
		return cb_err_set(err,
		    "'%s' must be an RFC 3339 time after 1970", key);
	return 0;
}

static int
get_tlp(const cJSON *item, char **out, struct cb_err *err)
{
	size_t i;

	if (cJSON_IsString(item))
		for (i = 0; i < NELEM(tlp_labels); i++)
			if (strcmp(item->valuestring, tlp_labels[i]) == 0) {
				*out = cb_xstrdup(tlp_labels[i]);
				return 0;
			}
	return cb_err_set(err,
	    "'tlp' must be one of CLEAR, GREEN, AMBER, AMBER+STRICT, RED");
}

/* severity, kind and status: a string from the enum's name list. */
static int
get_enum(const cJSON *item, const struct field *f, void *out,
    struct cb_err *err)
{
	const char *s = cJSON_IsString(item) ? item->valuestring : NULL;
	int rc = -1;

	if (s != NULL && f->type == F_SEVERITY)
		rc = cb_severity_parse(s, out);
	else if (s != NULL && f->type == F_KIND)
		rc = cb_kind_parse(s, out);
	else if (s != NULL && f->type == F_STATUS)
		rc = cb_status_parse(s, out);
	if (rc < 0 && s == NULL)
		return cb_err_set(err, "'%s' must be a string", f->name);
	if (rc < 0)
		return cb_err_set(err, "'%s' has unknown value '%.64s'",
		    f->name, s);
	return 0;
}

static int
get_field(struct cb_adv *adv, const struct field *f, const cJSON *item,
    struct cb_err *err)
{
	void *p = (char *)adv + f->off;

	switch (f->type) {
	case F_ID:
		return get_id(item, p, err);
	case F_TEXT:
		return get_text(item, f->name, p, err);
	case F_SEVERITY:
	case F_KIND:
	case F_STATUS:
		return get_enum(item, f, p, err);
	case F_TLP:
		return get_tlp(item, p, err);
	case F_LIST:
		return get_list(item, f->name, p, err);
	case F_TIME:
		return get_time(item, f->name, p, err);
	}
	return cb_err_set(err, "internal error: field type %d", f->type);
}

static const struct field *
find_field(const char *name, size_t *idx)
{
	size_t i;

	for (i = 0; i < NELEM(fields); i++)
		if (strcmp(fields[i].name, name) == 0) {
			*idx = i;
			return &fields[i];
		}
	return NULL;
}

/* One entry of "advisories" into adv (already initialised). */
static int
parse_advisory(const cJSON *obj, const struct feed_opts *opts,
    struct cb_adv *adv, struct cb_err *err)
{
	const struct field *f;
	const cJSON *item;
	unsigned long seen = 0;
	size_t idx;

	if (!cJSON_IsObject(obj))
		return cb_err_set(err, "not a JSON object");
	cJSON_ArrayForEach(item, obj)
	{
		if ((f = find_field(item->string, &idx)) == NULL)
			return cb_err_set(err, "unknown key '%.64s'",
			    item->string);
		if (seen & (1ul << idx))
			return cb_err_set(err, "key '%s' appears twice",
			    f->name);
		seen |= 1ul << idx;
		if (get_field(adv, f, item, err) < 0)
			return -1;
	}
	if (!(seen & (1ul << FIELD_ID)))
		return cb_err_set(err, "'id' is missing");
	if (!(seen & (1ul << FIELD_TITLE)))
		return cb_err_set(err, "'title' is missing");
	if (!(seen & (1ul << FIELD_SEVERITY)))
		adv->severity =
		    opts != NULL ? opts->default_severity : CB_SEV_INFO;
	return cb_adv_validate(adv, err);
}

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
		if (parse_advisory(e, opts, cb_adv_list_push(list), err) < 0) {
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
		if (*slot != NULL)
			return cb_err_set(err, "json: key '%s' appears twice",
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
	if (parse_advisories(advs, opts, list, err) < 0)
		return -1;
	return check_unique_ids(list, err);
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
	feed_json_list_move(out, &local);
	return 0;
}
