/* mcuprov core: run a project target's flow — the one engine behind
 * `mcuprov build`, `flash`, `run` and the wizard's Build & flash screen.
 *
 * Steps, each optional: provision the bootloader (keys.c or config
 * fragment, as `patch`), bootloader build, app build, sign (the project's
 * image settings), verify, flash, run.  External steps are argv lists from
 * the project file run by the runner (never a shell) in the project's
 * directory, without the variables passwords come from (runner_run(); the
 * project's keys[].passin env:NAME are withheld by flow_run()); signing
 * and verifying are core calls. */
#ifndef MCUPROV_FLOW_H
#define MCUPROV_FLOW_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "mcuprov/error.h"
#include "mcuprov/fileio.h"
#include "mcuprov/key.h"
#include "mcuprov/lock.h"
#include "mcuprov/project.h"
#include "mcuprov/provision.h"

enum flow_kind {
	FLOW_PROVISION,
	FLOW_BOOTLOADER_BUILD,
	FLOW_APP_BUILD,
	FLOW_SIGN,
	FLOW_VERIFY,
	FLOW_FLASH,
	FLOW_RUN,
};

/* Which parts to run (bits). */
#define FLOW_DO_PROVISION (1u << FLOW_PROVISION)
#define FLOW_DO_BUILD ((1u << FLOW_BOOTLOADER_BUILD) | (1u << FLOW_APP_BUILD))
#define FLOW_DO_SIGN ((1u << FLOW_SIGN) | (1u << FLOW_VERIFY))
#define FLOW_DO_FLASH (1u << FLOW_FLASH)
#define FLOW_DO_RUN (1u << FLOW_RUN)

/* "provision", "bootloader build", ... */
const char *flow_kind_name(enum flow_kind kind);

struct flow_callbacks {
	/* step I of N: an external command (ARGV) or a core step (ARGV NULL) */
	void (*step_begin)(void *arg, size_t i, size_t n, enum flow_kind kind,
			   const char *const *argv);
	void (*step_end)(void *arg, size_t i, size_t n, enum flow_kind kind, int rc,
			 double seconds, const char *detail);
	void (*line)(void *arg, enum flow_kind kind, int is_stderr, const char *line);
	void (*progress)(void *arg, enum flow_kind kind, int percent);
	void *arg;
};

struct flow_opts {
	const struct project *project;
	const struct project_target *target; /* needed for builds, sign, flash, run */
	unsigned what;                        /* FLOW_DO_* */
	bool dry_run;                         /* report steps and the diff, run nothing */
	const struct mcuprov_key *const *keys; /* the project's keys, loaded (keys[0] signs) */
	size_t n_keys;
	const struct mcuprov_key *enc_key;    /* or NULL */
	const char *log_path;                 /* every command's output, or NULL */
	unsigned step_timeout_ms;             /* per external step, 0: none */
	volatile sig_atomic_t *cancel;
	/* the provision step holds the project's lock (lock_project());
	 * NULL: the default wait, no notice */
	const struct lock_opts *lock;
};

struct flow_result {
	size_t steps_run;
	size_t step_failed;   /* index of the failing step, or (size_t)-1 */
	char *diff;           /* provisioning diff (owned), or NULL */
	char signed_app[4096]; /* the target's signed image, resolved */
	bool signed_app_made; /* the sign step wrote signed_app (not a dry run) */
	bool logged;          /* an external step ran: log_path holds its output */
	/* files an interrupted earlier change left to finish, moved into place
	 * when the provision step took the lock ("'keys.c', 'mcuprov.yaml'"),
	 * or "" */
	char recovered[1024];
};

/* SO set to imgtool's defaults (image_sign_opts_init) overridden by the
 * project's image settings (version, header and slot size, alignment,
 * padding, confirm, security counter): how the flow's sign step and the
 * wizard's Sign screen sign.  Files and key are left for the caller. */
void flow_sign_opts_init(const struct project *p, struct image_sign_opts *so);

/* The flow's provision step on its own: provision P's bootloader file
 * (P->bootloader.path; kind PROJECT_BOOT_KEYS_C or PROJECT_BOOT_CONF) with
 * the signing keys KEYS, whose files are KEY_PATHS, and the encryption key
 * ENC_KEY (or NULL), through provision_keys_c() or provision_conf() with no
 * extra config files and P's bootloader.defines / undefines as -D / -U;
 * DRY_RUN as there.  `build` passes the project's keys,
 * `rotate` the keys after a rotation; TXN as provision_opts.txn.  Release R with
 * provision_result_free() (also after a failure).  Returns as those, or
 * MCUPROV_ERR_USAGE when P names no bootloader file. */
int flow_provision(const struct project *p, const struct mcuprov_key *const *keys,
		   const char *const *key_paths, size_t n_keys, const struct mcuprov_key *enc_key,
		   bool dry_run, struct file_txn *txn, struct provision_result *r,
		   struct mcuprov_err *err);

/* Run the flow; returns 0 or the failing step's error (an external step's
 * non-zero exit is MCUPROV_ERR_IO "<tool> failed (exit status N)").
 * flow_result_free() releases RES. */
int flow_run(const struct flow_opts *o, const struct flow_callbacks *cb, struct flow_result *res,
	     struct mcuprov_err *err);

void flow_result_free(struct flow_result *res);

#endif
