/* cb_url: URL scheme checks (see cb_url.h). */
#include <string.h>
#include <strings.h>

#include <libxml/uri.h>
#include <libxml/xmlmemory.h>

#include "cb_mem.h"
#include "cb_url.h"

enum cb_url_scheme
cb_url_scheme(const char *url, size_t *len)
{
	static const struct {
		const char *prefix;
		enum cb_url_scheme scheme;
	} schemes[] = { { "http://", CB_URL_HTTP },
		{ "https://", CB_URL_HTTPS }, { "file://", CB_URL_FILE } };
	size_t i, n;

	for (i = 0; url != NULL && i < sizeof(schemes) / sizeof(schemes[0]);
	     i++) {
		n = strlen(schemes[i].prefix);
		if (strncasecmp(url, schemes[i].prefix, n) == 0) {
			if (len != NULL)
				*len = n;
			return schemes[i].scheme;
		}
	}
	if (len != NULL)
		*len = 0;
	return CB_URL_OTHER;
}

int
cb_url_is_http(const char *url)
{
	enum cb_url_scheme s = cb_url_scheme(url, NULL);

	return s == CB_URL_HTTP || s == CB_URL_HTTPS;
}

/* xmlBuildURI's answer in memory of our own. */
static char *
build(const xmlChar *ref, const char *base)
{
	xmlChar *u = xmlBuildURI(ref, (const xmlChar *)base);
	char *r;

	if (u == NULL)
		return NULL;
	r = cb_xstrdup((const char *)u);
	xmlFree(u);
	return r;
}

char *
cb_url_resolve(const char *base, const char *ref)
{
	xmlChar *escaped;
	char *r;

	if ((r = build((const xmlChar *)ref, base)) != NULL)
		return r;
	escaped = xmlURIEscapeStr((const xmlChar *)ref,
	    (const xmlChar *)"/%");
	if (escaped == NULL)
		return NULL;
	r = build(escaped, base);
	xmlFree(escaped);
	return r;
}
