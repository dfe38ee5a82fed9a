/* Unit tests for the publisher's side of relays: the kind of each
 * registered key and the registry's generation (pub_journal), a
 * relay's presence and what a relay may sign (pub_inbound), relays
 * kept out of every count of agencies (pub_views), the registry's
 * payload and its sealed message, kept until the generation or the
 * signing key changes (pub_registry, pub_seal), and the subscriptions
 * the broadcast socket reads (pub_bcast). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <zmq.h>

#include "cb_test.h"
#include "pub_test.h"
#include "cb_adv.h"
#include "cb_msg.h"
#include "cb_net.h"
#include "cb_registry.h"
#include "cb_sig.h"
#include "cb_time.h"
#include "pub_bcast.h"
#include "pub_inbound.h"
#include "pub_journal.h"
#include "pub_registry.h"
#include "pub_seal.h"
#include "pub_views.h"

#define NOW 1780000000 /* a fixed clock: 2026-05-28 */
#define ADV "local:2026-000001"
#define RECV_MS 5000   /* a message that should come: generous */

static uint64_t
generation(struct pub_journal *j)
{
	struct cb_err err;
	uint64_t gen;

	assert_int_equal(pub_journal_generation(j, &gen, &err), 0);
	return gen;
}

/* A new key registered as name of kind; its secret half returned. */
static struct cb_seckey *
enrol(struct pub_journal *j, const char *name, enum cb_registry_kind kind)
{
	struct cb_seckey *sk;
	struct cb_pubkey pk;
	struct cb_err err;

	assert_int_equal(cb_sig_keygen(&sk, &pk, &err), 0);
	if (pub_journal_member_add(j, name, kind, &pk, NOW, &err) < 0)
		fail_msg("%s", err.msg);
	return sk;
}

struct kinds {
	char name[4][65];
	enum cb_registry_kind kind[4];
	int n;
};

static void
add_kind(const struct pub_agency *a, void *arg)
{
	struct kinds *k = arg;

	snprintf(k->name[k->n], sizeof(k->name[0]), "%s", a->name);
	k->kind[k->n++] = a->kind;
}

static void
test_kinds_and_generation(void **state)
{
	struct pub_fixture *f = *state;
	struct cb_seckey *a, *r;
	struct kinds k = { 0 };
	struct cb_pubkey pk;
	struct cb_err err;

	assert_int_equal(generation(f->j), 1); /* a new journal */
	a = enrol(f->j, "so-y-te", CB_REGISTRY_AGENCY);
	assert_int_equal(generation(f->j), 2);
	r = enrol(f->j, "relay-hn", CB_REGISTRY_RELAY);
	assert_int_equal(generation(f->j), 3);
	cb_seckey_public(r, &pk);
	/* One name space and one key each across both kinds; a refused
	 * add moves nothing on. */
	pk.id[0] ^= 1;
	pk.pk[0] ^= 1;
	assert_int_equal(pub_journal_member_add(f->j, "so-y-te",
	    CB_REGISTRY_RELAY, &pk, NOW, &err), -1);
	cb_seckey_public(r, &pk);
	assert_int_equal(pub_journal_member_add(f->j, "other",
	    CB_REGISTRY_AGENCY, &pk, NOW, &err), -1);
	assert_int_equal(generation(f->j), 3);
	assert_int_equal(pub_journal_agency_each(f->j, add_kind, &k, &err), 2);
	assert_string_equal(k.name[0], "relay-hn");
	assert_int_equal(k.kind[0], CB_REGISTRY_RELAY);
	assert_string_equal(k.name[1], "so-y-te");
	assert_int_equal(k.kind[1], CB_REGISTRY_AGENCY);
	assert_int_equal(pub_journal_is_relay(f->j, "relay-hn"), 1);
	assert_int_equal(pub_journal_is_relay(f->j, "so-y-te"), 0);
	assert_int_equal(pub_journal_is_relay(f->j, ""), 0);
	/* remove takes either kind; an unknown name changes nothing */
	assert_int_equal(pub_journal_agency_remove(f->j, "relay-hn", &err), 1);
	assert_int_equal(generation(f->j), 4);
	assert_int_equal(pub_journal_agency_remove(f->j, "relay-hn", &err), 0);
	assert_int_equal(generation(f->j), 4);
	assert_int_equal(pub_journal_is_relay(f->j, "relay-hn"), 0);
	cb_seckey_free(a);
	cb_seckey_free(r);
}

/* The generation moves with the add, in the caller's transaction: a
 * rollback takes both back. */
static void
test_generation_in_transaction(void **state)
{
	struct pub_fixture *f = *state;
	struct cb_seckey *r;
	struct kinds k = { 0 };
	struct cb_err err;

	assert_int_equal(pub_journal_begin(f->j, &err), 0);
	r = enrol(f->j, "relay-hn", CB_REGISTRY_RELAY);
	assert_int_equal(generation(f->j), 2);
	pub_journal_rollback(f->j);
	assert_int_equal(generation(f->j), 1);
	assert_int_equal(pub_journal_agency_each(f->j, add_kind, &k, &err), 0);
	cb_seckey_free(r);
}

/* Seal a message of type with sk as its signer's seq-th and submit it;
 * returns what pub_inbound_submit did (res filled). */
static int
submit(struct pub_journal *j, const struct cb_seckey *sk, int type,
    uint64_t seq, const char *payload, struct pub_inbound_result *res)
{
	struct cb_sealed s;
	struct cb_err err;
	int rc;

	assert_int_equal(cb_msg_seal(sk, (enum cb_msg_type)type, seq,
	    (int64_t)NOW * 1000, payload, strlen(payload), "test", &s, &err),
	    0);
	rc = pub_inbound_submit(j, s.signed_bytes, s.signed_len, s.sigblock,
	    s.sigblock_len, NOW, res, &err);
	cb_sealed_release(&s);
	return rc;
}

static const char *
presence(uint64_t last_seq)
{
	static char buf[128];

	snprintf(buf, sizeof(buf), "{\"at\":\"2026-05-28T00:00:00Z\","
	    "\"last_seq\":%llu}", (unsigned long long)last_seq);
	return buf;
}

/* An advisory in the journal. */
static void
publish(struct pub_journal *j, uint64_t seq, const char *severity)
{
	static const uint8_t bytes[4] = "CBM1", sig[2] = "ED";
	struct pub_entry e = { .seq = seq, .type = CB_MSG_ADVISORY,
		.issued_ms = (int64_t)NOW * 1000, .adv_id = ADV, .revision = 1,
		.severity = severity, .title = "t", .signed_bytes = bytes,
		.signed_len = sizeof(bytes), .sigblock = sig,
		.sigblock_len = sizeof(sig) };
	struct cb_err err;

	assert_int_equal(pub_journal_append(j, &e, NULL, &err), 0);
}

static const cJSON *
only(const cJSON *view)
{
	assert_int_equal(cJSON_GetArraySize(view), 1);
	return cJSON_GetArrayItem(view, 0);
}

static void
test_relay_presence(void **state)
{
	struct pub_fixture *f = *state;
	struct pub_inbound_result res;
	struct cb_seckey *r;
	struct cb_err err;
	const cJSON *e;
	cJSON *v;

	assert_int_equal(pub_inbound_migrate(f->j, &err), 0);
	r = enrol(f->j, "relay-hn", CB_REGISTRY_RELAY);
	publish(f->j, 1, "high");
	publish(f->j, 2, "high");
	publish(f->j, 3, "high");
	v = pub_views_relays(f->j, &err);
	e = only(v);
	assert_string_equal(cJSON_GetObjectItem(e, "kind")->valuestring,
	    "relay");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(e, "behind")));
	cJSON_Delete(v);

	assert_int_equal(submit(f->j, r, CB_MSG_PRESENCE, 5, presence(1),
	    &res), 0);
	assert_int_equal(res.relay, 1);
	assert_string_equal(res.agency, "relay-hn");
	/* an older presence (its own number 4) does not undo a later one */
	assert_int_equal(submit(f->j, r, CB_MSG_PRESENCE, 4, presence(0),
	    &res), 0);
	v = pub_views_relays(f->j, &err);
	e = only(v);
	assert_int_equal(pub_views_num(e, "last_seq"), 1);
	assert_int_equal(pub_views_num(e, "behind"), 2);
	assert_non_null(cJSON_GetObjectItem(e, "last_contact")->valuestring);
	cJSON_Delete(v);
	assert_int_equal(submit(f->j, r, CB_MSG_PRESENCE, 6, presence(3),
	    &res), 0);
	v = pub_views_relays(f->j, &err);
	assert_int_equal(pub_views_num(only(v), "behind"), 0);
	cJSON_Delete(v);
	/* a relay signs nothing else; a bad last_seq is refused */
	assert_int_equal(submit(f->j, r, CB_MSG_RECEIPT, 7, "{\"id\":\"" ADV
	    "\",\"revision\":1,\"event\":\"received\",\"at\":"
	    "\"2026-05-28T00:00:00Z\"}", &res), -1);
	assert_int_equal(res.status, CB_REQ_REFUSED);
	assert_int_equal(submit(f->j, r, CB_MSG_PRESENCE, 8,
	    "{\"at\":\"2026-05-28T00:00:00Z\",\"last_seq\":-1}", &res), -1);
	assert_int_equal(res.status, CB_REQ_REFUSED);
	cb_seckey_free(r);
}

static void
count_health(const struct pub_agency_health *h, void *arg)
{
	(void)h;
	(*(int *)arg)++;
}

/* Relays are not agencies: no view that counts agencies counts one,
 * and an agency's receipt is the agency's, whoever passed it on. */
static void
test_relays_not_counted(void **state)
{
	struct pub_fixture *f = *state;
	struct pub_inbound_result res;
	struct cb_seckey *a, *r;
	struct cb_err err;
	cJSON *v, *adv;
	int n = 0;

	assert_int_equal(pub_inbound_migrate(f->j, &err), 0);
	publish(f->j, 1, "critical");
	a = enrol(f->j, "so-y-te", CB_REGISTRY_AGENCY);
	r = enrol(f->j, "relay-hn", CB_REGISTRY_RELAY);
	assert_int_equal(submit(f->j, a, CB_MSG_RECEIPT, 1, "{\"id\":\"" ADV
	    "\",\"revision\":1,\"event\":\"received\",\"at\":"
	    "\"2026-05-28T00:00:00Z\"}", &res), 0);
	assert_string_equal(res.agency, "so-y-te");
	assert_int_equal(res.relay, 0);
	assert_int_equal(submit(f->j, r, CB_MSG_PRESENCE, 1, presence(1),
	    &res), 0);

	v = pub_views_receipts(f->j, ADV, &err);
	assert_string_equal(cJSON_GetObjectItem(only(v), "agency")->valuestring,
	    "so-y-te");
	cJSON_Delete(v);
	v = pub_views_overdue(f->j, CB_SEV_INFO, NOW + 10, &err);
	assert_string_equal(cJSON_GetObjectItem(only(v), "agency")->valuestring,
	    "so-y-te");
	cJSON_Delete(v);
	v = pub_views_agencies(f->j, NOW, 600, &err);
	assert_string_equal(cJSON_GetObjectItem(only(v), "kind")->valuestring,
	    "agency");
	cJSON_Delete(v);
	v = pub_views_drill(f->j, ADV, &err);
	assert_int_equal(pub_views_num(v, "registered"), 1);
	assert_int_equal(pub_views_num(v, "received"), 1);
	cJSON_Delete(v);
	v = pub_views_advisories(f->j, 10, &err);
	adv = cJSON_GetArrayItem(v, 0);
	assert_int_equal(pub_views_num(adv, "registered"), 1);
	assert_int_equal(pub_views_num(adv, "received"), 1);
	cJSON_Delete(v);
	assert_int_equal(pub_views_agency_known(f->j, "relay-hn", &err), 0);
	assert_int_equal(pub_views_agency_known(f->j, "so-y-te", &err), 1);
	assert_int_equal(pub_views_agency_health(f->j, 0, count_health, &n,
	    &err), 0);
	assert_int_equal(n, 1);
	cb_seckey_free(a);
	cb_seckey_free(r);
}

/* --- the registry message ---------------------------------------------- */

static void
test_payload(void **state)
{
	struct pub_fixture *f = *state;
	struct cb_seckey *k[3];
	struct cb_registry reg;
	struct cb_pubkey pk;
	struct cb_err err;
	uint64_t gen;
	size_t len;
	char *p;

	k[0] = enrol(f->j, "z-relay", CB_REGISTRY_RELAY);
	k[1] = enrol(f->j, "an-giang", CB_REGISTRY_AGENCY);
	k[2] = enrol(f->j, "m-relay", CB_REGISTRY_RELAY);
	p = pub_registry_payload(f->j, &gen, &len, &err);
	assert_non_null(p);
	assert_int_equal(gen, 4);
	assert_int_equal(cb_registry_decode((const uint8_t *)p, len, &reg,
	    &err), 0);
	assert_int_equal(reg.generation, 4);
	assert_int_equal(reg.n, 3);
	assert_string_equal(reg.members[0].name, "an-giang"); /* by name */
	assert_int_equal(reg.members[0].kind, CB_REGISTRY_AGENCY);
	assert_string_equal(reg.members[1].name, "m-relay");
	assert_int_equal(reg.members[1].kind, CB_REGISTRY_RELAY);
	assert_string_equal(reg.members[2].name, "z-relay");
	cb_seckey_public(k[0], &pk);
	assert_memory_equal(reg.members[2].key.pk, pk.pk, CB_SIG_PKLEN);
	assert_memory_equal(reg.members[2].key.id, pk.id, CB_SIG_KEYIDLEN);
	cb_registry_release(&reg);
	free(p);
	cb_seckey_free(k[0]);
	cb_seckey_free(k[1]);
	cb_seckey_free(k[2]);
}

/* A publisher's broadcast socket, its sealer and registry, and a SUB
 * socket subscribed to "reg" only. */
struct wire {
	struct cb_seckey *sk;
	struct cb_pubkey pk;
	struct pub_bcast *b;
	struct pub_seal *seal;
	struct pub_registry *reg;
	void *sub;
};

static void
wire_open(struct pub_fixture *f, struct wire *w, const char *topic)
{
	char bound[256];
	struct cb_err err;

	assert_int_equal(cb_sig_keygen(&w->sk, &w->pk, &err), 0);
	w->b = pub_bcast_open("tcp://127.0.0.1:*", NULL, bound, sizeof(bound),
	    &err);
	assert_non_null(w->b);
	w->seal = pub_seal_new(w->sk, w->sk, f->j, w->b);
	w->reg = pub_registry_new(f->j, w->seal, w->b);
	w->sub = cb_net_socket(ZMQ_SUB, &err);
	assert_non_null(w->sub);
	assert_int_equal(zmq_setsockopt(w->sub, ZMQ_SUBSCRIBE, topic,
	    strlen(topic)), 0);
	assert_int_equal(cb_net_connect(w->sub, bound, &err), 0);
}

static void
wire_close(struct wire *w)
{
	cb_net_close(w->sub);
	pub_registry_free(w->reg);
	pub_seal_free(w->seal);
	pub_bcast_close(w->b);
	cb_seckey_free(w->sk);
}

/* Wait for the subscription to reach the publisher's socket: 1 when
 * it was to a prefix of "reg". */
static int
await_subscription(struct wire *w)
{
	zmq_pollitem_t item = { .socket = pub_bcast_socket(w->b),
		.events = ZMQ_POLLIN };

	assert_int_equal(zmq_poll(&item, 1, RECV_MS), 1);
	return pub_bcast_subscribed(w->b, CB_REGISTRY_TOPIC);
}

/* The next message on the SUB socket, checked to be a registry signed
 * by key; its generation returned, its frames in fr (released by the
 * caller). */
static uint64_t
receive(struct wire *w, const struct cb_pubkey *key, struct cb_frames *fr)
{
	zmq_pollitem_t item = { .socket = w->sub, .events = ZMQ_POLLIN };
	struct cb_registry reg;
	struct cb_err err;
	struct cb_msg m;
	uint64_t gen;

	assert_int_equal(zmq_poll(&item, 1, RECV_MS), 1);
	assert_int_equal(cb_net_recv(w->sub, fr, 0, &err), 0);
	assert_int_equal(fr->n, 3);
	assert_memory_equal(fr->data[0], "reg", 3);
	if (cb_msg_open(key, 1, fr->data[1], fr->len[1], fr->data[2],
		fr->len[2], &m, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(m.type, CB_MSG_REGISTRY);
	assert_int_equal(cb_registry_decode(m.payload, m.payload_len, &reg,
	    &err), 0);
	gen = reg.generation;
	cb_registry_release(&reg);
	return gen;
}

static int
same_message(const struct cb_frames *a, const struct cb_frames *b)
{
	return a->len[1] == b->len[1] && a->len[2] == b->len[2] &&
	    memcmp(a->data[1], b->data[1], a->len[1]) == 0 &&
	    memcmp(a->data[2], b->data[2], a->len[2]) == 0;
}

static int
installed(void *arg, struct cb_err *err)
{
	(void)arg;
	(void)err;
	return 0;
}

static void
test_sealed_once(void **state)
{
	struct pub_fixture *f = *state;
	struct cb_frames first, again;
	struct cb_seckey *a, *new_sk;
	struct cb_pubkey new_pk;
	struct cb_err err;
	struct wire w;
	uint64_t seq;

	wire_open(f, &w, CB_REGISTRY_TOPIC);
	assert_int_equal(await_subscription(&w), 1);
	assert_int_equal(pub_registry_send(w.reg, &err), 0);
	assert_int_equal(receive(&w, &w.pk, &first), 1);
	assert_true(pub_registry_timeout(w.reg, cb_time_mono_ms()) >
	    (PUB_REGISTRY_EVERY - 5) * 1000);
	/* unchanged: the same bytes again */
	assert_int_equal(pub_registry_send(w.reg, &err), 0);
	assert_int_equal(receive(&w, &w.pk, &again), 1);
	assert_true(same_message(&first, &again));
	cb_frames_release(&again);
	/* a new generation: sealed again */
	a = enrol(f->j, "so-y-te", CB_REGISTRY_AGENCY);
	assert_int_equal(pub_registry_send(w.reg, &err), 0);
	assert_int_equal(receive(&w, &w.pk, &again), 2);
	cb_frames_release(&again);
	/* a new signing key: sealed again, by it */
	assert_int_equal(cb_sig_keygen(&new_sk, &new_pk, &err), 0);
	assert_int_equal(pub_seal_rotation(w.seal, new_sk, installed, NULL,
	    &seq, &err), 0);
	assert_int_equal(pub_registry_send(w.reg, &err), 0);
	assert_int_equal(receive(&w, &new_pk, &again), 2);
	cb_frames_release(&again);
	cb_frames_release(&first);
	wire_close(&w);
	cb_seckey_free(new_sk);
	cb_seckey_free(a);
}

/* Only a subscription to a prefix of "reg" asks for the registry. */
static void
test_subscriptions(void **state)
{
	static const char *const topics[] = { "hb", "adv.", "regx", "reg",
		"re", "" };
	static const int asks[] = { 0, 0, 0, 1, 1, 1 };
	struct pub_fixture *f = *state;
	struct wire w;
	size_t i;

	for (i = 0; i < sizeof(asks) / sizeof(asks[0]); i++) {
		wire_open(f, &w, topics[i]);
		assert_int_equal(await_subscription(&w), asks[i]);
		wire_close(&w);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		PUB_TEST(test_kinds_and_generation),
		PUB_TEST(test_generation_in_transaction),
		PUB_TEST(test_relay_presence),
		PUB_TEST(test_relays_not_counted),
		PUB_TEST(test_payload),
		PUB_TEST(test_sealed_once),
		PUB_TEST(test_subscriptions),
	};

	if (cb_sig_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
