/*
 * sub_daemon: the subscriber daemon.  Every message, live or caught up,
 * goes verify -> order -> archive -> report.  Order is by sequence: a
 * message is archived only when it is the next one; anything further
 * ahead means something was missed, and the missing stretch (with the
 * message itself) is fetched from the requests channel, so nothing is
 * lost and nothing archived twice.  What fails a check is dropped,
 * counted and logged with its reason, and the daemon goes on.
 *
 * Whatever is waiting on both channels is taken at once (at most
 * SUB_BATCH_MAX messages, for at most SUB_BATCH_MS) and archived in one
 * durable transaction: one commit per batch, not per advisory.  Only
 * after that commit are the batch's advisories told about and their
 * receipts let out (the outbox reads committed entries), so a crash at
 * any point loses nothing acknowledged upstream, and the last sequence
 * committed with them keeps anything from being archived twice.
 *
 * The loop sleeps until the next deadline (the stale alarm, a catch-up
 * time-out, reminders, presence, the outbox, hooks, the desktop, a
 * reconnection): no fixed tick, so an idle subscriber wakes only for
 * the heartbeats.
 *
 * Heartbeats say how far the publisher is; one that is fresh (issued
 * within stale_after of our clock) proves the channel is alive.  With
 * none for stale_after seconds the subscriber raises the stale-channel
 * alarm, and clears it when they return; sub_link says why the
 * channel is silent (not admitted, wrong transport, not reachable).
 *
 * With several sources (the publisher and relays, which serve the same
 * signed journal) one is used at a time: both its channels.  When it
 * gives no fresh heartbeat for failover_after seconds (unreachable,
 * refused at the handshake, or cut off upstream), the next one takes
 * over, round robin: new sockets, catch-up from the last archived
 * sequence at once, and the outbox's unconfirmed entries sent again.
 * The sequence numbers place whatever comes, so nothing is lost and
 * nothing archived twice.
 */
#include <errno.h>
#include <libintl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zmq.h>

#include "cb_daemon.h"
#include "cb_file.h"
#include "cb_http.h"
#include "cb_locale.h"
#include "cb_log.h"
#include "cb_mem.h"
#include "cb_net.h"
#include "cb_time.h"
#include "sub_ack.h"
#include "cb_catchup.h"
#include "sub_daemon.h"
#include "cb_keys.h"
#include "sub_link.h"
#include "sub_metrics.h"
#include "sub_outbox.h"
#include "sub_notify.h"
#include "sub_pool.h"
#include "cb_recv.h"
#include "sub_store.h"

#define _(s) gettext(s)

#define SUB_RCVHWM 100000
#define SUB_REMIND_MAX 100 /* reminders in one round */
#define SUB_BATCH_MAX (CB_REQ_MAXBATCH + 24) /* messages in one
			    * transaction: a catch-up batch, its END and a
			    * few live ones */
#define SUB_BATCH_MS 200   /* and at most this long taking them in */
#define SUB_BATCH_SAY 250  /* say how far a batch is, every so many */

/* An advisory archived in the open batch, told about once it commits. */
struct told {
	struct cb_incoming in;
	struct cb_frames f; /* what in points into */
	int live;
};

struct sub_ctx {
	struct sub_config *cfg; /* replaced in place by a reload */
	int lockfd;
	struct cb_pubkey key;     /* the pinned publisher key */
	struct cb_keys keys;     /* which key signs now (rotations) */
	uint8_t certified[CB_SIG_KEYIDLEN]; /* its certificate is kept */
	struct cb_seckey *agency; /* our key: CurveZMQ, receipts; or NULL */
	struct sub_sources src;  /* where from, one at a time */
	struct cb_pubkey *server; /* each source's CurveZMQ key */
	size_t cur;              /* the source in use */
	int64_t source_ms;       /* monotonic time it was taken */
	unsigned long switches;  /* to another source, since start */
	int64_t next_presence_ms;
	uint64_t taken_logged;    /* the publisher's highest, last logged */
	struct sub_store *store;
	void *sock;
	struct sub_link *link;       /* why the channel is silent */
	struct cb_catchup *catchup; /* NULL without a requests endpoint */
	uint64_t last_seq;      /* last archived */
	uint64_t publisher_seq; /* latest the publisher announced */
	int64_t last_hb_ms;     /* monotonic time of the last fresh one */
	int stale;              /* the alarm is raised */
	int64_t last_hb_wall_ms; /* the last valid heartbeat, wall clock */
	unsigned long archived, dropped, ignored;
	char said[640];         /* the last problem logged as a warning */
	char stall_why[640];    /* the first problem in this catch-up batch */
	int in_catchup;         /* handling a catch-up reply */
	struct sub_notify *notify;
	int64_t next_remind_ms; /* monotonic time of the next reminders */
	int64_t born_ms;        /* when the archive was made; 0: unknown */
	unsigned long dropped_by[SUB_DROP_COUNT]; /* /metrics */
	struct cb_http *http;   /* /metrics, or NULL */
	uint64_t batch_seq;     /* last_seq when the open batch began */
	struct sub_pool *pool;  /* verifies beside the main thread */
	struct told *told;      /* archived in the open batch */
	size_t ntold, captold;
};

/* The agency's key (canhbao-sub keygen): required for CurveZMQ,
 * optional with --insecure (then no receipts go back). */
static int
open_agency_key(struct sub_ctx *c, struct cb_err *err)
{
	char *path = cb_xasprintf("%s/%s", c->cfg->state, SUB_AGENCY_KEY_FILE);
	int missing = access(path, F_OK) < 0;

	if (missing && c->cfg->insecure) {
		free(path);
		return 0;
	}
	if (missing) {
		cb_err_set(err, "no agency key '%s': run 'canhbao-sub keygen "
		    "--state %s' and have the department register agency.pub "
		    "(or use --insecure)", path, c->cfg->state);
		free(path);
		return -1;
	}
	c->agency = cb_sig_read_seckey(path, err);
	free(path);
	return c->agency == NULL ? -1 : 0;
}

/* The pinned key, the latest rotation recorded, the revoked list. */
static int
load_keys(struct sub_ctx *c, struct cb_err *err)
{
	struct cb_pubkey pk;
	char hex[CB_SIG_KEYIDHEX];
	int found;

	cb_keys_init(&c->keys, &c->key);
	if (c->cfg->revoked_keys != NULL &&
	    cb_keys_revoke(&c->keys, c->cfg->revoked_keys, err) < 0)
		return -1;
	found = sub_store_signing_key(c->store, &pk, &c->keys.since, err);
	if (found < 0)
		return -1;
	if (found)
		c->keys.current = pk;
	if (cb_keys_is_revoked(&c->keys, c->keys.current.id))
		log_warnx(_("the publisher's current key %s is revoked: "
			    "nothing it signs is accepted"),
		    cb_sig_keyid_hex(c->keys.current.id, hex));
	return 0;
}

/* The sources, and the CurveZMQ key of each: its --server-key file,
 * or the pinned publisher key. */
static int
open_sources(struct sub_ctx *c, struct cb_err *err)
{
	size_t i;

	if (sub_config_sources(c->cfg, &c->src, err) < 0)
		return -1;
	c->server = cb_xcalloc(c->src.n, sizeof(*c->server));
	for (i = 0; i < c->src.n; i++) {
		c->server[i] = c->key;
		if (c->src.v[i].server_key != NULL &&
		    cb_sig_read_pubkey(c->src.v[i].server_key, &c->server[i],
			err) < 0) {
			cb_err_prefix(err, "server key of source %zu", i + 1);
			return -1;
		}
	}
	return 0;
}

static int
open_state(struct sub_ctx *c, struct cb_err *err)
{
	char *path;

	if (cb_sig_read_pubkey(c->cfg->publisher_key, &c->key, err) < 0 ||
	    cb_file_private_dir(c->cfg->state, 1, err) < 0)
		return -1;
	path = cb_xasprintf("%s/%s", c->cfg->state, SUB_LOCK_FILE);
	c->lockfd = cb_file_lock(path, err);
	free(path);
	if (c->lockfd < 0)
		return -1;
	if (open_agency_key(c, err) < 0)
		return -1;
	path = cb_xasprintf("%s/%s", c->cfg->state, SUB_ARCHIVE_FILE);
	c->store = sub_store_open(path, 0, err);
	free(path);
	if (c->store == NULL)
		return -1;
	if (sub_store_pin(c->store, &c->key, err) < 0)
		return -1;
	sub_store_set_receipts(c->store, c->agency != NULL);
	return load_keys(c, err) < 0 || open_sources(c, err) < 0 ||
	    sub_outbox_restart(sub_store_db(c->store), err) < 0 ? -1 :
	    sub_store_last_seq(c->store, c->key.id, &c->last_seq, err);
}

/* CurveZMQ on a client socket: the server's key is the X25519 form of
 * the source's key (the pinned one for the publisher), ours of the
 * agency key.  Nothing with --insecure. */
static int
curve(struct sub_ctx *c, void *sock, struct cb_err *err)
{
	if (c->cfg->insecure)
		return 0;
	return cb_net_curve_client_key(sock, &c->server[c->cur], c->agency,
	    err);
}

/* The monitor on our sockets names our CurveZMQ key when the
 * publisher refuses it. */
static void
open_link(struct sub_ctx *c)
{
	struct cb_pubkey agency;
	uint8_t pub[32];
	int have = 0;

	if (!c->cfg->insecure && c->agency != NULL) {
		cb_seckey_public(c->agency, &agency);
		have = cb_sig_curve_public(&agency, pub) == 0;
	}
	c->link = sub_link_new(c->cfg->state, c->cfg->insecure,
	    have ? pub : NULL);
}

/* Both channels of the source in use, watched by a new sub_link. */
static int
open_sockets(struct sub_ctx *c, struct cb_err *err)
{
	const struct sub_source *s = &c->src.v[c->cur];
	int hwm = SUB_RCVHWM;

	open_link(c);
	sub_link_source(c->link, c->cur, c->src.n, s->broadcast, s->requests);
	c->sock = cb_net_socket(ZMQ_SUB, err);
	if (c->sock == NULL)
		return -1;
	zmq_setsockopt(c->sock, ZMQ_RCVHWM, &hwm, sizeof(hwm));
	zmq_setsockopt(c->sock, ZMQ_SUBSCRIBE, "adv.", 4);
	zmq_setsockopt(c->sock, ZMQ_SUBSCRIBE, "hb", 2);
	zmq_setsockopt(c->sock, ZMQ_SUBSCRIBE, "key", 3);
	cb_net_keepalive(c->sock);
	if (curve(c, c->sock, err) < 0 ||
	    sub_link_watch(c->link, "broadcast", c->sock, s->broadcast,
		err) < 0 ||
	    cb_net_connect(c->sock, s->broadcast, err) < 0)
		return -1;
	if (s->requests != NULL) {
		c->catchup = cb_catchup_open(s->requests, err);
		if (c->catchup == NULL ||
		    curve(c, cb_catchup_socket(c->catchup), err) < 0 ||
		    sub_link_watch(c->link, "requests",
			cb_catchup_socket(c->catchup), s->requests, err) < 0 ||
		    cb_catchup_connect(c->catchup, s->requests, err) < 0)
			return -1;
	}
	return 0;
}

/* The source's sockets and their watcher (the monitors first). */
static void
close_sockets(struct sub_ctx *c)
{
	sub_link_free(c->link);
	c->link = NULL;
	cb_catchup_close(c->catchup);
	c->catchup = NULL;
	cb_net_close(c->sock);
	c->sock = NULL;
}

static void
close_all(struct sub_ctx *c)
{
	cb_http_close(c->http);
	sub_notify_free(c->notify);
	sub_pool_free(c->pool);
	close_sockets(c);
	cb_net_shutdown();
	sub_sources_release(&c->src);
	free(c->server);
	sub_store_close(c->store);
	cb_seckey_free(c->agency);
	if (c->lockfd >= 0)
		close(c->lockfd);
}

/* 1 when problem why should be logged only at debug level: it is the
 * one logged last (said once per change, not once per message), or it
 * comes in a catch-up reply while catch-up backs off (the back-off said
 * why when it started).  The first problem in a catch-up batch is kept
 * as the reason a back-off gives. */
static int
quiet(struct sub_ctx *c, const char *why)
{
	if (c->in_catchup && c->stall_why[0] == '\0')
		snprintf(c->stall_why, sizeof(c->stall_why), "%s", why);
	if ((c->in_catchup && cb_catchup_backoff(c->catchup) > 0) ||
	    strcmp(why, c->said) == 0)
		return 1;
	snprintf(c->said, sizeof(c->said), "%s", why);
	return 0;
}

/* A message that could not be archived, logged as quiet() says. */
static void
problem(struct sub_ctx *c, const char *why)
{
	if (quiet(c, why))
		log_debug("%s", why);
	else
		log_warnx("%s", why);
}

static void
drop(struct sub_ctx *c, enum sub_drop reason, const char *why)
{
	c->dropped++;
	c->dropped_by[reason]++;
	if (quiet(c, why))
		log_debug("dropped message (%lu so far): %s", c->dropped, why);
	else
		log_warnx(_("dropped message (%lu so far): %s"), c->dropped,
		    why);
}

/* Is a caught-up message old news?  It is when it was issued before
 * the archive existed (a new agency's history) or longer ago than a
 * heartbeat stays fresh (a machine that was off); one caught up
 * moments after it was issued (a gap on a lossy link) is live. */
static int
old_news(struct sub_ctx *c, const struct cb_incoming *in)
{
	struct cb_err err;

	if (c->born_ms == 0 &&
	    sub_ack_created(c->store, &c->born_ms, &err) < 0)
		log_warnx("%s", err.msg);
	return in->msg.issued_ms < c->born_ms ||
	    cb_time_diff_ms(cb_time_now_ms(), in->msg.issued_ms) >
	    (int64_t)c->cfg->stale_after * 1000;
}

/* Tell people about an advisory just archived, down every path that is
 * on and that the filters allow (sub_notify); the terminal path prints
 * "SEQ SEVERITY ID rREVISION [STATUS] TITLE".  What a catch-up brings
 * that is old news is summed up, quietly, and logged at debug level
 * only (a machine back from the holiday logs no flood). */
static void
report(struct sub_ctx *c, const struct cb_incoming *in, int live)
{
	const struct cb_log_about about = { .id = in->adv.id,
		.seq = in->msg.seq,
		.severity = cb_severity_name(in->adv.severity) };
	int old = !live && old_news(c, in);

	if (old)
		log_debug_about(&about, "archived seq %llu: %s revision %u",
		    (unsigned long long)in->msg.seq, in->adv.id,
		    in->adv.revision);
	else
		log_info_about(&about, "archived seq %llu: %s revision %u (%s)",
		    (unsigned long long)in->msg.seq, in->adv.id,
		    in->adv.revision, about.severity);
	sub_notify_advisory(c->notify, old ? SUB_EVENT_CATCHUP :
					     SUB_EVENT_ADVISORY,
	    in->msg.seq, &in->adv, in->msg.payload, in->msg.payload_len);
}

/* Ask for what is missing after the last archived message. */
static void
catch_up(struct sub_ctx *c, const char *why)
{
	if (c->catchup == NULL) {
		log_warnx(_("%s, and no requests endpoint to catch up from"),
		    why);
		return;
	}
	if (!cb_catchup_busy(c->catchup) &&
	    cb_catchup_backoff(c->catchup) == 0)
		log_info(_("catching up after seq %llu: %s"),
		    (unsigned long long)c->last_seq, why);
	cb_catchup_ask(c->catchup, c->last_seq);
}

/* A key rotation, in its place in the sequence: from now on only the
 * new key is accepted. */
static void
rotate(struct sub_ctx *c, const struct cb_incoming *in)
{
	struct cb_keys next = c->keys;
	char hex[CB_SIG_KEYIDHEX];
	struct cb_err err;
	char why[sizeof(err.msg) + 64];

	if (cb_keys_rotate(&next, &in->msg, &err) < 0) {
		drop(c, SUB_DROP_ROTATION, err.msg);
		return;
	}
	if (sub_store_rotate(c->store, &in->msg, &next.current,
		in->signed_bytes, in->signed_len, in->sigblock,
		in->sigblock_len, &err) < 0) {
		snprintf(why, sizeof(why), "cannot record the key rotation: %s",
		    err.msg);
		problem(c, why);
		return;
	}
	c->keys = next;
	c->last_seq = in->msg.seq;
	log_info_about(&(struct cb_log_about){ .seq = in->msg.seq },
	    _("publisher key rotated to %s at seq %llu"),
	    cb_sig_keyid_hex(next.current.id, hex),
	    (unsigned long long)in->msg.seq);
}

/* --- the batch: one transaction, then the news ------------------------ */

static void
forget_told(struct sub_ctx *c)
{
	size_t i;

	for (i = 0; i < c->ntold; i++) {
		cb_incoming_release(&c->told[i].in);
		cb_frames_release(&c->told[i].f);
	}
	c->ntold = 0;
}

/* Keep an advisory archived in the open batch (taking in and f over)
 * to tell about it when the batch commits. */
static void
keep_told(struct sub_ctx *c, struct cb_incoming *in, struct cb_frames *f,
    int live)
{
	if (c->ntold == c->captold) {
		c->captold = c->captold ? 2 * c->captold : 64;
		c->told = cb_xrealloc(c->told, c->captold * sizeof(*c->told));
	}
	c->told[c->ntold++] = (struct told){ .in = *in, .f = *f,
		.live = live };
	memset(in, 0, sizeof(*in));
	cb_adv_init(&in->adv);
	memset(f, 0, sizeof(*f));
}

/* Begin the batch with the first message it archives. */
static int
open_batch(struct sub_ctx *c)
{
	struct cb_err err;
	char why[sizeof(err.msg) + 64];

	if (sub_store_in_batch(c->store))
		return 0;
	if (sub_store_batch(c->store, 1, &err) < 0) {
		snprintf(why, sizeof(why), "cannot archive: %s", err.msg);
		problem(c, why);
		return -1;
	}
	c->batch_seq = c->last_seq;
	log_debug("archiving a batch after seq %llu",
	    (unsigned long long)c->last_seq);
	return 0;
}

/* The open batch was rolled back: nothing of it is archived.  The last
 * sequence goes back, and catch-up fetches it all again. */
static void
lost_batch(struct sub_ctx *c)
{
	c->last_seq = c->batch_seq;
	forget_told(c);
	/* a certificate kept inside it is gone too: keep the next one */
	memset(c->certified, 0, sizeof(c->certified));
	if (c->catchup != NULL)
		cb_catchup_ask(c->catchup, c->last_seq);
}

/* Commit the open batch, then tell about what it archived (when the
 * commit fails, lost_batch).  0, or -1 when the commit failed. */
static int
end_batch(struct sub_ctx *c)
{
	struct cb_err err;
	char why[sizeof(err.msg) + 96];
	size_t i;

	if (!sub_store_in_batch(c->store))
		return 0;
	if (sub_store_batch(c->store, 0, &err) < 0) {
		snprintf(why, sizeof(why), "cannot archive seq %llu to %llu: %s",
		    (unsigned long long)c->batch_seq + 1,
		    (unsigned long long)c->last_seq, err.msg);
		problem(c, why);
		lost_batch(c);
		return -1;
	}
	log_debug("archived seq %llu to %llu in one transaction",
	    (unsigned long long)c->batch_seq + 1,
	    (unsigned long long)c->last_seq);
	for (i = 0; i < c->ntold; i++) {
		c->archived++;
		report(c, &c->told[i].in, c->told[i].live);
	}
	forget_told(c);
	return 0;
}

/* Archive in, in its place in the sequence, inside the open batch; a
 * new advisory is told about (taking in and f over) when it commits. */
static void
archive(struct sub_ctx *c, struct cb_incoming *in, struct cb_frames *f,
    int live)
{
	struct cb_err err;
	char why[sizeof(err.msg) + 64];
	int rc;

	if (in->msg.seq <= c->last_seq) {
		/* Seen already: a late live copy of a caught-up message,
		 * or a replay.  Either way nothing changes. */
		c->ignored++;
		if (live)
			log_debug("ignored seq %llu: not newer than %llu "
			    "(duplicate or replayed)",
			    (unsigned long long)in->msg.seq,
			    (unsigned long long)c->last_seq);
		return;
	}
	if (in->msg.seq > c->last_seq + 1 && c->catchup != NULL) {
		snprintf(why, sizeof(why), "received seq %llu",
		    (unsigned long long)in->msg.seq);
		catch_up(c, why);
		return; /* it comes again, in order, with the catch-up */
	}
	if (in->msg.seq > c->last_seq + 1) /* nothing to catch up from */
		log_warnx(_("gap: sequences %llu to %llu are missing (no "
			    "requests endpoint to fetch them from)"),
		    (unsigned long long)c->last_seq + 1,
		    (unsigned long long)in->msg.seq - 1);
	if (in->msg.type == CB_MSG_ROTATE) {
		if (end_batch(c) == 0) /* the new key signs what follows */
			rotate(c, in);
		return;
	}
	if (open_batch(c) < 0)
		return;
	rc = sub_store_put(c->store, &in->msg, &in->adv, in->signed_bytes,
	    in->signed_len, in->sigblock, in->sigblock_len, &err);
	if (rc < 0) {
		snprintf(why, sizeof(why), "cannot archive seq %llu: %s",
		    (unsigned long long)in->msg.seq, err.msg);
		problem(c, why);
		lost_batch(c); /* the error rolled the batch back */
		return;
	}
	c->last_seq = in->msg.seq;
	c->said[0] = '\0'; /* moved on: a problem that comes back is news */
	if ((c->last_seq - c->batch_seq) % SUB_BATCH_SAY == 0)
		log_debug("batch after seq %llu: %llu archived, not yet "
			  "committed", (unsigned long long)c->batch_seq,
		    (unsigned long long)(c->last_seq - c->batch_seq));
	if (rc == 1)
		keep_told(c, in, f, live);
}

static void
alarm_state(struct sub_ctx *c, int stale)
{
	const char *why, *local;

	if (stale == c->stale)
		return;
	c->stale = stale;
	sub_link_health(c->link, c->last_hb_wall_ms, c->publisher_seq, stale);
	why = sub_link_why(c->link);
	local = sub_link_why_local(c->link);
	if (stale)
		log_warnx(_("ALARM: channel stale, no valid heartbeat for %d "
			    "s%s%s"),
		    c->cfg->stale_after, local != NULL ? ": " : "",
		    local != NULL ? local : "");
	else
		log_info(_("channel alive again"));
	sub_notify_alarm(c->notify, stale, c->cfg->stale_after,
	    stale ? why : NULL, stale ? local : NULL);
}

static void
keep_cert(const struct cb_pubkey *pk, const uint8_t *cert, size_t len,
    void *arg)
{
	struct sub_ctx *c = arg;
	struct cb_err err;

	if (sub_store_certify(c->store, pk->id, cert, len, &err) < 0)
		log_warnx(_("cannot keep the certificate of the publisher's "
			    "key: %s"),
		    err.msg);
}

/* Keep the certificates a heartbeat carries (for exports), once for
 * each signing key. */
static void
keep_certs(struct sub_ctx *c, const struct cb_incoming *in)
{
	struct cb_err err;

	if (in->msg.payload_len == 0 ||
	    memcmp(c->certified, c->keys.current.id, CB_SIG_KEYIDLEN) == 0)
		return;
	memcpy(c->certified, c->keys.current.id, CB_SIG_KEYIDLEN);
	if (cb_msg_cert_entries(in->msg.payload, in->msg.payload_len,
		&c->keys.identity, keep_cert, c, &err) < 0)
		log_warnx(_("heartbeat: %s"), err.msg);
}

static void
heartbeat(struct sub_ctx *c, const struct cb_incoming *in)
{
	int64_t age_ms = cb_time_diff_ms(cb_time_now_ms(), in->msg.issued_ms);
	char why[128];

	if (age_ms > (int64_t)c->cfg->stale_after * 1000 ||
	    age_ms < -(int64_t)c->cfg->stale_after * 1000) {
		log_warnx(_("heartbeat issued %lld s from now does not count "
			    "as fresh"),
		    (long long)(-age_ms / 1000));
		return;
	}
	c->last_hb_ms = cb_time_mono_ms();
	c->last_hb_wall_ms = cb_time_now_ms();
	keep_certs(c, in);
	log_debug("heartbeat: the publisher is at seq %llu",
	    (unsigned long long)in->msg.seq);
	alarm_state(c, 0);
	if (in->msg.seq > c->publisher_seq)
		c->publisher_seq = in->msg.seq;
	sub_link_health(c->link, c->last_hb_wall_ms, c->publisher_seq, 0);
	if (in->msg.seq > c->last_seq) {
		snprintf(why, sizeof(why), "the publisher is at seq %llu",
		    (unsigned long long)in->msg.seq);
		catch_up(c, why);
	} else if (in->msg.seq < c->last_seq) {
		log_warnx(_("heartbeat says the publisher is at seq %llu, "
			    "behind our %llu: its journal went back?"),
		    (unsigned long long)in->msg.seq,
		    (unsigned long long)c->last_seq);
	}
}

/* A message signed by a key in revoked_keys counts for nothing, even
 * when that key is the current one. */
static int
revoked(struct sub_ctx *c, struct cb_incoming *in, struct cb_err *err)
{
	char hex[CB_SIG_KEYIDHEX];

	if (!cb_keys_is_revoked(&c->keys, in->msg.key_id))
		return 0;
	cb_err_set(err, "seq %llu is signed by revoked key %s",
	    (unsigned long long)in->msg.seq,
	    cb_sig_keyid_hex(in->msg.key_id, hex));
	cb_incoming_release(in);
	return 1;
}

/* --- the way back: the outbox ---------------------------------------- */

/* "Number taken": our numbers clash with what the publisher holds (a
 * lost archive, a clock set back).  Renumber above its highest; say so
 * once for each highest it reports, not once for each entry. */
static void
renumber(struct sub_ctx *c, const struct cb_req *r)
{
	struct cb_err err;
	size_t n;

	if (sub_outbox_renumber(sub_store_db(c->store), r->seq, r->highest,
		&n, &err) < 0) {
		log_errx("outbox: %s", err.msg);
		return;
	}
	if (n > 0 && r->highest > c->taken_logged) {
		log_warnx(
		    _("the publisher already holds other messages of ours "
		      "under numbers up to %llu (an archive lost, or the "
		      "clock set back): renumbered our outbox above them"),
		    (unsigned long long)r->highest);
		c->taken_logged = r->highest;
	}
}

static void
confirmed(struct sub_ctx *c, const struct cb_req *r)
{
	struct cb_err err;

	if (r->status == CB_REQ_TAKEN) {
		renumber(c, r);
		return;
	}
	if (r->status == CB_REQ_REFUSED)
		log_warnx(_("the publisher refused our message %llu for good: "
			    "%s (canhbao-sub status lists it)"),
		    (unsigned long long)r->seq, r->reason);
	else if (r->status == CB_REQ_LATER)
		log_warnx(_("the publisher does not know our agency key yet; "
			    "message %llu waits"),
		    (unsigned long long)r->seq);
	if (sub_outbox_confirm(sub_store_db(c->store), r->seq,
		(enum cb_req_status)r->status, r->reason, cb_time_mono_ms(),
		&err) < 0)
		log_errx("outbox: %s", err.msg);
}

/* Send what is due from the outbox (which bounds the entries that
 * wait for an answer). */
static void
flush_outbox(struct sub_ctx *c)
{
	struct sub_outbox_item item;
	struct cb_err err;
	int rc;

	if (c->agency == NULL || c->catchup == NULL)
		return;
	while ((rc = sub_outbox_next(sub_store_db(c->store), c->agency,
		    cb_time_mono_ms(), &item, &err)) > 0) {
		cb_catchup_submit(c->catchup, &item.s);
		cb_sealed_release(&item.s);
	}
	if (rc < 0)
		log_errx("outbox: %s", err.msg);
}

/* Presence: a signed sign of life every "presence" seconds. */
static void
presence(struct sub_ctx *c)
{
	char when[CB_TIME_BUFSZ], *payload;
	struct cb_err err;

	if (c->agency == NULL || c->cfg->presence <= 0 ||
	    cb_time_mono_ms() < c->next_presence_ms)
		return;
	c->next_presence_ms = cb_time_mono_ms() +
	    (int64_t)c->cfg->presence * 1000;
	payload = cb_xasprintf("{\"at\":\"%s\",\"last_seq\":%llu}",
	    cb_time_format(cb_time_now(), when),
	    (unsigned long long)c->last_seq);
	if (sub_outbox_add(sub_store_db(c->store), CB_MSG_PRESENCE, payload,
		&err) < 0)
		log_errx("outbox: %s", err.msg);
	free(payload);
}

/* The END of our request: ask for the next batch, or back off when the
 * batch moved nothing on, saying so once when that starts and once
 * when it ends.  The next batch is asked for before this one commits,
 * so that it comes in meanwhile (should the commit fail, the answer
 * brings nothing archivable and the back-off asks again). */
static void
batch_ended(struct sub_ctx *c, const struct cb_req *end)
{
	enum cb_catchup_change change;

	if (end->latest > c->publisher_seq)
		c->publisher_seq = end->latest;
	change = cb_catchup_ended(c->catchup, c->last_seq, end->latest);
	end_batch(c); /* what it brought is archived, then said */
	switch (change) {
	case CB_CATCHUP_STALLED:
		log_warnx(_("catch-up makes no progress past seq %llu (%s): "
			    "asking for the next message again in %lld s, "
			    "then less and less often, up to every %d s"),
		    (unsigned long long)c->last_seq,
		    c->stall_why[0] != '\0' ? c->stall_why : "nothing came",
		    (long long)(cb_catchup_backoff(c->catchup) / 1000),
		    CB_CATCHUP_BACKOFF_MAX_MS / 1000);
		break;
	case CB_CATCHUP_MOVING:
		log_info(_("catch-up moves on again, at seq %llu"),
		    (unsigned long long)c->last_seq);
		break;
	case CB_CATCHUP_SAME:
		break;
	}
	c->stall_why[0] = '\0';
	if (end->latest <= c->last_seq)
		log_info(_("caught up at seq %llu"),
		    (unsigned long long)c->last_seq);
}

/* --- taking messages in: a batch ------------------------------------ */

enum item_kind {
	ITEM_LIVE,    /* a broadcast message */
	ITEM_MSG,     /* a message a catch-up brought */
	ITEM_END,     /* the end of our catch-up request */
	ITEM_CONFIRM, /* the publisher's answer to a submission */
	ITEM_BAD      /* could not be read; err says why */
};

/* One message taken in, in the order it came. */
struct item {
	enum item_kind kind;
	struct cb_frames f;
	struct cb_req end;     /* END, CONFIRM */
	struct cb_incoming in;
	int ok;                /* verified: in holds it */
	struct cb_err err;
};

struct batch {
	struct item *v;
	size_t n, cap;
	size_t verified;      /* v[0..verified) are */
	size_t handled;       /* v[0..handled) are archived, or dropped */
	struct cb_pubkey key; /* what they were verified against */
};

static struct item *
batch_add(struct batch *b, enum item_kind kind)
{
	struct item *it;

	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 16;
		b->v = cb_xrealloc(b->v, b->cap * sizeof(*b->v));
	}
	it = &b->v[b->n++];
	memset(it, 0, sizeof(*it));
	it->kind = kind;
	cb_adv_init(&it->in.adv);
	return it;
}

/* One broadcast message into b, if one waits: 1 when one was taken. */
static int
take_live(struct sub_ctx *c, struct batch *b)
{
	struct cb_frames f;
	struct cb_err err;
	struct item *it;

	if (cb_net_recv(c->sock, &f, ZMQ_DONTWAIT, &err) < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		batch_add(b, ITEM_BAD)->err = err;
		return 1;
	}
	it = batch_add(b, ITEM_LIVE);
	it->f = f;
	return 1;
}

/* One reply on the requests channel into b, if one waits: 1 when one
 * was taken. */
static int
take_catchup(struct sub_ctx *c, struct batch *b)
{
	struct cb_frames f;
	struct cb_req end;
	struct cb_err err;

	switch (cb_catchup_recv(c->catchup, &f, &end, &err)) {
	case CB_CATCHUP_NONE:
		return 0;
	case CB_CATCHUP_BAD:
		batch_add(b, ITEM_BAD)->err = err;
		break;
	case CB_CATCHUP_END:
		batch_add(b, ITEM_END)->end = end;
		break;
	case CB_CATCHUP_CONFIRM:
		batch_add(b, ITEM_CONFIRM)->end = end;
		break;
	case CB_CATCHUP_MSG:
		batch_add(b, ITEM_MSG)->f = f;
		break;
	}
	return 1;
}

/* Check the signature of a message taken in against key, then parse
 * it (cb_recv). */
static void
verify(struct item *it, const struct cb_pubkey *key)
{
	if (it->kind == ITEM_LIVE)
		it->ok = cb_recv_check(key, 1, &it->f, &it->in,
		    &it->err) == 0;
	else if (it->kind == ITEM_MSG)
		it->ok = cb_recv_open(key, 1, it->f.data[1], it->f.len[1],
		    it->f.data[2], it->f.len[2], &it->in, &it->err) == 0;
}

/* Item i against the batch's key: on both threads of the pool, each on
 * its own items. */
static void
verify_item(size_t i, void *arg)
{
	struct batch *b = arg;

	verify(&b->v[i], &b->key);
}


/* A rotation earlier in the batch installed another key than the one
 * the batch was verified against: check it again with the new one. */
static void
verify_again(struct sub_ctx *c, struct batch *b, struct item *it)
{
	if ((it->kind != ITEM_LIVE && it->kind != ITEM_MSG) ||
	    memcmp(&b->key, &c->keys.current, sizeof(b->key)) == 0)
		return;
	cb_incoming_release(&it->in);
	verify(it, &c->keys.current);
}

/* 1 when the item is dropped (and counted by reason): it did not
 * verify, or its key is revoked. */
static int
dropped(struct sub_ctx *c, struct item *it)
{
	if (!it->ok)
		drop(c, SUB_DROP_INVALID, it->err.msg);
	else if (revoked(c, &it->in, &it->err))
		drop(c, SUB_DROP_REVOKED, it->err.msg);
	else
		return 0;
	return 1;
}

static void
live_item(struct sub_ctx *c, struct item *it)
{
	if (dropped(c, it))
		return;
	if (it->in.msg.type == CB_MSG_HEARTBEAT)
		heartbeat(c, &it->in);
	else
		archive(c, &it->in, &it->f, 1);
}

static void
catchup_item(struct sub_ctx *c, struct item *it)
{
	c->in_catchup = 1;
	if (!dropped(c, it) && (it->in.msg.type == CB_MSG_ADVISORY ||
	    it->in.msg.type == CB_MSG_ROTATE))
		archive(c, &it->in, &it->f, 0);
	c->in_catchup = 0;
}

/* Act on one message of the batch, in order. */
static void
handle(struct sub_ctx *c, struct batch *b, struct item *it)
{
	verify_again(c, b, it);
	switch (it->kind) {
	case ITEM_LIVE:
		live_item(c, it);
		break;
	case ITEM_MSG:
		catchup_item(c, it);
		break;
	case ITEM_END:
		batch_ended(c, &it->end);
		break;
	case ITEM_CONFIRM:
		confirmed(c, &it->end);
		break;
	case ITEM_BAD:
		drop(c, SUB_DROP_TRANSPORT, it->err.msg);
		break;
	}
	cb_incoming_release(&it->in);
	cb_frames_release(&it->f);
}

/* Verify what came since the last call on the pool's thread while
 * this one acts in order on what was verified before (archiving it in
 * the open batch), then help verify; with last, act on all of it. */
static void
work_on(struct sub_ctx *c, struct batch *b, int last)
{
	struct batch part = *b;

	part.v = b->v + b->verified;
	part.n = b->n - b->verified;
	sub_pool_start(c->pool, part.n, verify_item, &part);
	while (b->handled < b->verified)
		handle(c, b, &b->v[b->handled++]);
	sub_pool_finish(c->pool);
	b->verified = b->n;
	while (last && b->handled < b->verified)
		handle(c, b, &b->v[b->handled++]);
}

/* 1 while the answer to our catch-up request is coming in: b holds
 * some of it and its END has not come. */
static int
answer_coming(struct sub_ctx *c, const struct batch *b)
{
	return c->catchup != NULL && cb_catchup_busy(c->catchup) &&
	    b->n > 0 && b->v[b->n - 1].kind == ITEM_MSG;
}

/* Wait until the requests channel has more, or until deadline: 1 when
 * it has. */
static int
await_answer(struct sub_ctx *c, int64_t deadline)
{
	zmq_pollitem_t item = { .socket = cb_catchup_socket(c->catchup),
		.events = ZMQ_POLLIN };

	return zmq_poll(&item, 1, cb_time_until_ms(deadline)) > 0;
}

/* Take in what waits on both channels, a batch at a time: at most
 * SUB_BATCH_MAX messages or SUB_BATCH_MS, so that a lone advisory
 * lands at once and a flood still commits often; a catch-up answer
 * that is coming in (the publisher sends it as we read) is waited for
 * within those bounds, verifying and archiving what came meanwhile.
 * Verify them on both threads, archive them in one transaction,
 * commit, and only then tell about them. */
static void
take_in(struct sub_ctx *c)
{
	int64_t deadline = cb_time_mono_ms() + SUB_BATCH_MS;
	struct batch b = { .key = c->keys.current };
	int got;

	do {
		got = take_live(c, &b);
		if (c->catchup != NULL)
			got += take_catchup(c, &b);
		if (got == 0 && answer_coming(c, &b)) {
			work_on(c, &b, 0); /* while the rest comes */
			got = await_answer(c, deadline);
		}
	} while (got > 0 && b.n < SUB_BATCH_MAX &&
	    cb_time_mono_ms() < deadline);
	work_on(c, &b, 1);
	end_batch(c);
	free(b.v);
}

static int
remind_one(const struct sub_row *r, void *arg)
{
	struct sub_ctx *c = arg;
	const char *json = (const char *)r->signed_bytes + CB_MSG_HDRLEN;
	size_t len = r->signed_len > CB_MSG_HDRLEN ?
	    r->signed_len - CB_MSG_HDRLEN : 0;
	struct cb_adv adv;
	struct cb_err err;

	cb_adv_init(&adv);
	if (len == 0 || cb_adv_from_json(&adv, json, len, 0, &err) < 0)
		log_warnx_about(&(struct cb_log_about){ .seq = r->seq },
		    _("archived seq %llu is damaged; no reminder"),
		    (unsigned long long)r->seq);
	else
		sub_notify_advisory(c->notify, SUB_EVENT_REMINDER, r->seq, &adv,
		    (const uint8_t *)json, len);
	cb_adv_release(&adv);
	return 0;
}

/* Every renotify seconds, remind of each critical advisory that nobody
 * has acknowledged yet ("canhbao-sub ack" writes the acknowledgement
 * into the archive from another process). */
static void
remind(struct sub_ctx *c)
{
	int64_t now = cb_time_now();
	struct cb_err err;
	int n;

	if (c->cfg->renotify <= 0 || cb_time_mono_ms() < c->next_remind_ms)
		return;
	c->next_remind_ms = cb_time_mono_ms() +
	    (int64_t)c->cfg->renotify * 1000;
	n = sub_ack_reminders(c->store, now, now - c->cfg->renotify,
	    SUB_REMIND_MAX, remind_one, c, &err);
	if (n < 0)
		log_errx("cannot look for advisories to remind of: %s",
		    err.msg);
	else if (n > 0)
		log_info(_("reminded of %d unacknowledged critical "
			   "advisor%s%s"),
		    n, n == 1 ? "y" : "ies",
		    n == SUB_REMIND_MAX ? _(" (the oldest; there are more)")
					: "");
	else
		log_debug("reminders: none due");
}

/* Acknowledge from a pop-up (sub_desk_ops.ack). */
static int
desk_ack(const char *id, const char *by, void *arg, struct cb_err *err)
{
	struct sub_ctx *c = arg;
	struct sub_ack a;
	int rc = sub_ack_add(c->store, id, by, NULL, cb_time_now(), &a, err);

	if (rc == 0)
		return cb_err_set(err, "no advisory '%s' in the archive", id);
	if (rc > 0)
		sub_ack_release(&a);
	return rc < 0 ? -1 : 0;
}

static int
newest_ack(const struct sub_ack *a, void *arg)
{
	unsigned *rev = arg;

	if (a->revision > *rev)
		*rev = a->revision;
	return 0;
}

/* Is revision rev of id acknowledged, from here or by "canhbao-sub
 * ack" in another process (sub_desk_ops.acked)? */
static int
desk_acked(const char *id, unsigned rev, void *arg)
{
	struct sub_ctx *c = arg;
	struct cb_err err;
	unsigned newest = 0;

	if (sub_ack_each(c->store, id, newest_ack, &newest, &err) < 0)
		return -1;
	return newest >= rev;
}

/* The outbox's next entry due: one added by another process ("ack",
 * "report") is seen at the next wake-up, a heartbeat at the latest. */
static int64_t
outbox_deadline(struct sub_ctx *c)
{
	struct cb_err err;
	int64_t at;

	if (c->agency == NULL || c->catchup == NULL)
		return -1;
	if (sub_outbox_next_due(sub_store_db(c->store), cb_time_mono_ms(), &at,
		&err) < 0) {
		log_errx("outbox: %s", err.msg);
		return -1;
	}
	return at;
}

/* --- several sources: failover ------------------------------------- */

/* When the source in use is given up on (monotonic ms): failover_after
 * after its last fresh heartbeat, or after it was taken if none came
 * since; -1 with a single source. */
static int64_t
failover_deadline(const struct sub_ctx *c)
{
	int64_t since = c->last_hb_ms > c->source_ms ? c->last_hb_ms :
						       c->source_ms;

	if (c->src.n < 2)
		return -1;
	return since + (int64_t)c->cfg->failover_after * 1000;
}

/* Take the next source, round robin: its sockets in place of the old
 * ones (whose late messages cannot come: they are gone), catch-up from
 * the archive's last sequence at once, and the outbox's entries that
 * waited for the old source's answer sent again through the new one
 * (the publisher keeps each once). */
static void
switch_source(struct sub_ctx *c, const char *why)
{
	const struct sub_source *s;
	struct cb_err err;

	c->cur = (c->cur + 1) % c->src.n;
	s = &c->src.v[c->cur];
	log_warnx(_("switching to source %zu (%s): %s"), c->cur + 1,
	    s->broadcast, why);
	close_sockets(c);
	c->switches++;
	c->source_ms = cb_time_mono_ms();
	if (open_sockets(c, &err) < 0) {
		log_errx(_("source %zu: %s"), c->cur + 1, err.msg);
		close_sockets(c); /* the next one is tried in its turn */
		open_link(c);
	}
	sub_link_health(c->link, c->last_hb_wall_ms, c->publisher_seq,
	    c->stale);
	if (sub_outbox_restart(sub_store_db(c->store), &err) < 0)
		log_errx("outbox: %s", err.msg);
	if (c->catchup != NULL)
		catch_up(c, "switched source");
}

/* Give the source in use up when its deadline has passed, saying why
 * (as sub_link sees its channels). */
static void
failover(struct sub_ctx *c)
{
	int64_t at = failover_deadline(c);
	const char *link;
	char why[1024];

	if (at < 0 || cb_time_mono_ms() < at)
		return;
	link = sub_link_why_local(c->link);
	snprintf(why, sizeof(why), _("no fresh heartbeat for %d s%s%s"),
	    c->cfg->failover_after, link != NULL ? ": " : "",
	    link != NULL ? link : "");
	switch_source(c, why);
}

/* Whatever is due: the stale alarm, catch-up time-outs, hooks and the
 * desktop, reminders, presence, the outbox.  Returns the deadline of
 * the next (monotonic ms), -1 when nothing waits for time. */
static int64_t
timers(struct sub_ctx *c)
{
	int64_t stale_at = c->last_hb_ms + (int64_t)c->cfg->stale_after * 1000,
		next = -1;

	if (!c->stale && cb_time_mono_ms() > stale_at)
		alarm_state(c, 1);
	if (!c->stale)
		cb_time_sooner(&next, stale_at + 1);
	failover(c);
	cb_time_sooner(&next, failover_deadline(c));
	if (c->catchup != NULL) {
		cb_catchup_tick(c->catchup, c->last_seq);
		cb_time_sooner(&next, cb_catchup_deadline(c->catchup));
	}
	sub_notify_tick(c->notify);
	cb_time_sooner(&next, sub_notify_deadline(c->notify));
	remind(c);
	if (c->cfg->renotify > 0)
		cb_time_sooner(&next, c->next_remind_ms);
	presence(c);
	if (c->agency != NULL && c->cfg->presence > 0)
		cb_time_sooner(&next, c->next_presence_ms);
	flush_outbox(c);
	cb_time_sooner(&next, outbox_deadline(c));
	cb_time_sooner(&next, sub_link_deadline(c->link));
	return next;
}

/* --- reload (SIGHUP) ---------------------------------------------- */

static void
say_change(void *arg, const char *line)
{
	(void)arg;
	log_info(_("reload: %s"), line);
}

/* The keys next trusts: the same, with next's revoked list. */
static int
next_keys(const struct sub_ctx *c, const struct sub_config *next,
    struct cb_keys *keys, struct cb_err *err)
{
	*keys = c->keys;
	keys->nrevoked = 0;
	if (next->revoked_keys != NULL &&
	    cb_keys_revoke(keys, next->revoked_keys, err) < 0) {
		cb_err_prefix(err, "%s", next->path);
		return -1;
	}
	return 0;
}

/* Build the new configuration beside the one in force and swap only
 * when all of it is usable; log each change. */
static void
reload(struct sub_ctx *c)
{
	struct sub_notify *notify = c->notify;
	struct sub_config next, old;
	char hex[CB_SIG_KEYIDHEX];
	struct cb_keys keys;
	struct cb_err err;
	int n;

	if (c->cfg->path == NULL) {
		log_info(
		    _("reload: no configuration file (started without -c): "
		      "the command line stays in force"));
		return;
	}
	if (sub_config_reread(c->cfg, &next, &err) < 0)
		goto refused;
	if (next_keys(c, &next, &keys, &err) < 0 ||
	    (!sub_config_notify_same(c->cfg, &next) &&
		(notify = sub_notify_new(&next, &err)) == NULL)) {
		sub_config_release(&next);
		goto refused;
	}
	n = sub_config_diff(c->cfg, &next, say_change, NULL);
	if (notify != c->notify) {
		sub_notify_take_desk(notify, c->notify, next.ack_by);
		sub_notify_free(c->notify);
		c->notify = notify;
	}
	c->keys = keys;
	if (next.renotify != c->cfg->renotify)
		c->next_remind_ms = cb_time_mono_ms() +
		    (int64_t)next.renotify * 1000;
	if (next.presence != c->cfg->presence)
		c->next_presence_ms = cb_time_mono_ms();
	old = *c->cfg;
	*c->cfg = next;
	sub_config_release(&old);
	cb_log_init("canhbao-sub", c->cfg->verbose ? CB_LOG_DEBUG :
						     CB_LOG_INFO);
	if (cb_keys_is_revoked(&c->keys, c->keys.current.id))
		log_warnx(_("the publisher's current key %s is revoked: "
			    "nothing it signs is accepted"),
		    cb_sig_keyid_hex(c->keys.current.id, hex));
	log_info(_("reload: done, %d change%s from %s"), n, n == 1 ? "" : "s",
	    c->cfg->path);
	return;
refused:
	log_errx("reload: refused, the configuration in force stays: %s",
	    err.msg);
}

/* The line "systemctl status" shows, in buf. */
static const char *
status_line(const struct sub_ctx *c, char *buf, size_t size)
{
	if (c->stale)
		snprintf(buf, size, _("ALARM: channel stale; last archived "
				      "seq %llu, %lu archived since the start"),
		    (unsigned long long)c->last_seq, c->archived);
	else
		snprintf(buf, size, _("channel alive; last archived seq %llu, "
				      "%lu archived since the start"),
		    (unsigned long long)c->last_seq, c->archived);
	return buf;
}

/* --- /metrics (sub_metrics) ------------------------------------------ */

static int
write_metrics(struct cb_prom *p, void *arg)
{
	struct sub_ctx *c = arg;
	struct sub_metrics m = { .archived = c->archived,
		.duplicates = c->ignored, .last_seq = c->last_seq,
		.publisher_seq = c->publisher_seq, .stale = c->stale,
		.heartbeat_age = (double)(cb_time_mono_ms() - c->last_hb_ms) /
		    1000,
		.source_switches = c->switches, .source = (unsigned)c->cur + 1 };
	struct cb_err err;

	memcpy(m.dropped, c->dropped_by, sizeof(m.dropped));
	if (sub_outbox_pending(sub_store_db(c->store), &m.outbox_pending,
		&err) < 0 ||
	    sub_outbox_refused(sub_store_db(c->store), &m.outbox_refused,
		&err) < 0) {
		log_warnx("metrics: %s", err.msg);
		return -1;
	}
	sub_metrics_write(p, &m);
	return 0;
}

static int
serve_metrics(void *arg, struct MHD_Connection *conn, const char *path)
{
	return cb_prom_serve(conn, path, write_metrics, arg);
}

static int
open_metrics(struct sub_ctx *c, struct cb_err *err)
{
	if (cb_http_open(&c->http, c->cfg->metrics, serve_metrics, c,
		err) < 0)
		return -1;
	log_info("metrics on http://%s%s", cb_http_address(c->http),
	    CB_PROM_PATH);
	return 0;
}

/* poll(2) events as zmq_poll takes them. */
static short
bus_events(short ev)
{
	return (short)(((ev & POLLIN) ? ZMQ_POLLIN : 0) |
	    ((ev & POLLOUT) ? ZMQ_POLLOUT : 0));
}

static void
loop(struct sub_ctx *c)
{
	zmq_pollitem_t items[4 + SUB_LINK_MAXWATCH];
	int64_t next = cb_time_mono_ms();
	int rc, n, bus = -1, fd, web = -1, live, req;
	long timeout, watchdog, ms;
	char status[256];
	short ev = 0;

	while (!cb_daemon_quitting()) {
		if (cb_daemon_reload_requested()) {
			cb_daemon_reloading();
			reload(c);
			cb_daemon_ready("%s", status_line(c, status,
						  sizeof(status)));
		}
		n = 0;
		live = req = -1; /* (no sockets: a source could not open) */
		if (c->sock != NULL)
			items[live = n++] = (zmq_pollitem_t){ .socket = c->sock,
				.events = ZMQ_POLLIN };
		if (c->catchup != NULL)
			items[req = n++] = (zmq_pollitem_t){ .socket =
				cb_catchup_socket(c->catchup),
				.events = ZMQ_POLLIN };
		if ((fd = sub_notify_fd(c->notify, &ev)) >= 0) {
			bus = n;
			items[n++] = (zmq_pollitem_t){ .fd = fd,
				.events = bus_events(ev) };
		}
		n += sub_link_pollitems(c->link, items + n, SUB_LINK_MAXWATCH);
		timeout = cb_time_until_ms(next);
		watchdog = cb_daemon_watchdog(cb_time_mono_ms());
		if (watchdog >= 0 && (timeout < 0 || watchdog < timeout))
			timeout = watchdog;
		ms = c->http ? cb_http_timeout_ms(c->http) : -1;
		if (ms >= 0 && (timeout < 0 || ms < timeout))
			timeout = ms;
		if (c->http != NULL)
			items[web = n++] = (zmq_pollitem_t){ .fd =
				cb_http_fd(c->http), .events = ZMQ_POLLIN };
		rc = zmq_poll(items, n, timeout);
		if (rc < 0 && errno != EINTR)
			log_errx("poll: %s", zmq_strerror(errno));
		if (rc > 0 && ((live >= 0 && (items[live].revents & ZMQ_POLLIN)) ||
			(req >= 0 && (items[req].revents & ZMQ_POLLIN))))
			take_in(c);
		if (rc > 0 && bus >= 0 && items[bus].revents != 0)
			sub_notify_process(c->notify);
		if (web >= 0 && ((rc > 0 && items[web].revents != 0) ||
			cb_http_timeout_ms(c->http) == 0))
			cb_http_run(c->http);
		sub_link_process(c->link);
		bus = -1;
		next = timers(c);
		cb_daemon_status("%s", status_line(c, status, sizeof(status)));
	}
}

int
sub_daemon_run(struct sub_config *cfg)
{
	struct sub_ctx c = { .cfg = cfg, .lockfd = -1 };
	char keyhex[CB_SIG_KEYIDHEX], status[256];
	struct cb_err err;

	cb_daemon_signals();
	if (open_state(&c, &err) < 0 || open_sockets(&c, &err) < 0 ||
	    (cfg->metrics != NULL && open_metrics(&c, &err) < 0) ||
	    (c.notify = sub_notify_new(cfg, &err)) == NULL) {
		log_errx("cannot start: %s", err.msg);
		close_all(&c);
		return 2;
	}
	if (sysconf(_SC_NPROCESSORS_ONLN) > 1 &&
	    (c.pool = sub_pool_new(&err)) == NULL)
		log_warnx("%s: verifying on one thread", err.msg);
	sub_notify_set_ops(c.notify, &(struct sub_desk_ops){ .ack = desk_ack,
		.acked = desk_acked, .arg = &c });
	if (cfg->insecure)
		log_warnx(_("transport is plaintext (--insecure)"));
	c.last_hb_ms = cb_time_mono_ms(); /* the alarm counts from start */
	c.source_ms = c.last_hb_ms;
	c.next_remind_ms = c.last_hb_ms + (int64_t)cfg->renotify * 1000;
	if (!cfg->insecure)
		log_info(_("transport is CurveZMQ"));
	log_info(_("ready: publisher key %s, broadcast %s, requests %s, last "
		   "seq %llu"),
	    cb_sig_keyid_hex(c.keys.current.id, keyhex), cfg->broadcast,
	    cfg->requests ? cfg->requests : "(none)",
	    (unsigned long long)c.last_seq);
	if (c.src.n > 1)
		log_info(_("using source 1 of %zu (%s); the next takes over "
			   "after %d s without a fresh heartbeat"),
		    c.src.n, c.src.v[0].broadcast, cfg->failover_after);
	if (c.catchup != NULL)
		catch_up(&c, "starting");
	cb_daemon_ready("%s", status_line(&c, status, sizeof(status)));
	loop(&c);
	free(c.told);
	log_info(_("stopping: %lu archived, %lu dropped, %lu duplicates "
		   "ignored"),
	    c.archived, c.dropped, c.ignored);
	cb_daemon_stopping(_("stopping"));
	close_all(&c);
	return 0;
}
