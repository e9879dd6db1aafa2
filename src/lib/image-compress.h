/* Compressed images (imgtool sign --compression), and the signing core they
 * run twice.  Internal to the core library. */
#ifndef MCUPROV_IMAGE_COMPRESS_H
#define MCUPROV_IMAGE_COMPRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "mcuprov/error.h"
#include "mcuprov/image.h"
#include "mcuprov/key.h"

/* What a pass of the signing core adds to (or changes in) image_sign(). */
struct image_sign_extra {
	const struct image_custom_tlv *prot; /* protected TLVs after DEPENDENCY */
	size_t n_prot;
	uint32_t flags; /* header flags or'ed in */
	bool discard;   /* compute the digest and signature, write nothing */
	int in_fd;      /* >= 0: the payload comes from this file, not opts->infile */
	uint64_t in_size;
};

/* The hash-and-sign core: image_sign() without --compression, plus X (may
 * be NULL).  image-sign.c. */
int image_sign_core(const struct image_sign_opts *o, const struct image_sign_extra *x,
		    struct image_sign_result *res, struct mcuprov_err *err);

/* The Intel HEX output's address taken from the input's, IN_BASE (imgtool's
 * base_addr): the header O pads in goes in front of it.  Returns 0 with
 * *BASE, or MCUPROV_ERR_USAGE when the header does not fit below IN_BASE.
 * image-sign.c. */
int image_hex_base(const struct image_sign_opts *o, uint32_t in_base, uint32_t *base,
		   struct mcuprov_err *err);

/* image_sign() with o->compression set, as imgtool 2.4 does it: sign the
 * uncompressed image (its digest, signature and size become the protected
 * DECOMP_SHA, DECOMP_SIGNATURE and DECOMP_SIZE TLVs, plus COMP_DEC_SIZE when
 * encrypting), compress the payload (raw LZMA2, preset 9, dict 128 KiB,
 * lc 3 lp 1 pb 2; ARM Thumb BCJ first for lzma2armthumb) behind its 2-byte
 * LZMA2 header, and sign that; when compressing does not make the payload
 * smaller by more than the TLVs, the plain image is written instead. */
int image_compress_sign(const struct image_sign_opts *o, struct image_sign_result *res,
			struct mcuprov_err *err);

/* For image_verify(): when INFO (of PATH, whose hash already verified with
 * digest MD) is compressed and not encrypted, decompress its payload,
 * rebuild the uncompressed image's header and protected TLVs and check the
 * DECOMP_SIZE and DECOMP_SHA TLVs, and with KEY (non-NULL, not PURE) the
 * DECOMP_SIGNATURE.  Returns 0 (also for an uncompressed or encrypted
 * image), MCUPROV_ERR_FORMAT or MCUPROV_ERR_REFUSED. */
int image_decomp_check(const char *path, const struct image_info *info, const EVP_MD *md,
		       bool pure, const struct mcuprov_key *key, struct mcuprov_err *err);

#endif
