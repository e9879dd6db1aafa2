/*
 * SHA-256 (FIPS 180-4) for the mcuprov QEMU demo loader.
 *
 * Small, portable C: only <stddef.h> and <stdint.h>, no library calls, so
 * the same file builds freestanding for the target and on the host (where
 * tests/unit/test-demo-sha256.c checks it against OpenSSL).
 */

#ifndef DEMO_SHA256_H
#define DEMO_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_SIZE 32
#define SHA256_BLOCK_SIZE  64

struct sha256_ctx {
	uint32_t state[8];
	uint64_t total;			  /* bytes hashed so far */
	uint8_t block[SHA256_BLOCK_SIZE]; /* pending partial block */
	size_t used;			  /* bytes in block[] */
};

void sha256_init(struct sha256_ctx *ctx);
void sha256_update(struct sha256_ctx *ctx, const void *data, size_t len);
/* Writes the digest and wipes the context; call sha256_init to reuse it. */
void sha256_final(struct sha256_ctx *ctx, uint8_t digest[SHA256_DIGEST_SIZE]);
/* One-shot: the SHA-256 of len bytes at data. */
void sha256(const void *data, size_t len, uint8_t digest[SHA256_DIGEST_SIZE]);

#endif /* DEMO_SHA256_H */
