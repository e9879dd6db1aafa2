/* mcuprov rotate: add a new signing key to the project, or retire an old one
 * (the core's rotate_plan() and rotate_apply(); the output is patch's). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cli.h"
#include "flowcli.h"
#include "mcuprov/project.h"
#include "mcuprov/fileio.h"
#include "mcuprov/pkcs11.h"
#include "mcuprov/rotate.h"

static int rotate_exec(int argc, char **argv);

const struct cmd_entry cmd_rotate = {
	"rotate",
	"rotate the project's signing key: add its successor, later retire the old one",
	"rotate add NEWKEY [-f FILE] [--dry-run] [--passin [KEYFILE=]SRC]... [--batch]\n"
	"                  [--allow-dev-key] [--json] [-D NAME[=VALUE]]... [-U NAME]...\n"
	"       mcuprov rotate retire KEY [-f FILE] [--dry-run] [--passin [KEYFILE=]SRC]...\n"
	"                  [--batch] [--json] [-D NAME[=VALUE]]... [-U NAME]...",
	"  add NEWKEY             NEWKEY becomes the signing key (first in the project's\n"
	"                         keys); the bootloader trusts it and every key before\n"
	"  retire KEY             KEY leaves the keys and the bootloader (not the\n"
	"                         signing key, not the last key)\n"
	"  -f, --file FILE        project file (default: mcuprov.yaml)\n"
	"  -n, --dry-run          show both diffs, change nothing\n"
	"      --passin [KEYFILE=]SRC  password of the encrypted key KEYFILE (as\n"
	"                         mcuprov.yaml or NEWKEY names it), or of every key;\n"
	"                         repeat (default: keys[].passin, else ask)\n"
	"      --batch            never ask anything: an encrypted key needs a source\n"
	"      --json             print one JSON object on stdout, also on failure\n"
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
	"are kept as FILE.bak (FILE.bak.1, ... when that exists).  A key that no\n"
	"longer signs is kept as its public half: its entry names NAME.pub.pem,\n"
	"written beside its private key file, so that builds never need its\n"
	"password (a key in a PKCS#11 token stays there: its entry becomes its URI\n"
	"with ;type=public, which never asks for the PIN).  After 'add', rebuild\n"
	"and flash the bootloader before shipping images signed with the new key;\n"
	"'retire' the old key once no device needs it.\n",
	rotate_exec,
};

enum { O_ALLOW_DEV = OPT_FIRST_FREE, O_JSON };

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

/* The result as JSON: what was asked (ACTION and KEY_PATH once known),
 * when it worked (PLAN non-NULL) the keys afterwards and the diffs, and
 * always the files actually written. */
static json_object *report_json(enum rotate_action action, const char *key_path, bool dry,
				const struct project *p, const struct rotate_plan *plan,
				const struct rotate_result *r)
{
	json_object *j = json_object_new_object(), *a;
	char boot[PROVISION_PATH_MAX];
	size_t i;

	json_object_object_add(j, "command", json_object_new_string("rotate"));
	if (key_path != NULL) {
		json_object_object_add(j, "action",
				       json_object_new_string(rotate_action_name(action)));
		json_object_object_add(j, "key", json_object_new_string(key_path));
	}
	json_object_object_add(j, "dry_run", json_object_new_boolean(dry));
	if (plan != NULL) {
		a = json_object_new_array();
		for (i = 0; i < plan->n_keys; i++) {
			json_object *k = json_object_new_object();

			json_object_object_add(k, "path",
					       json_object_new_string(plan->keys[i].path));
			json_object_object_add(k, "role",
					       json_object_new_string(i ? "trusted" : "signs"));
			json_object_array_add(a, k);
		}
		json_object_object_add(j, "keys", a);
		json_object_object_add(j, "project_file",
				       json_object_new_string(plan->project_file));
		json_object_object_add(j, "project_diff",
				       json_object_new_string(plan->project_diff));
	}
	if (plan != NULL && r->provisioned) {
		json_object *b = json_object_new_object();

		file_rel_cwd(r->boot.patched[0] != '\0' ? r->boot.patched : p->bootloader.path,
			     boot, sizeof(boot));
		json_object_object_add(b, "file", json_object_new_string(boot));
		json_object_object_add(b, "changed", json_object_new_boolean(r->boot.changed));
		json_object_object_add(b, "diff",
				       json_object_new_string(r->boot.diff ? r->boot.diff : ""));
		if (r->boot.written && r->boot.backup[0] != '\0')
			json_object_object_add(b, "backup", json_object_new_string(r->boot.backup));
		json_object_object_add(j, "bootloader", b);
	}
	if (r->project_written)
		json_object_object_add(j, "project_backup",
				       json_object_new_string(r->project_backup));
	if (plan != NULL || r->boot.n_pub_written > 0) {
		a = json_object_new_array();
		for (i = 0; i < r->boot.n_pub_written; i++)
			json_object_array_add(a, json_object_new_string(r->boot.pub_written[i]));
		json_object_object_add(j, "public_keys_written", a);
	}
	return j;
}

static int rotate_exec(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"file", required_argument, NULL, 'f'},
		{"dry-run", no_argument, NULL, 'n'},
		{"batch", no_argument, NULL, 'b'},
		{"passin", required_argument, NULL, OPT_PASSIN},
		{"allow-dev-key", no_argument, NULL, O_ALLOW_DEV},
		{"json", no_argument, NULL, O_JSON},
		{"define", required_argument, NULL, 'D'},
		{"undef", required_argument, NULL, 'U'},
		CLI_COMMON_LONGOPTS,
		{NULL, 0, NULL, 0},
	};
	const char *file = "mcuprov.yaml", *key_path = NULL;
	char *key_shown = NULL; /* KEY_PATH for the report: a URI without its PIN */
	struct mcuprov_key *keys[PROJECT_KEYS_MAX + 1] = {NULL}, *new_key = NULL, *enc = NULL;
	struct project *p = NULL;
	struct mcuprov_lock *lock = NULL;
	struct rotate_plan plan;
	struct rotate_result r;
	struct cli_defines defs;
	struct cli_passin pi;
	struct mcuprov_err err;
	enum rotate_action action = ROTATE_ADD;
	bool dry = false, allow_dev = false, json;
	size_t i;
	int opt, rc = EXIT_FAIL;

	memset(&plan, 0, sizeof(plan));
	memset(&r, 0, sizeof(r));
	memset(&defs, 0, sizeof(defs));
	memset(&pi, 0, sizeof(pi));
	/* with --json even a usage error is one JSON object */
	json = cli_json_wanted(argc, argv);
	while ((opt = getopt_long(argc, argv, ":f:nD:U:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'f': file = optarg; break;
		case 'n': dry = true; break;
		case 'b': cli.batch = true; break;
		case OPT_PASSIN:
			if ((rc = cli_passin_add(&cmd_rotate, &pi, optarg)) >= 0)
				goto out;
			break;
		case O_ALLOW_DEV: allow_dev = true; break;
		case O_JSON: json = true; break;
		case 'D':
		case 'U':
			if ((rc = cli_define(&cmd_rotate, &defs, optarg, opt == 'U')) >= 0)
				goto out;
			break;
		case OPT_HELP:
			return cli_help(&cmd_rotate);
		default:
			if ((rc = cli_common_option(&cmd_rotate, opt, argv)) >= 0)
				goto out;
		}
	}
	if (optind >= argc) {
		rc = cli_usage(&cmd_rotate, "missing add or retire");
		goto out;
	}
	if (strcmp(argv[optind], "add") == 0)
		action = ROTATE_ADD;
	else if (strcmp(argv[optind], "retire") == 0)
		action = ROTATE_RETIRE;
	else {
		rc = cli_usage(&cmd_rotate, "unknown action '%s' (add or retire)", argv[optind]);
		goto out;
	}
	if (optind + 1 >= argc) {
		rc = cli_usage(&cmd_rotate, "missing %s", action == ROTATE_ADD ? "NEWKEY" : "KEY");
		goto out;
	}
	key_path = argv[optind + 1];
	if (pkcs11_is_uri(key_path) && (key_shown = pkcs11_uri_redact(key_path)) == NULL) {
		rc = cli_report(EXIT_FAIL, NULL, "out of memory");
		goto out;
	}
	if (optind + 2 < argc) {
		rc = cli_usage(&cmd_rotate, "unexpected argument '%s'", argv[optind + 2]);
		goto out;
	}
	if (allow_dev && action != ROTATE_ADD) {
		rc = cli_usage(&cmd_rotate, "--allow-dev-key goes with add");
		goto out;
	}

	err_clear(&err);
	/* no other mcuprov changes the project from before it is read to
	 * after both files are written (not for a dry run: it writes nothing) */
	if (!dry) {
		char recovered[1024];

		if (lock_project(file, NULL, 0, cli_lock_opts(), &lock, recovered,
				 sizeof(recovered), &err) < 0) {
			rc = cli_fail(&err);
			goto out;
		}
		cli_recovered(recovered);
	}
	if (project_load(file, &p, &err) < 0) {
		rc = cli_fail(&err);
		goto out;
	}
	if (lock != NULL && p->bootloader.path != NULL) {
		/* named in messages as a person would type it here */
		static char shown[4096];
		const char *bp = shown;

		file_rel_cwd(p->bootloader.path, shown, sizeof(shown));
		if (lock_add(lock, &bp, 1, cli_lock_opts(), &err) < 0) {
			rc = cli_fail(&err);
			goto out;
		}
	}
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
	if ((rc = cli_project_passin(&pi, p, action == ROTATE_ADD ? key_path : NULL)) != EXIT_OK)
		goto out;
	if (action == ROTATE_ADD &&
	    (rc = cli_load_key_as(&pi, key_path, key_path, NULL, &new_key)) != EXIT_OK)
		goto out;
	if (rotate_plan(p, action, key_path, new_key, allow_dev, &plan, &err) < 0) {
		rc = cli_fail(&err);
		goto out;
	}
	/* the keys afterwards: the new one is loaded, the others are P's (a key
	 * stored as its public half afterwards is loaded from its file now);
	 * nothing signs here, so a key in a token is read without its PIN */
	cli.key_load_flags = KEY_LOAD_PUBLIC;
	for (i = 0; i < plan.n_keys; i++) {
		if (plan.keys[i].is_new) {
			keys[i] = new_key;
			new_key = NULL;
			continue;
		}
		if (plan.keys[i].from < 0 || (size_t)plan.keys[i].from >= p->n_keys) {
			rc = cli_report(EXIT_FAIL, plan.keys[i].path, "not a key of '%s'", file);
			goto out;
		}
		if ((rc = cli_project_key(p, (size_t)plan.keys[i].from, &pi, &keys[i])) != EXIT_OK)
			goto out;
	}
	cli.key_load_flags = 0;
	if (p->encryption_key_abspath != NULL &&
	    (rc = cli_load_key_as(&pi, p->encryption_key_abspath, p->encryption_key, NULL,
				  &enc)) != EXIT_OK)
		goto out;
	if (rotate_apply(p, &plan, (const struct mcuprov_key *const *)keys, enc, dry, &r, &err) <
	    0) {
		rc = cli_fail(&err);
		goto out;
	}
	if (!json)
		report(p, &plan, &r, dry);
	rc = EXIT_OK;
out:
	if (json)
		cli_json_print(report_json(action, key_shown != NULL ? key_shown : key_path, dry, p,
					   rc == EXIT_OK ? &plan : NULL, &r),
			       rc);
	rotate_result_free(&r);
	rotate_plan_free(&plan);
	for (i = 0; i < PROJECT_KEYS_MAX + 1; i++)
		key_free(keys[i]);
	key_free(new_key);
	key_free(enc);
	cli_passin_free(&pi);
	project_free(p);
	lock_release(lock);
	free(key_shown);
	return rc;
}
