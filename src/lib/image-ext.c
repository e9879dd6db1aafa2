/* imgtool sign's measured-boot record (boot_record.py), its vendor and
 * class UUIDs (image.py's parse_uuid) and --pad-sig, byte for byte.
 *
 * The boot record is CBOR built and read with libcbor; the UUIDv5 hash is
 * OpenSSL's SHA-1. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <cbor.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "image-ext.h"

/* boot_record.py's SwComponent ids (PSA attestation API 1.0) */
enum {
	SW_TYPE = 1,
	SW_MEASUREMENT_VALUE = 2,
	SW_VERSION = 4,
	SW_SIGNER_ID = 5,
	SW_MEASUREMENT_DESCRIPTION = 6,
};

const uint8_t image_uuid_ns_dns[16] = {
	0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1,
	0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8,
};

/* Decode one UTF-8 sequence at S (strict: no overlong forms, surrogates or
 * values past U+10FFFF).  Returns its length, or 0 when invalid. */
static size_t utf8_next(const unsigned char *s, uint32_t *cp)
{
	size_t n, i;
	uint32_t c = s[0];

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, c &= 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, c &= 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, c &= 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/* Characters of the UTF-8 string S, or -1 when S is not UTF-8 (Python
 * would have decoded such bytes into surrogates). */
static long utf8_chars(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	long n = 0;
	uint32_t cp;
	size_t k;

	while (*p != '\0') {
		if ((k = utf8_next(p, &cp)) == 0)
			return -1;
		p += k;
		n++;
	}
	return n;
}

/* Python's str.isprintable() for the characters that occur in practice:
 * false for control (Cc), format (Cf), separator (Z*, except the ASCII
 * space), surrogate and private-use code points and for bytes that are
 * not UTF-8. */
static bool printable(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t c;
	size_t k;

	while (*p != '\0') {
		if ((k = utf8_next(p, &c)) == 0)
			return false;
		p += k;
		if (c < 0x20 || (c >= 0x7f && c <= 0xa0) || c == 0xad || c == 0x1680 ||
		    (c >= 0x2000 && c <= 0x200f) || (c >= 0x2028 && c <= 0x202f) ||
		    (c >= 0x205f && c <= 0x2064) || c == 0x3000 || c == 0xfeff ||
		    (c >= 0xe000 && c <= 0xf8ff) || c >= 0xf0000)
			return false;
	}
	return true;
}

int image_boot_record(const char *sw_type, const struct image_version *v, unsigned hash_tlv,
		      const EVP_MD *md, const struct mcuprov_key *key, uint8_t *out, size_t cap,
		      size_t *len, struct mcuprov_err *err)
{
	uint8_t signer[IMAGE_MAX_DIGEST], zeros[IMAGE_MAX_DIGEST];
	unsigned int signer_len = 32; /* imgtool: SHA-256's size without a key */
	char version[32];
	const char *desc = image_tlv_name(hash_tlv);
	cbor_item_t *map = NULL;
	long chars = utf8_chars(sw_type);
	size_t n;
	int i, rc = 0;
	struct {
		uint8_t key;
		cbor_item_t *value;
	} pairs[5];

	if (chars < 0)
		return err_set(err, MCUPROV_ERR_USAGE, sw_type,
			       "--boot-record: the software type is not UTF-8 text");
	if (chars > IMAGE_SW_TYPE_MAX)
		return err_set(err, MCUPROV_ERR_USAGE, sw_type,
			       "--boot-record: the software type is too long (%ld characters; at "
			       "most %d)",
			       chars, IMAGE_SW_TYPE_MAX);
	memset(signer, 0, sizeof(signer));
	memset(zeros, 0, sizeof(zeros));
	if (key != NULL) {
		uint8_t *der = NULL;
		size_t derlen = 0;

		if (key_public_der(key, &der, &derlen, err) < 0)
			return MCUPROV_ERR_CRYPTO;
		/* the signer id is the KEYHASH: the image's hash of the key */
		if (EVP_Digest(der, derlen, signer, &signer_len, md, NULL) != 1)
			rc = err_set(err, MCUPROV_ERR_CRYPTO, NULL, "cannot hash the public key");
		OPENSSL_free(der);
		if (rc < 0)
			return rc;
	}
	snprintf(version, sizeof(version), "%u.%u.%u", v->major, v->minor, v->revision);

	/* cbor2.dumps(dict): a definite map in the dict's insertion order,
	 * every integer and length in its shortest form */
	pairs[0].key = SW_TYPE;
	pairs[0].value = cbor_build_stringn(sw_type, strlen(sw_type));
	pairs[1].key = SW_VERSION;
	pairs[1].value = cbor_build_stringn(version, strlen(version));
	pairs[2].key = SW_SIGNER_ID;
	pairs[2].value = cbor_build_bytestring(signer, signer_len);
	pairs[3].key = SW_MEASUREMENT_DESCRIPTION;
	pairs[3].value = cbor_build_stringn(desc, strlen(desc));
	/* last: the bootloader overwrites the measurement in place */
	pairs[4].key = SW_MEASUREMENT_VALUE;
	pairs[4].value = cbor_build_bytestring(zeros, (size_t)EVP_MD_get_size(md));
	map = cbor_new_definite_map(5);
	for (i = 0; i < 5; i++) {
		cbor_item_t *k = cbor_build_uint8(pairs[i].key);

		if (map == NULL || k == NULL || pairs[i].value == NULL ||
		    !cbor_map_add(map, (struct cbor_pair){ .key = k, .value = pairs[i].value }))
			rc = MCUPROV_ERR_NOMEM;
		if (k != NULL)
			cbor_decref(&k);
		if (pairs[i].value != NULL)
			cbor_decref(&pairs[i].value);
	}
	if (rc == 0) {
		n = cbor_serialize(map, out, cap);
		if (n == 0)
			rc = MCUPROV_ERR_NOMEM;
		else
			*len = n;
	}
	if (map != NULL)
		cbor_decref(&map);
	if (rc < 0)
		return err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory (boot record)");
	return 0;
}

static void copy_text(const cbor_item_t *it, char *buf, size_t size)
{
	size_t n;

	buf[0] = '\0';
	if (!cbor_isa_string(it) || !cbor_string_is_definite(it))
		return;
	n = cbor_string_length(it);
	if (n > size - 1)
		n = size - 1;
	memcpy(buf, cbor_string_handle(it), n);
	buf[n] = '\0';
}

static size_t copy_bytes(const cbor_item_t *it, uint8_t *buf, size_t size)
{
	size_t n;

	if (!cbor_isa_bytestring(it) || !cbor_bytestring_is_definite(it))
		return 0;
	n = cbor_bytestring_length(it);
	if (n > size)
		n = size;
	memcpy(buf, cbor_bytestring_handle(it), n);
	return n;
}

/* The untrusted record's shape before libcbor builds it: cbor_load()
 * allocates a definite array or map for the count its header claims
 * (a 95-byte record claiming 2^29 items asked for 6.6 GB under the
 * fuzzer), so every count must fit in the bytes that remain -- an item
 * takes at least one byte, a map entry two. */
struct cbor_shape {
	size_t remaining;
	bool bad;
};

static void shape_array(void *arg, size_t n)
{
	struct cbor_shape *c = arg;

	if (n > c->remaining)
		c->bad = true;
}

static void shape_map(void *arg, size_t n)
{
	struct cbor_shape *c = arg;

	if (n > c->remaining / 2)
		c->bad = true;
}

static bool cbor_shape_ok(const uint8_t *buf, size_t len)
{
	struct cbor_callbacks cb = cbor_empty_callbacks;
	struct cbor_shape c = { 0, false };
	size_t off = 0;

	cb.array_start = shape_array;
	cb.map_start = shape_map;
	while (off < len) {
		struct cbor_decoder_result r;

		c.remaining = len - off;
		r = cbor_stream_decode(buf + off, len - off, &cb, &c);
		if (r.status != CBOR_DECODER_FINISHED || r.read == 0 || c.bad)
			return false;
		off += r.read;
	}
	return true;
}

bool image_boot_record_decode(const uint8_t *buf, size_t len, struct image_boot_record_info *out)
{
	struct cbor_load_result res;
	cbor_item_t *item;
	struct cbor_pair *pairs;
	size_t i, n;
	bool ok = false;

	memset(out, 0, sizeof(*out));
	/* imgtool's records are under 256 bytes; a bound also bounds how deep
	 * untrusted CBOR can nest (libcbor frees nested items recursively) */
	if (len > 2 * IMAGE_BOOT_RECORD_MAX || !cbor_shape_ok(buf, len))
		return false;
	item = cbor_load(buf, len, &res);
	if (item == NULL)
		return false;
	if (res.error.code != CBOR_ERR_NONE || res.read != len || !cbor_isa_map(item) ||
	    !cbor_map_is_definite(item))
		goto out;
	n = cbor_map_size(item);
	pairs = cbor_map_handle(item);
	for (i = 0; i < n; i++) {
		const cbor_item_t *k = pairs[i].key, *v = pairs[i].value;

		if (!cbor_isa_uint(k))
			goto out;
		switch (cbor_get_int(k)) {
		case SW_TYPE: copy_text(v, out->sw_type, sizeof(out->sw_type)); break;
		case SW_VERSION: copy_text(v, out->version, sizeof(out->version)); break;
		case SW_MEASUREMENT_DESCRIPTION:
			copy_text(v, out->measurement_type, sizeof(out->measurement_type));
			break;
		case SW_SIGNER_ID:
			out->signer_id_len = copy_bytes(v, out->signer_id, sizeof(out->signer_id));
			break;
		case SW_MEASUREMENT_VALUE:
			out->measurement_len =
				copy_bytes(v, out->measurement, sizeof(out->measurement));
			break;
		default: break;
		}
	}
	ok = true;
out:
	cbor_decref(&item);
	return ok;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* 32 hex digits, with the dashes of 8-4-4-4-12 when DASHED. */
static bool raw_uuid(const char *s, bool dashed, uint8_t out[16])
{
	static const size_t dash[] = { 8, 13, 18, 23 };
	size_t len = strlen(s), i, d = 0, k = 0;

	if (len != (dashed ? 36 : 32))
		return false;
	for (i = 0; i < len; i++) {
		if (dashed && d < 4 && i == dash[d]) {
			if (s[i] != '-')
				return false;
			d++;
			continue;
		}
		if (hexval(s[i]) < 0)
			return false;
		if (k % 2 == 0)
			out[k / 2] = (uint8_t)(hexval(s[i]) << 4);
		else
			out[k / 2] |= (uint8_t)hexval(s[i]);
		k++;
	}
	return true;
}

int image_uuid_parse(const uint8_t *ns, const char *value, const char *option, uint8_t out[16],
		     struct mcuprov_err *err)
{
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx;
	int ok;

	if (raw_uuid(value, true, out) || raw_uuid(value, false, out))
		return 0;
	if (!printable(value))
		return err_set(err, MCUPROV_ERR_USAGE, value,
			       "%s: not a UUID (8-4-4-4-12 or 32 hex digits) nor a printable name",
			       option);
	if (ns == NULL)
		return err_set(err, MCUPROV_ERR_USAGE, value,
			       "%s: a name needs a namespace: give --vid too, or a raw UUID", option);
	/* uuid.uuid5: SHA-1 of namespace + name, version 5, RFC 4122 variant */
	ctx = EVP_MD_CTX_new();
	ok = ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) == 1 &&
	     EVP_DigestUpdate(ctx, ns, 16) == 1 &&
	     EVP_DigestUpdate(ctx, value, strlen(value)) == 1 &&
	     EVP_DigestFinal_ex(ctx, md, &mdlen) == 1;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return err_set(err, MCUPROV_ERR_CRYPTO, value, "%s: SHA-1 failed", option);
	memcpy(out, md, 16);
	out[6] = (uint8_t)((out[6] & 0x0f) | 0x50);
	out[8] = (uint8_t)((out[8] & 0x3f) | 0x80);
	return 0;
}

void image_uuid_str(const uint8_t u[16], char buf[37])
{
	snprintf(buf, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0],
		 u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13],
		 u[14], u[15]);
}

int image_ext_make(const struct image_sign_opts *o, unsigned hash_tlv, const EVP_MD *md,
		   const struct mcuprov_key *key, struct image_ext *x, struct mcuprov_err *err)
{
	int rc;

	memset(x, 0, sizeof(*x));
	if (o->boot_record != NULL) {
		rc = image_boot_record(o->boot_record, &o->version, hash_tlv, md, key, x->brec,
				       sizeof(x->brec), &x->brec_len, err);
		if (rc < 0)
			return rc;
		x->len += IMAGE_TLV_SIZE + x->brec_len;
	}
	if (o->vid != NULL) {
		rc = image_uuid_parse(image_uuid_ns_dns, o->vid, "--vid", x->vid, err);
		if (rc < 0)
			return rc;
		x->len += IMAGE_TLV_SIZE + 16;
	}
	if (o->cid != NULL) {
		/* a class name is hashed in the vendor's namespace */
		rc = image_uuid_parse(o->vid != NULL ? x->vid : NULL, o->cid, "--cid", x->cid, err);
		if (rc < 0)
			return rc;
		x->len += IMAGE_TLV_SIZE + 16;
	}
	return 0;
}

void image_pad_sig(enum key_type type, uint8_t *sig, size_t *len)
{
	size_t want = type == KEY_ECDSA_P256 ? 72 : type == KEY_ECDSA_P384 ? 103 : 0;

	if (*len < want) {
		memset(sig + *len, 0, want - *len);
		*len = want;
	}
}

size_t image_ecdsa_unpad(const uint8_t *sig, size_t len)
{
	size_t der, i;

	/* SEQUENCE with a short-form length (P-256 and P-384 signatures) */
	if (len < 2 || sig[0] != 0x30 || sig[1] >= 0x80)
		return len;
	der = (size_t)sig[1] + 2;
	if (der >= len)
		return len;
	for (i = der; i < len; i++)
		if (sig[i] != 0)
			return len;
	return der;
}
