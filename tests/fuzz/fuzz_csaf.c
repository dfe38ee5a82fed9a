/*
 * fuzz_csaf: libFuzzer target for the CSAF adapters.  Every input goes
 * through all five parsers (document, ROLIE feed, provider metadata and
 * its OpenPGP keys, changes.csv), whose results are then checked and
 * released.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

/* A time for each URL, in step. */
static void
check_times(struct cb_strlist *l, struct feed_csaf_times *t)
{
	if (t->n != l->n)
		abort();
	feed_csaf_times_release(t);
	check_urls(l);
}

static void
check_keys(struct feed_csaf_keys *k)
{
	size_t i, n;

	for (i = 0; i < k->n; i++) {
		n = strlen(k->v[i].fingerprint);
		if (k->v[i].url == NULL || (n != 0 && n < 40))
			abort();
	}
	feed_csaf_keys_release(k);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct feed_opts opts = { CB_SEV_MEDIUM };
	struct cb_adv_list advs = { NULL, 0, 0 };
	struct cb_strlist a = { NULL, 0 }, b = { NULL, 0 };
	struct feed_csaf_times t = { NULL, 0 };
	struct feed_csaf_keys k = { NULL, 0 };
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
	feed_csaf_parse_rolie(buf, size, &a, &t, &err);
	check_times(&a, &t);
	feed_csaf_parse_provider_keys(buf, size, &k, &err);
	check_keys(&k);
	feed_csaf_parse_provider(buf, size, &a, &b, &err);
	check_urls(&a);
	check_urls(&b);
	feed_csaf_parse_changes(buf, size, "https://fuzz.example/csaf/white/",
	    &a, &t, &err);
	check_times(&a, &t);
	return 0;
}
