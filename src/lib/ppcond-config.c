/* mcuprov core, C preprocessor conditionals: configuration files as an
 * environment.
 *
 * A header of #defines (mcuboot_config.h, autoconf.h) is read through the
 * tracker, its include guard undefined first; a Kconfig file is read as
 * autoconf.h would define it, and then the MCUboot settings Zephyr
 * derives from its symbols are set. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ppcond-internal.h"

/* The logical line at POS: its end (at the '\n' or LEN), the newlines in
 * it (comments and backslash-newlines continue it) and where its first
 * token is (LEN when none). */
static size_t logical_line(const char *s, size_t len, size_t pos, size_t *nls, size_t *first)
{
	size_t i = pos;

	*nls = 0;
	*first = len;
	while (i < len && s[i] != '\n') {
		size_t j = ppcond_skip_blank(s, len, i), k;

		for (k = i; k < j; k++)
			*nls += s[k] == '\n';
		i = j;
		if (i >= len || s[i] == '\n')
			break;
		if (*first == len)
			*first = i;
		if (s[i] == '/' && i + 1 < len && s[i + 1] == '/') {
			/* to the end of the line, continued by backslash-newlines */
			while (i < len && s[i] != '\n') {
				if (s[i] == '\\' && i + 1 < len && s[i + 1] == '\n')
					i += 2, ++*nls;
				else if (s[i] == '\\' && i + 2 < len && s[i + 1] == '\r' &&
					 s[i + 2] == '\n')
					i += 3, ++*nls;
				else
					i++;
			}
		} else if (s[i] == '"' || s[i] == '\'') {
			char q = s[i];

			for (i++; i < len && s[i] != q && s[i] != '\n';)
				i += s[i] == '\\' && i + 1 < len && s[i + 1] != '\n' ? 2 : 1;
			if (i < len && s[i] == q)
				i++;
		} else
			i++;
	}
	return i;
}

/* The next directive from *POS: its text [*start, *end) and line; false at
 * the end.  *POS and *LINE move past it. */
static bool next_directive(const char *text, size_t len, size_t *pos, size_t *line, size_t *start,
			   size_t *end, size_t *dline)
{
	size_t nls, first, k;

	while (*pos < len) {
		*end = logical_line(text, len, *pos, &nls, &first);
		*start = first;
		for (*dline = *line, k = *pos; k < first && k < *end; k++)
			*dline += text[k] == '\n';
		*line += nls + 1;
		*pos = *end + 1;
		if (first < *end && text[first] == '#')
			return true;
	}
	return false;
}

/* The NAME of `#ifndef NAME` at TEXT (N bytes) when DIRECTIVE is ifndef
 * (or the NAME of `#define NAME`): *NAME, *NLEN. */
static bool directive_name(const char *text, size_t n, const char *directive, const char **name,
			   size_t *nlen)
{
	size_t ds, de, rest, i;

	if (!pp_directive(text, n, &ds, &de, &rest) || de - ds != strlen(directive) ||
	    memcmp(text + ds, directive, de - ds) != 0)
		return false;
	i = ppcond_skip_blank(text, n, rest);
	for (*name = text + i; i < n && ppcond_is_idchar(text[i]);)
		i++;
	*nlen = (size_t)(text + i - *name);
	return *nlen > 0 && *nlen < PP_NAME_MAX && ppcond_is_idstart(**name);
}

int pp_env_read_header(struct pp_env *env, const char *text, size_t len, const char *origin,
		       struct mcuprov_err *err)
{
	struct pp_tracker *t = NULL;
	size_t pos = 0, line = 1, s, e, dl, s2, e2, dl2, n1, n2;
	const char *g1, *g2;
	char guard[PP_NAME_MAX], o[PP_ORIGIN_MAX + 32];
	int rc = pp_tracker_new(env, &t, err);

	if (rc < 0)
		return rc;
	t->origin = origin ? origin : "";
	/* an include guard (#ifndef X / #define X first) is undefined when the
	 * header is read: the first time is the one that counts */
	if (next_directive(text, len, &pos, &line, &s, &e, &dl) &&
	    next_directive(text, len, &pos, &line, &s2, &e2, &dl2) &&
	    directive_name(text + s, e - s, "ifndef", &g1, &n1) &&
	    directive_name(text + s2, e2 - s2, "define", &g2, &n2) && n1 == n2 &&
	    memcmp(g1, g2, n1) == 0) {
		memcpy(guard, g1, n1);
		guard[n1] = '\0';
		rc = pp_env_default_undef(env, guard, ppcond_where(t, dl, o, sizeof(o)), err);
	}
	pos = 0;
	line = 1;
	while (rc == 0 && next_directive(text, len, &pos, &line, &s, &e, &dl))
		rc = pp_tracker_line(t, text + s, e - s, dl, err);
	if (rc == 0)
		rc = pp_tracker_finish(t, err);
	pp_tracker_free(t);
	return rc;
}

/* The Kconfig symbols behind Zephyr's mcuboot_config.h. */
enum {
	K_RSA,
	K_EC256,
	K_ED25519,
	K_NONE,
	K_RSA_LEN,
	K_HW_KEY,
	K_IMAGES,
	K_KEY_FILE,
	K_BUILTIN,
	K_N
};

static const char *const ksyms[K_N] = {
	"CONFIG_BOOT_SIGNATURE_TYPE_RSA",
	"CONFIG_BOOT_SIGNATURE_TYPE_ECDSA_P256",
	"CONFIG_BOOT_SIGNATURE_TYPE_ED25519",
	"CONFIG_BOOT_SIGNATURE_TYPE_NONE",
	"CONFIG_BOOT_SIGNATURE_TYPE_RSA_LEN",
	"CONFIG_BOOT_HW_KEY",
	"CONFIG_UPDATEABLE_IMAGE_NUMBER",
	"CONFIG_BOOT_SIGNATURE_KEY_FILE",
	"CONFIG_BOOT_BUILTIN_KEY",
};

/* The MCUBOOT_SIGN_* of each signature type (K_RSA..K_NONE); EC384 has no
 * Zephyr symbol: undefined whichever type is chosen. */
static const char *const sign_macros[] = {"MCUBOOT_SIGN_RSA", "MCUBOOT_SIGN_EC256",
					  "MCUBOOT_SIGN_ED25519", "MCUBOOT_SIGN_EC384"};

struct kseen {
	size_t line; /* 0: the file does not say */
	bool set;    /* =y or a value; else =n or "is not set" */
	char value[PP_VALUE_MAX];
};

/* Define NAME as VALUE (NULL: undefine it), from ORIGIN:LINE. */
static int kconfig_set(struct pp_env *env, const char *name, const char *value, const char *origin,
		       size_t line, struct mcuprov_err *err)
{
	char o[PP_ORIGIN_MAX + 32];

	snprintf(o, sizeof(o), "%s:%zu", origin, line);
	return value ? pp_env_define(env, name, value, o, err) : pp_env_undef(env, name, o, err);
}

/* What autoconf.h and mcuboot_config.h make of the symbols K saw. */
static int kconfig_derive(struct pp_env *env, const struct kseen *k, const char *origin,
			  struct mcuprov_err *err)
{
	size_t i, sel = K_N, off_line = 0;
	int rc = 0;

	/* a choice: the last =y wins and the others are off (with RSA, the
	 * RSA length that depends on it) */
	for (i = K_RSA; i <= K_NONE; i++)
		if (k[i].line && k[i].set && k[i].line > off_line)
			sel = i, off_line = k[i].line;
	for (i = K_RSA; i <= K_NONE && rc == 0; i++) {
		if (sel != K_N && i != sel)
			rc = kconfig_set(env, ksyms[i], NULL, origin, off_line, err);
		if (rc == 0 && i < K_NONE && (sel != K_N || k[i].line))
			rc = kconfig_set(env, sign_macros[i], i == sel ? "" : NULL, origin,
					 sel != K_N ? off_line : k[i].line, err);
	}
	if (rc == 0 && sel != K_N) /* Zephyr never sets MCUBOOT_SIGN_EC384 */
		rc = kconfig_set(env, sign_macros[3], NULL, origin, off_line, err);
	if (sel == K_N)
		off_line = k[K_RSA].line;
	if (rc == 0 && off_line != 0 && sel != K_RSA) {
		rc = kconfig_set(env, ksyms[K_RSA_LEN], NULL, origin, off_line, err);
		if (rc == 0)
			rc = kconfig_set(env, "MCUBOOT_SIGN_RSA_LEN", NULL, origin, off_line, err);
	} else if (rc == 0 && k[K_RSA_LEN].line && k[K_RSA_LEN].set) {
		rc = kconfig_set(env, "MCUBOOT_SIGN_RSA_LEN", k[K_RSA_LEN].value, origin,
				 k[K_RSA_LEN].line, err);
	}
	if (rc == 0 && k[K_HW_KEY].line)
		rc = kconfig_set(env, "MCUBOOT_HW_KEY", k[K_HW_KEY].set ? "" : NULL, origin,
				 k[K_HW_KEY].line, err);
	if (rc == 0 && k[K_IMAGES].line && k[K_IMAGES].set)
		rc = kconfig_set(env, "MCUBOOT_IMAGE_NUMBER", k[K_IMAGES].value, origin,
				 k[K_IMAGES].line, err);
	/* boot/zephyr/CMakeLists.txt: one key per comma-separated file, or the
	 * built-in one; none without a signature */
	if (rc == 0 && k[K_BUILTIN].line && k[K_BUILTIN].set) {
		rc = kconfig_set(env, "MCUBOOT_SIGN_KEY_COUNT", "1", origin, k[K_BUILTIN].line,
				 err);
	} else if (rc == 0 && sel == K_NONE) {
		rc = kconfig_set(env, "MCUBOOT_SIGN_KEY_COUNT", NULL, origin, off_line, err);
	} else if (rc == 0 && k[K_KEY_FILE].line) {
		const char *f = k[K_KEY_FILE].value;
		char count[24];
		size_t n = 1;

		for (i = 0; f[i] != '\0'; i++)
			n += f[i] == ',';
		snprintf(count, sizeof(count), "%zu", n);
		rc = kconfig_set(env, "MCUBOOT_SIGN_KEY_COUNT",
				 strcmp(f, "\"\"") == 0 || f[0] == '\0' ? NULL : count, origin,
				 k[K_KEY_FILE].line, err);
	}
	return rc;
}

/* One Kconfig line L (N bytes, no newline): "CONFIG_X=VALUE" or
 * "# CONFIG_X is not set".  *NAME, *NLEN get the symbol, VALUE (PP_VALUE_MAX
 * bytes) its autoconf.h value, "" when autoconf.h leaves it undefined.
 * Returns 0 when the line sets nothing, 1, or -1 when it is too long. */
static int kconfig_line(const char *l, size_t n, const char **name, size_t *nlen, char *value)
{
	static const char tail[] = " is not set";
	size_t i = 0, s, e, vs, ve;

	while (n > 0 && ppcond_is_space(l[n - 1]))
		n--;
	while (i < n && ppcond_is_space(l[i]))
		i++;
	if (i < n && l[i] == '#') {
		for (i++; i < n && l[i] == ' ';)
			i++;
		for (s = i; i < n && ppcond_is_idchar(l[i]);)
			i++;
		e = i;
		if (n - i != sizeof(tail) - 1 || memcmp(l + i, tail, sizeof(tail) - 1) != 0)
			return 0;
		vs = ve = n;
	} else {
		for (s = i; i < n && ppcond_is_idchar(l[i]);)
			i++;
		e = i;
		while (i < n && (l[i] == ' ' || l[i] == '\t'))
			i++;
		if (i >= n || l[i] != '=')
			return 0;
		for (i++; i < n && (l[i] == ' ' || l[i] == '\t');)
			i++;
		vs = ve = i;
		if (ve < n && l[ve] == '"') { /* the string, quotes kept */
			for (ve++; ve < n && l[ve] != '"';)
				ve += l[ve] == '\\' && ve + 1 < n ? 2 : 1;
			ve = ve < n ? ve + 1 : n;
		} else {
			while (ve < n && !ppcond_is_space(l[ve]) && l[ve] != '#')
				ve++;
		}
		if (ve == vs)
			return 0;
	}
	if (e - s <= 7 || memcmp(l + s, "CONFIG_", 7) != 0)
		return 0;
	*name = l + s;
	*nlen = e - s;
	if (*nlen >= PP_NAME_MAX || ve - vs >= PP_VALUE_MAX)
		return -1;
	if (ve == vs || (ve - vs == 1 && (l[vs] == 'n' || l[vs] == 'm')))
		value[0] = '\0'; /* m: autoconf.h has CONFIG_X_MODULE instead */
	else if (ve - vs == 1 && l[vs] == 'y')
		strcpy(value, "1");
	else {
		memcpy(value, l + vs, ve - vs);
		value[ve - vs] = '\0';
	}
	return 1;
}

int pp_env_read_kconfig(struct pp_env *env, const char *text, size_t len, const char *origin,
			struct mcuprov_err *err)
{
	struct kseen k[K_N];
	char value[PP_VALUE_MAX], name[PP_NAME_MAX], o[PP_ORIGIN_MAX + 32];
	size_t pos = 0, line = 0, end, nlen, i;
	const char *np;
	int rc = 0, r;

	origin = origin ? origin : "";
	memset(k, 0, sizeof(k));
	for (; pos < len && rc == 0; pos = end + 1) {
		const char *nlp = memchr(text + pos, '\n', len - pos);

		end = nlp ? (size_t)(nlp - text) : len;
		line++;
		r = kconfig_line(text + pos, end - pos, &np, &nlen, value);
		if (r == 0 || nlen >= PP_NAME_MAX)
			continue;
		memcpy(name, np, nlen);
		name[nlen] = '\0';
		snprintf(o, sizeof(o), "%s:%zu", origin, line);
		if (r < 0) /* too long to keep: no longer known */
			rc = pp_env_forget(env, name);
		else if (value[0] != '\0')
			rc = pp_env_define(env, name, value, o, err);
		else
			rc = pp_env_undef(env, name, o, err);
		for (i = 0; i < K_N && r > 0; i++) {
			if (strcmp(name, ksyms[i]) != 0)
				continue;
			k[i].line = line;
			k[i].set = value[0] != '\0';
			strcpy(k[i].value, value);
		}
	}
	if (rc == 0)
		rc = kconfig_derive(env, k, origin, err);
	return rc;
}
