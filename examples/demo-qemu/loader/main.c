/*
 * mcuprov QEMU demo loader (lm3s6965evb, Cortex-M3).
 *
 * Checks the MCUboot image in slot0 far enough to show what
 * provisioning does: the header and TLV layout, the image's SHA-256 against
 * its SHA256 TLV, and that its KEYHASH TLV names one of the keys compiled in
 * from keys.c.  It does NOT verify the signature itself: mcuprov does that
 * on the host before flashing.  Then it starts the image.
 *
 * Every failure prints one line "loader: <reason>" and stops QEMU with exit
 * status 1 (a CPU fault: "loader: fault", status 2).  Written for mcuprov;
 * no MCUboot code.
 */

#include <stddef.h>
#include <stdint.h>

#include "bootutil/sign_key.h"
#include "semihost.h"
#include "sha256.h"

/* Flash layout (set by the Makefile; `make print-layout`) */
#ifndef SLOT0_ADDR
#define SLOT0_ADDR 0x00010000u
#endif
#ifndef SLOT_SIZE
#define SLOT_SIZE 0x20000u
#endif

#define SRAM_BASE 0x20000000u
#define SRAM_SIZE 0x10000u
#define SCB_VTOR  (*(volatile uint32_t *)0xe000ed08u)

/* MCUboot image format */
#define IMAGE_MAGIC	    0x96f3b83du
#define IMAGE_HEADER_MIN    32u
#define TLV_INFO_MAGIC	    0x6907u
#define TLV_PROT_INFO_MAGIC 0x6908u
#define TLV_INFO_SIZE	    4u
#define TLV_KEYHASH	    0x01u
#define TLV_SHA256	    0x10u
/* header flags this loader cannot start */
#define IMAGE_F_ENCRYPTED_AES128 0x04u
#define IMAGE_F_ENCRYPTED_AES256 0x08u
#define IMAGE_F_NON_BOOTABLE	 0x10u
#define IMAGE_F_RAM_LOAD	 0x20u
#define IMAGE_F_UNSUPPORTED                                                                        \
	(IMAGE_F_ENCRYPTED_AES128 | IMAGE_F_ENCRYPTED_AES256 | IMAGE_F_NON_BOOTABLE |              \
	 IMAGE_F_RAM_LOAD)

static const char banner[] =
	"mcuprov demo loader: checks the image hash and that it names a trusted key; "
	"it does NOT verify the signature math on the target (mcuprov verifies it on "
	"the host before flashing). A demonstration of provisioning, not a secure boot.\n";

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

__attribute__((noreturn)) static void fail(const char *reason)
{
	sh_puts("loader: ");
	sh_puts(reason);
	sh_puts("\n");
	sh_exit(1);
}

/* Equal in constant time (the digests are not secret; it costs nothing). */
static int same32(const uint8_t *a, const uint8_t *b)
{
	uint8_t d = 0;
	unsigned i;

	for (i = 0; i < 32; i++)
		d |= a[i] ^ b[i];
	return d == 0;
}

/* Decimal text of v at the end of buf[11]; returns its start. */
static const char *u32_dec(uint32_t v, char buf[11])
{
	char *p = buf + 10;

	*p = '\0';
	do {
		*--p = (char)('0' + v % 10u);
		v /= 10u;
	} while (v);
	return p;
}

struct tlv_walk {
	const uint8_t *sha256;	/* value of the SHA256 TLV, or NULL */
	const uint8_t *keyhash; /* value of the KEYHASH TLV, or NULL */
};

/*
 * Walk the TLV area at slot + off (info header first) that must have magic
 * and fit in the slot.  Returns the area's total size (header included);
 * records SHA256 and KEYHASH when w is not NULL.  Fails on any
 * inconsistency.
 */
static uint32_t walk_tlvs(const uint8_t *slot, uint32_t off, uint16_t magic, struct tlv_walk *w)
{
	uint32_t tot, p, end;

	if (off > SLOT_SIZE - TLV_INFO_SIZE)
		fail("image outside the slot");
	if (le16(slot + off) != magic)
		fail("bad TLV area");
	tot = le16(slot + off + 2);
	if (tot < TLV_INFO_SIZE)
		fail("bad TLV area");
	if (tot > SLOT_SIZE - off)
		fail("image outside the slot");
	end = off + tot;
	for (p = off + TLV_INFO_SIZE; p < end;) {
		uint16_t type, len;

		if (end - p < 4u)
			fail("bad TLV area");
		type = le16(slot + p);
		len = le16(slot + p + 2);
		if (len > end - p - 4u)
			fail("bad TLV area");
		if (w && (type == TLV_SHA256 || type == TLV_KEYHASH)) {
			const uint8_t **slotp = type == TLV_SHA256 ? &w->sha256 : &w->keyhash;

			/* exactly one of each, 32 bytes long */
			if (len != SHA256_DIGEST_SIZE || *slotp)
				fail("bad TLV area");
			*slotp = slot + p + 4;
		}
		p += 4u + len;
	}
	return tot;
}

/* Set VTOR and MSP from the image's vector table and branch to its reset handler. */
__attribute__((noreturn)) static void start_image(uint32_t vtor, uint32_t sp, uint32_t pc)
{
	SCB_VTOR = vtor;
	__asm__ volatile("dsb\n\tisb\n\tmsr msp, %0\n\tbx %1" : : "r"(sp), "r"(pc) : "memory");
	__builtin_unreachable();
}

int main(void)
{
	const uint8_t *slot = (const uint8_t *)SLOT0_ADDR;
	struct tlv_walk w = {NULL, NULL};
	uint32_t hdr_size, prot_size, img_size, flags, end, vt, sp, pc;
	uint8_t digest[SHA256_DIGEST_SIZE];
	const uint8_t *trusted = NULL;
	char num[11];
	int i;

	sh_puts(banner);

	/* header and bounds */
	if (le32(slot) != IMAGE_MAGIC)
		fail("bad magic");
	hdr_size = le16(slot + 8);
	prot_size = le16(slot + 10);
	img_size = le32(slot + 12);
	flags = le32(slot + 16);
	if (hdr_size < IMAGE_HEADER_MIN)
		fail("bad header size");
	if (hdr_size > SLOT_SIZE || img_size > SLOT_SIZE - hdr_size ||
	    prot_size > SLOT_SIZE - hdr_size - img_size)
		fail("image outside the slot");
	end = hdr_size + img_size;

	/* protected TLV area: its size is in the header, hashed with the image */
	if (prot_size) {
		if (prot_size < TLV_INFO_SIZE ||
		    walk_tlvs(slot, end, TLV_PROT_INFO_MAGIC, NULL) != prot_size)
			fail("bad TLV area");
		end += prot_size;
	}
	/* TLV area: SHA256, KEYHASH and the signature */
	walk_tlvs(slot, end, TLV_INFO_MAGIC, &w);

	/* hash of header + payload + protected TLV area */
	if (!w.sha256)
		fail("no SHA256 TLV");
	sha256(slot, end, digest);
	if (!same32(digest, w.sha256))
		fail("hash mismatch");

	/* the key the image names must be one of ours */
	if (!w.keyhash)
		fail("no KEYHASH TLV");
	for (i = 0; i < bootutil_key_cnt && !trusted; i++) {
		sha256(bootutil_keys[i].key, *bootutil_keys[i].len, digest);
		if (same32(digest, w.keyhash))
			trusted = w.keyhash;
	}
	if (!trusted)
		fail("no trusted key matches the image's KEYHASH");

	if (flags & IMAGE_F_UNSUPPORTED)
		fail("unsupported image flags (encrypted, non-bootable or RAM-load)");

	/* the payload must start with a usable vector table */
	vt = SLOT0_ADDR + hdr_size;
	sp = le32(slot + hdr_size);
	pc = le32(slot + hdr_size + 4);
	if ((vt & 0x7fu) || img_size < 8u || sp < SRAM_BASE + 8u || sp > SRAM_BASE + SRAM_SIZE ||
	    (sp & 3u) || !(pc & 1u) || pc - 1u < vt || pc - 1u >= vt + img_size)
		fail("no valid vector table at the start of the image");

	sh_puts("image version ");
	sh_puts(u32_dec(slot[20], num));
	sh_puts(".");
	sh_puts(u32_dec(slot[21], num));
	sh_puts(".");
	sh_puts(u32_dec(le16(slot + 22), num));
	sh_puts("+");
	sh_puts(u32_dec(le32(slot + 24), num));
	sh_puts("\n");

	{
		static const char hex[] = "0123456789abcdef";
		char line[2 * SHA256_DIGEST_SIZE + 2];
		unsigned j;

		for (j = 0; j < SHA256_DIGEST_SIZE; j++) {
			line[2 * j] = hex[trusted[j] >> 4];
			line[2 * j + 1] = hex[trusted[j] & 15u];
		}
		line[2 * SHA256_DIGEST_SIZE] = '\n';
		line[2 * SHA256_DIGEST_SIZE + 1] = '\0';
		sh_puts("key SHA-256 ");
		sh_puts(line);
	}

	start_image(vt, sp, pc);
}
