/*
 * feed_xml: the one place canhbao parses XML (with libxml2), and the
 * small tree and text helpers the XML adapters (feed_rss.c for RSS and
 * Atom, feed_cap.c for CAP) share.
 *
 * feed_xml_read refuses everything that makes XML dangerous or
 * unbounded: documents over FEED_MAX_BODY, any document type with an
 * internal subset (so no entity is ever declared, let alone expanded:
 * no "billion laughs", no external entities), references to entities
 * nobody declared, network access, loading external DTDs, elements
 * nested deeper than FEED_MAX_DEPTH, and text that is not valid UTF-8
 * once decoded.  Declared encodings (ISO-8859-1, ...) are honoured and
 * every string in the returned tree is UTF-8.  libxml2 never prints:
 * its first error goes into err.
 *
 * The tree helpers match elements and attributes by local name only,
 * whatever their namespace prefix ("cap:alert" and "alert" alike), as
 * feeds come both ways.
 */
#ifndef FEED_XML_H
#define FEED_XML_H

#include <stddef.h>

#include <libxml/tree.h>

#include "cb_adv.h"
#include "cb_err.h"

/* Parse buf[0..len) as one XML document.  what names the caller in
 * error messages ("rss", "cap"): "rss: xml: line 116: AttValue: \" or '
 * expected".  Returns a document the caller frees with xmlFreeDoc, or
 * NULL with err set.  Initialises libxml2 on first use (xmlInitParser,
 * idempotent) and never calls xmlCleanupParser; a program that parses
 * from several threads calls xmlInitParser once before starting them.
 * libxml2's error handlers are per thread: this function sets them for
 * the duration of the parse and puts back what it found. */
xmlDocPtr feed_xml_read(const char *buf, size_t len, const char *what,
    struct cb_err *err);

/* 1 when node is an element with local name name, else 0. */
int feed_xml_is(const xmlNode *node, const char *name);

/* The first element child of parent named name, or the next element
 * sibling after node named name (to loop over repeated elements);
 * NULL when there is none.  The node belongs to the document. */
const xmlNode *feed_xml_child(const xmlNode *parent, const char *name);
const xmlNode *feed_xml_next(const xmlNode *node, const char *name);

/* The text content of node (its text and CDATA, descendants included),
 * with leading and trailing white space removed.  NULL when node is
 * NULL or the text is blank.  The caller frees the string. */
char *feed_xml_text(const xmlNode *node);

/* feed_xml_text of feed_xml_child(parent, name). */
char *feed_xml_child_text(const xmlNode *parent, const char *name);

/* The value of node's attribute with local name name (any namespace:
 * "about" finds rdf:about), trimmed; NULL when absent or blank.  The
 * caller frees the string. */
char *feed_xml_attr(const xmlNode *node, const char *name);

/* 1 when node's namespace URI starts with prefix, else 0. */
int feed_xml_ns_is(const xmlNode *node, const char *prefix);

/* The markup of node's children (as for Atom type="xhtml"), as a
 * string the caller frees; NULL when empty. */
char *feed_xml_inner(const xmlNode *node);

/* --- text helpers shared by the XML adapters ------------------------ */

/* Add s to l unless it is NULL, empty, longer than CB_ADV_MAX_ITEM,
 * already there, or l is full (CB_ADV_MAX_ITEMS); copies s. */
void feed_xml_add_item(struct cb_strlist *l, const char *s);

/* Add every CVE id found in text ("CVE-2024-3400", any case, written
 * back upper-case) to l, each once.  text may be NULL. */
void feed_xml_add_cves(struct cb_strlist *l, const char *text);

#endif
