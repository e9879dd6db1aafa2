/* mcuprov decrypt: recover the plain image from an encrypted one. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mcuprov/imgenc.h"

static int decrypt_exec(int argc, char **argv);

const struct cmd_entry cmd_decrypt = {
	"decrypt",
	"decrypt an encrypted image with the device's private encryption key",
	"decrypt -k ENCKEY [--passin SRC] IN OUT",
	"  -k, --key ENCKEY       the private encryption key (rsa-2048, ecdsa-p256 or\n"
	"                         x25519), as the bootloader holds it\n"
	"      --passin SRC       password of an encrypted key file: pass:PW, env:VAR,\n"
	"                         file:PATH, fd:N or stdin (default: ask)\n"
	"  -h, --help             show this help\n"
	"\n"
	"Recovers the AES key from the image's ENC TLV as MCUboot does (ECIES HMAC\n"
	"checked), decrypts the payload and checks the image hash over the\n"
	"plaintext.  OUT is IN with the payload in plain and everything else (header,\n"
	"flags, TLVs, trailer) unchanged: the image `sign -E KEY --clear` writes,\n"
	"which verifies with the signing key.  OUT is raw binary, replaced\n"
	"atomically, and written only when the hash matches.  IN is read as Intel\n"
	"HEX when its name ends in .hex.\n",
	decrypt_exec,
};

static int decrypt_exec(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "passin", required_argument, NULL, OPT_PASSIN },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct mcuprov_key *key = NULL;
	struct mcuprov_err err;
	const char *keypath = NULL, *passin = NULL;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, ":k:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'k': keypath = optarg; break;
		case OPT_PASSIN: passin = optarg; break;
		default:
			if ((rc = cli_common_option(&cmd_decrypt, opt, argv)) >= 0)
				return rc;
		}
	}
	if (keypath == NULL)
		return cli_usage(&cmd_decrypt, "missing -k/--key ENCKEY");
	if (argc - optind != 2)
		return cli_usage(&cmd_decrypt, argc - optind < 2 ? "missing IN and OUT"
								 : "too many arguments");
	/* a token key is refused by image_decrypt(): no PIN asked for it */
	cli.key_load_flags = KEY_LOAD_PUBLIC;
	if ((rc = cli_load_key(keypath, passin, &key)) != EXIT_OK)
		return rc;
	err_clear(&err);
	if (image_decrypt(argv[optind], argv[optind + 1], key, &err) < 0) {
		rc = cli_fail(&err);
	} else {
		printf("decrypted '%s' -> '%s'\n", argv[optind], argv[optind + 1]);
		rc = EXIT_OK;
	}
	key_free(key);
	return rc;
}
