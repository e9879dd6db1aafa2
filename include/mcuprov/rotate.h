/* mcuprov core: signing-key rotation — the one flow behind `mcuprov rotate`
 * and the wizard's Keyring screen.
 *
 * MCUboot accepts an image signed by any key compiled into the bootloader.
 * Replacing the signing key without stranding devices takes two steps:
 *
 *   add NEW     NEW becomes the signing key (first in mcuprov.yaml's keys)
 *               and the bootloader trusts NEW and every key it trusted
 *               before, so images signed with either boot while devices
 *               update;
 *   retire OLD  once no device needs OLD, it leaves mcuprov.yaml's keys and
 *               the bootloader.  The signing key (keys[0]) and the last key
 *               are never retired.
 *
 * Either step leaves every key that no longer signs (keys[1] on) as its
 * public half: an entry naming a private key file is rewritten to name
 * NAME.pub.pem beside it (written by rotate_apply(), as provision_conf()
 * writes it), so that building and verifying never need its password.  A
 * key in a PKCS#11 token (its entry a "pkcs11:" URI, pkcs11.h) has no file
 * and none is written: its entry becomes its URI with ";type=public" (any
 * type= it had replaced, its query kept), which loads without the PIN.
 *
 * A step is planned first (rotate_plan: the key list afterwards, the new
 * text of mcuprov.yaml and its unified diff), then applied with the keys
 * loaded by the front end, which knows how to ask for passwords
 * (rotate_apply: provision the project's bootloader file with the new list
 * as `mcuprov patch` does, then replace mcuprov.yaml atomically after
 * writing mcuprov.yaml.bak).  Only the value of the top-level `keys:` is
 * rewritten; every other line and comment of mcuprov.yaml is kept.
 * Applying a finished step again is refused (the key is already there /
 * already gone), never silently repeated. */
#ifndef MCUPROV_ROTATE_H
#define MCUPROV_ROTATE_H

#include <stdbool.h>
#include <stddef.h>

#include "mcuprov/error.h"
#include "mcuprov/key.h"
#include "mcuprov/project.h"
#include "mcuprov/provision.h"

enum rotate_action { ROTATE_ADD, ROTATE_RETIRE };

/* "add" / "retire" */
const char *rotate_action_name(enum rotate_action a);

struct rotate_key {
	char *path;         /* as written in the new mcuprov.yaml (owned) */
	char *abspath;      /* the key's file now, resolved against the project
			       directory: what the front end loads (owned) */
	enum key_type type;
	bool is_new;        /* ADD: the key being added */
	int from;           /* its index in the project's keys before; -1: new */
	/* the step stores this key as its public half: PATH is NAME.pub.pem
	 * beside its private key file, and this is that file resolved, which
	 * rotate_apply() writes from the loaded key; NULL otherwise, and for
	 * a token key (PATH its URI with ";type=public") (owned) */
	char *pub_abspath;
};

struct rotate_plan {
	enum rotate_action action;
	struct rotate_key *keys;  /* the project's keys afterwards; keys[0] signs */
	size_t n_keys;
	char *retired;            /* RETIRE: the key's path as it was written */
	char *project_file;       /* the project file to rewrite (owned) */
	char *project_text;       /* its new text (owned) */
	size_t project_len;
	char *project_diff;       /* unified diff old -> new (owned) */
	char *project_old;        /* the text it was planned from (owned); */
	size_t project_old_len;   /* rotate_apply() refuses if the file changed */
};

/* Plan ACTION on project P (as loaded by project_load() from P->file).
 * ADD: KEY_PATH names the new signing key's file (relative to the working
 * directory, or absolute) and NEW_KEY is that file loaded by the front end
 * (it must be a private key of the project keys' type, not already in the
 * list, not even as its public half NAME.pub.pem; an MCUboot development
 * key is refused unless ALLOW_DEV_KEY).  The
 * path is written relative to the project directory when the file lies
 * below it, else absolute; a token key's URI as given (never with a
 * pin-value: MCUPROV_ERR_USAGE "a PIN in the project file is refused").
 * A URI has no realpath: it is "in the list" when written the same, or
 * with ";type=public" as a demoted key.  "Already in the list" compares files
 * (realpath); the same key under two file names is caught by
 * rotate_apply(), which has every key loaded.
 * RETIRE: KEY_PATH names one of P's keys, as written in mcuprov.yaml or as
 * a path to the same file, or for a key kept as its public half
 * NAME.pub.pem its private key file NAME.pem (for a demoted token key,
 * URI;type=public: its URI); NEW_KEY is NULL.
 * The new text differs only in the entries of the top-level `keys:` list,
 * written in the list's own style (block or flow, indentation, key order,
 * line ends): ADD inserts an entry before the first one (a block list: on
 * the line after "keys:", so that comment lines above an entry stay with
 * it); RETIRE removes the key's entry and the comment lines between it and
 * the entry before it.  An entry kept from keys[1] on whose file holds a
 * private key (plain, or encrypted: nothing is decrypted) is rewritten
 * in its own style as {path: NAME.pub.pem, type: TYPE} (its passin goes:
 * a public key has no password); comments around it stay.
 * The new text is loaded back and must give exactly the planned keys.
 * On success *plan holds the result (release with rotate_plan_free()).
 * Returns 0, MCUPROV_ERR_USAGE (no such key, the key is already in the list
 * or is the encryption key, retiring the signing or the last key, more
 * than PROJECT_KEYS_MAX keys), MCUPROV_ERR_REFUSED (the new key's type
 * differs from the project's or cannot sign, a public key, a development
 * key), MCUPROV_ERR_IO (re-reading the project file, or it changed since P
 * was loaded), MCUPROV_ERR_FORMAT (a `keys:` list written with aliases, a
 * file not in UTF-8), MCUPROV_ERR_NOMEM, MCUPROV_ERR_INTERNAL (the
 * rewritten file does not load back as planned). */
int rotate_plan(const struct project *p, enum rotate_action action, const char *key_path,
		const struct mcuprov_key *new_key, bool allow_dev_key, struct rotate_plan *plan,
		struct mcuprov_err *err);

void rotate_plan_free(struct rotate_plan *plan);

struct rotate_result {
	bool provisioned;              /* the project names a bootloader file */
	struct provision_result boot;  /* its diff, backup, ... (when provisioned) */
	bool project_written;
	char project_backup[PROVISION_PATH_MAX + 8];
};

/* Apply PLAN to project P: KEYS are plan->keys loaded by the front end, in
 * the same order (public halves are enough for the bootloader), ENC_KEY
 * the project's encryption key loaded or NULL (kept in a Kconfig
 * fragment).  The public halves the plan stores keys as are written first
 * (provision_public_write(): an existing file holding another key is
 * refused before anything is written; r->boot.pub_written lists those
 * written).  When P names a bootloader file (keys_c or conf) it is
 * provisioned with KEYS (those public halves for the keys stored so)
 * exactly as provision_keys_c()/provision_conf() do (configuration checks
 * included); then the project file is replaced by plan->project_text
 * after a copy to FILE.bak (FILE.bak.1, ... when that exists:
 * file_backup()).  With DRY_RUN nothing is
 * written and r->boot.diff shows what would change.  If provisioning fails
 * the project file is left untouched.  Checked before anything: each key's
 * type against the plan (MCUPROV_ERR_REFUSED), two files holding the same
 * key (MCUPROV_ERR_USAGE: "the same key twice ('a.pem' and 'b.pem')"), the
 * project file still holding plan->project_old (MCUPROV_ERR_IO).  Release R
 * with rotate_result_free(), also after a failure.  Returns 0 or the
 * failing step's error (MCUPROV_ERR_REFUSED, MCUPROV_ERR_IO, ...). */
int rotate_apply(const struct project *p, const struct rotate_plan *plan,
		 const struct mcuprov_key *const *keys, const struct mcuprov_key *enc_key,
		 bool dry_run, struct rotate_result *r, struct mcuprov_err *err);

void rotate_result_free(struct rotate_result *r);

#endif
