/*
 * results: every benchmark's figures merged into one JSON object,
 * build/bench/results.json (or $CANHBAO_BENCH_RESULTS), kept across
 * runs of the separate parts (make bench-delivery, bench-search, ...).
 *
 * A part sets its keys and saves; keys it does not set keep the value
 * an earlier part wrote.
 */
#ifndef BENCH_RESULTS_H
#define BENCH_RESULTS_H

#include <cjson/cJSON.h>

/* Set top-level key to a number. */
void results_number(const char *key, double value);
/* Set key inside the object at top-level key obj (created if need be),
 * e.g. results_number_in("search", "100000", ...) for nested figures. */
void results_set_in(const char *obj, const char *key, cJSON *value);
/* Merge the keys set since the start into the file, atomically. Prints
 * the file's path; returns 0, or -1 with a message on stderr. */
int results_save(void);

#endif
