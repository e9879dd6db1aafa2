/* Shared between the image modules of the core (not part of the API). */
#ifndef MCUPROV_IMAGE_INTERNAL_H
#define MCUPROV_IMAGE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "mcuprov/image.h"

/* Streaming chunk: memory use does not grow with the image. */
#define IMAGE_CHUNK (64 * 1024)

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

/* EVP digest for a hash TLV type, or NULL. */
const EVP_MD *image_hash_md(unsigned hash_tlv);

/* Signature TLV type for a key type (0 for x25519). */
unsigned image_sig_tlv(enum key_type type);

/* May an image hashed with HASH_TLV be signed/verified with TYPE? */
bool image_key_allows_hash(enum key_type type, unsigned hash_tlv, bool pure);

/* A DigestSign/DigestVerify context for KEY with MCUboot's parameters
 * (RSA-PSS/SHA-256/MGF1/salt 32, ECDSA with SHA-256 or SHA-384, Ed25519
 * one-shot). */
int image_sig_ctx_init(EVP_MD_CTX **ctx, const struct mcuprov_key *key, bool verify,
		       struct mcuprov_err *err);

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
