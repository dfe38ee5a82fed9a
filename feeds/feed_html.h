/*
 * feed_html: HTML fragments, as found in RSS descriptions and Atom
 * type="html" content, reduced to plain UTF-8 text.
 *
 * One linear pass over the input, no tree and no recursion, so any
 * input costs time and memory in proportion to its length.  Tags are
 * dropped, script and style elements with their content, comments and
 * declarations too; character references (&amp;, &eacute;, &#8217;,
 * &#x1F4A9;: every HTML 4 name) are decoded; block elements (p, div,
 * li, h1..h6, tr, ...) and br become line breaks; runs of white space
 * collapse to one space; bytes that are not valid UTF-8 become U+FFFD.
 */
#ifndef FEED_HTML_H
#define FEED_HTML_H

/* The text of the HTML fragment html (NUL-terminated).  Returns a
 * string the caller frees: valid UTF-8, trimmed, possibly empty; NULL
 * only when html is NULL. */
char *feed_html_to_text(const char *html);

/* 1 when s looks like HTML rather than plain text: it holds a tag of a
 * known HTML element, a comment, or a character reference ("&amp;",
 * "&#233;").  "AT&T", "x < 3" or "<khẩn>" read as plain text.  0
 * otherwise, and for NULL. */
int feed_html_detect(const char *s);

/* Text for a field that may or may not hold HTML: feed_html_to_text(s)
 * when feed_html_detect(s), else s with leading and trailing white
 * space removed (byte for byte otherwise).  Returns a string the
 * caller frees, or NULL when s is NULL or the text is empty. */
char *feed_html_plain(const char *s);

#endif
