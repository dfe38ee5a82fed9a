/*
 * cb_fold: folding text for search, so that a query typed without
 * diacritics finds Vietnamese text: lower-case, accents and tone marks
 * removed, đ/Đ written d ("Đường dây nóng" -> "duong day nong",
 * "Đà Nẵng" -> "da nang").
 *
 * It covers ASCII, the Latin letters of U+00C0-U+024F (Latin-1
 * Supplement, Latin Extended-A and -B; ß, æ, œ and a few others fold to
 * two letters), Latin Extended Additional U+1E00-U+1EFF (the Vietnamese
 * letters with two marks, U+1EA0-U+1EF9, among them), and drops the
 * combining marks U+0300-U+036F, so text in NFD folds like text in NFC.
 * Everything else, invalid UTF-8 bytes included, is copied unchanged.
 * The result is never longer than the input.
 */
#ifndef CB_FOLD_H
#define CB_FOLD_H

#include <stddef.h>

/* Fold s[0..len) into out, which has room for at least len + 1 bytes;
 * out is NUL-terminated.  Returns the length of the result. */
size_t cb_fold(const char *s, size_t len, char *out);

/* The folded copy of a NUL-terminated string; the caller frees it. */
char *cb_fold_dup(const char *s);

#endif
