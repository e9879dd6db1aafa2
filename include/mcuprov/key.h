/* mcuprov core: MCUboot signing and encryption keys.
 *
 * A struct mcuprov_key wraps an OpenSSL EVP_PKEY of one of the types MCUboot
 * supports, with what mcuprov learned while loading it.  All cryptography is
 * OpenSSL's (EVP/OSSL_ENCODER/OSSL_DECODER, PKCS#8 for the encrypted form);
 * this module only chooses formats and checks types. */
#ifndef MCUPROV_KEY_H
#define MCUPROV_KEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <openssl/evp.h>

#include "mcuprov/error.h"

enum key_type {
	KEY_TYPE_NONE = 0,
	KEY_RSA2048,
	KEY_RSA3072,
	KEY_ECDSA_P256,
	KEY_ECDSA_P384,
	KEY_ED25519,
	KEY_X25519,
};

/* The list mcuprov prints when it refuses a type. */
#define KEY_SUPPORTED_TYPES "rsa-2048, rsa-3072, ecdsa-p256, ecdsa-p384, ed25519, x25519"

/* Largest key file mcuprov reads (a 3072-bit RSA PEM is under 3 KiB). */
#define KEY_FILE_MAX (64 * 1024)

#define KEY_FINGERPRINT_LEN 32 /* SHA-256 */

struct devkey;

/* Key files at rest: a password-protected private key is written as PKCS#8
 * PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC, KEY_KDF_ROUNDS_DEFAULT
 * iterations unless asked for more (OWASP's 2023 floor for
 * PBKDF2-HMAC-SHA256 is 600,000; scrypt is not used because OpenSSL 3.0
 * refuses to decrypt scrypt keys above N=2^14, r=8, p=1 with its default
 * memory limit, far below OWASP's N=2^17).  Python's cryptography, and so
 * imgtool, loads them. */
#define KEY_KDF_ROUNDS_DEFAULT 600000u
#define KEY_KDF_ROUNDS_MIN 600000u
#define KEY_KDF_ROUNDS_MAX 100000000u

enum key_kdf {
	KEY_KDF_NONE = 0,    /* not encrypted */
	KEY_KDF_PBKDF2,      /* PKCS#8 PBES2 with PBKDF2 */
	KEY_KDF_SCRYPT,      /* PKCS#8 PBES2 with scrypt */
	KEY_KDF_PBES1,       /* PKCS#8 with a PKCS#5 v1.5 or PKCS#12 PBE */
	KEY_KDF_LEGACY_PEM,  /* "Proc-Type: 4,ENCRYPTED": EVP_BytesToKey, one MD5 round */
	KEY_KDF_UNKNOWN,     /* encrypted, in a way not recognised here */
};

/* How a key file is encrypted (key_encryption_info()). */
struct key_encryption {
	enum key_kdf kdf;
	char cipher[48];       /* "AES-256-CBC" ("" when unknown) */
	char prf[48];          /* PBKDF2: "HMAC-SHA256"; PBES1: the scheme ("PBE-SHA1-3DES") */
	uint64_t iterations;   /* PBKDF2, PBES1 */
	uint64_t scrypt_n, scrypt_r, scrypt_p;
	/* "PBES2, PBKDF2-HMAC-SHA256, 600000 iterations, AES-256-CBC",
	 * "PBES2, scrypt (N=2^14, r=8, p=1), AES-256-CBC",
	 * "legacy PEM (Proc-Type: 4,ENCRYPTED), AES-256-CBC, key from one MD5 round" */
	char text[200];
	/* cheap to guess offline (below OWASP 2023: PBKDF2-HMAC-SHA1 1,300,000,
	 * -SHA256 and others 600,000, -SHA512 210,000 iterations; scrypt
	 * N*r*p 655,360, its smallest recommended setting; every PBES1 and legacy
	 * PEM encryption); WEAK_WHY says what, e.g. "2048 PBKDF2-HMAC-SHA256
	 * iterations (at least 600000)" */
	bool weak;
	char weak_why[200];
};

/* Where a key lives. */
enum key_origin {
	KEY_ORIGIN_MEMORY = 0, /* key_generate() or key_load_mem() */
	KEY_ORIGIN_FILE,       /* key_load() of a file */
	KEY_ORIGIN_TOKEN,      /* key_load() of a PKCS#11 URI (pkcs11.h) */
};

struct mcuprov_key;

/* A key whose private half is not in this process (a PKCS#11 token) signs
 * through its ops: the capability model every front end asks through
 * key_can_sign() / key_can_export() instead of reading is_private. */
struct key_ops {
	/* Sign MSG as image_sig_op() does (the digest for RSA-PSS and ECDSA,
	 * the message for Ed25519; MD is the image's hash).  *SIGLEN holds the
	 * room in SIG on entry, the signature's length (as the TLV holds it:
	 * DER for ECDSA) on return. */
	int (*sign)(const struct mcuprov_key *key, const EVP_MD *md, const uint8_t *msg,
		    size_t msglen, uint8_t *sig, size_t *siglen, struct mcuprov_err *err);
	void (*free)(void *ctx);
};

struct mcuprov_key {
	EVP_PKEY *pkey;             /* owned: the public half, and the private one when is_private */
	enum key_type type;
	bool is_private;            /* the private half is in memory (can be saved and exported) */
	bool was_encrypted;         /* file was password-protected */
	bool insecure_mode;         /* private key file readable by group/others */
	mode_t file_mode;           /* st_mode of the file it was loaded from */
	const struct devkey *devkey; /* non-NULL: a published MCUboot dev key */
	struct key_encryption enc;  /* was_encrypted: how (kdf KEY_KDF_NONE otherwise) */
	enum key_origin origin;
	/* KEY_ORIGIN_TOKEN: the RFC 7512 URI that names the key (any pin-value
	 * removed) and where it is, "token 'prod', object 'signing-2026'" */
	char *uri;
	char *where;
	char *token;                /* KEY_ORIGIN_TOKEN: the token's label */
	const struct key_ops *ops;  /* non-NULL: signs outside this process */
	void *ops_ctx;              /* owned, released by ops->free */
};

/* Can KEY sign images: a signing type with its private half in memory or
 * reachable through its ops (a token). */
bool key_can_sign(const struct mcuprov_key *key);

/* Can KEY's private half be written out (key_save, key_private_der)?
 * Never for a token key: its private half never leaves the token. */
bool key_can_export(const struct mcuprov_key *key);

/* Sign MSG with KEY: in memory through OpenSSL, or through KEY's ops (see
 * struct key_ops for MSG and SIG).  Returns 0, MCUPROV_ERR_USAGE for a key
 * that cannot sign, or the signer's error. */
int key_sign(const struct mcuprov_key *key, const EVP_MD *md, const uint8_t *msg, size_t msglen,
	     uint8_t *sig, size_t *siglen, struct mcuprov_err *err);

/* Password callback for encrypted keys: write at most SIZE-1 bytes and a NUL
 * into BUF and return the length, or return -1 to abort (no password
 * available).  Called only when the key is encrypted, at most once per load.
 * The core wipes BUF after use. */
typedef int (*key_passwd_cb)(char *buf, size_t size, void *arg);

/* Parse a key type name ("rsa-2048", "ecdsa-p256", ...).  Returns
 * KEY_TYPE_NONE for an unknown name. */
enum key_type key_type_from_name(const char *name);

/* "rsa-2048", "ecdsa-p256", ... */
const char *key_type_name(enum key_type type);

/* imgtool's short name used in array names: "rsa", "ecdsa", "ecdsap384",
 * "ed25519", "x25519". */
const char *key_type_shortname(enum key_type type);

/* Is TYPE a signing type (not X25519)? */
bool key_type_can_sign(enum key_type type);

/* Load a key from the in-memory PEM or DER bytes DATA (PKCS#1, SEC1,
 * PKCS#8 plain or encrypted, SubjectPublicKeyInfo).  PW_CB is asked for a
 * password only when the key is encrypted (NULL: an encrypted key fails with
 * MCUPROV_ERR_PASSWORD).  SUBJECT names the input in error details.
 * On success *out is a new key the caller releases with key_free().
 * Returns 0, MCUPROV_ERR_FORMAT (not a key), MCUPROV_ERR_PASSWORD (none
 * given or wrong), MCUPROV_ERR_UNSUPPORTED (a type MCUboot does not use). */
int key_load_mem(const uint8_t *data, size_t len, const char *subject, key_passwd_cb pw_cb,
		 void *pw_arg, struct mcuprov_key **out, struct mcuprov_err *err);

/* key_load_ex(PATH, 0, ...): key_load_mem() on the contents of file PATH (at most KEY_FILE_MAX bytes),
 * also recording the file mode and setting insecure_mode for a private key
 * readable by group or others.  The file buffer is wiped before it is freed. */
int key_load(const char *path, key_passwd_cb pw_cb, void *pw_arg, struct mcuprov_key **out,
	     struct mcuprov_err *err);

/* key_load() flags */
#define KEY_LOAD_PUBLIC 0x1u /* only the public half is needed: a token key is
			      * read without logging in (no PIN asked) */

/* key_load() of PATH, or of a PKCS#11 URI ("pkcs11:...", pkcs11.h: the
 * token's key, its PIN asked through PW_CB unless FLAGS has
 * KEY_LOAD_PUBLIC). */
int key_load_ex(const char *path, unsigned flags, key_passwd_cb pw_cb, void *pw_arg,
		struct mcuprov_key **out, struct mcuprov_err *err);

/* Generate a new key pair of TYPE.  Returns 0 or MCUPROV_ERR_CRYPTO. */
int key_generate(enum key_type type, struct mcuprov_key **out, struct mcuprov_err *err);

/* Encode the private key as PKCS#8 PEM (as imgtool writes it), encrypted
 * when PASSWORD is non-NULL and non-empty: PBES2, PBKDF2-HMAC-SHA256 with
 * KEY_KDF_ROUNDS_DEFAULT iterations, AES-256-CBC.
 * *pem is a secret: free it with OPENSSL_clear_free(*pem, *len). */
int key_private_pem(const struct mcuprov_key *key, const char *password, char **pem,
		    size_t *len, struct mcuprov_err *err);

/* key_private_pem() with KDF_ROUNDS PBKDF2 iterations (0: the default;
 * otherwise KEY_KDF_ROUNDS_MIN..KEY_KDF_ROUNDS_MAX, else MCUPROV_ERR_USAGE).
 * Ignored without a password. */
int key_private_pem_ex(const struct mcuprov_key *key, const char *password, unsigned kdf_rounds,
		       char **pem, size_t *len, struct mcuprov_err *err);

/* Parse a --kdf-rounds value: decimal digits only, in
 * KEY_KDF_ROUNDS_MIN..KEY_KDF_ROUNDS_MAX.  Returns 0 and sets *out, or -1. */
int key_kdf_rounds_parse(const char *s, unsigned *out);

/* How the key file bytes DATA are encrypted, read from the file's own
 * structures without a password (PKCS#8 EncryptedPrivateKeyInfo in PEM or
 * DER, or a legacy encrypted PEM header); KEY_KDF_NONE when they are not.
 * Never fails: what it cannot read is KEY_KDF_NONE or KEY_KDF_UNKNOWN. */
void key_encryption_info(const uint8_t *data, size_t len, struct key_encryption *out);

/* Write the private key to PATH with key_private_pem() and
 * file_write_atomic(FILE_WRITE_PRIVATE | FILE_WRITE_MKDIR |
 * (force ? FILE_WRITE_FORCE : 0)): PATH's missing directories are made
 * with mode 0700 (an existing one is never changed), then the file with
 * mode 0600, exclusive creation, fsync, rename, no file left on failure. */
int key_save(const struct mcuprov_key *key, const char *path, const char *password, bool force,
	     struct mcuprov_err *err);

/* key_save() with key_private_pem_ex()'s KDF_ROUNDS (0: the default). */
int key_save_ex(const struct mcuprov_key *key, const char *path, const char *password,
		unsigned kdf_rounds, bool force, struct mcuprov_err *err);

/* Would key_save(..., PATH, ..., FORCE) get past its checks (an existing
 * file without FORCE, a symbolic link, a directory that can neither be
 * found nor made)?  file_write_check() with key_save()'s flags: creates
 * nothing, so that a front end asks for a password only when the key can
 * be written.  Returns 0 or the error key_save() would give. */
int key_save_check(const char *path, bool force, struct mcuprov_err *err);

/* The public key bytes MCUboot embeds (imgtool's get_public_bytes and
 * `getpub -e raw`): PKCS#1 RSAPublicKey for RSA, SubjectPublicKeyInfo
 * otherwise.  *der is malloc'd; caller frees. */
int key_public_der(const struct mcuprov_key *key, uint8_t **der, size_t *len,
		   struct mcuprov_err *err);

/* The SubjectPublicKeyInfo PEM text of the public key (`getpub -e pem`).
 * *pem is malloc'd and NUL-terminated; caller frees. */
int key_public_pem(const struct mcuprov_key *key, char **pem, size_t *len,
		   struct mcuprov_err *err);

/* SHA-256 of key_public_der(): the fingerprint, `getpubhash -e raw` and an
 * image's KEYHASH TLV for SHA-256 images. */
int key_fingerprint(const struct mcuprov_key *key, uint8_t out[KEY_FINGERPRINT_LEN],
		    struct mcuprov_err *err);

/* Lower-case hex of the fingerprint: OUT must hold 2*32+1 bytes. */
int key_fingerprint_hex(const struct mcuprov_key *key, char out[2 * KEY_FINGERPRINT_LEN + 1],
			struct mcuprov_err *err);

enum key_priv_format {
	KEY_PRIV_DEFAULT = 0, /* imgtool's default for the type */
	KEY_PRIV_OPENSSL,     /* "traditional": PKCS#1 for RSA, SEC1 for EC */
	KEY_PRIV_PKCS8,       /* PrivateKeyInfo */
};

/* The DER private key an encryption-capable bootloader embeds
 * (`getpriv`), in imgtool's formats: RSA openssl (default), EC P-256/P-384
 * pkcs8 (default) or openssl, X25519 pkcs8.  MINIMAL drops what decryption
 * does not need, as imgtool --minimal does (RSA: the CRT values; EC: the
 * public key).  Refuses (MCUPROV_ERR_USAGE) the combinations imgtool refuses
 * and Ed25519 and public-only keys.
 * *der is a secret: free it with OPENSSL_clear_free(*der, *len). */
int key_private_der(const struct mcuprov_key *key, enum key_priv_format fmt, bool minimal,
		    uint8_t **der, size_t *len, struct mcuprov_err *err);

/* Release a key.  Safe on NULL. */
void key_free(struct mcuprov_key *key);

#endif
