/*
 * fuzz_kev: libFuzzer target for the CISA KEV catalog adapter; every
 * advisory it accepts must pass cb_adv_validate.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "cb_adv.h"
#include "feed.h"
#include "feed_kev.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cb_adv_list advs = { NULL, 0, 0 };
	struct cb_err err;
	size_t i;

	if (feed_kev_parse((const char *)data, size, NULL, &advs, &err) == 0) {
		for (i = 0; i < advs.n; i++)
			if (cb_adv_validate(&advs.v[i], &err) != 0)
				abort();
	} else if (advs.n != 0) {
		abort(); /* a rejected catalog adds nothing */
	}
	cb_adv_list_release(&advs);
	return 0;
}
