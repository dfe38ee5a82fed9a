/* sub_lookup: list, show and export from the archive (see sub_lookup.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "cb_adv.h"
#include "cb_file.h"
#include "cb_mem.h"
#include "cb_msg.h"
#include "cb_time.h"
#include "cb_utf8.h"
#include "sub_lookup.h"
#include "sub_store.h"

/* A row is "SEQ SEVERITY PUBLISHED ID TITLE" in 80 columns. */
#define ID_COLUMNS 18
#define TITLE_COLUMNS (80 - 5 - 1 - 8 - 1 - 16 - 1 - ID_COLUMNS - 1)

static struct sub_store *
open_archive(const char *state)
{
	char *path = cb_xasprintf("%s/%s", state, SUB_ARCHIVE_FILE);
	struct sub_store *s;
	struct cb_err err;

	s = sub_store_open(path, 1, &err);
	if (s == NULL)
		fprintf(stderr, "canhbao-sub: %s\n", err.msg);
	free(path);
	return s;
}

static char *
format_time(int64_t t, int utc, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t == 0) {
		snprintf(buf, size, "-");
		return buf;
	}
	if (utc)
		gmtime_r(&tt, &tm);
	else
		localtime_r(&tt, &tm);
	strftime(buf, size, utc ? "%Y-%m-%d %H:%MZ" : "%Y-%m-%d %H:%M", &tm);
	return buf;
}

/* Copy at most cols characters (code points) of s, with "…" when cut. */
static char *
clip(const char *s, size_t cols)
{
	char *safe = cb_utf8_printable(s), *out;
	size_t i = 0, n = 0;

	while (safe[i] != '\0' && n < cols) {
		i++;
		while ((safe[i] & 0xc0) == 0x80)
			i++;
		n++;
	}
	if (safe[i] == '\0')
		return safe;
	while (n >= cols && i > 0) { /* room for the ellipsis */
		i--;
		while (i > 0 && (safe[i] & 0xc0) == 0x80)
			i--;
		n--;
	}
	out = cb_xasprintf("%.*s\xe2\x80\xa6", (int)i, safe);
	free(safe);
	return out;
}

static int
expired(int64_t expires)
{
	return expires != 0 && expires < cb_time_now();
}

struct list_state {
	const struct sub_lookup_opts *o;
	cJSON *array;
	int rows;
};

static cJSON *
row_json(const struct sub_row *r)
{
	char when[CB_TIME_BUFSZ];
	cJSON *obj = cJSON_CreateObject();

	cJSON_AddStringToObject(obj, "id", r->id);
	cJSON_AddNumberToObject(obj, "seq", (double)r->seq);
	cJSON_AddNumberToObject(obj, "revision", r->revision);
	cJSON_AddStringToObject(obj, "kind", r->kind);
	cJSON_AddStringToObject(obj, "severity", r->severity);
	cJSON_AddStringToObject(obj, "status", r->status);
	cJSON_AddStringToObject(obj, "origin", r->origin);
	cJSON_AddStringToObject(obj, "title", r->title);
	cJSON_AddStringToObject(obj, "published",
	    cb_time_format(r->published, when));
	cJSON_AddStringToObject(obj, "received",
	    cb_time_format(r->received, when));
	if (r->expires != 0)
		cJSON_AddStringToObject(obj, "expires",
		    cb_time_format(r->expires, when));
	cJSON_AddBoolToObject(obj, "expired", expired(r->expires));
	return obj;
}

static int
list_row(const struct sub_row *r, void *arg)
{
	struct list_state *ls = arg;
	char when[32], *id, *title, *full;

	if (ls->o->json) {
		ls->rows++;
		cJSON_AddItemToArray(ls->array, row_json(r));
		return 0;
	}
	if (ls->rows++ == 0)
		printf("%5s %-8s %-16s %-*s %s\n", "SEQ", "SEVERITY",
		    "PUBLISHED", ID_COLUMNS, "ID", "TITLE");
	id = clip(r->id, ID_COLUMNS);
	full = cb_xasprintf("%s%s", expired(r->expires) ? "(expired) " : "",
	    r->title);
	title = clip(full, TITLE_COLUMNS - (ls->o->utc ? 1 : 0));
	free(full);
	printf("%5llu %-8s %s %-*s %s\n", (unsigned long long)r->seq,
	    r->severity, format_time(r->published, ls->o->utc, when,
			     sizeof(when)), ID_COLUMNS, id, title);
	free(id);
	free(title);
	return 0;
}

int
sub_lookup_list(const struct sub_lookup_opts *o)
{
	struct list_state ls = { .o = o };
	struct sub_store *s = open_archive(o->state);
	struct cb_err err;
	char *text;
	int n;

	if (s == NULL)
		return 2;
	if (o->json)
		ls.array = cJSON_CreateArray();
	n = sub_store_each(s, list_row, &ls, &err);
	sub_store_close(s);
	if (n < 0) {
		fprintf(stderr, "canhbao-sub: %s\n", err.msg);
		cJSON_Delete(ls.array);
		return 2;
	}
	if (o->json) {
		text = cJSON_Print(ls.array);
		printf("%s\n", text);
		free(text);
		cJSON_Delete(ls.array);
	}
	return ls.rows > 0 ? 0 : 1;
}

/* Look id up; prints the reason and returns 1 or 2 when it cannot. */
static int
fetch(const struct sub_lookup_opts *o, const char *id, struct sub_row *r)
{
	struct sub_store *s = open_archive(o->state);
	struct cb_err err;
	int found;

	if (s == NULL)
		return 2;
	found = sub_store_get(s, id, r, &err);
	sub_store_close(s);
	if (found < 0) {
		fprintf(stderr, "canhbao-sub: %s\n", err.msg);
		return 2;
	}
	if (found == 0) {
		fprintf(stderr, "canhbao-sub: no advisory '%s' in the "
		    "archive\n", id);
		return 1;
	}
	return 0;
}

static void
print_list(const char *label, const struct cb_strlist *l)
{
	size_t i;
	char *safe;

	for (i = 0; i < l->n; i++) {
		safe = cb_utf8_printable(l->v[i]);
		printf("%-11s%s\n", i == 0 ? label : "", safe);
		free(safe);
	}
}

static void
print_field(const char *label, const char *value)
{
	char *safe;

	if (value == NULL)
		return;
	safe = cb_utf8_printable(value);
	printf("%-11s%s\n", label, safe);
	free(safe);
}

static void
show_text(const struct sub_lookup_opts *o, const struct sub_row *r,
    const struct cb_adv *a)
{
	char when[32], buf[64];

	print_field("id", a->id);
	snprintf(buf, sizeof(buf), "%u (%s)", a->revision, cb_kind_name(a->kind));
	print_field("revision", buf);
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)r->seq);
	print_field("seq", buf);
	print_field("severity", cb_severity_name(a->severity));
	print_field("status", cb_status_name(a->status));
	print_field("origin", cb_origin_name(a->origin));
	print_field("source", a->source);
	print_field("published", format_time(a->published, o->utc, when,
				     sizeof(when)));
	if (a->updated != 0)
		print_field("updated", format_time(a->updated, o->utc, when,
					   sizeof(when)));
	if (a->expires != 0) {
		format_time(a->expires, o->utc, when, sizeof(when));
		snprintf(buf, sizeof(buf), "%s%s", when,
		    expired(a->expires) ? " (expired)" : "");
		print_field("expires", buf);
	}
	print_field("tlp", a->tlp);
	print_field("title", a->title);
	print_field("summary", a->summary);
	print_list("cves", &a->cves);
	print_list("products", &a->products);
	print_list("actions", &a->actions);
	print_list("references", &a->references);
	if (a->audience.n == 0)
		print_field("audience", "everyone");
	print_list("audience", &a->audience);
}

static void
show_json(const struct sub_row *r)
{
	char when[CB_TIME_BUFSZ], *text;
	const uint8_t *payload = r->signed_bytes + CB_MSG_HDRLEN;
	cJSON *obj = cJSON_ParseWithLength((const char *)payload,
	    r->signed_len - CB_MSG_HDRLEN);

	cJSON_AddNumberToObject(obj, "seq", (double)r->seq);
	cJSON_AddStringToObject(obj, "issued",
	    cb_time_format(r->issued_ms / 1000, when));
	cJSON_AddStringToObject(obj, "received",
	    cb_time_format(r->received, when));
	cJSON_AddBoolToObject(obj, "expired", expired(r->expires));
	text = cJSON_Print(obj);
	printf("%s\n", text);
	free(text);
	cJSON_Delete(obj);
}

int
sub_lookup_show(const struct sub_lookup_opts *o, const char *id)
{
	struct sub_row r;
	struct cb_adv a;
	struct cb_err err;
	int rc = fetch(o, id, &r);

	if (rc != 0)
		return rc;
	if (r.signed_len < CB_MSG_HDRLEN ||
	    cb_adv_from_json(&a, (const char *)r.signed_bytes + CB_MSG_HDRLEN,
		r.signed_len - CB_MSG_HDRLEN, 0, &err) < 0) {
		fprintf(stderr, "canhbao-sub: archived advisory '%s' is "
		    "damaged\n", id);
		sub_row_release(&r);
		return 2;
	}
	if (o->json)
		show_json(&r);
	else
		show_text(o, &r, &a);
	cb_adv_release(&a);
	sub_row_release(&r);
	return 0;
}

int
sub_lookup_export(const struct sub_lookup_opts *o, const char *id,
    const char *file)
{
	struct sub_row r;
	struct cb_err err;
	char *sigpath = NULL, *minisig = NULL;
	int rc = fetch(o, id, &r);

	if (rc != 0)
		return rc;
	rc = 2;
	minisig = cb_msg_minisig(r.sigblock, r.sigblock_len, &err);
	if (minisig == NULL)
		goto fail;
	sigpath = cb_xasprintf("%s.minisig", file);
	if (cb_file_write_atomic(file, r.signed_bytes, r.signed_len, 0644,
		&err) < 0 ||
	    cb_file_write_atomic(sigpath, minisig, strlen(minisig), 0644,
		&err) < 0)
		goto fail;
	printf("%s\n%s\n", file, sigpath);
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "canhbao-sub: %s\n", err.msg);
out:
	free(sigpath);
	free(minisig);
	sub_row_release(&r);
	return rc;
}
