/* The shared front end of `build`, `flash` and `run`: load the project and
 * its keys, run the core flow, show each step (or JSON). */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cli.h"
#include "flowcli.h"
#include "mcuprov/flow.h"
#include "mcuprov/project.h"
#include "mcuprov/runner.h"

static volatile sig_atomic_t cancel_flag;

static void on_sigint(int sig)
{
	(void)sig;
	cancel_flag = 1;
}

struct view {
	bool json, dry;
	json_object *steps, *cur;
	int progress_shown;
};

static void step_begin(void *arg, size_t i, size_t n, enum flow_kind kind, const char *const *argv)
{
	struct view *v = arg;
	char buf[8192];

	buf[0] = '\0';
	if (argv != NULL)
		runner_format_argv(argv, buf, sizeof(buf));
	if (v->json) {
		v->cur = json_object_new_object();
		json_object_object_add(v->cur, "step", json_object_new_string(flow_kind_name(kind)));
		if (argv != NULL) {
			json_object *a = json_object_new_array();
			size_t k;

			for (k = 0; argv[k] != NULL; k++)
				json_object_array_add(a, json_object_new_string(argv[k]));
			json_object_object_add(v->cur, "argv", a);
		}
		return;
	}
	printf("[%zu/%zu] %s%s%s\n", i + 1, n, flow_kind_name(kind), argv ? ": " : "", buf);
	fflush(stdout);
}

static void step_end(void *arg, size_t i, size_t n, enum flow_kind kind, int rc, double seconds,
		     const char *detail)
{
	struct view *v = arg;

	cli_progress_clear(&v->progress_shown);
	if (v->json) {
		if (v->cur == NULL)
			return;
		json_object_object_add(v->cur, "ok", json_object_new_boolean(rc == 0));
		json_object_object_add(v->cur, "seconds", json_object_new_double(seconds));
		json_object_object_add(v->cur, "detail", json_object_new_string(detail ? detail : ""));
		json_object_array_add(v->steps, v->cur);
		v->cur = NULL;
		return;
	}
	if (v->dry && rc == 0) {
		if (detail && detail[0])
			printf("      %s\n", detail);
		return;
	}
	printf("      %s %.2f s%s%s\n", rc == 0 ? "ok" : "FAILED", seconds,
	       detail && detail[0] ? "  " : "", detail ? detail : "");
	fflush(stdout);
}

static void line(void *arg, enum flow_kind kind, int is_stderr, const char *text)
{
	struct view *v = arg;

	/* what flashing and running print is worth seeing; builds go to the log */
	if (!v->json && (kind == FLOW_FLASH || kind == FLOW_RUN)) {
		printf("      | %s\n", text);
		fflush(stdout);
	}
}

static void progress(void *arg, enum flow_kind kind, int percent)
{
	struct view *v = arg;

	if (!v->json)
		cli_progress(&v->progress_shown, flow_kind_name(kind), percent);
}

int cli_project_passin(struct cli_passin *pi, const struct project *p, const char *extra)
{
	const char *names[PROJECT_KEYS_MAX + 2], *files[PROJECT_KEYS_MAX + 2];
	size_t n = 0, i;

	for (i = 0; i < p->n_keys && i < PROJECT_KEYS_MAX; i++, n++) {
		names[n] = p->keys[i].path;
		files[n] = p->keys[i].abspath;
	}
	if (p->encryption_key != NULL) {
		names[n] = p->encryption_key;
		files[n++] = p->encryption_key_abspath;
	}
	if (extra != NULL) {
		names[n] = extra;
		files[n++] = extra;
	}
	return cli_passin_bind(pi, names, files, n);
}

int cli_project_key(const struct project *p, size_t i, struct cli_passin *pi,
		    struct mcuprov_key **key)
{
	int rc;

	if ((rc = cli_load_key_as(pi, p->keys[i].abspath, p->keys[i].path, p->keys[i].passin,
				  key)) != EXIT_OK)
		return rc;
	if ((*key)->type != p->keys[i].type) {
		rc = cli_report(EXIT_FAIL, p->keys[i].path, "is %s but %s:%u says %s",
				key_type_name((*key)->type), p->file, p->keys[i].mark.line,
				key_type_name(p->keys[i].type));
		key_free(*key);
		*key = NULL;
		return rc;
	}
	return EXIT_OK;
}

int cli_flow(const struct cmd_entry *cmd, unsigned what, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "target", required_argument, NULL, 't' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "batch", no_argument, NULL, 'b' },
		{ "json", no_argument, NULL, 'j' },
		{ "log", required_argument, NULL, 'l' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "passin", required_argument, NULL, OPT_PASSIN },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	const char *file = "mcuprov.yaml", *target = NULL, *log = NULL;
	struct project *p = NULL;
	const struct project_target *t = NULL;
	struct mcuprov_key *keys[PROJECT_KEYS_MAX], *enc = NULL;
	struct cli_passin pi;
	struct flow_opts fo;
	struct flow_result fr;
	struct flow_callbacks cb;
	struct mcuprov_err err;
	struct sigaction sa, old;
	struct view v;
	char logbuf[4200];
	size_t loaded = 0, k;
	unsigned long timeout = 0;
	double t0;
	struct timespec ts;
	int opt, rc = EXIT_FAIL;

	memset(&v, 0, sizeof(v));
	memset(&fr, 0, sizeof(fr));
	memset(&pi, 0, sizeof(pi));
	/* with --json even a usage error is one JSON object */
	v.json = cli_json_wanted(argc, argv);
	while ((opt = getopt_long(argc, argv, ":f:t:nh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'f': file = optarg; break;
		case 't': target = optarg; break;
		case 'n': v.dry = true; break;
		case 'b': cli.batch = true; break;
		case 'j': v.json = true; break;
		case 'l': log = optarg; break;
		case 'T': {
			char *end;

			timeout = strtoul(optarg, &end, 10);
			if (*end != '\0' || optarg[0] == '\0' || timeout > 86400) {
				rc = cli_usage(cmd, "invalid --timeout '%s' (seconds)", optarg);
				goto out;
			}
			break;
		}
		case OPT_PASSIN:
			if ((rc = cli_passin_add(cmd, &pi, optarg)) >= 0)
				goto out;
			break;
		case OPT_HELP:
			return cli_help(cmd);
		default:
			if ((rc = cli_common_option(cmd, opt, argv)) >= 0)
				goto out;
		}
	}
	if (optind < argc) {
		rc = cli_usage(cmd, "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	err_clear(&err);
	if (project_load(file, &p, &err) < 0) {
		rc = cli_fail(&err);
		goto out;
	}
	if (project_target_get(p, target, &t, &err) < 0) {
		rc = cli_fail(&err);
		goto out;
	}
	if ((rc = cli_project_passin(&pi, p, NULL)) != EXIT_OK)
		goto out;
	for (loaded = 0; loaded < p->n_keys; loaded++) {
		/* only keys[0] signs, and only when the command signs: the
		 * others are trusted and verify, so a key in a token is read
		 * without its PIN */
		cli.key_load_flags = loaded == 0 && (what & (1u << FLOW_SIGN)) ? 0 : KEY_LOAD_PUBLIC;
		if ((rc = cli_project_key(p, loaded, &pi, &keys[loaded])) != EXIT_OK)
			goto out;
	}
	cli.key_load_flags = 0;
	if (p->encryption_key_abspath != NULL &&
	    (rc = cli_load_key_as(&pi, p->encryption_key_abspath, p->encryption_key, NULL,
				  &enc)) != EXIT_OK)
		goto out;
	if (log == NULL && snprintf(logbuf, sizeof(logbuf), "%s/mcuprov.log", p->dir) <
				   (int)sizeof(logbuf))
		log = logbuf;

	memset(&fo, 0, sizeof(fo));
	fo.project = p;
	fo.target = t;
	fo.what = what;
	fo.dry_run = v.dry;
	fo.keys = (const struct mcuprov_key *const *)keys;
	fo.n_keys = p->n_keys;
	fo.enc_key = enc;
	fo.log_path = v.dry ? NULL : log;
	fo.step_timeout_ms = (unsigned)timeout * 1000u;
	fo.cancel = &cancel_flag;
	fo.lock = cli_lock_opts();
	memset(&cb, 0, sizeof(cb));
	cb.step_begin = step_begin;
	cb.step_end = step_end;
	cb.line = line;
	cb.progress = progress;
	cb.arg = &v;
	v.steps = json_object_new_array();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigaction(SIGINT, &sa, &old);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	t0 = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	if (!v.json)
		printf("%s: target '%s' of '%s'%s\n", cmd->name, t->name, file,
		       v.dry ? " (dry run: nothing is run or changed)" : "");
	rc = flow_run(&fo, &cb, &fr, &err);
	sigaction(SIGINT, &old, NULL);
	cli_recovered(fr.recovered);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (!v.json && fr.diff != NULL && fr.diff[0] != '\0' && v.dry)
		fputs(fr.diff, stdout);
	if (rc < 0) {
		if (!v.json)
			printf("%s: FAILED at step %zu (%s)%s%s\n", cmd->name, fr.step_failed + 1,
			       err.msg, fr.logged ? "; log: " : "", fr.logged ? log : "");
		rc = cli_fail(&err);
		goto out;
	}
	if (!v.json)
		printf("%s: OK (%zu step%s, %.1f s)\n", cmd->name, fr.steps_run,
		       fr.steps_run == 1 ? "" : "s",
		       (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 - t0);
	rc = EXIT_OK;
out:
	if (v.json) {
		/* what was asked and what was made; "ok" and "error" last */
		json_object *j = json_object_new_object();

		json_object_object_add(j, "command", json_object_new_string(cmd->name));
		if (t != NULL)
			json_object_object_add(j, "target", json_object_new_string(t->name));
		json_object_object_add(j, "dry_run", json_object_new_boolean(v.dry));
		json_object_object_add(j, "steps", v.steps ? v.steps : json_object_new_array());
		v.steps = NULL;
		if (fr.signed_app_made)
			json_object_object_add(j, "signed_app",
					       json_object_new_string(fr.signed_app));
		if (fr.diff != NULL)
			json_object_object_add(j, "diff", json_object_new_string(fr.diff));
		if (fr.logged)
			json_object_object_add(j, "log", json_object_new_string(log));
		cli_json_print(j, rc);
	}
	json_object_put(v.steps);
	flow_result_free(&fr);
	for (k = 0; k < loaded; k++)
		key_free(keys[k]);
	key_free(enc);
	cli_passin_free(&pi);
	project_free(p);
	return rc;
}
