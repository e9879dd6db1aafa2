/* mcuprov wizard: inspect an image — image_parse + imginfo_format, with
 * image_verify's verdict on top (the hash without a key, the signature with
 * one).  The result is a navigable tree built from the core's own JSON
 * (`mcuprov dumpinfo -f json`: labels and values exactly as it prints
 * them, no second formatter: the ENC TLVs, a boot record decoded, UUID
 * TLVs as UUIDs, "endian: big"), the header flags named with the core's
 * image_flag_names as dumpinfo's text does; 't' shows dumpinfo's plain
 * text instead. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "tui.h"
#include "mcuprov/fileio.h"
#include "mcuprov/image.h"
#include "mcuprov/imgenc.h"
#include "mcuprov/key.h"
#include "mcuprov/project.h"

#define PROJECT_FILE "mcuprov.yaml"

enum step { ST_FORM, ST_PW, ST_SHOW };

enum { F_IMAGE, F_KEY, N_FORM };

enum { D_ERR = 1, D_PWERR, D_BROWSE_IMAGE, D_BROWSE_KEY };

/* One row of the tree, in pre-order: a node's descendants are the nodes
 * after it up to END. */
struct node {
	char *label;   /* the JSON key, "[i]" or an array element's summary */
	char *value;   /* a leaf's value as shown; NULL for a container */
	char *summary; /* a container's children in one line (the detail) */
	int depth;
	int parent; /* -1 at the top */
	int end;
	int nkids; /* a container's children */
	int idx;   /* an array element's index; -1 for an object's member */
	bool array;
	bool open;
};

struct inspect {
	struct tui_screen s;
	enum step step;
	int focus;
	struct tui_field image, key;
	struct tui_keyset ks; /* loads the key, its password only when needed */
	char *text; /* imginfo_format's human text: the 't' view */
	bool ok;    /* the verify status */
	char status[1400];
	int top; /* first line of the text view */
	/* the tree */
	struct node *nodes;
	int n, cap;
	int *vis; /* the visible nodes, in order */
	int nvis;
	int sel;      /* the selected node */
	int tree_top; /* first visible row shown */
	bool textview;
};

static void set_step(struct inspect *in, enum step st)
{
	in->step = st;
	in->s.text_input = st != ST_SHOW;
}

static int fail(struct inspect *in, int id, struct mcuprov_err *err, const char *subject)
{
	if (err->subject[0] == '\0')
		snprintf(err->subject, sizeof(err->subject), "%.500s", subject);
	return tui_dialog_error(&in->s, id, err);
}

/* ---- the tree ------------------------------------------------------------ */

static void tree_free(struct inspect *in)
{
	int i;

	for (i = 0; i < in->n; i++) {
		free(in->nodes[i].label);
		free(in->nodes[i].value);
		free(in->nodes[i].summary);
	}
	free(in->nodes);
	free(in->vis);
	in->nodes = NULL;
	in->vis = NULL;
	in->n = in->cap = in->nvis = 0;
	in->sel = in->tree_top = 0;
}

static bool is_container(const struct json_object *o)
{
	if (json_object_is_type(o, json_type_object))
		return json_object_object_length(o) > 0;
	if (json_object_is_type(o, json_type_array))
		return json_object_array_length(o) > 0;
	return false;
}

/* S (malloc'd, or NULL) with control characters shown as '?': a file
 * name may hold any byte but a row of the tree is one line. */
static char *clean(char *s)
{
	char *p;

	for (p = s; p != NULL && *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return s;
}

/* A scalar (or empty container) as dumpinfo's JSON has it; strings
 * without their quotes, numbers in hex as dumpinfo prints them
 * (0x96f3b83d, 0x200).  Malloc'd. */
static char *scalar_text(struct json_object *o)
{
	if (json_object_is_type(o, json_type_int)) {
		char buf[32];
		int64_t v = json_object_get_int64(o);

		if (v < 0) /* dumpinfo has none */
			snprintf(buf, sizeof(buf), "%lld", (long long)v);
		else
			snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)v);
		return strdup(buf);
	}
	if (json_object_is_type(o, json_type_string))
		return clean(strdup(json_object_get_string(o)));
	if (json_object_is_type(o, json_type_object))
		return strdup("{}");
	if (json_object_is_type(o, json_type_array))
		return strdup("[]");
	return strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
}

/* header.flags as dumpinfo's text names them (image_flag_names, in the
 * core's order): "ENCRYPTED_AES128 (0x4)", several joined by ", "; 0 and
 * unknown bits alone as the number.  Malloc'd. */
static char *flags_text(struct json_object *o)
{
	uint64_t v = (uint64_t)json_object_get_int64(o);
	char buf[512];
	size_t n = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; image_flag_names[i].name != NULL; i++) {
		if (!(v & image_flag_names[i].bit))
			continue;
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s (0x%lx)", n > 0 ? ", " : "",
				      image_flag_names[i].name,
				      (unsigned long)image_flag_names[i].bit);
		if (n >= sizeof(buf))
			break;
	}
	if (buf[0] == '\0')
		snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)v);
	return strdup(buf);
}

/* An array element's label: "[0] SHA256 (0x10), 32 bytes" from the
 * element's own type_name, type and len (what a TLV has), else "[0]". */
static char *element_label(size_t i, struct json_object *o)
{
	struct json_object *name = NULL, *type = NULL, *len = NULL;
	bool named;
	char buf[256];
	int n;

	n = snprintf(buf, sizeof(buf), "[%zu]", i);
	if (!json_object_is_type(o, json_type_object))
		return strdup(buf);
	json_object_object_get_ex(o, "type_name", &name);
	json_object_object_get_ex(o, "type", &type);
	json_object_object_get_ex(o, "len", &len);
	named = name != NULL && json_object_is_type(name, json_type_string);
	if (named)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, " %.100s",
			      json_object_get_string(name));
	if (type != NULL && json_object_is_type(type, json_type_int))
		n += snprintf(buf + n, sizeof(buf) - (size_t)n,
			      named ? " (0x%llx)" : " type 0x%llx",
			      (unsigned long long)json_object_get_int64(type));
	if (len != NULL && json_object_is_type(len, json_type_int))
		snprintf(buf + n, sizeof(buf) - (size_t)n, ", %lld byte%s",
			 (long long)json_object_get_int64(len),
			 json_object_get_int64(len) == 1 ? "" : "s");
	return clean(strdup(buf));
}

static int add_node(struct inspect *in, char *label, char *value, int depth, int parent)
{
	struct node *nd;

	if (in->n == in->cap) {
		int cap = in->cap ? 2 * in->cap : 64;
		struct node *p = realloc(in->nodes, (size_t)cap * sizeof(*p));

		if (p == NULL)
			goto fail;
		in->nodes = p;
		in->cap = cap;
	}
	if (label == NULL)
		goto fail;
	nd = &in->nodes[in->n];
	memset(nd, 0, sizeof(*nd));
	nd->label = label;
	nd->value = value;
	nd->depth = depth;
	nd->parent = parent;
	nd->end = in->n + 1;
	nd->idx = -1;
	return in->n++;
fail:
	free(label);
	free(value);
	return -1;
}

/* Append A B C to the malloc'd string *S, two spaces after what it had. */
static int append(char **s, const char *a, const char *b, const char *c)
{
	size_t old = *s != NULL ? strlen(*s) : 0;
	size_t need = old + 2 + strlen(a) + strlen(b) + strlen(c) + 1;
	char *p = realloc(*s, need);

	if (p == NULL)
		return -1;
	snprintf(p + old, need - old, "%s%s%s%s", old > 0 ? "  " : "", a, b, c);
	*s = p;
	return 0;
}

static int add_tree(struct inspect *in, struct json_object *o, int depth, int parent);

/* One child of the container PARENT: a leaf, or a container and its
 * children. */
static int add_child(struct inspect *in, char *label, struct json_object *v, int depth, int parent)
{
	int idx = parent >= 0 && in->nodes[parent].array ? in->nodes[parent].nkids - 1 : -1;
	char *shown;
	int i;

	if (!is_container(v)) {
		/* the header's flags by name, as `mcuprov dumpinfo` prints them */
		bool flags = depth == 1 && parent >= 0 && label != NULL &&
			     strcmp(in->nodes[parent].label, "header") == 0 &&
			     strcmp(label, "flags") == 0 && json_object_is_type(v, json_type_int);
		char *val = flags ? flags_text(v) : scalar_text(v);

		if (val == NULL || label == NULL) {
			free(label);
			free(val);
			return -1;
		}
		if (parent >= 0 && append(&in->nodes[parent].summary, label, ": ", val) < 0) {
			free(label);
			free(val);
			return -1;
		}
		i = add_node(in, label, val, depth, parent);
		if (i < 0)
			return -1;
		in->nodes[i].idx = idx;
		return 0;
	}
	i = add_node(in, label, NULL, depth, parent);
	if (i < 0)
		return -1;
	in->nodes[i].array = json_object_is_type(v, json_type_array);
	in->nodes[i].idx = idx;
	shown = in->nodes[i].label;
	if (parent >= 0) {
		char more[32];

		if (json_object_is_type(v, json_type_array))
			snprintf(more, sizeof(more), ": [%zu]",
				 (size_t)json_object_array_length(v));
		else
			snprintf(more, sizeof(more), "%s", idx >= 0 ? "" : ": {...}");
		if (append(&in->nodes[parent].summary, shown, more, "") < 0)
			return -1;
	}
	if (add_tree(in, v, depth + 1, i) < 0)
		return -1;
	in->nodes[i].end = in->n;
	return 0;
}

/* The children of the container O (at DEPTH, under node PARENT or -1). */
static int add_tree(struct inspect *in, struct json_object *o, int depth, int parent)
{
	if (json_object_is_type(o, json_type_object)) {
		json_object_object_foreach(o, k, v)
		{
			if (parent >= 0)
				in->nodes[parent].nkids++;
			if (add_child(in, clean(strdup(k)), v, depth, parent) < 0)
				return -1;
		}
	} else if (json_object_is_type(o, json_type_array)) {
		size_t i, n = json_object_array_length(o);

		for (i = 0; i < n; i++) {
			struct json_object *v = json_object_array_get_idx(o, i);

			if (parent >= 0)
				in->nodes[parent].nkids++;
			if (add_child(in, element_label(i, v), v, depth, parent) < 0)
				return -1;
		}
	} else {
		return add_child(in, strdup("value"), o, depth, parent);
	}
	return 0;
}

/* The rows shown: every node whose ancestors are all open. */
static void tree_visible(struct inspect *in)
{
	int i = 0;

	in->nvis = 0;
	while (i < in->n) {
		in->vis[in->nvis++] = i;
		i = in->nodes[i].value == NULL && !in->nodes[i].open ? in->nodes[i].end : i + 1;
	}
}

/* Where SEL is among the visible rows (its nearest visible ancestor when
 * it is hidden: that one becomes the selection). */
static int sel_pos(struct inspect *in)
{
	int i;

	for (;;) {
		for (i = 0; i < in->nvis; i++)
			if (in->vis[i] == in->sel)
				return i;
		if (in->sel < 0 || in->sel >= in->n || in->nodes[in->sel].parent < 0) {
			in->sel = in->nvis > 0 ? in->vis[0] : 0;
			return 0;
		}
		in->sel = in->nodes[in->sel].parent;
	}
}

/* Build the tree from dumpinfo's JSON; the top-level sections open. */
static int tree_build(struct inspect *in, const char *json, struct mcuprov_err *err)
{
	struct json_object *root = json_tokener_parse(json);
	int i, rc = 0;

	tree_free(in);
	if (root == NULL)
		return err_set(err, MCUPROV_ERR_INTERNAL, NULL, "dumpinfo's json does not parse");
	if (add_tree(in, root, 0, -1) < 0 || in->n == 0 ||
	    (in->vis = calloc((size_t)in->n, sizeof(*in->vis))) == NULL) {
		tree_free(in);
		rc = err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
	}
	json_object_put(root);
	for (i = 0; i < in->n; i++)
		in->nodes[i].open = in->nodes[i].depth == 0;
	if (rc == 0)
		tree_visible(in);
	return rc;
}

/* The node's place as jq writes it: .tlv_area.tlvs[0].data */
static void node_path(const struct inspect *in, int i, char *buf, size_t size)
{
	int chain[64], n = 0;
	size_t o = 0;

	buf[0] = '\0';
	for (; i >= 0 && n < 64; i = in->nodes[i].parent)
		chain[n++] = i;
	while (n-- > 0 && o < size) {
		const struct node *nd = &in->nodes[chain[n]];
		int w = nd->idx >= 0 ? snprintf(buf + o, size - o, "[%d]", nd->idx)
				     : snprintf(buf + o, size - o, ".%s", nd->label);

		if (w < 0)
			break;
		o += (size_t)w;
	}
}

/* ---- drawing ------------------------------------------------------------- */

/* Columns of the first N bytes of the UTF-8 text S. */
static int ucols(const char *s, size_t n)
{
	int c = 0;
	size_t i;

	for (i = 0; i < n && s[i] != '\0'; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			c++;
	return c;
}

/* Bytes of S that fit in W columns (whole UTF-8 characters). */
static size_t ufit(const char *s, int w)
{
	size_t i = 0;
	int c = 0;

	while (s[i] != '\0') {
		if (((unsigned char)s[i] & 0xc0) != 0x80 && c++ == w)
			break;
		i++;
	}
	return i;
}

/* TEXT at (Y, X) in W columns; clipped with "..." when longer. */
static void put_clipped(int y, int x, int w, const char *text)
{
	size_t n = strlen(text);

	if (w <= 0)
		return;
	if (ucols(text, n) <= w) {
		mvaddstr(y, x, text);
	} else if (w > 3) {
		mvaddnstr(y, x, text, (int)ufit(text, w - 3));
		addstr("...");
	} else {
		mvaddnstr(y, x, "...", w);
	}
}

/* Word-wrap TEXT to W columns from row Y (long words broken); at most ROWS
 * rows, the last ending "..." when TEXT needs more.  With DRAW false only
 * count.  Returns the rows TEXT needs in all. */
static int wrap(const char *text, int y, int x, int w, int rows, bool draw)
{
	const char *p = text;
	int used = 0;

	if (w < 4)
		return 0;
	while (*p != '\0') {
		size_t len, cut = 0, i;

		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		len = ufit(p, w);
		if (p[len] != '\0' && p[len] != ' ') {
			for (i = len; i > 0; i--)
				if (p[i - 1] == ' ') {
					cut = i - 1;
					break;
				}
			if (cut > 0)
				len = cut;
		}
		if (draw && used < rows) {
			const char *rest = p + len;

			while (*rest == ' ')
				rest++;
			if (used == rows - 1 && *rest != '\0') {
				mvaddnstr(y + used, x, p, (int)ufit(p, w - 3));
				addstr("...");
			} else {
				mvaddnstr(y + used, x, p, (int)len);
			}
		}
		used++;
		p += len;
	}
	return used;
}

#define PANE_Y	   5
#define DETAIL_MIN 3
#define TREE_MIN   5

static int pane_rows(void)
{
	return LINES - 3 - PANE_Y;
}

/* The detail of node I: a leaf's value, a container's children. */
static const char *detail_text(const struct inspect *in, int i)
{
	const struct node *nd = &in->nodes[i];

	return nd->value != NULL ? nd->value : nd->summary != NULL ? nd->summary : "";
}

/* Rows for the detail of the selection (the tree gets the rest). */
static int detail_rows(const struct inspect *in)
{
	int body = LINES - 2 - PANE_Y, max = body - 1 - TREE_MIN;
	int d = in->n > 0 ? wrap(detail_text(in, in->sel), 0, 0, COLS - 4, 0, false) : 0;

	if (d < DETAIL_MIN)
		d = DETAIL_MIN;
	return d > max ? max : d;
}

static int tree_rows(const struct inspect *in)
{
	return LINES - 2 - PANE_Y - 1 - detail_rows(in);
}

static void draw_tree(struct inspect *in)
{
	int pos = sel_pos(in), rows = tree_rows(in), w = COLS - 4, r, ry;
	bool utf8 = tui_term.lines == TUI_LINES_UTF8;
	char line[8192], path[512];

	if (pos < in->tree_top)
		in->tree_top = pos;
	if (pos >= in->tree_top + rows)
		in->tree_top = pos - rows + 1;
	if (in->tree_top > in->nvis - rows)
		in->tree_top = in->nvis > rows ? in->nvis - rows : 0;
	if (in->nvis > rows)
		mvprintw(PANE_Y - 1, COLS - 24, " rows %d-%d of %d ", in->tree_top + 1,
			 in->tree_top + rows, in->nvis);
	for (r = 0; r < rows && in->tree_top + r < in->nvis; r++) {
		int i = in->vis[in->tree_top + r], y = PANE_Y + r;
		const struct node *nd = &in->nodes[i];
		int x = 4 + 2 * nd->depth;

		if (i == in->sel) {
			attron(A_REVERSE);
			mvhline(y, 2, ' ', w);
			mvaddch(y, 2, '>'); /* as tui_menu marks it: seen without attributes */
		}
		if (nd->value != NULL) {
			snprintf(line, sizeof(line), "%s: %s", nd->label, nd->value);
		} else {
			if (utf8)
				mvaddstr(y, x, nd->open ? "\xe2\x96\xbe" : "\xe2\x96\xb8");
			else
				mvaddch(y, x, nd->open ? '-' : '+');
			if (nd->array)
				snprintf(line, sizeof(line), "%s [%d]", nd->label, nd->nkids);
			else
				snprintf(line, sizeof(line), "%s", nd->label);
		}
		put_clipped(y, x + 2, COLS - 2 - (x + 2), line);
		if (i == in->sel)
			attroff(A_REVERSE);
	}
	/* the detail: the selection's path on the rule, its value in full */
	ry = PANE_Y + rows;
	tui_hline(ry, 2, COLS - 4);
	node_path(in, in->sel, path, sizeof(path));
	snprintf(line, sizeof(line), " %s ", path);
	put_clipped(ry, 4, COLS - 8, line);
	wrap(detail_text(in, in->sel), ry + 1, 2, w, detail_rows(in), true);
}

static void inspect_draw(struct tui_screen *s)
{
	struct inspect *in = (struct inspect *)s;
	int y = 3, n;

	switch (in->step) {
	case ST_FORM:
		tui_frame("Inspect image",
			  "Tab move  type the path  ^O browse  Enter inspect  Esc back  F1 help");
		mvaddstr(y++, 2, "Image file (signed or not):");
		tui_field_draw(&in->image, y++, 3, COLS - 8, in->focus == F_IMAGE);
		y++;
		mvaddstr(y++, 2, "Key to check the signature with (optional; public is enough):");
		tui_field_draw(&in->key, y++, 3, COLS - 8, in->focus == F_KEY);
		y++;
		tui_wrap(y, 2, COLS - 4,
			 "Without a key the image hash is checked; with one, also that the image "
			 "names that key and its signature verifies.",
			 tui_attr(TUI_PAIR_DIM));
		break;
	case ST_PW:
		tui_frame("Inspect image", "type the password (not shown)  Enter load  Esc back");
		mvprintw(y++, 2, "Key: %s", in->key.buf);
		y++;
		mvaddstr(y++, 2, tui_pw_prompt(in->key.buf));
		tui_field_draw(&in->ks.pw, y, 3, 40, true);
		y += 2;
		mvaddstr(y, 2, "Nothing is shown while you type.");
		break;
	case ST_SHOW:
		if (in->textview)
			tui_frame("Inspect image",
				  "Up/Down/PgUp/PgDn scroll  t tree  Esc back  F1 help");
		else
			tui_frame("Inspect image", "arrows move  Right/Enter open  Left close  "
						   "* all  - none  t text  Esc back");
		attron(tui_attr(in->ok ? TUI_PAIR_OK : TUI_PAIR_ERROR) | A_BOLD);
		mvaddnstr(y++, 2, in->status, COLS - 4);
		attroff(tui_attr(in->ok ? TUI_PAIR_OK : TUI_PAIR_ERROR) | A_BOLD);
		tui_hline(PANE_Y - 1, 2, COLS - 4);
		if (!in->textview) {
			draw_tree(in);
			break;
		}
		n = tui_pane_lines(in->text);
		if (n > pane_rows())
			mvprintw(PANE_Y - 1, COLS - 24, " lines %d-%d of %d ", in->top + 1,
				 in->top + pane_rows() < n ? in->top + pane_rows() : n, n);
		tui_pane_draw(PANE_Y, 2, pane_rows(), COLS - 4, in->text, in->top);
		break;
	}
}

/* ---- input ----------------------------------------------------------------- */

static int run(struct inspect *in, bool with_pw)
{
	struct image_info *info = NULL;
	struct image_verify_result res;
	struct mcuprov_key *key = NULL;
	const struct mcuprov_key *keys[1];
	struct mcuprov_err err;
	char fp[2 * KEY_FINGERPRINT_LEN + 1];
	char keyhash[2 * IMAGE_MAX_DIGEST + 1] = "";
	const char *enc = NULL; /* the ENC TLV's name of an encrypted image */
	char *json = NULL;
	const char *base;
	size_t len, i;
	int rc;

	err_clear(&err);
	if (in->key.len > 0) {
		rc = tui_keyset_load_one(&in->ks, in->key.buf, with_pw, &key, &err);
		if (rc == 1) {
			set_step(in, ST_PW);
			return TUI_HANDLED;
		}
		if (rc < 0) {
			set_step(in, ST_FORM);
			return fail(in,
				    with_pw && err.code == MCUPROV_ERR_PASSWORD ? D_PWERR : D_ERR,
				    &err, in->key.buf);
		}
	}
	set_step(in, ST_FORM);
	if (image_parse(in->image.buf, &info, &err) < 0) {
		key_free(key);
		return fail(in, D_ERR, &err, in->image.buf);
	}
	base = strrchr(in->image.buf, '/');
	base = base != NULL ? base + 1 : in->image.buf;
	free(in->text);
	in->text = NULL;
	/* the same two renderings as `mcuprov dumpinfo` and `dumpinfo -f json` */
	/* the key the image names, for "no matching key" */
	for (i = 0; i < info->tlvs.n_tlvs && keyhash[0] == '\0'; i++) {
		const struct image_tlv_entry *e = &info->tlvs.tlvs[i];
		size_t k;

		if (e->type != TLV_KEYHASH)
			continue;
		for (k = 0; k < e->len && k < IMAGE_MAX_DIGEST; k++)
			snprintf(keyhash + 2 * k, 3, "%02x", e->value[k]);
	}
	for (i = 0; i < info->tlvs.n_tlvs && image_is_encrypted(info); i++) {
		unsigned t = info->tlvs.tlvs[i].type;

		if (t == TLV_ENCRSA2048 || t == TLV_ENCKW || t == TLV_ENCEC256 ||
		    t == TLV_ENCX25519 || t == TLV_ENCX25519_SHA512)
			enc = image_tlv_name(t);
	}
	if (image_is_encrypted(info) && enc == NULL)
		enc = "no ENC TLV";
	rc = imginfo_format(info, base, IMGINFO_HUMAN, &in->text, &len, &err);
	if (rc == 0)
		rc = imginfo_format(info, base, IMGINFO_JSON, &json, &len, &err);
	if (rc == 0)
		rc = tree_build(in, json, &err);
	free(json);
	image_info_free(info);
	if (rc < 0) {
		key_free(key);
		return fail(in, D_ERR, &err, in->image.buf);
	}
	keys[0] = key;
	err_clear(&err);
	memset(&res, 0, sizeof(res));
	rc = image_verify(in->image.buf, keys, key != NULL ? 1 : 0, &res, &err);
	in->ok = rc == 0;
	if (rc == MCUPROV_ERR_REFUSED && key != NULL && keyhash[0] != '\0' &&
	    strncmp(err.msg, "no matching key", 15) == 0)
		/* which key it wants: the KEYHASH it carries (the fingerprint
		 * `mcuprov fingerprint` prints for that key) */
		snprintf(in->status, sizeof(in->status),
			 "no matching key: the image names KEYHASH %.16s..., not this key",
			 keyhash);
	else if (rc == MCUPROV_ERR_REFUSED && enc != NULL &&
		 strncmp(err.msg, "hash mismatch: the image is encrypted", 37) == 0)
		/* the hash covers the plain payload: only the device's private
		 * key can check it (`mcuprov verify --enc-key`) */
		snprintf(in->status, sizeof(in->status),
			 "hash not checked: encrypted payload (%s); mcuprov verify --enc-key", enc);
	else if (rc < 0)
		snprintf(in->status, sizeof(in->status), "%s", err.msg);
	else if (key == NULL)
		snprintf(in->status, sizeof(in->status), "hash OK%s",
			 res.signed_image ? " (signature not checked: give a key)" : "");
	else if (key_fingerprint_hex(key, fp, &err) == 0)
		snprintf(in->status, sizeof(in->status), "signature OK (key %.16s...)", fp);
	else
		snprintf(in->status, sizeof(in->status), "signature OK");
	key_free(key);
	in->top = 0;
	in->textview = false;
	set_step(in, ST_SHOW);
	return TUI_HANDLED;
}

static bool is_enter(int key)
{
	return key == '\r' || key == '\n' || key == KEY_ENTER;
}

static int browse(struct inspect *in, int field)
{
	static const char *const img_exts[] = {".bin", ".hex", ".img", NULL};
	static const char *const key_exts[] = {".pem", ".der", ".pub", ".key", NULL};

	in->focus = field;
	if (field == F_IMAGE)
		return tui_filepick(&in->s, D_BROWSE_IMAGE, "Choose the image", NULL, img_exts,
				    &in->image);
	return tui_filepick(&in->s, D_BROWSE_KEY, "Choose the key", NULL, key_exts, &in->key);
}

static void open_all(struct inspect *in, bool open)
{
	int i;

	for (i = 0; i < in->n; i++)
		in->nodes[i].open = open;
	tree_visible(in);
	sel_pos(in); /* collapsed: the selection goes up to what is shown */
}

static int tree_key(struct inspect *in, int key)
{
	int pos = sel_pos(in), page = tree_rows(in) - 1;
	struct node *nd = &in->nodes[in->sel];
	bool container = nd->value == NULL;

	switch (key) {
	case KEY_UP: pos--; break;
	case KEY_DOWN: pos++; break;
	case KEY_PPAGE: pos -= page > 0 ? page : 1; break;
	case KEY_NPAGE: pos += page > 0 ? page : 1; break;
	case KEY_HOME: pos = 0; break;
	case KEY_END: pos = in->nvis - 1; break;
	case KEY_RIGHT:
		if (container && nd->open)
			pos++; /* on to the first child */
		else if (container)
			nd->open = true;
		break;
	case ' ':
	case '\r':
	case '\n':
	case KEY_ENTER:
		if (container)
			nd->open = !nd->open;
		break;
	case KEY_LEFT:
		if (container && nd->open)
			nd->open = false;
		else if (nd->parent >= 0)
			in->sel = nd->parent;
		tree_visible(in);
		return TUI_HANDLED;
	case '*': open_all(in, true); return TUI_HANDLED;
	case '-': open_all(in, false); return TUI_HANDLED;
	default: return TUI_UNHANDLED;
	}
	tree_visible(in);
	if (pos >= in->nvis)
		pos = in->nvis - 1;
	if (pos < 0)
		pos = 0;
	in->sel = in->vis[pos];
	return TUI_HANDLED;
}

static int inspect_event(struct tui_screen *s, int key)
{
	struct inspect *in = (struct inspect *)s;

	switch (in->step) {
	case ST_FORM:
		if (key == 27)
			return TUI_BACK;
		if (tui_is_browse_key(key))
			return browse(in, in->focus);
		if (is_enter(key) && in->image.len == 0)
			return browse(in, F_IMAGE);
		if (is_enter(key))
			return run(in, false);
		if (tui_menu_key(key, &in->focus, N_FORM))
			return TUI_HANDLED;
		return tui_field_key(in->focus == F_IMAGE ? &in->image : &in->key, key)
			       ? TUI_HANDLED
			       : TUI_UNHANDLED;
	case ST_PW:
		if (key == 27) {
			tui_field_clear(&in->ks.pw);
			set_step(in, ST_FORM);
			return TUI_HANDLED;
		}
		if (is_enter(key))
			return run(in, true);
		return tui_field_key(&in->ks.pw, key) ? TUI_HANDLED : TUI_UNHANDLED;
	case ST_SHOW:
		if (key == 27) {
			set_step(in, ST_FORM);
			return TUI_HANDLED;
		}
		if (key == 't') {
			in->textview = !in->textview;
			return TUI_HANDLED;
		}
		if (!in->textview)
			return tree_key(in, key);
		return tui_pane_key(key, &in->top, tui_pane_lines(in->text), pane_rows())
			       ? TUI_HANDLED
			       : TUI_UNHANDLED;
	}
	return TUI_UNHANDLED;
}

static int inspect_on_dialog(struct tui_screen *s, int id, bool yes)
{
	struct inspect *in = (struct inspect *)s;

	(void)yes; /* a chosen file is in its field already */
	if (id == D_PWERR)
		set_step(in, ST_PW);
	return TUI_HANDLED;
}

static void inspect_destroy(struct tui_screen *s)
{
	struct inspect *in = (struct inspect *)s;

	tui_keyset_clear(&in->ks);
	free(in->text);
	tree_free(in);
	free(in);
}

/* The image field: the signed image of the project's default (or only)
 * target, as `mcuprov run` writes it, when there is a project here. */
static void prefill(struct inspect *in)
{
	const struct project_target *t;
	struct project *p = NULL;
	struct mcuprov_err err;
	char abs[4096], rel[4096];

	err_clear(&err);
	if (access(PROJECT_FILE, F_OK) != 0 || project_load(PROJECT_FILE, &p, &err) < 0)
		return;
	t = project_target(p, NULL);
	if (t != NULL && t->signed_app != NULL && t->signed_app[0] != '\0' &&
	    project_path(p, t->signed_app, abs, sizeof(abs)) == 0) {
		file_rel_cwd(abs, rel, sizeof(rel));
		tui_field_set(&in->image, rel);
	}
	project_free(p);
}

struct tui_screen *screen_inspect_new(void)
{
	struct inspect *in = calloc(1, sizeof(*in));

	if (in == NULL)
		return NULL;
	in->s.title = "Inspect image";
	in->s.help = "Show an MCUboot image as `mcuprov dumpinfo -f json` does, as a tree: "
		     "header, TLV areas and trailer. Up/Down move (PgUp/PgDn/Home/End too); "
		     "Right, Enter or Space open a section, Left closes it or goes to its "
		     "parent; * opens all, - closes all. The line at the bottom shows the "
		     "selected value in full. t switches to dumpinfo's plain text and back. "
		     "The line on top checks the image as `mcuprov verify` does: the hash, "
		     "and with a key the signature. In the form, Ctrl-O or F2 browses for "
		     "a file.";
	in->s.draw = inspect_draw;
	in->s.event = inspect_event;
	in->s.on_dialog = inspect_on_dialog;
	in->s.destroy = inspect_destroy;
	in->ks.pw.secret = true;
	in->ks.flags = KEY_LOAD_PUBLIC; /* verifying needs the public half: no token PIN */
	prefill(in);
	set_step(in, ST_FORM);
	return &in->s;
}
