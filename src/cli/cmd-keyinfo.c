/* mcuprov keyinfo: does a key file hold a private or only a public key, and
 * how is it encrypted? */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "mcuprov/pkcs11.h"

static int keyinfo_exec(int argc, char **argv);

const struct cmd_entry cmd_keyinfo = {
	"keyinfo",
	"print whether a key file holds a private or only a public key",
	"keyinfo -k KEY [--require private|public] [--passin SRC]",
	"  -k, --key KEY              key file (PEM or DER), or a PKCS#11 URI\n"
	"      --require WHAT         fail (exit 1) unless the key is WHAT:\n"
	"                             private or public\n"
	"      --passin SRC           password of an encrypted key: pass:PW, env:VAR,\n"
	"                             file:PATH, fd:N or stdin (default: ask)\n"
	"      --production           refuse MCUboot's published development keys\n"
	"  -h, --help                 show this help\n"
	"\n"
	"Prints 'private' or 'public' (as imgtool does); for a password-protected\n"
	"file also 'encryption: ' and its scheme, key derivation and cost, e.g.\n"
	"'encryption: PBES2, PBKDF2-HMAC-SHA256, 600000 iterations, AES-256-CBC',\n"
	"with a warning when that is cheap to guess offline.\n"
	"\n"
	"A key in a PKCS#11 token is read without its PIN, and prints 'public' and\n"
	"where it is ('where: ', 'uri: ', 'private half: '); with --passin or\n"
	"--require private the token is logged in and the private key looked for:\n"
	"'private' when it is there (it signs in the token and never leaves it).\n",
	keyinfo_exec,
};

/* keyinfo of a key in a token.  LOOKED: the token was logged in to find
 * the private key (the load fails when it is not there); PUBLIC_URI: the
 * URI says type=public, the private half is not asked about. */
static int token_info(const struct mcuprov_key *key, const char *require, bool looked,
		      bool public_uri)
{
	const char *what = key_can_sign(key) ? "private" : "public";

	if (require != NULL && strcmp(require, what) != 0)
		return cli_report(EXIT_FAIL, key->uri, "is a %s key, %s key required", what,
				  require);
	printf("%s\nwhere: %s\nuri: %s\n", what, key->where, key->uri);
	if (key_can_sign(key))
		printf("private half: in the token, never leaves it (signs there)\n");
	else if (!looked && !public_uri)
		printf("private half: not looked for without the token's PIN (give --passin or "
		       "--require private)\n");
	return EXIT_OK;
}

static int keyinfo_exec(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "require", required_argument, NULL, OPT_REQUIRE },
		{ "passin", required_argument, NULL, OPT_PASSIN },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL, *passin = NULL, *require = NULL, *what;
	struct mcuprov_key *key = NULL;
	struct key_encryption enc;
	bool token, login;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, ":k:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'k': path = optarg; break;
		case OPT_REQUIRE: require = optarg; break;
		case OPT_PASSIN: passin = optarg; break;
		default:
			if ((rc = cli_common_option(&cmd_keyinfo, opt, argv)) >= 0)
				return rc;
		}
	}
	if (optind < argc)
		return cli_usage(&cmd_keyinfo, "unexpected argument '%s'", argv[optind]);
	if (path == NULL)
		return cli_usage(&cmd_keyinfo, "missing -k/--key KEY");
	if (require != NULL && strcmp(require, "private") != 0 && strcmp(require, "public") != 0)
		return cli_usage(&cmd_keyinfo, "invalid --require '%s' (private or public)", require);
	/* a token is logged in only when a PIN is offered or the private half
	 * is required: the public half is read without one */
	token = pkcs11_is_uri(path);
	login = passin != NULL || (require != NULL && strcmp(require, "private") == 0);
	if (token && !login)
		cli.key_load_flags = KEY_LOAD_PUBLIC;
	if ((rc = cli_load_key(path, passin, &key)) != EXIT_OK)
		return rc;
	if (key->origin == KEY_ORIGIN_TOKEN) {
		rc = token_info(key, require, login, pkcs11_uri_is_public(path));
		key_free(key);
		return rc;
	}
	what = key->is_private ? "private" : "public";
	enc = key->enc;
	key_free(key);
	if (enc.weak)
		cli_warn("'%s' is encrypted with %s: weak against offline password guessing; "
			 "re-encrypt it: openssl pkcs8 -topk8 -v2 aes-256-cbc "
			 "-v2prf hmacWithSHA256 -iter %u -in '%s' -out NEW.pem",
			 path, enc.weak_why, KEY_KDF_ROUNDS_DEFAULT, path);
	if (require != NULL && strcmp(require, what) != 0) {
		fprintf(stderr, "mcuprov: keyinfo: '%s': is a %s key, %s key required\n", path, what,
			require);
		return EXIT_FAIL;
	}
	printf("%s\n", what);
	if (enc.kdf != KEY_KDF_NONE)
		printf("encryption: %s\n", enc.text);
	return EXIT_OK;
}
