/*
 * feed_csaf: CSAF 2.0 documents into advisories, and the provider
 * metadata, ROLIE feeds and changes.csv files that list them (see
 * feed_csaf.h).
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "cb_adv.h"
#include "cb_json.h"
#include "cb_mem.h"
#include "cb_url.h"
#include "cb_utf8.h"
#include "feed.h"
#include "feed_csaf.h"
#include "feed_json.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* --- small helpers --------------------------------------------------- */

/* The first element of the array obj.key (iterate with ->next), or NULL
 * when there is none or obj.key is not an array. */
static const cJSON *
elements(const cJSON *obj, const char *key)
{
	const cJSON *v = cb_json_array(obj, key);

	return v != NULL ? v->child : NULL;
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

/* No white space, no control character. */
static int
no_space(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

/* An absolute http or https URL with a host, short enough to keep. */
static int
is_http_url(const char *s)
{
	size_t n;

	if (s == NULL || strlen(s) > CB_ADV_MAX_ITEM || !no_space(s) ||
	    !cb_url_is_http(s))
		return 0;
	cb_url_scheme(s, &n);
	return s[n] != '\0' && s[n] != '/';
}

/* The URL of a CSAF document: http(s), ending in ".json". */
static int
is_doc_url(const char *s)
{
	return is_http_url(s) && ends_with(s, ".json");
}

/* Adds a trimmed copy of s (cut to max bytes) unless it is blank,
 * already there, or l holds cap entries. */
static void
add_text(struct cb_strlist *l, const char *s, size_t cap, size_t max)
{
	char *t;
	size_t i;

	if (s == NULL || l->n >= cap ||
	    (t = feed_json_strdup_cut(s, max)) == NULL)
		return;
	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], t) == 0)
			break;
	if (i == l->n) {
		l->v = cb_xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
		l->v[l->n++] = t;
	} else {
		free(t);
	}
}

/* Like add_text for identifiers and URLs, which are kept whole or not
 * at all: s must be one word of at most max bytes. */
static void
add_word(struct cb_strlist *l, const char *s, size_t cap, size_t max)
{
	if (s != NULL && strlen(s) <= max && no_space(s))
		add_text(l, s, cap, max);
}

struct keyed {
	const char *s;
	size_t i;
};

static int
cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = strcmp(x->s, y->s);

	if (c != 0)
		return c;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* Marks, in a new array of n bytes, every string of v[] that repeats
 * an earlier one; sorts a copy, so that long URL lists do not cost
 * n * n comparisons.  NULL when n < 2. */
static unsigned char *
repeats(char *const *v, size_t n)
{
	struct keyed *k;
	unsigned char *drop;
	size_t i;

	if (n < 2)
		return NULL;
	k = cb_xcalloc(n, sizeof(*k));
	drop = cb_xcalloc(n, 1);
	for (i = 0; i < n; i++) {
		k[i].s = v[i];
		k[i].i = i;
	}
	qsort(k, n, sizeof(*k), cmp_keyed);
	for (i = 1; i < n; i++)
		if (strcmp(k[i - 1].s, k[i].s) == 0)
			drop[k[i].i] = 1;
	free(k);
	return drop;
}

/* Drops repeated strings of l, keeping the first of each in place, and
 * the times that go with them when times is not NULL. */
static void
dedupe(struct cb_strlist *l, struct feed_csaf_times *times)
{
	unsigned char *drop = repeats(l->v, l->n);
	size_t i, o;

	if (drop == NULL)
		return;
	for (i = o = 0; i < l->n; i++) {
		if (drop[i]) {
			free(l->v[i]);
			continue;
		}
		if (times != NULL)
			times->v[o] = times->v[i];
		l->v[o++] = l->v[i];
	}
	l->n = o;
	if (times != NULL)
		times->n = o;
	free(drop);
}

static void
strlist_dedupe(struct cb_strlist *l)
{
	dedupe(l, NULL);
}

static void
times_add(struct feed_csaf_times *t, int64_t when)
{
	t->v = cb_xrealloc(t->v, (t->n + 1) * sizeof(*t->v));
	t->v[t->n++] = when;
}

/* Moves src's times to the end of dst (when dst is not NULL). */
static void
times_move(struct feed_csaf_times *dst, struct feed_csaf_times *src)
{
	size_t i;

	for (i = 0; dst != NULL && i < src->n; i++)
		times_add(dst, src->v[i]);
	feed_csaf_times_release(src);
}

void
feed_csaf_times_release(struct feed_csaf_times *t)
{
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

/* --- the CSAF document ----------------------------------------------- */

static int
get_source_id(const cJSON *tracking, struct cb_adv *adv, struct cb_err *err)
{
	const char *id = cb_json_str(tracking, "id");
	const char *p;

	if (id == NULL ||
	    (adv->source_id = feed_json_strdup_cut(id, SIZE_MAX)) == NULL)
		return cb_err_set(err, "document.tracking.id is missing");
	if (strlen(adv->source_id) > FEED_MAX_SOURCE_ID)
		return cb_err_set(err,
		    "document.tracking.id is longer than %d bytes",
		    FEED_MAX_SOURCE_ID);
	for (p = adv->source_id; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return cb_err_set(err,
			    "document.tracking.id holds a control character");
	return 0;
}

static int
get_title(const cJSON *doc, struct cb_adv *adv, struct cb_err *err)
{
	const char *title = cb_json_str(doc, "title");

	if (title == NULL)
		return cb_err_set(err, "document.title is missing");
	if ((adv->title = feed_json_strdup_cut(title, CB_ADV_MAX_TITLE)) ==
	    NULL)
		return cb_err_set(err, "document.title is empty");
	return 0;
}

/* tracking.<key> into *out when present; a malformed date is an error. */
static int
get_date(const cJSON *tracking, const char *key, int64_t *out,
    struct cb_err *err)
{
	const cJSON *v = cb_json_member(tracking, key);

	if (v == NULL)
		return 0;
	if (!cJSON_IsString(v) || cb_adv_time_parse(v->valuestring, out) < 0)
		return cb_err_set(err,
		    "document.tracking.%s is not an RFC 3339 time", key);
	return 0;
}

static int
get_dates(const cJSON *tracking, struct cb_adv *adv, struct cb_err *err)
{
	int64_t initial = 0, current = 0;

	if (get_date(tracking, "initial_release_date", &initial, err) < 0 ||
	    get_date(tracking, "current_release_date", &current, err) < 0)
		return -1;
	adv->published = initial;
	if (current != initial)
		adv->updated = current;
	return 0;
}

static int
get_tlp(const cJSON *doc, struct cb_adv *adv, struct cb_err *err)
{
	static const struct {
		const char *label, *tlp;
	} labels[] = { { "CLEAR", "CLEAR" }, { "WHITE", "CLEAR" },
		{ "GREEN", "GREEN" }, { "AMBER", "AMBER" },
		{ "AMBER+STRICT", "AMBER+STRICT" }, { "RED", "RED" } };
	const cJSON *tlp = cb_json_member(cb_json_member(doc, "distribution"), "tlp");
	const char *label;
	size_t i;

	if (tlp == NULL || cb_json_member(tlp, "label") == NULL)
		return 0; /* no marking: a public document */
	if ((label = cb_json_str(tlp, "label")) == NULL)
		return cb_err_set(err,
		    "document.distribution.tlp.label is not a string");
	for (i = 0; i < NELEM(labels); i++)
		if (strcasecmp(label, labels[i].label) == 0) {
			adv->tlp = cb_xstrdup(labels[i].tlp);
			return 0;
		}
	return cb_err_set(err,
	    "document.distribution.tlp.label '%.64s' is not a TLP label",
	    label);
}

/* The first note of the most telling category, as the summary. */
static char *
pick_summary(const cJSON *notes)
{
	static const char *const order[] = { "summary", "description",
		"general" };
	const cJSON *n;
	const char *cat, *text;
	char *s;
	size_t i;

	for (i = 0; i < NELEM(order); i++)
		cJSON_ArrayForEach(n, notes)
		{
			cat = cb_json_str(n, "category");
			text = cb_json_str(n, "text");
			if (cat != NULL && text != NULL &&
			    strcmp(cat, order[i]) == 0 &&
			    (s = feed_json_strdup_cut(text, CB_ADV_MAX_TEXT)) !=
				NULL)
				return s;
		}
	return NULL;
}

/* The base score of the first CVSS version present in holder (a
 * scores[] entry, or a CSAF 2.1 metrics[].content), or 0. */
static double
base_score(const cJSON *holder)
{
	static const char *const versions[] = { "cvss_v3", "cvss_v4",
		"cvss_v2" };
	const cJSON *s;
	size_t i;

	for (i = 0; i < NELEM(versions); i++) {
		s = cb_json_member(cb_json_member(holder, versions[i]), "baseScore");
		if (cJSON_IsNumber(s) && s->valuedouble >= 0 &&
		    s->valuedouble <= 10)
			return s->valuedouble;
	}
	return 0;
}

static double
max_score(const cJSON *vulns)
{
	const cJSON *v, *e;
	double max = 0, x;

	cJSON_ArrayForEach(v, vulns)
	{
		for (e = elements(v, "scores"); e != NULL; e = e->next)
			if ((x = base_score(e)) > max)
				max = x;
		for (e = elements(v, "metrics"); e != NULL; e = e->next)
			if ((x = base_score(cb_json_member(e, "content"))) > max)
				max = x;
	}
	return max;
}

/* The highest severity named by a word of text ("Important" -> high). */
static int
severity_words(const char *text, enum cb_severity *out)
{
	static const struct {
		const char *word;
		enum cb_severity sev;
	} words[] = { { "critical", CB_SEV_CRITICAL },
		{ "important", CB_SEV_HIGH }, { "high", CB_SEV_HIGH },
		{ "moderate", CB_SEV_MEDIUM }, { "medium", CB_SEV_MEDIUM },
		{ "low", CB_SEV_LOW } };
	const char *p = text, *w;
	size_t i, n;
	int found = 0;

	while (*p != '\0') {
		for (w = p;
		     (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'); p++)
			;
		n = (size_t)(p - w);
		for (i = 0; i < NELEM(words) && n > 0; i++)
			if (strlen(words[i].word) == n &&
			    strncasecmp(w, words[i].word, n) == 0 &&
			    (!found || words[i].sev > *out)) {
				*out = words[i].sev;
				found = 1;
			}
		if (n == 0)
			p++;
	}
	return found ? 0 : -1;
}

static enum cb_severity
pick_severity(const cJSON *root, const cJSON *doc, const struct feed_opts *opts)
{
	double score = max_score(cb_json_array(root, "vulnerabilities"));
	const char *text;
	enum cb_severity sev = CB_SEV_INFO;

	if (score >= 9.0)
		return CB_SEV_CRITICAL;
	if (score >= 7.0)
		return CB_SEV_HIGH;
	if (score >= 4.0)
		return CB_SEV_MEDIUM;
	if (score > 0)
		return CB_SEV_LOW;
	text = cb_json_str(cb_json_member(doc, "aggregate_severity"), "text");
	if (text != NULL && severity_words(text, &sev) == 0)
		return sev;
	return opts != NULL ? opts->default_severity : CB_SEV_INFO;
}

/* CVE ids and remediation details of every vulnerability. */
static void
get_vulnerabilities(const cJSON *vulns, struct cb_adv *adv)
{
	const cJSON *v, *r;

	cJSON_ArrayForEach(v, vulns)
	{
		add_word(&adv->cves, cb_json_str(v, "cve"), CB_ADV_MAX_ITEMS,
		    CB_ADV_MAX_ITEM);
		for (r = elements(v, "remediations"); r != NULL; r = r->next)
			add_text(&adv->actions, cb_json_str(r, "details"),
			    FEED_CSAF_MAX_ACTIONS, CB_ADV_MAX_TEXT);
	}
}

/* Product names of a branches[] tree, depth first. */
static void
get_branch_products(const cJSON *branches, struct cb_strlist *l)
{
	const cJSON *b;

	cJSON_ArrayForEach(b, branches)
	{
		if (l->n >= FEED_CSAF_MAX_PRODUCTS)
			return;
		add_text(l, cb_json_str(cb_json_member(b, "product"), "name"),
		    FEED_CSAF_MAX_PRODUCTS, CB_ADV_MAX_ITEM);
		get_branch_products(cb_json_array(b, "branches"), l);
	}
}

static void
get_products(const cJSON *tree, struct cb_strlist *l)
{
	const cJSON *p;

	for (p = elements(tree, "full_product_names"); p != NULL; p = p->next)
		add_text(l, cb_json_str(p, "name"), FEED_CSAF_MAX_PRODUCTS,
		    CB_ADV_MAX_ITEM);
	get_branch_products(cb_json_array(tree, "branches"), l);
}

static void
get_references(const cJSON *refs, struct cb_strlist *l)
{
	const cJSON *r;

	cJSON_ArrayForEach(r, refs)
	{
		add_word(l, cb_json_str(r, "url"), FEED_CSAF_MAX_REFERENCES,
		    CB_ADV_MAX_ITEM);
	}
}

static int
csaf_document(const cJSON *root, const struct feed_opts *opts,
    struct cb_adv *adv, struct cb_err *err)
{
	const cJSON *doc = cb_json_member(root, "document");
	const cJSON *tracking = cb_json_member(doc, "tracking");
	const char *status = cb_json_str(tracking, "status");

	if (!cJSON_IsObject(doc))
		return cb_err_set(err, "document is missing");
	if (!cJSON_IsObject(tracking))
		return cb_err_set(err, "document.tracking is missing");
	if (get_source_id(tracking, adv, err) < 0 ||
	    get_title(doc, adv, err) < 0 || get_dates(tracking, adv, err) < 0 ||
	    get_tlp(doc, adv, err) < 0)
		return -1;
	adv->kind = CB_KIND_NEW;
	adv->status = status != NULL && strcmp(status, "draft") == 0
	    ? CB_STATUS_TEST
	    : CB_STATUS_ACTUAL;
	adv->summary = pick_summary(cb_json_array(doc, "notes"));
	adv->severity = pick_severity(root, doc, opts);
	get_vulnerabilities(cb_json_array(root, "vulnerabilities"), adv);
	get_products(cb_json_member(root, "product_tree"), &adv->products);
	get_references(cb_json_array(doc, "references"), &adv->references);
	return cb_adv_validate(adv, err);
}

int
feed_csaf_parse_document(const char *buf, size_t len,
    const struct feed_opts *opts, struct cb_adv_list *out, struct cb_err *err)
{
	struct cb_adv adv;
	cJSON *root;
	int rc;

	if ((root = feed_json_load(buf, len, "csaf", err)) == NULL)
		return -1;
	cb_adv_init(&adv);
	rc = csaf_document(root, opts, &adv, err);
	cJSON_Delete(root);
	if (rc < 0) {
		cb_err_prefix(err, "csaf");
		cb_adv_release(&adv);
		return -1;
	}
	*cb_adv_list_push(out) = adv;
	return 0;
}

/* --- ROLIE feed ------------------------------------------------------ */

/* The CSAF document an entry points to: content.src, else the link with
 * rel "self".  Hash and signature links do not end in ".json". */
static const char *
entry_url(const cJSON *entry)
{
	const char *src = cb_json_str(cb_json_member(entry, "content"), "src");
	const char *rel, *href;
	const cJSON *link;

	if (is_doc_url(src))
		return src;
	for (link = elements(entry, "link"); link != NULL; link = link->next) {
		rel = cb_json_str(link, "rel");
		href = cb_json_str(link, "href");
		if (rel != NULL && strcmp(rel, "self") == 0 && is_doc_url(href))
			return href;
	}
	return NULL;
}

/* When the entry was last updated (else published), 0 when it does not
 * say. */
static int64_t
entry_time(const cJSON *entry)
{
	static const char *const keys[] = { "updated", "published" };
	const char *v;
	int64_t t;
	size_t i;

	for (i = 0; i < NELEM(keys); i++)
		if ((v = cb_json_str(entry, keys[i])) != NULL &&
		    cb_adv_time_parse(v, &t) == 0)
			return t;
	return 0;
}

static int
rolie_entries(const cJSON *root, struct cb_strlist *urls,
    struct feed_csaf_times *times, struct cb_err *err)
{
	const cJSON *feed = cb_json_member(root, "feed");
	const cJSON *entries = cb_json_member(feed, "entry");
	const cJSON *e;
	const char *url;

	if (!cJSON_IsObject(feed))
		return cb_err_set(err, "rolie: 'feed' is missing");
	if (entries == NULL)
		return 0; /* a feed with nothing in it yet */
	if (!cJSON_IsArray(entries))
		return cb_err_set(err, "rolie: feed.entry is not an array");
	if (cJSON_GetArraySize(entries) > FEED_MAX_ITEMS)
		return cb_err_set(err, "rolie: more than %d entries",
		    FEED_MAX_ITEMS);
	/* Entries are independent: one without a usable URL is skipped,
	 * the others are still worth fetching. */
	cJSON_ArrayForEach(e, entries)
	{
		if ((url = entry_url(e)) != NULL) {
			cb_strlist_add(urls, url);
			times_add(times, entry_time(e));
		}
	}
	dedupe(urls, times);
	return 0;
}

int
feed_csaf_parse_rolie(const char *buf, size_t len, struct cb_strlist *urls,
    struct feed_csaf_times *times, struct cb_err *err)
{
	struct cb_strlist local = { NULL, 0 };
	struct feed_csaf_times when = { NULL, 0 };
	cJSON *root;
	int rc;

	if ((root = feed_json_load(buf, len, "rolie", err)) == NULL)
		return -1;
	rc = rolie_entries(root, &local, &when, err);
	cJSON_Delete(root);
	if (rc == 0) {
		cb_strlist_move(urls, &local);
		times_move(times, &when);
	}
	cb_strlist_release(&local);
	feed_csaf_times_release(&when);
	return rc;
}

/* --- provider-metadata.json ------------------------------------------ */

static int
provider_rolie(const cJSON *rolie, size_t i, struct cb_strlist *feeds,
    struct cb_err *err)
{
	const cJSON *list = cb_json_member(rolie, "feeds"), *f;
	const char *url;
	size_t j = 0;

	if (!cJSON_IsArray(list))
		return cb_err_set(err,
		    "provider-metadata: distributions[%zu].rolie.feeds is "
		    "not an array",
		    i);
	cJSON_ArrayForEach(f, list)
	{
		url = cb_json_str(f, "url");
		if (!is_http_url(url))
			return cb_err_set(err,
			    "provider-metadata: distributions[%zu].rolie."
			    "feeds[%zu].url is not an http(s) URL",
			    i, j);
		cb_strlist_add(feeds, url);
		j++;
	}
	return 0;
}

static int
provider_distributions(const cJSON *root, struct cb_strlist *feeds,
    struct cb_strlist *dirs, struct cb_err *err)
{
	const cJSON *dists = cb_json_member(root, "distributions"), *d, *v;
	size_t i = 0;

	if (!cJSON_IsArray(dists))
		return cb_err_set(err,
		    "provider-metadata: 'distributions' is missing");
	cJSON_ArrayForEach(d, dists)
	{
		if (!cJSON_IsObject(d))
			return cb_err_set(err,
			    "provider-metadata: distributions[%zu] is not an "
			    "object",
			    i);
		if ((v = cb_json_member(d, "rolie")) != NULL &&
		    provider_rolie(v, i, feeds, err) < 0)
			return -1;
		if ((v = cb_json_member(d, "directory_url")) != NULL) {
			if (!cJSON_IsString(v) || !is_http_url(v->valuestring))
				return cb_err_set(err,
				    "provider-metadata: distributions[%zu]."
				    "directory_url is not an http(s) URL",
				    i);
			cb_strlist_add(dirs, v->valuestring);
		}
		i++;
	}
	if (feeds->n + dirs->n == 0)
		return cb_err_set(err,
		    "provider-metadata: no ROLIE feed and no directory_url "
		    "in distributions");
	if (feeds->n + dirs->n > FEED_MAX_ITEMS)
		return cb_err_set(err, "provider-metadata: more than %d URLs",
		    FEED_MAX_ITEMS);
	strlist_dedupe(feeds);
	strlist_dedupe(dirs);
	return 0;
}

int
feed_csaf_parse_provider(const char *buf, size_t len,
    struct cb_strlist *feed_urls, struct cb_strlist *directory_urls,
    struct cb_err *err)
{
	struct cb_strlist feeds = { NULL, 0 }, dirs = { NULL, 0 };
	cJSON *root;
	int rc;

	if ((root = feed_json_load(buf, len, "provider-metadata", err)) == NULL)
		return -1;
	rc = provider_distributions(root, &feeds, &dirs, err);
	cJSON_Delete(root);
	if (rc == 0) {
		cb_strlist_move(feed_urls, &feeds);
		cb_strlist_move(directory_urls, &dirs);
	}
	cb_strlist_release(&feeds);
	cb_strlist_release(&dirs);
	return rc;
}

/* --- provider-metadata.json: the OpenPGP keys ------------------------- */

/* s as an OpenPGP fingerprint: 40 to 64 hex digits, kept in upper case
 * in out.  -1 when it is not one. */
static int
fingerprint(const char *s, char out[FEED_CSAF_FPR_MAX + 1])
{
	size_t i, n = strlen(s);

	if (n < 40 || n > FEED_CSAF_FPR_MAX)
		return -1;
	for (i = 0; i < n; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return -1;
		out[i] = (char)toupper((unsigned char)s[i]);
	}
	out[n] = '\0';
	return 0;
}

static int
provider_key(const cJSON *k, size_t i, struct feed_csaf_key *key,
    struct cb_err *err)
{
	const cJSON *fpr = cb_json_member(k, "fingerprint");
	const char *url = cb_json_str(k, "url");

	if (!cJSON_IsObject(k))
		return cb_err_set(err, "provider-metadata: "
		    "public_openpgp_keys[%zu] is not an object", i);
	if (!is_http_url(url))
		return cb_err_set(err, "provider-metadata: "
		    "public_openpgp_keys[%zu].url is not an http(s) URL", i);
	key->fingerprint[0] = '\0';
	if (fpr != NULL && (!cJSON_IsString(fpr) ||
	    fingerprint(fpr->valuestring, key->fingerprint) < 0))
		return cb_err_set(err, "provider-metadata: "
		    "public_openpgp_keys[%zu].fingerprint is not 40 to %d hex "
		    "digits", i, FEED_CSAF_FPR_MAX);
	key->url = cb_xstrdup(url);
	return 0;
}

static int
provider_keys(const cJSON *root, struct feed_csaf_keys *keys,
    struct cb_err *err)
{
	const cJSON *list = cb_json_member(root, "public_openpgp_keys"), *k;
	size_t i = 0;

	if (list == NULL)
		return 0;
	if (!cJSON_IsArray(list))
		return cb_err_set(err, "provider-metadata: "
		    "public_openpgp_keys is not an array");
	if (cJSON_GetArraySize(list) > FEED_CSAF_MAX_KEYS)
		return cb_err_set(err, "provider-metadata: more than %d "
		    "OpenPGP keys", FEED_CSAF_MAX_KEYS);
	keys->v = cb_xcalloc((size_t)cJSON_GetArraySize(list) + 1,
	    sizeof(*keys->v));
	cJSON_ArrayForEach(k, list)
	{
		if (provider_key(k, i, &keys->v[keys->n], err) < 0)
			return -1;
		keys->n++;
		i++;
	}
	return 0;
}

int
feed_csaf_parse_provider_keys(const char *buf, size_t len,
    struct feed_csaf_keys *keys, struct cb_err *err)
{
	struct feed_csaf_keys local = { NULL, 0 };
	cJSON *root;
	int rc;

	if ((root = feed_json_load(buf, len, "provider-metadata", err)) == NULL)
		return -1;
	rc = provider_keys(root, &local, err);
	cJSON_Delete(root);
	if (rc < 0) {
		feed_csaf_keys_release(&local);
		return -1;
	}
	feed_csaf_keys_release(keys);
	*keys = local;
	return 0;
}

void
feed_csaf_keys_release(struct feed_csaf_keys *keys)
{
	size_t i;

	for (i = 0; i < keys->n; i++)
		free(keys->v[i].url);
	free(keys->v);
	keys->v = NULL;
	keys->n = 0;
}

/* --- changes.csv ----------------------------------------------------- */

struct change {
	char *url;
	int64_t time;
	size_t line;
};

struct changes {
	struct change *v;
	size_t n;
	size_t cap;
};

static void
changes_release(struct changes *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->v[i].url);
	free(c->v);
}

/*
 * The directory URL from base_url, always ending in "/"; *path_at gets
 * the offset of the "/" that starts its path.  NULL when base_url is
 * not an http(s) URL.
 */
static char *
base_dir(const char *base_url, size_t *path_at)
{
	const char *host, *slash;
	size_t n;
	char *dir;

	if (!is_http_url(base_url) || strpbrk(base_url, "?#") != NULL)
		return NULL;
	host = strstr(base_url, "://") + 3;
	slash = strchr(host, '/');
	n = strlen(base_url);
	if (slash != NULL && ends_with(slash, "/changes.csv"))
		n -= strlen("changes.csv");
	*path_at = slash != NULL ? (size_t)(slash - base_url) : n;
	dir = cb_xmalloc(n + 2);
	memcpy(dir, base_url, n);
	if (dir[n - 1] != '/')
		dir[n++] = '/';
	dir[n] = '\0';
	return dir;
}

/* A path as the CSAF standard allows in changes.csv: relative, plain
 * folder and file names, ending in ".json". */
static const char *
bad_path(const char *path)
{
	const char *seg, *end;
	size_t n;

	if (*path == '\0')
		return "the path is empty";
	if (strlen(path) > CB_ADV_MAX_ITEM)
		return "the path is too long";
	if (!no_space(path) || strpbrk(path, "\\:?#\"<>") != NULL)
		return "the path holds a character it may not";
	if (*path == '/')
		return "the path is absolute";
	for (seg = path; *seg != '\0'; seg = *end != '\0' ? end + 1 : end) {
		end = strchr(seg, '/');
		if (end == NULL)
			end = seg + strlen(seg);
		n = (size_t)(end - seg);
		if (n == 0 || (n == 1 && seg[0] == '.') ||
		    (n == 2 && seg[0] == '.' && seg[1] == '.'))
			return "the path has an empty, '.' or '..' folder";
	}
	if (!ends_with(path, ".json"))
		return "the path does not name a .json file";
	return NULL;
}

/*
 * path resolved against dir (cb_url_resolve).  The standard makes paths
 * relative to the directory ("2024/x.json"); a path of three or more
 * parts that starts with the directory's own last folders
 * ("csaf_files/IT/white/2024/x.json" under .../csaf_files/IT/white/) is
 * taken relative to where those folders begin, the longest such
 * overlap first.  NULL when it cannot be resolved.
 */
static char *
resolve(const char *dir, size_t path_at, const char *path)
{
	const char *p, *q;
	size_t parts = 1;
	char *base = cb_xstrdup(dir), *url;

	for (q = path; *q != '\0'; q++)
		parts += *q == '/';
	if (parts >= 3)
		for (p = dir + path_at + 1; *p != '\0'; p = strchr(p, '/') + 1)
			if (strncmp(path, p, strlen(p)) == 0) {
				base[p - dir] = '\0';
				break;
			}
	url = cb_url_resolve(base, path);
	free(base);
	return url;
}

/* Trims spaces and tabs from both ends of s in place. */
static char *
trim(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

/*
 * One CSV field from p (up to lim) into out (room for lim - p + 1
 * bytes): quoted, with "" for a quote, or bare up to the next comma.
 * Returns the position of the comma after it or lim, or NULL for a
 * quote that is not closed or text after the closing quote.
 */
static const char *
csv_field(const char *p, const char *lim, char *out)
{
	char *o = out;

	while (p < lim && (*p == ' ' || *p == '\t'))
		p++;
	if (p < lim && *p == '"') {
		for (p++;; p++) {
			if (p == lim)
				return NULL;
			if (*p == '"' && (p + 1 == lim || p[1] != '"'))
				break;
			if (*p == '"')
				p++;
			*o++ = *p;
		}
		for (p++; p < lim && (*p == ' ' || *p == '\t'); p++)
			;
		if (p < lim && *p != ',')
			return NULL;
	} else {
		while (p < lim && *p != ',')
			*o++ = *p++;
	}
	*o = '\0';
	return p;
}

/* Splits one line into its two fields; NULL, or what is wrong. */
static const char *
csv_split(const char *p, const char *lim, char *f[2])
{
	size_t nf = 0;

	for (;;) {
		if (nf == 2)
			return "more than two fields";
		if ((p = csv_field(p, lim, f[nf])) == NULL)
			return "a quoted field is not closed properly";
		nf++;
		if (p == lim)
			break;
		p++; /* the comma */
	}
	return nf < 2 ? "the time is missing" : NULL;
}

/* One non-blank line: "path","time" into c. */
static int
changes_row(const char *p, const char *lim, size_t line, const char *dir,
    size_t path_at, struct change *c, struct cb_err *err)
{
	char *f[2], *path, *when;
	const char *why;

	f[0] = cb_xmalloc((size_t)(lim - p) + 1);
	f[1] = cb_xmalloc((size_t)(lim - p) + 1);
	if ((why = csv_split(p, lim, f)) == NULL) {
		path = trim(f[0]);
		when = trim(f[1]);
		if (*when == '\0')
			why = "the time is missing";
		else if (cb_adv_time_parse(when, &c->time) < 0)
			why = "the time is not an RFC 3339 time";
		else if ((why = bad_path(path)) == NULL &&
		    (c->url = resolve(dir, path_at, path)) == NULL)
			why = "the path cannot be resolved against the base URL";
	}
	free(f[0]);
	free(f[1]);
	if (why != NULL)
		return cb_err_set(err, "changes.csv: line %zu: %s", line, why);
	c->line = line;
	return 0;
}

static int
cmp_change(const void *a, const void *b)
{
	const struct change *x = a, *y = b;

	if (x->time != y->time)
		return x->time > y->time ? -1 : 1; /* newest first */
	return x->line < y->line ? -1 : x->line > y->line;
}

static int
blank_line(const char *p, const char *lim)
{
	for (; p < lim; p++)
		if (*p != ' ' && *p != '\t' && *p != '\r')
			return 0;
	return 1;
}

static int
changes_rows(const char *buf, size_t len, const char *dir, size_t path_at,
    struct changes *rows, struct cb_err *err)
{
	const char *p = buf, *end = buf + len, *eol, *lim;
	size_t line = 0;

	for (; p < end; p = eol < end ? eol + 1 : end) {
		line++;
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			eol = end;
		lim = eol > p && eol[-1] == '\r' ? eol - 1 : eol;
		if (blank_line(p, lim))
			continue;
		if (rows->n == FEED_MAX_ITEMS)
			return cb_err_set(err, "changes.csv: more than %d rows",
			    FEED_MAX_ITEMS);
		if (rows->n == rows->cap) {
			rows->cap = rows->cap ? rows->cap * 2 : 64;
			rows->v =
			    cb_xrealloc(rows->v, rows->cap * sizeof(*rows->v));
		}
		if (changes_row(p, lim, line, dir, path_at, &rows->v[rows->n],
			err) < 0)
			return -1;
		rows->n++;
	}
	return 0;
}

static int
changes_parse(const char *buf, size_t len, const char *base_url,
    struct cb_strlist *urls, struct feed_csaf_times *times,
    struct cb_err *err)
{
	struct changes rows = { NULL, 0, 0 };
	size_t i, path_at = 0;
	char *dir;

	if (len > FEED_MAX_BODY)
		return cb_err_set(err, "changes.csv: %zu bytes, more than %u",
		    len, FEED_MAX_BODY);
	if (!cb_utf8_valid(buf, len))
		return cb_err_set(err, "changes.csv: not valid UTF-8");
	if (base_url == NULL || (dir = base_dir(base_url, &path_at)) == NULL)
		return cb_err_set(err,
		    "changes.csv: base URL '%.200s' is not an http(s) URL",
		    base_url != NULL ? base_url : "");
	if (changes_rows(buf, len, dir, path_at, &rows, err) < 0) {
		changes_release(&rows);
		free(dir);
		return -1;
	}
	if (rows.n > 1)
		qsort(rows.v, rows.n, sizeof(*rows.v), cmp_change);
	for (i = 0; i < rows.n; i++) {
		urls->v = cb_xrealloc(urls->v, (urls->n + 1) * sizeof(char *));
		urls->v[urls->n++] = rows.v[i].url;
		rows.v[i].url = NULL;
		times_add(times, rows.v[i].time);
	}
	dedupe(urls, times); /* a path listed twice counts when newest */
	changes_release(&rows);
	free(dir);
	return 0;
}

int
feed_csaf_parse_changes(const char *buf, size_t len, const char *base_url,
    struct cb_strlist *urls, struct feed_csaf_times *times,
    struct cb_err *err)
{
	struct cb_strlist local = { NULL, 0 };
	struct feed_csaf_times when = { NULL, 0 };
	int rc;

	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		buf += 3; /* a UTF-8 byte order mark */
		len -= 3;
	}
	rc = changes_parse(buf, len, base_url, &local, &when, err);
	if (rc == 0) {
		cb_strlist_move(urls, &local);
		times_move(times, &when);
	}
	cb_strlist_release(&local);
	feed_csaf_times_release(&when);
	return rc;
}
