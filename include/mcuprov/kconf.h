/* mcuprov core: MCUboot's Kconfig key settings and bootloader config checks.
 *
 * Since 2018 MCUboot takes its key from Kconfig: the signature type
 * (CONFIG_BOOT_SIGNATURE_TYPE_RSA / _ECDSA_P256 / _ED25519, with
 * CONFIG_BOOT_SIGNATURE_TYPE_RSA_LEN), the key file
 * (CONFIG_BOOT_SIGNATURE_KEY_FILE, a comma-separated list since 2026) and
 * for encrypted images CONFIG_BOOT_ENCRYPTION_KEY_FILE.  kconf_patch()
 * writes those into a config fragment (mcuboot.conf, sysbuild/mcuboot.conf,
 * child_image/mcuboot.conf). */
#ifndef MCUPROV_KCONF_H
#define MCUPROV_KCONF_H

#include <stdbool.h>
#include <stddef.h>

#include "mcuprov/error.h"
#include "mcuprov/key.h"
#include "mcuprov/ppcond.h"

struct kconf_settings {
	enum key_type type;            /* of every signing key */
	const char *const *key_files;  /* public key files, first one first */
	size_t n_key_files;
	const char *enc_key_file;      /* encryption key file, or NULL */
	const char *note;              /* one comment line for added settings, or NULL */
};

/* Kconfig's name for TYPE's signature type ("RSA", "ECDSA_P256",
 * "ED25519"), or NULL when MCUboot's Kconfig has none (P-384, X25519). */
const char *kconf_type_name(enum key_type type);

/* Set the key settings S in the config fragment TEXT: each managed symbol's
 * first line is replaced in place, conflicting lines (another signature
 * type set to y, RSA_LEN for a non-RSA key, duplicates) are removed, and
 * missing settings are appended; every other line, comment and the line-end
 * style are kept.  Applying the same settings twice changes nothing.
 * *out is malloc'd, caller frees.  Returns 0, MCUPROV_ERR_USAGE (a type
 * Kconfig cannot express, a path with a quote or a newline). */
int kconf_patch(const char *text, size_t len, const char *subject, const struct kconf_settings *s,
		char **out, size_t *out_len, struct mcuprov_err *err);

/* What a bootloader's configuration says about keys, gathered from any of
 * .config, prj.conf / *.conf fragments, autoconf.h and mcuboot_config.h
 * (provision.c reads them, in the order provision.h gives) and -D / -U. */
struct bootcfg {
	enum key_type type;  /* KEY_TYPE_NONE: not stated; RSA: KEY_RSA2048 */
	bool type_rsa;       /* the type is RSA, of length rsa_len (0: unstated) */
	char type_src[300];  /* "FILE:LINE: TEXT" that stated it */
	unsigned rsa_len;
	char rsa_len_src[300];
	unsigned key_count;  /* 0: not stated */
	char key_count_src[300];
};

/* CFG from what ENV (a bootloader configuration: the config files read in
 * the order FILES, then -D / -U) says: the signature type (the
 * MCUBOOT_SIGN_RSA / _EC256 / _EC384 / _ED25519 defined; when several are,
 * the one set last: the latest file of FILES, the latest line, -D above
 * all), MCUBOOT_SIGN_RSA_LEN and MCUBOOT_SIGN_KEY_COUNT (from a header or
 * -D: the count Kconfig derives from its key files is what provisioning
 * sets).  A macro the configuration leaves unknown (set under a condition
 * it cannot decide) states nothing.  Each source note is the macro's
 * origin "FILE:LINE" with that line's text read back ("FILE:LINE: TEXT"),
 * or "-D NAME=VALUE" for an origin that is no file. */
void bootcfg_from_env(const struct pp_env *env, const char *const *files, size_t n_files,
		      struct bootcfg *cfg);

/* Do N_KEYS keys of KEYS agree with CFG (type, RSA length, key count)?
 * Returns 0 or MCUPROV_ERR_REFUSED naming both sides. */
int bootcfg_check(const struct bootcfg *cfg, const struct mcuprov_key *const *keys, size_t n_keys,
		  struct mcuprov_err *err);

/* bootcfg_check() for N_KEYS keys of type T (not loaded: a front end's
 * warning before the keys are unlocked). */
int bootcfg_check_type(const struct bootcfg *cfg, enum key_type t, size_t n_keys,
		       struct mcuprov_err *err);

#endif
