/*
 * sub_lookup: the commands on the archive: list, show, search, export,
 * ack and verify.  Each returns the exit status: 0 found (done), 1
 * nothing found (verify: something is damaged), 2 error (the message is
 * printed to stderr).  A damaged archive is an error, never "nothing
 * found": before answering 1, a lookup has SQLite check the file.  Messages for
 * people go through gettext; tables fit 80 columns; --json prints what
 * jq reads.
 */
#ifndef SUB_LOOKUP_H
#define SUB_LOOKUP_H

#include "sub_store.h"

struct sub_lookup_opts {
	const char *state;
	int json;
	int utc;
	const char *since;    /* as typed: a date, a time or a duration */
	const char *severity; /* minimum */
	const char *origin;
	const char *cve;      /* search */
	int unread, unacked;
	int limit;            /* list, search: most shown; 0: the default */
	const char *publisher_key; /* export, verify: the pinned key file;
				    * NULL: the key run recorded */
};

int sub_lookup_list(const struct sub_lookup_opts *o);
int sub_lookup_show(const struct sub_lookup_opts *o, const char *id);
int sub_lookup_export(const struct sub_lookup_opts *o, const char *id,
    const char *file);
/* Print each advisory archived from now on (with since: archived since
 * then), one line (or, with json, one JSON object) each, in order of
 * sequence, until SIGINT or SIGTERM: 0, or 2 on error. */
int sub_lookup_follow(const struct sub_lookup_opts *o);
int sub_lookup_search(const struct sub_lookup_opts *o, const char *words);
/* Verify every archived message and key rotation again (sub_verify),
 * print each damaged one by sequence and a summary. */
int sub_lookup_verify(const struct sub_lookup_opts *o);
int sub_lookup_ack(const struct sub_lookup_opts *o, const char *id,
    const char *by, const char *note);

/* --since: "YYYY-MM-DD" (midnight, local time or UTC with utc set), an
 * ISO 8601 time, or a duration back from now ("7d", "12h").  0 with
 * *out in Unix seconds, or -1. */
int sub_lookup_since(const char *s, int utc, int64_t *out);

#endif
