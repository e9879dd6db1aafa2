/* mcuprov getpub / getpubhash: the public key, or its SHA-256, as MCUboot
 * embeds it, in imgtool's encodings. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "cli.h"
#include "mcuprov/carray.h"

static int getpub_exec(int argc, char **argv);
static int getpubhash_exec(int argc, char **argv);

const struct cmd_entry cmd_getpub = {
	"getpub",
	"print the public key as MCUboot embeds it (C, Rust, PEM or raw DER)",
	"getpub -k KEY [-e lang-c|lang-rust|pem|raw] [--name-suffix S] [-o OUT] [--passin SRC]",
	"  -k, --key KEY          private or public key file (PEM or DER), or a\n"
	"                         PKCS#11 URI (pkcs11:token=...;object=...; read\n"
	"                         without the token's PIN unless --passin gives it)\n"
	"  -e, --encoding ENC     lang-c (default), lang-rust, pem (SubjectPublicKeyInfo)\n"
	"                         or raw (DER: PKCS#1 for RSA, SubjectPublicKeyInfo else)\n"
	"  -l, --lang LANG        c or rust (imgtool's older spelling of -e)\n"
	"      --name-suffix S    append S ([A-Za-z0-9_]*) to the array name\n"
	"  -o, --output OUT       write to OUT (atomically) instead of stdout\n"
	"      --passin SRC       password of an encrypted key, or the PIN of a\n"
	"                         token: pass:PW, env:VAR, file:PATH, fd:N or stdin\n"
	"                         (default: ask)\n"
	"      --production       refuse MCUboot's published development keys\n"
	"  -h, --help             show this help\n",
	getpub_exec,
};

const struct cmd_entry cmd_getpubhash = {
	"getpubhash",
	"print the SHA-256 of the public key (MCUboot's KEYHASH / hardware key hash)",
	"getpubhash -k KEY [-e lang-c|raw] [--name-suffix S] [-o OUT] [--passin SRC]",
	"  -k, --key KEY          private or public key file (PEM or DER), or a\n"
	"                         PKCS#11 URI (pkcs11:token=...;object=...; read\n"
	"                         without the token's PIN unless --passin gives it)\n"
	"  -e, --encoding ENC     lang-c (default) or raw (32 bytes)\n"
	"      --name-suffix S    append S ([A-Za-z0-9_]*) to the array name\n"
	"  -o, --output OUT       write to OUT (atomically) instead of stdout\n"
	"      --passin SRC       password of an encrypted key, or the PIN of a\n"
	"                         token: pass:PW, env:VAR, file:PATH, fd:N or stdin\n"
	"                         (default: ask)\n"
	"      --production       refuse MCUboot's published development keys\n"
	"  -h, --help             show this help\n",
	getpubhash_exec,
};

enum enc { ENC_NONE, ENC_C, ENC_RUST, ENC_PEM, ENC_RAW };

struct pub_args {
	const char *key, *passin, *out, *suffix;
	enum enc enc;
};

static enum enc enc_from_name(const char *s)
{
	if (strcmp(s, "lang-c") == 0) return ENC_C;
	if (strcmp(s, "lang-rust") == 0) return ENC_RUST;
	if (strcmp(s, "pem") == 0) return ENC_PEM;
	if (strcmp(s, "raw") == 0) return ENC_RAW;
	return ENC_NONE;
}

/* Options shared by getpub and getpubhash; HASH restricts the encodings. */
static int parse(const struct cmd_entry *cmd, bool hash, int argc, char **argv,
		 struct pub_args *a)
{
	static const struct option longopts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "encoding", required_argument, NULL, 'e' },
		{ "lang", required_argument, NULL, 'l' },
		{ "output", required_argument, NULL, 'o' },
		{ "name-suffix", required_argument, NULL, OPT_NAME_SUFFIX },
		{ "passin", required_argument, NULL, OPT_PASSIN },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	const char *enc = NULL, *lang = NULL;
	int opt, rc;

	memset(a, 0, sizeof(*a));
	while ((opt = getopt_long(argc, argv, hash ? ":k:e:o:h" : ":k:e:l:o:h", longopts, NULL)) !=
	       -1) {
		switch (opt) {
		case 'k': a->key = optarg; break;
		case 'e': enc = optarg; break;
		case 'l':
			if (hash)
				return cli_usage(cmd, "unknown option '--lang'");
			lang = optarg;
			break;
		case 'o': a->out = optarg; break;
		case OPT_NAME_SUFFIX: a->suffix = optarg; break;
		case OPT_PASSIN: a->passin = optarg; break;
		default:
			if ((rc = cli_common_option(cmd, opt, argv)) >= 0)
				return rc;
		}
	}
	if (optind < argc)
		return cli_usage(cmd, "unexpected argument '%s'", argv[optind]);
	if (a->key == NULL)
		return cli_usage(cmd, "missing -k/--key KEY");
	if (enc != NULL && lang != NULL)
		return cli_usage(cmd, "give either -e/--encoding or -l/--lang, not both");
	a->enc = ENC_C;
	if (lang != NULL) {
		if (strcmp(lang, "c") == 0)
			a->enc = ENC_C;
		else if (strcmp(lang, "rust") == 0)
			a->enc = ENC_RUST;
		else
			return cli_usage(cmd, "invalid language '%s' (c or rust)", lang);
	}
	if (enc != NULL) {
		a->enc = enc_from_name(enc);
		if (a->enc == ENC_NONE || (hash && (a->enc == ENC_RUST || a->enc == ENC_PEM)))
			return cli_usage(cmd, "invalid encoding '%s' (%s)", enc,
					 hash ? "lang-c or raw" : "lang-c, lang-rust, pem or raw");
	}
	if (a->suffix != NULL && !carray_valid_suffix(a->suffix))
		return cli_usage(cmd, "invalid --name-suffix '%s' (letters, digits and _ only)",
				 a->suffix);
	return -1;
}

/* Emit BYTES for NAME (+ suffix) in the chosen array language or raw. */
static int emit(const struct pub_args *a, const uint8_t *bytes, size_t len, const char *base)
{
	char name[128];
	char *text;
	int rc;

	if (a->enc == ENC_RAW)
		return cli_output(a->out, bytes, len);
	snprintf(name, sizeof(name), "%s%s", base, a->suffix ? a->suffix : "");
	text = carray_format(bytes, len, name, a->enc == ENC_RUST ? CARRAY_LANG_RUST : CARRAY_LANG_C,
			     1);
	if (text == NULL) {
		fprintf(stderr, "mcuprov: %s: out of memory\n", cli.cmd);
		return EXIT_FAIL;
	}
	rc = cli_output(a->out, text, strlen(text));
	free(text);
	return rc;
}

static int getpub_exec(int argc, char **argv)
{
	struct pub_args a;
	struct mcuprov_key *key = NULL;
	struct mcuprov_err err;
	uint8_t *der = NULL;
	char *pem = NULL, base[64];
	size_t len = 0;
	int rc;

	if ((rc = parse(&cmd_getpub, false, argc, argv, &a)) >= 0)
		return rc;
	/* a token key without its PIN, unless one is given (a token that
	 * shows its keys only after login) */
	cli.key_load_flags = a.passin != NULL ? 0 : KEY_LOAD_PUBLIC;
	if ((rc = cli_load_key(a.key, a.passin, &key)) != EXIT_OK)
		return rc;
	err_clear(&err);
	if (a.enc == ENC_PEM) {
		if (key_public_pem(key, &pem, &len, &err) < 0) {
			rc = cli_fail(&err);
			goto out;
		}
		rc = cli_output(a.out, pem, len);
		goto out;
	}
	if (key_public_der(key, &der, &len, &err) < 0) {
		rc = cli_fail(&err);
		goto out;
	}
	snprintf(base, sizeof(base), "%s_pub_key", key_type_shortname(key->type));
	rc = emit(&a, der, len, base);
out:
	OPENSSL_free(der);
	OPENSSL_free(pem);
	key_free(key);
	return rc;
}

static int getpubhash_exec(int argc, char **argv)
{
	struct pub_args a;
	struct mcuprov_key *key = NULL;
	struct mcuprov_err err;
	uint8_t fp[KEY_FINGERPRINT_LEN];
	char base[64];
	int rc;

	if ((rc = parse(&cmd_getpubhash, true, argc, argv, &a)) >= 0)
		return rc;
	/* a token key without its PIN, unless one is given (a token that
	 * shows its keys only after login) */
	cli.key_load_flags = a.passin != NULL ? 0 : KEY_LOAD_PUBLIC;
	if ((rc = cli_load_key(a.key, a.passin, &key)) != EXIT_OK)
		return rc;
	err_clear(&err);
	if (key_fingerprint(key, fp, &err) < 0) {
		rc = cli_fail(&err);
		goto out;
	}
	snprintf(base, sizeof(base), "%s_pub_key_hash", key_type_shortname(key->type));
	rc = emit(&a, fp, sizeof(fp), base);
out:
	key_free(key);
	return rc;
}
