/*
 * cb_cfg: INI configuration files (inih), table-driven, with errors that
 * name the place ("sub.conf:12: unknown key 'pubkye' in [subscriber]").
 *
 * A program describes its main section as a table of keys, each stored
 * at an offset in its settings struct; sections it handles itself (the
 * publisher's [feed "NAME"]) go to a callback with the line number.
 */
#ifndef CB_CFG_H
#define CB_CFG_H

#include <stddef.h>

#include "cb_err.h"

/* CB_CFG_ENDPOINT is a string that cb_net_endpoint_check accepts;
 * CB_CFG_ENDPOINTS a comma-separated list of one or more of them (a
 * program's several sources, cb_cfg_items splits it);
 * CB_CFG_DURATION an int of seconds, written as cb_duration_parse reads
 * it ("90", "90s", "5m", "2h", "1d"); CB_CFG_HTTP a string that
 * cb_http_addr_check accepts ("127.0.0.1:9464", "[::1]:9464"), where a
 * bare port means 127.0.0.1 (stored as "127.0.0.1:PORT"). */
enum cb_cfg_type {
	CB_CFG_STRING,
	CB_CFG_BOOL,
	CB_CFG_INT,
	CB_CFG_ENDPOINT,
	CB_CFG_ENDPOINTS,
	CB_CFG_DURATION,
	CB_CFG_HTTP
};

struct cb_cfg_key {
	const char *name;
	enum cb_cfg_type type;
	size_t offset; /* of a char * (owned, replaced) or an int */
	int min, max;  /* CB_CFG_INT, CB_CFG_DURATION (seconds) only */
};

/* Set key to value in base through the table.  Returns 0 or -1 with err
 * naming the key (and section, for an unknown key). */
int cb_cfg_set(const struct cb_cfg_key *keys, size_t nkeys, void *base,
    const char *section, const char *key, const char *value,
    struct cb_err *err);

/* Called for keys outside the main section; returns 0 or -1 with err. */
typedef int (*cb_cfg_other_fn)(void *user, const char *section,
    const char *key, const char *value, int line, struct cb_err *err);

/* Read path: keys of [section] through the table into base, others to
 * other (NULL: any other section is an error).  Strict: a key given
 * twice in one section is an error naming both lines, unless it is
 * one of lists (NULL-terminated, or NULL for none: keys that add to a
 * list each time, such as a feed's "header"), and so is a NUL byte
 * (inih would cut the line there).  Returns 0, or -1 with err as
 * "PATH:LINE: what is wrong" for the first problem. */
int cb_cfg_load(const char *path, const char *section,
    const struct cb_cfg_key *keys, size_t nkeys, void *base,
    cb_cfg_other_fn other, void *user, const char *const *lists,
    struct cb_err *err);

/* Called by cb_cfg_diff with one line per difference. */
typedef void (*cb_cfg_say_fn)(void *arg, const char *line);

/* Compare the table's keys in old and new (a reload): one line to say
 * for each that differs ("heartbeat 5 -> 10", "on_report (none) ->
 * '/usr/local/bin/x'").  Keys named in fixed (NULL-terminated) cannot
 * change while the program runs: new takes old's value, and the line
 * says "... needs a restart"; a fixed string key that new leaves unset
 * takes old's value silently.  Returns the number of lines said. */
int cb_cfg_diff(const struct cb_cfg_key *keys, size_t nkeys,
    const void *old, void *new, const char *const *fixed, cb_cfg_say_fn say,
    void *arg);

/* The comma-separated items of s into out (added to it), each trimmed
 * of blanks, empty ones kept (an empty item means "the default" in a
 * list that pairs by position with another): "a, ,b" gives "a", "",
 * "b"; "" gives one empty item. */
struct cb_strlist;
void cb_cfg_items(const char *s, struct cb_strlist *out);

/* "yes"/"no" and friends; 0 with *out, or -1. */
int cb_cfg_bool(const char *v, int *out);
/* A decimal integer in [min, max]; 0 with *out, or -1. */
int cb_cfg_int(const char *v, int min, int max, int *out);
/* A duration (cb_duration_parse) of min to max seconds; 0 with *out in
 * seconds, or -1 with err as "'name' must be a duration from 10s to
 * 7d (90s, 5m, 2h, 1d), not 'v'". */
int cb_cfg_duration(const char *name, const char *v, int min, int max,
    int *out, struct cb_err *err);

#endif
