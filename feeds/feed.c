/* feed: format names and the one entry point to every adapter (feed.h). */
#include <string.h>

#include "feed.h"
#include "feed_cap.h"
#include "feed_csaf.h"
#include "feed_json.h"
#include "feed_kev.h"
#include "feed_misp.h"
#include "feed_rss.h"

static const char *const format_names[] = { "csaf", "kev", "rss", "atom",
	"cap", "json", "misp", "misp-zmq" };

int
feed_format_parse(const char *name, enum feed_format *out)
{
	size_t i;

	for (i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++)
		if (strcmp(name, format_names[i]) == 0) {
			*out = (enum feed_format)i;
			return 0;
		}
	return -1;
}

const char *
feed_format_name(enum feed_format fmt)
{
	return (size_t)fmt < sizeof(format_names) / sizeof(format_names[0]) ?
	    format_names[fmt] : "?";
}

int
feed_parse(enum feed_format fmt, const char *buf, size_t len,
    const struct feed_opts *opts, struct cb_adv_list *out, struct cb_err *err)
{
	if (len > FEED_MAX_BODY)
		return cb_err_set(err, "%s: document of %zu bytes is over the "
		    "limit of %u", feed_format_name(fmt), len, FEED_MAX_BODY);
	switch (fmt) {
	case FEED_CSAF:
		return feed_csaf_parse_document(buf, len, opts, out, err);
	case FEED_KEV:
		return feed_kev_parse(buf, len, opts, out, err);
	case FEED_RSS:
		return feed_rss_parse(buf, len, opts, out, err);
	case FEED_ATOM:
		return feed_atom_parse(buf, len, opts, out, err);
	case FEED_CAP:
		return feed_cap_parse(buf, len, opts, out, err);
	case FEED_JSON:
		return feed_json_parse(buf, len, opts, out, err);
	case FEED_MISP:
		return feed_misp_parse_event(buf, len, opts, out, err);
	case FEED_MISP_ZMQ: {
		enum feed_misp_frame kind;

		return feed_misp_parse_frame(buf, len, opts, &kind, out, err);
	}
	}
	return cb_err_set(err, "unknown feed format %d", (int)fmt);
}
