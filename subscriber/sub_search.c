/* sub_search: the archive's full-text search (see sub_search.h). */
#include <math.h>
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

/* --- canhbao_rank: bm25, the words side by side, the top k --------- */

/*
 * canhbao_rank(search, n, k[, stats]) scores a match as FTS5's
 * bm25(search, 10.0, 2.0, 1.0, 5.0, 3.0) does (same formula, weights and
 * IDF), times a factor for the user's n words side by side, and knows
 * that only the best k are wanted (k = 0: all); stats, when given, are
 * what canhbao_stats(search) returned for the same query, so that the
 * IDF pass over every phrase's matches is not made twice.
 *
 * The profile of bm25 over the archive showed nearly all its time in
 * one lookup per match: the match's length in tokens (xColumnSize, a
 * query on the %_docsize table); reading the positions and counting the
 * words cost a tenth of it.  A match whose score could not reach the k
 * best found so far even at the shortest length its words allow is not
 * looked up: it gets 0, worse than any score, and falls outside the k
 * (the ranking of the k is the one bm25 would give).
 */

/* The weight of a word found in each field of the index, in order:
 * title, summary, actions, CVE ids, products. */
static const double field_weight[] = { 10.0, 2.0, 1.0, 5.0, 3.0 };
#define NFIELDS ((int)(sizeof(field_weight) / sizeof(field_weight[0])))

#define BM25_K1 1.2
#define BM25_B 0.75
/* Above this k, every match is scored in full. */
#define RANK_MAXK 1000
/* Pairs of consecutive words the factor looks at, at most. */
#define NEAR_PAIRS 32

/* The statistics bm25 needs of a query, as canhbao_stats returns them
 * (a blob of doubles) and canhbao_rank takes them: the average length
 * of a row, the fewest rows one of the phrases matches, then the IDF of
 * each phrase. */
#define STAT_AVGDL 0
#define STAT_FEWEST 1
#define STAT_IDF 2

/* What canhbao_rank keeps through one query (FTS5's auxiliary data). */
struct rank {
	int nphrase;
	double *stat;   /* [STAT_IDF + nphrase] */
	double *freq;   /* [nphrase], the weighted count in this row */
	int end[NFIELDS]; /* in each field, the end of its last instance */
	double *top;    /* max-heap: the k best scores so far, worst first */
	int k, ntop;
	sqlite3_int64 rowid; /* the row last scored, and its score */
	double score;
	int scored;
};

static void
rank_free(void *arg)
{
	struct rank *r = arg;

	free(r->stat);
	free(r->freq);
	free(r->top);
	free(r);
}

static int
count_row(const Fts5ExtensionApi *api, Fts5Context *fts, void *arg)
{
	(void)api;
	(void)fts;
	(*(sqlite3_int64 *)arg)++;
	return SQLITE_OK;
}

/* The statistics of the query (STAT_*) into stat, as bm25 computes
 * them; SQLite's result code. */
static int
query_stats(const Fts5ExtensionApi *api, Fts5Context *fts, double *stat)
{
	sqlite3_int64 nrow = 0, ntok = 0, hits;
	int i, n = api->xPhraseCount(fts), rc;
	double idf;

	rc = api->xRowCount(fts, &nrow);
	if (rc == SQLITE_OK)
		rc = api->xColumnTotalSize(fts, -1, &ntok);
	stat[STAT_AVGDL] = nrow > 0 ? (double)ntok / (double)nrow : 1;
	stat[STAT_FEWEST] = (double)nrow;
	for (i = 0; rc == SQLITE_OK && i < n; i++) {
		hits = 0;
		rc = api->xQueryPhrase(fts, i, &hits, count_row);
		if ((double)hits < stat[STAT_FEWEST])
			stat[STAT_FEWEST] = (double)hits;
		idf = log(((double)nrow - (double)hits + 0.5) /
		    ((double)hits + 0.5));
		stat[STAT_IDF + i] = idf > 0.0 ? idf : 1e-6;
	}
	return rc;
}

/* canhbao_stats(search): the statistics of the query, a blob. */
static void
stats_fn(const Fts5ExtensionApi *api, Fts5Context *fts,
    sqlite3_context *ctx, int nval, sqlite3_value **val)
{
	size_t n = (size_t)api->xPhraseCount(fts) + STAT_IDF;
	double *stat = cb_xcalloc(n, sizeof(*stat));

	(void)nval;
	(void)val;
	if (query_stats(api, fts, stat) != SQLITE_OK) {
		free(stat);
		sqlite3_result_error(ctx, "canhbao_stats: cannot count", -1);
		return;
	}
	sqlite3_result_blob(ctx, stat, (int)(n * sizeof(*stat)), free);
}

/* The state of a query, with the statistics in blob (from
 * canhbao_stats) when it is theirs, or computed.  NULL on error. */
static struct rank *
rank_start(const Fts5ExtensionApi *api, Fts5Context *fts, int k,
    sqlite3_value *blob)
{
	struct rank *r = cb_xcalloc(1, sizeof(*r));
	size_t size;

	r->nphrase = api->xPhraseCount(fts);
	size = ((size_t)r->nphrase + STAT_IDF) * sizeof(*r->stat);
	r->stat = cb_xcalloc(1, size);
	r->freq = cb_xcalloc((size_t)r->nphrase + 1, sizeof(*r->freq));
	r->k = k > 0 && k <= RANK_MAXK ? k : 0;
	r->top = cb_xcalloc((size_t)r->k + 1, sizeof(*r->top));
	if (blob != NULL && sqlite3_value_type(blob) == SQLITE_BLOB &&
	    (size_t)sqlite3_value_bytes(blob) == size)
		memcpy(r->stat, sqlite3_value_blob(blob), size);
	else if (query_stats(api, fts, r->stat) != SQLITE_OK) {
		rank_free(r);
		return NULL;
	}
	return r;
}

/* Keep score among the k best (a max-heap of them, the worst on top). */
static void
rank_keep(struct rank *r, double score)
{
	int i, c;

	if (r->ntop < r->k) {
		for (i = r->ntop++; i > 0 && r->top[(i - 1) / 2] < score;
		    i = (i - 1) / 2)
			r->top[i] = r->top[(i - 1) / 2];
		r->top[i] = score;
		return;
	}
	if (r->k == 0 || score >= r->top[0])
		return;
	for (i = 0; (c = 2 * i + 1) < r->k; i = c) {
		if (c + 1 < r->k && r->top[c + 1] > r->top[c])
			c++;
		if (r->top[c] <= score)
			break;
		r->top[i] = r->top[c];
	}
	r->top[i] = score;
}

/* Does instance k (of phrase p, at offset off in column col) have the
 * next word of the query right after it, in the same column?  The
 * instances come in order of position, so those to look at follow k
 * closely. */
static int
next_follows(const Fts5ExtensionApi *api, Fts5Context *fts, int ninst,
    int k, int p, int col, int off)
{
	int want = off + api->xPhraseSize(fts, p), ip, ic, io;

	for (k++; k < ninst; k++) {
		if (api->xInst(fts, k, &ip, &ic, &io) != SQLITE_OK ||
		    ic != col || io > want)
			return 0;
		if (io == want && ip == p + 1)
			return 1;
	}
	return 0;
}

/* Count this row's instances of each phrase into r (weighted by field
 * in freq), and return the factor for the first n phrases, the user's
 * words, side by side: 1 plus the share of their n - 1 consecutive
 * pairs that stand next to each other, in order, in one field (1 to 2:
 * 2 when the whole query stands there as typed).  -1 on error. */
static double
rank_row(struct rank *r, const Fts5ExtensionApi *api, Fts5Context *fts,
    int n)
{
	int pairs = n - 1 < NEAR_PAIRS ? n - 1 : NEAR_PAIRS;
	int ninst = 0, k, p, col, off, together = 0;
	uint32_t found = 0;

	memset(r->freq, 0, (size_t)r->nphrase * sizeof(*r->freq));
	memset(r->end, 0, sizeof(r->end));
	if (api->xInstCount(fts, &ninst) != SQLITE_OK)
		return -1;
	for (k = 0; k < ninst; k++) {
		if (api->xInst(fts, k, &p, &col, &off) != SQLITE_OK ||
		    p < 0 || p >= r->nphrase || col < 0 || col >= NFIELDS)
			return -1;
		r->freq[p] += field_weight[col];
		if (off + api->xPhraseSize(fts, p) > r->end[col])
			r->end[col] = off + api->xPhraseSize(fts, p);
		if (p < pairs && (found & (1u << p)) == 0 &&
		    next_follows(api, fts, ninst, k, p, col, off)) {
			found |= 1u << p;
			together++;
		}
	}
	return pairs > 0 ? 1.0 + (double)together / pairs : 1.0;
}

/* bm25 of the row counted in r, were it len tokens long, times near. */
static double
rank_score(const struct rank *r, double len, double near)
{
	double score = 0, f;
	int i;

	for (i = 0; i < r->nphrase; i++) {
		f = r->freq[i];
		score += r->stat[STAT_IDF + i] * (f * (BM25_K1 + 1.0)) /
		    (f + BM25_K1 * (1 - BM25_B + BM25_B * len /
		    r->stat[STAT_AVGDL]));
	}
	return -score * near;
}

/* The fewest tokens this row can have: in each field, as many as
 * there are up to the end of its last instance. */
static int
rank_shortest(const struct rank *r)
{
	int i, len = 0;

	for (i = 0; i < NFIELDS; i++)
		len += r->end[i];
	return len > 0 ? len : 1;
}

static void
rank_fn(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
    int nval, sqlite3_value **val)
{
	struct rank *r = api->xGetAuxdata(fts, 0);
	sqlite3_int64 rowid = api->xRowid(fts);
	double near;
	int len;

	if (r == NULL) {
		r = rank_start(api, fts, nval > 1 ? sqlite3_value_int(val[1]) :
		    0, nval > 2 ? val[2] : NULL);
		if (r == NULL ||
		    api->xSetAuxdata(fts, r, rank_free) != SQLITE_OK) {
			sqlite3_result_error(ctx, "canhbao_rank: cannot start",
			    -1);
			return;
		}
	}
	if (r->scored && r->rowid == rowid) { /* asked twice */
		sqlite3_result_double(ctx, r->score);
		return;
	}
	near = rank_row(r, api, fts, nval > 0 ? sqlite3_value_int(val[0]) : 0);
	if (near < 0) {
		sqlite3_result_error(ctx, "canhbao_rank: no positions", -1);
		return;
	}
	if (r->k > 0 && r->ntop == r->k &&
	    rank_score(r, rank_shortest(r), near) > r->top[0])
		r->score = 0; /* cannot be among the k best */
	else if (api->xColumnSize(fts, -1, &len) != SQLITE_OK) {
		sqlite3_result_error(ctx, "canhbao_rank: no length", -1);
		return;
	} else {
		r->score = rank_score(r, len, near);
		rank_keep(r, r->score);
	}
	r->rowid = rowid;
	r->scored = 1;
	sqlite3_result_double(ctx, r->score);
}

/* An auto-extension: every connection this process opens gets the
 * tokenizer, before the migrations run, and canhbao_rank. */
static int
register_fold(sqlite3 *db, char **errmsg,
    const sqlite3_api_routines *api_routines)
{
	fts5_tokenizer tok = { fold_create, fold_delete, fold_tokenize };
	fts5_api *api = fts5(db);

	(void)errmsg;
	(void)api_routines;
	if (api == NULL ||
	    api->xCreateTokenizer(api, "canhbao", api, &tok, NULL) !=
	    SQLITE_OK)
		return SQLITE_ERROR;
	if (api->xCreateFunction(api, "canhbao_stats", NULL, stats_fn, NULL) !=
	    SQLITE_OK)
		return SQLITE_ERROR;
	return api->xCreateFunction(api, "canhbao_rank", NULL, rank_fn, NULL);
}

void
sub_search_register(void)
{
	sqlite3_auto_extension((void (*)(void))register_fold);
}

/* The "canhbao" tokenizer of a connection, to run from C. */
struct toker {
	fts5_tokenizer api;
	Fts5Tokenizer *inst;
};

/* 0, or -1 when db has no such tokenizer (t is then closed). */
static int
toker_open(sqlite3 *db, struct toker *t)
{
	fts5_api *api = fts5(db);
	void *ud = NULL;

	t->inst = NULL;
	if (api == NULL ||
	    api->xFindTokenizer(api, "canhbao", &ud, &t->api) != SQLITE_OK ||
	    t->api.xCreate(ud, NULL, 0, &t->inst) != SQLITE_OK)
		return -1;
	return 0;
}

static void
toker_close(struct toker *t)
{
	if (t->inst != NULL)
		t->api.xDelete(t->inst);
	t->inst = NULL;
}

/* Call fn(arg, ...) for every word of text, as FTS5 calls a tokenizer's
 * callback; 0 or -1. */
static int
toker_run(struct toker *t, int flags, const char *text, void *arg,
    int (*fn)(void *, int, const char *, int, int, int))
{
	return t->api.xTokenize(t->inst, arg, flags, text, (int)strlen(text),
	    fn) == SQLITE_OK ? 0 : -1;
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
	struct toker t;
	int rc;

	if (toker_open(db, &t) < 0)
		return -1;
	rc = toker_run(&t, FTS5_TOKENIZE_QUERY, text, b, add_term);
	toker_close(&t);
	return rc;
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

/* A word of the query as the extracts look for it: its tokens as the
 * index holds them, each followed by a space (terms()), the last one
 * a prefix when the word ends in '*'. */
struct qword {
	char *toks;
	int prefix;
};

/* The user's words, compiled. */
struct query {
	char *expr;     /* the FTS5 expression */
	struct qword *w; /* the words, then the CVE when there is one */
	int n;          /* entries in w */
	int nwords;     /* of them the user's words */
};

/* Add the word w[0..len) to qy, unless it holds nothing the index could
 * hold (a query of nothing but punctuation would match nothing, or
 * everything; when the tokenizer cannot say, FTS5 will).  col: the
 * column it must match in, or NULL. */
static void
add_word(sqlite3 *db, struct query *qy, struct cb_buf *expr, const char *w,
    size_t len, const char *col)
{
	struct cb_buf b;
	char *one = cb_xstrndup(w, len);
	int failed;

	cb_buf_init(&b, CB_MSG_MAXPAYLOAD);
	cb_buf_appendstr(&b, "", NULL);
	failed = terms(db, one, &b) < 0;
	free(one);
	if (!failed && b.len == 0) {
		cb_buf_release(&b);
		return;
	}
	if (col != NULL) {
		cb_buf_appendstr(expr, expr->len ? " AND " : " ", NULL);
		cb_buf_appendstr(expr, col, NULL);
	}
	match_word(expr, w, len);
	qy->w[qy->n].prefix = len > 0 && w[len - 1] == '*';
	if (failed)
		cb_buf_reset(&b);
	qy->w[qy->n++].toks = cb_buf_detach(&b, NULL);
}

/* Compile the user's words and CVE into qy: the FTS5 expression has
 * every word as a quoted string (FTS5's syntax never sees the user's
 * text), all of them required, in the order typed (canhbao_near counts
 * on it), then the CVE in the cves column.  0, or -1 when there is
 * nothing to look for. */
static int
compile(sqlite3 *db, const char *words, const char *cve, struct query *qy)
{
	const char *p = words ? words : "", *w;
	struct cb_buf expr;

	memset(qy, 0, sizeof(*qy));
	cb_buf_init(&expr, 4 * (strlen(p) + (cve ? strlen(cve) : 0)) + 64);
	qy->w = cb_xcalloc(strlen(p) / 2 + 2, sizeof(*qy->w));
	while (*p != '\0') {
		while (is_space(*p))
			p++;
		for (w = p; *p != '\0' && !is_space(*p); p++)
			;
		if (p > w)
			add_word(db, qy, &expr, w, (size_t)(p - w), NULL);
	}
	qy->nwords = qy->n;
	if (cve != NULL)
		add_word(db, qy, &expr, cve, strlen(cve), "cves :");
	if (expr.len == 0) {
		cb_buf_release(&expr);
		return -1;
	}
	qy->expr = cb_buf_detach(&expr, NULL);
	return 0;
}

static void
query_release(struct query *qy)
{
	int i;

	for (i = 0; i < qy->n; i++)
		free(qy->w[i].toks);
	free(qy->w);
	free(qy->expr);
}

/* --- extracts ------------------------------------------------------- */

/*
 * Each hit shows an extract of the field that matched best, as FTS5's
 * snippet(search, -1, ..., 12) would, but made here from the hit's text
 * and the compiled query: snippet() needs an FTS5 cursor moved to the
 * hit by MATCH, which seeks every word in every segment of the index
 * again for each hit (most of a search's time once ranking is fast).
 * The text is tokenized with the index's own tokenizer, so a word is
 * marked exactly where the index holds it.
 */

/* Tokens in an extract, at most. */
#define EXTRACT_TOKENS 12
#define ELLIPSIS "\xe2\x80\xa6"

/* A token of a field: folded as the index holds it (at fold in the
 * field's fold buffer, NUL-terminated), its bytes in the text, whether
 * a sentence starts there, and the query word that starts there (-1:
 * none) with its last token. */
struct dtok {
	size_t fold;
	int len, start, end;
	int sentence;
	int word, last;
};

struct field {
	const char *text;
	struct cb_buf fold;
	struct dtok *t;
	int n, cap;
};

struct extractor {
	struct toker tok;
	const struct query *qy;
	sqlite3_stmt *text;   /* the indexed fields of a hit */
	struct field f[2];    /* the field at hand, the best one so far */
	unsigned char *seen;  /* [qy->n] */
	struct cb_buf out;
};

/* Does a sentence start at byte at of text?  As FTS5's snippet sees
 * it: after a '.' or ':' and white space. */
static int
sentence_starts(const char *text, int at)
{
	int i = at - 1;

	while (i >= 0 && is_space(text[i]))
		i--;
	return i >= 0 && i < at - 1 && (text[i] == '.' || text[i] == ':');
}

static int
add_dtok(void *arg, int flags, const char *tok, int len, int start, int end)
{
	struct field *f = arg;
	struct dtok *d;

	(void)flags;
	if (f->n == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 64;
		f->t = cb_xrealloc(f->t, (size_t)f->cap * sizeof(*f->t));
	}
	d = &f->t[f->n];
	d->fold = f->fold.len;
	d->len = len;
	d->start = start;
	d->end = end;
	d->sentence = f->n == 0 || sentence_starts(f->text, start);
	d->word = d->last = -1;
	if (cb_buf_append(&f->fold, tok, (size_t)len, NULL) < 0 ||
	    cb_buf_append(&f->fold, "", 1, NULL) < 0)
		return SQLITE_NOMEM;
	f->n++;
	return SQLITE_OK;
}

/* Does word w start at token i of f?  Its last token, or -1. */
static int
word_at(const struct field *f, int i, const struct qword *w)
{
	const char *p, *sp, *tok;
	size_t len;

	for (p = w->toks; *p != '\0'; p = sp + 1, i++) {
		sp = strchr(p, ' ');
		len = (size_t)(sp - p);
		if (i >= f->n)
			return -1;
		tok = f->fold.data + f->t[i].fold;
		if ((size_t)f->t[i].len < len || memcmp(tok, p, len) != 0 ||
		    ((size_t)f->t[i].len > len && !(w->prefix && sp[1] == '\0')))
			return -1;
	}
	return p == w->toks ? -1 : i - 1;
}

/* Tokenize text into f and mark where the query's words start. */
static void
field_read(struct extractor *ex, struct field *f, const char *text)
{
	int i, k, last;

	f->text = text;
	f->n = 0;
	cb_buf_reset(&f->fold);
	if (toker_run(&ex->tok, FTS5_TOKENIZE_DOCUMENT, text, f,
		add_dtok) < 0)
		f->n = 0;
	for (i = 0; i < f->n; i++)
		for (k = 0; k < ex->qy->n; k++) {
			last = word_at(f, i, &ex->qy->w[k]);
			if (last > f->t[i].last) {
				f->t[i].word = k;
				f->t[i].last = last;
			}
		}
}

/* The score FTS5's snippet gives the EXTRACT_TOKENS tokens of f from
 * token from: 1000 for each query word seen first there, 1 for each
 * one seen again; *adj, unless NULL: the start that centres the words
 * found. */
static int
window_score(struct extractor *ex, const struct field *f, int from, int *adj)
{
	int i, score = 0, first = -1, last = -1, a;

	memset(ex->seen, 0, (size_t)ex->qy->n + 1);
	for (i = from; i < f->n && i < from + EXTRACT_TOKENS; i++) {
		if (f->t[i].word < 0)
			continue;
		score += ex->seen[f->t[i].word] ? 1 : 1000;
		ex->seen[f->t[i].word] = 1;
		if (first < 0)
			first = i;
		if (f->t[i].last > last)
			last = f->t[i].last;
	}
	a = first - (EXTRACT_TOKENS - (last + 1 - first)) / 2;
	if (a + EXTRACT_TOKENS > f->n)
		a = f->n - EXTRACT_TOKENS;
	if (adj != NULL)
		*adj = a < 0 ? 0 : a;
	return score;
}

static int
only_spaces(const char *p, int len)
{
	for (; len > 0; p++, len--)
		if (*p != ' ')
			return 0;
	return 1;
}

/* Write the extract of f from token from into ex->out: the text as
 * written, SUB_MARK_ON/OFF around the query's words (one pair around
 * words that stand side by side), "…" where the field goes on. */
static void
write_extract(struct extractor *ex, const struct field *f, int from)
{
	const struct dtok *t = f->t;
	int to = from + EXTRACT_TOKENS < f->n ? from + EXTRACT_TOKENS : f->n;
	int i, pos = from == 0 ? 0 : t[from].start, until = -1;
	char mark[2] = { SUB_MARK_ON, SUB_MARK_OFF };

	if (from > 0)
		cb_buf_appendstr(&ex->out, ELLIPSIS, NULL);
	for (i = from; i < to; i++) {
		if (t[i].word >= 0 && until < 0) {
			cb_buf_append(&ex->out, f->text + pos,
			    (size_t)(t[i].start - pos), NULL);
			cb_buf_append(&ex->out, &mark[0], 1, NULL);
			pos = t[i].start;
		}
		if (t[i].word >= 0 && t[i].last > until)
			until = t[i].last;
		if (until < 0 || (until > i && i < to - 1))
			continue;
		if (i < to - 1 && t[i + 1].word >= 0 &&
		    only_spaces(f->text + t[i].end, t[i + 1].start - t[i].end))
			continue;
		cb_buf_append(&ex->out, f->text + pos, (size_t)(t[i].end - pos),
		    NULL);
		cb_buf_append(&ex->out, &mark[1], 1, NULL);
		pos = t[i].end;
		until = -1;
	}
	if (to == f->n)
		cb_buf_appendstr(&ex->out, f->text + pos, NULL);
	else {
		cb_buf_append(&ex->out, f->text + pos,
		    (size_t)(t[to - 1].end - pos), NULL);
		cb_buf_appendstr(&ex->out, ELLIPSIS, NULL);
	}
}

static int
extractor_open(sqlite3 *db, const struct query *qy, struct extractor *ex,
    struct cb_err *err)
{
	int i;

	memset(ex, 0, sizeof(*ex));
	ex->qy = qy;
	for (i = 0; i < 2; i++)
		cb_buf_init(&ex->f[i].fold, 2 * CB_MSG_MAXPAYLOAD);
	cb_buf_init(&ex->out, 2 * CB_MSG_MAXPAYLOAD);
	ex->seen = cb_xcalloc((size_t)qy->n + 1, 1);
	if (toker_open(db, &ex->tok) < 0)
		return cb_err_set(err, "search: cannot tokenize");
	ex->text = cb_db_prepare(db, "SELECT title, summary, actions, cves, "
	    "products FROM search WHERE rowid = ?1", err);
	return ex->text == NULL ? -1 : 0;
}

static void
extractor_close(struct extractor *ex)
{
	int i;

	toker_close(&ex->tok);
	sqlite3_finalize(ex->text);
	for (i = 0; i < 2; i++) {
		cb_buf_release(&ex->f[i].fold);
		free(ex->f[i].t);
	}
	cb_buf_release(&ex->out);
	free(ex->seen);
}

/* The best window of f: its score (-1 for an empty field, 0 without
 * any of the query's words), its first token in *from.  As in FTS5's
 * snippet: for each word found, the window centred on the words from
 * there, and the one from the start of its sentence, which gets 100
 * more (120 at the start of the field). */
static int
field_best(struct extractor *ex, const struct field *f, int *from)
{
	int i, s, score, adj, best = f->n > 0 ? 0 : -1;

	*from = 0;
	for (i = 0; i < f->n; i++) {
		if (f->t[i].word < 0)
			continue;
		score = window_score(ex, f, i, &adj);
		if (score > best) {
			best = score;
			*from = adj;
		}
		for (s = i; s > 0 && !f->t[s].sentence; s--)
			;
		if (f->n <= EXTRACT_TOKENS || s == i)
			continue;
		score = window_score(ex, f, s, NULL) + (s == 0 ? 120 : 100);
		if (score > best) {
			best = score;
			*from = s;
		}
	}
	return best;
}

/* The extract of hit seq (valid until the next call): the best window
 * of the field where it scores best, the first field among equals. */
static const char *
extract(struct extractor *ex, uint64_t seq)
{
	struct field *cur = &ex->f[0], *best = &ex->f[1], *tmp;
	int col, score, from, best_score = -1, best_from = 0;

	cb_buf_reset(&ex->out);
	cb_buf_appendstr(&ex->out, "", NULL);
	sqlite3_reset(ex->text);
	sqlite3_bind_int64(ex->text, 1, (sqlite3_int64)seq);
	if (sqlite3_step(ex->text) != SQLITE_ROW)
		return ex->out.data;
	for (col = 0; col < sqlite3_column_count(ex->text); col++) {
		field_read(ex, cur, cb_db_text(ex->text, col));
		score = field_best(ex, cur, &from);
		if (score > best_score) {
			best_score = score;
			best_from = from;
			tmp = best;
			best = cur;
			cur = tmp;
		}
	}
	if (best_score >= 0)
		write_extract(ex, best, best_from);
	return ex->out.data;
}

/* --- search ---------------------------------------------------------- */

/* Search in three steps, so the costly parts run once, or for the
 * hits shown only: the statistics of the query (canhbao_stats, from
 * its first match: none, no hits), then the best seqs and scores
 * (without the archive's columns when no filter needs them), then each
 * hit's row and extract.  The score is canhbao_rank's: bm25 over the
 * words, all required, for the words side by side (?9 words) too,
 * knowing that ?10 are wanted and the statistics (?11); equal scores
 * put the newest first.  Ranking scores every match, so it is bounded:
 * when a phrase's matches show that there may be more than
 * SUB_SEARCH_WINDOW, the newest SUB_SEARCH_WINDOW matches (FTS5 walks
 * them newest first) are ranked, which is every match but for the most
 * common words in a large archive.  (The window costs a sixth of a
 * search's time when it cuts nothing: FTS5 walks its lists backwards,
 * and a subquery with a LIMIT is not flattened.) */
#define RANKED \
	"SELECT rowid, score FROM (SELECT search.rowid AS rowid, " \
	"  canhbao_rank(search, ?9, ?10, ?11) AS score %s " \
	"  WHERE search MATCH ?7 %s %s) " \
	"ORDER BY score, rowid DESC LIMIT ?6"
#define WINDOW "ORDER BY search.rowid DESC LIMIT ?8"

static sqlite3_stmt *
ranked(sqlite3 *db, const struct sub_query *q, const struct query *qy,
    const struct cb_buf *stats, struct cb_err *err)
{
	int filtered = q->since != 0 || q->min_severity > 0 || q->origin >= 0 ||
	    q->unread || q->unacked;
	double fewest;
	char *where = filtered ? cb_xasprintf("AND %s", sub_query_sql()) : NULL;
	char *sql;
	sqlite3_stmt *st;

	memcpy(&fewest, stats->data + STAT_FEWEST * sizeof(fewest),
	    sizeof(fewest));
	sql = cb_xasprintf(RANKED, filtered ? "FROM search JOIN "
	    "message m ON m.seq = search.rowid" : "FROM search",
	    filtered ? where : "", fewest > SUB_SEARCH_WINDOW ? WINDOW : "");
	st = cb_db_prepare(db, sql, err);
	free(sql);
	free(where);
	if (st == NULL)
		return NULL;
	if (filtered)
		sub_query_bind(st, q);
	else
		sqlite3_bind_int(st, 6, q->limit > 0 ? q->limit : -1);
	sqlite3_bind_text(st, 7, qy->expr, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 8, SUB_SEARCH_WINDOW);
	sqlite3_bind_int(st, 9, qy->nwords);
	sqlite3_bind_int(st, 10, q->limit > 0 ? q->limit : 0);
	sqlite3_bind_blob(st, 11, stats->data, (int)stats->len,
	    SQLITE_STATIC);
	return st;
}

/* The statistics of the query qy (canhbao_stats) into b: 1, 0 when
 * nothing matches, -1 on error. */
static int
query_stats_of(sqlite3 *db, const struct query *qy, struct cb_buf *b,
    struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(db, "SELECT canhbao_stats(search) "
	    "FROM search WHERE search MATCH ?1 LIMIT 1", err);
	int rc, found;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, qy->expr, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	found = rc == SQLITE_ROW &&
	    (size_t)sqlite3_column_bytes(st, 0) >= STAT_IDF * sizeof(double);
	if (found)
		cb_buf_append(b, sqlite3_column_blob(st, 0),
		    (size_t)sqlite3_column_bytes(st, 0), NULL);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return cb_db_error(db, "search", err);
	return found;
}

/* The row and extract of hit seq into h; 0, or -1 with err set: an
 * indexed message that is not archived means a damaged index, never
 * "no such hit". */
static int
hit_details(sqlite3 *db, sqlite3_stmt *row, struct extractor *ex,
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
	sub_store_row(row, 0, &h->row);
	h->snippet = extract(ex, seq);
	return 0;
}

int
sub_search(struct sub_store *s, const char *words, const struct sub_query *q,
    int (*fn)(const struct sub_hit *, void *), void *arg, struct cb_err *err)
{
	sqlite3 *db = sub_store_db(s);
	sqlite3_stmt *st = NULL, *row = NULL;
	struct extractor ex;
	struct cb_buf stats;
	struct query qy;
	struct sub_hit h;
	int n, rc, stop = 0;

	if (compile(db, words, q->cve, &qy) < 0) {
		query_release(&qy);
		return cb_err_set(err, _("nothing to search for: the query "
		    "has no letters or digits"));
	}
	cb_buf_init(&stats, CB_MSG_MAXPAYLOAD);
	n = query_stats_of(db, &qy, &stats, err);
	if (n > 0) {
		n = 0;
		if (extractor_open(db, &qy, &ex, err) < 0 ||
		    (st = ranked(db, q, &qy, &stats, err)) == NULL ||
		    (row = sub_store_select(s, 0, "WHERE m.seq = ?1",
			err)) == NULL)
			n = -1;
		while (n >= 0 && !stop &&
		    (rc = sqlite3_step(st)) == SQLITE_ROW) {
			h.score = sqlite3_column_double(st, 1);
			if (hit_details(db, row, &ex,
				(uint64_t)sqlite3_column_int64(st, 0), &h,
				err) < 0) {
				n = -1;
				break;
			}
			stop = fn(&h, arg);
			sub_row_release(&h.row);
			n++;
		}
		if (n >= 0 && !stop && rc != SQLITE_DONE)
			n = cb_db_error(db, "search", err);
		sqlite3_finalize(st);
		sqlite3_finalize(row);
		extractor_close(&ex);
	}
	cb_buf_release(&stats);
	query_release(&qy);
	return n;
}
