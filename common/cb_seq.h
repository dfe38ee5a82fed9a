/*
 * cb_seq: sequence numbers (a publisher's journal, an agency's outbox)
 * as they arrive in signed headers and request frames: 64 bits on the
 * wire, but SQLite keeps them as signed 64-bit integers, so only
 * 0..CB_SEQ_MAX are numbers at all.  A larger one, bound to a query,
 * would read as negative ("after -1": everything from seq 1); decoders
 * refuse it with cb_seq_valid, and the one step every counter takes is
 * cb_seq_next, which cannot wrap.
 */
#ifndef CB_SEQ_H
#define CB_SEQ_H

#include <stdint.h>

#define CB_SEQ_MAX ((uint64_t)INT64_MAX)

/* 1 when seq is at most CB_SEQ_MAX. */
int cb_seq_valid(uint64_t seq);

/* *next = seq + 1 and 0, or -1 (and *next unchanged) when seq is
 * CB_SEQ_MAX or beyond: there is no next number. */
int cb_seq_next(uint64_t seq, uint64_t *next);

#endif
