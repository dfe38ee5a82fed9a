/*
 * sub_search: full-text search over the archive (sub_store), in an FTS5
 * index of its own.  The "canhbao" tokenizer is FTS5's unicode61 with
 * remove_diacritics 2, each word then folded by cb_fold, so case and
 * Vietnamese diacritics, đ/Đ included, do not count ("da nang" finds
 * "Đà Nẵng", in NFC or NFD).  The user's words are compiled into an
 * FTS5 expression of quoted strings only: FTS5's query syntax never
 * sees the user's text.  Matches are ranked by the FTS5 function
 * canhbao_rank (bm25 and the words side by side), registered with the
 * tokenizer.
 */
#ifndef SUB_SEARCH_H
#define SUB_SEARCH_H

#include <stdint.h>

#include "cb_adv.h"
#include "cb_err.h"
#include "sub_store.h"

struct cb_db_schema;

/* The index (table search, rowid = the message's seq), applied by
 * sub_store_open; its steps also rebuild it from the archived messages
 * when the tokenizer changes. */
extern const struct cb_db_schema sub_search_schema;

/* Make the "canhbao" tokenizer known to every SQLite connection this
 * process opens from now on (sub_store_open calls it first). */
void sub_search_register(void);

/* Index advisory adv, archived as message seq, in the archive db (inside
 * the archive's transaction).  0 or -1. */
int sub_search_index(struct sqlite3 *db, uint64_t seq,
    const struct cb_adv *adv, struct cb_err *err);

/* FTS5's integrity check of the index against the archived text, on
 * an archive opened for writing (it changes nothing): 0, or -1 with err
 * saying what is wrong. */
int sub_search_check(struct sub_store *s, struct cb_err *err);

/* Marks around each matched word in sub_hit.snippet. */
#define SUB_MARK_ON '\x02'
#define SUB_MARK_OFF '\x03'

/* One search result: the revision that matched, an extract of the
 * field that matched best with SUB_MARK_ON/OFF around the matched
 * words, one pair around words side by side (raw advisory text: make
 * it printable before showing it), and its score: bm25, times 1 to 2
 * for the words side by side (lower is better).  Valid during the
 * callback only. */
struct sub_hit {
	struct sub_row row;
	const char *snippet;
	double score;
};

/* Matches ranked by one search, at most: a query that matches more
 * revisions (the most common words in a large archive) gets the best
 * of the newest this many. */
#define SUB_SEARCH_WINDOW 50000

/* Full-text search over title, summary, actions, CVEs and products of
 * every archived revision, ignoring case and diacritics.  words: the
 * user's words, all of which must match (in any field); a word ending
 * in '*' matches as a prefix, and punctuation inside a word makes it a
 * phrase ("CVE-2024-3400").  The best match first (the newest first
 * among equals); q filters as for sub_store_list, and q->cve keeps the
 * advisories that name that CVE; at most SUB_SEARCH_WINDOW matches, the
 * newest, are ranked.  Returns
 * the number of hits or -1 (err says why; a query without any word is
 * an error). */
int sub_search(struct sub_store *s, const char *words,
    const struct sub_query *q, int (*fn)(const struct sub_hit *, void *),
    void *arg, struct cb_err *err);

/* The words the index holds for text, as the tokenizer folds them, each
 * followed by one space ("Đà Nẵng" -> "da nang "); the caller frees it.
 * NULL on error. */
char *sub_search_terms(struct sub_store *s, const char *text,
    struct cb_err *err);

/* 1 when a and b hold the same words, folded as the index folds them
 * ("SO TT&TT DA NANG" and "Sở TT&TT Đà Nẵng"), 0 otherwise. */
int sub_search_same(const char *a, const char *b);

#endif
