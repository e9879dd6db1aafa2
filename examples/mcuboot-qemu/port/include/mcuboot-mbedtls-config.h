/*
 * mbedTLS configuration of the mcuprov MCUboot QEMU port, for SIGN=RSA and
 * SIGN=EC384 (mbedtls.mk passes -DMBEDTLS_CONFIG_FILE="<this file>" to
 * MCUboot's sources, the port's and the mbedTLS library's): only what
 * MCUboot's signature check needs, for mbedTLS 2.28 (Debian 12's,
 * scripts/fetch-mbedtls) and 3.x.
 *
 *   SIGN=RSA    MCUBOOT_USE_MBED_TLS: RSA public-key operation (PKCS#1 v2.1;
 *               MCUboot checks the RSA-PSS encoding itself), bignum,
 *               SHA-256, the ASN.1 parser for the key's DER.
 *   SIGN=EC384  MCUBOOT_USE_PSA_CRYPTO (MCUboot verifies P-384 only through
 *               the PSA API): PSA on mbedTLS's ECP (secp384r1) + ECDSA,
 *               SHA-384 (the image hash and the KEYHASH of an EC384 image).
 *
 * Bare metal: no platform entropy, no file system, no time, no networking.
 * A bootloader only verifies, so nothing here needs random numbers: the PSA
 * core's RNG is the port's (mbedtls_port.c), which has none to give.
 */

#ifndef MCUPROV_QEMU_MBEDTLS_CONFIG_H
#define MCUPROV_QEMU_MBEDTLS_CONFIG_H

#if defined(MCUBOOT_SIGN_RSA) + defined(MCUBOOT_SIGN_EC384) != 1
#error "mcuboot-mbedtls-config.h: define MCUBOOT_SIGN_RSA or MCUBOOT_SIGN_EC384"
#endif

/* mbedTLS 3.x's build_info.h defines the version before it includes this
 * file; 2.x's headers include this file first. */
#if defined(MBEDTLS_VERSION_NUMBER) && MBEDTLS_VERSION_NUMBER >= 0x03000000
#define MCUPROV_MBEDTLS_3 1
#else
#define MCUPROV_MBEDTLS_3 0
#endif

/* ---- platform */
#define MBEDTLS_NO_PLATFORM_ENTROPY
#define MBEDTLS_DEPRECATED_REMOVED

/* ---- common */
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_BIGNUM_C

#if defined(MCUBOOT_SIGN_RSA)

#if !defined(MCUBOOT_SIGN_RSA_LEN) || \
	(MCUBOOT_SIGN_RSA_LEN != 2048 && MCUBOOT_SIGN_RSA_LEN != 3072)
#error "MCUBOOT_SIGN_RSA_LEN: 2048 or 3072 (RSA_LEN=)"
#endif

#define MBEDTLS_RSA_C
#define MBEDTLS_PKCS1_V21
#define MBEDTLS_OID_C
#define MBEDTLS_MD_C
#define MBEDTLS_SHA256_C
#if MCUPROV_MBEDTLS_3
#define MBEDTLS_SHA224_C /* 3.x: SHA-256's module also wants SHA-224 */
#endif
#define MBEDTLS_MPI_MAX_SIZE (MCUBOOT_SIGN_RSA_LEN / 8)

#if !MCUPROV_MBEDTLS_3
/* MCUboot's bootutil/crypto/sha.h calls mbedtls_sha256_{starts,update,finish}
 * for their int result, the 3.x API; 2.28 has those names only for its void,
 * deprecated functions (removed here by MBEDTLS_DEPRECATED_REMOVED) and
 * returns the result from the *_ret ones. */
#define mbedtls_sha256_starts mbedtls_sha256_starts_ret
#define mbedtls_sha256_update mbedtls_sha256_update_ret
#define mbedtls_sha256_finish mbedtls_sha256_finish_ret
#endif

#else /* MCUBOOT_SIGN_EC384 */

#define MBEDTLS_PSA_CRYPTO_C
#define MBEDTLS_PSA_CRYPTO_EXTERNAL_RNG
#define MBEDTLS_ECP_C
#define MBEDTLS_ECP_DP_SECP384R1_ENABLED
#define MBEDTLS_ECP_NIST_OPTIM
#define MBEDTLS_ECDSA_C
#define MBEDTLS_ASN1_WRITE_C
#define MBEDTLS_SHA512_C
#if MCUPROV_MBEDTLS_3
#define MBEDTLS_SHA384_C
#else
/* verification only, no secret scalar to blind: ECP's internal DRBG,
 * seeded from the scalar for private-key operations, is left out */
#define MBEDTLS_ECP_NO_INTERNAL_RNG
#endif
#define MBEDTLS_PSA_KEY_SLOT_COUNT 4

#endif /* MCUBOOT_SIGN_RSA */

#if !MCUPROV_MBEDTLS_3
/* 2.x: what its own config.h ends with */
#include "mbedtls/check_config.h"
#endif

#endif /* MCUPROV_QEMU_MBEDTLS_CONFIG_H */
