/* Compressed MCUboot images: imgtool sign --compression lzma2|lzma2armthumb
 * (imgtool 2.4 main.py sign(), MCUboot docs/compression_format.md).
 *
 * The payload is a raw LZMA2 stream (no .xz container) behind a 2-byte
 * header: the dictionary size code and the lc/lp/pb properties byte.  The
 * image hash and signature cover the compressed image as it sits in the
 * slot; the protected DECOMP_SIZE, DECOMP_SHA and DECOMP_SIGNATURE TLVs carry
 * the size, hash and signature of the image as it would be uncompressed, so
 * the bootloader can check what it decompresses. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lzma.h>
#include <openssl/crypto.h>

#include "image-compress.h"
#include "image-ext.h"
#include "image-internal.h"
#include "mcuprov/fileio.h"
#include "mcuprov/imgenc.h"

/* imgtool's comp_default_*: LZMA2 preset 9 with these overrides */
#define COMP_PRESET 9
#define COMP_DICT_SIZE 131072
#define COMP_LC 3
#define COMP_LP 1
#define COMP_PB 2
#define COMP_DICT_MAX (64U << 20) /* refuse larger dictionaries when verifying */

#define COMP_FLAGS (IMAGE_F_COMPRESSED_LZMA1 | IMAGE_F_COMPRESSED_LZMA2 | IMAGE_F_COMPRESSED_ARM_THUMB)

/* imgtool create_lzma2_header(): the smallest dictionary size code whose
 * size (2 or 3) << (i / 2 + 11) holds DICT, then (pb * 5 + lp) * 9 + lc. */
static void lzma2_header(uint32_t dict, unsigned lc, unsigned lp, unsigned pb, uint8_t hdr[2])
{
	unsigned i;

	for (i = 0; i < 40; i++)
		if ((uint64_t)dict <= ((uint64_t)(2 | (i & 1)) << (i / 2 + 11)))
			break;
	hdr[0] = (uint8_t)i;
	hdr[1] = (uint8_t)((pb * 5 + lp) * 9 + lc);
}

static const char *lzma_reason(lzma_ret r)
{
	switch (r) {
	case LZMA_MEM_ERROR: return "out of memory";
	case LZMA_MEMLIMIT_ERROR: return "memory limit reached";
	case LZMA_OPTIONS_ERROR: return "unsupported options";
	case LZMA_DATA_ERROR: return "corrupt data";
	case LZMA_BUF_ERROR: return "truncated data";
	default: return "internal error";
	}
}

/* A liblzma stream between image_stream() and a consumer. */
struct lz {
	lzma_stream strm;
	uint8_t *out;       /* IMAGE_CHUNK bytes */
	uint64_t out_len;   /* bytes produced */
	uint64_t out_max;   /* decoding: more than this is an error */
	int fd;             /* encoding: compressed bytes go here */
	EVP_MD_CTX *md;     /* decoding: decompressed bytes are hashed */
	lzma_ret ret;       /* the first failure, or LZMA_OK */
	int error;          /* errno of a failed write */
	bool too_long;
	bool done;          /* the stream ended */
};

static void lz_drain(struct lz *z)
{
	size_t k = IMAGE_CHUNK - z->strm.avail_out;

	if (k > 0) {
		if (z->out_len + k > z->out_max)
			z->too_long = true;
		else if (z->md != NULL)
			EVP_DigestUpdate(z->md, z->out, k);
		else if (z->error == 0 && file_write_all(z->fd, z->out, k) < 0)
			z->error = errno ? errno : EIO;
		z->out_len += k;
	}
	z->strm.next_out = z->out;
	z->strm.avail_out = IMAGE_CHUNK;
}

static bool lz_failed(const struct lz *z)
{
	return z->ret != LZMA_OK || z->error != 0 || z->too_long;
}

/* Run the coder over P[N] (ACTION LZMA_RUN), or to its end (LZMA_FINISH). */
static void lz_run(struct lz *z, const uint8_t *p, size_t n, lzma_action action)
{
	if (z->done) {
		if (n > 0 && z->ret == LZMA_OK)
			z->ret = LZMA_DATA_ERROR; /* bytes after the end of the stream */
		return;
	}
	z->strm.next_in = p;
	z->strm.avail_in = n;
	while (!lz_failed(z)) {
		lzma_ret r = lzma_code(&z->strm, action);

		if (z->strm.avail_out == 0 || r == LZMA_STREAM_END)
			lz_drain(z);
		if (r == LZMA_STREAM_END) {
			z->done = true;
			if (z->strm.avail_in > 0 && z->ret == LZMA_OK)
				z->ret = LZMA_DATA_ERROR;
			return;
		}
		if (r != LZMA_OK) {
			z->ret = r;
			return;
		}
		if (action == LZMA_RUN && z->strm.avail_in == 0)
			return;
	}
}

static void lz_feed(void *arg, const uint8_t *p, size_t n)
{
	lz_run(arg, p, n, LZMA_RUN);
}

/* filters[]: [ARM Thumb BCJ], LZMA2 with OPT, end */
static void lz_filters(lzma_filter f[3], lzma_options_lzma *opt, bool thumb)
{
	size_t i = 0;

	if (thumb) {
		f[i].id = LZMA_FILTER_ARMTHUMB;
		f[i++].options = NULL;
	}
	f[i].id = LZMA_FILTER_LZMA2;
	f[i++].options = opt;
	f[i].id = LZMA_VLI_UNKNOWN;
	f[i].options = NULL;
}

/* Compress N bytes of IN_FD from OFF into OUT_FD; *out_len = its size. */
static int compress_payload(int in_fd, uint64_t off, uint64_t n, bool thumb, int out_fd,
			    uint64_t *out_len, const char *subject, struct mcuprov_err *err)
{
	lzma_options_lzma opt;
	lzma_filter filters[3];
	struct lz z;
	lzma_ret r;
	int rc;

	memset(&z, 0, sizeof(z));
	z.strm = (lzma_stream)LZMA_STREAM_INIT;
	z.fd = out_fd;
	z.out_max = UINT64_MAX;
	if (lzma_lzma_preset(&opt, COMP_PRESET))
		return err_set(err, MCUPROV_ERR_INTERNAL, subject, "liblzma: no preset %d",
			       COMP_PRESET);
	opt.dict_size = COMP_DICT_SIZE;
	opt.lc = COMP_LC;
	opt.lp = COMP_LP;
	opt.pb = COMP_PB;
	lz_filters(filters, &opt, thumb);
	z.out = malloc(IMAGE_CHUNK);
	if (z.out == NULL)
		return err_set(err, MCUPROV_ERR_NOMEM, subject, "out of memory");
	r = lzma_raw_encoder(&z.strm, filters);
	if (r != LZMA_OK) {
		free(z.out);
		return err_set(err, MCUPROV_ERR_INTERNAL, subject, "liblzma: %s", lzma_reason(r));
	}
	z.strm.next_out = z.out;
	z.strm.avail_out = IMAGE_CHUNK;
	rc = image_stream(in_fd, off, n, lz_feed, &z, subject, err);
	if (rc == 0)
		lz_run(&z, NULL, 0, LZMA_FINISH);
	if (rc == 0 && z.error != 0)
		rc = err_set(err, MCUPROV_ERR_IO, subject, "cannot write a temporary file: %s",
			     strerror(z.error));
	else if (rc == 0 && z.ret != LZMA_OK)
		rc = err_set(err, MCUPROV_ERR_INTERNAL, subject, "LZMA2 compression failed: %s",
			     lzma_reason(z.ret));
	*out_len = z.out_len;
	lzma_end(&z.strm);
	free(z.out);
	return rc;
}

int image_compress_sign(const struct image_sign_opts *o, struct image_sign_result *res,
			struct mcuprov_err *err)
{
	struct image_sign_opts o1 = *o, o2 = *o;
	struct image_sign_extra x1, x2;
	struct image_sign_result *r1 = NULL;
	struct image_custom_tlv tlv[4];
	uint8_t lzhdr[2], size_le[4], comp_le[4];
	uint64_t in_size = 0, off, decomp, comp = 0;
	uint32_t in_base = 0;
	bool thumb = o->compression == IMAGE_COMP_LZMA2_ARMTHUMB;
	FILE *tmp = NULL;
	int in_fd = -1, rc;
	size_t n = 0;

	memset(res, 0, sizeof(*res));
	if (o->compression != IMAGE_COMP_LZMA2 && !thumb)
		return err_set(err, MCUPROV_ERR_USAGE, NULL, "unknown compression type %d",
			       (int)o->compression);
	if (o->vector_to_sign != IMAGE_VECTOR_NONE || o->fix_sig != NULL)
		return err_set(err, MCUPROV_ERR_USAGE, NULL,
			       "--compression cannot be combined with %s (the compressed image "
			       "is signed after the uncompressed one)",
			       o->fix_sig != NULL ? "--fix-sig" : "--vector-to-sign");

	/* pass 1: the uncompressed image, as imgtool's first create(): not
	 * encrypted (but flagged so), not padded, nothing written */
	memset(&x1, 0, sizeof(x1));
	x1.in_fd = -1;
	x1.discard = true;
	x1.flags = image_enc_flags(o->enc);
	o1.compression = IMAGE_COMP_NONE;
	o1.enc = NULL;
	o1.pad = o1.confirm = false;
	r1 = malloc(sizeof(*r1));
	if (r1 == NULL)
		return err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
	rc = image_sign_core(&o1, &x1, r1, err);
	if (rc < 0)
		goto out;

	/* the compressed payload: [header area of zeros] LZMA2 header, stream */
	in_fd = image_open_input(o->infile, o->erased_val, &in_size, &in_base, err);
	if (in_fd < 0) {
		rc = in_fd;
		in_fd = -1;
		goto out;
	}
	off = o->pad_header ? 0 : o->header_size;
	if (in_size < off) { /* checked by pass 1, unless the file changed */
		rc = err_set(err, MCUPROV_ERR_IO, o->infile, "file changed while being read");
		goto out;
	}
	decomp = in_size - off;
	tmp = tmpfile();
	if (tmp == NULL) {
		rc = err_set(err, MCUPROV_ERR_IO, o->outfile, "cannot create temporary file: %s",
			     strerror(errno));
		goto out;
	}
	lzma2_header(COMP_DICT_SIZE, COMP_LC, COMP_LP, COMP_PB, lzhdr);
	if (!o->pad_header) {
		uint8_t zero[256];
		uint64_t left = o->header_size;

		memset(zero, 0, sizeof(zero));
		while (left > 0 && rc == 0) {
			size_t k = left < sizeof(zero) ? (size_t)left : sizeof(zero);

			if (file_write_all(fileno(tmp), zero, k) < 0)
				rc = -1;
			left -= k;
		}
	}
	if (rc < 0 || file_write_all(fileno(tmp), lzhdr, sizeof(lzhdr)) < 0) {
		rc = err_set(err, MCUPROV_ERR_IO, o->outfile, "cannot write a temporary file: %s",
			     strerror(errno));
		goto out;
	}
	rc = compress_payload(in_fd, off, decomp, thumb, fileno(tmp), &comp, o->infile, err);
	if (rc < 0)
		goto out;

	/* imgtool: compress only when the compressed payload plus the DECOMP
	 * TLV values is smaller than the payload; else the plain image */
	if (comp + 4 + r1->digest_len + r1->sig_len >= decomp) {
		rc = image_sign_core(o, NULL, res, err);
		res->decomp_size = decomp;
		res->comp_size = comp;
		goto out;
	}

	image_put32(size_le, (uint32_t)decomp, o->big_endian);
	tlv[n++] = (struct image_custom_tlv){ TLV_DECOMP_SIZE, size_le, 4 };
	tlv[n++] = (struct image_custom_tlv){ TLV_DECOMP_SHA, r1->digest, r1->digest_len };
	if (r1->sig_len > 0)
		tlv[n++] = (struct image_custom_tlv){ TLV_DECOMP_SIGNATURE, r1->sig, r1->sig_len };
	if (o->enc != NULL) { /* imgtool keep_comp_size: before the AES padding */
		image_put32(comp_le, (uint32_t)(comp + sizeof(lzhdr)), o->big_endian);
		tlv[n++] = (struct image_custom_tlv){ TLV_COMP_DEC_SIZE, comp_le, 4 };
	}
	memset(&x2, 0, sizeof(x2));
	x2.prot = tlv;
	x2.n_prot = n;
	x2.flags = IMAGE_F_COMPRESSED_LZMA2 | (thumb ? IMAGE_F_COMPRESSED_ARM_THUMB : 0);
	x2.in_fd = fileno(tmp);
	x2.in_size = (o->pad_header ? 0 : o->header_size) + sizeof(lzhdr) + comp;
	o2.compression = IMAGE_COMP_NONE;
	o2.non_bootable = false; /* imgtool's compressed Image() is made without it */
	if (image_path_is_hex(o->outfile) && !o->has_hex_addr && image_path_is_hex(o->infile)) {
		/* the input's address, as imgtool's compressed_img.base_addr */
		if ((rc = image_hex_base(o, in_base, &o2.hex_addr, err)) < 0)
			goto out;
		o2.has_hex_addr = true;
	}
	rc = image_sign_core(&o2, &x2, res, err);
	res->compressed = rc == 0;
	res->decomp_size = decomp;
	res->comp_size = comp;
out:
	if (in_fd >= 0)
		close(in_fd);
	if (tmp != NULL)
		fclose(tmp);
	if (r1 != NULL)
		OPENSSL_cleanse(r1, sizeof(*r1));
	free(r1);
	return rc;
}

/* ---- verification ------------------------------------------------------------ */

static const struct image_tlv_entry *find_prot(const struct image_info *info, unsigned type)
{
	size_t i;

	for (i = 0; i < info->prot.n_tlvs; i++)
		if (info->prot.tlvs[i].type == type)
			return &info->prot.tlvs[i];
	return NULL;
}

static bool is_comp_tlv(unsigned type)
{
	return type == TLV_DECOMP_SIZE || type == TLV_DECOMP_SHA || type == TLV_DECOMP_SIGNATURE ||
	       type == TLV_COMP_DEC_SIZE;
}

int image_decomp_check(const char *path, const struct image_info *info, const EVP_MD *md,
		       bool pure, const struct mcuprov_key *key, struct mcuprov_err *err)
{
	const struct image_header *h = &info->hdr;
	const struct image_tlv_entry *tsize, *tsha, *tsig;
	bool be = info->big_endian, thumb = (h->flags & IMAGE_F_COMPRESSED_ARM_THUMB) != 0;
	uint8_t *head = NULL, *prot = NULL, *nprot = NULL, digest[IMAGE_MAX_DIGEST], lzhdr[2];
	size_t nlen = 0, i;
	uint32_t decomp, dict;
	unsigned props, dlen = 0;
	uint64_t fsize = 0;
	uint32_t base;
	lzma_options_lzma opt;
	lzma_filter filters[3];
	struct lz z;
	lzma_ret r;
	int fd = -1, rc;

	if ((h->flags & COMP_FLAGS) == 0 || image_is_encrypted(info))
		return 0; /* nothing to decompress, or only ciphertext */
	memset(&z, 0, sizeof(z));
	z.strm = (lzma_stream)LZMA_STREAM_INIT;
	if ((h->flags & IMAGE_F_COMPRESSED_LZMA1) != 0 || (h->flags & IMAGE_F_COMPRESSED_LZMA2) == 0)
		return err_set(err, MCUPROV_ERR_FORMAT, path,
			       "compressed with LZMA1 (flags 0x%x): only LZMA2 is supported",
			       h->flags);
	tsize = find_prot(info, TLV_DECOMP_SIZE);
	tsha = find_prot(info, TLV_DECOMP_SHA);
	tsig = find_prot(info, TLV_DECOMP_SIGNATURE);
	if (tsize == NULL || tsha == NULL)
		return err_set(err, MCUPROV_ERR_FORMAT, path,
			       "compressed image without protected %s TLV",
			       tsize == NULL ? "DECOMP_SIZE" : "DECOMP_SHA");
	if (tsize->len != 4 || tsha->len != (unsigned)EVP_MD_get_size(md))
		return err_set(err, MCUPROV_ERR_FORMAT, path, "bad %s TLV length %u",
			       tsize->len != 4 ? "DECOMP_SIZE" : "DECOMP_SHA",
			       tsize->len != 4 ? tsize->len : tsha->len);
	decomp = image_get32(tsize->value, be);
	if (h->img_size < 2)
		return err_set(err, MCUPROV_ERR_FORMAT, path,
			       "compressed payload shorter than its LZMA2 header");

	fd = image_open_input(path, 0xff, &fsize, &base, err);
	if (fd < 0)
		return fd;
	head = malloc(h->hdr_size);
	prot = malloc(h->protected_tlv_size ? h->protected_tlv_size : 1);
	nprot = malloc(h->protected_tlv_size ? h->protected_tlv_size : 1);
	z.out = malloc(IMAGE_CHUNK);
	z.md = EVP_MD_CTX_new();
	if (head == NULL || prot == NULL || nprot == NULL || z.out == NULL || z.md == NULL) {
		rc = err_set(err, MCUPROV_ERR_NOMEM, path, "out of memory");
		goto out;
	}
	if (file_pread_all(fd, head, h->hdr_size, 0) < 0 ||
	    file_pread_all(fd, lzhdr, 2, h->hdr_size) < 0 ||
	    file_pread_all(fd, prot, h->protected_tlv_size,
			   (uint64_t)h->hdr_size + h->img_size) < 0) {
		rc = err_set(err, MCUPROV_ERR_IO, path, "read error: %s", strerror(errno));
		goto out;
	}

	/* the uncompressed image's protected TLVs: all but the DECOMP ones */
	nlen = IMAGE_TLV_INFO_SIZE;
	for (i = 0; i < info->prot.n_tlvs; i++) {
		const struct image_tlv_entry *e = &info->prot.tlvs[i];
		uint64_t at = e->offset - IMAGE_TLV_SIZE - ((uint64_t)h->hdr_size + h->img_size);

		if (is_comp_tlv(e->type))
			continue;
		memcpy(nprot + nlen, prot + at, IMAGE_TLV_SIZE + e->len);
		nlen += IMAGE_TLV_SIZE + e->len;
	}
	if (nlen == IMAGE_TLV_INFO_SIZE) {
		nlen = 0;
	} else {
		image_put16(nprot, IMAGE_TLV_PROT_INFO_MAGIC, be);
		image_put16(nprot + 2, (uint16_t)nlen, be);
	}
	/* and its header: no compression flags, its own sizes */
	image_put16(head + 10, (uint16_t)nlen, be);
	image_put32(head + 12, decomp, be);
	image_put32(head + 16, h->flags & ~COMP_FLAGS, be);

	/* the LZMA2 stream, decoded with the header's parameters */
	if (lzhdr[0] > 40 || lzhdr[1] >= 9 * 5 * 5) {
		rc = err_set(err, MCUPROV_ERR_FORMAT, path,
			     "bad LZMA2 header %02x %02x in the compressed payload", lzhdr[0],
			     lzhdr[1]);
		goto out;
	}
	dict = lzhdr[0] / 2 + 11 >= 32 ? UINT32_MAX
					: (uint32_t)(2 | (lzhdr[0] & 1)) << (lzhdr[0] / 2 + 11);
	if (dict > COMP_DICT_MAX) {
		rc = err_set(err, MCUPROV_ERR_FORMAT, path,
			     "LZMA2 dictionary of %u bytes in the compressed payload (at most %u "
			     "supported)",
			     dict, COMP_DICT_MAX);
		goto out;
	}
	props = lzhdr[1];
	if (lzma_lzma_preset(&opt, COMP_PRESET)) {
		rc = err_set(err, MCUPROV_ERR_INTERNAL, path, "liblzma: no preset");
		goto out;
	}
	opt.dict_size = dict;
	opt.lc = props % 9;
	opt.lp = props / 9 % 5;
	opt.pb = props / 45;
	lz_filters(filters, &opt, thumb);
	r = lzma_raw_decoder(&z.strm, filters);
	if (r != LZMA_OK) {
		rc = err_set(err, MCUPROV_ERR_FORMAT, path,
			     "cannot decode the compressed payload: liblzma: %s", lzma_reason(r));
		goto out;
	}
	z.out_max = decomp;
	z.strm.next_out = z.out;
	z.strm.avail_out = IMAGE_CHUNK;
	if (EVP_DigestInit_ex(z.md, md, NULL) != 1) {
		rc = err_set(err, MCUPROV_ERR_CRYPTO, path, "digest init failed");
		goto out;
	}
	EVP_DigestUpdate(z.md, head, h->hdr_size);
	rc = image_stream(fd, (uint64_t)h->hdr_size + 2, h->img_size - 2, lz_feed, &z, path, err);
	if (rc < 0)
		goto out;
	if (z.ret == LZMA_OK && !z.too_long)
		lz_run(&z, NULL, 0, LZMA_FINISH);
	if (z.ret != LZMA_OK || z.too_long || z.out_len != decomp) {
		rc = err_set(err, MCUPROV_ERR_REFUSED, path,
			     "the compressed payload does not decompress to DECOMP_SIZE (%u bytes)%s%s",
			     decomp, z.ret != LZMA_OK ? ": liblzma: " : "",
			     z.ret != LZMA_OK ? lzma_reason(z.ret) : "");
		goto out;
	}
	EVP_DigestUpdate(z.md, nprot, nlen);
	EVP_DigestFinal_ex(z.md, digest, &dlen);
	if (dlen != tsha->len || memcmp(digest, tsha->value, dlen) != 0) {
		rc = err_set(err, MCUPROV_ERR_REFUSED, path,
			     "DECOMP_SHA mismatch: the decompressed image does not have the hash "
			     "the compressed one promises");
		goto out;
	}
	if (key != NULL && !pure && tsig != NULL) {
		size_t siglen = tsig->len;

		rc = image_sig_op(key, true, md, digest, dlen, tsig->value, &siglen, err);
		if (rc == MCUPROV_ERR_REFUSED)
			rc = err_set(err, MCUPROV_ERR_REFUSED, path,
				     "bad DECOMP_SIGNATURE: the decompressed image's signature does "
				     "not verify with the key");
		if (rc < 0)
			goto out;
	}
	rc = 0;
out:
	lzma_end(&z.strm);
	EVP_MD_CTX_free(z.md);
	free(z.out);
	free(head);
	free(prot);
	free(nprot);
	if (fd >= 0)
		close(fd);
	return rc;
}
