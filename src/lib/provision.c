/* Provisioning flows shared by the CLI, the demo and the wizard. */
#include "config.h"

#include <ctype.h>
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
#include "mcuprov/pkcs11.h"
#include "mcuprov/provision.h"
#include "mcuprov/udiff.h"

#define TEXT_MAX (4 * 1024 * 1024)

void provision_result_free(struct provision_result *r)
{
	if (r == NULL)
		return;
	free(r->diff);
	free(r->emitted);
	free(r->assumed);
	r->diff = NULL;
	r->emitted = NULL;
	r->assumed = NULL;
}

static int read_text(const char *path, char **text, size_t *len, mode_t *mode, bool may_miss,
		     bool *existed, struct mcuprov_err *err);

/* Is NAME a bootloader config file?  0: no; else its place in the order of
 * reading (Kconfig values first, so that a header's `#ifdef CONFIG_...`
 * sees them): .config 1, *.conf 2, autoconf.h 3, mcuboot_config.h 4. */
static int config_rank(const char *name)
{
	size_t n = strlen(name);

	if (strcmp(name, ".config") == 0)
		return 1;
	if (n > 5 && strcmp(name + n - 5, ".conf") == 0)
		return 2;
	if (strcmp(name, "autoconf.h") == 0)
		return 3;
	if (strcmp(name, "mcuboot_config.h") == 0)
		return 4;
	return 0;
}

static int config_cmp(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	int rx = config_rank(x), ry = config_rank(y);

	return rx != ry ? rx - ry : strcmp(x, y);
}

/* The identifier at *I of L (N bytes) after blanks, into NAME (PP_NAME_MAX);
 * *I moves past it.  False when there is none. */
static bool ident_at(const char *l, size_t n, size_t *i, char *name)
{
	size_t s;

	while (*i < n && (l[*i] == ' ' || l[*i] == '\t'))
		++*i;
	for (s = *i; *i < n && (l[*i] == '_' || isalnum((unsigned char)l[*i])); ++*i)
		;
	if (*i == s || *i - s >= PP_NAME_MAX || isdigit((unsigned char)l[s]))
		return false;
	memcpy(name, l + s, *i - s);
	name[*i - s] = '\0';
	return true;
}

/* The include guard of header TEXT (LEN bytes) into NAME (PP_NAME_MAX):
 * `#ifndef G` or `#if !defined(G)`, then `#define G`, as its first two
 * directives.  False when it has none. */
static bool header_guard(const char *text, size_t len, char *name)
{
	char second[PP_NAME_MAX];
	size_t pos = 0, seen = 0, s, e, r;

	while (pos < len && seen < 2) {
		const char *l = text + pos, *nl = memchr(l, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - l) : len - pos;
		bool ok;

		pos += n + 1;
		if (!pp_directive(l, n, &s, &e, &r))
			continue;
		if (seen++ == 1)
			return e - s == 6 && memcmp(l + s, "define", 6) == 0 &&
			       ident_at(l, n, &r, second) && strcmp(second, name) == 0;
		if (e - s == 6 && memcmp(l + s, "ifndef", 6) == 0) {
			ok = ident_at(l, n, &r, name);
		} else if (e - s == 2 && memcmp(l + s, "if", 2) == 0) {
			while (r < n && (l[r] == ' ' || l[r] == '\t'))
				r++;
			ok = r < n && l[r++] == '!' && ident_at(l, n, &r, second) &&
			     strcmp(second, "defined") == 0;
			while (ok && r < n && (l[r] == ' ' || l[r] == '\t' || l[r] == '('))
				r++;
			ok = ok && ident_at(l, n, &r, name);
		} else {
			ok = false;
		}
		if (!ok)
			return false;
	}
	return false;
}

/* Read the config file PATH into ENV: a header (*.h) or a Kconfig file.
 * A header is read as on its first inclusion: its include guard, unless
 * ENV says otherwise, undefined.  An empty file says nothing. */
static int read_config(const char *path, struct pp_env *env, struct mcuprov_err *err)
{
	char guard[PP_NAME_MAX], *text = NULL;
	size_t n = strlen(path), len = 0;
	mode_t mode;
	bool existed;
	int rc;

	if ((rc = read_text(path, &text, &len, &mode, false, &existed, err)) < 0)
		return rc;
	if (n > 2 && strcmp(path + n - 2, ".h") == 0) {
		if (header_guard(text, len, guard))
			rc = pp_env_default_undef(env, guard, path, err);
		if (rc == 0)
			rc = pp_env_read_header(env, text, len, path, err);
	} else {
		rc = pp_env_read_kconfig(env, text, len, path, err);
	}
	free(text);
	return rc;
}

/* The config files of a target (provision.h), in their order: those beside
 * TARGET, then CONFIGS; *files (and each path) malloc'd. */
static int config_files(const char *target, bool with_self, const char *const *configs,
			size_t n_configs, char ***files, size_t *n_files, struct mcuprov_err *err)
{
	char *copy = strdup(target), *copy2 = strdup(target), *dir, *tbase;
	char **names = NULL, **v = NULL, **nv;
	size_t n = 0, cap = 0, i, nv_n = 0;
	DIR *d = NULL;
	struct dirent *e;
	int rc = 0;

	if (copy == NULL || copy2 == NULL)
		goto oom;
	dir = dirname(copy);
	tbase = basename(copy2);
	d = opendir(dir);
	while (d != NULL && (e = readdir(d)) != NULL) {
		if (config_rank(e->d_name) == 0 || (!with_self && strcmp(e->d_name, tbase) == 0))
			continue;
		if (n == cap) {
			cap = 2 * cap + 8;
			if ((nv = realloc(names, cap * sizeof(*names))) == NULL)
				goto oom;
			names = nv;
		}
		if ((names[n] = strdup(e->d_name)) == NULL)
			goto oom;
		n++;
	}
	if (n > 0)
		qsort(names, n, sizeof(*names), config_cmp);
	if ((v = calloc(n + n_configs + 1, sizeof(*v))) == NULL)
		goto oom;
	for (i = 0; i < n; i++) {
		struct stat st;

		if (asprintf(&v[nv_n], "%s/%s", dir, names[i]) < 0) {
			v[nv_n] = NULL;
			goto oom;
		}
		if (stat(v[nv_n], &st) == 0 && S_ISREG(st.st_mode))
			nv_n++;
		else
			free(v[nv_n]);
		v[nv_n] = NULL;
	}
	for (i = 0; i < n_configs; i++)
		if ((v[nv_n++] = strdup(configs[i])) == NULL)
			goto oom;
	*files = v;
	*n_files = nv_n;
	v = NULL;
	goto out;
oom:
	rc = err_set(err, MCUPROV_ERR_NOMEM, target, "out of memory");
out:
	if (d != NULL)
		closedir(d);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	for (i = 0; v != NULL && i < nv_n; i++)
		free(v[i]);
	free(v);
	free(copy);
	free(copy2);
	return rc;
}

static void files_free(char **files, size_t n)
{
	size_t i;

	for (i = 0; files != NULL && i < n; i++)
		free(files[i]);
	free(files);
}

/* Read the configuration of TARGET into ENV (provision.h: the order),
 * also giving the files read in order. */
static int config_env(const char *target, bool with_self, const char *const *configs,
		      size_t n_configs, struct pp_env *env, char ***files, size_t *n_files,
		      struct mcuprov_err *err)
{
	size_t i;
	int rc;

	*files = NULL;
	*n_files = 0;
	if ((rc = config_files(target, with_self, configs, n_configs, files, n_files, err)) < 0)
		return rc;
	for (i = 0; i < *n_files; i++)
		if ((rc = read_config((*files)[i], env, err)) < 0)
			return rc;
	return 0;
}

int provision_define_env(struct pp_env *env, const char *const *defines, size_t n_defines,
			 const char *const *undefs, size_t n_undefs, struct mcuprov_err *err)
{
	size_t i;
	int rc;

	for (i = 0; i < n_defines; i++)
		if ((rc = pp_env_define_arg(env, defines[i], "-D", err)) < 0)
			return rc;
	for (i = 0; i < n_undefs; i++)
		if ((rc = pp_env_undef_arg(env, undefs[i], "-U", err)) < 0)
			return rc;
	return 0;
}

int provision_define_check(const char *arg, bool undef, struct mcuprov_err *err)
{
	struct pp_env *env = NULL;
	int rc;

	if ((rc = pp_env_new(&env, err)) == 0)
		rc = undef ? pp_env_undef_arg(env, arg, "-U", err)
			   : pp_env_define_arg(env, arg, "-D", err);
	pp_env_free(env);
	return rc;
}

/* bootcfg_check_type() of CFG, the refusal's subject TARGET. */
static int check_cfg(const struct bootcfg *cfg, const char *target, enum key_type type,
		     size_t n_keys, struct mcuprov_err *err)
{
	int rc = bootcfg_check_type(cfg, type, n_keys, err);

	if (rc < 0 && err != NULL)
		snprintf(err->subject, sizeof(err->subject), "%s", target);
	return rc;
}

/* Check N_KEYS keys of TYPE against the configuration of TARGET (config_env())
 * (TARGET itself only when WITH_SELF: what is being set does not count when
 * provisioning) with -D DEFINES and -U UNDEFS on top. */
static int check_configs_type(const char *target, bool with_self, enum key_type type, size_t n_keys,
			      const char *const *configs, size_t n_configs,
			      const char *const *defines, size_t n_defines,
			      const char *const *undefs, size_t n_undefs, struct mcuprov_err *err)
{
	struct pp_env *env = NULL;
	struct bootcfg cfg;
	char **files = NULL;
	size_t n_files = 0;
	int rc;

	if ((rc = pp_env_new(&env, err)) < 0)
		return rc;
	rc = config_env(target, with_self, configs, n_configs, env, &files, &n_files, err);
	if (rc < 0 || (rc = provision_define_env(env, defines, n_defines, undefs, n_undefs, err)) < 0)
		goto out;
	bootcfg_from_env(env, (const char *const *)files, n_files, &cfg);
	rc = check_cfg(&cfg, target, type, n_keys, err);
out:
	files_free(files, n_files);
	pp_env_free(env);
	return rc;
}

static int check_configs(const char *target, const struct provision_opts *o,
			 struct mcuprov_err *err)
{
	return check_configs_type(target, false, o->keys[0]->type, o->n_keys, o->configs,
				  o->n_configs, o->defines, o->n_defines, o->undefs, o->n_undefs,
				  err);
}

int provision_check_type(const char *path, enum key_type type, size_t n_keys,
			 const char *const *defines, size_t n_defines, const char *const *undefs,
			 size_t n_undefs, struct mcuprov_err *err)
{
	return check_configs_type(path, true, type, n_keys, NULL, 0, defines, n_defines, undefs,
				  n_undefs, err);
}

/* Read PATH's text; a missing file is empty when MAY_MISS (*existed false).
 * An empty file is valid: a config file that sets nothing (file_read()
 * refuses empty files, which is right for images and keys only). */
static int read_text(const char *path, char **text, size_t *len, mode_t *mode, bool may_miss,
		     bool *existed, struct mcuprov_err *err)
{
	struct mcuprov_err e2;
	struct stat st;
	uint8_t *buf = NULL;

	err_clear(&e2);
	*existed = true;
	if (file_read(path, TEXT_MAX, &buf, len, mode, &e2) == 0) {
		*text = (char *)buf;
		return 0;
	}
	if ((may_miss && e2.code == MCUPROV_ERR_IO && access(path, F_OK) != 0) ||
	    (e2.code == MCUPROV_ERR_FORMAT && stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	     st.st_size == 0)) {
		if (e2.code == MCUPROV_ERR_FORMAT && mode != NULL)
			*mode = st.st_mode;
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
	/* never over an earlier backup: a rotation's first step keeps the
	 * original when its second step runs */
	if (existed && (rc = file_backup(path, old, old_len, r->backup, sizeof(r->backup), err)) < 0)
		return rc;
	if (o->txn != NULL) { /* the mode is kept by file_txn_add() */
		if ((rc = file_txn_add(o->txn, path, new_text, new_len,
				       existed ? FILE_WRITE_FORCE : 0, err)) < 0)
			return rc;
		r->written = true;
		return 0;
	}
	rc = file_write_atomic(path, new_text, new_len, existed ? FILE_WRITE_FORCE : 0, err);
	if (rc < 0)
		return rc;
	if (existed)
		(void)chmod(path, mode & 07777);
	r->written = true;
	return 0;
}

/* The configuration keys.c is read under, strongest first: -D/-U, the
 * config files (beside PATH, then o->configs), then the key type; *CFG
 * what the configuration itself states (for the type/length/count check). */
static int keys_c_env(const char *path, const struct provision_opts *o, struct pp_env **out,
		      struct bootcfg *cfg, struct mcuprov_err *err)
{
	struct pp_env *env = NULL;
	char **files = NULL;
	size_t n_files = 0;
	int rc;

	*out = NULL;
	if ((rc = pp_env_new(&env, err)) < 0)
		return rc;
	rc = config_env(path, false, o->configs, o->n_configs, env, &files, &n_files, err);
	if (rc == 0)
		rc = provision_define_env(env, o->defines, o->n_defines, o->undefs, o->n_undefs,
					  err);
	/* what the configuration states, before the key type fills it in */
	if (rc == 0)
		bootcfg_from_env(env, (const char *const *)files, n_files, cfg);
	files_free(files, n_files);
	if (rc == 0)
		rc = keysc_env_key_type(env, o->keys[0]->type, err);
	if (rc < 0) {
		pp_env_free(env);
		return rc;
	}
	*out = env;
	return 0;
}

/* keys.c names its keys but #includes the file that defines them
 * (INFO->include, relative to PATH's directory): patch that file, whose
 * key arrays must be exactly the ones the list names. */
static int patch_included(const char *path, const struct keysc_info *info,
			  const struct pp_env *env, const struct provision_opts *o,
			  struct provision_result *r, struct mcuprov_err *err)
{
	struct keysc_info *inc = NULL;
	char *copy = strdup(path), *text = NULL, *new_text = NULL;
	size_t len = 0, new_len = 0, i;
	mode_t mode = 0644;
	bool existed;
	int rc;

	if (copy == NULL)
		return err_set(err, MCUPROV_ERR_NOMEM, path, "out of memory");
	if (info->include[0] == '/' || strcmp(dirname(copy), ".") == 0)
		snprintf(r->patched, sizeof(r->patched), "%s", info->include);
	else if (snprintf(r->patched, sizeof(r->patched), "%s/%s", copy, info->include) >=
		 (int)sizeof(r->patched)) {
		rc = err_set(err, MCUPROV_ERR_USAGE, info->include, "path too long");
		goto out;
	}
	if ((rc = read_text(r->patched, &text, &len, &mode, false, &existed, err)) < 0)
		goto out;
	if ((rc = keysc_analyze(text, len, r->patched, env, &inc, err)) < 0)
		goto out;
	if (inc->shape != KEYSC_SHAPE_INLINE || inc->live_list != NULL || inc->include[0] != '\0') {
		rc = err_set(err, MCUPROV_ERR_REFUSED, path,
			     "its bootutil_keys[] names '%s', which '%s' (included) does not "
			     "define as a key array",
			     info->slot_names[0], r->patched);
		goto out;
	}
	for (i = 0; inc->slot_rc == 0 && i < info->n_slot_names; i++)
		if (i >= inc->n_slots ||
		    strcmp(inc->arrays[inc->slots[i]].name, info->slot_names[i]) != 0) {
			rc = err_set(err, MCUPROV_ERR_REFUSED, path,
				     "its bootutil_keys[] names '%s', which '%s' (included) does not "
				     "define under this configuration",
				     info->slot_names[i], r->patched);
			goto out;
		}
	if (inc->slot_rc == 0 && inc->n_slots != info->n_slot_names) {
		rc = err_set(err, MCUPROV_ERR_REFUSED, r->patched,
			     "defines %zu key arrays but '%s' lists %zu", inc->n_slots, path,
			     info->n_slot_names);
		goto out;
	}
	if (inc->slot_rc == 0 && o->n_keys != inc->n_slots && !o->has_image) {
		rc = err_set(err, MCUPROV_ERR_REFUSED, path,
			     "lists %zu key%s defined in '%s' but %zu key%s given: change the "
			     "number of keys in both files by hand",
			     inc->n_slots, inc->n_slots == 1 ? "" : "s", r->patched, o->n_keys,
			     o->n_keys == 1 ? " was" : "s were");
		goto out;
	}
	rc = keysc_patch(text, len, r->patched, inc, o->keys, o->n_keys,
			 o->has_image ? (long)o->image : -1, &new_text, &new_len, err);
	if (rc < 0)
		goto out;
	rc = apply(r->patched, o, text, len, new_text, new_len, mode, existed, r, err);
out:
	keysc_info_free(inc);
	free(copy);
	free(text);
	free(new_text);
	return rc;
}

/* --emit-key-file for a keys.c whose key slots are declared without
 * bytes: the key file defining them under their names. */
static int emit_tentative(const char *path, const struct keysc_info *info,
			  const struct provision_opts *o, struct provision_result *r,
			  struct mcuprov_err *err)
{
	const char *names[PROVISION_MAX_KEYS];
	size_t i;

	for (i = 0; i < info->n_slots; i++)
		if (!info->arrays[info->slots[i]].tentative)
			return err_set(err, MCUPROV_ERR_USAGE, path,
				       "--emit-key-file: its key '%s' (line %zu) has its bytes here: "
				       "patch it without --emit-key-file",
				       info->arrays[info->slots[i]].name,
				       info->arrays[info->slots[i]].line);
	if (info->n_slots == 0 || info->n_slots != o->n_keys || o->n_keys > PROVISION_MAX_KEYS)
		return err_set(err, MCUPROV_ERR_REFUSED, path,
			       "--emit-key-file: it declares %zu key array%s under this "
			       "configuration but %zu key%s given",
			       info->n_slots, info->n_slots == 1 ? "" : "s", o->n_keys,
			       o->n_keys == 1 ? " was" : "s were");
	for (i = 0; i < info->n_slots; i++)
		names[i] = info->arrays[info->slots[i]].name;
	return keysc_key_file(o->keys, names, o->n_keys, &r->emitted, &r->emitted_len, err);
}

int provision_keys_c(const char *path, const struct provision_opts *o, struct provision_result *r,
		     struct mcuprov_err *err)
{
	struct keysc_info *info = NULL;
	struct pp_env *env = NULL;
	struct bootcfg cfg;
	char *text = NULL, *new_text = NULL;
	size_t len = 0, new_len = 0;
	mode_t mode = 0644;
	bool existed;
	int rc;

	memset(r, 0, sizeof(*r));
	if ((rc = read_text(path, &text, &len, &mode, false, &existed, err)) < 0)
		return rc;
	if ((rc = keys_c_env(path, o, &env, &cfg, err)) < 0)
		goto out;
	if ((rc = keysc_analyze(text, len, path, env, &info, err)) < 0)
		goto out;
	r->shape = info->shape;
	if (info->assumed != NULL && info->assumed[0] != '\0' &&
	    (r->assumed = strdup(info->assumed)) == NULL) {
		rc = err_set(err, MCUPROV_ERR_NOMEM, path, "out of memory");
		goto out;
	}
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
		if (info->slot_rc < 0) {
			/* the count disagrees with the list: whatever key file
			 * the build generates, the bootloader miscounts it */
			rc = err_set(err, info->slot_rc, path, "%s", info->slot_msg);
			goto out;
		}
		if (o->emit_key_file == NULL) {
			rc = err_set(err, MCUPROV_ERR_REFUSED, path,
				     info->upstream_2026
					     ? "this keys.c (MCUboot 2026) declares its keys through "
					       "MCUBOOT_SIGN_KEY_COUNT and holds no key bytes; the build "
					       "generates them from CONFIG_BOOT_SIGNATURE_KEY_FILE: use "
					       "'mcuprov patch --conf FRAGMENT' (or --emit-key-file OUT "
					       "for the generated file)"
					     : "this keys.c holds no key bytes; it takes them from "
					       "CONFIG_BOOT_SIGNATURE_KEY_FILE: use 'mcuprov patch --conf "
					       "FRAGMENT' (or --emit-key-file OUT for the generated file)");
			goto out;
		}
		if ((rc = check_cfg(&cfg, path, o->keys[0]->type, o->n_keys, err)) < 0)
			goto out;
		rc = keysc_generated_file(o->keys, o->n_keys, &r->emitted, &r->emitted_len, err);
		goto out;
	}
	if (info->shape == KEYSC_SHAPE_INLINE &&
	    (rc = check_cfg(&cfg, path, o->keys[0]->type, o->n_keys, err)) < 0)
		goto out;
	if (info->shape == KEYSC_SHAPE_INLINE && info->slot_rc == 0 && o->emit_key_file != NULL) {
		rc = emit_tentative(path, info, o, r, err);
		goto out;
	}
	if (info->shape == KEYSC_SHAPE_INLINE && info->slot_rc == 0 && info->include[0] != '\0') {
		rc = patch_included(path, info, env, o, r, err);
		goto out;
	}
	rc = keysc_patch(text, len, path, info, o->keys, o->n_keys,
			 o->has_image ? (long)o->image : -1, &new_text, &new_len, err);
	if (rc < 0)
		goto out;
	rc = apply(path, o, text, len, new_text, new_len, mode, existed, r, err);
out:
	keysc_info_free(info);
	pp_env_free(env);
	free(text);
	free(new_text);
	return rc;
}

int provision_public_name(const char *key_path, char *out, size_t n, struct mcuprov_err *err)
{
	size_t len = strlen(key_path);

	if (len > 4 && (strcmp(key_path + len - 4, ".pem") == 0 ||
			strcmp(key_path + len - 4, ".der") == 0))
		len -= 4;
	if ((size_t)snprintf(out, n, "%.*s.pub.pem", (int)len, key_path) >= n)
		return err_set(err, MCUPROV_ERR_USAGE, key_path, "path too long");
	return 0;
}

int provision_public_write(const struct mcuprov_key *key, const char *key_name,
			   const char *pub_path, bool dry_run, bool *written,
			   struct mcuprov_err *err)
{
	char *pem = NULL;
	uint8_t *old = NULL;
	size_t len = 0, oldlen = 0;
	int rc;

	*written = false;
	if ((rc = key_public_pem(key, &pem, &len, err)) < 0)
		return rc;
	if (file_read(pub_path, 65536, &old, &oldlen, NULL, NULL) == 0) {
		if (oldlen != len || memcmp(old, pem, len) != 0)
			rc = err_set(err, MCUPROV_ERR_REFUSED, pub_path,
				     "exists and is not the public half of '%s'", key_name);
	} else if (!dry_run) {
		rc = file_write_atomic(pub_path, pem, len, 0, err);
		*written = rc == 0;
	}
	free(old);
	OPENSSL_free(pem);
	return rc;
}

/* Where a token key's public half goes for a Kconfig fragment CONF:
 * LABEL.pub.pem beside the fragment (LABEL the URI's object, characters
 * other than letters, digits, '.', '-' and '_' as '_'; a key without one
 * is named by its fingerprint). */
static int token_public_name(const struct mcuprov_key *key, const char *conf, char *out,
			     size_t n, struct mcuprov_err *err)
{
	char *label = pkcs11_uri_label(key->uri), *dir = file_dir_of(conf);
	char fp[2 * KEY_FINGERPRINT_LEN + 1];
	size_t i;
	int rc = 0;

	if (dir == NULL) {
		free(label);
		return err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
	}
	if (label == NULL || label[0] == '\0' || strcmp(label, ".") == 0 ||
	    strcmp(label, "..") == 0) {
		free(label);
		label = NULL;
		if ((rc = key_fingerprint_hex(key, fp, err)) < 0)
			goto out;
		if ((label = malloc(32)) == NULL) {
			rc = err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
			goto out;
		}
		snprintf(label, 32, "token-key-%.16s", fp);
	}
	for (i = 0; label[i] != '\0'; i++)
		if (!((label[i] >= 'a' && label[i] <= 'z') || (label[i] >= 'A' && label[i] <= 'Z') ||
		      (label[i] >= '0' && label[i] <= '9') || strchr(".-_", label[i]) != NULL))
			label[i] = '_';
	if ((size_t)snprintf(out, n, "%s/%s.pub.pem", dir, label) >= n)
		rc = err_set(err, MCUPROV_ERR_USAGE, label, "path too long");
out:
	free(label);
	free(dir);
	return rc;
}

/* The public key file for key I: the key file itself when it is public,
 * else NAME.pub.pem beside it (provision_public_write()); for a key in a
 * token, which has no file, token_public_name() beside CONF.  OUT
 * receives its absolute path. */
static int public_file(const struct provision_opts *o, const char *conf, size_t i,
		       struct provision_result *r, char *out, size_t outsz,
		       struct mcuprov_err *err)
{
	char base[PROVISION_PATH_MAX], cwd[PROVISION_PATH_MAX];
	const struct mcuprov_key *key = o->keys[i];
	bool written;
	int rc = 0;
	const char *name = key->origin == KEY_ORIGIN_TOKEN ? key->uri : o->key_paths[i];

	if (key->origin == KEY_ORIGIN_TOKEN)
		rc = token_public_name(key, conf, base, sizeof(base), err);
	else if (snprintf(base, sizeof(base), "%s", name) >= (int)sizeof(base) - 9)
		rc = err_set(err, MCUPROV_ERR_USAGE, name, "path too long");
	else if (key->is_private)
		rc = provision_public_name(name, base, sizeof(base), err);
	if (rc < 0)
		return rc;
	if (key->origin == KEY_ORIGIN_TOKEN || key->is_private) {
		if ((rc = provision_public_write(key, name, base, o->dry_run, &written, err)) < 0)
			return rc;
		if (written && r->n_pub_written < PROVISION_MAX_KEYS)
			snprintf(r->pub_written[r->n_pub_written++], PROVISION_PATH_MAX, "%s", base);
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
		if ((rc = public_file(o, path, i, r, files[i], sizeof(files[i]), err)) < 0)
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
