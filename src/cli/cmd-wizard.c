/* mcuprov wizard: the interactive ncurses front end (src/tui). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"
#include "../tui/tui.h"

static int wizard_exec(int argc, char **argv);

const struct cmd_entry cmd_wizard = {
	"wizard",
	"the interactive wizard (also `mcuprov` alone on a terminal)",
	"wizard",
	"  -h, --help      show this help\n"
	"\n"
	"Generate a key step by step, check a key file, and see the project in the\n"
	"current directory (mcuprov.yaml).  Keys: arrows, Tab and Shift-Tab move,\n"
	"Enter chooses, Esc goes back, ? or F1 shows help, q on Home quits.\n"
	"Needs a terminal of at least 80x24, unless MCUPROV_TUI_SCRIPT names a\n"
	"script of keys (see mcuprov(1), WIZARD).\n",
	wizard_exec,
};

static int wizard_exec(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct mcuprov_err err;
	const char *script = getenv("MCUPROV_TUI_SCRIPT");
	int opt, rc;

	while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		if ((rc = cli_common_option(&cmd_wizard, opt, argv)) >= 0)
			return rc;
	}
	if (optind < argc)
		return cli_usage(&cmd_wizard, "unexpected argument '%s'", argv[optind]);
	err_clear(&err);
	if ((script == NULL || script[0] == '\0') && !(isatty(0) && isatty(1))) {
		err_set(&err, MCUPROV_ERR_USAGE, NULL,
			"needs a terminal on standard input and output (or MCUPROV_TUI_SCRIPT)");
		return cli_fail(&err);
	}
	fflush(stdout);
	if (tui_main(cli.production, &err) < 0)
		return cli_fail(&err);
	return EXIT_OK;
}
