/*
 * canhbao-sub: the subscriber.  Command dispatch; the daemon is
 * sub_daemon.c and the lookups sub_lookup.c.
 */
#include <getopt.h>
#include <libintl.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cb_cfg.h"
#include "cb_file.h"
#include "cb_utf8.h"
#include "sub_outbox.h"
#include "sub_status.h"
#include "sub_store.h"
#include "cb_adv.h"
#include "cb_cli.h"
#include "cb_locale.h"
#include "cb_log.h"
#include "cb_mem.h"
#include "cb_sig.h"
#include "sub_config.h"
#include "sub_daemon.h"
#include "sub_lookup.h"


static int cmd_run(int, char **);
static int cmd_check_config(int, char **);
static int cmd_list(int, char **);
static int cmd_show(int, char **);
static int cmd_export(int, char **);
static int cmd_search(int, char **);
static int cmd_ack(int, char **);
static int cmd_verify(int, char **);
static int cmd_follow(int, char **);

static int cmd_keygen(int, char **);
static int cmd_report(int, char **);
static int cmd_status(int, char **);

/* Every command also takes -c FILE, --state DIR and -h (cb_cli.h). */
static const struct cb_command commands[] = {
	{ "run", cmd_run,
	    N_("[-c FILE] [--state DIR] --broadcast ENDPOINT[,ENDPOINT...] "
	    "--publisher-key FILE\n"
	    "\t\t[--requests ENDPOINT[,ENDPOINT...]] [--server-key "
	    "FILE[,FILE...]]\n"
	    "\t\t[--failover-after SECONDS] [--stale-after SECONDS] "
	    "[--insecure] [-v]\n"
	    "\t\t[--on-advisory PROGRAM] [--hook-timeout SECONDS] "
	    "[--renotify SECONDS]\n"
	    "\t\t[--min-severity LEVEL] [--origin ORIGIN] [--status LIST]\n"
	    "\t\t[--group NAME]... [--no-desktop] [--no-terminal] "
	    "[--no-journal]\n"
	    "\t\t[--presence SECONDS] [--revoked-keys LIST]\n"
	    "\t\t[--metrics ADDR:PORT]") },
	{ "keygen", cmd_keygen, N_("[--state DIR]") },
	{ "report", cmd_report,
	    N_("[--state DIR] --severity LEVEL --title TEXT "
	    "[--details FILE | -]\n"
	    "\t\t[--attach FILE]...") },
	{ "status", cmd_status, N_("[--state DIR] [--json] [--utc]") },
	{ "check-config", cmd_check_config, N_("[-c FILE]") },
	{ "list", cmd_list,
	    N_("[--state DIR] [--since DATE] [--severity LEVEL] "
	    "[--origin ORIGIN]\n"
	    "\t\t[--unread] [--unacked] [--limit N] [--json] [--utc]") },
	{ "show", cmd_show, N_("[--state DIR] [--json] [--utc] ID") },
	{ "follow", cmd_follow, N_("[--state DIR] [--since WHEN] [--json]") },
	{ "search", cmd_search,
	    N_("[--state DIR] [--since DATE] [--severity LEVEL] [--cve ID]\n"
	    "\t\t[--origin ORIGIN] [--unread] [--unacked] [--limit N] "
	    "[--json] [--utc] QUERY") },
	{ "ack", cmd_ack,
	    N_("[--state DIR] --by NAME [--note TEXT] [--json] [--utc] ID") },
	{ "export", cmd_export,
	    N_("[--state DIR] -o FILE [--publisher-key FILE] [--json] ID") },
	{ "verify", cmd_verify,
	    N_("[--state DIR] [--publisher-key FILE] [--json]") },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/* The run options, each also a [subscriber] key of the same name. */
static const struct option run_opts[] = { { "broadcast", 1, NULL, 'b' },
	{ "insecure", 0, NULL, 'I' },
	{ "publisher-key", 1, NULL, 'k' }, { "requests", 1, NULL, 'R' },
	{ "stale-after", 1, NULL, 'S' },
	{ "verbose", 0, NULL, 'v' }, { "group", 1, NULL, 'G' },
	{ "hook-timeout", 1, NULL, 'H' }, { "min-severity", 1, NULL, 'M' },
	{ "no-desktop", 0, NULL, 'D' }, { "no-journal", 0, NULL, 'J' },
	{ "no-terminal", 0, NULL, 'N' }, { "on-advisory", 1, NULL, 'A' },
	{ "origin", 1, NULL, 'O' }, { "renotify", 1, NULL, 'r' },
	{ "status", 1, NULL, 'T' }, { "presence", 1, NULL, 'P' },
	{ "revoked-keys", 1, NULL, 'X' }, { "metrics", 1, NULL, 'm' },
	{ "server-key", 1, NULL, 'K' }, { "failover-after", 1, NULL, 'F' },
	{ NULL, 0, NULL, 0 } };

static const char *
run_key(int ch)
{
	switch (ch) {
	case 'b':
		return "broadcast";
	case 'I':
		return "insecure";
	case 'k':
		return "publisher_key";
	case 'R':
		return "requests";
	case 'S':
		return "stale_after";
	case 'v':
		return "verbose";
	case 'A':
		return "on_advisory";
	case 'D':
		return "desktop";
	case 'G':
		return "group";
	case 'H':
		return "hook_timeout";
	case 'J':
		return "journal";
	case 'M':
		return "min_severity";
	case 'N':
		return "terminal";
	case 'O':
		return "origin";
	case 'r':
		return "renotify";
	case 'T':
		return "status";
	case 'P':
		return "presence";
	case 'X':
		return "revoked_keys";
	case 'm':
		return "metrics";
	case 'K':
		return "server_key";
	case 'F':
		return "failover_after";
	}
	return NULL;
}

/* The value a flag without an argument stands for. */
static const char *
flag_value(int ch)
{
	switch (ch) {
	case 'I':
	case 'v':
		return "yes";
	case 'D':
	case 'J':
	case 'N':
		return "no";
	}
	return NULL;
}

/* Defaults, then the file (cb_cli_config), then the flags on top, and
 * the state folder cb_cli_state_from finds; exits 2 with the file:line
 * of the first problem. */
static void
load_config(int argc, char **argv, struct sub_config *cfg)
{
	const char *file, *keys[33], *values[33];
	char *groups = NULL, *tmp, *state;
	struct cb_err err;
	int ch, n = 0, i;

	while ((ch = cb_cli_next_option(argc, argv, ":b:Ik:R:S:v", run_opts)) !=
	    -1) {
		if (ch == 'G') { /* repeatable: the groups add up */
			tmp = groups ? cb_xasprintf("%s,%s", groups, optarg) :
				       cb_xstrdup(optarg);
			free(groups);
			groups = tmp;
			continue;
		}
		if (run_key(ch) == NULL || n == 31)
			cb_cli_usage();
		keys[n] = run_key(ch);
		values[n++] = flag_value(ch) ? flag_value(ch) : optarg;
	}
	cb_cli_operands(argc, argv, 0, 0, NULL);
	if (groups != NULL) {
		keys[n] = "group";
		values[n++] = groups;
	}
	sub_config_init(cfg);
	if ((file = cb_cli_config()) != NULL &&
	    sub_config_load(cfg, file, &err) < 0)
		cb_cli_die(err.msg);
	/* (set from a copy: setting frees the old value) */
	state = cb_xstrdup(cb_cli_state_from(cfg->state));
	keys[n] = "state";
	values[n++] = state;
	for (i = 0; i < n; i++)
		if (sub_config_set(cfg, keys[i], values[i], &err) < 0)
			cb_cli_die(err.msg);
	free(groups);
	free(state);
	if (sub_config_check(cfg, &err) < 0)
		cb_cli_die(err.msg);
}

/* A count from the command line (1 to 10000), or a usage error. */
static int
limit_arg(const char *s)
{
	int v;

	if (cb_cfg_int(s, 1, 10000, &v) < 0)
		cb_cli_die(_("--limit takes a number from 1 to 10000"));
	return v;
}

static int
cmd_run(int argc, char **argv)
{
	struct sub_config cfg;
	int rc;

	load_config(argc, argv, &cfg);
	cb_log_init("canhbao-sub", cfg.verbose ? CB_LOG_DEBUG : CB_LOG_INFO);
	rc = sub_daemon_run(&cfg);
	sub_config_release(&cfg);
	return rc;
}

static int
cmd_check_config(int argc, char **argv)
{
	struct sub_config cfg;

	load_config(argc, argv, &cfg);
	printf(_("%s: ok: state %s, broadcast %s, requests %s\n"),
	    cfg.path ? cfg.path : _("(no file)"), cfg.state, cfg.broadcast,
	    cfg.requests ? cfg.requests : _("(none)"));
	if (cfg.metrics != NULL)
		printf(_("  metrics: http://%s/metrics\n"), cfg.metrics);
	sub_config_release(&cfg);
	return 0;
}

/* Options of the lookups.  allowed: the short letters the command
 * takes; anything else is a usage error.  Returns the first operand's
 * index. */
struct lookup_args {
	struct sub_lookup_opts o;
	const char *output, *by, *note;
	struct sub_config cfg; /* what the config file says, if any */
};

/* The config file (cb_cli_config): the state folder and the pinned key
 * the options do not give; exits 2 with the file:line of a problem. */
static void
config_defaults(struct lookup_args *a)
{
	const char *file = cb_cli_config();
	struct cb_err err;

	if (file != NULL && sub_config_load(&a->cfg, file, &err) < 0)
		cb_cli_die(err.msg);
	a->o.state = cb_cli_state_from(a->cfg.state);
	if (a->o.publisher_key == NULL)
		a->o.publisher_key = a->cfg.publisher_key;
}

/* The state key of the config file at path, for cb_cli_state. */
static char *
config_state(const char *path)
{
	struct sub_config cfg;
	struct cb_err err;
	char *state;

	sub_config_init(&cfg);
	if (sub_config_load(&cfg, path, &err) < 0)
		cb_cli_die(err.msg);
	state = cfg.state ? cb_xstrdup(cfg.state) : NULL;
	sub_config_release(&cfg);
	return state;
}

/* The long name of the option ch in opts, for an error. */
static const char *
long_name(const struct option *opts, int ch)
{
	for (; opts->name != NULL; opts++)
		if (opts->val == ch)
			return opts->name;
	return "?";
}

static void
lookup_options(int argc, char **argv, const char *allowed,
    struct lookup_args *a)
{
	static const struct option opts[] = { { "by", 1, NULL, 'B' },
		{ "cve", 1, NULL, 'C' }, { "json", 0, NULL, 'j' },
		{ "limit", 1, NULL, 'L' }, { "note", 1, NULL, 'n' },
		{ "origin", 1, NULL, 'O' }, { "output", 1, NULL, 'o' },
		{ "severity", 1, NULL, 'V' }, { "since", 1, NULL, 'W' },
		{ "state", 1, NULL, 's' }, { "unacked", 0, NULL, 'K' },
		{ "unread", 0, NULL, 'U' }, { "utc", 0, NULL, 'u' },
		{ "publisher-key", 1, NULL, 'k' }, { NULL, 0, NULL, 0 } };
	int ch;

	memset(a, 0, sizeof(*a));
	sub_config_init(&a->cfg);
	while ((ch = cb_cli_next_option(argc, argv, ":jo:u", opts)) != -1) {
		if (strchr(allowed, ch) == NULL)
			cb_cli_usage_error(_("unknown option '--%s'"),
			    long_name(opts, ch));
		switch (ch) {
		case 'B':
			a->by = optarg;
			break;
		case 'C':
			a->o.cve = optarg;
			break;
		case 'k':
			a->o.publisher_key = optarg;
			break;
		case 'j':
			a->o.json = 1;
			break;
		case 'K':
			a->o.unacked = 1;
			break;
		case 'L':
			a->o.limit = limit_arg(optarg);
			break;
		case 'n':
			a->note = optarg;
			break;
		case 'O':
			a->o.origin = optarg;
			break;
		case 'o':
			a->output = optarg;
			break;
		case 'U':
			a->o.unread = 1;
			break;
		case 'u':
			a->o.utc = 1;
			break;
		case 'V':
			a->o.severity = optarg;
			break;
		case 'W':
			a->o.since = optarg;
			break;
		}
	}
	config_defaults(a);
}

/* A lookup's end: what its options borrowed from the config file is
 * released; returns rc. */
static int
lookup_done(struct lookup_args *a, int rc)
{
	sub_config_release(&a->cfg);
	return rc;
}

static int
cmd_list(int argc, char **argv)
{
	struct lookup_args a;

	lookup_options(argc, argv, "juWVOUKL", &a);
	cb_cli_operands(argc, argv, 0, 0, NULL);
	return lookup_done(&a, sub_lookup_list(&a.o));
}

static int
cmd_show(int argc, char **argv)
{
	struct lookup_args a;

	lookup_options(argc, argv, "ju", &a);
	cb_cli_operands(argc, argv, 1, 1, "ID");
	return lookup_done(&a, sub_lookup_show(&a.o, argv[optind]));
}

static int
cmd_follow(int argc, char **argv)
{
	struct lookup_args a;

	lookup_options(argc, argv, "jW", &a);
	cb_cli_operands(argc, argv, 0, 0, NULL);
	return lookup_done(&a, sub_lookup_follow(&a.o));
}

static int
cmd_export(int argc, char **argv)
{
	struct lookup_args a;
	int rc;

	lookup_options(argc, argv, "jkou", &a);
	cb_cli_operands(argc, argv, 1, 1, "ID");
	if (a.output == NULL)
		cb_cli_usage_error(_("missing -o FILE"));
	rc = sub_lookup_export(&a.o, argv[optind], a.output);
	return lookup_done(&a, rc);
}

static int
cmd_verify(int argc, char **argv)
{
	struct lookup_args a;
	int rc;

	lookup_options(argc, argv, "jk", &a);
	cb_cli_operands(argc, argv, 0, 0, NULL);
	rc = sub_lookup_verify(&a.o);
	return lookup_done(&a, rc);
}

static int
cmd_search(int argc, char **argv)
{
	struct lookup_args a;
	char *words;
	size_t len = 1;
	int i, rc;

	lookup_options(argc, argv, "juWVOUKCL", &a);
	if (optind == argc && a.o.cve == NULL)
		cb_cli_usage_error(_("missing QUERY (or --cve ID)"));
	for (i = optind; i < argc; i++)
		len += strlen(argv[i]) + 1;
	words = cb_xcalloc(1, len);
	for (i = optind; i < argc; i++) {
		strcat(words, argv[i]);
		strcat(words, " ");
	}
	rc = sub_lookup_search(&a.o, words);
	free(words);
	return lookup_done(&a, rc);
}

static int
cmd_ack(int argc, char **argv)
{
	struct lookup_args a;

	lookup_options(argc, argv, "juBn", &a);
	cb_cli_operands(argc, argv, 1, 1, "ID");
	if (a.by == NULL)
		cb_cli_usage_error(_("missing --by NAME"));
	return lookup_done(&a, sub_lookup_ack(&a.o, argv[optind], a.by, a.note));
}

/* --- keygen, report: the agency's side of the way back ---------------- */

static int
cmd_keygen(int argc, char **argv)
{
	return cb_cli_keygen(argc, argv, SUB_AGENCY_KEY_FILE, SUB_AGENCY_PUB_FILE,
	    N_("give the public key to the department: canhbao-pub agency "
	       "add"));
}

static int
queue_report(const char *state, const char *payload)
{
	char *path = cb_xasprintf("%s/%s", state, SUB_ARCHIVE_FILE);
	struct sub_store *s;
	struct cb_err err;
	int rc;

	if (cb_file_private_dir(state, 1, &err) < 0)
		cb_cli_die(err.msg);
	s = sub_store_open(path, 0, &err);
	free(path);
	if (s == NULL)
		cb_cli_die(err.msg);
	rc = sub_outbox_add(sub_store_db(s), CB_MSG_REPORT, payload, &err);
	sub_store_close(s);
	if (rc < 0)
		cb_cli_die(err.msg);
	return 0;
}

static int
cmd_report(int argc, char **argv)
{
	static const struct option opts[] = { { "attach", 1, NULL, 'a' },
		{ "details", 1, NULL, 'd' }, { "severity", 1, NULL, 'S' },
		{ "title", 1, NULL, 't' }, { NULL, 0, NULL, 0 } };
	const char *sev = NULL, *title = NULL, *dfile = NULL;
	char *files[SUB_OUTBOX_MAX_FILES + 1], *details = NULL, *payload;
	struct cb_err err;
	size_t nfiles = 0;
	int ch;

	while ((ch = cb_cli_next_option(argc, argv, ":a:d:S:t:", opts)) != -1) {
		if (ch == 'a' && nfiles <= SUB_OUTBOX_MAX_FILES)
			files[nfiles++] = optarg;
		else if (ch == 'd')
			dfile = optarg;
		else if (ch == 'S')
			sev = optarg;
		else if (ch == 't')
			title = optarg;
	}
	cb_cli_operands(argc, argv, 0, 0, NULL);
	if (sev == NULL)
		cb_cli_usage_error(_("missing --severity LEVEL"));
	if (title == NULL)
		cb_cli_usage_error(_("missing --title TEXT"));
	sev = cb_severity_name(cb_cli_severity(sev));
	if (title[0] == '\0' || strlen(title) > CB_ADV_MAX_TITLE ||
	    !cb_utf8_valid(title, strlen(title)))
		cb_cli_die(
		    _("the title must be UTF-8 text of 1 to 1024 bytes"));
	if (dfile != NULL && strcmp(dfile, "-") == 0)
		details = cb_file_read_fd(STDIN_FILENO, "standard input",
		    65536, NULL, &err);
	else if (dfile != NULL)
		details = cb_file_read(dfile, 65536, 0, NULL, &err);
	if (dfile != NULL && details == NULL)
		cb_cli_die(err.msg);
	if (details != NULL && !cb_utf8_valid(details, strlen(details)))
		cb_cli_die(_("the details file is not UTF-8 text"));
	payload = sub_outbox_report(sev, title, details, files, nfiles, &err);
	free(details);
	if (payload == NULL)
		cb_cli_die(err.msg);
	queue_report(cb_cli_state(), payload);
	free(payload);
	printf(_("report queued; it goes to the department when canhbao-sub "
		 "run is connected (canhbao-sub status shows it if the "
		 "department refuses it)\n"));
	return 0;
}

/* What waits in the outbox, and what the publisher refused and why. */
static int
cmd_status(int argc, char **argv)
{
	struct lookup_args a;

	lookup_options(argc, argv, "ju", &a);
	cb_cli_operands(argc, argv, 0, 0, NULL);
	return lookup_done(&a, sub_status_print(a.o.state, a.o.json,
	    a.o.utc));
}

static const struct cb_cli_program program = { "canhbao-sub", commands,
	NCOMMANDS, "sub.conf", 1, config_state, NULL };

int
main(int argc, char **argv)
{
	cb_locale_init();
	if (cb_sig_init() < 0) {
		fprintf(stderr,
		    _("canhbao-sub: cannot initialise libsodium\n"));
		return 2;
	}
	cb_log_init("canhbao-sub", CB_LOG_INFO);
	cb_cli_init(&program);
	return cb_cli_dispatch(argc, argv);
}
