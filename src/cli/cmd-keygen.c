/* mcuprov keygen: generate a key pair into a new private key file. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "mcuprov/passwd.h"

static int keygen_exec(int argc, char **argv);

enum { O_KDF_ROUNDS = OPT_FIRST_FREE };

const struct cmd_entry cmd_keygen = {
	"keygen",
	"generate a key pair and write its private key file (mode 0600)",
	"keygen -k FILE -t TYPE [-p | --passout SRC] [--kdf-rounds N] [--force]",
	"  -k, --key FILE      private key file to create (PKCS#8 PEM); its missing\n"
	"                      directories are made with mode 0700\n"
	"  -t, --type TYPE     rsa-2048, rsa-3072, ecdsa-p256, ecdsa-p384, ed25519\n"
	"                      (signing) or x25519 (image encryption)\n"
	"  -p, --password      ask for a password (twice) and encrypt the key\n"
	"      --passout SRC   take the password from SRC: pass:PW, env:VAR,\n"
	"                      file:PATH, fd:N or stdin\n"
	"      --kdf-rounds N  PBKDF2-HMAC-SHA256 iterations of the password\n"
	"                      (default 600000, at least 600000, at most\n"
	"                      100000000); the key is PKCS#8 PBES2, AES-256-CBC\n"
	"      --force         replace FILE if it exists (never done otherwise)\n"
	"      --production    refuse MCUboot's published development keys\n"
	"  -h, --help          show this help\n",
	keygen_exec,
};

static int keygen_exec(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "type", required_argument, NULL, 't' },
		{ "password", no_argument, NULL, 'p' },
		{ "passout", required_argument, NULL, OPT_PASSOUT },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "kdf-rounds", required_argument, NULL, O_KDF_ROUNDS },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL, *type_name = NULL, *passout = NULL, *rounds_arg = NULL;
	unsigned rounds = 0;
	bool prompt = false, force = false;
	struct mcuprov_key *key = NULL;
	struct mcuprov_err err;
	char *pw = NULL, fp[2 * KEY_FINGERPRINT_LEN + 1];
	bool encrypted;
	enum key_type type;
	int opt, rc;

	err_clear(&err);
	while ((opt = getopt_long(argc, argv, ":k:t:ph", longopts, NULL)) != -1) {
		switch (opt) {
		case 'k': path = optarg; break;
		case 't': type_name = optarg; break;
		case 'p': prompt = true; break;
		case OPT_PASSOUT: passout = optarg; break;
		case OPT_FORCE: force = true; break;
		case O_KDF_ROUNDS: rounds_arg = optarg; break;
		default:
			if ((rc = cli_common_option(&cmd_keygen, opt, argv)) >= 0)
				return rc;
		}
	}
	if (optind < argc)
		return cli_usage(&cmd_keygen, "unexpected argument '%s'", argv[optind]);
	if (path == NULL)
		return cli_usage(&cmd_keygen, "missing -k/--key FILE");
	if (type_name == NULL)
		return cli_usage(&cmd_keygen, "missing -t/--type (one of " KEY_SUPPORTED_TYPES ")");
	type = key_type_from_name(type_name);
	if (type == KEY_TYPE_NONE)
		return cli_usage(&cmd_keygen, "unknown key type '%s' (one of " KEY_SUPPORTED_TYPES ")",
				 type_name);
	if (prompt && passout != NULL)
		return cli_usage(&cmd_keygen, "give either -p or --passout, not both");
	if (rounds_arg != NULL && key_kdf_rounds_parse(rounds_arg, &rounds) < 0)
		return cli_usage(&cmd_keygen,
				 "invalid --kdf-rounds '%s' (PBKDF2 iterations, %u to %u)",
				 rounds_arg, KEY_KDF_ROUNDS_MIN, KEY_KDF_ROUNDS_MAX);
	if (rounds_arg != NULL && !prompt && passout == NULL)
		return cli_usage(&cmd_keygen,
				 "--kdf-rounds needs a password (-p or --passout): without one "
				 "the key is not encrypted");

	/* a path that cannot be written must not cost a password */
	if (key_save_check(path, force, &err) < 0)
		return cli_fail(&err);
	if (passout != NULL) {
		if (passwd_from_source(passout, &pw, &err) < 0)
			return cli_fail(&err);
	} else if (prompt) {
		char q[600];

		snprintf(q, sizeof(q), "Enter password for new key '%s': ", path);
		if (cli_prompt_password(q, true, "--passout", &pw, &err) < 0)
			return cli_fail(&err);
	}

	encrypted = pw != NULL;
	rc = key_generate(type, &key, &err);
	if (rc == 0)
		rc = key_save_ex(key, path, pw, rounds, force, &err);
	if (rc == 0)
		rc = key_fingerprint_hex(key, fp, &err);
	passwd_free(pw);
	if (rc < 0) {
		if (err.subject[0] == '\0')
			snprintf(err.subject, sizeof(err.subject), "%s", path);
		key_free(key);
		return cli_fail(&err);
	}
	printf("created %s key '%s' (%s), fingerprint %s\n", key_type_name(type), path,
	       encrypted ? "password-protected" : "not password-protected", fp);
	key_free(key);
	return EXIT_OK;
}
