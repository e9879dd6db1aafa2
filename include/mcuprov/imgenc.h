/* mcuprov core: MCUboot image encryption (imgtool sign -E) and decryption.
 *
 * What imgtool writes (MCUboot docs/encrypted_images.md, imgtool image.py):
 *  - the payload is zero-padded to a multiple of 16 bytes (header included)
 *    and the header carries ENCRYPTED_AES128 or ENCRYPTED_AES256;
 *  - the image hash and signature cover the plaintext (with that header);
 *    only then is the payload (after the header, up to img_size) encrypted
 *    with AES-CTR, a random key and a zero counter block;
 *  - the random key travels in the last unprotected TLV: ENCRSA2048
 *    (RSA-OAEP, SHA-256 and MGF1-SHA-256), ENCEC256 or ENCX25519 (ECIES:
 *    ephemeral public key | HMAC | AES-CTR-wrapped key, the AES and HMAC keys
 *    from HKDF over the ECDH secret with info "MCUBoot_ECIES_v1"), or
 *    ENCX25519_SHA512 (the same with HKDF and HMAC over SHA-512);
 *  - a padded image's trailer holds two key slots: align_up(16, max_align)
 *    bytes each, or align_up(the ENC TLV's length) with --save-enctlv.
 * Every primitive is OpenSSL's (EVP_PKEY_encrypt/derive, EVP_KDF HKDF,
 * EVP_MAC HMAC, EVP_CIPHER AES-CTR). */
#ifndef MCUPROV_IMGENC_H
#define MCUPROV_IMGENC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mcuprov/error.h"
#include "mcuprov/image.h"
#include "mcuprov/key.h"

#define IMAGE_ENC_TLV_MAX 256 /* the longest ENC TLV value (ENCRSA2048) */

enum image_enc_hmac { IMAGE_HMAC_AUTO = 0, IMAGE_HMAC_256 = 256, IMAGE_HMAC_512 = 512 };

/* sign -E and its options (image_sign_opts.enc; NULL: not encrypted). */
struct image_enc_opts {
	const struct mcuprov_key *key; /* rsa-2048, ecdsa-p256 or x25519, public or private */
	unsigned keylen;               /* AES key bits: 128 (default) or 256 */
	enum image_enc_hmac hmac;      /* ECIES hash: auto (256) or 512 (x25519 only) */
	bool save_enctlv;              /* trailer key slots hold the ENC TLV */
	bool clear;                    /* flag, padding and ENC TLV, payload left plain */
};

void image_enc_opts_init(struct image_enc_opts *o);

/* Check O as imgtool does, with the signing key SIGNKEY (or NULL): the key
 * type, the key length, --hmac-sha 512 only with x25519, and imgtool's rule
 * that ECDSA and RSA signing keys need an encryption key of their kind.
 * Returns 0 or MCUPROV_ERR_USAGE. */
int image_enc_check(const struct image_enc_opts *o, const struct mcuprov_key *signkey,
		    struct mcuprov_err *err);

/* Header flags for O (0 for NULL). */
uint32_t image_enc_flags(const struct image_enc_opts *o);

/* Zero bytes after a payload of LEN bytes (header included) so that it is
 * a multiple of 16 (0 for NULL). */
uint64_t image_enc_pad(const struct image_enc_opts *o, uint64_t len);

/* The ENC TLV O yields: type and value length. */
unsigned image_enc_tlv_type(const struct image_enc_opts *o);
size_t image_enc_tlv_len(const struct image_enc_opts *o);

/* Bytes the two key slots add to a swap trailer (0 for NULL). */
uint64_t image_enc_trailer_size(const struct image_enc_opts *o, unsigned max_align);

/* The AES-CTR transform of one image (encrypting or decrypting alike). */
struct image_enc;

/* A new random AES key, its ENC TLV for O->key and, unless O->clear, the
 * cipher.  Returns 0, MCUPROV_ERR_NOMEM or MCUPROV_ERR_CRYPTO. */
int image_enc_new(const struct image_enc_opts *o, struct image_enc **out,
		  struct mcuprov_err *err);

/* The ENC TLV built by image_enc_new(). */
const uint8_t *image_enc_tlv(const struct image_enc *e, unsigned *type, size_t *len);

/* The stream offsets [START, END) that are transformed (the payload after
 * the header). */
void image_enc_set_region(struct image_enc *e, uint64_t start, uint64_t end);

/* Transform in place the part of P (N bytes at stream offset OFF) inside
 * the region.  Calls must come in stream order. */
void image_enc_apply(struct image_enc *e, uint64_t off, uint8_t *p, size_t n);

/* Did a cipher call fail? */
bool image_enc_failed(const struct image_enc *e);

void image_enc_free(struct image_enc *e);

/* Is the image INFO flagged encrypted? */
bool image_is_encrypted(const struct image_info *info);

/* Recover the AES key of the encrypted image INFO (SUBJECT names it in
 * errors) with the private encryption KEY, as MCUboot does: the ENC TLV of
 * the key's kind, ECIES HMAC checked.  On success *out decrypts the payload
 * region (already set).  Returns 0; MCUPROV_ERR_FORMAT (not encrypted, no
 * or malformed ENC TLV), MCUPROV_ERR_USAGE (public, unsuitable or token key),
 * MCUPROV_ERR_REFUSED (wrong key: the TLV does not open with it). */
int image_enc_open(const struct image_info *info, const struct mcuprov_key *key,
		   const char *subject, struct image_enc **out, struct mcuprov_err *err);

/* Write the encrypted image IN decrypted to OUT (atomically; raw binary):
 * the payload in plain, everything else as it was, which is the image
 * imgtool writes with -c/--clear.  The image hash is checked over the
 * plaintext before OUT is written.  Streams (constant memory).  Returns 0,
 * MCUPROV_ERR_* of image_enc_open(), MCUPROV_ERR_REFUSED (hash mismatch),
 * MCUPROV_ERR_IO. */
int image_decrypt(const char *in, const char *out, const struct mcuprov_key *key,
		  struct mcuprov_err *err);

/* image_verify() of an encrypted image with the private encryption key
 * ENCKEY (NULL: image_verify()): the payload is decrypted as it streams
 * through the hash, as MCUboot checks an encrypted secondary slot.  Errors
 * of image_enc_open() and image_verify(). */
int image_verify_ex(const char *path, const struct mcuprov_key *const *keys, size_t n_keys,
		    const struct mcuprov_key *enckey, struct image_verify_result *res,
		    struct mcuprov_err *err);

#endif
