/* cb_test: helpers linked into every unit test binary (see cb_test.h). */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cb_test.h"

const char *
cb_test_fixtures(void)
{
	const char *env = getenv("CANHBAO_FIXTURES");
	const char *top = getenv("CANHBAO_TOP");
	static char path[4096];

	if (env != NULL && *env != '\0')
		return env;
	if (top == NULL || *top == '\0')
		fail_msg("set CANHBAO_TOP to the repository (tests/run.sh does) "
			 "or CANHBAO_FIXTURES to the feed samples");
	snprintf(path, sizeof(path), "%s/tests/fixtures/feeds", top);
	return path;
}

char *
cb_test_read(const char *path, size_t *lenp)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long len;

	if (f == NULL)
		fail_msg("cannot open '%s'", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	assert_true(len >= 0);
	assert_int_equal(fseek(f, 0, SEEK_SET), 0);
	buf = malloc((size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	buf[len] = '\0';
	fclose(f);
	if (lenp != NULL)
		*lenp = (size_t)len;
	return buf;
}

char *
cb_test_fixture(const char *rel, size_t *lenp)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", cb_test_fixtures(), rel);
	return cb_test_read(path, lenp);
}

char *
cb_test_path(const char *dir, const char *name)
{
	size_t a = strlen(dir), b = strlen(name);
	char *p = malloc(a + b + 2);

	assert_non_null(p);
	memcpy(p, dir, a);
	p[a] = '/';
	memcpy(p + a + 1, name, b + 1);
	return p;
}

char *
cb_test_tmpdir(void)
{
	char tmpl[] = "/tmp/canhbao-test.XXXXXX";
	char *d = mkdtemp(tmpl);

	assert_non_null(d);
	return strdup(d);
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void
cb_test_rmtree(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}
