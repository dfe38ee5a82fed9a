/*
 * bench_way_back: how fast a relay's outbox (relay_outbox) takes in
 * agencies' SUBMITs and forwards them upstream, on this machine's disk.
 *
 *   bench_way_back N DIR
 *
 * N receipts signed by 100 registered agencies (a registry of 1000
 * members) are submitted to an outbox in DIR/relay.db (made anew):
 *   - one commit (fsync) each, as relay_outbox_submit does alone;
 *   - in batches of 64 (relay_outbox_begin/commit), as a loop that
 *     reads the SUBMITs of one pass together may;
 * then all N are forwarded through a real DEALER to a ROUTER (ipc in
 * DIR) that confirms each at once, until none is pending.  Prints the
 * rates; merged into build/bench/results.json under "way_back".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "cb_catchup.h"
#include "cb_db.h"
#include "cb_mem.h"
#include "cb_msg.h"
#include "cb_net.h"
#include "cb_registry.h"
#include "cb_sig.h"
#include "cb_time.h"
#include "relay_outbox.h"
#include "results.h"

#define MEMBERS 1000
#define SIGNERS 100
#define BATCH 64

static struct cb_registry reg;
static struct cb_seckey *keys[SIGNERS];

static void
die(const char *what, const struct cb_err *err)
{
	fprintf(stderr, "bench_way_back: %s: %s\n", what,
	    err != NULL ? err->msg : "failed");
	exit(2);
}

static void
make_registry(void)
{
	struct cb_seckey *sk;
	struct cb_err err;
	size_t i;

	reg.generation = 1;
	reg.n = MEMBERS;
	reg.members = cb_xcalloc(MEMBERS, sizeof(reg.members[0]));
	for (i = 0; i < MEMBERS; i++) {
		if (cb_sig_keygen(&sk, &reg.members[i].key, &err) < 0)
			die("keygen", &err);
		snprintf(reg.members[i].name, sizeof(reg.members[i].name),
		    "don-vi-%04zu", i);
		if (i < SIGNERS)
			keys[i] = sk;
		else
			cb_seckey_free(sk);
	}
}

static struct cb_sealed *
make_receipts(size_t n)
{
	struct cb_sealed *s = cb_xcalloc(n, sizeof(*s));
	char payload[256];
	struct cb_err err;
	size_t i;

	for (i = 0; i < n; i++) {
		snprintf(payload, sizeof(payload), "{\"id\":"
		    "\"local:2026-%06zu\",\"revision\":1,"
		    "\"event\":\"received\",\"at\":\"2026-11-28T10:00:00Z\"}",
		    i / SIGNERS + 1);
		if (cb_msg_seal(keys[i % SIGNERS], CB_MSG_RECEIPT,
			1000000 + i / SIGNERS, cb_time_now_ms(), payload,
			strlen(payload), "canhbao agency receipt", &s[i],
			&err) < 0)
			die("seal", &err);
	}
	return s;
}

static sqlite3 *
fresh_db(const char *dir, struct relay_outbox **o)
{
	char *path = cb_xasprintf("%s/relay.db", dir);
	struct cb_err err;
	sqlite3 *db;

	remove(path);
	db = cb_db_open(path, 0, NULL, 0, &err);
	free(path);
	if (db == NULL || (*o = relay_outbox_open(db, &err)) == NULL)
		die("open", &err);
	return db;
}

static void
submit(struct relay_outbox *o, const struct cb_sealed *s)
{
	struct cb_req c = { .id = 1 };

	relay_outbox_submit(o, &reg, s->signed_bytes, s->signed_len,
	    s->sigblock, s->sigblock_len, &c);
	if (c.status != CB_REQ_KEPT)
		die("submit", NULL);
}

/* Submissions per second, batch at a time (1: no batch). */
static double
submit_all(struct relay_outbox *o, const struct cb_sealed *s, size_t n,
    size_t batch)
{
	int64_t t0 = cb_time_mono_ms();
	struct cb_err err;
	size_t i;

	for (i = 0; i < n; i++) {
		if (batch > 1 && i % batch == 0 &&
		    relay_outbox_begin(o, &err) < 0)
			die("begin", &err);
		submit(o, &s[i]);
		if (batch > 1 && (i % batch == batch - 1 || i == n - 1) &&
		    relay_outbox_commit(o, &err) < 0)
			die("commit", &err);
	}
	return (double)n * 1000.0 / (double)(cb_time_mono_ms() - t0 + 1);
}

/* The upstream answers every SUBMIT waiting at it with 0. */
static void
upstream_answers(void *router)
{
	struct cb_frames f;
	struct cb_req c = { .type = CB_REQ_CONFIRM };
	uint8_t buf[CB_REQ_MAXLEN];
	const void *data[2];
	size_t len[2];

	while (cb_net_recv(router, &f, ZMQ_DONTWAIT, NULL) == 0) {
		memcpy(c.key_id, (uint8_t *)f.data[3] + CB_MSG_SB_KEYID, 8);
		c.seq = 0;
		for (len[0] = 13; len[0] < 21; len[0]++)
			c.seq = c.seq << 8 | ((uint8_t *)f.data[2])[len[0]];
		data[0] = f.data[0];
		len[0] = f.len[0];
		data[1] = buf;
		len[1] = cb_req_encode(&c, buf);
		cb_net_send(router, data, len, 2, 0);
		cb_frames_release(&f);
	}
}

/* Forward everything pending through a ROUTER that confirms at once:
 * messages per second. */
static double
forward_all(struct relay_outbox *o, const char *dir)
{
	char *ep = cb_xasprintf("ipc://%s/up", dir);
	struct cb_frames f;
	struct cb_req c;
	struct cb_err err;
	struct cb_catchup *cu;
	void *router = cb_net_socket(ZMQ_ROUTER, &err);
	size_t n = relay_outbox_pending(o);
	int64_t t0;

	cb_net_set_maxmsg(router, CB_NET_MAXMSG_REQUESTS);
	if (cb_net_bind(router, ep, NULL, 0, &err) < 0 ||
	    (cu = cb_catchup_open(ep, &err)) == NULL ||
	    cb_catchup_connect(cu, ep, &err) < 0)
		die("sockets", &err);
	t0 = cb_time_mono_ms();
	while (relay_outbox_pending(o) > 0) {
		zmq_pollitem_t it[2] = {
			{ router, 0, ZMQ_POLLIN, 0 },
			{ cb_catchup_socket(cu), 0, ZMQ_POLLIN, 0 },
		};

		relay_outbox_pump(o, cu);
		zmq_poll(it, 2, 100);
		upstream_answers(router);
		while (cb_catchup_recv(cu, &f, &c, &err) == CB_CATCHUP_CONFIRM)
			relay_outbox_confirmed(o, &c);
	}
	t0 = cb_time_mono_ms() - t0;
	cb_catchup_close(cu);
	cb_net_close(router);
	free(ep);
	return (double)n * 1000.0 / (double)(t0 + 1);
}

static void
figure(const char *key, const char *what, double per_s)
{
	printf("  %-44s %8.0f /s  (%7.1f us each)\n", what, per_s,
	    1e6 / per_s);
	results_set_in("way_back", key, cJSON_CreateNumber(per_s));
}

int
main(int argc, char **argv)
{
	struct relay_outbox *o;
	struct cb_sealed *s;
	sqlite3 *db;
	size_t n, i;

	if (argc != 3 || (n = strtoul(argv[1], NULL, 10)) == 0)
		return fprintf(stderr, "usage: bench_way_back N DIR\n"), 2;
	if (cb_sig_init() < 0)
		return 2;
	make_registry();
	s = make_receipts(n);
	printf("== relay way back: %zu receipts from %d agencies, registry of "
	    "%d\n", n, SIGNERS, MEMBERS);
	db = fresh_db(argv[2], &o);
	figure("submit_each_per_s", "kept, one commit (fsync) each",
	    submit_all(o, s, n, 1));
	relay_outbox_close(o);
	cb_db_close(db);
	db = fresh_db(argv[2], &o);
	figure("submit_batch64_per_s", "kept, group commit of 64",
	    submit_all(o, s, n, BATCH));
	figure("forward_per_s", "forwarded and confirmed (64 in flight)",
	    forward_all(o, argv[2]));
	results_set_in("way_back", "n", cJSON_CreateNumber((double)n));
	relay_outbox_close(o);
	cb_db_close(db);
	for (i = 0; i < n; i++)
		cb_sealed_release(&s[i]);
	free(s);
	return results_save() < 0 ? 2 : 0;
}
