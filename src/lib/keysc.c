/* MCUboot keys.c: shape analysis — which declarations the file holds and
 * which of them the bootloader compiles as its key slots.
 *
 * The text is untrusted.  keysc-tok.c splits it into tokens and marks each
 * with whether it is compiled under the configuration analysed; here a
 * matcher finds the few declarations that matter (key arrays, their
 * lengths, bootutil_keys[] and bootutil_key_cnt, extern declarations of
 * generated keys) and tells the key slots: the arrays the live
 * bootutil_keys[] entries name, in order.  Nothing is assumed about the
 * rest of the file.  Patching (keysc-edit.c) changes only those slots. */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "keysc-internal.h"

const char *keysc_shape_name(enum keysc_shape shape)
{
	switch (shape) {
	case KEYSC_SHAPE_INLINE: return "inline key arrays (2017-2018 keys.c)";
	case KEYSC_SHAPE_GENERATED: return "generated key file (2018-2026 keys.c)";
	case KEYSC_SHAPE_MULTI: return "several generated keys (2026 keys.c)";
	default: return "unknown";
	}
}

const char *keysc_sign_macro(enum key_type type)
{
	switch (type) {
	case KEY_RSA2048:
	case KEY_RSA3072: return "MCUBOOT_SIGN_RSA";
	case KEY_ECDSA_P256: return "MCUBOOT_SIGN_EC256";
	case KEY_ECDSA_P384: return "MCUBOOT_SIGN_EC384";
	case KEY_ED25519: return "MCUBOOT_SIGN_ED25519";
	default: return NULL;
	}
}

void keysc_info_free(struct keysc_info *info)
{
	size_t i;

	if (info == NULL)
		return;
	free(info->arrays);
	for (i = 0; i < info->n_lists; i++) {
		free(info->lists[i].entries);
		free(info->lists[i].groups);
	}
	free(info->lists);
	free(info->counts);
	free(info->slots);
	for (i = 0; i < info->n_slot_names; i++)
		free(info->slot_names[i]);
	free(info->slot_names);
	pp_env_free(info->env);
	free(info->assumed);
	free(info->dead);
	free(info);
}

/* A length variable found while reading, paired with its array later. */
struct lendecl {
	char name[KEYSC_NAME_MAX];
	char of[KEYSC_NAME_MAX]; /* sizeof(OF) */
	bool is_sizeof, used;
	long long value;
	size_t line, decl_start, decl_end, name_start, value_start, value_end;
	struct keysc_live live;
};

struct lendecls {
	struct lendecl *v;
	size_t n, cap;
};

static bool same_live(const struct keysc_live *a, const struct keysc_live *b)
{
	return a->live == b->live && a->alt == b->alt && strcmp(a->doubt, b->doubt) == 0;
}

/* The length variable's name the file uses for array A: what a
 * bootutil_keys[] entry naming A says, else A_len. */
static const char *len_name_for(const struct keysc_info *info, const char *a, char *buf,
				size_t size)
{
	size_t l, e;

	for (l = 0; l < info->n_lists; l++)
		for (e = 0; e < info->lists[l].n_entries; e++)
			if (strcmp(info->lists[l].entries[e].key, a) == 0)
				return info->lists[l].entries[e].len_name;
	snprintf(buf, size, "%s_len", a);
	return buf;
}

/* Pair array A with its length: the name the list gives it (or A_len,
 * or TF-M's BASE_len_N for BASE_N), the declaration of that name in the
 * same conditional region after A, else the first one not taken. */
static void pair_len(const struct keysc_info *info, struct keysc_array *a, struct lendecls *ld)
{
	char buf[KEYSC_NAME_MAX + 8], tfm[KEYSC_NAME_MAX + 8];
	const char *want = len_name_for(info, a->name, buf, sizeof(buf));
	struct lendecl *best = NULL;
	size_t i, n = strlen(a->name), d = n;

	tfm[0] = '\0';
	while (d > 0 && isdigit((unsigned char)a->name[d - 1]))
		d--;
	if (d > 1 && d < n && a->name[d - 1] == '_')
		snprintf(tfm, sizeof(tfm), "%.*s_len_%s", (int)(d - 1), a->name, a->name + d);
	for (i = 0; i < ld->n; i++) {
		struct lendecl *l = &ld->v[i];

		if (l->used || (strcmp(l->name, want) != 0 && strcmp(l->name, tfm) != 0))
			continue;
		if (l->decl_start > a->decl_start && same_live(&l->live, &a->live)) {
			best = l;
			break;
		}
		/* never a length the configuration compiles differently */
		if (best == NULL && l->live.live == a->live.live)
			best = l;
	}
	if (best == NULL)
		return;
	best->used = true;
	a->has_len = true;
	snprintf(a->len_name, sizeof(a->len_name), "%s", best->name);
	a->len_sizeof = best->is_sizeof;
	if (best->is_sizeof)
		a->declared_len = strcmp(best->of, a->name) == 0 ? a->n_bytes : (unsigned long)-1;
	else
		a->declared_len = best->value < 0 ? (unsigned long)-1 : (unsigned long)best->value;
	a->len_start = best->value_start;
	a->len_end = best->value_end;
	a->len_decl_start = best->decl_start;
	a->len_decl_end = best->decl_end;
	a->len_name_start = best->name_start;
}

static int nomem(const char *subject, struct mcuprov_err *err)
{
	return err_set(err, MCUPROV_ERR_NOMEM, subject, "out of memory");
}

int keysc_analyze(const char *text, size_t len, const char *subject, const struct pp_env *env,
		  struct keysc_info **out, struct mcuprov_err *err)
{
	struct toks t;
	struct keysc_info *info = NULL;
	struct lendecls ld = {NULL, 0, 0};
	const char *stack[64];
	char include[KEYSC_NAME_MAX * 2] = "";
	size_t depth = 0, i, cap = 0, lcap = 0, ccap = 0, dcap = 0;
	bool key_count = false, any_sign_block = false;
	int rc;

	memset(&t, 0, sizeof(t));
	*out = NULL;
	if (len > KEYSC_MAX_TEXT)
		return err_set(err, MCUPROV_ERR_FORMAT, subject, "file too large for a keys.c");
	info = calloc(1, sizeof(*info));
	if (info == NULL || keysc_tokenize(text, len, &t) < 0) {
		rc = nomem(subject, err);
		goto out;
	}
	if ((rc = keysc_liveness(text, &t, env, subject, err)) < 0)
		goto out;
	info->assumed = t.assumed;
	t.assumed = NULL;
	for (i = 0; i < t.n; i++) {
		struct keysc_span *d;

		if (t.v[i].live != PP_FALSE)
			continue;
		if ((d = keysc_grow(info->dead, info->n_dead, &dcap, sizeof(*d))) == NULL) {
			rc = nomem(subject, err);
			goto out;
		}
		info->dead = d;
		d[info->n_dead].start = t.v[i].start;
		d[info->n_dead].end = t.v[i].end;
		d[info->n_dead++].line = t.v[i].line;
	}
	info->eol = memmem(text, len, "\r\n", 2) != NULL ? "\r\n" : "\n";
	for (i = 0; i < t.n; i++) {
		struct tok *k = &t.v[i];
		size_t nm, size_tok = 0, brace = 0, val = 0, semi = 0;
		bool init = false, is_sizeof = false;

		if (k->kind == T_PP) {
			size_t s, e, r;

			if (k->pp == 1 && depth < sizeof(stack) / sizeof(stack[0]))
				stack[depth++] = keysc_block_label(text, k);
			else if (k->pp == 1)
				depth++;
			else if ((k->pp == 2 || k->pp == 3) && depth > 0 &&
				 depth <= sizeof(stack) / sizeof(stack[0]))
				stack[depth - 1] = k->pp == 2 ? keysc_block_label(text, k) : NULL;
			else if (k->pp == 4 && depth > 0)
				depth--;
			if (k->macro != NULL && keysc_is_sign_macro(k->macro))
				any_sign_block = true;
			if (memmem(text + k->start, k->end - k->start, "MCUBOOT_SIGN_KEY_COUNT",
				   22))
				key_count = true;
			keysc_match_primary(text, k, info);
			if (k->live == PP_TRUE && info->error_line == 0 &&
			    keysc_pp_is(text, k, "error"))
				info->error_line = k->line;
			if (k->live == PP_TRUE && include[0] == '\0' &&
			    keysc_pp_is(text, k, "include") &&
			    pp_directive(text + k->start, k->end - k->start, &s, &e, &r)) {
				const char *q = text + k->start + r, *qe = text + k->end, *c;

				while (q < qe && (*q == ' ' || *q == '\t'))
					q++;
				/* a quoted file that is not a header: a key file */
				if (q < qe && *q == '"' &&
				    (c = memchr(q + 1, '"', (size_t)(qe - q - 1))) &&
				    (size_t)(c - q - 1) < sizeof(include) && c > q + 1 &&
				    !(c - q - 1 >= 2 && c[-2] == '.' && c[-1] == 'h')) {
					memcpy(include, q + 1, (size_t)(c - q - 1));
					include[c - q - 1] = '\0';
				}
			}
			continue;
		}
		if (k->kind == T_IDENT && keysc_tok_is(text, k, "MCUBOOT_SIGN_KEY_COUNT"))
			key_count = true;
		/* MCUboot 2026: the keys' declarations and entries written by
		 * LISTIFY() over MCUBOOT_SIGN_KEY_COUNT */
		if (k->kind == T_IDENT && keysc_tok_is(text, k, "LISTIFY") && key_count)
			info->upstream_2026 = true;
		keysc_match_extern(text, &t, i, info);
		if ((nm = keysc_match_array(text, &t, i, &size_tok, &init, &brace)) != 0) {
			struct keysc_array *a;
			size_t j = brace + 1, first = 0, namelen = t.v[nm].end - t.v[nm].start;
			bool want_num = true;
			struct keysc_array *na =
				keysc_grow(info->arrays, info->n_arrays, &cap, sizeof(*na));

			if (na == NULL) {
				rc = nomem(subject, err);
				goto out;
			}
			info->arrays = na;
			a = &info->arrays[info->n_arrays];
			memset(a, 0, sizeof(*a));
			if (namelen >= sizeof(a->name)) {
				rc = err_set(err, MCUPROV_ERR_FORMAT, subject,
					     "line %zu: name too long", k->line);
				goto out;
			}
			memcpy(a->name, text + t.v[nm].start, namelen);
			a->line = k->line;
			a->decl_start = k->start;
			a->name_start = t.v[nm].start;
			a->block = keysc_cur_block(stack, depth);
			a->is_key = keysc_is_sign_macro(a->block);
			keysc_live_of(&a->live, &t, k);
			if (size_tok != 0) {
				long long v = keysc_tok_num(text, &t.v[size_tok]);

				a->fixed = true;
				a->size_start = t.v[size_tok].start;
				a->size_end = t.v[size_tok].end;
				a->fixed_size = v < 0 ? (unsigned long)-1 : (unsigned long)v;
			}
			snprintf(a->indent, sizeof(a->indent), "    ");
			a->per_line = 8;
			if (!init) {
				a->tentative = true;
				a->decl_end = t.v[brace].end;
				info->n_arrays++;
				i = brace;
				continue;
			}
			a->body_start = t.v[brace].end;
			for (; j < t.n && !keysc_tok_is(text, &t.v[j], "}"); j++) {
				long long v;

				if (want_num && t.v[j].kind == T_NUMBER) {
					v = keysc_tok_num(text, &t.v[j]);
					if (v < 0 || v > 255) {
						rc = err_set(err, MCUPROV_ERR_FORMAT, subject,
							     "line %zu: array '%s': '%.*s' is not "
							     "a byte",
							     t.v[j].line, a->name,
							     (int)(t.v[j].end - t.v[j].start),
							     text + t.v[j].start);
						goto out;
					}
					if (first == 0)
						first = j;
					a->n_bytes++;
					want_num = false;
				} else if (!want_num && keysc_tok_is(text, &t.v[j], ",")) {
					want_num = true;
				} else {
					rc = err_set(
						err, MCUPROV_ERR_FORMAT, subject,
						"line %zu: array '%s': unexpected '%.*s' in its "
						"initializer",
						t.v[j].line, a->name,
						(int)(t.v[j].end - t.v[j].start),
						text + t.v[j].start);
					goto out;
				}
			}
			if (j >= t.n) {
				rc = err_set(err, MCUPROV_ERR_FORMAT, subject,
					     "line %zu: array '%s' has no closing brace", k->line,
					     a->name);
				goto out;
			}
			a->body_end = t.v[j].start;
			if (j + 1 < t.n && keysc_tok_is(text, &t.v[j + 1], ";"))
				a->decl_end = t.v[j + 1].end;
			if (first != 0)
				keysc_detect_style(text, &t, first, j, a);
			info->n_arrays++;
			i = j;
			continue;
		}
		if (k->kind == T_IDENT && keysc_tok_is(text, k, "bootutil_keys") && i + 3 < t.n &&
		    keysc_tok_is(text, &t.v[i + 1], "[")) {
			/* `bootutil_keys[] = {` or `bootutil_keys[N] = {` */
			size_t o = i + 2, j, close = 0;
			struct keysc_list *l;

			if (t.v[o].kind == T_NUMBER)
				o++;
			if (o + 2 >= t.n || !keysc_tok_is(text, &t.v[o], "]") ||
			    !keysc_tok_is(text, &t.v[o + 1], "=") ||
			    !keysc_tok_is(text, &t.v[o + 2], "{"))
				continue;
			o += 2;
			l = keysc_grow(info->lists, info->n_lists, &lcap, sizeof(*l));
			if (l == NULL) {
				rc = nomem(subject, err);
				goto out;
			}
			info->lists = l;
			l = &info->lists[info->n_lists++];
			memset(l, 0, sizeof(*l));
			l->line = k->line;
			keysc_live_of(&l->live, &t, k);
			if (keysc_parse_list(text, &t, o, l, &close) < 0) {
				rc = nomem(subject, err);
				goto out;
			}
			for (j = o; j < close; j++)
				if (t.v[j].kind == T_IDENT)
					keysc_mark_listed(text, &t.v[j], info);
			i = close;
			continue;
		}
		if (k->kind == T_IDENT && keysc_tok_is(text, k, "bootutil_key_cnt") && i > 0 &&
		    keysc_tok_is(text, &t.v[i - 1], "int") && i + 2 < t.n &&
		    keysc_tok_is(text, &t.v[i + 1], "=")) {
			/* `int bootutil_key_cnt = EXPR;`: a number, a sizeof quotient
			 * or something else (evaluated when it is a #if expression) */
			struct keysc_count c, *nc;
			size_t j, n = 0;
			bool has_sizeof = false, has_keys = false;

			memset(&c, 0, sizeof(c));
			for (j = i + 2;
			     j < t.n && j < i + 66 && t.v[j].kind != T_PP &&
			     !keysc_tok_is(text, &t.v[j], ";") &&
			     !keysc_tok_is(text, &t.v[j], "{") && !keysc_tok_is(text, &t.v[j], "}");
			     j++, n++) {
				has_sizeof |= keysc_tok_is(text, &t.v[j], "sizeof");
				has_keys |= keysc_tok_is(text, &t.v[j], "bootutil_keys");
			}
			if (n > 0 && j < t.n && keysc_tok_is(text, &t.v[j], ";")) {
				long long v = keysc_tok_num(text, &t.v[i + 2]);

				c.line = k->line;
				c.start = t.v[i + 2].start;
				c.end = t.v[j - 1].end;
				keysc_live_of(&c.live, &t, k);
				if (n == 1 && t.v[i + 2].kind == T_NUMBER && v >= 0) {
					c.kind = KEYSC_COUNT_NUMBER;
					c.value = (unsigned long)v;
					c.known = true;
				} else if (has_sizeof && has_keys) {
					c.kind = KEYSC_COUNT_SIZEOF;
				} else if (!has_sizeof && env != NULL) {
					/* `= MCUBOOT_IMAGE_NUMBER`: the configuration may say */
					struct pp_env *e2 = pp_env_dup(env);
					enum pp_truth tr;
					char expr[128];

					if (e2 != NULL && c.end - c.start < sizeof(expr) - 16) {
						unsigned long k2;

						for (k2 = 0; k2 <= 16; k2++) {
							snprintf(expr, sizeof(expr),
								 "(%.*s) == %lu",
								 (int)(c.end - c.start),
								 text + c.start, k2);
							if (pp_eval(e2, expr, strlen(expr), &tr,
								    NULL, NULL) == 0 &&
							    tr == PP_TRUE) {
								c.value = k2;
								c.known = true;
								break;
							}
						}
					}
					pp_env_free(e2);
				}
				nc = keysc_grow(info->counts, info->n_counts, &ccap, sizeof(*nc));
				if (nc == NULL) {
					rc = nomem(subject, err);
					goto out;
				}
				info->counts = nc;
				info->counts[info->n_counts++] = c;
			}
		}
		if ((nm = keysc_match_len(text, &t, i, &val, &is_sizeof, &semi)) != 0) {
			struct lendecl *d = keysc_grow(ld.v, ld.n, &ld.cap, sizeof(*d));
			size_t n = t.v[nm].end - t.v[nm].start;

			if (d == NULL) {
				rc = nomem(subject, err);
				goto out;
			}
			ld.v = d;
			d = &ld.v[ld.n];
			memset(d, 0, sizeof(*d));
			if (n < sizeof(d->name) && t.v[val].end - t.v[val].start < sizeof(d->of)) {
				memcpy(d->name, text + t.v[nm].start, n);
				d->is_sizeof = is_sizeof;
				if (is_sizeof)
					memcpy(d->of, text + t.v[val].start,
					       t.v[val].end - t.v[val].start);
				d->value = is_sizeof ? -1 : keysc_tok_num(text, &t.v[val]);
				d->line = k->line;
				d->decl_start = k->start;
				d->decl_end = t.v[semi].end;
				d->name_start = t.v[nm].start;
				d->value_start = t.v[val].start;
				d->value_end = t.v[val].end;
				keysc_live_of(&d->live, &t, k);
				ld.n++;
			}
		}
	}
	for (i = 0; i < info->n_arrays; i++) {
		struct keysc_array *a = &info->arrays[i];

		pair_len(info, a, &ld);
		/* a file without sign blocks (a bare-metal port, a key file):
		 * its key arrays by their names and lengths */
		if (!any_sign_block && !a->is_key && a->has_len && keysc_key_like_name(a->name))
			a->is_key = true;
		if (!any_sign_block && !a->is_key && info->n_lists == 0 && a->has_len &&
		    strncmp(a->name, "enc_", 4) != 0)
			a->is_key = true;
	}
	for (i = 0; i < info->n_arrays; i++)
		if (info->arrays[i].is_key)
			info->shape = KEYSC_SHAPE_INLINE;
	/* a list naming arrays of a key file it #includes */
	if (info->shape != KEYSC_SHAPE_INLINE && info->declared_types == 0 && include[0] != '\0' &&
	    info->n_lists > 0)
		info->shape = KEYSC_SHAPE_INLINE;
	if (info->shape != KEYSC_SHAPE_INLINE && info->declared_types != 0)
		info->shape = key_count || info->max_suffix > 0 || info->upstream_2026
				      ? KEYSC_SHAPE_MULTI
				      : KEYSC_SHAPE_GENERATED;
	info->env = env != NULL ? pp_env_dup(env) : NULL;
	if ((env == NULL && pp_env_new(&info->env, NULL) < 0) || info->env == NULL) {
		rc = nomem(subject, err);
		goto out;
	}
	if (info->shape == KEYSC_SHAPE_INLINE &&
	    keysc_find_slots(text, info, env, include) < 0) {
		rc = nomem(subject, err);
		goto out;
	}
	if (info->shape == KEYSC_SHAPE_GENERATED || info->shape == KEYSC_SHAPE_MULTI)
		keysc_check_count(info, env);
	*out = info;
	info = NULL;
	rc = 0;
out:
	keysc_toks_free(&t);
	free(ld.v);
	keysc_info_free(info);
	return rc;
}
