/*
 * cb_json: the small reading helpers every cJSON user shares, so that
 * "the string member of an object, if it is one" is written once.
 * Members are matched case-sensitively, as JSON keys are.  Returned
 * pointers belong to the tree.
 */
#ifndef CB_JSON_H
#define CB_JSON_H

struct cJSON;

/* obj.key, or NULL when obj is not an object or has no such member. */
const struct cJSON *cb_json_member(const struct cJSON *obj, const char *key);

/* The string value of obj.key, or NULL when it is absent or not a
 * string (or obj is not an object). */
const char *cb_json_str(const struct cJSON *obj, const char *key);

/* The number obj.key, or dflt when it is absent or not a number. */
double cb_json_num(const struct cJSON *obj, const char *key, double dflt);

/* obj.key when it is an array, else NULL. */
const struct cJSON *cb_json_array(const struct cJSON *obj, const char *key);

#endif
