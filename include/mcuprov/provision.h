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
 * another key), and the encryption key.  Returns as provision_keys_c(). */
int provision_conf(const char *path, const struct provision_opts *o, struct provision_result *r,
		   struct mcuprov_err *err);

/* MCUBOOT_HW_KEY: the hash of KEY's public key the device stores (SHA-256;
 * SHA-384 for P-384) into OUT (64 bytes), its length in *len. */
int provision_hw_key_hash(const struct mcuprov_key *key, uint8_t out[64], size_t *len,
			  struct mcuprov_err *err);

/* Does the bootloader configuration beside PATH (.config, *.conf and
 * mcuboot_config.h in its directory, PATH itself included) agree with
 * N_KEYS keys of TYPE: signature type, RSA length, key count?  For a front
 * end's warning before anything is provisioned.  Returns 0 (agrees, or
 * says nothing), MCUPROV_ERR_REFUSED naming both sides (subject PATH) or
 * MCUPROV_ERR_IO. */
int provision_check_type(const char *path, enum key_type type, size_t n_keys,
			 struct mcuprov_err *err);

void provision_result_free(struct provision_result *r);

#endif
