/* mcuprov render: a complete bootloader key file from a template. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cli.h"
#include "mcuprov/fileio.h"
#include "mcuprov/render.h"

static int render_exec(int argc, char **argv);

const struct cmd_entry cmd_render = {
	"render",
	"write a bootloader key file (keys.c, generated key file, Kconfig) from a template",
	"render -t NAME|PATH -k KEY [-k KEY]... [--enc-key KEY] [-o OUT] [--allow-dev-key] "
	"[--passin [KEY=]SRC]... [-D NAME[=VALUE]]... [-U NAME]...",
	"  -t, --template T       a template name (inline-single, inline-multi,\n"
	"                         generated-key-file, kconfig-fragment, enc-key, or the\n"
	"                         file name with its extension) or a PATH (with a '/')\n"
	"  -k, --key KEY          a signing key to trust (repeat, up to 16, one type);\n"
	"                         only its public part is written\n"
	"      --enc-key KEY      the image-encryption private key (rsa-2048,\n"
	"                         ecdsa-p256 or x25519), for templates with {{#enc}};\n"
	"                         the enc-key template takes it alone, without -k\n"
	"  -o, --output OUT       write to OUT (atomically; mode 0600 with --enc-key)\n"
	"                         instead of standard output\n"
	"  -D, --define NAME[=VALUE]  the bootloader's build defines NAME (as cc -D;\n"
	"                         NAME alone is 1; repeat)\n"
	"  -U, --undef NAME       the bootloader's build does not define NAME (repeat;\n"
	"                         a later -D/-U of a name replaces an earlier one)\n"
	"      --allow-dev-key    render MCUboot's published development keys (for test\n"
	"                         builds only: anybody can sign for, or decrypt, them)\n"
	"      --passin [KEY=]SRC password of the encrypted key KEY (as -k or --enc-key\n"
	"                         names it), or of every key: pass:PW, env:VAR,\n"
	"                         file:PATH, fd:N or stdin; repeat (default: ask)\n"
	"      --production       refuse development keys even with --allow-dev-key\n"
	"  -h, --help             show this help\n"
	"\n"
	"Templates are looked up in $MCUPROV_TEMPLATES/keys, then in the installed\n"
	"templates/keys directory.  Array names follow imgtool: the first key is\n"
	"<type>_pub_key, the next ones <type>_pub_key_1, _2, ... as with\n"
	"`getpub --name-suffix _N`.  Template syntax: templates/README.md.\n"
	"\n"
	"A keys.c (inline key arrays) is checked before it is written: under -D and\n"
	"-U, and for what they leave unsaid the keys' type (MCUBOOT_SIGN_*), its\n"
	"conditionals must compile exactly the given keys, in order; a template\n"
	"that would not is refused.\n",
	render_exec,
};

enum {
	O_ENC_KEY = OPT_FIRST_FREE,
	O_ALLOW_DEV,
};

/* With an encryption key the output holds a private key: keep it 0600. */
static int output(const char *path, const char *data, size_t len, bool secret)
{
	struct mcuprov_err err;
	struct mcuprov_lock *lock = NULL;
	int rc;

	if (path == NULL || strcmp(path, "-") == 0)
		return cli_output(path, data, len);
	err_clear(&err);
	/* serialized with every other mcuprov changing files there */
	if (lock_acquire(&path, 1, cli_lock_opts(), &lock, &err) < 0)
		return cli_fail(&err);
	if (!secret)
		rc = cli_output(path, data, len);
	else if (file_write_atomic(path, data, len, FILE_WRITE_FORCE | FILE_WRITE_PRIVATE, &err) < 0)
		rc = cli_fail(&err);
	else
		rc = EXIT_OK;
	lock_release(lock);
	return rc;
}

static int render_exec(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "template", required_argument, NULL, 't' },
		{ "key", required_argument, NULL, 'k' },
		{ "enc-key", required_argument, NULL, O_ENC_KEY },
		{ "output", required_argument, NULL, 'o' },
		{ "allow-dev-key", no_argument, NULL, O_ALLOW_DEV },
		{ "passin", required_argument, NULL, OPT_PASSIN },
		{ "define", required_argument, NULL, 'D' },
		{ "undef", required_argument, NULL, 'U' },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	const char *tname = NULL, *enc_path = NULL, *out_path = NULL;
	const char *paths[RENDER_KEYS_MAX + 1]; /* and --enc-key, for --passin */
	struct cli_passin pi;
	struct mcuprov_key *keys[RENDER_KEYS_MAX] = { NULL }, *enc_key = NULL;
	struct render_key rk[RENDER_KEYS_MAX], renc;
	struct cli_defines defs;
	struct mcuprov_err err;
	size_t nkeys = 0, i, text_len = 0, out_len = 0;
	char *text = NULL, *tpath = NULL, *out = NULL;
	bool allow_dev = false;
	int opt, rc;

	memset(&defs, 0, sizeof(defs));
	memset(&pi, 0, sizeof(pi));
	while ((opt = getopt_long(argc, argv, ":t:k:o:D:U:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 't': tname = optarg; break;
		case 'k':
			if (nkeys == RENDER_KEYS_MAX)
				return cli_usage(&cmd_render, "at most %d -k/--key",
						 RENDER_KEYS_MAX);
			paths[nkeys++] = optarg;
			break;
		case O_ENC_KEY: enc_path = optarg; break;
		case 'o': out_path = optarg; break;
		case O_ALLOW_DEV: allow_dev = true; break;
		case OPT_PASSIN:
			if ((rc = cli_passin_add(&cmd_render, &pi, optarg)) >= 0)
				return rc;
			break;
		case 'D':
		case 'U':
			if ((rc = cli_define(&cmd_render, &defs, optarg, opt == 'U')) >= 0)
				return rc;
			break;
		default:
			if ((rc = cli_common_option(&cmd_render, opt, argv)) >= 0)
				return rc;
		}
	}
	if (optind < argc)
		return cli_usage(&cmd_render, "unexpected argument '%s'", argv[optind]);
	if (tname == NULL)
		return cli_usage(&cmd_render, "missing -t/--template NAME|PATH");
	if (nkeys == 0 && enc_path == NULL)
		return cli_usage(&cmd_render, "missing -k/--key KEY");
	if (allow_dev && cli.production)
		return cli_usage(&cmd_render, "--allow-dev-key contradicts --production");

	/* the template first: a typo must not cost a password prompt */
	err_clear(&err);
	if (render_template_load(tname, &text, &text_len, &tpath, &err) < 0)
		return cli_fail(&err);
	if (render_check(tname, text, text_len, &err) < 0) {
		rc = cli_fail(&err);
		goto out;
	}
	paths[nkeys] = enc_path;
	if ((rc = cli_passin_bind(&pi, paths, paths, nkeys + 1)) != EXIT_OK)
		goto out;
	/* a template embeds public halves of the signing keys: a key in a
	 * token is read without its PIN */
	cli.key_load_flags = KEY_LOAD_PUBLIC;
	for (i = 0; i < nkeys; i++) {
		if ((rc = cli_load_key_as(&pi, paths[i], paths[i], NULL, &keys[i])) != EXIT_OK)
			goto out;
		rk[i].key = keys[i];
		/* a token key is named by its URI without any PIN in it */
		rk[i].label = keys[i]->uri != NULL ? keys[i]->uri : paths[i];
	}
	/* but the encryption key's private half (never in a token) */
	cli.key_load_flags = 0;
	if (enc_path != NULL) {
		if ((rc = cli_load_key_as(&pi, enc_path, enc_path, NULL, &enc_key)) != EXIT_OK)
			goto out;
		renc.key = enc_key;
		renc.label = enc_path;
	}
	if (render(tname, tpath, text, text_len, rk, nkeys, enc_key ? &renc : NULL,
		   allow_dev ? RENDER_ALLOW_DEVKEY : 0, &out, &out_len, &err) < 0 ||
	    render_verify(tname, tpath, out, out_len, rk, nkeys, defs.defines, defs.n_defines,
			  defs.undefs, defs.n_undefs, &err) < 0) {
		rc = cli_fail(&err);
		goto out;
	}
	rc = output(out_path, out, out_len, enc_key != NULL);
out:
	OPENSSL_clear_free(out, out_len);
	for (i = 0; i < nkeys; i++)
		key_free(keys[i]);
	key_free(enc_key);
	cli_passin_free(&pi);
	free(text);
	free(tpath);
	return rc;
}
