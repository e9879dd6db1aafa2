/* mcuprov run: provision, build, sign, verify, flash and run a target. */
#include "config.h"

#include "flowcli.h"
#include "mcuprov/flow.h"

static int run_exec(int argc, char **argv);

const struct cmd_entry cmd_run = {
	"run",
	"the whole target: provision, build, sign, verify, flash, run",
	"run [-f FILE] [-t TARGET] [--dry-run] [--batch] [--json]",
	FLOWCLI_HELP,
	run_exec,
};

static int run_exec(int argc, char **argv)
{
	return cli_flow(&cmd_run,
			FLOW_DO_PROVISION | FLOW_DO_BUILD | FLOW_DO_SIGN | FLOW_DO_FLASH | FLOW_DO_RUN,
			argc, argv);
}
