/* mcuprov build: build the bootloader (provisioned with the keys) and app. */
#include "config.h"

#include "flowcli.h"
#include "mcuprov/flow.h"

static int build_exec(int argc, char **argv);

const struct cmd_entry cmd_build = {
	"build",
	"provision the bootloader with the project's keys and build bootloader and app",
	"build [-f FILE] [-t TARGET] [--dry-run] [--batch] [--json]",
	FLOWCLI_HELP,
	build_exec,
};

static int build_exec(int argc, char **argv)
{
	return cli_flow(&cmd_build, FLOW_DO_PROVISION | FLOW_DO_BUILD, argc, argv);
}
