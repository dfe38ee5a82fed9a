/*
 * sub_ids: the advisory people mean when they type one on the command
 * line (show, ack, export): its id ("local:2026-000001"), a prefix of
 * exactly one id ("local:2026-00000" when no other id starts so), or a
 * sequence number, as "#12" or a bare "12" when no id is "12".
 */
#ifndef SUB_IDS_H
#define SUB_IDS_H

#include "cb_adv.h"
#include "cb_err.h"

struct sub_store;
struct sub_row;

/* Candidates named when a prefix is ambiguous, at most. */
#define SUB_IDS_CANDIDATES 10

/*
 * The archived revision arg names, with its blobs, into *out (release it
 * with sub_row_release): a sequence number names that revision, an id
 * or prefix the advisory's latest.  Returns 1 found; 0 nothing
 * matches; 2 a prefix of several ids, which go into cands (the first
 * SUB_IDS_CANDIDATES, sorted; cands initialised by the caller and
 * released by it); -1 on error with err.
 */
int sub_ids_fetch(struct sub_store *s, const char *arg, struct sub_row *out,
    struct cb_strlist *cands, struct cb_err *err);

/* The sequence number arg spells ("#12", "12"), or 0. */
uint64_t sub_ids_seq(const char *arg);

#endif
