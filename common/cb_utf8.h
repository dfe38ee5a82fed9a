/*
 * cb_utf8: UTF-8 checks and the clean-up text needs before it reaches
 * a terminal or a notification.
 */
#ifndef CB_UTF8_H
#define CB_UTF8_H

#include <stddef.h>

/* 1 when s[0..len) is well-formed UTF-8 (no overlongs, no surrogates,
 * nothing above U+10FFFF) and holds no NUL byte; 0 otherwise. */
int cb_utf8_valid(const char *s, size_t len);

/* Append the UTF-8 encoding of code point cp to out (at least 4 bytes
 * of room); returns the number of bytes written, 0 for an invalid cp. */
size_t cb_utf8_encode(unsigned long cp, char *out);

/* A copy of s safe to print: control characters (C0 except none, DEL,
 * C1) and escape sequences are removed, newlines and tabs become
 * spaces, invalid UTF-8 bytes become U+FFFD.  The caller frees it. */
char *cb_utf8_printable(const char *s);

#endif
