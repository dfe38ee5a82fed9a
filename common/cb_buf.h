/*
 * cb_buf: a growable byte buffer with a hard size limit.
 *
 * Everything canhbao reads from outside (feed bodies, files, frames)
 * goes through one of these, so that no input can grow without bound.
 * The data is always NUL-terminated (not counted in len), so text can
 * be handed to string functions directly.
 */
#ifndef CB_BUF_H
#define CB_BUF_H

#include <stddef.h>

#include "cb_err.h"

struct cb_buf {
	char *data; /* owned; NULL until the first append */
	size_t len;
	size_t cap;
	size_t max; /* appending past this fails */
};

void cb_buf_init(struct cb_buf *b, size_t max);
void cb_buf_release(struct cb_buf *b);
/* Forget the contents, keep the memory. */
void cb_buf_reset(struct cb_buf *b);

/* Append n bytes.  Returns 0, or -1 (buffer unchanged) when len + n
 * would exceed max. */
int cb_buf_append(struct cb_buf *b, const void *p, size_t n,
    struct cb_err *err);
int cb_buf_appendstr(struct cb_buf *b, const char *s, struct cb_err *err);

/* Hand the data to the caller (free() it) and reset b to empty. */
char *cb_buf_detach(struct cb_buf *b, size_t *lenp);

#endif
