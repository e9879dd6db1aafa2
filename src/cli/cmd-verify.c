/* mcuprov verify: check an MCUboot image's hash and signature. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mcuprov/image.h"
#include "mcuprov/imgenc.h"

static int verify_exec(int argc, char **argv);

const struct cmd_entry cmd_verify = {
	"verify",
	"check an image's hash and, with -k, that the key's signature verifies",
	"verify [-k KEY]... [--enc-key ENCKEY] [--passin [KEY=]SRC]... IMAGE",
	"  -k, --key KEY          a key the image may be signed with (repeatable);\n"
	"                         without -k only the hash is checked; a PKCS#11\n"
	"                         URI is read without the token's PIN\n"
	"      --passin [KEY=]SRC password of the encrypted key KEY (as -k names it),\n"
	"                         or of every key: pass:PW, env:VAR, file:PATH, fd:N\n"
	"                         or stdin; repeat (default: ask)\n"
	"      --enc-key ENCKEY   the private encryption key of an encrypted image:\n"
	"                         the payload is decrypted before it is hashed, as\n"
	"                         MCUboot checks an encrypted upgrade\n"
	"      --production       refuse MCUboot's published development keys\n"
	"  -h, --help             show this help\n"
	"\n"
	"Exit status 0 only for a valid image.  Rejects images with SEC_CNT,\n"
	"DEPENDENCY or other must-be-protected TLVs in the unprotected area\n"
	"(CVE-2024-32883).  IMAGE is read as Intel HEX when its name ends in .hex.\n",
	verify_exec,
};

#define MAX_KEYS 16

static int verify_exec(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "passin", required_argument, NULL, OPT_PASSIN },
		{ "enc-key", required_argument, NULL, OPT_FIRST_FREE },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	const char *paths[MAX_KEYS + 1];
	struct mcuprov_key *keys[MAX_KEYS + 1], *enckey = NULL;
	const char *encpath = NULL;
	struct cli_passin pi;
	struct image_verify_result res;
	struct mcuprov_err err;
	char fp[2 * KEY_FINGERPRINT_LEN + 1];
	size_t n_keys = 0, loaded = 0, i;
	int opt, rc = EXIT_FAIL;

	memset(&pi, 0, sizeof(pi));
	while ((opt = getopt_long(argc, argv, ":k:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'k':
			if (n_keys == MAX_KEYS)
				return cli_usage(&cmd_verify, "at most %d keys", MAX_KEYS);
			paths[n_keys++] = optarg;
			break;
		case OPT_FIRST_FREE: encpath = optarg; break;
		case OPT_PASSIN:
			if ((rc = cli_passin_add(&cmd_verify, &pi, optarg)) >= 0)
				return rc;
			break;
		default:
			if ((rc = cli_common_option(&cmd_verify, opt, argv)) >= 0)
				return rc;
		}
	}
	if (argc - optind != 1)
		return cli_usage(&cmd_verify, argc == optind ? "missing IMAGE" : "too many arguments");
	if (encpath != NULL) /* loaded after the signing keys, named by its file */
		paths[n_keys] = encpath;
	if ((rc = cli_passin_bind(&pi, paths, paths, n_keys + (encpath != NULL))) != EXIT_OK)
		return rc;
	/* verifying needs public halves only: a token key without its PIN */
	cli.key_load_flags = KEY_LOAD_PUBLIC;
	for (loaded = 0; loaded < n_keys; loaded++)
		if ((rc = cli_load_key_as(&pi, paths[loaded], paths[loaded], NULL,
					  &keys[loaded])) != EXIT_OK)
			goto out;
	if (encpath != NULL &&
	    (rc = cli_load_key_as(&pi, encpath, encpath, NULL, &enckey)) != EXIT_OK)
		goto out;
	err_clear(&err);
	if (image_verify_ex(argv[optind], (const struct mcuprov_key *const *)keys, n_keys, enckey,
			    &res, &err) < 0) {
		rc = cli_fail(&err);
		goto out;
	}
	/* imgtool's three lines, then which key signed */
	printf("Image was correctly validated\n");
	printf("Image version: %u.%u.%u+%u\n", res.version.major, res.version.minor,
	       res.version.revision, res.version.build);
	printf("Image digest: ");
	for (i = 0; i < res.digest_len; i++)
		printf("%02x", res.digest[i]);
	printf("\n");
	if (res.key_index >= 0 && key_fingerprint_hex(keys[res.key_index], fp, &err) == 0)
		printf("Signed by: %s %s ('%s')\n", key_type_name(keys[res.key_index]->type), fp,
		       /* a URI without its pin-value */
		       keys[res.key_index]->uri != NULL ? keys[res.key_index]->uri
							: paths[res.key_index]);
	else if (n_keys == 0 && res.signed_image)
		fprintf(stderr, "mcuprov: verify: note: hash checked, signature not checked (give "
				"-k KEY)\n");
	rc = EXIT_OK;
out:
	for (i = 0; i < loaded; i++)
		key_free(keys[i]);
	key_free(enckey);
	cli_passin_free(&pi);
	return rc;
}
