/*
 * fuzz_cap: libFuzzer target for the CAP adapter.  An accepted alert
 * gives exactly one advisory, which must validate; a refused one leaves
 * the output list as it was.
 */
#include <stdint.h>
#include <stdlib.h>

#include "cb_adv.h"
#include "feed.h"
#include "feed_cap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct feed_opts opts = { CB_SEV_MEDIUM };
	struct cb_adv_list l = { NULL, 0, 0 };
	struct cb_err err;
	int rc;

	rc = feed_cap_parse((const char *)data, size, &opts, &l, &err);
	if ((rc == 0 && l.n != 1) || (rc < 0 && l.n != 0))
		abort();
	if (rc == 0 && cb_adv_validate(&l.v[0], &err) < 0)
		abort();
	cb_adv_list_release(&l);
	return 0;
}
