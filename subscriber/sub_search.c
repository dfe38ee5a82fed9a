/* sub_search: the archive's full-text search (see sub_search.h). */
#include <stdlib.h>
#include <string.h>

#include "cb_buf.h"
#include "cb_fold.h"
#include "cb_db.h"
#include "cb_locale.h"
#include "cb_mem.h"
#include "cb_msg.h"
#include "sub_search.h"

#define STR_(x) #x
#define STR(x) STR_(x)

/* The advisory JSON of an archived message: its signed bytes after the
 * envelope's header (cb_msg.h), as SQL on the message table. */
#define PAYLOAD "CAST(substr(signed, " STR(CB_MSG_HDRLEN) " + 1) AS TEXT)"
#define JOINED(key, sep) \
	"coalesce((SELECT group_concat(value, " sep ") FROM " \
	"json_each(p, '$." key "')), '')"

/*
 * 1: the index, adopted as it is by archives whose migration 3 made it.
 * 2: rebuilt from the archived messages with the tokenizer chained on
 *    unicode61's own diacritics folding (archives made before it hold
 *    the words of the earlier tokenizer; those made before search, none).
 * The fields are those sub_search_index writes.
 */
static const char *const steps[] = {
	"CREATE VIRTUAL TABLE IF NOT EXISTS search USING fts5(title, summary,"
	"  actions, cves, products, tokenize = 'canhbao');",

	"DELETE FROM search;"
	"INSERT INTO search (rowid, title, summary, actions, cves, products) "
	"  SELECT seq, title, coalesce(json_extract(p, '$.summary'), ''), "
	JOINED("actions", "char(10)") ", " JOINED("cves", "' '") ", "
	JOINED("products", "char(10)")
	"  FROM (SELECT seq, title, " PAYLOAD " AS p FROM message"
	"        WHERE json_valid(" PAYLOAD "));",
};

const struct cb_db_schema sub_search_schema = {
	"search", steps, (int)(sizeof(steps) / sizeof(steps[0])),
};

/* --- the "canhbao" FTS5 tokenizer: unicode61's words, folded --------- */

/* unicode61 finds the words (Unicode categories, letters and digits,
 * combining marks kept inside a word so text in NFD stays whole), folds
 * case and removes diacritics (remove_diacritics 2: also from letters
 * with two marks, as Vietnamese has); cb_fold then writes the letters
 * it leaves, đ above all, in ASCII, so the index and the queries both
 * hold "duong" for "đường".  Offsets stay those of the original text,
 * so snippets show it as written. */
struct fold_tok {
	fts5_tokenizer inner;
	Fts5Tokenizer *inst;
};

struct fold_ctx {
	void *ctx;
	int (*token)(void *, int, const char *, int, int, int);
};

static int
fold_create(void *api, const char **argv, int argc, Fts5Tokenizer **out)
{
	static const char *inner_args[] = { "remove_diacritics", "2",
		"categories", "L* N* Co Mn" };
	struct fold_tok *t;
	void *ud = NULL;
	int rc;

	(void)argv;
	(void)argc;
	t = sqlite3_malloc(sizeof(*t));
	if (t == NULL)
		return SQLITE_NOMEM;
	memset(t, 0, sizeof(*t));
	rc = ((fts5_api *)api)->xFindTokenizer(api, "unicode61", &ud,
	    &t->inner);
	if (rc == SQLITE_OK)
		rc = t->inner.xCreate(ud, inner_args, 4, &t->inst);
	if (rc != SQLITE_OK) {
		sqlite3_free(t);
		return rc;
	}
	*out = (Fts5Tokenizer *)t;
	return SQLITE_OK;
}

static void
fold_delete(Fts5Tokenizer *tok)
{
	struct fold_tok *t = (struct fold_tok *)tok;

	t->inner.xDelete(t->inst);
	sqlite3_free(t);
}

static int
fold_token(void *arg, int flags, const char *tok, int len, int start,
    int end)
{
	struct fold_ctx *fc = arg;
	char small[128], *buf;
	size_t n;
	int rc;

	if (len < 0)
		return SQLITE_ERROR;
	buf = (size_t)len < sizeof(small) ? small : sqlite3_malloc(len + 1);
	if (buf == NULL)
		return SQLITE_NOMEM;
	n = cb_fold(tok, (size_t)len, buf);
	rc = n == 0 ? SQLITE_OK : /* only combining marks */
	    fc->token(fc->ctx, flags, buf, (int)n, start, end);
	if (buf != small)
		sqlite3_free(buf);
	return rc;
}

static int
fold_tokenize(Fts5Tokenizer *tok, void *ctx, int flags, const char *text,
    int len, int (*token)(void *, int, const char *, int, int, int))
{
	struct fold_tok *t = (struct fold_tok *)tok;
	struct fold_ctx fc = { ctx, token };

	return t->inner.xTokenize(t->inst, &fc, flags, text, len, fold_token);
}

/* FTS5's API on db, or NULL. */
static fts5_api *
fts5(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	fts5_api *api = NULL;

	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) !=
	    SQLITE_OK)
		return NULL;
	sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
	sqlite3_step(st);
	sqlite3_finalize(st);
	return api != NULL && api->iVersion >= 2 ? api : NULL;
}

/* An auto-extension: every connection this process opens gets the
 * tokenizer, before the migrations run. */
static int
register_fold(sqlite3 *db, char **errmsg,
    const sqlite3_api_routines *api_routines)
{
	fts5_tokenizer tok = { fold_create, fold_delete, fold_tokenize };
	fts5_api *api = fts5(db);

	(void)errmsg;
	(void)api_routines;
	if (api == NULL)
		return SQLITE_ERROR;
	return api->xCreateTokenizer(api, "canhbao", api, &tok, NULL);
}

void
sub_search_register(void)
{
	sqlite3_auto_extension((void (*)(void))register_fold);
}

static int
add_term(void *arg, int flags, const char *tok, int len, int start, int end)
{
	(void)flags;
	(void)start;
	(void)end;
	cb_buf_append(arg, tok, (size_t)len, NULL);
	cb_buf_append(arg, " ", 1, NULL);
	return SQLITE_OK;
}

/* The words of text as the "canhbao" tokenizer makes them, each followed
 * by a space, appended to b; 0 or -1. */
static int
terms(sqlite3 *db, const char *text, struct cb_buf *b)
{
	fts5_api *api = fts5(db);
	fts5_tokenizer tok;
	Fts5Tokenizer *inst = NULL;
	void *ud = NULL;
	int rc;

	if (api == NULL ||
	    api->xFindTokenizer(api, "canhbao", &ud, &tok) != SQLITE_OK ||
	    tok.xCreate(ud, NULL, 0, &inst) != SQLITE_OK)
		return -1;
	rc = tok.xTokenize(inst, b, FTS5_TOKENIZE_QUERY, text,
	    (int)strlen(text), add_term);
	tok.xDelete(inst);
	return rc == SQLITE_OK ? 0 : -1;
}

char *
sub_search_terms(struct sub_store *s, const char *text, struct cb_err *err)
{
	struct cb_buf b;

	cb_buf_init(&b, CB_MSG_MAXPAYLOAD);
	cb_buf_appendstr(&b, "", NULL);
	if (terms(sub_store_db(s), text, &b) < 0) {
		cb_buf_release(&b);
		cb_err_set(err, "search: cannot tokenize");
		return NULL;
	}
	return cb_buf_detach(&b, NULL);
}

int
sub_search_same(const char *a, const char *b)
{
	struct cb_buf fa, fb;
	sqlite3 *db = NULL;
	int same;

	sub_search_register();
	if (sqlite3_open(":memory:", &db) != SQLITE_OK) {
		sqlite3_close(db);
		return strcmp(a, b) == 0;
	}
	cb_buf_init(&fa, CB_MSG_MAXPAYLOAD);
	cb_buf_init(&fb, CB_MSG_MAXPAYLOAD);
	if (terms(db, a, &fa) == 0 && terms(db, b, &fb) == 0)
		same = fa.len == fb.len && memcmp(fa.data, fb.data, fa.len) == 0;
	else
		same = strcmp(a, b) == 0;
	cb_buf_release(&fa);
	cb_buf_release(&fb);
	sqlite3_close(db);
	return same;
}

/* --- indexing -------------------------------------------------------- */

/* The entries of l joined by sep (an owned string). */
static char *
joined(const struct cb_strlist *l, const char *sep)
{
	struct cb_buf b;
	size_t i;

	cb_buf_init(&b, CB_MSG_MAXPAYLOAD);
	for (i = 0; i < l->n; i++) {
		if (i > 0)
			cb_buf_appendstr(&b, sep, NULL);
		cb_buf_appendstr(&b, l->v[i], NULL);
	}
	return cb_buf_detach(&b, NULL);
}

/* One index row per archived message, and no other. */
static int
same_rows(sqlite3 *db, struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(db, "SELECT "
	    "(SELECT count(*) FROM search WHERE rowid NOT IN "
	    "  (SELECT seq FROM message)), "
	    "(SELECT count(*) FROM message WHERE seq NOT IN "
	    "  (SELECT rowid FROM search))", err);
	sqlite3_int64 extra, missing;
	int rc;

	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	extra = sqlite3_column_int64(st, 0);
	missing = sqlite3_column_int64(st, 1);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return cb_db_error(db, "search", err);
	if (extra != 0 || missing != 0)
		return cb_err_set(err, "%lld rows name no archived message, "
		    "%lld archived messages are not indexed", (long long)extra,
		    (long long)missing);
	return 0;
}

int
sub_search_check(struct sub_store *s, struct cb_err *err)
{
	int rc;

	/* FTS5's own check of the index against the text it indexes is
	 * an INSERT that changes nothing: in a transaction rolled back. */
	if (sub_store_begin(s, err) < 0)
		return -1;
	rc = cb_db_exec(sub_store_db(s), "INSERT INTO search(search, rank) "
	    "VALUES ('integrity-check', 1)", err);
	sub_store_end(s, 0, NULL);
	if (rc == 0)
		rc = same_rows(sub_store_db(s), err);
	if (rc < 0)
		cb_err_prefix(err, "search index");
	return rc;
}

int
sub_search_index(sqlite3 *db, uint64_t seq, const struct cb_adv *adv,
    struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(db,
	    "INSERT INTO search (rowid, title, summary, actions, cves, "
	    "products) VALUES (?, ?, ?, ?, ?, ?)", err);
	char *actions, *cves, *products;
	int rc;

	if (st == NULL)
		return -1;
	actions = joined(&adv->actions, "\n");
	cves = joined(&adv->cves, " ");
	products = joined(&adv->products, "\n");
	sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
	sqlite3_bind_text(st, 2, adv->title, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, adv->summary ? adv->summary : "", -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 4, actions, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, cves, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, products, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	free(actions);
	free(cves);
	free(products);
	if (rc != SQLITE_DONE)
		return cb_db_error(db, "archive: cannot index", err);
	return 0;
}

/* --- the query compiler ---------------------------------------------- */

/* Append w to b as an FTS5 string ("..." with quotes doubled), a
 * prefix query when it ends in '*'. */
static void
match_word(struct cb_buf *b, const char *w, size_t len)
{
	int prefix = 0;
	size_t i;

	while (len > 0 && w[len - 1] == '*') {
		prefix = 1;
		len--;
	}
	cb_buf_append(b, " \"", 2, NULL);
	for (i = 0; i < len; i++) {
		if (w[i] == '"')
			cb_buf_append(b, "\"", 1, NULL);
		cb_buf_append(b, w + i, 1, NULL);
	}
	cb_buf_append(b, prefix ? "\"*" : "\"", prefix ? 2 : 1, NULL);
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	    c == '\f' || c == '\v';
}

/* Does text hold a word the index could hold?  (A query of nothing but
 * punctuation would match nothing, or everything.)  When the tokenizer
 * cannot say, FTS5 will. */
static int
has_word(sqlite3 *db, const char *text)
{
	struct cb_buf b;
	int found;

	cb_buf_init(&b, CB_MSG_MAXPAYLOAD);
	found = terms(db, text, &b) < 0 || b.len > 0;
	cb_buf_release(&b);
	return found;
}

/* The FTS5 expression for the user's words and CVE: every word as a
 * quoted string (FTS5's syntax never sees the user's text), all of
 * them required, and, for several words, the same words as one phrase
 * as an alternative, which matches no more but ranks the advisories
 * where the words stand together first ("da nang": "Đà Nẵng" before
 * "Đà Lạt ... nắng").  NULL when there is nothing to look for. */
static char *
match_expr(sqlite3 *db, const char *words, const char *cve)
{
	struct cb_buf all, phrase;
	const char *p = words ? words : "", *w;
	int n = 0, prefix = 0;
	char *one, *out;

	cb_buf_init(&all, 4 * (strlen(p) + (cve ? strlen(cve) : 0)) + 64);
	cb_buf_init(&phrase, 2 * strlen(p) + 8);
	cb_buf_appendstr(&phrase, "", NULL);
	while (*p != '\0') {
		while (is_space(*p))
			p++;
		for (w = p; *p != '\0' && !is_space(*p); p++)
			;
		if (p == w)
			continue;
		one = cb_xstrndup(w, (size_t)(p - w));
		if (has_word(db, one)) {
			match_word(&all, w, (size_t)(p - w));
			cb_buf_appendstr(&phrase, " ", NULL);
			cb_buf_appendstr(&phrase, one, NULL);
			prefix |= p[-1] == '*';
			n++;
		}
		free(one);
	}
	if (n > 1 && !prefix) {
		out = cb_xasprintf("((%s) OR", all.data);
		cb_buf_reset(&all);
		cb_buf_appendstr(&all, out, NULL);
		free(out);
		match_word(&all, phrase.data + 1, phrase.len - 1);
		cb_buf_appendstr(&all, ")", NULL);
	}
	cb_buf_release(&phrase);
	if (cve != NULL && has_word(db, cve)) {
		cb_buf_appendstr(&all, all.len ? " AND cves :" : " cves :",
		    NULL);
		match_word(&all, cve, strlen(cve));
	}
	if (all.len == 0) {
		cb_buf_release(&all);
		return NULL;
	}
	return cb_buf_detach(&all, NULL);
}

/* --- search ---------------------------------------------------------- */

/* Search in two steps, so the costly parts run for the hits shown
 * only: the best seqs and scores first (without the archive's columns
 * when no filter needs them), then each hit's row and snippet.  Ranking
 * scores every match, so it is bounded: the newest SUB_SEARCH_WINDOW
 * matches (FTS5 walks them newest first) are ranked, which is every
 * match but for the most common words in a large archive. */
#define RANKED \
	"SELECT rowid, score FROM (SELECT search.rowid AS rowid, " \
	"  bm25(search, 10.0, 2.0, 1.0, 5.0, 3.0) AS score %s " \
	"  WHERE search MATCH ?7 %s " \
	"  ORDER BY search.rowid DESC LIMIT ?8) " \
	"ORDER BY score, rowid DESC LIMIT ?6"

static sqlite3_stmt *
ranked(sqlite3 *db, const struct sub_query *q, const char *expr,
    struct cb_err *err)
{
	int filtered = q->since != 0 || q->min_severity > 0 || q->origin >= 0 ||
	    q->unread || q->unacked;
	char *where = filtered ? cb_xasprintf("AND %s", sub_query_sql()) : NULL;
	char *sql = cb_xasprintf(RANKED, filtered ? "FROM search JOIN "
	    "message m ON m.seq = search.rowid" : "FROM search",
	    filtered ? where : "");
	sqlite3_stmt *st = cb_db_prepare(db, sql, err);

	free(sql);
	free(where);
	if (st == NULL)
		return NULL;
	if (filtered)
		sub_query_bind(st, q);
	else
		sqlite3_bind_int(st, 6, q->limit > 0 ? q->limit : -1);
	sqlite3_bind_text(st, 7, expr, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 8, SUB_SEARCH_WINDOW);
	return st;
}

/* The row and snippet of hit seq into h; 0, or -1 with err set: an
 * indexed message that is not archived means a damaged index, never
 * "no such hit". */
static int
hit_details(sqlite3 *db, sqlite3_stmt *row, sqlite3_stmt *snip,
    uint64_t seq, struct sub_hit *h, struct cb_err *err)
{
	int rc;

	sqlite3_reset(row);
	sqlite3_bind_int64(row, 1, (sqlite3_int64)seq);
	rc = sqlite3_step(row);
	if (rc == SQLITE_DONE)
		return cb_err_set(err, "the search index names seq %llu, "
		    "which is not archived", (unsigned long long)seq);
	if (rc != SQLITE_ROW)
		return cb_db_error(db, "search", err);
	sqlite3_reset(snip);
	sqlite3_bind_int64(snip, 2, (sqlite3_int64)seq);
	rc = sqlite3_step(snip);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return cb_db_error(db, "search", err);
	sub_store_row(row, 0, &h->row);
	h->snippet = rc == SQLITE_ROW ? cb_db_text(snip, 0) : "";
	return 0;
}

int
sub_search(struct sub_store *s, const char *words, const struct sub_query *q,
    int (*fn)(const struct sub_hit *, void *), void *arg, struct cb_err *err)
{
	sqlite3 *db = sub_store_db(s);
	sqlite3_stmt *st = NULL, *row = NULL, *snip = NULL;
	struct sub_hit h;
	char *expr = match_expr(db, words, q->cve);
	int n = 0, rc = SQLITE_DONE, stop = 0;

	if (expr == NULL)
		return cb_err_set(err,
		    _("nothing to search for: the query has no letters or "
		      "digits"));
	st = ranked(db, q, expr, err);
	row = sub_store_select(s, 0, "WHERE m.seq = ?1", err);
	snip = cb_db_prepare(db, "SELECT snippet(search, -1, char(2), "
	    "char(3), '\xe2\x80\xa6', 12) FROM search "
	    "WHERE search MATCH ?1 AND rowid = ?2", err);
	if (st == NULL || row == NULL || snip == NULL)
		goto out;
	sqlite3_bind_text(snip, 1, expr, -1, SQLITE_STATIC);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		h.score = sqlite3_column_double(st, 1);
		if (hit_details(db, row, snip,
			(uint64_t)sqlite3_column_int64(st, 0), &h, err) < 0) {
			n = -1;
			break;
		}
		stop = fn(&h, arg);
		sub_row_release(&h.row);
		n++;
	}
	if (n >= 0 && !stop && rc != SQLITE_DONE)
		n = cb_db_error(db, "search", err);
out:
	if (st == NULL || row == NULL || snip == NULL)
		n = -1;
	sqlite3_finalize(st);
	sqlite3_finalize(row);
	sqlite3_finalize(snip);
	free(expr);
	return n;
}
