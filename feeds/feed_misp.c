/*
 * feed_misp: MISP events (feed files and ZeroMQ frames) to advisories,
 * and MISP feed manifests to the events to fetch (see feed_misp.h).
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "cb_adv.h"
#include "cb_json.h"
#include "cb_mem.h"
#include "cb_url.h"
#include "feed.h"
#include "feed_json.h"
#include "feed_misp.h"

/* Attributes looked at in one event, the event's own and its objects'
 * together: past this the event is cut, not rejected. */
#define MISP_MAX_ATTRIBUTES FEED_MAX_ITEMS

struct misp_event {
	struct cb_adv *adv;
	size_t bytes;      /* of the attribute values kept */
	size_t dropped;    /* attributes over the caps */
	size_t attributes; /* looked at */
};

/* A MISP number that may be written as a string ("1780091866") or a
 * number; 0 with *out, or -1. */
static int
misp_int(const cJSON *v, int64_t *out)
{
	char *end;
	long long x;

	if (cJSON_IsNumber(v)) {
		if (v->valuedouble < 0 || v->valuedouble > 9e15)
			return -1;
		*out = (int64_t)v->valuedouble;
		return 0;
	}
	if (!cJSON_IsString(v) || !isdigit((unsigned char)v->valuestring[0]))
		return -1;
	x = strtoll(v->valuestring, &end, 10);
	if (*end != '\0' || x < 0 || x > 9000000000000000LL)
		return -1;
	*out = x;
	return 0;
}

/* "published": true unless false, 0, "0" or "false"; -1 for another
 * type. */
static int
misp_published(const cJSON *v)
{
	if (v == NULL || cJSON_IsTrue(v))
		return 1;
	if (cJSON_IsFalse(v))
		return 0;
	if (cJSON_IsNumber(v))
		return v->valuedouble != 0;
	if (cJSON_IsString(v))
		return strcmp(v->valuestring, "0") != 0 &&
		    strcmp(v->valuestring, "false") != 0;
	return -1;
}

static int
uuid_ok(const char *s)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++)
		if (!isalnum((unsigned char)s[n]) && s[n] != '-')
			return 0;
	return n > 0 && n <= FEED_MISP_MAX_UUID;
}

/* --- tags ---------------------------------------------------------------- */

static const char *
tlp_of(const char *tag)
{
	static const char *const map[][2] = { { "tlp:white", "CLEAR" },
		{ "tlp:clear", "CLEAR" }, { "tlp:green", "GREEN" },
		{ "tlp:amber+strict", "AMBER+STRICT" }, { "tlp:amber", "AMBER" },
		{ "tlp:red", "RED" } };
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcasecmp(tag, map[i][0]) == 0)
			return map[i][1];
	return NULL;
}

static int
names_ransomware(const char *tag)
{
	const char *p;

	for (p = tag; *p != '\0'; p++)
		if (strncasecmp(p, "ransom", 6) == 0)
			return 1;
	return 0;
}

/* Event.Tag: the TLP label, and ransomware raises the severity. */
static int
read_tags(const cJSON *ev, struct cb_adv *adv, struct cb_err *err)
{
	const cJSON *tags = cb_json_member(ev, "Tag"), *t;
	const char *name, *tlp;

	if (tags == NULL)
		return 0;
	if (!cJSON_IsArray(tags))
		return cb_err_set(err, "misp: 'Tag' is not an array");
	cJSON_ArrayForEach(t, tags)
	{
		if ((name = cb_json_str(t, "name")) == NULL)
			return cb_err_set(err, "misp: a tag has no name");
		if ((tlp = tlp_of(name)) != NULL && adv->tlp == NULL)
			adv->tlp = cb_xstrdup(tlp);
		if (names_ransomware(name))
			adv->severity = CB_SEV_CRITICAL;
	}
	return 0;
}

/* --- attributes -------------------------------------------------------- */

static int
type_is(const char *type, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(type, *list) == 0)
			return 1;
	return 0;
}

/* 1 when value still fits the advisory (taking its room), else 0 and
 * counted as left out: every attribute value carried shares one budget,
 * so that the signed JSON stays within its payload limit even when each
 * byte is written as "\u00XX". */
static int
fits(struct misp_event *e, const char *value, size_t n, size_t max)
{
	size_t len = strlen(value);

	if (n >= max || e->bytes + len > FEED_MISP_MAX_BYTES) {
		e->dropped++;
		return 0;
	}
	e->bytes += len;
	return 1;
}

static void
add_indicator(struct misp_event *e, const char *type, const char *value)
{
	if (fits(e, value, e->adv->indicators.n, FEED_MISP_MAX_INDICATORS))
		cb_indicators_add(&e->adv->indicators, type, value);
}

static void
add_cve(struct misp_event *e, const char *value)
{
	char cve[CB_CVE_MAX];

	if (cb_cve_normalise(value, cve, NULL) == 0 &&
	    fits(e, cve, e->adv->cves.n, CB_ADV_MAX_ITEMS))
		cb_strlist_add_unique(&e->adv->cves, cve);
}

static void
add_item(struct misp_event *e, struct cb_strlist *l, const char *value)
{
	if (fits(e, value, l->n, CB_ADV_MAX_ITEMS))
		cb_strlist_add_unique(l, value);
}

/* One attribute to where it belongs; unusable ones are skipped. */
static void
read_attribute(struct misp_event *e, const cJSON *a)
{
	static const char *const prose[] = { "comment", "text", "other",
		NULL };
	static const char *const never[] = { "attachment", "malware-sample",
		NULL };
	const char *type = cb_json_str(a, "type");
	const char *value = cb_json_str(a, "value");
	size_t len;

	if (type == NULL || value == NULL || cJSON_IsTrue(cb_json_member(a,
						 "deleted")))
		return;
	len = strlen(value);
	if (len == 0 || len > CB_ADV_MAX_ITEM || strlen(type) >
	    CB_ADV_MAX_IND_TYPE)
		return;
	if (strcmp(type, "vulnerability") == 0)
		add_cve(e, value);
	else if (strcmp(type, "cpe") == 0)
		add_item(e, &e->adv->products, value);
	else if (strcmp(type, "link") == 0) {
		if (cb_url_is_http(value))
			add_item(e, &e->adv->references, value);
	} else if (type_is(type, never) || (type_is(type, prose) &&
		       !cJSON_IsTrue(cb_json_member(a, "to_ids"))))
		return;
	else
		add_indicator(e, type, value);
}

static int
read_attributes(struct misp_event *e, const cJSON *holder)
{
	const cJSON *attrs = cb_json_member(holder, "Attribute"), *a;

	if (attrs == NULL)
		return 0;
	if (!cJSON_IsArray(attrs))
		return -1;
	cJSON_ArrayForEach(a, attrs)
	{
		if (!cJSON_IsObject(a))
			return -1;
		if (e->attributes++ >= MISP_MAX_ATTRIBUTES)
			return 0;
		read_attribute(e, a);
	}
	return 0;
}

/* Event.Attribute and Event.Object[].Attribute. */
static int
read_all_attributes(struct misp_event *e, const cJSON *ev,
    struct cb_err *err)
{
	const cJSON *objs = cb_json_member(ev, "Object"), *o;

	if (read_attributes(e, ev) < 0)
		return cb_err_set(err, "misp: 'Attribute' is not an array of "
		    "objects");
	if (objs == NULL)
		return 0;
	if (!cJSON_IsArray(objs))
		return cb_err_set(err, "misp: 'Object' is not an array");
	cJSON_ArrayForEach(o, objs)
		if (!cJSON_IsObject(o) || read_attributes(e, o) < 0)
			return cb_err_set(err, "misp: an object's 'Attribute' "
			    "is not an array of objects");
	return 0;
}

/* --- the event --------------------------------------------------------- */

static int
read_severity(const cJSON *ev, const struct feed_opts *opts,
    struct cb_adv *adv, struct cb_err *err)
{
	static const enum cb_severity levels[] = { CB_SEV_HIGH, CB_SEV_MEDIUM,
		CB_SEV_LOW, CB_SEV_INFO };
	const cJSON *v = cb_json_member(ev, "threat_level_id");
	int64_t level;

	adv->severity = opts != NULL ? opts->default_severity : CB_SEV_INFO;
	if (v == NULL)
		return 0;
	if (misp_int(v, &level) < 0 || level < 1 || level > 4)
		return cb_err_set(err, "misp: 'threat_level_id' is not 1, 2, "
		    "3 or 4");
	adv->severity = levels[level - 1];
	return 0;
}

static int
read_ids(const cJSON *ev, struct cb_adv *adv, struct cb_err *err)
{
	const char *uuid = cb_json_str(ev, "uuid");
	const char *info = cb_json_str(ev, "info");

	if (uuid == NULL)
		return cb_err_set(err, "misp: 'uuid' is missing or not a "
		    "string");
	if (!uuid_ok(uuid) || strlen(uuid) > FEED_MAX_SOURCE_ID)
		return cb_err_set(err, "misp: 'uuid' is not a uuid");
	if (info == NULL)
		return cb_err_set(err, "misp: 'info' is missing or not a "
		    "string");
	adv->source_id = cb_xstrdup(uuid);
	adv->title = feed_json_strdup_cut(info, CB_ADV_MAX_TITLE);
	if (adv->title == NULL)
		return cb_err_set(err, "misp: 'info' is empty");
	return 0;
}

static int
read_times(const cJSON *ev, struct cb_adv *adv, struct cb_err *err)
{
	const cJSON *ts = cb_json_member(ev, "timestamp");
	const char *date = cb_json_str(ev, "date");
	int64_t t;

	if (date != NULL && cb_adv_time_parse(date, &adv->published) < 0)
		adv->published = 0;
	if (ts != NULL) {
		if (misp_int(ts, &t) < 0 || t >= INT64_C(253402300800))
			return cb_err_set(err, "misp: 'timestamp' is not a "
			    "Unix time");
		adv->updated = t;
	}
	return 0;
}

static void
write_summary(const cJSON *ev, struct misp_event *e)
{
	const char *org = cb_json_str(cb_json_member(ev, "Orgc"), "name");
	char *by = org != NULL ? feed_json_strdup_cut(org, 256) : NULL;
	char *s;

	if (by == NULL && e->dropped == 0)
		return;
	s = cb_xasprintf("%s%s%s", by != NULL ? "MISP event shared by " : "",
	    by != NULL ? by : "", by != NULL ? "." : "");
	free(by);
	if (e->dropped > 0) {
		by = s;
		s = cb_xasprintf("%s%s%zu more attributes are in the MISP "
				 "event.",
		    by, by[0] != '\0' ? " " : "", e->dropped);
		free(by);
	}
	e->adv->summary = s;
}

/* Event into adv; 1 when it is an advisory, 0 when unpublished, -1. */
static int
read_event(const cJSON *root, const struct feed_opts *opts,
    struct cb_adv *adv, struct cb_err *err)
{
	const cJSON *ev = cb_json_member(root, "Event");
	struct misp_event e = { .adv = adv };
	int pub;

	if (!cJSON_IsObject(ev))
		return cb_err_set(err, "misp: not an event (no 'Event' "
		    "object)");
	if ((pub = misp_published(cb_json_member(ev, "published"))) < 0)
		return cb_err_set(err, "misp: 'published' is not a boolean");
	if (pub == 0)
		return 0;
	if (read_ids(ev, adv, err) < 0 || read_severity(ev, opts, adv,
					      err) < 0 ||
	    read_tags(ev, adv, err) < 0 || read_times(ev, adv, err) < 0 ||
	    read_all_attributes(&e, ev, err) < 0)
		return -1;
	write_summary(ev, &e);
	if (cb_adv_validate(adv, err) < 0) {
		cb_err_prefix(err, "misp: event %s", adv->source_id);
		return -1;
	}
	return 1;
}

static int
parse_event_tree(const cJSON *root, const struct feed_opts *opts,
    struct cb_adv_list *out, struct cb_err *err)
{
	struct cb_adv adv;
	int rc;

	cb_adv_init(&adv);
	rc = read_event(root, opts, &adv, err);
	if (rc > 0)
		*cb_adv_list_push(out) = adv;
	else
		cb_adv_release(&adv);
	return rc < 0 ? -1 : 0;
}

int
feed_misp_parse_event(const char *buf, size_t len,
    const struct feed_opts *opts, struct cb_adv_list *out,
    struct cb_err *err)
{
	cJSON *root;
	int rc;

	if ((root = feed_json_load(buf, len, "misp", err)) == NULL)
		return -1;
	rc = parse_event_tree(root, opts, out, err);
	cJSON_Delete(root);
	return rc;
}

/* --- the manifest ------------------------------------------------------- */

int
feed_misp_entry_cmp(const struct feed_misp_entry *a,
    const struct feed_misp_entry *b)
{
	if (a->timestamp != b->timestamp)
		return a->timestamp < b->timestamp ? -1 : 1;
	return strcmp(a->uuid, b->uuid) < 0 ? -1 :
	    strcmp(a->uuid, b->uuid) > 0    ? 1 :
					      0;
}

static int
entry_qsort_cmp(const void *a, const void *b)
{
	return feed_misp_entry_cmp(a, b);
}

int
feed_misp_parse_manifest(const char *buf, size_t len,
    struct feed_misp_entry **out, size_t *n, struct cb_err *err)
{
	struct feed_misp_entry *v;
	const cJSON *e;
	cJSON *root;
	size_t count = 0;

	*out = NULL;
	*n = 0;
	if ((root = feed_json_load(buf, len, "misp manifest", err)) == NULL)
		return -1;
	if (!cJSON_IsObject(root) || cJSON_GetArraySize(root) > FEED_MAX_ITEMS) {
		cJSON_Delete(root);
		return cb_err_set(err, "misp manifest: not an object of at "
		    "most %d events", FEED_MAX_ITEMS);
	}
	v = cb_xcalloc((size_t)cJSON_GetArraySize(root) + 1, sizeof(*v));
	cJSON_ArrayForEach(e, root)
	{
		if (!uuid_ok(e->string) || !cJSON_IsObject(e))
			continue;
		memcpy(v[count].uuid, e->string, strlen(e->string) + 1);
		if (misp_int(cb_json_member(e, "timestamp"),
			&v[count].timestamp) < 0)
			v[count].timestamp = 0;
		count++;
	}
	cJSON_Delete(root);
	qsort(v, count, sizeof(*v), entry_qsort_cmp);
	*out = v;
	*n = count;
	return 0;
}

char *
feed_misp_event_url(const char *manifest_url, const char *uuid)
{
	const char *slash = strrchr(manifest_url, '/');
	size_t dir = slash != NULL ? (size_t)(slash - manifest_url) + 1 : 0;

	return cb_xasprintf("%.*s%s.json", (int)dir, manifest_url, uuid);
}

/* --- the ZeroMQ stream ------------------------------------------------- */

int
feed_misp_parse_frame(const char *buf, size_t len,
    const struct feed_opts *opts, enum feed_misp_frame *kind,
    struct cb_adv_list *out, struct cb_err *err)
{
	const char *sp = memchr(buf, ' ', len);
	size_t tlen;
	cJSON *root;
	int rc = 0;

	if (len > FEED_MAX_BODY)
		return cb_err_set(err, "misp-zmq: frame of %zu bytes is over "
		    "the limit of %u", len, FEED_MAX_BODY);
	if (sp == NULL)
		return cb_err_set(err, "misp-zmq: frame has no topic");
	tlen = (size_t)(sp - buf);
	if (tlen == 9 && memcmp(buf, "misp_json", 9) == 0)
		*kind = FEED_MISP_EVENT;
	else if (tlen == 14 && memcmp(buf, "misp_json_self", 14) == 0)
		*kind = FEED_MISP_KEEPALIVE;
	else {
		*kind = FEED_MISP_OTHER;
		return 0;
	}
	root = feed_json_load(sp + 1, len - tlen - 1, "misp-zmq", err);
	if (root == NULL)
		return -1;
	if (*kind == FEED_MISP_EVENT)
		rc = parse_event_tree(root, opts, out, err);
	cJSON_Delete(root);
	return rc;
}
