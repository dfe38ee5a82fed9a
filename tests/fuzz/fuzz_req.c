/*
 * fuzz_req: the requests channel's frame decoder (cb_req), which the
 * publisher runs on whatever any connected client sends (and the
 * subscriber on the replies), with the sequence arithmetic both sides
 * then do on what it decoded; and the key-rotation check, which the
 * subscriber runs on rotation payloads.
 */
#include <stdint.h>
#include <string.h>

#include "cb_msg.h"
#include "cb_req.h"
#include "cb_seq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What the two ends compute from a decoded frame: a catch-up's first
 * sequence number and the journal query's bound (a signed 64-bit
 * integer in SQLite), an END's progress.  Traps when decoding let a
 * number through that would turn negative or wrap. */
static void
use(const struct cb_req *r)
{
	uint64_t first;

	if (r->type == CB_REQ_CATCHUP) {
		if ((int64_t)r->after < 0)
			__builtin_trap(); /* "after -1": from seq 1 */
		if (cb_seq_next(r->after, &first) == 0 && first <= r->after)
			__builtin_trap();
	} else if (r->type == CB_REQ_END) {
		if ((int64_t)r->last < 0 || (int64_t)r->latest < 0)
			__builtin_trap();
	} else if (r->type == CB_REQ_CONFIRM && (int64_t)r->seq < 0) {
		__builtin_trap();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cb_req r;
	struct cb_msg m;
	struct cb_pubkey next;
	uint8_t buf[CB_REQ_MAXLEN];

	if (cb_req_decode(data, size, &r, NULL) == 0) {
		use(&r);
		/* What decodes must encode back to the same bytes. */
		if (r.type != CB_REQ_MSG &&
		    (cb_req_encode(&r, buf) != size ||
			memcmp(buf, data, size) != 0))
			__builtin_trap();
	}
	memset(&m, 0, sizeof(m));
	m.type = CB_MSG_ROTATE;
	m.payload = data;
	m.payload_len = size;
	if (size >= 8)
		memcpy(m.key_id, data, 8);
	cb_msg_rotation_check(&m, &next, NULL);
	return 0;
}
