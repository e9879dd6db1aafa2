/* MCUboot images: format tables, parsing and verification. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "image-compress.h"
#include "image-ext.h"
#include "image-internal.h"
#include "key-internal.h"
#include "mcuprov/fileio.h"
#include "mcuprov/ihex.h"
#include "mcuprov/image.h"
#include "mcuprov/imgenc.h"

static const struct {
	unsigned type;
	const char *name;
} tlv_names[] = {
	{ TLV_KEYHASH, "KEYHASH" },
	{ TLV_PUBKEY, "PUBKEY" },
	{ TLV_KEYID, "KEYID" },
	{ TLV_SHA256, "SHA256" },
	{ TLV_SHA384, "SHA384" },
	{ TLV_SHA512, "SHA512" },
	{ TLV_RSA2048, "RSA2048" },
	{ TLV_ECDSASIG, "ECDSASIG" },
	{ TLV_RSA3072, "RSA3072" },
	{ TLV_ED25519, "ED25519" },
	{ TLV_SIG_PURE, "SIG_PURE" },
	{ TLV_ENCRSA2048, "ENCRSA2048" },
	{ TLV_ENCKW, "ENCKW" },
	{ TLV_ENCEC256, "ENCEC256" },
	{ TLV_ENCX25519, "ENCX25519" },
	{ TLV_ENCX25519_SHA512, "ENCX25519_SHA512" },
	{ TLV_DEPENDENCY, "DEPENDENCY" },
	{ TLV_SEC_CNT, "SEC_CNT" },
	{ TLV_BOOT_RECORD, "BOOT_RECORD" },
	{ TLV_DECOMP_SIZE, "DECOMP_SIZE" },
	{ TLV_DECOMP_SHA, "DECOMP_SHA" },
	{ TLV_DECOMP_SIGNATURE, "DECOMP_SIGNATURE" },
	{ TLV_COMP_DEC_SIZE, "COMP_DEC_SIZE" },
	{ TLV_UUID_VID, "UUID_VID" },
	{ TLV_UUID_CID, "UUID_CID" },
};

const char *image_tlv_name(unsigned type)
{
	size_t i;

	for (i = 0; i < sizeof(tlv_names) / sizeof(tlv_names[0]); i++)
		if (tlv_names[i].type == type)
			return tlv_names[i].name;
	return NULL;
}

const struct image_flag_name image_flag_names[] = {
	{ "PIC", IMAGE_F_PIC },
	{ "ENCRYPTED_AES128", IMAGE_F_ENCRYPTED_AES128 },
	{ "ENCRYPTED_AES256", IMAGE_F_ENCRYPTED_AES256 },
	{ "NON_BOOTABLE", IMAGE_F_NON_BOOTABLE },
	{ "RAM_LOAD", IMAGE_F_RAM_LOAD },
	{ "ROM_FIXED", IMAGE_F_ROM_FIXED },
	{ "COMPRESSED_LZMA1", IMAGE_F_COMPRESSED_LZMA1 },
	{ "COMPRESSED_LZMA2", IMAGE_F_COMPRESSED_LZMA2 },
	{ "COMPRESSED_ARM_THUMB", IMAGE_F_COMPRESSED_ARM_THUMB },
	{ NULL, 0 },
};

const uint8_t image_boot_magic[IMAGE_BOOT_MAGIC_SIZE] = {
	0x77, 0xc2, 0x95, 0xf3, 0x60, 0xd2, 0xef, 0x7f,
	0x35, 0x52, 0x50, 0x0f, 0x2c, 0xb6, 0x79, 0x80,
};
/* Magic for max_align != 8: LE16 max_align followed by these 14 bytes. */
const uint8_t image_boot_magic2[IMAGE_BOOT_MAGIC_SIZE - 2] = {
	0x2d, 0xe1, 0x5d, 0x29, 0x41, 0x0b, 0x8d, 0x77, 0x67, 0x9c, 0x11, 0x0f, 0x1f, 0x8a,
};

/* ---- versions ------------------------------------------------------------- */

/* Parse decimal digits at *p into a value of at most MAX; as imgtool's
 * pattern ([1-9]\d*|0), no leading zeros. */
static int parse_num(const char **p, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	const char *s = *p;

	if (*s < '0' || *s > '9' || (s[0] == '0' && s[1] >= '0' && s[1] <= '9'))
		return -1;
	while (*s >= '0' && *s <= '9') {
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > max)
			return -1;
		s++;
	}
	*p = s;
	*out = v;
	return 0;
}

int image_number_parse(const char *s, uint32_t *out)
{
	unsigned long long v = 0;
	int base = 10;
	const char *p = s;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		base = 16, p += 2;
	else if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O'))
		base = 8, p += 2;
	else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B'))
		base = 2, p += 2;
	if (*p == '\0')
		return -1;
	for (; *p; p++) {
		int d;

		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (*p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else if (*p == '_')
			continue;
		else
			return -1;
		if (d >= base)
			return -1;
		v = v * (unsigned)base + (unsigned)d;
		if (v > 0xffffffffULL)
			return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

int image_version_parse(const char *s, struct image_version *v, struct mcuprov_err *err)
{
	const char *p = s;
	uint64_t maj = 0, min = 0, rev = 0, build = 0;

	/* imgtool: MAJOR[.MINOR[.REVISION[+BUILD]]] */
	if (parse_num(&p, 0xff, &maj) < 0)
		goto bad;
	if (*p == '.') {
		p++;
		if (parse_num(&p, 0xff, &min) < 0)
			goto bad;
		if (*p == '.') {
			p++;
			if (parse_num(&p, 0xffff, &rev) < 0)
				goto bad;
			if (*p == '+') {
				p++;
				if (parse_num(&p, 0xffffffffu, &build) < 0)
					goto bad;
			}
		}
	}
	if (*p != '\0')
		goto bad;
	v->major = (uint8_t)maj;
	v->minor = (uint8_t)min;
	v->revision = (uint16_t)rev;
	v->build = (uint32_t)build;
	return 0;
bad:
	return err_set(err, MCUPROV_ERR_USAGE, NULL,
		       "invalid version '%s' (MAJOR.MINOR.REVISION+BUILD, at most "
		       "255.255.65535+4294967295)",
		       s);
}

/* ---- parsing ---------------------------------------------------------------- */

/* Where image bytes come from: a file descriptor or memory. */
struct src {
	int fd;
	const uint8_t *mem;
	uint64_t size;
	bool be; /* big-endian fields (imgtool -e big), found from the magic */
};

static int src_read(const struct src *s, uint64_t off, void *buf, size_t len)
{
	if (off > s->size || len > s->size - off)
		return -1;
	if (s->mem != NULL) {
		memcpy(buf, s->mem + off, len);
		return 0;
	}
	return file_pread_all(s->fd, buf, len, off);
}

void image_info_free(struct image_info *info)
{
	size_t i;

	if (info == NULL)
		return;
	for (i = 0; i < info->prot.n_tlvs; i++)
		free(info->prot.tlvs[i].value);
	for (i = 0; i < info->tlvs.n_tlvs; i++)
		free(info->tlvs.tlvs[i].value);
	free(info->prot.tlvs);
	free(info->tlvs.tlvs);
	free(info);
}

/* The one length MCUboot accepts for a TLV of TYPE, or 0 when it varies
 * (or the type is not known). */
static unsigned tlv_fixed_len(unsigned type)
{
	switch (type) {
	case TLV_SHA256: return 32;
	case TLV_SHA384: return 48;
	case TLV_SHA512: return 64;
	case TLV_RSA2048: return 256;
	case TLV_RSA3072: return 384;
	case TLV_ED25519: return 64;
	case TLV_ENCRSA2048: return 256;
	case TLV_DEPENDENCY: return 12;
	case TLV_SEC_CNT: return 4;
	default: return 0;
	}
}

/* "bad TLV area: TLV 0x10 (SHA256) at 0x5ec has length 16, expected 32"
 * for E of area WHAT, when its type has one length and E has another. */
static int tlv_len_error(const struct image_tlv_entry *e, const char *what, const char *subject,
			 struct mcuprov_err *err)
{
	unsigned want = tlv_fixed_len(e->type);

	if (want == 0 || e->len == want)
		return 0;
	return err_set(err, MCUPROV_ERR_FORMAT, subject,
		       "bad %s: TLV 0x%02x (%s) at 0x%llx has length %u, expected %u", what,
		       e->type, image_tlv_name(e->type),
		       (unsigned long long)(e->offset - IMAGE_TLV_SIZE), e->len, want);
}

/* A TLV of A that is too short or too long throws the walk through the
 * area off: the garbage it lands on is not the error, the length is.  The
 * first such TLV's error, or 0. */
static int area_len_error(const struct image_tlv_area *a, const char *what, const char *subject,
			  struct mcuprov_err *err)
{
	size_t i;
	int rc;

	for (i = 0; i < a->n_tlvs; i++)
		if ((rc = tlv_len_error(&a->tlvs[i], what, subject, err)) < 0)
			return rc;
	return 0;
}

/* The parser reads every field in the image's byte order (S->be). */
#define rd16(p) image_get16((p), s->be)
#define rd32(p) image_get32((p), s->be)

/* A TLV's type: imgtool -e big packs a predefined one as 'BBH' (type, 0). */
static uint16_t tlv_type(const struct src *s, const uint8_t *th)
{
	if (s->be && th[1] == 0 && image_tlv_name(th[0]) != NULL)
		return th[0];
	return rd16(th);
}

/* Parse the TLV area whose info header is at OFF and must carry MAGIC.
 * WHAT names it in errors ("protected TLV area", "TLV area"). */
static int parse_area(const struct src *s, uint64_t off, uint16_t magic, const char *what,
		      const char *subject, struct image_tlv_area *a, struct mcuprov_err *err)
{
	uint8_t hdr[IMAGE_TLV_INFO_SIZE];
	uint64_t end, p;
	size_t cap = 0;
	int rc;

	a->offset = off;
	if (src_read(s, off, hdr, sizeof(hdr)) < 0)
		return err_set(err, MCUPROV_ERR_FORMAT, subject,
			       "truncated image: %s info header at 0x%llx is past the end (file "
			       "size 0x%llx)",
			       what, (unsigned long long)off, (unsigned long long)s->size);
	a->magic = rd16(hdr);
	a->tlv_tot = rd16(hdr + 2);
	if (a->magic != magic)
		return err_set(err, MCUPROV_ERR_FORMAT, subject,
			       "bad %s magic 0x%04x at 0x%llx (expected 0x%04x)", what, a->magic,
			       (unsigned long long)off, magic);
	if (a->tlv_tot < IMAGE_TLV_INFO_SIZE)
		return err_set(err, MCUPROV_ERR_FORMAT, subject,
			       "bad %s: size 0x%x is smaller than its own header", what, a->tlv_tot);
	end = off + a->tlv_tot;
	if (end > s->size)
		return err_set(err, MCUPROV_ERR_FORMAT, subject,
			       "truncated image: %s ends at 0x%llx, file size is 0x%llx", what,
			       (unsigned long long)end, (unsigned long long)s->size);
	a->present = true;
	p = off + IMAGE_TLV_INFO_SIZE;
	while (p < end) {
		struct image_tlv_entry *e;
		uint8_t th[IMAGE_TLV_SIZE];

		if (end - p < IMAGE_TLV_SIZE)
			return (rc = area_len_error(a, what, subject, err)) < 0
				       ? rc
				       : err_set(err, MCUPROV_ERR_FORMAT, subject,
						 "truncated %s: TLV header at 0x%llx runs past its "
						 "end",
						 what, (unsigned long long)p);
		if (src_read(s, p, th, sizeof(th)) < 0)
			return err_set(err, MCUPROV_ERR_IO, subject, "read error");
		if (rd16(th + 2) > end - p - IMAGE_TLV_SIZE)
			return (rc = area_len_error(a, what, subject, err)) < 0
				       ? rc
				       : err_set(err, MCUPROV_ERR_FORMAT, subject,
						 "truncated %s: TLV 0x%02x at 0x%llx (length 0x%x) "
						 "runs past its end",
						 what, tlv_type(s, th), (unsigned long long)p,
						 rd16(th + 2));
		if (a->n_tlvs == cap) {
			/* at most 0xffff / 4 entries: tlv_tot is 16 bits */
			size_t ncap = cap ? cap * 2 : 8;
			struct image_tlv_entry *n = realloc(a->tlvs, ncap * sizeof(*n));

			if (n == NULL)
				return err_set(err, MCUPROV_ERR_NOMEM, subject, "out of memory");
			a->tlvs = n;
			cap = ncap;
		}
		e = &a->tlvs[a->n_tlvs];
		e->type = tlv_type(s, th);
		e->len = rd16(th + 2);
		e->offset = p + IMAGE_TLV_SIZE;
		e->value = malloc(e->len ? e->len : 1);
		if (e->value == NULL)
			return err_set(err, MCUPROV_ERR_NOMEM, subject, "out of memory");
		a->n_tlvs++;
		if (src_read(s, e->offset, e->value, e->len) < 0)
			return err_set(err, MCUPROV_ERR_IO, subject, "read error");
		p = e->offset + e->len;
	}
	return 0;
}

/* The trailer, read as imgtool dumpinfo reads it: from the end of the
 * file, wherever that lands (even inside the TLV area of a file padded by
 * only a few bytes), as long as it is inside the file. */
static void parse_trailer(const struct src *s, uint64_t tlv_end, struct image_trailer *t)
{
	uint64_t off, need;
	uint8_t b[4];
	unsigned ma;

	t->present = s->size > tlv_end;
	if (!t->present || s->size < IMAGE_BOOT_MAGIC_SIZE)
		return;
	if (src_read(s, s->size - IMAGE_BOOT_MAGIC_SIZE, t->magic, IMAGE_BOOT_MAGIC_SIZE) < 0)
		return;
	if (memcmp(t->magic, image_boot_magic, IMAGE_BOOT_MAGIC_SIZE) == 0)
		ma = IMAGE_DEFAULT_MAX_ALIGN;
	else if (memcmp(t->magic + 2, image_boot_magic2, sizeof(image_boot_magic2)) == 0)
		ma = rd16(t->magic);
	else
		return;
	t->magic_valid = true;
	t->max_align = ma;
	/* image_ok, copy_done, swap_info, swap_size: one max_align slot each
	 * below the (max_align-aligned) magic; 64-bit sums cannot overflow */
	need = IMAGE_BOOT_MAGIC_SIZE + (ma > IMAGE_BOOT_MAGIC_SIZE ? ma - IMAGE_BOOT_MAGIC_SIZE : 0) +
	       4ULL * ma;
	if (need > s->size)
		return;
	off = s->size - need;
	if (src_read(s, off, b, 4) < 0)
		return;
	t->swap_size = rd32(b);
	off += ma;
	if (src_read(s, off, &t->swap_info, 1) < 0)
		return;
	off += ma;
	if (src_read(s, off, &t->copy_done, 1) < 0)
		return;
	off += ma;
	if (src_read(s, off, &t->image_ok, 1) < 0)
		return;
	t->fields_valid = true;
}

static int parse_src(struct src *s, const char *subject, struct image_info **out,
		     struct mcuprov_err *err)
{
	struct image_info *info;
	uint8_t h[IMAGE_HEADER_SIZE];
	uint64_t tlv_off, tlv_end;
	int rc;

	*out = NULL;
	if (s->size < IMAGE_HEADER_SIZE)
		return err_set(err, MCUPROV_ERR_FORMAT, subject,
			       "truncated image: %llu bytes, the header alone is 32",
			       (unsigned long long)s->size);
	if (src_read(s, 0, h, sizeof(h)) < 0)
		return err_set(err, MCUPROV_ERR_IO, subject, "read error: %s", strerror(errno));
	info = calloc(1, sizeof(*info));
	if (info == NULL)
		return err_set(err, MCUPROV_ERR_NOMEM, subject, "out of memory");
	info->file_size = s->size;
	s->be = image_get32(h, true) == IMAGE_MAGIC;
	info->big_endian = s->be;
	info->hdr.magic = rd32(h);
	info->hdr.load_addr = rd32(h + 4);
	info->hdr.hdr_size = rd16(h + 8);
	info->hdr.protected_tlv_size = rd16(h + 10);
	info->hdr.img_size = rd32(h + 12);
	info->hdr.flags = rd32(h + 16);
	info->hdr.version.major = h[20];
	info->hdr.version.minor = h[21];
	info->hdr.version.revision = rd16(h + 22);
	info->hdr.version.build = rd32(h + 24);
	if (info->hdr.magic != IMAGE_MAGIC) {
		rc = err_set(err, MCUPROV_ERR_FORMAT, subject,
			     "bad image magic 0x%08x (not an MCUboot image)", info->hdr.magic);
		goto out;
	}
	if (info->hdr.hdr_size < IMAGE_HEADER_SIZE) {
		rc = err_set(err, MCUPROV_ERR_FORMAT, subject,
			     "bad header: hdr_size 0x%x is smaller than the 32-byte header",
			     info->hdr.hdr_size);
		goto out;
	}
	tlv_off = (uint64_t)info->hdr.hdr_size + info->hdr.img_size; /* no overflow in 64 bits */
	if (tlv_off > s->size) {
		rc = err_set(err, MCUPROV_ERR_FORMAT, subject,
			     "truncated image: header and payload need 0x%llx bytes, file size is "
			     "0x%llx",
			     (unsigned long long)tlv_off, (unsigned long long)s->size);
		goto out;
	}
	if (info->hdr.protected_tlv_size != 0) {
		rc = parse_area(s, tlv_off, IMAGE_TLV_PROT_INFO_MAGIC, "protected TLV area", subject,
				&info->prot, err);
		if (rc < 0)
			goto out;
		if (info->prot.tlv_tot != info->hdr.protected_tlv_size) {
			rc = err_set(err, MCUPROV_ERR_FORMAT, subject,
				     "bad protected TLV area: size 0x%x, the header says 0x%x",
				     info->prot.tlv_tot, info->hdr.protected_tlv_size);
			goto out;
		}
		tlv_off += info->prot.tlv_tot;
	}
	rc = parse_area(s, tlv_off, IMAGE_TLV_INFO_MAGIC, "TLV area", subject, &info->tlvs, err);
	if (rc < 0)
		goto out;
	tlv_end = tlv_off + info->tlvs.tlv_tot;
	parse_trailer(s, tlv_end, &info->trailer);
	*out = info;
	info = NULL;
	rc = 0;
out:
	image_info_free(info);
	return rc;
}

#undef rd16
#undef rd32

int image_parse_mem(const uint8_t *buf, size_t len, const char *subject, struct image_info **out,
		    struct mcuprov_err *err)
{
	struct src s = { -1, buf, len, false };

	return parse_src(&s, subject, out, err);
}

bool image_path_is_hex(const char *path)
{
	size_t n = strlen(path);

	return n >= 4 && strcasecmp(path + n - 4, ".hex") == 0;
}

int image_open_input(const char *path, uint8_t fill, uint64_t *size, uint32_t *base,
		     struct mcuprov_err *err)
{
	struct stat st;
	FILE *tmp;
	int fd, rc;

	*base = 0;
	if (image_path_is_hex(path)) {
		/* Intel HEX: converted into an anonymous temporary file that
		 * lives as long as the returned descriptor */
		tmp = tmpfile();
		if (tmp == NULL)
			return err_set(err, MCUPROV_ERR_IO, path, "cannot create temporary file: %s",
				       strerror(errno));
		rc = ihex_to_bin(path, fill, fileno(tmp), IMAGE_IHEX_MAX_SPAN, base, size, err);
		fd = rc < 0 ? rc : dup(fileno(tmp));
		if (rc >= 0 && fd == -1)
			fd = err_set(err, MCUPROV_ERR_IO, path, "dup: %s", strerror(errno));
		fclose(tmp);
		return fd;
	}
	fd = file_open_regular(path, &st, err);
	if (fd >= 0)
		*size = (uint64_t)st.st_size;
	return fd;
}

int image_parse(const char *path, struct image_info **out, struct mcuprov_err *err)
{
	struct src s = { -1, NULL, 0, false };
	int rc;

	uint32_t base;

	s.fd = image_open_input(path, 0xff, &s.size, &base, err);
	if (s.fd < 0)
		return s.fd;
	rc = parse_src(&s, path, out, err);
	close(s.fd);
	return rc;
}

/* ---- streaming ---------------------------------------------------------------- */

int image_stream(int fd, uint64_t off, uint64_t n, image_stream_cb cb, void *arg,
		 const char *subject, struct mcuprov_err *err)
{
	long pg = sysconf(_SC_PAGESIZE);
	uint64_t page = pg > 0 ? (uint64_t)pg : 4096, end = off + n;
	uint8_t *buf = NULL;
	struct stat st;

	while (off < end) {
		uint64_t base = off & ~(page - 1), k = end - off;
		size_t maplen;
		void *map;

		if (k > IMAGE_WINDOW)
			k = IMAGE_WINDOW;
		if (fstat(fd, &st) < 0 || (uint64_t)st.st_size < off + k) {
			free(buf);
			return err_set(err, MCUPROV_ERR_IO, subject, "file shrank while being read");
		}
		maplen = (size_t)(off + k - base);
		map = buf == NULL ? mmap(NULL, maplen, PROT_READ, MAP_PRIVATE, fd, (off_t)base)
				  : MAP_FAILED;
		if (map != MAP_FAILED) {
			(void)madvise(map, maplen, MADV_SEQUENTIAL);
			cb(arg, (const uint8_t *)map + (off - base), (size_t)k);
			munmap(map, maplen);
		} else {
			/* not mappable (or mapping failed before): read instead */
			if (k > IMAGE_CHUNK)
				k = IMAGE_CHUNK;
			if (buf == NULL && (buf = malloc(IMAGE_CHUNK)) == NULL)
				return err_set(err, MCUPROV_ERR_NOMEM, subject, "out of memory");
			if (file_pread_all(fd, buf, (size_t)k, off) < 0) {
				int e = errno;

				free(buf);
				return err_set(err, MCUPROV_ERR_IO, subject, "read error: %s",
					       e ? strerror(e) : "file shrank while being read");
			}
			cb(arg, buf, (size_t)k);
		}
		off += k;
	}
	free(buf);
	return 0;
}

/* ---- verification ----------------------------------------------------------- */

/* TLVs MCUboot honours only from the protected area (CVE-2024-32883). */
static bool must_be_protected(unsigned type)
{
	switch (type) {
	case TLV_DEPENDENCY:
	case TLV_SEC_CNT:
	case TLV_BOOT_RECORD:
	case TLV_DECOMP_SIZE:
	case TLV_DECOMP_SHA:
	case TLV_DECOMP_SIGNATURE:
	case TLV_COMP_DEC_SIZE:
		return true;
	default:
		return false;
	}
}

const EVP_MD *image_hash_md(unsigned hash_tlv)
{
	switch (hash_tlv) {
	case TLV_SHA256: return EVP_sha256();
	case TLV_SHA384: return EVP_sha384();
	case TLV_SHA512: return EVP_sha512();
	default: return NULL;
	}
}

unsigned image_sig_tlv(enum key_type type)
{
	switch (type) {
	case KEY_RSA2048: return TLV_RSA2048;
	case KEY_RSA3072: return TLV_RSA3072;
	case KEY_ECDSA_P256:
	case KEY_ECDSA_P384: return TLV_ECDSASIG;
	case KEY_ED25519: return TLV_ED25519;
	default: return 0;
	}
}

bool image_key_allows_hash(enum key_type type, unsigned hash_tlv, bool pure)
{
	switch (type) {
	case KEY_RSA2048:
	case KEY_RSA3072:
	case KEY_ECDSA_P256: return hash_tlv == TLV_SHA256;
	case KEY_ECDSA_P384: return hash_tlv == TLV_SHA384;
	case KEY_ED25519:
		return pure ? hash_tlv == TLV_SHA512 : hash_tlv == TLV_SHA256 || hash_tlv == TLV_SHA512;
	default: return false;
	}
}

int image_sig_op(const struct mcuprov_key *key, bool verify, const EVP_MD *md, const uint8_t *msg,
		 size_t msglen, uint8_t *sig, size_t *siglen, struct mcuprov_err *err)
{
	EVP_PKEY_CTX *pctx = NULL;
	EVP_MD_CTX *ed = NULL;
	bool rsa = key->type == KEY_RSA2048 || key->type == KEY_RSA3072;
	int ok = 0;

	if (!verify) /* in memory or in a token: the key module's business */
		return key_sign(key, md, msg, msglen, sig, siglen, err);
	(void)err; /* the caller says which signature failed */
	if (key->type == KEY_ED25519) {
		/* Ed25519 hashes internally: one-shot over MSG */
		ed = EVP_MD_CTX_new();
		ok = ed != NULL &&
		     EVP_DigestVerifyInit_ex(ed, NULL, NULL, NULL, NULL, key->pkey, NULL) == 1 &&
		     EVP_DigestVerify(ed, sig, *siglen, msg, msglen) == 1;
	} else {
		pctx = EVP_PKEY_CTX_new_from_pkey(NULL, key->pkey, NULL);
		ok = pctx != NULL && key_sig_ctx_init(pctx, key->type, md, true);
		if (ok) /* an ECDSA signature may carry --pad-sig's zeros */
			ok = EVP_PKEY_verify(pctx, sig, rsa ? *siglen : image_ecdsa_unpad(sig, *siglen),
					     msg, msglen) == 1;
	}
	EVP_MD_CTX_free(ed);
	EVP_PKEY_CTX_free(pctx);
	if (ok)
		return 0;
	ERR_clear_error();
	return MCUPROV_ERR_REFUSED;
}

/* Where image_verify() streams the hashed region. */
struct verify_sink {
	EVP_MD_CTX *md;
	uint8_t *whole; /* --pure: the whole region, else NULL */
	uint64_t len;
	struct image_enc *dec; /* --enc-key: decrypts the payload first, else NULL */
	uint8_t *buf;          /* with DEC: IMAGE_CHUNK bytes */
};

static void verify_feed(void *arg, const uint8_t *p, size_t n)
{
	struct verify_sink *vs = arg;

	while (vs->dec != NULL && n > 0) {
		size_t k = n < IMAGE_CHUNK ? n : IMAGE_CHUNK;

		memcpy(vs->buf, p, k);
		image_enc_apply(vs->dec, vs->len, vs->buf, k);
		EVP_DigestUpdate(vs->md, vs->buf, k);
		if (vs->whole != NULL)
			memcpy(vs->whole + vs->len, vs->buf, k);
		vs->len += k;
		p += k;
		n -= k;
	}
	if (vs->dec != NULL)
		return;
	EVP_DigestUpdate(vs->md, p, n);
	if (vs->whole != NULL)
		memcpy(vs->whole + vs->len, p, n);
	vs->len += n;
}

/* A signature TLV paired with the key its KEYHASH/PUBKEY names. */
struct vcand {
	int key_index;
	const struct image_tlv_entry *sig;
};

int image_verify(const char *path, const struct mcuprov_key *const *keys, size_t n_keys,
		 struct image_verify_result *res, struct mcuprov_err *err)
{
	return image_verify_ex(path, keys, n_keys, NULL, res, err);
}

int image_verify_ex(const char *path, const struct mcuprov_key *const *keys, size_t n_keys,
		    const struct mcuprov_key *enckey, struct image_verify_result *res,
		    struct mcuprov_err *err)
{
	struct image_info *info = NULL;
	struct vcand *cand = NULL;
	size_t n_cand = 0, i, k;
	const struct image_tlv_entry *hash = NULL;
	const EVP_MD *md = NULL;
	EVP_MD_CTX *mdctx = NULL;
	struct verify_sink vs = { NULL, NULL, 0, NULL, NULL };
	uint8_t *whole = NULL;
	uint64_t hashed_end, fsize = 0;
	bool pure = false, any_sig = false, bad_sig = false;
	unsigned int dlen = 0;
	uint32_t base;
	int fd = -1, rc, matched_key = -1;

	memset(res, 0, sizeof(*res));
	res->key_index = -1;
	rc = image_parse(path, &info, err);
	if (rc < 0)
		return rc;
	res->version = info->hdr.version;
	if (enckey != NULL) {
		rc = image_enc_open(info, enckey, path, &vs.dec, err);
		if (rc == 0 && (vs.buf = malloc(IMAGE_CHUNK)) == NULL)
			rc = err_set(err, MCUPROV_ERR_NOMEM, path, "out of memory");
		if (rc < 0)
			goto out;
	}

	for (i = 0; i < info->tlvs.n_tlvs; i++) {
		const struct image_tlv_entry *e = &info->tlvs.tlvs[i];

		if (must_be_protected(e->type)) {
			rc = err_set(err, MCUPROV_ERR_REFUSED, path,
				     "rejected: %s TLV (0x%02x) in the unprotected TLV area, where "
				     "anyone can change it (CVE-2024-32883)",
				     image_tlv_name(e->type), e->type);
			goto out;
		}
		if (hash == NULL && image_hash_md(e->type) != NULL)
			hash = e;
		if (e->type == TLV_SIG_PURE)
			pure = true;
	}
	for (i = 0; i < info->prot.n_tlvs; i++)
		if (info->prot.tlvs[i].type == TLV_SIG_PURE)
			pure = true;
	if (hash == NULL) {
		rc = err_set(err, MCUPROV_ERR_FORMAT, path,
			     "no SHA256, SHA384 or SHA512 TLV: not a complete MCUboot image");
		goto out;
	}
	md = image_hash_md(hash->type);
	/* MCUboot checks every TLV of its hash type, protected or not: each
	 * must have the digest's length (checked first) and match the image */
	for (i = 0; i < info->prot.n_tlvs + info->tlvs.n_tlvs; i++) {
		bool in_prot = i < info->prot.n_tlvs;
		const struct image_tlv_entry *e =
			in_prot ? &info->prot.tlvs[i] : &info->tlvs.tlvs[i - info->prot.n_tlvs];

		if (image_hash_md(e->type) != NULL &&
		    (rc = tlv_len_error(e, in_prot ? "protected TLV area" : "TLV area", path,
					err)) < 0)
			goto out;
	}
	res->hash_tlv = hash->type;

	/* Pair signature TLVs with keys as MCUboot does: a KEYHASH or PUBKEY
	 * TLV names the key for the signature TLVs that follow it. */
	cand = calloc(info->tlvs.n_tlvs + 1, sizeof(*cand));
	if (cand == NULL) {
		rc = err_set(err, MCUPROV_ERR_NOMEM, path, "out of memory");
		goto out;
	}
	for (i = 0; i < info->tlvs.n_tlvs; i++) {
		const struct image_tlv_entry *e = &info->tlvs.tlvs[i];

		if (e->type == TLV_KEYHASH || e->type == TLV_PUBKEY) {
			matched_key = -1;
			for (k = 0; k < n_keys; k++) {
				uint8_t *der = NULL, kh[IMAGE_MAX_DIGEST];
				size_t dlen2 = 0;
				unsigned int khlen = 0;
				bool same = false;

				if (key_public_der(keys[k], &der, &dlen2, err) < 0) {
					rc = MCUPROV_ERR_CRYPTO;
					goto out;
				}
				if (e->type == TLV_PUBKEY)
					same = dlen2 == e->len && memcmp(der, e->value, dlen2) == 0;
				else if (EVP_Digest(der, dlen2, kh, &khlen, md, NULL) == 1)
					same = khlen == e->len && memcmp(kh, e->value, khlen) == 0;
				OPENSSL_free(der);
				if (same) {
					matched_key = (int)k;
					break;
				}
			}
			continue;
		}
		if (image_sig_tlv(KEY_RSA2048) != e->type && image_sig_tlv(KEY_RSA3072) != e->type &&
		    e->type != TLV_ECDSASIG && e->type != TLV_ED25519)
			continue;
		any_sig = true;
		if (matched_key < 0 || image_sig_tlv(keys[matched_key]->type) != e->type)
			continue;
		if (!image_key_allows_hash(keys[matched_key]->type, hash->type, pure)) {
			rc = err_set(err, MCUPROV_ERR_REFUSED, path,
				     "key type %s does not match the image's %s hash%s",
				     key_type_name(keys[matched_key]->type),
				     image_tlv_name(hash->type), pure ? " (pure signature)" : "");
			goto out;
		}
		cand[n_cand].key_index = matched_key;
		cand[n_cand].sig = e;
		n_cand++;
	}
	res->signed_image = any_sig;

	/* Stream the hashed region once through the hash; keep it whole only
	 * for a pure Ed25519 signature. */
	hashed_end = (uint64_t)info->hdr.hdr_size + info->hdr.img_size + info->hdr.protected_tlv_size;
	fd = image_open_input(path, 0xff, &fsize, &base, err);
	if (fd < 0) {
		rc = fd;
		goto out;
	}
	if (fsize != info->file_size) {
		rc = err_set(err, MCUPROV_ERR_IO, path, "file changed while being read");
		goto out;
	}
	mdctx = EVP_MD_CTX_new();
	if (mdctx == NULL || EVP_DigestInit_ex(mdctx, md, NULL) != 1) {
		rc = err_set(err, MCUPROV_ERR_NOMEM, path, "out of memory");
		goto out;
	}
	if (pure && n_cand > 0) {
		whole = malloc(hashed_end ? hashed_end : 1);
		if (whole == NULL) {
			rc = err_set(err, MCUPROV_ERR_NOMEM, path, "out of memory");
			goto out;
		}
	}
	vs.md = mdctx;
	vs.whole = whole;
	rc = image_stream(fd, 0, hashed_end, verify_feed, &vs, path, err);
	if (rc < 0)
		goto out;
	EVP_DigestFinal_ex(mdctx, res->digest, &dlen);
	res->digest_len = dlen;
	if (image_enc_failed(vs.dec)) {
		rc = err_set(err, MCUPROV_ERR_CRYPTO, path, "AES-CTR decryption failed");
		goto out;
	}
	if (dlen != hash->len || memcmp(res->digest, hash->value, dlen) != 0) {
		if (vs.dec != NULL)
			rc = err_set(err, MCUPROV_ERR_REFUSED, path,
				     "hash mismatch after decryption: the image was corrupted or "
				     "tampered with, or its payload is not encrypted (-c/--clear)");
		else if (image_is_encrypted(info))
			rc = err_set(err, MCUPROV_ERR_REFUSED, path,
				     "hash mismatch: the image is encrypted (give --enc-key KEY "
				     "to check it), or was corrupted or tampered with");
		else
			rc = err_set(err, MCUPROV_ERR_REFUSED, path,
				     "hash mismatch: the image was corrupted or tampered with");
		goto out;
	}
	for (i = 0; i < info->prot.n_tlvs + info->tlvs.n_tlvs; i++) {
		bool in_prot = i < info->prot.n_tlvs;
		const struct image_tlv_entry *e =
			in_prot ? &info->prot.tlvs[i] : &info->tlvs.tlvs[i - info->prot.n_tlvs];

		if (e != hash && e->type == hash->type &&
		    memcmp(res->digest, e->value, dlen) != 0) {
			rc = err_set(err, MCUPROV_ERR_REFUSED, path,
				     "hash mismatch: the %s TLV at 0x%llx%s does not match the "
				     "image (MCUboot checks every %s TLV)",
				     image_tlv_name(e->type),
				     (unsigned long long)(e->offset - IMAGE_TLV_SIZE),
				     in_prot ? " (protected)" : "", image_tlv_name(e->type));
			goto out;
		}
	}
	if (n_keys == 0) {
		rc = 0;
		goto out;
	}
	for (i = 0; i < n_cand; i++) {
		const struct mcuprov_key *key = keys[cand[i].key_index];
		size_t siglen = cand[i].sig->len;

		/* imgtool's Ed25519 signs the digest, or with --pure the whole
		 * hashed region; RSA and ECDSA sign the digest's hash input */
		rc = image_sig_op(key, true, md, pure && key->type == KEY_ED25519 ? whole : res->digest,
				  pure && key->type == KEY_ED25519 ? hashed_end : dlen,
				  cand[i].sig->value, &siglen, err);
		if (rc == 0) {
			res->key_index = cand[i].key_index;
			goto out;
		}
		if (rc != MCUPROV_ERR_REFUSED)
			goto out;
		bad_sig = true;
	}
	if (bad_sig)
		rc = err_set(err, MCUPROV_ERR_REFUSED, path,
			     "bad signature: the image names the given key but its signature "
			     "does not verify");
	else if (!any_sig)
		rc = err_set(err, MCUPROV_ERR_REFUSED, path,
			     "image is not signed (it carries only a hash)");
	else
		rc = err_set(err, MCUPROV_ERR_REFUSED, path,
			     "no matching key: the image is signed with a key other than the "
			     "given one%s",
			     n_keys > 1 ? "s" : "");
out:
	if (rc == 0 && md != NULL) /* a compressed image: its DECOMP_* TLVs too */
		rc = image_decomp_check(path, info, md, pure,
					res->key_index >= 0 ? keys[res->key_index] : NULL, err);
	image_enc_free(vs.dec);
	free(vs.buf);
	free(cand);
	free(whole);
	EVP_MD_CTX_free(mdctx);
	if (fd >= 0)
		close(fd);
	image_info_free(info);
	return rc;
}
