/* mcuprov init: a starting project file (mcuprov.yaml) from a profile. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mcuprov/fileio.h"
#include "mcuprov/project.h"

static int init_exec(int argc, char **argv);

#define INIT_DEFAULT_PROFILE "zephyr-sysbuild"
#define INIT_DEFAULT_OUTPUT "mcuprov.yaml"

const struct cmd_entry cmd_init = {
	"init",
	"write a starting project file (mcuprov.yaml) from a build and flash profile",
	"init [-p NAME|PATH] [-o OUT] [--force] | init --list",
	"  -p, --profile P        the profile to start from: a NAME from --list\n"
	"                         (default " INIT_DEFAULT_PROFILE ") or a PATH (with a '/')\n"
	"  -o, --output OUT       the file to write (default " INIT_DEFAULT_OUTPUT "; - for\n"
	"                         standard output)\n"
	"      --force            replace OUT when it exists\n"
	"  -l, --list             list the profiles, one a line: NAME and what it is for\n"
	"  -h, --help             show this help\n"
	"\n"
	"The profile is checked as a project file, then copied as it is, comments\n"
	"and all: edit its keys, image layout and vars for your board.  Profiles\n"
	"are looked up in $MCUPROV_TEMPLATES/targets, then in the installed\n"
	"templates/targets directory; the schema is in its README.md.\n",
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
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "list", no_argument, NULL, 'l' },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	const char *profile = NULL, *out_path = NULL;
	struct project *p = NULL;
	struct mcuprov_err err;
	char *path = NULL;
	uint8_t *text = NULL;
	size_t len = 0;
	bool force = false, list = false;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, ":p:o:lh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'p': profile = optarg; break;
		case 'o': out_path = optarg; break;
		case OPT_FORCE: force = true; break;
		case 'l': list = true; break;
		default:
			if ((rc = cli_common_option(&cmd_init, opt, argv)) >= 0)
				return rc;
		}
	}
	if (optind < argc)
		return cli_usage(&cmd_init, "unexpected argument '%s'", argv[optind]);
	if (list && (profile != NULL || out_path != NULL || force))
		return cli_usage(&cmd_init, "--list takes no other option");
	if (list)
		return list_profiles();
	if (profile == NULL)
		profile = INIT_DEFAULT_PROFILE;
	if (out_path == NULL)
		out_path = INIT_DEFAULT_OUTPUT;

	err_clear(&err);
	if (strcmp(out_path, "-") != 0) {
		if (project_init(profile, out_path, force, &err) < 0)
			return cli_fail(&err);
		return EXIT_OK;
	}
	/* standard output: the same checks as project_init(), then print */
	if (project_profile_find(profile, &path, &err) < 0)
		return cli_fail(&err);
	if (project_load(path, &p, &err) < 0 ||
	    file_read(path, PROJECT_FILE_MAX, &text, &len, NULL, &err) < 0)
		rc = cli_fail(&err);
	else
		rc = cli_output(NULL, text, len);
	project_free(p);
	free(text);
	free(path);
	return rc;
}
