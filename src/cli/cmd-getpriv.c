/* mcuprov getpriv: the encryption private key an MCUboot bootloader embeds. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cli.h"
#include "mcuprov/carray.h"

static int getpriv_exec(int argc, char **argv);

const struct cmd_entry cmd_getpriv = {
	"getpriv",
	"print an image-encryption private key as a C array for the bootloader",
	"getpriv -k KEY [-f openssl|pkcs8] [--minimal] [--passin SRC]",
	"  -k, --key KEY        rsa, ecdsa or x25519 private key file\n"
	"  -f, --format FMT     openssl (RSA default; PKCS#1 / SEC1) or pkcs8 (EC and\n"
	"                       X25519 default); RSA refuses pkcs8, X25519 openssl\n"
	"      --minimal        keep only what decryption needs (RSA: no CRT values,\n"
	"                       EC: no public key); the bootloader config must match\n"
	"      --passin SRC     password of an encrypted key: pass:PW, env:VAR,\n"
	"                       file:PATH, fd:N or stdin (default: ask)\n"
	"      --production     refuse MCUboot's published development keys\n"
	"  -h, --help           show this help\n"
	"\n"
	"The output is a secret: it goes to standard output only.\n",
	getpriv_exec,
};

static int getpriv_exec(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "format", required_argument, NULL, 'f' },
		{ "minimal", no_argument, NULL, OPT_MINIMAL },
		{ "passin", required_argument, NULL, OPT_PASSIN },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL, *passin = NULL, *format = NULL;
	enum key_priv_format fmt = KEY_PRIV_DEFAULT;
	bool minimal = false;
	struct mcuprov_key *key = NULL;
	struct mcuprov_err err;
	uint8_t *der = NULL;
	size_t len = 0;
	char *text;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, ":k:f:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'k': path = optarg; break;
		case 'f': format = optarg; break;
		case OPT_MINIMAL: minimal = true; break;
		case OPT_PASSIN: passin = optarg; break;
		default:
			if ((rc = cli_common_option(&cmd_getpriv, opt, argv)) >= 0)
				return rc;
		}
	}
	if (optind < argc)
		return cli_usage(&cmd_getpriv, "unexpected argument '%s'", argv[optind]);
	if (path == NULL)
		return cli_usage(&cmd_getpriv, "missing -k/--key KEY");
	if (format != NULL) {
		if (strcmp(format, "openssl") == 0)
			fmt = KEY_PRIV_OPENSSL;
		else if (strcmp(format, "pkcs8") == 0)
			fmt = KEY_PRIV_PKCS8;
		else
			return cli_usage(&cmd_getpriv, "invalid format '%s' (openssl or pkcs8)",
					 format);
	}
	/* a token key is refused by key_private_der(): no PIN asked for it */
	cli.key_load_flags = KEY_LOAD_PUBLIC;
	if ((rc = cli_load_key(path, passin, &key)) != EXIT_OK)
		return rc;
	err_clear(&err);
	if (key_private_der(key, fmt, minimal, &der, &len, &err) < 0) {
		/* a URI named without its pin-value */
		snprintf(err.subject, sizeof(err.subject), "%s",
			 key->origin == KEY_ORIGIN_TOKEN && key->uri != NULL ? key->uri : path);
		rc = cli_fail(&err);
		goto out;
	}
	text = carray_format(der, len, "enc_priv_key", CARRAY_LANG_C, 1);
	if (text == NULL) {
		fprintf(stderr, "mcuprov: getpriv: out of memory\n");
		rc = EXIT_FAIL;
		goto out;
	}
	rc = cli_output(NULL, text, strlen(text));
	OPENSSL_clear_free(text, strlen(text));
out:
	OPENSSL_clear_free(der, len);
	key_free(key);
	return rc;
}
