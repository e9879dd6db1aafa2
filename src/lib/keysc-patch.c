/* MCUboot keys.c: patching the key slots.
 *
 * keysc_patch() checks the slots the analysis found, collects the edits
 * (keysc-edit.c; keysc-resize.c for another number of keys), makes sure
 * none touches a line the configuration does not compile, applies them,
 * and analyses the result again under the same configuration: it must
 * compile exactly the keys given (a self-check: never a wrong file). */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "keysc-internal.h"
#include "mcuprov/carray.h"

/* Never a dead branch: no edit may change or remove a token the
 * configuration does not compile (a bug otherwise: MCUPROV_ERR_INTERNAL). */
static int edits_in_live_code(const char *subject, const struct keysc_info *info,
			      const struct edits *ed, struct mcuprov_err *err)
{
	size_t i, k;

	for (i = 0; i < ed->n; i++)
		for (k = 0; k < info->n_dead; k++)
			if (info->dead[k].start < ed->v[i].end && info->dead[k].end > ed->v[i].start)
				return err_set(
					err, MCUPROV_ERR_INTERNAL, subject,
					"line %zu, which the configuration does not compile, "
					"would change: nothing written; please report this file",
					info->dead[k].line);
	return 0;
}

/* "has no block for ed25519 keys ...; it has blocks for: ..." */
static int no_block(const char *subject, const struct keysc_info *info, enum key_type type,
		    struct mcuprov_err *err)
{
	char blocks[256] = "";
	size_t i;

	for (i = 0; i < info->n_arrays; i++) {
		const char *b = info->arrays[i].block;

		if (!info->arrays[i].is_key || !keysc_is_sign_macro(b) ||
		    strstr(blocks, b) != NULL || strlen(blocks) + strlen(b) + 3 >= sizeof(blocks))
			continue;
		if (blocks[0] != '\0')
			strcat(blocks, ", ");
		strcat(blocks, b);
	}
	for (i = 0; i < info->n_arrays; i++)
		if (info->arrays[i].is_key && keysc_macro_selects(info->arrays[i].block, type))
			return err_set(
				err, MCUPROV_ERR_REFUSED, subject,
				"line %zu: its %s block is not compiled under this "
				"configuration (see the 'assuming' line: -D and -U change it)",
				info->arrays[i].line, info->arrays[i].block);
	return err_set(err, MCUPROV_ERR_REFUSED, subject,
		       "has no block for %s keys (#if defined(%s)); it has blocks for: %s",
		       key_type_name(type), keysc_sign_macro(type), blocks[0] ? blocks : "none");
}

/* The current keys of a per-image list, for the refusal that asks for
 * --image: "image 0: 'rsa_pub_key' SHA-256 0123456789abcdef..., ..." */
static void image_list(const char *text, const struct keysc_info *info, char *buf, size_t size)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < info->n_slots && used + 1 < size; i++) {
		uint8_t *der = NULL, md[EVP_MAX_MD_SIZE];
		unsigned mdlen = 0, k;
		size_t dlen = 0;
		char hex[17] = "?";

		if (keysc_slot_der(text, info, i, &der, &dlen) == 0 &&
		    EVP_Digest(der, dlen, md, &mdlen, EVP_sha256(), NULL) && mdlen >= 8)
			for (k = 0; k < 8; k++)
				snprintf(hex + 2 * k, 3, "%02x", md[k]);
		free(der);
		used += (size_t)snprintf(buf + used, size - used, "%simage %zu: '%s' SHA-256 %s...",
					 i ? ", " : "", i, info->arrays[info->slots[i]].name, hex);
	}
}

/* The checks every slot to patch must pass. */
static int check_slot(const char *subject, const struct keysc_array *a, struct mcuprov_err *err)
{
	if (a->tentative)
		return err_set(err, MCUPROV_ERR_REFUSED, subject,
			       "line %zu: '%s' is declared without its bytes (a tentative "
			       "definition): declare it extern and build the key file that "
			       "--emit-key-file OUT writes",
			       a->line, a->name);
	if (!a->has_len)
		return err_set(err, MCUPROV_ERR_REFUSED, subject,
			       "line %zu: array '%s' has no %s_len to go with it", a->line, a->name,
			       a->name);
	/* a placeholder `{ 0x00 }` with a length of 0 is there to be filled */
	if (a->declared_len == 0 && a->n_bytes <= 1)
		return 0;
	if (a->len_sizeof && a->declared_len != a->n_bytes)
		return err_set(err, MCUPROV_ERR_REFUSED, subject,
			       "line %zu: the length of '%s' is the size of another array", a->line,
			       a->name);
	if (a->declared_len != a->n_bytes)
		return err_set(err, MCUPROV_ERR_REFUSED, subject,
			       "line %zu: array '%s' has %zu bytes but %s says %lu", a->line,
			       a->name, a->n_bytes, a->len_name, a->declared_len);
	if (a->fixed && a->fixed_size < a->n_bytes)
		return err_set(err, MCUPROV_ERR_REFUSED, subject,
			       "line %zu: array '%s' is declared with %lu bytes but holds %zu",
			       a->line, a->name, a->fixed_size, a->n_bytes);
	return 0;
}

/* The self-check: OUT, analysed again under the same configuration,
 * compiles exactly the keys wanted (slot IMAGE only when IMAGE >= 0, the
 * others as before). */
static int self_check(const char *text, const char *out, size_t out_len, const char *subject,
		      const struct keysc_info *info, const struct mcuprov_key *const *keys,
		      size_t n_keys, long image, struct mcuprov_err *err)
{
	size_t n = image >= 0 ? info->n_slots : n_keys, i;
	uint8_t **ders = calloc(n + 1, sizeof(*ders));
	size_t *dlens = calloc(n + 1, sizeof(*dlens));
	struct mcuprov_err e2;
	int rc = 0;

	err_clear(&e2);
	if (ders == NULL || dlens == NULL) {
		rc = err_set(err, MCUPROV_ERR_NOMEM, subject, "out of memory");
		goto out;
	}
	for (i = 0; i < n && rc == 0; i++) {
		if (image < 0 || (size_t)image == i) {
			uint8_t *d = NULL;

			rc = key_public_der(keys[image < 0 ? i : 0], &d, &dlens[i], err);
			if (rc == 0 && (ders[i] = malloc(dlens[i])) != NULL)
				memcpy(ders[i], d, dlens[i]);
			else if (rc == 0)
				rc = err_set(err, MCUPROV_ERR_NOMEM, subject, "out of memory");
			OPENSSL_free(d);
		} else if (keysc_slot_der(text, info, i, &ders[i], &dlens[i]) < 0) {
			rc = err_set(err, MCUPROV_ERR_NOMEM, subject, "out of memory");
		}
	}
	if (rc == 0 && keysc_verify_der(out, out_len, subject, info->env,
					(const uint8_t *const *)ders, dlens, n, &e2) < 0)
		rc = err_set(err, MCUPROV_ERR_INTERNAL, subject,
			     "the patched text would not hold the keys (%s): nothing written; "
			     "please report this file",
			     e2.msg);
out:
	for (i = 0; ders != NULL && i < n; i++)
		free(ders[i]);
	free(ders);
	free(dlens);
	return rc;
}

int keysc_patch(const char *text, size_t len, const char *subject, const struct keysc_info *info,
		const struct mcuprov_key *const *keys, size_t n_keys, long image, char **out,
		size_t *out_len, struct mcuprov_err *err)
{
	struct edits ed = {NULL, 0, 0};
	bool live_key = false;
	size_t i;
	int rc;

	*out = NULL;
	if (info->shape == KEYSC_SHAPE_UNKNOWN && info->n_arrays > 0)
		return err_set(err, MCUPROV_ERR_REFUSED, subject,
			       "has byte arrays ('%s', line %zu%s) but no signing key: none is in "
			       "an #if on MCUBOOT_SIGN_*, named in bootutil_keys[] or named and "
			       "sized like a key (NAME_pub_key with NAME_pub_key_len)",
			       info->arrays[0].name, info->arrays[0].line,
			       info->n_arrays > 1 ? ", ..." : "");
	if (info->shape != KEYSC_SHAPE_INLINE)
		return err_set(err, MCUPROV_ERR_REFUSED, subject,
			       info->shape == KEYSC_SHAPE_UNKNOWN
				       ? "matches no known keys.c shape: no inline key array "
					 "(const unsigned char NAME[] = {...}) and no extern "
					 "..._pub_key[] declaration"
				       : "is a %s: it holds no key bytes; provision it with "
					 "'mcuprov patch --conf' (CONFIG_BOOT_SIGNATURE_KEY_FILE)",
			       keysc_shape_name(info->shape));
	if (n_keys == 0)
		return err_set(err, MCUPROV_ERR_USAGE, subject, "no key given");
	for (i = 1; i < n_keys; i++)
		if (keys[i]->type != keys[0]->type)
			return err_set(
				err, MCUPROV_ERR_USAGE, NULL,
				"all keys of one bootloader must have one type (%s and %s given)",
				key_type_name(keys[0]->type), key_type_name(keys[i]->type));
	for (i = 0; i < info->n_arrays; i++)
		live_key |= info->arrays[i].is_key && info->arrays[i].live.live != PP_FALSE;
	/* no key array compiled for this type at all: say which blocks there
	 * are (a hardware-key build says why itself) */
	if (!live_key && info->include[0] == '\0' &&
	    pp_env_get(info->env, "MCUBOOT_HW_KEY", 14, NULL, NULL) != PP_DEF)
		return no_block(subject, info, keys[0]->type, err);
	if (info->slot_rc < 0)
		return err_set(err, info->slot_rc, subject, "%s", info->slot_msg);
	if (info->include[0] != '\0')
		return err_set(err, MCUPROV_ERR_REFUSED, subject,
			       "its keys are in the file it includes, '%s': patch that one",
			       info->include);
	if (info->n_slots == 0)
		return no_block(subject, info, keys[0]->type, err);
	if (image >= 0) {
		if (!info->multi_image && !(info->n_slots == 1 && image == 0))
			return err_set(err, MCUPROV_ERR_REFUSED, subject,
				       "--image %ld: it holds no key per image (no list depending "
				       "on MCUBOOT_IMAGE_NUMBER)",
				       image);
		if ((size_t)image >= info->n_slots)
			return err_set(err, MCUPROV_ERR_REFUSED, subject,
				       "--image %ld: it holds keys for images 0 to %zu under this "
				       "configuration",
				       image, info->n_slots - 1);
		if (n_keys != 1)
			return err_set(err, MCUPROV_ERR_USAGE, subject,
				       "--image takes one key (%zu given)", n_keys);
	} else if (info->multi_image && info->n_slots > 1) {
		char list[MCUPROV_ERR_MSG_MAX];

		image_list(text, info, list, sizeof(list));
		return err_set(err, MCUPROV_ERR_REFUSED, subject,
			       "holds one key per image (%s): choose the image whose key "
			       "changes with --image N",
			       list);
	}
	for (i = 0; i < info->n_slots; i++)
		if ((image < 0 || (size_t)image == i) &&
		    (rc = check_slot(subject, &info->arrays[info->slots[i]], err)) < 0)
			return rc;
	/* slot i gets key i */
	for (i = 0; i < info->n_slots && i < n_keys; i++) {
		size_t s = image >= 0 ? (size_t)image : i;

		if ((rc = keysc_put_key(info, text, &info->arrays[info->slots[s]], s, keys[i], &ed,
					subject, err)) < 0)
			goto out;
		if (image >= 0)
			break;
	}
	if (image < 0 && n_keys != info->n_slots) {
		struct resize_plan p;
		const struct keysc_array *a0 = &info->arrays[info->slots[0]];
		size_t k;
		bool sign_block = false;

		memset(&p, 0, sizeof(p));
		p.text = text;
		p.len = len;
		p.subject = subject;
		p.info = info;
		p.type = keys[0]->type;
		p.idx = info->slots;
		p.n_idx = info->n_slots;
		p.keys = keys;
		p.n_keys = n_keys;
		for (i = 0; i < info->n_arrays; i++)
			sign_block |= info->arrays[i].is_key &&
				      keysc_is_sign_macro(info->arrays[i].block);
		/* named after the first in the text */
		for (k = 1; k < info->n_slots; k++)
			if (info->slots[k] < (size_t)(a0 - info->arrays))
				a0 = &info->arrays[info->slots[k]];
		snprintf(p.head, sizeof(p.head),
			 "its %s block holds %zu key array%s (%s%s) but %zu key%s given",
			 sign_block ? keysc_sign_macro(keys[0]->type) : "key", info->n_slots,
			 info->n_slots == 1 ? "" : "s", a0->name, info->n_slots > 1 ? ", ..." : "",
			 n_keys, n_keys == 1 ? " was" : "s were");
		rc = keysc_resize(&p, &ed, err);
		keysc_toks_free(&p.t);
		free(p.ent);
		if (rc < 0)
			goto out;
	}
	if ((rc = edits_in_live_code(subject, info, &ed, err)) < 0 ||
	    (rc = keysc_apply_edits(text, len, &ed, subject, out, out_len, err)) < 0)
		goto out;
	if ((rc = self_check(text, *out, *out_len, subject, info, keys, n_keys, image, err)) < 0) {
		free(*out);
		*out = NULL;
	}
out:
	keysc_edits_free(&ed);
	return rc;
}

int keysc_key_file(const struct mcuprov_key *const *keys, const char *const *names, size_t n_keys,
		   char **out, size_t *out_len, struct mcuprov_err *err)
{
	char *all = NULL;
	size_t used = 0, i;
	int rc = 0;

	*out = NULL;
	for (i = 0; i < n_keys; i++) {
		uint8_t *der = NULL;
		size_t dlen = 0, n;
		char *part, *na;

		rc = key_public_der(keys[i], &der, &dlen, err);
		if (rc < 0)
			break;
		part = carray_format(der, dlen, names[i], CARRAY_LANG_C, i == 0);
		OPENSSL_free(der);
		n = part ? strlen(part) : 0;
		na = part ? realloc(all, used + n + 1) : NULL;
		if (na == NULL) {
			free(part);
			rc = err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
			break;
		}
		all = na;
		memcpy(all + used, part, n + 1);
		used += n;
		free(part);
	}
	if (rc < 0) {
		free(all);
		return rc;
	}
	*out = all;
	*out_len = used;
	return 0;
}

int keysc_generated_file(const struct mcuprov_key *const *keys, size_t n_keys, char **out,
			 size_t *out_len, struct mcuprov_err *err)
{
	char(*names)[64] = calloc(n_keys + 1, sizeof(*names));
	const char **np = calloc(n_keys + 1, sizeof(*np));
	size_t i;
	int rc;

	if (names == NULL || np == NULL) {
		free(names);
		free(np);
		return err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
	}
	for (i = 0; i < n_keys; i++) {
		if (i == 0)
			snprintf(names[i], sizeof(names[i]), "%s_pub_key",
				 key_type_shortname(keys[i]->type));
		else
			snprintf(names[i], sizeof(names[i]), "%s_pub_key_%zu",
				 key_type_shortname(keys[i]->type), i);
		np[i] = names[i];
	}
	rc = keysc_key_file(keys, np, n_keys, out, out_len, err);
	free(names);
	free(np);
	return rc;
}
