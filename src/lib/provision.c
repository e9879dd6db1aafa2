/* Provisioning flows shared by the CLI, the demo and the wizard. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "mcuprov/fileio.h"
#include "mcuprov/kconf.h"
#include "mcuprov/provision.h"
#include "mcuprov/udiff.h"

#define TEXT_MAX (4 * 1024 * 1024)

void provision_result_free(struct provision_result *r)
{
	if (r == NULL)
		return;
	free(r->diff);
	free(r->emitted);
	r->diff = NULL;
	r->emitted = NULL;
}

/* Is NAME a bootloader config file worth checking? */
static bool config_name(const char *name)
{
	size_t n = strlen(name);

	return strcmp(name, ".config") == 0 || strcmp(name, "mcuboot_config.h") == 0 ||
	       (n > 5 && strcmp(name + n - 5, ".conf") == 0);
}

/* Check N_KEYS keys of TYPE against the config files beside TARGET (and
 * TARGET itself only when WITH_SELF: what is being set does not count when
 * provisioning) and the extra ones CONFIGS. */
static int check_configs_type(const char *target, bool with_self, enum key_type type,
			      size_t n_keys, const char *const *configs, size_t n_configs,
			      struct mcuprov_err *err)
{
	struct bootcfg cfg;
	char *copy = strdup(target), *copy2 = strdup(target), *dir, *tbase;
	DIR *d = NULL;
	struct dirent *e;
	size_t i;
	int rc = 0;

	memset(&cfg, 0, sizeof(cfg));
	if (copy == NULL || copy2 == NULL) {
		rc = err_set(err, MCUPROV_ERR_NOMEM, target, "out of memory");
		goto out;
	}
	dir = dirname(copy);
	tbase = basename(copy2);
	d = opendir(dir);
	while (d != NULL && (e = readdir(d)) != NULL) {
		char path[PROVISION_PATH_MAX + 256];
		struct stat st;

		if (!config_name(e->d_name) || (!with_self && strcmp(e->d_name, tbase) == 0))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		if ((rc = bootcfg_read(path, &cfg, err)) < 0)
			goto out;
	}
	for (i = 0; i < n_configs; i++)
		if ((rc = bootcfg_read(configs[i], &cfg, err)) < 0)
			goto out;
	rc = bootcfg_check_type(&cfg, type, n_keys, err);
	if (rc < 0 && err != NULL)
		snprintf(err->subject, sizeof(err->subject), "%s", target);
out:
	if (d != NULL)
		closedir(d);
	free(copy);
	free(copy2);
	return rc;
}

static int check_configs(const char *target, const struct provision_opts *o,
			 struct mcuprov_err *err)
{
	return check_configs_type(target, false, o->keys[0]->type, o->n_keys, o->configs,
				  o->n_configs, err);
}

int provision_check_type(const char *path, enum key_type type, size_t n_keys,
			 struct mcuprov_err *err)
{
	return check_configs_type(path, true, type, n_keys, NULL, 0, err);
}

/* Read PATH's text; a missing file is empty when MAY_MISS (*existed false). */
static int read_text(const char *path, char **text, size_t *len, mode_t *mode, bool may_miss,
		     bool *existed, struct mcuprov_err *err)
{
	struct mcuprov_err e2;
	uint8_t *buf = NULL;

	err_clear(&e2);
	*existed = true;
	if (file_read(path, TEXT_MAX, &buf, len, mode, &e2) == 0) {
		*text = (char *)buf;
		return 0;
	}
	if ((may_miss && e2.code == MCUPROV_ERR_IO && access(path, F_OK) != 0) ||
	    (e2.code == MCUPROV_ERR_FORMAT && strcmp(e2.msg, "file is empty") == 0)) {
		*existed = e2.code == MCUPROV_ERR_FORMAT;
		*text = strdup("");
		*len = 0;
		return *text ? 0 : err_set(err, MCUPROV_ERR_NOMEM, path, "out of memory");
	}
	if (err != NULL)
		*err = e2;
	return e2.code;
}

/* Diff OLD -> NEW; unless dry run, back up and replace PATH atomically. */
static int apply(const char *path, const struct provision_opts *o, const char *old, size_t old_len,
		 const char *new_text, size_t new_len, mode_t mode, bool existed,
		 struct provision_result *r, struct mcuprov_err *err)
{
	size_t dlen = 0;
	int rc;

	r->created = !existed;
	r->changed = !existed || old_len != new_len || memcmp(old, new_text, old_len) != 0;
	if (!r->changed)
		return (r->diff = strdup("")) ? 0 : err_set(err, MCUPROV_ERR_NOMEM, path, "out of memory");
	rc = udiff(old, old_len, new_text, new_len, path, &r->diff, &dlen, err);
	if (rc < 0 || o->dry_run)
		return rc;
	if (existed) {
		snprintf(r->backup, sizeof(r->backup), "%s.bak", path);
		rc = file_write_atomic(r->backup, old, old_len, FILE_WRITE_FORCE, err);
		if (rc < 0)
			return rc;
	}
	rc = file_write_atomic(path, new_text, new_len, existed ? FILE_WRITE_FORCE : 0, err);
	if (rc < 0)
		return rc;
	if (existed)
		(void)chmod(path, mode & 07777);
	r->written = true;
	return 0;
}

int provision_keys_c(const char *path, const struct provision_opts *o, struct provision_result *r,
		     struct mcuprov_err *err)
{
	struct keysc_info *info = NULL;
	char *text = NULL, *new_text = NULL;
	size_t len = 0, new_len = 0;
	mode_t mode = 0644;
	bool existed;
	int rc;

	memset(r, 0, sizeof(*r));
	if ((rc = read_text(path, &text, &len, &mode, false, &existed, err)) < 0)
		return rc;
	if ((rc = keysc_analyze(text, len, path, &info, err)) < 0)
		goto out;
	r->shape = info->shape;
	if (info->shape == KEYSC_SHAPE_GENERATED || info->shape == KEYSC_SHAPE_MULTI) {
		enum key_type t = o->keys[0]->type;

		if (!(info->declared_types & (1u << t))) {
			rc = err_set(err, MCUPROV_ERR_REFUSED, path,
				     "declares no %s_pub_key: this MCUboot has no %s support",
				     key_type_shortname(t), key_type_name(t));
			goto out;
		}
		if (o->n_keys > 1 && info->shape != KEYSC_SHAPE_MULTI) {
			rc = err_set(err, MCUPROV_ERR_REFUSED, path,
				     "takes one key; %zu keys need MCUboot 2026 or later "
				     "(MCUBOOT_SIGN_KEY_COUNT)",
				     o->n_keys);
			goto out;
		}
		if (o->emit_key_file == NULL) {
			rc = err_set(err, MCUPROV_ERR_REFUSED, path,
				     "this keys.c holds no key bytes; it takes them from "
				     "CONFIG_BOOT_SIGNATURE_KEY_FILE: use 'mcuprov patch --conf "
				     "FRAGMENT' (or --emit-key-file OUT for the generated file)");
			goto out;
		}
		if ((rc = check_configs(path, o, err)) < 0)
			goto out;
		rc = keysc_generated_file(o->keys, o->n_keys, &r->emitted, &r->emitted_len, err);
		goto out;
	}
	if (info->shape == KEYSC_SHAPE_INLINE && (rc = check_configs(path, o, err)) < 0)
		goto out;
	rc = keysc_patch(text, len, path, info, o->keys, o->n_keys, &new_text, &new_len, err);
	if (rc < 0)
		goto out;
	rc = apply(path, o, text, len, new_text, new_len, mode, existed, r, err);
out:
	keysc_info_free(info);
	free(text);
	free(new_text);
	return rc;
}

/* The public key file for key I: the key file itself when it is public,
 * else NAME.pub.pem beside it (written unless dry run; never overwritten
 * with another key).  OUT receives its absolute path. */
static int public_file(const struct provision_opts *o, size_t i, struct provision_result *r,
		       char *out, size_t outsz, struct mcuprov_err *err)
{
	char *pem = NULL, base[PROVISION_PATH_MAX], cwd[PROVISION_PATH_MAX];
	uint8_t *old = NULL;
	size_t len = 0, oldlen = 0, n;
	int rc = 0;

	if (snprintf(base, sizeof(base), "%s", o->key_paths[i]) >= (int)sizeof(base) - 9)
		return err_set(err, MCUPROV_ERR_USAGE, o->key_paths[i], "path too long");
	if (o->keys[i]->is_private) {
		n = strlen(base);
		if (n > 4 && (strcmp(base + n - 4, ".pem") == 0 || strcmp(base + n - 4, ".der") == 0))
			base[n - 4] = '\0';
		strcat(base, ".pub.pem");
		if ((rc = key_public_pem(o->keys[i], &pem, &len, err)) < 0)
			return rc;
		if (file_read(base, 65536, &old, &oldlen, NULL, NULL) == 0) {
			if (oldlen != len || memcmp(old, pem, len) != 0)
				rc = err_set(err, MCUPROV_ERR_REFUSED, base,
					     "exists and is not the public half of '%s'", o->key_paths[i]);
		} else if (!o->dry_run) {
			rc = file_write_atomic(base, pem, len, 0, err);
			if (rc == 0 && r->n_pub_written < PROVISION_MAX_KEYS)
				snprintf(r->pub_written[r->n_pub_written++], PROVISION_PATH_MAX, "%s", base);
		}
		free(old);
		OPENSSL_free(pem);
		if (rc < 0)
			return rc;
	}
	/* Kconfig resolves relative names against the bootloader's tree:
	 * give absolute ones */
	if (realpath(base, out) == NULL) {
		/* not written yet (dry run) */
		if (base[0] == '/')
			snprintf(out, outsz, "%s", base);
		else if (getcwd(cwd, sizeof(cwd)) == NULL ||
			 snprintf(out, outsz, "%s/%s", cwd, base) >= (int)outsz)
			return err_set(err, MCUPROV_ERR_USAGE, base, "path too long");
	}
	return 0;
}

int provision_conf(const char *path, const struct provision_opts *o, struct provision_result *r,
		   struct mcuprov_err *err)
{
	char (*files)[PROVISION_PATH_MAX] = NULL;
	const char *names[PROVISION_MAX_KEYS];
	struct kconf_settings s;
	char enc_abs[PROVISION_PATH_MAX], note[512], fp[2 * KEY_FINGERPRINT_LEN + 1];
	char *text = NULL, *new_text = NULL;
	size_t len = 0, new_len = 0, i;
	mode_t mode = 0644;
	bool existed;
	int rc;

	memset(r, 0, sizeof(*r));
	if (o->n_keys > PROVISION_MAX_KEYS)
		return err_set(err, MCUPROV_ERR_USAGE, NULL, "at most %d keys", PROVISION_MAX_KEYS);
	if (kconf_type_name(o->keys[0]->type) == NULL)
		return err_set(err, MCUPROV_ERR_REFUSED, NULL,
			       "MCUboot's Kconfig has no signature type for %s keys (RSA, "
			       "ECDSA_P256 and ED25519 only)",
			       key_type_name(o->keys[0]->type));
	if (o->enc_key != NULL) {
		enum key_type s_t = o->keys[0]->type, e_t = o->enc_key->type;
		bool ok = ((s_t == KEY_RSA2048 || s_t == KEY_RSA3072) && e_t == KEY_RSA2048) ||
			  (s_t == KEY_ECDSA_P256 && e_t == KEY_ECDSA_P256) ||
			  (s_t == KEY_ED25519 && e_t == KEY_X25519);

		if (!ok)
			return err_set(err, MCUPROV_ERR_REFUSED, o->enc_path,
				       "a %s encryption key does not go with %s signing (MCUboot "
				       "pairs rsa with rsa-2048, ecdsa-p256 with ecdsa-p256, ed25519 "
				       "with x25519)",
				       key_type_name(e_t), key_type_name(s_t));
		if (!o->enc_key->is_private)
			return err_set(err, MCUPROV_ERR_REFUSED, o->enc_path,
				       "the bootloader decrypts with the private encryption key; this "
				       "is a public key");
		if (realpath(o->enc_path, enc_abs) == NULL)
			snprintf(enc_abs, sizeof(enc_abs), "%s", o->enc_path);
	}
	if ((rc = check_configs(path, o, err)) < 0)
		return rc;
	files = calloc(o->n_keys, sizeof(*files));
	if (files == NULL)
		return err_set(err, MCUPROV_ERR_NOMEM, path, "out of memory");
	for (i = 0; i < o->n_keys; i++) {
		if ((rc = public_file(o, i, r, files[i], sizeof(files[i]), err)) < 0)
			goto out;
		names[i] = files[i];
	}
	if ((rc = read_text(path, &text, &len, &mode, true, &existed, err)) < 0)
		goto out;
	if ((rc = key_fingerprint_hex(o->keys[0], fp, err)) < 0)
		goto out;
	snprintf(note, sizeof(note), "MCUboot signing key%s set by mcuprov (%s %.16s%s)",
		 o->n_keys > 1 ? "s" : "", key_type_name(o->keys[0]->type), fp,
		 o->n_keys > 1 ? ", ..." : "");
	memset(&s, 0, sizeof(s));
	s.type = o->keys[0]->type;
	s.key_files = names;
	s.n_key_files = o->n_keys;
	s.enc_key_file = o->enc_key ? enc_abs : NULL;
	s.note = note;
	rc = kconf_patch(text, len, path, &s, &new_text, &new_len, err);
	if (rc < 0)
		goto out;
	rc = apply(path, o, text, len, new_text, new_len, mode, existed, r, err);
out:
	free(files);
	free(text);
	free(new_text);
	return rc;
}

int provision_hw_key_hash(const struct mcuprov_key *key, uint8_t out[64], size_t *len,
			  struct mcuprov_err *err)
{
	uint8_t *der = NULL;
	size_t dlen = 0;
	unsigned int hlen = 0;
	int rc;

	rc = key_public_der(key, &der, &dlen, err);
	if (rc < 0)
		return rc;
	/* the hash MCUboot compares is the image's: SHA-384 for P-384 */
	if (!EVP_Digest(der, dlen, out, &hlen,
			key->type == KEY_ECDSA_P384 ? EVP_sha384() : EVP_sha256(), NULL))
		rc = err_set(err, MCUPROV_ERR_CRYPTO, NULL, "hash failed");
	OPENSSL_free(der);
	*len = hlen;
	return rc;
}
