/* MCUboot image encryption and decryption, compatible with imgtool sign -E
 * and MCUboot's bootutil (see mcuprov/imgenc.h for the format). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "image-internal.h"
#include "mcuprov/fileio.h"
#include "mcuprov/imgenc.h"

#define ECIES_INFO "MCUBoot_ECIES_v1"
#define EC256_PUB_LEN 65 /* uncompressed point */
#define X25519_PUB_LEN 32

struct image_enc {
	uint8_t key[32];
	size_t keylen;
	uint8_t tlv[IMAGE_ENC_TLV_MAX];
	size_t tlv_len;
	unsigned tlv_type;
	EVP_CIPHER_CTX *ctx; /* NULL: --clear, nothing transformed */
	uint64_t start, end;
	bool failed;
};

void image_enc_opts_init(struct image_enc_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->keylen = 128;
	o->hmac = IMAGE_HMAC_AUTO;
}

static size_t key_bytes(const struct image_enc_opts *o)
{
	return o->keylen == 256 ? 32 : 16;
}

static bool use_sha512(const struct image_enc_opts *o)
{
	return o->hmac == IMAGE_HMAC_512 && o->key->type == KEY_X25519;
}

int image_enc_check(const struct image_enc_opts *o, const struct mcuprov_key *signkey,
		    struct mcuprov_err *err)
{
	enum key_type t = o->key->type;

	if (t != KEY_RSA2048 && t != KEY_ECDSA_P256 && t != KEY_X25519)
		return err_set(err, MCUPROV_ERR_USAGE, NULL,
			       "%s keys cannot encrypt images (MCUboot decrypts with rsa-2048, "
			       "ecdsa-p256 or x25519)",
			       key_type_name(t));
	if (o->keylen != 128 && o->keylen != 256)
		return err_set(err, MCUPROV_ERR_USAGE, NULL, "invalid --encrypt-keylen %u (128 or 256)",
			       o->keylen);
	if (o->hmac != IMAGE_HMAC_AUTO && o->hmac != IMAGE_HMAC_256 && o->hmac != IMAGE_HMAC_512)
		return err_set(err, MCUPROV_ERR_USAGE, NULL, "invalid --hmac-sha %u (auto, 256 or 512)",
			       (unsigned)o->hmac);
	/* imgtool ignores --hmac-sha for RSA (no HMAC) */
	if (o->hmac == IMAGE_HMAC_512 && t == KEY_ECDSA_P256)
		return err_set(err, MCUPROV_ERR_USAGE, NULL,
			       "--hmac-sha 512 needs an x25519 encryption key (only ECIES-X25519 "
			       "supports HMAC-SHA512)");
	if (signkey != NULL &&
	    ((signkey->type == KEY_ECDSA_P256 && t != KEY_ECDSA_P256) ||
	     signkey->type == KEY_ECDSA_P384 ||
	     ((signkey->type == KEY_RSA2048 || signkey->type == KEY_RSA3072) && t != KEY_RSA2048)))
		return err_set(err, MCUPROV_ERR_USAGE, NULL,
			       "signing and encryption must use the same type of key, as imgtool "
			       "requires (%s signing key, %s encryption key)",
			       key_type_name(signkey->type), key_type_name(t));
	return 0;
}

uint32_t image_enc_flags(const struct image_enc_opts *o)
{
	if (o == NULL)
		return 0;
	return o->keylen == 256 ? IMAGE_F_ENCRYPTED_AES256 : IMAGE_F_ENCRYPTED_AES128;
}

uint64_t image_enc_pad(const struct image_enc_opts *o, uint64_t len)
{
	return o == NULL ? 0 : (16 - len % 16) % 16;
}

unsigned image_enc_tlv_type(const struct image_enc_opts *o)
{
	switch (o->key->type) {
	case KEY_RSA2048: return TLV_ENCRSA2048;
	case KEY_ECDSA_P256: return TLV_ENCEC256;
	default: return use_sha512(o) ? TLV_ENCX25519_SHA512 : TLV_ENCX25519;
	}
}

size_t image_enc_tlv_len(const struct image_enc_opts *o)
{
	switch (o->key->type) {
	case KEY_RSA2048: return 256;
	case KEY_ECDSA_P256: return EC256_PUB_LEN + 32 + key_bytes(o);
	default: return X25519_PUB_LEN + (use_sha512(o) ? 64 : 32) + key_bytes(o);
	}
}

uint64_t image_enc_trailer_size(const struct image_enc_opts *o, unsigned max_align)
{
	uint64_t slot;

	if (o == NULL)
		return 0;
	/* imgtool: a 16-byte slot even for AES-256 keys */
	slot = o->save_enctlv ? image_enc_tlv_len(o) : 16;
	slot = (slot + max_align - 1) / max_align * max_align;
	return 2 * slot;
}

/* ---- primitives ---------------------------------------------------------- */

/* OUT = AES-CTR(KEY, zero counter block) of IN. */
static int aes_ctr(const uint8_t *key, size_t keylen, const uint8_t *in, size_t n, uint8_t *out)
{
	static const uint8_t iv[16];
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int l1 = 0, l2 = 0, ok;

	ok = c != NULL &&
	     EVP_EncryptInit_ex(c, keylen == 32 ? EVP_aes_256_ctr() : EVP_aes_128_ctr(), NULL, key,
				iv) == 1 &&
	     EVP_EncryptUpdate(c, out, &l1, in, (int)n) == 1 &&
	     EVP_EncryptFinal_ex(c, out + l1, &l2) == 1 && (size_t)(l1 + l2) == n;
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

/* ECDH of PRIV with PEER, then HKDF(MD) with ECIES_INFO into OUT (N bytes). */
static int ecies_kdf(EVP_PKEY *priv, EVP_PKEY *peer, const char *md, uint8_t *out, size_t n)
{
	EVP_PKEY_CTX *dctx = EVP_PKEY_CTX_new_from_pkey(NULL, priv, NULL);
	EVP_KDF *kdf = NULL;
	EVP_KDF_CTX *kctx = NULL;
	uint8_t shared[64];
	size_t slen = sizeof(shared);
	OSSL_PARAM params[4];
	int rc = -1;

	if (dctx == NULL || EVP_PKEY_derive_init(dctx) != 1 ||
	    EVP_PKEY_derive_set_peer(dctx, peer) != 1 || EVP_PKEY_derive(dctx, shared, &slen) != 1)
		goto out;
	kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	kctx = kdf != NULL ? EVP_KDF_CTX_new(kdf) : NULL;
	if (kctx == NULL)
		goto out;
	/* no salt: RFC 5869's zero salt, as imgtool's salt=None */
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)md, 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, shared, slen);
	params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (char *)ECIES_INFO,
						      strlen(ECIES_INFO));
	params[3] = OSSL_PARAM_construct_end();
	if (EVP_KDF_derive(kctx, out, n, params) == 1)
		rc = 0;
out:
	OPENSSL_cleanse(shared, sizeof(shared));
	EVP_KDF_CTX_free(kctx);
	EVP_KDF_free(kdf);
	EVP_PKEY_CTX_free(dctx);
	return rc;
}

static int hmac(const char *md, const uint8_t *key, size_t keylen, const uint8_t *msg, size_t n,
		uint8_t *out, size_t *outlen)
{
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *ctx = mac != NULL ? EVP_MAC_CTX_new(mac) : NULL;
	OSSL_PARAM params[2];
	int rc = -1;

	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)md, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (ctx != NULL && EVP_MAC_init(ctx, key, keylen, params) == 1 &&
	    EVP_MAC_update(ctx, msg, n) == 1 && EVP_MAC_final(ctx, out, outlen, 64) == 1)
		rc = 0;
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return rc;
}

/* The public half of KEY alone (KEY may hold the private key too). */
static EVP_PKEY *public_only(const struct mcuprov_key *key)
{
	uint8_t *der = NULL;
	size_t len = 0;
	const unsigned char *p;
	EVP_PKEY *pub = NULL;

	if (key->type == KEY_RSA2048 || key_public_der(key, &der, &len, NULL) < 0)
		return NULL;
	p = der;
	pub = d2i_PUBKEY(NULL, &p, (long)len);
	OPENSSL_free(der);
	return pub;
}

static int rsa_oaep_ctx(EVP_PKEY_CTX *c)
{
	return EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_OAEP_PADDING) == 1 &&
		       EVP_PKEY_CTX_set_rsa_oaep_md(c, EVP_sha256()) == 1 &&
		       EVP_PKEY_CTX_set_rsa_mgf1_md(c, EVP_sha256()) == 1
		   ? 0
		   : -1;
}

/* ---- encryption ---------------------------------------------------------- */

static int wrap_key(const struct image_enc_opts *o, struct image_enc *e, struct mcuprov_err *err)
{
	const char *md = use_sha512(o) ? "SHA512" : "SHA256";
	size_t mdlen = use_sha512(o) ? 64 : 32, publen, maclen = 0;
	uint8_t derived[32 + 64], *pubp, *macp, *keyp;
	EVP_PKEY *eph = NULL, *peer = NULL;
	EVP_PKEY_CTX *c = NULL;
	int rc = MCUPROV_ERR_CRYPTO;

	e->tlv_type = image_enc_tlv_type(o);
	e->tlv_len = image_enc_tlv_len(o);
	if (o->key->type == KEY_RSA2048) {
		size_t outlen = sizeof(e->tlv);

		c = EVP_PKEY_CTX_new_from_pkey(NULL, o->key->pkey, NULL);
		if (c == NULL || EVP_PKEY_encrypt_init(c) != 1 || rsa_oaep_ctx(c) < 0 ||
		    EVP_PKEY_encrypt(c, e->tlv, &outlen, e->key, e->keylen) != 1 ||
		    outlen != e->tlv_len) {
			rc = err_set_ssl(err, MCUPROV_ERR_CRYPTO, NULL,
					 "RSA-OAEP encryption of the image key failed");
			goto out;
		}
		rc = 0;
		goto out;
	}
	/* ECIES: ephemeral key | HMAC | AES-CTR-wrapped key */
	publen = o->key->type == KEY_ECDSA_P256 ? EC256_PUB_LEN : X25519_PUB_LEN;
	pubp = e->tlv;
	macp = pubp + publen;
	keyp = macp + mdlen;
	peer = public_only(o->key);
	eph = o->key->type == KEY_ECDSA_P256 ? EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256")
					     : EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
	if (peer == NULL || eph == NULL ||
	    ecies_kdf(eph, peer, md, derived, e->keylen + mdlen) < 0 ||
	    aes_ctr(derived, e->keylen, e->key, e->keylen, keyp) < 0 ||
	    hmac(md, derived + e->keylen, mdlen, keyp, e->keylen, macp, &maclen) < 0 ||
	    maclen != mdlen) {
		rc = err_set_ssl(err, MCUPROV_ERR_CRYPTO, NULL,
				 "ECIES wrapping of the image key failed");
		goto out;
	}
	if (o->key->type == KEY_ECDSA_P256) {
		size_t n = 0;

		if (EVP_PKEY_get_octet_string_param(eph, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pubp,
						    publen, &n) != 1 ||
		    n != publen || pubp[0] != 0x04) {
			rc = err_set_ssl(err, MCUPROV_ERR_CRYPTO, NULL,
					 "cannot encode the ephemeral public key");
			goto out;
		}
	} else {
		size_t n = publen;

		if (EVP_PKEY_get_raw_public_key(eph, pubp, &n) != 1 || n != publen) {
			rc = err_set_ssl(err, MCUPROV_ERR_CRYPTO, NULL,
					 "cannot encode the ephemeral public key");
			goto out;
		}
	}
	rc = 0;
out:
	OPENSSL_cleanse(derived, sizeof(derived));
	EVP_PKEY_CTX_free(c);
	EVP_PKEY_free(eph);
	EVP_PKEY_free(peer);
	return rc;
}

static int cipher_init(struct image_enc *e, struct mcuprov_err *err)
{
	static const uint8_t iv[16];

	e->ctx = EVP_CIPHER_CTX_new();
	if (e->ctx == NULL ||
	    EVP_EncryptInit_ex(e->ctx, e->keylen == 32 ? EVP_aes_256_ctr() : EVP_aes_128_ctr(),
			       NULL, e->key, iv) != 1)
		return err_set_ssl(err, MCUPROV_ERR_CRYPTO, NULL, "cannot set up AES-CTR");
	return 0;
}

int image_enc_new(const struct image_enc_opts *o, struct image_enc **out,
		  struct mcuprov_err *err)
{
	struct image_enc *e = calloc(1, sizeof(*e));
	int rc;

	*out = NULL;
	if (e == NULL)
		return err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
	e->keylen = key_bytes(o);
	e->end = UINT64_MAX;
	if (RAND_priv_bytes(e->key, (int)e->keylen) != 1) {
		rc = err_set_ssl(err, MCUPROV_ERR_CRYPTO, NULL, "no random bytes for the image key");
		goto fail;
	}
	if ((rc = wrap_key(o, e, err)) < 0)
		goto fail;
	if (!o->clear && (rc = cipher_init(e, err)) < 0)
		goto fail;
	*out = e;
	return 0;
fail:
	image_enc_free(e);
	return rc;
}

const uint8_t *image_enc_tlv(const struct image_enc *e, unsigned *type, size_t *len)
{
	*type = e->tlv_type;
	*len = e->tlv_len;
	return e->tlv;
}

void image_enc_set_region(struct image_enc *e, uint64_t start, uint64_t end)
{
	e->start = start;
	e->end = end;
}

void image_enc_apply(struct image_enc *e, uint64_t off, uint8_t *p, size_t n)
{
	size_t lo, hi;

	if (e == NULL || e->ctx == NULL || n == 0 || off + n <= e->start || off >= e->end)
		return;
	lo = off < e->start ? (size_t)(e->start - off) : 0;
	hi = off + n > e->end ? (size_t)(e->end - off) : n;
	while (lo < hi) {
		int k = hi - lo > (1 << 30) ? 1 << 30 : (int)(hi - lo), outl = 0;

		if (EVP_EncryptUpdate(e->ctx, p + lo, &outl, p + lo, k) != 1 || outl != k)
			e->failed = true;
		lo += (size_t)k;
	}
}

bool image_enc_failed(const struct image_enc *e)
{
	return e != NULL && e->failed;
}

void image_enc_free(struct image_enc *e)
{
	if (e == NULL)
		return;
	EVP_CIPHER_CTX_free(e->ctx);
	OPENSSL_cleanse(e, sizeof(*e));
	free(e);
}

/* ---- decryption ---------------------------------------------------------- */

bool image_is_encrypted(const struct image_info *info)
{
	return (info->hdr.flags & (IMAGE_F_ENCRYPTED_AES128 | IMAGE_F_ENCRYPTED_AES256)) != 0;
}

static bool is_enc_tlv(unsigned type)
{
	return type == TLV_ENCRSA2048 || type == TLV_ENCKW || type == TLV_ENCEC256 ||
	       type == TLV_ENCX25519 || type == TLV_ENCX25519_SHA512;
}

static enum key_type enc_tlv_key(unsigned type)
{
	switch (type) {
	case TLV_ENCRSA2048: return KEY_RSA2048;
	case TLV_ENCEC256: return KEY_ECDSA_P256;
	case TLV_ENCX25519:
	case TLV_ENCX25519_SHA512: return KEY_X25519;
	default: return KEY_TYPE_NONE;
	}
}

/* Unwrap the ECIES TLV T with the private KEY into E->key. */
static int ecies_unwrap(const struct image_tlv_entry *t, const struct mcuprov_key *key,
			struct image_enc *e, const char *subject, struct mcuprov_err *err)
{
	bool p256 = key->type == KEY_ECDSA_P256, sha512 = t->type == TLV_ENCX25519_SHA512;
	size_t publen = p256 ? EC256_PUB_LEN : X25519_PUB_LEN, mdlen = sha512 ? 64 : 32, maclen = 0;
	const char *md = sha512 ? "SHA512" : "SHA256";
	uint8_t derived[32 + 64], mac[64];
	EVP_PKEY *eph = NULL;
	int rc;

	if (t->len != publen + mdlen + e->keylen)
		return err_set(err, MCUPROV_ERR_FORMAT, subject,
			       "bad %s TLV: length %u, expected %zu for AES-%zu", image_tlv_name(t->type),
			       t->len, publen + mdlen + e->keylen, e->keylen * 8);
	if (p256) {
		EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
		OSSL_PARAM params[3];

		params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
							     (char *)"P-256", 0);
		params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, t->value,
							      publen);
		params[2] = OSSL_PARAM_construct_end();
		if (pc == NULL || EVP_PKEY_fromdata_init(pc) != 1 ||
		    EVP_PKEY_fromdata(pc, &eph, EVP_PKEY_PUBLIC_KEY, params) != 1)
			eph = NULL;
		EVP_PKEY_CTX_free(pc);
	} else {
		eph = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, t->value, publen);
	}
	if (eph == NULL) {
		ERR_clear_error();
		return err_set(err, MCUPROV_ERR_FORMAT, subject,
			       "bad %s TLV: the ephemeral public key is not a valid %s point",
			       image_tlv_name(t->type), p256 ? "P-256" : "X25519");
	}
	if (ecies_kdf(key->pkey, eph, md, derived, e->keylen + mdlen) < 0 ||
	    hmac(md, derived + e->keylen, mdlen, t->value + publen + mdlen, e->keylen, mac,
		 &maclen) < 0) {
		rc = err_set_ssl(err, MCUPROV_ERR_CRYPTO, subject, "ECIES key agreement failed");
		goto out;
	}
	if (maclen != mdlen || CRYPTO_memcmp(mac, t->value + publen, mdlen) != 0) {
		rc = err_set(err, MCUPROV_ERR_REFUSED, subject,
			     "wrong encryption key: the %s TLV does not open with this %s key "
			     "(HMAC mismatch)",
			     image_tlv_name(t->type), key_type_name(key->type));
		goto out;
	}
	if (aes_ctr(derived, e->keylen, t->value + publen + mdlen, e->keylen, e->key) < 0) {
		rc = err_set_ssl(err, MCUPROV_ERR_CRYPTO, subject, "AES-CTR failed");
		goto out;
	}
	rc = 0;
out:
	OPENSSL_cleanse(derived, sizeof(derived));
	EVP_PKEY_free(eph);
	return rc;
}

int image_enc_open(const struct image_info *info, const struct mcuprov_key *key,
		   const char *subject, struct image_enc **out, struct mcuprov_err *err)
{
	const struct image_tlv_entry *t = NULL;
	struct image_enc *e = NULL;
	size_t i;
	int rc;

	*out = NULL;
	if (key->origin == KEY_ORIGIN_TOKEN)
		return err_set(err, MCUPROV_ERR_USAGE, key->uri,
			       "a key in a PKCS#11 token: its private half never leaves the token, "
			       "and decrypting the image needs it (give the key file)");
	if (!image_is_encrypted(info))
		return err_set(err, MCUPROV_ERR_FORMAT, subject,
			       "the image is not encrypted (no ENCRYPTED_AES128 or ENCRYPTED_AES256 "
			       "flag)");
	/* MCUboot looks for the ENC TLV in the unprotected area */
	for (i = 0; i < info->tlvs.n_tlvs && t == NULL; i++)
		if (is_enc_tlv(info->tlvs.tlvs[i].type))
			t = &info->tlvs.tlvs[i];
	if (t == NULL)
		return err_set(err, MCUPROV_ERR_FORMAT, subject,
			       "the image is flagged encrypted but has no ENCRSA2048, ENCEC256 or "
			       "ENCX25519 TLV");
	if (t->type == TLV_ENCKW)
		return err_set(err, MCUPROV_ERR_UNSUPPORTED, subject,
			       "ENCKW (AES key-wrap) images are not supported");
	if (!key->is_private)
		return err_set(err, MCUPROV_ERR_USAGE, subject,
			       "decryption needs the private encryption key, not a public key");
	if (key->type != enc_tlv_key(t->type))
		return err_set(err, MCUPROV_ERR_REFUSED, subject,
			       "wrong encryption key: the image is encrypted for a %s key (%s TLV), "
			       "not %s",
			       key_type_name(enc_tlv_key(t->type)), image_tlv_name(t->type),
			       key_type_name(key->type));
	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return err_set(err, MCUPROV_ERR_NOMEM, subject, "out of memory");
	e->keylen = info->hdr.flags & IMAGE_F_ENCRYPTED_AES256 ? 32 : 16;
	if (t->type == TLV_ENCRSA2048) {
		EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, key->pkey, NULL);
		uint8_t plain[256];
		size_t plen = sizeof(plain);
		bool ok = c != NULL && EVP_PKEY_decrypt_init(c) == 1 && rsa_oaep_ctx(c) == 0 &&
			  EVP_PKEY_decrypt(c, plain, &plen, t->value, t->len) == 1;

		EVP_PKEY_CTX_free(c);
		ERR_clear_error();
		if (!ok || plen != e->keylen) {
			OPENSSL_cleanse(plain, sizeof(plain));
			rc = !ok ? err_set(err, MCUPROV_ERR_REFUSED, subject,
					   "wrong encryption key: the ENCRSA2048 TLV does not open "
					   "with this rsa-2048 key (RSA-OAEP decryption failed)")
				 : err_set(err, MCUPROV_ERR_FORMAT, subject,
					   "bad ENCRSA2048 TLV: a %zu-byte key, the header flags "
					   "say AES-%zu",
					   plen, e->keylen * 8);
			goto fail;
		}
		memcpy(e->key, plain, e->keylen);
		OPENSSL_cleanse(plain, sizeof(plain));
	} else if ((rc = ecies_unwrap(t, key, e, subject, err)) < 0) {
		goto fail;
	}
	if ((rc = cipher_init(e, err)) < 0)
		goto fail;
	image_enc_set_region(e, info->hdr.hdr_size, (uint64_t)info->hdr.hdr_size + info->hdr.img_size);
	*out = e;
	return 0;
fail:
	image_enc_free(e);
	return rc;
}

/* Where image_decrypt() streams the whole file. */
struct dec_sink {
	struct image_enc *e;
	EVP_MD_CTX *plain, *raw; /* hashes of the decrypted and the stored bytes */
	uint64_t pos, hashed_end;
	uint8_t *buf;
	int fd;
	int error;
};

static void dec_feed(void *arg, const uint8_t *p, size_t n)
{
	struct dec_sink *d = arg;

	while (n > 0) {
		size_t k = n < IMAGE_CHUNK ? n : IMAGE_CHUNK, h = 0;

		memcpy(d->buf, p, k);
		if (d->pos < d->hashed_end)
			h = d->hashed_end - d->pos < k ? (size_t)(d->hashed_end - d->pos) : k;
		EVP_DigestUpdate(d->raw, d->buf, h);
		image_enc_apply(d->e, d->pos, d->buf, k);
		EVP_DigestUpdate(d->plain, d->buf, h);
		if (d->error == 0 && file_write_all(d->fd, d->buf, k) < 0)
			d->error = errno ? errno : EIO;
		d->pos += k;
		p += k;
		n -= k;
	}
}

int image_decrypt(const char *in, const char *out, const struct mcuprov_key *key,
		  struct mcuprov_err *err)
{
	struct image_info *info = NULL;
	struct dec_sink d;
	struct file_atomic fa;
	const struct image_tlv_entry *hash = NULL;
	uint8_t dg_plain[IMAGE_MAX_DIGEST], dg_raw[IMAGE_MAX_DIGEST];
	unsigned int l1 = 0, l2 = 0;
	uint64_t fsize = 0;
	uint32_t base = 0;
	bool have_out = false;
	size_t i;
	int fd = -1, rc;

	memset(&d, 0, sizeof(d));
	if (image_path_is_hex(out))
		return err_set(err, MCUPROV_ERR_USAGE, out,
			       "decrypt writes raw binary, not Intel HEX (name OUT without .hex)");
	if ((rc = image_parse(in, &info, err)) < 0)
		return rc;
	if ((rc = image_enc_open(info, key, in, &d.e, err)) < 0)
		goto out;
	for (i = 0; i < info->tlvs.n_tlvs && hash == NULL; i++)
		if (image_hash_md(info->tlvs.tlvs[i].type) != NULL)
			hash = &info->tlvs.tlvs[i];
	if (hash == NULL || hash->len != (unsigned)EVP_MD_get_size(image_hash_md(hash->type))) {
		rc = err_set(err, MCUPROV_ERR_FORMAT, in,
			     "no valid SHA256, SHA384 or SHA512 TLV: not a complete MCUboot image");
		goto out;
	}
	fd = image_open_input(in, 0xff, &fsize, &base, err);
	if (fd < 0) {
		rc = fd;
		fd = -1;
		goto out;
	}
	if (fsize != info->file_size) {
		rc = err_set(err, MCUPROV_ERR_IO, in, "file changed while being read");
		goto out;
	}
	d.hashed_end = (uint64_t)info->hdr.hdr_size + info->hdr.img_size +
		       info->hdr.protected_tlv_size;
	d.buf = malloc(IMAGE_CHUNK);
	d.plain = EVP_MD_CTX_new();
	d.raw = EVP_MD_CTX_new();
	if (d.buf == NULL || d.plain == NULL || d.raw == NULL ||
	    EVP_DigestInit_ex(d.plain, image_hash_md(hash->type), NULL) != 1 ||
	    EVP_DigestInit_ex(d.raw, image_hash_md(hash->type), NULL) != 1) {
		rc = err_set(err, MCUPROV_ERR_NOMEM, in, "out of memory");
		goto out;
	}
	if ((rc = file_atomic_open(&fa, out, FILE_WRITE_FORCE | FILE_WRITE_NOSYNC, err)) < 0)
		goto out;
	have_out = true;
	d.fd = fa.fd;
	if ((rc = image_stream(fd, 0, fsize, dec_feed, &d, in, err)) < 0)
		goto out;
	if (d.error != 0) {
		rc = err_set(err, MCUPROV_ERR_IO, out, "write error: %s", strerror(d.error));
		goto out;
	}
	if (image_enc_failed(d.e)) {
		rc = err_set(err, MCUPROV_ERR_CRYPTO, in, "AES-CTR decryption failed");
		goto out;
	}
	EVP_DigestFinal_ex(d.plain, dg_plain, &l1);
	EVP_DigestFinal_ex(d.raw, dg_raw, &l2);
	if (memcmp(dg_plain, hash->value, l1) != 0) {
		rc = memcmp(dg_raw, hash->value, l2) == 0
			     ? err_set(err, MCUPROV_ERR_REFUSED, in,
				       "the payload is not encrypted (an image written with "
				       "-c/--clear): nothing to decrypt")
			     : err_set(err, MCUPROV_ERR_REFUSED, in,
				       "hash mismatch after decryption: the image was corrupted or "
				       "tampered with");
		goto out;
	}
	have_out = false;
	rc = file_atomic_commit(&fa, err);
out:
	if (have_out)
		file_atomic_abort(&fa);
	if (fd >= 0)
		close(fd);
	EVP_MD_CTX_free(d.plain);
	EVP_MD_CTX_free(d.raw);
	free(d.buf);
	image_enc_free(d.e);
	image_info_free(info);
	return rc;
}
