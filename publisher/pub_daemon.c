/*
 * pub_daemon: the publisher daemon's start-up and event loop.
 *
 * Start-up follows the pledge habit: parse, open everything needed (the
 * state folder's lock, the key, the journal, the sockets), then loop.
 * The loop polls the control socket and wakes for heartbeats; signal
 * handlers only set a flag.
 */
#include <errno.h>
#include <libintl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <zmq.h>

#include "cb_adv.h"
#include "cb_daemon.h"
#include "cb_file.h"
#include "cb_hook.h"
#include "cb_http.h"
#include "cb_locale.h"
#include "cb_log.h"
#include "cb_mem.h"
#include "cb_net.h"
#include "cb_registry.h"
#include "cb_sig.h"
#include "cb_time.h"
#include "pub_bcast.h"
#include "pub_control.h"
#include "pub_daemon.h"
#include "pub_feeds.h"
#include "pub_inbound.h"
#include "pub_fetch.h"
#include "pub_journal.h"
#include "pub_metrics.h"
#include "pub_presence.h"
#include "pub_registry.h"
#include "pub_requests.h"
#include "pub_seal.h"
#include "pub_views.h"
#include "pub_web.h"
#include "pub_zap.h"

#define _(s) gettext(s)
#define CONTROL_BURST 64 /* control requests taken in one go */

struct pub_ctx {
	struct pub_config *opts; /* replaced in place by a reload */
	struct pub_feeds *feeds;
	struct pub_requests *requests; /* NULL without --requests */
	int lockfd;
	struct cb_seckey *identity; /* publisher.key: transport, first signer */
	struct cb_seckey *sk;       /* the signing key (identity until rotated) */
	struct cb_pubkey pk;        /* the signing key's public half */
	struct pub_zap *zap;        /* NULL with --insecure */
	struct cb_hook *on_report;  /* NULL without on_report */
	struct pub_presence *presence; /* agencies' contact, for the log */
	struct pub_journal *journal;
	struct pub_bcast *bcast;
	struct pub_seal *seal;
	struct pub_registry *registry; /* the signed registry, for relays */
	struct pub_web *web;        /* the duty page; NULL without --web */
	void *control;
	char bound[256];
	char req_bound[256];
	int64_t started;
	unsigned long published;
	struct cb_http *http;            /* /metrics, or NULL */
	struct pub_metrics_src metrics;  /* what it reads */
	int grouping; /* publishes of a control burst share a transaction */
};

static char *
state_path(const struct pub_ctx *c, const char *name)
{
	return cb_xasprintf("%s/%s", c->opts->state, name);
}

/* Put a new signing key in place: signing.key.new becomes signing.key,
 * and signing.pub is written beside it. */
static int
install_key(void *arg, struct cb_err *err)
{
	struct pub_ctx *c = arg;
	char *new = state_path(c, PUB_SIGNING_KEY_FILE ".new");
	char *key = state_path(c, PUB_SIGNING_KEY_FILE);
	char *pub = state_path(c, PUB_SIGNING_PUB_FILE), *text = NULL;
	struct cb_seckey *sk = cb_sig_read_seckey(new, err);
	struct cb_pubkey pk;
	int rc = -1;

	if (sk == NULL)
		goto out;
	cb_seckey_public(sk, &pk);
	text = cb_sig_pubkey_text(&pk);
	if (cb_file_write_atomic(pub, text, strlen(text), 0644, err) < 0)
		goto out;
	if (rename(new, key) < 0) {
		cb_err_setsys(err, "cannot rename '%s'", new);
		goto out;
	}
	rc = 0;
out:
	cb_seckey_free(sk);
	free(text);
	free(new);
	free(key);
	free(pub);
	return rc;
}

/* A rotation interrupted by a crash: the new key is waiting as
 * signing.key.new.  Journaled rotation: finish it; none: forget it. */
static int
finish_rotation(struct pub_ctx *c, struct cb_err *err)
{
	char *new = state_path(c, PUB_SIGNING_KEY_FILE ".new"), *id;
	char hex[CB_SIG_KEYIDHEX];
	struct cb_seckey *sk;
	struct cb_pubkey pk;
	unsigned rev;
	int found = 0;

	if (access(new, F_OK) < 0) {
		free(new);
		return 0;
	}
	sk = cb_sig_read_seckey(new, err);
	if (sk == NULL) {
		free(new);
		return -1;
	}
	cb_seckey_public(sk, &pk);
	cb_seckey_free(sk);
	id = cb_xasprintf("rotate:%s", cb_sig_keyid_hex(pk.id, hex));
	found = pub_journal_revision(c->journal, id, &rev, err);
	free(id);
	if (found > 0) {
		log_warnx(_("finishing the rotation to key %s that a crash "
			    "interrupted"),
		    hex);
		found = install_key(c, err);
	} else if (found == 0) {
		unlink(new); /* never journaled: it never happened */
	}
	free(new);
	return found < 0 ? -1 : 0;
}

static int
open_state(struct pub_ctx *c, struct cb_err *err)
{
	char *path;

	if (cb_file_private_dir(c->opts->state, 0, err) < 0)
		return -1;
	path = state_path(c, PUB_LOCK_FILE);
	c->lockfd = cb_file_lock(path, err);
	free(path);
	if (c->lockfd < 0)
		return -1;
	path = state_path(c, PUB_KEY_FILE);
	c->identity = cb_sig_read_seckey(path, err);
	free(path);
	if (c->identity == NULL)
		return -1;
	path = state_path(c, PUB_JOURNAL_FILE);
	c->journal = pub_journal_open(path, err);
	free(path);
	if (c->journal == NULL || pub_inbound_migrate(c->journal, err) < 0 ||
	    finish_rotation(c, err) < 0)
		return -1;
	path = state_path(c, PUB_SIGNING_KEY_FILE);
	c->sk = access(path, F_OK) == 0 ? cb_sig_read_seckey(path, err) :
					  c->identity;
	free(path);
	if (c->sk == NULL)
		return -1;
	cb_seckey_public(c->sk, &c->pk);
	return 0;
}

/* A new incident report: hand it to the on_report program, if any. */
static void
report_hook(void *arg, const char *agency, uint64_t seq)
{
	struct pub_ctx *c = arg;
	struct cb_hook_job *j;
	struct cb_err err;
	char label[96], num[24], *json;
	cJSON *r;

	log_warnx_about(&(struct cb_log_about){ .agency = agency },
	    _("INCIDENT REPORT from agency %s (its seq %llu): see "
	      "canhbao-pub reports"), agency, (unsigned long long)seq);
	if (c->on_report == NULL)
		return;
	r = pub_views_report(c->journal, agency, seq, &err);
	if (r == NULL) {
		log_warnx(_("on_report: %s"), err.msg);
		return;
	}
	json = cJSON_PrintUnformatted(r);
	snprintf(label, sizeof(label), "report %s #%llu", agency,
	    (unsigned long long)seq);
	j = cb_hook_job_new(label, json, strlen(json));
	cb_hook_job_env(j, "CANHBAO_EVENT", "report");
	cb_hook_job_env(j, "CANHBAO_AGENCY", agency);
	cb_hook_job_env(j, "CANHBAO_SEVERITY",
	    cJSON_GetObjectItem(r, "severity")->valuestring);
	cb_hook_job_env(j, "CANHBAO_TITLE",
	    cJSON_GetObjectItem(r, "title")->valuestring);
	snprintf(num, sizeof(num), "%llu", (unsigned long long)seq);
	cb_hook_job_env(j, "CANHBAO_REPORT_SEQ", num);
	cb_hook_submit(c->on_report, j);
	free(json);
	cJSON_Delete(r);
}

/* GET /metrics on the metrics address (pub_metrics). */
static int
open_metrics(struct pub_ctx *c, struct cb_err *err)
{
	c->metrics = (struct pub_metrics_src){ .opts = c->opts,
		.journal = c->journal, .seal = c->seal, .feeds = c->feeds,
		.requests = c->requests, .zap = c->zap, .bcast = c->bcast,
		.started = c->started };
	if (cb_http_open(&c->http, c->opts->metrics, pub_metrics_serve,
		&c->metrics, err) < 0)
		return -1;
	log_info("metrics on http://%s%s", cb_http_address(c->http),
	    CB_PROM_PATH);
	return 0;
}

static int
open_sockets(struct pub_ctx *c, struct cb_err *err)
{
	char *path;
	int rc;

	const struct cb_seckey *transport = c->opts->insecure ? NULL :
								c->identity;

	if (c->opts->on_report != NULL &&
	    (c->on_report = cb_hook_new("on_report", c->opts->on_report,
		 c->opts->hook_timeout, PUB_HOOK_RETRIES, err)) == NULL)
		return -1;
	/* The ZAP handler must be there before a CurveZMQ socket binds. */
	if (!c->opts->insecure &&
	    (c->zap = pub_zap_open(c->journal, err)) == NULL)
		return -1;
	c->bcast = pub_bcast_open(c->opts->broadcast, transport, c->bound,
	    sizeof(c->bound), err);
	if (c->bcast == NULL)
		return -1;
	c->seal = pub_seal_new(c->identity, c->sk, c->journal, c->bcast);
	c->registry = pub_registry_new(c->journal, c->seal, c->bcast);
	c->control = pub_control_bind(c->opts->state, err);
	if (c->control == NULL)
		return -1;
	c->feeds = pub_feeds_new(c->opts, c->journal, c->seal, err);
	if (c->feeds == NULL)
		return -1;
	if (c->opts->requests != NULL) {
		c->requests = pub_requests_open(c->opts->requests, transport,
		    c->journal, c->req_bound, sizeof(c->req_bound), err);
		if (c->requests == NULL)
			return -1;
		pub_requests_on_report(c->requests, report_hook, c);
		path = state_path(c, PUB_REQUESTS_FILE);
		rc = cb_file_write_atomic(path, c->req_bound,
		    strlen(c->req_bound), 0600, err);
		free(path);
		if (rc < 0)
			return -1;
	}
	if (c->opts->metrics != NULL && open_metrics(c, err) < 0)
		return -1;
	/* Tests and tools find a "tcp://...:*" endpoint's port here. */
	path = state_path(c, PUB_ENDPOINT_FILE);
	rc = cb_file_write_atomic(path, c->bound, strlen(c->bound), 0600, err);
	free(path);
	return rc;
}

static cJSON *status_json(void *arg);

/* --web: the duty officer's page, fed by what the journal records. */
static int
open_web(struct pub_ctx *c, struct cb_err *err)
{
	const struct pub_web_source src = { c->journal, c->feeds, c->opts,
		status_json, c };

	if (c->opts->web == NULL)
		return 0;
	if ((c->web = pub_web_open(c->opts->web, &src, err)) == NULL)
		return -1;
	pub_bcast_on_send(c->bcast, pub_web_on_send, c->web);
	pub_presence_on_change(c->presence, pub_web_on_presence, c->web);
	if (c->requests != NULL)
		pub_requests_on_kept(c->requests, pub_web_on_kept, c->web);
	log_info("duty page on http://%s/ (canhbao-pub web-link prints its "
		 "link)", pub_web_address(c->web));
	return 0;
}

static void
close_all(struct pub_ctx *c)
{
	cb_http_close(c->http);
	pub_web_close(c->web);
	pub_feeds_free(c->feeds);
	pub_presence_free(c->presence);
	pub_requests_close(c->requests);
	pub_zap_close(c->zap);
	cb_hook_free(c->on_report);
	pub_control_close(c->control, c->opts->state);
	pub_registry_free(c->registry);
	pub_seal_free(c->seal);
	pub_bcast_close(c->bcast);
	pub_journal_close(c->journal);
	if (c->sk != c->identity)
		cb_seckey_free(c->sk);
	cb_seckey_free(c->identity);
	cb_net_shutdown();
	if (c->lockfd >= 0)
		close(c->lockfd);
}

/* --- control requests -------------------------------------------------- */

static char *
reply_ok(void)
{
	return cb_xstrdup("{\"ok\":true}");
}

static char *
reply_error(const char *msg)
{
	cJSON *r = cJSON_CreateObject();
	char *s;

	cJSON_AddFalseToObject(r, "ok");
	cJSON_AddStringToObject(r, "error", msg);
	s = cJSON_PrintUnformatted(r);
	cJSON_Delete(r);
	return s;
}

/* A publish done, as its log line says it (with its journal fields). */
struct done {
	char id[CB_ADV_MAX_ID + 1];
	unsigned revision;
	uint64_t seq; /* 0: none */
	enum cb_severity severity;
};

static void
say_done(const struct done *d)
{
	log_info_about(&(struct cb_log_about){ .id = d->id, .seq = d->seq,
			   .severity = cb_severity_name(d->severity) },
	    _("published %s revision %u as seq %llu (%s)"), d->id,
	    d->revision, (unsigned long long)d->seq,
	    cb_severity_name(d->severity));
}

/* Publish the advisory of a request.  said, when not NULL, gets the
 * publish instead of the log (a grouped publish is said once its group
 * commits). */
static char *
do_publish(struct pub_ctx *c, const cJSON *req, struct done *said)
{
	struct cb_adv adv;
	struct cb_err err;
	struct done d;
	uint64_t seq;
	cJSON *r;
	char *s;

	if (cb_adv_from_cjson(&adv, cJSON_GetObjectItemCaseSensitive(req,
				      "advisory"), 1, &err) < 0 ||
	    pub_seal_advisory(c->seal, &adv, NULL, &seq, &err) < 0) {
		log_warnx(_("publish refused: %s"), err.msg);
		cb_adv_release(&adv);
		return reply_error(err.msg);
	}
	c->published++;
	snprintf(d.id, sizeof(d.id), "%s", adv.id);
	d.revision = adv.revision;
	d.seq = seq;
	d.severity = adv.severity;
	if (said != NULL)
		*said = d;
	else
		say_done(&d);
	r = cJSON_CreateObject();
	cJSON_AddTrueToObject(r, "ok");
	cJSON_AddStringToObject(r, "id", adv.id);
	cJSON_AddNumberToObject(r, "seq", (double)seq);
	cJSON_AddNumberToObject(r, "revision", adv.revision);
	s = cJSON_PrintUnformatted(r);
	cJSON_Delete(r);
	cb_adv_release(&adv);
	return s;
}

/* What status answers, also the duty page's /api/status. */
static cJSON *
status_json(void *arg)
{
	struct pub_ctx *c = arg;
	struct cb_serve_stats st;
	char keyhex[CB_SIG_KEYIDHEX];
	cJSON *r = cJSON_CreateObject();

	cJSON_AddTrueToObject(r, "ok");
	cJSON_AddStringToObject(r, "key_id", cb_sig_keyid_hex(c->pk.id, keyhex));
	cJSON_AddStringToObject(r, "broadcast", c->bound);
	cJSON_AddNumberToObject(r, "subscribers_connected",
	    (double)pub_bcast_connected(c->bcast));
	cJSON_AddNumberToObject(r, "last_seq",
	    (double)pub_journal_last_seq(c->journal));
	cJSON_AddNumberToObject(r, "published", (double)c->published);
	cJSON_AddNumberToObject(r, "uptime", (double)(cb_time_now() -
						   c->started));
	if (c->requests != NULL) {
		cJSON_AddStringToObject(r, "requests", c->req_bound);
		cJSON_AddNumberToObject(r, "requests_served",
		    (double)pub_requests_served(c->requests));
		cJSON_AddNumberToObject(r, "requests_dropped",
		    (double)pub_requests_dropped(c->requests));
		pub_requests_catchup_stats(c->requests, &st);
		cJSON_AddNumberToObject(r, "catchup_requests",
		    (double)st.requests);
		cJSON_AddNumberToObject(r, "catchup_messages",
		    (double)st.messages);
		cJSON_AddNumberToObject(r, "catchup_answering", st.answering);
	}
	cJSON_AddItemToObject(r, "feeds", pub_feeds_status(c->feeds));
	return r;
}

static char *
do_status(struct pub_ctx *c)
{
	cJSON *r = status_json(c);
	char *s = cJSON_PrintUnformatted(r);

	cJSON_Delete(r);
	return s;
}

static char *
do_poll(struct pub_ctx *c, const cJSON *req)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(req, "feed");
	cJSON *r;
	char *s, *msg;
	int n;

	n = pub_feeds_poll_now(c->feeds, cJSON_IsString(name) ?
		name->valuestring : NULL);
	if (n < 0) {
		msg = cb_xasprintf("no feed '%s' in the configuration",
		    cJSON_IsString(name) ? name->valuestring : "");
		s = reply_error(msg);
		free(msg);
		return s;
	}
	r = cJSON_CreateObject();
	cJSON_AddTrueToObject(r, "ok");
	cJSON_AddNumberToObject(r, "feeds", n);
	s = cJSON_PrintUnformatted(r);
	cJSON_Delete(r);
	return s;
}

static char *
do_rotate(struct pub_ctx *c)
{
	char *new = state_path(c, PUB_SIGNING_KEY_FILE ".new"), *s;
	char oldhex[CB_SIG_KEYIDHEX], newhex[CB_SIG_KEYIDHEX];
	struct cb_seckey *nsk;
	struct cb_pubkey npk;
	struct cb_err err;
	uint64_t seq;
	cJSON *r;
	int rc;

	unlink(new);
	if (cb_sig_keygen(&nsk, &npk, &err) < 0 ||
	    cb_sig_write_seckey(new, nsk, &err) < 0) {
		free(new);
		return reply_error(err.msg);
	}
	free(new);
	cb_sig_keyid_hex(c->pk.id, oldhex);
	rc = pub_seal_rotation(c->seal, nsk, install_key, c, &seq, &err);
	if (rc == -1) {
		cb_seckey_free(nsk);
		return reply_error(err.msg);
	}
	if (rc == -2)
		log_warnx(_("rotation: %s (the next start finishes it)"),
		    err.msg);
	if (c->sk != c->identity)
		cb_seckey_free(c->sk);
	c->sk = nsk;
	c->pk = npk;
	log_info(_("rotated the signing key from %s to %s at seq %llu"), oldhex,
	    cb_sig_keyid_hex(npk.id, newhex), (unsigned long long)seq);
	r = cJSON_CreateObject();
	cJSON_AddTrueToObject(r, "ok");
	cJSON_AddStringToObject(r, "old_key_id", oldhex);
	cJSON_AddStringToObject(r, "key_id", newhex);
	cJSON_AddNumberToObject(r, "seq", (double)seq);
	s = cJSON_PrintUnformatted(r);
	cJSON_Delete(r);
	return s;
}

/* The registry changed ("agency add/remove" wrote the journal, or a
 * reload): load it again, and when an agency is gone, make every
 * subscriber connect (and pass ZAP) again, so the removed one receives
 * nothing more. */
static void send_registry(struct pub_ctx *);

static int
reload_registry(struct pub_ctx *c, struct cb_err *err)
{
	int gone;

	send_registry(c); /* the relays' copy, also in plaintext */
	if (c->zap == NULL)
		return 0;
	gone = pub_zap_reload(c->zap, err);
	if (gone < 0)
		return -1;
	if (gone > 0) {
		log_info(_("%d agenc%s removed: reconnecting every subscriber"),
		    gone, gone == 1 ? "y" : "ies");
		if (pub_bcast_rebind(c->bcast, err) < 0 ||
		    (c->requests != NULL &&
			pub_requests_rebind(c->requests, err) < 0))
			fatalx(_("cannot bind again: %s"), err->msg);
	}
	return 0;
}

static char *
do_agencies(struct pub_ctx *c)
{
	struct cb_err err;

	return reload_registry(c, &err) < 0 ? reply_error(err.msg) : reply_ok();
}

/* The command a request names, or NULL. */
static const char *
command(const cJSON *req)
{
	const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(req, "cmd");

	return cJSON_IsString(cmd) ? cmd->valuestring : NULL;
}

static char *
dispatch(struct pub_ctx *c, const cJSON *req, struct done *said)
{
	const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(req, "cmd");
	char *reply;

	if (!cJSON_IsString(cmd))
		reply = reply_error("request is not a JSON object with 'cmd'");
	else if (strcmp(cmd->valuestring, "publish") == 0)
		reply = do_publish(c, req, said);
	else if (strcmp(cmd->valuestring, "status") == 0)
		reply = do_status(c);
	else if (strcmp(cmd->valuestring, "poll") == 0)
		reply = do_poll(c, req);
	else if (strcmp(cmd->valuestring, "agencies") == 0)
		reply = do_agencies(c);
	else if (strcmp(cmd->valuestring, "rotate") == 0)
		reply = do_rotate(c);
	else
		reply = reply_error("unknown command");
	return reply;
}

/* One control request being served: [routing id][empty][request]. */
struct ctl {
	struct cb_frames f;
	char *reply;
	struct done said; /* a publish in the open group (seq 0: none) */
};

/* Close the group of publishes w[from..to): commit, which broadcasts
 * them, and say each; when the commit fails none is published, and
 * each is answered with why. */
static void
settle(struct pub_ctx *c, struct ctl *w, size_t from, size_t to)
{
	struct cb_err err;
	size_t i;
	int ok;

	if (!c->grouping)
		return;
	c->grouping = 0;
	ok = pub_seal_commit(c->seal, &err) == 0;
	for (i = from; i < to; i++) {
		if (w[i].said.seq == 0)
			continue;
		if (ok) {
			say_done(&w[i].said);
			continue;
		}
		log_warnx(_("publish refused: %s"), err.msg);
		free(w[i].reply);
		w[i].reply = reply_error(err.msg);
		c->published--;
	}
}

/* Answer request w[i]; consecutive publishes of a burst (n > 1) share
 * one journal transaction, opened at the first (*from). */
static void
answer(struct pub_ctx *c, struct ctl *w, size_t i, size_t n, size_t *from)
{
	const struct cb_frames *f = &w[i].f;
	const char *cmd;
	struct cb_err err;
	cJSON *req;

	if (f->n != 3 || f->len[1] != 0 || f->len[2] > PUB_CONTROL_MAXREQ) {
		w[i].reply = reply_error("request must be one JSON frame");
		return;
	}
	req = cJSON_ParseWithLength(f->data[2], f->len[2]);
	cmd = command(req);
	if (cmd == NULL || strcmp(cmd, "publish") != 0) {
		settle(c, w, *from, i);
	} else if (!c->grouping && n > 1) {
		if (pub_seal_begin(c->seal, &err) == 0)
			c->grouping = 1;
		*from = i;
	}
	w[i].reply = dispatch(c, req, c->grouping ? &w[i].said : NULL);
	cJSON_Delete(req);
}

static void
send_reply(struct pub_ctx *c, struct ctl *w)
{
	const void *data[3] = { w->f.data[0], "", w->reply };
	size_t len[3] = { w->f.len[0], 0, strlen(w->reply) };

	if (cb_net_send(c->control, data, len, 3, 0) < 0)
		log_warnx("control: cannot reply: %s", zmq_strerror(zmq_errno()));
}

/* Serve the control requests waiting, CONTROL_BURST at most: a burst of
 * publishes is sealed and journaled in one transaction, committed once,
 * broadcast, and only then answered. */
static void
serve_control(struct pub_ctx *c)
{
	struct ctl w[CONTROL_BURST];
	struct cb_err err;
	size_t n = 0, i, from = 0;

	while (n < CONTROL_BURST) {
		memset(&w[n], 0, sizeof(w[n]));
		if (cb_net_recv(c->control, &w[n].f, ZMQ_DONTWAIT, &err) < 0) {
			if (errno != EAGAIN && errno != EINTR)
				log_warnx("control: %s", err.msg);
			break;
		}
		if (w[n].f.n < 2) /* no way to answer it */
			cb_frames_release(&w[n].f);
		else
			n++;
	}
	for (i = 0; i < n; i++)
		answer(c, w, i, n, &from);
	settle(c, w, from, n);
	for (i = 0; i < n; i++) {
		send_reply(c, &w[i]);
		free(w[i].reply);
		cb_frames_release(&w[i].f);
	}
}

/* --- reload (SIGHUP) -------------------------------------------------- */

static void
say_change(void *arg, const char *line)
{
	(void)arg;
	log_info(_("reload: %s"), line);
}

/* The on_report hook for next: *hook is the one to use (the old one
 * when nothing about it changed).  -1 when the new program is not
 * usable. */
static int
next_hook(struct pub_ctx *c, const struct pub_config *next,
    struct cb_hook **hook, struct cb_err *err)
{
	const struct pub_config *cur = c->opts;

	*hook = c->on_report;
	if ((cur->on_report == NULL) == (next->on_report == NULL) &&
	    (cur->on_report == NULL ||
		strcmp(cur->on_report, next->on_report) == 0) &&
	    cur->hook_timeout == next->hook_timeout)
		return 0;
	*hook = NULL;
	if (next->on_report != NULL &&
	    (*hook = cb_hook_new("on_report", next->on_report,
		 next->hook_timeout, PUB_HOOK_RETRIES, err)) == NULL)
		return -1;
	return 0;
}

/* Build the new configuration beside the one in force and swap only
 * when all of it is usable; log each change. */
static void
reload(struct pub_ctx *c)
{
	struct pub_config next, old;
	struct cb_hook *hook;
	struct cb_err err;
	int n;

	if (c->opts->path == NULL) {
		log_info(
		    _("reload: no configuration file (started without -c): "
		      "the command line stays in force; reading the agency "
		      "registry again"));
		if (reload_registry(c, &err) < 0)
			log_errx("reload: %s", err.msg);
		return;
	}
	if (pub_config_reread(c->opts, &next, &err) < 0) {
		log_errx("reload: refused, the configuration in force stays: "
			 "%s", err.msg);
		return;
	}
	if (next_hook(c, &next, &hook, &err) < 0 ||
	    pub_feeds_reconfigure(c->feeds, &next, &err) < 0) {
		if (hook != c->on_report)
			cb_hook_free(hook);
		pub_config_release(&next);
		log_errx("reload: refused, the configuration in force stays: "
			 "%s", err.msg);
		return;
	}
	n = pub_config_diff(c->opts, &next, say_change, NULL);
	if (hook != c->on_report) {
		cb_hook_free(c->on_report); /* ends its runs */
		c->on_report = hook;
	}
	old = *c->opts;
	*c->opts = next; /* the feeds now point into next's array */
	pub_config_release(&old);
	cb_log_init("canhbao-pub", c->opts->verbose ? CB_LOG_DEBUG :
						      CB_LOG_INFO);
	if (reload_registry(c, &err) < 0)
		log_errx("reload: agency registry: %s", err.msg);
	log_info(_("reload: done, %d change%s from %s"), n, n == 1 ? "" : "s",
	    c->opts->path);
}

/* --- the loop ---------------------------------------------------------- */

/* The line "systemctl status" shows, in buf. */
static const char *
status_line(const struct pub_ctx *c, char *buf, size_t size)
{
	snprintf(buf, size, _("broadcast on %s, last seq %llu, %lu "
			      "published since the start"),
	    c->bound, (unsigned long long)pub_journal_last_seq(c->journal),
	    c->published);
	return buf;
}

/* The registry to the relays: at once when one subscribes, after a
 * change, every PUB_REGISTRY_EVERY seconds. */
static void
send_registry(struct pub_ctx *c)
{
	struct cb_err err;

	if (pub_registry_send(c->registry, &err) < 0)
		log_errx(_("registry: %s"), err.msg);
}

/* Sleep until the next heartbeat, feed poll, curl timer or move of a
 * catch-up answer at most. */
static long
poll_timeout(struct pub_ctx *c, int64_t next_hb, int64_t now)
{
	long t = (long)(next_hb - now), feeds = pub_feeds_timeout(c->feeds);
	long answers = c->requests ? pub_requests_timeout(c->requests) : -1;
	long http = c->http ? cb_http_timeout_ms(c->http) : -1;

	if (feeds >= 0 && feeds < t)
		t = feeds;
	if (answers >= 0 && answers < t)
		t = answers; /* catch-up answers in progress */
	if (http >= 0 && http < t)
		t = http; /* /metrics connections */
	if (c->on_report != NULL && cb_hook_busy(c->on_report) > 0 && t > 250)
		t = 250; /* reap hook runs */
	if (c->web != NULL && pub_web_timeout_ms(c->web) >= 0 &&
	    pub_web_timeout_ms(c->web) < t)
		t = pub_web_timeout_ms(c->web);
	if (pub_registry_timeout(c->registry, now) < t)
		t = pub_registry_timeout(c->registry, now);
	return t < 0 ? 0 : t;
}

static void
loop(struct pub_ctx *c)
{
	int64_t next_hb = cb_time_mono_ms(), now;
	zmq_pollitem_t items[6 + PUB_FETCH_MAX_ITEMS];
	struct cb_err err;
	char status[256];
	long timeout, watchdog;
	int rc, n, first, web, subs;

	while (!cb_daemon_quitting()) {
		now = cb_time_mono_ms();
		if (cb_daemon_reload_requested()) {
			cb_daemon_reloading();
			reload(c);
			cb_daemon_ready("%s", status_line(c, status,
						  sizeof(status)));
			next_hb = now; /* the heartbeat may have changed */
		}
		if (now >= next_hb) {
			if (pub_seal_heartbeat(c->seal, &err) < 0)
				log_errx("%s", err.msg);
			pub_bcast_watch(c->bcast);
			if (c->requests != NULL) {
				pub_presence_check(c->presence, c->journal,
				    cb_time_now(), c->opts->silent_after);
				pub_requests_watch(c->requests);
			}
			next_hb = now + (int64_t)c->opts->heartbeat * 1000;
			cb_daemon_status("%s", status_line(c, status,
						   sizeof(status)));
		}
		items[0] = (zmq_pollitem_t){ .socket = c->control,
			.events = ZMQ_POLLIN };
		items[1] = (zmq_pollitem_t){ .socket = c->requests ?
			pub_requests_socket(c->requests) : NULL,
			.fd = -1, .events = c->requests ? ZMQ_POLLIN : 0 };
		items[2] = (zmq_pollitem_t){ .socket = c->zap ?
			pub_zap_socket(c->zap) : NULL, .fd = -1,
			.events = c->zap ? ZMQ_POLLIN : 0 };
		items[3] = (zmq_pollitem_t){ .fd = c->http ?
			cb_http_fd(c->http) : -1, .events = c->http ?
			ZMQ_POLLIN : 0 };
		first = 4;
		n = first + pub_feeds_pollitems(c->feeds, items + first,
		    PUB_FETCH_MAX_ITEMS);
		web = n; /* the duty page's server, after the feeds */
		if (c->web != NULL)
			items[n++] = (zmq_pollitem_t){ .fd = pub_web_fd(c->web),
				.events = ZMQ_POLLIN };
		subs = n++; /* subscriptions to the broadcast */
		items[subs] = (zmq_pollitem_t){ .socket =
			pub_bcast_socket(c->bcast), .events = ZMQ_POLLIN };
		timeout = poll_timeout(c, next_hb, now);
		watchdog = cb_daemon_watchdog(now);
		if (watchdog >= 0 && watchdog < timeout)
			timeout = watchdog;
		rc = zmq_poll(items, n, timeout);
		if (rc < 0) {
			if (errno != EINTR)
				log_errx("poll: %s", zmq_strerror(errno));
			continue;
		}
		if (items[0].revents & ZMQ_POLLIN)
			serve_control(c);
		if (c->requests != NULL && ((items[1].revents & ZMQ_POLLIN) ||
			pub_requests_timeout(c->requests) == 0))
			pub_requests_serve(c->requests);
		if (c->zap != NULL && (items[2].revents & ZMQ_POLLIN))
			pub_zap_serve(c->zap);
		pub_feeds_run(c->feeds, items + first, web - first);
		if (c->http != NULL && ((items[3].revents & ZMQ_POLLIN) ||
			cb_http_timeout_ms(c->http) == 0))
			cb_http_run(c->http);
		if (c->web != NULL)
			pub_web_run(c->web);
		if (((items[subs].revents & ZMQ_POLLIN) &&
			pub_bcast_subscribed(c->bcast, CB_REGISTRY_TOPIC)) ||
		    pub_registry_timeout(c->registry, cb_time_mono_ms()) == 0)
			send_registry(c);
		cb_hook_tick(c->on_report);
	}
}

int
pub_daemon_run(struct pub_config *opts)
{
	struct pub_ctx c = { .opts = opts, .lockfd = -1 };
	char keyhex[CB_SIG_KEYIDHEX], status[256];
	struct cb_err err;

	cb_daemon_signals();
	srandom((unsigned)(cb_time_now_ms() ^ getpid())); /* backoff jitter */
	c.started = cb_time_now();
	c.presence = pub_presence_new(c.started);
	if (open_state(&c, &err) < 0 || open_sockets(&c, &err) < 0 ||
	    open_web(&c, &err) < 0) {
		log_errx("cannot start: %s", err.msg);
		close_all(&c);
		return 2;
	}
	if (opts->insecure)
		log_warnx(_("transport is plaintext (--insecure): anyone who "
			    "can reach %s can listen"),
		    c.bound);
	else
		log_info(
		    _("transport is CurveZMQ; only registered agencies may "
		      "connect"));
	log_info(_("ready: key %s, broadcast on %s, requests on %s, last seq "
		   "%llu, %zu feeds"),
	    cb_sig_keyid_hex(c.pk.id, keyhex), c.bound,
	    c.requests ? c.req_bound : "(none)",
	    (unsigned long long)pub_journal_last_seq(c.journal), opts->nfeeds);
	cb_daemon_ready("%s", status_line(&c, status, sizeof(status)));
	loop(&c);
	log_info(_("stopping"));
	cb_daemon_stopping(_("stopping"));
	close_all(&c);
	return 0;
}
