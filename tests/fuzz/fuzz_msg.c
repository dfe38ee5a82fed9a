/*
 * fuzz_msg: the envelope decoder and what runs on a message after it,
 * as the subscriber (advisories, heartbeats, rotations) and the
 * publisher (receipts, presence, reports) run them on untrusted bytes.
 *
 * Two input layouts:
 *   - a 2-byte big-endian length L, L bytes of signature block, then
 *     the signed bytes, checked against the committed test key, so the
 *     seeds (made from tests/data/golden-advisory.*) get past
 *     verification;
 *   - "CBM1", type (1), sequence (8), issue time (8), then the payload:
 *     sealed here with a key made at start-up and opened with it, so
 *     that every header value (times and sequence numbers past 2^63
 *     included) reaches the checks behind the signature, which the
 *     fuzzer could not otherwise forge its way to.
 */
#include <stdint.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cb_adv.h"
#include "cb_bytes.h"
#include "cb_json.h"
#include "cb_msg.h"
#include "cb_registry.h"
#include "cb_seq.h"
#include "cb_sig.h"
#include "cb_time.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char test_key[] =
    "untrusted comment: canhbao test key\n"
    "RWTVg6CJCKTXZf6fWMiJ/YR/qgwqlR8rEQHvIJdjrRFyKT+En5VsYMHk\n";

/* A fixed clock, so that a run replays the same way. */
#define NOW_MS 1795484379844LL
#define STALE_MS (120 * 1000LL)

static struct cb_pubkey keys[2];
static struct cb_seckey *sealer;

static int
ready(void)
{
	static int done;

	if (!done) {
		if (cb_sig_init() < 0 ||
		    cb_sig_parse_pubkey(test_key, &keys[0], NULL) < 0 ||
		    cb_sig_keygen(&sealer, &keys[1], NULL) < 0)
			return 0;
		done = 1;
	}
	return 1;
}

/* What the receivers do with a verified message. */
static void
no_cert(const struct cb_pubkey *pk, const uint8_t *cert, size_t len,
    void *arg)
{
	(void)pk;
	(void)arg;
	if (cert == NULL || len < CB_MSG_SIGHDRLEN)
		__builtin_trap(); /* handed over only once it verified */
}

static void
after_open(const struct cb_msg *m)
{
	struct cb_adv adv;
	struct cb_registry reg;
	struct cb_pubkey next;
	uint64_t n;
	cJSON *o;

	/* cb_msg_open promises both in range: nothing downstream may see
	 * a negative time or a sequence number SQLite cannot hold. */
	if (m->issued_ms < 0 || !cb_seq_valid(m->seq))
		__builtin_trap();
	switch (m->type) {
	case CB_MSG_ADVISORY:
		cb_adv_from_json(&adv, (const char *)m->payload,
		    m->payload_len, 0, NULL);
		cb_adv_release(&adv);
		break;
	case CB_MSG_HEARTBEAT:
		/* The subscriber's freshness check and its catch-up step. */
		(void)cb_time_within(NOW_MS, m->issued_ms, STALE_MS);
		if (cb_time_diff_ms(NOW_MS, m->issued_ms) < -INT64_MAX)
			__builtin_trap(); /* the log line negates it */
		if (cb_seq_next(m->seq, &n) == 0 && n <= m->seq)
			__builtin_trap();
		/* The certificates the subscriber keeps from it. */
		cb_msg_cert_entries(m->payload, m->payload_len, &keys[0],
		    no_cert, NULL, NULL);
		break;
	case CB_MSG_ROTATE:
		cb_msg_rotation_check(m, &next, NULL);
		break;
	case CB_MSG_RECEIPT:
	case CB_MSG_PRESENCE:
	case CB_MSG_REPORT:
		o = cb_json_parse_object((const char *)m->payload,
		    m->payload_len, "payload", NULL);
		cJSON_Delete(o);
		break;
	case CB_MSG_REGISTRY:
		if (cb_registry_decode(m->payload, m->payload_len, &reg,
			NULL) == 0)
			cb_registry_release(&reg);
		break;
	}
}

static void
sealed(const uint8_t *data, size_t size)
{
	struct cb_sealed s;
	struct cb_msg m;

	if (size < 21)
		return;
	if (cb_msg_seal(sealer, (enum cb_msg_type)data[4],
		cb_get_be(data + 5, 8), (int64_t)cb_get_be(data + 13, 8),
		data + 21, size - 21, "fuzz", &s, NULL) < 0)
		return;
	if (cb_msg_open(keys, 2, s.signed_bytes, s.signed_len, s.sigblock,
		s.sigblock_len, &m, NULL) == 0)
		after_open(&m);
	cb_sealed_release(&s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cb_msg m;
	size_t siglen;

	if (!ready() || size < 2)
		return 0;
	if (size >= 4 && memcmp(data, CB_MSG_MAGIC, 4) == 0) {
		sealed(data, size);
		return 0;
	}
	siglen = ((size_t)data[0] << 8) | data[1];
	if (siglen > size - 2)
		return 0;
	if (cb_msg_open(keys, 1, data + 2 + siglen, size - 2 - siglen,
		data + 2, siglen, &m, NULL) == 0)
		after_open(&m);
	return 0;
}
