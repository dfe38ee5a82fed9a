/*
 * cb_mem: allocation with one policy.  Out of memory is fatal: these
 * wrappers log and exit(2) rather than return NULL, so no caller has to
 * handle it (README, "Allocation failure").  Parsers of untrusted input
 * still check sizes against their limits before they allocate.
 */
#ifndef CB_MEM_H
#define CB_MEM_H

#include <stddef.h>

/* The one out-of-memory exit, for allocations made by libraries
 * (cJSON) on our behalf: prints one line to stderr and exits 2. */
void cb_oom(size_t size) __attribute__((noreturn));

void *cb_xmalloc(size_t size);
void *cb_xcalloc(size_t nmemb, size_t size);
void *cb_xrealloc(void *ptr, size_t size);
char *cb_xstrdup(const char *s);
char *cb_xstrndup(const char *s, size_t n);
/* Allocates and returns a formatted string; the caller frees it. */
char *cb_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
