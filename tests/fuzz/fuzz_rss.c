/*
 * fuzz_rss: libFuzzer target for the RSS and Atom adapters.  Each input
 * goes through both parsers; every advisory they return must validate,
 * and a refused document must leave the output list as it was.
 */
#include <stdint.h>
#include <stdlib.h>

#include "cb_adv.h"
#include "feed.h"
#include "feed_rss.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef int (*parse_fn)(const char *buf, size_t len,
    const struct feed_opts *opts, struct cb_adv_list *out, struct cb_err *err);

static void
run(parse_fn fn, const uint8_t *data, size_t size)
{
	const struct feed_opts opts = { CB_SEV_MEDIUM };
	struct cb_adv_list l = { NULL, 0, 0 };
	struct cb_err err;
	size_t i;

	if (fn((const char *)data, size, &opts, &l, &err) < 0 && l.n != 0)
		abort();
	for (i = 0; i < l.n; i++)
		if (cb_adv_validate(&l.v[i], &err) < 0)
			abort();
	cb_adv_list_release(&l);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	run(feed_rss_parse, data, size);
	run(feed_atom_parse, data, size);
	return 0;
}
