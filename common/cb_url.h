/*
 * cb_url: the one check of a URL's scheme.  canhbao fetches http, https
 * and (for local feeds in configuration) file URLs, and treats nothing
 * else as a URL.  Schemes match in any case, as RFC 3986 (3.1) says.
 */
#ifndef CB_URL_H
#define CB_URL_H

#include <stddef.h>

enum cb_url_scheme {
	CB_URL_OTHER = 0, /* no scheme we know, or NULL */
	CB_URL_HTTP,
	CB_URL_HTTPS,
	CB_URL_FILE
};

/* The scheme url starts with ("http://", "https://", "file://").  When
 * len is not NULL it gets the length of that prefix (0 for
 * CB_URL_OTHER).  url may be NULL. */
enum cb_url_scheme cb_url_scheme(const char *url, size_t *len);

/* 1 when url starts with "http://" or "https://", else 0. */
int cb_url_is_http(const char *url);

/* The reference ref resolved against the absolute URL base (RFC 3986
 * section 5, by libxml2's xmlBuildURI).  A reference that is not a
 * valid URI as written (UTF-8 or "[|{}" in a file name) is
 * percent-encoded first.  Returns a string the caller frees, or NULL
 * when it cannot be resolved. */
char *cb_url_resolve(const char *base, const char *ref);

#endif
