/* sub_config: the subscriber's settings (see sub_config.h). */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cb_cfg.h"
#include "cb_mem.h"
#include "sub_config.h"

static const struct cb_cfg_key subscriber_keys[] = {
	{ "broadcast", CB_CFG_STRING, offsetof(struct sub_config, broadcast), 0,
	    0 },
	{ "insecure", CB_CFG_BOOL, offsetof(struct sub_config, insecure), 0, 1 },
	{ "publisher_key", CB_CFG_STRING,
	    offsetof(struct sub_config, publisher_key), 0, 0 },
	{ "requests", CB_CFG_STRING, offsetof(struct sub_config, requests), 0,
	    0 },
	{ "stale_after", CB_CFG_INT, offsetof(struct sub_config, stale_after),
	    2, 86400 },
	{ "state", CB_CFG_STRING, offsetof(struct sub_config, state), 0, 0 },
	{ "verbose", CB_CFG_BOOL, offsetof(struct sub_config, verbose), 0, 1 },
};

#define NKEYS (sizeof(subscriber_keys) / sizeof(subscriber_keys[0]))

void
sub_config_init(struct sub_config *c)
{
	memset(c, 0, sizeof(*c));
	c->stale_after = SUB_DEFAULT_STALE_AFTER;
}

void
sub_config_release(struct sub_config *c)
{
	free(c->path);
	free(c->state);
	free(c->broadcast);
	free(c->requests);
	free(c->publisher_key);
	memset(c, 0, sizeof(*c));
}

int
sub_config_load(struct sub_config *c, const char *path, struct cb_err *err)
{
	free(c->path);
	c->path = cb_xstrdup(path);
	return cb_cfg_load(path, "subscriber", subscriber_keys, NKEYS, c, NULL,
	    NULL, err);
}

int
sub_config_set(struct sub_config *c, const char *key, const char *value,
    struct cb_err *err)
{
	return cb_cfg_set(subscriber_keys, NKEYS, c, "subscriber", key, value,
	    err);
}

int
sub_config_check(const struct sub_config *c, struct cb_err *err)
{
	const char *missing = c->state == NULL ? "state" :
	    c->broadcast == NULL		   ? "broadcast" :
	    c->publisher_key == NULL		   ? "publisher_key" :
						     NULL;

	if (missing != NULL)
		return cb_err_set(err, "%s: no %s (--%s, or %s = in "
		    "[subscriber])", c->path ? c->path : "configuration",
		    missing, strcmp(missing, "publisher_key") == 0 ?
			"publisher-key" : missing, missing);
	return 0;
}
