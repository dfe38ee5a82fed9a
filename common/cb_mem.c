/* cb_mem: allocation wrappers; out of memory is fatal (see cb_mem.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_mem.h"

void
cb_oom(size_t size)
{
	fprintf(stderr, "canhbao: out of memory allocating %zu bytes\n", size);
	exit(2);
}

void *
cb_xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (p == NULL)
		cb_oom(size);
	return p;
}

void *
cb_xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (p == NULL)
		cb_oom(nmemb * size);
	return p;
}

void *
cb_xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);

	if (p == NULL)
		cb_oom(size);
	return p;
}

char *
cb_xstrdup(const char *s)
{
	return cb_xstrndup(s, strlen(s));
}

char *
cb_xstrndup(const char *s, size_t n)
{
	char *p = cb_xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
cb_xasprintf(const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		cb_oom(0);
	p = cb_xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}
