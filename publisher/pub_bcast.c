/* pub_bcast: sign, journal, then broadcast (see pub_bcast.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "cb_mem.h"
#include "cb_msg.h"
#include "cb_net.h"
#include "cb_time.h"
#include "pub_bcast.h"

/* Messages queued per subscriber before PUB drops: generous, because a
 * burst of feed items must not be dropped for a connected subscriber
 * (catch-up covers the rest). */
#define PUB_SNDHWM 100000

struct held {
	char topic[32];
	struct cb_sealed s;
};

struct pub_bcast {
	void *sock;
	char endpoint[256];               /* as bound */
	const struct cb_seckey *sk;
	const struct cb_seckey *transport; /* NULL: plaintext */
	struct pub_journal *journal;
	char keyhex[CB_SIG_KEYIDHEX];
	int batch;          /* inside pub_bcast_begin */
	struct held *held;  /* journaled, not yet committed nor sent */
	size_t nheld, capheld;
};

/* A PUB socket with canhbao's options, CurveZMQ when transport is set. */
static void *
pub_socket(const struct cb_seckey *transport, struct cb_err *err)
{
	int hwm = PUB_SNDHWM;
	void *s = cb_net_socket(ZMQ_PUB, err);

	if (s == NULL)
		return NULL;
	zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof(hwm));
	if (transport != NULL && cb_net_curve_server_key(s, transport, err) < 0) {
		cb_net_close(s);
		return NULL;
	}
	return s;
}

struct pub_bcast *
pub_bcast_open(const char *endpoint, const struct cb_seckey *sk,
    const struct cb_seckey *transport, struct pub_journal *journal,
    char *bound, size_t boundsz, struct cb_err *err)
{
	struct pub_bcast *b = cb_xcalloc(1, sizeof(*b));

	b->journal = journal;
	b->transport = transport;
	pub_bcast_set_key(b, sk);
	b->sock = pub_socket(transport, err);
	if (b->sock == NULL || cb_net_bind(b->sock, endpoint, b->endpoint,
				  sizeof(b->endpoint), err) < 0)
		goto fail;
	snprintf(bound, boundsz, "%s", b->endpoint);
	return b;
fail:
	pub_bcast_close(b);
	return NULL;
}

void
pub_bcast_set_key(struct pub_bcast *b, const struct cb_seckey *sk)
{
	struct cb_pubkey pk;

	b->sk = sk;
	cb_seckey_public(sk, &pk);
	cb_sig_keyid_hex(pk.id, b->keyhex);
}

int
pub_bcast_rebind(struct pub_bcast *b, struct cb_err *err)
{
	void *s = pub_socket(b->transport, err);

	if (s == NULL)
		return -1;
	cb_net_close(b->sock); /* linger lets queued messages go first */
	b->sock = s;
	return cb_net_rebind(s, b->endpoint, err);
}

void
pub_bcast_close(struct pub_bcast *b)
{
	if (b == NULL)
		return;
	pub_bcast_abort(b);
	free(b->held);
	cb_net_close(b->sock);
	free(b);
}

/* Keep a journaled message until its transaction commits. */
static void
hold(struct pub_bcast *b, const char *topic, struct cb_sealed *s)
{
	if (b->nheld == b->capheld) {
		b->capheld = b->capheld ? 2 * b->capheld : 64;
		b->held = cb_xrealloc(b->held, b->capheld * sizeof(*b->held));
	}
	snprintf(b->held[b->nheld].topic, sizeof(b->held[b->nheld].topic),
	    "%s", topic);
	b->held[b->nheld++].s = *s; /* takes the buffers */
}

static int
send_frames(struct pub_bcast *b, const char *topic, const struct cb_sealed *s)
{
	const void *data[3] = { topic, s->signed_bytes, s->sigblock };
	size_t len[3] = { strlen(topic), s->signed_len, s->sigblock_len };

	return cb_net_send(b->sock, data, len, 3, ZMQ_DONTWAIT);
}

/* The trusted comment: printable ASCII only, so other bytes of the id
 * become '?'. */
static void
make_comment(char *out, size_t outsz, const struct pub_bcast *b,
    const struct cb_adv *adv, uint64_t seq, int64_t issued_ms)
{
	char when[CB_TIME_BUFSZ];
	char *p;

	snprintf(out, outsz, "canhbao advisory seq:%llu key:%s issued:%s "
	    "rev:%u id:%s", (unsigned long long)seq, b->keyhex,
	    cb_time_format(issued_ms / 1000, when), adv->revision, adv->id);
	for (p = out; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			*p = '?';
}

static int
assign(struct pub_bcast *b, struct cb_adv *adv, uint64_t seq, int64_t now,
    struct cb_err *err)
{
	char year[CB_TIME_BUFSZ];
	unsigned last;
	int found;

	if (adv->source == NULL)
		adv->source = cb_xstrdup("local");
	if (adv->id != NULL && strncmp(adv->id, "rotate:", 7) == 0)
		return cb_err_set(err, "advisory ids may not begin with "
		    "'rotate:'");
	if (adv->id == NULL && adv->kind != CB_KIND_NEW)
		return cb_err_set(err, "an advisory of kind '%s' needs the "
		    "'id' of the advisory it changes", cb_kind_name(adv->kind));
	if (adv->id == NULL) {
		cb_time_format(now, year);
		year[4] = '\0';
		adv->id = cb_xasprintf("local:%s-%06llu", year,
		    (unsigned long long)seq);
		adv->revision = 1;
	} else {
		found = pub_journal_revision(b->journal, adv->id, &last, err);
		if (found < 0)
			return -1;
		if (found == 0 && adv->kind != CB_KIND_NEW)
			return cb_err_set(err, "no advisory '%s' to %s",
			    adv->id, cb_kind_name(adv->kind));
		adv->revision = found ? last + 1 : 1;
		if (found && adv->kind == CB_KIND_NEW)
			adv->kind = CB_KIND_UPDATE;
	}
	if (adv->published == 0)
		adv->published = now;
	if (adv->revision > 1)
		adv->updated = now;
	return cb_adv_validate(adv, err);
}

int
pub_bcast_advisory(struct pub_bcast *b, struct cb_adv *adv,
    const struct pub_item_ref *item, uint64_t *seq, struct cb_err *err)
{
	uint64_t next = pub_journal_last_seq(b->journal) + 1;
	int64_t issued_ms = cb_time_now_ms();
	struct cb_sealed s;
	struct pub_entry e;
	char comment[CB_MSG_MAXCOMMENT + 1], topic[32], *json;
	int rc;

	if (assign(b, adv, next, issued_ms / 1000, err) < 0)
		return -1;
	json = cb_adv_to_json(adv);
	make_comment(comment, sizeof(comment), b, adv, next, issued_ms);
	rc = cb_msg_seal(b->sk, CB_MSG_ADVISORY, next, issued_ms, json,
	    strlen(json), comment, &s, err);
	free(json);
	if (rc < 0)
		return -1;
	e = (struct pub_entry){ .seq = next, .type = CB_MSG_ADVISORY,
		.issued_ms = issued_ms, .adv_id = adv->id,
		.revision = adv->revision,
		.severity = cb_severity_name(adv->severity), .title = adv->title,
		.signed_bytes = s.signed_bytes,
		.signed_len = s.signed_len, .sigblock = s.sigblock,
		.sigblock_len = s.sigblock_len };
	if (pub_journal_append(b->journal, &e, item, err) < 0) {
		cb_sealed_release(&s);
		return -1;
	}
	snprintf(topic, sizeof(topic), "adv.%s", cb_severity_name(adv->severity));
	*seq = next;
	if (b->batch) {
		hold(b, topic, &s);
		return 0;
	}
	/* Journaled: from here on the message exists, whether or not this
	 * send reaches anyone (subscribers catch up from the journal). */
	send_frames(b, topic, &s);
	cb_sealed_release(&s);
	return 0;
}

int
pub_bcast_begin(struct pub_bcast *b, struct cb_err *err)
{
	if (pub_journal_begin(b->journal, err) < 0)
		return -1;
	b->batch = 1;
	return 0;
}

int
pub_bcast_commit(struct pub_bcast *b, struct cb_err *err)
{
	size_t i;

	if (!b->batch)
		return 0;
	if (pub_journal_commit(b->journal, err) < 0) {
		pub_bcast_abort(b);
		return -1;
	}
	for (i = 0; i < b->nheld; i++) {
		send_frames(b, b->held[i].topic, &b->held[i].s);
		cb_sealed_release(&b->held[i].s);
	}
	b->nheld = 0;
	b->batch = 0;
	return 0;
}

void
pub_bcast_abort(struct pub_bcast *b)
{
	size_t i;

	if (!b->batch)
		return;
	pub_journal_rollback(b->journal);
	for (i = 0; i < b->nheld; i++)
		cb_sealed_release(&b->held[i].s);
	b->nheld = 0;
	b->batch = 0;
}

int
pub_bcast_rotation(struct pub_bcast *b, const struct cb_seckey *new_sk,
    int (*installed)(void *arg, struct cb_err *err), void *arg,
    uint64_t *seq, struct cb_err *err)
{
	uint64_t next = pub_journal_last_seq(b->journal) + 1;
	int64_t now = cb_time_now_ms();
	uint8_t payload[CB_MSG_ROTATE_LEN];
	char comment[CB_MSG_MAXCOMMENT + 1], when[CB_TIME_BUFSZ];
	char newhex[CB_SIG_KEYIDHEX], *id;
	struct cb_pubkey old, pk;
	struct cb_sealed s;
	struct pub_entry e;
	int rc;

	if (b->batch)
		return cb_err_set(err, "cannot rotate inside a batch");
	cb_seckey_public(b->sk, &old);
	cb_seckey_public(new_sk, &pk);
	cb_sig_keyid_hex(pk.id, newhex);
	cb_msg_rotation(new_sk, old.id, next, payload);
	snprintf(comment, sizeof(comment), "canhbao key rotation seq:%llu "
	    "from:%s to:%s issued:%s", (unsigned long long)next, b->keyhex,
	    newhex, cb_time_format(now / 1000, when));
	if (cb_msg_seal(b->sk, CB_MSG_ROTATE, next, now, payload,
		sizeof(payload), comment, &s, err) < 0)
		return -1;
	id = cb_xasprintf("rotate:%s", newhex);
	e = (struct pub_entry){ .seq = next, .type = CB_MSG_ROTATE,
		.issued_ms = now, .adv_id = id, .revision = 1,
		.signed_bytes = s.signed_bytes, .signed_len = s.signed_len,
		.sigblock = s.sigblock, .sigblock_len = s.sigblock_len };
	if (pub_journal_append(b->journal, &e, NULL, err) < 0) {
		free(id);
		cb_sealed_release(&s);
		return -1;
	}
	free(id);
	/* Journaled: the rotation has happened, whatever comes next.  A
	 * key file that cannot be put in place now is put there by the
	 * next start (the new key waits beside it). */
	rc = installed(arg, err);
	send_frames(b, "key", &s);
	cb_sealed_release(&s);
	pub_bcast_set_key(b, new_sk);
	*seq = next;
	return rc < 0 ? -2 : 0;
}

int
pub_bcast_heartbeat(struct pub_bcast *b, struct cb_err *err)
{
	uint64_t last = pub_journal_last_seq(b->journal);
	int64_t now = cb_time_now_ms();
	char comment[CB_MSG_MAXCOMMENT + 1], when[CB_TIME_BUFSZ];
	struct cb_sealed s;
	int rc;

	snprintf(comment, sizeof(comment), "canhbao heartbeat seq:%llu key:%s "
	    "issued:%s", (unsigned long long)last, b->keyhex,
	    cb_time_format(now / 1000, when));
	if (cb_msg_seal(b->sk, CB_MSG_HEARTBEAT, last, now, NULL, 0, comment,
		&s, err) < 0)
		return -1;
	rc = send_frames(b, "hb", &s);
	cb_sealed_release(&s);
	if (rc < 0)
		return cb_err_set(err, "cannot send heartbeat: %s",
		    zmq_strerror(zmq_errno()));
	return 0;
}
