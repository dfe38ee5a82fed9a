/* sub_status: the connection and the outbox as the staff see them
 * (see .h). */
#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "cb_json.h"
#include "cb_locale.h"
#include "cb_mem.h"
#include "cb_msg.h"
#include "cb_time.h"
#include "cb_utf8.h"
#include "sub_link.h"
#include "sub_outbox.h"
#include "sub_status.h"
#include "sub_store.h"

/* What names an entry to a person: a report's title, a receipt's
 * advisory id; NULL for presence.  The caller frees it. */
static char *
subject(const struct sub_outbox_entry *e)
{
	cJSON *o = cJSON_Parse(e->payload);
	const char *s = cb_json_str(o, e->type == CB_MSG_REPORT ? "title" :
								 "id");
	char *out = s != NULL ? cb_xstrdup(s) : NULL;

	cJSON_Delete(o);
	return out;
}

static int
add_json(const struct sub_outbox_entry *e, void *arg)
{
	char when[CB_TIME_BUFSZ], *what = subject(e);
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "seq", (double)e->seq);
	cJSON_AddStringToObject(o, "type", cb_msg_type_name(e->type));
	cJSON_AddStringToObject(o, "queued", cb_time_format(e->created, when));
	if (what != NULL)
		cJSON_AddStringToObject(o, e->type == CB_MSG_REPORT ? "title" :
		    "advisory", what);
	cJSON_AddStringToObject(o, "reason", e->refused);
	cJSON_AddItemToArray(arg, o);
	free(what);
	return 0;
}

static int
print_text(const struct sub_outbox_entry *e, void *arg)
{
	char when[CB_TIME_BUFSZ], *what = subject(e), *safe;
	const int *utc = arg;

	safe = cb_utf8_printable(what != NULL ? what : "");
	printf(_("refused: %s %llu, queued %s%s%s%s\n"),
	    cb_locale_word(cb_msg_type_name(e->type)),
	    (unsigned long long)e->seq,
	    cb_time_human(e->created, *utc, when), what != NULL ? ": \"" : "",
	    safe, what != NULL ? "\"" : "");
	free(safe);
	safe = cb_utf8_printable(e->refused);
	printf("  %s\n", safe);
	free(safe);
	free(what);
	return 0;
}

static int
count(const struct sub_outbox_entry *e, void *arg)
{
	(void)e;
	++*(long *)arg;
	return 0;
}

static int
show(struct sub_store *s, const char *state, int json, int utc,
    struct cb_err *err)
{
	cJSON *o, *list;
	long waiting, refused;
	uint64_t last_seq;
	char *text;

	if (sub_outbox_pending(sub_store_db(s), &waiting, err) < 0 ||
	    sub_store_last_seq(s, NULL, &last_seq, err) < 0)
		return -1;
	if (!json) {
		sub_link_print(state, utc);
		printf(_("archive: up to seq %llu\n"),
		    (unsigned long long)last_seq);
		refused = 0;
		if (sub_outbox_each(sub_store_db(s), 1, count, &refused,
			err) < 0)
			return -1;
		printf(_("outbox: %ld waiting, %ld refused\n"), waiting,
		    refused);
		return sub_outbox_each(sub_store_db(s), 1, print_text, &utc,
		    err);
	}
	o = cJSON_CreateObject();
	sub_link_add_json(state, o);
	cJSON_AddNumberToObject(o, "last_seq", (double)last_seq);
	cJSON_AddNumberToObject(o, "outbox_pending", (double)waiting);
	list = cJSON_AddArrayToObject(o, "refused");
	if (sub_outbox_each(sub_store_db(s), 1, add_json, list, err) < 0) {
		cJSON_Delete(o);
		return -1;
	}
	text = cJSON_Print(o);
	printf("%s\n", text);
	free(text);
	cJSON_Delete(o);
	return 0;
}

int
sub_status_print(const char *state, int json, int utc)
{
	char *path = cb_xasprintf("%s/%s", state, SUB_ARCHIVE_FILE);
	struct sub_store *s = sub_store_open(path, 1, NULL);
	struct cb_err err;
	int rc;

	free(path);
	if (s == NULL) {
		fprintf(stderr, _("canhbao-sub: no archive in '%s' to read "
				  "the outbox from\n"), state);
		return 2;
	}
	rc = show(s, state, json, utc, &err);
	sub_store_close(s);
	if (rc < 0)
		fprintf(stderr, "canhbao-sub: %s\n", err.msg);
	return rc < 0 ? 2 : 0;
}
