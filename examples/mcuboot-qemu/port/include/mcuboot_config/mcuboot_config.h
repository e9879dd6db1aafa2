/*
 * MCUboot configuration of the mcuprov QEMU port (mps2-an385, Cortex-M3).
 *
 * The signature type comes from the Makefile (SIGN=EC256 or ED25519 gives
 * -DMCUBOOT_SIGN_EC256 or -DMCUBOOT_SIGN_ED25519); the crypto is MCUboot's
 * own ext/: tinycrypt (SHA-256, P-256), tinycrypt-sha512 + fiat (Ed25519)
 * and the mbedtls-asn1 parser for the keys' DER, no mbedTLS.  SIGN=RSA
 * (-DMCUBOOT_SIGN_RSA -DMCUBOOT_SIGN_RSA_LEN=) and SIGN=EC384 verify with
 * mbedTLS instead, built from MBEDTLS_DIR (mbedtls.mk).
 */

#ifndef MCUPROV_QEMU_MCUBOOT_CONFIG_H
#define MCUPROV_QEMU_MCUBOOT_CONFIG_H

#if defined(MCUBOOT_SIGN_EC256) + defined(MCUBOOT_SIGN_ED25519) + \
	defined(MCUBOOT_SIGN_RSA) + defined(MCUBOOT_SIGN_EC384) != 1
#error "define exactly one of MCUBOOT_SIGN_EC256, MCUBOOT_SIGN_ED25519, MCUBOOT_SIGN_RSA and MCUBOOT_SIGN_EC384 (SIGN=EC256, ED25519, RSA or EC384)"
#endif

#if defined(MCUBOOT_SIGN_RSA)
/* mbedTLS from MBEDTLS_DIR (mbedtls.mk); the modulus length from RSA_LEN= */
#if !defined(MCUBOOT_SIGN_RSA_LEN) || \
	(MCUBOOT_SIGN_RSA_LEN != 2048 && MCUBOOT_SIGN_RSA_LEN != 3072)
#error "MCUBOOT_SIGN_RSA_LEN: 2048 or 3072 (RSA_LEN=)"
#endif
#define MCUBOOT_USE_MBED_TLS
#elif defined(MCUBOOT_SIGN_EC384)
/* MCUboot verifies P-384 (with SHA-384) only through the PSA Crypto API:
 * mbedTLS's, from MBEDTLS_DIR (mbedtls.mk) */
#define MCUBOOT_USE_PSA_CRYPTO
#else
#define MCUBOOT_USE_TINYCRYPT
#endif
#define MCUBOOT_SHA256

/* ENC=X25519 or ENC=EC256 (Makefile: -DMCUBOOT_ENCRYPT_X25519 or _EC256):
 * encrypted images, ECIES with AES-128-CTR and HMAC-SHA256 through
 * tinycrypt (and fiat's X25519); the enc key slots of the swap status hold
 * the AES keys (no MCUBOOT_SWAP_SAVE_ENCTLV: sign without --save-enctlv) */
#if defined(MCUBOOT_ENCRYPT_X25519) || defined(MCUBOOT_ENCRYPT_EC256)
#if !defined(MCUBOOT_USE_TINYCRYPT)
#error "ENC=X25519 and ENC=EC256 need SIGN=EC256 or SIGN=ED25519 (tinycrypt)"
#endif
#define MCUBOOT_ENC_IMAGES
#endif

/* One image; an upgrade in the secondary slot is swapped with the primary
 * through the scratch area, so a test upgrade that is not confirmed is
 * reverted on the next boot. */
#define MCUBOOT_IMAGE_NUMBER 1
#define MCUBOOT_SWAP_USING_SCRATCH 1
#define MCUBOOT_VALIDATE_PRIMARY_SLOT
#define MCUBOOT_USE_FLASH_AREA_GET_SECTORS
#define MCUBOOT_MAX_IMG_SECTORS 128
#define MCUBOOT_BOOT_MAX_ALIGN 8

#define MCUBOOT_HAVE_LOGGING 1
#define MCUBOOT_USE_SNPRINTF 1

#define MCUBOOT_WATCHDOG_FEED() do { } while (0)
#define MCUBOOT_CPU_IDLE() do { } while (0)

#endif /* MCUPROV_QEMU_MCUBOOT_CONFIG_H */
