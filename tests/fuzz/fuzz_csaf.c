/*
 * fuzz_csaf: libFuzzer target for the CSAF adapters.  Every input goes
 * through all four parsers (document, ROLIE feed, provider metadata,
 * changes.csv), whose results are then checked and released.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "cb_adv.h"
#include "feed.h"
#include "feed_csaf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_urls(struct cb_strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i] == NULL || l->v[i][0] == '\0')
			abort();
	cb_strlist_release(l);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct feed_opts opts = { CB_SEV_MEDIUM };
	struct cb_adv_list advs = { NULL, 0, 0 };
	struct cb_strlist a = { NULL, 0 }, b = { NULL, 0 };
	struct cb_err err;
	size_t i;

	if (feed_csaf_parse_document(buf, size, &opts, &advs, &err) == 0) {
		/* what an adapter returns must always be valid */
		for (i = 0; i < advs.n; i++)
			if (cb_adv_validate(&advs.v[i], &err) != 0)
				abort();
	} else if (advs.n != 0) {
		abort(); /* a rejected document adds nothing */
	}
	cb_adv_list_release(&advs);
	feed_csaf_parse_rolie(buf, size, &a, NULL, &err);
	check_urls(&a);
	feed_csaf_parse_provider(buf, size, &a, &b, &err);
	check_urls(&a);
	check_urls(&b);
	feed_csaf_parse_changes(buf, size, "https://fuzz.example/csaf/white/",
	    &a, NULL, &err);
	check_urls(&a);
	return 0;
}
