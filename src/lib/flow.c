/* A project target's flow: provision, build, sign, verify, flash, run. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mcuprov/fileio.h"
#include "mcuprov/flow.h"
#include "mcuprov/image.h"
#include "mcuprov/passwd.h"
#include "mcuprov/provision.h"
#include "mcuprov/runner.h"

const char *flow_kind_name(enum flow_kind kind)
{
	static const char *const names[] = {
		"provision", "bootloader build", "app build", "sign", "verify", "flash", "run",
	};

	return (unsigned)kind <= FLOW_RUN ? names[kind] : "?";
}

void flow_result_free(struct flow_result *res)
{
	if (res == NULL)
		return;
	free(res->diff);
	res->diff = NULL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct ctx {
	const struct flow_opts *o;
	const struct flow_callbacks *cb;
	enum flow_kind kind;
	struct flow_result *res;
};

static void on_line(void *arg, int is_stderr, const char *line)
{
	struct ctx *c = arg;

	if (c->cb->line)
		c->cb->line(c->cb->arg, c->kind, is_stderr, line);
}

static void on_progress(void *arg, int percent, const char *line)
{
	struct ctx *c = arg;

	if (c->cb->progress)
		c->cb->progress(c->cb->arg, c->kind, percent);
}

/* One external step: expand, run in the project directory. */
static int external(struct ctx *c, const struct project_step *st, char ***argv_out,
		    struct mcuprov_err *err)
{
	static const char *const env[] = { "MAKEFLAGS", "MFLAGS", "MAKELEVEL", NULL };
	struct runner_opts ro;
	struct runner_result rr;
	int rc;

	rc = project_expand(c->o->project, c->o->target, (const char *const *)st->argv, argv_out,
			    err);
	if (rc < 0 || c->o->dry_run)
		return rc;
	memset(&ro, 0, sizeof(ro));
	ro.argv = (const char *const *)*argv_out;
	ro.cwd = c->o->project->dir;
	ro.setenv = env;
	ro.log_path = c->o->log_path;
	ro.timeout_ms = c->o->step_timeout_ms;
	ro.cancel = c->o->cancel;
	ro.on_line = on_line;
	ro.on_progress = on_progress;
	ro.arg = c;
	c->res->logged = c->res->logged || ro.log_path != NULL;
	if ((rc = runner_run(&ro, &rr, err)) < 0)
		return rc;
	if (rr.cancelled)
		return err_set(err, MCUPROV_ERR_REFUSED, NULL, "cancelled");
	if (rr.timed_out)
		return err_set(err, MCUPROV_ERR_IO, NULL, "%s did not finish in time", (*argv_out)[0]);
	if (rr.exit_code != 0)
		return err_set(err, MCUPROV_ERR_IO, NULL, "%s failed (%s %d)", (*argv_out)[0],
			       rr.term_signal ? "signal" : "exit status",
			       rr.term_signal ? rr.term_signal : rr.exit_code);
	return 0;
}

/* Resolve the target's path P (relative to the project) into OUT. */
static int resolve(const struct flow_opts *o, const char *p, char *out, size_t n,
		   struct mcuprov_err *err)
{
	if (project_path(o->project, p, out, n) < 0)
		return err_set(err, MCUPROV_ERR_USAGE, p, "path too long");
	return 0;
}

void flow_sign_opts_init(const struct project *p, struct image_sign_opts *so)
{
	image_sign_opts_init(so);
	so->version = p->image.version;
	so->header_size = p->image.header_size;
	so->pad_header = p->image.pad_header;
	so->slot_size = p->image.slot_size;
	so->align = p->image.align ? p->image.align : 1;
	so->pad = p->image.pad || p->image.confirm;
	so->confirm = p->image.confirm;
	so->has_security_counter = p->image.has_security_counter;
	so->security_counter_auto = p->image.security_counter_auto;
	so->security_counter = p->image.security_counter;
}

int flow_provision(const struct project *p, const struct mcuprov_key *const *keys,
		   const char *const *key_paths, size_t n_keys, const struct mcuprov_key *enc_key,
		   bool dry_run, struct file_txn *txn, struct provision_result *r,
		   struct mcuprov_err *err)
{
	struct provision_opts po;
	char shown[PROVISION_PATH_MAX];

	memset(r, 0, sizeof(*r));
	if (p->bootloader.kind == PROJECT_BOOT_NONE)
		return err_set(err, MCUPROV_ERR_USAGE, p->file, "names no bootloader file");
	memset(&po, 0, sizeof(po));
	po.keys = keys;
	po.key_paths = key_paths;
	po.n_keys = n_keys;
	po.enc_key = enc_key;
	po.enc_path = p->encryption_key_abspath;
	po.dry_run = dry_run;
	po.txn = txn;
	po.defines = (const char *const *)p->bootloader.defines;
	po.n_defines = p->bootloader.n_defines;
	po.undefs = (const char *const *)p->bootloader.undefs;
	po.n_undefs = p->bootloader.n_undefs;
	/* as a person would name it here: diff labels, messages and the
	 * backup read like those of `mcuprov patch` */
	file_rel_cwd(p->bootloader.path, shown, sizeof(shown));
	return p->bootloader.kind == PROJECT_BOOT_KEYS_C ? provision_keys_c(shown, &po, r, err)
							 : provision_conf(shown, &po, r, err);
}

int flow_run(const struct flow_opts *o, const struct flow_callbacks *cb, struct flow_result *res,
	     struct mcuprov_err *err)
{
	const struct project *p = o->project;
	const struct project_target *t = o->target;
	struct ctx c = { o, cb, FLOW_PROVISION, res };
	struct {
		enum flow_kind kind;
		const struct project_step *step; /* NULL: a core step */
	} plan[3 + 64 * 4 + 2];
	size_t n = 0, i, k;
	char app[4096], detail[600];
	int rc = 0;

	memset(res, 0, sizeof(*res));
	res->step_failed = (size_t)-1;
	/* a variable mcuprov.yaml reads a key's password from reaches no step,
	 * whether or not the key needed it this time */
	for (k = 0; k < p->n_keys; k++)
		if ((rc = passwd_withhold(p->keys[k].passin, err)) < 0)
			return rc;
	if ((o->what & FLOW_DO_PROVISION) && p->bootloader.kind != PROJECT_BOOT_NONE)
		plan[n++].kind = FLOW_PROVISION, plan[n - 1].step = NULL;
	if (t != NULL) {
		const struct {
			unsigned bit;
			enum flow_kind kind;
			const struct project_steps *steps;
		} lists[] = {
			{ 1u << FLOW_BOOTLOADER_BUILD, FLOW_BOOTLOADER_BUILD, &t->bootloader_build },
			{ 1u << FLOW_APP_BUILD, FLOW_APP_BUILD, &t->app_build },
		};

		for (k = 0; k < 2; k++)
			if (o->what & lists[k].bit)
				for (i = 0; i < lists[k].steps->n && n < sizeof(plan) / sizeof(plan[0]); i++)
					plan[n].kind = lists[k].kind, plan[n++].step = &lists[k].steps->v[i];
		if (o->what & (1u << FLOW_SIGN))
			plan[n].kind = FLOW_SIGN, plan[n++].step = NULL;
		if (o->what & (1u << FLOW_VERIFY))
			plan[n].kind = FLOW_VERIFY, plan[n++].step = NULL;
		if (o->what & FLOW_DO_FLASH)
			for (i = 0; i < t->flash.n && n < sizeof(plan) / sizeof(plan[0]); i++)
				plan[n].kind = FLOW_FLASH, plan[n++].step = &t->flash.v[i];
		if (o->what & FLOW_DO_RUN)
			for (i = 0; i < t->run.n && n < sizeof(plan) / sizeof(plan[0]); i++)
				plan[n].kind = FLOW_RUN, plan[n++].step = &t->run.v[i];
		if ((rc = resolve(o, t->signed_app, res->signed_app, sizeof(res->signed_app), err)) < 0 ||
		    (rc = resolve(o, t->app, app, sizeof(app), err)) < 0)
			return rc;
	} else if (o->what & ~FLOW_DO_PROVISION) {
		return err_set(err, MCUPROV_ERR_USAGE, p->file, "no target to build, sign or flash");
	}
	if (n == 0)
		return err_set(err, MCUPROV_ERR_USAGE, p->file,
			       "nothing to do: the target has no steps for this command");

	for (i = 0; i < n; i++) {
		char **argv = NULL;
		double t0 = now();

		c.kind = plan[i].kind;
		detail[0] = '\0';
		if (plan[i].step != NULL) {
			/* expand first, so that the front end can show the argv */
			if ((rc = project_expand(p, t, (const char *const *)plan[i].step->argv, &argv,
						 err)) < 0)
				goto fail;
			if (cb->step_begin)
				cb->step_begin(cb->arg, i, n, c.kind, (const char *const *)argv);
			project_argv_free(argv);
			argv = NULL;
			rc = external(&c, plan[i].step, &argv, err);
			project_argv_free(argv);
		} else {
			if (cb->step_begin)
				cb->step_begin(cb->arg, i, n, c.kind, NULL);
			switch (c.kind) {
			case FLOW_PROVISION: {
				struct provision_result pr;
				const char *paths[PROVISION_MAX_KEYS];

				struct mcuprov_lock *lk = NULL;
				const char *bp = p->bootloader.path;

				/* freed below whether or not provisioning ran */
				memset(&pr, 0, sizeof(pr));
				for (k = 0; k < o->n_keys && k < PROVISION_MAX_KEYS; k++)
					paths[k] = p->keys[k].abspath;

				/* no other mcuprov changes the project meanwhile */
				rc = o->dry_run ? 0
						: lock_project(p->file, &bp, 1, o->lock, &lk,
							       res->recovered, sizeof(res->recovered),
							       err);
				/* the project was read before an interrupted change was
				 * finished: its keys may be the old ones */
				if (rc == 0 && res->recovered[0] != '\0')
					rc = err_set(err, MCUPROV_ERR_REFUSED, p->file,
						     "an earlier mcuprov was interrupted in the middle "
						     "of a change to this project; it is finished now "
						     "(%.400s): run again",
						     res->recovered);
				if (rc == 0)
					rc = flow_provision(p, o->keys, paths, o->n_keys,
							    o->enc_key, o->dry_run, NULL, &pr, err);
				lock_release(lk);
				if (rc == 0) {
					char shown[PROVISION_PATH_MAX];

					res->diff = pr.diff;
					pr.diff = NULL;
					/* named as in the diff and the messages */
					file_rel_cwd(p->bootloader.path, shown, sizeof(shown));
					snprintf(detail, sizeof(detail), "%.400s: %s", shown,
						 !pr.changed ? "already trusts the keys"
						 : o->dry_run ? "would change (dry run)"
							      : "now trusts the keys");
				}
				provision_result_free(&pr);
				break;
			}
			case FLOW_SIGN: {
				struct image_sign_opts so;
				struct image_sign_result sr;

				if (o->dry_run) {
					snprintf(detail, sizeof(detail), "%.280s -> %.280s", app,
						 res->signed_app);
					break;
				}
				flow_sign_opts_init(p, &so);
				so.infile = app;
				so.outfile = res->signed_app;
				so.key = o->keys[0];
				rc = image_sign(&so, &sr, err);
				res->signed_app_made = rc == 0;
				if (rc == 0)
					snprintf(detail, sizeof(detail), "%.400s (%llu bytes, version %s)",
						 res->signed_app, (unsigned long long)sr.out_size,
						 p->image.version_text ? p->image.version_text : "");
				break;
			}
			case FLOW_VERIFY: {
				struct image_verify_result vr;

				if (o->dry_run)
					break;
				rc = image_verify(res->signed_app, o->keys, o->n_keys, &vr, err);
				if (rc == 0)
					snprintf(detail, sizeof(detail), "hash and signature valid (key %d)",
						 vr.key_index);
				break;
			}
			default:
				break;
			}
		}
		res->steps_run = i + 1;
		if (rc < 0)
			goto fail;
		if (cb->step_end)
			cb->step_end(cb->arg, i, n, c.kind, 0, now() - t0, detail);
		continue;
fail:
		res->step_failed = i;
		if (cb->step_end)
			cb->step_end(cb->arg, i, n, c.kind, rc, now() - t0, err ? err->msg : "");
		return rc;
	}
	return 0;
}
