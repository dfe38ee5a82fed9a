/* sub_store: the subscriber's archive (see sub_store.h). */
#include <stdlib.h>
#include <string.h>

#include "cb_buf.h"
#include "cb_db.h"
#include "cb_fold.h"
#include "cb_mem.h"
#include "cb_time.h"
#include "sub_outbox.h"
#include "sub_store.h"

struct sub_store {
	sqlite3 *db;
	int batch;        /* inside sub_store_batch */
	uint8_t channel[CB_SIG_KEYIDLEN]; /* the pinned publisher key */
	int has_channel;
	int receipts;     /* queue receipts with archives and acks */
};

/* Text of an archived payload, for the migration that builds the
 * search index from what is already archived. */
#define PAYLOAD "CAST(substr(signed, 34) AS TEXT)"
#define JOINED(key, sep) \
	"coalesce((SELECT group_concat(value, " sep ") FROM " \
	"json_each(p, '$." key "')), '')"

static const char *const migrations[] = {
	"CREATE TABLE message ("
	"  seq INTEGER PRIMARY KEY,"
	"  key_id BLOB NOT NULL,"
	"  issued_ms INTEGER NOT NULL,"
	"  adv_id TEXT NOT NULL,"
	"  revision INTEGER NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  severity TEXT NOT NULL,"
	"  status TEXT NOT NULL,"
	"  origin TEXT NOT NULL,"
	"  title TEXT NOT NULL,"
	"  published INTEGER NOT NULL,"
	"  received INTEGER NOT NULL,"
	"  signed BLOB NOT NULL,"
	"  sigblock BLOB NOT NULL);"
	"CREATE INDEX message_adv ON message(adv_id, revision);"
	"CREATE TABLE publisher ("
	"  key_id BLOB PRIMARY KEY,"
	"  last_seq INTEGER NOT NULL);",

	"ALTER TABLE message ADD COLUMN expires INTEGER NOT NULL DEFAULT 0;",

	/* 3: search (the "canhbao" tokenizer folds with cb_fold), read
	 * state, acknowledgements, and the archive's birth time, which
	 * tells history from what arrived while subscribed. */
	"CREATE VIRTUAL TABLE search USING fts5(title, summary, actions, cves,"
	"  products, tokenize = 'canhbao');"
	"INSERT INTO search (rowid, title, summary, actions, cves, products) "
	"  SELECT seq, title, coalesce(json_extract(p, '$.summary'), ''), "
	JOINED("actions", "char(10)") ", " JOINED("cves", "' '") ", "
	JOINED("products", "char(10)")
	"  FROM (SELECT seq, title, " PAYLOAD " AS p FROM message"
	"        WHERE json_valid(" PAYLOAD "));"
	"CREATE TABLE seen ("
	"  adv_id TEXT PRIMARY KEY,"
	"  revision INTEGER NOT NULL,"
	"  at INTEGER NOT NULL);"
	"CREATE TABLE ack ("
	"  adv_id TEXT NOT NULL,"
	"  revision INTEGER NOT NULL,"
	"  who TEXT NOT NULL,"
	"  at INTEGER NOT NULL,"
	"  note TEXT,"
	"  PRIMARY KEY (adv_id, revision));"
	"CREATE TABLE meta ("
	"  key TEXT PRIMARY KEY,"
	"  value INTEGER NOT NULL);"
	"INSERT INTO meta (key, value) "
	"  VALUES ('created_ms',"
	"          CAST(strftime('%s', 'now') AS INTEGER) * 1000);"
	"CREATE INDEX message_severity ON message(severity, issued_ms);",

	SUB_OUTBOX_SCHEMA
	"CREATE TABLE publisher_key ("
	"  seq INTEGER PRIMARY KEY,"
	"  key_id BLOB NOT NULL,"
	"  public_key BLOB NOT NULL,"
	"  signed BLOB NOT NULL,"
	"  sigblock BLOB NOT NULL);",
};

/* --- the "canhbao" FTS5 tokenizer: unicode61's words, folded --------- */

/* unicode61 finds the words (Unicode categories, letters and digits,
 * combining marks kept inside a word so text in NFD stays whole, case
 * folded); each word is then folded with cb_fold, so the index and the
 * queries both hold "duong" for "đường".  Offsets stay those of the
 * original text, so snippets show it as written. */
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
	static const char *inner_args[] = { "remove_diacritics", "0",
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
	char small[128], *buf = small;
	size_t n;
	int rc;

	if (len < 0)
		return SQLITE_ERROR;
	if ((size_t)len >= sizeof(small) &&
	    (buf = sqlite3_malloc(len + 1)) == NULL)
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

/* An auto-extension: every connection this process opens gets the
 * tokenizer, before the migrations run. */
static int
register_fold(sqlite3 *db, char **errmsg,
    const sqlite3_api_routines *api_routines)
{
	fts5_tokenizer tok = { fold_create, fold_delete, fold_tokenize };
	sqlite3_stmt *st = NULL;
	fts5_api *api = NULL;

	(void)errmsg;
	(void)api_routines;
	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) !=
	    SQLITE_OK)
		return SQLITE_ERROR;
	sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
	sqlite3_step(st);
	sqlite3_finalize(st);
	if (api == NULL || api->iVersion < 2)
		return SQLITE_ERROR;
	return api->xCreateTokenizer(api, "canhbao", api, &tok, NULL);
}

struct sub_store *
sub_store_open(const char *path, int readonly, struct cb_err *err)
{
	struct sub_store *s = cb_xcalloc(1, sizeof(*s));

	sqlite3_auto_extension((void (*)(void))register_fold);
	s->db = cb_db_open(path, readonly, migrations,
	    (int)(sizeof(migrations) / sizeof(migrations[0])), err);
	if (s->db == NULL) {
		free(s);
		return NULL;
	}
	/* What a power cut takes from the archive, catch-up brings back. */
	if (!readonly && cb_db_relax(s->db, err) < 0) {
		sub_store_close(s);
		return NULL;
	}
	return s;
}

void
sub_store_close(struct sub_store *s)
{
	if (s == NULL)
		return;
	cb_db_close(s->db);
	free(s);
}

int
sub_store_last_seq(struct sub_store *s, const uint8_t *key_id, uint64_t *seq,
    struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(s->db,
	    "SELECT last_seq FROM publisher WHERE key_id = ?", err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, key_id, CB_SIG_KEYIDLEN, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*seq = rc == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return cb_db_error(s->db, "archive", err);
	return 0;
}

static int
insert_message(struct sub_store *s, const struct cb_msg *msg,
    const struct cb_adv *adv, const uint8_t *sb, size_t sblen,
    const uint8_t *sig, size_t siglen, struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(s->db,
	    "INSERT OR IGNORE INTO message (seq, key_id, issued_ms, adv_id, "
	    "revision, kind, severity, status, origin, title, published, "
	    "received, signed, sigblock, expires) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)msg->seq);
	sqlite3_bind_blob(st, 2, msg->key_id, CB_SIG_KEYIDLEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, msg->issued_ms);
	sqlite3_bind_text(st, 4, adv->id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, adv->revision);
	sqlite3_bind_text(st, 6, cb_kind_name(adv->kind), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, cb_severity_name(adv->severity), -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 8, cb_status_name(adv->status), -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 9, cb_origin_name(adv->origin), -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 10, adv->title, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 11, adv->published);
	sqlite3_bind_int64(st, 12, cb_time_now());
	sqlite3_bind_blob(st, 13, sb, (int)sblen, SQLITE_STATIC);
	sqlite3_bind_blob(st, 14, sig, (int)siglen, SQLITE_STATIC);
	sqlite3_bind_int64(st, 15, adv->expires);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return cb_db_error(s->db, "archive: cannot store", err);
	return sqlite3_changes(s->db);
}

/* The last sequence is kept per channel (the pinned key), so it runs
 * on across key rotations. */
static int
advance(struct sub_store *s, const struct cb_msg *msg, struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(s->db,
	    "INSERT INTO publisher (key_id, last_seq) VALUES (?, ?) "
	    "ON CONFLICT(key_id) DO UPDATE SET "
	    "last_seq = max(last_seq, excluded.last_seq)", err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, s->has_channel ? s->channel : msg->key_id,
	    CB_SIG_KEYIDLEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)msg->seq);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return cb_db_error(s->db, "archive", err);
	return 0;
}

/* A receipt for the publisher, queued in the archive's transaction. */
static int
queue_receipt(struct sub_store *s, const char *id, unsigned revision,
    const char *event, int64_t at, const char *by, const char *note,
    struct cb_err *err)
{
	char *payload;
	int rc;

	if (!s->receipts)
		return 0;
	payload = sub_outbox_receipt(id, revision, event, at, by, note);
	rc = sub_outbox_add(s->db, CB_MSG_RECEIPT, payload, err);
	free(payload);
	return rc;
}

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

/* The search index row of a newly archived message (rowid = seq). */
static int
index_message(struct sub_store *s, const struct cb_msg *msg,
    const struct cb_adv *adv, struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(s->db,
	    "INSERT INTO search (rowid, title, summary, actions, cves, "
	    "products) VALUES (?, ?, ?, ?, ?, ?)", err);
	char *actions, *cves, *products;
	int rc;

	if (st == NULL)
		return -1;
	actions = joined(&adv->actions, "\n");
	cves = joined(&adv->cves, " ");
	products = joined(&adv->products, "\n");
	sqlite3_bind_int64(st, 1, (sqlite3_int64)msg->seq);
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
		return cb_db_error(s->db, "archive: cannot index", err);
	return 0;
}

int
sub_store_batch(struct sub_store *s, int on, struct cb_err *err)
{
	if (on == s->batch)
		return 0;
	if (cb_db_exec(s->db, on ? "BEGIN IMMEDIATE" : "COMMIT", err) < 0)
		return -1;
	s->batch = on;
	return 0;
}

int
sub_store_put(struct sub_store *s, const struct cb_msg *msg,
    const struct cb_adv *adv, const uint8_t *signed_bytes, size_t signed_len,
    const uint8_t *sigblock, size_t sigblock_len, struct cb_err *err)
{
	int added;

	if (cb_db_exec(s->db, s->batch ? "SAVEPOINT put" : "BEGIN IMMEDIATE",
		err) < 0)
		return -1;
	added = insert_message(s, msg, adv, signed_bytes, signed_len, sigblock,
	    sigblock_len, err);
	if (added < 0 || (added > 0 && index_message(s, msg, adv, err) < 0) ||
	    (added > 0 && queue_receipt(s, adv->id, adv->revision, "received",
			      cb_time_now(), NULL, NULL, err) < 0) ||
	    advance(s, msg, err) < 0 ||
	    cb_db_exec(s->db, s->batch ? "RELEASE put" : "COMMIT", err) < 0) {
		cb_db_exec(s->db, s->batch ? "ROLLBACK TO put; RELEASE put" :
		    "ROLLBACK", NULL);
		return -1;
	}
	return added > 0 ? 1 : 0;
}

void
sub_row_release(struct sub_row *r)
{
	free(r->id);
	free(r->kind);
	free(r->severity);
	free(r->status);
	free(r->origin);
	free(r->title);
	free(r->signed_bytes);
	free(r->sigblock);
	memset(r, 0, sizeof(*r));
}

static uint8_t *
blob_copy(sqlite3_stmt *st, int i, size_t *len)
{
	const void *b = sqlite3_column_blob(st, i);
	uint8_t *p;

	*len = (size_t)sqlite3_column_bytes(st, i);
	p = cb_xmalloc(*len);
	if (*len > 0)
		memcpy(p, b, *len);
	return p;
}

#define ROW_COLUMNS \
	"seq, adv_id, revision, kind, severity, status, origin, title, " \
	"published, issued_ms, received, expires"

static void
read_row(sqlite3_stmt *st, struct sub_row *r, int with_blobs)
{
	memset(r, 0, sizeof(*r));
	r->seq = (uint64_t)sqlite3_column_int64(st, 0);
	r->id = cb_xstrdup(cb_db_text(st, 1));
	r->revision = (unsigned)sqlite3_column_int64(st, 2);
	r->kind = cb_xstrdup(cb_db_text(st, 3));
	r->severity = cb_xstrdup(cb_db_text(st, 4));
	r->status = cb_xstrdup(cb_db_text(st, 5));
	r->origin = cb_xstrdup(cb_db_text(st, 6));
	r->title = cb_xstrdup(cb_db_text(st, 7));
	r->published = sqlite3_column_int64(st, 8);
	r->issued_ms = sqlite3_column_int64(st, 9);
	r->received = sqlite3_column_int64(st, 10);
	r->expires = sqlite3_column_int64(st, 11);
	if (with_blobs) {
		r->signed_bytes = blob_copy(st, 12, &r->signed_len);
		r->sigblock = blob_copy(st, 13, &r->sigblock_len);
	}
}

int
sub_store_each(struct sub_store *s, int (*fn)(const struct sub_row *, void *),
    void *arg, struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(s->db,
	    "SELECT " ROW_COLUMNS " FROM message ORDER BY seq DESC", err);
	struct sub_row r;
	int n = 0, rc, stop = 0;

	if (st == NULL)
		return -1;
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_row(st, &r, 0);
		stop = fn(&r, arg);
		sub_row_release(&r);
		n++;
	}
	if (!stop && rc != SQLITE_DONE) {
		sqlite3_finalize(st);
		return cb_db_error(s->db, "archive", err);
	}
	sqlite3_finalize(st);
	return n;
}

int
sub_store_get(struct sub_store *s, const char *id, struct sub_row *out,
    struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(s->db,
	    "SELECT " ROW_COLUMNS ", signed, sigblock FROM message "
	    "WHERE adv_id = ? ORDER BY revision DESC, seq DESC LIMIT 1", err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_row(st, out, 1);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return cb_db_error(s->db, "archive", err);
}

/* --- lookups with filters and search --------------------------------- */

void
sub_query_init(struct sub_query *q)
{
	memset(q, 0, sizeof(*q));
	q->min_severity = -1;
	q->origin = -1;
}

/* The columns of read_row from message m, then read and acked. */
#define ROW_COLUMNS_M \
	"m.seq, m.adv_id, m.revision, m.kind, m.severity, m.status, " \
	"m.origin, m.title, m.published, m.issued_ms, m.received, m.expires, " \
	"EXISTS (SELECT 1 FROM seen WHERE seen.adv_id = m.adv_id AND " \
	"  seen.revision >= m.revision), " \
	"EXISTS (SELECT 1 FROM ack WHERE ack.adv_id = m.adv_id AND " \
	"  ack.revision >= m.revision)"
#define COL_READ 12
#define COL_ACKED 13

/* A later revision (or a later copy) of m's advisory exists. */
#define SUPERSEDED \
	"EXISTS (SELECT 1 FROM message n WHERE n.adv_id = m.adv_id AND " \
	"  (n.revision > m.revision OR (n.revision = m.revision AND " \
	"   n.seq > m.seq)))"

/* The filters of struct sub_query, as parameters ?1 to ?5. */
#define FILTERS \
	"(?1 = 0 OR (CASE WHEN m.published > 0 THEN m.published " \
	"  ELSE m.issued_ms / 1000 END) >= ?1) " \
	"AND (CASE m.severity WHEN 'critical' THEN 4 WHEN 'high' THEN 3 " \
	"  WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE 0 END) >= ?2 " \
	"AND (?3 IS NULL OR m.origin = ?3) " \
	"AND (?4 = 0 OR NOT EXISTS (SELECT 1 FROM seen WHERE " \
	"  seen.adv_id = m.adv_id AND seen.revision >= m.revision)) " \
	"AND (?5 = 0 OR NOT EXISTS (SELECT 1 FROM ack WHERE " \
	"  ack.adv_id = m.adv_id AND ack.revision >= m.revision)) " \
	"AND (?4 + ?5 = 0 OR NOT " SUPERSEDED ") "

static void
bind_query(sqlite3_stmt *st, const struct sub_query *q)
{
	sqlite3_bind_int64(st, 1, q->since);
	sqlite3_bind_int(st, 2, q->min_severity < 0 ? 0 : q->min_severity);
	if (q->origin >= 0)
		sqlite3_bind_text(st, 3,
		    cb_origin_name((enum cb_origin)q->origin), -1,
		    SQLITE_STATIC);
	sqlite3_bind_int(st, 4, q->unread != 0);
	sqlite3_bind_int(st, 5, q->unacked != 0);
	sqlite3_bind_int(st, 6, q->limit > 0 ? q->limit : -1);
}

static void
read_flags(sqlite3_stmt *st, struct sub_row *r)
{
	r->read = sqlite3_column_int(st, COL_READ);
	r->acked = sqlite3_column_int(st, COL_ACKED);
}

int
sub_store_list(struct sub_store *s, const struct sub_query *q,
    int (*fn)(const struct sub_row *, void *), void *arg, struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(s->db,
	    "SELECT " ROW_COLUMNS_M " FROM message m WHERE " FILTERS
	    "ORDER BY m.seq DESC LIMIT ?6", err);
	struct sub_row r;
	int n = 0, rc = SQLITE_DONE, stop = 0;

	if (st == NULL)
		return -1;
	bind_query(st, q);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_row(st, &r, 0);
		read_flags(st, &r);
		stop = fn(&r, arg);
		sub_row_release(&r);
		n++;
	}
	sqlite3_finalize(st);
	if (!stop && rc != SQLITE_DONE)
		return cb_db_error(s->db, "archive", err);
	return n;
}

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

/* Does the folded text hold a letter or digit?  (A query of nothing
 * but punctuation would match nothing, or everything.) */
static int
has_word(const char *text)
{
	char *f = cb_fold_dup(text);
	const unsigned char *p = (const unsigned char *)f;
	int found = 0;

	for (; *p != '\0' && !found; p++)
		found = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p >= 0x80;
	free(f);
	return found;
}

/* The FTS5 expression for the user's words and CVE: every word as a
 * quoted string (FTS5's syntax never sees the user's text), all of
 * them required, and, for several words, the same words as one phrase
 * as an alternative, which matches no more but ranks the advisories
 * where the words stand together first ("da nang": "Đà Nẵng" before
 * "Đà Lạt ... nắng").  NULL when there is nothing to look for. */
static char *
match_expr(const char *words, const char *cve)
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
		if (has_word(one)) {
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
	if (cve != NULL && has_word(cve)) {
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

/* Search in two steps, so the costly parts run for the hits shown
 * only: the best seqs and scores first (without the archive's columns
 * when no filter needs them), then each hit's row and snippet.  Ranking
 * scores every match, so it is bounded: the newest SUB_SEARCH_WINDOW
 * matches (FTS5 walks them newest first) are ranked, which is every
 * match but for the most common words in a large archive. */
#define RANKED(from, where) \
	"SELECT rowid, score FROM (SELECT search.rowid AS rowid, " \
	"  bm25(search, 10.0, 2.0, 1.0, 5.0, 3.0) AS score " from \
	"  WHERE search MATCH ?7 " where \
	"  ORDER BY search.rowid DESC LIMIT ?8) " \
	"ORDER BY score, rowid DESC LIMIT ?6"

static sqlite3_stmt *
ranked(struct sub_store *s, const struct sub_query *q, const char *expr,
    struct cb_err *err)
{
	int filtered = q->since != 0 || q->min_severity > 0 || q->origin >= 0 ||
	    q->unread || q->unacked;
	sqlite3_stmt *st = cb_db_prepare(s->db, filtered ?
	    RANKED("FROM search JOIN message m ON m.seq = search.rowid",
		"AND " FILTERS) :
	    RANKED("FROM search", ""), err);

	if (st == NULL)
		return NULL;
	if (filtered)
		bind_query(st, q);
	else
		sqlite3_bind_int(st, 6, q->limit > 0 ? q->limit : -1);
	sqlite3_bind_text(st, 7, expr, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 8, SUB_SEARCH_WINDOW);
	return st;
}

/* The row and snippet of hit seq into h; 0 or -1. */
static int
hit_details(struct sub_store *s, sqlite3_stmt *row, sqlite3_stmt *snip,
    uint64_t seq, struct sub_hit *h)
{
	int rc;

	sqlite3_reset(row);
	sqlite3_bind_int64(row, 1, (sqlite3_int64)seq);
	if (sqlite3_step(row) != SQLITE_ROW)
		return -1;
	read_row(row, &h->row, 0);
	read_flags(row, &h->row);
	sqlite3_reset(snip);
	sqlite3_bind_int64(snip, 2, (sqlite3_int64)seq);
	rc = sqlite3_step(snip);
	h->snippet = rc == SQLITE_ROW ? cb_db_text(snip, 0) : "";
	(void)s;
	return 0;
}

int
sub_store_search(struct sub_store *s, const char *words,
    const struct sub_query *q, int (*fn)(const struct sub_hit *, void *),
    void *arg, struct cb_err *err)
{
	sqlite3_stmt *st = NULL, *row = NULL, *snip = NULL;
	struct sub_hit h;
	char *expr = match_expr(words, q->cve);
	int n = 0, rc = SQLITE_DONE, stop = 0;

	if (expr == NULL)
		return cb_err_set(err, "nothing to search for: the query "
		    "has no letters or digits");
	st = ranked(s, q, expr, err);
	row = cb_db_prepare(s->db, "SELECT " ROW_COLUMNS_M " FROM message m "
	    "WHERE m.seq = ?1", err);
	snip = cb_db_prepare(s->db, "SELECT snippet(search, -1, char(2), "
	    "char(3), '\xe2\x80\xa6', 12) FROM search "
	    "WHERE search MATCH ?1 AND rowid = ?2", err);
	if (st == NULL || row == NULL || snip == NULL)
		goto out;
	sqlite3_bind_text(snip, 1, expr, -1, SQLITE_STATIC);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		h.score = sqlite3_column_double(st, 1);
		if (hit_details(s, row, snip,
			(uint64_t)sqlite3_column_int64(st, 0), &h) < 0)
			continue; /* indexed but not archived: cannot be */
		stop = fn(&h, arg);
		sub_row_release(&h.row);
		n++;
	}
	if (!stop && rc != SQLITE_DONE)
		n = cb_db_error(s->db, "search", err);
out:
	if (st == NULL || row == NULL || snip == NULL)
		n = -1;
	sqlite3_finalize(st);
	sqlite3_finalize(row);
	sqlite3_finalize(snip);
	free(expr);
	return n;
}

/* --- acknowledgement, read state, revisions, reminders --------------- */

void
sub_ack_release(struct sub_ack *a)
{
	free(a->by);
	free(a->note);
	memset(a, 0, sizeof(*a));
}

/* The latest revision of id: 1 found, 0 not, -1 error. */
static int
latest_revision(struct sub_store *s, const char *id, unsigned *rev,
    struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(s->db,
	    "SELECT max(revision) FROM message WHERE adv_id = ?", err);
	int rc, found = 0;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		*rev = (unsigned)sqlite3_column_int64(st, 0);
		found = 1;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return cb_db_error(s->db, "archive", err);
	return found;
}

static void
read_ack(sqlite3_stmt *st, struct sub_ack *a)
{
	a->revision = (unsigned)sqlite3_column_int64(st, 0);
	a->by = cb_xstrdup(cb_db_text(st, 1));
	a->at = sqlite3_column_int64(st, 2);
	a->note = sqlite3_column_type(st, 3) == SQLITE_NULL ? NULL :
	    cb_xstrdup(cb_db_text(st, 3));
}

/* Insert the acknowledgement, or read the one already there: 1 or 2. */
static int
insert_ack(struct sub_store *s, const char *id, unsigned rev, const char *by,
    const char *note, int64_t at, struct sub_ack *out, struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(s->db,
	    "INSERT INTO ack (adv_id, revision, who, at, note) "
	    "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING "
	    "RETURNING revision, who, at, note", err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, rev);
	sqlite3_bind_text(st, 3, by, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, at);
	if (note != NULL)
		sqlite3_bind_text(st, 5, note, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		read_ack(st, out);
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return cb_db_error(s->db, "archive: cannot acknowledge", err);
	if (out->by != NULL)
		return 1;
	st = cb_db_prepare(s->db, "SELECT revision, who, at, note FROM ack "
	    "WHERE adv_id = ? AND revision = ?", err);
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, rev);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_ack(st, out);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return cb_db_error(s->db, "archive", err);
	return 2;
}

static int
mark_read(struct sub_store *s, const char *id, unsigned revision,
    int64_t at, struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(s->db,
	    "INSERT INTO seen (adv_id, revision, at) VALUES (?, ?, ?) "
	    "ON CONFLICT(adv_id) DO UPDATE SET revision = excluded.revision, "
	    "at = excluded.at WHERE excluded.revision > seen.revision", err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, revision);
	sqlite3_bind_int64(st, 3, at);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return cb_db_error(s->db, "archive: cannot mark as read", err);
	return 0;
}

int
sub_store_mark_read(struct sub_store *s, const char *id, unsigned revision,
    int64_t at, struct cb_err *err)
{
	return mark_read(s, id, revision, at, err);
}

int
sub_store_ack(struct sub_store *s, const char *id, const char *by,
    const char *note, int64_t at, struct sub_ack *out, struct cb_err *err)
{
	unsigned rev = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (cb_db_exec(s->db, "BEGIN IMMEDIATE", err) < 0)
		return -1;
	rc = latest_revision(s, id, &rev, err);
	if (rc > 0)
		rc = insert_ack(s, id, rev, by, note, at, out, err);
	if (rc == 1 && (mark_read(s, id, rev, at, err) < 0 ||
			   queue_receipt(s, id, rev, "acknowledged", at, by,
			       note, err) < 0))
		rc = -1;
	if (rc < 0 || cb_db_exec(s->db, "COMMIT", err) < 0) {
		cb_db_exec(s->db, "ROLLBACK", NULL);
		sub_ack_release(out);
		return -1;
	}
	return rc;
}

int
sub_store_acks(struct sub_store *s, const char *id,
    int (*fn)(const struct sub_ack *, void *), void *arg, struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(s->db,
	    "SELECT revision, who, at, note FROM ack WHERE adv_id = ? "
	    "ORDER BY revision", err);
	struct sub_ack a;
	int n = 0, rc = SQLITE_DONE, stop = 0;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_ack(st, &a);
		stop = fn(&a, arg);
		sub_ack_release(&a);
		n++;
	}
	sqlite3_finalize(st);
	if (!stop && rc != SQLITE_DONE)
		return cb_db_error(s->db, "archive", err);
	return n;
}

/* Run st (already bound) and call fn for each row; blobs when asked. */
static int
each_row(struct sub_store *s, sqlite3_stmt *st, int with_blobs,
    int (*fn)(const struct sub_row *, void *), void *arg, struct cb_err *err)
{
	struct sub_row r;
	int n = 0, rc = SQLITE_DONE, stop = 0;

	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_row(st, &r, 0);
		read_flags(st, &r);
		if (with_blobs) {
			r.signed_bytes = blob_copy(st, COL_ACKED + 1,
			    &r.signed_len);
			r.sigblock = blob_copy(st, COL_ACKED + 2,
			    &r.sigblock_len);
		}
		stop = fn(&r, arg);
		sub_row_release(&r);
		n++;
	}
	sqlite3_finalize(st);
	if (!stop && rc != SQLITE_DONE)
		return cb_db_error(s->db, "archive", err);
	return n;
}

int
sub_store_revisions(struct sub_store *s, const char *id,
    int (*fn)(const struct sub_row *, void *), void *arg, struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(s->db,
	    "SELECT " ROW_COLUMNS_M " FROM message m WHERE m.adv_id = ? "
	    "ORDER BY m.revision, m.seq", err);

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	return each_row(s, st, 0, fn, arg, err);
}

int
sub_store_reminders(struct sub_store *s, int64_t now,
    int64_t received_before, int max,
    int (*fn)(const struct sub_row *, void *), void *arg, struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(s->db,
	    "SELECT " ROW_COLUMNS_M ", m.signed, m.sigblock FROM message m "
	    "WHERE m.severity = 'critical' "
	    "AND m.issued_ms >= (SELECT value FROM meta "
	    "  WHERE key = 'created_ms') "
	    "AND m.kind != 'cancel' AND (m.expires = 0 OR m.expires > ?1) "
	    "AND m.received <= ?2 AND NOT " SUPERSEDED
	    "AND NOT EXISTS (SELECT 1 FROM ack WHERE ack.adv_id = m.adv_id "
	    "  AND ack.revision >= m.revision) "
	    "ORDER BY m.seq LIMIT ?3", err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, received_before);
	sqlite3_bind_int(st, 3, max);
	return each_row(s, st, 1, fn, arg, err);
}

void
sub_store_set_channel(struct sub_store *s, const uint8_t *key_id)
{
	memcpy(s->channel, key_id, CB_SIG_KEYIDLEN);
	s->has_channel = 1;
}

void
sub_store_set_receipts(struct sub_store *s, int on)
{
	s->receipts = on;
}

sqlite3 *
sub_store_db(struct sub_store *s)
{
	return s->db;
}

int
sub_store_rotate(struct sub_store *s, const struct cb_msg *msg,
    const struct cb_pubkey *next, const uint8_t *signed_bytes,
    size_t signed_len, const uint8_t *sigblock, size_t sigblock_len,
    struct cb_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (cb_db_exec(s->db, s->batch ? "SAVEPOINT rot" : "BEGIN IMMEDIATE",
		err) < 0)
		return -1;
	st = cb_db_prepare(s->db, "INSERT OR IGNORE INTO publisher_key (seq, "
	    "key_id, public_key, signed, sigblock) VALUES (?, ?, ?, ?, ?)",
	    err);
	rc = st == NULL ? -1 : 0;
	if (st != NULL) {
		sqlite3_bind_int64(st, 1, (sqlite3_int64)msg->seq);
		sqlite3_bind_blob(st, 2, next->id, CB_SIG_KEYIDLEN,
		    SQLITE_STATIC);
		sqlite3_bind_blob(st, 3, next->pk, CB_SIG_PKLEN, SQLITE_STATIC);
		sqlite3_bind_blob(st, 4, signed_bytes, (int)signed_len,
		    SQLITE_STATIC);
		sqlite3_bind_blob(st, 5, sigblock, (int)sigblock_len,
		    SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = cb_db_error(s->db, "archive", err);
		sqlite3_finalize(st);
	}
	if (rc < 0 || advance(s, msg, err) < 0 ||
	    cb_db_exec(s->db, s->batch ? "RELEASE rot" : "COMMIT", err) < 0) {
		cb_db_exec(s->db, s->batch ? "ROLLBACK TO rot; RELEASE rot" :
		    "ROLLBACK", NULL);
		return -1;
	}
	return 0;
}

int
sub_store_signing_key(struct sub_store *s, struct cb_pubkey *pk,
    uint64_t *since, struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(s->db, "SELECT seq, key_id, "
	    "public_key FROM publisher_key ORDER BY seq DESC LIMIT 1", err);
	int rc, found = 0;

	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 1) == CB_SIG_KEYIDLEN &&
	    sqlite3_column_bytes(st, 2) == CB_SIG_PKLEN) {
		*since = (uint64_t)sqlite3_column_int64(st, 0);
		memcpy(pk->id, sqlite3_column_blob(st, 1), CB_SIG_KEYIDLEN);
		memcpy(pk->pk, sqlite3_column_blob(st, 2), CB_SIG_PKLEN);
		found = 1;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return cb_db_error(s->db, "archive", err);
	return found;
}
