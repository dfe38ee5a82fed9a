/*
 * pub_journal: the publisher's SQLite journal.  Every signed message is
 * written here and committed before it is broadcast, so a crash never
 * reuses a sequence number and never loses a message a subscriber could
 * have seen.  It owns the tables of messages, feed items, fetch
 * validators, feed state and the agency registry, and its migrations
 * are theirs alone; the inbound path keeps its tables in the same file
 * with migrations of its own (pub_inbound).
 */
#ifndef PUB_JOURNAL_H
#define PUB_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "cb_err.h"
#include "cb_msg.h"
#include "cb_registry.h"
#include "cb_sig.h"

struct pub_journal;

/* Open or create the journal at path.  NULL on error. */
struct pub_journal *pub_journal_open(const char *path, struct cb_err *err);
void pub_journal_close(struct pub_journal *j);

/* Highest sequence number journaled (0 for an empty journal). */
uint64_t pub_journal_last_seq(const struct pub_journal *j);

/* The number the next message gets: 0 and *next, or -1 when the
 * journal has used the last one there is (CB_SEQ_MAX). */
int pub_journal_next_seq(const struct pub_journal *j, uint64_t *next,
    struct cb_err *err);

/* Latest revision of advisory adv_id: 1 and *revision when found, 0 when
 * the id is unknown, -1 on error. */
int pub_journal_revision(struct pub_journal *j, const char *adv_id,
    unsigned *revision, struct cb_err *err);

/* One journaled message, as handed to the append and replay calls. */
struct pub_entry {
	uint64_t seq;
	int type;
	int64_t issued_ms;
	const char *adv_id; /* NULL for non-advisory messages */
	unsigned revision;
	const char *severity; /* advisories: for the receipts views */
	const char *title;
	const uint8_t *signed_bytes;
	size_t signed_len;
	const uint8_t *sigblock;
	size_t sigblock_len;
};

/* The feed item an advisory message came from, recorded in the same
 * transaction as the message so that a crash never leaves one without
 * the other. */
struct pub_item_ref {
	const char *feed;
	const char *source_id;
	const uint8_t *hash; /* 32 bytes: BLAKE2b-256 of the item's JSON */
};

/* Group the appends that follow into one transaction (one disk flush
 * for a whole feed document instead of one per advisory).  Nothing
 * appended is durable, and nothing may be sent, before
 * pub_journal_commit returns 0; pub_journal_rollback forgets it all. */
int pub_journal_begin(struct pub_journal *j, struct cb_err *err);
int pub_journal_commit(struct pub_journal *j, struct cb_err *err);
void pub_journal_rollback(struct pub_journal *j);

/* Write e (and item, when not NULL), committed at once unless inside
 * pub_journal_begin.  e->seq must be pub_journal_last_seq() + 1. */
int pub_journal_append(struct pub_journal *j, const struct pub_entry *e,
    const struct pub_item_ref *item, struct cb_err *err);

/* What the journal knows of a feed item: 1 and its content hash and
 * whether it was ever published, 0 when never seen, -1 on error. */
int pub_journal_item(struct pub_journal *j, const char *feed,
    const char *source_id, uint8_t hash[32], int *published,
    struct cb_err *err);

/* Record an item as seen without publishing it (before the backfill
 * window, already expired, a cancel of something never published). */
int pub_journal_item_seen(struct pub_journal *j, const struct pub_item_ref *item,
    const char *adv_id, struct cb_err *err);

/* Items recorded for a feed. */
int pub_journal_item_count(struct pub_journal *j, const char *feed,
    long *count, struct cb_err *err);

/* Conditional-GET validators of a URL (caller frees; NULL when none). */
int pub_journal_cache_get(struct pub_journal *j, const char *url,
    char **etag, char **last_modified, struct cb_err *err);
int pub_journal_cache_put(struct pub_journal *j, const char *url,
    const char *etag, const char *last_modified, struct cb_err *err);

/* Per-feed health, kept across restarts. */
struct pub_feed_state {
	int64_t last_success;  /* Unix seconds, 0 never */
	int64_t last_error_at; /* 0 never */
	char last_error[256];
	int initialized;       /* a first fetch has succeeded */
};
int pub_journal_feed_get(struct pub_journal *j, const char *feed,
    struct pub_feed_state *st, struct cb_err *err);
int pub_journal_feed_put(struct pub_journal *j, const char *feed,
    const struct pub_feed_state *st, struct cb_err *err);

/* The walk through a CSAF feed's lists (schema "csaf_walk", kept apart
 * from the journal's own steps).  doc_listed: 1 with the list time a
 * document had when the feed last took it in (fetched and accepted, or
 * not modified), 0 when it never did.  walk: what the feed's last poll
 * left for the next one: documents past the per-poll cap (deferred),
 * and documents to try again, refused for their signature or not
 * fetched or read (retry). */
int pub_journal_doc_listed(struct pub_journal *j, const char *feed,
    const char *url, int64_t *listed, struct cb_err *err);
int pub_journal_doc_put(struct pub_journal *j, const char *feed,
    const char *url, int64_t listed, struct cb_err *err);
/* A MISP feed's mark: the last event of its manifest taken in (uuid
 * "" and timestamp 0 when none), kept so that a restart resumes after
 * it instead of walking the manifest from its start. */
int pub_journal_misp_mark_get(struct pub_journal *j, const char *feed,
    char *uuid, size_t uuidsz, int64_t *timestamp, struct cb_err *err);
int pub_journal_misp_mark_put(struct pub_journal *j, const char *feed,
    const char *uuid, int64_t timestamp, struct cb_err *err);
struct pub_walk_state {
	int deferred;
	int retry;
};
int pub_journal_walk_get(struct pub_journal *j, const char *feed,
    struct pub_walk_state *w, struct cb_err *err);
int pub_journal_walk_put(struct pub_journal *j, const char *feed,
    const struct pub_walk_state *w, struct cb_err *err);

/* Call fn for each message with after < seq, in order, at most limit of
 * them (the entry's pointers are valid during the call only).  Returns
 * the number visited, or -1. */
int pub_journal_each(struct pub_journal *j, uint64_t after, int limit,
    int (*fn)(const struct pub_entry *, void *), void *arg,
    struct cb_err *err);

/* The registry: who may listen (CurveZMQ via ZAP), agencies and
 * relays, and whose receipts count (agencies only: a relay is not an
 * agency, it only passes theirs on).  One name space and one key each
 * across both kinds.  member_add fails for a name or key already there
 * (agency_add adds an agency); remove removes either kind and returns
 * 1 when it removed, 0 for an unknown name; each add and remove moves
 * the registry's generation on by one in the same transaction (the
 * caller's when one is open).  each calls fn for every member of
 * either kind by name (a's pointers are valid during the call only;
 * callers that want agencies skip kind CB_REGISTRY_RELAY) and returns
 * the number of members or -1. */
struct pub_agency {
	const char *name;
	struct cb_pubkey pk;
	int64_t added;        /* Unix seconds */
	int64_t last_contact; /* Unix seconds of its last message, 0 never */
	enum cb_registry_kind kind;
	int has_last_seq;     /* a relay that sent presence: */
	uint64_t last_seq;    /* its journal's last number then */
};
int pub_journal_member_add(struct pub_journal *j, const char *name,
    enum cb_registry_kind kind, const struct cb_pubkey *pk, int64_t now,
    struct cb_err *err);
int pub_journal_agency_add(struct pub_journal *j, const char *name,
    const struct cb_pubkey *pk, int64_t now, struct cb_err *err);
int pub_journal_agency_remove(struct pub_journal *j, const char *name,
    struct cb_err *err);
int pub_journal_agency_each(struct pub_journal *j,
    void (*fn)(const struct pub_agency *a, void *arg), void *arg,
    struct cb_err *err);

/* The registry's generation: 1 for a new journal, one more after each
 * add and remove (canhbao.7 "Registry"). */
int pub_journal_generation(struct pub_journal *j, uint64_t *gen,
    struct cb_err *err);

/* Relay name's presence message number presence_seq said its journal
 * ends at last_seq: kept unless a later presence of it is (inside the
 * caller's transaction when one is open; nothing for a name that is
 * not a relay's). */
int pub_journal_relay_presence(struct pub_journal *j, const char *name,
    uint64_t presence_seq, uint64_t last_seq, struct cb_err *err);

/* 1 when name is a registered relay, else 0 (also on error). */
int pub_journal_is_relay(struct pub_journal *j, const char *name);

/* An agency was heard from at now (never moves last_contact back);
 * inside the caller's transaction when one is open. */
int pub_journal_agency_touch(struct pub_journal *j, const char *name,
    int64_t now, struct cb_err *err);

/* The agency whose key has this id: 1 with its name and key, 0 when no
 * registered agency has it, -1 on error. */
int pub_journal_agency_by_key(struct pub_journal *j, const uint8_t *key_id,
    char *name, size_t namesz, struct cb_pubkey *pk, struct cb_err *err);

/* The handle, borrowed, for exactly two modules, because they share the
 * journal's file:
 *  - pub_inbound, for its own tables (schema "inbound", cb_db_migrate),
 *    inside pub_journal_begin/commit so that a kept message and its
 *    agency's last contact commit together;
 *  - pub_views, for read-only queries that join the journal's messages
 *    and agencies with the inbound tables.
 * Neither writes the journal's own tables through it: those change
 * only through the functions above. */
struct sqlite3 *pub_journal_db(struct pub_journal *j);

#endif
