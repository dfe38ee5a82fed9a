/* sub_hint: commands that run as printed (see sub_hint.h). */
#include <sys/types.h>

#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cb_buf.h"
#include "cb_mem.h"
#include "sub_hint.h"

#define PROGRAM "canhbao-sub"

char *
sub_hint_quote(const char *s)
{
	static const char plain[] = "abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
				    "_-./:@%+=,";
	struct cb_buf b;

	if (*s != '\0' && strspn(s, plain) == strlen(s))
		return cb_xstrdup(s);
	cb_buf_init(&b, strlen(s) * 4 + 3);
	cb_buf_append(&b, "'", 1, NULL);
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			cb_buf_appendstr(&b, "'\\''", NULL);
		else
			cb_buf_append(&b, s, 1, NULL);
	}
	cb_buf_append(&b, "'", 1, NULL);
	return cb_buf_detach(&b, NULL);
}

/* Does PATH find exe (a real path) under the name canhbao-sub first? */
static int
found_on_path(const char *exe)
{
	const char *path = getenv("PATH"), *p, *end;
	char real[PATH_MAX], *cand;
	int same = 0, done = 0;

	for (p = path; p != NULL && !done; p = *end ? end + 1 : NULL) {
		end = strchr(p, ':');
		if (end == NULL)
			end = p + strlen(p);
		cand = cb_xasprintf("%.*s/%s", (int)(end - p),
		    end > p ? p : ".", PROGRAM);
		if (access(cand, X_OK) == 0) {
			done = 1;
			same = realpath(cand, real) != NULL &&
			    strcmp(real, exe) == 0;
		}
		free(cand);
	}
	return same;
}

const char *
sub_hint_program(void)
{
	static char *program;
	char exe[PATH_MAX];
	ssize_t n;

	if (program != NULL)
		return program;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0 || strstr(exe, "/" PROGRAM) == NULL)
		program = cb_xstrdup(PROGRAM); /* a test, or no /proc */
	else if (exe[n] = '\0', found_on_path(exe))
		program = cb_xstrdup(PROGRAM);
	else
		program = sub_hint_quote(exe);
	return program;
}

/* "PROGRAM COMMAND [--state STATE]". */
static char *
command(const char *cmd, const char *state)
{
	char *q, *s;

	if (state == NULL)
		return cb_xasprintf("%s %s", sub_hint_program(), cmd);
	q = sub_hint_quote(state);
	s = cb_xasprintf("%s %s --state %s", sub_hint_program(), cmd, q);
	free(q);
	return s;
}

char *
sub_hint_ack(const char *state, const char *id, const char *by)
{
	char *c = command("ack", state), *qi = sub_hint_quote(id);
	char *qb = sub_hint_quote(by), *s;

	s = cb_xasprintf("%s %s --by %s", c, qi, qb);
	free(c);
	free(qi);
	free(qb);
	return s;
}

char *
sub_hint_show(const char *state, const char *id)
{
	char *c = command("show", state), *qi = sub_hint_quote(id), *s;

	s = cb_xasprintf("%s %s", c, qi);
	free(c);
	free(qi);
	return s;
}

char *
sub_hint_unread(const char *state)
{
	char *c = command("list", state), *s;

	s = cb_xasprintf("%s --unread", c);
	free(c);
	return s;
}

char *
sub_hint_login(void)
{
	const struct passwd *pw = getpwuid(getuid());

	return cb_xstrdup(pw != NULL && pw->pw_name[0] != '\0' ?
		pw->pw_name : "operator");
}
