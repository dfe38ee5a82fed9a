/*
 * cb_fold: the folding search needs beyond what SQLite does.  FTS5's
 * unicode61 tokenizer with remove_diacritics 2 lower-cases words and
 * removes accents and tone marks, in NFC and NFD alike ("Đường" ->
 * "đuong", "Nẵng" -> "nang"), but leaves the letters that have no
 * decomposition: among Vietnamese letters only đ, and ß, æ, ø, ł, œ,
 * þ and some fifty more of Latin-1 Supplement, Latin Extended-A and -B
 * and Latin Extended Additional.  cb_fold writes those as ASCII ("đ" ->
 * "d", "ß" -> "ss", "æ" -> "ae"), so that a query typed without
 * diacritics finds them: the search tokenizer (sub_search) runs it on
 * every word unicode61 made.
 *
 * Everything else, invalid UTF-8 bytes included, is copied unchanged:
 * run it on text unicode61 has folded (lower case), not on raw text.
 * The result is never longer than the input.
 */
#ifndef CB_FOLD_H
#define CB_FOLD_H

#include <stddef.h>

/* Fold s[0..len) into out, which has room for at least len + 1 bytes;
 * out is NUL-terminated.  Returns the length of the result. */
size_t cb_fold(const char *s, size_t len, char *out);

#endif
