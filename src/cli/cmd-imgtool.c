/* mcuprov under the name `imgtool` (make install links it): imgtool's
 * command line, mapped onto mcuprov's commands, so that a Zephyr build or
 * `west sign -t imgtool` runs mcuprov unchanged.
 *
 * `imgtool version` prints the imgtool version whose command line and
 * image output mcuprov matches; every other imgtool command runs the
 * mcuprov command of the same name, whose options are imgtool's
 * (dumpinfo's --outfile and --silent are translated). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* The imgtool release mcuprov's sign, verify and dumpinfo follow. */
#define IMGTOOL_COMPAT_VERSION "2.4.0"

const struct cmd_entry *cli_find_command(const char *name);
bool cli_invoked_as_imgtool(const char *argv0);
int imgtool_main(int argc, char **argv);

/* imgtool's commands, in its `imgtool --help` order, all run by the
 * mcuprov command of the same name ("version" is imgtool's own). */
static const char *const imgtool_cmds[] = {
	"create", "dumpinfo", "getpriv", "getpub", "getpubhash", "keygen", "keyinfo", "sign",
	"verify", "version", NULL,
};

bool cli_invoked_as_imgtool(const char *argv0)
{
	const char *base;

	if (argv0 == NULL)
		return false;
	base = strrchr(argv0, '/');
	base = base != NULL ? base + 1 : argv0;
	return strcmp(base, "imgtool") == 0 || strcmp(base, "imgtool.py") == 0;
}

static void imgtool_usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: imgtool [-h] COMMAND [ARGS]...\n\n"
		   "mcuprov %s under imgtool's name: imgtool %s's command line.\n\ncommands:\n",
		PACKAGE_VERSION, IMGTOOL_COMPAT_VERSION);
	for (i = 0; imgtool_cmds[i] != NULL; i++) {
		const struct cmd_entry *c = cli_find_command(imgtool_cmds[i]);

		if (strcmp(imgtool_cmds[i], "version") == 0)
			c = NULL; /* imgtool's own, not mcuprov's */
		fprintf(f, "  %-12s %s\n", imgtool_cmds[i],
			c != NULL ? c->summary : "print the imgtool version mcuprov matches");
	}
	fprintf(f, "\nRun 'imgtool COMMAND --help' for a command's options; see mcuprov(1).\n");
}

/* dumpinfo: imgtool spells -o as --outfile, and ignores -s/--silent; an
 * --outfile without --format is YAML there.  Rewrites ARGV in place (it
 * only shrinks, except for the "-f yaml" added, which NEWV has room for). */
static int dumpinfo_args(int argc, char **argv, char **newv)
{
	static char output[] = "--output", fopt[] = "-f", yaml[] = "yaml";
	bool out = false, fmt = false, dashdash = false;
	int i, n = 0;

	for (i = 0; i < argc; i++) {
		char *a = argv[i];

		if (!dashdash && i > 0) {
			if (strcmp(a, "--") == 0)
				dashdash = true;
			else if (strcmp(a, "-s") == 0 || strcmp(a, "--silent") == 0)
				continue;
			else if (strcmp(a, "--outfile") == 0 || strcmp(a, "-o") == 0)
				a = output, out = true;
			else if (strncmp(a, "--outfile=", 10) == 0)
				a += 1, memcpy(a, "--output=", 9), out = true;
			else if (strncmp(a, "-o", 2) == 0 || strncmp(a, "--output", 8) == 0)
				out = true;
			else if (strncmp(a, "-f", 2) == 0 || strncmp(a, "--format", 8) == 0)
				fmt = true;
		}
		newv[n++] = a;
	}
	if (out && !fmt) {
		/* insert before the operands: right after the command name */
		memmove(newv + 3, newv + 1, (size_t)(n - 1) * sizeof(*newv));
		newv[1] = fopt;
		newv[2] = yaml;
		n += 2;
	}
	newv[n] = NULL;
	return n;
}

int imgtool_main(int argc, char **argv)
{
	const struct cmd_entry *cmd;
	const char *name;
	char **newv;
	size_t i;
	int n, rc;

	cli.cmd = "imgtool";
	if (argc < 2) {
		imgtool_usage(stderr);
		return EXIT_USAGE;
	}
	name = argv[1];
	if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0) {
		imgtool_usage(stdout);
		return EXIT_OK;
	}
	if (name[0] == '-')
		return cli_report(EXIT_USAGE, name, "not an imgtool option (imgtool [-h] COMMAND "
						    "[ARGS]...)");
	for (i = 0; imgtool_cmds[i] != NULL; i++)
		if (strcmp(imgtool_cmds[i], name) == 0)
			break;
	if (imgtool_cmds[i] == NULL)
		return cli_report(EXIT_USAGE, name,
				  "not an imgtool command mcuprov takes (create, dumpinfo, "
				  "getpriv, getpub, getpubhash, keygen, keyinfo, sign, verify, "
				  "version)");
	if (strcmp(name, "version") == 0) {
		cli.cmd = "version";
		if (argc > 2 && (strcmp(argv[2], "-h") == 0 || strcmp(argv[2], "--help") == 0)) {
			printf("usage: imgtool version\n\nprint the imgtool version mcuprov "
			       "matches (mcuprov %s: imgtool %s)\n",
			       PACKAGE_VERSION, IMGTOOL_COMPAT_VERSION);
			return EXIT_OK;
		}
		if (argc > 2)
			return cli_report(EXIT_USAGE, argv[2], "unexpected argument (usage: imgtool "
							       "version)");
		printf("%s\n", IMGTOOL_COMPAT_VERSION);
		return EXIT_OK;
	}
	cmd = cli_find_command(name);
	if (cmd == NULL)
		return cli_report(EXIT_FAIL, name, "command missing from this mcuprov");
	cli.cmd = cmd->name;
	optind = 0; /* GNU getopt: full re-initialisation for the subcommand */
	if (strcmp(name, "dumpinfo") != 0)
		return cmd->exec(argc - 1, argv + 1);
	newv = calloc((size_t)argc + 3, sizeof(*newv));
	if (newv == NULL)
		return cli_report(EXIT_FAIL, NULL, "out of memory");
	n = dumpinfo_args(argc - 1, argv + 1, newv);
	rc = cmd->exec(n, newv);
	free(newv);
	return rc;
}
