/*
 * sub_daemon: the subscriber daemon.  Every message, live or caught up,
 * goes verify -> order -> archive -> report.  Order is by sequence: a
 * message is archived only when it is the next one; anything further
 * ahead means something was missed, and the missing stretch (with the
 * message itself) is fetched from the requests channel, so nothing is
 * lost and nothing archived twice.  What fails a check is dropped,
 * counted and logged with its reason, and the daemon goes on.
 *
 * Heartbeats say how far the publisher is; one that is fresh (issued
 * within stale_after of our clock) proves the channel is alive.  With
 * none for stale_after seconds the subscriber raises the stale-channel
 * alarm, and clears it when they return.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>
#include <zmq.h>

#include "cb_file.h"
#include "cb_log.h"
#include "cb_mem.h"
#include "cb_net.h"
#include "cb_time.h"
#include "sub_catchup.h"
#include "sub_daemon.h"
#include "sub_notify.h"
#include "sub_recv.h"
#include "sub_store.h"

#define SUB_RCVHWM 100000
#define TICK_MS 500
#define SUB_REMIND_MAX 100 /* reminders in one round */

struct sub_ctx {
	const struct sub_config *cfg;
	int lockfd;
	struct cb_pubkey key; /* the pinned publisher key */
	struct sub_store *store;
	void *sock;
	struct sub_catchup *catchup; /* NULL without a requests endpoint */
	uint64_t last_seq;      /* last archived */
	uint64_t publisher_seq; /* latest the publisher announced */
	int64_t last_hb_ms;     /* monotonic time of the last fresh one */
	int stale;              /* the alarm is raised */
	unsigned long archived, dropped, ignored;
	struct sub_notify *notify;
	int64_t next_remind_ms; /* monotonic time of the next reminders */
};

static volatile sig_atomic_t quit;

static void
on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

static void
install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
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
	path = cb_xasprintf("%s/%s", c->cfg->state, SUB_ARCHIVE_FILE);
	c->store = sub_store_open(path, 0, err);
	free(path);
	if (c->store == NULL)
		return -1;
	return sub_store_last_seq(c->store, c->key.id, &c->last_seq, err);
}

static int
open_sockets(struct sub_ctx *c, struct cb_err *err)
{
	int hwm = SUB_RCVHWM;

	c->sock = cb_net_socket(ZMQ_SUB, err);
	if (c->sock == NULL)
		return -1;
	zmq_setsockopt(c->sock, ZMQ_RCVHWM, &hwm, sizeof(hwm));
	zmq_setsockopt(c->sock, ZMQ_SUBSCRIBE, "adv.", 4);
	zmq_setsockopt(c->sock, ZMQ_SUBSCRIBE, "hb", 2);
	cb_net_keepalive(c->sock);
	if (cb_net_connect(c->sock, c->cfg->broadcast, err) < 0)
		return -1;
	if (c->cfg->requests != NULL) {
		c->catchup = sub_catchup_open(c->cfg->requests, err);
		if (c->catchup == NULL)
			return -1;
	}
	return 0;
}

static void
close_all(struct sub_ctx *c)
{
	sub_notify_free(c->notify);
	sub_catchup_close(c->catchup);
	cb_net_close(c->sock);
	cb_net_shutdown();
	sub_store_close(c->store);
	if (c->lockfd >= 0)
		close(c->lockfd);
}

static void
drop(struct sub_ctx *c, const char *why)
{
	c->dropped++;
	log_warnx("dropped message (%lu so far): %s", c->dropped, why);
}

/* Tell people about an advisory just archived, down every path that is
 * on and that the filters allow (sub_notify); the terminal path prints
 * "SEQ SEVERITY ID rREVISION [STATUS] TITLE". */
static void
report(struct sub_ctx *c, const struct sub_incoming *in)
{
	sub_notify_advisory(c->notify, SUB_EVENT_ADVISORY, in->msg.seq,
	    &in->adv, in->msg.payload, in->msg.payload_len);
}

/* Ask for what is missing after the last archived message. */
static void
catch_up(struct sub_ctx *c, const char *why)
{
	if (c->catchup == NULL) {
		log_warnx("%s, and no requests endpoint to catch up from",
		    why);
		return;
	}
	if (!sub_catchup_busy(c->catchup))
		log_info("catching up after seq %llu: %s",
		    (unsigned long long)c->last_seq, why);
	sub_catchup_ask(c->catchup, c->last_seq);
}

static void
archive(struct sub_ctx *c, const struct sub_incoming *in, int live)
{
	struct cb_err err;
	char why[128];
	int rc;

	if (in->msg.seq <= c->last_seq) {
		/* Seen already: a late live copy of a caught-up message,
		 * or a replay.  Either way nothing changes. */
		c->ignored++;
		if (live)
			log_info("ignored seq %llu: not newer than %llu "
			    "(duplicate or replayed)",
			    (unsigned long long)in->msg.seq,
			    (unsigned long long)c->last_seq);
		return;
	}
	if (in->msg.seq > c->last_seq + 1) {
		snprintf(why, sizeof(why), "received seq %llu",
		    (unsigned long long)in->msg.seq);
		catch_up(c, why);
		return; /* it comes again, in order, with the catch-up */
	}
	rc = sub_store_put(c->store, &in->msg, &in->adv, in->signed_bytes,
	    in->signed_len, in->sigblock, in->sigblock_len, &err);
	if (rc < 0) {
		log_warnx("cannot archive seq %llu: %s",
		    (unsigned long long)in->msg.seq, err.msg);
		return;
	}
	c->last_seq = in->msg.seq;
	if (rc == 1) {
		c->archived++;
		report(c, in);
	}
}

static void
alarm_state(struct sub_ctx *c, int stale)
{
	if (stale == c->stale)
		return;
	c->stale = stale;
	if (stale)
		log_warnx("ALARM: channel stale, no valid heartbeat for %d s",
		    c->cfg->stale_after);
	else
		log_info("channel alive again");
	sub_notify_alarm(c->notify, stale, c->cfg->stale_after);
}

static void
heartbeat(struct sub_ctx *c, const struct sub_incoming *in)
{
	int64_t age_ms = cb_time_now_ms() - in->msg.issued_ms;
	char why[128];

	if (age_ms > (int64_t)c->cfg->stale_after * 1000 ||
	    age_ms < -(int64_t)c->cfg->stale_after * 1000) {
		log_warnx("heartbeat issued %lld s from now does not count as "
		    "fresh", (long long)(-age_ms / 1000));
		return;
	}
	c->last_hb_ms = cb_time_mono_ms();
	alarm_state(c, 0);
	if (in->msg.seq > c->publisher_seq)
		c->publisher_seq = in->msg.seq;
	if (in->msg.seq > c->last_seq) {
		snprintf(why, sizeof(why), "the publisher is at seq %llu",
		    (unsigned long long)in->msg.seq);
		catch_up(c, why);
	} else if (in->msg.seq < c->last_seq) {
		log_warnx("heartbeat says the publisher is at seq %llu, behind "
		    "our %llu: its journal went back?",
		    (unsigned long long)in->msg.seq,
		    (unsigned long long)c->last_seq);
	}
}

static void
receive_live(struct sub_ctx *c)
{
	struct sub_incoming in;
	struct cb_frames f;
	struct cb_err err;

	if (cb_net_recv(c->sock, &f, ZMQ_DONTWAIT, &err) < 0) {
		if (errno != EAGAIN && errno != EINTR)
			drop(c, err.msg);
		return;
	}
	if (sub_recv_check(&c->key, 1, &f, &in, &err) < 0) {
		drop(c, err.msg);
		cb_frames_release(&f);
		return;
	}
	if (in.msg.type == CB_MSG_ADVISORY)
		archive(c, &in, 1);
	else
		heartbeat(c, &in);
	sub_incoming_release(&in);
	cb_frames_release(&f);
}

static void
receive_catchup(struct sub_ctx *c)
{
	struct sub_incoming in;
	struct cb_frames f;
	struct cb_req end;
	struct cb_err err;

	switch (sub_catchup_recv(c->catchup, &f, &end, &err)) {
	case SUB_CATCHUP_NONE:
		return;
	case SUB_CATCHUP_BAD:
		drop(c, err.msg);
		return;
	case SUB_CATCHUP_END:
		if (end.latest > c->publisher_seq)
			c->publisher_seq = end.latest;
		if (end.latest > c->last_seq)
			sub_catchup_ask(c->catchup, c->last_seq);
		else
			log_info("caught up at seq %llu",
			    (unsigned long long)c->last_seq);
		return;
	case SUB_CATCHUP_MSG:
		break;
	}
	if (sub_recv_open(&c->key, 1, f.data[1], f.len[1], f.data[2],
		f.len[2], &in, &err) < 0) {
		drop(c, err.msg);
	} else {
		if (in.msg.type == CB_MSG_ADVISORY)
			archive(c, &in, 0);
		sub_incoming_release(&in);
	}
	cb_frames_release(&f);
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
		log_warnx("archived seq %llu is damaged; no reminder",
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
	n = sub_store_reminders(c->store, now, now - c->cfg->renotify,
	    SUB_REMIND_MAX, remind_one, c, &err);
	if (n < 0)
		log_warnx("cannot look for advisories to remind of: %s",
		    err.msg);
	else if (n > 0)
		log_info("reminded of %d unacknowledged critical "
			 "advisor%s%s", n, n == 1 ? "y" : "ies",
		    n == SUB_REMIND_MAX ? " (the oldest; there are more)" : "");
}

/* Every TICK_MS: the stale alarm and catch-up time-outs. */
static void
tick(struct sub_ctx *c)
{
	if (cb_time_mono_ms() - c->last_hb_ms >
	    (int64_t)c->cfg->stale_after * 1000)
		alarm_state(c, 1);
	if (c->catchup != NULL)
		sub_catchup_tick(c->catchup, c->last_seq);
	sub_notify_tick(c->notify);
	remind(c);
}

/* poll(2) events as zmq_poll takes them. */
static short
bus_events(short ev)
{
	return (short)((ev & POLLIN ? ZMQ_POLLIN : 0) |
	    (ev & POLLOUT ? ZMQ_POLLOUT : 0));
}

static void
loop(struct sub_ctx *c)
{
	zmq_pollitem_t items[3];
	int64_t next_tick = cb_time_mono_ms() + TICK_MS;
	int rc, n, bus = -1, fd;
	short ev = 0;

	while (!quit) {
		items[0] = (zmq_pollitem_t){ .socket = c->sock,
			.events = ZMQ_POLLIN };
		n = 1;
		if (c->catchup != NULL)
			items[n++] = (zmq_pollitem_t){ .socket =
				sub_catchup_socket(c->catchup),
				.events = ZMQ_POLLIN };
		if ((fd = sub_notify_fd(c->notify, &ev)) >= 0) {
			bus = n;
			items[n++] = (zmq_pollitem_t){ .fd = fd,
				.events = bus_events(ev) };
		}
		rc = zmq_poll(items, n, TICK_MS);
		if (rc < 0 && errno != EINTR)
			log_warnx("poll: %s", zmq_strerror(errno));
		if (rc > 0 && (items[0].revents & ZMQ_POLLIN))
			receive_live(c);
		if (rc > 0 && c->catchup != NULL &&
		    (items[1].revents & ZMQ_POLLIN))
			receive_catchup(c);
		if (rc > 0 && bus >= 0 && items[bus].revents != 0)
			sub_notify_process(c->notify);
		bus = -1;
		if (cb_time_mono_ms() >= next_tick) {
			tick(c);
			next_tick = cb_time_mono_ms() + TICK_MS;
		}
	}
}

int
sub_daemon_run(const struct sub_config *cfg)
{
	struct sub_ctx c = { .cfg = cfg, .lockfd = -1 };
	char keyhex[CB_SIG_KEYIDHEX];
	struct cb_err err;

	install_signals();
	if (open_state(&c, &err) < 0 || open_sockets(&c, &err) < 0 ||
	    (c.notify = sub_notify_new(cfg, &err)) == NULL) {
		log_warnx("cannot start: %s", err.msg);
		close_all(&c);
		return 2;
	}
	if (cfg->insecure)
		log_warnx("transport is plaintext (--insecure)");
	c.last_hb_ms = cb_time_mono_ms(); /* the alarm counts from start */
	c.next_remind_ms = c.last_hb_ms + (int64_t)cfg->renotify * 1000;
	log_info("ready: publisher key %s, broadcast %s, requests %s, last "
		 "seq %llu",
	    cb_sig_keyid_hex(c.key.id, keyhex), cfg->broadcast,
	    cfg->requests ? cfg->requests : "(none)",
	    (unsigned long long)c.last_seq);
	if (c.catchup != NULL)
		catch_up(&c, "starting");
	sd_notify(0, "READY=1");
	loop(&c);
	log_info("stopping: %lu archived, %lu dropped, %lu duplicates ignored",
	    c.archived, c.dropped, c.ignored);
	close_all(&c);
	return 0;
}
