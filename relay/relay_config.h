/*
 * relay_config: the relay's settings, from defaults, an INI file
 * ([relay] section, one key per "run" option with '-' written '_') and
 * the command line on top.  canhbao-relay.8 lists the keys.  The
 * upstream keys are comma lists that pair by position (the first
 * broadcast with the first requests endpoint and the first server key).
 */
#ifndef RELAY_CONFIG_H
#define RELAY_CONFIG_H

#include "cb_cfg.h"
#include "cb_err.h"

#define RELAY_DEFAULT_STALE_AFTER 120   /* seconds without a heartbeat */
#define RELAY_DEFAULT_FAILOVER_AFTER 15 /* seconds before switching */
#define RELAY_MAX_UPSTREAMS 8

struct relay_config {
	char *path;               /* the file read, or NULL */
	char *state;              /* state folder (relay.key, relay.db) */
	char *upstream_broadcast; /* comma list of endpoints */
	char *upstream_requests;  /* comma list, same length */
	char *upstream_key;       /* comma list of key files; "" items: the
				   * publisher's key; NULL: all are */
	char *publisher_key;      /* minisign public key file to pin */
	char *broadcast;          /* downstream XPUB endpoint */
	char *requests;           /* downstream ROUTER endpoint */
	char *metrics;
	char *revoked_keys;     /* key ids never to trust (cb_keys_revoke) */            /* ADDR:PORT serving /metrics, or NULL */
	int insecure;
	int stale_after;          /* seconds */
	int failover_after;       /* seconds */
	int verbose;
};

/* One upstream: strings borrowed from the config (key: NULL for the
 * publisher's key). */
struct relay_upstream {
	char broadcast[256];
	char requests[256];
	char key[1024];           /* "" for the publisher's key */
};

void relay_config_init(struct relay_config *c);
void relay_config_release(struct relay_config *c);
/* Read path on top of c; -1 with "FILE:LINE: ..." in err. */
int relay_config_load(struct relay_config *c, const char *path,
    struct cb_err *err);
/* Set one key as the command line does ("stale_after", "30"). */
int relay_config_set(struct relay_config *c, const char *key,
    const char *value, struct cb_err *err);
/* What run needs, and the upstream lists: 0, or -1 naming the problem. */
int relay_config_check(const struct relay_config *c, struct cb_err *err);

/* The upstreams, paired by position, into v (at most
 * RELAY_MAX_UPSTREAMS): their number, or -1 with err. */
int relay_config_upstreams(const struct relay_config *c,
    struct relay_upstream *v, struct cb_err *err);

#endif
