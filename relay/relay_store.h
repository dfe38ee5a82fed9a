/*
 * relay_store: the relay's one SQLite file in its state folder (WAL,
 * synchronous=FULL, cb_db migrations): the journal it keeps of the
 * publisher's journaled messages (advisories and key rotations, seq,
 * signed bytes and signature block, exactly as broadcast), the
 * publisher's current signing key (so cb_keys is rebuilt on start), and
 * the latest registry it verified (signed bytes, signature block,
 * generation).  Writes go in batches: relay_store_begin, any number of
 * puts, relay_store_commit (the daemon's group commit: what waits is
 * drained into one transaction).  Nothing here verifies: the daemon
 * stores only what it verified.
 */
#ifndef RELAY_STORE_H
#define RELAY_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "cb_err.h"
#include "cb_serve.h"
#include "cb_sig.h"

#define RELAY_STORE_FILE "relay.db"

struct relay_store;
struct sqlite3;

/* Open (creating it) the database at path; readonly for status.  NULL
 * with err on failure. */
struct relay_store *relay_store_open(const char *path, int readonly,
    struct cb_err *err);
void relay_store_close(struct relay_store *s);
/* The handle, borrowed until relay_store_close: for the way back
 * (relay_outbox keeps its own tables in the same file). */
struct sqlite3 *relay_store_db(const struct relay_store *s);

/* The last sequence journaled (0: none), as of the last put. */
uint64_t relay_store_last_seq(const struct relay_store *s);

/* A batch: begin opens a transaction (a no-op when one is open), commit
 * ends it; on a failed commit everything put since begin is gone and
 * last_seq goes back.  in_batch: 1 while one is open. */
int relay_store_begin(struct relay_store *s, struct cb_err *err);
int relay_store_commit(struct relay_store *s, struct cb_err *err);
int relay_store_in_batch(const struct relay_store *s);

/* Journal message seq (last_seq + 1) of type type; the bytes are
 * copied.  Inside a batch. */
int relay_store_put(struct relay_store *s, uint64_t seq, int type,
    const uint8_t *signed_bytes, size_t signed_len, const uint8_t *sigblock,
    size_t sigblock_len, struct cb_err *err);

/* cb_serve's journal reader: fn for at most limit messages after seq
 * after, in order, until fn returns -1.  The number fn accepted or -1. */
int relay_store_each(struct relay_store *s, uint64_t after, int limit,
    cb_serve_entry_fn fn, void *arg, struct cb_err *err);

/* The publisher's signing key from seq since on: 1 with it, 0 when
 * none was recorded (the pinned key still signs), -1 on error.  set
 * records a rotation (inside a batch, with the ROTATE message's put). */
int relay_store_signing_key(struct relay_store *s, struct cb_pubkey *pk,
    uint64_t *since, struct cb_err *err);
int relay_store_set_signing_key(struct relay_store *s,
    const struct cb_pubkey *pk, uint64_t since, struct cb_err *err);

/* The latest verified registry: 1 with copies of its bytes (the caller
 * frees *sb and *sig) and generation, 0 when none, -1 on error.  set
 * replaces it (committed at once when no batch is open). */
int relay_store_registry(struct relay_store *s, uint8_t **sb, size_t *sblen,
    uint8_t **sig, size_t *siglen, uint64_t *generation,
    struct cb_err *err);
int relay_store_set_registry(struct relay_store *s, uint64_t generation,
    const uint8_t *sb, size_t sblen, const uint8_t *sig, size_t siglen,
    struct cb_err *err);

/* A line of status the daemon keeps for "canhbao-relay status" (name,
 * value: "upstream", "publisher_seq", ...), and reading them back. */
int relay_store_set_status(struct relay_store *s, const char *name,
    const char *value, struct cb_err *err);
int relay_store_status_each(struct relay_store *s,
    void (*fn)(const char *name, const char *value, void *arg), void *arg,
    struct cb_err *err);

#endif
