/* MCUboot keys.c: the text toolkit of patching.
 *
 * Patching is a list of edits (replace [start, end) of the original text)
 * made at once at the end, so nothing is written unless every check
 * passed.  Here: the edit list, a growing string, the lines of the text,
 * a key array's new initializer in the style of the one it replaces, and
 * the key comments mcuprov's templates write. */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "keysc-internal.h"
#include "mcuprov/strutil.h"

static int cmp_edit(const void *a, const void *b)
{
	const struct edit *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Add an edit, taking TEXT over (NULL: out of memory).  Returns 0 or -1. */
int keysc_edit_add(struct edits *ed, size_t start, size_t end, char *text)
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

int keysc_edit_del(struct edits *ed, size_t start, size_t end)
{
	return keysc_edit_add(ed, start, end, strdup(""));
}

void keysc_edits_free(struct edits *ed)
{
	size_t i;

	for (i = 0; i < ed->n; i++)
		free(ed->v[i].text);
	free(ed->v);
	memset(ed, 0, sizeof(*ed));
}

void keysc_sb_put(struct sbuf *b, const char *s, size_t n)
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

void keysc_sb_str(struct sbuf *b, const char *s)
{
	keysc_sb_put(b, s, strlen(s));
}

/* The string (caller frees), or NULL when out of memory. */
char *keysc_sb_take(struct sbuf *b)
{
	char *s = b->oom ? NULL : b->s != NULL ? b->s : calloc(1, 1);

	if (b->oom)
		free(b->s);
	memset(b, 0, sizeof(*b));
	return s;
}

/* The new initializer body for DER, in the file's style. */
char *keysc_format_body(const struct keysc_info *info, const char *text,
			const struct keysc_array *a, const uint8_t *der, size_t len,
			size_t *splice_end)
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

size_t keysc_line_begin(const char *text, size_t pos)
{
	while (pos > 0 && text[pos - 1] != '\n')
		pos--;
	return pos;
}

/* Only blanks between the start of POS's line and POS? */
bool keysc_ws_before(const char *text, size_t pos)
{
	size_t p;

	for (p = keysc_line_begin(text, pos); p < pos; p++)
		if (text[p] != ' ' && text[p] != '\t')
			return false;
	return true;
}

/* Only blanks and perhaps a comment from POS to the end of its line?  Then
 * *NEXT is where the next line starts (LEN at the end of the text). */
bool keysc_line_rest(const char *text, size_t len, size_t pos, size_t *next)
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

bool keysc_only_ws(const char *text, size_t s, size_t e)
{
	for (; s < e; s++)
		if (!isspace((unsigned char)text[s]))
			return false;
	return true;
}

/* Only whitespace and comments in [s, e)? */
bool keysc_only_ws_comments(const char *text, size_t s, size_t e)
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
bool keysc_line_above(const char *text, size_t pos, size_t *b, size_t *e)
{
	size_t lb = keysc_line_begin(text, pos);

	if (lb == 0)
		return false;
	*b = keysc_line_begin(text, lb - 1);
	*e = lb - 1;
	if (*e > *b && text[*e - 1] == '\r')
		(*e)--;
	return true;
}

/* Is the line [b, e) the comment mcuprov's inline-multi template writes
 * above each array, `/\* key N...*\/`?  STRICT: exactly
 * `/\* key N: TYPE, SHA-256 HEX *\/` (64 lower-case hex digits).  [*cs, *ce)
 * is the comment itself. */
bool keysc_key_comment(const char *text, size_t b, size_t e, bool strict, size_t *cs, size_t *ce)
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
bool keysc_array_comment(const char *text, const struct keysc_array *a, size_t *cb, size_t *cs,
			 size_t *ce)
{
	size_t b, e;

	return keysc_ws_before(text, a->decl_start) &&
	       keysc_line_above(text, a->decl_start, &b, &e) &&
	       keysc_key_comment(text, b, e, true, cs, ce) && (*cb = b, true);
}

char *keysc_comment_text(size_t i, const struct mcuprov_key *key, const char *fp)
{
	size_t n = 64 + strlen(key_type_name(key->type)) + strlen(fp);
	char *c = malloc(n);

	if (c != NULL)
		snprintf(c, n, "/* key %zu: %s, SHA-256 %s */", i, key_type_name(key->type), fp);
	return c;
}

/* The edits that make array A hold KEY (key number I): its bytes, its _len
 * and the template's key comment above it when it has one. */
int keysc_put_key(const struct keysc_info *info, const char *text, const struct keysc_array *a,
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
	body = keysc_format_body(info, text, a, der, dlen, &end);
	OPENSSL_free(der);
	snprintf(num, sizeof(num), "%zu", dlen);
	if (keysc_edit_add(ed, a->body_start, end, body) < 0 ||
	    (!a->len_sizeof && keysc_edit_add(ed, a->len_start, a->len_end, strdup(num)) < 0) ||
	    (a->fixed && keysc_edit_add(ed, a->size_start, a->size_end, strdup(num)) < 0))
		return err_set(err, MCUPROV_ERR_NOMEM, subject, "out of memory");
	if (keysc_array_comment(text, a, &cb, &cs, &ce)) {
		if ((rc = key_fingerprint_hex(key, fp, err)) < 0)
			return rc;
		if (keysc_edit_add(ed, cs, ce, keysc_comment_text(i, key, fp)) < 0)
			return err_set(err, MCUPROV_ERR_NOMEM, subject, "out of memory");
	}
	return 0;
}

/* The text with the edits made: *out (malloc'd, NUL-terminated). */
int keysc_apply_edits(const char *text, size_t len, struct edits *ed, const char *subject,
		      char **out, size_t *out_len, struct mcuprov_err *err)
{
	struct str_edit *v = calloc(ed->n + 1, sizeof(*v));
	size_t i;
	int rc;

	if (v == NULL)
		return err_set(err, MCUPROV_ERR_NOMEM, subject, "out of memory");
	qsort(ed->v, ed->n, sizeof(*ed->v), cmp_edit);
	for (i = 0; i < ed->n; i++) {
		v[i].from = ed->v[i].start;
		v[i].to = ed->v[i].end;
		v[i].text = ed->v[i].text;
		v[i].len = strlen(ed->v[i].text);
	}
	rc = str_splice(text, len, v, ed->n, out, out_len);
	free(v);
	if (rc == -2)
		return err_set(err, MCUPROV_ERR_INTERNAL, subject, "overlapping edits");
	if (rc < 0)
		return err_set(err, MCUPROV_ERR_NOMEM, subject, "out of memory");
	return 0;
}
