/* pub_feeds: polling, CSAF discovery, health (see pub_feeds.h). */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cb_json.h"
#include "cb_locale.h"
#include "cb_log.h"
#include "cb_mem.h"
#include "cb_time.h"
#include "cb_url.h"
#include "feed.h"
#include "feed_csaf.h"
#include "feed_misp.h"
#include "pub_csaf_trust.h"
#include "pub_feeds.h"
#include "pub_fetch.h"
#include "pub_ingest.h"
#include "pub_misp.h"

/* A log line about feed f (its name as the journal field CANHBAO_FEED). */
#define ABOUT_FEED(f) (&(struct cb_log_about){ .feed = (f)->conf->name })

#define BACKOFF_FIRST 30      /* seconds before the first retry */
#define BACKOFF_CAP 3600      /* no retry waits longer than this... */
#define MAX_REJECTIONS 8      /* refused documents named in the status */

struct feed_rt {
	const struct pub_feed_conf *conf;
	struct pub_feeds *owner;
	struct pub_feed_state state;
	int64_t next_ms;    /* monotonic time of the next poll */
	int64_t next_wall;  /* the same in Unix seconds, for status */
	int failures;       /* consecutive failed polls */
	int inflight;       /* transfers of the current poll */
	int docs_left;      /* CSAF documents this poll may still fetch */
	struct csaf_rt *csaf; /* CSAF walk and trust; NULL for other formats */
	int any_ok;         /* something was read in this poll */
	int failed;         /* something failed in this poll */
	char error[256];    /* the first failure of this poll */
	unsigned long polls, not_modified, errors; /* errors: failed polls */
	struct pub_ingest_stats last, total;
	/* misp: the last manifest entry fetched (this poll: next), so that
	 * the next poll asks only for events after it */
	struct feed_misp_entry misp_mark, misp_next;
	/* misp-zmq: the stream, and when it was last heard (monotonic) */
	struct pub_misp *stream;
	int64_t heard_ms;
	int64_t restart_ms; /* when it was last connected again */
	int silent;
};

/*
 * A CSAF feed's walk and trust.  The provider's keys come from its
 * metadata in every poll (which is why that is never fetched
 * conditionally); lists wait for the keys, documents for their .sha512
 * and .asc.  What a poll left (past the cap, refused, failed) is kept
 * in the journal: while anything is left, lists are fetched whole
 * (not conditionally), since a 304 would hide what is still to take.
 */
struct csaf_rt {
	struct feed_csaf_keys keys;  /* listed by the provider this poll */
	struct cb_strlist fprs;      /* of those, the ones in the keyring */
	int keys_pending;            /* key transfers still out */
	struct cb_strlist wait_lists; /* lists to follow once keys are in */
	struct cb_strlist wait_dirs;
	int wait_depth;
	struct pub_walk_state walk;  /* what the previous poll left */
	int deferred, retry;         /* this poll */
	int rejected, unverified;    /* this poll: signature failures */
	struct cb_strlist rejections; /* "URL: why", this poll */
	/* the last finished poll's, for status */
	int last_rejected, last_unverified, last_deferred;
	struct cb_strlist last_rejections;
};

enum job_kind { JOB_FETCH, JOB_KEY, JOB_SHA512, JOB_ASC };

struct signed_doc;

struct job {
	struct feed_rt *feed;
	int depth;
	enum job_kind kind;
	int listed;          /* a document picked from a CSAF list */
	int64_t list_time;   /* its time there */
	char *fpr;           /* JOB_KEY: the fingerprint listed with it */
	struct signed_doc *sd; /* JOB_SHA512, JOB_ASC */
};

/* A fetched CSAF document waiting for its .sha512 and .asc. */
struct signed_doc {
	char *url;
	char *body;
	size_t len;
	char *etag, *last_modified;
	char *sha, *asc;     /* NULL when absent (404) */
	size_t sha_len, asc_len;
	char error[300];     /* a transfer failed: try again next poll */
	int waiting;         /* transfers still out */
};

struct pub_feeds {
	char *keyring;                /* the state folder's "openpgp" */
	struct pub_csaf_trust *trust; /* opened when first needed */
	struct pub_journal *journal;
	struct pub_seal *seal;
	struct pub_fetch *fetch;
	struct feed_rt **feeds; /* each stays put: jobs point to it */
	size_t n;
};

static void on_done(const struct pub_fetch_res *res, void *arg);
static void csaf_rt_free(struct csaf_rt *c);
static void csaf_start_poll(struct feed_rt *f);
static void csaf_finish_poll(struct feed_rt *f);

static void
signed_doc_free(struct signed_doc *sd)
{
	free(sd->url);
	free(sd->body);
	free(sd->etag);
	free(sd->last_modified);
	free(sd->sha);
	free(sd->asc);
	free(sd);
}

/* A job that ends without its done callback (a feed stopped, the
 * daemon leaving) or after it. */
static void
job_free(void *user)
{
	struct job *job = user;

	if (job->sd != NULL && --job->sd->waiting == 0)
		signed_doc_free(job->sd);
	free(job->fpr);
	free(job);
}

static void
feed_rt_free(struct feed_rt *f)
{
	if (f == NULL)
		return;
	csaf_rt_free(f->csaf);
	pub_misp_free(f->stream);
	free(f);
}

/* A misp-zmq feed: connect to its stream.  It is never polled over HTTP
 * (next_ms stays in the future); a live stream is no gap to fill, so no
 * backfill window applies. */
static int
misp_stream_start(struct feed_rt *f, struct cb_err *err)
{
	pub_misp_free(f->stream);
	if ((f->stream = pub_misp_new(f->conf, err)) == NULL)
		return -1;
	f->next_ms = INT64_MAX;
	f->heard_ms = f->restart_ms = cb_time_mono_ms();
	f->silent = 0;
	f->state.initialized = 1;
	return 0;
}

/* A feed's run-time side, its state read from the journal; NULL with
 * err when that fails. */
static struct feed_rt *
feed_rt_new(struct pub_feeds *fs, const struct pub_feed_conf *conf,
    struct cb_err *err)
{
	struct feed_rt *f = cb_xcalloc(1, sizeof(*f));

	f->conf = conf;
	f->owner = fs;
	f->next_ms = cb_time_mono_ms(); /* poll at once */
	f->next_wall = cb_time_now();
	if (pub_journal_feed_get(fs->journal, conf->name, &f->state,
		err) < 0) {
		free(f);
		return NULL;
	}
	if (conf->format == FEED_MISP_ZMQ && misp_stream_start(f, err) < 0) {
		feed_rt_free(f);
		return NULL;
	}
	if (conf->format == FEED_MISP &&
	    pub_journal_misp_mark_get(fs->journal, conf->name,
		f->misp_mark.uuid, sizeof(f->misp_mark.uuid),
		&f->misp_mark.timestamp, err) < 0) {
		feed_rt_free(f);
		return NULL;
	}
	if (conf->format == FEED_CSAF) {
		f->csaf = cb_xcalloc(1, sizeof(*f->csaf));
		if (pub_journal_walk_get(fs->journal, conf->name,
			&f->csaf->walk, err) < 0) {
			feed_rt_free(f);
			return NULL;
		}
	}
	return f;
}

struct pub_feeds *
pub_feeds_new(const struct pub_config *cfg, struct pub_journal *journal,
    struct pub_seal *seal, struct cb_err *err)
{
	struct pub_feeds *fs = cb_xcalloc(1, sizeof(*fs));
	size_t i;

	fs->keyring = cb_xasprintf("%s/openpgp", cfg->state);
	fs->journal = journal;
	fs->seal = seal;
	fs->fetch = pub_fetch_new(cfg->ca_path, FEED_MAX_BODY, on_done, fs,
	    err);
	if (fs->fetch == NULL) {
		free(fs->keyring);
		free(fs);
		return NULL;
	}
	fs->feeds = cb_xcalloc(cfg->nfeeds ? cfg->nfeeds : 1,
	    sizeof(*fs->feeds));
	for (i = 0; i < cfg->nfeeds; i++) {
		fs->feeds[i] = feed_rt_new(fs, &cfg->feeds[i], err);
		if (fs->feeds[i] == NULL) {
			pub_feeds_free(fs);
			return NULL;
		}
		fs->n++;
	}
	return fs;
}

void
pub_feeds_free(struct pub_feeds *fs)
{
	size_t i;

	if (fs == NULL)
		return;
	pub_fetch_free(fs->fetch, job_free); /* and the jobs in flight */
	for (i = 0; i < fs->n; i++)
		feed_rt_free(fs->feeds[i]);
	free(fs->feeds);
	pub_csaf_trust_free(fs->trust);
	free(fs->keyring);
	free(fs);
}

/* --- a reload ------------------------------------------------------------- */

static struct feed_rt *
find_rt(struct pub_feeds *fs, const char *name)
{
	size_t i;

	for (i = 0; i < fs->n; i++)
		if (fs->feeds[i] != NULL &&
		    strcmp(fs->feeds[i]->conf->name, name) == 0)
			return fs->feeds[i];
	return NULL;
}

static int
job_of(void *user, const void *feed)
{
	return (const void *)((struct job *)user)->feed == feed;
}

/* Abandon f's poll in progress: its transfers and what it counted. */
static void
stop_poll(struct feed_rt *f)
{
	pub_fetch_cancel(f->owner->fetch, job_of, f, job_free);
	f->inflight = 0;
	if (f->csaf != NULL) {
		f->csaf->keys_pending = 0;
		cb_strlist_release(&f->csaf->wait_lists);
		cb_strlist_release(&f->csaf->wait_dirs);
	}
}

int
pub_feeds_reconfigure(struct pub_feeds *fs, const struct pub_config *cfg,
    struct cb_err *err)
{
	struct feed_rt **next = cb_xcalloc(cfg->nfeeds ? cfg->nfeeds : 1,
	    sizeof(*next));
	struct feed_rt *f;
	struct cb_err serr;
	size_t i, j;

	/* First what can fail: the new feeds' state. */
	for (i = 0; i < cfg->nfeeds; i++) {
		if (find_rt(fs, cfg->feeds[i].name) != NULL)
			continue;
		next[i] = feed_rt_new(fs, &cfg->feeds[i], err);
		if (next[i] == NULL) {
			for (j = 0; j < i; j++)
				feed_rt_free(next[j]);
			free(next);
			return -1;
		}
	}
	for (i = 0; i < cfg->nfeeds; i++) {
		if (next[i] != NULL)
			continue;
		f = find_rt(fs, cfg->feeds[i].name);
		assert(f != NULL); /* names are unique: pass one found it */
		for (j = 0; j < fs->n; j++)
			if (fs->feeds[j] == f)
				fs->feeds[j] = NULL; /* taken over */
		if (!pub_feed_conf_same(f->conf, &cfg->feeds[i])) {
			stop_poll(f);
			f->failures = 0;
			f->next_ms = cb_time_mono_ms();
			f->next_wall = cb_time_now();
			memset(&f->misp_mark, 0, sizeof(f->misp_mark));
			if (cfg->feeds[i].format == FEED_MISP &&
			    pub_journal_misp_mark_put(fs->journal,
				cfg->feeds[i].name, "", 0, &serr) < 0)
				log_errx("feed %s: %s", cfg->feeds[i].name,
				    serr.msg);
			pub_misp_free(f->stream);
			f->stream = NULL;
		}
		f->conf = &cfg->feeds[i];
		if (f->conf->format == FEED_MISP_ZMQ && f->stream == NULL &&
		    misp_stream_start(f, &serr) < 0)
			log_errx_about(ABOUT_FEED(f), "feed %s: %s",
			    f->conf->name, serr.msg);
		next[i] = f;
	}
	for (j = 0; j < fs->n; j++) { /* removed */
		if (fs->feeds[j] == NULL)
			continue;
		stop_poll(fs->feeds[j]);
		feed_rt_free(fs->feeds[j]);
	}
	free(fs->feeds);
	fs->feeds = next;
	fs->n = cfg->nfeeds;
	pub_fetch_set_ca_path(fs->fetch, cfg->ca_path);
	return 0;
}

/* --- fetching ------------------------------------------------------------ */

static void
fail(struct feed_rt *f, const char *url, const char *why)
{
	log_warnx_about(ABOUT_FEED(f), _("feed %s: %s: %s"), f->conf->name,
	    url, why);
	if (!f->failed)
		snprintf(f->error, sizeof(f->error), "%s: %s", url, why);
	f->failed = 1;
}

static int
same_scheme_family(const char *root, const char *url)
{
	if (cb_url_scheme(root, NULL) == CB_URL_FILE)
		return cb_url_scheme(url, NULL) == CB_URL_FILE;
	return cb_url_is_http(url);
}

/* Validators are kept per feed and URL: two feeds on one provider
 * (one strict, one warn) must each see the documents once. */
static char *
cache_key(const struct feed_rt *f, const char *url)
{
	return cb_xasprintf("%s %s", f->conf->name, url);
}

static struct job *
new_job(struct feed_rt *f, int depth, enum job_kind kind)
{
	struct job *job = cb_xcalloc(1, sizeof(*job));

	job->feed = f;
	job->depth = depth;
	job->kind = kind;
	return job;
}

/* Fetch url for job (which is freed when that cannot start), with the
 * stored validators when validators is set; max_body 0 is the
 * fetcher's limit.  Returns 0, or -1 after fail(). */
static int
start_job(struct feed_rt *f, const char *url, struct job *job,
    int validators, size_t max_body)
{
	struct pub_fetch_req req = { .url = url, .headers = &f->conf->headers };
	char *etag = NULL, *lm = NULL, *key;
	struct cb_err err;
	int rc = 0;

	if (!same_scheme_family(f->conf->url, url)) {
		fail(f, url, "refusing a link to another kind of URL");
		job_free(job);
		return -1;
	}
	key = cache_key(f, url);
	if (validators && pub_journal_cache_get(f->owner->journal, key, &etag,
		&lm, &err) < 0)
		log_errx_about(ABOUT_FEED(f), "feed %s: %s", f->conf->name,
		    err.msg);
	free(key);
	req.etag = etag;
	req.last_modified = lm;
	req.max_body = max_body;
	req.user = job;
	if (pub_fetch_add(f->owner->fetch, &req, &err) < 0) {
		fail(f, url, err.msg);
		job_free(job);
		rc = -1;
	} else {
		f->inflight++;
	}
	free(etag);
	free(lm);
	return rc;
}

static void
start(struct feed_rt *f, const char *url, int depth, int validators)
{
	start_job(f, url, new_job(f, depth, JOB_FETCH), validators, 0);
}

/* Whether a CSAF list (or the feed's own URL) is fetched with its
 * validators: not while the previous poll left documents, and never
 * for provider metadata, which gives the keys each poll. */
static int
list_conditional(const struct feed_rt *f, const char *url)
{
	size_t n = strlen(url), m = strlen("/provider-metadata.json");

	if (f->conf->format == FEED_MISP)
		return 0; /* a MISP manifest is fetched whole each poll */
	if (f->csaf == NULL)
		return 1;
	if (n >= m && strcmp(url + n - m, "/provider-metadata.json") == 0)
		return 0;
	return f->csaf->walk.deferred + f->csaf->walk.retry == 0;
}

static void
start_poll(struct feed_rt *f)
{
	f->polls++;
	f->failed = 0;
	f->any_ok = 0;
	f->error[0] = '\0';
	f->docs_left = f->conf->max_documents;
	f->misp_next = f->misp_mark;
	memset(&f->last, 0, sizeof(f->last));
	csaf_start_poll(f);
	log_debug_about(ABOUT_FEED(f), "feed %s: polling %s", f->conf->name,
	    f->conf->url);
	start(f, f->conf->url, 0, list_conditional(f, f->conf->url));
	if (f->inflight == 0)
		f->next_ms = cb_time_mono_ms(); /* finish at once below */
}

/* --- the end of a poll ---------------------------------------------------- */

static int64_t
backoff_seconds(const struct feed_rt *f)
{
	int64_t cap = f->conf->interval > BACKOFF_CAP ? f->conf->interval :
							BACKOFF_CAP;
	int64_t d = BACKOFF_FIRST;
	int i;

	for (i = 1; i < f->failures && d < cap; i++)
		d *= 2;
	if (d > cap)
		d = cap;
	/* +-20% jitter, so feeds that failed together do not retry in step */
	return d * (80 + random() % 41) / 100;
}

static void
add_stats(struct pub_ingest_stats *t, const struct pub_ingest_stats *s)
{
	t->items += s->items;
	t->published += s->published;
	t->updated += s->updated;
	t->cancelled += s->cancelled;
	t->unchanged += s->unchanged;
	t->old += s->old;
	t->expired += s->expired;
	t->failed += s->failed;
}

static void
finish_poll(struct feed_rt *f)
{
	int64_t now = cb_time_now(), delay;
	struct cb_err err;

	if (f->failed) {
		f->failures++;
		f->errors++;
		delay = backoff_seconds(f);
		f->state.last_error_at = now;
		snprintf(f->state.last_error, sizeof(f->state.last_error), "%s",
		    f->error);
		log_warnx_about(ABOUT_FEED(f),
		    _("feed %s: poll failed (%d in a row), retry in %llds"),
		    f->conf->name, f->failures, (long long)delay);
	} else {
		f->failures = 0;
		delay = f->conf->interval;
		f->state.last_success = now;
		f->misp_mark = f->misp_next; /* every event up to it is in */
		if (f->conf->format == FEED_MISP &&
		    pub_journal_misp_mark_put(f->owner->journal,
			f->conf->name, f->misp_mark.uuid,
			f->misp_mark.timestamp, &err) < 0)
			log_errx_about(ABOUT_FEED(f), "feed %s: %s",
			    f->conf->name, err.msg);
	}
	if (f->any_ok)
		f->state.initialized = 1;
	add_stats(&f->total, &f->last);
	if (f->last.items > 0 || f->any_ok)
		log_info_about(ABOUT_FEED(f),
		    _("feed %s: %u items: %u new, %u updated, %u cancelled, "
		      "%u unchanged, %u before the backfill window, "
		      "%u expired"),
		    f->conf->name, f->last.items, f->last.published,
		    f->last.updated, f->last.cancelled, f->last.unchanged,
		    f->last.old, f->last.expired);
	f->next_ms = cb_time_mono_ms() + delay * 1000;
	f->next_wall = now + delay;
	if (pub_journal_feed_put(f->owner->journal, f->conf->name, &f->state,
		&err) < 0)
		log_errx_about(ABOUT_FEED(f), "feed %s: %s", f->conf->name,
		    err.msg);
	csaf_finish_poll(f);
}

/* --- documents -------------------------------------------------------------- */

/* Backfill applies on a feed's first fetch, and while a CSAF walk is
 * still catching up with what the first one left past its cap. */
static int
initial(const struct feed_rt *f)
{
	return !f->state.initialized ||
	    (f->csaf != NULL && f->csaf->walk.deferred > 0);
}

static int
ingest(struct feed_rt *f, const char *url, struct cb_adv_list *items)
{
	struct cb_err err;

	if (pub_ingest(f->owner->journal, f->owner->seal, f->conf, items,
		initial(f), cb_time_now(), &f->last, &err) < 0) {
		fail(f, url, err.msg);
		return -1;
	}
	return 0;
}

enum csaf_kind { CSAF_DOCUMENT, CSAF_ROLIE, CSAF_PROVIDER, CSAF_CHANGES };

static enum csaf_kind
csaf_kind(const char *body, size_t len)
{
	enum csaf_kind k = CSAF_DOCUMENT;
	cJSON *j;
	size_t i = 0;

	while (i < len && (body[i] == ' ' || body[i] == '\n' ||
			      body[i] == '\r' || body[i] == '\t'))
		i++;
	if (i == len || body[i] != '{')
		return CSAF_CHANGES;
	j = cJSON_ParseWithLength(body, len);
	if (cJSON_GetObjectItemCaseSensitive(j, "feed") != NULL)
		k = CSAF_ROLIE;
	else if (cJSON_GetObjectItemCaseSensitive(j, "distributions") != NULL ||
	    cJSON_GetObjectItemCaseSensitive(j, "canonical_url") != NULL)
		k = CSAF_PROVIDER;
	cJSON_Delete(j);
	return k;
}

/* Lists found in provider metadata: fetch each, within the cap. */
static void
follow(struct feed_rt *f, const struct cb_strlist *urls, int depth,
    const char *suffix)
{
	size_t i;
	char *u;

	if (depth > PUB_FEEDS_MAX_DEPTH) {
		fail(f, f->conf->url, "CSAF discovery goes too deep");
		return;
	}
	for (i = 0; i < urls->n && f->docs_left > 0; i++, f->docs_left--) {
		u = suffix ? cb_xasprintf("%s%s%s", urls->v[i],
				 urls->v[i][strlen(urls->v[i]) - 1] == '/' ?
				     "" : "/", suffix) :
			     cb_xstrdup(urls->v[i]);
		start(f, u, depth, list_conditional(f, u));
		free(u);
	}
	if (i < urls->n) {
		f->csaf->deferred += (int)(urls->n - i);
		log_warnx_about(ABOUT_FEED(f),
		    _("feed %s: %zu more CSAF lists left for the next "
		      "poll (cap %d)"), f->conf->name, urls->n - i,
		    f->conf->max_documents);
	}
}

/* --- the CSAF walk: each listed document once, to the end ----------------- */

struct pick {
	size_t i;
	int64_t time;
};

/* Newest first; in list order among equals. */
static int
cmp_pick(const void *a, const void *b)
{
	const struct pick *x = a, *y = b;

	if (x->time != y->time)
		return x->time > y->time ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* 1 when the feed took url in at its list time t or later. */
static int
taken(struct feed_rt *f, const char *url, int64_t t)
{
	struct cb_err err;
	int64_t listed;
	int rc = pub_journal_doc_listed(f->owner->journal, f->conf->name, url,
	    &listed, &err);

	if (rc < 0)
		log_errx("feed %s: %s", f->conf->name, err.msg);
	return rc == 1 && listed >= t;
}

/* The documents of a ROLIE feed or changes.csv: those not taken in yet
 * (or listed as changed since), newest first, as many as the poll's cap
 * leaves room for; the others wait for the next poll. */
static void
follow_docs(struct feed_rt *f, const struct cb_strlist *urls,
    const struct feed_csaf_times *times, int depth)
{
	struct pick *p = cb_xcalloc(urls->n + 1, sizeof(*p));
	struct job *job;
	size_t i, n = 0, left;

	if (depth > PUB_FEEDS_MAX_DEPTH) {
		fail(f, f->conf->url, "CSAF discovery goes too deep");
		free(p);
		return;
	}
	for (i = 0; i < urls->n; i++)
		if (!taken(f, urls->v[i], times->v[i])) {
			p[n].i = i;
			p[n++].time = times->v[i];
		}
	if (n > 1)
		qsort(p, n, sizeof(*p), cmp_pick);
	for (i = 0; i < n && f->docs_left > 0; i++, f->docs_left--) {
		job = new_job(f, depth, JOB_FETCH);
		job->listed = 1;
		job->list_time = p[i].time;
		start_job(f, urls->v[p[i].i], job, 1, 0);
	}
	left = n - i;
	f->csaf->deferred += (int)left;
	if (left > 0)
		log_info("feed %s: %zu more CSAF documents left for the next "
		    "poll (cap %d)", f->conf->name, left,
		    f->conf->max_documents);
	free(p);
}

/* A listed document the feed has taken in: not fetched again until its
 * list time moves. */
static void
took(struct feed_rt *f, const struct job *job, const char *url)
{
	struct cb_err err;

	if (job->listed && pub_journal_doc_put(f->owner->journal,
			       f->conf->name, url, job->list_time, &err) < 0)
		log_errx("feed %s: %s", f->conf->name, err.msg);
}

/* --- CSAF trust: the provider's keys ------------------------------------- */

static void
csaf_rt_free(struct csaf_rt *c)
{
	if (c == NULL)
		return;
	feed_csaf_keys_release(&c->keys);
	cb_strlist_release(&c->fprs);
	cb_strlist_release(&c->wait_lists);
	cb_strlist_release(&c->wait_dirs);
	cb_strlist_release(&c->rejections);
	cb_strlist_release(&c->last_rejections);
	free(c);
}

/* A feed that became CSAF at a reload gets its walk; one that stopped
 * being CSAF loses it. */
static void
csaf_start_poll(struct feed_rt *f)
{
	struct csaf_rt *c;
	struct cb_err err;

	if (f->conf->format != FEED_CSAF) {
		csaf_rt_free(f->csaf);
		f->csaf = NULL;
		return;
	}
	if (f->csaf == NULL) {
		f->csaf = cb_xcalloc(1, sizeof(*f->csaf));
		if (pub_journal_walk_get(f->owner->journal, f->conf->name,
			&f->csaf->walk, &err) < 0)
			log_errx("feed %s: %s", f->conf->name, err.msg);
	}
	c = f->csaf;
	c->deferred = c->retry = c->rejected = c->unverified = 0;
	cb_strlist_release(&c->rejections);
}

static void
csaf_finish_poll(struct feed_rt *f)
{
	struct csaf_rt *c = f->csaf;
	struct cb_err err;

	if (c == NULL)
		return;
	c->walk.deferred = c->deferred;
	c->walk.retry = c->retry;
	c->last_deferred = c->deferred;
	c->last_rejected = c->rejected;
	c->last_unverified = c->unverified;
	cb_strlist_release(&c->last_rejections);
	cb_strlist_move(&c->last_rejections, &c->rejections);
	if (pub_journal_walk_put(f->owner->journal, f->conf->name, &c->walk,
		&err) < 0)
		log_errx("feed %s: %s", f->conf->name, err.msg);
}

static struct pub_csaf_trust *
trust(struct pub_feeds *fs, struct cb_err *err)
{
	if (fs->trust == NULL)
		fs->trust = pub_csaf_trust_open(fs->keyring, err);
	return fs->trust;
}

/* The provider's lists, once no key is still on its way. */
static void
follow_waiting(struct feed_rt *f)
{
	struct csaf_rt *c = f->csaf;

	follow(f, &c->wait_lists, c->wait_depth, NULL);
	follow(f, &c->wait_dirs, c->wait_depth, "changes.csv");
	cb_strlist_release(&c->wait_lists);
	cb_strlist_release(&c->wait_dirs);
}

/* The keys provider metadata lists: those in the keyring count at once,
 * the others are fetched from their URL.  A key without a fingerprint
 * cannot be pinned and is not used. */
static void
csaf_keys(struct feed_rt *f, const char *url, int depth)
{
	struct csaf_rt *c = f->csaf;
	struct pub_csaf_trust *t;
	struct job *job;
	struct cb_err err;
	size_t i;

	cb_strlist_release(&c->fprs);
	if (c->keys.n == 0)
		return;
	if ((t = trust(f->owner, &err)) == NULL) {
		fail(f, url, err.msg);
		return;
	}
	for (i = 0; i < c->keys.n; i++) {
		const struct feed_csaf_key *k = &c->keys.v[i];

		if (k->fingerprint[0] == '\0') {
			log_warnx("feed %s: %s: listed without a fingerprint, "
			    "not used", f->conf->name, k->url);
		} else if (pub_csaf_trust_has_key(t, k->fingerprint)) {
			cb_strlist_add(&c->fprs, k->fingerprint);
		} else {
			job = new_job(f, depth, JOB_KEY);
			job->fpr = cb_xstrdup(k->fingerprint);
			if (start_job(f, k->url, job, 0,
				PUB_CSAF_TRUST_MAX_KEY) == 0)
				c->keys_pending++;
		}
	}
}

static void
key_done(struct feed_rt *f, const struct pub_fetch_res *res,
    const struct job *job)
{
	struct csaf_rt *c = f->csaf;
	struct cb_err err;

	if (res->error != NULL) {
		fail(f, res->url, res->error);
	} else if (!res->ok) {
		fail(f, res->url, "the key was not sent");
	} else if (pub_csaf_trust_import(f->owner->trust, job->fpr, res->body,
		       res->len, &err) < 0) {
		fail(f, res->url, err.msg);
	} else {
		log_info("feed %s: OpenPGP key %s from %s pinned",
		    f->conf->name, job->fpr, res->url);
		cb_strlist_add(&c->fprs, job->fpr);
	}
	if (--c->keys_pending == 0)
		follow_waiting(f);
}

/* --- CSAF trust: each document's .sha512 and .asc ------------------------ */

static const char *
sigs_name(const struct feed_rt *f)
{
	return f->conf->csaf_signatures == PUB_CSAF_WARN ? "warn" : "strict";
}

static void
reject(struct feed_rt *f, const char *url, const char *why)
{
	struct csaf_rt *c = f->csaf;
	char *line;

	log_warnx("feed %s: %s: %s; not published (csaf_signatures = "
	    "strict)", f->conf->name, url, why);
	c->rejected++;
	c->retry++;
	if (c->rejections.n < MAX_REJECTIONS) {
		line = cb_xasprintf("%s: %s", url, why);
		cb_strlist_add(&c->rejections, line);
		free(line);
	}
}

/* Why the document fails its .sha512 or .asc, or NULL when it passes
 * (into err). */
static int
check_doc(struct feed_rt *f, const struct signed_doc *sd, struct cb_err *err)
{
	if (f->csaf->fprs.n == 0)
		return cb_err_set(err, "no key of provider-metadata.json "
		    "could be pinned");
	if (sd->sha != NULL && pub_csaf_trust_check_sha512(sd->body, sd->len,
				   sd->sha, sd->sha_len, err) < 0)
		return -1;
	if (sd->asc == NULL)
		return cb_err_set(err, "no OpenPGP signature (.asc)");
	return pub_csaf_trust_verify(f->owner->trust, sd->body, sd->len,
	    sd->asc, sd->asc_len, &f->csaf->fprs, err);
}

static int process_document(struct feed_rt *f, const char *url,
    const char *body, size_t len);
static void keep_validators(struct feed_rt *f, const char *url,
    const char *etag, const char *last_modified);

/* Both transfers of sd are back: check, then take it in or not. */
static void
signed_doc_done(struct feed_rt *f, const struct job *job,
    struct signed_doc *sd)
{
	struct cb_err err;

	if (sd->error[0] != '\0') {
		f->csaf->retry++;
		fail(f, sd->url, sd->error);
		return;
	}
	if (check_doc(f, sd, &err) < 0) {
		if (f->conf->csaf_signatures != PUB_CSAF_WARN) {
			reject(f, sd->url, err.msg);
			return;
		}
		log_warnx("feed %s: %s: %s; published anyway "
		    "(csaf_signatures = warn)", f->conf->name, sd->url,
		    err.msg);
		f->csaf->unverified++;
	}
	if (process_document(f, sd->url, sd->body, sd->len) < 0) {
		f->csaf->retry++;
		return;
	}
	keep_validators(f, sd->url, sd->etag, sd->last_modified);
	took(f, job, sd->url);
}

/* A document fetched from a provider that lists keys: fetch its .sha512
 * and .asc, and hold it until both are back. */
static void
fetch_sigs(struct feed_rt *f, const struct pub_fetch_res *res,
    const struct job *job)
{
	struct signed_doc *sd = cb_xcalloc(1, sizeof(*sd));
	struct job *j;
	char *u;
	int i;

	sd->url = cb_xstrdup(res->url);
	sd->body = cb_xmalloc(res->len + 1);
	memcpy(sd->body, res->body, res->len + 1);
	sd->len = res->len;
	sd->etag = res->etag ? cb_xstrdup(res->etag) : NULL;
	sd->last_modified = res->last_modified ?
	    cb_xstrdup(res->last_modified) : NULL;
	sd->waiting = 1; /* until both are started */
	for (i = 0; i < 2; i++) {
		j = new_job(f, job->depth, i == 0 ? JOB_SHA512 : JOB_ASC);
		j->listed = job->listed;
		j->list_time = job->list_time;
		j->sd = sd;
		sd->waiting++;
		u = cb_xasprintf("%s%s", res->url, i == 0 ? ".sha512" : ".asc");
		if (start_job(f, u, j, 0, i == 0 ? PUB_CSAF_TRUST_MAX_SHA :
			PUB_CSAF_TRUST_MAX_ASC) < 0)
			snprintf(sd->error, sizeof(sd->error),
			    "cannot fetch %s", u);
		free(u);
	}
	if (--sd->waiting == 0) /* neither could start */
		signed_doc_free(sd);
}

/* A .sha512 or .asc is back: keep it (a 404 means there is none). */
static void
sig_done(struct feed_rt *f, const struct pub_fetch_res *res, struct job *job)
{
	struct signed_doc *sd = job->sd;
	char **body = job->kind == JOB_SHA512 ? &sd->sha : &sd->asc;
	size_t *len = job->kind == JOB_SHA512 ? &sd->sha_len : &sd->asc_len;

	if (res->ok) {
		*body = cb_xmalloc(res->len + 1);
		memcpy(*body, res->body, res->len + 1);
		*len = res->len;
	} else if (res->status != 404 && sd->error[0] == '\0') {
		snprintf(sd->error, sizeof(sd->error), "%s: %s", res->url,
		    res->error != NULL ? res->error : "not modified");
	}
	if (sd->waiting == 1) /* the last one */
		signed_doc_done(f, job, sd);
}

/* --- documents and lists ---------------------------------------------------- */

static void
keep_validators(struct feed_rt *f, const char *url, const char *etag,
    const char *last_modified)
{
	struct cb_err err;
	char *key;

	/* Validators only for what was understood: a bad or cut document
	 * is fetched whole again next time. */
	if (etag == NULL && last_modified == NULL)
		return;
	key = cache_key(f, url);
	if (pub_journal_cache_put(f->owner->journal, key, etag, last_modified,
		&err) < 0)
		log_errx("feed %s: %s", f->conf->name, err.msg);
	free(key);
}

/* One CSAF document into advisories, published. */
static int
process_document(struct feed_rt *f, const char *url, const char *body,
    size_t len)
{
	struct cb_adv_list items = { 0 };
	struct feed_opts opts = { .default_severity = f->conf->severity };
	struct cb_err err;
	int rc;

	if (feed_csaf_parse_document(body, len, &opts, &items, &err) < 0) {
		fail(f, url, err.msg);
		return -1;
	}
	rc = ingest(f, url, &items);
	cb_adv_list_release(&items);
	return rc;
}

static int
csaf_provider(struct feed_rt *f, const struct pub_fetch_res *res, int depth,
    struct cb_err *err)
{
	struct csaf_rt *c = f->csaf;

	cb_strlist_release(&c->wait_lists);
	cb_strlist_release(&c->wait_dirs);
	if (feed_csaf_parse_provider(res->body, res->len, &c->wait_lists,
		&c->wait_dirs, err) < 0 ||
	    feed_csaf_parse_provider_keys(res->body, res->len, &c->keys,
		err) < 0)
		return -1;
	c->wait_depth = depth + 1;
	csaf_keys(f, res->url, depth);
	if (c->keys_pending == 0)
		follow_waiting(f);
	return 0;
}

/* Returns 0 when the body was understood (the document, when it waits
 * for its signature, too), -1 (with fail()) when not. */
static int
process_csaf(struct feed_rt *f, const struct pub_fetch_res *res,
    const struct job *job)
{
	struct cb_strlist urls = { 0 };
	struct feed_csaf_times times = { 0 };
	struct cb_err err;
	int rc = -1;

	switch (csaf_kind(res->body, res->len)) {
	case CSAF_DOCUMENT:
		if (job->listed && f->csaf->keys.n > 0) {
			fetch_sigs(f, res, job);
			return 1;
		}
		return process_document(f, res->url, res->body, res->len);
	case CSAF_ROLIE:
		if (feed_csaf_parse_rolie(res->body, res->len, &urls, &times,
			&err) < 0)
			break;
		follow_docs(f, &urls, &times, job->depth + 1);
		rc = 0;
		break;
	case CSAF_PROVIDER:
		rc = csaf_provider(f, res, job->depth, &err);
		break;
	case CSAF_CHANGES:
		if (feed_csaf_parse_changes(res->body, res->len, res->url,
			&urls, &times, &err) < 0)
			break;
		follow_docs(f, &urls, &times, job->depth + 1);
		rc = 0;
		break;
	}
	if (rc < 0)
		fail(f, res->url, err.msg);
	cb_strlist_release(&urls);
	feed_csaf_times_release(&times);
	return rc;
}

/* A MISP feed's manifest: fetch the events after the mark, oldest
 * first, within the cap. */
static int
process_misp_manifest(struct feed_rt *f, const struct pub_fetch_res *res)
{
	struct feed_misp_entry *v;
	struct cb_err err;
	size_t n, i, left = 0;
	char *url;

	if (feed_misp_parse_manifest(res->body, res->len, &v, &n, &err) < 0) {
		fail(f, res->url, err.msg);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (feed_misp_entry_cmp(&v[i], &f->misp_mark) <= 0)
			continue;
		if (f->docs_left <= 0) {
			left++;
			continue;
		}
		f->docs_left--;
		url = feed_misp_event_url(f->conf->url, v[i].uuid);
		start(f, url, 1, 1);
		free(url);
		f->misp_next = v[i];
	}
	if (left > 0)
		log_warnx_about(ABOUT_FEED(f), "feed %s: %zu more MISP "
		    "events left for the next poll (cap %d)", f->conf->name,
		    left, f->conf->max_documents);
	free(v);
	return 0;
}

/* 0: understood and taken in; 1: understood, still waiting (for a
 * signature); -1: not understood. */
static int
process(struct feed_rt *f, const struct pub_fetch_res *res,
    const struct job *job)
{
	struct cb_adv_list items = { 0 };
	struct feed_opts opts = { .default_severity = f->conf->severity };
	struct cb_err err;
	int rc;

	if (f->conf->format == FEED_CSAF)
		return process_csaf(f, res, job);
	if (f->conf->format == FEED_MISP && job->depth == 0)
		return process_misp_manifest(f, res);
	if (feed_parse(f->conf->format, res->body, res->len, &opts, &items,
		&err) < 0) {
		fail(f, res->url, err.msg);
		return -1;
	}
	rc = ingest(f, res->url, &items);
	cb_adv_list_release(&items);
	return rc;
}

static void
fetch_done(struct feed_rt *f, const struct pub_fetch_res *res,
    const struct job *job)
{
	int rc;

	if (res->error != NULL) {
		fail(f, res->url, res->error);
	} else if (res->not_modified) {
		f->not_modified++;
		f->any_ok = 1;
		took(f, job, res->url);
		log_debug("feed %s: %s not modified", f->conf->name, res->url);
		return;
	} else if ((rc = process(f, res, job)) >= 0) {
		f->any_ok = 1;
		if (rc == 0) {
			keep_validators(f, res->url, res->etag,
			    res->last_modified);
			took(f, job, res->url);
		}
		return;
	}
	if (job->listed)
		f->csaf->retry++;
}

static void
on_done(const struct pub_fetch_res *res, void *arg)
{
	struct job *job = res->user;
	struct feed_rt *f = job->feed;

	(void)arg;
	switch (job->kind) {
	case JOB_FETCH:
		fetch_done(f, res, job);
		break;
	case JOB_KEY:
		key_done(f, res, job);
		break;
	case JOB_SHA512:
	case JOB_ASC:
		sig_done(f, res, job);
		break;
	}
	job_free(job);
	if (--f->inflight == 0)
		finish_poll(f);
}

/* --- a MISP ZeroMQ stream ------------------------------------------------ */

/* Ask the feed that fills the gap of a misp-zmq feed for what the
 * stream may have lost. */
static void
fill_gap(struct feed_rt *f)
{
	struct feed_rt *g;

	if (f->conf->fill_from == NULL ||
	    (g = find_rt(f->owner, f->conf->fill_from)) == NULL)
		return;
	log_info_about(ABOUT_FEED(f), "feed %s: filling the gap from feed %s",
	    f->conf->name, g->conf->name);
	g->next_ms = cb_time_mono_ms();
}

/* The stream's events are published under the name of the feed that
 * fills its gap, when it has one, so that an event both bring is the
 * same advisory, published once. */
static void
misp_stream_ingest(struct feed_rt *f, struct cb_adv_list *items)
{
	struct feed_rt *g = f->conf->fill_from != NULL ?
	    find_rt(f->owner, f->conf->fill_from) : NULL;
	const struct pub_feed_conf *as = g != NULL ? g->conf : f->conf;
	struct cb_err err;

	if (items->n == 0)
		return;
	if (pub_ingest(f->owner->journal, f->owner->seal, as, items, 0,
		cb_time_now(), &f->last, &err) < 0)
		fail(f, f->conf->url, err.msg);
}

static void
misp_stream_heard(struct feed_rt *f, int64_t now)
{
	f->heard_ms = now;
	f->state.last_success = cb_time_now();
	if (!f->silent)
		return;
	f->silent = 0;
	f->failures = 0;
	log_info_about(ABOUT_FEED(f), "feed %s: MISP stream heard again",
	    f->conf->name);
	fill_gap(f);
}

/* A stream silent past silent_after is a feed error: MISP sends a
 * keep-alive every few seconds, so silence means it or the link is
 * down, not that nothing happened. */
static void
misp_stream_check(struct feed_rt *f, int64_t now)
{
	int64_t quiet = (now - f->heard_ms) / 1000;
	struct cb_err err;

	if (quiet < f->conf->silent_after)
		return;
	if ((now - f->restart_ms) / 1000 >= f->conf->silent_after) {
		f->restart_ms = now;
		if (pub_misp_restart(f->stream, &err) < 0)
			log_warnx_about(ABOUT_FEED(f), "feed %s: %s", f->conf->name, err.msg);
	}
	if (!f->silent) {
		f->silent = 1;
		f->failures++;
		log_warnx_about(ABOUT_FEED(f), "feed %s: no message from MISP "
		    "at %s for %llds", f->conf->name, f->conf->url,
		    (long long)quiet);
	}
	f->state.last_error_at = cb_time_now();
	snprintf(f->state.last_error, sizeof(f->state.last_error),
	    "%s: no message from MISP for %llds", f->conf->url,
	    (long long)quiet);
}

static void
misp_stream_run(struct feed_rt *f, int64_t now)
{
	struct feed_opts opts = { .default_severity = f->conf->severity };
	struct pub_misp_batch b;

	f->failed = 0;
	memset(&f->last, 0, sizeof(f->last));
	pub_misp_read(f->stream, &opts, &b);
	if (b.frames > 0)
		misp_stream_heard(f, now);
	if (b.bad > 0)
		fail(f, f->conf->url, b.error);
	misp_stream_ingest(f, &b.items);
	pub_misp_batch_release(&b);
	misp_stream_check(f, now);
	if (f->failed) {
		f->state.last_error_at = cb_time_now();
		memcpy(f->state.last_error, f->error, sizeof(f->error));
	}
	add_stats(&f->total, &f->last);
	if (f->next_ms <= now) { /* "poll" asked for: fill the gap */
		f->next_ms = INT64_MAX;
		fill_gap(f);
	}
}

/* --- the loop's side ---------------------------------------------------------- */

int
pub_feeds_pollitems(struct pub_feeds *fs, zmq_pollitem_t *items, int max)
{
	int n = 0;
	size_t i;

	for (i = 0; i < fs->n && n < max; i++)
		if (fs->feeds[i]->stream != NULL &&
		    pub_misp_socket(fs->feeds[i]->stream) != NULL)
			items[n++] = (zmq_pollitem_t){ .socket = pub_misp_socket(
							   fs->feeds[i]->stream),
				.fd = -1, .events = ZMQ_POLLIN };
	return n + pub_fetch_pollitems(fs->fetch, items + n, max - n);
}

long
pub_feeds_timeout(struct pub_feeds *fs)
{
	int64_t now = cb_time_mono_ms(), soonest = -1;
	long curl = pub_fetch_timeout(fs->fetch);
	size_t i;

	for (i = 0; i < fs->n; i++) {
		int64_t left;

		if (fs->feeds[i]->inflight > 0)
			continue;
		left = fs->feeds[i]->next_ms - now;
		if (left < 0)
			left = 0;
		if (soonest < 0 || left < soonest)
			soonest = left;
	}
	if (curl >= 0 && (soonest < 0 || curl < soonest))
		soonest = curl;
	return (long)soonest;
}

void
pub_feeds_run(struct pub_feeds *fs, const zmq_pollitem_t *items, int n)
{
	int64_t now = cb_time_mono_ms();
	size_t i;

	pub_fetch_run(fs->fetch, items, n);
	for (i = 0; i < fs->n; i++) {
		struct feed_rt *f = fs->feeds[i];

		if (f->conf->format == FEED_MISP_ZMQ) {
			if (f->stream != NULL)
				misp_stream_run(f, now);
			continue;
		}
		if (f->inflight > 0 || now < f->next_ms)
			continue;
		start_poll(f);
		if (f->inflight == 0)
			finish_poll(f);
	}
}

int
pub_feeds_poll_now(struct pub_feeds *fs, const char *name)
{
	int64_t now = cb_time_mono_ms();
	int started = 0;
	size_t i;

	for (i = 0; i < fs->n; i++) {
		struct feed_rt *f = fs->feeds[i];

		if (name != NULL && strcmp(name, f->conf->name) != 0)
			continue;
		f->next_ms = now;
		started++;
	}
	return name != NULL && started == 0 ? -1 : started;
}

/* A CSAF feed's signatures and walk, as of its last finished poll. */
static void
csaf_status(cJSON *o, const struct feed_rt *f)
{
	const struct csaf_rt *c = f->csaf;
	cJSON *why = cJSON_AddArrayToObject(o, "rejections");
	size_t i;

	cJSON_AddStringToObject(o, "signatures",
	    c->keys.n > 0 ? sigs_name(f) : "none");
	cJSON_AddNumberToObject(o, "keys", (double)c->fprs.n);
	cJSON_AddNumberToObject(o, "rejected", c->last_rejected);
	cJSON_AddNumberToObject(o, "unverified", c->last_unverified);
	cJSON_AddNumberToObject(o, "deferred", c->last_deferred);
	for (i = 0; i < c->last_rejections.n; i++)
		cJSON_AddItemToArray(why,
		    cJSON_CreateString(c->last_rejections.v[i]));
}

static cJSON *
feed_status(struct pub_feeds *fs, const struct feed_rt *f)
{
	cJSON *o = cJSON_CreateObject();
	struct cb_err err;
	long count = 0;

	cJSON_AddStringToObject(o, "name", f->conf->name);
	cJSON_AddStringToObject(o, "url", f->conf->url);
	cJSON_AddStringToObject(o, "format", feed_format_name(f->conf->format));
	cJSON_AddNumberToObject(o, "interval", f->conf->interval);
	cb_json_add_time(o, "last_success", f->state.last_success);
	cb_json_add_time(o, "last_error_at", f->state.last_error_at);
	/* A stream succeeds at every keep-alive: its last error stays
	 * shown, beside its time, once the stream goes on. */
	if (f->state.last_error_at > f->state.last_success ||
	    (f->stream != NULL && f->state.last_error_at != 0))
		cJSON_AddStringToObject(o, "last_error", f->state.last_error);
	else
		cJSON_AddNullToObject(o, "last_error");
	if (f->conf->format == FEED_MISP_ZMQ)
		cJSON_AddStringToObject(o, "stream", f->stream == NULL ? "down" :
			f->silent ? "silent" : "receiving");
	else if (f->inflight > 0)
		cJSON_AddStringToObject(o, "next_poll", "now");
	else
		cb_json_add_time(o, "next_poll", f->next_wall);
	cJSON_AddNumberToObject(o, "failures", f->failures);
	if (pub_journal_item_count(fs->journal, f->conf->name, &count, &err) < 0)
		count = -1;
	cJSON_AddNumberToObject(o, "items", (double)count);
	cJSON_AddNumberToObject(o, "polls", (double)f->polls);
	cJSON_AddNumberToObject(o, "not_modified", (double)f->not_modified);
	cJSON_AddNumberToObject(o, "published", f->total.published);
	cJSON_AddNumberToObject(o, "updated", f->total.updated);
	cJSON_AddNumberToObject(o, "cancelled", f->total.cancelled);
	cJSON_AddNumberToObject(o, "last_poll_items", f->last.items);
	if (f->csaf != NULL)
		csaf_status(o, f);
	return o;
}

cJSON *
pub_feeds_status(struct pub_feeds *fs)
{
	cJSON *arr = cJSON_CreateArray();
	size_t i;

	for (i = 0; i < fs->n; i++)
		cJSON_AddItemToArray(arr, feed_status(fs, fs->feeds[i]));
	return arr;
}

size_t
pub_feeds_count(const struct pub_feeds *fs)
{
	return fs->n;
}

void
pub_feeds_stats(const struct pub_feeds *fs, size_t i,
    struct pub_feed_stats *st)
{
	const struct feed_rt *f = fs->feeds[i];

	st->name = f->conf->name;
	st->polls = f->polls;
	st->errors = f->errors;
	st->failures = f->failures;
	st->last_success = f->state.last_success;
}
