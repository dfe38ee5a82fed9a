/*
 * feed_kev: the CISA Known Exploited Vulnerabilities catalog, one
 * advisory per exploited CVE (see feed_kev.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "cb_adv.h"
#include "cb_json.h"
#include "cb_mem.h"
#include "cb_url.h"
#include "feed.h"
#include "feed_json.h"
#include "feed_kev.h"

#define KEV_MAX_REFERENCES 50

/* The trimmed text of e.key cut to max bytes; NULL when absent or blank. */
static char *
text_of(const cJSON *e, const char *key, size_t max)
{
	const char *s = cb_json_str(e, key);

	return s != NULL ? feed_json_strdup_cut(s, max) : NULL;
}

/* "Microsoft Windows"; just "Git" when the product already names the
 * vendor.  NULL when both are missing or blank. */
static char *
product_name(const cJSON *e)
{
	char *v = text_of(e, "vendorProject", 256);
	char *p = text_of(e, "product", 256);
	char *name;
	size_t n;

	if (v == NULL)
		return p;
	if (p == NULL)
		return v;
	n = strlen(v);
	if (strncasecmp(p, v, n) == 0 && (p[n] == '\0' || p[n] == ' ')) {
		free(v);
		return p;
	}
	name = cb_xasprintf("%s %s", v, p);
	free(v);
	free(p);
	return name;
}

static int
url_end(char c)
{
	return c == '\0' || c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	    c == ';' || c == '"' || c == '<' || c == '>';
}

/* Length of the URL at s without the punctuation around it in prose:
 * trailing ".,:'" and a ")" that closes nothing inside the URL. */
static size_t
url_length(const char *s)
{
	size_t n = 0, i, open = 0, close = 0;

	while (!url_end(s[n]))
		n++;
	for (i = 0; i < n; i++) {
		open += s[i] == '(';
		close += s[i] == ')';
	}
	while (n > 0) {
		if (strchr(".,:'", s[n - 1]) != NULL) {
			n--;
		} else if (s[n - 1] == ')' && close > open) {
			n--;
			close--;
		} else {
			break;
		}
	}
	return n;
}

static const char *
find_url(const char *p)
{
	for (; (p = strstr(p, "http")) != NULL; p += 4)
		if (cb_url_is_http(p))
			return p;
	return NULL;
}

/* KEV notes are prose with URLs, separated by " ; " or ", ". */
static void
notes_urls(const char *notes, struct cb_strlist *l)
{
	const char *s;
	char *url;
	size_t n, scheme;

	for (; (s = find_url(notes)) != NULL; notes = s + n) {
		n = url_length(s); /* at least "http://" */
		cb_url_scheme(s, &scheme);
		if (n <= scheme || n > CB_ADV_MAX_ITEM ||
		    l->n >= KEV_MAX_REFERENCES)
			continue;
		url = cb_xstrndup(s, n);
		cb_strlist_add_unique(l, url);
		free(url);
	}
}

static char *
action(const cJSON *e)
{
	char *r = text_of(e, "requiredAction", CB_ADV_MAX_TEXT - 64);
	char *d = text_of(e, "dueDate", 32);
	char *a;

	if (d == NULL)
		return r;
	a = r != NULL ? cb_xasprintf("%s (CISA due date: %s)", r, d)
		      : cb_xasprintf("CISA due date: %s", d);
	free(r);
	free(d);
	return a;
}

static void
add_owned(struct cb_strlist *l, char *s)
{
	if (s == NULL)
		return;
	cb_strlist_add(l, s);
	free(s);
}

static int
kev_source_id(const cJSON *e, struct cb_adv *adv)
{
	const char *id = cb_json_str(e, "cveID");
	const char *p;

	if (id == NULL ||
	    (adv->source_id = feed_json_strdup_cut(id, SIZE_MAX)) == NULL ||
	    strlen(adv->source_id) > FEED_MAX_SOURCE_ID)
		return -1;
	for (p = adv->source_id; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return -1;
	return 0;
}

/* One catalog entry into adv; -1 when it is unusable. */
static int
kev_entry(const cJSON *e, struct cb_adv *adv)
{
	const char *notes = cb_json_str(e, "notes"), *ransom;
	const char *added = cb_json_str(e, "dateAdded");
	char *product;

	if (!cJSON_IsObject(e) || kev_source_id(e, adv) < 0)
		return -1;
	product = product_name(e);
	adv->title = text_of(e, "vulnerabilityName", CB_ADV_MAX_TITLE);
	if (adv->title == NULL)
		adv->title = cb_xasprintf("%s: %s",
		    product != NULL ? product : "Known exploited vulnerability",
		    adv->source_id);
	adv->summary = text_of(e, "shortDescription", CB_ADV_MAX_TEXT);
	cb_strlist_add(&adv->cves, adv->source_id);
	add_owned(&adv->products, product);
	add_owned(&adv->actions, action(e));
	if (notes != NULL)
		notes_urls(notes, &adv->references);
	if (added == NULL || cb_adv_time_parse(added, &adv->published) < 0)
		adv->published = 0;
	ransom = cb_json_str(e, "knownRansomwareCampaignUse");
	adv->severity = ransom != NULL && strcmp(ransom, "Known") == 0
	    ? CB_SEV_CRITICAL
	    : CB_SEV_HIGH;
	return cb_adv_validate(adv, NULL);
}

static int
kev_catalog(const cJSON *root, struct cb_adv_list *list, struct cb_err *err)
{
	const cJSON *vulns, *e;
	struct cb_adv adv;
	size_t count = 0;

	if (!cJSON_IsObject(root))
		return cb_err_set(err, "kev: the document is not an object");
	vulns = cb_json_member(root, "vulnerabilities");
	if (vulns == NULL)
		return cb_err_set(err, "kev: 'vulnerabilities' is missing");
	if (!cJSON_IsArray(vulns))
		return cb_err_set(err,
		    "kev: 'vulnerabilities' is not an array");
	/* Entries are independent advisories: an unusable one is skipped
	 * so that one bad entry does not hide the other thousand. */
	cJSON_ArrayForEach(e, vulns)
	{
		if (++count > FEED_MAX_ITEMS)
			return cb_err_set(err, "kev: more than %d entries",
			    FEED_MAX_ITEMS);
		cb_adv_init(&adv);
		if (kev_entry(e, &adv) == 0)
			*cb_adv_list_push(list) = adv;
		else
			cb_adv_release(&adv);
	}
	return 0;
}

int
feed_kev_parse(const char *buf, size_t len, const struct feed_opts *opts,
    struct cb_adv_list *out, struct cb_err *err)
{
	struct cb_adv_list local = { NULL, 0, 0 };
	cJSON *root;
	int rc;

	(void)opts; /* every KEV entry is at least high */
	if ((root = feed_json_load(buf, len, "kev", err)) == NULL)
		return -1;
	rc = kev_catalog(root, &local, err);
	cJSON_Delete(root);
	if (rc < 0) {
		cb_adv_list_release(&local);
		return -1;
	}
	cb_adv_list_move(out, &local);
	return 0;
}
