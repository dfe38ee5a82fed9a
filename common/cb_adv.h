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

/* A list of owned strings. */
struct cb_strlist {
	char **v;
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

/* Returns a new zeroed advisory appended to the list; the list owns it.
 * The pointer is valid until the next cb_adv_list_push. */
struct cb_adv *cb_adv_list_push(struct cb_adv_list *list);
void cb_adv_list_release(struct cb_adv_list *list);

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

/* Checks the record as a whole: a non-empty title, valid UTF-8 in every
 * string, every size limit above.  Returns 0, or -1 naming the field. */
int cb_adv_validate(const struct cb_adv *adv, struct cb_err *err);

/* The canonical JSON form (keys in a fixed order, compact, UTF-8 kept
 * as is).  Returns a string the caller frees with free(). */
char *cb_adv_to_json(const struct cb_adv *adv);

/* Parse the JSON form into adv (initialised here; release it even on
 * failure).  With partial set, fields the publisher assigns (id,
 * source, revision, published) may be missing, as in a file handed to
 * "canhbao-pub publish --file".  Unknown keys are an error, so a typo
 * is never silently dropped.  Validates the result. */
int cb_adv_from_json(struct cb_adv *adv, const char *json, size_t len,
    int partial, struct cb_err *err);

/* The same from an already parsed cJSON object. */
int cb_adv_from_cjson(struct cb_adv *adv, const struct cJSON *obj,
    int partial, struct cb_err *err);

#endif
