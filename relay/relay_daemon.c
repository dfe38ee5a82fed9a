/* relay_daemon: the relay's loop (see relay_daemon.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zmq.h>

#include "cb_catchup.h"
#include "cb_daemon.h"
#include "cb_file.h"
#include "cb_http.h"
#include "cb_keys.h"
#include "cb_locale.h"
#include "cb_log.h"
#include "cb_mem.h"
#include "cb_prom.h"
#include "cb_recv.h"
#include "cb_serve.h"
#include "cb_time.h"
#include "cb_zap.h"
#include "relay_daemon.h"
#include "relay_outbox.h"
#include "relay_registry.h"
#include "relay_store.h"

#define SNDHWM 100000    /* as the publisher's PUB */
#define BATCH_MAX 1000   /* messages in one transaction */
#define BATCH_MS 50      /* and at most this long taking them in */
#define STATUS_MS 10000  /* the status rows, at most this often, */
#define STATUS_IDLE_MS 300000 /* and this often when only the count of
			       * messages forwarded (heartbeats) moved */
#define MAXSUB (8 * 1024 * 1024) /* upstream SUB: a registry fits */
#define PRESENCE_MS 60000 /* the relay's own presence upstream */

/* Why a message was not forwarded (/metrics "reason"). */
enum drop {
	DROP_MALFORMED, /* frames or topic */
	DROP_INVALID,   /* signature, key, content */
	DROP_ROTATION,  /* a rotation that does not check */
	DROP_STORE,     /* could not be journaled */
	DROP_COUNT
};

static const char *const drop_names[DROP_COUNT] = { "malformed", "invalid",
	"rotation", "store" };

struct relay_ctx {
	const struct relay_config *cfg;
	struct relay_upstream up[RELAY_MAX_UPSTREAMS];
	struct cb_pubkey up_key[RELAY_MAX_UPSTREAMS]; /* CurveZMQ servers */
	int nup, cur;
	struct cb_pubkey identity; /* the pinned publisher key */
	struct cb_keys keys;
	struct cb_seckey *key;     /* relay.key; NULL: insecure, none */
	int lockfd;
	struct relay_store *store;
	struct relay_outbox *outbox; /* the way back upstream */
	int64_t next_presence_ms;
	struct relay_registry reg;
	struct cb_zap *zap;        /* NULL with --insecure */
	/* upstream */
	void *sub;
	struct cb_catchup *catchup;
	int64_t up_since_ms;       /* when the current upstream was taken */
	int64_t last_hb_ms;        /* the last fresh heartbeat, monotonic */
	uint64_t publisher_seq;    /* the latest the publisher said it has */
	/* downstream */
	void *xpub;
	void *mon;                 /* its monitor: connections come, go */
	unsigned long downstream;  /* connections open on it now */
	char bcast_ep[256];
	struct cb_serve *serve;
	char req_ep[256];
	struct cb_http *http;
	/* counters */
	unsigned long forwarded, journaled, switches, dropped;
	unsigned long dropped_by[DROP_COUNT];
	int64_t next_status_ms;
	int64_t status_ms;         /* when the rows were last written */
	char status_said[512];     /* what they said, forwarded aside */
	int said_waiting;          /* logged that no registry came yet */
};

static void
drop(struct relay_ctx *c, enum drop why, const char *text)
{
	c->dropped++;
	c->dropped_by[why]++;
	log_warnx(_("dropped message (%lu so far): %s"), c->dropped, text);
}

/* --- state: keys, journal, registry ------------------------------------ */

static int
load_keys(struct relay_ctx *c, struct cb_err *err)
{
	struct cb_pubkey pk;
	int found;

	cb_keys_init(&c->keys, &c->identity);
	if (c->cfg->revoked_keys != NULL &&
	    cb_keys_revoke(&c->keys, c->cfg->revoked_keys, err) < 0)
		return -1;
	found = relay_store_signing_key(c->store, &pk, &c->keys.since, err);
	if (found > 0)
		c->keys.current = pk;
	return found < 0 ? -1 : 0;
}

static int
load_registry(struct relay_ctx *c, struct cb_err *err)
{
	enum relay_registry_news news;
	uint8_t *sb = NULL, *sig = NULL;
	size_t sblen, siglen, gone;
	uint64_t gen;
	struct cb_err why;
	int found;

	found = relay_store_registry(c->store, &sb, &sblen, &sig, &siglen,
	    &gen, err);
	if (found < 0)
		return -1;
	if (found && relay_registry_take(&c->reg, &c->keys.current, sb, sblen,
			 sig, siglen, &news, &gone, &why) < 0)
		log_warnx(_("the registry kept is no longer valid (%s): "
			    "waiting for a new one"), why.msg);
	free(sb);
	free(sig);
	return 0;
}

static int
open_key(struct relay_ctx *c, struct cb_err *err)
{
	char *path = cb_xasprintf("%s/%s", c->cfg->state, RELAY_KEY_FILE);
	int missing = access(path, F_OK) < 0;

	if (missing && c->cfg->insecure) {
		free(path);
		return 0;
	}
	if (missing) {
		cb_err_set(err, _("no relay key '%s': run 'canhbao-relay "
				  "keygen --state %s' and have the department "
				  "register relay.pub (or use --insecure)"),
		    path, c->cfg->state);
		free(path);
		return -1;
	}
	c->key = cb_sig_read_seckey(path, err);
	free(path);
	return c->key == NULL ? -1 : 0;
}

/* Each upstream's CurveZMQ server key, read once at start (a relay's
 * relay.pub, or the publisher's key), so a failover cannot fail on a
 * file. */
static int
read_upstream_keys(struct relay_ctx *c, struct cb_err *err)
{
	int i;

	for (i = 0; i < c->nup; i++) {
		c->up_key[i] = c->identity;
		if (c->up[i].key[0] != '\0' &&
		    cb_sig_read_pubkey(c->up[i].key, &c->up_key[i], err) < 0)
			return -1;
	}
	return 0;
}

static int
open_state(struct relay_ctx *c, struct cb_err *err)
{
	char *path;

	if ((c->nup = relay_config_upstreams(c->cfg, c->up, err)) < 0 ||
	    cb_sig_read_pubkey(c->cfg->publisher_key, &c->identity, err) < 0 ||
	    read_upstream_keys(c, err) < 0 ||
	    cb_file_private_dir(c->cfg->state, 1, err) < 0)
		return -1;
	path = cb_xasprintf("%s/%s", c->cfg->state, RELAY_LOCK_FILE);
	c->lockfd = cb_file_lock(path, err);
	free(path);
	if (c->lockfd < 0 || open_key(c, err) < 0)
		return -1;
	path = cb_xasprintf("%s/%s", c->cfg->state, RELAY_STORE_FILE);
	c->store = relay_store_open(path, 0, err);
	free(path);
	if (c->store == NULL ||
	    (c->outbox = relay_outbox_open(relay_store_db(c->store),
		 err)) == NULL)
		return -1;
	relay_outbox_set_registry(c->outbox, &c->reg.reg);
	return load_keys(c, err) < 0 ? -1 : load_registry(c, err);
}

/* --- sockets ----------------------------------------------------------- */

/* CurveZMQ on an upstream socket: the server's key is the upstream's
 * (a relay.pub), or the publisher's; ours is relay.key's X25519 form. */
static int
curve_client(struct relay_ctx *c, void *sock, struct cb_err *err)
{
	if (c->cfg->insecure)
		return 0;
	return cb_net_curve_client_key(sock, &c->up_key[c->cur], c->key, err);
}

static void
close_upstream(struct relay_ctx *c)
{
	cb_catchup_close(c->catchup);
	cb_net_close(c->sub);
	c->catchup = NULL;
	c->sub = NULL;
}

/* Connect to upstream c->cur: SUB to everything, DEALER for catch-up. */
static int
open_upstream(struct relay_ctx *c, struct cb_err *err)
{
	const struct relay_upstream *u = &c->up[c->cur];
	int hwm = SNDHWM;

	c->sub = cb_net_socket(ZMQ_SUB, err);
	if (c->sub == NULL)
		return -1;
	zmq_setsockopt(c->sub, ZMQ_RCVHWM, &hwm, sizeof(hwm));
	cb_net_set_maxmsg(c->sub, MAXSUB);
	zmq_setsockopt(c->sub, ZMQ_SUBSCRIBE, "", 0);
	cb_net_keepalive(c->sub);
	if (curve_client(c, c->sub, err) < 0 ||
	    cb_net_connect(c->sub, u->broadcast, err) < 0)
		return -1;
	c->catchup = cb_catchup_open(u->requests, err);
	if (c->catchup == NULL ||
	    curve_client(c, cb_catchup_socket(c->catchup), err) < 0 ||
	    cb_catchup_connect(c->catchup, u->requests, err) < 0)
		return -1;
	c->up_since_ms = c->last_hb_ms = cb_time_mono_ms();
	return 0;
}

/* The downstream XPUB, as the publisher's PUB, seeing every
 * subscription (a relay's "reg" is answered with the registry). */
static void *
xpub_socket(struct relay_ctx *c, struct cb_err *err)
{
	int hwm = SNDHWM, one = 1;
	void *s = cb_net_socket(ZMQ_XPUB, err);

	if (s == NULL)
		return NULL;
	zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof(hwm));
	zmq_setsockopt(s, ZMQ_XPUB_VERBOSE, &one, sizeof(one));
	if (!c->cfg->insecure && cb_net_curve_server_key(s, c->key, err) < 0) {
		cb_net_close(s);
		return NULL;
	}
	return s;
}

static uint64_t
serve_last(void *arg)
{
	struct relay_ctx *c = arg;

	return relay_store_last_seq(c->store);
}

static int
serve_each(void *arg, uint64_t after, int limit, cb_serve_entry_fn fn,
    void *fnarg, struct cb_err *err)
{
	struct relay_ctx *c = arg;

	return relay_store_each(c->store, after, limit, fn, fnarg, err);
}

/* A SUBMIT from downstream: kept in the outbox, committed before the
 * CONFIRM says 0 (relay_outbox logs what it refuses). */
static int
serve_submit(void *arg, const struct cb_frames *f, struct cb_req *confirm,
    struct cb_err *err)
{
	struct relay_ctx *c = arg;

	(void)err;
	relay_outbox_submit(c->outbox, c->reg.reg.generation > 0 ?
	    &c->reg.reg : NULL, f->data[2], f->len[2], f->data[3], f->len[3],
	    confirm);
	return 0;
}

/* A downstream relay passes on the receipts of many agencies: it is
 * exempt from the per-sender rate limit, as relays are at the
 * publisher. */
static int
serve_unlimited(void *arg, const char *who)
{
	struct relay_ctx *c = arg;
	size_t i;

	for (i = 0; i < c->reg.reg.n; i++)
		if (strcmp(c->reg.reg.members[i].name, who) == 0)
			return c->reg.reg.members[i].kind == CB_REGISTRY_RELAY;
	return 0;
}

static const struct cb_serve_ops serve_ops = { .last_seq = serve_last,
	.each = serve_each, .submit = serve_submit,
	.unlimited = serve_unlimited };

/* Watch the XPUB's connections (status, /metrics); without a monitor
 * the count stays 0. */
static void
watch_xpub(struct relay_ctx *c)
{
	struct cb_err err;

	c->downstream = 0;
	if ((c->mon = cb_net_monitor(c->xpub, &err)) == NULL)
		log_warnx("%s", err.msg);
}

static void
count_connections(struct relay_ctx *c)
{
	struct cb_net_event ev;

	while (c->mon != NULL && cb_net_monitor_recv(c->mon, &ev)) {
		if (ev.event == ZMQ_EVENT_ACCEPTED)
			c->downstream++;
		else if (ev.event == ZMQ_EVENT_DISCONNECTED &&
		    c->downstream > 0)
			c->downstream--;
	}
}

static int
write_endpoint(struct relay_ctx *c, const char *name, const char *ep,
    struct cb_err *err)
{
	char *path = cb_xasprintf("%s/%s", c->cfg->state, name);
	int rc = cb_file_write_atomic(path, ep, strlen(ep), 0600, err);

	free(path);
	return rc;
}

static int
open_downstream(struct relay_ctx *c, struct cb_err *err)
{
	const struct cb_seckey *transport = c->cfg->insecure ? NULL : c->key;

	if (!c->cfg->insecure &&
	    (c->zap = cb_zap_open(relay_registry_lookup, &c->reg, err)) == NULL)
		return -1;
	if ((c->xpub = xpub_socket(c, err)) == NULL ||
	    (watch_xpub(c), cb_net_bind(c->xpub, c->cfg->broadcast, c->bcast_ep,
		sizeof(c->bcast_ep), err)) < 0)
		return -1;
	c->serve = cb_serve_open(c->cfg->requests, transport, &serve_ops, c,
	    c->req_ep, sizeof(c->req_ep), err);
	if (c->serve == NULL)
		return -1;
	/* Tools and tests find a "tcp://...:*" endpoint's port here. */
	return write_endpoint(c, RELAY_REQUESTS_FILE, c->req_ep, err) < 0 ||
	    write_endpoint(c, RELAY_BROADCAST_FILE, c->bcast_ep, err) < 0 ?
	    -1 : 0;
}

/* A member was removed: close and bind the downstream sockets again,
 * so its open connections go and every client passes ZAP again. */
static void
rebind_downstream(struct relay_ctx *c)
{
	struct cb_err err;
	void *s = xpub_socket(c, &err);

	if (s == NULL || (cb_net_monitor_stop(c->xpub, c->mon), c->mon = NULL,
			     cb_net_unbind(c->xpub, c->bcast_ep),
			     cb_net_close(c->xpub), c->xpub = s, watch_xpub(c),
			     cb_net_rebind(s, c->bcast_ep, &err)) < 0 ||
	    cb_serve_rebind(c->serve, &err) < 0)
		log_errx(_("cannot bind the downstream sockets again: %s"),
		    err.msg);
}

static void
close_all(struct relay_ctx *c)
{
	cb_http_close(c->http);
	close_upstream(c);
	cb_serve_close(c->serve);
	cb_net_monitor_stop(c->xpub, c->mon);
	cb_net_close(c->xpub);
	cb_zap_close(c->zap);
	cb_net_shutdown();
	relay_outbox_close(c->outbox);
	relay_store_close(c->store);
	relay_registry_release(&c->reg);
	cb_seckey_free(c->key);
	if (c->lockfd >= 0)
		close(c->lockfd);
}

/* --- forwarding and journaling ----------------------------------------- */

/* Send the three frames downstream unchanged, never blocking. */
static void
forward(struct relay_ctx *c, const struct cb_frames *f)
{
	const void *data[3] = { f->data[0], f->data[1], f->data[2] };
	size_t len[3] = { f->len[0], f->len[1], f->len[2] };

	if (cb_net_send(c->xpub, data, len, 3, ZMQ_DONTWAIT) == 0)
		c->forwarded++;
}

static void
send_registry(struct relay_ctx *c)
{
	const void *data[3] = { CB_REGISTRY_TOPIC, c->reg.signed_bytes,
		c->reg.sigblock };
	size_t len[3] = { strlen(CB_REGISTRY_TOPIC), c->reg.signed_len,
		c->reg.sigblock_len };

	if (c->reg.reg.generation > 0)
		cb_net_send(c->xpub, data, len, 3, ZMQ_DONTWAIT);
}

/* Ask upstream for what follows the journal's last message. */
static void
catch_up(struct relay_ctx *c, const char *why)
{
	uint64_t last = relay_store_last_seq(c->store);

	if (!cb_catchup_busy(c->catchup) && cb_catchup_backoff(c->catchup) == 0)
		log_info(_("catching up after seq %llu: %s"),
		    (unsigned long long)last, why);
	cb_catchup_ask(c->catchup, last);
}

/* A rotation in its place: the new key signs from now on. */
static int
rotate(struct relay_ctx *c, const struct cb_incoming *in,
    struct cb_keys *next, struct cb_err *err)
{
	*next = c->keys;
	if (cb_keys_rotate(next, &in->msg, err) < 0)
		return -1;
	return relay_store_set_signing_key(c->store, &next->current,
	    in->msg.seq, err);
}

/* Journal an advisory or rotation when it is the next in sequence; a
 * later one asks upstream for the gap, an earlier one is already
 * journaled. */
static void
journal(struct relay_ctx *c, const struct cb_incoming *in)
{
	uint64_t last = relay_store_last_seq(c->store);
	struct cb_keys next;
	struct cb_err err;
	char why[64];

	if (in->msg.seq <= last)
		return;
	if (in->msg.seq != last + 1) {
		snprintf(why, sizeof(why), "seq %llu came after %llu",
		    (unsigned long long)in->msg.seq, (unsigned long long)last);
		catch_up(c, why);
		return;
	}
	if (relay_store_begin(c->store, &err) < 0) {
		drop(c, DROP_STORE, err.msg);
		return;
	}
	if (in->msg.type == CB_MSG_ROTATE && rotate(c, in, &next, &err) < 0) {
		drop(c, DROP_ROTATION, err.msg);
		return;
	}
	if (relay_store_put(c->store, in->msg.seq, (int)in->msg.type,
		in->signed_bytes, in->signed_len, in->sigblock,
		in->sigblock_len, &err) < 0) {
		drop(c, DROP_STORE, err.msg);
		return;
	}
	if (in->msg.type == CB_MSG_ROTATE)
		c->keys = next;
	c->journaled++;
}

/* A fresh heartbeat keeps the upstream current and says how far the
 * publisher is. */
static void
heartbeat(struct relay_ctx *c, const struct cb_incoming *in)
{
	int64_t age = cb_time_diff_ms(cb_time_now_ms(), in->msg.issued_ms);
	int64_t bound = (int64_t)c->cfg->stale_after * 1000;
	char why[64];

	if (age > bound || age < -bound) {
		log_warnx(_("heartbeat issued %lld s from now does not count "
			    "as fresh"),
		    (long long)(-age / 1000));
		return;
	}
	c->last_hb_ms = cb_time_mono_ms();
	if (in->msg.seq > c->publisher_seq)
		c->publisher_seq = in->msg.seq;
	if (in->msg.seq > relay_store_last_seq(c->store)) {
		snprintf(why, sizeof(why), "the publisher is at seq %llu",
		    (unsigned long long)in->msg.seq);
		catch_up(c, why);
	}
}

static void
registry(struct relay_ctx *c, const struct cb_frames *f)
{
	enum relay_registry_news news;
	struct cb_err err;
	size_t gone;

	if (relay_registry_take(&c->reg, &c->keys.current, f->data[1],
		f->len[1], f->data[2], f->len[2], &news, &gone, &err) < 0) {
		drop(c, DROP_INVALID, err.msg);
		return;
	}
	if (news == RELAY_REGISTRY_OLDER) {
		log_warnx(_("ignored an older registry (we have generation "
			    "%llu)"),
		    (unsigned long long)c->reg.reg.generation);
		return;
	}
	forward(c, f);
	if (news == RELAY_REGISTRY_SAME)
		return;
	if (relay_store_set_registry(c->store, c->reg.reg.generation,
		c->reg.signed_bytes, c->reg.signed_len, c->reg.sigblock,
		c->reg.sigblock_len, &err) < 0)
		log_errx(_("cannot keep the registry: %s"), err.msg);
	log_info(_("registry generation %llu: %zu members"),
	    (unsigned long long)c->reg.reg.generation, c->reg.reg.n);
	if (gone > 0 && !c->cfg->insecure)
		rebind_downstream(c);
}

/* A message signed by a key in revoked_keys is neither forwarded nor
 * journaled, even when that key is the current one (as canhbao-sub). */
static int
revoked(struct relay_ctx *c, const uint8_t *key_id)
{
	char hex[CB_SIG_KEYIDHEX], why[80];

	if (!cb_keys_is_revoked(&c->keys, key_id))
		return 0;
	snprintf(why, sizeof(why), "signed by revoked key %s",
	    cb_sig_keyid_hex(key_id, hex));
	drop(c, DROP_INVALID, why);
	return 1;
}

static int
topic_is(const struct cb_frames *f, const char *topic)
{
	return f->len[0] == strlen(topic) &&
	    memcmp(f->data[0], topic, f->len[0]) == 0;
}

/* One broadcast message from upstream: verified, or dropped. */
static void
live(struct relay_ctx *c, const struct cb_frames *f)
{
	struct cb_incoming in;
	struct cb_err err;

	if (f->n == 3 && topic_is(f, CB_REGISTRY_TOPIC)) {
		if (!revoked(c, c->keys.current.id))
			registry(c, f);
		return;
	}
	if (cb_recv_check(&c->keys.current, 1, f, &in, &err) < 0) {
		drop(c, f->n != 3 ? DROP_MALFORMED : DROP_INVALID, err.msg);
		return;
	}
	if (revoked(c, in.msg.key_id)) {
		cb_incoming_release(&in);
		return;
	}
	forward(c, f);
	if (in.msg.type == CB_MSG_HEARTBEAT)
		heartbeat(c, &in);
	else
		journal(c, &in);
	cb_incoming_release(&in);
}

/* One message a catch-up brought: journaled, not broadcast. */
static void
caught_up(struct relay_ctx *c, const struct cb_frames *f)
{
	struct cb_incoming in;
	struct cb_err err;

	if (cb_recv_open(&c->keys.current, 1, f->data[1], f->len[1],
		f->data[2], f->len[2], &in, &err) < 0) {
		drop(c, DROP_INVALID, err.msg);
		return;
	}
	if (!revoked(c, in.msg.key_id) &&
	    (in.msg.type == CB_MSG_ADVISORY || in.msg.type == CB_MSG_ROTATE))
		journal(c, &in);
	cb_incoming_release(&in);
}

static void
commit(struct relay_ctx *c)
{
	struct cb_err err;

	if (relay_store_commit(c->store, &err) == 0)
		return;
	log_errx(_("cannot journal: %s"), err.msg);
	if (load_keys(c, &err) < 0)
		log_errx("%s", err.msg);
}

static void
ended(struct relay_ctx *c, const struct cb_req *end)
{
	uint64_t last = relay_store_last_seq(c->store);

	if (end->latest > c->publisher_seq)
		c->publisher_seq = end->latest;
	switch (cb_catchup_ended(c->catchup, last, end->latest)) {
	case CB_CATCHUP_STALLED:
		log_warnx(_("catch-up makes no progress past seq %llu"),
		    (unsigned long long)last);
		break;
	case CB_CATCHUP_MOVING:
	case CB_CATCHUP_SAME:
		break;
	}
	if (end->latest <= last)
		log_info(_("caught up at seq %llu"), (unsigned long long)last);
}

/* One reply on the upstream requests channel: 1 when one was there. */
static int
take_reply(struct relay_ctx *c)
{
	struct cb_frames f;
	struct cb_req end;
	struct cb_err err;

	switch (cb_catchup_recv(c->catchup, &f, &end, &err)) {
	case CB_CATCHUP_NONE:
		return 0;
	case CB_CATCHUP_BAD:
		drop(c, DROP_MALFORMED, err.msg);
		break;
	case CB_CATCHUP_END:
		ended(c, &end);
		break;
	case CB_CATCHUP_CONFIRM:
		relay_outbox_confirmed(c->outbox, &end);
		break;
	case CB_CATCHUP_MSG:
		caught_up(c, &f);
		cb_frames_release(&f);
		break;
	}
	return 1;
}

static int
take_live(struct relay_ctx *c)
{
	struct cb_frames f;
	struct cb_err err;

	if (cb_net_recv(c->sub, &f, ZMQ_DONTWAIT, &err) < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		drop(c, DROP_MALFORMED, err.msg);
		return 1;
	}
	live(c, &f);
	cb_frames_release(&f);
	return 1;
}

/* What waits upstream, in order, at most BATCH_MAX messages or
 * BATCH_MS, journaled in one transaction. */
static void
take_in(struct relay_ctx *c)
{
	int64_t deadline = cb_time_mono_ms() + BATCH_MS;
	int n = 0, got;

	do {
		got = take_live(c) + take_reply(c);
		n += got;
	} while (got > 0 && n < BATCH_MAX && cb_time_mono_ms() < deadline);
	commit(c);
}

/* Subscriptions on the downstream XPUB: one to "reg" (or to everything)
 * gets the registry at once. */
static void
subscriptions(struct relay_ctx *c)
{
	struct cb_frames f;
	struct cb_err err;
	const uint8_t *p;
	size_t n;
	int i;

	for (i = 0; i < 64; i++) {
		if (cb_net_recv(c->xpub, &f, ZMQ_DONTWAIT, &err) < 0)
			return;
		p = f.data[0];
		n = f.len[0];
		if (f.n == 1 && n >= 1 && p[0] == 1 && n - 1 <= 3 &&
		    memcmp(p + 1, CB_REGISTRY_TOPIC, n - 1) == 0)
			send_registry(c);
		cb_frames_release(&f);
	}
}

/* --- timers ------------------------------------------------------------ */

/* The current upstream gave no fresh heartbeat for failover_after (or
 * never connected): take the next one. */
static void
failover(struct relay_ctx *c)
{
	struct cb_err err;
	int from = c->cur;

	close_upstream(c);
	c->cur = (c->cur + 1) % c->nup;
	c->switches++;
	log_warnx(_("upstream %s gave no fresh heartbeat for %d s: switching "
		    "to %s"),
	    c->up[from].broadcast, c->cfg->failover_after,
	    c->up[c->cur].broadcast);
	if (open_upstream(c, &err) < 0) /* sockets: nothing to go on with */
		fatalx(_("cannot connect to upstream %s: %s"),
		    c->up[c->cur].broadcast, err.msg);
	c->next_status_ms = 0;
	relay_outbox_resend(c->outbox);
	catch_up(c, "a new upstream");
}

static void
set_status(struct relay_ctx *c, const char *name, unsigned long long v)
{
	char buf[32];
	struct cb_err err;

	snprintf(buf, sizeof(buf), "%llu", v);
	if (relay_store_set_status(c->store, name, buf, &err) < 0)
		log_warnx("status: %s", err.msg);
}

/* The rows "canhbao-relay status" reads, in one transaction; an idle
 * relay (heartbeats only) writes them seldom, so the disk sleeps. */
static void
write_status(struct relay_ctx *c, int64_t now)
{
	char said[sizeof(c->status_said)];
	struct cb_err err;

	snprintf(said, sizeof(said), "%s %llu %lu %lu %lu %zu", c->up[c->cur]
	    .broadcast, (unsigned long long)c->publisher_seq, c->dropped,
	    c->switches, c->downstream, relay_outbox_pending(c->outbox));
	if (strcmp(said, c->status_said) == 0 &&
	    now - c->status_ms < STATUS_IDLE_MS)
		return;
	if (relay_store_begin(c->store, &err) < 0)
		return;
	snprintf(c->status_said, sizeof(c->status_said), "%s", said);
	c->status_ms = now;
	if (relay_store_set_status(c->store, "upstream",
		c->up[c->cur].broadcast, &err) < 0)
		log_warnx("status: %s", err.msg);
	set_status(c, "publisher_seq", c->publisher_seq);
	set_status(c, "forwarded", c->forwarded);
	set_status(c, "dropped", c->dropped);
	set_status(c, "switches", c->switches);
	set_status(c, "downstream", c->downstream);
	set_status(c, "outbox_pending", relay_outbox_pending(c->outbox));
	commit(c);
}

/* The relay's own sign of life upstream, at start and every
 * PRESENCE_MS (none without relay.key: --insecure without one). */
static void
presence(struct relay_ctx *c, int64_t now)
{
	struct cb_err err;

	if (c->key == NULL || now < c->next_presence_ms)
		return;
	c->next_presence_ms = now + PRESENCE_MS;
	if (relay_outbox_presence(c->outbox, c->key,
		relay_store_last_seq(c->store), &err) < 0)
		log_errx("presence: %s", err.msg);
}

static int64_t
timers(struct relay_ctx *c)
{
	int64_t now = cb_time_mono_ms(), next = -1;
	int64_t fail_at = c->last_hb_ms + (int64_t)c->cfg->failover_after *
	    1000;

	if (c->nup > 1 && now >= fail_at) {
		failover(c);
		fail_at = c->last_hb_ms + (int64_t)c->cfg->failover_after *
		    1000;
	}
	if (c->nup > 1)
		cb_time_sooner(&next, fail_at);
	cb_catchup_tick(c->catchup, relay_store_last_seq(c->store));
	cb_time_sooner(&next, cb_catchup_deadline(c->catchup));
	presence(c, now);
	if (c->key != NULL)
		cb_time_sooner(&next, c->next_presence_ms);
	relay_outbox_pump(c->outbox, c->catchup);
	cb_time_sooner(&next, relay_outbox_deadline(c->outbox));
	if (now >= c->next_status_ms) {
		write_status(c, now);
		c->next_status_ms = now + STATUS_MS;
	}
	cb_time_sooner(&next, c->next_status_ms);
	if (c->zap != NULL && c->reg.reg.generation == 0 && !c->said_waiting) {
		log_warnx(_("no registry from the publisher yet: admitting "
			    "nobody downstream until one comes"));
		c->said_waiting = 1;
	}
	return next;
}

/* --- metrics ----------------------------------------------------------- */

static int
write_metrics(struct cb_prom *p, void *arg)
{
	struct relay_ctx *c = arg;
	const char *name = "canhbao_relay_dropped_total";
	int i;

	cb_prom_one(p, "canhbao_relay_forwarded_total", "counter",
	    "Messages forwarded downstream.", (double)c->forwarded);
	cb_prom_one(p, "canhbao_relay_journaled_total", "counter",
	    "Messages journaled.", (double)c->journaled);
	cb_prom_family(p, name, "counter",
	    "Messages dropped, by reason.");
	for (i = 0; i < DROP_COUNT; i++)
		cb_prom_sample(p, name, (const char *const[]){ "reason",
		    drop_names[i], NULL }, (double)c->dropped_by[i]);
	cb_prom_one(p, "canhbao_relay_last_journaled_sequence", "gauge",
	    "The journal's last sequence.",
	    (double)relay_store_last_seq(c->store));
	cb_prom_one(p, "canhbao_publisher_sequence", "gauge",
	    "The latest sequence the publisher said it has.",
	    (double)c->publisher_seq);
	cb_prom_one(p, "canhbao_relay_upstream_switches_total", "counter",
	    "Upstream failovers.", (double)c->switches);
	cb_prom_one(p, "canhbao_relay_downstream_connections", "gauge",
	    "Connections open on the downstream broadcast socket.",
	    (double)c->downstream);
	cb_prom_one(p, "canhbao_relay_outbox_pending", "gauge",
	    "Messages from downstream kept and not yet confirmed upstream.",
	    (double)relay_outbox_pending(c->outbox));
	cb_prom_one(p, "canhbao_relay_registry_generation", "gauge",
	    "Generation of the registry in force (0: none).",
	    (double)c->reg.reg.generation);
	return 0;
}

static int
serve_metrics(void *arg, struct MHD_Connection *conn, const char *path)
{
	return cb_prom_serve(conn, path, write_metrics, arg);
}

/* --- the loop ---------------------------------------------------------- */

static void
shorter(long *timeout, long ms)
{
	if (ms >= 0 && (*timeout < 0 || ms < *timeout))
		*timeout = ms;
}

static void
loop(struct relay_ctx *c)
{
	zmq_pollitem_t it[7];
	int64_t next = cb_time_mono_ms();
	long timeout;
	int rc, n, web, mon;

	while (!cb_daemon_quitting()) {
		it[0] = (zmq_pollitem_t){ .socket = c->sub,
			.events = ZMQ_POLLIN };
		it[1] = (zmq_pollitem_t){ .socket =
			cb_catchup_socket(c->catchup), .events = ZMQ_POLLIN };
		it[2] = (zmq_pollitem_t){ .socket = c->xpub,
			.events = ZMQ_POLLIN };
		it[3] = (zmq_pollitem_t){ .socket = cb_serve_socket(c->serve),
			.events = ZMQ_POLLIN };
		n = 4;
		if (c->zap != NULL)
			it[n++] = (zmq_pollitem_t){ .socket =
				cb_zap_socket(c->zap), .events = ZMQ_POLLIN };
		mon = -1;
		if (c->mon != NULL)
			it[mon = n++] = (zmq_pollitem_t){ .socket = c->mon,
				.events = ZMQ_POLLIN };
		web = -1;
		if (c->http != NULL)
			it[web = n++] = (zmq_pollitem_t){ .fd =
				cb_http_fd(c->http), .events = ZMQ_POLLIN };
		timeout = cb_time_until_ms(next);
		shorter(&timeout, cb_daemon_watchdog(cb_time_mono_ms()));
		shorter(&timeout, cb_serve_timeout(c->serve));
		if (c->http != NULL)
			shorter(&timeout, cb_http_timeout_ms(c->http));
		rc = zmq_poll(it, n, timeout);
		if (rc < 0 && errno != EINTR)
			log_errx("poll: %s", zmq_strerror(errno));
		if (rc > 0 && c->zap != NULL && (it[4].revents & ZMQ_POLLIN))
			cb_zap_serve(c->zap);
		if (rc > 0 && ((it[0].revents | it[1].revents) & ZMQ_POLLIN))
			take_in(c);
		if (rc > 0 && (it[2].revents & ZMQ_POLLIN))
			subscriptions(c);
		if ((rc > 0 && (it[3].revents & ZMQ_POLLIN)) ||
		    cb_serve_timeout(c->serve) == 0)
			cb_serve_run(c->serve);
		if (mon >= 0 && rc > 0 && (it[mon].revents & ZMQ_POLLIN))
			count_connections(c);
		if (web >= 0 && ((rc > 0 && it[web].revents != 0) ||
			cb_http_timeout_ms(c->http) == 0))
			cb_http_run(c->http);
		next = timers(c);
		cb_daemon_status("seq %llu, publisher at %llu, upstream %s",
		    (unsigned long long)relay_store_last_seq(c->store),
		    (unsigned long long)c->publisher_seq,
		    c->up[c->cur].broadcast);
	}
}

int
relay_daemon_run(const struct relay_config *cfg)
{
	struct relay_ctx c = { .cfg = cfg, .lockfd = -1 };
	char hex[CB_SIG_KEYIDHEX];
	struct cb_err err;

	cb_daemon_signals();
	relay_registry_init(&c.reg);
	if (open_state(&c, &err) < 0 || open_downstream(&c, &err) < 0 ||
	    open_upstream(&c, &err) < 0 ||
	    (cfg->metrics != NULL && cb_http_open(&c.http, cfg->metrics,
					 serve_metrics, &c, &err) < 0)) {
		log_errx(_("cannot start: %s"), err.msg);
		close_all(&c);
		return 2;
	}
	if (c.http != NULL)
		log_info("metrics on http://%s%s", cb_http_address(c.http),
		    CB_PROM_PATH);
	log_info(_("transport is %s"), cfg->insecure ? _("plaintext "
	    "(--insecure)") : "CurveZMQ");
	log_info(_("ready: publisher key %s, upstream %s, broadcast %s, "
		   "requests %s, last seq %llu"),
	    cb_sig_keyid_hex(c.keys.current.id, hex), c.up[0].broadcast,
	    c.bcast_ep, c.req_ep,
	    (unsigned long long)relay_store_last_seq(c.store));
	catch_up(&c, "starting");
	cb_daemon_ready("relay seq %llu",
	    (unsigned long long)relay_store_last_seq(c.store));
	loop(&c);
	log_info(_("stopping: %lu forwarded, %lu journaled, %lu dropped"),
	    c.forwarded, c.journaled, c.dropped);
	cb_daemon_stopping(_("stopping"));
	close_all(&c);
	return 0;
}
