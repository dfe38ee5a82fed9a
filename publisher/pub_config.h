/*
 * pub_config: the publisher's settings, from defaults, an INI file
 * (inih) and the command line, in that order: flags override the file.
 *
 *   [publisher]      one key per "run" option, '-' written '_'
 *   [feed "NAME"]    one section per feed
 *
 * Every key, its type and range is in the tables in pub_config.c, which
 * canhbao.conf.5 documents.  Errors name the place: "pub.conf:12: ...".
 */
#ifndef PUB_CONFIG_H
#define PUB_CONFIG_H

#include <stdint.h>

#include "cb_adv.h"
#include "cb_cfg.h"
#include "cb_err.h"
#include "feed.h"

#define PUB_DEFAULT_BROADCAST "tcp://*:7370"
#define PUB_DEFAULT_HEARTBEAT 5
#define PUB_DEFAULT_INTERVAL 900          /* seconds between polls */
#define PUB_DEFAULT_BACKFILL (7 * 86400)  /* first fetch: last 7 days */
#define PUB_BACKFILL_ALL INT64_MAX
#define PUB_MAX_FEEDS 256
#define PUB_DEFAULT_HOOK_TIMEOUT 30 /* seconds an on_report run may take */
#define PUB_HOOK_RETRIES 3
#define PUB_DEFAULT_SILENT_AFTER 600 /* seconds without contact: silent */
#define PUB_DEFAULT_MISP_SILENT 60   /* misp-zmq: seconds without a frame */

#define PUB_DEFAULT_MAX_DOCUMENTS 500 /* as PUB_FEEDS_MAX_DOCS */

/* What a CSAF feed does with a document whose signature or SHA-512
 * fails, when its provider lists OpenPGP keys: keep it back (strict)
 * or publish it with a warning in the log (warn). */
enum pub_csaf_sigs { PUB_CSAF_STRICT = 0, PUB_CSAF_WARN };

struct pub_feed_conf {
	char *name;
	char *url;
	enum feed_format format;
	enum cb_origin origin;
	int interval;               /* seconds */
	enum cb_severity severity;  /* for items that carry none */
	struct cb_strlist headers;  /* "Name: value" request headers */
	int64_t backfill;           /* seconds, or PUB_BACKFILL_ALL */
	/* misp-zmq only (url is then tcp://HOST:PORT): */
	char *username;             /* ZMQ PLAIN, or NULL */
	char *password;             /* from password_file, or NULL */
	int silent_after;           /* seconds without a keep-alive */
	char *fill_from;            /* misp feed that fills the gap */
	enum pub_csaf_sigs csaf_signatures; /* where a provider lists keys */
	int max_documents;          /* CSAF documents fetched per poll */
	int line;                   /* line of the section's first key */
	unsigned seen;              /* bit set of keys given (internal) */
};

struct pub_config {
	char *path;       /* the file read, or NULL */
	char *state;      /* state folder */
	char *broadcast;  /* PUB endpoint */
	char *ca_path;    /* CA certificates folder for https feeds */
	char *requests;   /* ROUTER endpoint for catch-up, or NULL */
	char *on_report;  /* program run for each incident report, or NULL */
	char *metrics;    /* ADDR:PORT serving /metrics, or NULL */
	int hook_timeout; /* seconds */
	int insecure;
	int heartbeat;    /* seconds */
	int verbose;
	int silent_after; /* seconds without contact before "silent" */
	char *web;        /* the duty page's ADDR:PORT (pub_web), or NULL */
	struct cb_strlist flags; /* key, value, ...: set by pub_config_set */
	struct pub_feed_conf *feeds;
	size_t nfeeds;
};

void pub_config_init(struct pub_config *c);
void pub_config_release(struct pub_config *c);

/* Read path into c (on top of what c holds).  Returns 0, or -1 with
 * err as "FILE:LINE: what is wrong". */
int pub_config_load(struct pub_config *c, const char *path,
    struct cb_err *err);

/* Set one [publisher] key as the command line does ("heartbeat", "10"),
 * and remember it for pub_config_reread.  Returns 0 or -1 naming the
 * key. */
int pub_config_set(struct pub_config *c, const char *key, const char *value,
    struct cb_err *err);

/* The checks across keys: a state folder is set, every feed has a url
 * and a format, names are well formed (sections with the same name are
 * one feed: the file's later keys add to it).  Returns 0 or -1. */
int pub_config_check(const struct pub_config *c, struct cb_err *err);

/* Read the configuration again as it was read at start (a reload): c's
 * file, then the keys c's command line set, then pub_config_check.
 * next is initialised here; on failure it is released and err says
 * "FILE:LINE: what is wrong".  c must have a file (c->path). */
int pub_config_reread(const struct pub_config *c, struct pub_config *next,
    struct cb_err *err);

/* What a reload changes, one line each to say(): "heartbeat 5 -> 10",
 * "feed 'kev' added", "feed 'kev' removed", "feed 'kev' changed:
 * interval 900 -> 300, url".  The state folder and the endpoints need
 * a restart: next keeps cur's values and the line says so.  Returns
 * the number of lines. */
int pub_config_diff(const struct pub_config *cur, struct pub_config *next,
    cb_cfg_say_fn say, void *arg);

/* 1 when two feeds are configured alike (same name, url, format,
 * origin, interval, severity, headers, backfill), else 0. */
int pub_feed_conf_same(const struct pub_feed_conf *a,
    const struct pub_feed_conf *b);

#endif
