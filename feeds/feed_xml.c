/*
 * feed_xml: safe XML parsing with libxml2 and the tree and text helpers
 * of the XML adapters (see feed_xml.h).
 *
 * The parser context is built by hand rather than with xmlReadMemory so
 * that the fields libxml2 fills from process-wide defaults (loading the
 * external subset, substituting entities, validating) are forced off
 * whatever another part of the process set, and so that a few SAX
 * callbacks can refuse a document as soon as it declares anything in a
 * document type: entities are then never registered, so they can never
 * be expanded.  libxml2's errors go to a structured handler installed
 * for the duration of one parse; the first error is kept for err.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/xmlerror.h>

#include "cb_mem.h"
#include "cb_utf8.h"
#include "feed.h"
#include "feed_xml.h"

/* What one parse collected: its first error and whether a hook refused
 * the document (the reason is then in msg). */
struct xml_state {
	char msg[320];
	int level;   /* xmlErrorLevel of the error in msg, 0 if none */
	int refused; /* a hook refused the document */
	int depth;   /* current element depth */
};

/* Put "line N: msg" into dst as one line of valid UTF-8: libxml2's
 * messages end in newlines, and a cut may split a character. */
static void
copy_message(char *dst, size_t size, int line, const char *msg)
{
	size_t n, i, k;
	uint32_t cp;

	if (line > 0)
		snprintf(dst, size, "line %d: %s", line, msg);
	else
		snprintf(dst, size, "%s", msg);
	n = strlen(dst);
	for (i = 0; i < n; i += k) {
		if ((k = cb_utf8_decode(dst + i, n - i, &cp)) == 0) {
			k = 1;
			dst[i] = '?';
		} else if ((unsigned char)dst[i] < 0x20) {
			dst[i] = ' ';
		}
	}
	while (n > 0 && dst[n - 1] == ' ')
		dst[--n] = '\0';
}

/* libxml2's structured error callback: keep the first error, or the
 * first fatal one when an ordinary error came before it. */
static void
on_error(void *data, xmlErrorPtr e)
{
	struct xml_state *st = data;

	if (e == NULL || e->level < XML_ERR_ERROR || st->refused)
		return;
	if (st->level >= (int)e->level)
		return;
	copy_message(st->msg, sizeof(st->msg), e->line,
	    e->message != NULL ? e->message : "error");
	st->level = (int)e->level;
}

/* libxml2 also has an unstructured channel; it must not print either. */
static void
on_generic(void *data, const char *fmt, ...)
{
	(void)data;
	(void)fmt;
}

/* Record why the document is refused and stop building it: SAX stays
 * off for the rest of the parse, as after a fatal error. */
static void refuse(xmlParserCtxtPtr ctxt, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
refuse(xmlParserCtxtPtr ctxt, const char *fmt, ...)
{
	struct xml_state *st = ctxt->_private;
	char text[256];
	va_list ap;

	ctxt->disableSAX = 1;
	ctxt->wellFormed = 0;
	if (st->refused)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	copy_message(st->msg, sizeof(st->msg),
	    ctxt->input != NULL ? ctxt->input->line : 0, text);
	st->refused = 1;
}

static void
on_entity_decl(void *ctx, const xmlChar *name, int type,
    const xmlChar *public_id, const xmlChar *system_id, xmlChar *content)
{
	(void)type;
	(void)public_id;
	(void)system_id;
	(void)content;
	refuse(ctx, "document type declares entity '%.64s' (refused)",
	    (const char *)name);
}

static void
on_unparsed_entity_decl(void *ctx, const xmlChar *name,
    const xmlChar *public_id, const xmlChar *system_id, const xmlChar *notation)
{
	on_entity_decl(ctx, name, 0, public_id, system_id, NULL);
	(void)notation;
}

static void
on_element_decl(void *ctx, const xmlChar *name, int type,
    xmlElementContentPtr content)
{
	(void)name;
	(void)type;
	(void)content;
	refuse(ctx, "document type has an internal subset (refused)");
}

static void
on_attribute_decl(void *ctx, const xmlChar *elem, const xmlChar *name, int type,
    int def, const xmlChar *value, xmlEnumerationPtr tree)
{
	(void)elem;
	(void)name;
	(void)type;
	(void)def;
	(void)value;
	refuse(ctx, "document type has an internal subset (refused)");
	xmlFreeEnumeration(tree); /* the callback owns it */
}

static void
on_notation_decl(void *ctx, const xmlChar *name, const xmlChar *public_id,
    const xmlChar *system_id)
{
	(void)name;
	(void)public_id;
	(void)system_id;
	refuse(ctx, "document type has an internal subset (refused)");
}

static void
on_external_subset(void *ctx, const xmlChar *name, const xmlChar *ext_id,
    const xmlChar *system_id)
{
	/* Never loaded: XML_PARSE_DTDLOAD is off, and so is this. */
	(void)ctx;
	(void)name;
	(void)ext_id;
	(void)system_id;
}

static xmlParserInputPtr
on_resolve_entity(void *ctx, const xmlChar *public_id, const xmlChar *system_id)
{
	(void)public_id;
	refuse(ctx, "external entity '%.128s' (refused)",
	    system_id != NULL ? (const char *)system_id : "");
	return NULL;
}

static void
on_start_element(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
    int nb_attributes, int nb_defaulted, const xmlChar **attributes)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct xml_state *st = ctxt->_private;

	if (++st->depth > FEED_MAX_DEPTH) {
		refuse(ctxt, "elements nested deeper than %d", FEED_MAX_DEPTH);
		return;
	}
	xmlSAX2StartElementNs(ctx, localname, prefix, uri, nb_namespaces,
	    namespaces, nb_attributes, nb_defaulted, attributes);
}

static void
on_end_element(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct xml_state *st = ctxt->_private;

	st->depth--;
	xmlSAX2EndElementNs(ctx, localname, prefix, uri);
}

/* Options: no network, quiet; and deliberately neither NOENT (entity
 * substitution), DTDLOAD, HUGE (lifts libxml2's own limits) nor
 * RECOVER (we want well-formed documents or nothing). */
#define XML_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)

static void
harden(xmlParserCtxtPtr ctxt, struct xml_state *st)
{
	xmlSAXHandlerPtr sax = ctxt->sax;

	xmlCtxtUseOptions(ctxt, XML_OPTIONS);
	ctxt->_private = st;
	ctxt->loadsubset = 0;
	ctxt->validate = 0;
	ctxt->replaceEntities = 0;
	ctxt->pedantic = 0;
	ctxt->linenumbers = 1;
	sax->entityDecl = on_entity_decl;
	sax->unparsedEntityDecl = on_unparsed_entity_decl;
	sax->elementDecl = on_element_decl;
	sax->attributeDecl = on_attribute_decl;
	sax->notationDecl = on_notation_decl;
	sax->externalSubset = on_external_subset;
	sax->resolveEntity = on_resolve_entity;
	sax->startElementNs = on_start_element;
	sax->endElementNs = on_end_element;
}

/* Run the parser with libxml2's error channels pointed at st; returns
 * the document (NULL when libxml2 built none) and leaves whether it is
 * acceptable to the caller. */
static xmlDocPtr
parse(const char *buf, size_t len, struct xml_state *st, int *well_formed)
{
	xmlStructuredErrorFunc old_serror = xmlStructuredError;
	void *old_sctx = xmlStructuredErrorContext;
	xmlGenericErrorFunc old_generic = xmlGenericError;
	void *old_gctx = xmlGenericErrorContext;
	xmlParserCtxtPtr ctxt;
	xmlDocPtr doc = NULL;

	*well_formed = 0;
	xmlSetStructuredErrorFunc(st, on_error);
	xmlSetGenericErrorFunc(st, on_generic);
	ctxt = xmlCreateMemoryParserCtxt(buf, (int)len);
	if (ctxt != NULL) {
		harden(ctxt, st);
		xmlParseDocument(ctxt);
		doc = ctxt->myDoc;
		ctxt->myDoc = NULL;
		*well_formed = ctxt->wellFormed && !st->refused;
		xmlFreeParserCtxt(ctxt);
	}
	xmlSetStructuredErrorFunc(old_sctx, old_serror);
	xmlSetGenericErrorFunc(old_gctx, old_generic);
	return doc;
}

static int
node_line(const xmlNode *node)
{
	return (int)xmlGetLineNo(node);
}

/* Check one node of the finished tree: text must be valid UTF-8 and no
 * entity reference may be left (a reference to an entity nobody
 * declared, possible when a DOCTYPE names an external DTD). */
static int
check_node(const xmlNode *node, struct xml_state *st)
{
	char text[128];

	switch (node->type) {
	case XML_TEXT_NODE:
	case XML_CDATA_SECTION_NODE:
	case XML_COMMENT_NODE:
	case XML_PI_NODE:
		if (node->content != NULL &&
		    !cb_utf8_valid((const char *)node->content,
			strlen((const char *)node->content))) {
			copy_message(st->msg, sizeof(st->msg), node_line(node),
			    "text is not valid UTF-8");
			return -1;
		}
		return 0;
	case XML_ENTITY_REF_NODE:
		snprintf(text, sizeof(text),
		    "reference to undeclared entity '&%.64s;'",
		    (const char *)node->name);
		copy_message(st->msg, sizeof(st->msg), node_line(node), text);
		return -1;
	default:
		return 0;
	}
}

/* Next node of a depth-first walk below root (no recursion). */
static const xmlNode *
walk_next(const xmlNode *node, const xmlNode *root, int descend)
{
	if (descend && node->children != NULL)
		return node->children;
	while (node != root) {
		if (node->next != NULL)
			return node->next;
		node = node->parent;
	}
	return NULL;
}

/* Walk the whole tree, attribute values included. */
static int
check_tree(const xmlDoc *doc, struct xml_state *st)
{
	const xmlNode *root = (const xmlNode *)doc, *node;
	const xmlAttr *a;

	if (doc->intSubset != NULL && doc->intSubset->children != NULL) {
		copy_message(st->msg, sizeof(st->msg),
		    node_line((const xmlNode *)doc->intSubset),
		    "document type has an internal subset (refused)");
		return -1;
	}
	for (node = doc->children; node != NULL;
	     node = walk_next(node, root, node->type != XML_DTD_NODE)) {
		if (check_node(node, st) < 0)
			return -1;
		if (node->type != XML_ELEMENT_NODE)
			continue;
		for (a = node->properties; a != NULL; a = a->next) {
			const xmlNode *t;

			for (t = a->children; t != NULL; t = t->next)
				if (check_node(t, st) < 0)
					return -1;
		}
	}
	return 0;
}

xmlDocPtr
feed_xml_read(const char *buf, size_t len, const char *what, struct cb_err *err)
{
	struct xml_state st;
	xmlDocPtr doc;
	int ok;

	if (len == 0) {
		cb_err_set(err, "%s: xml: document is empty", what);
		return NULL;
	}
	if (len > FEED_MAX_BODY) {
		cb_err_set(err, "%s: xml: document is %zu bytes, more than %u",
		    what, len, FEED_MAX_BODY);
		return NULL;
	}
	xmlInitParser();
	memset(&st, 0, sizeof(st));
	doc = parse(buf, len, &st, &ok);
	if (doc != NULL && ok && xmlDocGetRootElement(doc) == NULL) {
		snprintf(st.msg, sizeof(st.msg),
		    "document has no root element");
		ok = 0;
	}
	if (doc != NULL && ok && check_tree(doc, &st) < 0)
		ok = 0;
	if (!ok) {
		xmlFreeDoc(doc);
		cb_err_set(err, "%s: xml: %s", what,
		    st.msg[0] != '\0' ? st.msg : "document is not well-formed");
		return NULL;
	}
	return doc;
}

/* --- tree helpers ---------------------------------------------------- */

int
feed_xml_is(const xmlNode *node, const char *name)
{
	return node != NULL && node->type == XML_ELEMENT_NODE &&
	    strcmp((const char *)node->name, name) == 0;
}

static const xmlNode *
first_named(const xmlNode *node, const char *name)
{
	for (; node != NULL; node = node->next)
		if (feed_xml_is(node, name))
			return node;
	return NULL;
}

const xmlNode *
feed_xml_child(const xmlNode *parent, const char *name)
{
	return parent != NULL ? first_named(parent->children, name) : NULL;
}

const xmlNode *
feed_xml_next(const xmlNode *node, const char *name)
{
	return node != NULL ? first_named(node->next, name) : NULL;
}

/* A trimmed copy of s (NULL when blank), for xmlFree'd strings. */
static char *
trimmed_copy(const xmlChar *s)
{
	const char *p = (const char *)s, *end;

	if (p == NULL)
		return NULL;
	while (isspace((unsigned char)*p))
		p++;
	end = p + strlen(p);
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	return end > p ? cb_xstrndup(p, (size_t)(end - p)) : NULL;
}

char *
feed_xml_text(const xmlNode *node)
{
	xmlChar *s;
	char *r;

	if (node == NULL)
		return NULL;
	s = xmlNodeGetContent(node);
	r = trimmed_copy(s);
	xmlFree(s);
	return r;
}

char *
feed_xml_child_text(const xmlNode *parent, const char *name)
{
	return feed_xml_text(feed_xml_child(parent, name));
}

char *
feed_xml_attr(const xmlNode *node, const char *name)
{
	const xmlAttr *a;
	xmlChar *s;
	char *r;

	if (node == NULL || node->type != XML_ELEMENT_NODE)
		return NULL;
	for (a = node->properties; a != NULL; a = a->next)
		if (strcmp((const char *)a->name, name) == 0)
			break;
	if (a == NULL)
		return NULL;
	s = xmlNodeListGetString(node->doc, a->children, 1);
	r = trimmed_copy(s);
	xmlFree(s);
	return r;
}

int
feed_xml_ns_is(const xmlNode *node, const char *prefix)
{
	return node != NULL && node->ns != NULL && node->ns->href != NULL &&
	    strncmp((const char *)node->ns->href, prefix, strlen(prefix)) == 0;
}

char *
feed_xml_inner(const xmlNode *node)
{
	xmlBufferPtr b;
	xmlNode *c;
	char *r;

	if (node == NULL || (b = xmlBufferCreate()) == NULL)
		return NULL;
	for (c = node->children; c != NULL; c = c->next)
		xmlNodeDump(b, node->doc, c, 0, 0);
	r = trimmed_copy(xmlBufferContent(b));
	xmlBufferFree(b);
	return r;
}

/* --- text helpers ---------------------------------------------------- */

void
feed_xml_add_item(struct cb_strlist *l, const char *s)
{
	if (s == NULL || *s == '\0' || strlen(s) > CB_ADV_MAX_ITEM ||
	    l->n >= CB_ADV_MAX_ITEMS)
		return;
	cb_strlist_add_unique(l, s);
}

/* Length of the CVE id at p ("CVE-YYYY-NNNN", 4 to 19 digits in the
 * last part, not glued to letters or digits on either side), or 0. */
static size_t
cve_at(const char *start, const char *p)
{
	size_t i, n;

	if (strncasecmp(p, "cve-", 4) != 0)
		return 0;
	if (p > start && isalnum((unsigned char)p[-1]))
		return 0;
	for (i = 4; i < 8; i++)
		if (!isdigit((unsigned char)p[i]))
			return 0;
	if (p[8] != '-')
		return 0;
	for (n = 0; isdigit((unsigned char)p[9 + n]); n++)
		;
	if (n < 4 || n > 19 || isalpha((unsigned char)p[9 + n]))
		return 0;
	return 9 + n;
}

void
feed_xml_add_cves(struct cb_strlist *l, const char *text)
{
	const char *p;
	char id[32];
	size_t n;

	if (text == NULL)
		return;
	for (p = text; (p = strpbrk(p, "cC")) != NULL; p++) {
		if ((n = cve_at(text, p)) == 0)
			continue;
		memcpy(id, "CVE", 3);
		memcpy(id + 3, p + 3, n - 3);
		id[n] = '\0';
		feed_xml_add_item(l, id);
		p += n - 1;
	}
}
