/* Shared front end of the flow commands (build, flash, run). */
#ifndef MCUPROV_FLOWCLI_H
#define MCUPROV_FLOWCLI_H

#include "cli.h"

/* Options common to the flow commands. */
#define FLOWCLI_HELP \
	"  -f, --file FILE        project file (default: mcuprov.yaml)\n" \
	"  -t, --target NAME      target (default: default_target, or the only one)\n" \
	"  -n, --dry-run          print the exact commands and the provisioning diff;\n" \
	"                         run and change nothing\n" \
	"      --batch            never ask anything: an encrypted key needs --passin\n" \
	"      --json             print one JSON object on stdout, also on failure\n" \
	"      --log FILE         every command's output (default: mcuprov.log beside\n" \
	"                         the project file)\n" \
	"      --timeout SECONDS  stop a step that runs longer\n" \
	"      --passin [KEYFILE=]SRC  password of the encrypted key KEYFILE (as\n" \
	"                         mcuprov.yaml names it), or of every key; repeat\n" \
	"      --production       refuse MCUboot's published development keys\n" \
	"  -h, --help             show this help\n"

struct project;

/* cli_passin_bind() PI to the keys of project P (keys[].path and
 * encryption_key as written, their files) and EXTRA, a key named on the
 * command line (or NULL).  Returns EXIT_OK or EXIT_USAGE (reported). */
int cli_project_passin(struct cli_passin *pi, const struct project *p, const char *extra);

/* Load key I of project P with cli_load_key_as() (named as mcuprov.yaml
 * writes it, its keys[].passin as the file's source) and check its type
 * against the project file ("'PATH': is X but FILE:LINE says Y").
 * Returns an exit code; on failure the error is reported and *key is
 * NULL. */
int cli_project_key(const struct project *p, size_t i, struct cli_passin *pi,
		    struct mcuprov_key **key);

/* Parse the common options, load the project and its keys, run the flow
 * parts WHAT (FLOW_DO_*) and report; returns the exit code. */
int cli_flow(const struct cmd_entry *cmd, unsigned what, int argc, char **argv);

#endif
