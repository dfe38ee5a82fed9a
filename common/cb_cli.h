/*
 * cb_cli: the command tables of canhbao-pub and canhbao-sub (git's
 * commands[] habit): one table both dispatches and prints the usage, so
 * help and dispatch cannot drift apart.  Also what every command shares:
 * its options (-c FILE, --state DIR, -h), the one-line usage errors, and
 * where the state folder and the configuration file are when no option
 * names them.
 */
#ifndef CB_CLI_H
#define CB_CLI_H

#include <stddef.h>

struct option;

/* One command; a name of two words ("agency add") is a verb of a group,
 * called with argv[0] the verb. */
struct cb_command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;
};

struct cb_cli_program {
	const char *name;             /* "canhbao-pub" */
	const struct cb_command *cmds;
	size_t ncmds;
	const char *config_name;      /* "pub.conf", under /etc/canhbao */
	int per_user;                 /* state and config under XDG too */
	/* The state key of the config file at path (a copy the caller
	 * frees, or NULL when it has none); exits 2 naming file:line when
	 * the file is bad. */
	char *(*config_state)(const char *path);
	/* Appended to /var/lib/canhbao for a system daemon's state run
	 * by hand, outside its service ("-relay"; NULL: nothing, the
	 * publisher's): so that one machine may run a relay and a
	 * publisher. */
	const char *state_suffix;
};

/* Remember the program (borrowed, static). */
void cb_cli_init(const struct cb_cli_program *prog);

/* Run the command argv[1] names with its own argc/argv (getopt reset);
 * its return value is the exit status.  Also -h, --help, help [COMMAND]
 * (usage on stdout, exit 0) and --version. */
int cb_cli_dispatch(int argc, char **argv);

/* getopt_long for the running command, whose tables hold its own
 * options (shorts may begin with ':'); -c/--config FILE, --state DIR
 * and -h/--help are added to every command and handled here (--help
 * prints the command's usage to stdout, exit 0).  An option the command
 * does not take, or one missing its argument, is named in one line with
 * the usage; exit 2. */
int cb_cli_next_option(int argc, char **argv, const char *shorts,
    const struct option *longs);

/* "PROG CMD: <message>; usage: PROG CMD ..." to stderr, exit 2. */
void cb_cli_usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

/* The operands argv[optind..argc-1] of the running command: between min
 * and max of them (max < 0: no limit), else a usage error naming what
 * is missing (what, e.g. "ID") or the first one too many. */
void cb_cli_operands(int argc, char **argv, int min, int max,
    const char *what);

/* The usage of the running command (or of all) to stderr, exit 2. */
void cb_cli_usage(void) __attribute__((noreturn));

/* The configuration file: -c FILE, else $CANHBAO_CONFIG, else the first
 * of the default files that exists ($XDG_CONFIG_HOME/canhbao/NAME for a
 * per-user program, then /etc/canhbao/NAME); NULL when there is none.
 * Borrowed, static. */
const char *cb_cli_config(void);

/* The state folder: --state DIR, else $CANHBAO_STATE, else
 * config_state (what the configuration file says; may be NULL), else
 * the first folder of systemd's $STATE_DIRECTORY, else
 * $XDG_STATE_HOME/canhbao (~/.local/state/canhbao) for a per-user
 * program and /var/lib/canhbao (and the program's state_suffix) for
 * the other.  Borrowed, static (or
 * config_state itself). */
const char *cb_cli_state_from(const char *config_state);

/* cb_cli_state_from with the state key of cb_cli_config()'s file. */
const char *cb_cli_state(void);

/* The options of a command that takes only the common ones: its state
 * folder (no operands). */
const char *cb_cli_state_only(int argc, char **argv);

/* The keygen command both programs have: "keygen [--state DIR]" makes
 * DIR (0700) and a key pair in it, keyfile (0600, created exclusively)
 * and pubfile (minisign's format), refusing to overwrite either; after
 * prints a last line of advice (may be NULL).  Returns the exit
 * status. */
int cb_cli_keygen(int argc, char **argv, const char *keyfile,
    const char *pubfile, const char *after);

/* The severity a command-line option names, in any case (as
 * cb_severity_arg reads it), as an enum cb_severity; else its one
 * message for a bad severity, and exit 2. */
int cb_cli_severity(const char *name);

/* "PROG: msg" to stderr and exit 2. */
void cb_cli_die(const char *msg) __attribute__((noreturn));

#endif
