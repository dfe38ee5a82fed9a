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
#define SUB_DEFAULT_FAILOVER_AFTER 15 /* seconds a source may be silent */

struct sub_config {
	char *path;          /* the file read, or NULL */
	char *state;         /* state folder (archive, lock) */
	char *broadcast;     /* the publisher's PUB endpoint (or a relay's;
			      * a comma list: the sources, sub_config_sources) */
	char *requests;      /* its ROUTER endpoint for catch-up, or NULL */
	char *server_key;    /* each source's CurveZMQ key file, or NULL */
	char *publisher_key; /* minisign public key file to pin */
	int failover_after;  /* seconds; several sources only */
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

/* One source: where the broadcast and requests channels are, and the
 * CurveZMQ server key to expect there.  The i-th items of broadcast,
 * requests and server_key pair up. */
struct sub_source {
	char *broadcast;
	char *requests;   /* NULL: no requests channel */
	char *server_key; /* a minisign .pub file; NULL: the publisher's */
};

struct sub_sources {
	struct sub_source *v;
	size_t n;
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
/* What run needs: state, broadcast, publisher_key; sources that pair
 * (with several, failover_after below stale_after); and filters that
 * parse. */
int sub_config_check(const struct sub_config *c, struct cb_err *err);

/* The sources c lists, in order, into out (release it with
 * sub_sources_release, also after a failure).  Returns 0, or -1 when
 * the lists differ in length (err names both keys and options). */
int sub_config_sources(const struct sub_config *c, struct sub_sources *out,
    struct cb_err *err);
void sub_sources_release(struct sub_sources *s);

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
