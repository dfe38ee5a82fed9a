/*
 * fuzz_req: the requests channel's frame decoder (cb_req), which the
 * publisher runs on whatever any connected client sends, and the
 * key-rotation check, which the subscriber runs on rotation payloads.
 */
#include <stdint.h>
#include <string.h>

#include "cb_msg.h"
#include "cb_req.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cb_req r;
	struct cb_msg m;
	struct cb_pubkey next;
	uint8_t buf[CB_REQ_CONFIRM_LEN];

	if (cb_req_decode(data, size, &r, NULL) == 0) {
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
