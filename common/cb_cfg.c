/* cb_cfg: table-driven INI files on inih (see cb_cfg.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "cb_cfg.h"
#include "cb_mem.h"

struct load {
	const char *section;
	const struct cb_cfg_key *keys;
	size_t nkeys;
	void *base;
	cb_cfg_other_fn other;
	void *user;
	FILE *fp;
	int line;     /* of the line inih is handling */
	int failed;
	int err_line; /* of the first key that failed */
	struct cb_err err;
};

int
cb_cfg_bool(const char *v, int *out)
{
	if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 ||
	    strcmp(v, "1") == 0 || strcmp(v, "on") == 0)
		*out = 1;
	else if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0 ||
	    strcmp(v, "0") == 0 || strcmp(v, "off") == 0)
		*out = 0;
	else
		return -1;
	return 0;
}

int
cb_cfg_int(const char *v, int min, int max, int *out)
{
	char *end;
	long n;

	if (!isdigit((unsigned char)*v) && *v != '-')
		return -1;
	n = strtol(v, &end, 10);
	if (*end != '\0' || n < min || n > max)
		return -1;
	*out = (int)n;
	return 0;
}

static int
set_one(const struct cb_cfg_key *k, void *base, const char *value,
    struct cb_err *err)
{
	char **sp;

	switch (k->type) {
	case CB_CFG_STRING:
		if (*value == '\0')
			return cb_err_set(err, "'%s' is empty", k->name);
		sp = (char **)((char *)base + k->offset);
		free(*sp);
		*sp = cb_xstrdup(value);
		return 0;
	case CB_CFG_BOOL:
		if (cb_cfg_bool(value, (int *)((char *)base + k->offset)) < 0)
			return cb_err_set(err, "'%s' must be yes or no, not "
			    "'%s'", k->name, value);
		return 0;
	case CB_CFG_INT:
		if (cb_cfg_int(value, k->min, k->max,
			(int *)((char *)base + k->offset)) < 0)
			return cb_err_set(err, "'%s' must be a number from %d "
			    "to %d, not '%s'", k->name, k->min, k->max, value);
		return 0;
	}
	return -1;
}

int
cb_cfg_set(const struct cb_cfg_key *keys, size_t nkeys, void *base,
    const char *section, const char *key, const char *value,
    struct cb_err *err)
{
	size_t i;

	for (i = 0; i < nkeys; i++)
		if (strcmp(keys[i].name, key) == 0)
			return set_one(&keys[i], base, value, err);
	return cb_err_set(err, "unknown key '%s' in [%s]", key, section);
}

static int
on_key(void *user, const char *section, const char *name, const char *value)
{
	struct load *l = user;
	int rc;

	if (l->failed)
		return 1; /* keep the first error only */
	if (strcmp(section, l->section) == 0)
		rc = cb_cfg_set(l->keys, l->nkeys, l->base, section, name,
		    value, &l->err);
	else if (l->other != NULL)
		rc = l->other(l->user, section, name, value, l->line, &l->err);
	else
		rc = cb_err_set(&l->err, "unknown section [%s]", section);
	if (rc < 0) {
		l->failed = 1;
		l->err_line = l->line;
		return 0;
	}
	return 1;
}

/* fgets for inih that also counts lines, so handlers know where they
 * are (Debian's inih is built without INI_HANDLER_LINENO), and strips
 * leading white space: Debian's inih takes an indented line as the
 * continuation of the value above, so "  heartbeat = 10" under
 * "state = ..." would silently become part of the state folder's name. */
static char *
read_line(char *str, int num, void *stream)
{
	struct load *l = stream;
	size_t skip;

	l->line++;
	if (fgets(str, num, l->fp) == NULL)
		return NULL;
	skip = strspn(str, " \t");
	if (skip > 0)
		memmove(str, str + skip, strlen(str + skip) + 1);
	return str;
}

int
cb_cfg_load(const char *path, const char *section,
    const struct cb_cfg_key *keys, size_t nkeys, void *base,
    cb_cfg_other_fn other, void *user, struct cb_err *err)
{
	struct load l = { .section = section, .keys = keys, .nkeys = nkeys,
		.base = base, .other = other, .user = user };
	int line;

	if ((l.fp = fopen(path, "r")) == NULL)
		return cb_err_setsys(err, "cannot read '%s'", path);
	line = ini_parse_stream(read_line, &l, on_key, &l);
	fclose(l.fp);
	if (line < 0)
		return cb_err_set(err, "cannot read '%s'", path);
	if (line > 0 && l.failed && line == l.err_line)
		return cb_err_set(err, "%s:%d: %s", path, line, l.err.msg);
	if (line > 0)
		return cb_err_set(err, "%s:%d: syntax error (lines are 'key = "
		    "value' under a [section], at most %d bytes)", path, line,
		    INI_MAX_LINE - 1);
	return 0;
}
