/* MCUboot keys.c: shape detection and key patching.
 *
 * The text is untrusted.  A small tokenizer (identifiers, numbers,
 * punctuation, preprocessor lines; comments and literals skipped) feeds a
 * matcher for the few declarations that matter; nothing is assumed about
 * the rest of the file, and every other byte is kept when patching.
 *
 * Patching is a list of edits (replace [start, end) of the original text)
 * made at once at the end, so nothing is written unless every check passed.
 * Another number of keys than arrays adds or removes whole lines (arrays
 * with their _len, bootutil_keys[] entries) only where the key list and the
 * count say for sure which lines those are. */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "mcuprov/carray.h"
#include "mcuprov/keysc.h"

#define KEYSC_MAX_TEXT (4 * 1024 * 1024)

enum tok_kind { T_IDENT, T_NUMBER, T_PUNCT, T_PP, T_OTHER };

struct tok {
	enum tok_kind kind;
	size_t start, end; /* [start, end) in the text */
	size_t line;
	const char *macro; /* T_PP: the MCUBOOT_SIGN_* / *_ENC* macro it tests, or NULL */
	int pp;            /* T_PP: 1 #if*, 2 #elif, 3 #else, 4 #endif, 0 other */
};

struct toks {
	struct tok *v;
	size_t n, cap;
};

static const char *const known_macros[] = {
	"MCUBOOT_SIGN_RSA", "MCUBOOT_SIGN_EC256", "MCUBOOT_SIGN_EC384", "MCUBOOT_SIGN_ED25519",
	"MCUBOOT_SIGN_EC", "BOOTUTIL_SIGN_RSA", "BOOTUTIL_SIGN_EC256", "BOOTUTIL_SIGN_EC",
	"MCUBOOT_ENC_IMAGES", "MCUBOOT_ENCRYPT_RSA", "MCUBOOT_ENCRYPT_EC256",
	"MCUBOOT_ENCRYPT_X25519", "MCUBOOT_ENCRYPT_KW",
};

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

/* Does block macro M select key TYPE?  (BOOTUTIL_* is the 2017 spelling.) */
static bool macro_selects(const char *m, enum key_type type)
{
	const char *want = keysc_sign_macro(type);

	if (m == NULL || want == NULL)
		return false;
	if (strcmp(m, want) == 0)
		return true;
	return (type == KEY_RSA2048 || type == KEY_RSA3072) ? strcmp(m, "BOOTUTIL_SIGN_RSA") == 0
	       : type == KEY_ECDSA_P256                      ? strcmp(m, "BOOTUTIL_SIGN_EC256") == 0
							     : false;
}

static bool is_sign_macro(const char *m)
{
	return m != NULL && (strncmp(m, "MCUBOOT_SIGN_", 13) == 0 || strncmp(m, "BOOTUTIL_SIGN_", 14) == 0);
}

static int push(struct toks *t, struct tok k)
{
	if (t->n == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 256;
		struct tok *nv = realloc(t->v, nc * sizeof(*nv));

		if (nv == NULL)
			return -1;
		t->v = nv;
		t->cap = nc;
	}
	t->v[t->n++] = k;
	return 0;
}

/* The known macro a preprocessor condition in [s, e) names, or NULL. */
static const char *pp_macro(const char *text, size_t s, size_t e)
{
	size_t i, k;

	for (i = s; i < e; i++) {
		if (!(isalpha((unsigned char)text[i]) || text[i] == '_') ||
		    (i > s && (isalnum((unsigned char)text[i - 1]) || text[i - 1] == '_')))
			continue;
		for (k = 0; k < sizeof(known_macros) / sizeof(known_macros[0]); k++) {
			size_t n = strlen(known_macros[k]);

			if (i + n <= e && memcmp(text + i, known_macros[k], n) == 0 &&
			    (i + n == e || !(isalnum((unsigned char)text[i + n]) || text[i + n] == '_')))
				return known_macros[k];
		}
	}
	return NULL;
}

static int tokenize(const char *text, size_t len, struct toks *t)
{
	size_t i = 0, line = 1;
	bool line_start = true;

	while (i < len) {
		char c = text[i];
		struct tok k = { T_OTHER, i, i + 1, line, NULL, 0 };

		if (c == '\n') {
			line++;
			line_start = true;
			i++;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
			i++;
			continue;
		}
		if (c == '/' && i + 1 < len && text[i + 1] == '*') {
			for (i += 2; i < len && !(text[i] == '*' && i + 1 < len && text[i + 1] == '/'); i++)
				if (text[i] == '\n')
					line++;
			i = i < len ? i + 2 : len;
			continue;
		}
		if (c == '/' && i + 1 < len && text[i + 1] == '/') {
			while (i < len && text[i] != '\n')
				i++;
			continue;
		}
		if (c == '#' && line_start) {
			/* a preprocessor line, with backslash continuations */
			size_t s = i, w;

			while (i < len && text[i] != '\n') {
				if (text[i] == '\\' && i + 1 < len &&
				    (text[i + 1] == '\n' || (text[i + 1] == '\r' && i + 2 < len &&
							     text[i + 2] == '\n'))) {
					i += text[i + 1] == '\r' ? 3 : 2;
					line++;
					continue;
				}
				i++;
			}
			k.kind = T_PP;
			k.end = i;
			for (w = s + 1; w < i && (text[w] == ' ' || text[w] == '\t'); w++)
				;
			if (i - w >= 2 && strncmp(text + w, "if", 2) == 0 &&
			    (i - w < 4 || strncmp(text + w, "include", 7) != 0))
				k.pp = 1;
			if (i - w >= 4 && strncmp(text + w, "elif", 4) == 0)
				k.pp = 2;
			else if (i - w >= 4 && strncmp(text + w, "else", 4) == 0)
				k.pp = 3;
			else if (i - w >= 5 && strncmp(text + w, "endif", 5) == 0)
				k.pp = 4;
			if (k.pp == 1 || k.pp == 2)
				k.macro = pp_macro(text, w, i);
			if (push(t, k) < 0)
				return -1;
			continue;
		}
		line_start = false;
		if (c == '"' || c == '\'') {
			for (i++; i < len && text[i] != c && text[i] != '\n'; i++)
				if (text[i] == '\\')
					i++;
			i = i < len ? i + 1 : len;
			continue;
		}
		if (isalpha((unsigned char)c) || c == '_') {
			while (k.end < len && (isalnum((unsigned char)text[k.end]) || text[k.end] == '_'))
				k.end++;
			k.kind = T_IDENT;
		} else if (isdigit((unsigned char)c)) {
			while (k.end < len && (isalnum((unsigned char)text[k.end])))
				k.end++;
			k.kind = T_NUMBER;
		} else {
			k.kind = T_PUNCT;
		}
		i = k.end;
		if (push(t, k) < 0)
			return -1;
	}
	return 0;
}

static bool tok_is(const char *text, const struct tok *k, const char *s)
{
	size_t n = strlen(s);

	return k->end - k->start == n && memcmp(text + k->start, s, n) == 0;
}

/* The value of a number token (0x.. hex or decimal); -1 if malformed. */
static long long tok_num(const char *text, const struct tok *k)
{
	char buf[32], *end;
	size_t n = k->end - k->start;
	unsigned long long v;

	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, text + k->start, n);
	buf[n] = '\0';
	/* allow the C suffixes u/U */
	if (n > 1 && (buf[n - 1] == 'u' || buf[n - 1] == 'U'))
		buf[--n] = '\0';
	if (buf[0] == '0' && n > 1 && buf[1] != 'x' && buf[1] != 'X')
		return -1; /* octal: never used for key bytes */
	v = strtoull(buf, &end, 0);
	if (*end != '\0' || v > 0x7fffffffULL)
		return -1;
	return (long long)v;
}

/* Match `[static] const unsigned char NAME [ ] = {` or `... unsigned char
 * const NAME ...` at token I; returns the index of NAME or 0. */
static size_t match_array(const char *text, const struct toks *t, size_t i)
{
	size_t j = i;

	if (j < t->n && tok_is(text, &t->v[j], "static"))
		j++;
	if (j + 6 < t->n && tok_is(text, &t->v[j], "const") &&
	    tok_is(text, &t->v[j + 1], "unsigned") && tok_is(text, &t->v[j + 2], "char"))
		j += 3;
	else if (j + 6 < t->n && tok_is(text, &t->v[j], "unsigned") &&
		 tok_is(text, &t->v[j + 1], "char") && tok_is(text, &t->v[j + 2], "const"))
		j += 3;
	else
		return 0;
	if (t->v[j].kind != T_IDENT || !tok_is(text, &t->v[j + 1], "[") ||
	    !tok_is(text, &t->v[j + 2], "]") || !tok_is(text, &t->v[j + 3], "=") ||
	    !tok_is(text, &t->v[j + 4], "{"))
		return 0;
	return j;
}

/* Match `const unsigned int NAME = NUMBER ;` at I; returns NAME's index. */
static size_t match_len(const char *text, const struct toks *t, size_t i)
{
	size_t j = i;

	if (j < t->n && tok_is(text, &t->v[j], "static"))
		j++;
	if (j + 6 < t->n && tok_is(text, &t->v[j], "const") &&
	    tok_is(text, &t->v[j + 1], "unsigned") && tok_is(text, &t->v[j + 2], "int") &&
	    t->v[j + 3].kind == T_IDENT && tok_is(text, &t->v[j + 4], "=") &&
	    t->v[j + 5].kind == T_NUMBER && tok_is(text, &t->v[j + 6], ";"))
		return j + 3;
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

	if (i + 5 >= t->n || !tok_is(text, &t->v[i], "extern") ||
	    !tok_is(text, &t->v[i + 1], "const") || !tok_is(text, &t->v[i + 2], "unsigned") ||
	    !tok_is(text, &t->v[i + 3], "char") || t->v[i + 4].kind != T_IDENT)
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

/* The innermost enclosing #if that names a known macro, or NULL. */
static const char *cur_block(const char *const *stack, size_t depth)
{
	size_t d;

	for (d = depth; d > 0; d--)
		if (d <= 64 && stack[d - 1] != NULL)
			return stack[d - 1];
	return NULL;
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
	m = p > ms ? pp_macro(text, ms, p) : NULL;
	if (m == NULL || strlen(m) != p - ms || !is_sign_macro(m))
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

	if ((n == 4 || n == 5) && t->v[j].kind == T_IDENT && tok_is(text, &t->v[j + 1], ",") &&
	    tok_is(text, &t->v[j + 2], "&") && t->v[j + 3].kind == T_IDENT &&
	    (n == 4 || tok_is(text, &t->v[j + 4], ","))) {
		key = j;
		len = j + 3;
	} else {
		while (j < rb) {
			size_t m = j + 1, v = j + 3;
			bool amp = false;

			if (v >= rb || !tok_is(text, &t->v[j], ".") || t->v[m].kind != T_IDENT ||
			    !tok_is(text, &t->v[j + 2], "="))
				return;
			if (tok_is(text, &t->v[v], "&")) {
				amp = true;
				v++;
			}
			if (v >= rb || t->v[v].kind != T_IDENT)
				return;
			if (tok_is(text, &t->v[m], "key") && !amp && key == 0)
				key = v;
			else if (tok_is(text, &t->v[m], "len") && amp && len == 0)
				len = v;
			else
				return;
			j = v + 1;
			if (j < rb) {
				if (!tok_is(text, &t->v[j], ","))
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

/* Room for element N in V (capacity *CAP, elements of SIZE): the array,
 * perhaps moved, or NULL when out of memory (V is then still valid). */
static void *grow(void *v, size_t n, size_t *cap, size_t size)
{
	void *nv;
	size_t nc;

	if (n < *cap)
		return v;
	nc = *cap ? *cap * 2 : 4;
	nv = realloc(v, nc * size);
	if (nv != NULL)
		*cap = nc;
	return nv;
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
	size_t j, ecap = 0, gcap = 0, desig_at = 0, desig_num = 0;
	bool desig = false;
	int cur = -1;

	l->open = t->v[open].start;
	for (j = open + 1; j < t->n; j++) {
		const struct tok *k = &t->v[j];
		const char *c;

		if (k->kind == T_PP) {
			if (desig)
				bad_line(l, k->line);
			if (k->pp == 1 && cur < 0 && (c = pp_sign_cond(text, k)) != NULL) {
				struct keysc_group *ng =
					grow(l->groups, l->n_groups, &gcap, sizeof(*ng));

				if (ng == NULL)
					return -1;
				l->groups = ng;
				memset(&l->groups[l->n_groups], 0, sizeof(*l->groups));
				l->groups[l->n_groups].cond = c;
				l->groups[l->n_groups].if_start = k->start;
				l->groups[l->n_groups].if_end = k->end;
				cur = (int)l->n_groups++;
			} else if (k->pp == 4 && cur >= 0) {
				l->groups[cur].endif_start = k->start;
				l->groups[cur].endif_end = k->end;
				cur = -1;
			} else {
				bad_line(l, k->line);
			}
			continue;
		}
		/* `[N] = {`, as MCUboot's documentation writes the list: N must be
		 * the entry's position, so a copy for a new key gets the next one */
		if (tok_is(text, k, "[") && j + 4 < t->n && t->v[j + 1].kind == T_NUMBER &&
		    tok_is(text, &t->v[j + 2], "]") && tok_is(text, &t->v[j + 3], "=") &&
		    tok_is(text, &t->v[j + 4], "{")) {
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
			desig_at = k->start;
			desig_num = j + 1;
			j += 3;
			continue;
		}
		if (tok_is(text, k, "}")) {
			l->close = k->start;
			if (cur >= 0)
				bad_line(l, k->line);
			*close = j;
			return 0;
		}
		if (tok_is(text, k, "{")) {
			struct keysc_entry *e;
			size_t r, nest = 1;
			bool flat = true;

			for (r = j + 1; r < t->n; r++) {
				if (t->v[r].kind == T_PP) {
					flat = false;
				} else if (tok_is(text, &t->v[r], "{")) {
					nest++;
					flat = false;
				} else if (tok_is(text, &t->v[r], "}") && --nest == 0) {
					break;
				}
			}
			if (r >= t->n)
				break;
			e = grow(l->entries, l->n_entries, &ecap, sizeof(*e));
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
			e->group = cur;
			e->cond = cur >= 0 ? l->groups[cur].cond : NULL;
			if (flat)
				parse_entry(text, t, j, r, e);
			if (r + 1 < t->n && tok_is(text, &t->v[r + 1], ",")) {
				e->comma = true;
				e->comma_pos = t->v[r + 1].start;
				e->end = t->v[r + 1].end;
				r++;
			}
			j = r;
			continue;
		}
		bad_line(l, k->line);
	}
	/* no closing brace */
	if (l->bad_line == 0)
		l->bad_line = t->v[open].line;
	l->close = t->v[t->n - 1].end;
	*close = t->n - 1;
	return 0;
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
	free(info);
}

/* Record the style of the array whose body is [bs, be). */
static void detect_style(const char *text, size_t len, const struct toks *t, size_t first_num,
			 size_t close, struct keysc_info *info)
{
	size_t ls, p, n = 0, k;

	info->eol = memmem(text, len, "\r\n", 2) != NULL ? "\r\n" : "\n";
	snprintf(info->indent, sizeof(info->indent), "    ");
	info->per_line = 8;
	if (first_num == 0 || t->v[first_num].kind != T_NUMBER)
		return;
	/* indentation: the whitespace before the first byte on its line */
	for (ls = t->v[first_num].start; ls > 0 && text[ls - 1] != '\n'; ls--)
		;
	for (p = ls; p < t->v[first_num].start && (text[p] == ' ' || text[p] == '\t'); p++)
		;
	if (p == t->v[first_num].start && p - ls < sizeof(info->indent)) {
		memcpy(info->indent, text + ls, p - ls);
		info->indent[p - ls] = '\0';
	}
	for (k = first_num; k < close; k++)
		if (t->v[k].kind == T_NUMBER && t->v[k].line == t->v[first_num].line)
			n++;
	info->per_line = n > 0 ? (unsigned)n : 8;
	info->trailing_comma = close > 0 && tok_is(text, &t->v[close - 1], ",");
	/* hex case: the first byte with a letter says (0x30 has none) */
	for (k = first_num; k < close; k++) {
		if (t->v[k].kind != T_NUMBER || t->v[k].end - t->v[k].start < 3)
			continue;
		for (p = t->v[k].start + 2; p < t->v[k].end; p++)
			if (isalpha((unsigned char)text[p]))
				break;
		if (p < t->v[k].end) {
			info->upper_hex = isupper((unsigned char)text[p]) != 0;
			break;
		}
	}
}

int keysc_analyze(const char *text, size_t len, const char *subject, struct keysc_info **out,
		  struct mcuprov_err *err)
{
	struct toks t = { NULL, 0, 0 };
	struct keysc_info *info = NULL;
	const char *stack[64];
	size_t depth = 0, i, cap = 0, lcap = 0, ccap = 0;
	bool key_count = false, styled = false;
	int rc;

	*out = NULL;
	if (len > KEYSC_MAX_TEXT)
		return err_set(err, MCUPROV_ERR_FORMAT, subject, "file too large for a keys.c");
	info = calloc(1, sizeof(*info));
	if (info == NULL || tokenize(text, len, &t) < 0) {
		rc = err_set(err, MCUPROV_ERR_NOMEM, subject, "out of memory");
		goto out;
	}
	info->eol = "\n";
	snprintf(info->indent, sizeof(info->indent), "    ");
	info->per_line = 8;
	for (i = 0; i < t.n; i++) {
		struct tok *k = &t.v[i];
		size_t nm;

		if (k->kind == T_PP) {
			if (k->pp == 1 && depth < sizeof(stack) / sizeof(stack[0]))
				stack[depth++] = k->macro;
			else if (k->pp == 1)
				depth++;
			else if ((k->pp == 2 || k->pp == 3) && depth > 0 &&
				 depth <= sizeof(stack) / sizeof(stack[0]))
				stack[depth - 1] = k->pp == 2 ? k->macro : NULL;
			else if (k->pp == 4 && depth > 0)
				depth--;
			if (memmem(text + k->start, k->end - k->start, "MCUBOOT_SIGN_KEY_COUNT", 22))
				key_count = true;
			continue;
		}
		if (k->kind == T_IDENT && tok_is(text, k, "MCUBOOT_SIGN_KEY_COUNT"))
			key_count = true;
		match_extern(text, &t, i, info);
		if ((nm = match_array(text, &t, i)) != 0) {
			struct keysc_array *a;
			size_t j = nm + 5, first = 0, namelen = t.v[nm].end - t.v[nm].start;
			bool want_num = true;

			if (info->n_arrays == cap) {
				size_t nc = cap ? cap * 2 : 4;
				struct keysc_array *na = realloc(info->arrays, nc * sizeof(*na));

				if (na == NULL) {
					rc = err_set(err, MCUPROV_ERR_NOMEM, subject, "out of memory");
					goto out;
				}
				info->arrays = na;
				cap = nc;
			}
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
			a->is_key = is_sign_macro(a->block);
			a->body_start = t.v[nm + 4].end;
			for (; j < t.n && !tok_is(text, &t.v[j], "}"); j++) {
				long long v;

				if (want_num && t.v[j].kind == T_NUMBER) {
					v = tok_num(text, &t.v[j]);
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
				} else if (!want_num && tok_is(text, &t.v[j], ",")) {
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
			if (j + 1 < t.n && tok_is(text, &t.v[j + 1], ";"))
				a->decl_end = t.v[j + 1].end;
			if (!styled && is_sign_macro(a->block) && first != 0) {
				detect_style(text, len, &t, first, j, info);
				styled = true;
			}
			info->n_arrays++;
			i = j;
			continue;
		}
		if (k->kind == T_IDENT && tok_is(text, k, "bootutil_keys") && i + 4 < t.n &&
		    tok_is(text, &t.v[i + 1], "[") && tok_is(text, &t.v[i + 2], "]") &&
		    tok_is(text, &t.v[i + 3], "=") && tok_is(text, &t.v[i + 4], "{")) {
			/* the names bootutil_keys[] lists are key arrays */
			struct keysc_list *l;
			size_t j, close = 0;

			l = grow(info->lists, info->n_lists, &lcap, sizeof(*l));
			if (l == NULL) {
				rc = err_set(err, MCUPROV_ERR_NOMEM, subject, "out of memory");
				goto out;
			}
			info->lists = l;
			l = &info->lists[info->n_lists++];
			memset(l, 0, sizeof(*l));
			l->block = cur_block(stack, depth);
			l->line = k->line;
			if (parse_list(text, &t, i + 4, l, &close) < 0) {
				rc = err_set(err, MCUPROV_ERR_NOMEM, subject, "out of memory");
				goto out;
			}
			for (j = i + 4; j < close; j++)
				if (t.v[j].kind == T_IDENT)
					mark_listed(text, &t.v[j], info);
			i = close;
			continue;
		}
		if (k->kind == T_IDENT && tok_is(text, k, "bootutil_key_cnt") && i > 0 &&
		    tok_is(text, &t.v[i - 1], "int") && i + 2 < t.n &&
		    tok_is(text, &t.v[i + 1], "=")) {
			/* `int bootutil_key_cnt = EXPR;`: a number, a sizeof quotient
			 * or something else */
			struct keysc_count c;
			size_t j, n = 0;
			bool has_sizeof = false, has_keys = false;

			memset(&c, 0, sizeof(c));
			for (j = i + 2; j < t.n && j < i + 66 && t.v[j].kind != T_PP &&
					!tok_is(text, &t.v[j], ";") &&
					!tok_is(text, &t.v[j], "{") && !tok_is(text, &t.v[j], "}");
			     j++, n++) {
				has_sizeof |= tok_is(text, &t.v[j], "sizeof");
				has_keys |= tok_is(text, &t.v[j], "bootutil_keys");
			}
			if (n > 0 && j < t.n && tok_is(text, &t.v[j], ";")) {
				long long v = tok_num(text, &t.v[i + 2]);

				c.block = cur_block(stack, depth);
				c.line = k->line;
				c.start = t.v[i + 2].start;
				c.end = t.v[j - 1].end;
				if (n == 1 && t.v[i + 2].kind == T_NUMBER && v >= 0) {
					c.kind = KEYSC_COUNT_NUMBER;
					c.value = (unsigned long)v;
				} else if (has_sizeof && has_keys) {
					c.kind = KEYSC_COUNT_SIZEOF;
				}
				struct keysc_count *nc =
					grow(info->counts, info->n_counts, &ccap, sizeof(*nc));

				if (nc == NULL) {
					rc = err_set(err, MCUPROV_ERR_NOMEM, subject,
						     "out of memory");
					goto out;
				}
				info->counts = nc;
				info->counts[info->n_counts++] = c;
			}
		}
		if ((nm = match_len(text, &t, i)) != 0) {
			size_t n = t.v[nm].end - t.v[nm].start, a;
			const char *blk = cur_block(stack, depth);

			/* the same name may be declared once per #if block:
			 * NAME_len belongs to NAME of the same block */
			for (a = info->n_arrays; a-- > 0;) {
				size_t an = strlen(info->arrays[a].name);

				if (info->arrays[a].block == blk && !info->arrays[a].has_len &&
				    n == an + 4 && memcmp(text + t.v[nm].start, info->arrays[a].name, an) == 0 &&
				    memcmp(text + t.v[nm].start + an, "_len", 4) == 0) {
					long long v = tok_num(text, &t.v[nm + 2]);

					info->arrays[a].has_len = true;
					info->arrays[a].declared_len = v < 0 ? (unsigned long)-1 : (unsigned long)v;
					info->arrays[a].len_start = t.v[nm + 2].start;
					info->arrays[a].len_end = t.v[nm + 2].end;
					info->arrays[a].len_decl_start = k->start;
					info->arrays[a].len_decl_end = t.v[nm + 3].end;
					info->arrays[a].len_name_start = t.v[nm].start;
					break;
				}
			}
		}
	}
	if (!styled && info->n_arrays > 0) {
		/* no array under a sign macro: take the style of the first */
		for (i = 0; i < t.n && t.v[i].start < info->arrays[0].body_start; i++)
			;
		while (i < t.n && t.v[i].kind != T_NUMBER && t.v[i].start < info->arrays[0].body_end)
			i++;
		if (i < t.n && t.v[i].start < info->arrays[0].body_end) {
			size_t close = i;

			while (close < t.n && t.v[close].start < info->arrays[0].body_end)
				close++;
			detect_style(text, len, &t, i, close, info);
		} else {
			info->eol = memmem(text, len, "\r\n", 2) != NULL ? "\r\n" : "\n";
		}
	}
	for (i = 0; i < info->n_arrays; i++)
		if (info->arrays[i].is_key)
			info->shape = KEYSC_SHAPE_INLINE;
	if (info->shape != KEYSC_SHAPE_INLINE && info->declared_types != 0)
		info->shape = key_count || info->max_suffix > 0 ? KEYSC_SHAPE_MULTI
								: KEYSC_SHAPE_GENERATED;
	*out = info;
	info = NULL;
	rc = 0;
out:
	free(t.v);
	keysc_info_free(info);
	return rc;
}

/* ---- patching --------------------------------------------------------------- */

/* Replace [start, end) by TEXT (an insertion when start == end); SEQ keeps
 * several insertions at one place in the order they were made. */
struct edit {
	size_t start, end, seq;
	char *text;
};

struct edits {
	struct edit *v;
	size_t n, cap;
};

static int cmp_edit(const void *a, const void *b)
{
	const struct edit *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Add an edit, taking TEXT over (NULL: out of memory).  Returns 0 or -1. */
static int edit_add(struct edits *ed, size_t start, size_t end, char *text)
{
	struct edit *nv;

	if (text == NULL)
		return -1;
	nv = grow(ed->v, ed->n, &ed->cap, sizeof(*nv));
	if (nv == NULL) {
		free(text);
		return -1;
	}
	ed->v = nv;
	nv[ed->n].start = start;
	nv[ed->n].end = end;
	nv[ed->n].seq = ed->n;
	nv[ed->n].text = text;
	ed->n++;
	return 0;
}

static int edit_del(struct edits *ed, size_t start, size_t end)
{
	return edit_add(ed, start, end, strdup(""));
}

static void edits_free(struct edits *ed)
{
	size_t i;

	for (i = 0; i < ed->n; i++)
		free(ed->v[i].text);
	free(ed->v);
	memset(ed, 0, sizeof(*ed));
}

/* A growing string; running out of memory is remembered. */
struct sbuf {
	char *s;
	size_t n, cap;
	bool oom;
};

static void sb_put(struct sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t nc = (b->n + n + 1) * 2;
		char *ns = realloc(b->s, nc);

		if (ns == NULL) {
			b->oom = true;
			return;
		}
		b->s = ns;
		b->cap = nc;
	}
	memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = '\0';
}

static void sb_str(struct sbuf *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

/* The string (caller frees), or NULL when out of memory. */
static char *sb_take(struct sbuf *b)
{
	char *s = b->oom ? NULL : b->s != NULL ? b->s : calloc(1, 1);

	if (b->oom)
		free(b->s);
	memset(b, 0, sizeof(*b));
	return s;
}

/* The new initializer body for DER, in the file's style. */
static char *format_body(const struct keysc_info *info, const char *text, const struct keysc_array *a,
			 const uint8_t *der, size_t len, size_t *splice_end)
{
	size_t cap = 64 + len * 8 + (len / (info->per_line ? info->per_line : 8) + 2) * 24, i, p = 0;
	size_t close_line;
	bool close_alone = true;
	char *out = malloc(cap);

	if (out == NULL)
		return NULL;
	/* does the closing brace start its own line?  Then keep that line. */
	for (close_line = a->body_end; close_line > a->body_start && text[close_line - 1] != '\n';
	     close_line--)
		if (text[close_line - 1] != ' ' && text[close_line - 1] != '\t')
			close_alone = false;
	if (close_line == a->body_start)
		close_alone = false;
	p += (size_t)sprintf(out + p, "%s", info->eol);
	for (i = 0; i < len; i++) {
		bool line_start = i % info->per_line == 0, last = i + 1 == len;
		bool line_end = last || (i + 1) % info->per_line == 0;

		if (line_start)
			p += (size_t)sprintf(out + p, "%s", info->indent);
		p += (size_t)sprintf(out + p, info->upper_hex ? "0x%02X" : "0x%02x", der[i]);
		if (!last || info->trailing_comma)
			out[p++] = ',';
		if (line_end) {
			if (!last || close_alone)
				p += (size_t)sprintf(out + p, "%s", info->eol);
			else
				out[p++] = ' ';
		} else {
			out[p++] = ' ';
		}
	}
	out[p] = '\0';
	*splice_end = close_alone ? close_line : a->body_end;
	return out;
}

/* ---- lines of the text ---- */

static size_t line_begin(const char *text, size_t pos)
{
	while (pos > 0 && text[pos - 1] != '\n')
		pos--;
	return pos;
}

/* Only blanks between the start of POS's line and POS? */
static bool ws_before(const char *text, size_t pos)
{
	size_t p;

	for (p = line_begin(text, pos); p < pos; p++)
		if (text[p] != ' ' && text[p] != '\t')
			return false;
	return true;
}

/* Only blanks and perhaps a comment from POS to the end of its line?  Then
 * *NEXT is where the next line starts (LEN at the end of the text). */
static bool line_rest(const char *text, size_t len, size_t pos, size_t *next)
{
	size_t p = pos;

	while (p < len && (text[p] == ' ' || text[p] == '\t' || text[p] == '\r'))
		p++;
	if (p + 1 < len && text[p] == '/' && text[p + 1] == '/') {
		while (p < len && text[p] != '\n')
			p++;
	} else if (p + 1 < len && text[p] == '/' && text[p + 1] == '*') {
		for (p += 2; p + 1 < len && !(text[p] == '*' && text[p + 1] == '/'); p++)
			if (text[p] == '\n')
				return false;
		if (p + 1 >= len)
			return false;
		for (p += 2; p < len && (text[p] == ' ' || text[p] == '\t' || text[p] == '\r'); p++)
			;
	}
	if (p < len && text[p] != '\n')
		return false;
	*next = p < len ? p + 1 : len;
	return true;
}

static bool only_ws(const char *text, size_t s, size_t e)
{
	for (; s < e; s++)
		if (!isspace((unsigned char)text[s]))
			return false;
	return true;
}

/* Only whitespace and comments in [s, e)? */
static bool only_ws_comments(const char *text, size_t s, size_t e)
{
	while (s < e) {
		if (isspace((unsigned char)text[s])) {
			s++;
		} else if (s + 1 < e && text[s] == '/' && text[s + 1] == '*') {
			for (s += 2; s + 1 < e && !(text[s] == '*' && text[s + 1] == '/'); s++)
				;
			if (s + 1 >= e)
				return false;
			s += 2;
		} else if (s + 1 < e && text[s] == '/' && text[s + 1] == '/') {
			while (s < e && text[s] != '\n')
				s++;
		} else {
			return false;
		}
	}
	return true;
}

/* The line before the one POS is on: [*b, *e) without its line end; false
 * on the first line. */
static bool line_above(const char *text, size_t pos, size_t *b, size_t *e)
{
	size_t lb = line_begin(text, pos);

	if (lb == 0)
		return false;
	*b = line_begin(text, lb - 1);
	*e = lb - 1;
	if (*e > *b && text[*e - 1] == '\r')
		(*e)--;
	return true;
}

/* Is the line [b, e) the comment mcuprov's inline-multi template writes
 * above each array, `/\* key N...*\/`?  STRICT: exactly
 * `/\* key N: TYPE, SHA-256 HEX *\/` (64 lower-case hex digits).  [*cs, *ce)
 * is the comment itself. */
static bool key_comment(const char *text, size_t b, size_t e, bool strict, size_t *cs, size_t *ce)
{
	size_t p, q;

	while (b < e && (text[b] == ' ' || text[b] == '\t'))
		b++;
	while (e > b && isspace((unsigned char)text[e - 1]))
		e--;
	if (e - b < 11 || memcmp(text + b, "/* key ", 7) != 0 ||
	    !isdigit((unsigned char)text[b + 7]) || memcmp(text + e - 2, "*/", 2) != 0)
		return false;
	for (p = b + 2; p + 3 < e; p++)
		if (text[p] == '*' && text[p + 1] == '/')
			return false; /* two comments */
	*cs = b;
	*ce = e;
	if (!strict)
		return true;
	for (p = b + 7; p < e && isdigit((unsigned char)text[p]); p++)
		;
	if (e - p < 2 || memcmp(text + p, ": ", 2) != 0)
		return false;
	for (q = p += 2; p < e && (islower((unsigned char)text[p]) ||
				   isdigit((unsigned char)text[p]) || text[p] == '-');
	     p++)
		;
	if (p == q || e - p != 10 + 64 + 3 || memcmp(text + p, ", SHA-256 ", 10) != 0)
		return false;
	for (p += 10, q = 0; q < 64; q++, p++)
		if (!isdigit((unsigned char)text[p]) && !(text[p] >= 'a' && text[p] <= 'f'))
			return false;
	return memcmp(text + p, " */", 3) == 0;
}

/* The strict key comment above array A: its indentation starts at *CB,
 * the comment is [*cs, *ce). */
static bool array_comment(const char *text, const struct keysc_array *a, size_t *cb, size_t *cs,
			  size_t *ce)
{
	size_t b, e;

	return ws_before(text, a->decl_start) && line_above(text, a->decl_start, &b, &e) &&
	       key_comment(text, b, e, true, cs, ce) && (*cb = b, true);
}

static char *comment_text(size_t i, const struct mcuprov_key *key, const char *fp)
{
	size_t n = 64 + strlen(key_type_name(key->type)) + strlen(fp);
	char *c = malloc(n);

	if (c != NULL)
		snprintf(c, n, "/* key %zu: %s, SHA-256 %s */", i, key_type_name(key->type), fp);
	return c;
}

/* The edits that make array A hold KEY (key number I): its bytes, its _len
 * and the template's key comment above it when it has one. */
static int put_key(const struct keysc_info *info, const char *text, const struct keysc_array *a,
		   size_t i, const struct mcuprov_key *key, struct edits *ed, const char *subject,
		   struct mcuprov_err *err)
{
	char num[24], fp[2 * KEY_FINGERPRINT_LEN + 1];
	uint8_t *der = NULL;
	size_t dlen = 0, end = 0, cb, cs, ce;
	char *body;
	int rc;

	if ((rc = key_public_der(key, &der, &dlen, err)) < 0)
		return rc;
	body = format_body(info, text, a, der, dlen, &end);
	OPENSSL_free(der);
	snprintf(num, sizeof(num), "%zu", dlen);
	if (edit_add(ed, a->body_start, end, body) < 0 ||
	    edit_add(ed, a->len_start, a->len_end, strdup(num)) < 0)
		return err_set(err, MCUPROV_ERR_NOMEM, subject, "out of memory");
	if (array_comment(text, a, &cb, &cs, &ce)) {
		if ((rc = key_fingerprint_hex(key, fp, err)) < 0)
			return rc;
		if (edit_add(ed, cs, ce, comment_text(i, key, fp)) < 0)
			return err_set(err, MCUPROV_ERR_NOMEM, subject, "out of memory");
	}
	return 0;
}

/* ---- another number of keys ---- */

struct plan {
	const char *text;
	size_t len;
	const char *subject;
	const struct keysc_info *info;
	enum key_type type;
	const size_t *idx; /* the block's arrays */
	size_t n_idx;
	const struct mcuprov_key *const *keys;
	size_t n_keys;
	char head[320]; /* "its ... block holds N key arrays ... but M keys were given" */
	struct toks t;
	const struct keysc_list *list;
	size_t *ent;	   /* the list's entry for each array of the block */
	const char *other; /* another sign block the list also serves, or NULL */
};

static int refuse(const struct plan *p, struct mcuprov_err *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int refuse(const struct plan *p, struct mcuprov_err *err, const char *fmt, ...)
{
	char why[MCUPROV_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return err_set(err, MCUPROV_ERR_REFUSED, p->subject, "%s: %s", p->head, why);
}

static bool applies(const struct plan *p, const char *block)
{
	return block == NULL || macro_selects(block, p->type);
}

static const struct keysc_array *parr(const struct plan *p, size_t i)
{
	return &p->info->arrays[p->idx[i]];
}

static bool word_in(const char *text, size_t s, size_t e, const char *w)
{
	size_t n = strlen(w), i;

	for (i = s; i + n <= e; i++)
		if (memcmp(text + i, w, n) == 0 &&
		    (i == s || !(isalnum((unsigned char)text[i - 1]) || text[i - 1] == '_')) &&
		    (i + n == e || !(isalnum((unsigned char)text[i + n]) || text[i + n] == '_')))
			return true;
	return false;
}

/* The line of a use of NAME (an identifier, or a word of a preprocessor
 * line) outside the N_SKIP [start, end) spans SKIP; 0 when there is none. */
static size_t name_used(const struct plan *p, const char *name, const size_t *skip, size_t n_skip)
{
	size_t i, s;

	for (i = 0; i < p->t.n; i++) {
		const struct tok *k = &p->t.v[i];

		for (s = 0; s < n_skip; s++)
			if (k->start >= skip[2 * s] && k->start < skip[2 * s + 1])
				break;
		if (s < n_skip)
			continue;
		if ((k->kind == T_IDENT && tok_is(p->text, k, name)) ||
		    (k->kind == T_PP && word_in(p->text, k->start, k->end, name)))
			return k->line;
	}
	return 0;
}

/* Entry E's text [from, to) with the names it holds replaced by NAME and
 * its `[N]` designator, if any, by INDEX. */
static void copy_entry(struct sbuf *b, const char *text, size_t from, size_t to,
		       const struct keysc_entry *e, const char *name, size_t index)
{
	size_t r[2] = {e->key_start, e->len_start}, n[2] = {strlen(e->key), strlen(e->len_name)};
	bool len_first = e->len_start < e->key_start;
	size_t i;

	if (e->desig && e->desig_num_start >= from) {
		char num[24];

		sb_put(b, text + from, e->desig_num_start - from);
		snprintf(num, sizeof(num), "%zu", index);
		sb_str(b, num);
		from = e->desig_num_end;
	}
	for (i = 0; i < 2; i++) {
		size_t k = len_first ? 1 - i : i;

		sb_put(b, text + from, r[k] - from);
		sb_str(b, name);
		if (k == 1)
			sb_str(b, "_len");
		from = r[k] + n[k];
	}
	sb_put(b, text + from, to - from);
}

/* Fewer keys: the block's last arrays go, with their entries. */
static int shrink(struct plan *p, struct edits *ed, struct mcuprov_err *err)
{
	const char *text = p->text;
	const struct keysc_list *l = p->list;
	const struct keysc_info *info = p->info;
	size_t n_rm = p->n_idx - p->n_keys, *skip = NULL, *del = NULL, n_del = 0, k, i, line;
	bool *gone = NULL;
	char nl[KEYSC_NAME_MAX + 8];
	int rc = 0;

	skip = calloc(6 * n_rm, sizeof(*skip));
	del = calloc(2 * n_rm, sizeof(*del));
	gone = calloc(l->n_entries, sizeof(*gone));
	if (skip == NULL || del == NULL || gone == NULL) {
		rc = err_set(err, MCUPROV_ERR_NOMEM, p->subject, "out of memory");
		goto out;
	}
	for (k = 0; k < n_rm; k++) {
		const struct keysc_array *a = parr(p, p->n_keys + k);
		const struct keysc_entry *e = &l->entries[p->ent[p->n_keys + k]];

		/* an entry outside any #if in a list outside the blocks names
		 * the arrays of that name of every block */
		for (i = 0; p->other != NULL && e->cond == NULL && i < info->n_arrays; i++)
			if (strcmp(info->arrays[i].name, a->name) == 0 &&
			    is_sign_macro(info->arrays[i].block) &&
			    !macro_selects(info->arrays[i].block, p->type)) {
				rc = refuse(
					p, err,
					"line %zu: the bootutil_keys[] entry for '%s' also serves "
					"the %s block",
					e->line, a->name, info->arrays[i].block);
				goto out;
			}
		skip[6 * k] = a->decl_start;
		skip[6 * k + 1] = a->decl_end;
		skip[6 * k + 2] = a->len_decl_start;
		skip[6 * k + 3] = a->len_decl_end;
		skip[6 * k + 4] = e->start;
		skip[6 * k + 5] = e->end;
	}
	for (k = 0; k < n_rm; k++) {
		const struct keysc_array *a = parr(p, p->n_keys + k);

		snprintf(nl, sizeof(nl), "%s_len", a->name);
		if ((line = name_used(p, a->name, skip, 3 * n_rm)) != 0 ||
		    (line = name_used(p, nl, skip, 3 * n_rm)) != 0) {
			rc = refuse(p, err, "'%s' is also used at line %zu",
				    name_used(p, a->name, skip, 3 * n_rm) ? a->name : nl, line);
			goto out;
		}
	}
	/* the arrays: their lines, and a key comment and a blank line above */
	for (k = 0; k < n_rm; k++) {
		const struct keysc_array *a = parr(p, p->n_keys + k);
		size_t s, next, b, e, cs, ce, pe = 0;

		if (!ws_before(text, a->decl_start) ||
		    !only_ws_comments(text, a->decl_end, a->len_decl_start) ||
		    !line_rest(text, p->len, a->len_decl_end, &next)) {
			rc = refuse(p, err, "line %zu: '%s' shares its lines with other code",
				    a->line, a->name);
			goto out;
		}
		/* only lines after the code before the array: a "key comment"
		 * line may close a comment opened above it, a blank line may
		 * continue a preprocessor line */
		for (i = 0; i < p->t.n && p->t.v[i].start < a->decl_start; i++)
			pe = p->t.v[i].end;
		s = line_begin(text, a->decl_start);
		if (line_above(text, s, &b, &e) && key_comment(text, b, e, false, &cs, &ce) &&
		    b >= pe && only_ws_comments(text, pe, b))
			s = b;
		if (line_above(text, s, &b, &e) && only_ws(text, b, e) && b >= pe)
			s = b;
		if (edit_del(ed, s, next) < 0)
			goto oom;
	}
	/* the entries: their lines, or their text when they share lines */
	for (k = 0; k < n_rm; k++) {
		const struct keysc_entry *e = &l->entries[p->ent[p->n_keys + k]];
		size_t s = e->start, t = e->end, next;

		gone[p->ent[p->n_keys + k]] = true;
		if (ws_before(text, s) && line_rest(text, p->len, t, &next)) {
			s = line_begin(text, s);
			t = next;
		} else if (ws_before(text, s)) {
			while (t < p->len && (text[t] == ' ' || text[t] == '\t'))
				t++;
		} else {
			while (s > 0 && (text[s - 1] == ' ' || text[s - 1] == '\t'))
				s--;
		}
		/* entries are in text order: merge with the span before */
		if (n_del > 0 && s <= del[2 * n_del - 1]) {
			del[2 * n_del - 1] = t > del[2 * n_del - 1] ? t : del[2 * n_del - 1];
		} else {
			del[2 * n_del] = s;
			del[2 * n_del + 1] = t;
			n_del++;
		}
	}
	for (i = 0; i < n_del; i++)
		if (edit_del(ed, del[2 * i], del[2 * i + 1]) < 0)
			goto oom;
	/* the list's last entry had no comma after it: nor has the new last one */
	if (l->n_entries > 0 && gone[l->n_entries - 1] && !l->entries[l->n_entries - 1].comma) {
		for (i = l->n_entries; i-- > 0 && gone[i];)
			;
		if (i < l->n_entries && l->entries[i].comma &&
		    edit_del(ed, l->entries[i].comma_pos, l->entries[i].comma_pos + 1) < 0)
			goto oom;
	}
	/* an #if defined(...) group in the list left empty goes too */
	for (i = 0; i < l->n_groups; i++) {
		const struct keysc_group *g = &l->groups[i];
		size_t n = 0, n_gone = 0, j;

		for (j = 0; j < l->n_entries; j++)
			if (l->entries[j].group == (int)i) {
				n++;
				n_gone += gone[j];
			}
		if (n > 0 && n == n_gone &&
		    (edit_del(ed, line_begin(text, g->if_start),
			      g->if_end < p->len ? g->if_end + 1 : p->len) < 0 ||
		     edit_del(ed, line_begin(text, g->endif_start),
			      g->endif_end < p->len ? g->endif_end + 1 : p->len) < 0))
			goto oom;
	}
	goto out;
oom:
	rc = err_set(err, MCUPROV_ERR_NOMEM, p->subject, "out of memory");
out:
	free(skip);
	free(del);
	free(gone);
	return rc;
}

/* More keys: new arrays after the block's last one (its name with _N, its
 * style), and an entry for each after its entry. */
static int add(struct plan *p, struct edits *ed, struct mcuprov_err *err)
{
	const char *text = p->text, *eol = p->info->eol;
	const struct keysc_array *src = parr(p, p->n_idx - 1);
	const struct keysc_entry *se = &p->list->entries[p->ent[p->n_idx - 1]];
	size_t n_new = p->n_keys - p->n_idx, k, q, bl = strlen(src->name), at, snext = 0, cb = 0,
	       cs, ce;
	unsigned long num = 1;
	char *names = calloc(n_new, KEYSC_NAME_MAX); /* name k at k * KEYSC_NAME_MAX */
	char cand[KEYSC_NAME_MAX + 32], cand_len[KEYSC_NAME_MAX + 40], n[24];
	struct sbuf b = {NULL, 0, 0, false};
	bool comment, own, wrap;
	int rc = 0;

	if (names == NULL)
		return err_set(err, MCUPROV_ERR_NOMEM, p->subject, "out of memory");
	/* root_pub_der -> root_pub_der_1, ...; root_pub_der_1 -> root_pub_der_2 */
	for (q = bl; q > 0 && isdigit((unsigned char)src->name[q - 1]); q--)
		;
	if (q < bl && q > 1 && src->name[q - 1] == '_' && src->name[q] != '0' && bl - q < 6) {
		num = strtoul(src->name + q, NULL, 10) + 1;
		bl = q - 1;
	}
	for (k = 0; k < n_new; k++, num++) {
		for (;; num++) {
			snprintf(cand, sizeof(cand), "%.*s_%lu", (int)bl, src->name, num);
			snprintf(cand_len, sizeof(cand_len), "%s_len", cand);
			if (strlen(cand_len) >= KEYSC_NAME_MAX) {
				rc = refuse(p, err, "'%s' is too long a name", cand_len);
				goto out;
			}
			if (name_used(p, cand, NULL, 0) == 0 &&
			    name_used(p, cand_len, NULL, 0) == 0)
				break;
		}
		memcpy(names + k * KEYSC_NAME_MAX, cand, strlen(cand) + 1);
	}
	/* the arrays */
	if (!line_rest(text, p->len, src->len_decl_end, &at)) {
		rc = refuse(p, err, "line %zu: %s_len shares its line with other code", src->line,
			    src->name);
		goto out;
	}
	/* the list names the new arrays: they must be declared above it (and
	 * an array added below it would not count as a key the next time) */
	if (at > p->list->open) {
		rc = refuse(p, err,
			    "bootutil_keys[] (line %zu) comes before %s_len: arrays added after "
			    "that would be listed before they are declared",
			    p->list->line, src->name);
		goto out;
	}
	comment = array_comment(text, src, &cb, &cs, &ce);
	if (at == p->len && (p->len == 0 || text[p->len - 1] != '\n'))
		sb_str(&b, eol);
	for (k = 0; k < n_new; k++) {
		const struct mcuprov_key *key = p->keys[p->n_idx + k];
		char fp[2 * KEY_FINGERPRINT_LEN + 1], *s;
		uint8_t *der = NULL;
		size_t dlen = 0, splice = 0, lb = line_begin(text, src->decl_start);

		if ((rc = key_public_der(key, &der, &dlen, err)) < 0)
			goto out;
		s = format_body(p->info, text, src, der, dlen, &splice);
		OPENSSL_free(der);
		if (s == NULL)
			goto oom;
		/* a blank line, the key comment if the last array has one */
		sb_str(&b, eol);
		if (comment) {
			char *c;

			if ((rc = key_fingerprint_hex(key, fp, err)) < 0) {
				free(s);
				goto out;
			}
			c = comment_text(p->n_idx + k, key, fp);
			if (c == NULL) {
				free(s);
				goto oom;
			}
			sb_put(&b, text + cb, cs - cb);
			sb_str(&b, c);
			sb_str(&b, eol);
			free(c);
		}
		if (ws_before(text, src->decl_start))
			sb_put(&b, text + lb, src->decl_start - lb);
		sb_put(&b, text + src->decl_start, src->name_start - src->decl_start);
		sb_str(&b, names + k * KEYSC_NAME_MAX);
		q = src->name_start + strlen(src->name);
		sb_put(&b, text + q, src->body_start - q);
		sb_str(&b, s);
		free(s);
		sb_put(&b, text + splice, src->decl_end - splice);
		if (only_ws(text, src->decl_end, src->len_decl_start))
			sb_put(&b, text + src->decl_end, src->len_decl_start - src->decl_end);
		else
			sb_str(&b, eol);
		sb_put(&b, text + src->len_decl_start, src->len_name_start - src->len_decl_start);
		sb_str(&b, names + k * KEYSC_NAME_MAX);
		sb_str(&b, "_len");
		q = src->len_name_start + strlen(src->name) + 4;
		sb_put(&b, text + q, src->len_start - q);
		snprintf(n, sizeof(n), "%zu", dlen);
		sb_str(&b, n);
		sb_put(&b, text + src->len_end, src->len_decl_end - src->len_end);
		sb_str(&b, eol);
	}
	if (edit_add(ed, at, at, sb_take(&b)) < 0)
		goto oom;
	/* the entries: copies of the last one */
	own = ws_before(text, se->start) && line_rest(text, p->len, se->end, &snext);
	wrap = p->other != NULL && se->cond == NULL;
	if (wrap && !own) {
		rc = refuse(p, err,
			    "bootutil_keys[] (line %zu) also serves the %s block and its entries "
			    "share lines: no room for an #if defined(%s) around the new ones",
			    p->list->line, p->other, src->block);
		goto out;
	}
	if (wrap) {
		sb_str(&b, "#if defined(");
		sb_str(&b, src->block);
		sb_str(&b, ")");
		sb_str(&b, eol);
	}
	for (k = 0; k < n_new; k++) {
		if (own) {
			copy_entry(&b, text, line_begin(text, se->start), se->end, se,
				   names + k * KEYSC_NAME_MAX, (size_t)(se - p->list->entries) + 1 + k);
			if (!se->comma && k + 1 < n_new)
				sb_str(&b, ",");
			sb_put(&b, text + se->end, snext - se->end);
		} else {
			sb_str(&b, se->comma ? " " : ", ");
			copy_entry(&b, text, se->start, se->end, se, names + k * KEYSC_NAME_MAX,
				   (size_t)(se - p->list->entries) + 1 + k);
		}
	}
	if (wrap) {
		sb_str(&b, "#endif");
		sb_str(&b, eol);
	}
	if (own && !se->comma && edit_add(ed, se->end, se->end, strdup(",")) < 0)
		goto oom;
	if (edit_add(ed, own ? snext : se->end, own ? snext : se->end, sb_take(&b)) < 0)
		goto oom;
	goto out;
oom:
	rc = err_set(err, MCUPROV_ERR_NOMEM, p->subject, "out of memory");
out:
	free(sb_take(&b));
	free(names);
	return rc;
}

/* The checks and edits for another number of keys than the block has
 * arrays; only where the file's key list says for sure what to change. */
static int resize(struct plan *p, struct edits *ed, struct mcuprov_err *err)
{
	const struct keysc_info *info = p->info;
	const struct keysc_list *l = NULL;
	const struct keysc_count *c = NULL;
	const char *other_block = NULL;
	size_t i, j, n_active = 0, nb = 0;
	char num[24];
	int rc;

	for (i = 0; i < p->n_idx; i++)
		if (parr(p, i)->decl_end == 0)
			return refuse(p, err, "line %zu: no ';' after the closing brace of '%s'",
				      parr(p, i)->line, parr(p, i)->name);
	for (i = 0; i < info->n_lists; i++) {
		if (!applies(p, info->lists[i].block))
			continue;
		if (l != NULL)
			return refuse(p, err,
				      "bootutil_keys[] is defined twice (lines %zu and %zu)",
				      l->line, info->lists[i].line);
		l = &info->lists[i];
	}
	if (l == NULL)
		return refuse(p, err,
			      "no bootutil_keys[] list names its arrays (use 'mcuprov render "
			      "--template inline-multi' for a keys.c with one)");
	if (l->bad_line != 0)
		return refuse(
			p, err,
			"line %zu: bootutil_keys[] holds more than { .key = NAME, .len = "
			"&NAME_len } entries (each perhaps [N] =, N its position) and #if "
			"defined(MCUBOOT_SIGN_...) lines around them",
			l->bad_line);
	p->list = l;
	p->ent = calloc(p->n_idx, sizeof(*p->ent));
	if (p->ent == NULL)
		return err_set(err, MCUPROV_ERR_NOMEM, p->subject, "out of memory");
	/* the entries of this build: each names an array it declares, the
	 * block's arrays in order */
	for (j = 0; j < l->n_entries; j++) {
		const struct keysc_entry *e = &l->entries[j];
		size_t kl = strlen(e->key);
		bool known = false, declared = false;

		if (e->cond != NULL && !macro_selects(e->cond, p->type))
			continue;
		n_active++;
		if (e->key[0] == '\0')
			return refuse(
				p, err,
				"line %zu: cannot read this bootutil_keys[] entry (not { .key = "
				"NAME, .len = &NAME_len } or { NAME, &NAME_len })",
				e->line);
		for (i = 0; i < info->n_arrays; i++)
			if (strcmp(info->arrays[i].name, e->key) == 0) {
				known = true;
				declared |= applies(p, info->arrays[i].block);
			}
		if (!known)
			return refuse(p, err,
				      "line %zu: bootutil_keys[] names '%s', which is no key array "
				      "of this file",
				      e->line, e->key);
		if (!declared)
			return refuse(
				p, err,
				"line %zu: bootutil_keys[] names '%s', which the %s block does "
				"not declare",
				e->line, e->key, keysc_sign_macro(p->type));
		if (strlen(e->len_name) != kl + 4 || strncmp(e->len_name, e->key, kl) != 0 ||
		    strcmp(e->len_name + kl, "_len") != 0)
			return refuse(
				p, err,
				"line %zu: the bootutil_keys[] entry for '%s' takes its length "
				"from '%s'",
				e->line, e->key, e->len_name);
		for (i = 0; i < p->n_idx && strcmp(parr(p, i)->name, e->key) != 0; i++)
			;
		if (i == p->n_idx)
			continue; /* another key of this build */
		if (i < nb)
			return refuse(p, err, "line %zu: bootutil_keys[] lists '%s' twice", e->line,
				      e->key);
		if (i > nb)
			return refuse(p, err,
				      "line %zu: bootutil_keys[] lists '%s' where '%s' is expected "
				      "(the entries must follow the order of the arrays)",
				      e->line, e->key, parr(p, nb)->name);
		p->ent[nb++] = j;
	}
	if (nb < p->n_idx)
		return refuse(p, err, "bootutil_keys[] (line %zu) does not list '%s'", l->line,
			      parr(p, nb)->name);
	/* other sign blocks: a list outside the blocks serves them too */
	for (i = 0; i < info->n_arrays; i++)
		if (info->arrays[i].is_key && is_sign_macro(info->arrays[i].block) &&
		    !macro_selects(info->arrays[i].block, p->type)) {
			other_block = info->arrays[i].block;
			break;
		}
	p->other = l->block == NULL ? other_block : NULL;
	/* the count */
	for (i = 0; i < info->n_counts; i++) {
		if (!applies(p, info->counts[i].block))
			continue;
		if (c != NULL)
			return refuse(p, err,
				      "bootutil_key_cnt is defined twice (lines %zu and %zu)",
				      c->line, info->counts[i].line);
		c = &info->counts[i];
	}
	if (c == NULL)
		return refuse(p, err, "it defines no bootutil_key_cnt to count them");
	if (c->kind == KEYSC_COUNT_OTHER)
		return refuse(p, err,
			      "line %zu: bootutil_key_cnt is neither a number nor "
			      "sizeof(bootutil_keys) / sizeof(bootutil_keys[0])",
			      c->line);
	if (c->kind == KEYSC_COUNT_NUMBER) {
		if (c->block == NULL && other_block != NULL)
			return refuse(p, err,
				      "line %zu: bootutil_key_cnt = %lu counts the keys of the %s "
				      "block too (write sizeof(bootutil_keys) / "
				      "sizeof(bootutil_keys[0]) instead)",
				      c->line, c->value, other_block);
		if (c->value != n_active)
			return refuse(p, err,
				      "line %zu: bootutil_key_cnt is %lu but bootutil_keys[] lists "
				      "%zu key%s",
				      c->line, c->value, n_active, n_active == 1 ? "" : "s");
		snprintf(num, sizeof(num), "%zu", n_active + p->n_keys - p->n_idx);
		if (edit_add(ed, c->start, c->end, strdup(num)) < 0)
			return err_set(err, MCUPROV_ERR_NOMEM, p->subject, "out of memory");
	}
	if (tokenize(p->text, p->len, &p->t) < 0)
		return err_set(err, MCUPROV_ERR_NOMEM, p->subject, "out of memory");
	rc = p->n_keys < p->n_idx ? shrink(p, ed, err) : add(p, ed, err);
	return rc;
}

/* The text with the edits made: *out (malloc'd, NUL-terminated). */
static int apply_edits(const char *text, size_t len, struct edits *ed, const char *subject,
		       char **out, size_t *out_len, struct mcuprov_err *err)
{
	size_t i, total = len, p = 0, from = 0;
	char *res;

	qsort(ed->v, ed->n, sizeof(*ed->v), cmp_edit);
	for (i = 0; i < ed->n; i++) {
		if (ed->v[i].end < ed->v[i].start || ed->v[i].end > len ||
		    (i > 0 && ed->v[i].start < ed->v[i - 1].end))
			return err_set(err, MCUPROV_ERR_INTERNAL, subject, "overlapping edits");
		total += strlen(ed->v[i].text);
	}
	res = malloc(total + 1);
	if (res == NULL)
		return err_set(err, MCUPROV_ERR_NOMEM, subject, "out of memory");
	for (i = 0; i < ed->n; i++) {
		size_t n = strlen(ed->v[i].text);

		memcpy(res + p, text + from, ed->v[i].start - from);
		p += ed->v[i].start - from;
		memcpy(res + p, ed->v[i].text, n);
		p += n;
		from = ed->v[i].end;
	}
	memcpy(res + p, text + from, len - from);
	p += len - from;
	res[p] = '\0';
	*out = res;
	*out_len = p;
	return 0;
}

int keysc_patch(const char *text, size_t len, const char *subject, const struct keysc_info *info,
		const struct mcuprov_key *const *keys, size_t n_keys, char **out, size_t *out_len,
		struct mcuprov_err *err)
{
	struct edits ed = {NULL, 0, 0};
	size_t *idx = NULL, n_idx = 0, i;
	bool any_sign_block = false;
	char blocks[256] = "";
	int rc;

	*out = NULL;
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
			return err_set(err, MCUPROV_ERR_USAGE, NULL,
				       "all keys of one bootloader must have one type (%s and %s given)",
				       key_type_name(keys[0]->type), key_type_name(keys[i]->type));
	/* every array's length must be consistent before anything changes */
	for (i = 0; i < info->n_arrays; i++) {
		const struct keysc_array *a = &info->arrays[i];

		if (!a->is_key)
			continue;
		if (a->has_len && a->declared_len != a->n_bytes)
			return err_set(err, MCUPROV_ERR_REFUSED, subject,
				       "line %zu: array '%s' has %zu bytes but %s_len says %lu", a->line,
				       a->name, a->n_bytes, a->name, a->declared_len);
		if (is_sign_macro(a->block)) {
			any_sign_block = true;
			if (strstr(blocks, a->block) == NULL &&
			    strlen(blocks) + strlen(a->block) + 3 < sizeof(blocks)) {
				if (blocks[0] != '\0')
					strcat(blocks, ", ");
				strcat(blocks, a->block);
			}
		}
	}
	idx = calloc(info->n_arrays + 1, sizeof(*idx));
	if (idx == NULL)
		return err_set(err, MCUPROV_ERR_NOMEM, subject, "out of memory");
	for (i = 0; i < info->n_arrays; i++) {
		const struct keysc_array *a = &info->arrays[i];

		/* the type's block; in a file without sign blocks (a bare-metal
		 * port), its unconditional arrays */
		if (a->is_key && (macro_selects(a->block, keys[0]->type) ||
				  (!any_sign_block && a->block == NULL)))
			idx[n_idx++] = i;
	}
	if (n_idx == 0) {
		rc = err_set(err, MCUPROV_ERR_REFUSED, subject,
			     "has no block for %s keys (#if defined(%s)); it has blocks for: %s",
			     key_type_name(keys[0]->type), keysc_sign_macro(keys[0]->type),
			     blocks[0] ? blocks : "none");
		goto out;
	}
	for (i = 0; i < n_idx; i++)
		if (!info->arrays[idx[i]].has_len) {
			rc = err_set(err, MCUPROV_ERR_REFUSED, subject,
				     "line %zu: array '%s' has no %s_len to go with it",
				     info->arrays[idx[i]].line, info->arrays[idx[i]].name,
				     info->arrays[idx[i]].name);
			goto out;
		}
	/* array i gets key i */
	for (i = 0; i < n_idx && i < n_keys; i++)
		if ((rc = put_key(info, text, &info->arrays[idx[i]], i, keys[i], &ed, subject,
				  err)) < 0)
			goto out;
	if (n_keys != n_idx) {
		struct plan p;

		memset(&p, 0, sizeof(p));
		p.text = text;
		p.len = len;
		p.subject = subject;
		p.info = info;
		p.type = keys[0]->type;
		p.idx = idx;
		p.n_idx = n_idx;
		p.keys = keys;
		p.n_keys = n_keys;
		snprintf(p.head, sizeof(p.head),
			 "its %s block holds %zu key array%s (%s%s) but %zu key%s given",
			 any_sign_block ? keysc_sign_macro(keys[0]->type) : "key", n_idx,
			 n_idx == 1 ? "" : "s", info->arrays[idx[0]].name, n_idx > 1 ? ", ..." : "",
			 n_keys, n_keys == 1 ? " was" : "s were");
		rc = resize(&p, &ed, err);
		free(p.t.v);
		free(p.ent);
		if (rc < 0)
			goto out;
	}
	rc = apply_edits(text, len, &ed, subject, out, out_len, err);
out:
	edits_free(&ed);
	free(idx);
	return rc;
}

int keysc_generated_file(const struct mcuprov_key *const *keys, size_t n_keys, char **out,
			 size_t *out_len, struct mcuprov_err *err)
{
	char *all = NULL, name[64];
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
		if (i == 0)
			snprintf(name, sizeof(name), "%s_pub_key", key_type_shortname(keys[i]->type));
		else
			snprintf(name, sizeof(name), "%s_pub_key_%zu", key_type_shortname(keys[i]->type),
				 i);
		part = carray_format(der, dlen, name, CARRAY_LANG_C, i == 0);
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
