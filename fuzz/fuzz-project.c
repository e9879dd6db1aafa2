/* libFuzzer target for the project file reader: project_load_mem() on the
 * input (named "mcuprov.yaml", in the fixed directory "/nonexistent"), and
 * for a project it accepts, what the front ends do with it:
 * project_target() and project_target_get() (default, each target by
 * name, an unknown name), project_lookup() of every var and built-in, and
 * project_expand() of every step of every target (and of the same steps
 * without a target).  Checked against the contract:
 *  - a rejection says why and hands out no project;
 *  - everything is checked at load time, so every step of a loaded
 *    project expands, to as many words as it has;
 *  - project_target(name) finds the target of that name, and
 *    project_lookup() of a var gives its value.
 * Everything is freed, so libFuzzer's leak detection covers the loader.
 *
 * Run: make fuzz-run (all targets) or fuzz/fuzz-project CORPUS_DIR */
#include "config.h"

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcuprov/error.h"
#include "mcuprov/project.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void steps_check(const struct project *p, const struct project_target *t,
			const struct project_steps *s, const char *what)
{
	struct mcuprov_err err;
	size_t i, n;

	for (i = 0; i < s->n; i++) {
		char **argv = NULL;

		err_clear(&err);
		if (project_expand(p, t, (const char *const *)s->v[i].argv, &argv, &err) < 0) {
			fprintf(stderr,
				"fuzz-project: targets.%s.%s[%zu] loaded but does not expand: %s\n",
				t->name, what, i, err.msg);
			abort();
		}
		for (n = 0; argv[n] != NULL; n++)
			;
		if (n != s->v[i].argc || s->v[i].argv[n] != NULL)
			abort();
		project_argv_free(argv);
		/* built-ins only: may fail (a var, ${app}), must not crash or leak */
		argv = NULL;
		err_clear(&err);
		if (project_expand(p, NULL, (const char *const *)s->v[i].argv, &argv, &err) < 0) {
			if (argv != NULL || err.code == 0)
				abort();
		}
		project_argv_free(argv);
	}
}

static void target_check(const struct project *p, const struct project_target *t)
{
	static const char *const builtins[] = {"key",	    "signed_app", "app",     "project_dir",
					       "build_dir", "board",	  "no_such", NULL};
	char path[PATH_MAX];
	size_t i;

	if (project_target(p, t->name) != t)
		abort();
	for (i = 0; i < t->n_vars; i++)
		if (project_lookup(p, t, t->vars[i].name) != t->vars[i].value ||
		    t->vars[i].value == NULL)
			abort();
	for (i = 0; builtins[i] != NULL; i++) {
		(void)project_lookup(p, t, builtins[i]);
		(void)project_lookup(p, NULL, builtins[i]);
	}
	if (project_lookup(p, t, "app") == NULL || project_lookup(p, t, "signed_app") == NULL ||
	    project_lookup(p, t, "build_dir") == NULL)
		abort();
	(void)project_path(p, t->app, path, sizeof(path));
	(void)project_path(p, t->signed_app, path, sizeof(path));
	steps_check(p, t, &t->bootloader_build, "bootloader_build");
	steps_check(p, t, &t->app_build, "app_build");
	steps_check(p, t, &t->flash, "flash");
	steps_check(p, t, &t->run, "run");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct project_target *t = NULL;
	struct project *p = NULL;
	struct mcuprov_err err;
	size_t i;

	err_clear(&err);
	if (project_load_mem("mcuprov.yaml", "/nonexistent", (const char *)data, size, &p, &err) <
	    0) {
		if (p != NULL || err.code == 0 || err.msg[0] == '\0')
			abort();
		return 0;
	}
	if (p == NULL || p->n_keys == 0 || p->keys[0].abspath == NULL)
		abort();
	(void)project_target(p, NULL);
	err_clear(&err);
	if (project_target_get(p, NULL, &t, &err) < 0 && (t != NULL || err.code == 0))
		abort();
	err_clear(&err);
	if (project_target_get(p, "no such target", &t, &err) != MCUPROV_ERR_USAGE || t != NULL)
		abort();
	for (i = 0; i < p->n_targets; i++)
		target_check(p, &p->targets[i]);
	project_free(p);
	return 0;
}
