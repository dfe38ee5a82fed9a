/* sub_config: the subscriber's settings (see sub_config.h). */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cb_cfg.h"
#include "cb_locale.h"
#include "cb_mem.h"
#include "sub_config.h"

#define KEY(name, type, field, min, max) \
	{ name, type, offsetof(struct sub_config, field), min, max }

static const struct cb_cfg_key subscriber_keys[] = {
	KEY("ack_by", CB_CFG_STRING, ack_by, 0, 0),
	KEY("broadcast", CB_CFG_ENDPOINTS, broadcast, 0, 0),
	KEY("desktop", CB_CFG_BOOL, desktop, 0, 1),
	KEY("failover_after", CB_CFG_DURATION, failover_after, 1, 86400),
	KEY("group", CB_CFG_STRING, group, 0, 0),
	KEY("hook_retries", CB_CFG_INT, hook_retries, 0, 10),
	KEY("hook_timeout", CB_CFG_DURATION, hook_timeout, 1, 3600),
	KEY("insecure", CB_CFG_BOOL, insecure, 0, 1),
	KEY("journal", CB_CFG_BOOL, journal, 0, 1),
	KEY("metrics", CB_CFG_HTTP, metrics, 0, 0),
	KEY("min_severity", CB_CFG_STRING, min_severity, 0, 0),
	KEY("on_advisory", CB_CFG_STRING, on_advisory, 0, 0),
	KEY("origin", CB_CFG_STRING, origin, 0, 0),
	KEY("presence", CB_CFG_DURATION, presence, 0, 86400),
	KEY("publisher_key", CB_CFG_STRING, publisher_key, 0, 0),
	KEY("renotify", CB_CFG_DURATION, renotify, 0, 7 * 86400),
	KEY("requests", CB_CFG_ENDPOINTS, requests, 0, 0),
	KEY("revoked_keys", CB_CFG_STRING, revoked_keys, 0, 0),
	KEY("server_key", CB_CFG_STRING, server_key, 0, 0),
	KEY("stale_after", CB_CFG_DURATION, stale_after, 2, 86400),
	KEY("state", CB_CFG_STRING, state, 0, 0),
	KEY("status", CB_CFG_STRING, status, 0, 0),
	KEY("terminal", CB_CFG_BOOL, terminal, 0, 1),
	KEY("verbose", CB_CFG_BOOL, verbose, 0, 1),
};

#define NKEYS (sizeof(subscriber_keys) / sizeof(subscriber_keys[0]))

/* Keys a running daemon cannot change: a reload keeps their values. */
static const char *const fixed_keys[] = { "broadcast", "insecure",
	"metrics", "publisher_key", "requests", "server_key", "state", NULL };

void
sub_config_init(struct sub_config *c)
{
	memset(c, 0, sizeof(*c));
	c->stale_after = SUB_DEFAULT_STALE_AFTER;
	c->presence = SUB_DEFAULT_PRESENCE;
	c->desktop = 1;
	c->terminal = 1;
	c->journal = 1;
	c->hook_timeout = SUB_DEFAULT_HOOK_TIMEOUT;
	c->hook_retries = SUB_DEFAULT_HOOK_RETRIES;
	c->renotify = SUB_DEFAULT_RENOTIFY;
	c->failover_after = SUB_DEFAULT_FAILOVER_AFTER;
}

void
sub_config_release(struct sub_config *c)
{
	free(c->path);
	free(c->state);
	free(c->revoked_keys);
	free(c->metrics);
	free(c->broadcast);
	free(c->requests);
	free(c->server_key);
	free(c->publisher_key);
	free(c->on_advisory);
	free(c->ack_by);
	free(c->min_severity);
	free(c->origin);
	free(c->status);
	free(c->group);
	cb_strlist_release(&c->flags);
	memset(c, 0, sizeof(*c));
}

int
sub_config_load(struct sub_config *c, const char *path, struct cb_err *err)
{
	free(c->path);
	c->path = cb_xstrdup(path);
	return cb_cfg_load(path, "subscriber", subscriber_keys, NKEYS, c, NULL,
	    NULL, NULL, err);
}

int
sub_config_set(struct sub_config *c, const char *key, const char *value,
    struct cb_err *err)
{
	if (cb_cfg_set(subscriber_keys, NKEYS, c, "subscriber", key, value,
		err) < 0)
		return -1;
	cb_strlist_add(&c->flags, key);
	cb_strlist_add(&c->flags, value);
	return 0;
}

/* The comma-separated items of s, trimmed, empty ones skipped. */
static void
split_list(const char *s, struct cb_strlist *out)
{
	const char *p = s, *end;

	while (*p != '\0') {
		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		for (end = p; *end != '\0' && *end != ','; end++)
			;
		if (end > p) {
			const char *e = end;

			while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
				e--;
			if (e > p) {
				char *item = cb_xstrndup(p, (size_t)(e - p));

				cb_strlist_add_unique(out, item);
				free(item);
			}
		}
		p = end;
	}
}

static int
parse_statuses(const char *s, unsigned *mask, struct cb_err *err)
{
	struct cb_strlist l = { NULL, 0 };
	enum cb_status st;
	size_t i;
	int rc = 0;

	split_list(s, &l);
	*mask = 0;
	for (i = 0; i < l.n && rc == 0; i++) {
		if (cb_status_parse(l.v[i], &st) < 0)
			rc = cb_err_set(err,
			    _("'status' takes actual, exercise or test "
			      "(comma-separated), not '%s'"),
			    l.v[i]);
		else
			*mask |= 1u << st;
	}
	cb_strlist_release(&l);
	if (rc == 0 && *mask == 0)
		return cb_err_set(err, _("'status' names no status"));
	return rc;
}

int
sub_config_filter(const struct sub_config *c, struct sub_filter *f,
    struct cb_err *err)
{
	enum cb_origin o;

	memset(f, 0, sizeof(*f));
	f->min_severity = CB_SEV_INFO;
	f->origin = -1;
	f->status_mask = (1u << CB_STATUS_ACTUAL) | (1u << CB_STATUS_EXERCISE) |
	    (1u << CB_STATUS_TEST);
	if (c->min_severity != NULL &&
	    cb_severity_arg(c->min_severity, &f->min_severity, err) < 0) {
		cb_err_prefix(err, "'min_severity'");
		return -1;
	}
	if (c->origin != NULL && strcmp(c->origin, "any") != 0) {
		if (cb_origin_parse(c->origin, &o) < 0)
			return cb_err_set(err,
			    _("'origin' is national, provincial or any, not "
			      "'%s'"),
			    c->origin);
		f->origin = (int)o;
	}
	if (c->status != NULL &&
	    parse_statuses(c->status, &f->status_mask, err) < 0)
		return -1;
	if (c->group != NULL)
		split_list(c->group, &f->groups);
	return 0;
}

void
sub_filter_release(struct sub_filter *f)
{
	cb_strlist_release(&f->groups);
}

/* The items of list (NULL: none) into l; 0, or -1 when there are some
 * and not n of them. */
static int
items(const char *list, size_t n, struct cb_strlist *l)
{
	if (list == NULL)
		return 0;
	cb_cfg_items(list, l);
	return l->n == n ? 0 : -1;
}

/* "'requests' (--requests) and 'broadcast' (--broadcast) list 1 and 2
 * items: ..." */
static int
mismatch(const char *key, const char *opt, size_t n, size_t nb,
    struct cb_err *err)
{
	return cb_err_set(err,
	    _("'%s' (--%s) and 'broadcast' (--broadcast) list %zu and "
	      "%zu items: the lists pair by position, one item per source"),
	    key, opt, n, nb);
}

static char *
item_or_null(const struct cb_strlist *l, size_t i)
{
	return l->n > i && l->v[i][0] != '\0' ? cb_xstrdup(l->v[i]) : NULL;
}

int
sub_config_sources(const struct sub_config *c, struct sub_sources *out,
    struct cb_err *err)
{
	struct cb_strlist b = { NULL, 0 }, r = { NULL, 0 }, k = { NULL, 0 };
	size_t i;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (c->broadcast != NULL)
		cb_cfg_items(c->broadcast, &b);
	if (items(c->requests, b.n, &r) < 0)
		rc = mismatch("requests", "requests", r.n, b.n, err);
	else if (items(c->server_key, b.n, &k) < 0)
		rc = mismatch("server_key", "server-key", k.n, b.n, err);
	for (i = 0; rc == 0 && i < b.n; i++) {
		out->v = cb_xrealloc(out->v, (i + 1) * sizeof(*out->v));
		out->v[i].broadcast = cb_xstrdup(b.v[i]);
		out->v[i].requests = item_or_null(&r, i);
		out->v[i].server_key = item_or_null(&k, i);
		out->n = i + 1;
	}
	cb_strlist_release(&b);
	cb_strlist_release(&r);
	cb_strlist_release(&k);
	return rc;
}

void
sub_sources_release(struct sub_sources *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		free(s->v[i].broadcast);
		free(s->v[i].requests);
		free(s->v[i].server_key);
	}
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* The sources pair up; with several, a source is given up on before
 * the stale alarm would ring. */
static int
check_sources(const struct sub_config *c, struct cb_err *err)
{
	struct sub_sources s;
	size_t n;
	int rc = sub_config_sources(c, &s, err);

	n = s.n;
	sub_sources_release(&s);
	if (rc == 0 && n > 1 && c->failover_after >= c->stale_after)
		rc = cb_err_set(err,
		    _("'failover_after' (%d s) must be below 'stale_after' "
		      "(%d s): a source is given up on before the alarm"),
		    c->failover_after, c->stale_after);
	return rc;
}

int
sub_config_check(const struct sub_config *c, struct cb_err *err)
{
	const char *missing = c->state == NULL ? "state" :
	    c->broadcast == NULL		   ? "broadcast" :
	    c->publisher_key == NULL		   ? "publisher_key" :
						     NULL;
	struct sub_filter f;
	int rc;

	if (missing != NULL)
		return cb_err_set(err,
		    _("%s: no %s (--%s, or %s = in [subscriber])"),
		    c->path ? c->path : "configuration", missing,
		    strcmp(missing, "publisher_key") == 0 ? "publisher-key"
							  : missing,
		    missing);
	if (check_sources(c, err) < 0) {
		cb_err_prefix(err, "%s", c->path ? c->path : "configuration");
		return -1;
	}
	rc = sub_config_filter(c, &f, err);
	sub_filter_release(&f);
	if (rc < 0)
		cb_err_prefix(err, "%s", c->path ? c->path : "configuration");
	return rc;
}

int
sub_config_reread(const struct sub_config *c, struct sub_config *next,
    struct cb_err *err)
{
	size_t i;

	sub_config_init(next);
	if (sub_config_load(next, c->path, err) < 0)
		goto fail;
	for (i = 0; i + 1 < c->flags.n; i += 2)
		if (sub_config_set(next, c->flags.v[i], c->flags.v[i + 1],
			err) < 0)
			goto fail;
	/* Not in the file nor on the command line: the one at start
	 * (found by other means) stays. */
	if (next->state == NULL && c->state != NULL)
		next->state = cb_xstrdup(c->state);
	if (sub_config_check(next, err) < 0)
		goto fail;
	return 0;
fail:
	sub_config_release(next);
	return -1;
}

int
sub_config_diff(const struct sub_config *cur, struct sub_config *next,
    cb_cfg_say_fn say, void *arg)
{
	return cb_cfg_diff(subscriber_keys, NKEYS, cur, next, fixed_keys, say,
	    arg);
}

static int
same_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	    (a != NULL && b != NULL && strcmp(a, b) == 0);
}

int
sub_config_notify_same(const struct sub_config *a, const struct sub_config *b)
{
	return a->desktop == b->desktop && a->terminal == b->terminal &&
	    a->journal == b->journal && a->hook_timeout == b->hook_timeout &&
	    a->hook_retries == b->hook_retries &&
	    same_str(a->on_advisory, b->on_advisory) &&
	    same_str(a->min_severity, b->min_severity) &&
	    same_str(a->origin, b->origin) && same_str(a->status, b->status) &&
	    same_str(a->group, b->group) && same_str(a->ack_by, b->ack_by);
}
