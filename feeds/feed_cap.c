/*
 * feed_cap: one CAP alert to one advisory (the mapping is in
 * feed_cap.h).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cb_mem.h"
#include "cb_time.h"
#include "cb_utf8.h"
#include "feed_cap.h"
#include "feed_html.h"
#include "feed_xml.h"

enum cb_severity
feed_cap_severity(const char *word, enum cb_severity def)
{
	if (word == NULL)
		return def;
	if (strcasecmp(word, "Extreme") == 0)
		return CB_SEV_CRITICAL;
	if (strcasecmp(word, "Severe") == 0)
		return CB_SEV_HIGH;
	if (strcasecmp(word, "Moderate") == 0)
		return CB_SEV_MEDIUM;
	if (strcasecmp(word, "Minor") == 0)
		return CB_SEV_LOW;
	return def;
}

int
feed_cap_status(const char *word, enum cb_status *out)
{
	if (word == NULL)
		return -1;
	if (strcasecmp(word, "Actual") == 0)
		*out = CB_STATUS_ACTUAL;
	else if (strcasecmp(word, "Exercise") == 0)
		*out = CB_STATUS_EXERCISE;
	else if (strcasecmp(word, "Test") == 0)
		*out = CB_STATUS_TEST;
	else
		return -1;
	return 0;
}

int
feed_cap_kind(const char *word, enum cb_kind *out)
{
	if (word == NULL)
		return -1;
	if (strcasecmp(word, "Alert") == 0)
		*out = CB_KIND_NEW;
	else if (strcasecmp(word, "Update") == 0)
		*out = CB_KIND_UPDATE;
	else if (strcasecmp(word, "Cancel") == 0)
		*out = CB_KIND_CANCEL;
	else
		return -1;
	return 0;
}

/* The root must be a CAP <alert>. */
static int
check_root(const xmlNode *root, struct cb_err *err)
{
	if (!feed_xml_is(root, "alert"))
		return cb_err_set(err,
		    "cap: root element is <%.40s>, not <alert>",
		    (const char *)root->name);
	if (root->ns != NULL && !feed_xml_ns_is(root, FEED_CAP_NS))
		return cb_err_set(err,
		    "cap: <alert> is in namespace '%.80s', not CAP's",
		    (const char *)root->ns->href);
	return 0;
}

/* status and msgType: both required, and both must name an advisory. */
static int
head_codes(const xmlNode *alert, struct cb_adv *a, struct cb_err *err)
{
	char *status = feed_xml_child_text(alert, "status");
	char *type = feed_xml_child_text(alert, "msgType");
	int rc = -1;

	if (status == NULL)
		cb_err_set(err, "cap: <alert> has no <status>");
	else if (feed_cap_status(status, &a->status) < 0)
		cb_err_set(err,
		    "cap: status '%.40s' is not an advisory "
		    "(only Actual, Exercise or Test are)",
		    status);
	else if (type == NULL)
		cb_err_set(err, "cap: <alert> has no <msgType>");
	else if (feed_cap_kind(type, &a->kind) < 0)
		cb_err_set(err,
		    "cap: msgType '%.40s' is not an advisory "
		    "(only Alert, Update or Cancel are)",
		    type);
	else
		rc = 0;
	free(status);
	free(type);
	return rc;
}

/* The identifier inside a "sender,identifier,sent" triplet, or NULL. */
static char *
triplet_id(const char *t)
{
	const char *a = strchr(t, ','), *b;

	if (a == NULL || (b = strchr(a + 1, ',')) == NULL || b == a + 1)
		return NULL;
	return cb_xstrndup(a + 1, (size_t)(b - (a + 1)));
}

/* Keep each referenced triplet; return the first one's identifier. */
static char *
head_references(const xmlNode *alert, struct cb_adv *a)
{
	char *refs = feed_xml_child_text(alert, "references");
	char *tok, *save = NULL, *first = NULL;

	if (refs == NULL)
		return NULL;
	for (tok = strtok_r(refs, " \t\r\n", &save); tok != NULL;
	     tok = strtok_r(NULL, " \t\r\n", &save)) {
		feed_xml_add_item(&a->references, tok);
		if (first == NULL)
			first = triplet_id(tok);
	}
	free(refs);
	return first;
}

/* CAP addresses: separated by spaces, those with spaces in quotes. */
static void
add_addresses(struct cb_strlist *l, char *s)
{
	char *p = s, *start;

	while (*p != '\0') {
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		if (*p == '"') {
			start = ++p;
			while (*p != '\0' && *p != '"')
				p++;
		} else {
			start = p;
			while (*p != '\0' && !isspace((unsigned char)*p))
				p++;
		}
		if (*p != '\0')
			*p++ = '\0';
		feed_xml_add_item(l, start);
	}
}

static void
head_audience(const xmlNode *alert, struct cb_adv *a)
{
	char *scope = feed_xml_child_text(alert, "scope");
	char *addr;

	if (scope != NULL && strcasecmp(scope, "Private") == 0 &&
	    (addr = feed_xml_child_text(alert, "addresses")) != NULL) {
		add_addresses(&a->audience, addr);
		free(addr);
	}
	free(scope);
}

/* The alert's own elements: id, kind, status, times, references,
 * audience. */
static int
cap_head(const xmlNode *alert, struct cb_adv *a, struct cb_err *err)
{
	char *id, *ref_id, *sent;

	if ((id = feed_xml_child_text(alert, "identifier")) == NULL)
		return cb_err_set(err, "cap: <alert> has no <identifier>");
	if (head_codes(alert, a, err) < 0) {
		free(id);
		return -1;
	}
	ref_id = head_references(alert, a);
	if (a->kind != CB_KIND_NEW && ref_id != NULL) {
		a->source_id = ref_id;
		free(id);
	} else {
		a->source_id = id;
		free(ref_id);
	}
	if ((sent = feed_xml_child_text(alert, "sent")) != NULL &&
	    cb_time_parse_iso(sent, &a->published) == 0 &&
	    a->kind != CB_KIND_NEW)
		a->updated = a->published;
	free(sent);
	head_audience(alert, a);
	return 0;
}

/* 1 when the language tag lang is lang2 ("vi") or a variant of it
 * ("vi-VN"). */
static int
lang_is(const char *lang, const char *lang2)
{
	size_t n = strlen(lang2);

	return strncasecmp(lang, lang2, n) == 0 &&
	    (lang[n] == '\0' || lang[n] == '-' || lang[n] == '_');
}

/* The <info> to use: Vietnamese, else English, else the first. */
static const xmlNode *
choose_info(const xmlNode *alert)
{
	const xmlNode *info, *en = NULL, *first = NULL;
	char *lang;
	int vi;

	for (info = feed_xml_child(alert, "info"); info != NULL;
	     info = feed_xml_next(info, "info")) {
		if (first == NULL)
			first = info;
		lang = feed_xml_child_text(info, "language");
		vi = lang != NULL && lang_is(lang, "vi");
		if (en == NULL && (lang == NULL || lang_is(lang, "en")))
			en = info;
		free(lang);
		if (vi)
			return info;
	}
	return en != NULL ? en : first;
}

/* Text of a child that may hold HTML, cut to max bytes; NULL if none. */
static char *
child_plain(const xmlNode *parent, const char *name, size_t max)
{
	char *raw = feed_xml_child_text(parent, name);
	char *s = feed_html_plain(raw);

	free(raw);
	cb_utf8_clip_bytes(s, max);
	return s;
}

static void
info_links(const xmlNode *info, struct cb_adv *a)
{
	char *web = feed_xml_child_text(info, "web");
	char *expires = feed_xml_child_text(info, "expires");

	feed_xml_add_item(&a->references, web);
	if (expires != NULL && cb_time_parse_iso(expires, &a->expires) < 0)
		a->expires = 0;
	free(web);
	free(expires);
}

/* What the chosen <info> says: text, severity, expiry, links. */
static int
cap_info(const xmlNode *info, const struct feed_opts *opts, struct cb_adv *a,
    struct cb_err *err)
{
	char *severity, *action;

	a->title = child_plain(info, "headline", CB_ADV_MAX_TITLE);
	if (a->title == NULL)
		a->title = child_plain(info, "event", CB_ADV_MAX_TITLE);
	if (a->title == NULL)
		return cb_err_set(err,
		    "cap: <info> has no <headline> and "
		    "no <event>");
	a->summary = child_plain(info, "description", CB_ADV_MAX_TEXT);
	if ((action = child_plain(info, "instruction", CB_ADV_MAX_TEXT)) !=
	    NULL) {
		cb_strlist_add(&a->actions, action);
		free(action);
	}
	severity = feed_xml_child_text(info, "severity");
	a->severity = feed_cap_severity(severity, opts->default_severity);
	free(severity);
	info_links(info, a);
	feed_xml_add_cves(&a->cves, a->title);
	feed_xml_add_cves(&a->cves, a->summary);
	return 0;
}

/* A Cancel may come without <info>: its note, if any, is the title. */
static int
cap_bare_cancel(const xmlNode *alert, const struct feed_opts *opts,
    struct cb_adv *a, struct cb_err *err)
{
	if (a->kind != CB_KIND_CANCEL)
		return cb_err_set(err, "cap: <alert> has no <info>");
	a->title = child_plain(alert, "note", CB_ADV_MAX_TITLE);
	if (a->title == NULL) {
		a->title = cb_xasprintf("Cancelled alert %s", a->source_id);
		cb_utf8_clip_bytes(a->title, CB_ADV_MAX_TITLE);
	}
	a->severity = opts->default_severity;
	return 0;
}

static int
cap_alert(const xmlNode *alert, const struct feed_opts *opts,
    struct cb_adv_list *list, struct cb_err *err)
{
	const xmlNode *info;
	struct cb_adv a;

	cb_adv_init(&a);
	if (check_root(alert, err) < 0 || cap_head(alert, &a, err) < 0)
		goto fail;
	if ((info = choose_info(alert)) != NULL) {
		if (cap_info(info, opts, &a, err) < 0)
			goto fail;
	} else if (cap_bare_cancel(alert, opts, &a, err) < 0) {
		goto fail;
	}
	if (cb_adv_validate(&a, err) < 0) {
		cb_err_prefix(err, "cap");
		goto fail;
	}
	*cb_adv_list_push(list) = a;
	return 0;
fail:
	cb_adv_release(&a);
	return -1;
}

int
feed_cap_parse(const char *buf, size_t len, const struct feed_opts *opts,
    struct cb_adv_list *out, struct cb_err *err)
{
	struct cb_adv_list local = { NULL, 0, 0 };
	xmlDocPtr doc;
	int rc;

	if ((doc = feed_xml_read(buf, len, "cap", err)) == NULL)
		return -1;
	rc = cap_alert(xmlDocGetRootElement(doc), opts, &local, err);
	xmlFreeDoc(doc);
	if (rc == 0)
		cb_adv_list_move(out, &local);
	else
		cb_adv_list_release(&local);
	return rc;
}
