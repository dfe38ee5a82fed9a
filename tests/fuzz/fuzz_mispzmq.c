/*
 * fuzz_mispzmq: libFuzzer target for one frame of MISP's ZeroMQ stream
 * ("<topic> <json>"), as pub_misp hands it to feed_misp.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "cb_adv.h"
#include "feed.h"
#include "feed_misp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct feed_opts opts = { CB_SEV_LOW };
	struct cb_adv_list advs = { NULL, 0, 0 };
	enum feed_misp_frame kind = FEED_MISP_OTHER;
	struct cb_err err;
	size_t i;

	if (feed_misp_parse_frame((const char *)data, size, &opts, &kind,
		&advs, &err) == 0) {
		if (advs.n > (kind == FEED_MISP_EVENT ? 1u : 0u))
			abort();
		for (i = 0; i < advs.n; i++)
			if (cb_adv_validate(&advs.v[i], &err) != 0)
				abort();
	} else if (advs.n != 0) {
		abort();
	}
	cb_adv_list_release(&advs);
	return 0;
}
