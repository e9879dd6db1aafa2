/* mcuprov rotate: add a new signing key to the project, or retire an old one
 * (the core's rotate_plan() and rotate_apply(); the output is patch's). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "flowcli.h"
#include "mcuprov/project.h"
#include "mcuprov/fileio.h"
#include "mcuprov/rotate.h"

static int rotate_exec(int argc, char **argv);

const struct cmd_entry cmd_rotate = {
	"rotate",
	"rotate the project's signing key: add its successor, later retire the old one",
	"rotate add NEWKEY [-f FILE] [--dry-run] [--passin SRC] [--batch] [--allow-dev-key]\n"
	"                  [-D NAME[=VALUE]]... [-U NAME]...\n"
	"       mcuprov rotate retire KEY [-f FILE] [--dry-run] [--passin SRC] [--batch]\n"
	"                  [-D NAME[=VALUE]]... [-U NAME]...",
	"  add NEWKEY             NEWKEY becomes the signing key (first in the project's\n"
	"                         keys); the bootloader trusts it and every key before\n"
	"  retire KEY             KEY leaves the keys and the bootloader (not the\n"
	"                         signing key, not the last key)\n"
	"  -f, --file FILE        project file (default: mcuprov.yaml)\n"
	"  -n, --dry-run          show both diffs, change nothing\n"
	"      --passin SRC       password of encrypted keys (default: ask)\n"
	"      --batch            never ask anything: an encrypted key needs --passin\n"
	"      --allow-dev-key    add: accept MCUboot's published development keys\n"
	"  -D, --define NAME[=VALUE]  the bootloader's build defines NAME (as cc -D;\n"
	"                         NAME alone is 1; repeat): with the project's\n"
	"                         bootloader.defines, over them (the file keeps them)\n"
	"  -U, --undef NAME       the bootloader's build does not define NAME (repeat):\n"
	"                         with bootloader.undefines, over them\n"
	"      --production       refuse development keys even with --allow-dev-key\n"
	"  -h, --help             show this help\n"
	"\n"
	"The project's bootloader file (keys_c or conf) is provisioned with the new\n"
	"key list exactly as by 'mcuprov build', then only the keys list of the\n"
	"project file is rewritten; both diffs are shown first and both old files\n"
	"are kept as FILE.bak.  After 'add', rebuild and flash the bootloader before\n"
	"shipping images signed with the new key; 'retire' the old key once no\n"
	"device needs it.\n",
	rotate_exec,
};

enum { O_ALLOW_DEV = OPT_FIRST_FREE };

/* Print the diffs and what changed (stdout, as patch does). */
static void report(const struct project *p, const struct rotate_plan *plan,
		   const struct rotate_result *r, bool dry)
{
	const char *shown = p->bootloader.path != NULL ? p->bootloader.path : "";
	char boot[PROVISION_PATH_MAX];
	size_t i;

	/* named as the diff labels name it: relative to here when below it;
	 * the key file keys.c #includes when that is the one patched */
	if (r->boot.patched[0] != '\0')
		shown = r->boot.patched;
	file_rel_cwd(shown, boot, sizeof(boot));
	for (i = 0; i < r->boot.n_pub_written; i++)
		printf("wrote the public key '%s'\n", r->boot.pub_written[i]);
	if (r->provisioned && r->boot.changed)
		fputs(r->boot.diff, stdout);
	fputs(plan->project_diff, stdout);
	if (!r->provisioned)
		printf("'%s' names no bootloader file: make yours trust the keys with 'mcuprov "
		       "patch'\n",
		       plan->project_file);
	else if (!r->boot.changed)
		printf("'%s' already trusts these keys: nothing to change\n", boot);
	else if (dry)
		printf("dry run: '%s' left unchanged\n", boot);
	else if (r->boot.created)
		printf("created '%s': it trusts %zu key%s\n", boot, plan->n_keys,
		       plan->n_keys == 1 ? "" : "s");
	else
		printf("'%s' now trusts %zu key%s (the old one is '%s')\n", boot, plan->n_keys,
		       plan->n_keys == 1 ? "" : "s", r->boot.backup);
	if (dry)
		printf("dry run: '%s' left unchanged\n", plan->project_file);
	else
		printf("'%s' now lists %zu key%s, '%s' signs (the old one is '%s')\n",
		       plan->project_file, plan->n_keys, plan->n_keys == 1 ? "" : "s",
		       plan->keys[0].path, r->project_backup);
	if (dry)
		return;
	if (plan->action == ROTATE_ADD)
		printf("next: rebuild and flash the bootloader first, then sign new images with "
		       "'%s'\n",
		       plan->keys[0].path);
	else
		printf("next: rebuild and flash the bootloader; images signed with '%s' no longer "
		       "boot on it\n",
		       plan->retired);
}

static int rotate_exec(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"file", required_argument, NULL, 'f'},
		{"dry-run", no_argument, NULL, 'n'},
		{"batch", no_argument, NULL, 'b'},
		{"passin", required_argument, NULL, OPT_PASSIN},
		{"allow-dev-key", no_argument, NULL, O_ALLOW_DEV},
		{"define", required_argument, NULL, 'D'},
		{"undef", required_argument, NULL, 'U'},
		CLI_COMMON_LONGOPTS,
		{NULL, 0, NULL, 0},
	};
	const char *file = "mcuprov.yaml", *passin = NULL, *key_path;
	struct mcuprov_key *keys[PROJECT_KEYS_MAX + 1] = {NULL}, *new_key = NULL, *enc = NULL;
	struct project *p = NULL;
	struct rotate_plan plan;
	struct rotate_result r;
	struct cli_defines defs;
	struct mcuprov_err err;
	enum rotate_action action;
	bool dry = false, allow_dev = false;
	size_t i, j;
	int opt, rc = EXIT_FAIL;

	memset(&plan, 0, sizeof(plan));
	memset(&r, 0, sizeof(r));
	memset(&defs, 0, sizeof(defs));
	while ((opt = getopt_long(argc, argv, ":f:nD:U:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'f': file = optarg; break;
		case 'n': dry = true; break;
		case 'b': cli.batch = true; break;
		case OPT_PASSIN: passin = optarg; break;
		case O_ALLOW_DEV: allow_dev = true; break;
		case 'D':
		case 'U':
			if ((rc = cli_define(&cmd_rotate, &defs, optarg, opt == 'U')) >= 0)
				return rc;
			break;
		default:
			if ((rc = cli_common_option(&cmd_rotate, opt, argv)) >= 0)
				return rc;
		}
	}
	if (optind >= argc)
		return cli_usage(&cmd_rotate, "missing add or retire");
	if (strcmp(argv[optind], "add") == 0)
		action = ROTATE_ADD;
	else if (strcmp(argv[optind], "retire") == 0)
		action = ROTATE_RETIRE;
	else
		return cli_usage(&cmd_rotate, "unknown action '%s' (add or retire)", argv[optind]);
	if (optind + 1 >= argc)
		return cli_usage(&cmd_rotate, "missing %s",
				 action == ROTATE_ADD ? "NEWKEY" : "KEY");
	key_path = argv[optind + 1];
	if (optind + 2 < argc)
		return cli_usage(&cmd_rotate, "unexpected argument '%s'", argv[optind + 2]);
	if (allow_dev && action != ROTATE_ADD)
		return cli_usage(&cmd_rotate, "--allow-dev-key goes with add");

	err_clear(&err);
	if (project_load(file, &p, &err) < 0)
		return cli_fail(&err);
	for (i = 0; i < defs.n_defines; i++)
		if (project_define(p, defs.defines[i], false, &err) < 0) {
			rc = cli_fail(&err);
			goto out;
		}
	for (i = 0; i < defs.n_undefs; i++)
		if (project_define(p, defs.undefs[i], true, &err) < 0) {
			rc = cli_fail(&err);
			goto out;
		}
	if (action == ROTATE_ADD && (rc = cli_load_key(key_path, passin, &new_key)) != EXIT_OK)
		goto out;
	if (rotate_plan(p, action, key_path, new_key, allow_dev, &plan, &err) < 0) {
		rc = cli_fail(&err);
		goto out;
	}
	/* the keys afterwards: the new one is loaded, the others are P's */
	for (i = 0; i < plan.n_keys; i++) {
		if (plan.keys[i].is_new) {
			keys[i] = new_key;
			new_key = NULL;
			continue;
		}
		for (j = 0; j < p->n_keys && strcmp(p->keys[j].path, plan.keys[i].path) != 0; j++)
			;
		if (j == p->n_keys) {
			fprintf(stderr, "mcuprov: rotate: '%s': not a key of '%s'\n",
				plan.keys[i].path, file);
			rc = EXIT_FAIL;
			goto out;
		}
		if ((rc = cli_project_key(p, j, passin, &keys[i])) != EXIT_OK)
			goto out;
	}
	if (p->encryption_key_abspath != NULL &&
	    (rc = cli_load_key(p->encryption_key_abspath, passin, &enc)) != EXIT_OK)
		goto out;
	if (rotate_apply(p, &plan, (const struct mcuprov_key *const *)keys, enc, dry, &r, &err) <
	    0) {
		rc = cli_fail(&err);
		goto out;
	}
	report(p, &plan, &r, dry);
	rc = EXIT_OK;
out:
	rotate_result_free(&r);
	rotate_plan_free(&plan);
	for (i = 0; i < PROJECT_KEYS_MAX + 1; i++)
		key_free(keys[i]);
	key_free(new_key);
	key_free(enc);
	project_free(p);
	return rc;
}
