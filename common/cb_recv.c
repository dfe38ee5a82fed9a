/* cb_recv: verify first, then parse (see cb_recv.h). */
#include <stdio.h>
#include <string.h>

#include "cb_recv.h"

int
cb_recv_open(const struct cb_pubkey *keys, size_t nkeys,
    const uint8_t *signed_bytes, size_t signed_len, const uint8_t *sigblock,
    size_t sigblock_len, struct cb_incoming *out, struct cb_err *err)
{
	memset(out, 0, sizeof(*out));
	cb_adv_init(&out->adv);
	if (cb_msg_open(keys, nkeys, signed_bytes, signed_len, sigblock,
		sigblock_len, &out->msg, err) < 0)
		return -1;
	out->signed_bytes = signed_bytes;
	out->signed_len = signed_len;
	out->sigblock = sigblock;
	out->sigblock_len = sigblock_len;
	if (out->msg.type > CB_MSG_ROTATE)
		return cb_err_set(err, "a %s is not for subscribers",
		    cb_msg_type_name(out->msg.type));
	if (out->msg.type != CB_MSG_ADVISORY)
		return 0;
	/* Signed by the publisher, but still checked like any input. */
	if (cb_adv_from_json(&out->adv, (const char *)out->msg.payload,
		out->msg.payload_len, 0, err) < 0) {
		cb_err_prefix(err, "signed advisory seq %llu is invalid",
		    (unsigned long long)out->msg.seq);
		cb_adv_release(&out->adv);
		return -1;
	}
	return 0;
}

static int
topic_matches(const struct cb_incoming *in, const char *topic, size_t len)
{
	char want[CB_MAXTOPIC];

	if (in->msg.type == CB_MSG_HEARTBEAT)
		snprintf(want, sizeof(want), "hb");
	else if (in->msg.type == CB_MSG_ROTATE)
		snprintf(want, sizeof(want), "key");
	else
		snprintf(want, sizeof(want), "adv.%s",
		    cb_severity_name(in->adv.severity));
	return strlen(want) == len && memcmp(want, topic, len) == 0;
}

int
cb_recv_check(const struct cb_pubkey *keys, size_t nkeys,
    const struct cb_frames *f, struct cb_incoming *out, struct cb_err *err)
{
	memset(out, 0, sizeof(*out));
	cb_adv_init(&out->adv);
	if (f->n != 3)
		return cb_err_set(err, "message has %zu frames, not 3", f->n);
	if (f->len[0] > CB_MAXTOPIC)
		return cb_err_set(err, "topic of %zu bytes is too long",
		    f->len[0]);
	if (cb_recv_open(keys, nkeys, f->data[1], f->len[1], f->data[2],
		f->len[2], out, err) < 0)
		return -1;
	/* The topic is not signed: it must agree with what is. */
	if (!topic_matches(out, f->data[0], f->len[0])) {
		cb_incoming_release(out);
		return cb_err_set(err, "topic does not match the signed "
		    "content (seq %llu)", (unsigned long long)out->msg.seq);
	}
	return 0;
}

void
cb_incoming_release(struct cb_incoming *in)
{
	cb_adv_release(&in->adv);
}
