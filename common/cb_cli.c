/* cb_cli: command table dispatch and usage (see cb_cli.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_cli.h"

static const char *cli_prog = "canhbao";
static const struct cb_command *cli_cmds;
static size_t cli_n;

void
cb_cli_init(const char *prog, const struct cb_command *cmds, size_t n)
{
	cli_prog = prog;
	cli_cmds = cmds;
	cli_n = n;
}

void
cb_cli_usage(void)
{
	size_t i;

	for (i = 0; i < cli_n; i++)
		fprintf(stderr, "%s %s %s %s\n", i ? "      " : "usage:",
		    cli_prog, cli_cmds[i].name, cli_cmds[i].usage);
	exit(2);
}

void
cb_cli_die(const char *msg)
{
	fprintf(stderr, "%s: %s\n", cli_prog, msg);
	exit(2);
}

int
cb_cli_dispatch(int argc, char **argv)
{
	size_t i;

	if (argc < 2)
		cb_cli_usage();
	for (i = 0; i < cli_n; i++)
		if (strcmp(argv[1], cli_cmds[i].name) == 0) {
			optind = 1;
			return cli_cmds[i].fn(argc - 1, argv + 1);
		}
	fprintf(stderr, "%s: unknown command '%s'\n", cli_prog, argv[1]);
	cb_cli_usage();
}
