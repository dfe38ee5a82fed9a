/* cb_buf: a growable byte buffer with a hard size limit (see cb_buf.h). */
#include <string.h>
#include <stdlib.h>

#include "cb_buf.h"
#include "cb_mem.h"

void
cb_buf_init(struct cb_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void
cb_buf_release(struct cb_buf *b)
{
	free(b->data);
	cb_buf_init(b, b->max);
}

void
cb_buf_reset(struct cb_buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

int
cb_buf_append(struct cb_buf *b, const void *p, size_t n, struct cb_err *err)
{
	size_t need;

	if (n > b->max || b->len > b->max - n)
		return cb_err_set(err, "more than %zu bytes", b->max);
	need = b->len + n + 1;
	if (need > b->cap) {
		size_t cap = b->cap ? b->cap : 256;

		while (cap < need)
			cap *= 2;
		b->data = cb_xrealloc(b->data, cap);
		b->cap = cap;
	}
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int
cb_buf_appendstr(struct cb_buf *b, const char *s, struct cb_err *err)
{
	return cb_buf_append(b, s, strlen(s), err);
}

char *
cb_buf_detach(struct cb_buf *b, size_t *lenp)
{
	char *p;

	if (b->data == NULL)
		cb_buf_append(b, "", 0, NULL);
	p = b->data;
	if (lenp != NULL)
		*lenp = b->len;
	cb_buf_init(b, b->max);
	return p;
}
