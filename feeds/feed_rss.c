/*
 * feed_rss: RSS 2.0, RSS 1.0 (RDF) and Atom 1.0 feeds to advisories
 * (the mapping is in feed_rss.h).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cb_mem.h"
#include "cb_time.h"
#include "cb_url.h"
#include "cb_utf8.h"
#include "feed_cap.h"
#include "feed_html.h"
#include "feed_rss.h"
#include "feed_xml.h"

/* One walker per format: fills list from the document's root element,
 * or returns -1 with err set for a document-level problem. */
typedef int (*walk_fn)(const xmlNode *root, const struct feed_opts *opts,
    struct cb_adv_list *list, struct cb_err *err);

/* The highest severity an item states, or -1 while it states none. */
struct grade {
	int sev;
};

static void
grade_raise(struct grade *g, enum cb_severity s)
{
	if (g->sev < (int)s)
		g->sev = (int)s;
}

/*
 * The severity heuristic, kept small on purpose: an item states its
 * severity only through a category (RSS text, Atom term or label) or a
 * JVN sec:cvss severity attribute that is exactly one of these words,
 * ignoring case and an optional trailing " severity" ("High Severity",
 * as Bug Alert writes):
 *
 *   critical                                  critical
 *   high, important, very high                high
 *   medium, moderate                          medium
 *   low                                       low
 *   info, informational, none                 info
 *
 * "very high" is Bug Alert's step between its high and critical; it
 * stays high because that feed also says critical when it means it.
 * Several words: the highest counts.  Anything else says nothing.
 */
static void
grade_word(struct grade *g, const char *word)
{
	static const struct {
		const char *word;
		enum cb_severity sev;
	} words[] = { { "critical", CB_SEV_CRITICAL }, { "high", CB_SEV_HIGH },
		{ "important", CB_SEV_HIGH }, { "very high", CB_SEV_HIGH },
		{ "medium", CB_SEV_MEDIUM }, { "moderate", CB_SEV_MEDIUM },
		{ "low", CB_SEV_LOW }, { "info", CB_SEV_INFO },
		{ "informational", CB_SEV_INFO }, { "none", CB_SEV_INFO } };
	static const char suffix[] = " severity";
	size_t i, n;

	if (word == NULL)
		return;
	n = strlen(word);
	if (n > sizeof(suffix) - 1 &&
	    strcasecmp(word + n - (sizeof(suffix) - 1), suffix) == 0)
		n -= sizeof(suffix) - 1;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strlen(words[i].word) == n &&
		    strncasecmp(word, words[i].word, n) == 0) {
			grade_raise(g, words[i].sev);
			return;
		}
}

static void
grade_apply(const struct grade *g, const struct feed_opts *opts,
    struct cb_adv *a)
{
	a->severity =
	    g->sev >= 0 ? (enum cb_severity)g->sev : opts->default_severity;
}

/* Text of a node that may hold HTML, cut to max; NULL when empty. */
static char *
plain_text(const xmlNode *node, size_t max)
{
	char *raw = feed_xml_text(node);
	char *s = feed_html_plain(raw);

	free(raw);
	cb_utf8_clip_bytes(s, max);
	return s;
}

/* Text of a node that holds HTML, cut to max; NULL when empty. */
static char *
html_text(const char *html, size_t max)
{
	char *s = feed_html_to_text(html);

	if (s != NULL && *s == '\0') {
		free(s);
		return NULL;
	}
	cb_utf8_clip_bytes(s, max);
	return s;
}

/* An id candidate: taken when the record can hold it, else freed. */
static int
take_id(struct cb_adv *a, char *id)
{
	if (id == NULL || a->source_id != NULL ||
	    strlen(id) > CB_ADV_MAX_ITEM) {
		free(id);
		return a->source_id != NULL;
	}
	a->source_id = id;
	return 1;
}

/* A date element's value, or 0 when absent or unreadable. */
static int64_t
date_at(const xmlNode *node)
{
	char *s = feed_xml_text(node);
	int64_t t = 0;

	if (s != NULL && cb_time_parse_any(s, &t) < 0)
		t = 0;
	free(s);
	return t;
}

static int64_t
date_of(const xmlNode *parent, const char *name)
{
	return date_at(feed_xml_child(parent, name));
}

/* The URL of a link element: its text (RSS), else its href (Atom). */
static char *
link_of(const xmlNode *link)
{
	char *s = feed_xml_attr(link, "href");

	return s != NULL ? s : feed_xml_text(link);
}

static void
add_links(const xmlNode *item, struct cb_adv *a)
{
	const xmlNode *l;
	char *url;

	for (l = feed_xml_child(item, "link"); l != NULL;
	     l = feed_xml_next(l, "link")) {
		url = link_of(l);
		feed_xml_add_item(&a->references, url);
		free(url);
	}
}

/* Categories: RSS text, Atom term and label.  Both grade the item and
 * may name CVEs (Bug Alert files "CVE-2023-22518" as a category). */
static void
add_categories(const xmlNode *item, struct cb_adv *a, struct grade *g)
{
	const xmlNode *c;
	char *s[3];
	size_t i;

	for (c = feed_xml_child(item, "category"); c != NULL;
	     c = feed_xml_next(c, "category")) {
		s[0] = feed_xml_text(c);
		s[1] = feed_xml_attr(c, "term");
		s[2] = feed_xml_attr(c, "label");
		for (i = 0; i < 3; i++) {
			grade_word(g, s[i]);
			feed_xml_add_cves(&a->cves, s[i]);
			free(s[i]);
		}
	}
}

/* JVN's sec: module: references (URLs, CVE ids), cvss, cpe. */
static void
add_jvn(const xmlNode *item, struct cb_adv *a, struct grade *g)
{
	const xmlNode *n;
	char *s;

	for (n = feed_xml_child(item, "references"); n != NULL;
	     n = feed_xml_next(n, "references")) {
		s = feed_xml_text(n);
		feed_xml_add_item(&a->references, s);
		free(s);
		s = feed_xml_attr(n, "id");
		feed_xml_add_cves(&a->cves, s);
		free(s);
	}
	for (n = feed_xml_child(item, "cvss"); n != NULL;
	     n = feed_xml_next(n, "cvss")) {
		s = feed_xml_attr(n, "severity");
		grade_word(g, s);
		free(s);
	}
	for (n = feed_xml_child(item, "cpe"); n != NULL;
	     n = feed_xml_next(n, "cpe")) {
		if ((s = feed_xml_attr(n, "product")) == NULL)
			s = feed_xml_text(n);
		feed_xml_add_item(&a->products, s);
		free(s);
	}
}

/* --- RSS 2.0 and 1.0 ------------------------------------------------- */

static void
rss_ids(const xmlNode *item, struct cb_adv *a)
{
	const xmlNode *guid = feed_xml_child(item, "guid");
	char *perma = feed_xml_attr(guid, "isPermaLink");
	char *g = feed_xml_text(guid);

	/* A guid is a permalink unless it says otherwise. */
	if (g != NULL && (perma == NULL || strcmp(perma, "false") != 0) &&
	    cb_url_is_http(g))
		feed_xml_add_item(&a->references, g);
	free(perma);
	take_id(a, g);
	take_id(a, feed_xml_attr(item, "about"));
	take_id(a, link_of(feed_xml_child(item, "link")));
}

static void
rss_text(const xmlNode *item, struct cb_adv *a)
{
	const xmlNode *d = feed_xml_child(item, "description");
	char *raw;

	if (d == NULL)
		d = feed_xml_child(item, "encoded"); /* content:encoded */
	raw = feed_xml_text(d);
	a->summary = html_text(raw, CB_ADV_MAX_TEXT);
	free(raw);
}

static void
rss_dates(const xmlNode *item, struct cb_adv *a)
{
	int64_t mod = date_of(item, "modified");

	if ((a->published = date_of(item, "pubDate")) == 0 &&
	    (a->published = date_of(item, "date")) == 0)
		a->published = date_of(item, "issued");
	if (mod > a->published)
		a->updated = mod;
}

/* One RSS item into a; -1 when it is unusable (skipped). */
static int
rss_item(const xmlNode *item, const struct feed_opts *opts, struct cb_adv *a)
{
	struct grade g = { -1 };

	a->title = plain_text(feed_xml_child(item, "title"), CB_ADV_MAX_TITLE);
	if (a->title == NULL)
		return -1;
	add_links(item, a);
	rss_ids(item, a);
	if (a->source_id == NULL)
		return -1;
	rss_text(item, a);
	rss_dates(item, a);
	add_categories(item, a, &g);
	add_jvn(item, a, &g);
	grade_apply(&g, opts, a);
	feed_xml_add_cves(&a->cves, a->title);
	feed_xml_add_cves(&a->cves, a->summary);
	return 0;
}

/* --- Atom ------------------------------------------------------------ */

/* An Atom text construct as plain text, by its type attribute: html is
 * reduced, xhtml is serialised then reduced, text is kept as is; with
 * no type, HTML is reduced when it looks like HTML. */
static char *
atom_text(const xmlNode *node, size_t max)
{
	char *type = feed_xml_attr(node, "type"), *raw, *s;

	if (type == NULL) {
		s = plain_text(node, max);
	} else if (strcasecmp(type, "html") == 0 ||
	    strcasecmp(type, "text/html") == 0) {
		raw = feed_xml_text(node);
		s = html_text(raw, max);
		free(raw);
	} else if (strcasecmp(type, "xhtml") == 0 ||
	    strcasecmp(type, "application/xhtml+xml") == 0) {
		raw = feed_xml_inner(node);
		s = html_text(raw, max);
		free(raw);
	} else if (strcasecmp(type, "text") == 0 ||
	    strncasecmp(type, "text/", 5) == 0) {
		s = feed_xml_text(node);
		cb_utf8_clip_bytes(s, max);
	} else {
		s = NULL; /* base64 or another media type: not text */
	}
	free(type);
	return s;
}

static void
atom_ids(const xmlNode *entry, struct cb_adv *a)
{
	const xmlNode *content = feed_xml_child(entry, "content");
	char *src = feed_xml_attr(content, "src");

	feed_xml_add_item(&a->references, src);
	free(src);
	take_id(a, feed_xml_child_text(entry, "id"));
	if (a->references.n > 0)
		take_id(a, cb_xstrdup(a->references.v[0]));
}

static void
atom_dates(const xmlNode *entry, struct cb_adv *a)
{
	int64_t up = date_of(entry, "updated");

	if ((a->published = date_of(entry, "published")) == 0)
		a->published = up;
	if (up > a->published)
		a->updated = up;
}

/* A child in the CAP namespace (a CAP index entry), or NULL. */
static const xmlNode *
cap_child(const xmlNode *entry, const char *name)
{
	const xmlNode *n = feed_xml_child(entry, name);

	return feed_xml_ns_is(n, FEED_CAP_NS) ? n : NULL;
}

/* The cap: elements of a CAP index; -1 when the entry is a message
 * that is not an advisory (System, Draft, Ack, Error). */
static int
atom_cap(const xmlNode *entry, struct cb_adv *a, struct grade *g)
{
	char *status = feed_xml_text(cap_child(entry, "status"));
	char *type = feed_xml_text(cap_child(entry, "msgType"));
	char *sev = feed_xml_text(cap_child(entry, "severity"));
	enum cb_severity s = feed_cap_severity(sev, CB_SEV_INFO);
	int rc = 0;

	if ((status != NULL && feed_cap_status(status, &a->status) < 0) ||
	    (type != NULL && feed_cap_kind(type, &a->kind) < 0))
		rc = -1;
	if (s != CB_SEV_INFO) /* none of the CAP words means info */
		grade_raise(g, s);
	a->expires = date_at(cap_child(entry, "expires"));
	free(status);
	free(type);
	free(sev);
	return rc;
}

/* One Atom entry into a; -1 when it is unusable (skipped). */
static int
atom_entry(const xmlNode *entry, const struct feed_opts *opts, struct cb_adv *a)
{
	struct grade g = { -1 };

	a->title = atom_text(feed_xml_child(entry, "title"), CB_ADV_MAX_TITLE);
	if (a->title == NULL)
		return -1;
	add_links(entry, a);
	atom_ids(entry, a);
	if (a->source_id == NULL)
		return -1;
	a->summary =
	    atom_text(feed_xml_child(entry, "summary"), CB_ADV_MAX_TEXT);
	if (a->summary == NULL)
		a->summary = atom_text(feed_xml_child(entry, "content"),
		    CB_ADV_MAX_TEXT);
	atom_dates(entry, a);
	add_categories(entry, a, &g);
	if (atom_cap(entry, a, &g) < 0)
		return -1;
	grade_apply(&g, opts, a);
	feed_xml_add_cves(&a->cves, a->title);
	feed_xml_add_cves(&a->cves, a->summary);
	return 0;
}

/* --- documents ------------------------------------------------------- */

typedef int (*item_fn)(const xmlNode *item, const struct feed_opts *opts,
    struct cb_adv *a);

/* Every element named name under parent, through fn, into list. */
static int
add_items(const xmlNode *parent, const char *name, item_fn fn,
    const struct feed_opts *opts, struct cb_adv_list *list, struct cb_err *err)
{
	const xmlNode *item;
	struct cb_adv a;
	size_t n = 0;

	for (item = feed_xml_child(parent, name); item != NULL;
	     item = feed_xml_next(item, name)) {
		if (++n > FEED_MAX_ITEMS)
			return cb_err_set(err, "more than %d items",
			    FEED_MAX_ITEMS);
		cb_adv_init(&a);
		if (fn(item, opts, &a) == 0 && cb_adv_validate(&a, NULL) == 0)
			*cb_adv_list_push(list) = a;
		else
			cb_adv_release(&a);
	}
	return 0;
}

static int
rss_walk(const xmlNode *root, const struct feed_opts *opts,
    struct cb_adv_list *list, struct cb_err *err)
{
	const xmlNode *channel;

	if (feed_xml_is(root, "RDF")) /* RSS 1.0: items beside the channel */
		return add_items(root, "item", rss_item, opts, list, err);
	if (!feed_xml_is(root, "rss"))
		return cb_err_set(err,
		    "root element is <%.40s>, not <rss> or <rdf:RDF>",
		    (const char *)root->name);
	if ((channel = feed_xml_child(root, "channel")) == NULL)
		return cb_err_set(err, "<rss> has no <channel>");
	return add_items(channel, "item", rss_item, opts, list, err);
}

static int
atom_walk(const xmlNode *root, const struct feed_opts *opts,
    struct cb_adv_list *list, struct cb_err *err)
{
	struct cb_adv a;

	if (feed_xml_is(root, "feed"))
		return add_items(root, "entry", atom_entry, opts, list, err);
	if (!feed_xml_is(root, "entry"))
		return cb_err_set(err, "root element is <%.40s>, not <feed>",
		    (const char *)root->name);
	cb_adv_init(&a); /* an Atom entry document */
	if (atom_entry(root, opts, &a) == 0 && cb_adv_validate(&a, NULL) == 0)
		*cb_adv_list_push(list) = a;
	else
		cb_adv_release(&a);
	return 0;
}

/* Parse, walk into a local list, and hand it over only on success. */
static int
parse_with(const char *what, walk_fn walk, const char *buf, size_t len,
    const struct feed_opts *opts, struct cb_adv_list *out, struct cb_err *err)
{
	struct cb_adv_list local = { NULL, 0, 0 };
	xmlDocPtr doc;
	int rc;

	if ((doc = feed_xml_read(buf, len, what, err)) == NULL)
		return -1;
	rc = walk(xmlDocGetRootElement(doc), opts, &local, err);
	xmlFreeDoc(doc);
	if (rc < 0) {
		cb_err_prefix(err, "%s", what);
		cb_adv_list_release(&local);
		return -1;
	}
	cb_adv_list_move(out, &local);
	return 0;
}

int
feed_rss_parse(const char *buf, size_t len, const struct feed_opts *opts,
    struct cb_adv_list *out, struct cb_err *err)
{
	return parse_with("rss", rss_walk, buf, len, opts, out, err);
}

int
feed_atom_parse(const char *buf, size_t len, const struct feed_opts *opts,
    struct cb_adv_list *out, struct cb_err *err)
{
	return parse_with("atom", atom_walk, buf, len, opts, out, err);
}
