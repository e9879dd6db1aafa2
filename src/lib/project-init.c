/* Profiles (templates/targets/NAME.yaml) and `mcuprov init`: a project
 * made from a profile, for the signing type and key the user chose.
 *
 * A profile is a project file whose opening comment lines say what it is
 * for (the first) and, in a "# needs: " line, what the user must supply
 * (their bootloader tree, their app); a profile without one is
 * self-contained (demo-qemu): init also renders its bootloader's keys.c.
 * A "# supply: " line names the var that holds the directory the needs
 * line is about, and its default.  A "# keys_c from: FILE" line names the
 * keys.c init copies to bootloader.keys_c instead (mcuboot-qemu: the
 * port's own, in MCUboot's shape), needs line or not.
 *
 * Init writes the profile byte for byte, except the values it was asked
 * to change, each rewritten in place (comments, order and style kept):
 * the signing type (project_retype_plan(): every keys[].type, the
 * MCUBOOT_SIGN_* of sign_define vars and bootloader.defines; here also
 * the Kconfig names of sign_type vars), keys[0].path, and the supplied
 * directory (the supply line's vars, the bootloader paths below it). */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <yaml.h>

#include "mcuprov/datadir.h"
#include "mcuprov/fileio.h"
#include "mcuprov/kconf.h"
#include "mcuprov/pkcs11.h"
#include "mcuprov/project.h"
#include "mcuprov/yamledit.h"
#include "mcuprov/render.h"
#include "mcuprov/strutil.h"

#define NOMEM(err) err_set((err), MCUPROV_ERR_NOMEM, NULL, "out of memory")

/* ---- profiles ------------------------------------------------------------ */

static bool yaml_name(const char *s)
{
	size_t n = strlen(s);

	return n > 5 && s[0] != '.' && strcmp(s + n - 5, ".yaml") == 0;
}

/* The header of profile PATH: its first line when it is a "#" comment,
 * without "# " (*description), and the texts of a "# needs: ", a
 * "# supply: " and a "# keys_c from: " line among the comment lines that
 * open the file (*needs, *supply, *seed unless SEED is NULL; "" without
 * one).  All are malloc'd (NULL: out of memory). */
static void profile_header(const char *path, char **description, char **needs, char **supply,
			   char **seed)
{
	char line[PROJECT_NEEDS_MAX + 16], *s;
	FILE *f = fopen(path, "r");
	bool first = true;

	*description = *needs = *supply = NULL;
	if (seed != NULL)
		*seed = NULL;
	while (f != NULL && fgets(line, sizeof(line), f) != NULL && line[0] == '#') {
		line[strcspn(line, "\r\n")] = '\0';
		for (s = line + 1; *s == ' ' || *s == '\t'; s++)
			;
		if (first)
			*description = strdup(s);
		else if (*needs == NULL && strncmp(s, "needs: ", 7) == 0)
			*needs = strdup(s + 7);
		else if (*supply == NULL && strncmp(s, "supply: ", 8) == 0)
			*supply = strdup(s + 8);
		else if (seed != NULL && *seed == NULL && strncmp(s, "keys_c from: ", 13) == 0)
			*seed = strdup(s + 13);
		first = false;
	}
	if (f != NULL)
		fclose(f);
	if (*description == NULL)
		*description = strdup("");
	if (*needs == NULL)
		*needs = strdup("");
	if (*supply == NULL)
		*supply = strdup("");
	if (seed != NULL && *seed == NULL)
		*seed = strdup("");
}

/* ---- the "# supply:" line ------------------------------------------------ */

#define SUPPLY_BASENAMES_MAX 4

/* VAR=DEFAULT[, NAME=basename(VAR)]... */
struct supply_line {
	char var[PROJECT_NAME_MAX + 1];
	char def[PROJECT_NEEDS_MAX];               /* no trailing '/' */
	char base[SUPPLY_BASENAMES_MAX][PROJECT_NAME_MAX + 1];
	size_t n_base;
};

/* A var name at *S into OUT (PROJECT_NAME_MAX + 1 bytes), *S moved past
 * it; false when there is none. */
static bool supply_name(const char **s, char *out)
{
	size_t n = 0;

	if (!isalpha((unsigned char)**s) && **s != '_')
		return false;
	while (isalnum((unsigned char)(*s)[n]) || (*s)[n] == '_')
		n++;
	if (n > PROJECT_NAME_MAX)
		return false;
	memcpy(out, *s, n);
	out[n] = '\0';
	*s += n;
	return true;
}

/* TEXT, a supply line's text, into *SL; false when it does not parse. */
static bool supply_parse(const char *text, struct supply_line *sl)
{
	const char *s = text;
	char ref[PROJECT_NAME_MAX + 1];
	size_t n;

	memset(sl, 0, sizeof(*sl));
	s += strspn(s, " \t");
	if (!supply_name(&s, sl->var) || *s++ != '=')
		return false;
	n = strcspn(s, ", \t");
	if (n == 0 || n >= sizeof(sl->def))
		return false;
	memcpy(sl->def, s, n);
	while (n > 1 && sl->def[n - 1] == '/')
		n--;
	sl->def[n] = '\0';
	s += strcspn(s, ", \t");
	for (;;) {
		s += strspn(s, " \t");
		if (*s == '\0')
			return true;
		if (*s++ != ',' || sl->n_base == SUPPLY_BASENAMES_MAX)
			return false;
		s += strspn(s, " \t");
		if (!supply_name(&s, sl->base[sl->n_base]) || strncmp(s, "=basename(", 10) != 0)
			return false;
		s += 10;
		if (!supply_name(&s, ref) || strcmp(ref, sl->var) != 0 || *s++ != ')')
			return false;
		sl->n_base++;
	}
}

static int cmp_profile(const void *a, const void *b)
{
	return strcmp(((const struct project_profile *)a)->name,
		      ((const struct project_profile *)b)->name);
}

void project_profiles_free(struct project_profile *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].path);
		free(v[i].description);
		free(v[i].needs);
		free(v[i].supply_var);
		free(v[i].supply_default);
	}
	free(v);
}

/* PP's supply_var and supply_default from its supply line TEXT ("" when
 * it has none or it does not parse). */
static void profile_supply(struct project_profile *pp, const char *text)
{
	struct supply_line sl;
	bool ok = text != NULL && supply_parse(text, &sl);

	pp->supply_var = strdup(ok ? sl.var : "");
	pp->supply_default = strdup(ok ? sl.def : "");
}

int project_profiles(struct project_profile **out, size_t *n, struct mcuprov_err *err)
{
	struct project_profile *v = NULL;
	size_t count = 0, cap = 0, i;
	char buf[PATH_MAX];
	const char *dir;
	int d, rc = 0;

	*out = NULL;
	*n = 0;
	for (d = 0; rc == 0 && (dir = datadir_templates(d, "targets", buf, sizeof(buf))) != NULL; d++) {
		DIR *dh = dir[0] != '\0' ? opendir(dir) : NULL;
		struct dirent *e;

		if (dh == NULL)
			continue;
		while (rc == 0 && (e = readdir(dh)) != NULL) {
			struct project_profile *pp;
			size_t len, plen;
			bool dup = false;

			if (!yaml_name(e->d_name))
				continue;
			len = strlen(e->d_name) - 5;
			for (i = 0; i < count; i++)
				dup = dup || (strlen(v[i].name) == len &&
					      strncmp(v[i].name, e->d_name, len) == 0);
			if (dup)
				continue;
			if (count == cap) {
				size_t c = cap ? 2 * cap : 16;
				struct project_profile *nv = realloc(v, c * sizeof(*nv));

				if (nv == NULL) {
					rc = MCUPROV_ERR_NOMEM;
					break;
				}
				v = nv;
				cap = c;
			}
			pp = &v[count++];
			plen = strlen(dir) + strlen(e->d_name) + 2;
			pp->name = strndup(e->d_name, len);
			pp->path = malloc(plen);
			pp->description = pp->needs = pp->supply_var = pp->supply_default = NULL;
			if (pp->path != NULL) {
				char *supply = NULL;

				snprintf(pp->path, plen, "%s/%s", dir, e->d_name);
				profile_header(pp->path, &pp->description, &pp->needs, &supply,
					       NULL);
				profile_supply(pp, supply);
				free(supply);
			}
			if (pp->name == NULL || pp->path == NULL || pp->description == NULL ||
			    pp->needs == NULL || pp->supply_var == NULL ||
			    pp->supply_default == NULL)
				rc = MCUPROV_ERR_NOMEM;
		}
		closedir(dh);
	}
	if (rc < 0) {
		project_profiles_free(v, count);
		return err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
	}
	if (count > 0)
		qsort(v, count, sizeof(*v), cmp_profile);
	*out = v;
	*n = count;
	return 0;
}

int project_profile_find(const char *name, char **path, struct mcuprov_err *err)
{
	struct project_profile *v = NULL;
	char buf[PATH_MAX], file[PATH_MAX], list[MCUPROV_ERR_MSG_MAX / 2];
	const char *dir;
	struct stat st;
	size_t n = 0, i, o = 0;
	int d, rc;

	*path = NULL;
	if (strchr(name, '/') != NULL) {
		if ((*path = strdup(name)) == NULL)
			return err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
		return 0;
	}
	for (d = 0; name[0] != '\0' && (dir = datadir_templates(d, "targets", buf, sizeof(buf))) != NULL; d++) {
		if (dir[0] == '\0')
			continue;
		if ((size_t)snprintf(file, sizeof(file), "%s/%s%s", dir, name,
				     yaml_name(name) ? "" : ".yaml") >= sizeof(file))
			continue;
		if (stat(file, &st) == 0 && S_ISREG(st.st_mode)) {
			if ((*path = strdup(file)) == NULL)
				return err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
			return 0;
		}
	}
	if ((rc = project_profiles(&v, &n, err)) < 0)
		return rc;
	list[0] = '\0';
	for (i = 0; i < n; i++)
		str_appendf(list, sizeof(list), &o, "%s%s", i ? ", " : "", v[i].name);
	project_profiles_free(v, n);
	if (n == 0)
		return err_set(err, MCUPROV_ERR_USAGE, NULL,
			       "profile '%s': not found (no profile directory; set "
			       "MCUPROV_TEMPLATES)",
			       name);
	return err_set(err, MCUPROV_ERR_USAGE, NULL, "profile '%s': not found (available: %s)",
		       name, list);
}

/* ---- init: the text ------------------------------------------------------ */

/* What init decided, on the way to the files. */
struct init_state {
	char *profile;          /* the profile's file */
	char *needs;            /* its "needs:" line, or "" */
	char *text;             /* the project file's text */
	size_t len;
	struct project *p;      /* TEXT loaded as the project file */
	struct mcuprov_key *key; /* keys[0] when it could be read without a password */
	char *seed;		 /* the text of the file its "# keys_c from:" line
				  * names (the keys.c to copy), or NULL */
	size_t seed_len;
};

static void state_free(struct init_state *st)
{
	free(st->profile);
	free(st->needs);
	free(st->seed);
	free(st->text);
	project_free(st->p);
	key_free(st->key);
	memset(st, 0, sizeof(*st));
}

/* Byte offset of the character at 0-based LINE, COLUMN of TEXT (as
 * libyaml counts them: a line ends at "\n"; a byte order mark is not
 * counted), or LEN when the text is shorter. */
static size_t byte_of(const char *text, size_t len, size_t line, size_t column)
{
	size_t b = len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;

	for (; line > 0 && b < len; b++)
		if (text[b] == '\n')
			line--;
	for (; column > 0 && b < len; column--)
		for (b++; b < len && ((unsigned char)text[b] & 0xc0) == 0x80; b++)
			;
	return b;
}

/* The value of KEY in mapping MAP, or NULL. */
/* VALUE as a YAML scalar for mcuprov.yaml: plain when that reads back as
 * the same string in block and flow context and QUOTED is false, else
 * double-quoted.  Returns false for a value YAML cannot hold on one line. */
static bool scalar_text(const char *value, bool quoted, char *out, size_t n)
{
	static const char *const nulls[] = { "null", "Null", "NULL", "~", NULL };
	bool plain = !quoted && value[0] != '\0' && strchr("-.@", value[0]) == NULL;
	size_t i, o = 0;

	for (i = 0; value[i] != '\0'; i++) {
		unsigned char c = (unsigned char)value[i];

		if (c < 0x20 || c == 0x7f)
			return false;
		plain = plain && (isalnum(c) || strchr("_./+-", c) != NULL);
	}
	for (i = 0; nulls[i] != NULL; i++)
		plain = plain && strcmp(value, nulls[i]) != 0;
	if (plain)
		return (size_t)snprintf(out, n, "%s", value) < n;
	str_appendf(out, n, &o, "\"");
	for (i = 0; value[i] != '\0'; i++)
		str_appendf(out, n, &o, "%s%c", strchr("\"\\", value[i]) ? "\\" : "", value[i]);
	str_appendf(out, n, &o, "\"");
	return o + 1 < n;
}

/* One scalar of the text replaced: bytes [from, to) become TEXT. */
struct init_edit {
	size_t from, to;
	char text[PATH_MAX + 80];
};

/* The edits of one text, in the order found. */
struct init_edits {
	const char *name; /* the text in messages */
	const char *text;
	size_t len;
	struct init_edit *v;
	size_t n, cap;
};

/* Add to ED the edit of the scalar V to VALUE, in V's quoting style where
 * it can be kept; an alias of a node already edited adds nothing. */
static int edit_add(struct init_edits *ed, const yaml_node_t *v, const char *value,
		    struct mcuprov_err *err)
{
	struct init_edit *e;
	size_t from, k;

	if (v == NULL || v->type != YAML_SCALAR_NODE)
		return err_set(err, MCUPROV_ERR_INTERNAL, ed->name,
			       "a value to change is not a scalar");
	from = byte_of(ed->text, ed->len, v->start_mark.line, v->start_mark.column);
	while (from < ed->len && (ed->text[from] == '&' || ed->text[from] == '!')) {
		from += strcspn(ed->text + from, " \t\r\n"); /* an anchor or a tag */
		from += strspn(ed->text + from, " \t");
	}
	for (k = 0; k < ed->n; k++) /* an alias: the node again */
		if (ed->v[k].from == from)
			return 0;
	if (ed->n == ed->cap) {
		size_t c = ed->cap ? 2 * ed->cap : 8;
		struct init_edit *nv = realloc(ed->v, c * sizeof(*nv));

		if (nv == NULL)
			return NOMEM(err);
		ed->v = nv;
		ed->cap = c;
	}
	e = &ed->v[ed->n];
	e->from = from;
	e->to = byte_of(ed->text, ed->len, v->end_mark.line, v->end_mark.column);
	if (!scalar_text(value, v->data.scalar.style != YAML_PLAIN_SCALAR_STYLE, e->text,
			 sizeof(e->text)))
		return err_set(err, MCUPROV_ERR_USAGE, value,
			       "cannot be written in mcuprov.yaml (a control character)");
	ed->n++;
	return 0;
}

/* What edit_values() changes. */
struct init_change {
	const char *key;       /* keys[0].path, or NULL */
	bool sign_type;        /* every target var sign_type: TYPE's Kconfig name */
	enum key_type type;
	const struct supply_line *sl; /* the profile's supply line, or NULL */
	const char *supply;    /* with SL: the directory as written */
	const char *supply_base; /* and its basename */
};

/* VALUE for a var (N bytes of OUT): each "${" as "$${", after PREFIX. */
static bool var_text(const char *prefix, const char *value, char *out, size_t n)
{
	size_t o = 0;

	str_appendf(out, n, &o, "%s", prefix);
	for (; *value != '\0'; value++)
		str_appendf(out, n, &o, "%s%c", value[0] == '$' && value[1] == '{' ? "$" : "",
			    *value);
	return o + 1 < n;
}

/* Replace in *TEXT (*LEN bytes) the values C asks for, each in place, in
 * its quoting style where it can be kept: keys[0].path; every target var
 * sign_type (such a var is an error for a type Kconfig cannot name); the
 * supplied directory in every target's vars.VAR and its basename in the
 * basename vars; bootloader.tree, .keys_c and .conf that start with the
 * supply line's DEFAULT.  NAME names the text in messages. */
static int edit_values(const char *name, char **text, size_t *len, const struct init_change *c,
		       struct mcuprov_err *err)
{
	static const char *const boot_keys[] = { "tree", "keys_c", "conf" };
	const char *kconf = kconf_type_name(c->type);
	struct init_edits ed = { name, *text, *len, NULL, 0, 0 };
	struct str_edit *sp = NULL;
	size_t n, i, k;
	const yaml_node_t *root, *node;
	const yaml_node_item_t *it;
	const yaml_node_pair_t *pr;
	size_t base; /* no byte order mark in what init writes */
	yaml_document_t doc;
	char value[PATH_MAX + 64], *s = NULL;
	int rc = 0;

	if (yamledit_load(name, *text, *len, &doc, &base, err) < 0)
		return err_set(err, MCUPROV_ERR_INTERNAL, name, "cannot be parsed again");
	root = yaml_document_get_root_node(&doc);
	if (c->key != NULL) {
		node = yamledit_get(&doc, root, "keys");
		it = node != NULL && node->type == YAML_SEQUENCE_NODE
			     ? node->data.sequence.items.start
			     : NULL;
		node = it != NULL ? yamledit_get(&doc, yaml_document_get_node(&doc, *it), "path")
				  : NULL;
		if ((rc = edit_add(&ed, node, c->key, err)) < 0)
			goto out;
	}
	node = yamledit_get(&doc, root, "targets");
	for (pr = node != NULL && node->type == YAML_MAPPING_NODE ? node->data.mapping.pairs.start
								  : NULL;
	     pr != NULL && pr < node->data.mapping.pairs.top; pr++) {
		const yaml_node_t *vars =
			yamledit_get(&doc, yaml_document_get_node(&doc, pr->value), "vars");
		const yaml_node_t *v = yamledit_get(&doc, vars, "sign_type");

		if (c->sign_type && v != NULL && kconf == NULL) {
			rc = err_set(err, MCUPROV_ERR_USAGE, name,
				     "%s: Zephyr's Kconfig has no signature type for it (vars "
				     "sign_type, line %zu)",
				     key_type_name(c->type), (size_t)v->start_mark.line + 1);
			goto out;
		}
		if (c->sign_type && v != NULL && (rc = edit_add(&ed, v, kconf, err)) < 0)
			goto out;
		if (c->sl == NULL)
			continue;
		/* the directory; after "${project_dir}/" where the profile needs
		 * it absolute */
		if ((v = yamledit_get(&doc, vars, c->sl->var)) != NULL) {
			bool pd = v->type == YAML_SCALAR_NODE &&
				  strncmp((const char *)v->data.scalar.value, "${project_dir}/",
					  15) == 0;

			if (!var_text(pd && c->supply[0] != '/' ? "${project_dir}/" : "", c->supply,
				      value, sizeof(value))) {
				rc = err_set(err, MCUPROV_ERR_USAGE, c->supply, "too long");
				goto out;
			}
			if ((rc = edit_add(&ed, v, value, err)) < 0)
				goto out;
		}
		for (i = 0; i < c->sl->n_base; i++) {
			if ((v = yamledit_get(&doc, vars, c->sl->base[i])) == NULL)
				continue;
			var_text("", c->supply_base, value, sizeof(value));
			if ((rc = edit_add(&ed, v, value, err)) < 0)
				goto out;
		}
	}
	node = c->sl != NULL ? yamledit_get(&doc, root, "bootloader") : NULL;
	for (i = 0; node != NULL && i < sizeof(boot_keys) / sizeof(boot_keys[0]); i++) {
		const yaml_node_t *v = yamledit_get(&doc, node, boot_keys[i]);
		const char *old = v != NULL && v->type == YAML_SCALAR_NODE
					  ? (const char *)v->data.scalar.value : "";
		size_t dl = strlen(c->sl->def);

		if (strncmp(old, c->sl->def, dl) != 0 || (old[dl] != '\0' && old[dl] != '/'))
			continue;
		if ((size_t)snprintf(value, sizeof(value), "%s%s",
				     old[dl] == '/' && strcmp(c->supply, ".") == 0 ? "" : c->supply,
				     old[dl] == '/' && strcmp(c->supply, ".") == 0 ? old + dl + 1
										  : old + dl) >=
		    sizeof(value)) {
			rc = err_set(err, MCUPROV_ERR_USAGE, c->supply, "too long");
			goto out;
		}
		if ((rc = edit_add(&ed, v, value, err)) < 0)
			goto out;
	}
	/* splice, in the order of the text */
	for (i = 1; i < ed.n; i++)
		for (k = i; k > 0 && ed.v[k - 1].from > ed.v[k].from; k--) {
			struct init_edit t = ed.v[k];

			ed.v[k] = ed.v[k - 1];
			ed.v[k - 1] = t;
		}
	if ((sp = calloc(ed.n + 1, sizeof(*sp))) == NULL) {
		rc = NOMEM(err);
		goto out;
	}
	for (i = 0; i < ed.n; i++) {
		sp[i].from = ed.v[i].from;
		sp[i].to = ed.v[i].to;
		sp[i].text = ed.v[i].text;
		sp[i].len = strlen(ed.v[i].text);
	}
	if ((rc = str_splice(*text, *len, sp, ed.n, &s, &n)) < 0) {
		rc = rc == -1 ? NOMEM(err)
			      : err_set(err, MCUPROV_ERR_INTERNAL, name, "overlapping changes");
		goto out;
	}
	free(*text);
	*text = s;
	*len = n;
out:
	free(sp);
	free(ed.v);
	yaml_document_delete(&doc);
	return rc;
}

/* PATH made absolute: its directory resolved when it exists, else PATH
 * joined to the working directory as written.  NULL: out of memory or no
 * working directory. */
static char *abs_of(const char *path)
{
	const char *slash = strrchr(path, '/'), *base = slash != NULL ? slash + 1 : path;
	char dir[PATH_MAX], real[PATH_MAX], *out;
	size_t n;

	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path), path);
	if (realpath(dir, real) == NULL) {
		if (path[0] == '/')
			return strdup(path);
		if (getcwd(real, sizeof(real)) == NULL)
			return NULL;
		base = path;
	}
	n = strlen(real) + strlen(base) + 2;
	if ((out = malloc(n)) != NULL)
		snprintf(out, n, "%s%s%s", real, strcmp(real, "/") != 0 ? "/" : "", base);
	return out;
}

/* Does a target of P set the var NAME? */
static bool has_var(const struct project *p, const char *name)
{
	size_t i, j;

	for (i = 0; i < p->n_targets; i++)
		for (j = 0; j < p->targets[i].n_vars; j++)
			if (strcmp(p->targets[i].vars[j].name, name) == 0)
				return true;
	return false;
}

/* The supply line TEXT of profile PATH (loaded as PROF, its needs line
 * NEEDS) into *SL, checked: it parses, comes with a needs line, and names
 * vars the targets set. */
static int supply_check(const char *path, const char *text, const char *needs,
			const struct project *prof, struct supply_line *sl,
			struct mcuprov_err *err)
{
	size_t i;

	if (!supply_parse(text, sl))
		return err_set(err, MCUPROV_ERR_FORMAT, path,
			       "'# supply: %s': expected VAR=DEFAULT, then NAME=basename(VAR) for "
			       "each var that holds its basename",
			       text);
	if (needs[0] == '\0')
		return err_set(err, MCUPROV_ERR_FORMAT, path,
			       "a '# supply:' line without a '# needs:' line");
	if (!has_var(prof, sl->var))
		return err_set(err, MCUPROV_ERR_FORMAT, path,
			       "'# supply:' names the var '%s', which no target sets", sl->var);
	for (i = 0; i < sl->n_base; i++)
		if (!has_var(prof, sl->base[i]))
			return err_set(err, MCUPROV_ERR_FORMAT, path,
				       "'# supply:' names the var '%s', which no target sets",
				       sl->base[i]);
	return 0;
}

/* The directory SUPPLY (relative to the working directory or absolute),
 * which must exist, as the project in DIR writes it: relative when below
 * DIR ("." for DIR itself), else absolute (*written), and its name
 * (*base); both malloc'd.  NEEDS is the profile's needs line, for the
 * message. */
static int supply_dir(const char *supply, const char *needs, const char *dir, char **written,
		      char **base, struct mcuprov_err *err)
{
	char *copy = strdup(supply), *abs = NULL, *name;
	size_t n, dl = strlen(dir);
	struct stat sb;
	int rc = 0;

	*written = *base = NULL;
	if (copy == NULL)
		return NOMEM(err);
	for (n = strlen(copy); n > 1 && copy[n - 1] == '/'; n--)
		copy[n - 1] = '\0';
	if (stat(copy, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
		int e = errno;

		rc = err_set(err, MCUPROV_ERR_IO, supply, "%s (the profile needs: %s)",
			     access(copy, F_OK) == 0 ? "not a directory"
			     : e == ENOENT || e == ENOTDIR ? "no such directory"
							   : strerror(e),
			     needs);
		goto out;
	}
	name = strrchr(copy, '/') != NULL ? strrchr(copy, '/') + 1 : copy;
	abs = strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || name[0] == '\0'
		      ? realpath(copy, NULL)
		      : abs_of(copy);
	if (abs == NULL) {
		rc = err_set(err, MCUPROV_ERR_IO, supply, "cannot resolve: %s", strerror(errno));
		goto out;
	}
	if (strcmp(abs, dir) == 0)
		*written = strdup(".");
	else if (strncmp(abs, dir, dl) == 0 && (abs[dl] == '/' || strcmp(dir, "/") == 0))
		*written = strdup(abs + dl + (abs[dl] == '/'));
	else
		*written = strdup(abs);
	name = strrchr(abs, '/') != NULL && strrchr(abs, '/')[1] != '\0' ? strrchr(abs, '/') + 1
									   : abs;
	*base = strdup(name);
	if (*written == NULL || *base == NULL) {
		free(*written);
		free(*base);
		*written = *base = NULL;
		rc = NOMEM(err);
	}
out:
	free(copy);
	free(abs);
	return rc;
}

/* The file of profile PROFILE's "# keys_c from: TEXT" line: TEXT after
 * "${mcuprov_examples}/" is in mcuprov's examples, else relative to the
 * profile's directory (or absolute).  *out malloc'd. */
static int seed_path(const char *profile, const char *text, char **out, struct mcuprov_err *err)
{
	static const char ex[] = "${mcuprov_examples}/";
	const char *slash = strrchr(profile, '/'), *base = NULL;
	int dl = 0;
	size_t n;

	*out = NULL;
	if (strncmp(text, ex, sizeof(ex) - 1) == 0) {
		if ((base = datadir_examples()) == NULL)
			return err_set(err, MCUPROV_ERR_IO, profile,
				       "'# keys_c from: %s': mcuprov's examples are not installed; "
				       "set MCUPROV_EXAMPLES",
				       text);
		text += sizeof(ex) - 1;
		dl = (int)strlen(base);
	} else if (text[0] != '/') {
		base = slash != NULL ? profile : ".";
		dl = slash != NULL ? (int)(slash - profile) : 1;
	}
	n = (size_t)dl + strlen(text) + 2;
	if ((*out = malloc(n)) == NULL)
		return NOMEM(err);
	snprintf(*out, n, "%.*s%s%s", dl, base != NULL ? base : "", base != NULL ? "/" : "", text);
	return 0;
}

/* Everything init decides, in memory: the profile, keys[0]'s file and the
 * type, the text with its values changed, loaded as the project file. */
static int prepare(const struct project_init_opts *o, struct init_state *st,
		   struct project_init_result *r, struct mcuprov_err *err)
{
	const char *out = o->out_path != NULL && strcmp(o->out_path, "-") != 0 ? o->out_path
										: "mcuprov.yaml";
	struct project *prof = NULL, *at = NULL;
	struct project_retype plan;
	struct supply_line sl = { .n_base = 0 };
	struct init_change ch;
	char *desc = NULL, *abs = NULL, *supply = NULL, *sup_written = NULL, *sup_base = NULL;
	char *seed = NULL, *path = NULL;
	const char *written, *shown;
	enum key_type type;
	struct stat sb;
	bool token;
	size_t dl;
	int rc;

	memset(st, 0, sizeof(*st));
	memset(r, 0, sizeof(*r));
	memset(&plan, 0, sizeof(plan));
	if (o->type != KEY_TYPE_NONE && !key_type_can_sign(o->type))
		return err_set(err, MCUPROV_ERR_USAGE, NULL,
			       "%s keys cannot sign: a project's type is a signing type",
			       key_type_name(o->type));
	if ((rc = project_profile_find(o->profile, &st->profile, err)) < 0 ||
	    (rc = project_load(st->profile, &prof, err)) < 0 ||
	    (rc = file_read(st->profile, PROJECT_FILE_MAX, (uint8_t **)&st->text, &st->len, NULL,
			    err)) < 0)
		goto out;
	profile_header(st->profile, &desc, &st->needs, &supply, &seed);
	if (desc == NULL || st->needs == NULL || supply == NULL || seed == NULL) {
		rc = NOMEM(err);
		goto out;
	}
	if (supply[0] != '\0' &&
	    (rc = supply_check(st->profile, supply, st->needs, prof, &sl, err)) < 0)
		goto out;
	if (o->supply != NULL && supply[0] == '\0') {
		rc = st->needs[0] == '\0'
			     ? err_set(err, MCUPROV_ERR_USAGE, NULL,
				       "profile '%s' is self-contained: it needs nothing supplied",
				       o->profile)
			     : err_set(err, MCUPROV_ERR_USAGE, NULL,
				       "profile '%s' names no directory to supply (no '# supply:' "
				       "line)",
				       o->profile);
		goto out;
	}
	/* the profile as the project file OUT: its directory, keys[0]'s file */
	if ((rc = project_load_mem(out, NULL, st->text, st->len, &at, err)) < 0)
		goto out;
	if (o->supply != NULL &&
	    (rc = supply_dir(o->supply, st->needs, at->dir, &sup_written, &sup_base, err)) < 0)
		goto out;
	/* a key in a token is named by its URI, written as given; never with
	 * a PIN in it */
	token = o->key != NULL ? pkcs11_is_uri(o->key) : pkcs11_is_uri(at->keys[0].path);
	if (o->key != NULL && token && pkcs11_uri_has_pin_value(o->key)) {
		char *red = pkcs11_uri_redact(o->key);

		rc = err_set(err, MCUPROV_ERR_USAGE, red != NULL ? red : "pkcs11:",
			     "a PIN in the project file is refused: drop pin-value from the URI "
			     "and give the PIN with pin-source=FILE in it or with keys[].passin");
		free(red);
		goto out;
	}
	if (o->key == NULL || token)
		abs = strdup(o->key != NULL ? o->key : at->keys[0].abspath);
	else
		abs = abs_of(o->key);
	if (abs == NULL) {
		rc = NOMEM(err);
		goto out;
	}
	dl = strlen(at->dir);
	if (o->key == NULL)
		written = at->keys[0].path;
	else if (!token && strncmp(abs, at->dir, dl) == 0 && abs[dl] == '/')
		written = abs + dl + 1;
	else
		written = abs;
	shown = o->key != NULL ? o->key : written;
	snprintf(r->key, sizeof(r->key), "%s", written);

	/* the type: -t, else the key's when it can be read, else the profile's */
	type = o->type != KEY_TYPE_NONE ? o->type : prof->keys[0].type;
	if (token || lstat(abs, &sb) == 0) {
		/* a token key must be there: its public half, without the PIN */
		r->key_exists = true;
		rc = key_load_ex(abs, token ? KEY_LOAD_PUBLIC : 0, NULL, NULL, &st->key, err);
		if (rc == MCUPROV_ERR_PASSWORD) {
			err_clear(err); /* encrypted: its type cannot be known here */
			rc = 0;
		} else if (rc == 0 && !key_type_can_sign(st->key->type)) {
			rc = err_set(err, MCUPROV_ERR_REFUSED, NULL,
				     "is an %s key: it cannot sign (keys[0] signs the app)",
				     key_type_name(st->key->type));
		} else if (rc == 0 && o->type != KEY_TYPE_NONE && st->key->type != o->type) {
			rc = err_set(err, MCUPROV_ERR_REFUSED, NULL, "is an %s key, not %s",
				     key_type_name(st->key->type), key_type_name(o->type));
		} else if (rc == 0) {
			type = st->key->type;
		}
		if (rc < 0) {
			if (err != NULL)
				snprintf(err->subject, sizeof(err->subject), "%s", shown);
			goto out;
		}
	}

	/* the text: retyped as a type switch does, then keys[0].path, sign_type */
	if (type != prof->keys[0].type) {
		if ((rc = project_retype_plan(prof, type, &plan, err)) < 0)
			goto out;
		free(st->text);
		st->text = plan.project_text;
		st->len = plan.project_len;
		plan.project_text = NULL;
	}
	memset(&ch, 0, sizeof(ch));
	ch.key = o->key != NULL ? written : NULL;
	ch.sign_type = o->key != NULL || type != prof->keys[0].type;
	ch.type = type;
	ch.sl = sup_written != NULL ? &sl : NULL;
	ch.supply = sup_written;
	ch.supply_base = sup_base;
	if ((ch.key != NULL || ch.sign_type || ch.sl != NULL) &&
	    (rc = edit_values(st->profile, &st->text, &st->len, &ch, err)) < 0)
		goto out;
	if ((rc = project_load_mem(out, NULL, st->text, st->len, &st->p, err)) < 0)
		goto out;
	if (st->p->keys[0].type != type || strcmp(st->p->keys[0].path, r->key) != 0) {
		rc = err_set(err, MCUPROV_ERR_INTERNAL, st->profile,
			     "keys[0] did not become %s '%s'", key_type_name(type), r->key);
		goto out;
	}
	/* the keys.c it starts from */
	if (seed[0] != '\0' && st->p->bootloader.kind != PROJECT_BOOT_KEYS_C) {
		rc = err_set(err, MCUPROV_ERR_FORMAT, st->profile,
			     "a '# keys_c from:' line, but no bootloader.keys_c to copy it to");
		goto out;
	}
	if (seed[0] != '\0' && ((rc = seed_path(st->profile, seed, &path, err)) < 0 ||
				(rc = file_read(path, PROJECT_FILE_MAX, (uint8_t **)&st->seed,
						&st->seed_len, NULL, err)) < 0))
		goto out;
	r->type = type;
	snprintf(r->key_abspath, sizeof(r->key_abspath), "%s", st->p->keys[0].abspath);
	snprintf(r->needs, sizeof(r->needs), "%s", st->needs);
	if (sup_written != NULL) {
		snprintf(r->supply_var, sizeof(r->supply_var), "%s", sl.var);
		snprintf(r->supply, sizeof(r->supply), "%s", sup_written);
	}
	rc = 0;
out:
	if (rc < 0)
		state_free(st);
	project_retype_free(&plan);
	project_free(prof);
	project_free(at);
	free(desc);
	free(abs);
	free(supply);
	free(seed);
	free(path);
	free(sup_written);
	free(sup_base);
	return rc;
}

int project_init_text(const struct project_init_opts *o, char **text, size_t *len,
		      struct project_init_result *r, struct mcuprov_err *err)
{
	struct init_state st;
	int rc;

	*text = NULL;
	*len = 0;
	if ((rc = prepare(o, &st, r, err)) < 0)
		return rc;
	*text = st.text;
	*len = st.len;
	st.text = NULL;
	state_free(&st);
	return 0;
}

/* ---- init: the files ----------------------------------------------------- */

/* The keys.c of a self-contained profile, rendered for the project's type
 * with keys[0] when it could be read (and is not a published development
 * key), else with a throwaway key nobody holds (r->keys_c_placeholder):
 * the bootloader then trusts no key until provisioning puts keys[0] in. */
static int render_keys_c(const struct init_state *st, struct project_init_result *r,
			 char **out, size_t *out_len, struct mcuprov_err *err)
{
	return project_keys_c_render(st->p, r->type, st->key, r->key, out, out_len,
				     &r->keys_c_placeholder, err);
}

int project_create(const struct project_init_opts *o, struct project_init_result *r,
		   struct mcuprov_err *err)
{
	const char *out = o->out_path != NULL ? o->out_path : "mcuprov.yaml";
	unsigned force = o->force ? FILE_WRITE_FORCE : 0;
	struct init_state st;
	char *kc = NULL, dir[PATH_MAX], *slash;
	size_t kc_len = 0;
	struct stat sb;
	int rc;

	if ((rc = prepare(o, &st, r, err)) < 0)
		return rc;
	if (st.p->bootloader.kind == PROJECT_BOOT_KEYS_C &&
	    (o->force || lstat(st.p->bootloader.path, &sb) < 0)) {
		if (st.seed != NULL) { /* a copy of the profile's keys.c */
			kc = st.seed;
			kc_len = st.seed_len;
			st.seed = NULL;
		} else if (st.needs[0] == '\0' &&
			   (rc = render_keys_c(&st, r, &kc, &kc_len, err)) < 0) {
			goto out;
		}
	}
	if ((rc = file_write_atomic(out, st.text, st.len, force, err)) < 0)
		goto out;
	snprintf(dir, sizeof(dir), "%s", r->key_abspath);
	if ((slash = strrchr(dir, '/')) != NULL)
		slash[slash == dir ? 1 : 0] = '\0'; /* "/k.pem": "/" */
	if (!r->key_exists && access(dir, F_OK) < 0) {
		if ((rc = file_mkdirs(dir, 0700, err)) < 0)
			goto out;
		r->key_dir_made = true;
	}
	if (kc != NULL) {
		if ((rc = file_write_atomic(st.p->bootloader.path, kc, kc_len,
					    FILE_WRITE_MKDIR | force, err)) < 0)
			goto out;
		snprintf(r->keys_c, sizeof(r->keys_c), "%s", st.p->bootloader.path);
	}
out:
	OPENSSL_clear_free(kc, kc_len);
	state_free(&st);
	return rc;
}

int project_init(const char *profile, const char *out_path, bool force, struct mcuprov_err *err)
{
	struct project_init_opts o = { .profile = profile, .out_path = out_path, .force = force };
	struct project_init_result r;

	return project_create(&o, &r, err);
}
