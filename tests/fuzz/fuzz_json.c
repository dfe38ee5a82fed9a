/*
 * fuzz_json: libFuzzer target for canhbao's JSON feed format.  Accepted
 * advisories must be valid and survive their canonical JSON form
 * unchanged.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cb_adv.h"
#include "feed.h"
#include "feed_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(const struct cb_adv *a)
{
	struct cb_adv back;
	struct cb_err err;
	char *j1, *j2;

	if (cb_adv_validate(a, &err) != 0)
		abort();
	j1 = cb_adv_to_json(a);
	if (cb_adv_from_json(&back, j1, strlen(j1), 1, &err) != 0)
		abort();
	j2 = cb_adv_to_json(&back);
	if (strcmp(j1, j2) != 0)
		abort();
	free(j1);
	free(j2);
	cb_adv_release(&back);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct feed_opts opts = { CB_SEV_LOW };
	struct cb_adv_list advs = { NULL, 0, 0 };
	struct cb_err err;
	size_t i;

	if (feed_json_parse((const char *)data, size, &opts, &advs, &err) ==
	    0) {
		for (i = 0; i < advs.n; i++)
			check(&advs.v[i]);
	} else if (advs.n != 0) {
		abort();
	}
	cb_adv_list_release(&advs);
	return 0;
}
