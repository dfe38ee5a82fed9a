/*
 * fuzz_msg: the envelope decoder and the advisory JSON parser behind it,
 * as the subscriber runs them on untrusted bytes.  Input layout: a
 * 2-byte big-endian length L, L bytes of signature block, then the
 * signed bytes.  The trusted key is the committed test key, so the
 * seeds (made from tests/data/golden-advisory.*) get past verification.
 */
#include <stdint.h>
#include <string.h>

#include "cb_adv.h"
#include "cb_msg.h"
#include "cb_sig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char test_key[] =
    "untrusted comment: canhbao test key\n"
    "RWTVg6CJCKTXZf6fWMiJ/YR/qgwqlR8rEQHvIJdjrRFyKT+En5VsYMHk\n";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cb_pubkey pk;
	static int ready;
	struct cb_msg m;
	struct cb_adv adv;
	size_t siglen;

	if (!ready) {
		if (cb_sig_init() < 0 ||
		    cb_sig_parse_pubkey(test_key, &pk, NULL) < 0)
			return 0;
		ready = 1;
	}
	if (size < 2)
		return 0;
	siglen = ((size_t)data[0] << 8) | data[1];
	if (siglen > size - 2)
		return 0;
	if (cb_msg_open(&pk, 1, data + 2 + siglen, size - 2 - siglen,
		data + 2, siglen, &m, NULL) < 0)
		return 0;
	if (m.type == CB_MSG_ADVISORY) {
		cb_adv_from_json(&adv, (const char *)m.payload, m.payload_len,
		    0, NULL);
		cb_adv_release(&adv);
	}
	return 0;
}
