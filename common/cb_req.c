/* cb_req: requests channel frames (see cb_req.h). */
#include <string.h>

#include "cb_bytes.h"
#include "cb_req.h"
#include "cb_seq.h"
#include "cb_utf8.h"

/* Statuses whose CONFIRM carries "highest" and a reason. */
static int
is_refusal(uint8_t status)
{
	return status == CB_REQ_REFUSED || status == CB_REQ_TAKEN;
}

static size_t
encode_confirm(const struct cb_req *r, uint8_t *buf)
{
	size_t n;

	buf[9] = r->status;
	memcpy(buf + 10, r->key_id, 8);
	cb_put_be(buf + 18, r->seq, 8);
	if (!is_refusal(r->status))
		return CB_REQ_CONFIRM_LEN;
	n = strnlen(r->reason, CB_REQ_MAXREASON);
	cb_put_be(buf + 26, r->highest, 8);
	buf[34] = (uint8_t)n;
	memcpy(buf + CB_REQ_REFUSAL_LEN, r->reason, n);
	return CB_REQ_REFUSAL_LEN + n;
}

size_t
cb_req_encode(const struct cb_req *r, uint8_t *buf)
{
	memcpy(buf, CB_REQ_MAGIC, 4);
	buf[4] = (uint8_t)r->type;
	cb_put_be(buf + 5, r->id, 4);
	switch (r->type) {
	case CB_REQ_CATCHUP:
		cb_put_be(buf + 9, r->after, 8);
		cb_put_be(buf + 17, r->max, 4);
		return CB_REQ_CATCHUP_LEN;
	case CB_REQ_END:
		cb_put_be(buf + 9, r->last, 8);
		cb_put_be(buf + 17, r->latest, 8);
		return CB_REQ_END_LEN;
	case CB_REQ_CONFIRM:
		return encode_confirm(r, buf);
	case CB_REQ_MSG:
	case CB_REQ_SUBMIT:
		break;
	}
	return CB_REQ_HDRLEN;
}

static size_t
expected_len(enum cb_req_type t)
{
	switch (t) {
	case CB_REQ_CATCHUP:
		return CB_REQ_CATCHUP_LEN;
	case CB_REQ_END:
		return CB_REQ_END_LEN;
	case CB_REQ_CONFIRM:
		return CB_REQ_CONFIRM_LEN;
	case CB_REQ_MSG:
	case CB_REQ_SUBMIT:
		break;
	}
	return CB_REQ_HDRLEN;
}

/* A reason is UTF-8 text a terminal shows as it is. */
static int
reason_ok(const uint8_t *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return cb_utf8_valid((const char *)s, n);
}

/* The fields after the header; the length by status (cb_req.h). */
static int
decode_confirm(const uint8_t *buf, size_t len, struct cb_req *r,
    struct cb_err *err)
{
	size_t want = CB_REQ_CONFIRM_LEN;

	if (len < CB_REQ_CONFIRM_LEN)
		return cb_err_set(err, "confirmation of %zu bytes, under %d",
		    len, CB_REQ_CONFIRM_LEN);
	if (buf[9] > CB_REQ_TAKEN)
		return cb_err_set(err, "unknown confirmation status %u",
		    buf[9]);
	if (is_refusal(buf[9]))
		want = CB_REQ_REFUSAL_LEN +
		    (len >= CB_REQ_REFUSAL_LEN ? buf[34] : 0);
	if (len != want)
		return cb_err_set(err, "confirmation of status %u is %zu "
		    "bytes, not %zu", buf[9], len, want);
	r->status = buf[9];
	memcpy(r->key_id, buf + 10, 8);
	r->seq = cb_get_be(buf + 18, 8);
	if (!is_refusal(r->status))
		return 0;
	r->highest = cb_get_be(buf + 26, 8);
	if (buf[34] > CB_REQ_MAXREASON ||
	    !reason_ok(buf + CB_REQ_REFUSAL_LEN, buf[34]))
		return cb_err_set(err, "a confirmation's reason is over %d "
		    "bytes, not UTF-8 or holds control characters",
		    CB_REQ_MAXREASON);
	if (r->status == CB_REQ_REFUSED && r->highest != 0)
		return cb_err_set(err, "a refusal carries a highest number");
	memcpy(r->reason, buf + CB_REQ_REFUSAL_LEN, buf[34]);
	r->reason[buf[34]] = '\0';
	return 0;
}

/* Every sequence number a frame carries is one (cb_seq): "after" 2^63
 * bound to the journal's query would read as -2^63, "from seq 1". */
static int
check_seqs(const struct cb_req *r, struct cb_err *err)
{
	const uint64_t v[] = { r->after, r->last, r->latest, r->seq,
		r->highest };
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (!cb_seq_valid(v[i]))
			return cb_err_set(err, "sequence number %llu in a "
			    "request frame of type %u is out of range",
			    (unsigned long long)v[i], (unsigned)r->type);
	return 0;
}

int
cb_req_decode(const uint8_t *buf, size_t len, struct cb_req *r,
    struct cb_err *err)
{
	memset(r, 0, sizeof(*r));
	if (len < CB_REQ_HDRLEN || memcmp(buf, CB_REQ_MAGIC, 4) != 0)
		return cb_err_set(err, "not a canhbao request frame");
	if (buf[4] < CB_REQ_CATCHUP || buf[4] > CB_REQ_CONFIRM)
		return cb_err_set(err, "unknown request type %u", buf[4]);
	r->type = (enum cb_req_type)buf[4];
	r->id = (uint32_t)cb_get_be(buf + 5, 4);
	if (r->type == CB_REQ_CONFIRM) {
		if (decode_confirm(buf, len, r, err) < 0)
			return -1;
		return check_seqs(r, err);
	}
	if (len != expected_len(r->type))
		return cb_err_set(err, "request frame of type %u is %zu bytes, "
		    "not %zu", buf[4], len, expected_len(r->type));
	if (r->type == CB_REQ_CATCHUP) {
		r->after = cb_get_be(buf + 9, 8);
		r->max = (uint32_t)cb_get_be(buf + 17, 4);
	} else if (r->type == CB_REQ_END) {
		r->last = cb_get_be(buf + 9, 8);
		r->latest = cb_get_be(buf + 17, 8);
	}
	return check_seqs(r, err);
}
