/*
 * sub_store: the subscriber's archive, one SQLite file (WAL) per state
 * folder.  It keeps the exact signed bytes and signature block of every
 * verified message beside the fields lookups need, so any advisory can
 * be verified again and exported for stock minisign.
 *
 * The daemon writes; lookup commands open it read-only at the same time.
 */
#ifndef SUB_STORE_H
#define SUB_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "cb_adv.h"
#include "cb_err.h"
#include "cb_msg.h"

struct sub_store;

#define SUB_ARCHIVE_FILE "archive.db"

/* Open the archive at path; read-only for lookups.  NULL on error. */
struct sub_store *sub_store_open(const char *path, int readonly,
    struct cb_err *err);
void sub_store_close(struct sub_store *s);

/* Sequence of the last archived message from the publisher key_id
 * (0 when none). */
int sub_store_last_seq(struct sub_store *s, const uint8_t *key_id,
    uint64_t *seq, struct cb_err *err);

/* Archive a verified advisory message and move the publisher's last
 * sequence on, in one transaction.  Returns 1 when stored, 0 when that
 * sequence was already archived (nothing changes), -1 on error. */
int sub_store_put(struct sub_store *s, const struct cb_msg *msg,
    const struct cb_adv *adv, const uint8_t *signed_bytes, size_t signed_len,
    const uint8_t *sigblock, size_t sigblock_len, struct cb_err *err);

/* One archived advisory as lookups see it.  Strings and blobs are owned
 * by the row and freed by sub_row_release. */
struct sub_row {
	uint64_t seq;
	char *id;
	unsigned revision;
	char *kind, *severity, *status, *origin, *title;
	int64_t published;
	int64_t issued_ms;
	int64_t received;
	int64_t expires; /* 0: does not expire */
	uint8_t *signed_bytes;
	size_t signed_len;
	uint8_t *sigblock;
	size_t sigblock_len;
};
void sub_row_release(struct sub_row *r);

/* Call fn for every archived advisory, newest sequence first (blobs are
 * not loaded).  Stops early when fn returns non-zero.  Returns the
 * number of rows visited or -1. */
int sub_store_each(struct sub_store *s,
    int (*fn)(const struct sub_row *, void *), void *arg, struct cb_err *err);

/* The latest revision of advisory id, with its blobs: 1 found, 0 not
 * found, -1 error. */
int sub_store_get(struct sub_store *s, const char *id, struct sub_row *out,
    struct cb_err *err);

#endif
