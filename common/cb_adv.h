/*
 * cb_adv: the one normalised advisory, whatever its source.
 *
 * Every feed adapter produces these, the publisher signs their JSON form
 * (cb_adv_to_json), and the subscriber parses that JSON back
 * (cb_adv_from_json) only after the signature checked out.  All strings
 * are UTF-8, NUL-terminated, owned by the struct and freed by
 * cb_adv_release.  The JSON form is specified in canhbao.7.
 */
#ifndef CB_ADV_H
#define CB_ADV_H

#include <stddef.h>
#include <stdint.h>

#include "cb_err.h"

struct cJSON;

enum cb_severity {
	CB_SEV_INFO = 0,
	CB_SEV_LOW,
	CB_SEV_MEDIUM,
	CB_SEV_HIGH,
	CB_SEV_CRITICAL
};

enum cb_kind { CB_KIND_NEW = 0, CB_KIND_UPDATE, CB_KIND_CANCEL };

enum cb_status { CB_STATUS_ACTUAL = 0, CB_STATUS_EXERCISE, CB_STATUS_TEST };

enum cb_origin { CB_ORIGIN_NATIONAL = 0, CB_ORIGIN_PROVINCIAL };

/* Size limits enforced by cb_adv_validate (and so by every parser). */
#define CB_ADV_MAX_ID 200
#define CB_ADV_MAX_TITLE 1024
#define CB_ADV_MAX_TEXT 65536 /* summary, one action */
#define CB_ADV_MAX_ITEM 2048  /* one CVE, product, reference, group */
#define CB_ADV_MAX_ITEMS 1000 /* entries in one list */
/* Longest id a feed may give an item: the publisher prefixes it with
 * the feed name, and the result must fit CB_ADV_MAX_ID. */
#define CB_ADV_MAX_SOURCE_ID 128

/* A list of owned strings. */
struct cb_strlist {
	char **v;
	size_t n;
};

/* Indicators of compromise an advisory carries (a MISP event's domains,
 * addresses, hashes, URLs): each a type, printable ASCII without spaces
 * of 1 to CB_ADV_MAX_IND_TYPE bytes ("ip-dst", "sha256", "regkey|value"),
 * and a non-empty UTF-8 value of at most CB_ADV_MAX_ITEM bytes; at most
 * CB_ADV_MAX_ITEMS of them.  Both strings are owned. */
#define CB_ADV_MAX_IND_TYPE 64
struct cb_indicator {
	char *type;
	char *value;
};
struct cb_indicators {
	struct cb_indicator *v;
	size_t n;
};

struct cb_adv {
	char *id;        /* stable id, "<source>:<source_id>"; set by the
			  * publisher for feeds, assigned for local ones */
	char *source;    /* feed name, or "local" */
	char *source_id; /* the item's id inside its feed (guid, CSAF
			  * tracking id, CAP identifier, KEV CVE id) */
	unsigned revision; /* 1 for the first publication, +1 per change */
	enum cb_kind kind;
	enum cb_status status;
	enum cb_origin origin;
	enum cb_severity severity;
	char *title;
	char *summary;   /* plain text, may be NULL */
	char *tlp;       /* "CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED";
			  * NULL means CLEAR */
	struct cb_strlist cves;
	struct cb_strlist products;
	struct cb_strlist actions;
	struct cb_strlist references; /* URLs, or ids of earlier advisories */
	struct cb_strlist audience;   /* empty: everyone; else agency or
				       * group names */
	struct cb_indicators indicators; /* empty for most feeds */
	int64_t published; /* Unix seconds; 0 when unknown */
	int64_t updated;   /* 0 when never updated */
	int64_t expires;   /* 0 when it does not expire */
};

/* A growable array of advisories, as feed adapters return them. */
struct cb_adv_list {
	struct cb_adv *v;
	size_t n;
	size_t cap;
};

void cb_adv_init(struct cb_adv *adv);
void cb_adv_release(struct cb_adv *adv);

/* Deep copy of src into dst (dst is initialised first). */
void cb_adv_copy(struct cb_adv *dst, const struct cb_adv *src);

/* Append a copy of s to the list. */
void cb_strlist_add(struct cb_strlist *l, const char *s);
/* Append s unless an equal string is already there. */
void cb_strlist_add_unique(struct cb_strlist *l, const char *s);
void cb_strlist_release(struct cb_strlist *l);
/* Move every string of src to the end of dst, leaving src empty (its
 * memory freed). */
void cb_strlist_move(struct cb_strlist *dst, struct cb_strlist *src);

/* Append copies of type and value (not checked here: cb_adv_validate
 * does), unless an equal pair is already there. */
void cb_indicators_add(struct cb_indicators *l, const char *type,
    const char *value);
void cb_indicators_release(struct cb_indicators *l);

/* Returns a new zeroed advisory appended to the list; the list owns it.
 * The pointer is valid until the next cb_adv_list_push. */
struct cb_adv *cb_adv_list_push(struct cb_adv_list *list);
void cb_adv_list_release(struct cb_adv_list *list);
/* Move every advisory of src to the end of dst, leaving src empty (its
 * memory freed).  Adapters fill a local list and move it to their
 * caller's only once the whole document was accepted. */
void cb_adv_list_move(struct cb_adv_list *dst, struct cb_adv_list *src);

/* Names <-> enums.  The _parse functions return 0 and set *out, or -1
 * for an unknown name (exact, lower-case match). */
const char *cb_severity_name(enum cb_severity sev);
int cb_severity_parse(const char *name, enum cb_severity *out);
const char *cb_kind_name(enum cb_kind kind);
int cb_kind_parse(const char *name, enum cb_kind *out);
const char *cb_status_name(enum cb_status status);
int cb_status_parse(const char *name, enum cb_status *out);
const char *cb_origin_name(enum cb_origin origin);
int cb_origin_parse(const char *name, enum cb_origin *out);

/* A severity as people type it (--severity Critical, a config value):
 * any case.  0 with *out, or -1 with err as "unknown severity 'X' (use
 * critical, high, medium, low or info)", the one wording for both
 * programs.  The signed form stays exact (cb_severity_parse). */
int cb_severity_arg(const char *name, enum cb_severity *out,
    struct cb_err *err);

#define CB_CVE_MAX 32 /* "CVE-YYYY-" and up to 19 digits, NUL */
/* A CVE id as people type it ("cve-2024-3400"): "CVE-YYYY-NNNN" with
 * at least 4 digits after the year, any case.  0 with the upper-case
 * form in out (CB_CVE_MAX bytes), or -1 with err naming it. */
int cb_cve_normalise(const char *id, char *out, struct cb_err *err);

/* Checks the record as a whole: a non-empty title, valid UTF-8 in every
 * string, every size limit above.  Returns 0, or -1 naming the field. */
int cb_adv_validate(const struct cb_adv *adv, struct cb_err *err);

/*
 * The JSON form, described once (a table in cb_adv.c) for three uses:
 *   - the signed form (canhbao.7): cb_adv_to_json writes it,
 *     cb_adv_from_json / cb_adv_from_cjson read it back;
 *   - the draft form ("canhbao-pub publish --file"): the same keys, with
 *     partial set;
 *   - an item of a canhbao JSON feed (canhbao.conf(5)):
 *     cb_adv_from_feed_item.
 * Values: strings for text, enums by their names above, arrays of
 * strings for lists, RFC 3339 strings for times (cb_adv_time_parse),
 * "revision" a whole number from 1, "indicators" an array of objects
 * {"type": ..., "value": ...} written last and only when there are
 * some (so that an advisory without them is the same bytes a receiver
 * before indicators accepts; canhbao.7).
 */

/* The canonical JSON form (keys in a fixed order, compact, UTF-8 kept
 * as is).  Returns a string the caller frees with free(). */
char *cb_adv_to_json(const struct cb_adv *adv);

/* Parse the JSON form into adv (initialised here; release it even on
 * failure).  With partial set, fields the publisher assigns (id,
 * source, revision, published) may be missing, as in a file handed to
 * "canhbao-pub publish --file".  Unknown keys are an error, so a typo
 * is never silently dropped, and so is a key given twice at any depth
 * (cb_json_parse_object), so that no reader of the same signed bytes
 * sees other values.  Validates the result. */
int cb_adv_from_json(struct cb_adv *adv, const char *json, size_t len,
    int partial, struct cb_err *err);

/* The same from an already parsed cJSON object (repeated keys refused
 * here too). */
int cb_adv_from_cjson(struct cb_adv *adv, const struct cJSON *obj,
    int partial, struct cb_err *err);

/* One item of a canhbao JSON feed into adv (initialised here; release
 * it even on failure): the keys of the draft form without revision,
 * origin, source and source_id, and "id" for the item's id in its feed
 * (stored in source_id: 1 to CB_ADV_MAX_SOURCE_ID bytes of printable
 * ASCII).  "id" and "title" are required; severity defaults to
 * default_severity.  A repeated key is an error.  Validates the result.
 * Returns 0, or -1 with err set ("'severity' has unknown value
 * 'severe'"). */
int cb_adv_from_feed_item(struct cb_adv *adv, const struct cJSON *obj,
    enum cb_severity default_severity, struct cb_err *err);

/* An RFC 3339 time (cb_time_parse_iso) that the JSON form can carry:
 * after 1970-01-01T00:00:00Z and before the year 10000.  Returns 0 and
 * sets *out, or -1. */
int cb_adv_time_parse(const char *s, int64_t *out);

#endif
