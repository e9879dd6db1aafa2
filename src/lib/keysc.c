/* MCUboot keys.c: shape detection and key patching.
 *
 * The text is untrusted.  A small tokenizer (identifiers, numbers,
 * punctuation, preprocessor lines; comments and literals skipped) feeds a
 * matcher for the few declarations that matter; nothing is assumed about
 * the rest of the file, and every other byte is kept when patching. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
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

void keysc_info_free(struct keysc_info *info)
{
	if (info == NULL)
		return;
	free(info->arrays);
	free(info);
}

/* Record the style of the array whose body is [bs, be). */
static void detect_style(const char *text, size_t len, const struct toks *t, size_t first_num,
			 size_t close, struct keysc_info *info)
{
	size_t ls, p, n = 0, k;

	info->eol = memchr(text, '\r', len) != NULL && strstr(text, "\r\n") != NULL ? "\r\n" : "\n";
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
	for (p = t->v[first_num].start; p < t->v[first_num].end; p++)
		if (text[p] >= 'A' && text[p] <= 'F')
			info->upper_hex = true;
}

int keysc_analyze(const char *text, size_t len, const char *subject, struct keysc_info **out,
		  struct mcuprov_err *err)
{
	struct toks t = { NULL, 0, 0 };
	struct keysc_info *info = NULL;
	const char *stack[64];
	size_t depth = 0, i, cap = 0;
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
			size_t j, nest = 0;

			for (j = i + 4; j < t.n; j++) {
				if (tok_is(text, &t.v[j], "{"))
					nest++;
				else if (tok_is(text, &t.v[j], "}") && --nest == 0)
					break;
				else if (t.v[j].kind == T_IDENT)
					mark_listed(text, &t.v[j], info);
			}
			i = j < t.n ? j : t.n - 1;
			continue;
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
			info->eol = strstr(text, "\r\n") != NULL ? "\r\n" : "\n";
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

struct edit {
	size_t start, end;
	char *text;
};

static int cmp_edit(const void *a, const void *b)
{
	const struct edit *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
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

int keysc_patch(const char *text, size_t len, const char *subject, const struct keysc_info *info,
		const struct mcuprov_key *const *keys, size_t n_keys, char **out, size_t *out_len,
		struct mcuprov_err *err)
{
	struct edit *edits = NULL;
	size_t *idx = NULL, n_idx = 0, n_edits = 0, i, total, p;
	bool any_sign_block = false;
	char blocks[256] = "";
	char *res = NULL;
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
	if (n_idx != n_keys) {
		rc = err_set(err, MCUPROV_ERR_REFUSED, subject,
			     "its %s block holds %zu key array%s (%s%s) but %zu key%s given (use "
			     "'mcuprov render --template inline-multi' for another number of keys)",
			     any_sign_block ? keysc_sign_macro(keys[0]->type) : "key", n_idx,
			     n_idx == 1 ? "" : "s", info->arrays[idx[0]].name, n_idx > 1 ? ", ..." : "",
			     n_keys, n_keys == 1 ? " was" : "s were");
		goto out;
	}
	edits = calloc(2 * n_idx, sizeof(*edits));
	if (edits == NULL) {
		rc = err_set(err, MCUPROV_ERR_NOMEM, subject, "out of memory");
		goto out;
	}
	for (i = 0; i < n_idx; i++) {
		const struct keysc_array *a = &info->arrays[idx[i]];
		uint8_t *der = NULL;
		size_t dlen = 0, end = 0;

		if (!a->has_len) {
			rc = err_set(err, MCUPROV_ERR_REFUSED, subject,
				     "line %zu: array '%s' has no %s_len to go with it", a->line,
				     a->name, a->name);
			goto out;
		}
		rc = key_public_der(keys[i], &der, &dlen, err);
		if (rc < 0)
			goto out;
		edits[n_edits].text = format_body(info, text, a, der, dlen, &end);
		OPENSSL_free(der);
		if (edits[n_edits].text == NULL) {
			rc = err_set(err, MCUPROV_ERR_NOMEM, subject, "out of memory");
			goto out;
		}
		edits[n_edits].start = a->body_start;
		edits[n_edits].end = end;
		n_edits++;
		edits[n_edits].text = malloc(24);
		if (edits[n_edits].text == NULL) {
			rc = err_set(err, MCUPROV_ERR_NOMEM, subject, "out of memory");
			goto out;
		}
		snprintf(edits[n_edits].text, 24, "%zu", dlen);
		edits[n_edits].start = a->len_start;
		edits[n_edits].end = a->len_end;
		n_edits++;
	}
	qsort(edits, n_edits, sizeof(*edits), cmp_edit);
	total = len;
	for (i = 0; i < n_edits; i++)
		total += strlen(edits[i].text);
	res = malloc(total + 1);
	if (res == NULL) {
		rc = err_set(err, MCUPROV_ERR_NOMEM, subject, "out of memory");
		goto out;
	}
	p = 0;
	{
		size_t from = 0;

		for (i = 0; i < n_edits; i++) {
			memcpy(res + p, text + from, edits[i].start - from);
			p += edits[i].start - from;
			memcpy(res + p, edits[i].text, strlen(edits[i].text));
			p += strlen(edits[i].text);
			from = edits[i].end;
		}
		memcpy(res + p, text + from, len - from);
		p += len - from;
	}
	res[p] = '\0';
	*out = res;
	*out_len = p;
	res = NULL;
	rc = 0;
out:
	if (edits != NULL)
		for (i = 0; i < 2 * n_idx; i++)
			free(edits[i].text);
	free(edits);
	free(idx);
	free(res);
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
