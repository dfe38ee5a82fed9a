/*
 * sub_config: the subscriber's settings, from defaults, an INI file
 * ([subscriber] section, one key per "run" option with '-' written '_')
 * and the command line on top.  canhbao.conf.5 lists the keys.
 */
#ifndef SUB_CONFIG_H
#define SUB_CONFIG_H

#include "cb_err.h"

#define SUB_DEFAULT_STALE_AFTER 120 /* seconds without a heartbeat */

struct sub_config {
	char *path;          /* the file read, or NULL */
	char *state;         /* state folder (archive, lock) */
	char *broadcast;     /* the publisher's PUB endpoint */
	char *requests;      /* its ROUTER endpoint for catch-up, or NULL */
	char *publisher_key; /* minisign public key file to pin */
	int insecure;
	int stale_after;     /* seconds */
	int verbose;
};

void sub_config_init(struct sub_config *c);
void sub_config_release(struct sub_config *c);
/* Read path on top of c; -1 with "FILE:LINE: ..." in err. */
int sub_config_load(struct sub_config *c, const char *path,
    struct cb_err *err);
/* Set one key as the command line does ("stale_after", "30"). */
int sub_config_set(struct sub_config *c, const char *key, const char *value,
    struct cb_err *err);
/* What run needs: state, broadcast, publisher_key. */
int sub_config_check(const struct sub_config *c, struct cb_err *err);

#endif
