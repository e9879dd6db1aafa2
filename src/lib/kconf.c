/* MCUboot Kconfig key settings: patch a config fragment, check configs. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcuprov/fileio.h"
#include "mcuprov/kconf.h"

#define SIG "CONFIG_BOOT_SIGNATURE_TYPE_"
#define CONF_MAX (1024 * 1024)

const char *kconf_type_name(enum key_type type)
{
	switch (type) {
	case KEY_RSA2048:
	case KEY_RSA3072: return "RSA";
	case KEY_ECDSA_P256: return "ECDSA_P256";
	case KEY_ED25519: return "ED25519";
	default: return NULL;
	}
}

/* A growing output buffer. */
struct sbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t nc = (b->len + n + 1) * 2;
		char *np = realloc(b->p, nc);

		if (np == NULL) {
			b->oom = true;
			return;
		}
		b->p = np;
		b->cap = nc;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_str(struct sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

/* The symbol a config line sets ("CONFIG_X=..." or "# CONFIG_X is not
 * set"), copied into SYM; false for other lines. */
static bool line_symbol(const char *l, size_t n, char *sym, size_t symsz, bool *unset)
{
	size_t i = 0, s, e;

	while (i < n && (l[i] == ' ' || l[i] == '\t'))
		i++;
	*unset = false;
	if (i < n && l[i] == '#') {
		i++;
		while (i < n && l[i] == ' ')
			i++;
		*unset = true;
	}
	if (n - i < 7 || strncmp(l + i, "CONFIG_", 7) != 0)
		return false;
	s = i;
	while (i < n && (isalnum((unsigned char)l[i]) || l[i] == '_'))
		i++;
	e = i;
	if (e - s >= symsz)
		return false;
	if (*unset && (n - i < 11 || strncmp(l + i, " is not set", 11) != 0))
		return false;
	if (!*unset) {
		while (i < n && (l[i] == ' ' || l[i] == '\t'))
			i++;
		if (i >= n || l[i] != '=')
			return false;
	}
	/* the name only: blanks may follow it ("CONFIG_X = y"), of any length */
	memcpy(sym, l + s, e - s);
	sym[e - s] = '\0';
	return true;
}

enum { W_TYPE, W_RSA_LEN, W_KEY_FILE, W_ENC, W_ENC_FILE, W_N };

int kconf_patch(const char *text, size_t len, const char *subject, const struct kconf_settings *s,
		char **out, size_t *out_len, struct mcuprov_err *err)
{
	const char *tname = kconf_type_name(s->type), *eol;
	char want_sym[W_N][64], want_line[W_N][4096], sym[128];
	bool wanted[W_N] = { false }, done[W_N] = { false }, unset, appended = false;
	struct sbuf b = { NULL, 0, 0, false };
	size_t i, p = 0, k;

	*out = NULL;
	if (tname == NULL)
		return err_set(err, MCUPROV_ERR_USAGE, NULL,
			       "MCUboot's Kconfig has no signature type for %s keys (RSA, "
			       "ECDSA_P256 and ED25519 only)",
			       key_type_name(s->type));
	if (len > CONF_MAX)
		return err_set(err, MCUPROV_ERR_FORMAT, subject, "file too large for a config fragment");
	for (i = 0; i < s->n_key_files; i++)
		if (strpbrk(s->key_files[i], "\"\\\n\r,") != NULL)
			return err_set(err, MCUPROV_ERR_USAGE, s->key_files[i],
				       "a key file name for Kconfig cannot hold '\"', '\\', ',' or a "
				       "line break");
	if (s->enc_key_file != NULL && strpbrk(s->enc_key_file, "\"\\\n\r") != NULL)
		return err_set(err, MCUPROV_ERR_USAGE, s->enc_key_file,
			       "a key file name for Kconfig cannot hold '\"', '\\' or a line break");
	eol = memmem(text, len, "\r\n", 2) != NULL ? "\r\n" : "\n";

	snprintf(want_sym[W_TYPE], sizeof(want_sym[0]), SIG "%s", tname);
	snprintf(want_line[W_TYPE], sizeof(want_line[0]), SIG "%s=y", tname);
	wanted[W_TYPE] = true;
	snprintf(want_sym[W_RSA_LEN], sizeof(want_sym[0]), SIG "RSA_LEN");
	snprintf(want_line[W_RSA_LEN], sizeof(want_line[0]), SIG "RSA_LEN=%d",
		 s->type == KEY_RSA3072 ? 3072 : 2048);
	wanted[W_RSA_LEN] = s->type == KEY_RSA2048 || s->type == KEY_RSA3072;
	snprintf(want_sym[W_KEY_FILE], sizeof(want_sym[0]), "CONFIG_BOOT_SIGNATURE_KEY_FILE");
	{
		size_t n = (size_t)snprintf(want_line[W_KEY_FILE], sizeof(want_line[0]),
					    "CONFIG_BOOT_SIGNATURE_KEY_FILE=\"");

		for (i = 0; i < s->n_key_files && n < sizeof(want_line[0]); i++)
			n += (size_t)snprintf(want_line[W_KEY_FILE] + n, sizeof(want_line[0]) - n, "%s%s",
					      i ? "," : "", s->key_files[i]);
		if (n + 2 >= sizeof(want_line[0]))
			return err_set(err, MCUPROV_ERR_USAGE, NULL, "key file names too long");
		strcat(want_line[W_KEY_FILE], "\"");
	}
	wanted[W_KEY_FILE] = s->n_key_files > 0;
	snprintf(want_sym[W_ENC], sizeof(want_sym[0]), "CONFIG_BOOT_ENCRYPT_IMAGE");
	snprintf(want_line[W_ENC], sizeof(want_line[0]), "CONFIG_BOOT_ENCRYPT_IMAGE=y");
	snprintf(want_sym[W_ENC_FILE], sizeof(want_sym[0]), "CONFIG_BOOT_ENCRYPTION_KEY_FILE");
	snprintf(want_line[W_ENC_FILE], sizeof(want_line[0]), "CONFIG_BOOT_ENCRYPTION_KEY_FILE=\"%s\"",
		 s->enc_key_file ? s->enc_key_file : "");
	wanted[W_ENC] = wanted[W_ENC_FILE] = s->enc_key_file != NULL;

	while (p < len) {
		const char *l = text + p, *nl = memchr(l, '\n', len - p);
		size_t n = nl ? (size_t)(nl - l) : len - p, body = n;
		bool keep = true;

		if (body > 0 && l[body - 1] == '\r')
			body--;
		if (line_symbol(l, body, sym, sizeof(sym), &unset)) {
			for (k = 0; k < W_N; k++)
				if (strcmp(sym, want_sym[k]) == 0)
					break;
			if (k < W_N && wanted[k]) {
				/* the setting's first line becomes the wanted one */
				keep = false;
				if (!done[k]) {
					sb_str(&b, want_line[k]);
					sb_add(&b, l + body, n - body);
					if (nl)
						sb_str(&b, "\n");
					done[k] = true;
				}
			} else if (k == W_RSA_LEN && !unset) {
				keep = false; /* RSA_LEN for a key that is not RSA */
			} else if (strncmp(sym, SIG, strlen(SIG)) == 0 && !unset &&
				   strcmp(sym, SIG "RSA_LEN") != 0) {
				/* another signature type chosen: ours takes its place */
				keep = false;
				if (!done[W_TYPE]) {
					sb_str(&b, want_line[W_TYPE]);
					sb_add(&b, l + body, n - body);
					if (nl)
						sb_str(&b, "\n");
					done[W_TYPE] = true;
				}
			}
		}
		if (keep) {
			sb_add(&b, l, n);
			if (nl)
				sb_str(&b, "\n");
		}
		p += n + (nl ? 1 : 0);
	}
	for (k = 0; k < W_N; k++) {
		if (!wanted[k] || done[k])
			continue;
		if (!appended) {
			/* end the last line; one that ends in a lone '\r' only
			 * needs the '\n' (else the next run sees "\r\r\n") */
			if (b.len > 0 && b.p[b.len - 1] != '\n')
				sb_str(&b, b.p[b.len - 1] == '\r' ? "\n" : eol);
			if (s->note != NULL) {
				sb_str(&b, "# ");
				sb_str(&b, s->note);
				sb_str(&b, eol);
			}
			appended = true;
		}
		sb_str(&b, want_line[k]);
		sb_str(&b, eol);
	}
	if (b.oom) {
		free(b.p);
		return err_set(err, MCUPROV_ERR_NOMEM, subject, "out of memory");
	}
	if (b.p == NULL && (b.p = strdup("")) == NULL)
		return err_set(err, MCUPROV_ERR_NOMEM, subject, "out of memory");
	*out = b.p;
	*out_len = b.len;
	return 0;
}

/* ---- bootloader configuration checks ---------------------------------------- */

/* ORIGIN "FILE:LINE" split: FILE's length and LINE; false for another form
 * ("-D"). */
static bool origin_split(const char *origin, size_t *file_len, size_t *line)
{
	const char *colon = strrchr(origin, ':'), *d;
	size_t n = 0;

	if (colon == NULL || colon == origin || colon[1] == '\0')
		return false;
	for (d = colon + 1; *d != '\0'; d++) {
		if (*d < '0' || *d > '9' || n > 100000000)
			return false;
		n = n * 10 + (size_t)(*d - '0');
	}
	*file_len = (size_t)(colon - origin);
	*line = n;
	return n > 0;
}

/* Where the settings of NAME come from: ORIGIN's place among FILES (the
 * files read, in order; a later one overrides), its line; an origin that
 * is no file of them (-D) after all of them. */
static void origin_rank(const char *origin, const char *const *files, size_t n_files, size_t *rank,
			size_t *line)
{
	size_t flen, i;

	*rank = n_files;
	*line = 0;
	if (!origin_split(origin, &flen, line))
		return;
	for (i = n_files; i-- > 0;)
		if (strlen(files[i]) == flen && strncmp(files[i], origin, flen) == 0) {
			*rank = i;
			return;
		}
	*line = 0;
}

/* The source note of NAME (value VALUE, origin ORIGIN): "FILE:LINE: TEXT"
 * with the line read back from FILE, "FILE:LINE" when it cannot be, or
 * "ORIGIN NAME[=VALUE]" ("-D MCUBOOT_SIGN_RSA_LEN=2048"). */
static void src_note(char *dst, size_t n, const char *name, const char *value, const char *origin)
{
	char file[4096];
	uint8_t *buf = NULL;
	size_t flen, line, len = 0, at = 0, i;

	if (origin == NULL)
		origin = "";
	if (!origin_split(origin, &flen, &line) || flen >= sizeof(file)) {
		snprintf(dst, n, "%s%s%s%s%s", origin, origin[0] ? " " : "", name,
			 value != NULL && value[0] ? "=" : "", value != NULL ? value : "");
		return;
	}
	snprintf(dst, n, "%s", origin);
	memcpy(file, origin, flen);
	file[flen] = '\0';
	if (file_read(file, CONF_MAX, &buf, &len, NULL, NULL) < 0)
		return;
	for (i = 1; i < line && at < len; i++) {
		const char *nl = memchr(buf + at, '\n', len - at);

		at = nl != NULL ? (size_t)((const uint8_t *)nl - buf) + 1 : len;
	}
	if (at < len) {
		const char *l = (const char *)buf + at, *nl = memchr(l, '\n', len - at);
		size_t ln = nl != NULL ? (size_t)(nl - l) : len - at;

		while (ln > 0 && (*l == ' ' || *l == '\t')) {
			l++;
			ln--;
		}
		while (ln > 0 && (l[ln - 1] == '\r' || l[ln - 1] == ' ' || l[ln - 1] == '\t'))
			ln--;
		snprintf(dst, n, "%s: %.*s", origin, (int)(ln > 120 ? 120 : ln), l);
	}
	free(buf);
}

/* A positive decimal VALUE ("2048", "2048u"), or another macro ENV defines
 * as one (bounded), or 0. */
static unsigned positive(const struct pp_env *env, const char *value)
{
	unsigned long v = 0;
	size_t i, depth;

	for (depth = 0; value != NULL && depth < 8; depth++) {
		for (i = 0; value[i] == '_' || isalnum((unsigned char)value[i]); i++)
			;
		if (i > 0 && value[i] == '\0' && !isdigit((unsigned char)value[0])) {
			/* another macro's name */
			if (pp_env_get(env, value, i, &value, NULL) != PP_DEF)
				return 0;
			continue;
		}
		for (i = 0; value[i] >= '0' && value[i] <= '9'; i++)
			if ((v = v * 10 + (unsigned long)(value[i] - '0')) > 1000000)
				return 0;
		if (i == 0 || strspn(value + i, "uUlL") != strlen(value + i))
			return 0;
		return (unsigned)v;
	}
	return 0;
}

static bool is_header(const char *path, size_t len)
{
	return len > 2 && path[len - 2] == '.' && path[len - 1] == 'h';
}

void bootcfg_from_env(const struct pp_env *env, const char *const *files, size_t n_files,
		      struct bootcfg *cfg)
{
	static const struct {
		const char *macro;
		enum key_type type;
	} sign[] = {
		{ "MCUBOOT_SIGN_RSA", KEY_RSA2048 },
		{ "MCUBOOT_SIGN_EC256", KEY_ECDSA_P256 },
		{ "MCUBOOT_SIGN_EC384", KEY_ECDSA_P384 },
		{ "MCUBOOT_SIGN_ED25519", KEY_ED25519 },
	};
	const char *value, *origin, *best_origin = NULL;
	size_t i, rank, line, best_rank = 0, best_line = 0, flen;

	memset(cfg, 0, sizeof(*cfg));
	for (i = 0; i < sizeof(sign) / sizeof(sign[0]); i++) {
		if (pp_env_get(env, sign[i].macro, strlen(sign[i].macro), NULL, &origin) != PP_DEF)
			continue;
		origin = origin != NULL ? origin : "";
		origin_rank(origin, files, n_files, &rank, &line);
		if (best_origin != NULL &&
		    (rank < best_rank || (rank == best_rank && line < best_line)))
			continue;
		best_origin = origin;
		best_rank = rank;
		best_line = line;
		cfg->type = sign[i].type;
		cfg->type_rsa = sign[i].type == KEY_RSA2048;
		src_note(cfg->type_src, sizeof(cfg->type_src), sign[i].macro, NULL, origin);
	}
	if (pp_env_get(env, "MCUBOOT_SIGN_RSA_LEN", 20, &value, &origin) == PP_DEF &&
	    (cfg->rsa_len = positive(env, value)) != 0)
		src_note(cfg->rsa_len_src, sizeof(cfg->rsa_len_src), "MCUBOOT_SIGN_RSA_LEN", value,
			 origin);
	/* a count from a header or -D: Kconfig's (its key files) is what
	 * provisioning sets */
	if (pp_env_get(env, "MCUBOOT_SIGN_KEY_COUNT", 22, &value, &origin) == PP_DEF &&
	    (origin == NULL || !origin_split(origin, &flen, &line) || is_header(origin, flen)) &&
	    (cfg->key_count = positive(env, value)) != 0)
		src_note(cfg->key_count_src, sizeof(cfg->key_count_src), "MCUBOOT_SIGN_KEY_COUNT",
			 value, origin);
}

int bootcfg_check(const struct bootcfg *cfg, const struct mcuprov_key *const *keys, size_t n_keys,
		  struct mcuprov_err *err)
{
	return bootcfg_check_type(cfg, keys[0]->type, n_keys, err);
}

int bootcfg_check_type(const struct bootcfg *cfg, enum key_type t, size_t n_keys,
		       struct mcuprov_err *err)
{
	bool rsa = t == KEY_RSA2048 || t == KEY_RSA3072;

	if (cfg->type != KEY_TYPE_NONE && (cfg->type_rsa != rsa || (!rsa && cfg->type != t)))
		return err_set(err, MCUPROV_ERR_REFUSED, NULL,
			       "the key is %s but the bootloader is configured for another "
			       "signature type (%s)",
			       key_type_name(t), cfg->type_src);
	if (rsa && cfg->rsa_len != 0 && cfg->rsa_len != (t == KEY_RSA3072 ? 3072u : 2048u))
		return err_set(err, MCUPROV_ERR_REFUSED, NULL,
			       "the key is %s but the bootloader expects RSA-%u (%s)",
			       key_type_name(t), cfg->rsa_len, cfg->rsa_len_src);
	if (cfg->key_count != 0 && cfg->key_count != n_keys)
		return err_set(err, MCUPROV_ERR_REFUSED, NULL,
			       "%zu key%s given but the bootloader counts %u (%s)", n_keys,
			       n_keys == 1 ? "" : "s", cfg->key_count, cfg->key_count_src);
	return 0;
}
