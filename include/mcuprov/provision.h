/* mcuprov core: provision a bootloader with keys — the one flow behind
 * `mcuprov patch`, the demo and the wizard.
 *
 * Each call reads the target file, checks the keys against the bootloader
 * configuration beside it (and any extra config files), computes the new
 * text, its unified diff, and unless dry_run writes PATH.bak and replaces
 * PATH atomically (keeping its mode).  Applying the same keys twice
 * changes nothing. */
#ifndef MCUPROV_PROVISION_H
#define MCUPROV_PROVISION_H

#include <stdbool.h>
#include <stddef.h>

#include "mcuprov/error.h"
#include "mcuprov/key.h"
#include "mcuprov/keysc.h"
#include "mcuprov/ppcond.h"

#define PROVISION_MAX_KEYS 16
#define PROVISION_PATH_MAX 4096

struct provision_opts {
	const struct mcuprov_key *const *keys; /* signing keys, one type */
	const char *const *key_paths;          /* their files (for conf) */
	size_t n_keys;
	const struct mcuprov_key *enc_key;     /* conf: encryption key, or NULL */
	const char *enc_path;
	const char *const *configs;            /* extra config files to check */
	size_t n_configs;
	bool dry_run;
	const char *emit_key_file;             /* keys.c shapes 2/3: write here */
	/* the bootloader's configuration, strongest first: -D NAME[=VALUE]
	 * and -U NAME (mcuprov.yaml's bootloader.defines come here too), then
	 * the config files (beside PATH, then CONFIGS), then the key type */
	const char *const *defines;            /* "NAME" or "NAME=VALUE" */
	size_t n_defines;
	const char *const *undefs;             /* "NAME" */
	size_t n_undefs;
	/* a change of several files this one is part of (rotate: keys.c with
	 * mcuprov.yaml), or NULL: PATH is written on its own.  With TXN the
	 * new text is added to it (file_txn_add()), the backup written at
	 * once; RESULT.written means "lands when TXN commits" */
	struct file_txn *txn;
	bool has_image;                        /* keys.c: --image N given */
	unsigned image;                        /* N (0-based, as imgtool's image numbers) */
};

struct provision_result {
	enum keysc_shape shape;   /* keys.c: what was found */
	char *diff;               /* unified diff ("" when nothing changes); owned */
	bool changed;             /* the new text differs (or the file is new) */
	bool written;             /* PATH (and its backup) written */
	bool created;             /* PATH did not exist */
	char backup[PROVISION_PATH_MAX + 8];
	/* conf: public key files written beside private keys */
	char pub_written[PROVISION_MAX_KEYS][PROVISION_PATH_MAX];
	size_t n_pub_written;
	char *emitted;            /* keys.c shapes 2/3: the generated key file text */
	size_t emitted_len;
	/* keys.c: the configuration assumed, one line ("MCUBOOT_SIGN_EC256
	 * (from the key type); MCUBOOT_SIGN_EC384 undefined (from the key
	 * type)"), or NULL; owned */
	char *assumed;
	/* keys.c: the file patched when it is not PATH (a key file PATH
	 * #includes), or ""; diff and backup name it */
	char patched[PROVISION_PATH_MAX];
};

/* Provision the keys.c at PATH: patch an inline-array keys.c; for the
 * generated-key shapes, when o->emit_key_file is set, produce the generated
 * key file text in r->emitted (the caller writes it) and otherwise refuse
 * with guidance.  Returns 0, MCUPROV_ERR_REFUSED (shape, configuration,
 * length or block problems, named), MCUPROV_ERR_IO. */
int provision_keys_c(const char *path, const struct provision_opts *o, struct provision_result *r,
		     struct mcuprov_err *err);

/* Provision the Kconfig fragment PATH (created when missing): signature
 * type, RSA length, CONFIG_BOOT_SIGNATURE_KEY_FILE naming public key files
 * (NAME.pub.pem written beside a private key, never overwritten with
 * another key), and the encryption key.  A key in a PKCS#11 token has no
 * file to name and nothing is written beside its URI: MCUPROV_ERR_UNSUPPORTED
 * (export its public half to a file and provision that).  Otherwise returns
 * as provision_keys_c(). */
int provision_conf(const char *path, const struct provision_opts *o, struct provision_result *r,
		   struct mcuprov_err *err);

/* The public key file beside the private key file KEY_PATH, as
 * provision_conf() names it: NAME.pub.pem for NAME.pem, NAME.der or NAME,
 * into OUT (N bytes).  Returns 0 or MCUPROV_ERR_USAGE (too long). */
int provision_public_name(const char *key_path, char *out, size_t n, struct mcuprov_err *err);

/* Write KEY's public half (SubjectPublicKeyInfo PEM) to PUB_PATH, as
 * provision_conf() writes NAME.pub.pem: not when DRY_RUN; an existing
 * PUB_PATH holding exactly that PEM is kept, one holding anything else is
 * refused (MCUPROV_ERR_REFUSED, subject PUB_PATH: "exists and is not the
 * public half of 'KEY_NAME'"), never overwritten.  *WRITTEN says whether
 * the file was written.  Returns 0 or the errors of key_public_pem() and
 * file_write_atomic(). */
int provision_public_write(const struct mcuprov_key *key, const char *key_name,
			   const char *pub_path, bool dry_run, bool *written,
			   struct mcuprov_err *err);

/* MCUBOOT_HW_KEY: the hash of KEY's public key the device stores (SHA-256;
 * SHA-384 for P-384) into OUT (64 bytes), its length in *len. */
int provision_hw_key_hash(const struct mcuprov_key *key, uint8_t out[64], size_t *len,
			  struct mcuprov_err *err);

/* The bootloader configuration of a target file: the config files beside
 * it (the target itself only where said), later files overriding earlier
 * ones, in this order: `.config`, the `*.conf` fragments sorted by name
 * (strcmp), Zephyr's generated `autoconf.h`, then `mcuboot_config.h`
 * (Kconfig values first, so that a header's `#ifdef CONFIG_...` sees
 * them); then the --config files in the order given.  A name ending in
 * ".h" is read with pp_env_read_header(), any other with
 * pp_env_read_kconfig(); each macro's origin is "FILE:LINE".  An empty
 * file says nothing; a file that cannot be read is MCUPROV_ERR_IO, a
 * header whose conditionals do not balance or hold a bad expression
 * MCUPROV_ERR_FORMAT ("FILE:LINE: ..." as the reason). */

/* Set in ENV the command line's -D DEFINES ("NAME" is NAME 1, or
 * "NAME=VALUE"; origin "-D") then -U UNDEFS ("NAME"; origin "-U"), over
 * anything ENV said of them.  Returns 0, MCUPROV_ERR_USAGE (not a macro
 * name, too long; the reason names it) or MCUPROV_ERR_NOMEM. */
int provision_define_env(struct pp_env *env, const char *const *defines, size_t n_defines,
			 const char *const *undefs, size_t n_undefs, struct mcuprov_err *err);

/* Is ARG a -D argument (UNDEF: a -U argument) as provision_define_env()
 * takes it?  For a front end's usage error before anything is done.
 * Returns 0, MCUPROV_ERR_USAGE (the reason: "'1X' is not a macro name")
 * or MCUPROV_ERR_NOMEM. */
int provision_define_check(const char *arg, bool undef, struct mcuprov_err *err);

/* Does the bootloader configuration of PATH (above, PATH itself
 * included, then -D DEFINES and -U UNDEFS as
 * provision_define_env() sets them) agree with N_KEYS keys of TYPE:
 * signature type, RSA length, key count (bootcfg_from_env())?  For a front
 * end's warning before anything is provisioned.  Returns 0 (agrees, or
 * says nothing), MCUPROV_ERR_REFUSED naming both sides (subject PATH), or
 * the errors of reading the configuration and of provision_define_env(). */
int provision_check_type(const char *path, enum key_type type, size_t n_keys,
			 const char *const *defines, size_t n_defines, const char *const *undefs,
			 size_t n_undefs, struct mcuprov_err *err);

void provision_result_free(struct provision_result *r);

#endif
