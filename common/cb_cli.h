/*
 * cb_cli: the command tables of canhbao-pub and canhbao-sub (git's
 * commands[] habit): one table both dispatches and prints the usage, so
 * help and dispatch cannot drift apart.
 */
#ifndef CB_CLI_H
#define CB_CLI_H

#include <stddef.h>

struct cb_command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;
};

/* Remember the program's name and table (borrowed, static). */
void cb_cli_init(const char *prog, const struct cb_command *cmds, size_t n);

/* Run the command argv[1] names with its own argc/argv (getopt reset);
 * its return value is the exit status.  Unknown: usage. */
int cb_cli_dispatch(int argc, char **argv);

/* Print every command's usage to stderr and exit 2. */
void cb_cli_usage(void) __attribute__((noreturn));

/* The options of a command that takes only --state DIR: returns DIR
 * (usage on anything else). */
const char *cb_cli_state_only(int argc, char **argv);

/* The keygen command both programs have: "keygen --state DIR" makes DIR
 * (0700) and a key pair in it, keyfile (0600, created exclusively) and
 * pubfile (minisign's format), refusing to overwrite either; after
 * prints a last line of advice (may be NULL).  Returns the exit status. */
int cb_cli_keygen(int argc, char **argv, const char *keyfile,
    const char *pubfile, const char *after);

/* "PROG: msg" to stderr and exit 2. */
void cb_cli_die(const char *msg) __attribute__((noreturn));

#endif
