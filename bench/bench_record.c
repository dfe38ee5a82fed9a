/*
 * bench_record: merge figures given on the command line into
 * results.json (bench/results.h), for the parts of the benchmark that
 * are shell scripts (bench/idle.sh).
 *
 *   bench_record KEY VALUE [KEY VALUE ...]
 */
#include <stdio.h>
#include <stdlib.h>

#include "results.h"

int
main(int argc, char **argv)
{
	char *end;
	double v;
	int i;

	if (argc < 3 || argc % 2 == 0) {
		fprintf(stderr, "usage: bench_record KEY VALUE [KEY VALUE ...]\n");
		return 2;
	}
	for (i = 1; i < argc; i += 2) {
		v = strtod(argv[i + 1], &end);
		if (end == argv[i + 1] || *end != '\0') {
			fprintf(stderr, "bench_record: %s: not a number: %s\n",
			    argv[i], argv[i + 1]);
			return 2;
		}
		results_number(argv[i], v);
	}
	return results_save() < 0 ? 1 : 0;
}
