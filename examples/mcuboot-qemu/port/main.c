/*
 * main() of the mcuprov QEMU port: MCUboot's boot_go() decides; when it
 * hands back a validated image, print its version and the fingerprint
 * (SHA-256 of the key's DER bytes, as `mcuprov fingerprint` prints it) of
 * the compiled-in key its KEYHASH TLV names -- the key MCUboot verified
 * the signature with -- then jump to the image's vector table.  When
 * MCUboot refuses, its own log lines say why and QEMU exits with status 1.
 *
 * Flash that survives a reset: QEMU's memory does not outlive QEMU, so
 * when the command line (-semihosting-config ...,arg=mcuboot,arg=flash=FILE)
 * names a FILE -- the one QEMU loaded at the primary slot with
 * -device loader -- the slots and the scratch area, as MCUboot left them
 * (swapped, trailers written, a refused upgrade erased), are written back
 * to it before the jump or the exit.  The next QEMU run loads FILE again:
 * a reboot of the same board.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "bootutil/bootutil.h"
#include "bootutil/crypto/sha.h"
#include "bootutil/fault_injection_hardening.h"
#include "bootutil/image.h"
#include "bootutil/sign_key.h"
#include "flash_map_backend/flash_map_backend.h"
#include "semihost.h"
#include "tinycrypt/sha256.h"

static void sha256(const uint8_t *p, size_t n, uint8_t out[32])
{
	struct tc_sha256_state_struct s;

	tc_sha256_init(&s);
	tc_sha256_update(&s, p, n);
	tc_sha256_final(out, &s);
}

/* The index of the trusted key whose hash the image's KEYHASH TLV holds:
 * MCUboot's image hash (bootutil/crypto/sha.h: SHA-256, SHA-384 for EC384),
 * as its bootutil_find_key() computes it. */
static int verifying_key(const struct boot_rsp *rsp)
{
	const struct flash_area *fa;
	struct image_tlv_iter it;
	uint8_t want[IMAGE_HASH_SIZE], got[IMAGE_HASH_SIZE];
	uint32_t off;
	uint16_t len;
	int id = flash_area_id_from_multi_image_slot(0, 0), found = -1;

	if (flash_area_open((uint8_t)id, &fa) != 0)
		return -1;
	if (bootutil_tlv_iter_begin(&it, rsp->br_hdr, fa, IMAGE_TLV_KEYHASH, false) == 0 &&
	    bootutil_tlv_iter_next(&it, &off, &len, NULL) == 0 && len == sizeof(want) &&
	    flash_area_read(fa, off, want, sizeof(want)) == 0) {
		for (int i = 0; i < bootutil_key_cnt && found < 0; i++) {
			bootutil_sha_context sha;

			bootutil_sha_init(&sha);
			bootutil_sha_update(&sha, bootutil_keys[i].key, *bootutil_keys[i].len);
			bootutil_sha_finish(&sha, got);
			bootutil_sha_drop(&sha);
			if (memcmp(got, want, sizeof(got)) == 0)
				found = i;
		}
	}
	flash_area_close(fa);
	return found;
}

/* With "flash=FILE" on the command line: slots and scratch back to FILE. */
static void flash_save(void)
{
	static char cmdline[512];
	char *w, *end;

	if (sh_cmdline(cmdline, sizeof(cmdline)) != 0)
		return;
	for (w = cmdline; *w != '\0'; w = end) {
		while (*w == ' ')
			w++;
		for (end = w; *end != '\0' && *end != ' ';)
			end++;
		if (*end != '\0')
			*end++ = '\0';
		if (strncmp(w, "flash=", 6) != 0)
			continue;
		if (sh_write_file(w + 6, (const void *)(uintptr_t)SLOT0_ADDR,
				  SCRATCH_ADDR + SCRATCH_SIZE - SLOT0_ADDR) != 0) {
			sh_puts("mcuboot: cannot write the flash back to the host file\n");
			sh_exit(1);
		}
		return;
	}
}

static __attribute__((noreturn)) void jump(uint32_t vtor)
{
	const uint32_t *vt = (const uint32_t *)(uintptr_t)vtor;

	*(volatile uint32_t *)0xE000ED08u = vtor; /* SCB->VTOR */
	__asm__ volatile("msr msp, %0\n\tbx %1" : : "r"(vt[0]), "r"(vt[1]) : "memory");
	__builtin_unreachable();
}

int main(void)
{
	struct boot_rsp rsp;
	const struct image_version *v;
	uint8_t fp[32];
	char line[160], *p;
	uintptr_t base;
	int k;
	FIH_DECLARE(fih_rc, FIH_FAILURE);

#if defined(MCUBOOT_USE_PSA_CRYPTO)
	/* SIGN=EC384: mbedTLS's PSA core, where MCUboot imports the keys */
	if (psa_crypto_init() != PSA_SUCCESS) {
		sh_puts("mcuboot: psa_crypto_init failed\n");
		sh_exit(1);
	}
#endif
	FIH_CALL(boot_go, fih_rc, &rsp);
	flash_save();
	if (FIH_NOT_EQ(fih_rc, FIH_SUCCESS)) {
		sh_puts("mcuboot: no bootable image\n");
		sh_exit(1);
	}
	k = verifying_key(&rsp);
	if (k < 0) {
		sh_puts("mcuboot: the booted image names no compiled-in key\n");
		sh_exit(1);
	}
	sha256(bootutil_keys[k].key, *bootutil_keys[k].len, fp);
	v = &rsp.br_hdr->ih_ver;
	p = line + snprintf(line, sizeof(line), "mcuboot: booting image %u.%u.%u+%lu, key SHA-256 ",
			    v->iv_major, v->iv_minor, (unsigned)v->iv_revision, (unsigned long)v->iv_build_num);
	for (unsigned i = 0; i < sizeof(fp); i++)
		p += sprintf(p, "%02x", fp[i]);
	strcpy(p, "\n");
	sh_puts(line);
	if (flash_device_base(rsp.br_flash_dev_id, &base) != 0)
		sh_exit(1);
	jump((uint32_t)(base + rsp.br_image_off + rsp.br_hdr->ih_hdr_size));
}
