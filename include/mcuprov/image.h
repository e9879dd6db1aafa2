/* mcuprov core: MCUboot image format, signing, verification and parsing.
 *
 * Layout (MCUboot docs/design.md, imgtool image.py):
 *   header (32 bytes, padded to hdr_size) | payload (img_size bytes) |
 *   [protected TLV area: info 0x6908 + TLVs] | TLV area: info 0x6907 + TLVs |
 *   [padding up to the slot's trailer | trailer ... boot magic]
 * The image hash covers header + payload + protected TLV area.
 *
 * Signing streams the input through the hash and the signer in fixed-size
 * chunks and writes the output through a temporary file (constant memory),
 * except Ed25519 --pure, whose signature needs the whole message. */
#ifndef MCUPROV_IMAGE_H
#define MCUPROV_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mcuprov/error.h"
#include "mcuprov/key.h"

#define IMAGE_MAGIC 0x96f3b83dU
#define IMAGE_HEADER_SIZE 32
#define IMAGE_TLV_INFO_MAGIC 0x6907
#define IMAGE_TLV_PROT_INFO_MAGIC 0x6908
#define IMAGE_TLV_INFO_SIZE 4
#define IMAGE_TLV_SIZE 4
#define IMAGE_BOOT_MAGIC_SIZE 16
#define IMAGE_DEFAULT_MAX_SECTORS 128
#define IMAGE_DEFAULT_MAX_ALIGN 8
#define IMAGE_MAX_DIGEST 64

/* Header flags */
#define IMAGE_F_PIC 0x00000001U
#define IMAGE_F_ENCRYPTED_AES128 0x00000004U
#define IMAGE_F_ENCRYPTED_AES256 0x00000008U
#define IMAGE_F_NON_BOOTABLE 0x00000010U
#define IMAGE_F_RAM_LOAD 0x00000020U
#define IMAGE_F_ROM_FIXED 0x00000100U
#define IMAGE_F_COMPRESSED_LZMA1 0x00000200U
#define IMAGE_F_COMPRESSED_LZMA2 0x00000400U
#define IMAGE_F_COMPRESSED_ARM_THUMB 0x00000800U

/* TLV types */
enum image_tlv {
	TLV_KEYHASH = 0x01,
	TLV_PUBKEY = 0x02,
	TLV_KEYID = 0x03,
	TLV_SHA256 = 0x10,
	TLV_SHA384 = 0x11,
	TLV_SHA512 = 0x12,
	TLV_RSA2048 = 0x20,
	TLV_ECDSASIG = 0x22,
	TLV_RSA3072 = 0x23,
	TLV_ED25519 = 0x24,
	TLV_SIG_PURE = 0x25,
	TLV_ENCRSA2048 = 0x30,
	TLV_ENCKW = 0x31,
	TLV_ENCEC256 = 0x32,
	TLV_ENCX25519 = 0x33,
	TLV_ENCX25519_SHA512 = 0x34,
	TLV_DEPENDENCY = 0x40,
	TLV_SEC_CNT = 0x50,
	TLV_BOOT_RECORD = 0x60,
	TLV_DECOMP_SIZE = 0x70,
	TLV_DECOMP_SHA = 0x71,
	TLV_DECOMP_SIGNATURE = 0x72,
	TLV_COMP_DEC_SIZE = 0x73,
	TLV_UUID_VID = 0x74,
	TLV_UUID_CID = 0x75,
};
/* Custom (vendor) TLV tags accepted by --custom-tlv. */
#define TLV_VENDOR_MIN 0x00a0
#define TLV_VENDOR_MAX 0xfffe

/* imgtool's name of a TLV type ("SHA256", "ECDSASIG", ...), or NULL. */
const char *image_tlv_name(unsigned type);

/* Header flag names in imgtool's order; NULL-terminated array of
 * {name, bit}. */
struct image_flag_name {
	const char *name;
	uint32_t bit;
};
extern const struct image_flag_name image_flag_names[];

struct image_version {
	uint8_t major;
	uint8_t minor;
	uint16_t revision;
	uint32_t build;
};

/* Parse "MAJ[.MIN[.REV[+BUILD]]]" as imgtool does (no leading zeros; the
 * build only after a revision); fields must fit their widths (8, 8, 16, 32
 * bits).  Returns 0 or MCUPROV_ERR_USAGE. */
int image_version_parse(const char *s, struct image_version *v, struct mcuprov_err *err);

/* Parse S as imgtool parses a number (Python's int(s, 0)): decimal, 0x
 * hex, 0o octal or 0b binary, '_' separators allowed, at most 0xffffffff.
 * Returns 0 with *out set, or -1 (nothing set). */
int image_number_parse(const char *s, uint32_t *out);

struct image_enc_opts;

/* --compression (image-compress.c): LZMA2, optionally behind the ARM Thumb
 * BCJ filter, as imgtool 2.4 writes it */
enum image_compression { IMAGE_COMP_NONE = 0, IMAGE_COMP_LZMA2, IMAGE_COMP_LZMA2_ARMTHUMB };

/* ---- signing ------------------------------------------------------------ */

enum image_sha { IMAGE_SHA_AUTO = 0, IMAGE_SHA_256 = 256, IMAGE_SHA_384 = 384, IMAGE_SHA_512 = 512 };
enum image_vector { IMAGE_VECTOR_NONE = 0, IMAGE_VECTOR_PAYLOAD, IMAGE_VECTOR_DIGEST };

struct image_dep {
	uint8_t image_id;
	struct image_version version;
};

struct image_custom_tlv {
	uint16_t tag;
	uint8_t *value; /* owned by the caller */
	size_t len;
};

struct image_sign_opts {
	const char *infile;  /* raw binary, or Intel HEX when it ends in .hex */
	const char *outfile; /* likewise; written atomically */
	struct image_version version;
	uint32_t header_size;
	bool pad_header;
	uint32_t slot_size; /* 0: no slot (no trailer check, no padding) */
	bool pad;           /* pad to slot_size and write the trailer magic */
	bool confirm;       /* image_ok = 1 (implies pad) */
	unsigned align;     /* flash write size: 1, 2, 4, 8, 16, 32 */
	unsigned max_align; /* 8, 16, 32; 0: max(8, align) */
	unsigned max_sectors; /* 0: 128 */
	bool overwrite_only;
	uint8_t erased_val; /* 0xff or 0 */
	bool has_security_counter;
	bool security_counter_auto;
	uint32_t security_counter;
	struct image_dep *deps;
	size_t n_deps;
	bool public_key_full; /* PUBKEY TLV instead of KEYHASH */
	bool has_rom_fixed;
	uint32_t rom_fixed;
	bool has_load_addr;
	uint32_t load_addr;
	bool non_bootable;
	/* imgtool's measured-boot and identity options (image-ext.c) */
	const char *boot_record; /* --boot-record SW_TYPE (CBOR TLV), or NULL */
	const char *vid;         /* --vid: a raw UUID or a domain name (UUIDv5) */
	const char *cid;         /* --cid: a raw UUID or a class name (UUIDv5 in vid's) */
	bool pad_sig;            /* --pad-sig: ECDSA signature zero-padded (MCUboot < 1.5) */
	bool big_endian;         /* -e big: header and TLV fields big-endian */
	struct image_custom_tlv *custom;
	size_t n_custom;
	enum image_sha sha;
	bool pure;            /* Ed25519 over the whole payload */
	bool has_hex_addr;
	uint32_t hex_addr;    /* base address for Intel HEX output */
	enum image_vector vector_to_sign; /* write only what an HSM must sign */
	const uint8_t *fix_sig;           /* signature made elsewhere */
	size_t fix_sig_len;
	const struct mcuprov_key *fix_sig_pubkey; /* its public key */
	const struct mcuprov_key *key;            /* signing key, or NULL */
	/* --signer: a program that signs (a KMS or HSM client), argv run
	 * without a shell through runner_run(), with the environment's
	 * passwords withheld as for every tool.  Its stdin gets what
	 * --vector-to-sign would write for KEY's signature: the digest
	 * (RSA-PSS, ECDSA and Ed25519 sign the image hash), the payload with
	 * --pure; its stdout is the signature as the TLV holds it (RSA-PSS:
	 * raw, ECDSA: DER, Ed25519: 64 bytes).  KEY may be the public key:
	 * the signature must verify with it before anything is written.
	 * NULL-terminated, or NULL */
	const char *const *signer_argv;
	/* the signer's stderr, line by line, or NULL (dropped) */
	void (*signer_on_line)(void *arg, const char *line);
	void *signer_arg;
	const struct image_enc_opts *enc; /* -E: encrypt (mcuprov/imgenc.h), or NULL */
	enum image_compression compression; /* compress the payload when it helps */
};

/* What image_sign() produced. */
struct image_sign_result {
	uint8_t digest[IMAGE_MAX_DIGEST]; /* the image hash */
	size_t digest_len;
	uint8_t sig[1024];                /* the signature value, if signed */
	size_t sig_len;
	uint64_t out_size;                /* bytes written to outfile */
	bool compressed;                  /* --compression: it helped, the image is */
	uint64_t decomp_size, comp_size;  /* payload sizes before and after */
};

/* Initialise OPTS with imgtool's defaults (align 1, erased 0xff, ...). */
void image_sign_opts_init(struct image_sign_opts *opts);

/* Build a signed (or hash-only) MCUboot image from opts->infile into
 * opts->outfile, byte-compatible with imgtool sign.  Validates every option
 * combination first (MCUPROV_ERR_USAGE with the reason); the input must
 * start with header_size zero bytes unless pad_header.  The output replaces
 * an existing file atomically; on failure nothing is written.
 * Returns 0, MCUPROV_ERR_USAGE, MCUPROV_ERR_IO, MCUPROV_ERR_FORMAT,
 * MCUPROV_ERR_CRYPTO. */
int image_sign(const struct image_sign_opts *opts, struct image_sign_result *res,
	       struct mcuprov_err *err);

/* ---- parsing and verification -------------------------------------------- */

struct image_header {
	uint32_t magic;
	uint32_t load_addr;
	uint16_t hdr_size;
	uint16_t protected_tlv_size;
	uint32_t img_size;
	uint32_t flags;
	struct image_version version;
};

struct image_tlv_entry {
	uint16_t type;
	uint16_t len;
	uint64_t offset;  /* of the value in the file */
	uint8_t *value;   /* copy, owned by the image_info */
};

struct image_tlv_area {
	bool present;
	uint16_t magic;
	uint16_t tlv_tot;
	uint64_t offset; /* of the info header */
	struct image_tlv_entry *tlvs;
	size_t n_tlvs;
};

struct image_trailer {
	bool present;      /* the file extends past the TLV area */
	bool magic_valid;  /* the last 16 bytes are a boot magic */
	bool fields_valid; /* image_ok ... swap_size could be located */
	uint8_t magic[IMAGE_BOOT_MAGIC_SIZE];
	unsigned max_align; /* from the magic: 8 for the standard one */
	uint8_t image_ok;
	uint8_t copy_done;
	uint8_t swap_info;
	uint32_t swap_size;
};

struct image_info {
	uint64_t file_size;
	bool big_endian; /* imgtool -e big: header and TLV fields big-endian */
	struct image_header hdr;
	struct image_tlv_area prot;  /* protected TLVs (may be absent) */
	struct image_tlv_area tlvs;  /* unprotected TLVs */
	struct image_trailer trailer;
};

/* Parse the image file PATH (untrusted): header, both TLV areas (every
 * offset and length bounds- and overflow-checked against the file size) and,
 * when the file extends past the TLVs, the trailer.  Reads only the header,
 * the TLV areas and the last bytes: work is bounded by the file size.
 * On success *out is a new record to release with image_info_free().
 * Returns 0 or MCUPROV_ERR_IO / MCUPROV_ERR_FORMAT with the precise reason
 * (bad magic, truncated header, truncated TLV area, ...). */
int image_parse(const char *path, struct image_info **out, struct mcuprov_err *err);

/* Parse an in-memory image (same checks; for the fuzzer and tests). */
int image_parse_mem(const uint8_t *buf, size_t len, const char *subject, struct image_info **out,
		    struct mcuprov_err *err);

void image_info_free(struct image_info *info);

/* Verification outcome details for the front end. */
struct image_verify_result {
	struct image_version version;
	uint8_t digest[IMAGE_MAX_DIGEST];
	size_t digest_len;
	unsigned hash_tlv;      /* TLV_SHA256/384/512 */
	int key_index;          /* which of KEYS verified the signature, -1: none */
	bool signed_image;      /* carries a signature TLV */
};

/* Verify the image at PATH: magic, bounds, no must-be-protected TLV
 * (SEC_CNT, DEPENDENCY, BOOT_RECORD, DECOMP_*) in the unprotected area
 * (CVE-2024-32883), the hash over header + payload + protected TLVs, and,
 * when N_KEYS > 0, that one of KEYS is named by a KEYHASH/PUBKEY TLV and its
 * signature TLV verifies.  Streams the file (constant memory except --pure).
 * Returns 0 for a valid image; MCUPROV_ERR_FORMAT (malformed),
 * MCUPROV_ERR_REFUSED (hash mismatch, no matching key, bad signature,
 * unprotected TLV that must be protected) with distinct messages. */
int image_verify(const char *path, const struct mcuprov_key *const *keys, size_t n_keys,
		 struct image_verify_result *res, struct mcuprov_err *err);

/* ---- dumpinfo -------------------------------------------------------------- */

enum imginfo_format { IMGINFO_HUMAN, IMGINFO_YAML, IMGINFO_JSON };

/* Render INFO as imgtool dumpinfo does (human text, YAML via libyaml, JSON
 * via json-c).  NAME is the file name shown (basename of the image).
 * *out is malloc'd, NUL-terminated; caller frees.  Returns 0,
 * MCUPROV_ERR_NOMEM or MCUPROV_ERR_INTERNAL. */
int imginfo_format(const struct image_info *info, const char *name, enum imginfo_format fmt,
		   char **out, size_t *len, struct mcuprov_err *err);

#endif
