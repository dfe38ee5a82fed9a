/* relay_config: the relay's settings (see relay_config.h). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_locale.h"
#include "cb_mem.h"
#include "cb_net.h"
#include "relay_config.h"

#define KEY(name, type, field, min, max) \
	{ name, type, offsetof(struct relay_config, field), min, max }

static const struct cb_cfg_key relay_keys[] = {
	KEY("broadcast", CB_CFG_ENDPOINT, broadcast, 0, 0),
	KEY("failover_after", CB_CFG_DURATION, failover_after, 1, 86400),
	KEY("insecure", CB_CFG_BOOL, insecure, 0, 1),
	KEY("metrics", CB_CFG_HTTP, metrics, 0, 0),
	KEY("publisher_key", CB_CFG_STRING, publisher_key, 0, 0),
	KEY("requests", CB_CFG_ENDPOINT, requests, 0, 0),
	KEY("revoked_keys", CB_CFG_STRING, revoked_keys, 0, 0),
	KEY("stale_after", CB_CFG_DURATION, stale_after, 2, 86400),
	KEY("state", CB_CFG_STRING, state, 0, 0),
	KEY("upstream_broadcast", CB_CFG_STRING, upstream_broadcast, 0, 0),
	KEY("upstream_key", CB_CFG_STRING, upstream_key, 0, 0),
	KEY("upstream_requests", CB_CFG_STRING, upstream_requests, 0, 0),
	KEY("verbose", CB_CFG_BOOL, verbose, 0, 1),
};

#define NKEYS (sizeof(relay_keys) / sizeof(relay_keys[0]))

void
relay_config_init(struct relay_config *c)
{
	memset(c, 0, sizeof(*c));
	c->stale_after = RELAY_DEFAULT_STALE_AFTER;
	c->failover_after = RELAY_DEFAULT_FAILOVER_AFTER;
}

void
relay_config_release(struct relay_config *c)
{
	free(c->path);
	free(c->state);
	free(c->upstream_broadcast);
	free(c->upstream_requests);
	free(c->upstream_key);
	free(c->publisher_key);
	free(c->broadcast);
	free(c->requests);
	free(c->metrics);
	free(c->revoked_keys);
	memset(c, 0, sizeof(*c));
}

int
relay_config_load(struct relay_config *c, const char *path,
    struct cb_err *err)
{
	free(c->path);
	c->path = cb_xstrdup(path);
	return cb_cfg_load(path, "relay", relay_keys, NKEYS, c, NULL, NULL,
	    NULL, err);
}

int
relay_config_set(struct relay_config *c, const char *key, const char *value,
    struct cb_err *err)
{
	return cb_cfg_set(relay_keys, NKEYS, c, "relay", key, value, err);
}

/* Item i of the comma list s (trimmed of blanks) into out: 0, 1 when
 * the list has no item i, -1 when it is too long for out. */
static int
item(const char *s, int i, char *out, size_t size)
{
	const char *p = s, *end;
	size_t n;

	for (; i > 0; i--) {
		if ((p = strchr(p, ',')) == NULL)
			return 1;
		p++;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	end = strchr(p, ',');
	n = end ? (size_t)(end - p) : strlen(p);
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	if (n >= size)
		return -1;
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

static int
count(const char *s)
{
	int n = 1;

	for (; *s != '\0'; s++)
		n += *s == ',';
	return n;
}

int
relay_config_upstreams(const struct relay_config *c,
    struct relay_upstream *v, struct cb_err *err)
{
	int n, i;

	if (c->upstream_broadcast == NULL || c->upstream_requests == NULL)
		return cb_err_set(err, _("no upstream: set upstream_broadcast "
					 "and upstream_requests"));
	n = count(c->upstream_broadcast);
	if (count(c->upstream_requests) != n ||
	    (c->upstream_key != NULL && count(c->upstream_key) != n))
		return cb_err_set(err, _("the upstream lists must have as many "
					 "items each (they pair by position)"));
	if (n > RELAY_MAX_UPSTREAMS)
		return cb_err_set(err, _("at most %d upstreams"),
		    RELAY_MAX_UPSTREAMS);
	for (i = 0; i < n; i++) {
		memset(&v[i], 0, sizeof(v[i]));
		if (item(c->upstream_broadcast, i, v[i].broadcast,
			sizeof(v[i].broadcast)) != 0 ||
		    item(c->upstream_requests, i, v[i].requests,
			sizeof(v[i].requests)) != 0 ||
		    (c->upstream_key != NULL &&
			item(c->upstream_key, i, v[i].key,
			    sizeof(v[i].key)) != 0))
			return cb_err_set(err, _("upstream %d: an item is too "
						 "long"), i + 1);
		if (cb_net_endpoint_check(v[i].broadcast, err) < 0 ||
		    cb_net_endpoint_check(v[i].requests, err) < 0) {
			cb_err_prefix(err, _("upstream %d"), i + 1);
			return -1;
		}
	}
	return n;
}

int
relay_config_check(const struct relay_config *c, struct cb_err *err)
{
	struct relay_upstream v[RELAY_MAX_UPSTREAMS];
	const char *missing = c->state == NULL ? "state" :
	    c->publisher_key == NULL	       ? "publisher_key" :
	    c->broadcast == NULL	       ? "broadcast" :
	    c->requests == NULL		       ? "requests" :
						 NULL;

	if (missing != NULL)
		return cb_err_set(err, _("'%s' is not set"), missing);
	if (relay_config_upstreams(c, v, err) < 0)
		return -1;
	if (c->failover_after >= c->stale_after)
		return cb_err_set(err, _("'failover_after' (%d s) must be "
					 "below 'stale_after' (%d s)"),
		    c->failover_after, c->stale_after);
	return 0;
}
