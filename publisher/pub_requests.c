/* pub_requests: the publisher's requests channel over cb_serve (see .h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_log.h"
#include "cb_mem.h"
#include "cb_msg.h"
#include "cb_serve.h"
#include "cb_time.h"
#include "cb_utf8.h"
#include "pub_inbound.h"
#include "pub_requests.h"
#include "pub_watch.h"

struct pub_requests {
	void (*on_report)(void *arg, const char *agency, uint64_t seq);
	void *report_arg;
	void (*on_kept)(void *arg, const struct pub_inbound_result *res);
	void *kept_arg;
	struct cb_serve *serve;
	struct pub_watch *watch; /* clients on the wrong transport */
	int curve;
	struct pub_journal *journal;
};

static uint64_t
last_seq(void *arg)
{
	struct pub_requests *r = arg;

	return pub_journal_last_seq(r->journal);
}

struct each_arg {
	cb_serve_entry_fn fn;
	void *arg;
};

static int
each_one(const struct pub_entry *e, void *arg)
{
	struct each_arg *ea = arg;
	struct cb_serve_entry se = { .seq = e->seq,
		.signed_bytes = e->signed_bytes, .signed_len = e->signed_len,
		.sigblock = e->sigblock, .sigblock_len = e->sigblock_len };

	return ea->fn(&se, ea->arg);
}

static int
each(void *arg, uint64_t after, int limit, cb_serve_entry_fn fn, void *fnarg,
    struct cb_err *err)
{
	struct pub_requests *r = arg;
	struct each_arg ea = { fn, fnarg };

	return pub_journal_each(r->journal, after, limit, each_one, &ea, err);
}

/* What a refusal says, in a CONFIRM: err's text, printable, cut. */
static void
refusal(struct cb_req *c, const struct pub_inbound_result *res,
    const struct cb_err *err)
{
	char *why = cb_utf8_printable(err->msg);

	cb_utf8_clip_bytes(why, CB_REQ_MAXREASON);
	snprintf(c->reason, sizeof(c->reason), "%s", why);
	free(why);
	c->highest = res->status == CB_REQ_TAKEN ? res->highest : 0;
}

/* An agency's receipt, presence or report: keep it once, confirm. */
static int
submit(void *arg, const struct cb_frames *f, struct cb_req *c,
    struct cb_err *err)
{
	struct pub_requests *r = arg;
	struct pub_inbound_result res;
	int rc = 0;

	if (pub_inbound_submit(r->journal, f->data[2], f->len[2], f->data[3],
		f->len[3], cb_time_now(), &res, err) < 0) {
		if (res.status == CB_REQ_LATER || res.status == CB_REQ_TAKEN)
			log_warnx("requests: %s", err->msg);
		else
			rc = -1;
		if (res.status != CB_REQ_LATER)
			refusal(c, &res, err);
	} else if (res.fresh) {
		log_debug_about(&(struct cb_log_about){ .agency = res.agency },
		    "requests: %s from agency %s (its seq %llu)",
		    cb_msg_type_name((enum cb_msg_type)res.type), res.agency,
		    (unsigned long long)res.seq);
		if (res.type == CB_MSG_REPORT && r->on_report != NULL)
			r->on_report(r->report_arg, res.agency, res.seq);
		if (r->on_kept != NULL)
			r->on_kept(r->kept_arg, &res);
	}
	c->status = (uint8_t)res.status;
	memcpy(c->key_id, res.key_id, 8);
	c->seq = res.seq;
	return rc;
}

/* Senders exempt from the per-agency rate limit: a registered relay
 * passes on the messages of hundreds of agencies (each signed by its
 * agency, so kept as that agency's). */
static int
unlimited(void *arg, const char *who)
{
	struct pub_requests *r = arg;

	return pub_journal_is_relay(r->journal, who);
}

static void
on_socket(void *arg, void *sock)
{
	struct pub_requests *r = arg;

	pub_watch_free(r->watch);
	r->watch = pub_watch_new(sock, "requests", r->curve);
}

static const struct cb_serve_ops ops = { .last_seq = last_seq, .each = each,
	.submit = submit, .unlimited = unlimited, .on_socket = on_socket };

struct pub_requests *
pub_requests_open(const char *endpoint, const struct cb_seckey *transport,
    struct pub_journal *journal, char *bound, size_t boundsz,
    struct cb_err *err)
{
	struct pub_requests *r = cb_xcalloc(1, sizeof(*r));

	r->journal = journal;
	r->curve = transport != NULL;
	r->serve = cb_serve_open(endpoint, transport, &ops, r, bound, boundsz,
	    err);
	if (r->serve == NULL) {
		pub_requests_close(r);
		return NULL;
	}
	return r;
}

int
pub_requests_rebind(struct pub_requests *r, struct cb_err *err)
{
	return cb_serve_rebind(r->serve, err);
}

void
pub_requests_close(struct pub_requests *r)
{
	if (r == NULL)
		return;
	pub_watch_free(r->watch);
	cb_serve_close(r->serve);
	free(r);
}

void
pub_requests_watch(struct pub_requests *r)
{
	pub_watch_drain(r->watch);
}

void *
pub_requests_socket(const struct pub_requests *r)
{
	return cb_serve_socket(r->serve);
}

void
pub_requests_serve(struct pub_requests *r)
{
	cb_serve_run(r->serve);
}

long
pub_requests_timeout(const struct pub_requests *r)
{
	return cb_serve_timeout(r->serve);
}

unsigned long
pub_requests_served(const struct pub_requests *r)
{
	return cb_serve_served(r->serve);
}

unsigned long
pub_requests_dropped(const struct pub_requests *r)
{
	return cb_serve_dropped(r->serve);
}

void
pub_requests_catchup_stats(const struct pub_requests *r,
    struct cb_serve_stats *st)
{
	cb_serve_stats(r->serve, st);
}

void
pub_requests_on_report(struct pub_requests *r,
    void (*fn)(void *arg, const char *agency, uint64_t seq), void *arg)
{
	r->on_report = fn;
	r->report_arg = arg;
}

void
pub_requests_on_kept(struct pub_requests *r,
    void (*fn)(void *arg, const struct pub_inbound_result *res), void *arg)
{
	r->on_kept = fn;
	r->kept_arg = arg;
}

unsigned long
pub_requests_refused(const struct pub_requests *r,
    enum cb_serve_refusal reason)
{
	return cb_serve_refused(r->serve, reason);
}
