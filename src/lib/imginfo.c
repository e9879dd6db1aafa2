/* imgtool dumpinfo: render a parsed image as human text, YAML or JSON.
 *
 * The reference is MCUboot's scripts/imgtool/dumpinfo.py (imgtool 2.4):
 * _read_imginfo() builds {filename, header, tlv_area, trailer}, then
 * _write_format_human() prints it, yaml.dump(sort_keys=False) and
 * json.dump(indent=2) serialise it.  The rules below follow that code, also
 * for the cases the reference vectors do not show:
 *
 *  - header flags: 0 prints "0x0"; otherwise every known flag set, in
 *    imgtool's IMAGE_F order, as "NAME (0xbit)", joined by a newline and 20
 *    spaces.  Unknown bits are not printed (so flags with only unknown bits
 *    leave an empty value, as imgtool does).
 *  - a protected TLV area (protected_tlv_size != 0) gets its own section
 *    "Protected TLV area (offset: 0x...)" before the TLV area, laid out like
 *    it, and the TLV area's offset moves past it.
 *  - TLV types imgtool does not know are named "UNKNOWN".
 *  - trailer: present when the file extends past the TLV area.  image_ok,
 *    copy_done and swap_info use imgtool's STATUS table: 0x1 SET, 0x2 BAD,
 *    0x3 UNSET, 0x4 ANY, anything else INVALID, each followed by the raw
 *    value ("INVALID (0xff)").  swap size 0xffffffff is "unknown", any other
 *    value "0x<hex> octal: <decimal>" (sic: imgtool's wording).  Encrypted
 *    images (ENCRYPTED_AES128/256) get key_field_len = 2 * align_up(16,
 *    max_align), also in YAML/JSON.
 *  - an invalid trailer magic: imgtool prints "Warning: the trailer magic
 *    value is invalid!" while reading, i.e. before everything else, and the
 *    trailer keeps only its magic; the human trailer section then lists
 *    swap status, enc. keys and boot magic but no fields.  The warning is the
 *    first line of the human text; it is not part of the YAML/JSON documents
 *    (imgtool writes it to stdout, not into the data), so the front end
 *    should report it separately there (trailer.present && !magic_valid).
 *  - a valid magic whose fields do not fit between the TLV area and the
 *    magic (the parser leaves fields_valid false): imgtool would read bytes
 *    of the TLV area or fail; we show the magic only, like an invalid one but
 *    without the warning.
 *
 * Formats: the human text is byte-identical with imgtool.  YAML is emitted
 * with libyaml, which PyYAML's emitter was ported from: same block layout,
 * indentless sequences in mappings, "{}"/"[]" for empty collections,
 * !!binary as base64 in 76-column lines in a literal block; strings PyYAML
 * would resolve to another type (e.g. a file named "123" or "true") are
 * single-quoted as PyYAML does.  JSON is built with json-c; its pretty
 * printer uses the same layout as Python's json.dump(indent=2) except for
 * empty objects/arrays, which get json-c's verbatim serializer with "{}" and
 * "[]" (see j_empty_compact()); then the newline imgtool prints after it.
 * Python escapes non-ASCII characters as \uXXXX (ensure_ascii) where json-c
 * writes UTF-8: only a non-ASCII file name shows that (same value).  Bytes
 * of the file name that are not UTF-8 become U+FFFD in YAML and JSON (both
 * formats require UTF-8). */
#include "config.h"

#include <regex.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/evp.h>
#include <yaml.h>

#include "image-ext.h"
#include "mcuprov/error.h"
#include "mcuprov/image.h"

#define LINE_LENGTH	60
#define TLV_INDENT	(LINE_LENGTH / 8)
#define YAML_BINARY_TAG "tag:yaml.org,2002:binary"
#define TRAILER_WARNING "Warning: the trailer magic value is invalid!"

/* ---- shared helpers --------------------------------------------------------- */

static const char *tlv_name(unsigned type)
{
	const char *n = image_tlv_name(type);

	return n != NULL ? n : "UNKNOWN";
}

static bool encrypted(const struct image_info *info)
{
	return (info->hdr.flags & (IMAGE_F_ENCRYPTED_AES128 | IMAGE_F_ENCRYPTED_AES256)) != 0;
}

/* Does the trailer carry image_ok ... swap_size (imgtool: a valid magic)? */
static bool trailer_fields(const struct image_trailer *t)
{
	return t->present && t->magic_valid && t->fields_valid;
}

/* imgtool's key_field_len (2 * align_up(16, max_align)); false when there is
 * none: not encrypted, no trailer fields, or a max_align that imgtool's
 * align_up() rejects (not a power of two). */
static bool key_field_len(const struct image_info *info, uint64_t *len)
{
	uint64_t ma = info->trailer.max_align;

	if (!encrypted(info) || !trailer_fields(&info->trailer) || ma == 0 || (ma & (ma - 1)) != 0)
		return false;
	*len = ((16 + ma - 1) & ~(ma - 1)) * 2;
	return true;
}

static void version_str(const struct image_version *v, char *buf, size_t size)
{
	snprintf(buf, size, "%u.%u.%u+%lu", v->major, v->minor, v->revision,
		 (unsigned long)v->build);
}

/* Valid UTF-8 copy of S (invalid bytes become U+FFFD), or NULL (no memory). */
static char *utf8_clean(const char *s)
{
	size_t n = strlen(s), i = 0;
	char *out = malloc(3 * n + 1), *p = out;

	if (out == NULL)
		return NULL;
	while (i < n) {
		const unsigned char *u = (const unsigned char *)s + i;
		size_t len = 0, k;
		uint32_t cp = 0;

		if (u[0] < 0x80)
			len = 1;
		else if (u[0] >= 0xc2 && u[0] <= 0xdf)
			len = 2, cp = u[0] & 0x1f;
		else if (u[0] >= 0xe0 && u[0] <= 0xef)
			len = 3, cp = u[0] & 0x0f;
		else if (u[0] >= 0xf0 && u[0] <= 0xf4)
			len = 4, cp = u[0] & 0x07;
		for (k = 1; k < len; k++) {
			if (i + k >= n || (u[k] & 0xc0) != 0x80)
				break;
			cp = cp << 6 | (u[k] & 0x3f);
		}
		if (len == 0 || k < len || (len == 3 && cp < 0x800) ||
		    (len == 3 && cp >= 0xd800 && cp <= 0xdfff) || (len == 4 && cp < 0x10000) ||
		    cp > 0x10ffff) {
			memcpy(p, "\xef\xbf\xbd", 3);
			p += 3;
			i++;
			continue;
		}
		memcpy(p, s + i, len);
		p += len;
		i += len;
	}
	*p = '\0';
	return out;
}

/* ---- human ------------------------------------------------------------------ */

/* "#### TEXT " filled with '#' to LINE_LENGTH columns. */
static void h_row(FILE *f, const char *text)
{
	int n = fprintf(f, "#### %s ", text);

	for (; n >= 0 && n < LINE_LENGTH; n++)
		fputc('#', f);
	fputc('\n', f);
}

static void h_rule(FILE *f)
{
	int i;

	for (i = 0; i < LINE_LENGTH; i++)
		fputc('#', f);
	fputc('\n', f);
}

static void h_spaces(FILE *f, int n)
{
	for (; n > 0; n--)
		fputc(' ', f);
}

/* One header line: KEY, ':', padding to column 20, VALUE. */
static void h_field(FILE *f, const char *key, const char *value)
{
	fprintf(f, "%s:", key);
	h_spaces(f, 19 - (int)strlen(key));
	fprintf(f, "%s\n", value);
}

static void h_hex_field(FILE *f, const char *key, unsigned long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "0x%lx", v);
	h_field(f, key, buf);
}

/* imgtool's _human_format_frame around CONTENT. */
static void h_frame(FILE *f, const char *header, const char *content)
{
	int len = (int)strlen(content), pre = (LINE_LENGTH - len) / 2 - 1;

	h_row(f, header);
	fputc('|', f);
	h_spaces(f, LINE_LENGTH - 2);
	fputs("|\n|", f);
	h_spaces(f, pre);
	fputs(content, f);
	h_spaces(f, LINE_LENGTH - (1 + (pre > 0 ? pre : 0)) - len - 1);
	fputs("|\n|", f);
	h_spaces(f, LINE_LENGTH - 2);
	fputs("|\n", f);
	h_rule(f);
}

/* What a TLV of imgtool's measured-boot and identity options says, decoded
 * (for BOOT_RECORD, UUID_VID and UUID_CID; imgtool shows only the bytes).
 * The strings are the image's (untrusted): valid UTF-8, controls as '?'. */
struct tlv_decoded {
	bool uuid, brec;
	char uuid_str[37];
	struct image_boot_record_info br;
	char *sw_type, *version, *mtype; /* cleaned copies, or NULL (no memory) */
};

static char *clean_text(const char *s)
{
	char *c = utf8_clean(s);

	for (char *p = c; p != NULL && *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return c;
}

static bool tlv_decode(const struct image_tlv_entry *e, struct tlv_decoded *d)
{
	memset(d, 0, sizeof(*d));
	if ((e->type == TLV_UUID_VID || e->type == TLV_UUID_CID) && e->len == 16) {
		image_uuid_str(e->value, d->uuid_str);
		return d->uuid = true;
	}
	if (e->type != TLV_BOOT_RECORD || !image_boot_record_decode(e->value, e->len, &d->br))
		return false;
	d->sw_type = clean_text(d->br.sw_type);
	d->version = clean_text(d->br.version);
	d->mtype = clean_text(d->br.measurement_type);
	if (d->sw_type == NULL || d->version == NULL || d->mtype == NULL) {
		free(d->sw_type);
		free(d->version);
		free(d->mtype);
		return false;
	}
	return d->brec = true;
}

static void tlv_decoded_free(struct tlv_decoded *d)
{
	free(d->sw_type);
	free(d->version);
	free(d->mtype);
}

static void h_hex_line(FILE *f, const char *key, const uint8_t *v, size_t n)
{
	h_spaces(f, TLV_INDENT);
	fprintf(f, " %s", key);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", v[i]);
	fputc('\n', f);
}

static void h_decoded(FILE *f, const struct image_tlv_entry *e)
{
	struct tlv_decoded d;

	if (!tlv_decode(e, &d))
		return;
	if (d.uuid) {
		h_spaces(f, TLV_INDENT);
		fprintf(f, " uuid: %s\n", d.uuid_str);
		return;
	}
	h_spaces(f, TLV_INDENT);
	fprintf(f, " sw_type:           %s\n", d.sw_type);
	h_spaces(f, TLV_INDENT);
	fprintf(f, " sw_version:        %s\n", d.version);
	h_hex_line(f, "signer_id:         ", d.br.signer_id, d.br.signer_id_len);
	h_spaces(f, TLV_INDENT);
	fprintf(f, " measurement_type:  %s\n", d.mtype);
	h_hex_line(f, "measurement_value: ", d.br.measurement, d.br.measurement_len);
	tlv_decoded_free(&d);
}

static void h_tlv_area(FILE *f, const char *title, uint64_t off, const struct image_tlv_area *a)
{
	char row[80];
	size_t i, j;

	snprintf(row, sizeof(row), "%s (offset: 0x%llx)", title, (unsigned long long)off);
	h_row(f, row);
	fprintf(f, "magic:     0x%x\n", a->magic);
	fprintf(f, "area size: 0x%x\n", a->tlv_tot);
	if (a->n_tlvs == 0)
		fputc('\n', f); /* imgtool prints its empty list of records */
	for (i = 0; i < a->n_tlvs; i++) {
		const struct image_tlv_entry *e = &a->tlvs[i];

		h_spaces(f, TLV_INDENT);
		fputs(" ---------------------------------------------\n", f);
		h_spaces(f, TLV_INDENT);
		fprintf(f, " type: %s (0x%x)\n", tlv_name(e->type), e->type);
		h_spaces(f, TLV_INDENT);
		fprintf(f, " len:  0x%x\n", e->len);
		h_spaces(f, TLV_INDENT);
		fputs(" data: ", f);
		for (j = 0; j < e->len; j++) {
			fprintf(f, "0x%02x ", e->value[j]);
			if ((j + 1) % 8 == 0 && j + 1 != e->len) {
				fputc('\n', f);
				h_spaces(f, TLV_INDENT + 7);
			}
		}
		fputc('\n', f);
		h_decoded(f, e);
	}
	h_rule(f);
}

static void h_status(FILE *f, const char *label, uint8_t v)
{
	static const char *const status[] = { NULL, "SET", "BAD", "UNSET", "ANY" };

	fprintf(f, "%s %s (0x%x)\n", label, v >= 1 && v <= 4 ? status[v] : "INVALID", v);
}

static void h_trailer(FILE *f, const struct image_info *info)
{
	const struct image_trailer *t = &info->trailer;
	uint64_t kfl;
	int i;

	h_row(f, "Image trailer (offset: unknown)");
	fputs("(Note: some fields may not be used, depending on the update \nstrategy)\n\n", f);
	fputs("swap status: (len: unknown)\n", f);
	if (key_field_len(info, &kfl))
		fprintf(f, "enc. keys:   (len: 0x%llx, if BOOT_SWAP_SAVE_ENCTLV is unset)\n",
			(unsigned long long)kfl);
	else
		fputs("enc. keys:   Image not encrypted\n", f);
	if (trailer_fields(t)) {
		if (t->swap_size == 0xffffffffU)
			fputs("swap size:   unknown\n", f);
		else
			fprintf(f, "swap size:   0x%lx octal: %lu\n", (unsigned long)t->swap_size,
				(unsigned long)t->swap_size);
		h_status(f, "swap_info:  ", t->swap_info);
		h_status(f, "copy_done:  ", t->copy_done);
		h_status(f, "image_ok:   ", t->image_ok);
	}
	fputs("boot magic:  ", f);
	for (i = 0; i < IMAGE_BOOT_MAGIC_SIZE; i++) {
		fprintf(f, "0x%02x ", t->magic[i]);
		if (i == IMAGE_BOOT_MAGIC_SIZE / 2 - 1)
			fputs("\n             ", f);
	}
	fputs("\n\n", f);
}

static int format_human(const struct image_info *info, const char *name, char **out, size_t *len,
			struct mcuprov_err *err)
{
	char *buf = NULL, val[64], content[64];
	size_t size = 0;
	uint64_t off;
	bool first = true;
	FILE *f;
	int rc, i;

	f = open_memstream(&buf, &size);
	if (f == NULL)
		return err_set(err, MCUPROV_ERR_NOMEM, name, "out of memory");
	if (info->trailer.present && !info->trailer.magic_valid)
		fputs(TRAILER_WARNING "\n", f);
	fprintf(f, "Printing content of signed image: %s \n\n", name);

	h_row(f, "Image header (offset: 0x0)");
	h_hex_field(f, "magic", info->hdr.magic);
	h_hex_field(f, "load_addr", info->hdr.load_addr);
	h_hex_field(f, "hdr_size", info->hdr.hdr_size);
	h_hex_field(f, "protected_tlv_size", info->hdr.protected_tlv_size);
	h_hex_field(f, "img_size", info->hdr.img_size);
	if (info->hdr.flags == 0) {
		h_field(f, "flags", "0x0");
	} else {
		fputs("flags:", f);
		h_spaces(f, 19 - 5);
		for (i = 0; image_flag_names[i].name != NULL; i++) {
			if (!(info->hdr.flags & image_flag_names[i].bit))
				continue;
			if (!first) {
				fputc('\n', f);
				h_spaces(f, 20);
			}
			fprintf(f, "%s (0x%lx)", image_flag_names[i].name,
				(unsigned long)image_flag_names[i].bit);
			first = false;
		}
		fputc('\n', f);
	}
	version_str(&info->hdr.version, val, sizeof(val));
	h_field(f, "version", val);
	if (info->big_endian) /* mcuprov's addition: imgtool -e big images */
		h_field(f, "endian", "big");
	h_rule(f);

	off = info->hdr.hdr_size;
	snprintf(val, sizeof(val), "Payload (offset: 0x%llx)", (unsigned long long)off);
	snprintf(content, sizeof(content), "FW image (size: 0x%lx Bytes)",
		 (unsigned long)info->hdr.img_size);
	h_frame(f, val, content);

	off += info->hdr.img_size;
	if (info->hdr.protected_tlv_size != 0)
		h_tlv_area(f, "Protected TLV area", off, &info->prot);
	off += info->hdr.protected_tlv_size;
	h_tlv_area(f, "TLV area", off, &info->tlvs);

	if (info->trailer.present)
		h_trailer(f, info);
	h_row(f, "End of Image ");

	rc = ferror(f) ? -1 : 0;
	if (fclose(f) != 0 || rc < 0) {
		rc = err_set(err, MCUPROV_ERR_NOMEM, name, "out of memory");
		goto out;
	}
	*out = buf;
	buf = NULL;
	if (len != NULL)
		*len = size;
	rc = 0;
out:
	free(buf);
	return rc;
}

/* ---- YAML ------------------------------------------------------------------- */

/* PyYAML's implicit resolvers (YAML 1.1) in POSIX ERE: a string matching one
 * of them would load as another type, so PyYAML quotes it. */
static const char *const yaml_implicit_re[] = {
	/* bool */
	"^(yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$",
	/* float */
	"^([-+]?([0-9][0-9_]*)\\.[0-9_]*([eE][-+][0-9]+)?|\\.[0-9_]+([eE][-+][0-9]+)?"
	"|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\\.[0-9_]*|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN))$",
	/* int */
	"^([-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+"
	"|[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+)$",
	/* merge, null, value */
	"^(<<|~|null|Null|NULL|=|)$",
	/* timestamp */
	"^([0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"
	"|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?([Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:"
	"[0-9][0-9](\\.[0-9]*)?([ \t]*(Z|[-+][0-9][0-9]?(:[0-9][0-9])?))?)$",
};

#define N_IMPLICIT (sizeof(yaml_implicit_re) / sizeof(yaml_implicit_re[0]))

/* The emitter, the compiled resolvers and whether everything so far
 * succeeded. */
struct yw {
	yaml_emitter_t em;
	regex_t re[N_IMPLICIT];
	size_t n_re;
	bool ok;
	bool nomem;
};

/* Would PyYAML resolve the plain scalar S to something other than a
 * string?  1 yes, 0 no, -1 no memory.  Python's '$' also matches before a
 * final newline. */
static int yaml_resolves(const struct yw *w, const char *s)
{
	size_t i, n = strlen(s);
	char *t = strdup(s);
	int hit = 0;

	if (t == NULL)
		return -1;
	if (n > 0 && t[n - 1] == '\n')
		t[n - 1] = '\0';
	for (i = 0; i < w->n_re && !hit; i++)
		hit = regexec(&w->re[i], t, 0, NULL, 0) == 0;
	free(t);
	return hit;
}

static void y_emit(struct yw *w, yaml_event_t *ev, int initialised)
{
	if (!initialised) {
		w->ok = false;
		w->nomem = true;
		return;
	}
	if (!yaml_emitter_emit(&w->em, ev)) {
		w->ok = false;
		w->nomem = w->em.error == YAML_MEMORY_ERROR;
	}
}

static void y_scalar(struct yw *w, const char *tag, const char *v, size_t len, int plain_implicit,
		     int quoted_implicit, yaml_scalar_style_t style)
{
	yaml_event_t ev;

	if (!w->ok)
		return;
	y_emit(w, &ev,
	       yaml_scalar_event_initialize(&ev, NULL, (const yaml_char_t *)tag,
					    (const yaml_char_t *)v, (int)len, plain_implicit,
					    quoted_implicit, style));
}

/* A key or string value, quoted where PyYAML would quote it. */
static void y_str(struct yw *w, const char *s)
{
	int r;

	if (!w->ok)
		return;
	r = yaml_resolves(w, s);
	if (r < 0) {
		w->ok = false;
		w->nomem = true;
		return;
	}
	y_scalar(w, NULL, s, strlen(s), !r, 1, YAML_ANY_SCALAR_STYLE);
}

static void y_uint(struct yw *w, const char *key, uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	y_str(w, key);
	y_scalar(w, NULL, buf, strlen(buf), 1, 0, YAML_PLAIN_SCALAR_STYLE);
}

/* KEY: !!binary with PyYAML's base64.encodebytes() layout: 76 characters
 * (57 bytes) per line, every line ending in a newline, literal style. */
static void y_binary(struct yw *w, const char *key, const uint8_t *data, size_t len)
{
	size_t lines = (len + 56) / 57, i;
	char *b64, *p;

	y_str(w, key);
	if (!w->ok)
		return;
	b64 = malloc(lines * 77 + 1);
	if (b64 == NULL) {
		w->ok = false;
		w->nomem = true;
		return;
	}
	p = b64;
	for (i = 0; i < len; i += 57) {
		p += EVP_EncodeBlock((unsigned char *)p, data + i,
				     (int)(len - i < 57 ? len - i : 57));
		*p++ = '\n';
	}
	*p = '\0';
	y_scalar(w, YAML_BINARY_TAG, b64, (size_t)(p - b64), 0, 0, YAML_LITERAL_SCALAR_STYLE);
	free(b64);
}

static void y_mapping_start(struct yw *w)
{
	yaml_event_t ev;

	if (w->ok)
		y_emit(w, &ev,
		       yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
							   YAML_BLOCK_MAPPING_STYLE));
}

static void y_mapping_end(struct yw *w)
{
	yaml_event_t ev;

	if (w->ok)
		y_emit(w, &ev, yaml_mapping_end_event_initialize(&ev));
}

static void y_sequence_start(struct yw *w)
{
	yaml_event_t ev;

	if (w->ok)
		y_emit(w, &ev,
		       yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
							    YAML_BLOCK_SEQUENCE_STYLE));
}

static void y_sequence_end(struct yw *w)
{
	yaml_event_t ev;

	if (w->ok)
		y_emit(w, &ev, yaml_sequence_end_event_initialize(&ev));
}

static void y_tlv_hdr(struct yw *w, const char *key, const struct image_tlv_area *a, bool show)
{
	y_str(w, key);
	y_mapping_start(w);
	if (show) {
		y_uint(w, "magic", a->magic);
		y_uint(w, "tlv_tot", a->tlv_tot);
	}
	y_mapping_end(w);
}

/* mcuprov's addition: "uuid" or "boot_record" of a TLV that has one. */
static void y_decoded(struct yw *w, const struct image_tlv_entry *e)
{
	struct tlv_decoded d;

	if (!tlv_decode(e, &d))
		return;
	if (d.uuid) {
		y_str(w, "uuid");
		y_str(w, d.uuid_str);
		return;
	}
	y_str(w, "boot_record");
	y_mapping_start(w);
	y_str(w, "sw_type");
	y_str(w, d.sw_type);
	y_str(w, "sw_version");
	y_str(w, d.version);
	y_binary(w, "signer_id", d.br.signer_id, d.br.signer_id_len);
	y_str(w, "measurement_type");
	y_str(w, d.mtype);
	y_binary(w, "measurement_value", d.br.measurement, d.br.measurement_len);
	y_mapping_end(w);
	tlv_decoded_free(&d);
}

static void y_tlvs(struct yw *w, const char *key, const struct image_tlv_area *a, bool show)
{
	size_t i;

	y_str(w, key);
	y_sequence_start(w);
	for (i = 0; show && i < a->n_tlvs; i++) {
		const struct image_tlv_entry *e = &a->tlvs[i];

		y_mapping_start(w);
		y_uint(w, "type", e->type);
		y_str(w, "type_name");
		y_str(w, tlv_name(e->type));
		y_uint(w, "len", e->len);
		y_binary(w, "data", e->value, e->len);
		y_decoded(w, e);
		y_mapping_end(w);
	}
	y_sequence_end(w);
}

static int format_yaml(const struct image_info *info, const char *name, char **out, size_t *len,
		       struct mcuprov_err *err)
{
	const struct image_trailer *t = &info->trailer;
	struct yw w = { .ok = true };
	yaml_event_t ev;
	char *buf = NULL, *fname = NULL, ver[64];
	size_t size = 0;
	uint64_t kfl;
	FILE *f = NULL;
	bool prot = info->hdr.protected_tlv_size != 0;
	int rc;

	if (!yaml_emitter_initialize(&w.em))
		return err_set(err, MCUPROV_ERR_NOMEM, name, "out of memory");
	for (; w.n_re < N_IMPLICIT; w.n_re++) {
		if (regcomp(&w.re[w.n_re], yaml_implicit_re[w.n_re], REG_EXTENDED | REG_NOSUB) !=
		    0) {
			rc = err_set(err, MCUPROV_ERR_NOMEM, name,
				     "cannot compile a YAML resolver");
			goto out;
		}
	}
	fname = utf8_clean(name);
	f = open_memstream(&buf, &size);
	if (fname == NULL || f == NULL) {
		rc = err_set(err, MCUPROV_ERR_NOMEM, name, "out of memory");
		goto out;
	}
	yaml_emitter_set_output_file(&w.em, f);
	yaml_emitter_set_unicode(&w.em, 0); /* PyYAML's allow_unicode=False */
	y_emit(&w, &ev, yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING));
	if (w.ok)
		y_emit(&w, &ev, yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1));
	y_mapping_start(&w);

	y_str(&w, "filename");
	y_str(&w, fname);

	y_str(&w, "header");
	y_mapping_start(&w);
	y_uint(&w, "magic", info->hdr.magic);
	y_uint(&w, "load_addr", info->hdr.load_addr);
	y_uint(&w, "hdr_size", info->hdr.hdr_size);
	y_uint(&w, "protected_tlv_size", info->hdr.protected_tlv_size);
	y_uint(&w, "img_size", info->hdr.img_size);
	y_uint(&w, "flags", info->hdr.flags);
	version_str(&info->hdr.version, ver, sizeof(ver));
	y_str(&w, "version");
	y_str(&w, ver);
	if (info->big_endian) {
		y_str(&w, "endian");
		y_str(&w, "big");
	}
	y_mapping_end(&w);

	y_str(&w, "tlv_area");
	y_mapping_start(&w);
	y_tlv_hdr(&w, "tlv_hdr_prot", &info->prot, prot);
	y_tlvs(&w, "tlvs_prot", &info->prot, prot);
	y_tlv_hdr(&w, "tlv_hdr", &info->tlvs, true);
	y_tlvs(&w, "tlvs", &info->tlvs, true);
	y_mapping_end(&w);

	y_str(&w, "trailer");
	y_mapping_start(&w);
	if (t->present) {
		y_binary(&w, "magic", t->magic, IMAGE_BOOT_MAGIC_SIZE);
		if (trailer_fields(t)) {
			y_uint(&w, "image_ok", t->image_ok);
			y_uint(&w, "copy_done", t->copy_done);
			y_uint(&w, "swap_info", t->swap_info);
			y_uint(&w, "swap_size", t->swap_size);
			if (key_field_len(info, &kfl))
				y_uint(&w, "key_field_len", kfl);
		}
	}
	y_mapping_end(&w);

	y_mapping_end(&w);
	if (w.ok)
		y_emit(&w, &ev, yaml_document_end_event_initialize(&ev, 1));
	if (w.ok)
		y_emit(&w, &ev, yaml_stream_end_event_initialize(&ev));
	if (!w.ok) {
		rc = w.nomem ? err_set(err, MCUPROV_ERR_NOMEM, name, "out of memory")
			     : err_set(err, MCUPROV_ERR_INTERNAL, name, "YAML emitter: %s",
				       w.em.problem ? w.em.problem : "unknown error");
		goto out;
	}
	rc = ferror(f) ? -1 : 0;
	if (fclose(f) != 0 || rc < 0) {
		f = NULL;
		rc = err_set(err, MCUPROV_ERR_NOMEM, name, "out of memory");
		goto out;
	}
	f = NULL;
	*out = buf;
	buf = NULL;
	if (len != NULL)
		*len = size;
	rc = 0;
out:
	yaml_emitter_delete(&w.em);
	while (w.n_re > 0)
		regfree(&w.re[--w.n_re]);
	if (f != NULL)
		fclose(f);
	free(buf);
	free(fname);
	return rc;
}

/* ---- JSON ------------------------------------------------------------------- */

/* Add V under KEY to the object O; on failure (V NULL: no memory) clear *OK. */
static void j_add(struct json_object *o, const char *key, struct json_object *v, bool *ok)
{
	if (v == NULL || o == NULL) {
		json_object_put(v);
		*ok = false;
		return;
	}
	if (json_object_object_add(o, key, v) != 0) {
		json_object_put(v);
		*ok = false;
	}
}

/* json-c's pretty printer writes an empty object or array as "{\n  }" or
 * "[\n  ]" where Python's json.dump(indent=2) writes "{}" and "[]": give
 * empty containers json-c's own verbatim serializer with that text. */
static struct json_object *j_empty_compact(struct json_object *o)
{
	static char empty_object[] = "{}", empty_array[] = "[]";

	if (json_object_is_type(o, json_type_object) && json_object_object_length(o) == 0)
		json_object_set_serializer(o, json_object_userdata_to_json_string, empty_object,
					   NULL);
	else if (json_object_is_type(o, json_type_array) && json_object_array_length(o) == 0)
		json_object_set_serializer(o, json_object_userdata_to_json_string, empty_array,
					   NULL);
	return o;
}

static struct json_object *j_hex(const uint8_t *data, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	struct json_object *o;
	char *s = malloc(2 * len + 1);
	size_t i;

	if (s == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		s[2 * i] = digits[data[i] >> 4];
		s[2 * i + 1] = digits[data[i] & 0xf];
	}
	s[2 * len] = '\0';
	o = json_object_new_string_len(s, (int)(2 * len));
	free(s);
	return o;
}

static struct json_object *j_tlv_hdr(const struct image_tlv_area *a, bool show, bool *ok)
{
	struct json_object *o = json_object_new_object();

	if (show) {
		j_add(o, "magic", json_object_new_int64(a->magic), ok);
		j_add(o, "tlv_tot", json_object_new_int64(a->tlv_tot), ok);
	}
	return j_empty_compact(o);
}

/* mcuprov's addition: "uuid" or "boot_record" of a TLV that has one. */
static void j_decoded(struct json_object *o, const struct image_tlv_entry *e, bool *ok)
{
	struct tlv_decoded d;
	struct json_object *br;

	if (o == NULL || !tlv_decode(e, &d))
		return;
	if (d.uuid) {
		j_add(o, "uuid", json_object_new_string(d.uuid_str), ok);
		return;
	}
	br = json_object_new_object();
	j_add(br, "sw_type", json_object_new_string(d.sw_type), ok);
	j_add(br, "sw_version", json_object_new_string(d.version), ok);
	j_add(br, "signer_id", j_hex(d.br.signer_id, d.br.signer_id_len), ok);
	j_add(br, "measurement_type", json_object_new_string(d.mtype), ok);
	j_add(br, "measurement_value", j_hex(d.br.measurement, d.br.measurement_len), ok);
	j_add(o, "boot_record", br, ok);
	tlv_decoded_free(&d);
}

static struct json_object *j_tlvs(const struct image_tlv_area *a, bool show, bool *ok)
{
	struct json_object *arr = json_object_new_array();
	size_t i;

	for (i = 0; arr != NULL && show && i < a->n_tlvs; i++) {
		const struct image_tlv_entry *e = &a->tlvs[i];
		struct json_object *o = json_object_new_object();

		j_add(o, "type", json_object_new_int64(e->type), ok);
		j_add(o, "type_name", json_object_new_string(tlv_name(e->type)), ok);
		j_add(o, "len", json_object_new_int64(e->len), ok);
		j_add(o, "data", j_hex(e->value, e->len), ok);
		j_decoded(o, e, ok);
		if (o == NULL || json_object_array_add(arr, o) != 0) {
			json_object_put(o);
			*ok = false;
		}
	}
	return j_empty_compact(arr);
}

static int format_json(const struct image_info *info, const char *name, char **out, size_t *len,
		       struct mcuprov_err *err)
{
	const struct image_trailer *t = &info->trailer;
	struct json_object *root, *hdr, *area, *tr;
	bool ok = true, prot = info->hdr.protected_tlv_size != 0;
	const char *s;
	char *fname, ver[64];
	size_t n = 0;
	uint64_t kfl;
	int rc;

	fname = utf8_clean(name);
	root = json_object_new_object();
	if (fname == NULL || root == NULL) {
		rc = err_set(err, MCUPROV_ERR_NOMEM, name, "out of memory");
		goto out;
	}
	j_add(root, "filename", json_object_new_string(fname), &ok);

	hdr = json_object_new_object();
	j_add(hdr, "magic", json_object_new_int64(info->hdr.magic), &ok);
	j_add(hdr, "load_addr", json_object_new_int64(info->hdr.load_addr), &ok);
	j_add(hdr, "hdr_size", json_object_new_int64(info->hdr.hdr_size), &ok);
	j_add(hdr, "protected_tlv_size", json_object_new_int64(info->hdr.protected_tlv_size), &ok);
	j_add(hdr, "img_size", json_object_new_int64(info->hdr.img_size), &ok);
	j_add(hdr, "flags", json_object_new_int64(info->hdr.flags), &ok);
	version_str(&info->hdr.version, ver, sizeof(ver));
	j_add(hdr, "version", json_object_new_string(ver), &ok);
	if (info->big_endian)
		j_add(hdr, "endian", json_object_new_string("big"), &ok);
	j_add(root, "header", hdr, &ok);

	area = json_object_new_object();
	j_add(area, "tlv_hdr_prot", j_tlv_hdr(&info->prot, prot, &ok), &ok);
	j_add(area, "tlvs_prot", j_tlvs(&info->prot, prot, &ok), &ok);
	j_add(area, "tlv_hdr", j_tlv_hdr(&info->tlvs, true, &ok), &ok);
	j_add(area, "tlvs", j_tlvs(&info->tlvs, true, &ok), &ok);
	j_add(root, "tlv_area", area, &ok);

	tr = json_object_new_object();
	if (t->present) {
		j_add(tr, "magic", j_hex(t->magic, IMAGE_BOOT_MAGIC_SIZE), &ok);
		if (trailer_fields(t)) {
			j_add(tr, "image_ok", json_object_new_int64(t->image_ok), &ok);
			j_add(tr, "copy_done", json_object_new_int64(t->copy_done), &ok);
			j_add(tr, "swap_info", json_object_new_int64(t->swap_info), &ok);
			j_add(tr, "swap_size", json_object_new_int64(t->swap_size), &ok);
			if (key_field_len(info, &kfl))
				j_add(tr, "key_field_len", json_object_new_int64((int64_t)kfl),
				      &ok);
		}
	}
	j_add(root, "trailer", j_empty_compact(tr), &ok);
	if (!ok) {
		rc = err_set(err, MCUPROV_ERR_NOMEM, name, "out of memory");
		goto out;
	}

	s = json_object_to_json_string_length(root,
					      JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
						      JSON_C_TO_STRING_NOSLASHESCAPE,
					      &n);
	if (s == NULL) {
		rc = err_set(err, MCUPROV_ERR_NOMEM, name, "out of memory");
		goto out;
	}
	/* imgtool prints a newline after json.dump() to stdout */
	*out = malloc(n + 2);
	if (*out == NULL) {
		rc = err_set(err, MCUPROV_ERR_NOMEM, name, "out of memory");
		goto out;
	}
	memcpy(*out, s, n);
	(*out)[n] = '\n';
	(*out)[n + 1] = '\0';
	if (len != NULL)
		*len = n + 1;
	rc = 0;
out:
	json_object_put(root);
	free(fname);
	return rc;
}

/* ---- entry point ------------------------------------------------------------ */

int imginfo_format(const struct image_info *info, const char *name, enum imginfo_format fmt,
		   char **out, size_t *len, struct mcuprov_err *err)
{
	if (out == NULL || info == NULL)
		return err_set(err, MCUPROV_ERR_INTERNAL, NULL, "imginfo_format: no %s",
			       out == NULL ? "output" : "image");
	*out = NULL;
	if (len != NULL)
		*len = 0;
	if (name == NULL)
		name = "";
	switch (fmt) {
	case IMGINFO_HUMAN: return format_human(info, name, out, len, err);
	case IMGINFO_YAML: return format_yaml(info, name, out, len, err);
	case IMGINFO_JSON: return format_json(info, name, out, len, err);
	}
	return err_set(err, MCUPROV_ERR_INTERNAL, name, "imginfo_format: unknown format %d",
		       (int)fmt);
}
