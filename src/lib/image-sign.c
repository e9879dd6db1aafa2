/* MCUboot image signing, byte-compatible with imgtool sign.
 *
 * The input is streamed in IMAGE_CHUNK pieces through the image hash, the
 * RSA/ECDSA signer and a write buffer into a temporary output file, which
 * replaces the output only when everything succeeded. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "image-compress.h"
#include "image-ext.h"
#include "image-internal.h"
#include "mcuprov/fileio.h"
#include "mcuprov/ihex.h"
#include "mcuprov/image.h"
#include "mcuprov/imgenc.h"
#include "mcuprov/runner.h"

/* -e big: every header and TLV field written below through wr16/wr32
 * follows the image's byte order, which image_sign() sets for its thread */
static _Thread_local bool sign_be;
#define wr16(p, v) image_put16((p), (v), sign_be)
#define wr32(p, v) image_put32((p), (v), sign_be)

void image_sign_opts_init(struct image_sign_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->header_size = IMAGE_HEADER_SIZE;
	o->align = 1;
	o->erased_val = 0xff;
	o->sha = IMAGE_SHA_AUTO;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* imgtool's _trailer_size() for an unencrypted image. */
static uint64_t trailer_size(const struct image_sign_opts *o, unsigned max_align)
{
	uint64_t magic_align = align_up(IMAGE_BOOT_MAGIC_SIZE, max_align);
	unsigned sectors = o->max_sectors ? o->max_sectors : IMAGE_DEFAULT_MAX_SECTORS;

	if (o->overwrite_only)
		return (uint64_t)max_align * 2 + magic_align;
	return (uint64_t)sectors * 3 * o->align + image_enc_trailer_size(o->enc, max_align) +
	       (uint64_t)max_align * 4 + magic_align;
}

/* Derived settings, checked once before any I/O. */
struct plan {
	const struct mcuprov_key *key; /* decides the hash: signer or fix-sig key */
	unsigned hash_tlv;
	const EVP_MD *md;
	unsigned max_align;
	uint64_t tsize;
	uint8_t prot[0x10000]; /* protected TLV area, info header included */
	size_t prot_len;
	uint8_t boot_magic[IMAGE_BOOT_MAGIC_SIZE];
	struct image_ext ext; /* BOOT_RECORD, UUID_VID, UUID_CID */
};

static bool is_predefined_tlv(unsigned tag)
{
	return image_tlv_name(tag) != NULL;
}

static void put_tlv(uint8_t *buf, size_t *len, unsigned type, const void *v, size_t n)
{
	wr16(buf + *len, (uint16_t)type);
	if (sign_be && is_predefined_tlv(type)) {
		/* imgtool packs a predefined type as 'BBH': type, 0, length */
		buf[*len] = (uint8_t)type;
		buf[*len + 1] = 0;
	}
	wr16(buf + *len + 2, (uint16_t)n);
	if (n > 0)
		memcpy(buf + *len + 4, v, n);
	*len += 4 + n;
}

static int plan_make(const struct image_sign_opts *o, const struct image_sign_extra *x,
		     struct plan *p, struct mcuprov_err *err)
{
	size_t need = 0, i, j;
	unsigned sha;

	memset(p, 0, sizeof(*p));
	if (o->key != NULL && o->fix_sig != NULL)
		return err_set(err, MCUPROV_ERR_USAGE, NULL,
			       "give either -k/--key or --fix-sig, not both");
	if (o->fix_sig != NULL && o->fix_sig_pubkey == NULL)
		return err_set(err, MCUPROV_ERR_USAGE, NULL, "--fix-sig needs --fix-sig-pubkey");
	p->key = o->key != NULL ? o->key : o->fix_sig_pubkey;
	if (o->signer_argv != NULL) {
		if (o->signer_argv[0] == NULL || o->signer_argv[0][0] == '\0')
			return err_set(err, MCUPROV_ERR_USAGE, NULL, "--signer names no program");
		if (o->fix_sig != NULL)
			return err_set(err, MCUPROV_ERR_USAGE, NULL,
				       "give either --signer or --fix-sig, not both");
		if (o->vector_to_sign != IMAGE_VECTOR_NONE)
			return err_set(err, MCUPROV_ERR_USAGE, NULL,
				       "give either --signer or --vector-to-sign, not both");
		if (o->key == NULL)
			return err_set(err, MCUPROV_ERR_USAGE, NULL,
				       "--signer needs -k/--key, the public key its signatures "
				       "verify with");
	}
	if (p->key != NULL && !key_type_can_sign(p->key->type))
		return err_set(err, MCUPROV_ERR_USAGE, NULL,
			       "%s keys cannot sign images (they are for image encryption)",
			       key_type_name(p->key->type));
	if (o->key != NULL && !key_can_sign(o->key) && o->vector_to_sign == IMAGE_VECTOR_NONE &&
	    o->signer_argv == NULL)
		return err_set(err, MCUPROV_ERR_USAGE, NULL,
			       "the signing key is a public key (give the private key, or use "
			       "--vector-to-sign and --fix-sig for external signing)");
	if (o->pure && (p->key == NULL || p->key->type != KEY_ED25519))
		return err_set(err, MCUPROV_ERR_USAGE, NULL, "--pure needs an ed25519 key");
	if (o->enc != NULL && image_enc_check(o->enc, o->key, err) < 0)
		return MCUPROV_ERR_USAGE;

	/* hash: the key decides; auto = the key's first allowed hash */
	sha = o->sha;
	if (o->pure)
		sha = 512; /* imgtool: pure enforces SHA-512, the user's choice is ignored */
	if (p->key == NULL) {
		p->hash_tlv = sha == 384 ? TLV_SHA384 : sha == 512 ? TLV_SHA512 : TLV_SHA256;
	} else {
		if (sha == IMAGE_SHA_AUTO)
			p->hash_tlv = p->key->type == KEY_ECDSA_P384 ? TLV_SHA384 : TLV_SHA256;
		else
			p->hash_tlv = sha == 384 ? TLV_SHA384 : sha == 512 ? TLV_SHA512 : TLV_SHA256;
		if (!image_key_allows_hash(p->key->type, p->hash_tlv, o->pure))
			return err_set(err, MCUPROV_ERR_USAGE, NULL,
				       "%s keys cannot be used with --sha %u (allowed: %s)",
				       key_type_name(p->key->type), sha,
				       p->key->type == KEY_ECDSA_P384 ? "384"
				       : p->key->type == KEY_ED25519 ? "256, 512"
								      : "256");
	}
	p->md = image_hash_md(p->hash_tlv);

	if (o->header_size < IMAGE_HEADER_SIZE || o->header_size > 0xffff)
		return err_set(err, MCUPROV_ERR_USAGE, NULL,
			       "header size 0x%x out of range (0x20 to 0xffff)", o->header_size);
	switch (o->align) {
	case 1: case 2: case 4: case 8: case 16: case 32: break;
	default:
		return err_set(err, MCUPROV_ERR_USAGE, NULL,
			       "invalid --align %u (1, 2, 4, 8, 16 or 32)", o->align);
	}
	switch (o->max_align) {
	case 0: p->max_align = o->align > 8 ? o->align : 8; break;
	case 8: case 16: case 32: p->max_align = o->max_align; break;
	default:
		return err_set(err, MCUPROV_ERR_USAGE, NULL,
			       "invalid --max-align %u (8, 16 or 32)", o->max_align);
	}
	if (o->align > p->max_align)
		return err_set(err, MCUPROV_ERR_USAGE, NULL,
			       "--align %u is larger than --max-align %u", o->align, p->max_align);
	if (o->erased_val != 0 && o->erased_val != 0xff)
		return err_set(err, MCUPROV_ERR_USAGE, NULL, "invalid --erased-val (0 or 0xff)");
	if (o->max_sectors > 0x100000)
		return err_set(err, MCUPROV_ERR_USAGE, NULL, "--max-sectors %u is too large",
			       o->max_sectors);
	if ((o->pad || o->confirm) && o->slot_size == 0)
		return err_set(err, MCUPROV_ERR_USAGE, NULL, "--pad and --confirm need -S/--slot-size");
	if (o->has_rom_fixed && o->rom_fixed != 0 && o->has_load_addr && o->load_addr != 0)
		return err_set(err, MCUPROV_ERR_USAGE, NULL,
			       "can not set --rom-fixed and --load-addr at the same time");
	p->tsize = trailer_size(o, p->max_align);
	if (p->max_align == IMAGE_DEFAULT_MAX_ALIGN) {
		memcpy(p->boot_magic, image_boot_magic, IMAGE_BOOT_MAGIC_SIZE);
	} else {
		wr16(p->boot_magic, (uint16_t)p->max_align);
		memcpy(p->boot_magic + 2, image_boot_magic2, sizeof(image_boot_magic2));
	}

	/* protected TLVs, in imgtool's order: SEC_CNT, BOOT_RECORD,
	 * DEPENDENCY..., DECOMP_* (--compression), UUID_VID, UUID_CID, custom */
	{
		int rc = image_ext_make(o, p->hash_tlv, p->md, p->key, &p->ext, err);

		if (rc < 0)
			return rc;
	}
	need += p->ext.len;
	if (o->has_security_counter)
		need += IMAGE_TLV_SIZE + 4;
	need += o->n_deps * (IMAGE_TLV_SIZE + 12);
	for (i = 0; x != NULL && i < x->n_prot; i++)
		need += IMAGE_TLV_SIZE + x->prot[i].len;
	for (i = 0; i < o->n_custom; i++) {
		const struct image_custom_tlv *c = &o->custom[i];

		if (is_predefined_tlv(c->tag))
			return err_set(err, MCUPROV_ERR_USAGE, NULL,
				       "custom TLV 0x%x conflicts with predefined TLV %s", c->tag,
				       image_tlv_name(c->tag));
		if (c->tag < TLV_VENDOR_MIN || c->tag > TLV_VENDOR_MAX)
			return err_set(err, MCUPROV_ERR_USAGE, NULL,
				       "invalid custom TLV tag 0x%04x (allowed 0x%04x to 0x%04x)",
				       c->tag, TLV_VENDOR_MIN, TLV_VENDOR_MAX);
		for (j = 0; j < i; j++)
			if (o->custom[j].tag == c->tag)
				return err_set(err, MCUPROV_ERR_USAGE, NULL,
					       "custom TLV 0x%x given twice", c->tag);
		if (c->len > 0xffff)
			return err_set(err, MCUPROV_ERR_USAGE, NULL,
				       "custom TLV 0x%x is too long (%zu bytes, limit 65535)", c->tag,
				       c->len);
		need += IMAGE_TLV_SIZE + c->len;
		if (need > 0xffff)
			break;
	}
	if (need > 0)
		need += IMAGE_TLV_INFO_SIZE;
	if (need > 0xffff)
		return err_set(err, MCUPROV_ERR_USAGE, NULL,
			       "protected TLVs too large (over 65535 bytes)");
	if (need > 0) {
		uint8_t v[12];

		p->prot_len = IMAGE_TLV_INFO_SIZE;
		if (o->has_security_counter) {
			uint32_t sc = o->security_counter;

			if (o->security_counter_auto)
				sc = (uint32_t)o->version.major << 24 |
				     (uint32_t)o->version.minor << 16 | o->version.revision;
			wr32(v, sc);
			put_tlv(p->prot, &p->prot_len, TLV_SEC_CNT, v, 4);
		}
		if (o->boot_record != NULL)
			put_tlv(p->prot, &p->prot_len, TLV_BOOT_RECORD, p->ext.brec,
				p->ext.brec_len);
		for (i = 0; i < o->n_deps; i++) {
			memset(v, 0, sizeof(v));
			v[0] = o->deps[i].image_id;
			v[4] = o->deps[i].version.major;
			v[5] = o->deps[i].version.minor;
			wr16(v + 6, o->deps[i].version.revision);
			wr32(v + 8, o->deps[i].version.build);
			put_tlv(p->prot, &p->prot_len, TLV_DEPENDENCY, v, 12);
		}
		for (i = 0; x != NULL && i < x->n_prot; i++)
			put_tlv(p->prot, &p->prot_len, x->prot[i].tag, x->prot[i].value,
				x->prot[i].len);
		if (o->vid != NULL)
			put_tlv(p->prot, &p->prot_len, TLV_UUID_VID, p->ext.vid, 16);
		if (o->cid != NULL)
			put_tlv(p->prot, &p->prot_len, TLV_UUID_CID, p->ext.cid, 16);
		for (i = 0; i < o->n_custom; i++)
			put_tlv(p->prot, &p->prot_len, o->custom[i].tag, o->custom[i].value,
				o->custom[i].len);
		wr16(p->prot, IMAGE_TLV_PROT_INFO_MAGIC);
		wr16(p->prot + 2, (uint16_t)p->prot_len);
	}
	return 0;
}

/* Size of the unprotected TLV area, exact except for ECDSA signatures
 * (DER: 70 to 72 bytes for P-256, 102 to 104 for P-384; the longest is
 * assumed). */
static uint64_t unprot_size(const struct image_sign_opts *o, const struct plan *p)
{
	uint64_t n = IMAGE_TLV_INFO_SIZE + IMAGE_TLV_SIZE + (uint64_t)EVP_MD_get_size(p->md);

	if (o->pure)
		n += IMAGE_TLV_SIZE + 1;
	if (p->key == NULL)
		return n;
	if (o->public_key_full) {
		uint8_t *der = NULL;
		size_t len = 0;

		if (key_public_der(p->key, &der, &len, NULL) == 0)
			n += IMAGE_TLV_SIZE + len;
		OPENSSL_free(der);
	} else {
		n += IMAGE_TLV_SIZE + (uint64_t)EVP_MD_get_size(p->md);
	}
	if (o->fix_sig != NULL)
		return n + IMAGE_TLV_SIZE + o->fix_sig_len;
	switch (p->key->type) {
	case KEY_RSA2048: return n + IMAGE_TLV_SIZE + 256;
	case KEY_RSA3072: return n + IMAGE_TLV_SIZE + 384;
	case KEY_ECDSA_P256: return n + IMAGE_TLV_SIZE + 72;
	case KEY_ECDSA_P384: return n + IMAGE_TLV_SIZE + 104;
	default: return n + IMAGE_TLV_SIZE + 64; /* ed25519 */
	}
}

/* ---- the streaming sink ------------------------------------------------------ */

struct sink {
	int fd;            /* -1: discard (digest-only output) */
	uint8_t *buf;      /* write buffer, IMAGE_CHUNK bytes */
	size_t used;
	bool hashing;      /* bytes go through the hash (and signer) too */
	EVP_MD_CTX *md;
	uint8_t *whole;    /* --pure: the whole hashed region */
	uint64_t whole_len, whole_cap;
	uint64_t written;
	int error;         /* errno of the first failure */
	struct image_enc *enc; /* -E: encrypts the payload after hashing, or NULL */
};

static void sink_flush(struct sink *s)
{
	if (s->used > 0 && s->fd >= 0 && s->error == 0 && file_write_all(s->fd, s->buf, s->used) < 0)
		s->error = errno ? errno : EIO;
	s->used = 0;
}

static void sink_put(struct sink *s, const void *data, size_t n)
{
	const uint8_t *p = data;
	uint64_t pos = s->written;

	if (s->hashing) {
		EVP_DigestUpdate(s->md, p, n);
		if (s->whole != NULL) {
			if (s->whole_len + n <= s->whole_cap)
				memcpy(s->whole + s->whole_len, p, n);
			s->whole_len += n;
		}
	}
	s->written += n;
	if (s->fd < 0)
		return; /* digest-only output: nothing to write */
	if (s->used == 0 && n >= IMAGE_CHUNK && s->enc == NULL) {
		/* a whole chunk and nothing buffered: write it as it is */
		if (s->error == 0 && file_write_all(s->fd, p, n) < 0)
			s->error = errno ? errno : EIO;
		return;
	}
	while (n > 0) {
		size_t room = IMAGE_CHUNK - s->used, k = n < room ? n : room;

		memcpy(s->buf + s->used, p, k);
		image_enc_apply(s->enc, pos, s->buf + s->used, k);
		pos += k;
		s->used += k;
		p += k;
		n -= k;
		if (s->used == IMAGE_CHUNK)
			sink_flush(s);
	}
}

/* N bytes of VAL. */
static void sink_fill(struct sink *s, uint8_t val, uint64_t n)
{
	uint8_t chunk[4096];

	memset(chunk, val, sizeof(chunk));
	while (n > 0) {
		size_t k = n < sizeof(chunk) ? (size_t)n : sizeof(chunk);

		sink_put(s, chunk, k);
		n -= k;
	}
}

static void sink_feed(void *arg, const uint8_t *p, size_t n)
{
	sink_put(arg, p, n);
}

/* ---- Intel HEX output ------------------------------------------------------ */

/* Write the first LEN bytes of SRC_FD as Intel HEX at BASE into OUT_FD,
 * with imgtool's sparse trailer (image_ok flag and magic) when padding. */
static int write_hex(int src_fd, uint64_t len, uint32_t base, int out_fd,
		     const struct image_sign_opts *o, const struct plan *p, struct mcuprov_err *err)
{
	struct ihex_writer *w = NULL;
	FILE *f = NULL;
	uint8_t *chunk = NULL;
	uint64_t off = 0;
	int fd2, rc;

	if ((uint64_t)base + (o->pad ? o->slot_size : len) > 0x100000000ULL)
		return err_set(err, MCUPROV_ERR_USAGE, o->outfile,
			       "Intel HEX output past 4 GiB (base address 0x%x)", base);
	fd2 = dup(out_fd);
	if (fd2 < 0 || (f = fdopen(fd2, "w")) == NULL) {
		if (fd2 >= 0)
			close(fd2);
		return err_set(err, MCUPROV_ERR_IO, o->outfile, "cannot write: %s", strerror(errno));
	}
	chunk = malloc(IMAGE_CHUNK);
	w = ihex_writer_new(f);
	if (chunk == NULL || w == NULL) {
		rc = err_set(err, MCUPROV_ERR_NOMEM, o->outfile, "out of memory");
		goto out;
	}
	ihex_writer_expect_end(w, (uint64_t)base + (o->pad ? o->slot_size : len));
	while (off < len) {
		size_t k = len - off < IMAGE_CHUNK ? (size_t)(len - off) : IMAGE_CHUNK;

		if (file_pread_all(src_fd, chunk, k, off) < 0) {
			rc = err_set(err, MCUPROV_ERR_IO, o->outfile, "read error on temporary file");
			goto out;
		}
		rc = ihex_write(w, base + (uint32_t)off, chunk, k, err);
		if (rc < 0)
			goto out;
		off += k;
	}
	if (o->pad) {
		uint64_t trailer_addr = (uint64_t)base + o->slot_size - p->tsize;
		uint64_t magic_align = align_up(IMAGE_BOOT_MAGIC_SIZE, p->max_align);

		if (o->confirm && !o->overwrite_only) {
			uint8_t flag[32];

			memset(flag, o->erased_val, sizeof(flag));
			flag[0] = 0x01;
			rc = ihex_write(w,
					(uint32_t)(trailer_addr + p->tsize - magic_align - p->max_align),
					flag, p->max_align, err);
			if (rc < 0)
				goto out;
		}
		rc = ihex_write(w, (uint32_t)(trailer_addr + p->tsize - IMAGE_BOOT_MAGIC_SIZE),
				p->boot_magic, IMAGE_BOOT_MAGIC_SIZE, err);
		if (rc < 0)
			goto out;
	}
	rc = ihex_writer_finish(w, err);
	w = NULL;
	if (rc < 0)
		goto out;
	if (fclose(f) != 0) {
		f = NULL;
		rc = err_set(err, MCUPROV_ERR_IO, o->outfile, "write error: %s", strerror(errno));
		goto out;
	}
	f = NULL;
	rc = 0;
out:
	if (rc < 0 && err != NULL && err->subject[0] == '\0')
		snprintf(err->subject, sizeof(err->subject), "%s", o->outfile);
	ihex_writer_free(w);
	if (f != NULL)
		fclose(f);
	free(chunk);
	return rc;
}

/* ---- signing ----------------------------------------------------------------- */

static void signer_line(void *arg, int is_stderr, const char *line)
{
	const struct image_sign_opts *o = arg;

	if (is_stderr && o->signer_on_line != NULL)
		o->signer_on_line(o->signer_arg, line);
}

/* --signer: MSG (the vector) on its stdin, the signature from its stdout
 * into SIG (room for *SIGLEN bytes), verified with KEY. */
static int run_signer(const struct image_sign_opts *o, const struct plan *p,
		      const struct mcuprov_key *key, const uint8_t *msg, size_t msglen,
		      uint8_t *sig, size_t *siglen, struct mcuprov_err *err)
{
	const char *tool = o->signer_argv[0];
	struct runner_capture cap = { 0 };
	struct runner_opts ro;
	struct runner_result rr;
	int rc;

	memset(&ro, 0, sizeof(ro));
	ro.argv = o->signer_argv;
	ro.on_line = signer_line;
	ro.arg = (void *)o;
	ro.stdin_data = msg;
	ro.stdin_len = msglen;
	ro.capture = &cap;
	cap.max = *siglen;
	rc = runner_run(&ro, &rr, err);
	if (rc < 0) {
		if (err != NULL) {
			char why[sizeof(err->msg)];

			snprintf(why, sizeof(why), "%s", err->msg);
			err_set(err, rc, tool, "cannot run the signer: %s", why);
		}
		goto out;
	}
	if (rr.term_signal != 0) {
		rc = err_set(err, MCUPROV_ERR_IO, tool, "the signer was killed by signal %d (%s)",
			     rr.term_signal, strsignal(rr.term_signal));
		goto out;
	}
	if (rr.exit_code != 0) {
		rc = err_set(err, MCUPROV_ERR_IO, tool, "the signer failed (exit status %d)",
			     rr.exit_code);
		goto out;
	}
	if (cap.len == 0) {
		rc = err_set(err, MCUPROV_ERR_REFUSED, tool, "the signer printed no signature");
		goto out;
	}
	if (cap.truncated) {
		rc = err_set(err, MCUPROV_ERR_REFUSED, tool,
			     "the signer printed more than %zu bytes: not a signature", *siglen);
		goto out;
	}
	memcpy(sig, cap.data, cap.len);
	*siglen = cap.len;
	rc = image_sig_op(key, true, p->md, msg, msglen, sig, siglen, err);
	if (rc == MCUPROV_ERR_REFUSED)
		rc = err_set(err, MCUPROV_ERR_REFUSED, tool,
			     "the signer's signature does not verify with the -k/--key %s key "
			     "over this image",
			     key_type_name(key->type));
out:
	free(cap.data);
	return rc;
}

/* Sign (or check the fixed signature) once the hashed region is complete. */
static int finish_signature(const struct image_sign_opts *o, const struct plan *p,
			    const struct sink *s, const uint8_t *digest, size_t dlen, uint8_t *sig,
			    size_t *siglen, struct mcuprov_err *err)
{
	const struct mcuprov_key *key = o->key != NULL ? o->key : o->fix_sig_pubkey;
	const uint8_t *msg = o->pure ? s->whole : digest;
	size_t msglen = o->pure ? (size_t)s->whole_len : dlen;
	int rc;

	if (o->signer_argv != NULL) {
		*siglen = 1024;
		return run_signer(o, p, key, msg, msglen, sig, siglen, err);
	}
	if (o->fix_sig == NULL) {
		*siglen = 1024;
		return image_sig_op(key, false, p->md, msg, msglen, sig, siglen, err);
	}
	if (o->fix_sig_len > 1024)
		return err_set(err, MCUPROV_ERR_USAGE, NULL, "--fix-sig signature too long");
	memcpy(sig, o->fix_sig, o->fix_sig_len);
	*siglen = o->fix_sig_len;
	rc = image_sig_op(key, true, p->md, msg, msglen, sig, siglen, err);
	if (rc == MCUPROV_ERR_REFUSED)
		return err_set(err, MCUPROV_ERR_REFUSED, NULL,
			       "the --fix-sig signature does not verify with the --fix-sig-pubkey "
			       "key over this image");
	return rc;
}

int image_sign(const struct image_sign_opts *o, struct image_sign_result *res,
	       struct mcuprov_err *err)
{
	if (o->compression != IMAGE_COMP_NONE)
		return image_compress_sign(o, res, err);
	return image_sign_core(o, NULL, res, err);
}

int image_hex_base(const struct image_sign_opts *o, uint32_t in_base, uint32_t *base,
		   struct mcuprov_err *err)
{
	if (o->pad_header && in_base < o->header_size)
		return err_set(err, MCUPROV_ERR_USAGE, o->outfile,
			       "the input's address 0x%x leaves no room for the header; give "
			       "-x/--hex-addr",
			       in_base);
	*base = in_base - (o->pad_header ? o->header_size : 0);
	return 0;
}

int image_sign_core(const struct image_sign_opts *o, const struct image_sign_extra *x,
		    struct image_sign_result *res, struct mcuprov_err *err)
{
	struct plan *p = NULL;
	struct sink s;
	struct file_atomic out;
	FILE *hextmp = NULL;
	uint8_t hdr[IMAGE_HEADER_SIZE], *headarea = NULL, tlvs[IMAGE_TLV_INFO_SIZE + 3 * 4 +
							      IMAGE_MAX_DIGEST + 1 + 1024 + 1024 +
							      IMAGE_TLV_SIZE + IMAGE_ENC_TLV_MAX];
	uint64_t in_size = 0, payload_len, img_size, hashed_len, total, in_off, enc_pad;
	uint32_t in_base = 0, flags = 0;
	size_t tlen, i;
	bool out_hex = image_path_is_hex(o->outfile), in_hex = image_path_is_hex(o->infile);
	bool have_out = false;
	unsigned int dlen = 0;
	int in_fd = -1, rc;

	memset(res, 0, sizeof(*res));
	sign_be = o->big_endian;
	memset(&s, 0, sizeof(s));
	s.fd = -1;
	p = malloc(sizeof(*p));
	if (p == NULL)
		return err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
	rc = plan_make(o, x, p, err);
	if (rc < 0)
		goto out;
	if (o->enc != NULL && o->vector_to_sign == IMAGE_VECTOR_NONE &&
	    (rc = image_enc_new(o->enc, &s.enc, err)) < 0)
		goto out;
	if (o->vector_to_sign == IMAGE_VECTOR_DIGEST && out_hex) {
		rc = err_set(err, MCUPROV_ERR_USAGE, o->outfile,
			     "--vector-to-sign digest writes raw bytes, not Intel HEX");
		goto out;
	}

	/* input: raw, or Intel HEX converted into an anonymous temporary file */
	if (x != NULL && x->in_fd >= 0) { /* --compression: the compressed payload */
		in_fd = dup(x->in_fd);
		in_size = x->in_size;
		if (in_fd < 0)
			in_fd = err_set(err, MCUPROV_ERR_IO, o->infile,
					"cannot reopen the compressed payload: %s",
					strerror(errno));
	} else {
		in_fd = image_open_input(o->infile, o->erased_val, &in_size, &in_base, err);
	}
	if (in_fd < 0) {
		rc = in_fd;
		in_fd = -1;
		goto out;
	}

	/* header area: erased bytes, or the input's own (which must be zero) */
	headarea = malloc(o->header_size);
	if (headarea == NULL) {
		rc = err_set(err, MCUPROV_ERR_NOMEM, o->infile, "out of memory");
		goto out;
	}
	if (o->pad_header) {
		memset(headarea, o->erased_val, o->header_size);
		payload_len = o->header_size + in_size;
		in_off = 0;
	} else {
		if (in_size < o->header_size) {
			rc = err_set(err, MCUPROV_ERR_FORMAT, o->infile,
				     "input (%llu bytes) is smaller than the header size 0x%x",
				     (unsigned long long)in_size, o->header_size);
			goto out;
		}
		if (file_pread_all(in_fd, headarea, o->header_size, 0) < 0) {
			rc = err_set(err, MCUPROV_ERR_IO, o->infile, "read error: %s", strerror(errno));
			goto out;
		}
		for (i = 0; i < o->header_size; i++)
			if (headarea[i] != 0) {
				rc = err_set(err, MCUPROV_ERR_USAGE, o->infile,
					     "the first 0x%x bytes (the header area) are not all "
					     "zero: use --pad-header to add a header in front",
					     o->header_size);
				goto out;
			}
		payload_len = in_size;
		in_off = o->header_size;
	}
	enc_pad = image_enc_pad(o->enc, payload_len); /* -E: zeros up to 16-byte multiple */
	payload_len += enc_pad;
	img_size = payload_len - o->header_size;
	if (s.enc != NULL)
		image_enc_set_region(s.enc, o->header_size, payload_len);
	if (img_size > 0xffffffffULL) {
		rc = err_set(err, MCUPROV_ERR_FORMAT, o->infile, "input too large for an image (4 GiB)");
		goto out;
	}
	hashed_len = payload_len + p->prot_len;
	/* fail before streaming when the size is known: all but ECDSA
	 * signatures have a fixed length (imgtool checks after signing, and
	 * not at all when only the vector to sign is written) */
	if (o->slot_size > 0 && o->vector_to_sign == IMAGE_VECTOR_NONE) {
		uint64_t est = hashed_len + unprot_size(o, p) +
			       (o->enc ? IMAGE_TLV_SIZE + image_enc_tlv_len(o->enc) : 0),
			 need = est + p->tsize;

		if (need > o->slot_size && (p->key == NULL || p->key->type != KEY_ECDSA_P256) &&
		    (p->key == NULL || p->key->type != KEY_ECDSA_P384 || o->fix_sig != NULL)) {
			rc = err_set(err, MCUPROV_ERR_USAGE, o->infile,
				     "image (0x%llx bytes with header and TLVs) + trailer (0x%llx) "
				     "exceeds the slot size 0x%x",
				     (unsigned long long)est, (unsigned long long)p->tsize,
				     o->slot_size);
			goto out;
		}
	}

	/* output: the atomic temporary file, or for HEX an anonymous one first */
	rc = file_atomic_open(&out, o->outfile, FILE_WRITE_FORCE | FILE_WRITE_NOSYNC, err);
	if (rc < 0)
		goto out;
	have_out = true;
	if (out_hex) {
		hextmp = tmpfile();
		if (hextmp == NULL) {
			rc = err_set(err, MCUPROV_ERR_IO, o->outfile,
				     "cannot create temporary file: %s", strerror(errno));
			goto out;
		}
		s.fd = fileno(hextmp);
	} else {
		s.fd = out.fd;
	}
	if (o->vector_to_sign == IMAGE_VECTOR_DIGEST || (x != NULL && x->discard))
		s.fd = -1; /* only the digest is written, at the end; or nothing */
	s.buf = malloc(IMAGE_CHUNK);
	s.md = EVP_MD_CTX_new();
	if (s.buf == NULL || s.md == NULL || EVP_DigestInit_ex(s.md, p->md, NULL) != 1) {
		rc = err_set(err, MCUPROV_ERR_NOMEM, o->outfile, "out of memory");
		goto out;
	}
	if (o->vector_to_sign == IMAGE_VECTOR_NONE && p->key != NULL) {
		if (o->pure) {
			/* pure Ed25519 signs the whole message: the one
			 * exception to constant memory */
			s.whole_cap = hashed_len;
			s.whole = malloc(hashed_len ? hashed_len : 1);
			if (s.whole == NULL) {
				rc = err_set(err, MCUPROV_ERR_NOMEM, o->infile,
					     "out of memory (--pure keeps the whole image in memory)");
				goto out;
			}
		}
	}

	/* header + payload + protected TLVs: hashed and signed */
	if (o->has_load_addr && o->load_addr != 0)
		flags |= IMAGE_F_RAM_LOAD;
	if (o->has_rom_fixed && o->rom_fixed != 0)
		flags |= IMAGE_F_ROM_FIXED;
	if (o->non_bootable)
		flags |= IMAGE_F_NON_BOOTABLE;
	flags |= image_enc_flags(o->enc);
	if (x != NULL)
		flags |= x->flags;
	memset(hdr, 0, sizeof(hdr));
	wr32(hdr, IMAGE_MAGIC);
	wr32(hdr + 4, o->has_rom_fixed && o->rom_fixed ? o->rom_fixed
		      : o->has_load_addr               ? o->load_addr
						       : 0);
	wr16(hdr + 8, (uint16_t)o->header_size);
	wr16(hdr + 10, (uint16_t)p->prot_len);
	wr32(hdr + 12, (uint32_t)img_size);
	wr32(hdr + 16, flags);
	hdr[20] = o->version.major;
	hdr[21] = o->version.minor;
	wr16(hdr + 22, o->version.revision);
	wr32(hdr + 24, o->version.build);
	memcpy(headarea, hdr, sizeof(hdr));
	s.hashing = true;
	sink_put(&s, headarea, o->header_size);
	rc = image_stream(in_fd, in_off, in_size - in_off, sink_feed, &s, o->infile, err);
	if (rc < 0)
		goto out;
	sink_fill(&s, 0, enc_pad);
	sink_put(&s, p->prot, p->prot_len);
	s.hashing = false;
	EVP_DigestFinal_ex(s.md, res->digest, &dlen);
	res->digest_len = dlen;

	/* unprotected TLVs: hash, [SIG_PURE], KEYHASH|PUBKEY, signature */
	tlen = IMAGE_TLV_INFO_SIZE;
	put_tlv(tlvs, &tlen, p->hash_tlv, res->digest, dlen);
	if (o->pure) {
		const uint8_t one = 1;

		put_tlv(tlvs, &tlen, TLV_SIG_PURE, &one, 1);
	}
	if (o->vector_to_sign == IMAGE_VECTOR_DIGEST) {
		if (file_write_all(out.fd, res->digest, dlen) < 0) {
			rc = err_set(err, MCUPROV_ERR_IO, o->outfile, "write error: %s",
				     strerror(errno));
			goto out;
		}
		res->out_size = dlen;
		goto commit;
	}
	if (o->vector_to_sign == IMAGE_VECTOR_PAYLOAD)
		goto flush; /* header + payload + protected TLVs only */
	if (p->key != NULL) {
		uint8_t *der = NULL;
		size_t derlen = 0;

		rc = key_public_der(p->key, &der, &derlen, err);
		if (rc < 0)
			goto out;
		if (o->public_key_full) {
			if (derlen > 1024) {
				OPENSSL_free(der);
				rc = err_set(err, MCUPROV_ERR_INTERNAL, NULL, "public key too long");
				goto out;
			}
			put_tlv(tlvs, &tlen, TLV_PUBKEY, der, derlen);
		} else {
			uint8_t kh[IMAGE_MAX_DIGEST];
			unsigned int khlen = 0;

			/* KEYHASH uses the image's hash algorithm */
			EVP_Digest(der, derlen, kh, &khlen, p->md, NULL);
			put_tlv(tlvs, &tlen, TLV_KEYHASH, kh, khlen);
		}
		OPENSSL_free(der);
		rc = finish_signature(o, p, &s, res->digest, dlen, res->sig, &res->sig_len, err);
		if (rc < 0) {
			if (err != NULL && err->subject[0] == '\0')
				snprintf(err->subject, sizeof(err->subject), "%s",
					 o->fix_sig ? "--fix-sig" : o->infile);
			goto out;
		}
		if (o->pad_sig && o->fix_sig == NULL) /* imgtool pads only its own */
			image_pad_sig(p->key->type, res->sig, &res->sig_len);
		put_tlv(tlvs, &tlen, image_sig_tlv(p->key->type), res->sig, res->sig_len);
	}
	if (s.enc != NULL) { /* the ENC TLV comes last */
		const uint8_t *ev;
		unsigned et;
		size_t elen;

		ev = image_enc_tlv(s.enc, &et, &elen);
		put_tlv(tlvs, &tlen, et, ev, elen);
	}
	wr16(tlvs, IMAGE_TLV_INFO_MAGIC);
	wr16(tlvs + 2, (uint16_t)tlen);
	sink_put(&s, tlvs, tlen);
	total = hashed_len + tlen;
	if (o->slot_size > 0 && total + p->tsize > o->slot_size) { /* exact, after signing */
		rc = err_set(err, MCUPROV_ERR_USAGE, o->infile,
			     "image (0x%llx bytes with header and TLVs) + trailer (0x%llx) exceeds "
			     "the slot size 0x%x",
			     (unsigned long long)total, (unsigned long long)p->tsize, o->slot_size);
		goto out;
	}
	if (o->pad && !out_hex) {
		/* padding, trailer (image_ok at -(magic_align + max_align)), magic */
		uint64_t magic_align = align_up(IMAGE_BOOT_MAGIC_SIZE, p->max_align);

		sink_fill(&s, o->erased_val, o->slot_size - total - p->tsize);
		if (o->confirm && !o->overwrite_only) {
			uint8_t one = 0x01;

			sink_fill(&s, o->erased_val, p->tsize - magic_align - p->max_align);
			sink_put(&s, &one, 1);
			sink_fill(&s, o->erased_val, magic_align + p->max_align - 1 -
							     IMAGE_BOOT_MAGIC_SIZE);
		} else {
			sink_fill(&s, o->erased_val, p->tsize - IMAGE_BOOT_MAGIC_SIZE);
		}
		sink_put(&s, p->boot_magic, IMAGE_BOOT_MAGIC_SIZE);
	}
flush:
	sink_flush(&s);
	if (s.error != 0) {
		rc = err_set(err, MCUPROV_ERR_IO, o->outfile, "write error: %s", strerror(s.error));
		goto out;
	}
	if (image_enc_failed(s.enc)) {
		rc = err_set(err, MCUPROV_ERR_CRYPTO, o->outfile, "AES-CTR encryption failed");
		goto out;
	}
	res->out_size = s.written;
	if (x != NULL && x->discard) {
		rc = 0; /* --compression's first pass: the digest and signature only */
		goto out;
	}
	if (out_hex) {
		uint32_t base;

		if (o->has_hex_addr) {
			base = o->hex_addr;
		} else if (in_hex) {
			if ((rc = image_hex_base(o, in_base, &base, err)) < 0)
				goto out;
		} else {
			rc = err_set(err, MCUPROV_ERR_USAGE, o->outfile,
				     "Intel HEX output needs an address: give -x/--hex-addr (the "
				     "input is raw binary)");
			goto out;
		}
		rc = write_hex(fileno(hextmp), s.written, base, out.fd, o, p, err);
		if (rc < 0)
			goto out;
	}
commit:
	have_out = false;
	rc = file_atomic_commit(&out, err);
out:
	if (have_out)
		file_atomic_abort(&out);
	if (in_fd >= 0)
		close(in_fd);
	if (hextmp != NULL)
		fclose(hextmp);
	EVP_MD_CTX_free(s.md);
	image_enc_free(s.enc);
	free(s.buf);
	free(s.whole);
	free(headarea);
	free(p);
	return rc;
}
