/* The project file, mcuprov.yaml: loading, checking and ${var} expansion.
 *
 * The file is parsed with libyaml's document API, which keeps the start and
 * end mark of every node, and then walked against the schema (see
 * include/mcuprov/project.h and templates/targets/README.md).  Each error
 * names the file, line and column of the offending node as
 * "FILE:LINE:COLUMN: <where>: <what was expected>", where <where> is the
 * dotted path of the value ("targets.demo.flash[0][2]").
 *
 * A target's vars, app and signed_app are resolved once at load time (a
 * depth-first walk that finds loops), so expanding a word later is a flat
 * lookup.  Every word of every step is expanded once while loading, so an
 * unknown ${name} is reported with its position before anything runs.
 *
 * Aliases (*anchor) are followed: libyaml's loader shares the anchored
 * node, so they cost no memory in the document, but a walk may meet a node
 * many times; the walk therefore counts the words and bytes it copies and
 * stops at PROJECT_TOTAL_WORDS / PROJECT_TOTAL_BYTES. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

#include "mcuprov/datadir.h"
#include "mcuprov/fileio.h"
#include "mcuprov/passwd.h"
#include "mcuprov/pkcs11.h"
#include "mcuprov/project.h"
#include "mcuprov/provision.h"
#include "mcuprov/strutil.h"
#include "mcuprov/yamledit.h"

#define PROJECT_TOTAL_WORDS 65536              /* words copied from steps */
#define PROJECT_TOTAL_BYTES (16 * 1024 * 1024) /* bytes copied in all */
#define WHERE_MAX 192                          /* "targets.NAME.flash[63][255]" */
#define SHOW_MAX 48                            /* bytes of a value quoted in a message */

/* Format a "where" path (targets.NAME.flash[0][2]) into OUT, WHERE_MAX
 * bytes, cut when longer. */
static void wfmt(char *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void wfmt(char *out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out, WHERE_MAX, fmt, ap);
	va_end(ap);
}

/* ---- a growing string ---------------------------------------------------- */

struct buf {
	char *s;
	size_t len, cap;
};

static int buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		if ((p = realloc(b->s, cap)) == NULL)
			return MCUPROV_ERR_NOMEM;
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
	return 0;
}

/* A NUL-terminated string, also when nothing was added. */
static int buf_finish(struct buf *b)
{
	return b->s != NULL ? 0 : buf_add(b, "", 0);
}

/* ---- showing values in messages ------------------------------------------ */

/* S (N bytes) for a message: at most SHOW_MAX bytes, control bytes as '?',
 * "..." when cut. */
static const char *show(const char *s, size_t n, char *out, size_t size)
{
	size_t i, o = 0;

	for (i = 0; i < n && i < SHOW_MAX && o + 4 < size; i++)
		out[o++] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	if (i < n && o + 4 < size) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return out;
}

/* Can WORD be written unquoted inside a YAML flow sequence? */
static bool flow_plain(const char *w, size_t n)
{
	size_t i;

	if (n == 0 || w[0] == '@' || w[0] == '%')
		return false;
	for (i = 0; i < n; i++)
		if (!(w[i] >= 'a' && w[i] <= 'z') && !(w[i] >= 'A' && w[i] <= 'Z') &&
		    !(w[i] >= '0' && w[i] <= '9') && !strchr("_./=+@%-", w[i]))
			return false;
	return true;
}

/* Append WORD to OUT (size SIZE, at *o) as a YAML flow-sequence item. */
static void hint_word(const char *w, size_t n, char *out, size_t size, size_t *o)
{
	size_t i;

	if (flow_plain(w, n)) {
		str_appendf(out, size, o, "%.*s", (int)n, w);
		return;
	}
	str_appendf(out, size, o, "\"");
	for (i = 0; i < n; i++)
		str_appendf(out, size, o, "%s%c", w[i] == '"' || w[i] == '\\' ? "\\" : "",
			(unsigned char)w[i] < 0x20 ? '?' : w[i]);
	str_appendf(out, size, o, "\"");
}

/* "[west, flash, -d, build]" from the shell-like command line S: the argv
 * a user meant when writing it as one string, split as --signer splits
 * its command (str_split_words(): '...', "..." and \ quote as in a shell;
 * nothing is expanded).  A line that does not split (a quote left open)
 * is shown as one word. */
static const char *hint_split(const char *s, char *out, size_t size)
{
	char **argv = NULL;
	size_t o = 0, argc = 0, i;

	o += (size_t)snprintf(out, size, "[");
	if (str_split_words(s, &argv, &argc) < 0) {
		hint_word(s, strlen(s), out, size, &o);
	} else {
		for (i = 0; i < argc; i++) {
			if (i > 0)
				str_appendf(out, size, &o, ", ");
			hint_word(argv[i], strlen(argv[i]), out, size, &o);
		}
	}
	free(argv);
	str_appendf(out, size, &o, "]");
	return out;
}

/* ---- loading context, errors and marks ----------------------------------- */

struct ld {
	const char *name; /* the file, for messages */
	const char *text; /* its bytes, for reader-error positions */
	size_t len;
	yaml_document_t *doc;
	struct project *p;
	struct mcuprov_err *err;
	size_t words, bytes; /* copied so far (alias bombs) */
	const yaml_node_t *default_node;
};

static int fail_at(struct ld *l, size_t line, size_t column, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Record "NAME:LINE:COLUMN: message" (LINE, COLUMN 1-based). */
static int fail_at(struct ld *l, size_t line, size_t column, const char *fmt, ...)
{
	char msg[MCUPROV_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return err_set(l->err, MCUPROV_ERR_FORMAT, NULL, "%s:%zu:%zu: %s", l->name, line, column,
		       msg);
}

#define FAIL(l, node, ...) \
	fail_at((l), (node)->start_mark.line + 1, (node)->start_mark.column + 1, __VA_ARGS__)

/* WHERE as a message prefix: "where: ", or "" at the top level. */
#define PFX(where) (where), (where)[0] ? ": " : ""

static yaml_node_t *node_of(struct ld *l, int index)
{
	return yaml_document_get_node(l->doc, index);
}

static const char *sval(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

static bool is_null(const yaml_node_t *n)
{
	const char *v = sval(n);

	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	return v[0] == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
	       strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
}

/* What node N is, for "got ...": 'value', nothing, a list, a mapping. */
static const char *got(const yaml_node_t *n, char *buf, size_t size)
{
	char v[SHOW_MAX + 8];

	switch (n->type) {
	case YAML_SCALAR_NODE:
		if (is_null(n))
			return "nothing";
		snprintf(buf, size, "'%s'", show(sval(n), n->data.scalar.length, v, sizeof(v)));
		return buf;
	case YAML_SEQUENCE_NODE:
		return n->data.sequence.items.top == n->data.sequence.items.start ? "an empty list"
										   : "a list";
	case YAML_MAPPING_NODE: return "a mapping";
	default: return "nothing";
	}
}

static size_t utf8_chars(const char *s, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			c++;
	return c;
}

/* The mark of byte OFF of scalar N's value: exact when the scalar sits on
 * one line and its source is its value (no escapes, no folding), else the
 * scalar's start. */
static int fail_in(struct ld *l, const yaml_node_t *n, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail_in(struct ld *l, const yaml_node_t *n, size_t off, const char *fmt, ...)
{
	char msg[MCUPROV_ERR_MSG_MAX];
	size_t line = n->start_mark.line + 1, col = n->start_mark.column + 1, quotes = 0;
	size_t chars = utf8_chars(sval(n), n->data.scalar.length);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
	    n->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE)
		quotes = 1;
	if ((quotes || n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) &&
	    n->end_mark.line == n->start_mark.line &&
	    n->end_mark.column - n->start_mark.column == chars + 2 * quotes)
		col += quotes + utf8_chars(sval(n), off);
	return fail_at(l, line, col, "%s", msg);
}

/* ---- scalars ------------------------------------------------------------- */

/* A copy of scalar N's value, counted against the budget. */
static int dup_scalar(struct ld *l, const yaml_node_t *n, const char *where, char **out)
{
	size_t len = n->data.scalar.length;

	if (strlen(sval(n)) != len)
		return FAIL(l, n, "%s: contains a NUL character", where);
	if ((l->bytes += len + 1) > PROJECT_TOTAL_BYTES)
		return FAIL(l, n, "%s: the file expands to more than %d bytes (aliases?)", where,
			    PROJECT_TOTAL_BYTES);
	if ((*out = strdup(sval(n))) == NULL)
		return err_set(l->err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
	return 0;
}

/* A non-empty string (WHAT names it: "a path"). */
static int get_string(struct ld *l, const yaml_node_t *n, const char *where, const char *what,
		      char **out)
{
	char g[SHOW_MAX + 16];

	if (n->type != YAML_SCALAR_NODE || is_null(n) || n->data.scalar.length == 0)
		return FAIL(l, n, "%s: expected %s, got %s", where, what,
			    n->type == YAML_SCALAR_NODE && !is_null(n) ? "''"
								       : got(n, g, sizeof(g)));
	return dup_scalar(l, n, where, out);
}

/* "123" or "0x1f" into a 32-bit number; -1 if it is not one, -2 too large. */
static int parse_u32(const char *s, uint32_t *v)
{
	unsigned long long x = 0;
	int base = 10;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	} else if (s[0] == '0' && s[1] != '\0') {
		return -1; /* 0200: octal or a typo, either way ambiguous */
	}
	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			return -1;
		x = x * (unsigned)base + (unsigned)d;
		if (x > 0xffffffffULL)
			return -2;
	}
	*v = (uint32_t)x;
	return 0;
}

static int get_u32(struct ld *l, const yaml_node_t *n, const char *where, const char *extra,
		   uint32_t *v)
{
	char g[SHOW_MAX + 16];
	int rc = -1;

	if (n->type == YAML_SCALAR_NODE && !is_null(n))
		rc = parse_u32(sval(n), v);
	if (rc == -2)
		return FAIL(l, n, "%s: %s is too large (at most 0xffffffff)", where,
			    got(n, g, sizeof(g)));
	if (rc < 0)
		return FAIL(l, n, "%s: expected a number (decimal or 0x hex)%s, got %s", where,
			    extra, got(n, g, sizeof(g)));
	return 0;
}

static int get_bool(struct ld *l, const yaml_node_t *n, const char *where, bool *v)
{
	static const char *const t[] = { "true", "True", "TRUE" }, *const f[] = { "false", "False",
										 "FALSE" };
	char g[SHOW_MAX + 16];
	size_t i;

	if (n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
		for (i = 0; i < 3; i++) {
			if (strcmp(sval(n), t[i]) == 0) {
				*v = true;
				return 0;
			}
			if (strcmp(sval(n), f[i]) == 0) {
				*v = false;
				return 0;
			}
		}
	return FAIL(l, n, "%s: expected true or false, got %s", where, got(n, g, sizeof(g)));
}

/* ---- mappings with a fixed set of keys ----------------------------------- */

/* "a, b, c" from a NULL-terminated list. */
static const char *join_names(const char *const *names, char *out, size_t size)
{
	size_t i, o = 0;

	out[0] = '\0';
	for (i = 0; names[i] != NULL; i++)
		str_appendf(out, size, &o, "%s%s", i ? ", " : "", names[i]);
	return out;
}

/* Walk mapping MAP (at WHERE, "" for the top level) whose allowed keys are
 * NAMES: VALS[i] (and KEYS[i], when KEYS is non-NULL) receive the value (key)
 * node of NAMES[i], or NULL.  Unknown and duplicate keys are errors. */
static int get_fields(struct ld *l, const yaml_node_t *map, const char *where,
		      const char *const *names, const yaml_node_t **vals, const yaml_node_t **keys)
{
	const yaml_node_t *keyv[16] = { NULL };
	char list[256], g[SHOW_MAX + 16];
	yaml_node_pair_t *pair;
	size_t i;

	join_names(names, list, sizeof(list));
	for (i = 0; names[i] != NULL; i++)
		vals[i] = NULL;
	if (map->type != YAML_MAPPING_NODE)
		return FAIL(l, map, "%s%sexpected a mapping with the keys %s, got %s", PFX(where),
			    list, got(map, g, sizeof(g)));
	for (pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top; pair++) {
		const yaml_node_t *k = node_of(l, pair->key);
		char v[SHOW_MAX + 8];

		if (k->type != YAML_SCALAR_NODE)
			return FAIL(l, k, "%s%sexpected a key name, got %s", PFX(where),
				    got(k, g, sizeof(g)));
		for (i = 0; names[i] != NULL; i++)
			if (strcmp(sval(k), names[i]) == 0)
				break;
		if (names[i] == NULL)
			return FAIL(l, k, "%s%sunknown key '%s' (expected one of: %s)", PFX(where),
				    show(sval(k), k->data.scalar.length, v, sizeof(v)), list);
		if (vals[i] != NULL)
			return FAIL(l, k, "%s%sduplicate key '%s' (first at line %zu)", PFX(where),
				    names[i], keyv[i]->start_mark.line + 1);
		vals[i] = node_of(l, pair->value);
		keyv[i] = k;
	}
	if (keys != NULL)
		for (i = 0; names[i] != NULL; i++)
			keys[i] = keyv[i];
	return 0;
}

static int require(struct ld *l, const yaml_node_t *map, const char *where, const char *name,
		   const yaml_node_t *val)
{
	if (val == NULL)
		return FAIL(l, map, "%s%smissing required key '%s'", PFX(where), name);
	return 0;
}

/* ---- ${var} expansion ---------------------------------------------------- */

enum { XP_OK = 0, XP_LOCAL = 1, XP_REPORTED = 2 };

/* Find ${NAME}: set *val and return XP_OK, or fill MSG and return XP_LOCAL
 * (an error at this reference), or return XP_REPORTED (error already in
 * err) or MCUPROV_ERR_NOMEM. */
typedef int (*lookup_fn)(void *arg, const char *name, const char **val, char *msg,
			 size_t msgsz);

static bool ident_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       (!first && c >= '0' && c <= '9');
}

static bool valid_ident(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > PROJECT_NAME_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!ident_char(s[i], i == 0))
			return false;
	return true;
}

/* Expand template T into OUT; on XP_LOCAL, *OFF is the byte offset of the
 * reference in T and MSG says what is wrong. */
static int expand(const char *t, struct buf *out, lookup_fn fn, void *arg, size_t *off,
		  char *msg, size_t msgsz)
{
	const char *p = t;
	int rc;

	while (*p != '\0') {
		const char *d = strchr(p, '$'), *end, *val = NULL;
		char name[PROJECT_NAME_MAX + 1], v[SHOW_MAX + 8];
		size_t n;

		if (d == NULL)
			d = p + strlen(p);
		if ((rc = buf_add(out, p, (size_t)(d - p))) < 0)
			return rc;
		if (*d == '\0')
			break;
		*off = (size_t)(d - t);
		if (d[1] == '$' && d[2] == '{') { /* $${ is a literal ${ */
			if ((rc = buf_add(out, "${", 2)) < 0)
				return rc;
			p = d + 3;
			continue;
		}
		if (d[1] != '{') {
			if ((rc = buf_add(out, "$", 1)) < 0)
				return rc;
			p = d + 1;
			continue;
		}
		if ((end = strchr(d + 2, '}')) == NULL) {
			snprintf(msg, msgsz, "unterminated '${' (write '$${' for a literal '${')");
			return XP_LOCAL;
		}
		n = (size_t)(end - d - 2);
		if (!valid_ident(d + 2, n)) {
			snprintf(msg, msgsz,
				 "invalid variable name '${%s}' (letters, digits and '_', not "
				 "starting with a digit)",
				 show(d + 2, n, v, sizeof(v)));
			return XP_LOCAL;
		}
		memcpy(name, d + 2, n);
		name[n] = '\0';
		if ((rc = fn(arg, name, &val, msg, msgsz)) != XP_OK)
			return rc;
		if ((rc = buf_add(out, val, strlen(val))) < 0)
			return rc;
		if (out->len > PROJECT_WORD_MAX) {
			snprintf(msg, msgsz, "expands to more than %d bytes", PROJECT_WORD_MAX);
			return XP_LOCAL;
		}
		p = end + 1;
	}
	if (out->len > PROJECT_WORD_MAX) {
		*off = 0;
		snprintf(msg, msgsz, "longer than %d bytes", PROJECT_WORD_MAX);
		return XP_LOCAL;
	}
	return buf_finish(out);
}

/* Built-ins that are not vars, in lookup order after the vars. */
static const char *const builtin_names[] = { "key", "signed_app", "app", "project_dir",
					     "build_dir", "board", "mcuprov_examples", NULL };

/* "known: a, b, key, ..." for an unknown-variable message: the vars and
 * the built-ins that have a value. */
static void known_names(const struct project_var *vars, size_t n_vars, bool target,
			bool has_board, char *out, size_t size)
{
	size_t i, j, o = 0;

	o += (size_t)snprintf(out, size, "known: ");
	for (i = 0; i < n_vars; i++)
		str_appendf(out, size, &o, "%s%s", i ? ", " : "", vars[i].name);
	for (j = 0; builtin_names[j] != NULL; j++) {
		const char *b = builtin_names[j];
		bool dup = false;

		if (!target && (strcmp(b, "app") == 0 || strcmp(b, "signed_app") == 0))
			continue;
		if ((strcmp(b, "board") == 0 && !has_board) ||
		    (strcmp(b, "mcuprov_examples") == 0 && datadir_examples() == NULL))
			continue;
		for (i = 0; i < n_vars; i++)
			dup = dup || strcmp(vars[i].name, b) == 0;
		if (!dup)
			str_appendf(out, size, &o, "%s%s", o > 7 ? ", " : "", b);
	}
}

/* The lookup of project_lookup(), with the reason when there is no value. */
static int flat_lookup(const struct project *p, const struct project_target *t, const char *name,
		       const char **val, char *msg, size_t msgsz)
{
	char known[MCUPROV_ERR_MSG_MAX / 2];
	size_t i;

	for (i = 0; t != NULL && i < t->n_vars; i++)
		if (strcmp(t->vars[i].name, name) == 0) {
			*val = t->vars[i].value;
			return XP_OK;
		}
	*val = NULL;
	if (strcmp(name, "key") == 0)
		*val = p->keys[0].abspath;
	else if (strcmp(name, "project_dir") == 0)
		*val = p->dir;
	else if (strcmp(name, "build_dir") == 0)
		*val = t != NULL && t->build_dir != NULL ? t->build_dir : "build";
	else if (strcmp(name, "mcuprov_examples") == 0) {
		if ((*val = datadir_examples()) != NULL)
			return XP_OK;
		snprintf(msg, msgsz,
			 "'${mcuprov_examples}' has no value: mcuprov's examples (demo-qemu) are "
			 "not installed; set MCUPROV_EXAMPLES");
		return XP_LOCAL;
	} else if (t != NULL && strcmp(name, "app") == 0)
		*val = t->app;
	else if (t != NULL && strcmp(name, "signed_app") == 0)
		*val = t->signed_app;
	else if (strcmp(name, "board") == 0) {
		if (t != NULL && t->board != NULL) {
			*val = t->board;
			return XP_OK;
		}
		if (t != NULL)
			snprintf(msg, msgsz,
				 "'${board}' has no value: set vars.board in target '%s'", t->name);
		else
			snprintf(msg, msgsz, "'${board}' needs a target");
		return XP_LOCAL;
	} else if (strcmp(name, "app") == 0 || strcmp(name, "signed_app") == 0) {
		snprintf(msg, msgsz, "'${%s}' needs a target", name);
		return XP_LOCAL;
	}
	if (*val != NULL)
		return XP_OK;
	known_names(t ? t->vars : NULL, t ? t->n_vars : 0, t != NULL, t && t->board, known,
		    sizeof(known));
	snprintf(msg, msgsz, "unknown variable '${%s}' (%s)", name, known);
	return XP_LOCAL;
}

/* Resolution of a target's vars, app and signed_app at load time. */
struct slot {
	const char *name;        /* var name, "app" or "signed_app" */
	const char *raw;         /* the template */
	const yaml_node_t *node; /* its scalar */
	char where[WHERE_MAX];
	char *value; /* expanded */
	int state;   /* 0 not yet, 1 being expanded, 2 done */
};

struct resolver {
	struct ld *l;
	struct project_target *t;
	struct slot *slots; /* the vars, then app and signed_app */
	size_t n;
	struct slot *stack[PROJECT_VARS_MAX + 2];
	size_t depth;
};

static int resolve(struct resolver *r, struct slot *s);

static int slot_lookup(void *arg, const char *name, const char **val, char *msg, size_t msgsz)
{
	struct resolver *r = arg;
	struct slot *s = NULL;
	size_t i, o, at;
	int rc;

	for (i = 0; i < r->t->n_vars && s == NULL; i++)
		if (strcmp(r->slots[i].name, name) == 0)
			s = &r->slots[i];
	for (i = r->t->n_vars; i < r->n && s == NULL; i++)
		if (strcmp(r->slots[i].name, name) == 0)
			s = &r->slots[i];
	if (s == NULL)
		return flat_lookup(r->l->p, r->t, name, val, msg, msgsz);
	if (s->state == 1) { /* a loop: name it from S to the top */
		for (at = 0; at < r->depth && r->stack[at] != s; at++)
			;
		o = (size_t)snprintf(msg, msgsz, "variable loop:");
		for (i = at; i < r->depth; i++)
			str_appendf(msg, msgsz, &o, " ${%s} ->", r->stack[i]->name);
		str_appendf(msg, msgsz, &o, " ${%s}", s->name);
		return XP_LOCAL;
	}
	if ((rc = resolve(r, s)) != XP_OK)
		return rc;
	*val = s->value;
	return XP_OK;
}

static int resolve(struct resolver *r, struct slot *s)
{
	struct buf b = { 0 };
	char msg[MCUPROV_ERR_MSG_MAX / 2 + 64];
	size_t off = 0;
	int rc;

	if (s->state == 2)
		return XP_OK;
	s->state = 1;
	r->stack[r->depth++] = s;
	rc = expand(s->raw, &b, slot_lookup, r, &off, msg, sizeof(msg));
	r->depth--;
	if (rc == XP_LOCAL) {
		fail_in(r->l, s->node, off, "%s: %s", s->where, msg);
		rc = XP_REPORTED;
	}
	if (rc != XP_OK) {
		free(b.s);
		return rc;
	}
	s->state = 2;
	s->value = b.s;
	return XP_OK;
}

/* ---- the schema: keys ---------------------------------------------------- */

static const char *const sign_types =
	"rsa-2048, rsa-3072, ecdsa-p256, ecdsa-p384, ed25519";

/* PATH made absolute against the project directory. */
static int abs_path(struct ld *l, const char *base, const char *path, char **out)
{
	size_t n;

	if (path[0] == '/')
		base = NULL;
	n = (base ? strlen(base) + 1 : 0) + strlen(path) + 1;
	if ((*out = malloc(n)) == NULL)
		return err_set(l->err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
	snprintf(*out, n, "%s%s%s", base ? base : "", base ? "/" : "", path);
	return 0;
}

/* keys[I].passin (node N, WHERE "keys[I].passin") into K->passin: env:NAME
 * as it is, file:PATH with PATH made absolute against the project
 * directory.  A value that is no source is never shown in the message: it
 * may be a password written where its source belongs. */
static int parse_passin(struct ld *l, const yaml_node_t *n, const char *where,
			struct project_key *k)
{
	char *src = NULL, *path = NULL;
	size_t n_src;
	int rc;

	if ((rc = get_string(l, n, where, "env:NAME or file:PATH", &src)) < 0)
		return rc;
	switch (passwd_source_kind(src)) {
	case PASSWD_ENV:
	case PASSWD_FILE:
		if (strcmp(src, "env:") == 0 || strcmp(src, "file:") == 0)
			rc = FAIL(l, n, "%s: expected env:NAME or file:PATH, got '%s'", where, src);
		else if (src[0] == 'e')
			k->passin = src, src = NULL;
		else if ((rc = abs_path(l, l->p->dir, src + 5, &path)) == 0) {
			n_src = strlen(path) + 6;
			if ((k->passin = malloc(n_src)) == NULL)
				rc = err_set(l->err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
			else
				snprintf(k->passin, n_src, "file:%s", path);
		}
		break;
	case PASSWD_PASS:
		rc = FAIL(l, n, "%s: a password in the project file is refused: use env:NAME or "
			  "file:PATH", where);
		break;
	case PASSWD_FD:
	case PASSWD_STDIN:
		rc = FAIL(l, n, "%s: expected env:NAME or file:PATH, got '%s' (read once, at the "
			  "command line: --passin)", where, src);
		break;
	default:
		rc = FAIL(l, n, "%s: expected env:NAME or file:PATH (where the password is, never "
			  "the password itself)", where);
	}
	free(src);
	free(path);
	return rc;
}

static int parse_keys(struct ld *l, const yaml_node_t *n)
{
	static const char *const names[] = { "path", "type", "passin", NULL };
	struct project *p = l->p;
	yaml_node_item_t *it;
	char g[SHOW_MAX + 16];
	size_t count, i;
	int rc;

	if (n->type != YAML_SEQUENCE_NODE)
		return FAIL(l, n,
			    "keys: expected a list of keys ({path: FILE, type: TYPE}), got %s",
			    got(n, g, sizeof(g)));
	count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (count == 0)
		return FAIL(l, n, "keys: expected at least one key, got an empty list");
	if (count > PROJECT_KEYS_MAX)
		return FAIL(l, n, "keys: %zu keys, at most %d", count, PROJECT_KEYS_MAX);
	if ((p->keys = calloc(count, sizeof(*p->keys))) == NULL)
		return err_set(l->err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
	for (it = n->data.sequence.items.start, i = 0; it < n->data.sequence.items.top; it++, i++) {
		const yaml_node_t *e = node_of(l, *it), *v[3];
		struct project_key *k = &p->keys[i];
		char where[WHERE_MAX], w[WHERE_MAX];
		char *type = NULL;

		p->n_keys = i + 1;
		k->mark.line = (unsigned)e->start_mark.line + 1;
		k->mark.column = (unsigned)e->start_mark.column + 1;
		wfmt(where, "keys[%zu]", i);
		if (e->type != YAML_MAPPING_NODE)
			return FAIL(l, e, "%s: expected a mapping {path: FILE, type: TYPE}, got %s",
				    where, got(e, g, sizeof(g)));
		if ((rc = get_fields(l, e, where, names, v, NULL)) < 0 ||
		    (rc = require(l, e, where, "path", v[0])) < 0 ||
		    (rc = require(l, e, where, "type", v[1])) < 0)
			return rc;
		wfmt(w, "%s.path", where);
		if ((rc = get_string(l, v[0], w, "a path", &k->path)) < 0)
			return rc;
		wfmt(w, "%s.type", where);
		if ((rc = get_string(l, v[1], w, "a key type", &type)) < 0)
			return rc;
		k->type = key_type_from_name(type);
		free(type);
		if (k->type == KEY_TYPE_NONE || !key_type_can_sign(k->type))
			return FAIL(l, v[1], "%s: expected one of %s, got %s", w, sign_types,
				    got(v[1], g, sizeof(g)));
		if (i > 0 && k->type != p->keys[0].type)
			return FAIL(l, v[1],
				    "%s: %s differs from keys[0].type %s (MCUboot is built for one "
				    "signature type)",
				    w, key_type_name(k->type), key_type_name(p->keys[0].type));
		for (size_t j = 0; j < i; j++)
			if (strcmp(p->keys[j].path, k->path) == 0)
				return FAIL(l, v[0], "%s.path: '%s' is also keys[%zu]", where,
					    show(k->path, strlen(k->path), g, sizeof(g)), j);
		if (pkcs11_is_uri(k->path)) {
			/* a key in a token is named, not found: its URI is used
			 * as written (never against the project directory) */
			if (pkcs11_uri_has_pin_value(k->path))
				return FAIL(l, v[0],
					    "%s.path: a PIN in the project file is refused: drop "
					    "pin-value from the URI and give the PIN with "
					    "pin-source=FILE in it or with %s.passin",
					    where, where);
			if ((k->abspath = strdup(k->path)) == NULL)
				return err_set(l->err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
		} else if ((rc = abs_path(l, p->dir, k->path, &k->abspath)) < 0) {
			return rc;
		}
		wfmt(w, "%s.passin", where);
		if (v[2] != NULL && (rc = parse_passin(l, v[2], w, k)) < 0)
			return rc;
	}
	return 0;
}

/* ---- bootloader and image ------------------------------------------------ */

/* The name part of a -D / -U argument ("NAME" or "NAME=VALUE"): its length. */
static size_t macro_name_len(const char *arg)
{
	return strcspn(arg, "=");
}

static bool same_macro(const char *a, const char *b)
{
	size_t n = macro_name_len(a);

	return n == macro_name_len(b) && strncmp(a, b, n) == 0;
}

/* Is ARG a -D (UNDEF: -U) argument as provisioning takes it?  The reason
 * in WHY when not. */
static bool macro_arg_ok(const char *arg, bool undef, char *why, size_t whysz)
{
	struct mcuprov_err e;

	err_clear(&e);
	if (provision_define_check(arg, undef, &e) == 0)
		return true;
	snprintf(why, whysz, "%s", e.msg);
	return false;
}

/* bootloader.defines (UNDEF: bootloader.undefines) N into *LIST. */
static int parse_macros(struct ld *l, const yaml_node_t *n, bool undef, char ***list, size_t *count)
{
	const char *where = undef ? "bootloader.undefines" : "bootloader.defines";
	const char *what = undef ? "a macro name" : "NAME or NAME=VALUE";
	char g[SHOW_MAX + 16], why[MCUPROV_ERR_MSG_MAX];
	yaml_node_item_t *it;
	size_t total, i;
	int rc;

	if (n->type != YAML_SEQUENCE_NODE)
		return FAIL(l, n, "%s: expected a list of %s, got %s", where,
			    undef ? "macro names" : "NAME or NAME=VALUE strings",
			    got(n, g, sizeof(g)));
	total = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (total > PROJECT_DEFINES_MAX)
		return FAIL(l, n, "%s: %zu entries, at most %d", where, total, PROJECT_DEFINES_MAX);
	if (total > 0 && (*list = calloc(total, sizeof(**list))) == NULL)
		return err_set(l->err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
	for (it = n->data.sequence.items.start, i = 0; it < n->data.sequence.items.top; it++, i++) {
		const yaml_node_t *e = node_of(l, *it);
		char w[WHERE_MAX];

		wfmt(w, "%s[%zu]", where, i);
		if ((rc = get_string(l, e, w, what, &(*list)[i])) < 0)
			return rc;
		*count = i + 1;
		if (!macro_arg_ok((*list)[i], undef, why, sizeof(why)))
			return FAIL(l, e, "%s: expected %s, got %s (%s)", w, what,
				    got(e, g, sizeof(g)), why);
	}
	return 0;
}

static int parse_bootloader(struct ld *l, const yaml_node_t *n)
{
	static const char *const names[] = { "tree", "keys_c", "conf", "defines", "undefines",
					     NULL };
	struct project_bootloader *b = &l->p->bootloader;
	const yaml_node_t *v[5], *k[5], *f;
	yaml_node_item_t *it;
	char *tree = NULL;
	size_t i, j;
	int rc;

	if ((rc = get_fields(l, n, "bootloader", names, v, k)) < 0)
		return rc;
	if (v[1] != NULL && v[2] != NULL)
		return FAIL(l, k[1]->start_mark.line > k[2]->start_mark.line ? k[1] : k[2],
			    "bootloader: give either keys_c or conf, not both");
	if (v[1] == NULL && v[2] == NULL)
		return FAIL(l, n,
			    "bootloader: missing required key 'keys_c' or 'conf' (the bootloader's "
			    "key file or Kconfig fragment)");
	if (v[0] != NULL &&
	    (rc = get_string(l, v[0], "bootloader.tree", "a directory", &b->tree)) < 0)
		return rc;
	b->kind = v[1] != NULL ? PROJECT_BOOT_KEYS_C : PROJECT_BOOT_CONF;
	f = v[1] != NULL ? v[1] : v[2];
	if ((rc = get_string(l, f, v[1] != NULL ? "bootloader.keys_c" : "bootloader.conf", "a path",
			     &b->file)) < 0)
		return rc;
	b->mark.line = (unsigned)f->start_mark.line + 1;
	b->mark.column = (unsigned)f->start_mark.column + 1;
	if ((v[3] != NULL && (rc = parse_macros(l, v[3], false, &b->defines, &b->n_defines)) < 0) ||
	    (v[4] != NULL && (rc = parse_macros(l, v[4], true, &b->undefs, &b->n_undefs)) < 0))
		return rc;
	for (it = v[4] != NULL ? v[4]->data.sequence.items.start : NULL, i = 0; i < b->n_undefs;
	     it++, i++)
		for (j = 0; j < b->n_defines; j++)
			if (same_macro(b->undefs[i], b->defines[j]))
				return FAIL(l, node_of(l, *it),
					    "bootloader.undefines[%zu]: '%s' is also "
					    "bootloader.defines[%zu]",
					    i, b->undefs[i], j);
	if (b->tree != NULL && (rc = abs_path(l, l->p->dir, b->tree, &tree)) < 0)
		return rc;
	rc = abs_path(l, tree != NULL ? tree : l->p->dir, b->file, &b->path);
	free(tree);
	return rc;
}

static int parse_image(struct ld *l, const yaml_node_t *n)
{
	static const char *const names[] = { "header_size", "slot_size", "align", "version",
					     "security_counter", "pad", "confirm", "pad_header",
					     NULL };
	struct project_image *im = &l->p->image;
	const yaml_node_t *v[8];
	char g[SHOW_MAX + 16];
	uint32_t align = 1;
	int rc;

	if ((rc = get_fields(l, n, "image", names, v, NULL)) < 0 ||
	    (rc = require(l, n, "image", "header_size", v[0])) < 0 ||
	    (rc = require(l, n, "image", "slot_size", v[1])) < 0 ||
	    (rc = require(l, n, "image", "version", v[3])) < 0)
		return rc;
	if ((rc = get_u32(l, v[0], "image.header_size", "", &im->header_size)) < 0)
		return rc;
	if (im->header_size < IMAGE_HEADER_SIZE || im->header_size > 0xffff)
		return FAIL(l, v[0], "image.header_size: %s is out of range (0x20 to 0xffff)",
			    got(v[0], g, sizeof(g)));
	if ((rc = get_u32(l, v[1], "image.slot_size", "", &im->slot_size)) < 0)
		return rc;
	if (im->slot_size <= im->header_size)
		return FAIL(l, v[1],
			    "image.slot_size: %s is not larger than image.header_size (0x%x)",
			    got(v[1], g, sizeof(g)), im->header_size);
	if (v[2] != NULL && (rc = get_u32(l, v[2], "image.align", "", &align)) < 0)
		return rc;
	if (align != 1 && align != 2 && align != 4 && align != 8 && align != 16 && align != 32)
		return FAIL(l, v[2], "image.align: expected 1, 2, 4, 8, 16 or 32, got %s",
			    got(v[2], g, sizeof(g)));
	im->align = align;
	if ((rc = get_string(l, v[3], "image.version", "a version MAJOR.MINOR.REVISION+BUILD",
			     &im->version_text)) < 0)
		return rc;
	if (image_version_parse(im->version_text, &im->version, NULL) < 0)
		return FAIL(l, v[3],
			    "image.version: expected MAJOR.MINOR.REVISION+BUILD (at most "
			    "255.255.65535+4294967295), got %s",
			    got(v[3], g, sizeof(g)));
	if (v[4] != NULL) {
		im->has_security_counter = true;
		if (v[4]->type == YAML_SCALAR_NODE && strcmp(sval(v[4]), "auto") == 0)
			im->security_counter_auto = true;
		else if ((rc = get_u32(l, v[4], "image.security_counter", " or 'auto'",
				       &im->security_counter)) < 0)
			return rc;
	}
	if ((v[5] != NULL && (rc = get_bool(l, v[5], "image.pad", &im->pad)) < 0) ||
	    (v[6] != NULL && (rc = get_bool(l, v[6], "image.confirm", &im->confirm)) < 0) ||
	    (v[7] != NULL && (rc = get_bool(l, v[7], "image.pad_header", &im->pad_header)) < 0))
		return rc;
	return 0;
}

/* ---- targets ------------------------------------------------------------- */

static bool valid_target_name(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > PROJECT_NAME_MAX || s[0] == '.' || s[0] == '-')
		return false;
	for (i = 0; i < n; i++)
		if (!ident_char(s[i], false) && s[i] != '-' && s[i] != '.')
			return false;
	return true;
}

static int parse_vars(struct ld *l, const yaml_node_t *n, const char *tw,
		      struct project_target *t)
{
	static const char *const reserved[] = { "key", "app", "signed_app", "project_dir", NULL };
	yaml_node_pair_t *pair;
	char g[SHOW_MAX + 16], v[SHOW_MAX + 8];
	size_t count, i, j;
	int rc;

	if (n->type != YAML_MAPPING_NODE)
		return FAIL(l, n, "%s.vars: expected a mapping of names to strings, got %s", tw,
			    got(n, g, sizeof(g)));
	count = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
	if (count > PROJECT_VARS_MAX)
		return FAIL(l, n, "%s.vars: %zu vars, at most %d", tw, count, PROJECT_VARS_MAX);
	if (count > 0 && (t->vars = calloc(count, sizeof(*t->vars))) == NULL)
		return err_set(l->err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
	for (pair = n->data.mapping.pairs.start, i = 0; pair < n->data.mapping.pairs.top;
	     pair++, i++) {
		const yaml_node_t *k = node_of(l, pair->key), *val = node_of(l, pair->value);
		struct project_var *var = &t->vars[i];
		char where[WHERE_MAX];

		if (k->type != YAML_SCALAR_NODE)
			return FAIL(l, k, "%s.vars: expected a variable name, got %s", tw,
				    got(k, g, sizeof(g)));
		if (!valid_ident(sval(k), k->data.scalar.length))
			return FAIL(l, k,
				    "%s.vars: invalid variable name '%s' (letters, digits and '_', "
				    "not starting with a digit, at most %d)",
				    tw, show(sval(k), k->data.scalar.length, v, sizeof(v)),
				    PROJECT_NAME_MAX);
		for (j = 0; reserved[j] != NULL; j++)
			if (strcmp(sval(k), reserved[j]) == 0)
				return FAIL(l, k, "%s.vars: '%s' is built in and cannot be set%s",
					    tw, reserved[j],
					    j == 1 || j == 2 ? " here (it is the target's own key)"
							     : "");
		for (j = 0; j < i; j++)
			if (strcmp(t->vars[j].name, sval(k)) == 0)
				return FAIL(l, k, "%s.vars: duplicate key '%s' (first at line %u)",
					    tw, sval(k), t->vars[j].mark.line);
		t->n_vars = i + 1;
		if ((rc = dup_scalar(l, k, tw, &var->name)) < 0)
			return rc;
		var->mark.line = (unsigned)k->start_mark.line + 1;
		wfmt(where, "%s.vars.%s", tw, var->name);
		if (val->type != YAML_SCALAR_NODE || is_null(val))
			return FAIL(l, val, "%s: expected a string, got %s", where,
				    got(val, g, sizeof(g)));
		if ((rc = dup_scalar(l, val, where, &var->raw)) < 0)
			return rc;
		var->mark.line = (unsigned)val->start_mark.line + 1;
		var->mark.column = (unsigned)val->start_mark.column + 1;
	}
	return 0;
}

/* Step E of the list N (at WHERE) is a string: a command line written as
 * one word, or the words of one argv where a list of argvs belongs. */
static int step_is_string(struct ld *l, const yaml_node_t *n, const yaml_node_t *e,
			  const char *where)
{
	char g[SHOW_MAX + 16], hint[MCUPROV_ERR_MSG_MAX / 2];
	yaml_node_item_t *w;
	size_t o = 0;

	if (strpbrk(sval(e), " \t\n") != NULL)
		return FAIL(l, e,
			    "%s: expected a list of words (an argv), got a string; write %s not "
			    "\"%s\"",
			    where, hint_split(sval(e), hint, sizeof(hint)),
			    show(sval(e), e->data.scalar.length, g, sizeof(g)));
	for (w = n->data.sequence.items.start; w < n->data.sequence.items.top; w++)
		if (node_of(l, *w)->type != YAML_SCALAR_NODE)
			return FAIL(l, e, "%s: expected a list of words (an argv), got a string",
				    where);
	/* [west, flash]: one argv where a list of them belongs */
	o += (size_t)snprintf(hint, sizeof(hint), "[[");
	for (w = n->data.sequence.items.start; w < n->data.sequence.items.top; w++) {
		const yaml_node_t *x = node_of(l, *w);

		if (w != n->data.sequence.items.start)
			str_appendf(hint, sizeof(hint), &o, ", ");
		hint_word(sval(x), x->data.scalar.length, hint, sizeof(hint), &o);
	}
	str_appendf(hint, sizeof(hint), &o, "]]");
	return FAIL(l, e,
		    "%s: expected a list of words (an argv), got a string; for one step write %s",
		    where, hint);
}

/* Step list N at WHERE into S; the words are checked (expanded) later. */
static int parse_steps(struct ld *l, const yaml_node_t *n, const char *where,
		       struct project_steps *s)
{
	char g[SHOW_MAX + 16], hint[MCUPROV_ERR_MSG_MAX / 2];
	yaml_node_item_t *it, *w;
	size_t count, i, j;
	int rc;

	if (n->type == YAML_SCALAR_NODE && !is_null(n))
		return FAIL(l, n,
			    "%s: expected a list of steps (each a list of words), got a string; "
			    "write [%s] not \"%s\"",
			    where, hint_split(sval(n), hint, sizeof(hint)),
			    show(sval(n), n->data.scalar.length, g, sizeof(g)));
	if (n->type != YAML_SEQUENCE_NODE)
		return FAIL(l, n, "%s: expected a list of steps (each a list of words), got %s",
			    where, got(n, g, sizeof(g)));
	count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (count > PROJECT_STEPS_MAX)
		return FAIL(l, n, "%s: %zu steps, at most %d", where, count, PROJECT_STEPS_MAX);
	if (count > 0 && (s->v = calloc(count, sizeof(*s->v))) == NULL)
		return err_set(l->err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
	for (it = n->data.sequence.items.start, i = 0; it < n->data.sequence.items.top; it++, i++) {
		const yaml_node_t *e = node_of(l, *it);
		struct project_step *st = &s->v[i];
		char sw[WHERE_MAX];
		size_t argc;

		wfmt(sw, "%s[%zu]", where, i);
		s->n = i + 1;
		st->mark.line = (unsigned)e->start_mark.line + 1;
		st->mark.column = (unsigned)e->start_mark.column + 1;
		if (e->type == YAML_SCALAR_NODE && !is_null(e))
			return step_is_string(l, n, e, sw);
		if (e->type != YAML_SEQUENCE_NODE ||
		    e->data.sequence.items.top == e->data.sequence.items.start)
			return FAIL(l, e, "%s: expected a list of words (an argv), got %s", sw,
				    got(e, g, sizeof(g)));
		argc = (size_t)(e->data.sequence.items.top - e->data.sequence.items.start);
		if (argc > PROJECT_ARGV_MAX)
			return FAIL(l, e, "%s: %zu words, at most %d", sw, argc, PROJECT_ARGV_MAX);
		if ((l->words += argc) > PROJECT_TOTAL_WORDS)
			return FAIL(l, e, "%s: more than %d words in all steps (aliases?)", sw,
				    PROJECT_TOTAL_WORDS);
		if ((st->argv = calloc(argc + 1, sizeof(*st->argv))) == NULL)
			return err_set(l->err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
		for (w = e->data.sequence.items.start, j = 0; w < e->data.sequence.items.top;
		     w++, j++) {
			const yaml_node_t *x = node_of(l, *w);
			char ww[WHERE_MAX];

			wfmt(ww, "%s[%zu]", sw, j);
			if (x->type != YAML_SCALAR_NODE || is_null(x))
				return FAIL(l, x, "%s: expected a word (a string), got %s%s", ww,
					    got(x, g, sizeof(g)),
					    is_null(x) ? " (write \"\" for an empty word)" : "");
			if (j == 0 && x->data.scalar.length == 0)
				return FAIL(l, x, "%s: the program name is empty", ww);
			if (x->data.scalar.length > PROJECT_WORD_MAX)
				return FAIL(l, x, "%s: longer than %d bytes", ww, PROJECT_WORD_MAX);
			if ((rc = dup_scalar(l, x, ww, &st->argv[j])) < 0)
				return rc;
			st->argc = j + 1;
		}
	}
	return 0;
}

static int lookup_target(void *arg, const char *name, const char **val, char *msg, size_t msgsz)
{
	struct resolver *r = arg;

	return flat_lookup(r->l->p, r->t, name, val, msg, msgsz);
}

/* Expand every word of S (at WHERE; step nodes from N) to find unknown
 * variables before anything runs. */
static int check_steps(struct resolver *r, const yaml_node_t *n, const char *where,
		       const struct project_steps *s)
{
	char msg[MCUPROV_ERR_MSG_MAX / 2 + 64];
	yaml_node_item_t *it, *w;
	size_t i, j, off = 0;
	int rc;

	if (n == NULL)
		return 0;
	for (it = n->data.sequence.items.start, i = 0; i < s->n; it++, i++) {
		const yaml_node_t *e = node_of(r->l, *it);

		for (w = e->data.sequence.items.start, j = 0; j < s->v[i].argc; w++, j++) {
			struct buf b = { 0 };

			rc = expand(s->v[i].argv[j], &b, lookup_target, r, &off, msg, sizeof(msg));
			free(b.s);
			if (rc == XP_LOCAL)
				return fail_in(r->l, node_of(r->l, *w), off, "%s[%zu][%zu]: %s",
					       where, i, j, msg);
			if (rc < 0)
				return err_set(r->l->err, rc, NULL, "out of memory");
		}
	}
	return 0;
}

enum { F_VARS, F_BOOT_BUILD, F_APP_BUILD, F_APP, F_SIGNED_APP, F_FLASH, F_RUN, F_N };

static int parse_target(struct ld *l, const yaml_node_t *kn, const yaml_node_t *n,
			struct project_target *t)
{
	static const char *const names[] = { "vars",	   "bootloader_build", "app_build", "app",
					     "signed_app", "flash",	       "run",	    NULL };
	const yaml_node_t *v[F_N];
	struct resolver r = { .l = l, .t = t };
	char tw[WHERE_MAX], where[WHERE_MAX];
	struct project_steps *steps[F_N] = { NULL };
	size_t i;
	int rc;

	wfmt(tw, "targets.%s", t->name);
	steps[F_BOOT_BUILD] = &t->bootloader_build;
	steps[F_APP_BUILD] = &t->app_build;
	steps[F_FLASH] = &t->flash;
	steps[F_RUN] = &t->run;
	if (n->type == YAML_SCALAR_NODE && is_null(n))
		return FAIL(l, kn,
			    "%s: expected a mapping with the keys app, signed_app and steps, "
			    "got nothing",
			    tw);
	if ((rc = get_fields(l, n, tw, names, v, NULL)) < 0 ||
	    (rc = require(l, n, tw, "app", v[F_APP])) < 0 ||
	    (rc = require(l, n, tw, "signed_app", v[F_SIGNED_APP])) < 0)
		return rc;
	if (v[F_VARS] != NULL && (rc = parse_vars(l, v[F_VARS], tw, t)) < 0)
		return rc;
	wfmt(where, "%s.app", tw);
	if ((rc = get_string(l, v[F_APP], where, "a path", &t->app_raw)) < 0)
		return rc;
	wfmt(where, "%s.signed_app", tw);
	if ((rc = get_string(l, v[F_SIGNED_APP], where, "a path", &t->signed_app_raw)) < 0)
		return rc;
	for (i = 0; i < F_N; i++) {
		if (steps[i] == NULL || v[i] == NULL)
			continue;
		wfmt(where, "%s.%s", tw, names[i]);
		if ((rc = parse_steps(l, v[i], where, steps[i])) < 0)
			return rc;
	}

	/* resolve vars, app and signed_app (in file order, then app, signed_app) */
	r.n = t->n_vars + 2;
	if ((r.slots = calloc(r.n, sizeof(*r.slots))) == NULL)
		return err_set(l->err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
	for (i = 0; i < t->n_vars; i++) {
		r.slots[i].name = t->vars[i].name;
		r.slots[i].raw = t->vars[i].raw;
		wfmt(r.slots[i].where, "%s.vars.%s", tw, t->vars[i].name);
	}
	for (i = 0; v[F_VARS] != NULL && i < t->n_vars; i++)
		r.slots[i].node = node_of(l, v[F_VARS]->data.mapping.pairs.start[i].value);
	r.slots[t->n_vars] = (struct slot){ .name = "app", .raw = t->app_raw, .node = v[F_APP] };
	wfmt(r.slots[t->n_vars].where, "%s.app", tw);
	r.slots[t->n_vars + 1] = (struct slot){ .name = "signed_app",
						.raw = t->signed_app_raw,
						.node = v[F_SIGNED_APP] };
	wfmt(r.slots[t->n_vars + 1].where, "%s.signed_app", tw);
	/* build_dir and board are built-ins that vars may set */
	for (i = 0; i < r.n && rc == 0; i++) {
		rc = resolve(&r, &r.slots[i]);
		if (rc == XP_REPORTED)
			rc = MCUPROV_ERR_FORMAT;
		else if (rc < 0)
			rc = err_set(l->err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
	}
	for (i = 0; i < t->n_vars; i++) {
		t->vars[i].value = r.slots[i].value;
		r.slots[i].value = NULL;
	}
	t->app = r.slots[t->n_vars].value;
	t->signed_app = r.slots[t->n_vars + 1].value;
	r.slots[t->n_vars].value = r.slots[t->n_vars + 1].value = NULL;
	free(r.slots);
	if (rc < 0)
		return rc;
	for (i = 0; i < t->n_vars; i++) {
		if (strcmp(t->vars[i].name, "board") == 0)
			t->board = t->vars[i].value;
		if (strcmp(t->vars[i].name, "build_dir") == 0)
			t->build_dir = t->vars[i].value;
	}
	/* t->board and t->build_dir point into vars when set there */
	if (t->build_dir == NULL)
		t->build_dir = "build";
	if (t->app[0] == '\0')
		return FAIL(l, v[F_APP], "%s.app: expands to an empty path", tw);
	if (t->signed_app[0] == '\0')
		return FAIL(l, v[F_SIGNED_APP], "%s.signed_app: expands to an empty path", tw);
	for (i = 0; i < F_N; i++) {
		if (steps[i] == NULL)
			continue;
		wfmt(where, "%s.%s", tw, names[i]);
		if ((rc = check_steps(&r, v[i], where, steps[i])) < 0)
			return rc;
	}
	return 0;
}

static int parse_targets(struct ld *l, const yaml_node_t *n)
{
	struct project *p = l->p;
	yaml_node_pair_t *pair;
	char g[SHOW_MAX + 16];
	size_t count, i, j;
	int rc;

	if (n->type != YAML_MAPPING_NODE)
		return FAIL(l, n, "targets: expected a mapping of target names to targets, got %s",
			    got(n, g, sizeof(g)));
	count = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
	if (count > PROJECT_TARGETS_MAX)
		return FAIL(l, n, "targets: %zu targets, at most %d", count, PROJECT_TARGETS_MAX);
	if (count > 0 && (p->targets = calloc(count, sizeof(*p->targets))) == NULL)
		return err_set(l->err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
	for (pair = n->data.mapping.pairs.start, i = 0; pair < n->data.mapping.pairs.top;
	     pair++, i++) {
		const yaml_node_t *k = node_of(l, pair->key);
		struct project_target *t = &p->targets[i];

		if (k->type != YAML_SCALAR_NODE)
			return FAIL(l, k, "targets: expected a target name, got %s",
				    got(k, g, sizeof(g)));
		if (!valid_target_name(sval(k), k->data.scalar.length))
			return FAIL(l, k,
				    "targets: invalid target name %s (letters, digits, '_', '-' "
				    "and '.', at most %d)",
				    got(k, g, sizeof(g)), PROJECT_NAME_MAX);
		for (j = 0; j < i; j++)
			if (strcmp(p->targets[j].name, sval(k)) == 0)
				return FAIL(l, k, "targets: duplicate key '%s' (first at line %u)",
					    sval(k), p->targets[j].mark.line);
		p->n_targets = i + 1;
		if ((rc = dup_scalar(l, k, "targets", &t->name)) < 0)
			return rc;
		t->mark.line = (unsigned)k->start_mark.line + 1;
		t->mark.column = (unsigned)k->start_mark.column + 1;
		if ((rc = parse_target(l, k, node_of(l, pair->value), t)) < 0)
			return rc;
	}
	return 0;
}

/* "a, b, c": the target names. */
static const char *target_list(const struct project *p, char *out, size_t size)
{
	size_t i, o = 0;

	out[0] = '\0';
	for (i = 0; i < p->n_targets; i++)
		str_appendf(out, size, &o, "%s%s", i ? ", " : "", p->targets[i].name);
	return out;
}

/* ---- the document -------------------------------------------------------- */

enum { R_VERSION, R_KEYS, R_ENC, R_BOOT, R_IMAGE, R_DEFAULT, R_TARGETS, R_N };

static int parse_root(struct ld *l, const yaml_node_t *root)
{
	static const char *const names[] = { "version",	       "keys",	  "encryption_key",
					     "bootloader",     "image",	  "default_target",
					     "targets",	       NULL };
	struct project *p = l->p;
	const yaml_node_t *v[R_N];
	yaml_node_pair_t *pair;
	char g[SHOW_MAX + 16], list[MCUPROV_ERR_MSG_MAX / 2];
	uint32_t version;
	size_t i;
	int rc;

	/* the version first: a newer file should say so, not fail on a key */
	if (root->type == YAML_MAPPING_NODE)
		for (pair = root->data.mapping.pairs.start; pair < root->data.mapping.pairs.top;
		     pair++) {
			const yaml_node_t *k = node_of(l, pair->key),
					  *val = node_of(l, pair->value);

			if (k->type != YAML_SCALAR_NODE || strcmp(sval(k), "version") != 0)
				continue;
			if (get_u32(l, val, "version", "", &version) < 0)
				return MCUPROV_ERR_FORMAT;
			if (version != PROJECT_VERSION)
				return FAIL(l, val,
					    "version: unsupported version %u (this mcuprov reads "
					    "version %d)",
					    version, PROJECT_VERSION);
			p->version = version;
			break;
		}
	if ((rc = get_fields(l, root, "", names, v, NULL)) < 0 ||
	    (rc = require(l, root, "", "version", v[R_VERSION])) < 0 ||
	    (rc = require(l, root, "", "keys", v[R_KEYS])) < 0 ||
	    (rc = require(l, root, "", "image", v[R_IMAGE])) < 0)
		return rc;
	if ((rc = parse_keys(l, v[R_KEYS])) < 0)
		return rc;
	if (v[R_ENC] != NULL) {
		rc = get_string(l, v[R_ENC], "encryption_key", "a path", &p->encryption_key);
		if (rc < 0)
			return rc;
		for (i = 0; i < p->n_keys; i++)
			if (strcmp(p->keys[i].path, p->encryption_key) == 0)
				return FAIL(l, v[R_ENC],
					    "encryption_key: '%s' is also keys[%zu] (a signing key "
					    "must not be the encryption key)",
					    show(p->encryption_key, strlen(p->encryption_key), g,
						 sizeof(g)),
					    i);
		if (pkcs11_is_uri(p->encryption_key))
			return FAIL(l, v[R_ENC],
				    "encryption_key: the bootloader embeds the encryption key's "
				    "private half, so it cannot live in a token: name a key file");
		if ((rc = abs_path(l, p->dir, p->encryption_key, &p->encryption_key_abspath)) < 0)
			return rc;
	}
	if (v[R_BOOT] != NULL && (rc = parse_bootloader(l, v[R_BOOT])) < 0)
		return rc;
	if ((rc = parse_image(l, v[R_IMAGE])) < 0)
		return rc;
	if (v[R_DEFAULT] != NULL &&
	    (rc = get_string(l, v[R_DEFAULT], "default_target", "a target name",
			     &p->default_target)) < 0)
		return rc;
	if (v[R_TARGETS] != NULL && (rc = parse_targets(l, v[R_TARGETS])) < 0)
		return rc;
	if (p->default_target != NULL && project_target(p, p->default_target) == NULL)
		return FAIL(l, v[R_DEFAULT], "default_target: no target '%s' (%s%s)",
			    show(p->default_target, strlen(p->default_target), g, sizeof(g)),
			    p->n_targets ? "targets: " : "no targets",
			    target_list(p, list, sizeof(list)));
	return 0;
}

/* Line and column (1-based) of byte OFF of the text. */
static void offset_mark(const struct ld *l, size_t off, size_t *line, size_t *col)
{
	size_t i, bol = 0;

	*line = 1;
	for (i = 0; i < off && i < l->len; i++)
		if (l->text[i] == '\n') {
			(*line)++;
			bol = i + 1;
		}
	*col = utf8_chars(l->text + bol, (off < l->len ? off : l->len) - bol) + 1;
}

/* Does line LINE (1-based) of the text hold an unquoted-looking "${"?
 * Inside [...] a plain ${name} is a YAML error ('{' opens a mapping). */
static bool line_has_var(const struct ld *l, size_t line)
{
	size_t i = 0, n = 1, end;

	while (n < line && i < l->len)
		if (l->text[i++] == '\n')
			n++;
	for (end = i; end < l->len && l->text[end] != '\n'; end++)
		;
	for (; i + 1 < end; i++)
		if (l->text[i] == '$' && l->text[i + 1] == '{' &&
		    (i == 0 || (l->text[i - 1] != '"' && l->text[i - 1] != '\'')))
			return true;
	return false;
}

static int syntax_error(struct ld *l, const yaml_parser_t *yp)
{
	const char *hint = "";
	size_t line, col;

	switch (yp->error) {
	case YAML_MEMORY_ERROR: return err_set(l->err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
	case YAML_READER_ERROR:
		offset_mark(l, yp->problem_offset, &line, &col);
		if (yp->problem_value != -1)
			return fail_at(l, line, col, "%s (byte 0x%02x)", yp->problem,
				       (unsigned)yp->problem_value & 0xff);
		return fail_at(l, line, col, "%s", yp->problem ? yp->problem : "unreadable input");
	default:
		if (line_has_var(l, yp->problem_mark.line + 1))
			hint = "; inside [...] put a word with ${...} in quotes: \"${name}\"";
		if (yp->context != NULL)
			return fail_at(l, yp->problem_mark.line + 1, yp->problem_mark.column + 1,
				       "%s (%s at line %zu, column %zu)%s",
				       yp->problem ? yp->problem : "syntax error", yp->context,
				       yp->context_mark.line + 1, yp->context_mark.column + 1,
				       hint);
		return fail_at(l, yp->problem_mark.line + 1, yp->problem_mark.column + 1, "%s%s",
			       yp->problem ? yp->problem : "syntax error", hint);
	}
}

/* DIR (NULL: the directory part of NAME) made absolute. */
static int project_dir(const char *name, const char *dir, char **out, struct mcuprov_err *err)
{
	char *d = NULL, *real, cwd[PATH_MAX];
	const char *slash;
	size_t n;

	if (dir == NULL) {
		slash = strrchr(name, '/');
		if (slash == NULL)
			d = strdup(".");
		else if (slash == name)
			d = strdup("/");
		else
			d = strndup(name, (size_t)(slash - name));
	} else {
		d = strdup(dir);
	}
	if (d == NULL)
		return err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
	if ((real = realpath(d, NULL)) != NULL) {
		free(d);
		*out = real;
		return 0;
	}
	if (d[0] == '/') {
		*out = d;
		return 0;
	}
	if (getcwd(cwd, sizeof(cwd)) == NULL) {
		err_set(err, MCUPROV_ERR_IO, NULL, "cannot find the working directory: %s",
			strerror(errno));
		free(d);
		return MCUPROV_ERR_IO;
	}
	n = strlen(cwd) + strlen(d) + 2;
	if ((*out = malloc(n)) != NULL)
		snprintf(*out, n, "%s/%s", cwd, d);
	free(d);
	return *out != NULL ? 0 : err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
}

int project_load_mem(const char *name, const char *dir, const char *text, size_t len,
		     struct project **out, struct mcuprov_err *err)
{
	struct ld l = { .name = name, .text = text, .len = len, .err = err };
	yaml_parser_t yp;
	yaml_document_t doc, doc2;
	bool parser = false, have_doc = false;
	const yaml_node_t *root;
	struct project *p;
	size_t line, column;
	char msg[64];
	int rc;

	*out = NULL;
	if (len > PROJECT_FILE_MAX)
		return err_set(err, MCUPROV_ERR_FORMAT, name,
			       "file too large (%zu bytes, limit %d)", len, PROJECT_FILE_MAX);
	if ((p = calloc(1, sizeof(*p))) == NULL || (p->file = strdup(name)) == NULL) {
		free(p);
		return err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
	}
	l.p = p;
	if ((rc = project_dir(name, dir, &p->dir, err)) < 0)
		goto out;
	if (!yaml_parser_initialize(&yp)) {
		rc = err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
		goto out;
	}
	parser = true;
	/* depth and size bounded before libyaml builds the document */
	switch (yamledit_check_bounds(text, len, &line, &column, msg, sizeof(msg))) {
	case 0: break;
	case MCUPROV_ERR_NOMEM:
		rc = err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
		goto out;
	default: rc = fail_at(&l, line, column, "%s", msg); goto out;
	}
	yaml_parser_set_input_string(&yp, (const unsigned char *)text, len);
	if (!yaml_parser_load(&yp, &doc)) {
		rc = syntax_error(&l, &yp);
		goto out;
	}
	have_doc = true;
	l.doc = &doc;
	if ((root = yaml_document_get_root_node(&doc)) == NULL) {
		rc = fail_at(
			&l, 1, 1,
			"empty file (expected a mapping with at least version, keys and image)");
		goto out;
	}
	if (!yaml_parser_load(&yp, &doc2)) {
		rc = syntax_error(&l, &yp);
		goto out;
	}
	if (yaml_document_get_root_node(&doc2) != NULL) {
		rc = fail_at(&l, doc2.start_mark.line + 1, doc2.start_mark.column + 1,
			     "a second YAML document (the project file holds one)");
		yaml_document_delete(&doc2);
		goto out;
	}
	yaml_document_delete(&doc2);
	if ((rc = parse_root(&l, root)) < 0)
		goto out;
	*out = p;
	p = NULL;
	rc = 0;
out:
	if (have_doc)
		yaml_document_delete(&doc);
	if (parser)
		yaml_parser_delete(&yp);
	project_free(p);
	return rc;
}

int project_load(const char *path, struct project **out, struct mcuprov_err *err)
{
	uint8_t *text = NULL;
	size_t len = 0;
	struct stat st;
	int rc;

	*out = NULL;
	rc = file_read(path, PROJECT_FILE_MAX, &text, &len, NULL, err);
	if (rc == MCUPROV_ERR_FORMAT && stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_size == 0)
		return project_load_mem(path, NULL, "", 0, out, err); /* "empty file" */
	if (rc < 0)
		return rc;
	rc = project_load_mem(path, NULL, (const char *)text, len, out, err);
	free(text);
	return rc;
}

/* ---- the loaded project -------------------------------------------------- */

static void steps_free(struct project_steps *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		project_argv_free(s->v[i].argv);
	free(s->v);
}

void project_free(struct project *p)
{
	size_t i, j;

	if (p == NULL)
		return;
	for (i = 0; i < p->n_keys; i++) {
		free(p->keys[i].path);
		free(p->keys[i].abspath);
		free(p->keys[i].passin);
	}
	free(p->keys);
	free(p->encryption_key);
	free(p->encryption_key_abspath);
	free(p->bootloader.tree);
	free(p->bootloader.file);
	free(p->bootloader.path);
	for (i = 0; i < p->bootloader.n_defines; i++)
		free(p->bootloader.defines[i]);
	free(p->bootloader.defines);
	for (i = 0; i < p->bootloader.n_undefs; i++)
		free(p->bootloader.undefs[i]);
	free(p->bootloader.undefs);
	free(p->image.version_text);
	free(p->default_target);
	for (i = 0; i < p->n_targets; i++) {
		struct project_target *t = &p->targets[i];

		for (j = 0; j < t->n_vars; j++) {
			free(t->vars[j].name);
			free(t->vars[j].value);
			free(t->vars[j].raw);
		}
		free(t->vars);
		steps_free(&t->bootloader_build);
		steps_free(&t->app_build);
		steps_free(&t->flash);
		steps_free(&t->run);
		free(t->app);
		free(t->signed_app);
		free(t->app_raw);
		free(t->signed_app_raw);
		free(t->name);
		/* board and build_dir point into vars or at a literal */
	}
	free(p->targets);
	free(p->file);
	free(p->dir);
	free(p);
}

const struct project_target *project_target(const struct project *p, const char *name)
{
	size_t i;

	if (name == NULL)
		name = p->default_target;
	if (name == NULL)
		return p->n_targets == 1 ? &p->targets[0] : NULL;
	for (i = 0; i < p->n_targets; i++)
		if (strcmp(p->targets[i].name, name) == 0)
			return &p->targets[i];
	return NULL;
}

int project_target_get(const struct project *p, const char *name,
		       const struct project_target **out, struct mcuprov_err *err)
{
	char list[MCUPROV_ERR_MSG_MAX / 2];

	if ((*out = project_target(p, name)) != NULL)
		return 0;
	if (p->n_targets == 0)
		return err_set(err, MCUPROV_ERR_USAGE, p->file, "no targets");
	target_list(p, list, sizeof(list));
	if (name == NULL)
		return err_set(err, MCUPROV_ERR_USAGE, p->file,
			       "several targets and no default_target: name one (%s)", list);
	return err_set(err, MCUPROV_ERR_USAGE, p->file, "no target '%s' (targets: %s)", name, list);
}

const char *project_lookup(const struct project *p, const struct project_target *t,
			   const char *name)
{
	const char *val = NULL;
	char msg[8];

	return flat_lookup(p, t, name, &val, msg, sizeof(msg)) == XP_OK ? val : NULL;
}

struct flat_arg {
	const struct project *p;
	const struct project_target *t;
};

static int flat_fn(void *arg, const char *name, const char **val, char *msg, size_t msgsz)
{
	const struct flat_arg *a = arg;

	return flat_lookup(a->p, a->t, name, val, msg, msgsz);
}

void project_argv_free(char **argv)
{
	size_t i;

	if (argv == NULL)
		return;
	for (i = 0; argv[i] != NULL; i++)
		free(argv[i]);
	free(argv);
}

int project_expand(const struct project *p, const struct project_target *t,
		   const char *const *argv_template, char ***out_argv, struct mcuprov_err *err)
{
	struct flat_arg a = { p, t };
	char msg[MCUPROV_ERR_MSG_MAX / 2], v[SHOW_MAX + 8];
	char **argv = NULL;
	size_t n = 0, i, off = 0;
	int rc = 0;

	*out_argv = NULL;
	while (argv_template[n] != NULL)
		if (++n > PROJECT_ARGV_MAX)
			return err_set(err, MCUPROV_ERR_FORMAT, NULL,
				       "more than %d words in an argv", PROJECT_ARGV_MAX);
	if (n == 0)
		return err_set(err, MCUPROV_ERR_FORMAT, NULL, "an empty argv");
	if ((argv = calloc(n + 1, sizeof(*argv))) == NULL)
		return err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
	for (i = 0; i < n; i++) {
		struct buf b = { 0 };

		rc = expand(argv_template[i], &b, flat_fn, &a, &off, msg, sizeof(msg));
		if (rc == XP_LOCAL) {
			rc = err_set(err, MCUPROV_ERR_FORMAT, NULL, "argv[%zu] '%s': %s", i,
				     show(argv_template[i], strlen(argv_template[i]), v, sizeof(v)),
				     msg);
		} else if (rc < 0) {
			rc = err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
		}
		if (rc != 0) {
			free(b.s);
			goto out;
		}
		argv[i] = b.s;
	}
	*out_argv = argv;
	argv = NULL;
out:
	project_argv_free(argv);
	return rc;
}

int project_path(const struct project *p, const char *rel, char *out, size_t n)
{
	int len;

	if (rel[0] == '/')
		len = snprintf(out, n, "%s", rel);
	else
		len = snprintf(out, n, "%s/%s", p->dir, rel);
	if (len < 0 || (size_t)len >= n)
		return MCUPROV_ERR_USAGE;
	return 0;
}

/* Drop every entry of LIST (*count of them) for ARG's macro name. */
static void drop_macro(char **list, size_t *count, const char *arg)
{
	size_t i, k = 0;

	for (i = 0; i < *count; i++)
		if (same_macro(list[i], arg))
			free(list[i]);
		else
			list[k++] = list[i];
	*count = k;
}

int project_define(struct project *p, const char *arg, bool undef, struct mcuprov_err *err)
{
	struct project_bootloader *b = &p->bootloader;
	char why[MCUPROV_ERR_MSG_MAX], ***list = undef ? &b->undefs : &b->defines, **nv, *copy;
	size_t *count = undef ? &b->n_undefs : &b->n_defines;

	if (!macro_arg_ok(arg, undef, why, sizeof(why)))
		return err_set(err, MCUPROV_ERR_USAGE, NULL, "%s '%s': %s", undef ? "-U" : "-D",
			       arg, why);
	drop_macro(b->defines, &b->n_defines, arg);
	drop_macro(b->undefs, &b->n_undefs, arg);
	if ((copy = strdup(arg)) == NULL ||
	    (nv = realloc(*list, (*count + 1) * sizeof(*nv))) == NULL) {
		free(copy);
		return err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
	}
	*list = nv;
	nv[(*count)++] = copy;
	return 0;
}
