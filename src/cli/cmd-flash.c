/* mcuprov flash: run the target's flash steps. */
#include "config.h"

#include "flowcli.h"
#include "mcuprov/flow.h"

static int flash_exec(int argc, char **argv);

const struct cmd_entry cmd_flash = {
	"flash",
	"flash the bootloader and the signed app (the target's flash steps)",
	"flash [-f FILE] [-t TARGET] [--dry-run] [--batch] [--json]",
	FLOWCLI_HELP,
	flash_exec,
};

static int flash_exec(int argc, char **argv)
{
	return cli_flow(&cmd_flash, FLOW_DO_FLASH, argc, argv);
}
