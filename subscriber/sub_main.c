/*
 * canhbao-sub: the subscriber.  Command dispatch; the daemon is
 * sub_daemon.c and the lookups sub_lookup.c.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_log.h"
#include "cb_sig.h"
#include "sub_config.h"
#include "sub_daemon.h"
#include "sub_lookup.h"

struct command {
	const char *name;
	int (*fn)(int, char **);
	const char *usage;
};

static int cmd_run(int, char **);
static int cmd_check_config(int, char **);
static int cmd_list(int, char **);
static int cmd_show(int, char **);
static int cmd_export(int, char **);

static const struct command commands[] = {
	{ "run", cmd_run,
	    "[-c FILE] --state DIR --broadcast ENDPOINT --publisher-key FILE\n"
	    "\t\t[--requests ENDPOINT] [--stale-after SECONDS] [--insecure] "
	    "[-v]" },
	{ "check-config", cmd_check_config, "-c FILE" },
	{ "list", cmd_list, "--state DIR [--json] [--utc]" },
	{ "show", cmd_show, "--state DIR [--json] [--utc] ID" },
	{ "export", cmd_export, "--state DIR -o FILE ID" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void __attribute__((noreturn))
usage(void)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		fprintf(stderr, "%s canhbao-sub %s %s\n", i ? "      " : "usage:",
		    commands[i].name, commands[i].usage);
	exit(2);
}

static void __attribute__((noreturn))
die(const char *msg)
{
	fprintf(stderr, "canhbao-sub: %s\n", msg);
	exit(2);
}

/* The run options, each also a [subscriber] key of the same name. */
static const struct option run_opts[] = { { "broadcast", 1, NULL, 'b' },
	{ "config", 1, NULL, 'c' }, { "insecure", 0, NULL, 'I' },
	{ "publisher-key", 1, NULL, 'k' }, { "requests", 1, NULL, 'R' },
	{ "stale-after", 1, NULL, 'S' }, { "state", 1, NULL, 's' },
	{ "verbose", 0, NULL, 'v' }, { NULL, 0, NULL, 0 } };

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
	case 's':
		return "state";
	case 'v':
		return "verbose";
	}
	return NULL;
}

/* Defaults, then the file (-c), then the flags on top; exits 2 with the
 * file:line of the first problem. */
static void
load_config(int argc, char **argv, struct sub_config *cfg)
{
	const char *file = NULL, *keys[16], *values[16];
	struct cb_err err;
	int ch, n = 0, i;

	while ((ch = getopt_long(argc, argv, "b:c:Ik:R:S:s:v", run_opts,
		    NULL)) != -1) {
		if (ch == 'c') {
			file = optarg;
			continue;
		}
		if (run_key(ch) == NULL || n == 16)
			usage();
		keys[n] = run_key(ch);
		values[n++] = (ch == 'I' || ch == 'v') ? "yes" : optarg;
	}
	if (optind != argc)
		usage();
	sub_config_init(cfg);
	if (file != NULL && sub_config_load(cfg, file, &err) < 0)
		die(err.msg);
	for (i = 0; i < n; i++)
		if (sub_config_set(cfg, keys[i], values[i], &err) < 0)
			die(err.msg);
	if (sub_config_check(cfg, &err) < 0)
		die(err.msg);
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
	printf("%s: ok: state %s, broadcast %s, requests %s\n",
	    cfg.path ? cfg.path : "(no file)", cfg.state, cfg.broadcast,
	    cfg.requests ? cfg.requests : "(none)");
	sub_config_release(&cfg);
	return 0;
}

/* Options shared by the lookups; returns the first operand's index. */
static int
lookup_options(int argc, char **argv, struct sub_lookup_opts *o,
    const char **out)
{
	static const struct option opts[] = { { "json", 0, NULL, 'j' },
		{ "output", 1, NULL, 'o' }, { "state", 1, NULL, 's' },
		{ "utc", 0, NULL, 'u' }, { NULL, 0, NULL, 0 } };
	int ch;

	memset(o, 0, sizeof(*o));
	while ((ch = getopt_long(argc, argv, "jo:s:u", opts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			o->json = 1;
			break;
		case 'o':
			if (out == NULL)
				usage();
			*out = optarg;
			break;
		case 's':
			o->state = optarg;
			break;
		case 'u':
			o->utc = 1;
			break;
		default:
			usage();
		}
	}
	if (o->state == NULL)
		usage();
	return optind;
}

static int
cmd_list(int argc, char **argv)
{
	struct sub_lookup_opts o;

	if (lookup_options(argc, argv, &o, NULL) != argc)
		usage();
	return sub_lookup_list(&o);
}

static int
cmd_show(int argc, char **argv)
{
	struct sub_lookup_opts o;
	int i = lookup_options(argc, argv, &o, NULL);

	if (i != argc - 1)
		usage();
	return sub_lookup_show(&o, argv[i]);
}

static int
cmd_export(int argc, char **argv)
{
	struct sub_lookup_opts o;
	const char *file = NULL;
	int i = lookup_options(argc, argv, &o, &file);

	if (i != argc - 1 || file == NULL)
		usage();
	return sub_lookup_export(&o, argv[i], file);
}

int
main(int argc, char **argv)
{
	size_t i;

	if (cb_sig_init() < 0) {
		fprintf(stderr, "canhbao-sub: cannot initialise libsodium\n");
		return 2;
	}
	cb_log_init("canhbao-sub", CB_LOG_INFO);
	if (argc < 2)
		usage();
	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(argv[1], commands[i].name) == 0) {
			optind = 1;
			return commands[i].fn(argc - 1, argv + 1);
		}
	fprintf(stderr, "canhbao-sub: unknown command '%s'\n", argv[1]);
	usage();
}
