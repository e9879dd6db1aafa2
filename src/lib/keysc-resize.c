/* MCUboot keys.c: another number of keys than the bootloader compiles.
 *
 * Adds or removes whole lines (arrays with their length, bootutil_keys[]
 * entries, the count) only where the key list and the count say for sure
 * which lines those are; every doubt is a refusal that says what was
 * found. */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "keysc-internal.h"

/* ---- another number of keys ---- */

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

/* The line of a use of NAME (an identifier, or a word of a preprocessor
 * line) outside the N_SKIP [start, end) spans SKIP; 0 when there is none. */
static size_t name_used(const struct resize_plan *p, const char *name, const size_t *skip,
			size_t n_skip)
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
		    (k->kind == T_PP && keysc_word_in(p->text, k->start, k->end, name)))
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

		keysc_sb_put(b, text + from, e->desig_num_start - from);
		snprintf(num, sizeof(num), "%zu", index);
		keysc_sb_str(b, num);
		from = e->desig_num_end;
	}
	for (i = 0; i < 2; i++) {
		size_t k = len_first ? 1 - i : i;

		keysc_sb_put(b, text + from, r[k] - from);
		keysc_sb_str(b, name);
		if (k == 1)
			keysc_sb_str(b, "_len");
		from = r[k] + n[k];
	}
	keysc_sb_put(b, text + from, to - from);
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
		for (i = 0; p->other != NULL && (e->live.alt & p->others) && i < info->n_arrays;
		     i++)
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

		if (!keysc_ws_before(text, a->decl_start) ||
		    !keysc_only_ws_comments(text, a->decl_end, a->len_decl_start) ||
		    !keysc_line_rest(text, p->len, a->len_decl_end, &next)) {
			rc = refuse(p, err, "line %zu: '%s' shares its lines with other code",
				    a->line, a->name);
			goto out;
		}
		/* only lines after the code before the array: a "key comment"
		 * line may close a comment opened above it, a blank line may
		 * continue a preprocessor line */
		for (i = 0; i < p->t.n && p->t.v[i].start < a->decl_start; i++)
			pe = p->t.v[i].end;
		s = keysc_line_begin(text, a->decl_start);
		if (keysc_line_above(text, s, &b, &e) &&
		    keysc_key_comment(text, b, e, false, &cs, &ce) && b >= pe &&
		    keysc_only_ws_comments(text, pe, b))
			s = b;
		if (keysc_line_above(text, s, &b, &e) && keysc_only_ws(text, b, e) && b >= pe)
			s = b;
		if (keysc_edit_del(ed, s, next) < 0)
			goto oom;
	}
	/* the entries: their lines, or their text when they share lines */
	for (k = 0; k < n_rm; k++) {
		const struct keysc_entry *e = &l->entries[p->ent[p->n_keys + k]];
		size_t s = e->start, t = e->end, next;

		gone[p->ent[p->n_keys + k]] = true;
		if (keysc_ws_before(text, s) && keysc_line_rest(text, p->len, t, &next)) {
			s = keysc_line_begin(text, s);
			t = next;
		} else if (keysc_ws_before(text, s)) {
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
		if (keysc_edit_del(ed, del[2 * i], del[2 * i + 1]) < 0)
			goto oom;
	/* the list's last entry had no comma after it: nor has the new last one */
	if (l->n_entries > 0 && gone[l->n_entries - 1] && !l->entries[l->n_entries - 1].comma) {
		for (i = l->n_entries; i-- > 0 && gone[i];)
			;
		if (i < l->n_entries && l->entries[i].comma &&
		    keysc_edit_del(ed, l->entries[i].comma_pos, l->entries[i].comma_pos + 1) < 0)
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
		    (keysc_edit_del(ed, keysc_line_begin(text, g->if_start),
				    g->if_end < p->len ? g->if_end + 1 : p->len) < 0 ||
		     keysc_edit_del(ed, keysc_line_begin(text, g->endif_start),
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
	if (!keysc_line_rest(text, p->len, src->len_decl_end, &at)) {
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
	comment = keysc_array_comment(text, src, &cb, &cs, &ce);
	if (at == p->len && (p->len == 0 || text[p->len - 1] != '\n'))
		keysc_sb_str(&b, eol);
	for (k = 0; k < n_new; k++) {
		const struct mcuprov_key *key = p->keys[p->n_idx + k];
		char fp[2 * KEY_FINGERPRINT_LEN + 1], *s;
		uint8_t *der = NULL;
		size_t dlen = 0, splice = 0, lb = keysc_line_begin(text, src->decl_start);

		if ((rc = key_public_der(key, &der, &dlen, err)) < 0)
			goto out;
		s = keysc_format_body(p->info, text, src, der, dlen, &splice);
		OPENSSL_free(der);
		if (s == NULL)
			goto oom;
		/* a blank line, the key comment if the last array has one */
		keysc_sb_str(&b, eol);
		if (comment) {
			char *c;

			if ((rc = key_fingerprint_hex(key, fp, err)) < 0) {
				free(s);
				goto out;
			}
			c = keysc_comment_text(p->n_idx + k, key, fp);
			if (c == NULL) {
				free(s);
				goto oom;
			}
			keysc_sb_put(&b, text + cb, cs - cb);
			keysc_sb_str(&b, c);
			keysc_sb_str(&b, eol);
			free(c);
		}
		if (keysc_ws_before(text, src->decl_start))
			keysc_sb_put(&b, text + lb, src->decl_start - lb);
		keysc_sb_put(&b, text + src->decl_start, src->name_start - src->decl_start);
		keysc_sb_str(&b, names + k * KEYSC_NAME_MAX);
		q = src->name_start + strlen(src->name);
		keysc_sb_put(&b, text + q, src->body_start - q);
		keysc_sb_str(&b, s);
		free(s);
		keysc_sb_put(&b, text + splice, src->decl_end - splice);
		if (keysc_only_ws(text, src->decl_end, src->len_decl_start))
			keysc_sb_put(&b, text + src->decl_end, src->len_decl_start - src->decl_end);
		else
			keysc_sb_str(&b, eol);
		keysc_sb_put(&b, text + src->len_decl_start,
			     src->len_name_start - src->len_decl_start);
		keysc_sb_str(&b, names + k * KEYSC_NAME_MAX);
		keysc_sb_str(&b, "_len");
		q = src->len_name_start + strlen(src->name) + 4;
		keysc_sb_put(&b, text + q, src->len_start - q);
		snprintf(n, sizeof(n), "%zu", dlen);
		keysc_sb_str(&b, src->len_sizeof ? names + k * KEYSC_NAME_MAX : n);
		keysc_sb_put(&b, text + src->len_end, src->len_decl_end - src->len_end);
		keysc_sb_str(&b, eol);
	}
	if (keysc_edit_add(ed, at, at, keysc_sb_take(&b)) < 0)
		goto oom;
	/* the entries: copies of the last one */
	own = keysc_ws_before(text, se->start) && keysc_line_rest(text, p->len, se->end, &snext);
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
		keysc_sb_str(&b, "#if defined(");
		keysc_sb_str(&b, src->block);
		keysc_sb_str(&b, ")");
		keysc_sb_str(&b, eol);
	}
	for (k = 0; k < n_new; k++) {
		if (own) {
			copy_entry(&b, text, keysc_line_begin(text, se->start), se->end, se,
				   names + k * KEYSC_NAME_MAX,
				   (size_t)(se - p->list->entries) + 1 + k);
			if (!se->comma && k + 1 < n_new)
				keysc_sb_str(&b, ",");
			keysc_sb_put(&b, text + se->end, snext - se->end);
		} else {
			keysc_sb_str(&b, se->comma ? " " : ", ");
			copy_entry(&b, text, se->start, se->end, se, names + k * KEYSC_NAME_MAX,
				   (size_t)(se - p->list->entries) + 1 + k);
		}
	}
	if (wrap) {
		keysc_sb_str(&b, "#endif");
		keysc_sb_str(&b, eol);
	}
	if (own && !se->comma && keysc_edit_add(ed, se->end, se->end, strdup(",")) < 0)
		goto oom;
	if (keysc_edit_add(ed, own ? snext : se->end, own ? snext : se->end, keysc_sb_take(&b)) < 0)
		goto oom;
	goto out;
oom:
	rc = err_set(err, MCUPROV_ERR_NOMEM, p->subject, "out of memory");
out:
	free(keysc_sb_take(&b));
	free(names);
	return rc;
}

/* The checks and edits for another number of keys than the block has
 * arrays; only where the file's key list says for sure what to change. */
int keysc_resize(struct resize_plan *p, struct edits *ed, struct mcuprov_err *err)
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
		return refuse(p, err,
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
			for (j = 0; j < l->n_entries && strcmp(l->entries[j].key, parr(p, i)->name);
			     j++)
				;
			return refuse(
				p, err,
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
		if (keysc_edit_add(ed, c->start, c->end, strdup(num)) < 0)
			return err_set(err, MCUPROV_ERR_NOMEM, p->subject, "out of memory");
	}
	if (keysc_tokenize(p->text, p->len, &p->t) < 0)
		return err_set(err, MCUPROV_ERR_NOMEM, p->subject, "out of memory");
	rc = p->n_keys < p->n_idx ? shrink(p, ed, err) : add(p, ed, err);
	return rc;
}
