/*
 * MCUboot configuration of the mcuprov QEMU port (mps2-an385, Cortex-M3).
 *
 * The signature type comes from the Makefile (SIGN=EC256 or ED25519 gives
 * -DMCUBOOT_SIGN_EC256 or -DMCUBOOT_SIGN_ED25519); the crypto is MCUboot's
 * own ext/: tinycrypt (SHA-256, P-256), tinycrypt-sha512 + fiat (Ed25519)
 * and the mbedtls-asn1 parser for the keys' DER, no mbedTLS.
 */

#ifndef MCUPROV_QEMU_MCUBOOT_CONFIG_H
#define MCUPROV_QEMU_MCUBOOT_CONFIG_H

#if defined(MCUBOOT_SIGN_EC256) + defined(MCUBOOT_SIGN_ED25519) != 1
#error "define exactly one of MCUBOOT_SIGN_EC256 and MCUBOOT_SIGN_ED25519 (SIGN=EC256 or SIGN=ED25519)"
#endif

#define MCUBOOT_USE_TINYCRYPT
#define MCUBOOT_SHA256

/* One image, upgraded by overwriting the primary slot with the secondary. */
#define MCUBOOT_IMAGE_NUMBER 1
#define MCUBOOT_OVERWRITE_ONLY
#define MCUBOOT_VALIDATE_PRIMARY_SLOT
#define MCUBOOT_USE_FLASH_AREA_GET_SECTORS
#define MCUBOOT_MAX_IMG_SECTORS 128
#define MCUBOOT_BOOT_MAX_ALIGN 8

#define MCUBOOT_HAVE_LOGGING 1
#define MCUBOOT_USE_SNPRINTF 1

#define MCUBOOT_WATCHDOG_FEED() do { } while (0)
#define MCUBOOT_CPU_IDLE() do { } while (0)

#endif /* MCUPROV_QEMU_MCUBOOT_CONFIG_H */
