/* MCUboot keys.c: patching the key slots.
 *
 * Patching is a list of edits (replace [start, end) of the original text)
 * made at once at the end, so nothing is written unless every check passed;
 * the result is then analysed again under the same configuration and must
 * compile exactly the keys given (a self-check: never a wrong file).
 * Another number of keys than slots adds or removes whole lines (arrays
 * with their length, bootutil_keys[] entries) only where the key list and
 * the count say for sure which lines those are. */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "keysc-internal.h"
#include "mcuprov/carray.h"

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
	nv = keysc_grow(ed->v, ed->n, &ed->cap, sizeof(*nv));
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
	unsigned per = a->per_line ? a->per_line : 8;
	size_t cap = 64 + len * 8 + (len / per + 2) * (24 + strlen(a->indent)), i, p = 0;
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
		bool line_start = i % per == 0, last = i + 1 == len;
		bool line_end = last || (i + 1) % per == 0;

		if (line_start)
			p += (size_t)sprintf(out + p, "%s", a->indent);
		p += (size_t)sprintf(out + p, a->upper_hex ? "0x%02X" : "0x%02x", der[i]);
		if (!last || a->trailing_comma)
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
	    (!a->len_sizeof && edit_add(ed, a->len_start, a->len_end, strdup(num)) < 0) ||
	    (a->fixed && edit_add(ed, a->size_start, a->size_end, strdup(num)) < 0))
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

struct resize_plan {
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
	unsigned others;   /* alt bits of the other key types */
};

static int refuse(const struct resize_plan *p, struct mcuprov_err *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int refuse(const struct resize_plan *p, struct mcuprov_err *err, const char *fmt, ...)
{
	char why[MCUPROV_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return err_set(err, MCUPROV_ERR_REFUSED, p->subject, "%s: %s", p->head, why);
}

static const struct keysc_array *parr(const struct resize_plan *p, size_t i)
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
static size_t name_used(const struct resize_plan *p, const char *name, const size_t *skip, size_t n_skip)
{
	size_t i, s;

	for (i = 0; i < p->t.n; i++) {
		const struct tok *k = &p->t.v[i];

		for (s = 0; s < n_skip; s++)
			if (k->start >= skip[2 * s] && k->start < skip[2 * s + 1])
				break;
		if (s < n_skip)
			continue;
		if ((k->kind == T_IDENT && keysc_tok_is(p->text, k, name)) ||
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
static int shrink(struct resize_plan *p, struct edits *ed, struct mcuprov_err *err)
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
		for (i = 0; p->other != NULL && (e->live.alt & p->others) && i < info->n_arrays; i++)
			if (strcmp(info->arrays[i].name, a->name) == 0 &&
			    info->arrays[i].live.live == PP_FALSE &&
			    (info->arrays[i].live.alt & p->others)) {
				rc = refuse(
					p, err,
					"line %zu: the bootutil_keys[] entry for '%s' also serves "
					"the %s block",
					e->line, a->name,
					info->arrays[i].block ? info->arrays[i].block : p->other);
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
	/* an #if defined(...) group in the list left empty goes too (in a
	 * list of more complex conditionals, an empty branch stays) */
	for (i = 0; !l->complex && i < l->n_groups; i++) {
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
static int add(struct resize_plan *p, struct edits *ed, struct mcuprov_err *err)
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
		sb_str(&b, src->len_sizeof ? names + k * KEYSC_NAME_MAX : n);
		sb_put(&b, text + src->len_end, src->len_decl_end - src->len_end);
		sb_str(&b, eol);
	}
	if (edit_add(ed, at, at, sb_take(&b)) < 0)
		goto oom;
	/* the entries: copies of the last one */
	own = ws_before(text, se->start) && line_rest(text, p->len, se->end, &snext);
	wrap = p->other != NULL && (se->live.alt & p->others) != 0;
	if (wrap) {
		/* `#if defined(BLOCK)` must select exactly the key types whose
		 * bootloaders compile the array the new ones are copied from */
		unsigned sel = 0, all = 0;

		for (k = 0; k < KEYSC_N_SIGN_TYPES; k++) {
			all |= 1u << keysc_sign_types[k];
			if (keysc_macro_selects(src->block, keysc_sign_types[k]))
				sel |= 1u << keysc_sign_types[k];
		}
		if (src->block == NULL || (src->live.alt & all) != sel) {
			rc = refuse(p, err,
				    "bootutil_keys[] (line %zu) also serves the %s block, and '%s' "
				    "is compiled under more than one #if defined(MACRO): no simple "
				    "#if for the new entries (add them by hand)",
				    p->list->line, p->other, src->name);
			goto out;
		}
	}
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
static int resize(struct resize_plan *p, struct edits *ed, struct mcuprov_err *err)
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
	l = info->live_list;
	if (l == NULL)
		return refuse(p, err,
			      "no bootutil_keys[] list names its arrays (use 'mcuprov render "
			      "--template inline-multi' for a keys.c with one)");
	if (l->bad_line != 0)
		return refuse(
			p, err,
			"line %zu: bootutil_keys[] holds more than { .key = NAME, .len = "
			"&NAME_len } entries (each perhaps [N] =, N its position) and "
			"preprocessor lines",
			l->bad_line);
	p->list = l;
	/* the slots follow the list; lines are added and removed in the
	 * arrays' order: both must agree */
	for (i = 0, j = 0; i < p->n_idx; i++) {
		size_t first = p->n_idx;

		for (j = i; j < p->n_idx; j++)
			if (first == p->n_idx || p->idx[j] < p->idx[first])
				first = j;
		if (first != i) {
			for (j = 0; j < l->n_entries && strcmp(l->entries[j].key, parr(p, i)->name); j++)
				;
			return refuse(p, err,
				      "line %zu: bootutil_keys[] lists '%s' where '%s' is expected (the "
				      "entries must follow the order of the arrays)",
				      j < l->n_entries ? l->entries[j].line : l->line, parr(p, i)->name,
				      parr(p, first)->name);
		}
	}
	p->ent = calloc(p->n_idx, sizeof(*p->ent));
	if (p->ent == NULL)
		return err_set(err, MCUPROV_ERR_NOMEM, p->subject, "out of memory");
	/* the entries of this build: each names an array it declares, the
	 * block's arrays in order */
	for (j = 0; j < l->n_entries; j++) {
		const struct keysc_entry *e = &l->entries[j];
		size_t kl = strlen(e->key);
		bool known = false, declared = false;

		if (e->live.live != PP_TRUE)
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
				declared |= info->arrays[i].live.live == PP_TRUE;
			}
		if (!known)
			return refuse(p, err,
				      "line %zu: bootutil_keys[] names '%s', which is no key array "
				      "of this file",
				      e->line, e->key);
		if (!declared)
			return refuse(
				p, err,
				"line %zu: bootutil_keys[] names '%s', which is not compiled under "
				"this configuration",
				e->line, e->key);
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
	/* other configurations: key arrays another key type's bootloader
	 * compiles instead; a list it compiles too serves them as well */
	for (i = 0; i < KEYSC_N_SIGN_TYPES; i++)
		if (keysc_sign_types[i] != p->type)
			p->others |= 1u << keysc_sign_types[i];
	for (i = 0; i < info->n_arrays; i++)
		if (info->arrays[i].is_key && info->arrays[i].live.live == PP_FALSE &&
		    (info->arrays[i].live.alt & p->others)) {
			other_block = info->arrays[i].block ? info->arrays[i].block
							    : "another configuration's";
			break;
		}
	p->other = (l->live.alt & p->others) ? other_block : NULL;
	/* the count */
	c = info->live_count;
	if (c == NULL)
		return refuse(p, err, "it defines no bootutil_key_cnt to count them");
	if (c->kind == KEYSC_COUNT_OTHER)
		return refuse(p, err,
			      "line %zu: bootutil_key_cnt is neither a number nor "
			      "sizeof(bootutil_keys) / sizeof(bootutil_keys[0])",
			      c->line);
	if (c->kind == KEYSC_COUNT_NUMBER) {
		if ((c->live.alt & p->others) && other_block != NULL)
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
	if (keysc_tokenize(p->text, p->len, &p->t) < 0)
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

/* Never a dead branch: no edit may change or remove a token the
 * configuration does not compile (a bug otherwise: MCUPROV_ERR_INTERNAL). */
static int edits_in_live_code(const char *text, size_t len, const char *subject,
			      const struct keysc_info *info, const struct edits *ed,
			      struct mcuprov_err *err)
{
	struct toks t;
	size_t i, k;
	int rc;

	memset(&t, 0, sizeof(t));
	if (keysc_tokenize(text, len, &t) < 0) {
		rc = err_set(err, MCUPROV_ERR_NOMEM, subject, "out of memory");
		goto out;
	}
	if ((rc = keysc_liveness(text, &t, info->env, subject, err)) < 0)
		goto out;
	for (i = 0; i < ed->n; i++)
		for (k = 0; k < t.n; k++)
			if (t.v[k].live == PP_FALSE && t.v[k].start < ed->v[i].end &&
			    t.v[k].end > ed->v[i].start) {
				rc = err_set(err, MCUPROV_ERR_INTERNAL, subject,
					     "line %zu, which the configuration does not compile, "
					     "would change: nothing written; please report this file",
					     t.v[k].line);
				goto out;
			}
	rc = 0;
out:
	keysc_toks_free(&t);
	return rc;
}

/* "has no block for ed25519 keys ...; it has blocks for: ..." */
static int no_block(const char *subject, const struct keysc_info *info, enum key_type type,
		    struct mcuprov_err *err)
{
	char blocks[256] = "";
	size_t i;

	for (i = 0; i < info->n_arrays; i++) {
		const char *b = info->arrays[i].block;

		if (!info->arrays[i].is_key || !keysc_is_sign_macro(b) || strstr(blocks, b) != NULL ||
		    strlen(blocks) + strlen(b) + 3 >= sizeof(blocks))
			continue;
		if (blocks[0] != '\0')
			strcat(blocks, ", ");
		strcat(blocks, b);
	}
	for (i = 0; i < info->n_arrays; i++)
		if (info->arrays[i].is_key && keysc_macro_selects(info->arrays[i].block, type))
			return err_set(err, MCUPROV_ERR_REFUSED, subject,
				       "line %zu: its %s block is not compiled under this "
				       "configuration (see the 'assuming' line: -D and -U change it)",
				       info->arrays[i].line, info->arrays[i].block);
	return err_set(err, MCUPROV_ERR_REFUSED, subject,
		       "has no block for %s keys (#if defined(%s)); it has blocks for: %s",
		       key_type_name(type), keysc_sign_macro(type), blocks[0] ? blocks : "none");
}

/* The current keys of a per-image list, for the refusal that asks for
 * --image: "image 0: 'rsa_pub_key' SHA-256 0123456789abcdef..., ..." */
static void image_list(const char *text, const struct keysc_info *info, char *buf, size_t size)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < info->n_slots && used + 1 < size; i++) {
		uint8_t *der = NULL, md[EVP_MAX_MD_SIZE];
		unsigned mdlen = 0, k;
		size_t dlen = 0;
		char hex[17] = "?";

		if (keysc_slot_der(text, info, i, &der, &dlen) == 0 &&
		    EVP_Digest(der, dlen, md, &mdlen, EVP_sha256(), NULL) && mdlen >= 8)
			for (k = 0; k < 8; k++)
				snprintf(hex + 2 * k, 3, "%02x", md[k]);
		free(der);
		used += (size_t)snprintf(buf + used, size - used, "%simage %zu: '%s' SHA-256 %s...",
					 i ? ", " : "", i, info->arrays[info->slots[i]].name, hex);
	}
}

/* The checks every slot to patch must pass. */
static int check_slot(const char *subject, const struct keysc_array *a, struct mcuprov_err *err)
{
	if (a->tentative)
		return err_set(err, MCUPROV_ERR_REFUSED, subject,
			       "line %zu: '%s' is declared without its bytes (a tentative "
			       "definition): declare it extern and build the key file that "
			       "--emit-key-file OUT writes",
			       a->line, a->name);
	if (!a->has_len)
		return err_set(err, MCUPROV_ERR_REFUSED, subject,
			       "line %zu: array '%s' has no %s_len to go with it", a->line, a->name,
			       a->name);
	/* a placeholder `{ 0x00 }` with a length of 0 is there to be filled */
	if (a->declared_len == 0 && a->n_bytes <= 1)
		return 0;
	if (a->len_sizeof && a->declared_len != a->n_bytes)
		return err_set(err, MCUPROV_ERR_REFUSED, subject,
			       "line %zu: the length of '%s' is the size of another array", a->line,
			       a->name);
	if (a->declared_len != a->n_bytes)
		return err_set(err, MCUPROV_ERR_REFUSED, subject,
			       "line %zu: array '%s' has %zu bytes but %s says %lu", a->line,
			       a->name, a->n_bytes, a->len_name, a->declared_len);
	if (a->fixed && a->fixed_size < a->n_bytes)
		return err_set(err, MCUPROV_ERR_REFUSED, subject,
			       "line %zu: array '%s' is declared with %lu bytes but holds %zu",
			       a->line, a->name, a->fixed_size, a->n_bytes);
	return 0;
}

/* The self-check: OUT, analysed again under the same configuration,
 * compiles exactly the keys wanted (slot IMAGE only when IMAGE >= 0, the
 * others as before). */
static int self_check(const char *text, const char *out, size_t out_len, const char *subject,
		      const struct keysc_info *info, const struct mcuprov_key *const *keys,
		      size_t n_keys, long image, struct mcuprov_err *err)
{
	size_t n = image >= 0 ? info->n_slots : n_keys, i;
	uint8_t **ders = calloc(n + 1, sizeof(*ders));
	size_t *dlens = calloc(n + 1, sizeof(*dlens));
	struct mcuprov_err e2;
	int rc = 0;

	err_clear(&e2);
	if (ders == NULL || dlens == NULL) {
		rc = err_set(err, MCUPROV_ERR_NOMEM, subject, "out of memory");
		goto out;
	}
	for (i = 0; i < n && rc == 0; i++) {
		if (image < 0 || (size_t)image == i) {
			uint8_t *d = NULL;

			rc = key_public_der(keys[image < 0 ? i : 0], &d, &dlens[i], err);
			if (rc == 0 && (ders[i] = malloc(dlens[i])) != NULL)
				memcpy(ders[i], d, dlens[i]);
			else if (rc == 0)
				rc = err_set(err, MCUPROV_ERR_NOMEM, subject, "out of memory");
			OPENSSL_free(d);
		} else if (keysc_slot_der(text, info, i, &ders[i], &dlens[i]) < 0) {
			rc = err_set(err, MCUPROV_ERR_NOMEM, subject, "out of memory");
		}
	}
	if (rc == 0 && keysc_verify_der(out, out_len, subject, info->env,
					(const uint8_t *const *)ders, dlens, n, &e2) < 0)
		rc = err_set(err, MCUPROV_ERR_INTERNAL, subject,
			     "the patched text would not hold the keys (%s): nothing written; "
			     "please report this file",
			     e2.msg);
out:
	for (i = 0; ders != NULL && i < n; i++)
		free(ders[i]);
	free(ders);
	free(dlens);
	return rc;
}

int keysc_patch(const char *text, size_t len, const char *subject, const struct keysc_info *info,
		const struct mcuprov_key *const *keys, size_t n_keys, long image, char **out,
		size_t *out_len, struct mcuprov_err *err)
{
	struct edits ed = {NULL, 0, 0};
	bool live_key = false;
	size_t i;
	int rc;

	*out = NULL;
	if (info->shape == KEYSC_SHAPE_UNKNOWN && info->n_arrays > 0)
		return err_set(err, MCUPROV_ERR_REFUSED, subject,
			       "has byte arrays ('%s', line %zu%s) but no signing key: none is in "
			       "an #if on MCUBOOT_SIGN_*, named in bootutil_keys[] or named and "
			       "sized like a key (NAME_pub_key with NAME_pub_key_len)",
			       info->arrays[0].name, info->arrays[0].line,
			       info->n_arrays > 1 ? ", ..." : "");
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
	for (i = 0; i < info->n_arrays; i++)
		live_key |= info->arrays[i].is_key && info->arrays[i].live.live != PP_FALSE;
	/* no key array compiled for this type at all: say which blocks there
	 * are (a hardware-key build says why itself) */
	if (!live_key && info->include[0] == '\0' &&
	    pp_env_get(info->env, "MCUBOOT_HW_KEY", 14, NULL, NULL) != PP_DEF)
		return no_block(subject, info, keys[0]->type, err);
	if (info->slot_rc < 0)
		return err_set(err, info->slot_rc, subject, "%s", info->slot_msg);
	if (info->include[0] != '\0')
		return err_set(err, MCUPROV_ERR_REFUSED, subject,
			       "its keys are in the file it includes, '%s': patch that one",
			       info->include);
	if (info->n_slots == 0)
		return no_block(subject, info, keys[0]->type, err);
	if (image >= 0) {
		if (!info->multi_image && !(info->n_slots == 1 && image == 0))
			return err_set(err, MCUPROV_ERR_REFUSED, subject,
				       "--image %ld: it holds no key per image (no list depending "
				       "on MCUBOOT_IMAGE_NUMBER)",
				       image);
		if ((size_t)image >= info->n_slots)
			return err_set(err, MCUPROV_ERR_REFUSED, subject,
				       "--image %ld: it holds keys for images 0 to %zu under this "
				       "configuration",
				       image, info->n_slots - 1);
		if (n_keys != 1)
			return err_set(err, MCUPROV_ERR_USAGE, subject,
				       "--image takes one key (%zu given)", n_keys);
	} else if (info->multi_image && info->n_slots > 1) {
		char list[MCUPROV_ERR_MSG_MAX];

		image_list(text, info, list, sizeof(list));
		return err_set(err, MCUPROV_ERR_REFUSED, subject,
			       "holds one key per image (%s): choose the image whose key "
			       "changes with --image N",
			       list);
	}
	for (i = 0; i < info->n_slots; i++)
		if ((image < 0 || (size_t)image == i) &&
		    (rc = check_slot(subject, &info->arrays[info->slots[i]], err)) < 0)
			return rc;
	/* slot i gets key i */
	for (i = 0; i < info->n_slots && i < n_keys; i++) {
		size_t s = image >= 0 ? (size_t)image : i;

		if ((rc = put_key(info, text, &info->arrays[info->slots[s]], s, keys[i], &ed, subject,
				  err)) < 0)
			goto out;
		if (image >= 0)
			break;
	}
	if (image < 0 && n_keys != info->n_slots) {
		struct resize_plan p;
		const struct keysc_array *a0 = &info->arrays[info->slots[0]];
		size_t k;
		bool sign_block = false;

		memset(&p, 0, sizeof(p));
		p.text = text;
		p.len = len;
		p.subject = subject;
		p.info = info;
		p.type = keys[0]->type;
		p.idx = info->slots;
		p.n_idx = info->n_slots;
		p.keys = keys;
		p.n_keys = n_keys;
		for (i = 0; i < info->n_arrays; i++)
			sign_block |= info->arrays[i].is_key && keysc_is_sign_macro(info->arrays[i].block);
		/* named after the first in the text */
		for (k = 1; k < info->n_slots; k++)
			if (info->slots[k] < (size_t)(a0 - info->arrays))
				a0 = &info->arrays[info->slots[k]];
		snprintf(p.head, sizeof(p.head),
			 "its %s block holds %zu key array%s (%s%s) but %zu key%s given",
			 sign_block ? keysc_sign_macro(keys[0]->type) : "key", info->n_slots,
			 info->n_slots == 1 ? "" : "s", a0->name, info->n_slots > 1 ? ", ..." : "",
			 n_keys, n_keys == 1 ? " was" : "s were");
		rc = resize(&p, &ed, err);
		keysc_toks_free(&p.t);
		free(p.ent);
		if (rc < 0)
			goto out;
	}
	if ((rc = edits_in_live_code(text, len, subject, info, &ed, err)) < 0 ||
	    (rc = apply_edits(text, len, &ed, subject, out, out_len, err)) < 0)
		goto out;
	if ((rc = self_check(text, *out, *out_len, subject, info, keys, n_keys, image, err)) < 0) {
		free(*out);
		*out = NULL;
	}
out:
	edits_free(&ed);
	return rc;
}

int keysc_key_file(const struct mcuprov_key *const *keys, const char *const *names, size_t n_keys,
		   char **out, size_t *out_len, struct mcuprov_err *err)
{
	char *all = NULL;
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
		part = carray_format(der, dlen, names[i], CARRAY_LANG_C, i == 0);
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

int keysc_generated_file(const struct mcuprov_key *const *keys, size_t n_keys, char **out,
			 size_t *out_len, struct mcuprov_err *err)
{
	char (*names)[64] = calloc(n_keys + 1, sizeof(*names));
	const char **np = calloc(n_keys + 1, sizeof(*np));
	size_t i;
	int rc;

	if (names == NULL || np == NULL) {
		free(names);
		free(np);
		return err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
	}
	for (i = 0; i < n_keys; i++) {
		if (i == 0)
			snprintf(names[i], sizeof(names[i]), "%s_pub_key",
				 key_type_shortname(keys[i]->type));
		else
			snprintf(names[i], sizeof(names[i]), "%s_pub_key_%zu",
				 key_type_shortname(keys[i]->type), i);
		np[i] = names[i];
	}
	rc = keysc_key_file(keys, np, n_keys, out, out_len, err);
	free(names);
	free(np);
	return rc;
}
