/*
 * sub_config: the subscriber's settings, from defaults, an INI file
 * ([subscriber] section, one key per "run" option with '-' written '_')
 * and the command line on top.  canhbao.conf.5 lists the keys.
 */
#ifndef SUB_CONFIG_H
#define SUB_CONFIG_H

#include "cb_adv.h"
#include "cb_cfg.h"
#include "cb_err.h"

#define SUB_DEFAULT_STALE_AFTER 120 /* seconds without a heartbeat */
#define SUB_DEFAULT_PRESENCE 60     /* seconds between presence messages */
#define SUB_DEFAULT_RENOTIFY 900    /* seconds between reminders */
#define SUB_DEFAULT_HOOK_TIMEOUT 30 /* seconds a hook may run */
#define SUB_DEFAULT_HOOK_RETRIES 3  /* runs after a failed first one */

struct sub_config {
	char *path;          /* the file read, or NULL */
	char *state;         /* state folder (archive, lock) */
	char *broadcast;     /* the publisher's PUB endpoint */
	char *requests;      /* its ROUTER endpoint for catch-up, or NULL */
	char *publisher_key; /* minisign public key file to pin */
	int insecure;
	int stale_after;     /* seconds */
	int verbose;
	int presence;        /* seconds between signs of life; 0: none */
	char *revoked_keys;  /* publisher key ids never to accept */
	char *metrics;       /* ADDR:PORT serving /metrics, or NULL */
	/* Notification paths. */
	int desktop;         /* org.freedesktop.Notifications, if reachable */
	int terminal;        /* a line per advisory on stdout */
	int journal;         /* journald, or syslog without it */
	char *on_advisory;   /* hook program, or NULL */
	int hook_timeout;    /* seconds */
	int hook_retries;
	int renotify;        /* seconds between reminders; 0: none */
	char *ack_by;        /* who acknowledges from a pop-up, or NULL */
	/* Filters: what is notified (everything is archived). */
	char *min_severity;  /* NULL: info */
	char *origin;        /* national, provincial, any; NULL: any */
	char *status;        /* comma-separated statuses; NULL: all */
	char *group;         /* comma-separated groups; NULL: no filter */
	struct cb_strlist flags; /* key, value, ...: set by sub_config_set */
};

/* The filters, parsed (sub_config_filter). */
struct sub_filter {
	enum cb_severity min_severity;
	int origin;            /* enum cb_origin, or -1 for any */
	unsigned status_mask;  /* bit (1 << enum cb_status) per status */
	struct cb_strlist groups; /* empty: every audience */
};

void sub_config_init(struct sub_config *c);
void sub_config_release(struct sub_config *c);
/* Read path on top of c; -1 with "FILE:LINE: ..." in err. */
int sub_config_load(struct sub_config *c, const char *path,
    struct cb_err *err);
/* Set one key as the command line does ("stale_after", "30"), and
 * remember it for sub_config_reread. */
int sub_config_set(struct sub_config *c, const char *key, const char *value,
    struct cb_err *err);
/* What run needs: state, broadcast, publisher_key; and filters that
 * parse. */
int sub_config_check(const struct sub_config *c, struct cb_err *err);

/* Parse the filter keys into f (release it with sub_filter_release,
 * also after a failure).  Returns 0 or -1 naming the key. */
int sub_config_filter(const struct sub_config *c, struct sub_filter *f,
    struct cb_err *err);
void sub_filter_release(struct sub_filter *f);

/* Read the configuration again as at start (a reload): c's file (c->path
 * must be set), the keys c's command line set, the checks.  next is
 * initialised here; on failure it is released and err says
 * "FILE:LINE: what is wrong". */
int sub_config_reread(const struct sub_config *c, struct sub_config *next,
    struct cb_err *err);

/* What a reload changes, one line each to say() ("renotify 900 ->
 * 300").  The state folder, the endpoints, the publisher key and
 * insecure need a restart: next keeps cur's values and the line says
 * so.  Returns the number of lines. */
int sub_config_diff(const struct sub_config *cur, struct sub_config *next,
    cb_cfg_say_fn say, void *arg);

/* 1 when a and b notify alike (paths, hook, filters), else 0. */
int sub_config_notify_same(const struct sub_config *a,
    const struct sub_config *b);

#endif
