/* mcuprov fingerprint: the identity of a key everywhere in mcuprov. */
#include "config.h"

#include <stdio.h>

#include "cli.h"

static int fingerprint_exec(int argc, char **argv);

const struct cmd_entry cmd_fingerprint = {
	"fingerprint",
	"print the key type and SHA-256 fingerprint of the public key",
	"fingerprint -k KEY [--passin SRC]",
	"  -k, --key KEY          private or public key file (PEM or DER), or a\n"
	"                         PKCS#11 URI (pkcs11:token=...;object=...; read\n"
	"                         without the token's PIN unless --passin gives it)\n"
	"      --passin SRC       password of an encrypted key, or the PIN of a\n"
	"                         token: pass:PW, env:VAR, file:PATH, fd:N or stdin\n"
	"                         (default: ask)\n"
	"      --production       refuse MCUboot's published development keys\n"
	"  -h, --help             show this help\n"
	"\n"
	"The fingerprint is the SHA-256 of the exact `getpub -e raw` bytes: the same\n"
	"value as `getpubhash -e raw` and an image's SHA-256 KEYHASH TLV.\n",
	fingerprint_exec,
};

static int fingerprint_exec(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "passin", required_argument, NULL, OPT_PASSIN },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL, *passin = NULL;
	struct mcuprov_key *key = NULL;
	struct mcuprov_err err;
	char hex[2 * KEY_FINGERPRINT_LEN + 1];
	int opt, rc;

	while ((opt = getopt_long(argc, argv, ":k:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'k': path = optarg; break;
		case OPT_PASSIN: passin = optarg; break;
		default:
			if ((rc = cli_common_option(&cmd_fingerprint, opt, argv)) >= 0)
				return rc;
		}
	}
	if (optind < argc)
		return cli_usage(&cmd_fingerprint, "unexpected argument '%s'", argv[optind]);
	if (path == NULL)
		return cli_usage(&cmd_fingerprint, "missing -k/--key KEY");
	/* a token key without its PIN, unless one is given (a token that
	 * shows its keys only after login) */
	cli.key_load_flags = passin != NULL ? 0 : KEY_LOAD_PUBLIC;
	if ((rc = cli_load_key(path, passin, &key)) != EXIT_OK)
		return rc;
	err_clear(&err);
	if (key_fingerprint_hex(key, hex, &err) < 0) {
		key_free(key);
		return cli_fail(&err);
	}
	printf("%s %s\n", key_type_name(key->type), hex);
	key_free(key);
	return EXIT_OK;
}
