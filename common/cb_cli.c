/* cb_cli: command table dispatch, usage, common options and the places
 * of the state folder and the configuration file (see cb_cli.h). */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "cb_adv.h"
#include "cb_cli.h"
#include "cb_file.h"
#include "cb_locale.h"
#include "cb_mem.h"
#include "cb_paths.h"
#include "cb_sig.h"
#include "cb_utf8.h"

/* A usage longer than this is not repeated after an error; the error
 * points at --help instead. */
#define USAGE_INLINE 100
#define MAX_LONGS 48

static const struct cb_cli_program *cli;
/* The running command: its table entry, or the group ("agency") whose
 * verb was missing or unknown. */
static const struct cb_command *cli_cur;
static const char *cli_group;
/* What the common options said. */
static const char *cli_state_flag, *cli_config_flag;

void
cb_cli_init(const struct cb_cli_program *prog)
{
	cli = prog;
}

/* Does the command name belong to what match names (NULL: all; a
 * command; or a group, every verb of it)? */
static int
matches(const char *name, const char *match)
{
	size_t n;

	if (match == NULL)
		return 1;
	n = strlen(match);
	return strncmp(name, match, n) == 0 &&
	    (name[n] == '\0' || name[n] == ' ');
}

/* The usage lines of what match names to f, in the user's language
 * (the tables mark them N_); the number of commands. */
static int
print_usage(FILE *f, const char *match)
{
	const char *word = _("usage:"), *lead;
	size_t i, w = cb_utf8_width(word);
	int n = 0;

	for (i = 0; i < cli->ncmds; i++) {
		if (!matches(cli->cmds[i].name, match))
			continue;
		lead = n++ == 0 ? word : "";
		fprintf(f, "%-*s %s %s %s\n", cb_utf8_field(lead, w), lead,
		    cli->name, cli->cmds[i].name, _(cli->cmds[i].usage));
	}
	return n;
}

/* What the running command is called: "agency add", "agency", or
 * NULL before dispatch. */
static const char *
current(void)
{
	return cli_cur != NULL ? cli_cur->name : cli_group;
}

static void
print_help(FILE *f)
{
	const char *word = _("usage:");

	print_usage(f, NULL);
	fprintf(f, "%*s ", (int)cb_utf8_width(word), "");
	fprintf(f, _("%s help [COMMAND] | --help | --version\n"
		     "every command also takes -c FILE (its configuration), "
		     "--state DIR and -h\n"),
	    cli->name);
}

void
cb_cli_usage(void)
{
	if (current() == NULL || print_usage(stderr, current()) == 0)
		print_help(stderr);
	exit(2);
}

void
cb_cli_die(const char *msg)
{
	fprintf(stderr, "%s: %s\n", cli->name, msg);
	exit(2);
}

/* The usage of the running command on one line (whitespace runs made
 * one space), when it is one command and short enough. */
static int
inline_usage(char *buf, size_t size)
{
	const char *u;
	size_t n = 0;

	if (cli_cur == NULL)
		return 0;
	for (u = _(cli_cur->usage); *u != '\0' && n + 1 < size; u++)
		if (!strchr(" \t\n", *u))
			buf[n++] = *u;
		else if (n > 0 && buf[n - 1] != ' ')
			buf[n++] = ' ';
	buf[n] = '\0';
	return *u == '\0' && n <= USAGE_INLINE;
}

int
cb_cli_severity(const char *name)
{
	enum cb_severity sev;
	struct cb_err err;

	if (cb_severity_arg(name, &sev, &err) == 0)
		return (int)sev;
	fprintf(stderr, "%s: %s\n", cli->name, err.msg);
	exit(2);
}

void
cb_cli_usage_error(const char *fmt, ...)
{
	char usage[USAGE_INLINE + 2];
	const char *cmd = current();
	va_list ap;

	fprintf(stderr, "%s%s%s: ", cli->name, cmd ? " " : "",
	    cmd ? cmd : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (inline_usage(usage, sizeof(usage)))
		fprintf(stderr, _("; usage: %s %s %s\n"), cli->name, cmd,
		    usage);
	else
		fprintf(stderr, _("; see '%s help%s%s'\n"), cli->name,
		    cmd ? " " : "", cmd ? cmd : "");
	exit(2);
}

void
cb_cli_operands(int argc, char **argv, int min, int max, const char *what)
{
	int n = argc - optind;

	if (n < min)
		cb_cli_usage_error(_("missing %s"), what ? _(what) :
							   _("operands"));
	if (max >= 0 && n > max)
		cb_cli_usage_error(_("unexpected argument '%s'"),
		    argv[optind + max]);
}

/* help [COMMAND [VERB]]: to stdout, exit 0; an unknown command is a
 * usage error. */
static int
help(int argc, char **argv)
{
	char *name;
	int n;

	if (argc < 3) {
		print_help(stdout);
		return 0;
	}
	name = argc > 3 ? cb_xasprintf("%s %s", argv[2], argv[3]) :
			  cb_xstrdup(argv[2]);
	n = print_usage(stdout, name);
	if (n == 0)
		fprintf(stderr,
		    _("%s: unknown command '%s'; see '%s --help'\n"),
		    cli->name, name, cli->name);
	free(name);
	return n == 0 ? 2 : 0;
}

/* The table entry for argv[1] (and the verb argv[2] of a group), or
 * NULL; *group is set when argv[1] names a group. */
static const struct cb_command *
lookup(int argc, char **argv, int *group)
{
	size_t i, n = strlen(argv[1]);

	*group = 0;
	for (i = 0; i < cli->ncmds; i++) {
		const char *name = cli->cmds[i].name;

		if (strcmp(name, argv[1]) == 0)
			return &cli->cmds[i];
		if (strncmp(name, argv[1], n) != 0 || name[n] != ' ')
			continue;
		*group = 1;
		if (argc > 2 && strcmp(name + n + 1, argv[2]) == 0)
			return &cli->cmds[i];
	}
	return NULL;
}

int
cb_cli_dispatch(int argc, char **argv)
{
	int group;

	if (argc < 2)
		cb_cli_usage();
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)
		return help(argc, argv);
	if (strcmp(argv[1], "--version") == 0) {
		printf("%s %s\n", cli->name, CB_VERSION);
		return 0;
	}
	cli_cur = lookup(argc, argv, &group);
	optind = 1;
	if (cli_cur != NULL && strchr(cli_cur->name, ' ') != NULL)
		return cli_cur->fn(argc - 2, argv + 2);
	if (cli_cur != NULL)
		return cli_cur->fn(argc - 1, argv + 1);
	if (!group) {
		fprintf(stderr,
		    _("%s: unknown command '%s'; see '%s --help'\n"),
		    cli->name, argv[1], cli->name);
		exit(2);
	}
	cli_group = argv[1];
	if (argc > 2 && (strcmp(argv[2], "--help") == 0 ||
	    strcmp(argv[2], "-h") == 0)) {
		print_usage(stdout, cli_group);
		return 0;
	}
	if (argc < 3)
		cb_cli_usage_error(_("missing the sub-command"));
	cb_cli_usage_error(_("unknown sub-command '%s'"), argv[2]);
}

/* The command's options with the common ones: merged into static
 * tables, rebuilt on each call (the same each time). */
static const struct option *
merged(const char *shorts, const struct option *longs, const char **all)
{
	static const struct option common[] = { { "config", 1, NULL, 'c' },
		{ "help", 0, NULL, 'h' }, { "state", 1, NULL, 's' } };
	static struct option opts[MAX_LONGS];
	static char letters[64];
	size_t n = 0, i;

	if (*shorts == ':')
		shorts++;
	snprintf(letters, sizeof(letters), ":c:hs:%s", shorts);
	for (; longs != NULL && longs[n].name != NULL; n++)
		opts[n] = longs[n];
	for (i = 0; i < 3 && n + 1 < MAX_LONGS; i++)
		opts[n++] = common[i];
	memset(&opts[n], 0, sizeof(opts[n]));
	*all = letters;
	return opts;
}

/* An option the command does not take, or without its argument: named
 * as typed (an unknown short one as "-x"). */
static void
wrong_option(int ch, char **argv)
{
	char letter[3];
	const char *typed = argv[optind - 1];

	if (ch == '?' && optopt != 0) {
		snprintf(letter, sizeof(letter), "-%c", optopt);
		typed = letter;
	}
	if (ch == ':')
		cb_cli_usage_error(_("missing the argument of option '%s'"),
		    typed);
	cb_cli_usage_error(_("unknown option '%s'"), typed);
}

int
cb_cli_next_option(int argc, char **argv, const char *shorts,
    const struct option *longs)
{
	const struct option *opts;
	const char *all;
	int ch;

	opts = merged(shorts, longs, &all);
	opterr = 0;
	for (;;) {
		ch = getopt_long(argc, argv, all, opts, NULL);
		if (ch == 'h') {
			print_usage(stdout, current());
			exit(0);
		}
		if (ch == '?' || ch == ':')
			wrong_option(ch, argv);
		if (ch == 'c')
			cli_config_flag = optarg;
		else if (ch == 's')
			cli_state_flag = optarg;
		else
			return ch;
	}
}

/* path if it exists (path is freed otherwise); NULL. */
static char *
existing(char *path)
{
	if (access(path, F_OK) == 0)
		return path;
	free(path);
	return NULL;
}

/* $XDG_name_HOME, or $HOME/dflt (an XDG variable that is not an
 * absolute path is ignored, as the XDG spec says); a copy. */
static char *
xdg_home(const char *var, const char *dflt)
{
	const char *v = getenv(var), *home = getenv("HOME");

	if (v != NULL && v[0] == '/')
		return cb_xstrdup(v);
	return cb_xasprintf("%s/%s", home != NULL ? home : "", dflt);
}

/* What the user named: the option's value, else the environment
 * variable's when it is set and not empty; else NULL. */
static const char *
named(const char *flag, const char *var)
{
	const char *env = getenv(var);

	if (flag != NULL)
		return flag;
	return env != NULL && env[0] != '\0' ? env : NULL;
}

const char *
cb_cli_config(void)
{
	static char *found;
	const char *given = named(cli_config_flag, "CANHBAO_CONFIG");
	char *home;

	if (given != NULL)
		return given;
	if (found != NULL)
		return found;
	if (cli->per_user) {
		home = xdg_home("XDG_CONFIG_HOME", ".config");
		found = existing(cb_xasprintf("%s/canhbao/%s", home,
		    cli->config_name));
		free(home);
	}
	if (found == NULL)
		found = existing(cb_xasprintf("/etc/canhbao/%s",
		    cli->config_name));
	return found;
}

const char *
cb_cli_state_from(const char *config_state)
{
	static char *dflt;
	const char *given = named(cli_state_flag, "CANHBAO_STATE");
	const char *systemd = getenv("STATE_DIRECTORY");
	char *home;

	if (given != NULL)
		return given;
	if (config_state != NULL)
		return config_state;
	free(dflt);
	if (systemd != NULL && systemd[0] != '\0') {
		/* systemd lists one folder per StateDirectory= entry */
		dflt = cb_xasprintf("%.*s", (int)strcspn(systemd, ":"),
		    systemd);
	} else if (cli->per_user) {
		home = xdg_home("XDG_STATE_HOME", ".local/state");
		dflt = cb_xasprintf("%s/canhbao", home);
		free(home);
	} else
		dflt = cb_xasprintf("%s%s", CB_STATEDIR,
		    cli->state_suffix != NULL ? cli->state_suffix : "");
	return dflt;
}

const char *
cb_cli_state(void)
{
	static char *from_file;
	const char *file;

	if (named(cli_state_flag, "CANHBAO_STATE") != NULL)
		return cb_cli_state_from(NULL);
	if (from_file == NULL && (file = cb_cli_config()) != NULL)
		from_file = cli->config_state(file);
	return cb_cli_state_from(from_file);
}

const char *
cb_cli_state_only(int argc, char **argv)
{
	while (cb_cli_next_option(argc, argv, "", NULL) != -1)
		;
	cb_cli_operands(argc, argv, 0, 0, NULL);
	return cb_cli_state();
}

int
cb_cli_keygen(int argc, char **argv, const char *keyfile, const char *pubfile,
    const char *after)
{
	const char *state = cb_cli_state_only(argc, argv);
	struct cb_seckey *sk;
	struct cb_pubkey pk;
	struct cb_err err;
	char *skpath, *pkpath, hex[CB_SIG_KEYIDHEX];

	if (cb_file_private_dir(state, 1, &err) < 0)
		cb_cli_die(err.msg);
	skpath = cb_xasprintf("%s/%s", state, keyfile);
	pkpath = cb_xasprintf("%s/%s", state, pubfile);
	if (access(pkpath, F_OK) == 0) {
		fprintf(stderr, _("%s: '%s' already exists; refusing to "
				  "overwrite it\n"),
		    cli->name, pkpath);
		exit(2);
	}
	if (cb_sig_keygen(&sk, &pk, &err) < 0 ||
	    cb_sig_write_seckey(skpath, sk, &err) < 0)
		cb_cli_die(err.msg);
	cb_seckey_free(sk);
	if (cb_sig_write_pubkey(pkpath, &pk, &err) < 0)
		cb_cli_die(err.msg);
	printf(_("key id %s\nsecret key %s\npublic key %s\n"),
	    cb_sig_keyid_hex(pk.id, hex), skpath, pkpath);
	if (after != NULL)
		printf("%s\n", _(after));
	free(skpath);
	free(pkpath);
	return 0;
}
