/*
 * cb_adv: the normalised advisory record, its names, its checks and its
 * canonical JSON form (see cb_adv.h and canhbao.7).
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cb_adv.h"
#include "cb_mem.h"
#include "cb_time.h"
#include "cb_utf8.h"

static const char *const severity_names[] = { "info", "low", "medium",
	"high", "critical" };
static const char *const kind_names[] = { "new", "update", "cancel" };
static const char *const status_names[] = { "actual", "exercise", "test" };
static const char *const origin_names[] = { "national", "provincial" };

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static int
name_lookup(const char *const *names, size_t n, const char *name, int *out)
{
	size_t i;

	if (name == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0) {
			*out = (int)i;
			return 0;
		}
	return -1;
}

const char *
cb_severity_name(enum cb_severity sev)
{
	return (size_t)sev < NELEM(severity_names) ? severity_names[sev] : "?";
}

int
cb_severity_parse(const char *name, enum cb_severity *out)
{
	int v;

	if (name_lookup(severity_names, NELEM(severity_names), name, &v) < 0)
		return -1;
	*out = (enum cb_severity)v;
	return 0;
}

const char *
cb_kind_name(enum cb_kind kind)
{
	return (size_t)kind < NELEM(kind_names) ? kind_names[kind] : "?";
}

int
cb_kind_parse(const char *name, enum cb_kind *out)
{
	int v;

	if (name_lookup(kind_names, NELEM(kind_names), name, &v) < 0)
		return -1;
	*out = (enum cb_kind)v;
	return 0;
}

const char *
cb_status_name(enum cb_status status)
{
	return (size_t)status < NELEM(status_names) ? status_names[status] :
						      "?";
}

int
cb_status_parse(const char *name, enum cb_status *out)
{
	int v;

	if (name_lookup(status_names, NELEM(status_names), name, &v) < 0)
		return -1;
	*out = (enum cb_status)v;
	return 0;
}

const char *
cb_origin_name(enum cb_origin origin)
{
	return (size_t)origin < NELEM(origin_names) ? origin_names[origin] :
						      "?";
}

int
cb_origin_parse(const char *name, enum cb_origin *out)
{
	int v;

	if (name_lookup(origin_names, NELEM(origin_names), name, &v) < 0)
		return -1;
	*out = (enum cb_origin)v;
	return 0;
}

void
cb_strlist_add(struct cb_strlist *l, const char *s)
{
	l->v = cb_xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = cb_xstrdup(s);
}

void
cb_strlist_add_unique(struct cb_strlist *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return;
	cb_strlist_add(l, s);
}

void
cb_strlist_release(struct cb_strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static void
strlist_copy(struct cb_strlist *dst, const struct cb_strlist *src)
{
	size_t i;

	for (i = 0; i < src->n; i++)
		cb_strlist_add(dst, src->v[i]);
}

void
cb_adv_init(struct cb_adv *adv)
{
	memset(adv, 0, sizeof(*adv));
	adv->revision = 1;
}

void
cb_adv_release(struct cb_adv *adv)
{
	free(adv->id);
	free(adv->source);
	free(adv->source_id);
	free(adv->title);
	free(adv->summary);
	free(adv->tlp);
	cb_strlist_release(&adv->cves);
	cb_strlist_release(&adv->products);
	cb_strlist_release(&adv->actions);
	cb_strlist_release(&adv->references);
	cb_strlist_release(&adv->audience);
	cb_adv_init(adv);
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? cb_xstrdup(s) : NULL;
}

void
cb_adv_copy(struct cb_adv *dst, const struct cb_adv *src)
{
	cb_adv_init(dst);
	dst->id = dup_or_null(src->id);
	dst->source = dup_or_null(src->source);
	dst->source_id = dup_or_null(src->source_id);
	dst->revision = src->revision;
	dst->kind = src->kind;
	dst->status = src->status;
	dst->origin = src->origin;
	dst->severity = src->severity;
	dst->title = dup_or_null(src->title);
	dst->summary = dup_or_null(src->summary);
	dst->tlp = dup_or_null(src->tlp);
	strlist_copy(&dst->cves, &src->cves);
	strlist_copy(&dst->products, &src->products);
	strlist_copy(&dst->actions, &src->actions);
	strlist_copy(&dst->references, &src->references);
	strlist_copy(&dst->audience, &src->audience);
	dst->published = src->published;
	dst->updated = src->updated;
	dst->expires = src->expires;
}

struct cb_adv *
cb_adv_list_push(struct cb_adv_list *list)
{
	if (list->n == list->cap) {
		list->cap = list->cap ? list->cap * 2 : 8;
		list->v = cb_xrealloc(list->v, list->cap * sizeof(*list->v));
	}
	cb_adv_init(&list->v[list->n]);
	return &list->v[list->n++];
}

void
cb_adv_list_release(struct cb_adv_list *list)
{
	size_t i;

	for (i = 0; i < list->n; i++)
		cb_adv_release(&list->v[i]);
	free(list->v);
	list->v = NULL;
	list->n = list->cap = 0;
}

/* --- validation ------------------------------------------------------ */

static int
check_text(const char *field, const char *s, size_t max, struct cb_err *err)
{
	size_t len;

	if (s == NULL)
		return 0;
	len = strlen(s);
	if (len > max)
		return cb_err_set(err, "%s is %zu bytes, more than %zu", field,
		    len, max);
	if (!cb_utf8_valid(s, len))
		return cb_err_set(err, "%s is not valid UTF-8", field);
	return 0;
}

static int
check_list(const char *field, const struct cb_strlist *l, size_t max,
    struct cb_err *err)
{
	size_t i;

	if (l->n > CB_ADV_MAX_ITEMS)
		return cb_err_set(err, "%s has %zu entries, more than %d",
		    field, l->n, CB_ADV_MAX_ITEMS);
	for (i = 0; i < l->n; i++) {
		if (check_text(field, l->v[i], max, err) < 0)
			return -1;
		if (l->v[i][0] == '\0')
			return cb_err_set(err, "%s has an empty entry", field);
	}
	return 0;
}

static int
blank(const char *s)
{
	if (s == NULL)
		return 1;
	for (; *s != '\0'; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return 0;
	return 1;
}

static int
tlp_known(const char *tlp)
{
	static const char *const labels[] = { "CLEAR", "GREEN", "AMBER",
		"AMBER+STRICT", "RED" };
	size_t i;

	for (i = 0; i < NELEM(labels); i++)
		if (strcmp(tlp, labels[i]) == 0)
			return 1;
	return 0;
}

int
cb_adv_validate(const struct cb_adv *adv, struct cb_err *err)
{
	if (blank(adv->title))
		return cb_err_set(err, "title is empty");
	if (adv->id != NULL && blank(adv->id))
		return cb_err_set(err, "id is empty");
	if (adv->tlp != NULL && !tlp_known(adv->tlp))
		return cb_err_set(err, "tlp '%s' is not one of CLEAR, GREEN, "
		    "AMBER, AMBER+STRICT, RED", adv->tlp);
	if (check_text("id", adv->id, CB_ADV_MAX_ID, err) < 0 ||
	    check_text("source", adv->source, CB_ADV_MAX_ID, err) < 0 ||
	    check_text("source_id", adv->source_id, CB_ADV_MAX_ITEM, err) < 0 ||
	    check_text("title", adv->title, CB_ADV_MAX_TITLE, err) < 0 ||
	    check_text("summary", adv->summary, CB_ADV_MAX_TEXT, err) < 0 ||
	    check_text("tlp", adv->tlp, 32, err) < 0 ||
	    check_list("cves", &adv->cves, CB_ADV_MAX_ITEM, err) < 0 ||
	    check_list("products", &adv->products, CB_ADV_MAX_ITEM, err) < 0 ||
	    check_list("actions", &adv->actions, CB_ADV_MAX_TEXT, err) < 0 ||
	    check_list("references", &adv->references, CB_ADV_MAX_ITEM,
		err) < 0 ||
	    check_list("audience", &adv->audience, CB_ADV_MAX_ITEM, err) < 0)
		return -1;
	if (adv->revision < 1)
		return cb_err_set(err, "revision must be 1 or more");
	if ((size_t)adv->severity >= NELEM(severity_names) ||
	    (size_t)adv->kind >= NELEM(kind_names) ||
	    (size_t)adv->status >= NELEM(status_names) ||
	    (size_t)adv->origin >= NELEM(origin_names))
		return cb_err_set(err, "enumerated field out of range");
	return 0;
}

/* --- JSON ------------------------------------------------------------ */

static void
add_string(cJSON *obj, const char *key, const char *s)
{
	if (s != NULL)
		cJSON_AddStringToObject(obj, key, s);
}

static void
add_list(cJSON *obj, const char *key, const struct cb_strlist *l)
{
	cJSON *arr = cJSON_AddArrayToObject(obj, key);
	size_t i;

	for (i = 0; i < l->n; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(l->v[i]));
}

static void
add_time(cJSON *obj, const char *key, int64_t t)
{
	char buf[CB_TIME_BUFSZ];

	if (t != 0)
		cJSON_AddStringToObject(obj, key, cb_time_format(t, buf));
}

char *
cb_adv_to_json(const struct cb_adv *adv)
{
	cJSON *obj = cJSON_CreateObject();
	char *s;

	if (obj == NULL)
		abort();
	add_string(obj, "id", adv->id);
	cJSON_AddNumberToObject(obj, "revision", adv->revision);
	cJSON_AddStringToObject(obj, "kind", cb_kind_name(adv->kind));
	cJSON_AddStringToObject(obj, "status", cb_status_name(adv->status));
	cJSON_AddStringToObject(obj, "origin", cb_origin_name(adv->origin));
	add_string(obj, "source", adv->source);
	add_string(obj, "source_id", adv->source_id);
	cJSON_AddStringToObject(obj, "severity",
	    cb_severity_name(adv->severity));
	add_string(obj, "title", adv->title);
	add_string(obj, "summary", adv->summary);
	add_string(obj, "tlp", adv->tlp);
	add_list(obj, "cves", &adv->cves);
	add_list(obj, "products", &adv->products);
	add_list(obj, "actions", &adv->actions);
	add_list(obj, "references", &adv->references);
	add_list(obj, "audience", &adv->audience);
	add_time(obj, "published", adv->published);
	add_time(obj, "updated", adv->updated);
	add_time(obj, "expires", adv->expires);
	s = cJSON_PrintUnformatted(obj);
	cJSON_Delete(obj);
	if (s == NULL)
		abort();
	return s;
}

static int
get_string(const cJSON *item, const char *key, char **out, struct cb_err *err)
{
	if (!cJSON_IsString(item))
		return cb_err_set(err, "'%s' must be a string", key);
	free(*out);
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
	cJSON_ArrayForEach(e, item)
	{
		if (!cJSON_IsString(e))
			return cb_err_set(err,
			    "'%s' must be an array of strings", key);
		if (l->n >= CB_ADV_MAX_ITEMS)
			return cb_err_set(err, "'%s' has more than %d entries",
			    key, CB_ADV_MAX_ITEMS);
		cb_strlist_add(l, e->valuestring);
	}
	return 0;
}

static int
get_time(const cJSON *item, const char *key, int64_t *out, struct cb_err *err)
{
	if (!cJSON_IsString(item) ||
	    cb_time_parse_iso(item->valuestring, out) < 0)
		return cb_err_set(err, "'%s' must be an RFC 3339 time", key);
	return 0;
}

static int
get_enum(const cJSON *item, const char *key,
    int (*parse)(const char *, void *), void *out, struct cb_err *err)
{
	if (!cJSON_IsString(item) || parse(item->valuestring, out) < 0)
		return cb_err_set(err, "'%s' has unknown value '%s'", key,
		    cJSON_IsString(item) ? item->valuestring : "(not a string)");
	return 0;
}

/* Adapters so that get_enum can take the typed parsers. */
static int
parse_sev(const char *s, void *out)
{
	return cb_severity_parse(s, out);
}
static int
parse_kind(const char *s, void *out)
{
	return cb_kind_parse(s, out);
}
static int
parse_status(const char *s, void *out)
{
	return cb_status_parse(s, out);
}
static int
parse_origin(const char *s, void *out)
{
	return cb_origin_parse(s, out);
}

static int
get_field(struct cb_adv *adv, const cJSON *item, struct cb_err *err)
{
	const char *k = item->string;

	if (strcmp(k, "id") == 0)
		return get_string(item, k, &adv->id, err);
	if (strcmp(k, "revision") == 0) {
		if (!cJSON_IsNumber(item) || item->valuedouble < 1 ||
		    item->valuedouble > 1e9 ||
		    item->valuedouble != (double)(unsigned)item->valuedouble)
			return cb_err_set(err,
			    "'revision' must be a whole number from 1");
		adv->revision = (unsigned)item->valuedouble;
		return 0;
	}
	if (strcmp(k, "kind") == 0)
		return get_enum(item, k, parse_kind, &adv->kind, err);
	if (strcmp(k, "status") == 0)
		return get_enum(item, k, parse_status, &adv->status, err);
	if (strcmp(k, "origin") == 0)
		return get_enum(item, k, parse_origin, &adv->origin, err);
	if (strcmp(k, "severity") == 0)
		return get_enum(item, k, parse_sev, &adv->severity, err);
	if (strcmp(k, "source") == 0)
		return get_string(item, k, &adv->source, err);
	if (strcmp(k, "source_id") == 0)
		return get_string(item, k, &adv->source_id, err);
	if (strcmp(k, "title") == 0)
		return get_string(item, k, &adv->title, err);
	if (strcmp(k, "summary") == 0)
		return get_string(item, k, &adv->summary, err);
	if (strcmp(k, "tlp") == 0)
		return get_string(item, k, &adv->tlp, err);
	if (strcmp(k, "cves") == 0)
		return get_list(item, k, &adv->cves, err);
	if (strcmp(k, "products") == 0)
		return get_list(item, k, &adv->products, err);
	if (strcmp(k, "actions") == 0)
		return get_list(item, k, &adv->actions, err);
	if (strcmp(k, "references") == 0)
		return get_list(item, k, &adv->references, err);
	if (strcmp(k, "audience") == 0)
		return get_list(item, k, &adv->audience, err);
	if (strcmp(k, "published") == 0)
		return get_time(item, k, &adv->published, err);
	if (strcmp(k, "updated") == 0)
		return get_time(item, k, &adv->updated, err);
	if (strcmp(k, "expires") == 0)
		return get_time(item, k, &adv->expires, err);
	return cb_err_set(err, "unknown key '%s'", k);
}

int
cb_adv_from_cjson(struct cb_adv *adv, const cJSON *obj, int partial,
    struct cb_err *err)
{
	const cJSON *item;
	int have_sev = 0;

	cb_adv_init(adv);
	if (!cJSON_IsObject(obj))
		return cb_err_set(err, "advisory must be a JSON object");
	cJSON_ArrayForEach(item, obj)
	{
		if (get_field(adv, item, err) < 0)
			return -1;
		if (strcmp(item->string, "severity") == 0)
			have_sev = 1;
	}
	if (!have_sev)
		return cb_err_set(err, "'severity' is missing");
	if (!partial && (adv->id == NULL || adv->published == 0))
		return cb_err_set(err, "'%s' is missing",
		    adv->id == NULL ? "id" : "published");
	return cb_adv_validate(adv, err);
}

int
cb_adv_from_json(struct cb_adv *adv, const char *json, size_t len,
    int partial, struct cb_err *err)
{
	cJSON *obj;
	const char *end = NULL;
	int rc;

	cb_adv_init(adv);
	if (!cb_utf8_valid(json, len))
		return cb_err_set(err, "advisory JSON is not valid UTF-8");
	obj = cJSON_ParseWithLengthOpts(json, len, &end, 0);
	if (obj == NULL)
		return cb_err_set(err, "advisory is not valid JSON (near byte "
		    "%td)", cJSON_GetErrorPtr() ? cJSON_GetErrorPtr() - json :
					    (ptrdiff_t)0);
	while (end != NULL && end < json + len &&
	    (*end == ' ' || *end == '\n' || *end == '\r' || *end == '\t'))
		end++;
	if (end != json + len) {
		cJSON_Delete(obj);
		return cb_err_set(err, "trailing data after the advisory JSON");
	}
	rc = cb_adv_from_cjson(adv, obj, partial, err);
	cJSON_Delete(obj);
	return rc;
}
