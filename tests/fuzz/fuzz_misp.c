/*
 * fuzz_misp: libFuzzer target for the MISP feed adapter.  Every input
 * is read as an event file and as a manifest.  What an event yields
 * must validate and travel: its signed JSON form fits a message and
 * reads back.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cb_adv.h"
#include "cb_mem.h"
#include "cb_msg.h"
#include "feed.h"
#include "feed_misp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* As the publisher will send it: scoped and dated. */
static void
check_travels(struct cb_adv *a)
{
	struct cb_adv back;
	struct cb_err err;
	char *json;

	if (cb_adv_validate(a, &err) != 0)
		abort();
	a->id = cb_xasprintf("misp:%s", a->source_id);
	if (a->published == 0)
		a->published = 1;
	json = cb_adv_to_json(a);
	if (strlen(json) > CB_MSG_MAXPAYLOAD ||
	    cb_adv_from_json(&back, json, strlen(json), 0, &err) != 0 ||
	    back.indicators.n != a->indicators.n)
		abort();
	cb_adv_release(&back);
	free(json);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct feed_opts opts = { CB_SEV_MEDIUM };
	struct cb_adv_list advs = { NULL, 0, 0 };
	struct feed_misp_entry *v;
	struct cb_err err;
	size_t i, n;

	if (feed_misp_parse_event(buf, size, &opts, &advs, &err) == 0) {
		if (advs.n > 1)
			abort(); /* one event, one advisory at most */
		for (i = 0; i < advs.n; i++)
			check_travels(&advs.v[i]);
	} else if (advs.n != 0) {
		abort(); /* a rejected event adds nothing */
	}
	cb_adv_list_release(&advs);
	if (feed_misp_parse_manifest(buf, size, &v, &n, &err) == 0) {
		for (i = 1; i < n; i++)
			if (feed_misp_entry_cmp(&v[i - 1], &v[i]) > 0)
				abort();
		for (i = 0; i < n; i++)
			if (v[i].uuid[0] == '\0' || strpbrk(v[i].uuid, "/.%?#"))
				abort();
		free(v);
	} else if (v != NULL) {
		abort();
	}
	return 0;
}
