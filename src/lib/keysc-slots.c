/* MCUboot keys.c: the key slots a configuration compiles, and the
 * self-check that a text holds given keys in them.
 *
 * A slot is what the bootloader trusts: the array a live bootutil_keys[]
 * entry names (alternatives for one slot in dead branches are the same
 * slot), or a live key array of a file without a list.  Whatever cannot be
 * told for sure (a macro the configuration does not give, a count that
 * disagrees, an entry that cannot be read) is a refusal that says so. */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "keysc-internal.h"

/* A name of a signing key as imgtool, MCUboot and its ports write them. */
bool keysc_key_like_name(const char *n)
{
	return strncmp(n, "enc_", 4) != 0 && strstr(n, "enc_priv") == NULL &&
	       (strstr(n, "pub_key") != NULL || strstr(n, "pub_der") != NULL ||
		strstr(n, "sign") != NULL || strncmp(n, "key_", 4) == 0);
}

/* Set the slot error: the slots cannot be told. */
static void slot_fail(struct keysc_info *info, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void slot_fail(struct keysc_info *info, int rc, const char *fmt, ...)
{
	va_list ap;

	if (info->slot_rc < 0)
		return;
	info->slot_rc = rc;
	va_start(ap, fmt);
	vsnprintf(info->slot_msg, sizeof(info->slot_msg), fmt, ap);
	va_end(ap);
}

/* "depends on A and B: give -D NAME[=VALUE] or -U NAME for each" */
static void doubt_fail(struct keysc_info *info, size_t line, const char *what, const char *doubt)
{
	bool one = strstr(doubt, " and ") == NULL && strstr(doubt, ", ") == NULL;

	if (one)
		slot_fail(info, MCUPROV_ERR_REFUSED,
			  "line %zu: whether %s is compiled depends on %s, which the configuration "
			  "does not say: give -D %s[=VALUE] or -U %s",
			  line, what, doubt, doubt, doubt);
	else
		slot_fail(info, MCUPROV_ERR_REFUSED,
			  "line %zu: whether %s is compiled depends on %s, which the configuration "
			  "does not say: give -D NAME[=VALUE] or -U NAME for each",
			  line, what, doubt);
}

static int add_slot(struct keysc_info *info, size_t a, size_t *cap)
{
	size_t *ns = keysc_grow(info->slots, info->n_slots, cap, sizeof(*ns));

	if (ns == NULL)
		return -1;
	info->slots = ns;
	info->slots[info->n_slots++] = a;
	return 0;
}

/* Does the live count (a number, or an expression the configuration gives)
 * differ from the N_LIVE entries of the live list L?  Then the slot error
 * says so. */
static bool count_differs(struct keysc_info *info, const struct keysc_list *l, size_t n_live)
{
	const struct keysc_count *c = info->live_count;

	if (c == NULL || c->kind == KEYSC_COUNT_SIZEOF || !c->known || c->value == n_live)
		return false;
	slot_fail(info, MCUPROV_ERR_REFUSED,
		  "line %zu: bootutil_key_cnt is %lu but bootutil_keys[] (line %zu) lists %zu "
		  "key%s under this configuration: the bootloader would %s",
		  c->line, c->value, l->line, n_live, n_live == 1 ? "" : "s",
		  c->value > n_live ? "read past the list" : "ignore the keys after the count");
	return true;
}

/* Shapes 2 and 3 (the key bytes generated elsewhere): the count against the
 * list, when both are known for sure under the configuration (a doubt is
 * not a refusal here: the build checks what cannot be told). */
void keysc_check_count(struct keysc_info *info, const struct pp_env *env)
{
	const struct keysc_list *l = NULL;
	size_t i, n_live = 0;

	if (env != NULL && pp_env_get(env, "MCUBOOT_HW_KEY", 14, NULL, NULL) == PP_DEF)
		return;
	for (i = 0; i < info->n_lists; i++) {
		if (info->lists[i].live.live == PP_MAYBE ||
		    (info->lists[i].live.live == PP_TRUE && l != NULL))
			return;
		if (info->lists[i].live.live == PP_TRUE)
			l = &info->lists[i];
	}
	for (i = 0; i < info->n_counts; i++) {
		const struct keysc_count *c = &info->counts[i];

		if (c->live.live == PP_MAYBE ||
		    (c->live.live == PP_TRUE && info->live_count != NULL))
			return;
		if (c->live.live == PP_TRUE)
			info->live_count = c;
	}
	info->live_list = l;
	if (l == NULL || l->junk_line != 0 || info->live_count == NULL)
		return;
	for (i = 0; i < l->n_entries; i++) {
		if (l->entries[i].live.live == PP_MAYBE)
			return;
		n_live += l->entries[i].live.live == PP_TRUE;
	}
	count_differs(info, l, n_live);
}

/* The key slots under the configuration: see struct keysc_info. */
int keysc_find_slots(const char *text, struct keysc_info *info, const struct pp_env *env,
		     const char *include)
{
	const struct keysc_list *l = NULL;
	size_t i, j, cap = 0, missing = 0, n_live = 0;
	const char *first_missing = NULL;
	size_t missing_line = 0;
	char what[KEYSC_NAME_MAX + 64];

	if (env != NULL && pp_env_get(env, "MCUBOOT_HW_KEY", 14, NULL, NULL) == PP_DEF) {
		slot_fail(info, MCUPROV_ERR_REFUSED,
			  "MCUBOOT_HW_KEY is defined: that bootloader takes the key from each "
			  "image and checks its hash, keys.c holds no key to patch (use 'mcuprov "
			  "patch --hw-key' for the hash to store)");
		return 0;
	}
	for (i = 0; i < info->n_lists; i++) {
		const struct keysc_list *c = &info->lists[i];

		if (c->live.live == PP_MAYBE) {
			doubt_fail(info, c->line, "bootutil_keys[]", c->live.doubt);
			return 0;
		}
		if (c->live.live != PP_TRUE)
			continue;
		if (l != NULL) {
			slot_fail(
				info, MCUPROV_ERR_REFUSED,
				"bootutil_keys[] is defined twice under this configuration (lines "
				"%zu and %zu)",
				l->line, c->line);
			return 0;
		}
		l = c;
	}
	info->live_list = l;
	for (i = 0; i < info->n_counts; i++) {
		const struct keysc_count *c = &info->counts[i];

		if (c->live.live == PP_MAYBE) {
			doubt_fail(info, c->line, "bootutil_key_cnt", c->live.doubt);
			return 0;
		}
		if (c->live.live != PP_TRUE)
			continue;
		if (info->live_count != NULL) {
			slot_fail(
				info, MCUPROV_ERR_REFUSED,
				"bootutil_key_cnt is defined twice under this configuration (lines "
				"%zu and %zu)",
				info->live_count->line, c->line);
			return 0;
		}
		info->live_count = c;
	}
	if (l == NULL) {
		/* a key file without a list: its live key arrays */
		for (i = 0; i < info->n_arrays; i++) {
			const struct keysc_array *a = &info->arrays[i];

			if (!a->is_key || a->live.live == PP_FALSE)
				continue;
			if (a->live.live == PP_MAYBE) {
				snprintf(what, sizeof(what), "'%s'", a->name);
				doubt_fail(info, a->line, what, a->live.doubt);
				return 0;
			}
			if (add_slot(info, i, &cap) < 0)
				return -1;
		}
		return 0;
	}
	if (l->junk_line != 0) {
		slot_fail(info, MCUPROV_ERR_REFUSED,
			  "line %zu: bootutil_keys[] holds more than { .key = NAME, .len = "
			  "&NAME_len } "
			  "entries and preprocessor lines: which keys it lists cannot be told",
			  l->junk_line);
		return 0;
	}
	for (j = 0; j < l->n_entries; j++) {
		const struct keysc_entry *e = &l->entries[j];
		size_t found = info->n_arrays, n_found = 0;

		if (e->live.live == PP_FALSE)
			continue;
		if (e->live.live == PP_MAYBE) {
			snprintf(what, sizeof(what), "the bootutil_keys[] entry for '%s'",
				 e->key[0] ? e->key : "?");
			doubt_fail(info, e->line, what, e->live.doubt);
			return 0;
		}
		n_live++;
		if (e->live.image_cond)
			info->multi_image = true;
		if (e->key[0] == '\0') {
			slot_fail(info, MCUPROV_ERR_REFUSED,
				  "line %zu: cannot read this bootutil_keys[] entry (not { .key = "
				  "NAME, "
				  ".len = &NAME_len } or { NAME, &NAME_len })",
				  e->line);
			return 0;
		}
		for (i = 0; i < info->n_arrays; i++) {
			const struct keysc_array *a = &info->arrays[i];

			if (strcmp(a->name, e->key) != 0 || a->live.live == PP_FALSE)
				continue;
			if (a->live.live == PP_MAYBE) {
				snprintf(what, sizeof(what), "'%s'", a->name);
				doubt_fail(info, a->line, what, a->live.doubt);
				return 0;
			}
			if (n_found++ == 0)
				found = i;
			else {
				slot_fail(
					info, MCUPROV_ERR_REFUSED,
					"'%s' is defined twice under this configuration (lines %zu "
					"and %zu)",
					a->name, info->arrays[found].line, a->line);
				return 0;
			}
		}
		if (n_found == 0) {
			char **nv;

			if (missing++ == 0) {
				first_missing = e->key;
				missing_line = e->line;
			}
			nv = realloc(info->slot_names, (info->n_slot_names + 1) * sizeof(*nv));
			if (nv == NULL)
				return -1;
			info->slot_names = nv;
			if ((nv[info->n_slot_names] = strdup(e->key)) == NULL)
				return -1;
			info->n_slot_names++;
			continue;
		}
		if (!info->arrays[found].tentative &&
		    (!info->arrays[found].has_len ||
		     strcmp(info->arrays[found].len_name, e->len_name) != 0)) {
			for (i = 0; i < info->n_arrays; i++)
				if (i != found && info->arrays[i].has_len &&
				    strcmp(info->arrays[i].len_name, e->len_name) == 0)
					break;
			if (i < info->n_arrays)
				slot_fail(info, MCUPROV_ERR_REFUSED,
					  "line %zu: the bootutil_keys[] entry for '%s' takes its "
					  "length from '%s'",
					  e->line, e->key, e->len_name);
			else
				slot_fail(info, MCUPROV_ERR_REFUSED,
					  "line %zu: array '%s' has no %s to go with it (its "
					  "bootutil_keys[] entry, line %zu, names it)",
					  info->arrays[found].line, e->key, e->len_name, e->line);
			return 0;
		}
		for (i = 0; i < info->n_slots; i++)
			if (info->slots[i] == found) {
				slot_fail(info, MCUPROV_ERR_REFUSED,
					  "line %zu: bootutil_keys[] lists '%s' twice", e->line,
					  e->key);
				return 0;
			}
		if (add_slot(info, found, &cap) < 0)
			return -1;
	}
	for (i = 0; missing > 0 && i < info->n_arrays; i++)
		for (j = 0; j < info->n_slot_names; j++)
			if (strcmp(info->arrays[i].name, info->slot_names[j]) == 0)
				include = ""; /* defined here, in branches not compiled */
	/* the arrays come from a key file this one #includes: said even when
	 * the count refuses, so that the refusal is the count's */
	if (missing > 0 && info->n_slots == 0 && include[0] != '\0')
		snprintf(info->include, sizeof(info->include), "%s", include);
	if (count_differs(info, l, n_live))
		return 0;
	if (info->live_count != NULL &&
	    memmem(text + info->live_count->start, info->live_count->end - info->live_count->start,
		   "MCUBOOT_IMAGE_NUMBER", 20) != NULL)
		info->multi_image = true;
	if (missing > 0 && info->n_slots == 0 && include[0] != '\0')
		return 0; /* the arrays come from a key file this one #includes */
	if (missing > 0) {
		for (i = 0; i < info->n_arrays; i++)
			if (strcmp(info->arrays[i].name, first_missing) == 0)
				break;
		slot_fail(info, MCUPROV_ERR_REFUSED,
			  "line %zu: bootutil_keys[] names '%s', which this file does not define "
			  "under this configuration%s",
			  missing_line, first_missing,
			  i < info->n_arrays ? " (only in branches that are not compiled)"
					     : " (its bytes are not in this file)");
		return 0;
	}
	if (n_live == 0)
		slot_fail(info, MCUPROV_ERR_REFUSED,
			  "bootutil_keys[] (line %zu) lists no key under this configuration",
			  l->line);
	return 0;
}

/* The bytes of array A's initializer into BUF (at most MAX); their number,
 * or (size_t)-1 when one is not a byte. */
static size_t array_bytes(const char *text, const struct keysc_array *a, uint8_t *buf, size_t max)
{
	size_t p = a->body_start, n = 0;

	while (p < a->body_end) {
		char c = text[p];

		if (isspace((unsigned char)c) || c == ',') {
			p++;
		} else if (c == '/' && p + 1 < a->body_end && text[p + 1] == '*') {
			for (p += 2; p + 1 < a->body_end && !(text[p] == '*' && text[p + 1] == '/');
			     p++)
				;
			p += 2;
		} else if (c == '/' && p + 1 < a->body_end && text[p + 1] == '/') {
			while (p < a->body_end && text[p] != '\n')
				p++;
		} else if (isdigit((unsigned char)c)) {
			struct tok k;
			long long v;

			memset(&k, 0, sizeof(k));
			k.start = p;
			while (p < a->body_end && isalnum((unsigned char)text[p]))
				p++;
			k.end = p;
			v = keysc_tok_num(text, &k);
			if (v < 0 || v > 255)
				return (size_t)-1;
			if (n < max)
				buf[n] = (uint8_t)v;
			n++;
		} else {
			return (size_t)-1;
		}
	}
	return n;
}

/* Does slot array A hold exactly DER (its bytes, length variable and
 * written size)?  Returns 0 or the reason in WHY. */
static int slot_holds(const char *text, const struct keysc_array *a, const uint8_t *der,
		      size_t dlen, char *why, size_t size)
{
	uint8_t buf[1024];
	size_t n = array_bytes(text, a, buf, sizeof(buf));

	if (n == (size_t)-1 || n > sizeof(buf) || n != dlen || memcmp(buf, der, dlen) != 0)
		snprintf(why, size, "'%s' (line %zu) does not hold the key's %zu bytes", a->name,
			 a->line, dlen);
	else if (!a->has_len || (!a->len_sizeof && a->declared_len != dlen))
		snprintf(why, size, "'%s' (line %zu): its length is not %zu", a->name, a->line,
			 dlen);
	else if (a->fixed && a->fixed_size != dlen)
		snprintf(why, size, "'%s' (line %zu): its size is %lu, not %zu", a->name, a->line,
			 a->fixed_size, dlen);
	else
		return 0;
	return -1;
}

int keysc_verify_der(const char *text, size_t len, const char *subject, const struct pp_env *env,
		     const uint8_t *const *ders, const size_t *dlens, size_t n,
		     struct mcuprov_err *err)
{
	struct keysc_info *info = NULL;
	char why[KEYSC_NAME_MAX + 128];
	size_t i;
	int rc;

	if ((rc = keysc_analyze(text, len, subject, env, &info, err)) < 0)
		return rc;
	if (info->shape != KEYSC_SHAPE_INLINE) {
		rc = err_set(err, MCUPROV_ERR_REFUSED, subject, "holds no inline key arrays (%s)",
			     keysc_shape_name(info->shape));
		goto out;
	}
	if (info->slot_rc < 0) {
		rc = err_set(err, info->slot_rc, subject, "%s", info->slot_msg);
		goto out;
	}
	if (info->n_slots != n) {
		rc = err_set(err, MCUPROV_ERR_REFUSED, subject,
			     "compiles %zu key%s under this configuration, not %zu", info->n_slots,
			     info->n_slots == 1 ? "" : "s", n);
		goto out;
	}
	for (i = 0; i < n; i++)
		if (ders[i] != NULL && slot_holds(text, &info->arrays[info->slots[i]], ders[i],
						  dlens[i], why, sizeof(why)) < 0) {
			rc = err_set(err, MCUPROV_ERR_REFUSED, subject, "key %zu: %s", i, why);
			goto out;
		}
	rc = 0;
out:
	keysc_info_free(info);
	return rc;
}

int keysc_slot_der(const char *text, const struct keysc_info *info, size_t slot, uint8_t **der,
		   size_t *len)
{
	uint8_t buf[1024];
	size_t n;

	*der = NULL;
	if (slot >= info->n_slots)
		return -1;
	n = array_bytes(text, &info->arrays[info->slots[slot]], buf, sizeof(buf));
	if (n == (size_t)-1 || n > sizeof(buf) || (*der = malloc(n ? n : 1)) == NULL)
		return -1;
	memcpy(*der, buf, n);
	*len = n;
	return 0;
}

int keysc_verify(const char *text, size_t len, const char *subject, const struct pp_env *env,
		 const struct mcuprov_key *const *keys, size_t n_keys, struct mcuprov_err *err)
{
	uint8_t **ders = calloc(n_keys + 1, sizeof(*ders));
	size_t *dlens = calloc(n_keys + 1, sizeof(*dlens)), i;
	int rc = 0;

	if (ders == NULL || dlens == NULL) {
		rc = err_set(err, MCUPROV_ERR_NOMEM, subject, "out of memory");
		goto out;
	}
	for (i = 0; i < n_keys && rc == 0; i++)
		rc = key_public_der(keys[i], &ders[i], &dlens[i], err);
	if (rc == 0)
		rc = keysc_verify_der(text, len, subject, env, (const uint8_t *const *)ders, dlens,
				      n_keys, err);
out:
	for (i = 0; ders != NULL && i < n_keys; i++)
		OPENSSL_free(ders[i]);
	free(ders);
	free(dlens);
	return rc;
}
