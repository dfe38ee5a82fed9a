/* pub_seal: sequence, revision, signature, journal (see pub_seal.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_mem.h"
#include "cb_msg.h"
#include "cb_time.h"
#include "pub_seal.h"

struct held {
	char topic[32];
	struct cb_sealed s;
};

struct pub_seal {
	const struct cb_seckey *identity; /* certifies signing keys */
	const struct cb_seckey *sk;
	uint8_t *certs;     /* what a heartbeat carries (cb_msg.h) */
	size_t certs_len;
	char keyhex[CB_SIG_KEYIDHEX];
	struct pub_journal *journal;
	struct pub_bcast *bcast;
	int group;          /* inside pub_seal_begin */
	struct held *held;  /* journaled, not yet committed nor sent */
	size_t nheld, capheld;
	unsigned long sent[2], held_adv[2]; /* advisories by origin */
};

/* The certificate entries of the identity key and, when another
 * signs, of the signing key: a heartbeat's payload. */
static void
make_certs(struct pub_seal *s, const struct cb_pubkey *pk)
{
	struct cb_pubkey id;
	uint8_t *e;
	size_t n;

	free(s->certs);
	cb_seckey_public(s->identity, &id);
	s->certs = cb_msg_cert_entry(s->identity, &id, &s->certs_len);
	if (memcmp(id.id, pk->id, CB_SIG_KEYIDLEN) == 0)
		return;
	e = cb_msg_cert_entry(s->identity, pk, &n);
	s->certs = cb_xrealloc(s->certs, s->certs_len + n);
	memcpy(s->certs + s->certs_len, e, n);
	s->certs_len += n;
	free(e);
}

static void
set_key(struct pub_seal *s, const struct cb_seckey *sk)
{
	struct cb_pubkey pk;

	s->sk = sk;
	cb_seckey_public(sk, &pk);
	cb_sig_keyid_hex(pk.id, s->keyhex);
	make_certs(s, &pk);
}

struct pub_seal *
pub_seal_new(const struct cb_seckey *identity, const struct cb_seckey *sk,
    struct pub_journal *journal, struct pub_bcast *bcast)
{
	struct pub_seal *s = cb_xcalloc(1, sizeof(*s));

	s->identity = identity;
	s->journal = journal;
	s->bcast = bcast;
	set_key(s, sk);
	return s;
}

void
pub_seal_free(struct pub_seal *s)
{
	if (s == NULL)
		return;
	pub_seal_abort(s);
	free(s->certs);
	free(s->held);
	free(s);
}

/* Send a committed message; a send that reaches nobody is no error
 * (subscribers catch up from the journal). */
static void
send_sealed(struct pub_seal *s, const char *topic, struct cb_sealed *m)
{
	pub_bcast_send(s->bcast, topic, m, NULL);
	cb_sealed_release(m);
}

/* Keep a journaled message until its group commits. */
static void
hold(struct pub_seal *s, const char *topic, const struct cb_sealed *m)
{
	if (s->nheld == s->capheld) {
		s->capheld = s->capheld ? 2 * s->capheld : 64;
		s->held = cb_xrealloc(s->held, s->capheld * sizeof(*s->held));
	}
	snprintf(s->held[s->nheld].topic, sizeof(s->held[s->nheld].topic),
	    "%s", topic);
	s->held[s->nheld++].s = *m; /* takes the buffers */
}

/* Journaled: from here on the message exists.  Sent now, or held until
 * its group commits. */
static void
release(struct pub_seal *s, const char *topic, struct cb_sealed *m)
{
	if (s->group)
		hold(s, topic, m);
	else
		send_sealed(s, topic, m);
}

/* The trusted comment: printable ASCII only, so other bytes of the id
 * become '?'. */
static void
make_comment(char *out, size_t outsz, const struct pub_seal *s,
    const struct cb_adv *adv, uint64_t seq, int64_t issued_ms)
{
	char when[CB_TIME_BUFSZ];
	char *p;

	snprintf(out, outsz, "canhbao advisory seq:%llu key:%s issued:%s "
	    "rev:%u id:%s", (unsigned long long)seq, s->keyhex,
	    cb_time_format(issued_ms / 1000, when), adv->revision, adv->id);
	for (p = out; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			*p = '?';
}

/* The revision of an advisory with an id: the one place that asks the
 * journal.  Returns PUB_SEAL_SENT with adv->revision (and kind) set,
 * PUB_SEAL_NOTHING for a feed's cancel of an unknown id, or -1. */
static int
revise(struct pub_seal *s, struct cb_adv *adv, const struct pub_item_ref *item,
    struct cb_err *err)
{
	unsigned last;
	int found = pub_journal_revision(s->journal, adv->id, &last, err);

	if (found < 0)
		return -1;
	if (found) {
		adv->revision = last + 1;
		if (adv->kind == CB_KIND_NEW)
			adv->kind = CB_KIND_UPDATE;
		return PUB_SEAL_SENT;
	}
	if (adv->kind != CB_KIND_NEW && item == NULL)
		return cb_err_set(err, "no advisory '%s' to %s", adv->id,
		    cb_kind_name(adv->kind));
	if (adv->kind == CB_KIND_CANCEL)
		return PUB_SEAL_NOTHING;
	adv->kind = CB_KIND_NEW;
	adv->revision = 1;
	return PUB_SEAL_SENT;
}

/* What the publisher assigns before sealing (see pub_seal_advisory). */
static int
assign(struct pub_seal *s, struct cb_adv *adv, const struct pub_item_ref *item,
    uint64_t seq, int64_t now, struct cb_err *err)
{
	int rc;

	if (adv->source == NULL)
		adv->source = cb_xstrdup("local");
	if (adv->id != NULL && strncmp(adv->id, "rotate:", 7) == 0)
		return cb_err_set(err, "advisory ids may not begin with "
		    "'rotate:'");
	if (adv->id == NULL && adv->kind != CB_KIND_NEW)
		return cb_err_set(err, "an advisory of kind '%s' needs the "
		    "'id' of the advisory it changes", cb_kind_name(adv->kind));
	if (adv->id == NULL) {
		char year[CB_TIME_BUFSZ];

		cb_time_format(now, year);
		year[4] = '\0';
		adv->id = cb_xasprintf("local:%s-%06llu", year,
		    (unsigned long long)seq);
		adv->revision = 1;
	} else if ((rc = revise(s, adv, item, err)) != PUB_SEAL_SENT) {
		return rc;
	}
	if (adv->published == 0)
		adv->published = now;
	if (adv->revision > 1)
		adv->updated = now;
	return cb_adv_validate(adv, err) < 0 ? -1 : PUB_SEAL_SENT;
}

/* Sign adv as message seq into m. */
static int
seal_advisory(struct pub_seal *s, const struct cb_adv *adv, uint64_t seq,
    int64_t issued_ms, struct cb_sealed *m, struct cb_err *err)
{
	char comment[CB_MSG_MAXCOMMENT + 1], *json = cb_adv_to_json(adv);
	int rc;

	make_comment(comment, sizeof(comment), s, adv, seq, issued_ms);
	rc = cb_msg_seal(s->sk, CB_MSG_ADVISORY, seq, issued_ms, json,
	    strlen(json), comment, m, err);
	free(json);
	return rc;
}

int
pub_seal_advisory(struct pub_seal *s, struct cb_adv *adv,
    const struct pub_item_ref *item, uint64_t *seq, struct cb_err *err)
{
	int64_t issued_ms = cb_time_now_ms();
	char topic[32];
	struct cb_sealed m;
	struct pub_entry e;
	uint64_t next;
	int rc;

	if (pub_journal_next_seq(s->journal, &next, err) < 0)
		return -1;
	rc = assign(s, adv, item, next, issued_ms / 1000, err);
	if (rc == PUB_SEAL_NOTHING)
		return pub_journal_item_seen(s->journal, item, adv->id, err) < 0 ?
		    -1 : PUB_SEAL_NOTHING;
	if (rc < 0 || seal_advisory(s, adv, next, issued_ms, &m, err) < 0)
		return -1;
	e = (struct pub_entry){ .seq = next, .type = CB_MSG_ADVISORY,
		.issued_ms = issued_ms, .adv_id = adv->id,
		.revision = adv->revision,
		.severity = cb_severity_name(adv->severity), .title = adv->title,
		.signed_bytes = m.signed_bytes, .signed_len = m.signed_len,
		.sigblock = m.sigblock, .sigblock_len = m.sigblock_len };
	if (pub_journal_append(s->journal, &e, item, err) < 0) {
		cb_sealed_release(&m);
		return -1;
	}
	*seq = next;
	snprintf(topic, sizeof(topic), "adv.%s", cb_severity_name(adv->severity));
	release(s, topic, &m);
	(s->group ? s->held_adv : s->sent)[adv->origin == CB_ORIGIN_NATIONAL ?
	    0 : 1]++;
	return PUB_SEAL_SENT;
}

int
pub_seal_begin(struct pub_seal *s, struct cb_err *err)
{
	if (pub_journal_begin(s->journal, err) < 0)
		return -1;
	s->group = 1;
	return 0;
}

int
pub_seal_commit(struct pub_seal *s, struct cb_err *err)
{
	size_t i;

	if (!s->group)
		return 0;
	if (pub_journal_commit(s->journal, err) < 0) {
		pub_seal_abort(s);
		return -1;
	}
	for (i = 0; i < s->nheld; i++)
		send_sealed(s, s->held[i].topic, &s->held[i].s);
	s->sent[0] += s->held_adv[0];
	s->sent[1] += s->held_adv[1];
	s->held_adv[0] = s->held_adv[1] = 0;
	s->nheld = 0;
	s->group = 0;
	return 0;
}

void
pub_seal_abort(struct pub_seal *s)
{
	size_t i;

	if (!s->group)
		return;
	pub_journal_rollback(s->journal);
	for (i = 0; i < s->nheld; i++)
		cb_sealed_release(&s->held[i].s);
	s->held_adv[0] = s->held_adv[1] = 0;
	s->nheld = 0;
	s->group = 0;
}

/* The payload of a rotation to new_sk at seq: the new key's proof, then
 * its certificate by the identity key (cb_msg.h).  The caller frees
 * it. */
static uint8_t *
rotation_payload(const struct pub_seal *s, const struct cb_seckey *new_sk,
    const struct cb_pubkey *old, uint64_t seq, size_t *lenp)
{
	struct cb_pubkey pk;
	uint8_t *p, *cert;
	size_t clen;

	cb_seckey_public(new_sk, &pk);
	cert = cb_msg_certify(s->identity, &pk, &clen);
	p = cb_xmalloc(CB_MSG_ROTATE_LEN + clen);
	cb_msg_rotation(new_sk, old->id, seq, p);
	memcpy(p + CB_MSG_ROTATE_LEN, cert, clen);
	free(cert);
	*lenp = CB_MSG_ROTATE_LEN + clen;
	return p;
}

int
pub_seal_rotation(struct pub_seal *s, const struct cb_seckey *new_sk,
    int (*installed)(void *arg, struct cb_err *err), void *arg,
    uint64_t *seq, struct cb_err *err)
{
	int64_t now = cb_time_now_ms();
	char comment[CB_MSG_MAXCOMMENT + 1], when[CB_TIME_BUFSZ];
	char newhex[CB_SIG_KEYIDHEX], *id;
	struct cb_pubkey old, pk;
	struct cb_sealed m;
	struct pub_entry e;
	uint8_t *payload;
	size_t len;
	uint64_t next;
	int rc;

	if (s->group)
		return cb_err_set(err, "cannot rotate inside a group");
	if (pub_journal_next_seq(s->journal, &next, err) < 0)
		return -1;
	cb_seckey_public(s->sk, &old);
	cb_seckey_public(new_sk, &pk);
	cb_sig_keyid_hex(pk.id, newhex);
	payload = rotation_payload(s, new_sk, &old, next, &len);
	snprintf(comment, sizeof(comment), "canhbao key rotation seq:%llu "
	    "from:%s to:%s issued:%s", (unsigned long long)next, s->keyhex,
	    newhex, cb_time_format(now / 1000, when));
	rc = cb_msg_seal(s->sk, CB_MSG_ROTATE, next, now, payload, len,
	    comment, &m, err);
	free(payload);
	if (rc < 0)
		return -1;
	id = cb_xasprintf("rotate:%s", newhex);
	e = (struct pub_entry){ .seq = next, .type = CB_MSG_ROTATE,
		.issued_ms = now, .adv_id = id, .revision = 1,
		.signed_bytes = m.signed_bytes, .signed_len = m.signed_len,
		.sigblock = m.sigblock, .sigblock_len = m.sigblock_len };
	rc = pub_journal_append(s->journal, &e, NULL, err);
	free(id);
	if (rc < 0) {
		cb_sealed_release(&m);
		return -1;
	}
	/* Journaled: the rotation has happened, whatever comes next.  A
	 * key file that cannot be put in place now is put there by the
	 * next start (the new key waits beside it). */
	rc = installed(arg, err);
	send_sealed(s, "key", &m);
	set_key(s, new_sk);
	*seq = next;
	return rc < 0 ? -2 : 0;
}

int
pub_seal_heartbeat(struct pub_seal *s, struct cb_err *err)
{
	uint64_t last = pub_journal_last_seq(s->journal);
	int64_t now = cb_time_now_ms();
	char comment[CB_MSG_MAXCOMMENT + 1], when[CB_TIME_BUFSZ];
	struct cb_sealed m;
	int rc;

	snprintf(comment, sizeof(comment), "canhbao heartbeat seq:%llu key:%s "
	    "issued:%s", (unsigned long long)last, s->keyhex,
	    cb_time_format(now / 1000, when));
	if (cb_msg_seal(s->sk, CB_MSG_HEARTBEAT, last, now, s->certs,
		s->certs_len, comment, &m, err) < 0)
		return -1;
	rc = pub_bcast_send(s->bcast, "hb", &m, err);
	cb_sealed_release(&m);
	return rc;
}

int
pub_seal_registry(struct pub_seal *s, uint64_t generation,
    const void *payload, size_t len, struct cb_sealed *out,
    struct cb_err *err)
{
	uint64_t last = pub_journal_last_seq(s->journal);
	int64_t now = cb_time_now_ms();
	char comment[CB_MSG_MAXCOMMENT + 1], when[CB_TIME_BUFSZ];

	snprintf(comment, sizeof(comment), "canhbao registry generation:%llu "
	    "key:%s issued:%s", (unsigned long long)generation, s->keyhex,
	    cb_time_format(now / 1000, when));
	return cb_msg_seal(s->sk, CB_MSG_REGISTRY, last, now, payload, len,
	    comment, out, err);
}

void
pub_seal_key_id(const struct pub_seal *s, uint8_t id[CB_SIG_KEYIDLEN])
{
	struct cb_pubkey pk;

	cb_seckey_public(s->sk, &pk);
	memcpy(id, pk.id, CB_SIG_KEYIDLEN);
}

unsigned long
pub_seal_published(const struct pub_seal *s, enum cb_origin origin)
{
	return s->sent[origin == CB_ORIGIN_NATIONAL ? 0 : 1];
}
