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
#include "pub_feeds.h"
#include "pub_fetch.h"
#include "pub_ingest.h"

#define BACKOFF_FIRST 30      /* seconds before the first retry */
#define BACKOFF_CAP 3600      /* no retry waits longer than this... */

struct feed_rt {
	const struct pub_feed_conf *conf;
	struct pub_feeds *owner;
	struct pub_feed_state state;
	int64_t next_ms;    /* monotonic time of the next poll */
	int64_t next_wall;  /* the same in Unix seconds, for status */
	int failures;       /* consecutive failed polls */
	int inflight;       /* transfers of the current poll */
	int docs_left;      /* CSAF documents this poll may still fetch */
	int any_ok;         /* something was read in this poll */
	int failed;         /* something failed in this poll */
	char error[256];    /* the first failure of this poll */
	unsigned long polls, not_modified;
	struct pub_ingest_stats last, total;
};

struct job {
	struct feed_rt *feed;
	int depth;
};

struct pub_feeds {
	struct pub_journal *journal;
	struct pub_seal *seal;
	struct pub_fetch *fetch;
	struct feed_rt **feeds; /* each stays put: jobs point to it */
	size_t n;
};

static void on_done(const struct pub_fetch_res *res, void *arg);

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
	return f;
}

struct pub_feeds *
pub_feeds_new(const struct pub_config *cfg, struct pub_journal *journal,
    struct pub_seal *seal, struct cb_err *err)
{
	struct pub_feeds *fs = cb_xcalloc(1, sizeof(*fs));
	size_t i;

	fs->journal = journal;
	fs->seal = seal;
	fs->fetch = pub_fetch_new(cfg->ca_path, FEED_MAX_BODY, on_done, fs,
	    err);
	if (fs->fetch == NULL) {
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
	pub_fetch_free(fs->fetch, free); /* and the jobs still in flight */
	for (i = 0; i < fs->n; i++)
		free(fs->feeds[i]);
	free(fs->feeds);
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
	pub_fetch_cancel(f->owner->fetch, job_of, f, free);
	f->inflight = 0;
}

int
pub_feeds_reconfigure(struct pub_feeds *fs, const struct pub_config *cfg,
    struct cb_err *err)
{
	struct feed_rt **next = cb_xcalloc(cfg->nfeeds ? cfg->nfeeds : 1,
	    sizeof(*next));
	struct feed_rt *f;
	size_t i, j;

	/* First what can fail: the new feeds' state. */
	for (i = 0; i < cfg->nfeeds; i++) {
		if (find_rt(fs, cfg->feeds[i].name) != NULL)
			continue;
		next[i] = feed_rt_new(fs, &cfg->feeds[i], err);
		if (next[i] == NULL) {
			for (j = 0; j < i; j++)
				free(next[j]);
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
		}
		f->conf = &cfg->feeds[i];
		next[i] = f;
	}
	for (j = 0; j < fs->n; j++) { /* removed */
		if (fs->feeds[j] == NULL)
			continue;
		stop_poll(fs->feeds[j]);
		free(fs->feeds[j]);
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
	log_warnx(_("feed %s: %s: %s"), f->conf->name, url, why);
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

static void
start(struct feed_rt *f, const char *url, int depth)
{
	struct pub_fetch_req req = { .url = url, .headers = &f->conf->headers };
	struct job *job;
	char *etag = NULL, *lm = NULL;
	struct cb_err err;

	if (!same_scheme_family(f->conf->url, url)) {
		fail(f, url, "refusing a link to another kind of URL");
		return;
	}
	if (pub_journal_cache_get(f->owner->journal, url, &etag, &lm, &err) < 0)
		log_errx("feed %s: %s", f->conf->name, err.msg);
	job = cb_xcalloc(1, sizeof(*job));
	job->feed = f;
	job->depth = depth;
	req.etag = etag;
	req.last_modified = lm;
	req.user = job;
	if (pub_fetch_add(f->owner->fetch, &req, &err) < 0) {
		fail(f, url, err.msg);
		free(job);
	} else {
		f->inflight++;
	}
	free(etag);
	free(lm);
}

static void
start_poll(struct feed_rt *f)
{
	f->polls++;
	f->failed = 0;
	f->any_ok = 0;
	f->error[0] = '\0';
	f->docs_left = PUB_FEEDS_MAX_DOCS;
	memset(&f->last, 0, sizeof(f->last));
	log_debug("feed %s: polling %s", f->conf->name, f->conf->url);
	start(f, f->conf->url, 0);
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
		delay = backoff_seconds(f);
		f->state.last_error_at = now;
		snprintf(f->state.last_error, sizeof(f->state.last_error), "%s",
		    f->error);
		log_warnx(_("feed %s: poll failed (%d in a row), retry in "
			    "%llds"),
		    f->conf->name, f->failures, (long long)delay);
	} else {
		f->failures = 0;
		delay = f->conf->interval;
		f->state.last_success = now;
	}
	if (f->any_ok)
		f->state.initialized = 1;
	add_stats(&f->total, &f->last);
	if (f->last.items > 0 || f->any_ok)
		log_info(_("feed %s: %u items: %u new, %u updated, %u "
			   "cancelled, %u unchanged, %u before the backfill "
			   "window, %u expired"),
		    f->conf->name, f->last.items, f->last.published,
		    f->last.updated, f->last.cancelled, f->last.unchanged,
		    f->last.old, f->last.expired);
	f->next_ms = cb_time_mono_ms() + delay * 1000;
	f->next_wall = now + delay;
	if (pub_journal_feed_put(f->owner->journal, f->conf->name, &f->state,
		&err) < 0)
		log_errx("feed %s: %s", f->conf->name, err.msg);
}

/* --- documents -------------------------------------------------------------- */

static void
ingest(struct feed_rt *f, const char *url, struct cb_adv_list *items)
{
	struct cb_err err;

	if (pub_ingest(f->owner->journal, f->owner->seal, f->conf, items,
		!f->state.initialized, cb_time_now(), &f->last, &err) < 0)
		fail(f, url, err.msg);
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

/* Links found in a discovery document: fetch each, within the caps. */
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
		start(f, u, depth);
		free(u);
	}
	if (i < urls->n)
		log_warnx(_("feed %s: %zu more CSAF documents left for the "
			    "next poll (cap %d)"),
		    f->conf->name, urls->n - i, PUB_FEEDS_MAX_DOCS);
}

/* Returns 0 when the body was understood, -1 (with fail()) when not. */
static int
process_csaf(struct feed_rt *f, const struct pub_fetch_res *res, int depth)
{
	struct cb_strlist urls = { 0 }, dirs = { 0 };
	struct cb_adv_list items = { 0 };
	struct feed_opts opts = { .default_severity = f->conf->severity };
	struct cb_err err;
	int rc = -1;

	switch (csaf_kind(res->body, res->len)) {
	case CSAF_DOCUMENT:
		if (feed_csaf_parse_document(res->body, res->len, &opts,
			&items, &err) < 0)
			break;
		ingest(f, res->url, &items);
		rc = 0;
		break;
	case CSAF_ROLIE:
		if (feed_csaf_parse_rolie(res->body, res->len, &urls,
			&err) < 0)
			break;
		follow(f, &urls, depth + 1, NULL);
		rc = 0;
		break;
	case CSAF_PROVIDER:
		if (feed_csaf_parse_provider(res->body, res->len, &urls, &dirs,
			&err) < 0)
			break;
		follow(f, &urls, depth + 1, NULL);
		follow(f, &dirs, depth + 1, "changes.csv");
		rc = 0;
		break;
	case CSAF_CHANGES:
		if (feed_csaf_parse_changes(res->body, res->len, res->url,
			&urls, &err) < 0)
			break;
		follow(f, &urls, depth + 1, NULL);
		rc = 0;
		break;
	}
	if (rc < 0)
		fail(f, res->url, err.msg);
	cb_strlist_release(&urls);
	cb_strlist_release(&dirs);
	cb_adv_list_release(&items);
	return rc;
}

static int
process(struct feed_rt *f, const struct pub_fetch_res *res, int depth)
{
	struct cb_adv_list items = { 0 };
	struct feed_opts opts = { .default_severity = f->conf->severity };
	struct cb_err err;

	if (f->conf->format == FEED_CSAF)
		return process_csaf(f, res, depth);
	if (feed_parse(f->conf->format, res->body, res->len, &opts, &items,
		&err) < 0) {
		fail(f, res->url, err.msg);
		return -1;
	}
	ingest(f, res->url, &items);
	cb_adv_list_release(&items);
	return 0;
}

static void
on_done(const struct pub_fetch_res *res, void *arg)
{
	struct job *job = res->user;
	struct feed_rt *f = job->feed;
	struct cb_err err;

	(void)arg;
	if (res->error != NULL) {
		fail(f, res->url, res->error);
	} else if (res->not_modified) {
		f->not_modified++;
		f->any_ok = 1;
		log_debug("feed %s: %s not modified", f->conf->name, res->url);
	} else if (process(f, res, job->depth) == 0) {
		f->any_ok = 1;
		/* Validators only for what was understood: a bad or cut
		 * document is fetched whole again next time. */
		if ((res->etag || res->last_modified) &&
		    pub_journal_cache_put(f->owner->journal, res->url,
			res->etag, res->last_modified, &err) < 0)
			log_errx("feed %s: %s", f->conf->name, err.msg);
	}
	free(job);
	if (--f->inflight == 0)
		finish_poll(f);
}

/* --- the loop's side ---------------------------------------------------------- */

int
pub_feeds_pollitems(struct pub_feeds *fs, zmq_pollitem_t *items, int max)
{
	return pub_fetch_pollitems(fs->fetch, items, max);
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
	if (f->state.last_error_at > f->state.last_success)
		cJSON_AddStringToObject(o, "last_error", f->state.last_error);
	else
		cJSON_AddNullToObject(o, "last_error");
	if (f->inflight > 0)
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
