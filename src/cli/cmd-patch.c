/* mcuprov patch: make a bootloader trust exactly the given keys. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "cli.h"
#include "mcuprov/carray.h"
#include "mcuprov/devkey.h"
#include "mcuprov/fileio.h"
#include "mcuprov/keysc.h"
#include "mcuprov/provision.h"

static int patch_exec(int argc, char **argv);

const struct cmd_entry cmd_patch = {
	"patch",
	"make a bootloader trust exactly the given keys (keys.c, Kconfig, hardware key)",
	"patch (--keys-c PATH | --conf PATH | --hw-key) -k KEY [-k KEY]... [OPTIONS]",
	"  --keys-c PATH          patch an inline-array keys.c (2017-2018 shape, and\n"
	"                         bare-metal/simulator ports) in place\n"
	"  --conf PATH            set the key settings in a Kconfig fragment\n"
	"                         (mcuboot.conf, sysbuild/mcuboot.conf, ...): signature\n"
	"                         type, RSA length, CONFIG_BOOT_SIGNATURE_KEY_FILE\n"
	"                         (public key files written next to private keys)\n"
	"  --hw-key               MCUBOOT_HW_KEY: print the key hash the device stores\n"
	"  -k, --key KEY          a key to trust (repeat for several, one type)\n"
	"      --enc-key KEY      with --conf: the image-encryption private key\n"
	"  -n, --dry-run          show the diff, change nothing\n"
	"      --config FILE      also read FILE (.config, *.conf, autoconf.h,\n"
	"                         mcuboot_config.h); those beside PATH are read\n"
	"                         anyway, first\n"
	"  -D, --define NAME[=VALUE]  the bootloader's build defines NAME (as cc -D;\n"
	"                         NAME alone is 1): which key arrays keys.c compiles,\n"
	"                         and the configuration checks (repeat)\n"
	"  -U, --undef NAME       the bootloader's build does not define NAME (repeat;\n"
	"                         a later -D/-U of a name replaces an earlier one)\n"
	"      --image N          with --keys-c: the keys of image N (0, 1, ...: as\n"
	"                         imgtool's image numbers) in a multi-image keys.c\n"
	"      --emit-key-file OUT  with --keys-c of the generated-key shapes: write\n"
	"                         the key file their build would generate\n"
	"  -o, --output OUT       with --hw-key: write the C array to OUT\n"
	"      --raw OUT          with --hw-key: write the raw hash to OUT\n"
	"      --allow-dev-key    accept MCUboot's published development keys\n"
	"      --passin [KEY=]SRC password of the encrypted key KEY (as -k or --enc-key\n"
	"                         names it), or of every key; repeat (default: ask)\n"
	"      --production       refuse development keys even with --allow-dev-key\n"
	"  -h, --help             show this help\n"
	"\n"
	"A unified diff is shown before anything changes; the old file is kept as\n"
	"PATH.bak (PATH.bak.1, ... when that exists: a backup is never replaced)\n"
	"and the new one replaces it atomically.  Running it again with the same\n"
	"keys changes nothing.\n"
	"\n"
	"The bootloader's configuration is read from the config files beside PATH\n"
	"(.config, *.conf by name, autoconf.h, mcuboot_config.h, in this order,\n"
	"#if and #ifdef followed), then --config FILEs, then -D and -U, each\n"
	"overriding the ones before; with --keys-c the macros keys.c depends on\n"
	"and nothing says are taken from the key type, and the line 'assuming ...'\n"
	"names what was assumed.\n",
	patch_exec,
};

enum {
	O_KEYS_C = OPT_FIRST_FREE,
	O_CONF,
	O_HW_KEY,
	O_ENC_KEY,
	O_CONFIG,
	O_EMIT,
	O_RAW,
	O_ALLOW_DEV,
	O_IMAGE,
};

#define MAX_KEYS PROVISION_MAX_KEYS
#define MAX_CONFIGS 32

struct patch_args {
	const char *keys_c, *conf, *enc, *emit, *out, *raw;
	struct cli_passin passin;
	const char *configs[MAX_CONFIGS];
	size_t n_configs;
	const char *key_paths[MAX_KEYS + 1]; /* and --enc-key, for --passin */
	size_t n_keys;
	bool hw, dry, allow_dev, has_image;
	unsigned image;
	struct cli_defines defs;
	struct mcuprov_key *keys[MAX_KEYS];
	struct mcuprov_key *enc_key;
};

/* Print what provisioning found and did (to PATH, or the file it #includes
 * that was patched instead). */
static int report(const struct patch_args *a, const char *path, const struct provision_result *r)
{
	size_t i;

	if (r->patched[0] != '\0')
		path = r->patched;
	for (i = 0; i < r->n_pub_written; i++)
		printf("wrote the public key '%s'\n", r->pub_written[i]);
	if (!r->changed) {
		printf("'%s' already trusts these keys: nothing to change\n", path);
		return EXIT_OK;
	}
	fputs(r->diff, stdout);
	if (a->dry)
		printf("dry run: '%s' left unchanged\n", path);
	else if (r->created)
		printf("created '%s'\n", path);
	else
		printf("patched '%s' (the old one is '%s')\n", path, r->backup);
	return EXIT_OK;
}

static void opts_of(const struct patch_args *a, struct provision_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->keys = (const struct mcuprov_key *const *)a->keys;
	o->key_paths = a->key_paths;
	o->n_keys = a->n_keys;
	o->enc_key = a->enc_key;
	o->enc_path = a->enc;
	o->configs = a->configs;
	o->n_configs = a->n_configs;
	o->dry_run = a->dry;
	o->emit_key_file = a->emit;
	o->defines = a->defs.defines;
	o->n_defines = a->defs.n_defines;
	o->undefs = a->defs.undefs;
	o->n_undefs = a->defs.n_undefs;
	o->has_image = a->has_image;
	o->image = a->image;
}

static int do_keys_c(struct patch_args *a)
{
	struct provision_opts o;
	struct provision_result r;
	struct mcuprov_err err;
	struct mcuprov_lock *lock = NULL;
	int rc;

	err_clear(&err);
	opts_of(a, &o);
	/* no other mcuprov changes the file between reading and writing it */
	if (!a->dry && lock_acquire((const char *const *)&a->keys_c, 1, cli_lock_opts(), &lock,
				    &err) < 0)
		return cli_fail(&err);
	rc = provision_keys_c(a->keys_c, &o, &r, &err);
	lock_release(lock);
	if (r.shape != KEYSC_SHAPE_UNKNOWN)
		printf("'%s': %s\n", a->keys_c, keysc_shape_name(r.shape));
	if (r.assumed != NULL && r.assumed[0] != '\0')
		printf("assuming %s\n", r.assumed);
	if (rc < 0) {
		rc = cli_fail(&err);
	} else if (r.emitted != NULL) {
		rc = cli_output(a->emit, r.emitted, r.emitted_len);
		if (rc == EXIT_OK && strcmp(a->emit, "-") != 0)
			printf("wrote the generated key file '%s'\n", a->emit);
	} else {
		rc = report(a, a->keys_c, &r);
	}
	provision_result_free(&r);
	return rc;
}

static int do_conf(struct patch_args *a)
{
	struct provision_opts o;
	struct provision_result r;
	struct mcuprov_err err;
	struct mcuprov_lock *lock = NULL;
	int rc;

	err_clear(&err);
	opts_of(a, &o);
	if (!a->dry && lock_acquire((const char *const *)&a->conf, 1, cli_lock_opts(), &lock,
				    &err) < 0)
		return cli_fail(&err);
	rc = provision_conf(a->conf, &o, &r, &err);
	lock_release(lock);
	rc = rc < 0 ? cli_fail(&err) : report(a, a->conf, &r);
	provision_result_free(&r);
	return rc;
}

static int do_hw_key(struct patch_args *a)
{
	struct mcuprov_err err;
	uint8_t h[64];
	size_t hlen = 0;
	char name[64], *text;
	int rc;

	err_clear(&err);
	if (provision_hw_key_hash(a->keys[0], h, &hlen, &err) < 0)
		return cli_fail(&err);
	snprintf(name, sizeof(name), "%s_pub_key_hash", key_type_shortname(a->keys[0]->type));
	text = carray_format(h, hlen, name, CARRAY_LANG_C, 1);
	if (text == NULL)
		return EXIT_FAIL;
	rc = cli_output(a->out, text, strlen(text));
	free(text);
	if (rc == EXIT_OK && a->raw != NULL &&
	    file_write_atomic(a->raw, h, hlen, FILE_WRITE_FORCE, &err) < 0)
		rc = cli_fail(&err);
	if (rc == EXIT_OK)
		fprintf(stderr, "mcuprov: patch: note: with MCUBOOT_HW_KEY the device stores only "
				"this hash; sign images with --public-key-format full so that they "
				"carry the whole key\n");
	return rc;
}

/* N of --image N: decimal digits, at most 9 of them. */
static bool image_number(const char *s, unsigned *n)
{
	size_t len = strspn(s, "0123456789");

	if (len == 0 || len > 9 || s[len] != '\0')
		return false;
	*n = (unsigned)strtoul(s, NULL, 10);
	return true;
}

static int patch_exec(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "keys-c", required_argument, NULL, O_KEYS_C },
		{ "conf", required_argument, NULL, O_CONF },
		{ "hw-key", no_argument, NULL, O_HW_KEY },
		{ "key", required_argument, NULL, 'k' },
		{ "enc-key", required_argument, NULL, O_ENC_KEY },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "config", required_argument, NULL, O_CONFIG },
		{ "emit-key-file", required_argument, NULL, O_EMIT },
		{ "output", required_argument, NULL, 'o' },
		{ "raw", required_argument, NULL, O_RAW },
		{ "allow-dev-key", no_argument, NULL, O_ALLOW_DEV },
		{ "passin", required_argument, NULL, OPT_PASSIN },
		{ "define", required_argument, NULL, 'D' },
		{ "undef", required_argument, NULL, 'U' },
		{ "image", required_argument, NULL, O_IMAGE },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct patch_args a;
	size_t i, loaded = 0;
	int opt, rc = EXIT_FAIL, modes;

	memset(&a, 0, sizeof(a));
	while ((opt = getopt_long(argc, argv, ":k:no:D:U:h", longopts, NULL)) != -1) {
		switch (opt) {
		case O_KEYS_C: a.keys_c = optarg; break;
		case O_CONF: a.conf = optarg; break;
		case O_HW_KEY: a.hw = true; break;
		case 'k':
			if (a.n_keys == MAX_KEYS)
				return cli_usage(&cmd_patch, "at most %d keys", MAX_KEYS);
			a.key_paths[a.n_keys++] = optarg;
			break;
		case O_ENC_KEY: a.enc = optarg; break;
		case 'n': a.dry = true; break;
		case O_CONFIG:
			if (a.n_configs == MAX_CONFIGS)
				return cli_usage(&cmd_patch, "at most %d --config files", MAX_CONFIGS);
			a.configs[a.n_configs++] = optarg;
			break;
		case O_EMIT: a.emit = optarg; break;
		case 'o': a.out = optarg; break;
		case O_RAW: a.raw = optarg; break;
		case O_ALLOW_DEV: a.allow_dev = true; break;
		case OPT_PASSIN:
			if ((rc = cli_passin_add(&cmd_patch, &a.passin, optarg)) >= 0)
				return rc;
			break;
		case 'D':
		case 'U':
			if ((rc = cli_define(&cmd_patch, &a.defs, optarg, opt == 'U')) >= 0)
				return rc;
			break;
		case O_IMAGE:
			if (!image_number(optarg, &a.image))
				return cli_usage(&cmd_patch,
						 "--image: expected a non-negative integer, got '%s'",
						 optarg);
			a.has_image = true;
			break;
		default:
			if ((rc = cli_common_option(&cmd_patch, opt, argv)) >= 0)
				return rc;
		}
	}
	if (optind < argc)
		return cli_usage(&cmd_patch, "unexpected argument '%s'", argv[optind]);
	modes = (a.keys_c != NULL) + (a.conf != NULL) + a.hw;
	if (modes != 1)
		return cli_usage(&cmd_patch, "give one of --keys-c, --conf or --hw-key");
	if (a.n_keys == 0)
		return cli_usage(&cmd_patch, "missing -k/--key KEY");
	if (a.hw && a.n_keys > 1)
		return cli_usage(&cmd_patch, "--hw-key takes one key");
	if (a.enc != NULL && a.conf == NULL)
		return cli_usage(&cmd_patch, "--enc-key goes with --conf");
	if (a.emit != NULL && a.keys_c == NULL)
		return cli_usage(&cmd_patch, "--emit-key-file goes with --keys-c");
	if ((a.out != NULL || a.raw != NULL) && !a.hw)
		return cli_usage(&cmd_patch, "-o and --raw go with --hw-key");
	if (a.has_image && a.keys_c == NULL)
		return cli_usage(&cmd_patch, "--image goes with --keys-c");
	if (a.hw && a.defs.n_defines + a.defs.n_undefs > 0)
		return cli_usage(&cmd_patch, "-D and -U go with --keys-c or --conf");

	a.key_paths[a.n_keys] = a.enc; /* for --passin KEY=SRC */
	if ((rc = cli_passin_bind(&a.passin, a.key_paths, a.key_paths, a.n_keys + 1)) != EXIT_OK)
		return rc;
	/* keys.c, the Kconfig fragment and the hash take public halves: a key
	 * in a token is read without its PIN */
	cli.key_load_flags = KEY_LOAD_PUBLIC;
	for (loaded = 0; loaded < a.n_keys; loaded++) {
		const struct mcuprov_key *k;

		if ((rc = cli_load_key_as(&a.passin, a.key_paths[loaded], a.key_paths[loaded], NULL,
					  &a.keys[loaded])) != EXIT_OK)
			goto out;
		k = a.keys[loaded];
		/* named as given, a token key without any PIN in its URI */
		if (k->uri != NULL)
			a.key_paths[loaded] = k->uri;
		if (!key_type_can_sign(k->type)) {
			fprintf(stderr, "mcuprov: patch: '%s': %s keys cannot sign (use --enc-key for "
					"an encryption key)\n",
				a.key_paths[loaded], key_type_name(k->type));
			loaded++;
			rc = EXIT_FAIL;
			goto out;
		}
		if (k->devkey != NULL && !a.allow_dev) {
			fprintf(stderr, "mcuprov: patch: '%s': is MCUboot's published development key "
					"%s: a bootloader trusting it boots anybody's images (use "
					"--allow-dev-key for a development build)\n",
				a.key_paths[loaded], k->devkey->name);
			loaded++;
			rc = EXIT_FAIL;
			goto out;
		}
		if (loaded > 0 && k->type != a.keys[0]->type) {
			fprintf(stderr, "mcuprov: patch: '%s': is %s but '%s' is %s: one bootloader "
					"verifies one signature type\n",
				a.key_paths[loaded], key_type_name(k->type), a.key_paths[0],
				key_type_name(a.keys[0]->type));
			loaded++;
			rc = EXIT_FAIL;
			goto out;
		}
	}
	/* the encryption key's private half goes into the bootloader */
	cli.key_load_flags = 0;
	if (a.enc != NULL &&
	    (rc = cli_load_key_as(&a.passin, a.enc, a.enc, NULL, &a.enc_key)) != EXIT_OK)
		goto out;
	if (a.enc_key != NULL && a.enc_key->devkey != NULL && !a.allow_dev) {
		fprintf(stderr, "mcuprov: patch: '%s': is MCUboot's published development key %s "
				"(use --allow-dev-key for a development build)\n",
			a.enc, a.enc_key->devkey->name);
		rc = EXIT_FAIL;
		goto out;
	}
	rc = a.hw ? do_hw_key(&a) : a.keys_c ? do_keys_c(&a) : do_conf(&a);
out:
	key_free(a.enc_key);
	for (i = 0; i < loaded; i++)
		key_free(a.keys[i]);
	cli_passin_free(&a.passin);
	return rc;
}
