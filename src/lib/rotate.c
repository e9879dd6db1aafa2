/* Signing-key rotation: plan the key list and the new mcuprov.yaml text,
 * then provision the bootloader and replace the project file.
 *
 * The project file is edited, never regenerated: libyaml's parser gives the
 * position of every entry of the top-level `keys:` list (libyaml counts
 * characters, not bytes, and a CRLF as two), and only those entries change.
 * An added entry is written in the style of the first one; a retired entry
 * is cut out with its lines.  Everything else keeps its bytes. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <yaml.h>

#include "mcuprov/devkey.h"
#include "mcuprov/fileio.h"
#include "mcuprov/flow.h"
#include "mcuprov/pkcs11.h"
#include "mcuprov/rotate.h"
#include "mcuprov/yamledit.h"
#include "mcuprov/strutil.h"
#include "mcuprov/udiff.h"

#define NOMEM(err) err_set((err), MCUPROV_ERR_NOMEM, NULL, "out of memory")
#define ENTRY_MAX  (2 * PROVISION_PATH_MAX + 256) /* one written entry */

const char *rotate_action_name(enum rotate_action a)
{
	return a == ROTATE_ADD ? "add" : "retire";
}

/* ---- paths --------------------------------------------------------------- */

/* PATH made absolute against the working directory, with ".", ".." and
 * repeated slashes resolved by name (symbolic links are kept).  NULL when
 * out of memory or the working directory is unknown. */
static char *lexical_abs(const char *path)
{
	char cwd[PATH_MAX], *full, *out;
	size_t n, o = 0;
	const char *s;

	if (path[0] != '/' && getcwd(cwd, sizeof(cwd)) == NULL)
		return NULL;
	n = (path[0] == '/' ? 0 : strlen(cwd) + 1) + strlen(path) + 1;
	if ((full = malloc(n)) == NULL)
		return NULL;
	snprintf(full, n, "%s%s%s", path[0] == '/' ? "" : cwd, path[0] == '/' ? "" : "/", path);
	if ((out = malloc(n + 1)) == NULL) {
		free(full);
		return NULL;
	}
	for (s = full; *s != '\0';) {
		size_t len;

		while (*s == '/')
			s++;
		len = strcspn(s, "/");
		if (len == 2 && s[0] == '.' && s[1] == '.') {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
		} else if (len > 0 && !(len == 1 && s[0] == '.')) {
			out[o++] = '/';
			memcpy(out + o, s, len);
			o += len;
		}
		s += len;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	free(full);
	return out;
}

/* ---- keys in tokens ------------------------------------------------------ *
 *
 * A key in a PKCS#11 token is named by its URI, never by a file: it has no
 * directory, no realpath and no NAME.pub.pem beside it.  A token key that
 * no longer signs stays in its token and is kept as its public half by
 * naming it so: its URI with ";type=public" (any type= it had dropped),
 * which key_load() reads without logging in.  The URI's query (after '?')
 * is kept as it is. */

/* Do A and B (relative to the working directory, or absolute) name the
 * same file?  By realpath when both exist, else by name.  Token keys are
 * the same when their URIs are. */
static bool same_file(const char *a, const char *b)
{
	char ra[PATH_MAX], rb[PATH_MAX], *la, *lb;
	bool same;

	if (pkcs11_is_uri(a) || pkcs11_is_uri(b))
		return strcmp(a, b) == 0;
	if (realpath(a, ra) != NULL && realpath(b, rb) != NULL)
		return strcmp(ra, rb) == 0;
	la = lexical_abs(a);
	lb = lexical_abs(b);
	same = la != NULL && lb != NULL && strcmp(la, lb) == 0;
	free(la);
	free(lb);
	return same;
}

/* Does PUB, a key's public half as public_name() names it, name the same
 * as OTHER, a key of the project?  For token keys the URIs before any
 * query (a pin-source in one does not make another key). */
static bool same_public(const char *pub, const char *other)
{
	if (pkcs11_is_uri(pub) && pkcs11_is_uri(other)) {
		size_t n = strcspn(pub, "?");

		return n == strcspn(other, "?") && strncmp(pub, other, n) == 0;
	}
	return same_file(pub, other);
}

/* ABS below DIR: the rest after "DIR/", else NULL. */
static const char *below(const char *abs, const char *dir)
{
	size_t n = strlen(dir);

	if (strcmp(dir, "/") == 0)
		return abs[0] == '/' && abs[1] != '\0' ? abs + 1 : NULL;
	if (strncmp(abs, dir, n) == 0 && abs[n] == '/' && abs[n + 1] != '\0')
		return abs + n + 1;
	return NULL;
}

/* KEY_PATH as mcuprov.yaml will name it: relative to the project directory
 * when the file lies below it (by name, else by realpath), else absolute. */
static int written_path(const struct project *p, const char *key_path, char **out,
			struct mcuprov_err *err)
{
	char real[PATH_MAX], *abs;
	const char *rel;

	if (pkcs11_is_uri(key_path)) {
		/* a token key's URI is written as given */
		*out = strdup(key_path);
		return *out != NULL ? 0 : NOMEM(err);
	}
	abs = lexical_abs(key_path);
	if (abs == NULL)
		return err_set(err, MCUPROV_ERR_IO, key_path, "cannot make the path absolute: %s",
			       strerror(errno));
	rel = below(abs, p->dir);
	if (rel == NULL && realpath(key_path, real) != NULL)
		rel = below(real, p->dir);
	*out = strdup(rel != NULL ? rel : abs);
	free(abs);
	return *out != NULL ? 0 : NOMEM(err);
}

/* ---- writing YAML -------------------------------------------------------- */

static bool utf8_valid(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n;

	while (*u != '\0') {
		/* continuation bytes after a lead byte; 4: not a lead byte */
		if (*u < 0x80)
			n = 0;
		else if ((*u & 0xe0) == 0xc0)
			n = *u < 0xc2 ? 4 : 1;
		else if ((*u & 0xf0) == 0xe0)
			n = 2;
		else if ((*u & 0xf8) == 0xf0)
			n = 3;
		else
			n = 4;
		if (n == 4)
			return false;
		for (u++; n > 0; n--, u++)
			if ((*u & 0xc0) != 0x80)
				return false;
	}
	return true;
}

/* Can S be written as a plain scalar, in block and flow context alike? */
static bool plain_ok(const char *s)
{
	size_t i;

	if (strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0)
		return false;
	for (i = 0; s[i] != '\0'; i++) {
		char c = s[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '_' || c == '.' || c == '/')
			continue;
		if (i > 0 && (c == '-' || c == '+'))
			continue;
		return false;
	}
	return i > 0;
}

/* Append S to OUT (size N, at *o) as a YAML scalar: plain when it can be,
 * else double-quoted with escapes. */
static void put_scalar(char *out, size_t n, size_t *o, const char *s)
{
	const unsigned char *u;

	if (plain_ok(s)) {
		str_appendf(out, n, o, "%s", s);
		return;
	}
	str_appendf(out, n, o, "\"");
	for (u = (const unsigned char *)s; *u != '\0'; u++) {
		if (*u == '"' || *u == '\\')
			str_appendf(out, n, o, "\\%c", *u);
		else if (*u < 0x20 || *u == 0x7f)
			str_appendf(out, n, o, "\\x%02x", *u);
		else
			str_appendf(out, n, o, "%c", *u);
	}
	str_appendf(out, n, o, "\"");
}

/* ---- where the keys are in the text -------------------------------------- */

struct keys_layout {
	bool flow;			/* keys: [...] */
	size_t n;			/* entries */
	size_t start[PROJECT_KEYS_MAX]; /* byte offsets: entry node start */
	size_t end[PROJECT_KEYS_MAX];	/* its last byte of content + 1 */
	size_t dash;			/* block: the first entry's '-' */
	size_t after_key;		/* block: the line after "keys:" */
	/* each entry's style */
	size_t key[PROJECT_KEYS_MAX];	  /* byte offset: its first key, or its '{' */
	size_t key_col[PROJECT_KEYS_MAX]; /* the column of that */
	bool eflow[PROJECT_KEYS_MAX];	  /* written {...} */
	bool brace_space[PROJECT_KEYS_MAX]; /* ... as "{ path" */
	bool type_first[PROJECT_KEYS_MAX];  /* says type before path */
	bool odd[PROJECT_KEYS_MAX];	  /* tagged or anchored {...}: never rewritten */
	size_t sep_start, sep_end;	/* flow: between entries 0 and 1 (n >= 2) */
};

/* The character index just after N's last content (its last scalar or
 * flow collection; a block collection's end mark lies past trailing
 * comments).  Fails (returns false) when a node inside starts before FROM:
 * an alias to a node elsewhere in the file. */
static bool content_end(yaml_document_t *d, const yaml_node_t *n, size_t from, int depth,
			size_t *end)
{
	yaml_node_item_t *it;
	yaml_node_pair_t *pr;

	if (n == NULL || depth > 16 || n->start_mark.index < from)
		return false;
	if (n->type == YAML_SCALAR_NODE ||
	    (n->type == YAML_SEQUENCE_NODE && n->data.sequence.style == YAML_FLOW_SEQUENCE_STYLE) ||
	    (n->type == YAML_MAPPING_NODE && n->data.mapping.style == YAML_FLOW_MAPPING_STYLE)) {
		if (n->end_mark.index > *end)
			*end = n->end_mark.index;
		return true;
	}
	if (n->type == YAML_SEQUENCE_NODE) {
		for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++)
			if (!content_end(d, yaml_document_get_node(d, *it), from, depth + 1, end))
				return false;
		return true;
	}
	if (n->type == YAML_MAPPING_NODE) {
		for (pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++)
			if (!content_end(d, yaml_document_get_node(d, pr->key), from, depth + 1,
					 end) ||
			    !content_end(d, yaml_document_get_node(d, pr->value), from, depth + 1,
					 end))
				return false;
		return true;
	}
	return false;
}

static size_t line_start(const char *s, size_t off)
{
	while (off > 0 && s[off - 1] != '\n')
		off--;
	return off;
}

/* Just after the line break that ends the line holding OFF (OFF itself when
 * it starts a line), or the end of the text. */
static size_t after_eol(const char *s, size_t len, size_t off)
{
	const char *nl;

	if (off > 0 && s[off - 1] == '\n')
		return off;
	nl = memchr(s + off, '\n', len - off);
	return nl != NULL ? (size_t)(nl - s) + 1 : len;
}

/* Find the entries of the top-level keys: list of TEXT (LEN bytes),
 * NAME in messages. */
static int find_keys(const char *name, const char *text, size_t len, struct keys_layout *k,
		     struct mcuprov_err *err)
{
	yaml_document_t doc;
	const yaml_node_t *root, *kn = NULL, *seq = NULL;
	yaml_node_pair_t *pr;
	yaml_node_item_t *it;
	size_t base = 0, prev, i;
	int rc = 0;

	memset(k, 0, sizeof(*k));
	if (len >= 2 && ((unsigned char)text[0] == 0xfe || (unsigned char)text[0] == 0xff ||
			 text[0] == '\0' || text[1] == '\0'))
		return err_set(err, MCUPROV_ERR_FORMAT, name,
			       "is not in UTF-8: mcuprov rewrites keys in UTF-8 files only");
	if ((rc = yamledit_load(name, text, len, &doc, &base, err)) < 0)
		return rc;
	root = yaml_document_get_root_node(&doc);
	if (root != NULL && root->type == YAML_MAPPING_NODE)
		for (pr = root->data.mapping.pairs.start; pr < root->data.mapping.pairs.top; pr++) {
			const yaml_node_t *key = yaml_document_get_node(&doc, pr->key);

			if (key != NULL && key->type == YAML_SCALAR_NODE &&
			    strcmp((const char *)key->data.scalar.value, "keys") == 0) {
				kn = key;
				seq = yaml_document_get_node(&doc, pr->value);
			}
		}
	if (seq == NULL || seq->type != YAML_SEQUENCE_NODE) {
		rc = err_set(err, MCUPROV_ERR_IO, name, "has no keys list any more");
		goto out;
	}
	k->flow = seq->data.sequence.style == YAML_FLOW_SEQUENCE_STYLE;
	prev = kn->end_mark.index;
	if (seq->start_mark.index < prev) {
		rc = err_set(
			err, MCUPROV_ERR_FORMAT, name,
			"keys: written as an alias (*name): write the list out to rotate keys");
		goto out;
	}
	for (it = seq->data.sequence.items.start, i = 0; it < seq->data.sequence.items.top;
	     it++, i++) {
		const yaml_node_t *e = yaml_document_get_node(&doc, *it), *first;
		size_t end = 0, kb;

		if (i >= PROJECT_KEYS_MAX || e == NULL || e->type != YAML_MAPPING_NODE) {
			rc = err_set(err, MCUPROV_ERR_IO, name, "its keys changed meanwhile");
			goto out;
		}
		if (!content_end(&doc, e, prev, 0, &end)) {
			rc = err_set(err, MCUPROV_ERR_FORMAT, name,
				     "keys[%zu]: written with an alias (*name): write it out to "
				     "rotate keys",
				     i);
			goto out;
		}
		k->start[i] = yamledit_byte_at(text, len, base, e->start_mark.index);
		k->end[i] = yamledit_byte_at(text, len, base, end);
		prev = end;
		first = e->data.mapping.pairs.start < e->data.mapping.pairs.top
				? yaml_document_get_node(&doc, e->data.mapping.pairs.start->key)
				: NULL;
		k->eflow[i] = e->data.mapping.style == YAML_FLOW_MAPPING_STYLE;
		k->brace_space[i] = k->eflow[i] && k->start[i] + 1 < len &&
				    text[k->start[i] + 1] == ' ';
		k->type_first[i] = first != NULL && first->type == YAML_SCALAR_NODE &&
				   strcmp((const char *)first->data.scalar.value, "type") == 0;
		if (i == 0)
			k->dash = yamledit_byte_at(text, len, base, seq->start_mark.index);
		/* where a rewritten entry's first key goes: as this entry's first
		 * key, or its '{' */
		kb = first != NULL && !k->eflow[i] ? yamledit_byte_at(text, len, base, first->start_mark.index)
						   : k->start[i];
		k->key[i] = kb;
		k->key_col[i] = kb - line_start(text, kb);
	}
	k->n = i;
	k->after_key = after_eol(text, len, yamledit_byte_at(text, len, base, kn->end_mark.index));
	if (k->flow && k->n >= 2) {
		k->sep_start = k->end[0];
		k->sep_end = k->start[1];
	}
	/* the marks must point where the text says they do */
	if (!k->flow) {
		size_t ls = line_start(text, k->dash);

		if (k->dash >= len || text[k->dash] != '-' ||
		    strspn(text + ls, " ") != k->dash - ls)
			rc = err_set(err, MCUPROV_ERR_INTERNAL, name,
				     "cannot find where the keys list starts");
	}
	for (i = 0; rc == 0 && i < k->n; i++)
		if (k->eflow[i] && text[k->start[i]] != '{') /* tagged or anchored */
			k->eflow[i] = false, k->brace_space[i] = false, k->odd[i] = true;
out:
	yaml_document_delete(&doc);
	return rc;
}

/* Append the entry {path: PATH, type: TYPE} in the style of entry J: its
 * key order; FLOW: a flow mapping, "{ " when J has that space; else block
 * lines, the second at column COL, lines ended by EOL. */
static void put_entry(const struct keys_layout *k, size_t j, bool flow, size_t col,
		      const char *eol, const char *path, const char *type, char *out, size_t n,
		      size_t *o)
{
	const char *names[2] = {"path", "type"}, *vals[2] = {path, type};
	size_t first = k->type_first[j] ? 1 : 0, second = 1 - first;
	const char *sp = k->brace_space[j] ? " " : "";

	if (flow)
		str_appendf(out, n, o, "{%s", sp);
	str_appendf(out, n, o, "%s: ", names[first]);
	put_scalar(out, n, o, vals[first]);
	if (flow)
		str_appendf(out, n, o, ", ");
	else
		str_appendf(out, n, o, "%s%*s", eol, (int)col, "");
	str_appendf(out, n, o, "%s: ", names[second]);
	put_scalar(out, n, o, vals[second]);
	if (flow)
		str_appendf(out, n, o, "%s}", sp);
}

/* One change of the text: [from, to) becomes TEXT (LEN bytes). */
struct edit {
	size_t from, to;
	char *text;
	size_t len;
};

/* The text with the new entry ADD_PATH (ADD) or without entry RETIRE
 * (RETIRE >= 1), and entry I rewritten as {path: DEMOTE[I], type: TYPE}
 * wherever DEMOTE[I] is set: *out is malloc'd. */
static int rewrite(const char *name, const char *text, size_t len, const struct keys_layout *k,
		   const char *add_path, const char *type, size_t retire,
		   char *const *demote, char **out, size_t *out_len, struct mcuprov_err *err)
{
	struct edit ed[PROJECT_KEYS_MAX + 1], t;
	struct str_edit sp[PROJECT_KEYS_MAX + 1];
	const char *eol = "\n", *nl = memchr(text, '\n', len);
	size_t n_ed = 0, o, i, j;
	int rc = 0;

	if (nl != NULL && nl > text && nl[-1] == '\r')
		eol = "\r\n";
	memset(ed, 0, sizeof(ed));
	if (add_path != NULL) {
		struct edit *e = &ed[n_ed++];

		if ((e->text = malloc(ENTRY_MAX)) == NULL)
			return NOMEM(err);
		o = 0;
		if (k->flow) {
			/* {entry}, {old}... with the separator the list uses */
			bool sep_ok = k->n >= 2;
			size_t commas = 0;

			for (j = k->sep_start; sep_ok && j < k->sep_end; j++) {
				commas += text[j] == ',';
				sep_ok = strchr(", \t\r\n", text[j]) != NULL;
			}
			put_entry(k, 0, true, 0, eol, add_path, type, e->text, ENTRY_MAX, &o);
			if (sep_ok && commas == 1)
				str_appendf(e->text, ENTRY_MAX, &o, "%.*s",
					    (int)(k->sep_end - k->sep_start), text + k->sep_start);
			else
				str_appendf(e->text, ENTRY_MAX, &o, ", ");
			e->from = e->to = k->start[0];
		} else {
			/* a line "- ..." (or two) at the first dash's column */
			size_t ls = line_start(text, k->dash), d = k->dash - ls;
			size_t gap = k->key_col[0] > d + 1 ? k->key_col[0] - d - 1 : 1;

			o += (size_t)snprintf(e->text, ENTRY_MAX, "%*s-%*s", (int)d, "", (int)gap,
					      "");
			put_entry(k, 0, k->eflow[0], d + 1 + gap, eol, add_path, type, e->text,
				  ENTRY_MAX, &o);
			str_appendf(e->text, ENTRY_MAX, &o, "%s", eol);
			/* right after "keys:": comment lines above the first entry
			 * stay with it */
			e->from = e->to = k->after_key <= ls ? k->after_key : ls;
		}
		e->len = o;
		if (o >= ENTRY_MAX) {
			rc = err_set(err, MCUPROV_ERR_USAGE, add_path, "path too long");
			goto out;
		}
	} else {
		/* from the end of the entry before to the end of this one */
		struct edit *e = &ed[n_ed++];

		if (retire == 0 || retire >= k->n) {
			rc = err_set(err, MCUPROV_ERR_INTERNAL, name, "no entry %zu to remove",
				     retire);
			goto out;
		}
		if (k->flow) {
			e->from = k->end[retire - 1];
			e->to = k->end[retire];
		} else {
			e->from = after_eol(text, len, k->end[retire - 1]);
			e->to = after_eol(text, len, k->end[retire]);
		}
	}
	for (i = 0; i < k->n; i++) {
		struct edit *e;

		if (demote == NULL || demote[i] == NULL)
			continue;
		if (k->odd[i] || (k->flow && !k->eflow[i])) {
			rc = err_set(err, MCUPROV_ERR_FORMAT, name,
				     "keys[%zu]: cannot be rewritten in its style: write it as "
				     "{path: FILE, type: TYPE} to rotate keys",
				     i);
			goto out;
		}
		e = &ed[n_ed++];
		if ((e->text = malloc(ENTRY_MAX)) == NULL) {
			rc = NOMEM(err);
			goto out;
		}
		o = 0;
		put_entry(k, i, k->eflow[i], k->key_col[i], eol, demote[i], type, e->text,
			  ENTRY_MAX, &o);
		if (o >= ENTRY_MAX) {
			rc = err_set(err, MCUPROV_ERR_USAGE, demote[i], "path too long");
			goto out;
		}
		e->len = o;
		e->from = k->key[i];
		e->to = k->end[i];
	}
	/* in the order of the text; an insertion before a change at its place */
	for (i = 1; i < n_ed; i++)
		for (j = i; j > 0 && (ed[j].from < ed[j - 1].from ||
				      (ed[j].from == ed[j - 1].from && ed[j].to < ed[j - 1].to));
		     j--)
			t = ed[j], ed[j] = ed[j - 1], ed[j - 1] = t;
	for (i = 0; i < n_ed; i++) {
		sp[i].from = ed[i].from;
		sp[i].to = ed[i].to;
		sp[i].text = ed[i].text;
		sp[i].len = ed[i].len;
	}
	if ((rc = str_splice(text, len, sp, n_ed, out, out_len)) < 0)
		rc = rc == -1 ? NOMEM(err)
			      : err_set(err, MCUPROV_ERR_INTERNAL, name, "overlapping changes");
out:
	for (i = 0; i < n_ed; i++)
		free(ed[i].text);
	return rc;
}

/* ---- the plan ------------------------------------------------------------ */

void rotate_plan_free(struct rotate_plan *plan)
{
	size_t i;

	if (plan == NULL)
		return;
	for (i = 0; i < plan->n_keys; i++) {
		free(plan->keys[i].path);
		free(plan->keys[i].abspath);
		free(plan->keys[i].pub_abspath);
	}
	free(plan->keys);
	free(plan->retired);
	free(plan->project_file);
	free(plan->project_text);
	free(plan->project_diff);
	free(plan->project_old);
	memset(plan, 0, sizeof(*plan));
}

/* Do the keys of A and B (paths as written, types) agree? */
static bool same_keys(const struct project *a, const struct rotate_key *b, size_t n)
{
	size_t i;

	if (a->n_keys != n)
		return false;
	for (i = 0; i < n; i++)
		if (strcmp(a->keys[i].path, b[i].path) != 0 || a->keys[i].type != b[i].type)
			return false;
	return true;
}

/* Append a key to the plan: FROM its index in the project (-1: the new
 * key), PUB_ABSPATH its public half's file when the step stores it so. */
static int add_key(struct rotate_plan *plan, const char *path, const char *abspath,
		   enum key_type type, int from, const char *pub_abspath, struct mcuprov_err *err)
{
	struct rotate_key *k = &plan->keys[plan->n_keys];

	k->path = strdup(path);
	k->abspath = strdup(abspath);
	k->type = type;
	k->is_new = from < 0;
	k->from = from;
	k->pub_abspath = pub_abspath != NULL ? strdup(pub_abspath) : NULL;
	plan->n_keys++;
	return k->path != NULL && k->abspath != NULL && (pub_abspath == NULL || k->pub_abspath)
		       ? 0
		       : NOMEM(err);
}

/* Does the key file ABS hold a private key, plain or encrypted?  Nothing
 * is decrypted: an encrypted key fails to load for want of a password.  A
 * file that does not load is left to the front end, which loads it. */
static bool holds_private(const char *abs)
{
	struct mcuprov_key *key = NULL;
	int rc;
	bool priv;

	/* a token key signs unless its URI names the public key only (the
	 * token is not asked: that would need its PIN) */
	if (pkcs11_is_uri(abs))
		return !pkcs11_uri_is_public(abs);
	rc = key_load(abs, NULL, NULL, &key, NULL);
	priv = rc == MCUPROV_ERR_PASSWORD || (rc == 0 && key->is_private);

	key_free(key);
	return priv;
}

/* KEY_PATH's public half as a project names it into OUT (N bytes):
 * NAME.pub.pem for a file (provision_public_name()), its public URI for a
 * token key.  Returns 0, MCUPROV_ERR_USAGE (too long), MCUPROV_ERR_NOMEM. */
static int public_name(const char *key_path, char *out, size_t n, struct mcuprov_err *err)
{
	char *u;
	int rc = 0;

	if (!pkcs11_is_uri(key_path))
		return provision_public_name(key_path, out, n, err);
	if ((u = pkcs11_uri_public(key_path)) == NULL)
		return NOMEM(err);
	if ((size_t)snprintf(out, n, "%s", u) >= n)
		rc = err_set(err, MCUPROV_ERR_USAGE, NULL, "URI too long");
	free(u);
	return rc;
}

/* Which of P's keys the step stores as their public half: every key that
 * no longer signs afterwards (ADD: all; RETIRE: all but keys[0] and
 * RETIRE) whose file holds a private key.  DEMOTE[i] (the path to write in
 * mcuprov.yaml) and PUB[i] (that file resolved) are malloc'd for those,
 * NULL for the others.  A token key's DEMOTE[i] is its public URI
 * (pkcs11_uri_public()) and PUB[i] NULL: no file is written for it. */
static int plan_public(const struct project *p, enum rotate_action action, size_t retire,
		       char **demote, char **pub, struct mcuprov_err *err)
{
	char name[PROVISION_PATH_MAX];
	size_t i, j;
	int rc;

	for (i = 0; i < p->n_keys; i++) {
		if ((action == ROTATE_RETIRE && (i == 0 || i == retire)) ||
		    !holds_private(p->keys[i].abspath))
			continue;
		if ((rc = public_name(p->keys[i].path, name, sizeof(name), err)) < 0)
			return rc;
		for (j = 0; j < p->n_keys; j++)
			if (strcmp(p->keys[j].path, name) == 0)
				return err_set(err, MCUPROV_ERR_USAGE, p->keys[i].path,
					       "its public half '%s' is keys[%zu] of '%s' too: list "
					       "the key once",
					       name, j, p->file);
		if ((demote[i] = strdup(name)) == NULL)
			return NOMEM(err);
		if (pkcs11_is_uri(p->keys[i].path))
			continue;
		if ((rc = provision_public_name(p->keys[i].abspath, name, sizeof(name), err)) < 0)
			return rc;
		if ((pub[i] = strdup(name)) == NULL)
			return NOMEM(err);
	}
	return 0;
}

/* The checks of ADD on the new key. */
static int check_new(const struct project *p, const char *key_path, const struct mcuprov_key *key,
		     bool allow_dev_key, struct mcuprov_err *err)
{
	enum key_type t = p->keys[0].type;
	char pub[PROVISION_PATH_MAX];
	size_t i;

	for (i = 0; i < p->n_keys; i++)
		if (same_file(key_path, p->keys[i].abspath))
			return err_set(err, MCUPROV_ERR_USAGE, key_path,
				       "is already keys[%zu] of '%s'", i, p->file);
	for (i = 0; i < p->n_keys && public_name(key_path, pub, sizeof(pub), NULL) == 0;
	     i++)
		if (same_public(pub, p->keys[i].abspath))
			return err_set(err, MCUPROV_ERR_USAGE, key_path,
				       "is already keys[%zu] of '%s', as its public half '%s'", i,
				       p->file, p->keys[i].path);
	if (p->encryption_key_abspath != NULL && same_file(key_path, p->encryption_key_abspath))
		return err_set(err, MCUPROV_ERR_USAGE, key_path,
			       "is the encryption_key of '%s' (a signing key must not be the "
			       "encryption key)",
			       p->file);
	if (p->n_keys >= PROJECT_KEYS_MAX)
		return err_set(err, MCUPROV_ERR_USAGE, p->file,
			       "has %zu keys already, the most a project takes", p->n_keys);
	if (key == NULL)
		return err_set(err, MCUPROV_ERR_INTERNAL, key_path, "the new key is not loaded");
	if (!key_type_can_sign(key->type))
		return err_set(err, MCUPROV_ERR_REFUSED, key_path,
			       "%s keys cannot sign (they are for image encryption)",
			       key_type_name(key->type));
	if (key->type != t)
		return err_set(err, MCUPROV_ERR_REFUSED, key_path,
			       "is %s but the project's keys are %s: one bootloader verifies one "
			       "signature type",
			       key_type_name(key->type), key_type_name(t));
	if (!key_can_sign(key))
		return err_set(err, MCUPROV_ERR_REFUSED, key_path,
			       "is a public key: the new signing key must be the private key");
	if (key->devkey != NULL && !allow_dev_key)
		return err_set(err, MCUPROV_ERR_REFUSED, key_path,
			       "is MCUboot's published development key %s: a bootloader trusting "
			       "it boots anybody's images (use --allow-dev-key for a development "
			       "build)",
			       key->devkey->name);
	return 0;
}

/* The index of RETIRE's key KEY_PATH in P. */
static int find_retired(const struct project *p, const char *key_path, size_t *idx,
			struct mcuprov_err *err)
{
	char list[MCUPROV_ERR_MSG_MAX / 2], pub[PROVISION_PATH_MAX];
	size_t i, o = 0;

	for (i = 0; i < p->n_keys; i++)
		if (strcmp(key_path, p->keys[i].path) == 0)
			break;
	for (i = i < p->n_keys ? i : 0; i < p->n_keys; i++)
		if (strcmp(key_path, p->keys[i].path) == 0 ||
		    same_file(key_path, p->keys[i].abspath))
			break;
	/* a key kept as its public half, named by its private key file */
	if (i == p->n_keys && public_name(key_path, pub, sizeof(pub), NULL) == 0)
		for (i = 0; i < p->n_keys; i++)
			if (strcmp(pub, p->keys[i].path) == 0 || same_public(pub, p->keys[i].abspath))
				break;
	if (i == p->n_keys) {
		list[0] = '\0';
		for (i = 0; i < p->n_keys; i++)
			str_appendf(list, sizeof(list), &o, "%s%s", i ? ", " : "", p->keys[i].path);
		return err_set(err, MCUPROV_ERR_USAGE, key_path, "is not a key of '%s' (keys: %s)",
			       p->file, list);
	}
	if (p->n_keys == 1)
		return err_set(err, MCUPROV_ERR_USAGE, key_path,
			       "is the project's only key: add its successor first (mcuprov rotate "
			       "add)");
	if (i == 0)
		return err_set(err, MCUPROV_ERR_USAGE, key_path,
			       "is the signing key: add its successor first (mcuprov rotate add)");
	*idx = i;
	return 0;
}

int rotate_plan(const struct project *p, enum rotate_action action, const char *key_path,
		const struct mcuprov_key *new_key, bool allow_dev_key, struct rotate_plan *plan,
		struct mcuprov_err *err)
{
	struct project *q = NULL;
	struct keys_layout lay;
	struct rotate_key *now = NULL;
	uint8_t *old = NULL;
	char *wpath = NULL, *abs = NULL;
	char *demote[PROJECT_KEYS_MAX] = {NULL}, *pub[PROJECT_KEYS_MAX] = {NULL};
	size_t old_len = 0, retire = 0, dlen = 0, i;
	struct mcuprov_err e2;
	int rc;

	memset(plan, 0, sizeof(*plan));
	plan->action = action;
	if (key_path == NULL || key_path[0] == '\0')
		return err_set(err, MCUPROV_ERR_USAGE, NULL, "no key given");
	/* the file as it is now must still hold P's keys */
	if ((rc = file_read(p->file, PROJECT_FILE_MAX, &old, &old_len, NULL, err)) < 0)
		return rc;
	err_clear(&e2);
	if (project_load_mem(p->file, p->dir, (const char *)old, old_len, &q, &e2) < 0) {
		rc = err_set(err, MCUPROV_ERR_IO, p->file, "changed since it was loaded: %s",
			     e2.msg);
		goto out;
	}
	if ((now = calloc(p->n_keys, sizeof(*now))) == NULL) {
		rc = NOMEM(err);
		goto out;
	}
	for (i = 0; i < p->n_keys; i++) {
		now[i].path = p->keys[i].path;
		now[i].type = p->keys[i].type;
	}
	if (!same_keys(q, now, p->n_keys)) {
		rc = err_set(err, MCUPROV_ERR_IO, p->file, "its keys changed since it was loaded");
		goto out;
	}
	project_free(q);
	q = NULL;

	if (action == ROTATE_ADD && pkcs11_is_uri(key_path) && pkcs11_uri_has_pin_value(key_path)) {
		char *shown = pkcs11_uri_redact(key_path);

		rc = err_set(err, MCUPROV_ERR_USAGE, shown != NULL ? shown : "pkcs11:",
			     "a PIN in the project file is refused: drop pin-value from the URI "
			     "and give the PIN with pin-source=FILE in it or with keys[].passin");
		free(shown);
		goto out;
	}
	if (action == ROTATE_ADD) {
		if ((rc = check_new(p, key_path, new_key, allow_dev_key, err)) < 0 ||
		    (rc = written_path(p, key_path, &wpath, err)) < 0)
			goto out;
		if (!utf8_valid(wpath)) {
			rc = err_set(err, MCUPROV_ERR_USAGE, key_path,
				     "cannot be named in '%s': the path is not UTF-8", p->file);
			goto out;
		}
		i = strlen(p->dir) + strlen(wpath) + 2;
		if ((abs = malloc(i)) == NULL) {
			rc = NOMEM(err);
			goto out;
		}
		if (pkcs11_is_uri(wpath))
			snprintf(abs, i, "%s", wpath);
		else
			snprintf(abs, i, "%s%s%s", wpath[0] == '/' ? "" : p->dir,
				 wpath[0] == '/' ? "" : "/", wpath);
	} else if ((rc = find_retired(p, key_path, &retire, err)) < 0) {
		goto out;
	}

	/* the key list afterwards, the keys that no longer sign as public
	 * halves */
	if ((rc = plan_public(p, action, retire, demote, pub, err)) < 0)
		goto out;
	if ((plan->keys = calloc(p->n_keys + 1, sizeof(*plan->keys))) == NULL) {
		rc = NOMEM(err);
		goto out;
	}
	if (action == ROTATE_ADD &&
	    (rc = add_key(plan, wpath, abs, p->keys[0].type, -1, NULL, err)) < 0)
		goto out;
	for (i = 0; i < p->n_keys; i++)
		if ((action == ROTATE_ADD || i != retire) &&
		    (rc = add_key(plan, demote[i] != NULL ? demote[i] : p->keys[i].path,
				  p->keys[i].abspath, p->keys[i].type, (int)i, pub[i], err)) < 0)
			goto out;
	if (action == ROTATE_RETIRE && (plan->retired = strdup(p->keys[retire].path)) == NULL) {
		rc = NOMEM(err);
		goto out;
	}

	/* the new text, loaded back */
	if ((rc = find_keys(p->file, (const char *)old, old_len, &lay, err)) < 0)
		goto out;
	if (lay.n != p->n_keys) {
		rc = err_set(err, MCUPROV_ERR_IO, p->file, "its keys changed since it was loaded");
		goto out;
	}
	rc = rewrite(p->file, (const char *)old, old_len, &lay, action == ROTATE_ADD ? wpath : NULL,
		     key_type_name(p->keys[0].type), retire, demote, &plan->project_text,
		     &plan->project_len, err);
	if (rc < 0)
		goto out;
	err_clear(&e2);
	if (project_load_mem(p->file, p->dir, plan->project_text, plan->project_len, &q, &e2) < 0) {
		rc = err_set(err, MCUPROV_ERR_INTERNAL, p->file,
			     "the rewritten keys list does not load: %s", e2.msg);
		goto out;
	}
	if (!same_keys(q, plan->keys, plan->n_keys)) {
		rc = err_set(err, MCUPROV_ERR_INTERNAL, p->file,
			     "the rewritten keys list does not read back as planned");
		goto out;
	}
	if ((plan->project_file = strdup(p->file)) == NULL) {
		rc = NOMEM(err);
		goto out;
	}
	rc = udiff((const char *)old, old_len, plan->project_text, plan->project_len, p->file,
		   &plan->project_diff, &dlen, err);
	if (rc < 0)
		goto out;
	plan->project_old = (char *)old;
	plan->project_old_len = old_len;
	old = NULL;
out:
	if (rc < 0)
		rotate_plan_free(plan);
	project_free(q);
	free(now);
	free(old);
	free(wpath);
	free(abs);
	for (i = 0; i < PROJECT_KEYS_MAX; i++) {
		free(demote[i]);
		free(pub[i]);
	}
	return rc;
}

/* ---- applying it --------------------------------------------------------- */

/* KEY's public half alone, as a key loaded from its file PUB_PATH. */
static int public_half(const struct mcuprov_key *key, const char *pub_path,
		       struct mcuprov_key **out, struct mcuprov_err *err)
{
	char *pem = NULL;
	size_t len = 0;
	int rc;

	if ((rc = key_public_pem(key, &pem, &len, err)) < 0)
		return rc;
	rc = key_load_mem((const uint8_t *)pem, len, pub_path, NULL, NULL, out, err);
	OPENSSL_free(pem);
	return rc;
}

void rotate_result_free(struct rotate_result *r)
{
	if (r == NULL)
		return;
	provision_result_free(&r->boot);
}

int rotate_apply(const struct project *p, const struct rotate_plan *plan,
		 const struct mcuprov_key *const *keys, const struct mcuprov_key *enc_key,
		 bool dry_run, struct rotate_result *r, struct mcuprov_err *err)
{
	uint8_t fp[PROJECT_KEYS_MAX + 1][KEY_FINGERPRINT_LEN];
	const char *paths[PROVISION_MAX_KEYS], *was[PROVISION_MAX_KEYS];
	const struct mcuprov_key *use[PROVISION_MAX_KEYS];
	struct mcuprov_key *pub[PROVISION_MAX_KEYS] = {NULL};
	char written[PROVISION_MAX_KEYS][PROVISION_PATH_MAX];
	size_t n_written = 0, cur_len = 0, i, j;
	uint8_t *cur = NULL;
	struct file_txn txn;
	bool w, in_txn = false;
	char *pdir = NULL;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	if (plan->n_keys == 0 || plan->n_keys > PROVISION_MAX_KEYS || plan->project_text == NULL ||
	    plan->project_old == NULL)
		return err_set(err, MCUPROV_ERR_INTERNAL, NULL, "not a rotation plan");
	for (i = 0; i < plan->n_keys; i++) {
		const struct rotate_key *k = &plan->keys[i];

		if (keys[i] == NULL) {
			rc = err_set(err, MCUPROV_ERR_INTERNAL, k->path, "not loaded");
			goto out;
		}
		if (keys[i]->type != k->type) {
			rc = err_set(err, MCUPROV_ERR_REFUSED, k->path, "is %s but '%s' says %s",
				     key_type_name(keys[i]->type), plan->project_file,
				     key_type_name(k->type));
			goto out;
		}
		if ((rc = key_fingerprint(keys[i], fp[i], err)) < 0)
			goto out;
		for (j = 0; j < i; j++)
			if (memcmp(fp[i], fp[j], KEY_FINGERPRINT_LEN) == 0) {
				rc = err_set(err, MCUPROV_ERR_USAGE, NULL,
					     "the same key twice ('%s' and '%s')", plan->keys[j].path,
					     k->path);
				goto out;
			}
		paths[i] = k->abspath;
		use[i] = keys[i];
		was[i] = k->from >= 0 && (size_t)k->from < p->n_keys ? p->keys[k->from].path
								      : k->path;
		if (k->pub_abspath == NULL)
			continue;
		/* the bootloader gets the public half from its own file; a file
		 * there holding another key is refused before anything is
		 * written */
		if ((rc = provision_public_write(keys[i], was[i], k->pub_abspath, true, &w, err)) <
			    0 ||
		    (rc = public_half(keys[i], k->pub_abspath, &pub[i], err)) < 0)
			goto out;
		paths[i] = k->pub_abspath;
		use[i] = pub[i];
	}
	/* what was planned from must still be there */
	if ((rc = file_read(plan->project_file, PROJECT_FILE_MAX, &cur, &cur_len, NULL, err)) < 0)
		goto out;
	if (cur_len != plan->project_old_len || memcmp(cur, plan->project_old, cur_len) != 0) {
		rc = err_set(err, MCUPROV_ERR_IO, plan->project_file,
			     "changed since the rotation was planned: plan it again");
		goto out;
	}
	for (i = 0; i < plan->n_keys && !dry_run; i++) {
		if (plan->keys[i].pub_abspath == NULL)
			continue;
		if ((rc = provision_public_write(keys[i], was[i], plan->keys[i].pub_abspath, false,
						 &w, err)) < 0)
			goto out;
		if (w)
			snprintf(written[n_written++], PROVISION_PATH_MAX, "%s",
				 plan->keys[i].pub_abspath);
	}
	/* the bootloader's file and mcuprov.yaml land together or not at all */
	/* the journal of the change goes beside mcuprov.yaml */
	if (!dry_run && (pdir = file_dir_of(plan->project_file)) == NULL) {
		rc = err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
		goto out;
	}
	if (!dry_run && (rc = file_txn_begin(&txn, pdir, err)) < 0)
		goto out;
	in_txn = !dry_run;
	if (p->bootloader.kind != PROJECT_BOOT_NONE) {
		r->provisioned = true;
		rc = flow_provision(p, use, paths, plan->n_keys, enc_key, dry_run,
				    in_txn ? &txn : NULL, &r->boot, err);
	}
	/* the public halves written for mcuprov.yaml, after those provisioning wrote */
	for (i = 0; i < n_written && r->boot.n_pub_written < PROVISION_MAX_KEYS; i++)
		memcpy(r->boot.pub_written[r->boot.n_pub_written++], written[i],
		       PROVISION_PATH_MAX);
	if (rc < 0 || dry_run)
		goto out;
	rc = file_backup(plan->project_file, cur, cur_len, r->project_backup,
			 sizeof(r->project_backup), err);
	if (rc < 0)
		goto out;
	/* the project file keeps its mode (file_txn_add) */
	if ((rc = file_txn_add(&txn, plan->project_file, plan->project_text, plan->project_len,
			       FILE_WRITE_FORCE, err)) < 0)
		goto out;
	in_txn = false; /* committed or aborted by the call */
	if ((rc = file_txn_commit(&txn, err)) < 0) {
		r->boot.written = false;
		goto out;
	}
	r->project_written = true;
out:
	if (in_txn) {
		file_txn_abort(&txn);
		r->boot.written = false;
	}
	for (i = 0; i < PROVISION_MAX_KEYS; i++)
		key_free(pub[i]);
	free(cur);
	free(pdir);
	return rc;
}
