/* imgtool sign's measured-boot and identity TLVs, ECDSA signature padding
 * and big-endian fields (internal to the core; see image-ext.c). */
#ifndef MCUPROV_IMAGE_EXT_H
#define MCUPROV_IMAGE_EXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "mcuprov/error.h"
#include "mcuprov/image.h"
#include "mcuprov/key.h"

/* imgtool's MAX_SW_TYPE_LENGTH (characters, not bytes). */
#define IMAGE_SW_TYPE_MAX 12
/* Largest boot record: 5 small keys, 12 characters of UTF-8, a version,
 * "SHA512", a 64-byte key hash and a 64-byte measurement. */
#define IMAGE_BOOT_RECORD_MAX 256

/* The BOOT_RECORD TLV value imgtool's boot_record.py writes: a CBOR map
 * (cbor2's encoding, keys in its insertion order) {1: SW_TYPE, 4:
 * "MAJ.MIN.REV", 5: signer id (the KEYHASH of KEY, or 32 zero bytes
 * without a key), 6: the hash TLV's name ("SHA256"), 2: zero bytes as long
 * as the image hash (MCUboot fills in the measurement)}, built with
 * libcbor.  Returns 0 with *LEN set, or MCUPROV_ERR_USAGE (SW_TYPE too
 * long, not UTF-8) / MCUPROV_ERR_NOMEM / MCUPROV_ERR_CRYPTO. */
int image_boot_record(const char *sw_type, const struct image_version *v, unsigned hash_tlv,
		      const EVP_MD *md, const struct mcuprov_key *key, uint8_t *out, size_t cap,
		      size_t *len, struct mcuprov_err *err);

/* A decoded boot record, for dumpinfo.  Strings are NUL-terminated (cut
 * at their buffer); the byte strings keep their length. */
struct image_boot_record_info {
	char sw_type[64];
	char version[64];
	char measurement_type[64];
	uint8_t signer_id[IMAGE_MAX_DIGEST];
	size_t signer_id_len;
	uint8_t measurement[IMAGE_MAX_DIGEST];
	size_t measurement_len;
};

/* Decode a BOOT_RECORD TLV value with libcbor (untrusted input): a map
 * of unsigned keys; unknown keys are skipped.  Returns true when it is
 * such a map (of at most 2 * IMAGE_BOOT_RECORD_MAX bytes). */
bool image_boot_record_decode(const uint8_t *buf, size_t len, struct image_boot_record_info *out);

/* imgtool's parse_uuid: VALUE is a raw UUID (8-4-4-4-12 hex digits, or 32
 * hex digits) or, when it is printable, a name hashed into a UUIDv5 in
 * namespace NS (16 bytes; NULL: none, which makes a name an error).
 * OPTION names the option for messages ("--vid").  Returns 0 or
 * MCUPROV_ERR_USAGE. */
int image_uuid_parse(const uint8_t *ns, const char *value, const char *option, uint8_t out[16],
		     struct mcuprov_err *err);

/* The DNS namespace of RFC 4122 (uuid.NAMESPACE_DNS), --vid's names'. */
extern const uint8_t image_uuid_ns_dns[16];

/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" of U into BUF (37 bytes). */
void image_uuid_str(const uint8_t u[16], char buf[37]);

/* --pad-sig: imgtool zero-pads an ECDSA P-256 signature to 72 bytes and a
 * P-384 one to 103 (never shortens); other key types are unchanged.
 * SIG has room for the padded length. */
void image_pad_sig(enum key_type type, uint8_t *sig, size_t *len);

/* The extra protected TLVs of one image, computed before any I/O. */
struct image_ext {
	uint8_t brec[IMAGE_BOOT_RECORD_MAX]; /* BOOT_RECORD value */
	size_t brec_len;
	uint8_t vid[16], cid[16];
	size_t len; /* bytes they add to the protected area (TLV headers included) */
};

/* Build O's BOOT_RECORD, UUID_VID and UUID_CID values (those it asks for)
 * for an image hashed with HASH_TLV/MD, KEY its KEYHASH key (or NULL).
 * Returns 0 or MCUPROV_ERR_USAGE (with the option's reason). */
int image_ext_make(const struct image_sign_opts *o, unsigned hash_tlv, const EVP_MD *md,
		   const struct mcuprov_key *key, struct image_ext *x, struct mcuprov_err *err);

/* The length of the DER ECDSA signature SIG without the zeros --pad-sig
 * appended (LEN when there are none, or it is no such signature). */
size_t image_ecdsa_unpad(const uint8_t *sig, size_t len);

/* Store V at P in the byte order BIG (true: big-endian). */
static inline void image_put16(uint8_t *p, uint16_t v, bool big)
{
	p[big ? 0 : 1] = (uint8_t)(v >> 8);
	p[big ? 1 : 0] = (uint8_t)v;
}

static inline void image_put32(uint8_t *p, uint32_t v, bool big)
{
	for (int i = 0; i < 4; i++)
		p[big ? 3 - i : i] = (uint8_t)(v >> (8 * i));
}

static inline uint16_t image_get16(const uint8_t *p, bool big)
{
	return big ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t image_get32(const uint8_t *p, bool big)
{
	return big ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
		   : (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
			     (uint32_t)p[3] << 24;
}

#endif
