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
#include "pub_feeds.h"
#include "pub_fetch.h"
#include "pub_ingest.h"
#include "pub_misp.h"

/* A log line about feed f (its name as the journal field CANHBAO_FEED). */
#define ABOUT_FEED(f) (&(struct cb_log_about){ .feed = (f)->conf->name })

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
		free(f);
		return NULL;
	}
	return f;
}

static void
feed_rt_free(struct feed_rt *f)
{
	if (f == NULL)
		return;
	pub_misp_free(f->stream);
	free(f);
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
		feed_rt_free(fs->feeds[i]);
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
			pub_misp_free(f->stream);
			f->stream = NULL;
		}
		f->conf = &cfg->feeds[i];
		if (f->conf->format == FEED_MISP_ZMQ && f->stream == NULL &&
		    misp_stream_start(f, &serr) < 0)
			log_errx_about(ABOUT_FEED(f), "feed %s: %s", f->conf->name, serr.msg);
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

/* A MISP manifest is fetched whole each poll: its events are what
 * tells which of them the poll still has to fetch, and a 304 would
 * hide those a failed or capped poll left. */
static int
conditional(const struct feed_rt *f, int depth)
{
	return !(f->conf->format == FEED_MISP && depth == 0);
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
	if (conditional(f, depth) &&
	    pub_journal_cache_get(f->owner->journal, url, &etag, &lm, &err) < 0)
		log_errx_about(ABOUT_FEED(f), "feed %s: %s", f->conf->name,
		    err.msg);
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
	f->misp_next = f->misp_mark;
	memset(&f->last, 0, sizeof(f->last));
	log_debug_about(ABOUT_FEED(f), "feed %s: polling %s", f->conf->name,
	    f->conf->url);
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
		log_warnx_about(ABOUT_FEED(f),
		    _("feed %s: %zu more CSAF documents left for the next "
		      "poll (cap %d)"),
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
		start(f, url, 1);
		free(url);
		f->misp_next = v[i];
	}
	if (left > 0)
		log_warnx_about(ABOUT_FEED(f), "feed %s: %zu more MISP "
		    "events left for the next poll (cap %d)", f->conf->name,
		    left, PUB_FEEDS_MAX_DOCS);
	free(v);
	return 0;
}

static int
process(struct feed_rt *f, const struct pub_fetch_res *res, int depth)
{
	struct cb_adv_list items = { 0 };
	struct feed_opts opts = { .default_severity = f->conf->severity };
	struct cb_err err;

	if (f->conf->format == FEED_CSAF)
		return process_csaf(f, res, depth);
	if (f->conf->format == FEED_MISP && depth == 0)
		return process_misp_manifest(f, res);
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
		log_debug_about(ABOUT_FEED(f), "feed %s: %s not modified",
		    f->conf->name, res->url);
	} else if (process(f, res, job->depth) == 0) {
		f->any_ok = 1;
		/* Validators only for what was understood: a bad or cut
		 * document is fetched whole again next time. */
		if ((res->etag || res->last_modified) &&
		    conditional(f, job->depth) &&
		    pub_journal_cache_put(f->owner->journal, res->url,
			res->etag, res->last_modified, &err) < 0)
			log_errx_about(ABOUT_FEED(f), "feed %s: %s",
			    f->conf->name, err.msg);
	}
	free(job);
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
