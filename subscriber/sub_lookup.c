/* sub_lookup: list, show, search, export and ack (see sub_lookup.h). */
#include <sys/stat.h>

#include <errno.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "cb_adv.h"
#include "cb_buf.h"
#include "cb_db.h"
#include "cb_daemon.h"
#include "cb_file.h"
#include "cb_json.h"
#include "cb_locale.h"
#include "cb_mem.h"
#include "cb_msg.h"
#include "cb_time.h"
#include "cb_utf8.h"
#include "sub_daemon.h"
#include "sub_ack.h"
#include "sub_ids.h"
#include "sub_lookup.h"
#include "sub_search.h"
#include "sub_store.h"
#include "sub_verify.h"

/* A row is "SEQ SEVERITY PUBLISHED ID TITLE" in 80 columns; the
 * severity and time columns are as wide as the language makes them. */
#define ID_COLUMNS 18
#define MIN_TITLE_COLUMNS 24 /* list: what a long id leaves the title */
#define LABEL_COLUMNS 11  /* show: the field names */
#define SNIPPET_INDENT 6  /* search: the extract under each hit */
#define SEARCH_LIMIT 20   /* hits shown by default */
#define FOLLOW_POLL_MS 200 /* follow: how often the archive is read */
#define ACK_BY_MAX 200    /* bytes of --by */
#define ACK_NOTE_MAX 4096 /* bytes of --note */

static void
complain(const char *msg)
{
	fprintf(stderr, "canhbao-sub: %s\n", msg);
}

/* What went wrong with the archive in state, naming it; a damaged file
 * is said to be one.  s may be NULL. */
static void
store_error(const char *state, struct sub_store *s, const struct cb_err *err)
{
	const char *msg = err->msg;

	if (strncmp(msg, "archive: ", 9) == 0)
		msg += 9;
	if (s != NULL && sub_store_damaged(s))
		fprintf(stderr, _("canhbao-sub: the archive '%s/%s' is "
				  "damaged: %s\n"),
		    state, SUB_ARCHIVE_FILE, msg);
	else
		fprintf(stderr, _("canhbao-sub: archive '%s/%s': %s\n"), state,
		    SUB_ARCHIVE_FILE, msg);
}

/* The exit status of a lookup that found nothing: 1, or 2 when SQLite
 * finds the file damaged (an index that lost its rows finds nothing
 * without an error). */
static int
nothing(const char *state, struct sub_store *s)
{
	struct cb_err err;

	if (sub_store_check(s, &err) == 0)
		return 1;
	fprintf(stderr, _("canhbao-sub: the archive '%s/%s' is damaged: "
			  "%s\n"),
	    state, SUB_ARCHIVE_FILE, err.msg);
	return 2;
}

static struct sub_store *open_archive(const char *state, int write);

/* The search index checked by FTS5, through a writable handle of its
 * own (the check needs one; it writes nothing): 1 damaged, with err
 * saying how; 0 sound or not checked (the reason printed). */
static int
index_damaged(const char *state, struct cb_err *err)
{
	struct sub_store *w = open_archive(state, 1);
	int damaged;

	if (w == NULL) {
		fputs(_("canhbao-sub: the search index is not checked\n"),
		    stderr);
		return 0;
	}
	damaged = sub_search_check(w, err) < 0;
	sub_store_close(w);
	return damaged;
}

/* The archive in state, which "run" creates (never a lookup); with
 * write set, opened for writing. */
static struct sub_store *
open_archive(const char *state, int write)
{
	char *path = cb_xasprintf("%s/%s", state, SUB_ARCHIVE_FILE);
	struct sub_store *s = NULL;
	struct cb_err err;
	struct stat st;

	if (stat(path, &st) < 0) {
		fprintf(stderr, _("canhbao-sub: no archive in '%s' (has "
				  "'canhbao-sub run' been started?)\n"),
		    state);
		free(path);
		return NULL;
	}
	s = sub_store_open(path, !write, &err);
	if (s == NULL)
		complain(err.msg);
	free(path);
	return s;
}

/* Print s and pad it with spaces to cols columns. */
static void
put_padded(const char *s, size_t cols)
{
	printf("%-*s", cb_utf8_field(s, cols), s);
}

/* A printable copy of s cut to cols columns, with "…" when cut. */
static char *
clip(const char *s, size_t cols)
{
	char *safe = cb_utf8_printable(s), *out;

	out = cb_utf8_clip_cols(safe, cols);
	free(safe);
	return out;
}

static int
expired(int64_t expires)
{
	return expires != 0 && expires < cb_time_now();
}

/* --- filters ---------------------------------------------------------- */

int
sub_lookup_since(const char *s, int utc, int64_t *out)
{
	int y = 0, mo = 0, d = 0, h = 0, mi = 0, end = 0, more = 0, got;
	struct tm tm;
	int64_t dur;
	size_t len = strlen(s);

	got = sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &end);
	if (got == 3 && (s[end] == ' ' || s[end] == 'T') &&
	    sscanf(s + end + 1, "%2d:%2d%n", &h, &mi, &more) == 2)
		end += 1 + more;
	if (got == 3 && (size_t)end == len && mo >= 1 && mo <= 12 && d >= 1 &&
	    d <= 31 && h >= 0 && h < 24 && mi >= 0 && mi < 60) {
		memset(&tm, 0, sizeof(tm));
		tm.tm_year = y - 1900;
		tm.tm_mon = mo - 1;
		tm.tm_mday = d;
		tm.tm_hour = h;
		tm.tm_min = mi;
		tm.tm_isdst = -1;
		*out = utc ? (int64_t)timegm(&tm) : (int64_t)mktime(&tm);
		return 0;
	}
	if (cb_time_parse_iso(s, out) == 0)
		return 0;
	if (len > 1 && s[len - 1] >= 'a' && s[len - 1] <= 'z' &&
	    cb_duration_parse(s, &dur) == 0) {
		*out = cb_time_now() - dur;
		return 0;
	}
	return -1;
}

/* The filters as the store takes them; prints the problem and returns
 * -1 when an option does not parse. */
static int
make_query(const struct sub_lookup_opts *o, struct sub_query *q)
{
	enum cb_severity sev;
	enum cb_origin orig;
	struct cb_err err;

	sub_query_init(q);
	if (o->since != NULL && sub_lookup_since(o->since, o->utc,
				    &q->since) < 0) {
		fprintf(stderr, _("canhbao-sub: --since: '%s' is not a date "
				  "(YYYY-MM-DD), a time (YYYY-MM-DD HH:MM, "
				  "ISO 8601) or a duration (7d, 12h)\n"),
		    o->since);
		return -1;
	}
	if (o->severity != NULL) {
		if (cb_severity_arg(o->severity, &sev, &err) < 0) {
			complain(err.msg);
			return -1;
		}
		q->min_severity = (int)sev;
	}
	if (o->origin != NULL) {
		if (cb_origin_parse(o->origin, &orig) < 0) {
			fprintf(stderr, _("canhbao-sub: --origin is national "
					  "or provincial\n"));
			return -1;
		}
		q->origin = (int)orig;
	}
	q->cve = o->cve;
	q->unread = o->unread;
	q->unacked = o->unacked;
	return 0;
}

/* --- list and search ---------------------------------------------------- */

struct list_state {
	const struct sub_lookup_opts *o;
	size_t sevw, timew; /* columns of the severity and of the time */
	cJSON *array;
	int rows;
	int tty;
	int search; /* nothing found: check the index too */
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
	cJSON_AddStringToObject(obj, "issued",
	    cb_time_format(r->issued_ms / 1000, when));
	cJSON_AddStringToObject(obj, "received",
	    cb_time_format(r->received, when));
	if (r->expires != 0)
		cJSON_AddStringToObject(obj, "expires",
		    cb_time_format(r->expires, when));
	cJSON_AddBoolToObject(obj, "expired", expired(r->expires));
	cJSON_AddBoolToObject(obj, "read", r->read);
	cJSON_AddBoolToObject(obj, "acknowledged", r->acked);
	return obj;
}

/* The widths of the severity and time columns in the user's language
 * (a row's times all have the zone's form). */
static void
list_columns(struct list_state *ls)
{
	char when[CB_TIME_BUFSZ];

	ls->sevw = cb_locale_severity_cols();
	ls->timew = cb_utf8_width(cb_time_human(cb_time_now(), ls->o->utc,
	    when));
}

static void
list_heading(struct list_state *ls)
{
	char seq[16];

	snprintf(seq, sizeof(seq), "%s", _("SEQ"));
	printf("%*s", (int)(5 + strlen(seq) - cb_utf8_width(seq)), seq);
	putchar(' ');
	put_padded(_("SEVERITY"), ls->sevw);
	putchar(' ');
	put_padded(_("PUBLISHED"), ls->timew);
	putchar(' ');
	put_padded(_("ID"), ID_COLUMNS);
	printf(" %s\n", _("TITLE"));
}

/* "(update) ", "(cancelled) ", "(expired) " before the title. */
static char *
marked_title(const struct sub_row *r)
{
	const char *kind = strcmp(r->kind, "update") == 0 ? _("(update) ") :
	    strcmp(r->kind, "cancel") == 0		   ? _("(cancelled) ") :
							     "";

	return cb_xasprintf("%s%s%s", kind,
	    expired(r->expires) ? _("(expired) ") : "", r->title);
}

static void
print_row(struct list_state *ls, const struct sub_row *r)
{
	char when[CB_TIME_BUFSZ], *id, *title, *full;
	size_t idw, cols;

	if (ls->rows == 0) {
		list_columns(ls);
		list_heading(ls);
	}
	/* The id whole, since people type it (show, ack); a long one takes
	 * its columns from the title. */
	id = cb_utf8_printable(r->id);
	idw = cb_utf8_width(id);
	cols = 80 - 5 - 1 - ls->sevw - 1 - ls->timew - 1 - ID_COLUMNS - 1;
	cols = cols < MIN_TITLE_COLUMNS ? MIN_TITLE_COLUMNS : cols;
	if (idw > ID_COLUMNS)
		cols = idw - ID_COLUMNS + MIN_TITLE_COLUMNS > cols ?
		    MIN_TITLE_COLUMNS :
		    cols - (idw - ID_COLUMNS);
	full = marked_title(r);
	title = clip(full, cols);
	free(full);
	printf("%5llu ", (unsigned long long)r->seq);
	put_padded(cb_locale_word(r->severity), ls->sevw);
	printf(" %s ", cb_time_human(r->published, ls->o->utc, when));
	put_padded(id, ID_COLUMNS);
	printf(" %s\n", title);
	free(id);
	free(title);
}

static int
list_row(const struct sub_row *r, void *arg)
{
	struct list_state *ls = arg;

	if (ls->o->json)
		cJSON_AddItemToArray(ls->array, row_json(r));
	else
		print_row(ls, r);
	ls->rows++;
	return 0;
}

static void
print_json(cJSON *item)
{
	char *text = cJSON_Print(item);

	printf("%s\n", text);
	free(text);
	cJSON_Delete(item);
}

/* The end of list and search: the JSON array or the error; the exit
 * status (0 found, 1 nothing, 2 error).  Closes s. */
static int
list_done(const struct sub_lookup_opts *o, struct sub_store *s,
    struct list_state *ls, int n, const struct cb_err *err)
{
	struct cb_err check;
	int rc = ls->rows > 0 ? 0 : 1;

	if (n < 0) {
		store_error(o->state, s, err);
		rc = 2;
	} else if (rc == 1) {
		rc = nothing(o->state, s);
	}
	/* A damaged search index can find nothing without an error. */
	if (rc == 1 && ls->search && index_damaged(o->state, &check)) {
		fprintf(stderr, _("canhbao-sub: the archive '%s/%s' is "
				  "damaged: %s\n"),
		    o->state, SUB_ARCHIVE_FILE, check.msg);
		rc = 2;
	}
	sub_store_close(s);
	if (rc == 2) {
		cJSON_Delete(ls->array);
		return 2;
	}
	if (o->json)
		print_json(ls->array);
	return rc;
}

int
sub_lookup_list(const struct sub_lookup_opts *o)
{
	struct list_state ls = { .o = o };
	struct sub_store *s;
	struct sub_query q;
	struct cb_err err;
	int n;

	if (make_query(o, &q) < 0)
		return 2;
	if (o->limit > 0)
		q.limit = o->limit;
	if ((s = open_archive(o->state, 0)) == NULL)
		return 2;
	if (o->json)
		ls.array = cJSON_CreateArray();
	n = sub_store_list(s, &q, list_row, &ls, &err);
	return list_done(o, s, &ls, n, &err);
}

/* --- follow ------------------------------------------------------------ */

struct follow {
	const struct sub_lookup_opts *o;
	uint64_t last;	/* sequence of the last row printed */
	int gone;	/* standard output was closed */
};

/* One line per row: "SEQ SEVERITY ID rREV TITLE", or its JSON object
 * (as list --json gives) on one line; flushed, for a pipe. */
static int
follow_row(const struct sub_row *r, void *arg)
{
	struct follow *f = arg;
	char *text, *title;
	cJSON *obj;

	if (f->o->json) {
		obj = row_json(r);
		text = cJSON_PrintUnformatted(obj);
		printf("%s\n", text);
		free(text);
		cJSON_Delete(obj);
	} else {
		title = marked_title(r);
		text = cb_utf8_printable(title);
		printf("%llu %s %s r%u %s\n", (unsigned long long)r->seq,
		    cb_locale_word(r->severity), r->id, r->revision, text);
		free(text);
		free(title);
	}
	f->last = r->seq;
	if (fflush(stdout) == EOF)
		f->gone = 1;
	return f->gone;
}

/* The rows archived after f->last, printed; 0 or -1 with err. */
static int
follow_step(struct sub_store *s, struct follow *f, struct cb_err *err)
{
	struct sqlite3_stmt *st = sub_store_select(s, 0,
	    "WHERE m.seq > ? ORDER BY m.seq", err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)f->last);
	return sub_store_rows(s, st, 0, follow_row, f, err) < 0 ? -1 : 0;
}

/* Where follow starts: after the last sequence archived before since
 * (INT64_MAX: now).  0 or -1. */
static int
follow_start(struct sub_store *s, struct follow *f, int64_t since,
    struct cb_err *err)
{
	struct sqlite3_stmt *st = sub_store_select(s, 0,
	    "WHERE m.received < ? ORDER BY m.seq DESC LIMIT 1", err);
	struct sub_row r;
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, since);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		sub_store_row(st, 0, &r);
		f->last = r.seq;
		sub_row_release(&r);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return cb_db_error(sub_store_db(s), "archive", err);
	return 0;
}

static void
pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL); /* a signal cuts it short: quit at once */
}

int
sub_lookup_follow(const struct sub_lookup_opts *o)
{
	struct follow f = { .o = o };
	struct sub_store *s;
	struct sub_query q;
	struct cb_err err;
	int rc = 0;

	if (make_query(o, &q) < 0)
		return 2;
	if ((s = open_archive(o->state, 0)) == NULL)
		return 2;
	cb_daemon_signals();
	if (follow_start(s, &f, o->since ? q.since : INT64_MAX, &err) < 0)
		rc = -1;
	while (rc == 0 && !f.gone && !cb_daemon_quitting()) {
		if (follow_step(s, &f, &err) < 0)
			rc = -1;
		else
			pause_ms(FOLLOW_POLL_MS);
	}
	if (rc < 0)
		store_error(o->state, s, &err);
	sub_store_close(s);
	return rc < 0 ? 2 : 0;
}

/* The snippet with its marks as bold on a terminal, "**" otherwise,
 * made printable and cut to cols columns. */
static char *
render_snippet(const char *snip, int tty, size_t cols)
{
	const char *on = tty ? "\033[1m" : "**", *off = tty ? "\033[0m" : "**";
	const char marks[] = { SUB_MARK_ON, SUB_MARK_OFF, '\0' };
	size_t markw = tty ? 0 : 2, used = 0, i, room;
	int in_mark = 0;
	struct cb_buf b;
	char *piece, *cut;

	cb_buf_init(&b, 16 * cols + 64);
	while (*snip != '\0') {
		i = strcspn(snip, marks);
		room = cols - used - (in_mark ? markw : 0);
		if (i > 0 && room > 0) {
			piece = cb_xstrndup(snip, i);
			cut = clip(piece, room);
			used += cb_utf8_width(cut);
			cb_buf_appendstr(&b, cut, NULL);
			free(piece);
			free(cut);
		}
		snip += i;
		if (*snip == SUB_MARK_ON && !in_mark &&
		    used + 2 * markw + 1 < cols) {
			cb_buf_appendstr(&b, on, NULL);
			used += markw;
			in_mark = 1;
		} else if (*snip == SUB_MARK_OFF && in_mark) {
			cb_buf_appendstr(&b, off, NULL);
			used += markw;
			in_mark = 0;
		}
		if (*snip != '\0')
			snip++;
	}
	if (in_mark)
		cb_buf_appendstr(&b, off, NULL);
	return cb_buf_detach(&b, NULL);
}

/* The snippet with the marks as "**" (for JSON). */
static char *
plain_snippet(const char *snip)
{
	struct cb_buf b;
	char *raw, *safe;

	cb_buf_init(&b, 3 * strlen(snip) + 1);
	for (; *snip != '\0'; snip++) {
		if (*snip == SUB_MARK_ON || *snip == SUB_MARK_OFF)
			cb_buf_appendstr(&b, "**", NULL);
		else
			cb_buf_append(&b, snip, 1, NULL);
	}
	raw = cb_buf_detach(&b, NULL);
	safe = cb_utf8_printable(raw);
	free(raw);
	return safe;
}

static int
search_hit(const struct sub_hit *h, void *arg)
{
	struct list_state *ls = arg;
	cJSON *obj;
	char *snip;

	if (ls->o->json) {
		obj = row_json(&h->row);
		snip = plain_snippet(h->snippet);
		cJSON_AddStringToObject(obj, "snippet", snip);
		cJSON_AddNumberToObject(obj, "score", h->score);
		cJSON_AddItemToArray(ls->array, obj);
		free(snip);
	} else {
		print_row(ls, &h->row);
		snip = render_snippet(h->snippet, ls->tty,
		    80 - SNIPPET_INDENT);
		printf("%*s%s\n", SNIPPET_INDENT, "", snip);
		free(snip);
	}
	ls->rows++;
	return 0;
}

int
sub_lookup_search(const struct sub_lookup_opts *o, const char *words)
{
	struct list_state ls = { .o = o, .tty = isatty(STDOUT_FILENO),
		.search = 1 };
	struct sub_store *s;
	struct sub_query q;
	struct cb_err err;
	int n;

	if (make_query(o, &q) < 0)
		return 2;
	q.limit = o->limit > 0 ? o->limit : SEARCH_LIMIT;
	if ((s = open_archive(o->state, 0)) == NULL)
		return 2;
	if (o->json)
		ls.array = cJSON_CreateArray();
	n = sub_search(s, words, &q, search_hit, &ls, &err);
	return list_done(o, s, &ls, n, &err);
}

/* --- show ------------------------------------------------------------- */

static int
not_archived(const struct sub_lookup_opts *o, struct sub_store *s,
    const char *id)
{
	if (nothing(o->state, s) == 2)
		return 2;
	fprintf(stderr, _("canhbao-sub: no advisory '%s' in the archive\n"),
	    id);
	return 1;
}

/* The candidates of an ambiguous prefix, at most SUB_IDS_CANDIDATES. */
static void
ambiguous(const char *arg, const struct cb_strlist *cands)
{
	char *safe = cb_utf8_printable(arg);
	size_t i;

	fprintf(stderr, _("canhbao-sub: '%s' is the start of several "
			  "advisory ids; give more of one, or its sequence "
			  "number (#SEQ):\n"),
	    safe);
	for (i = 0; i < cands->n && i < SUB_IDS_CANDIDATES; i++)
		fprintf(stderr, "  %s\n", cands->v[i]);
	if (cands->n > SUB_IDS_CANDIDATES)
		fputs(_("  ... and more\n"), stderr);
	free(safe);
}

/* Look up what id names (sub_ids); prints the reason and returns 1 or
 * 2 when it cannot. */
static int
fetch(const struct sub_lookup_opts *o, struct sub_store *s, const char *id,
    struct sub_row *r)
{
	struct cb_strlist cands = { 0 };
	struct cb_err err;
	int found = sub_ids_fetch(s, id, r, &cands, &err);

	if (found == 2)
		ambiguous(id, &cands);
	cb_strlist_release(&cands);
	if (found < 0) {
		store_error(o->state, s, &err);
		return 2;
	}
	if (found == 0)
		return not_archived(o, s, id);
	return found == 1 ? 0 : 2;
}

static void
print_field(const char *label, const char *value)
{
	char *safe;

	if (value == NULL)
		return;
	safe = cb_utf8_printable(value);
	put_padded(label, LABEL_COLUMNS);
	printf("%s\n", safe);
	free(safe);
}

static void
print_list(const char *label, const struct cb_strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		print_field(i == 0 ? label : "", l->v[i]);
}

/* "ip-dst 198.51.100.7", one line each. */
static void
print_indicators(const struct cb_indicators *l)
{
	char *line;
	size_t i;

	for (i = 0; i < l->n; i++) {
		line = cb_xasprintf("%s %s", l->v[i].type, l->v[i].value);
		print_field(i == 0 ? _("indicators") : "", line);
		free(line);
	}
}

/* A revision's kind for people; "?" when the archive lacks it. */
static const char *
kind_label(const char *kind)
{
	return kind != NULL ? cb_locale_word(kind) : "?";
}

/* What show adds to the advisory: its revisions and acknowledgements,
 * gathered from the archive once. */
struct extra {
	const struct sub_lookup_opts *o;
	const struct sub_row *shown;
	cJSON *revisions, *acks; /* always built, printed as text too */
};

static int
add_revision(const struct sub_row *r, void *arg)
{
	struct extra *x = arg;
	char when[CB_TIME_BUFSZ];
	cJSON *obj = cJSON_CreateObject();

	cJSON_AddNumberToObject(obj, "revision", r->revision);
	cJSON_AddNumberToObject(obj, "seq", (double)r->seq);
	cJSON_AddStringToObject(obj, "kind", r->kind);
	cJSON_AddStringToObject(obj, "severity", r->severity);
	cJSON_AddStringToObject(obj, "issued",
	    cb_time_format(r->issued_ms / 1000, when));
	cJSON_AddBoolToObject(obj, "shown", r->seq == x->shown->seq);
	cJSON_AddItemToArray(x->revisions, obj);
	return 0;
}

static int
add_ack(const struct sub_ack *a, void *arg)
{
	struct extra *x = arg;
	char when[CB_TIME_BUFSZ];
	cJSON *obj = cJSON_CreateObject();

	cJSON_AddNumberToObject(obj, "revision", a->revision);
	cJSON_AddStringToObject(obj, "by", a->by);
	cJSON_AddStringToObject(obj, "at", cb_time_format(a->at, when));
	cJSON_AddNumberToObject(obj, "at_unix", (double)a->at);
	if (a->note != NULL)
		cJSON_AddStringToObject(obj, "note", a->note);
	else
		cJSON_AddNullToObject(obj, "note");
	cJSON_AddItemToArray(x->acks, obj);
	return 0;
}

static int
gather(struct sub_store *s, struct extra *x, const char *id)
{
	struct cb_err err;

	x->revisions = cJSON_CreateArray();
	x->acks = cJSON_CreateArray();
	if (sub_store_revisions(s, id, add_revision, x, &err) < 0 ||
	    sub_ack_each(s, id, add_ack, x, &err) < 0) {
		store_error(x->o->state, s, &err);
		return -1;
	}
	return 0;
}

static double
num(const cJSON *obj, const char *key)
{
	return cb_json_num(obj, key, 0);
}

static const char *
str(const cJSON *obj, const char *key)
{
	return cb_json_str(obj, key);
}

/* "history" lines, when there is more than one revision. */
static void
print_history(const struct extra *x)
{
	const cJSON *r;
	char line[256], when[CB_TIME_BUFSZ];
	int64_t t;
	int first = 1;

	if (cJSON_GetArraySize(x->revisions) < 2)
		return;
	cJSON_ArrayForEach(r, x->revisions)
	{
		cb_time_parse_iso(str(r, "issued"), &t);
		snprintf(line, sizeof(line), _("r%.0f %s, seq %.0f, %s%s"),
		    num(r, "revision"), kind_label(str(r, "kind")),
		    num(r, "seq"),
		    cb_time_human(t, x->o->utc, when),
		    cJSON_IsTrue(cJSON_GetObjectItem(r, "shown")) ?
			_(" (shown here)") :
			"");
		print_field(first ? _("history") : "", line);
		first = 0;
	}
}

static void
print_acks(const struct extra *x)
{
	const cJSON *a;
	char *line, when[CB_TIME_BUFSZ];
	int first = 1;

	if (cJSON_GetArraySize(x->acks) == 0) {
		print_field(_("ack"), _("not acknowledged"));
		return;
	}
	cJSON_ArrayForEach(a, x->acks)
	{
		cb_time_human((int64_t)num(a, "at_unix"), x->o->utc, when);
		line = cb_xasprintf(_("r%.0f %s by %s%s%s"), num(a, "revision"),
		    when, str(a, "by"), str(a, "note") ? ": " : "",
		    str(a, "note") ? str(a, "note") : "");
		print_field(first ? _("ack") : "", line);
		free(line);
		first = 0;
	}
}

static void
show_text(const struct sub_lookup_opts *o, const struct sub_row *r,
    const struct cb_adv *a, const struct extra *x)
{
	char when[CB_TIME_BUFSZ], buf[96];

	if (a->kind == CB_KIND_CANCEL)
		printf("%s\n", _("*** CANCELLED: this revision withdraws the "
				 "advisory ***"));
	print_field(_("id"), a->id);
	snprintf(buf, sizeof(buf), "%u (%s)", a->revision,
	    kind_label(cb_kind_name(a->kind)));
	print_field(_("revision"), buf);
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)r->seq);
	print_field(_("seq"), buf);
	print_field(_("severity"),
	    cb_locale_word(cb_severity_name(a->severity)));
	print_field(_("status"), cb_locale_word(cb_status_name(a->status)));
	print_field(_("origin"), cb_locale_word(cb_origin_name(a->origin)));
	print_field(_("source"), cb_locale_word(a->source));
	print_field(_("published"), cb_time_human(a->published, o->utc,
					when));
	if (a->updated != 0)
		print_field(_("updated"), cb_time_human(a->updated, o->utc,
					      when));
	if (a->expires != 0) {
		cb_time_human(a->expires, o->utc, when);
		snprintf(buf, sizeof(buf), "%s%s", when,
		    expired(a->expires) ? _(" (expired)") : "");
		print_field(_("expires"), buf);
	}
	print_field(_("tlp"), a->tlp);
	print_field(_("title"), a->title);
	print_field(_("summary"), a->summary);
	print_list(_("cves"), &a->cves);
	print_list(_("products"), &a->products);
	print_list(_("actions"), &a->actions);
	print_list(_("references"), &a->references);
	print_indicators(&a->indicators);
	if (a->audience.n == 0)
		print_field(_("audience"), _("everyone"));
	print_list(_("audience"), &a->audience);
	print_history(x);
	print_acks(x);
}

static void
show_json(const struct sub_row *r, struct extra *x)
{
	char when[CB_TIME_BUFSZ];
	const uint8_t *payload = r->signed_bytes + CB_MSG_HDRLEN;
	cJSON *obj = cJSON_ParseWithLength((const char *)payload,
	    r->signed_len - CB_MSG_HDRLEN);

	cJSON_AddNumberToObject(obj, "seq", (double)r->seq);
	cJSON_AddStringToObject(obj, "issued",
	    cb_time_format(r->issued_ms / 1000, when));
	cJSON_AddStringToObject(obj, "received",
	    cb_time_format(r->received, when));
	cJSON_AddBoolToObject(obj, "expired", expired(r->expires));
	cJSON_AddItemToObject(obj, "revisions", x->revisions);
	cJSON_AddItemToObject(obj, "acknowledgements", x->acks);
	x->revisions = x->acks = NULL;
	print_json(obj);
}

/* What was shown counts as read (best effort: a read-only archive
 * still shows). */
static void
mark_read(const struct sub_lookup_opts *o, const struct sub_row *r)
{
	char *path = cb_xasprintf("%s/%s", o->state, SUB_ARCHIVE_FILE);
	struct sub_store *s = sub_store_open(path, 0, NULL);

	if (s != NULL)
		sub_ack_mark_read(s, r->id, r->revision, cb_time_now(), NULL);
	sub_store_close(s);
	free(path);
}

int
sub_lookup_show(const struct sub_lookup_opts *o, const char *id)
{
	struct extra x = { .o = o };
	struct sub_store *s;
	struct sub_row r;
	struct cb_adv a;
	struct cb_err err;
	int rc;

	if ((s = open_archive(o->state, 0)) == NULL)
		return 2;
	rc = fetch(o, s, id, &r);
	x.shown = &r;
	if (rc == 0 && gather(s, &x, r.id) < 0) {
		sub_row_release(&r);
		rc = 2;
	}
	sub_store_close(s);
	if (rc != 0)
		goto out;
	cb_adv_init(&a);
	if (r.signed_len < CB_MSG_HDRLEN ||
	    cb_adv_from_json(&a, (const char *)r.signed_bytes + CB_MSG_HDRLEN,
		r.signed_len - CB_MSG_HDRLEN, 0, &err) < 0) {
		fprintf(stderr, _("canhbao-sub: the archive '%s/%s' is "
				  "damaged: advisory '%s' (seq %llu) does not "
				  "parse: %s\n"),
		    o->state, SUB_ARCHIVE_FILE, r.id, (unsigned long long)r.seq,
		    r.signed_len < CB_MSG_HDRLEN ? "too short" : err.msg);
		rc = 2;
	} else if (o->json) {
		show_json(&r, &x);
	} else {
		show_text(o, &r, &a, &x);
	}
	if (rc == 0)
		mark_read(o, &r);
	cb_adv_release(&a);
	sub_row_release(&r);
out:
	cJSON_Delete(x.revisions);
	cJSON_Delete(x.acks);
	return rc;
}

/* --- export and verify ---------------------------------------------- */

/* The pinned key: the file given, else the one run recorded in the
 * archive.  0, or -1 with the problem printed. */
static int
pinned_key(const struct sub_lookup_opts *o, struct sub_store *s,
    struct cb_pubkey *pk)
{
	struct cb_err err;
	int found;

	if (o->publisher_key != NULL) {
		if (cb_sig_read_pubkey(o->publisher_key, pk, &err) == 0)
			return 0;
		complain(err.msg);
		return -1;
	}
	found = sub_store_pinned(s, pk, &err);
	if (found < 0)
		store_error(o->state, s, &err);
	else if (found == 0)
		fprintf(stderr, _("canhbao-sub: the archive does not record "
				  "the publisher key (run has not opened it "
				  "since it learnt to): give "
				  "--publisher-key FILE\n"));
	return found > 0 ? 0 : -1;
}

/* The key chain of the archive from the pinned key; NULL with the
 * problem printed. */
static struct sub_verify *
key_chain(const struct sub_lookup_opts *o, struct sub_store *s,
    void (*bad)(uint64_t, const char *, void *), void *arg)
{
	struct sub_verify *v;
	struct cb_pubkey pk;
	struct cb_err err;

	if (pinned_key(o, s, &pk) < 0)
		return NULL;
	v = sub_verify_new(s, &pk, bad, arg, &err);
	if (v == NULL)
		store_error(o->state, s, &err);
	return v;
}

/* What an export writes beside the advisory: the key that signed it
 * and that key's certificate by the pinned key (NULL when the archive
 * holds none that verifies). */
struct signer {
	struct cb_pubkey key;
	uint8_t *cert;
	size_t cert_len;
};

/* The certificate of sg->key kept in s, checked against the pinned
 * key; none (with a warning) when it is missing or does not verify. */
static void
signer_cert(const struct sub_lookup_opts *o, struct sub_store *s,
    const struct cb_pubkey *pinned, struct signer *sg)
{
	char hex[CB_SIG_KEYIDHEX];
	struct cb_err err;
	int found;

	found = sub_store_certificate(s, sg->key.id, &sg->cert, &sg->cert_len,
	    &err);
	if (found < 0)
		store_error(o->state, s, &err);
	else if (found > 0 && cb_msg_cert_check(pinned, &sg->key, sg->cert,
				  sg->cert_len, &err) < 0)
		complain(err.msg);
	else if (found > 0)
		return;
	free(sg->cert);
	sg->cert = NULL;
	fprintf(stderr, _("canhbao-sub: no certificate of the publisher's "
			  "key %s in the archive yet (heartbeats bring it): "
			  "the key file is written without one\n"),
	    cb_sig_keyid_hex(sg->key.id, hex));
}

/* Row r verified again, under the key chain of s, and the key that
 * signed it into *sg: 0, or 2 with the problem printed. */
static int
export_verified(const struct sub_lookup_opts *o, struct sub_store *s,
    const struct sub_row *r, struct signer *sg)
{
	struct sub_verify *v = key_chain(o, s, NULL, NULL);
	struct cb_err err;
	uint64_t bad;
	int rc = 2;

	if (v == NULL)
		return 2;
	bad = sub_verify_first_bad(v);
	if (bad != 0 && bad < r->seq)
		cb_err_set(&err, "the key rotation at seq %llu does not verify",
		    (unsigned long long)bad);
	else if (sub_verify_row(v, r, &err) == 0)
		rc = 0;
	if (rc != 0)
		fprintf(stderr, _("canhbao-sub: archived advisory '%s' (seq "
				  "%llu) does not verify: %s; nothing written "
				  "(canhbao-sub verify checks the whole "
				  "archive)\n"),
		    r->id, (unsigned long long)r->seq, err.msg);
	else {
		sg->key = *sub_verify_key_at(v, r->seq);
		signer_cert(o, s, sub_verify_key_at(v, 0), sg);
	}
	sub_verify_free(v);
	return rc;
}

/* Write FILE.pub, and FILE.pub.minisig when there is a certificate;
 * 0 or -1 with err. */
static int
write_signer(const struct signer *sg, const char *pubpath,
    struct cb_err *err)
{
	char *text = cb_sig_pubkey_text(&sg->key), *minisig = NULL;
	int rc = -1;

	if (sg->cert == NULL)
		rc = cb_file_write_atomic(pubpath, text, strlen(text), 0644,
		    err);
	else if ((minisig = cb_msg_minisig(sg->cert, sg->cert_len, err)) !=
	    NULL)
		rc = cb_file_write_signed(pubpath, text, strlen(text), minisig,
		    err);
	free(text);
	free(minisig);
	return rc;
}

/* Write the files of an export: FILE and FILE.minisig, FILE.pub and
 * FILE.pub.minisig; 0 or 2 with the problem printed, and nothing left
 * behind. */
static int
export_write(const struct sub_row *r, const struct signer *sg,
    const char *file, const char *pubpath)
{
	struct cb_err err;
	char *minisig = cb_msg_minisig(r->sigblock, r->sigblock_len, &err);
	char *sigpath = cb_xasprintf("%s.minisig", file);
	int rc = 2;

	if (minisig != NULL && cb_file_write_signed(file, r->signed_bytes,
				   r->signed_len, minisig, &err) == 0) {
		if (write_signer(sg, pubpath, &err) == 0) {
			rc = 0;
		} else {
			unlink(file);
			unlink(sigpath);
		}
	}
	if (rc != 0)
		complain(err.msg);
	free(minisig);
	free(sigpath);
	return rc;
}

/* The paths written, one per line or as JSON. */
static void
export_paths(const struct sub_lookup_opts *o, const char *file,
    const char *pubpath, int certified)
{
	char *sig = cb_xasprintf("%s.minisig", file);
	char *pubsig = cb_xasprintf("%s.minisig", pubpath);
	cJSON *obj;

	if (o->json) {
		obj = cJSON_CreateObject();
		cJSON_AddStringToObject(obj, "file", file);
		cJSON_AddStringToObject(obj, "minisig", sig);
		cJSON_AddStringToObject(obj, "pub", pubpath);
		if (certified)
			cJSON_AddStringToObject(obj, "pub_minisig", pubsig);
		else
			cJSON_AddNullToObject(obj, "pub_minisig");
		print_json(obj);
	} else {
		printf("%s\n%s\n%s\n", file, sig, pubpath);
		if (certified)
			printf("%s\n", pubsig);
	}
	free(sig);
	free(pubsig);
}

int
sub_lookup_export(const struct sub_lookup_opts *o, const char *id,
    const char *file)
{
	struct signer sg = { .cert = NULL };
	struct sub_store *s;
	struct sub_row r;
	char *pubpath;
	int rc;

	if (strcmp(file, "-") == 0) {
		fputs(_("canhbao-sub: export writes four files (FILE, "
			"FILE.minisig, FILE.pub, FILE.pub.minisig), so -o "
			"takes a file name, not '-'; canhbao-sub show --json "
			"ID prints the advisory\n"),
		    stderr);
		return 2;
	}
	if ((s = open_archive(o->state, 0)) == NULL)
		return 2;
	rc = fetch(o, s, id, &r);
	if (rc == 0 && (rc = export_verified(o, s, &r, &sg)) != 0)
		sub_row_release(&r);
	sub_store_close(s);
	if (rc != 0)
		return rc;
	pubpath = cb_xasprintf("%s.pub", file);
	rc = export_write(&r, &sg, file, pubpath);
	if (rc == 0)
		export_paths(o, file, pubpath, sg.cert != NULL);
	free(pubpath);
	free(sg.cert);
	sub_row_release(&r);
	return rc;
}

/* What verify found: the damaged, in order of sequence. */
struct fsck {
	const struct sub_lookup_opts *o;
	struct sub_verify *v;
	cJSON *damaged;
	unsigned long messages, bad;
};

static void
report_damage(uint64_t seq, const char *what, const char *why, void *arg)
{
	struct fsck *f = arg;
	cJSON *obj;
	char *safe = cb_utf8_printable(why);

	f->bad++;
	if (f->o->json) {
		obj = cJSON_CreateObject();
		if (seq != 0)
			cJSON_AddNumberToObject(obj, "seq", (double)seq);
		else
			cJSON_AddNullToObject(obj, "seq");
		cJSON_AddStringToObject(obj, "type", what);
		cJSON_AddStringToObject(obj, "problem", why);
		cJSON_AddItemToArray(f->damaged, obj);
	} else if (seq != 0) {
		printf(_("seq %llu: %s: %s\n"), (unsigned long long)seq,
		    what, safe);
	} else {
		printf("%s\n", safe);
	}
	free(safe);
}

static void
bad_rotation(uint64_t seq, const char *why, void *arg)
{
	report_damage(seq, "key rotation", why, arg);
}

static int
check_message(const struct sub_row *r, void *arg)
{
	struct fsck *f = arg;
	struct cb_err err;

	f->messages++;
	if (sub_verify_row(f->v, r, &err) < 0)
		report_damage(r->seq, "advisory", err.msg, f);
	return 0;
}

static void
check_index(struct fsck *f)
{
	struct cb_err err;

	if (index_damaged(f->o->state, &err))
		report_damage(0, "search index", err.msg, f);
}

static void
fsck_summary(const struct fsck *f)
{
	cJSON *obj;

	if (f->o->json) {
		obj = cJSON_CreateObject();
		cJSON_AddNumberToObject(obj, "messages", (double)f->messages);
		cJSON_AddNumberToObject(obj, "rotations",
		    (double)sub_verify_rotations(f->v));
		cJSON_AddNumberToObject(obj, "damaged", (double)f->bad);
		cJSON_AddItemToObject(obj, "problems", f->damaged);
		print_json(obj);
	} else {
		printf(_("%lu messages, %zu key rotations, %lu damaged\n"),
		    f->messages, sub_verify_rotations(f->v), f->bad);
	}
}

int
sub_lookup_verify(const struct sub_lookup_opts *o)
{
	struct fsck f = { .o = o };
	struct sub_store *s;
	struct cb_err err;
	int rc = 2;

	if ((s = open_archive(o->state, 0)) == NULL)
		return 2;
	if (sub_store_check(s, &err) < 0) {
		fprintf(stderr, _("canhbao-sub: the archive '%s/%s' is "
				  "damaged: %s\n"),
		    o->state, SUB_ARCHIVE_FILE, err.msg);
		goto out;
	}
	f.damaged = cJSON_CreateArray();
	f.v = key_chain(o, s, bad_rotation, &f);
	if (f.v == NULL)
		goto out;
	if (sub_store_each(s, check_message, &f, &err) < 0) {
		store_error(o->state, s, &err);
		goto out;
	}
	check_index(&f);
	fsck_summary(&f);
	if (o->json) /* the summary took it */
		f.damaged = NULL;
	rc = f.bad > 0 ? 1 : 0;
out:
	cJSON_Delete(f.damaged);
	sub_verify_free(f.v);
	sub_store_close(s);
	return rc;
}

/* --- ack ------------------------------------------------------------------ */

static int
check_text(const char *what, const char *s, size_t max)
{
	if (s == NULL)
		return 0;
	if (strlen(s) > max || !cb_utf8_valid(s, strlen(s))) {
		fprintf(stderr, _("canhbao-sub: %s must be UTF-8 text of at "
				  "most %zu bytes\n"),
		    what, max);
		return -1;
	}
	return 0;
}

static void
ack_print(const struct sub_lookup_opts *o, const char *id,
    const struct sub_ack *a, int fresh)
{
	char when[CB_TIME_BUFSZ], local[CB_TIME_BUFSZ];
	char *sid = cb_utf8_printable(id), *by = cb_utf8_printable(a->by);
	cJSON *obj;

	if (o->json) {
		obj = cJSON_CreateObject();
		cJSON_AddStringToObject(obj, "id", id);
		cJSON_AddNumberToObject(obj, "revision", a->revision);
		cJSON_AddStringToObject(obj, "by", a->by);
		cJSON_AddStringToObject(obj, "at", cb_time_format(a->at, when));
		if (a->note != NULL)
			cJSON_AddStringToObject(obj, "note", a->note);
		else
			cJSON_AddNullToObject(obj, "note");
		cJSON_AddBoolToObject(obj, "already", !fresh);
		print_json(obj);
	} else {
		cb_time_human(a->at, o->utc, local);
		printf(fresh ? _("acknowledged %s revision %u by %s at %s\n") :
			       _("%s revision %u was already acknowledged by "
				 "%s at %s\n"),
		    sid, a->revision, by, local);
	}
	free(sid);
	free(by);
}

int
sub_lookup_ack(const struct sub_lookup_opts *o, const char *id,
    const char *by, const char *note)
{
	struct sub_store *s;
	struct sub_row r;
	struct sub_ack a;
	struct cb_err err;
	char *key;
	int rc;

	if (*by == '\0' || check_text("--by", by, ACK_BY_MAX) < 0 ||
	    check_text("--note", note, ACK_NOTE_MAX) < 0)
		return 2;
	if ((s = open_archive(o->state, 1)) == NULL)
		return 2;
	/* An agency with a key tells the department, through the outbox,
	 * whether or not its daemon runs now. */
	key = cb_xasprintf("%s/%s", o->state, SUB_AGENCY_KEY_FILE);
	sub_store_set_receipts(s, access(key, F_OK) == 0);
	free(key);
	if ((rc = fetch(o, s, id, &r)) != 0) {
		sub_store_close(s);
		return rc;
	}
	rc = sub_ack_add(s, r.id, by, note, cb_time_now(), &a, &err);
	if (rc <= 0) {
		if (rc < 0)
			store_error(o->state, s, &err);
		rc = rc < 0 ? 2 : not_archived(o, s, r.id);
		sub_store_close(s);
		sub_row_release(&r);
		return rc;
	}
	sub_store_close(s);
	ack_print(o, r.id, &a, rc == 1);
	sub_ack_release(&a);
	sub_row_release(&r);
	return 0;
}
