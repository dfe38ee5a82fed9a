/* cb_url: URL scheme checks (see cb_url.h). */
#include <string.h>
#include <strings.h>

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
