/* Shared between the image modules of the core (not part of the API). */
#ifndef MCUPROV_IMAGE_INTERNAL_H
#define MCUPROV_IMAGE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "mcuprov/image.h"

/* Streaming sizes: memory use does not grow with the image. */
#define IMAGE_CHUNK (256 * 1024)    /* write buffer, pread fallback */
#define IMAGE_WINDOW (512 * 1024)   /* mmap window over the input */

extern const uint8_t image_boot_magic[IMAGE_BOOT_MAGIC_SIZE];
extern const uint8_t image_boot_magic2[IMAGE_BOOT_MAGIC_SIZE - 2];

static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* Receives streamed image bytes. */
typedef void (*image_stream_cb)(void *arg, const uint8_t *p, size_t n);

/* Feed N bytes of FD, from offset OFF, to CB in windows of IMAGE_WINDOW
 * bytes mapped with mmap (no copy through a read buffer; a window is
 * unmapped before the next, so memory stays bounded), falling back to pread
 * into a buffer where mapping fails.  The file size is re-checked before
 * each window so that a file shrinking meanwhile is an error, not a SIGBUS.
 * Returns 0 or MCUPROV_ERR_IO / MCUPROV_ERR_NOMEM with SUBJECT. */
int image_stream(int fd, uint64_t off, uint64_t n, image_stream_cb cb, void *arg,
		 const char *subject, struct mcuprov_err *err);

/* EVP digest for a hash TLV type, or NULL. */
const EVP_MD *image_hash_md(unsigned hash_tlv);

/* Signature TLV type for a key type (0 for x25519). */
unsigned image_sig_tlv(enum key_type type);

/* May an image hashed with HASH_TLV be signed/verified with TYPE? */
bool image_key_allows_hash(enum key_type type, unsigned hash_tlv, bool pure);

/* Sign (VERIFY false) or verify an image with KEY, with MCUboot's
 * parameters: RSA-PSS (SHA-256, MGF1-SHA-256, 32-byte salt) and ECDSA (DER)
 * over DIGEST, the image hash MD already computed (the signature's hash is
 * always the image's: SHA-256, or SHA-384 for P-384), so the image is
 * hashed once; Ed25519 over MSG: the digest, or for --pure the whole hashed
 * region.  For signing *siglen is the capacity of SIG on entry and the
 * signature length on return.  Returns 0, MCUPROV_ERR_REFUSED for a
 * signature that does not verify, or MCUPROV_ERR_CRYPTO. */
int image_sig_op(const struct mcuprov_key *key, bool verify, const EVP_MD *md, const uint8_t *msg,
		 size_t msglen, uint8_t *sig, size_t *siglen, struct mcuprov_err *err);

/* Largest Intel HEX span converted (a slot must hold it anyway). */
#define IMAGE_IHEX_MAX_SPAN (1ULL << 30)

/* Does PATH name an Intel HEX file (".hex", any case)? */
bool image_path_is_hex(const char *path);

/* Open the image input PATH for reading: a regular file, or an Intel HEX
 * file converted into an anonymous temporary file (gaps filled with FILL,
 * *base = its lowest address; 0 for raw files).  Returns the descriptor or
 * a negative MCUPROV_ERR_*. */
int image_open_input(const char *path, uint8_t fill, uint64_t *size, uint32_t *base,
		     struct mcuprov_err *err);

#endif
