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

/* The conditional state of the declaration that starts at token K. */
static void live_of(struct keysc_live *l, const struct toks *t, const struct tok *k)
{
	l->live = k->live;
	snprintf(l->doubt, sizeof(l->doubt), "%s", keysc_tok_doubt(t, k));
	l->alt = k->alt;
	l->image_cond = k->image_cond;
}

/* Does token I start a declaration (first in the file, or after a ';',
 * a '}' or a preprocessor line)? */
static bool decl_start(const char *text, const struct toks *t, size_t i)
{
	return i == 0 || t->v[i - 1].kind == T_PP || keysc_tok_is(text, &t->v[i - 1], ";") ||
	       keysc_tok_is(text, &t->v[i - 1], "}");
}

/* The token after the balanced parentheses that open at I, or t->n. */
static size_t skip_parens(const char *text, const struct toks *t, size_t i)
{
	size_t depth = 0;

	for (; i < t->n; i++) {
		if (t->v[i].kind == T_PP)
			return t->n;
		if (keysc_tok_is(text, &t->v[i], "("))
			depth++;
		else if (keysc_tok_is(text, &t->v[i], ")") && depth > 0 && --depth == 0)
			return i + 1;
	}
	return t->n;
}

static bool all_upper(const char *text, const struct tok *k)
{
	size_t p;

	for (p = k->start; p < k->end; p++)
		if (islower((unsigned char)text[p]))
			return false;
	return true;
}

/* An annotation at I: `__attribute__((...))`, `__attribute((...))`, or a
 * macro of capitals with or without arguments (`__ALIGNED(4)`,
 * `SECTION(".keys")`, `PROGMEM`) that is not followed by '[' (a name).
 * Returns the token after it, or I when there is none. */
static size_t skip_attr(const char *text, const struct toks *t, size_t i)
{
	const struct tok *k;

	if (i >= t->n || t->v[i].kind != T_IDENT)
		return i;
	k = &t->v[i];
	if (keysc_tok_is(text, k, "__attribute__") || keysc_tok_is(text, k, "__attribute") ||
	    keysc_tok_is(text, k, "__declspec"))
		return i + 1 < t->n && keysc_tok_is(text, &t->v[i + 1], "(")
			       ? skip_parens(text, t, i + 1)
			       : i;
	if (!all_upper(text, k) || i + 1 >= t->n)
		return i;
	if (keysc_tok_is(text, &t->v[i + 1], "("))
		return skip_parens(text, t, i + 1);
	if (keysc_tok_is(text, &t->v[i + 1], "[") || keysc_tok_is(text, &t->v[i + 1], "="))
		return i;
	return i + 1;
}

/* A declaration of a byte array at I:
 *   [static] [const] unsigned char [const] NAME [ [N] ] = { ... }
 *   ... uint8_t NAME[N];            (tentative: no initializer)
 * with `volatile` and annotations anywhere before '=' or ';'.  Returns
 * NAME's index (0: no match); *size_tok gets N's index (0: none), *init
 * whether an initializer '{' follows (its index in *brace). */
static size_t match_array(const char *text, const struct toks *t, size_t i, size_t *size_tok,
			  bool *init, size_t *brace)
{
	size_t j = i, nm, n;
	bool uns = false, chr = false, u8 = false;

	if (!decl_start(text, t, i))
		return 0;
	for (;;) {
		size_t a = skip_attr(text, t, j);

		if (a != j) {
			j = a;
			continue;
		}
		if (j >= t->n || t->v[j].kind != T_IDENT)
			return 0;
		if (keysc_tok_is(text, &t->v[j], "static") || keysc_tok_is(text, &t->v[j], "const") ||
		    keysc_tok_is(text, &t->v[j], "volatile"))
			j++;
		else if (keysc_tok_is(text, &t->v[j], "unsigned"))
			uns = true, j++;
		else if (keysc_tok_is(text, &t->v[j], "char"))
			chr = true, j++;
		else if (keysc_tok_is(text, &t->v[j], "uint8_t"))
			u8 = true, j++;
		else
			break;
	}
	if (!((uns && chr) || (u8 && !uns && !chr)))
		return 0;
	nm = j;
	if (nm + 2 >= t->n || t->v[nm].kind != T_IDENT || !keysc_tok_is(text, &t->v[nm + 1], "["))
		return 0;
	j = nm + 2;
	*size_tok = 0;
	if (t->v[j].kind == T_NUMBER) {
		*size_tok = j;
		j++;
	}
	if (j >= t->n || !keysc_tok_is(text, &t->v[j], "]"))
		return 0;
	for (j++; (n = skip_attr(text, t, j)) != j;)
		j = n;
	if (j < t->n && keysc_tok_is(text, &t->v[j], ";") && *size_tok != 0) {
		*init = false;
		*brace = j;
		return nm;
	}
	if (j + 1 >= t->n || !keysc_tok_is(text, &t->v[j], "=") ||
	    !keysc_tok_is(text, &t->v[j + 1], "{"))
		return 0;
	*init = true;
	*brace = j + 1;
	return nm;
}

/* A length variable at I:
 *   [static] [const] (unsigned int | unsigned | int | uint32_t | size_t |
 *   unsigned long ...) NAME = (NUMBER | sizeof(ARRAY) | sizeof ARRAY) ;
 * Returns NAME's index (0: no match); *value the NUMBER's index, or of
 * ARRAY's for sizeof (*is_sizeof); *semi the ';'. */
static size_t match_len(const char *text, const struct toks *t, size_t i, size_t *value,
			bool *is_sizeof, size_t *semi)
{
	static const char *const words[] = {"static", "const", "volatile", "unsigned",
					    "signed", "int", "long", "short", "uint32_t",
					    "uint16_t", "size_t", "uint_fast32_t"};
	size_t j = i, nm, w, n;
	bool type = false;

	if (!decl_start(text, t, i))
		return 0;
	for (;;) {
		size_t a = skip_attr(text, t, j);

		if (a != j) {
			j = a;
			continue;
		}
		if (j >= t->n || t->v[j].kind != T_IDENT)
			return 0;
		for (w = 0; w < sizeof(words) / sizeof(words[0]); w++)
			if (keysc_tok_is(text, &t->v[j], words[w]))
				break;
		if (w == sizeof(words) / sizeof(words[0]))
			break;
		type |= w >= 3 && w != 4;
		j++;
	}
	nm = j;
	if (!type || nm + 3 >= t->n || t->v[nm].kind != T_IDENT)
		return 0;
	for (j = nm + 1; (n = skip_attr(text, t, j)) != j;)
		j = n;
	if (j + 2 >= t->n || !keysc_tok_is(text, &t->v[j], "="))
		return 0;
	j++;
	*is_sizeof = false;
	if (t->v[j].kind == T_NUMBER && keysc_tok_is(text, &t->v[j + 1], ";")) {
		*value = j;
		*semi = j + 1;
		return nm;
	}
	if (!keysc_tok_is(text, &t->v[j], "sizeof"))
		return 0;
	*is_sizeof = true;
	if (j + 4 < t->n && keysc_tok_is(text, &t->v[j + 1], "(") && t->v[j + 2].kind == T_IDENT &&
	    keysc_tok_is(text, &t->v[j + 3], ")") && keysc_tok_is(text, &t->v[j + 4], ";")) {
		*value = j + 2;
		*semi = j + 4;
		return nm;
	}
	if (j + 2 < t->n && t->v[j + 1].kind == T_IDENT && keysc_tok_is(text, &t->v[j + 2], ";")) {
		*value = j + 1;
		*semi = j + 2;
		return nm;
	}
	return 0;
}

/* `extern const unsigned char rsa_pub_key[]`: sets the type bit and suffix. */
static void match_extern(const char *text, const struct toks *t, size_t i, struct keysc_info *info)
{
	static const struct {
		const char *prefix;
		unsigned bits;
	} names[] = {
		{ "rsa_pub_key", 1u << KEY_RSA2048 | 1u << KEY_RSA3072 },
		{ "ecdsap384_pub_key", 1u << KEY_ECDSA_P384 },
		{ "ecdsa_pub_key", 1u << KEY_ECDSA_P256 },
		{ "ed25519_pub_key", 1u << KEY_ED25519 },
	};
	const struct tok *nm;
	size_t k, n, plen;

	if (i + 5 >= t->n || !keysc_tok_is(text, &t->v[i], "extern") ||
	    !keysc_tok_is(text, &t->v[i + 1], "const") || !keysc_tok_is(text, &t->v[i + 2], "unsigned") ||
	    !keysc_tok_is(text, &t->v[i + 3], "char") || t->v[i + 4].kind != T_IDENT)
		return;
	nm = &t->v[i + 4];
	n = nm->end - nm->start;
	for (k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		plen = strlen(names[k].prefix);
		if (n < plen || memcmp(text + nm->start, names[k].prefix, plen) != 0)
			continue;
		if (n == plen) {
			info->declared_types |= names[k].bits;
		} else if (text[nm->start + plen] == '_' && n > plen + 1) {
			unsigned long v = strtoul(text + nm->start + plen + 1, NULL, 10);

			info->declared_types |= names[k].bits;
			if (v > info->max_suffix && v < 1000)
				info->max_suffix = (unsigned)v;
		}
		return;
	}
}

static size_t skip_blanks(const char *text, size_t p, size_t e)
{
	while (p < e && (text[p] == ' ' || text[p] == '\t'))
		p++;
	return p;
}

/* `#if defined(M)`, `#if defined M` or `#ifdef M` with M a sign macro: M;
 * any other condition: NULL. */
static const char *pp_sign_cond(const char *text, const struct tok *k)
{
	size_t p = k->start + 1, e = k->end, ms;
	bool paren = false;
	const char *m;

	while (e > p && isspace((unsigned char)text[e - 1]))
		e--;
	p = skip_blanks(text, p, e);
	if (e - p > 6 && memcmp(text + p, "ifdef", 5) == 0 &&
	    (text[p + 5] == ' ' || text[p + 5] == '\t')) {
		p += 5;
	} else if (e - p > 3 && memcmp(text + p, "if", 2) == 0 &&
		   (text[p + 2] == ' ' || text[p + 2] == '\t' || text[p + 2] == '(')) {
		p = skip_blanks(text, p + 2, e);
		if (e - p < 8 || memcmp(text + p, "defined", 7) != 0)
			return NULL;
		p = skip_blanks(text, p + 7, e);
		if (p < e && text[p] == '(') {
			paren = true;
			p++;
		}
	} else {
		return NULL;
	}
	p = skip_blanks(text, p, e);
	for (ms = p; p < e && (isalnum((unsigned char)text[p]) || text[p] == '_'); p++)
		;
	m = p > ms ? keysc_pp_macro(text, ms, p) : NULL;
	if (m == NULL || strlen(m) != p - ms || !keysc_is_sign_macro(m))
		return NULL;
	p = skip_blanks(text, p, e);
	if (paren) {
		if (p >= e || text[p] != ')')
			return NULL;
		p = skip_blanks(text, p + 1, e);
	}
	return p == e ? m : NULL;
}

/* Read the entry whose braces are tokens LB and RB (nothing nested):
 * `.key = NAME, .len = &NAME2` (either order) or `NAME, &NAME2`, a comma
 * after the last member allowed.  Leaves e->key empty for anything else. */
static void parse_entry(const char *text, const struct toks *t, size_t lb, size_t rb,
			struct keysc_entry *e)
{
	size_t j = lb + 1, key = 0, len = 0, n = rb - lb - 1, kn, ln;

	if ((n == 4 || n == 5) && t->v[j].kind == T_IDENT && keysc_tok_is(text, &t->v[j + 1], ",") &&
	    keysc_tok_is(text, &t->v[j + 2], "&") && t->v[j + 3].kind == T_IDENT &&
	    (n == 4 || keysc_tok_is(text, &t->v[j + 4], ","))) {
		key = j;
		len = j + 3;
	} else {
		while (j < rb) {
			size_t m = j + 1, v = j + 3;
			bool amp = false;

			if (v >= rb || !keysc_tok_is(text, &t->v[j], ".") || t->v[m].kind != T_IDENT ||
			    !keysc_tok_is(text, &t->v[j + 2], "="))
				return;
			if (keysc_tok_is(text, &t->v[v], "&")) {
				amp = true;
				v++;
			}
			if (v >= rb || t->v[v].kind != T_IDENT)
				return;
			if (keysc_tok_is(text, &t->v[m], "key") && !amp && key == 0)
				key = v;
			else if (keysc_tok_is(text, &t->v[m], "len") && amp && len == 0)
				len = v;
			else
				return;
			j = v + 1;
			if (j < rb) {
				if (!keysc_tok_is(text, &t->v[j], ","))
					return;
				j++;
			}
		}
	}
	if (key == 0 || len == 0)
		return;
	kn = t->v[key].end - t->v[key].start;
	ln = t->v[len].end - t->v[len].start;
	if (kn >= sizeof(e->key) || ln >= sizeof(e->len_name))
		return;
	memcpy(e->key, text + t->v[key].start, kn);
	e->key[kn] = '\0';
	memcpy(e->len_name, text + t->v[len].start, ln);
	e->len_name[ln] = '\0';
	e->key_start = t->v[key].start;
	e->len_start = t->v[len].start;
}

static void bad_line(struct keysc_list *l, size_t line)
{
	if (l->bad_line == 0)
		l->bad_line = line;
}

/* The initializer of bootutil_keys[] whose '{' is token OPEN: its entries
 * and #if groups into L.  *CLOSE is the index of its '}' (the last token
 * when it has none).  Returns 0 or -1 (out of memory). */
static int parse_list(const char *text, const struct toks *t, size_t open, struct keysc_list *l,
		      size_t *close)
{
	size_t j, ecap = 0, gcap = 0, desig_at = 0, desig_num = 0, desig_tok = 0;
	bool desig = false;
	int cur = -1;

	l->open = t->v[open].start;
	for (j = open + 1; j < t->n; j++) {
		const struct tok *k = &t->v[j];
		const char *c;

		if (k->kind == T_PP) {
			if (desig)
				bad_line(l, k->line);
			if (!l->complex && k->pp == 1 && cur < 0 &&
			    (c = pp_sign_cond(text, k)) != NULL) {
				struct keysc_group *ng =
					keysc_grow(l->groups, l->n_groups, &gcap, sizeof(*ng));

				if (ng == NULL)
					return -1;
				l->groups = ng;
				memset(&l->groups[l->n_groups], 0, sizeof(*l->groups));
				l->groups[l->n_groups].cond = c;
				l->groups[l->n_groups].if_start = k->start;
				l->groups[l->n_groups].if_end = k->end;
				cur = (int)l->n_groups++;
			} else if (!l->complex && k->pp == 4 && cur >= 0) {
				l->groups[cur].endif_start = k->start;
				l->groups[cur].endif_end = k->end;
				cur = -1;
			} else {
				/* #elif, #else, nesting, other conditions: each entry's
				 * liveness says which are compiled; only the simple
				 * groups' lines can no longer be removed */
				l->complex = true;
			}
			continue;
		}
		/* `[N] = {`, as MCUboot's documentation writes the list: N must be
		 * the entry's position, so a copy for a new key gets the next one */
		if (keysc_tok_is(text, k, "[") && j + 4 < t->n && t->v[j + 1].kind == T_NUMBER &&
		    keysc_tok_is(text, &t->v[j + 2], "]") && keysc_tok_is(text, &t->v[j + 3], "=") &&
		    keysc_tok_is(text, &t->v[j + 4], "{")) {
			char num[24];
			size_t nl = t->v[j + 1].end - t->v[j + 1].start;
			unsigned long v = ULONG_MAX;

			if (nl < sizeof(num)) {
				memcpy(num, text + t->v[j + 1].start, nl);
				num[nl] = '\0';
				if (strspn(num, "0123456789") == nl)
					v = strtoul(num, NULL, 10);
			}
			if (v != l->n_entries) {
				bad_line(l, k->line);
				j += 3;
				continue;
			}
			desig = true;
			desig_tok = j;
			desig_at = k->start;
			desig_num = j + 1;
			j += 3;
			continue;
		}
		if (keysc_tok_is(text, k, "}")) {
			l->close = k->start;
			if (cur >= 0)
				bad_line(l, k->line);
			*close = j;
			return 0;
		}
		if (keysc_tok_is(text, k, "{")) {
			struct keysc_entry *e;
			size_t r, nest = 1;
			bool flat = true;

			for (r = j + 1; r < t->n; r++) {
				if (t->v[r].kind == T_PP) {
					flat = false;
				} else if (keysc_tok_is(text, &t->v[r], "{")) {
					nest++;
					flat = false;
				} else if (keysc_tok_is(text, &t->v[r], "}") && --nest == 0) {
					break;
				}
			}
			if (r >= t->n)
				break;
			e = keysc_grow(l->entries, l->n_entries, &ecap, sizeof(*e));
			if (e == NULL)
				return -1;
			l->entries = e;
			e = &l->entries[l->n_entries++];
			memset(e, 0, sizeof(*e));
			e->start = desig ? desig_at : k->start;
			e->desig = desig;
			if (desig) {
				e->desig_num_start = t->v[desig_num].start;
				e->desig_num_end = t->v[desig_num].end;
			}
			desig = false;
			e->end = t->v[r].end;
			e->line = k->line;
			live_of(&e->live, t, &t->v[e->desig ? desig_tok : j]);
			e->group = cur;
			e->cond = cur >= 0 ? l->groups[cur].cond : NULL;
			if (flat)
				parse_entry(text, t, j, r, e);
			if (r + 1 < t->n && keysc_tok_is(text, &t->v[r + 1], ",")) {
				e->comma = true;
				e->comma_pos = t->v[r + 1].start;
				e->end = t->v[r + 1].end;
				r++;
			}
			j = r;
			continue;
		}
		bad_line(l, k->line);
		/* not an entry: what the bootloader lists is not known */
		if (k->live != PP_FALSE && l->junk_line == 0)
			l->junk_line = k->line;
	}
	/* no closing brace */
	if (l->bad_line == 0)
		l->bad_line = t->v[open].line;
	if (l->junk_line == 0)
		l->junk_line = t->v[open].line;
	l->close = t->v[t->n - 1].end;
	*close = t->n - 1;
	return 0;
}

/* bootutil_keys[] names IDENT: its array (declared before) is a key. */
static void mark_listed(const char *text, const struct tok *id, struct keysc_info *info)
{
	size_t a, n = id->end - id->start;

	for (a = 0; a < info->n_arrays; a++)
		if (strlen(info->arrays[a].name) == n &&
		    memcmp(info->arrays[a].name, text + id->start, n) == 0)
			info->arrays[a].is_key = true;
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
		if (best == NULL)
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

/* A name of a signing key as imgtool, MCUboot and its ports write them. */
static bool key_like_name(const char *n)
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

/* The key slots under the configuration: see struct keysc_info. */
static int find_slots(const char *text, struct keysc_info *info, const struct pp_env *env,
		      const char *include, size_t include_line)
{
	const struct keysc_list *l = NULL;
	size_t i, j, cap = 0, missing = 0, n_live = 0;
	const char *first_missing = NULL;
	size_t missing_line = 0;
	char what[KEYSC_NAME_MAX + 64];

	(void)text;
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
			slot_fail(info, MCUPROV_ERR_REFUSED,
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
			slot_fail(info, MCUPROV_ERR_REFUSED,
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
			  "line %zu: bootutil_keys[] holds more than { .key = NAME, .len = &NAME_len } "
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
				  "line %zu: cannot read this bootutil_keys[] entry (not { .key = NAME, "
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
				slot_fail(info, MCUPROV_ERR_REFUSED,
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
					  "line %zu: bootutil_keys[] lists '%s' twice", e->line, e->key);
				return 0;
			}
		if (add_slot(info, found, &cap) < 0)
			return -1;
	}
	if (info->live_count != NULL && info->live_count->kind != KEYSC_COUNT_SIZEOF &&
	    info->live_count->known && info->live_count->value != n_live) {
		slot_fail(info, MCUPROV_ERR_REFUSED,
			  "line %zu: bootutil_key_cnt is %lu but bootutil_keys[] (line %zu) lists %zu "
			  "key%s under this configuration: the bootloader would %s",
			  info->live_count->line, info->live_count->value, l->line, n_live,
			  n_live == 1 ? "" : "s",
			  info->live_count->value > n_live ? "read past the list"
							   : "ignore the keys after the count");
		return 0;
	}
	if (info->live_count != NULL &&
	    memmem(text + info->live_count->start, info->live_count->end - info->live_count->start,
		   "MCUBOOT_IMAGE_NUMBER", 20) != NULL)
		info->multi_image = true;
	for (i = 0; missing > 0 && i < info->n_arrays; i++)
		for (j = 0; j < info->n_slot_names; j++)
			if (strcmp(info->arrays[i].name, info->slot_names[j]) == 0)
				include = ""; /* defined here, in branches not compiled */
	if (missing > 0 && info->n_slots == 0 && include[0] != '\0') {
		/* the arrays come from a key file this one #includes */
		snprintf(info->include, sizeof(info->include), "%s", include);
		(void)include_line;
		return 0;
	}
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
			  "bootutil_keys[] (line %zu) lists no key under this configuration", l->line);
	return 0;
}

/* `#define BOOT_KEY_PRIMARY ecdsa_pub_key` in MCUboot 2026's keys.c (and
 * its ports, under any macro name): the key type of that branch. */
static void match_primary(const char *text, const struct tok *k, struct keysc_info *info)
{
	static const struct {
		const char *name;
		unsigned bits;
	} names[] = {
		{ "rsa_pub_key", 1u << KEY_RSA2048 | 1u << KEY_RSA3072 },
		{ "ecdsap384_pub_key", 1u << KEY_ECDSA_P384 },
		{ "ecdsa_pub_key", 1u << KEY_ECDSA_P256 },
		{ "ed25519_pub_key", 1u << KEY_ED25519 },
	};
	const char *p, *e = text + k->end;
	size_t s, de, r, i, n;

	if (!pp_directive(text + k->start, k->end - k->start, &s, &de, &r) || de - s != 6 ||
	    memcmp(text + k->start + s, "define", 6) != 0)
		return;
	/* the macro's name, blanks, then its value's first word */
	for (p = text + k->start + r; p < e && (*p == ' ' || *p == '\t'); p++)
		;
	while (p < e && (isalnum((unsigned char)*p) || *p == '_'))
		p++;
	if (p < e && *p == '(')
		return; /* a function-like macro */
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	for (n = 0; p + n < e && (isalnum((unsigned char)p[n]) || p[n] == '_'); n++)
		;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (n == strlen(names[i].name) && memcmp(p, names[i].name, n) == 0)
			info->declared_types |= names[i].bits;
}

/* The directive word of preprocessor token K is W? */
static bool pp_is(const char *text, const struct tok *k, const char *w)
{
	size_t s, e, r;

	return pp_directive(text + k->start, k->end - k->start, &s, &e, &r) &&
	       e - s == strlen(w) && memcmp(text + k->start + s, w, e - s) == 0;
}

/* The sign macro an #if/#elif tests positively (a label for new list
 * entries), or NULL: `#ifndef X`, `#if !defined(X)` and `#else` are not
 * X's block. */
static const char *block_label(const char *text, const struct tok *k)
{
	if (k->macro == NULL || pp_is(text, k, "ifndef") ||
	    memchr(text + k->start, '!', k->end - k->start) != NULL)
		return NULL;
	return k->macro;
}

static const char *cur_block(const char *const *stack, size_t depth)
{
	size_t d;

	for (d = depth; d > 0; d--)
		if (d <= 64 && stack[d - 1] != NULL)
			return stack[d - 1];
	return NULL;
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
	struct lendecls ld = { NULL, 0, 0 };
	const char *stack[64];
	char include[KEYSC_NAME_MAX * 2] = "";
	size_t depth = 0, i, cap = 0, lcap = 0, ccap = 0, include_line = 0;
	bool key_count = false, styled = false, any_sign_block = false;
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
	info->eol = memmem(text, len, "\r\n", 2) != NULL ? "\r\n" : "\n";
	snprintf(info->indent, sizeof(info->indent), "    ");
	info->per_line = 8;
	for (i = 0; i < t.n; i++) {
		struct tok *k = &t.v[i];
		size_t nm, size_tok = 0, brace = 0, val = 0, semi = 0;
		bool init = false, is_sizeof = false;

		if (k->kind == T_PP) {
			size_t s, e, r;

			if (k->pp == 1 && depth < sizeof(stack) / sizeof(stack[0]))
				stack[depth++] = block_label(text, k);
			else if (k->pp == 1)
				depth++;
			else if ((k->pp == 2 || k->pp == 3) && depth > 0 &&
				 depth <= sizeof(stack) / sizeof(stack[0]))
				stack[depth - 1] = k->pp == 2 ? block_label(text, k) : NULL;
			else if (k->pp == 4 && depth > 0)
				depth--;
			if (k->macro != NULL && keysc_is_sign_macro(k->macro))
				any_sign_block = true;
			if (memmem(text + k->start, k->end - k->start, "MCUBOOT_SIGN_KEY_COUNT", 22))
				key_count = true;
			match_primary(text, k, info);
			if (k->live == PP_TRUE && info->error_line == 0 && pp_is(text, k, "error"))
				info->error_line = k->line;
			if (k->live == PP_TRUE && include[0] == '\0' && pp_is(text, k, "include") &&
			    pp_directive(text + k->start, k->end - k->start, &s, &e, &r)) {
				const char *q = text + k->start + r, *qe = text + k->end, *c;

				while (q < qe && (*q == ' ' || *q == '\t'))
					q++;
				/* a quoted file that is not a header: a key file */
				if (q < qe && *q == '"' && (c = memchr(q + 1, '"', (size_t)(qe - q - 1))) &&
				    (size_t)(c - q - 1) < sizeof(include) && c > q + 1 &&
				    !(c - q - 1 >= 2 && c[-2] == '.' && c[-1] == 'h')) {
					memcpy(include, q + 1, (size_t)(c - q - 1));
					include[c - q - 1] = '\0';
					include_line = k->line;
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
		match_extern(text, &t, i, info);
		if ((nm = match_array(text, &t, i, &size_tok, &init, &brace)) != 0) {
			struct keysc_array *a;
			size_t j = brace + 1, first = 0, namelen = t.v[nm].end - t.v[nm].start;
			bool want_num = true;
			struct keysc_array *na = keysc_grow(info->arrays, info->n_arrays, &cap, sizeof(*na));

			if (na == NULL) {
				rc = nomem(subject, err);
				goto out;
			}
			info->arrays = na;
			a = &info->arrays[info->n_arrays];
			memset(a, 0, sizeof(*a));
			if (namelen >= sizeof(a->name)) {
				rc = err_set(err, MCUPROV_ERR_FORMAT, subject, "line %zu: name too long",
					     k->line);
				goto out;
			}
			memcpy(a->name, text + t.v[nm].start, namelen);
			a->line = k->line;
			a->decl_start = k->start;
			a->name_start = t.v[nm].start;
			a->block = cur_block(stack, depth);
			a->is_key = keysc_is_sign_macro(a->block);
			live_of(&a->live, &t, k);
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
							     "line %zu: array '%s': '%.*s' is not a byte",
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
					rc = err_set(err, MCUPROV_ERR_FORMAT, subject,
						     "line %zu: array '%s': unexpected '%.*s' in its "
						     "initializer",
						     t.v[j].line, a->name, (int)(t.v[j].end - t.v[j].start),
						     text + t.v[j].start);
					goto out;
				}
			}
			if (j >= t.n) {
				rc = err_set(err, MCUPROV_ERR_FORMAT, subject,
					     "line %zu: array '%s' has no closing brace", k->line, a->name);
				goto out;
			}
			a->body_end = t.v[j].start;
			if (j + 1 < t.n && keysc_tok_is(text, &t.v[j + 1], ";"))
				a->decl_end = t.v[j + 1].end;
			if (first != 0)
				keysc_detect_style(text, len, &t, first, j, a);
			if (!styled && first != 0 && (a->is_key || key_like_name(a->name))) {
				snprintf(info->indent, sizeof(info->indent), "%s", a->indent);
				info->per_line = a->per_line;
				info->trailing_comma = a->trailing_comma;
				info->upper_hex = a->upper_hex;
				styled = true;
			}
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
			    !keysc_tok_is(text, &t.v[o + 1], "=") || !keysc_tok_is(text, &t.v[o + 2], "{"))
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
			l->block = cur_block(stack, depth);
			l->line = k->line;
			live_of(&l->live, &t, k);
			if (parse_list(text, &t, o, l, &close) < 0) {
				rc = nomem(subject, err);
				goto out;
			}
			for (j = o; j < close; j++)
				if (t.v[j].kind == T_IDENT)
					mark_listed(text, &t.v[j], info);
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
			for (j = i + 2; j < t.n && j < i + 66 && t.v[j].kind != T_PP &&
					!keysc_tok_is(text, &t.v[j], ";") &&
					!keysc_tok_is(text, &t.v[j], "{") && !keysc_tok_is(text, &t.v[j], "}");
			     j++, n++) {
				has_sizeof |= keysc_tok_is(text, &t.v[j], "sizeof");
				has_keys |= keysc_tok_is(text, &t.v[j], "bootutil_keys");
			}
			if (n > 0 && j < t.n && keysc_tok_is(text, &t.v[j], ";")) {
				long long v = keysc_tok_num(text, &t.v[i + 2]);

				c.block = cur_block(stack, depth);
				c.line = k->line;
				c.start = t.v[i + 2].start;
				c.end = t.v[j - 1].end;
				live_of(&c.live, &t, k);
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
							snprintf(expr, sizeof(expr), "(%.*s) == %lu",
								 (int)(c.end - c.start), text + c.start, k2);
							if (pp_eval(e2, expr, strlen(expr), &tr, NULL, NULL) == 0 &&
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
		if ((nm = match_len(text, &t, i, &val, &is_sizeof, &semi)) != 0) {
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
					memcpy(d->of, text + t.v[val].start, t.v[val].end - t.v[val].start);
				d->value = is_sizeof ? -1 : keysc_tok_num(text, &t.v[val]);
				d->line = k->line;
				d->decl_start = k->start;
				d->decl_end = t.v[semi].end;
				d->name_start = t.v[nm].start;
				d->value_start = t.v[val].start;
				d->value_end = t.v[val].end;
				live_of(&d->live, &t, k);
				ld.n++;
			}
		}
	}
	for (i = 0; i < info->n_arrays; i++) {
		struct keysc_array *a = &info->arrays[i];

		pair_len(info, a, &ld);
		/* a file without sign blocks (a bare-metal port, a key file):
		 * its key arrays by their names and lengths */
		if (!any_sign_block && !a->is_key && a->has_len && key_like_name(a->name))
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
	    find_slots(text, info, env, include, include_line) < 0) {
		rc = nomem(subject, err);
		goto out;
	}
	*out = info;
	info = NULL;
	rc = 0;
out:
	keysc_toks_free(&t);
	free(ld.v);
	keysc_info_free(info);
	return rc;
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
			for (p += 2; p + 1 < a->body_end && !(text[p] == '*' && text[p + 1] == '/'); p++)
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
		snprintf(why, size, "'%s' (line %zu): its length is not %zu", a->name, a->line, dlen);
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
		if (ders[i] != NULL &&
		    slot_holds(text, &info->arrays[info->slots[i]], ders[i], dlens[i], why,
			       sizeof(why)) < 0) {
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
		rc = nomem(subject, err);
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
