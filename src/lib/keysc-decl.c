/* MCUboot keys.c: the declarations that matter, as people write them.
 *
 * Matchers over keysc-tok.c's tokens: byte arrays (`[static] [const]
 * unsigned char|uint8_t NAME[[N]]`, annotations anywhere, with an
 * initializer or tentative), their length variables (any integer type, a
 * number or sizeof(NAME)), extern declarations of generated keys,
 * MCUboot 2026's key macro, and the bootutil_keys[] list with its
 * entries; each read with bounds, nothing assumed about the rest. */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "keysc-internal.h"

/* The conditional state of the declaration that starts at token K. */
void keysc_live_of(struct keysc_live *l, const struct toks *t, const struct tok *k)
{
	l->live = k->live;
	snprintf(l->doubt, sizeof(l->doubt), "%s", keysc_tok_doubt(t, k));
	l->alt = k->alt;
	l->image_cond = k->image_cond;
}

/* Does token I start a declaration (first in the file, or after a ';',
 * a '}' or a preprocessor line)? */
bool keysc_decl_start(const char *text, const struct toks *t, size_t i)
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

/* Every annotation from J on: the token after them. */
static size_t skip_attrs(const char *text, const struct toks *t, size_t j)
{
	size_t a;

	while ((a = skip_attr(text, t, j)) != j)
		j = a;
	return j;
}

/* Skip the annotations and the words WORDS[0..N) from J on; *SEEN gets
 * bit w for each word w met.  Returns the first other token, or t->n when
 * it is not an identifier (no declaration of ours). */
static size_t specifiers(const char *text, const struct toks *t, size_t j, const char *const *words,
			 size_t n, unsigned *seen)
{
	size_t w;

	*seen = 0;
	for (;; j++) {
		j = skip_attrs(text, t, j);
		if (j >= t->n || t->v[j].kind != T_IDENT)
			return t->n;
		for (w = 0; w < n && !keysc_tok_is(text, &t->v[j], words[w]); w++)
			;
		if (w == n)
			return j;
		*seen |= 1u << w;
	}
}

/* A declaration of a byte array at I:
 *   [static] [const] unsigned char [const] NAME [ [N] ] = { ... }
 *   ... uint8_t NAME[N];            (tentative: no initializer)
 * with `volatile` and annotations anywhere before '=' or ';'.  Returns
 * NAME's index (0: no match); *size_tok gets N's index (0: none), *init
 * whether an initializer '{' follows (its index in *brace). */
size_t keysc_match_array(const char *text, const struct toks *t, size_t i, size_t *size_tok,
			 bool *init, size_t *brace)
{
	static const char *const words[] = {"static",	"const", "volatile",
					    "unsigned", "char",	 "uint8_t"};
	size_t j, nm;
	unsigned seen;
	bool uns, chr, u8;

	if (!keysc_decl_start(text, t, i))
		return 0;
	j = specifiers(text, t, i, words, sizeof(words) / sizeof(words[0]), &seen);
	if (j >= t->n)
		return 0;
	uns = seen & 1u << 3;
	chr = seen & 1u << 4;
	u8 = seen & 1u << 5;
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
	j = skip_attrs(text, t, j + 1);
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
size_t keysc_match_len(const char *text, const struct toks *t, size_t i, size_t *value,
		       bool *is_sizeof, size_t *semi)
{
	static const char *const words[] = {"static",	"const",    "volatile", "unsigned",
					    "signed",	"int",	    "long",	"short",
					    "uint32_t", "uint16_t", "size_t",	"uint_fast32_t"};
	size_t j, nm;
	unsigned seen;
	bool type;

	if (!keysc_decl_start(text, t, i))
		return 0;
	j = specifiers(text, t, i, words, sizeof(words) / sizeof(words[0]), &seen);
	if (j >= t->n)
		return 0;
	/* an integer type: a word from "unsigned" on but "signed" alone */
	type = (seen & ~(1u << 4) & ~7u) != 0;
	nm = j;
	if (!type || nm + 3 >= t->n || t->v[nm].kind != T_IDENT)
		return 0;
	j = skip_attrs(text, t, nm + 1);
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

/* The names imgtool, MCUboot's build and getpub give the generated keys
 * of each type. */
static const struct {
	const char *name;
	unsigned bits;
} names[] = {
	{"rsa_pub_key", 1u << KEY_RSA2048 | 1u << KEY_RSA3072},
	{"ecdsap384_pub_key", 1u << KEY_ECDSA_P384},
	{"ecdsa_pub_key", 1u << KEY_ECDSA_P256},
	{"ed25519_pub_key", 1u << KEY_ED25519},
};

/* `extern const unsigned char rsa_pub_key[]`: sets the type bit and suffix. */
void keysc_match_extern(const char *text, const struct toks *t, size_t i, struct keysc_info *info)
{
	const struct tok *nm;
	size_t k, n, plen;

	if (i + 5 >= t->n || !keysc_tok_is(text, &t->v[i], "extern") ||
	    !keysc_tok_is(text, &t->v[i + 1], "const") ||
	    !keysc_tok_is(text, &t->v[i + 2], "unsigned") ||
	    !keysc_tok_is(text, &t->v[i + 3], "char") || t->v[i + 4].kind != T_IDENT)
		return;
	nm = &t->v[i + 4];
	n = nm->end - nm->start;
	for (k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		plen = strlen(names[k].name);
		if (n < plen || memcmp(text + nm->start, names[k].name, plen) != 0)
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

	if ((n == 4 || n == 5) && t->v[j].kind == T_IDENT &&
	    keysc_tok_is(text, &t->v[j + 1], ",") && keysc_tok_is(text, &t->v[j + 2], "&") &&
	    t->v[j + 3].kind == T_IDENT && (n == 4 || keysc_tok_is(text, &t->v[j + 4], ","))) {
		key = j;
		len = j + 3;
	} else {
		while (j < rb) {
			size_t m = j + 1, v = j + 3;
			bool amp = false;

			if (v >= rb || !keysc_tok_is(text, &t->v[j], ".") ||
			    t->v[m].kind != T_IDENT || !keysc_tok_is(text, &t->v[j + 2], "="))
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
int keysc_parse_list(const char *text, const struct toks *t, size_t open, struct keysc_list *l,
		     size_t *close)
{
	size_t j, ecap = 0, gcap = 0, desig_at = 0, desig_num = 0, desig_tok = 0;
	bool desig = false;
	int cur = -1;

	l->open = t->v[open].start;
	for (j = open + 1; j < t->n; j++) {
		const struct tok *k = &t->v[j];

		if (k->kind == T_PP) {
			if (desig)
				bad_line(l, k->line);
			if (!l->complex && k->pp == 1 && cur < 0 &&
			    pp_sign_cond(text, k) != NULL) {
				struct keysc_group *ng =
					keysc_grow(l->groups, l->n_groups, &gcap, sizeof(*ng));

				if (ng == NULL)
					return -1;
				l->groups = ng;
				memset(&l->groups[l->n_groups], 0, sizeof(*l->groups));
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
		    keysc_tok_is(text, &t->v[j + 2], "]") &&
		    keysc_tok_is(text, &t->v[j + 3], "=") &&
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
			if (cur >= 0 && !l->complex)
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
			keysc_live_of(&e->live, t, &t->v[e->desig ? desig_tok : j]);
			e->group = cur;
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
void keysc_mark_listed(const char *text, const struct tok *id, struct keysc_info *info)
{
	size_t a, n = id->end - id->start;

	for (a = 0; a < info->n_arrays; a++)
		if (strlen(info->arrays[a].name) == n &&
		    memcmp(info->arrays[a].name, text + id->start, n) == 0)
			info->arrays[a].is_key = true;
}

/* `#define BOOT_KEY_PRIMARY ecdsa_pub_key` in MCUboot 2026's keys.c (and
 * its ports, under any macro name): the key type of that branch. */
void keysc_match_primary(const char *text, const struct tok *k, struct keysc_info *info)
{
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
bool keysc_pp_is(const char *text, const struct tok *k, const char *w)
{
	size_t s, e, r;

	return pp_directive(text + k->start, k->end - k->start, &s, &e, &r) && e - s == strlen(w) &&
	       memcmp(text + k->start + s, w, e - s) == 0;
}

/* The sign macro an #if/#elif tests positively (a label for new list
 * entries), or NULL: `#ifndef X`, `#if !defined(X)` and `#else` are not
 * X's block. */
const char *keysc_block_label(const char *text, const struct tok *k)
{
	if (k->macro == NULL || keysc_pp_is(text, k, "ifndef") ||
	    memchr(text + k->start, '!', k->end - k->start) != NULL)
		return NULL;
	return k->macro;
}

const char *keysc_cur_block(const char *const *stack, size_t depth)
{
	size_t d;

	for (d = depth; d > 0; d--)
		if (d <= 64 && stack[d - 1] != NULL)
			return stack[d - 1];
	return NULL;
}
