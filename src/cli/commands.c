/* The one list of mcuprov subcommands (order: as shown by `mcuprov help`). */
#include "config.h"

#include <stddef.h>

#include "cli.h"

extern const struct cmd_entry cmd_keygen, cmd_getpub, cmd_getpubhash, cmd_getpriv, cmd_keyinfo,
	cmd_fingerprint, cmd_sign, cmd_create, cmd_verify, cmd_decrypt, cmd_dumpinfo, cmd_patch, cmd_rotate, cmd_render, cmd_init, cmd_demo, cmd_build, cmd_flash, cmd_run, cmd_wizard, cmd_help, cmd_version;

const struct cmd_entry *const cli_commands[] = {
	&cmd_keygen, &cmd_getpub, &cmd_getpubhash, &cmd_getpriv, &cmd_keyinfo,
	&cmd_fingerprint, &cmd_sign, &cmd_create, &cmd_verify, &cmd_decrypt, &cmd_dumpinfo, &cmd_patch, &cmd_rotate, &cmd_render, &cmd_init, &cmd_demo, &cmd_build, &cmd_flash, &cmd_run, &cmd_wizard, &cmd_help, &cmd_version, NULL,
};
