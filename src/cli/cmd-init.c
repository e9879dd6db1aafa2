/* mcuprov init: a starting project file (mcuprov.yaml) from a profile. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mcuprov/project.h"

static int init_exec(int argc, char **argv);

#define INIT_DEFAULT_PROFILE "zephyr-sysbuild"
#define INIT_DEFAULT_OUTPUT "mcuprov.yaml"

enum { O_SUPPLY = OPT_FIRST_FREE };

const struct cmd_entry cmd_init = {
	"init",
	"write a starting project file (mcuprov.yaml) from a build and flash profile",
	"init [-p NAME|PATH] [-t TYPE] [-k KEY] [--supply DIR] [-o OUT] [--force] | init --list",
	"  -p, --profile P        the profile to start from: a NAME from --list\n"
	"                         (default " INIT_DEFAULT_PROFILE ") or a PATH (with a '/')\n"
	"  -t, --type TYPE        the signing key type: rsa-2048, rsa-3072, ecdsa-p256,\n"
	"                         ecdsa-p384 or ed25519 (default: KEY's type when it\n"
	"                         reads without a password, else the profile's)\n"
	"  -k, --key KEY          the signing key's file, keys[0] (default: the\n"
	"                         profile's); it need not exist yet.  Or a key in a\n"
	"                         PKCS#11 token (pkcs11:token=...;object=...), which\n"
	"                         must: its URI is written as given, never a PIN\n"
	"      --supply DIR       the directory the profile needs you to supply (your\n"
	"                         app, your bootloader tree), written into the project\n"
	"                         in place of the profile's default; it must exist\n"
	"  -o, --output OUT       the file to write (default " INIT_DEFAULT_OUTPUT "; - for\n"
	"                         standard output); its directory is the project's\n"
	"      --force            replace OUT (and a keys.c init renders) when it exists\n"
	"  -l, --list             list the profiles, one a line: NAME and what it is for\n"
	"  -h, --help             show this help\n"
	"\n"
	"The profile is checked as a project file, then copied as it is, comments\n"
	"and all, but for the key type and path -t and -k change and the directory\n"
	"--supply gives: edit its image layout and vars for your board.  A profile\n"
	"that builds on your sources prints one line, what you must supply (with\n"
	"--supply: the var set, and what the profile needs); a self-contained one\n"
	"(demo-qemu) also gets its keys.c, rendered for the key type, and the key's\n"
	"directory (mode 0700).  Profiles are looked up in $MCUPROV_TEMPLATES/targets,\n"
	"then in the installed templates/targets directory; the schema is in its\n"
	"README.md.\n",
	init_exec,
};

static int list_profiles(void)
{
	struct project_profile *v = NULL;
	struct mcuprov_err err;
	size_t n = 0, i;
	int width = 0;

	err_clear(&err);
	if (project_profiles(&v, &n, &err) < 0)
		return cli_fail(&err);
	if (n == 0) {
		fprintf(stderr, "mcuprov: %s: no profiles found (set MCUPROV_TEMPLATES)\n",
			cli.cmd);
		return EXIT_FAIL;
	}
	for (i = 0; i < n; i++)
		if ((int)strlen(v[i].name) > width)
			width = (int)strlen(v[i].name);
	for (i = 0; i < n; i++)
		printf("%-*s  %s\n", width, v[i].name, v[i].description);
	project_profiles_free(v, n);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "mcuprov: %s: cannot write to standard output\n", cli.cmd);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

static int init_exec(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "type", required_argument, NULL, 't' },
		{ "key", required_argument, NULL, 'k' },
		{ "supply", required_argument, NULL, O_SUPPLY },
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "list", no_argument, NULL, 'l' },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	const char *type = NULL;
	struct project_init_opts o;
	struct project_init_result r;
	struct mcuprov_err err;
	char *text = NULL;
	size_t len = 0;
	bool list = false;
	int opt, rc;

	memset(&o, 0, sizeof(o));
	while ((opt = getopt_long(argc, argv, ":p:t:k:o:lh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'p': o.profile = optarg; break;
		case 't': type = optarg; break;
		case 'k': o.key = optarg; break;
		case O_SUPPLY: o.supply = optarg; break;
		case 'o': o.out_path = optarg; break;
		case OPT_FORCE: o.force = true; break;
		case 'l': list = true; break;
		default:
			if ((rc = cli_common_option(&cmd_init, opt, argv)) >= 0)
				return rc;
		}
	}
	if (optind < argc)
		return cli_usage(&cmd_init, "unexpected argument '%s'", argv[optind]);
	if (list && (o.profile != NULL || o.out_path != NULL || o.force || type != NULL ||
		     o.key != NULL || o.supply != NULL))
		return cli_usage(&cmd_init, "--list takes no other option");
	if (list)
		return list_profiles();
	if (type != NULL && ((o.type = key_type_from_name(type)) == KEY_TYPE_NONE ||
			     !key_type_can_sign(o.type)))
		return cli_usage(&cmd_init,
				 "invalid --type '%s' (rsa-2048, rsa-3072, ecdsa-p256, ecdsa-p384 or "
				 "ed25519)",
				 type);
	if (o.profile == NULL)
		o.profile = INIT_DEFAULT_PROFILE;
	if (o.out_path == NULL)
		o.out_path = INIT_DEFAULT_OUTPUT;

	err_clear(&err);
	if (strcmp(o.out_path, "-") == 0) {
		if (project_init_text(&o, &text, &len, &r, &err) < 0)
			return cli_fail(&err);
		rc = cli_output(NULL, text, len);
		free(text);
		return rc;
	}
	if (project_create(&o, &r, &err) < 0)
		return cli_fail(&err);
	if (r.supply_var[0] != '\0')
		printf("%s: supplied %s: %s (the profile needs: %s)\n", o.out_path, r.supply_var,
		       r.supply, r.needs);
	else if (r.needs[0] != '\0')
		printf("%s: supply %s\n", o.out_path, r.needs);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "mcuprov: %s: cannot write to standard output\n", cli.cmd);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}
