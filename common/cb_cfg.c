/* cb_cfg: table-driven INI files on inih (see cb_cfg.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "cb_adv.h"
#include "cb_cfg.h"
#include "cb_http.h"
#include "cb_locale.h"
#include "cb_mem.h"
#include "cb_net.h"
#include "cb_time.h"

/* A key already set in a section, and where. */
struct seen {
	char *section;
	char *key;
	int line;
};

struct load {
	const char *section;
	const struct cb_cfg_key *keys;
	size_t nkeys;
	void *base;
	cb_cfg_other_fn other;
	void *user;
	const char *const *lists;
	FILE *fp;
	int line;     /* of the line inih is handling */
	int failed;
	int err_line; /* of the first key that failed */
	int nul_line; /* of a NUL byte, which ends the reading */
	struct cb_err err;
	struct seen *seen;
	size_t nseen;
};

int
cb_cfg_bool(const char *v, int *out)
{
	if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 ||
	    strcmp(v, "1") == 0 || strcmp(v, "on") == 0)
		*out = 1;
	else if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0 ||
	    strcmp(v, "0") == 0 || strcmp(v, "off") == 0)
		*out = 0;
	else
		return -1;
	return 0;
}

int
cb_cfg_int(const char *v, int min, int max, int *out)
{
	char *end;
	long n;

	if (!isdigit((unsigned char)*v) && *v != '-')
		return -1;
	n = strtol(v, &end, 10);
	if (*end != '\0' || n < min || n > max)
		return -1;
	*out = (int)n;
	return 0;
}

/* seconds as the largest unit that divides them: "90s", "5m", "1d". */
static void
duration_text(int v, char *out, size_t sz)
{
	if (v != 0 && v % 86400 == 0)
		snprintf(out, sz, "%dd", v / 86400);
	else if (v != 0 && v % 3600 == 0)
		snprintf(out, sz, "%dh", v / 3600);
	else if (v != 0 && v % 60 == 0)
		snprintf(out, sz, "%dm", v / 60);
	else
		snprintf(out, sz, "%ds", v);
}

int
cb_cfg_duration(const char *name, const char *v, int min, int max, int *out,
    struct cb_err *err)
{
	char lo[16], hi[16];
	int64_t d;

	if (cb_duration_parse(v, &d) == 0 && d >= min && d <= max) {
		*out = (int)d;
		return 0;
	}
	duration_text(min, lo, sizeof(lo));
	duration_text(max, hi, sizeof(hi));
	return cb_err_set(err,
	    _("'%s' must be a duration from %s to %s (such as 90s, 5m, 2h, "
	      "1d; a bare number is seconds), not '%s'"),
	    name, lo, hi, v);
}

static int
set_string(const struct cb_cfg_key *k, void *base, const char *value,
    struct cb_err *err)
{
	char **sp = (char **)((char *)base + k->offset);

	if (*value == '\0')
		return cb_err_set(err, _("'%s' is empty"), k->name);
	free(*sp);
	*sp = cb_xstrdup(value);
	return 0;
}

/* An HTTP listening address; a bare port listens on loopback. */
static int
set_http(const struct cb_cfg_key *k, void *base, const char *value,
    struct cb_err *err)
{
	char addr[80];

	if (*value != '\0' && strspn(value, "0123456789") == strlen(value) &&
	    strlen(value) <= 5) {
		snprintf(addr, sizeof(addr), "127.0.0.1:%s", value);
		value = addr;
	}
	if (cb_http_addr_check(value, err) < 0) {
		cb_err_prefix(err, "'%s' must be ADDR:PORT or a port", k->name);
		return -1;
	}
	return set_string(k, base, value, err);
}

void
cb_cfg_items(const char *s, struct cb_strlist *out)
{
	const char *p = s, *end, *e;
	char *item;

	for (;;) {
		end = p + strcspn(p, ",");
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		for (e = end; e > p && (e[-1] == ' ' || e[-1] == '\t'); e--)
			;
		item = cb_xstrndup(p, (size_t)(e - p));
		cb_strlist_add(out, item);
		free(item);
		if (*end == '\0')
			return;
		p = end + 1;
	}
}

/* A list of endpoints: each item one that cb_net_endpoint_check takes
 * (an empty one is not). */
static int
set_endpoints(const struct cb_cfg_key *k, void *base, const char *value,
    struct cb_err *err)
{
	struct cb_strlist l = { NULL, 0 };
	size_t i;
	int rc = 0;

	cb_cfg_items(value, &l);
	for (i = 0; i < l.n && rc == 0; i++)
		if (l.v[i][0] == '\0')
			rc = cb_err_set(err, "item %zu of '%s' is empty", i + 1,
			    value);
		else
			rc = cb_net_endpoint_check(l.v[i], err);
	cb_strlist_release(&l);
	if (rc < 0) {
		cb_err_prefix(err, "'%s' must be a ZeroMQ endpoint or a "
		    "comma-separated list of them", k->name);
		return -1;
	}
	return set_string(k, base, value, err);
}

static int
set_one(const struct cb_cfg_key *k, void *base, const char *value,
    struct cb_err *err)
{
	switch (k->type) {
	case CB_CFG_STRING:
		return set_string(k, base, value, err);
	case CB_CFG_HTTP:
		return set_http(k, base, value, err);
	case CB_CFG_BOOL:
		if (cb_cfg_bool(value, (int *)((char *)base + k->offset)) < 0)
			return cb_err_set(err,
			    _("'%s' must be yes or no, not '%s'"),
			    k->name, value);
		return 0;
	case CB_CFG_INT:
		if (cb_cfg_int(value, k->min, k->max,
			(int *)((char *)base + k->offset)) < 0)
			return cb_err_set(err,
			    _("'%s' must be a number from %d to %d, not '%s'"),
			    k->name, k->min, k->max, value);
		return 0;
	case CB_CFG_DURATION:
		return cb_cfg_duration(k->name, value, k->min, k->max,
		    (int *)((char *)base + k->offset), err);
	case CB_CFG_ENDPOINTS:
		if (strchr(value, ',') != NULL)
			return set_endpoints(k, base, value, err);
		/* one: as CB_CFG_ENDPOINT, word for word */
		/* FALLTHROUGH */
	case CB_CFG_ENDPOINT:
		if (cb_net_endpoint_check(value, err) < 0) {
			cb_err_prefix(err, "'%s' must be a ZeroMQ endpoint",
			    k->name);
			return -1;
		}
		return set_string(k, base, value, err);
	}
	return -1;
}

int
cb_cfg_set(const struct cb_cfg_key *keys, size_t nkeys, void *base,
    const char *section, const char *key, const char *value,
    struct cb_err *err)
{
	size_t i;

	for (i = 0; i < nkeys; i++)
		if (strcmp(keys[i].name, key) == 0)
			return set_one(&keys[i], base, value, err);
	return cb_err_set(err, _("unknown key '%s' in [%s]"), key, section);
}

static int
is_list(const struct load *l, const char *name)
{
	const char *const *p;

	for (p = l->lists; p != NULL && *p != NULL; p++)
		if (strcmp(*p, name) == 0)
			return 1;
	return 0;
}

/* -1 with l->err when name was set in section before; else records it. */
static int
first_time(struct load *l, const char *section, const char *name)
{
	size_t i;

	if (is_list(l, name))
		return 0;
	for (i = 0; i < l->nseen; i++)
		if (strcmp(l->seen[i].key, name) == 0 &&
		    strcmp(l->seen[i].section, section) == 0)
			return cb_err_set(&l->err,
			    _("'%s' given twice in [%s] (first on line %d)"),
			    name, section, l->seen[i].line);
	l->seen = cb_xrealloc(l->seen, (l->nseen + 1) * sizeof(*l->seen));
	l->seen[l->nseen].section = cb_xstrdup(section);
	l->seen[l->nseen].key = cb_xstrdup(name);
	l->seen[l->nseen++].line = l->line;
	return 0;
}

static int
on_key(void *user, const char *section, const char *name, const char *value)
{
	struct load *l = user;
	int rc;

	if (l->failed)
		return 1; /* keep the first error only */
	if (first_time(l, section, name) < 0)
		rc = -1;
	else if (strcmp(section, l->section) == 0)
		rc = cb_cfg_set(l->keys, l->nkeys, l->base, section, name,
		    value, &l->err);
	else if (l->other != NULL)
		rc = l->other(l->user, section, name, value, l->line, &l->err);
	else
		rc = cb_err_set(&l->err, _("unknown section [%s]"), section);
	if (rc < 0) {
		l->failed = 1;
		l->err_line = l->line;
		return 0;
	}
	return 1;
}

/* fgets for inih that also counts lines, so handlers know where they
 * are (Debian's inih is built without INI_HANDLER_LINENO), and strips
 * leading white space: Debian's inih takes an indented line as the
 * continuation of the value above, so "  heartbeat = 10" under
 * "state = ..." would silently become part of the state folder's name. */
static char *
read_line(char *str, int num, void *stream)
{
	struct load *l = stream;
	int c = EOF, n = 0, lead = 1;

	l->line++;
	while (n < num - 1 && (c = getc(l->fp)) != EOF) {
		if (lead && (c == ' ' || c == '\t'))
			continue;
		lead = 0;
		if (c == '\0') { /* inih would cut the value here */
			l->nul_line = l->line;
			return NULL;
		}
		str[n++] = (char)c;
		if (c == '\n')
			break;
	}
	if (n == 0 && c == EOF)
		return NULL;
	str[n] = '\0';
	return str;
}

static void
release_seen(struct load *l)
{
	size_t i;

	for (i = 0; i < l->nseen; i++) {
		free(l->seen[i].section);
		free(l->seen[i].key);
	}
	free(l->seen);
}

int
cb_cfg_load(const char *path, const char *section,
    const struct cb_cfg_key *keys, size_t nkeys, void *base,
    cb_cfg_other_fn other, void *user, const char *const *lists,
    struct cb_err *err)
{
	struct load l = { .section = section, .keys = keys, .nkeys = nkeys,
		.base = base, .other = other, .user = user, .lists = lists };
	int line;

	if ((l.fp = fopen(path, "r")) == NULL)
		return cb_err_setsys(err, _("cannot read '%s'"), path);
	line = ini_parse_stream(read_line, &l, on_key, &l);
	fclose(l.fp);
	release_seen(&l);
	if (line < 0)
		return cb_err_set(err, _("cannot read '%s'"), path);
	if (line > 0 && l.failed && line == l.err_line)
		return cb_err_set(err, "%s:%d: %s", path, line, l.err.msg);
	if (line > 0)
		return cb_err_set(err,
		    _("%s:%d: syntax error (lines are 'key = value' under a "
		      "[section], at most %d bytes)"),
		    path, line, INI_MAX_LINE - 1);
	if (l.nul_line > 0)
		return cb_err_set(err,
		    _("%s:%d: NUL byte in the line (a value would be cut "
		      "there)"),
		    path, l.nul_line);
	return 0;
}

static int
is_fixed(const char *const *fixed, const char *name)
{
	for (; fixed != NULL && *fixed != NULL; fixed++)
		if (strcmp(*fixed, name) == 0)
			return 1;
	return 0;
}

static int
is_string(const struct cb_cfg_key *k)
{
	return k->type == CB_CFG_STRING || k->type == CB_CFG_ENDPOINT ||
	    k->type == CB_CFG_ENDPOINTS ||
	    k->type == CB_CFG_HTTP;
}

/* Key k as text, for a diff line: strings quoted, "(none)" unset. */
static void
show(const struct cb_cfg_key *k, const void *base, char *out, size_t sz)
{
	const char *p = (const char *)base + k->offset;

	if (is_string(k)) {
		if (*(char *const *)p == NULL)
			snprintf(out, sz, "(none)");
		else
			snprintf(out, sz, "'%s'", *(char *const *)p);
	} else if (k->type == CB_CFG_BOOL) {
		snprintf(out, sz, "%s", *(const int *)p ? "yes" : "no");
	} else {
		snprintf(out, sz, "%d", *(const int *)p);
	}
}

/* new's key k takes old's value. */
static void
keep(const struct cb_cfg_key *k, const void *old, void *new)
{
	const char *o = (const char *)old + k->offset;
	char *n = (char *)new + k->offset;

	if (is_string(k)) {
		free(*(char **)n);
		*(char **)n = *(char *const *)o ? cb_xstrdup(*(char *const *)o) :
						  NULL;
	} else {
		*(int *)n = *(const int *)o;
	}
}

int
cb_cfg_diff(const struct cb_cfg_key *keys, size_t nkeys, const void *old,
    void *new, const char *const *fixed, cb_cfg_say_fn say, void *arg)
{
	char a[256], b[256], line[1024];
	int n = 0;
	size_t i;

	for (i = 0; i < nkeys; i++) {
		const struct cb_cfg_key *k = &keys[i];
		int str = is_string(k);

		if (is_fixed(fixed, k->name) && str &&
		    *(char **)((char *)new + k->offset) == NULL) {
			keep(k, old, new);
			continue;
		}
		show(k, old, a, sizeof(a));
		show(k, new, b, sizeof(b));
		if (strcmp(a, b) == 0)
			continue;
		if (is_fixed(fixed, k->name)) {
			snprintf(line, sizeof(line), "%s %s -> %s needs a "
			    "restart; %s stays in force", k->name, a, b, a);
			keep(k, old, new);
		} else {
			snprintf(line, sizeof(line), "%s %s -> %s", k->name, a,
			    b);
		}
		say(arg, line);
		n++;
	}
	return n;
}
