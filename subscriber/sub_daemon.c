/*
 * sub_daemon: the subscriber daemon.  Every message goes verify ->
 * order/dedupe -> archive -> report; anything that fails a step is
 * dropped, counted and logged with its reason, and the daemon goes on.
 */
#include <errno.h>
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
#include "cb_utf8.h"
#include "sub_daemon.h"
#include "sub_recv.h"
#include "sub_store.h"

#define SUB_RCVHWM 100000

struct sub_ctx {
	const struct sub_options *opts;
	int lockfd;
	struct cb_pubkey key; /* the pinned publisher key */
	struct sub_store *store;
	void *sock;
	uint64_t last_seq;
	unsigned long archived, dropped;
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

	if (cb_sig_read_pubkey(c->opts->publisher_key, &c->key, err) < 0 ||
	    cb_file_private_dir(c->opts->state, 1, err) < 0)
		return -1;
	path = cb_xasprintf("%s/%s", c->opts->state, SUB_LOCK_FILE);
	c->lockfd = cb_file_lock(path, err);
	free(path);
	if (c->lockfd < 0)
		return -1;
	path = cb_xasprintf("%s/%s", c->opts->state, SUB_ARCHIVE_FILE);
	c->store = sub_store_open(path, 0, err);
	free(path);
	if (c->store == NULL)
		return -1;
	return sub_store_last_seq(c->store, c->key.id, &c->last_seq, err);
}

static int
open_socket(struct sub_ctx *c, struct cb_err *err)
{
	int hwm = SUB_RCVHWM;

	c->sock = cb_net_socket(ZMQ_SUB, err);
	if (c->sock == NULL)
		return -1;
	zmq_setsockopt(c->sock, ZMQ_RCVHWM, &hwm, sizeof(hwm));
	zmq_setsockopt(c->sock, ZMQ_SUBSCRIBE, "adv.", 4);
	zmq_setsockopt(c->sock, ZMQ_SUBSCRIBE, "hb", 2);
	return cb_net_connect(c->sock, c->opts->broadcast, err);
}

static void
close_all(struct sub_ctx *c)
{
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

/* One line per archived advisory on stdout, safe for a terminal:
 * "SEQ SEVERITY ID rREVISION [STATUS] TITLE" ([STATUS] only when it is
 * not an actual one). */
static void
report(const struct sub_incoming *in)
{
	const struct cb_adv *a = &in->adv;
	char *title = cb_utf8_printable(a->title);
	char *id = cb_utf8_printable(a->id);
	char status[32] = "";

	if (a->status != CB_STATUS_ACTUAL)
		snprintf(status, sizeof(status), "[%s] ",
		    cb_status_name(a->status));
	printf("%llu %s %s r%u %s%s\n", (unsigned long long)in->msg.seq,
	    cb_severity_name(a->severity), id, a->revision, status, title);
	fflush(stdout);
	free(title);
	free(id);
}

static void
archive(struct sub_ctx *c, const struct sub_incoming *in)
{
	struct cb_err err;
	char why[256];
	int rc;

	if (in->msg.seq <= c->last_seq) {
		snprintf(why, sizeof(why), "sequence %llu is not newer than "
		    "%llu (replayed or duplicate)",
		    (unsigned long long)in->msg.seq,
		    (unsigned long long)c->last_seq);
		drop(c, why);
		return;
	}
	if (in->msg.seq == c->last_seq + 2)
		log_warnx("gap: sequence %llu was missed",
		    (unsigned long long)c->last_seq + 1);
	else if (in->msg.seq > c->last_seq + 2)
		log_warnx("gap: sequences %llu to %llu were missed",
		    (unsigned long long)c->last_seq + 1,
		    (unsigned long long)in->msg.seq - 1);
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
		report(in);
	}
}

static void
receive_one(struct sub_ctx *c)
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
		archive(c, &in);
	else if (in.msg.seq > c->last_seq)
		log_debug("heartbeat: publisher at seq %llu, archive at %llu",
		    (unsigned long long)in.msg.seq,
		    (unsigned long long)c->last_seq);
	sub_incoming_release(&in);
	cb_frames_release(&f);
}

static void
loop(struct sub_ctx *c)
{
	zmq_pollitem_t items[1];
	int rc;

	while (!quit) {
		items[0] = (zmq_pollitem_t){ .socket = c->sock,
			.events = ZMQ_POLLIN };
		rc = zmq_poll(items, 1, 1000);
		if (rc < 0) {
			if (errno != EINTR)
				log_warnx("poll: %s", zmq_strerror(errno));
			continue;
		}
		if (items[0].revents & ZMQ_POLLIN)
			receive_one(c);
	}
}

int
sub_daemon_run(const struct sub_options *opts)
{
	struct sub_ctx c = { .opts = opts, .lockfd = -1 };
	char keyhex[CB_SIG_KEYIDHEX];
	struct cb_err err;

	install_signals();
	if (open_state(&c, &err) < 0 || open_socket(&c, &err) < 0) {
		log_warnx("cannot start: %s", err.msg);
		close_all(&c);
		return 2;
	}
	if (opts->insecure)
		log_warnx("transport is plaintext (--insecure)");
	log_info("ready: publisher key %s, broadcast %s, last seq %llu",
	    cb_sig_keyid_hex(c.key.id, keyhex), opts->broadcast,
	    (unsigned long long)c.last_seq);
	sd_notify(0, "READY=1");
	loop(&c);
	log_info("stopping: %lu archived, %lu dropped", c.archived, c.dropped);
	close_all(&c);
	return 0;
}
