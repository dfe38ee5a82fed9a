/*
 * cb_prom: the Prometheus text exposition format (version 0.0.4) that
 * both daemons answer GET /metrics with, written into a bounded buffer.
 *
 * A metric family is one cb_prom_family (its # HELP and # TYPE lines)
 * followed by its samples, each a cb_prom_sample.  Label values and
 * help texts are escaped as the format wants (backslash, double quote,
 * line feed), and bytes that are not UTF-8 become '?', so nothing a
 * feed or an agency is called can break the page.  Names are the
 * programs' own constants: a name that is not [a-zA-Z_:][a-zA-Z0-9_:]*
 * is a programming error (assert).
 */
#ifndef CB_PROM_H
#define CB_PROM_H

#include <stddef.h>

#include "cb_buf.h"

#define CB_PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"
#define CB_PROM_MAX (8 * 1024 * 1024) /* bytes of one page at most */
#define CB_PROM_PATH "/metrics"

struct MHD_Connection;

struct cb_prom {
	struct cb_buf buf; /* the page so far */
	int full;          /* something did not fit in CB_PROM_MAX */
};

void cb_prom_init(struct cb_prom *p);
void cb_prom_release(struct cb_prom *p);

/* The # HELP and # TYPE lines of family name; type is "counter" (and
 * name ends in _total) or "gauge". */
void cb_prom_family(struct cb_prom *p, const char *name, const char *type,
    const char *help);

/* One sample "name{k="v",...} value".  labels: NULL, or key, value,
 * key, value, ..., NULL (borrowed for the call). */
void cb_prom_sample(struct cb_prom *p, const char *name,
    const char *const *labels, double value);

/* A family of one sample without labels. */
void cb_prom_one(struct cb_prom *p, const char *name, const char *type,
    const char *help, double value);

/* Answer a request for path: CB_PROM_PATH gets the page write(p, arg)
 * makes (500 when write returns -1 or the page is over CB_PROM_MAX),
 * any other path 404.  Returns what cb_http_reply returns. */
int cb_prom_serve(struct MHD_Connection *conn, const char *path,
    int (*write)(struct cb_prom *p, void *arg), void *arg);

#endif
