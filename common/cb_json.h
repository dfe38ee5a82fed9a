/*
 * cb_json: the small reading helpers every cJSON user shares, so that
 * "the string member of an object, if it is one" is written once.
 * Members are matched case-sensitively, as JSON keys are.  Returned
 * pointers belong to the tree.
 *
 * Also the one place that reads signed JSON strictly: cJSON keeps a
 * repeated key as two members, and readers then disagree on which one
 * counts (cJSON's lookups take the first, a loop over the members the
 * last), so signed payloads, drafts and feeds refuse repeats outright.
 */
#ifndef CB_JSON_H
#define CB_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "cb_err.h"

struct cJSON;

/* Parse len bytes of JSON that must be exactly one object: valid UTF-8,
 * nothing after it but white space, no key repeated in any object at
 * any depth.  what names the document in errors ("advisory", "payload").
 * Returns the tree (the caller cJSON_Deletes it), or NULL with err. */
struct cJSON *cb_json_parse_object(const char *json, size_t len,
    const char *what, struct cb_err *err);

/* 0 when no object in the tree under node has a key twice, else -1 with
 * err "key 'NAME' appears twice" (and the object's own key, when it has
 * one).  Takes O(n log n) per object, so a long object cannot slow it to
 * a crawl. */
int cb_json_unique_keys(const struct cJSON *node, struct cb_err *err);

/* obj.key, or NULL when obj is not an object or has no such member. */
const struct cJSON *cb_json_member(const struct cJSON *obj, const char *key);

/* The string value of obj.key, or NULL when it is absent or not a
 * string (or obj is not an object). */
const char *cb_json_str(const struct cJSON *obj, const char *key);

/* The number obj.key, or dflt when it is absent or not a number. */
double cb_json_num(const struct cJSON *obj, const char *key, double dflt);

/* obj.key when it is an array, else NULL. */
const struct cJSON *cb_json_array(const struct cJSON *obj, const char *key);

/* Add member key to obj: the Unix time t as an ISO 8601 UTC string, or
 * null when t is 0 or less (never, unknown). */
void cb_json_add_time(struct cJSON *obj, const char *key, int64_t t);

#endif
