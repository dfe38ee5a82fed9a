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
#include "sub_daemon.h"
#include "sub_lookup.h"

struct command {
	const char *name;
	int (*fn)(int, char **);
	const char *usage;
};

static int cmd_run(int, char **);
static int cmd_list(int, char **);
static int cmd_show(int, char **);
static int cmd_export(int, char **);

static const struct command commands[] = {
	{ "run", cmd_run,
	    "--state DIR --broadcast ENDPOINT --publisher-key FILE "
	    "[--insecure] [-v]" },
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

static int
cmd_run(int argc, char **argv)
{
	static const struct option opts[] = { { "broadcast", 1, NULL, 'b' },
		{ "insecure", 0, NULL, 'I' }, { "publisher-key", 1, NULL, 'k' },
		{ "state", 1, NULL, 's' }, { "verbose", 0, NULL, 'v' },
		{ NULL, 0, NULL, 0 } };
	struct sub_options o = { 0 };
	int ch, verbosity = CB_LOG_INFO;

	while ((ch = getopt_long(argc, argv, "b:Ik:s:v", opts, NULL)) != -1) {
		switch (ch) {
		case 'b':
			o.broadcast = optarg;
			break;
		case 'I':
			o.insecure = 1;
			break;
		case 'k':
			o.publisher_key = optarg;
			break;
		case 's':
			o.state = optarg;
			break;
		case 'v':
			verbosity = CB_LOG_DEBUG;
			break;
		default:
			usage();
		}
	}
	if (o.state == NULL || o.broadcast == NULL ||
	    o.publisher_key == NULL || optind != argc)
		usage();
	cb_log_init("canhbao-sub", verbosity);
	return sub_daemon_run(&o);
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
