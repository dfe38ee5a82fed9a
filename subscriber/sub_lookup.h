/*
 * sub_lookup: the read-only commands on the archive: list, show,
 * export.  Each returns the exit status: 0 found, 1 nothing found, 2
 * error (the message is printed to stderr).
 */
#ifndef SUB_LOOKUP_H
#define SUB_LOOKUP_H

struct sub_lookup_opts {
	const char *state;
	int json;
	int utc;
};

int sub_lookup_list(const struct sub_lookup_opts *o);
int sub_lookup_show(const struct sub_lookup_opts *o, const char *id);
int sub_lookup_export(const struct sub_lookup_opts *o, const char *id,
    const char *file);

#endif
