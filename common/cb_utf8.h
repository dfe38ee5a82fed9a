/*
 * cb_utf8: the one module that looks inside UTF-8: checks, decoding,
 * cuts at character boundaries, display widths, and the clean-up text
 * needs before it reaches a terminal or a notification.
 *
 * Widths are those of glibc's wcwidth in the C.UTF-8 locale, whatever
 * the process's own locale (a daemon may run under LANG=C): combining
 * marks take no column, so NFD "đường" (base letters and combining
 * marks) is 5 columns like its NFC form; CJK and other wide characters
 * take 2.  Nothing here allocates except the functions that return a
 * copy, and nothing prints.
 */
#ifndef CB_UTF8_H
#define CB_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* The ellipsis "…" (U+2026) that marks a cut: 3 bytes, 1 column. */
#define CB_UTF8_ELLIPSIS "\xe2\x80\xa6"
#define CB_UTF8_ELLIPSIS_LEN 3

/* 1 when s[0..len) is well-formed UTF-8 (no overlongs, no surrogates,
 * nothing above U+10FFFF) and holds no NUL byte; 0 otherwise. */
int cb_utf8_valid(const char *s, size_t len);

/* The character at s[0..n): returns its length in bytes (1 to 4) and
 * sets *cp, or returns 0 (and sets *cp to U+FFFD) when s does not start
 * with a well-formed character or n is 0.  A NUL byte is not one. */
size_t cb_utf8_decode(const char *s, size_t n, uint32_t *cp);

/* Append the UTF-8 encoding of code point cp to out (at least 4 bytes
 * of room); returns the number of bytes written, 0 for an invalid cp. */
size_t cb_utf8_encode(unsigned long cp, char *out);

/* Columns code point cp takes on a terminal: 0 for combining marks,
 * other zero-width characters and controls, 2 for wide ones, else 1. */
int cb_utf8_cp_width(uint32_t cp);

/* Columns the string s takes; each invalid byte counts 1 (it prints as
 * U+FFFD after cb_utf8_printable). */
size_t cb_utf8_width(const char *s);

/* The printf field width ("%-*s") that pads s to cols columns: printf
 * pads by bytes, and a Vietnamese word has more bytes than columns. */
int cb_utf8_field(const char *s, size_t cols);

/* Length of the longest prefix of s of at most max bytes that ends on a
 * character boundary (s need not be valid: a cut never lands inside a
 * well-formed sequence). */
size_t cb_utf8_prefix_bytes(const char *s, size_t max);

/* Length of the longest prefix of s that fits in cols columns, ending
 * on a character boundary; characters of width 0 (combining marks)
 * stay with the character before them.  *width (may be NULL) gets the
 * prefix's columns. */
size_t cb_utf8_prefix_cols(const char *s, size_t cols, size_t *width);

/* Shorten s in place to at most max bytes: unchanged when it fits,
 * else cut at a character boundary and ended with the ellipsis (when
 * max leaves room for it, else just cut).  s may be NULL. */
void cb_utf8_clip_bytes(char *s, size_t max);

/* A copy of s that fits in cols columns: all of s when it fits, else
 * its longest prefix that fits in cols - 1 columns and the ellipsis.
 * The caller frees it. */
char *cb_utf8_clip_cols(const char *s, size_t cols);

/* A copy of s safe to print: control characters (C0, DEL, C1) and
 * escape sequences are removed, newlines and tabs become spaces,
 * invalid UTF-8 bytes become U+FFFD.  The caller frees it. */
char *cb_utf8_printable(const char *s);

#endif
