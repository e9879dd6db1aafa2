/* mcuprov help [COMMAND] and mcuprov version. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"

static int help_exec(int argc, char **argv);
static int version_exec(int argc, char **argv);

const struct cmd_entry cmd_help = {
	"help",
	"show the list of commands, or the help of one command",
	"help [COMMAND]",
	"  COMMAND   the command to describe (same as `mcuprov COMMAND --help`)\n",
	help_exec,
};

const struct cmd_entry cmd_version = {
	"version",
	"print mcuprov's version",
	"version",
	"",
	version_exec,
};

const struct cmd_entry *cli_find_command(const char *name);
void cli_list_commands(FILE *f);

const struct cmd_entry *cli_find_command(const char *name)
{
	const struct cmd_entry *const *c;

	for (c = cli_commands; *c != NULL; c++)
		if (strcmp((*c)->name, name) == 0)
			return *c;
	return NULL;
}

void cli_list_commands(FILE *f)
{
	const struct cmd_entry *const *c;

	fprintf(f, "usage: mcuprov [--production] [--version] [--help] COMMAND [ARGS]\n\n"
		   "commands:\n");
	for (c = cli_commands; *c != NULL; c++)
		fprintf(f, "  %-12s %s\n", (*c)->name, (*c)->summary);
	fprintf(f, "\nRun 'mcuprov COMMAND --help' for a command's options; see mcuprov(1).\n");
}

static int help_exec(int argc, char **argv)
{
	const struct cmd_entry *c;

	if (argc > 2)
		return cli_usage(&cmd_help, "too many arguments");
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
		return cli_help(&cmd_help);
	if (argc == 2) {
		c = cli_find_command(argv[1]);
		if (c == NULL)
			return cli_usage(&cmd_help, "unknown command '%s'", argv[1]);
		return cli_help(c);
	}
	cli_list_commands(stdout);
	return EXIT_OK;
}

static int version_exec(int argc, char **argv)
{
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
		return cli_help(&cmd_version);
	if (argc > 1)
		return cli_usage(&cmd_version, "unexpected argument '%s'", argv[1]);
	printf("mcuprov %s\n", PACKAGE_VERSION);
	return EXIT_OK;
}
