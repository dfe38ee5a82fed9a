/*
 * cb_adv: the normalised advisory record, its names, its checks and its
 * canonical JSON form (see cb_adv.h and canhbao.7).
 */
#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "cb_adv.h"
#include "cb_json.h"
#include "cb_locale.h"
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

int
cb_severity_arg(const char *name, enum cb_severity *out, struct cb_err *err)
{
	size_t i;

	for (i = 0; i < NELEM(severity_names); i++)
		if (strcasecmp(severity_names[i], name) == 0) {
			*out = (enum cb_severity)i;
			return 0;
		}
	return cb_err_set(err, _("unknown severity '%s' (use critical, high, "
	    "medium, low or info)"), name);
}

/* n >= min ASCII digits at p, and nothing after them; their count. */
static size_t
all_digits(const char *p, size_t min)
{
	size_t n = 0;

	while (isdigit((unsigned char)p[n]))
		n++;
	return p[n] == '\0' && n >= min ? n : 0;
}

int
cb_cve_normalise(const char *id, char *out, struct cb_err *err)
{
	size_t len = strlen(id), i;

	if (len > 9 + 19 || strncasecmp(id, "CVE-", 4) != 0 ||
	    len < 9 || id[8] != '-' || strspn(id + 4, "0123456789") != 4 ||
	    all_digits(id + 9, 4) == 0)
		return cb_err_set(err, _("'%s' is not a CVE id (CVE-YYYY-NNNN, "
		    "with at least 4 digits after the year)"), id);
	for (i = 0; i <= len; i++)
		out[i] = (char)toupper((unsigned char)id[i]);
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
cb_indicators_add(struct cb_indicators *l, const char *type,
    const char *value)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].type, type) == 0 &&
		    strcmp(l->v[i].value, value) == 0)
			return;
	l->v = cb_xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n].type = cb_xstrdup(type);
	l->v[l->n++].value = cb_xstrdup(value);
}

void
cb_indicators_release(struct cb_indicators *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].type);
		free(l->v[i].value);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
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
	cb_indicators_release(&adv->indicators);
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
	size_t i;

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
	for (i = 0; i < src->indicators.n; i++)
		cb_indicators_add(&dst->indicators, src->indicators.v[i].type,
		    src->indicators.v[i].value);
	dst->published = src->published;
	dst->updated = src->updated;
	dst->expires = src->expires;
}

void
cb_strlist_move(struct cb_strlist *dst, struct cb_strlist *src)
{
	size_t i;

	if (src->n == 0)
		return;
	dst->v = cb_xrealloc(dst->v, (dst->n + src->n) * sizeof(*dst->v));
	for (i = 0; i < src->n; i++)
		dst->v[dst->n++] = src->v[i];
	free(src->v);
	src->v = NULL;
	src->n = 0;
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
cb_adv_list_move(struct cb_adv_list *dst, struct cb_adv_list *src)
{
	size_t i;

	for (i = 0; i < src->n; i++)
		*cb_adv_list_push(dst) = src->v[i];
	free(src->v);
	src->v = NULL;
	src->n = src->cap = 0;
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
		return cb_err_set(err, _("%s is %zu bytes, more than %zu"),
		    field, len, max);
	if (!cb_utf8_valid(s, len))
		return cb_err_set(err, _("%s is not valid UTF-8"), field);
	return 0;
}

static int
check_list(const char *field, const struct cb_strlist *l, size_t max,
    struct cb_err *err)
{
	size_t i;

	if (l->n > CB_ADV_MAX_ITEMS)
		return cb_err_set(err, _("%s has %zu entries, more than %d"),
		    field, l->n, CB_ADV_MAX_ITEMS);
	for (i = 0; i < l->n; i++) {
		if (check_text(field, l->v[i], max, err) < 0)
			return -1;
		if (l->v[i][0] == '\0')
			return cb_err_set(err, _("%s has an empty entry"),
			    field);
	}
	return 0;
}

/* A word: printable ASCII without spaces, 1 to max bytes. */
static int
is_word(const char *s, size_t max)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++)
		if (s[n] < 0x21 || s[n] > 0x7e)
			return 0;
	return n > 0 && n <= max;
}

static int
check_indicators(const struct cb_indicators *l, struct cb_err *err)
{
	size_t i;

	if (l->n > CB_ADV_MAX_ITEMS)
		return cb_err_set(err, "indicators has %zu entries, more "
		    "than %d", l->n, CB_ADV_MAX_ITEMS);
	for (i = 0; i < l->n; i++) {
		if (l->v[i].type == NULL || !is_word(l->v[i].type,
						CB_ADV_MAX_IND_TYPE))
			return cb_err_set(err, "indicator type must be 1 to %d "
			    "bytes of printable ASCII without spaces",
			    CB_ADV_MAX_IND_TYPE);
		if (l->v[i].value == NULL || l->v[i].value[0] == '\0')
			return cb_err_set(err, "indicators has an empty value");
		if (check_text("indicator value", l->v[i].value,
			CB_ADV_MAX_ITEM, err) < 0)
			return -1;
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
		return cb_err_set(err, _("title is empty"));
	if (adv->id != NULL && blank(adv->id))
		return cb_err_set(err, _("id is empty"));
	if (adv->tlp != NULL && !tlp_known(adv->tlp))
		return cb_err_set(err, _("tlp '%s' is not one of CLEAR, GREEN, "
		    "AMBER, AMBER+STRICT, RED"), adv->tlp);
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
	    check_list("audience", &adv->audience, CB_ADV_MAX_ITEM, err) < 0 ||
	    check_indicators(&adv->indicators, err) < 0)
		return -1;
	if (adv->revision < 1)
		return cb_err_set(err, _("revision must be 1 or more"));
	if ((size_t)adv->severity >= NELEM(severity_names) ||
	    (size_t)adv->kind >= NELEM(kind_names) ||
	    (size_t)adv->status >= NELEM(status_names) ||
	    (size_t)adv->origin >= NELEM(origin_names))
		return cb_err_set(err, _("enumerated field out of range"));
	return 0;
}

/* --- JSON ------------------------------------------------------------ */

/*
 * The advisory's JSON form, described once: every key, its type, where
 * it goes in struct cb_adv, and the forms it appears in.  The signed
 * form (canhbao.7) is emitted in this order; the draft form of
 * "publish --file" takes the same keys; an item of a canhbao JSON feed
 * (canhbao.conf(5)) leaves out what the publisher assigns and calls its
 * source_id "id".
 */
enum form { FORM_FULL = 1, FORM_DRAFT = 2, FORM_FEED = 4 };
#define FORM_PUB (FORM_FULL | FORM_DRAFT)
#define FORM_ALL (FORM_FULL | FORM_DRAFT | FORM_FEED)

enum field_type {
	F_TEXT,     /* char *, any string */
	F_WORD,     /* char *, printable ASCII without spaces */
	F_REVISION, /* unsigned, 1 to 1e9 */
	F_SEVERITY,
	F_KIND,
	F_STATUS,
	F_ORIGIN,
	F_TLP,      /* char *, one of tlp_labels */
	F_LIST,     /* struct cb_strlist, an array of strings */
	F_TIME,     /* int64_t, an RFC 3339 string; 0 is left out */
	F_INDICATORS /* struct cb_indicators; left out when empty */
};

static const struct field {
	const char *name;
	enum field_type type;
	size_t off;
	unsigned forms;
} fields[] = {
	{ "id", F_TEXT, offsetof(struct cb_adv, id), FORM_PUB },
	{ "id", F_WORD, offsetof(struct cb_adv, source_id), FORM_FEED },
	{ "revision", F_REVISION, offsetof(struct cb_adv, revision), FORM_PUB },
	{ "kind", F_KIND, offsetof(struct cb_adv, kind), FORM_ALL },
	{ "status", F_STATUS, offsetof(struct cb_adv, status), FORM_ALL },
	{ "origin", F_ORIGIN, offsetof(struct cb_adv, origin), FORM_PUB },
	{ "source", F_TEXT, offsetof(struct cb_adv, source), FORM_PUB },
	{ "source_id", F_TEXT, offsetof(struct cb_adv, source_id), FORM_PUB },
	{ "severity", F_SEVERITY, offsetof(struct cb_adv, severity), FORM_ALL },
	{ "title", F_TEXT, offsetof(struct cb_adv, title), FORM_ALL },
	{ "summary", F_TEXT, offsetof(struct cb_adv, summary), FORM_ALL },
	{ "tlp", F_TLP, offsetof(struct cb_adv, tlp), FORM_ALL },
	{ "cves", F_LIST, offsetof(struct cb_adv, cves), FORM_ALL },
	{ "products", F_LIST, offsetof(struct cb_adv, products), FORM_ALL },
	{ "actions", F_LIST, offsetof(struct cb_adv, actions), FORM_ALL },
	{ "references", F_LIST, offsetof(struct cb_adv, references), FORM_ALL },
	{ "audience", F_LIST, offsetof(struct cb_adv, audience), FORM_ALL },
	{ "published", F_TIME, offsetof(struct cb_adv, published), FORM_ALL },
	{ "updated", F_TIME, offsetof(struct cb_adv, updated), FORM_ALL },
	{ "expires", F_TIME, offsetof(struct cb_adv, expires), FORM_ALL },
	{ "indicators", F_INDICATORS, offsetof(struct cb_adv, indicators),
	    FORM_ALL },
};

int
cb_adv_time_parse(const char *s, int64_t *out)
{
	const int64_t year_10000 = INT64_C(253402300800);
	int64_t t;

	if (cb_time_parse_iso(s, &t) < 0 || t <= 0 || t >= year_10000)
		return -1;
	*out = t;
	return 0;
}

/* --- emitting --- */

static void
emit_list(cJSON *obj, const char *key, const struct cb_strlist *l)
{
	cJSON *arr = cJSON_AddArrayToObject(obj, key);
	size_t i;

	for (i = 0; i < l->n; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(l->v[i]));
}

static void
emit_indicators(cJSON *obj, const char *key, const struct cb_indicators *l)
{
	cJSON *arr, *o;
	size_t i;

	if (l->n == 0)
		return;
	arr = cJSON_AddArrayToObject(obj, key);
	for (i = 0; i < l->n; i++) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "type", l->v[i].type);
		cJSON_AddStringToObject(o, "value", l->v[i].value);
		cJSON_AddItemToArray(arr, o);
	}
}

static void
emit_field(cJSON *obj, const struct field *f, const struct cb_adv *adv)
{
	const void *p = (const char *)adv + f->off;
	const char *s = NULL;
	char buf[CB_TIME_BUFSZ];

	switch (f->type) {
	case F_TEXT:
	case F_WORD:
	case F_TLP:
		s = *(char *const *)p;
		break;
	case F_REVISION:
		cJSON_AddNumberToObject(obj, f->name, adv->revision);
		return;
	case F_SEVERITY:
		s = cb_severity_name(adv->severity);
		break;
	case F_KIND:
		s = cb_kind_name(adv->kind);
		break;
	case F_STATUS:
		s = cb_status_name(adv->status);
		break;
	case F_ORIGIN:
		s = cb_origin_name(adv->origin);
		break;
	case F_LIST:
		emit_list(obj, f->name, p);
		return;
	case F_TIME:
		if (*(const int64_t *)p != 0)
			s = cb_time_format(*(const int64_t *)p, buf);
		break;
	case F_INDICATORS:
		emit_indicators(obj, f->name, p);
		return;
	}
	if (s != NULL)
		cJSON_AddStringToObject(obj, f->name, s);
}

char *
cb_adv_to_json(const struct cb_adv *adv)
{
	cJSON *obj = cJSON_CreateObject();
	size_t i;
	char *s;

	if (obj == NULL)
		cb_oom(sizeof(cJSON));
	for (i = 0; i < NELEM(fields); i++)
		if (fields[i].forms & FORM_FULL)
			emit_field(obj, &fields[i], adv);
	s = cJSON_PrintUnformatted(obj);
	cJSON_Delete(obj);
	if (s == NULL)
		cb_oom(0);
	return s;
}

/* --- parsing --- */

static int
get_text(const cJSON *item, const char *key, char **out, struct cb_err *err)
{
	if (!cJSON_IsString(item))
		return cb_err_set(err, _("'%s' must be a string"), key);
	free(*out);
	*out = cb_xstrdup(item->valuestring);
	return 0;
}

/* A feed item's id: 1 to CB_ADV_MAX_SOURCE_ID bytes of printable ASCII,
 * so that the publisher's "<feed>:<id>" fits CB_ADV_MAX_ID. */
static int
get_word(const cJSON *item, const char *key, char **out,
    struct cb_err *err)
{
	const char *s;

	if (!cJSON_IsString(item))
		return cb_err_set(err, _("'%s' must be a string"), key);
	s = item->valuestring;
	if (*s == '\0' || strlen(s) > CB_ADV_MAX_SOURCE_ID)
		return cb_err_set(err, _("'%s' must be 1 to %d bytes long"),
		    key, CB_ADV_MAX_SOURCE_ID);
	for (; *s != '\0'; s++)
		if (*s < 0x21 || *s > 0x7e)
			return cb_err_set(err,
			    _("'%s' may hold only printable ASCII, no spaces"),
			    key);
	return get_text(item, key, out, err);
}

static int
get_revision(const cJSON *item, unsigned *out, struct cb_err *err)
{
	if (!cJSON_IsNumber(item) || item->valuedouble < 1 ||
	    item->valuedouble > 1e9 ||
	    item->valuedouble != (double)(unsigned)item->valuedouble)
		return cb_err_set(err,
		    _("'revision' must be a whole number from 1"));
	*out = (unsigned)item->valuedouble;
	return 0;
}

static int
get_list(const cJSON *item, const char *key, struct cb_strlist *l,
    struct cb_err *err)
{
	const cJSON *e;

	if (!cJSON_IsArray(item))
		return cb_err_set(err, _("'%s' must be an array of strings"),
		    key);
	cJSON_ArrayForEach(e, item)
	{
		if (!cJSON_IsString(e))
			return cb_err_set(err,
			    _("'%s' must be an array of strings"), key);
		if (l->n >= CB_ADV_MAX_ITEMS)
			return cb_err_set(err,
			    _("'%s' has more than %d entries"), key,
			    CB_ADV_MAX_ITEMS);
		cb_strlist_add(l, e->valuestring);
	}
	return 0;
}

/* [{"type": WORD, "value": TEXT}, ...], each object with exactly those
 * two keys. */
static int
get_indicators(const cJSON *item, struct cb_indicators *l,
    struct cb_err *err)
{
	const char *t, *v;
	const cJSON *e;

	if (!cJSON_IsArray(item))
		return cb_err_set(err, "'indicators' must be an array");
	cJSON_ArrayForEach(e, item)
	{
		t = cb_json_str(e, "type");
		v = cb_json_str(e, "value");
		if (t == NULL || v == NULL || cJSON_GetArraySize(e) != 2)
			return cb_err_set(err, "'indicators' must hold objects "
			    "with a string 'type' and 'value' and nothing "
			    "else");
		if (l->n >= CB_ADV_MAX_ITEMS)
			return cb_err_set(err, "'indicators' has more than %d "
			    "entries", CB_ADV_MAX_ITEMS);
		cb_indicators_add(l, t, v);
	}
	return 0;
}

static int
get_time(const cJSON *item, const char *key, int64_t *out, struct cb_err *err)
{
	if (!cJSON_IsString(item) ||
	    cb_adv_time_parse(item->valuestring, out) < 0)
		return cb_err_set(err,
		    _("'%s' must be an RFC 3339 time after 1970"), key);
	return 0;
}

static int
get_tlp(const cJSON *item, char **out, struct cb_err *err)
{
	if (!cJSON_IsString(item) || !tlp_known(item->valuestring))
		return cb_err_set(err, _("'tlp' must be one of CLEAR, GREEN, "
		    "AMBER, AMBER+STRICT, RED"));
	free(*out);
	*out = cb_xstrdup(item->valuestring);
	return 0;
}

/* severity, kind, status and origin: a name from the enum's list. */
static int
get_enum(const cJSON *item, const struct field *f, void *p,
    struct cb_err *err)
{
	const char *s = cJSON_IsString(item) ? item->valuestring : NULL;
	int rc = -1;

	if (s == NULL)
		return cb_err_set(err, _("'%s' must be a string"), f->name);
	if (f->type == F_SEVERITY)
		rc = cb_severity_parse(s, p);
	else if (f->type == F_KIND)
		rc = cb_kind_parse(s, p);
	else if (f->type == F_STATUS)
		rc = cb_status_parse(s, p);
	else if (f->type == F_ORIGIN)
		rc = cb_origin_parse(s, p);
	if (rc < 0)
		return cb_err_set(err, _("'%s' has unknown value '%.64s'"),
		    f->name, s);
	return 0;
}

static int
get_field(struct cb_adv *adv, const struct field *f, const cJSON *item,
    struct cb_err *err)
{
	void *p = (char *)adv + f->off;

	switch (f->type) {
	case F_TEXT:
		return get_text(item, f->name, p, err);
	case F_WORD:
		return get_word(item, f->name, p, err);
	case F_REVISION:
		return get_revision(item, p, err);
	case F_SEVERITY:
	case F_KIND:
	case F_STATUS:
	case F_ORIGIN:
		return get_enum(item, f, p, err);
	case F_TLP:
		return get_tlp(item, p, err);
	case F_LIST:
		return get_list(item, f->name, p, err);
	case F_TIME:
		return get_time(item, f->name, p, err);
	case F_INDICATORS:
		return get_indicators(item, p, err);
	}
	return cb_err_set(err, _("internal error: field type %d"), f->type);
}

/* The row for key in form, or NULL; *idx gets its index. */
static const struct field *
find_field(const char *key, unsigned form, size_t *idx)
{
	size_t i;

	for (i = 0; i < NELEM(fields); i++)
		if ((fields[i].forms & form) && strcmp(fields[i].name, key) == 0) {
			*idx = i;
			return &fields[i];
		}
	return NULL;
}

/* Every member of obj into adv; *seen gets a bit per field index.  The
 * callers have refused repeated keys (cb_json_unique_keys). */
static int
get_fields(struct cb_adv *adv, const cJSON *obj, unsigned form,
    unsigned long *seen, struct cb_err *err)
{
	const struct field *f;
	const cJSON *item;
	size_t idx;

	if (!cJSON_IsObject(obj))
		return cb_err_set(err, _("not a JSON object"));
	cJSON_ArrayForEach(item, obj)
	{
		if ((f = find_field(item->string, form, &idx)) == NULL)
			return cb_err_set(err, _("unknown key '%.64s'"),
			    item->string);
		*seen |= 1ul << idx;
		if (get_field(adv, f, item, err) < 0)
			return -1;
	}
	return 0;
}

/* 1 when the member named key of form was among those seen. */
static int
was_seen(unsigned long seen, const char *key, unsigned form)
{
	size_t idx;

	return find_field(key, form, &idx) != NULL && (seen & (1ul << idx));
}

static int
from_cjson(struct cb_adv *adv, const cJSON *obj, unsigned form,
    enum cb_severity default_severity, struct cb_err *err)
{
	unsigned long seen = 0;

	cb_adv_init(adv);
	if (get_fields(adv, obj, form, &seen, err) < 0)
		return -1;
	if (form == FORM_FEED) {
		if (!was_seen(seen, "id", form))
			return cb_err_set(err, _("'id' is missing"));
		if (!was_seen(seen, "title", form))
			return cb_err_set(err, _("'title' is missing"));
		if (!was_seen(seen, "severity", form))
			adv->severity = default_severity;
	} else if (!was_seen(seen, "severity", form)) {
		return cb_err_set(err, _("'severity' is missing"));
	}
	if (form == FORM_FULL && (adv->id == NULL || adv->published == 0))
		return cb_err_set(err, _("'%s' is missing"),
		    adv->id == NULL ? "id" : "published");
	return cb_adv_validate(adv, err);
}

int
cb_adv_from_cjson(struct cb_adv *adv, const cJSON *obj, int partial,
    struct cb_err *err)
{
	cb_adv_init(adv);
	if (cb_json_unique_keys(obj, err) < 0)
		return -1;
	return from_cjson(adv, obj, partial ? FORM_DRAFT : FORM_FULL,
	    CB_SEV_INFO, err);
}

int
cb_adv_from_feed_item(struct cb_adv *adv, const cJSON *obj,
    enum cb_severity default_severity, struct cb_err *err)
{
	cb_adv_init(adv);
	if (cb_json_unique_keys(obj, err) < 0)
		return -1;
	return from_cjson(adv, obj, FORM_FEED, default_severity, err);
}

int
cb_adv_from_json(struct cb_adv *adv, const char *json, size_t len,
    int partial, struct cb_err *err)
{
	cJSON *obj;
	int rc;

	cb_adv_init(adv);
	obj = cb_json_parse_object(json, len, "advisory", err);
	if (obj == NULL)
		return -1;
	rc = from_cjson(adv, obj, partial ? FORM_DRAFT : FORM_FULL,
	    CB_SEV_INFO, err);
	cJSON_Delete(obj);
	return rc;
}
