/* mcuprov patch: make a bootloader trust exactly the given keys. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "cli.h"
#include "mcuprov/carray.h"
#include "mcuprov/devkey.h"
#include "mcuprov/fileio.h"
#include "mcuprov/kconf.h"
#include "mcuprov/keysc.h"
#include "mcuprov/udiff.h"

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
	"      --config FILE      also check FILE (.config, *.conf, mcuboot_config.h);\n"
	"                         those beside PATH are checked anyway\n"
	"      --emit-key-file OUT  with --keys-c of the generated-key shapes: write\n"
	"                         the key file their build would generate\n"
	"  -o, --output OUT       with --hw-key: write the C array to OUT\n"
	"      --raw OUT          with --hw-key: write the raw hash to OUT\n"
	"      --allow-dev-key    accept MCUboot's published development keys\n"
	"      --passin SRC       password of encrypted keys (default: ask)\n"
	"      --production       refuse development keys even with --allow-dev-key\n"
	"  -h, --help             show this help\n"
	"\n"
	"A unified diff is shown before anything changes; the old file is kept as\n"
	"PATH.bak and the new one replaces it atomically.  Running it again with\n"
	"the same keys changes nothing.\n",
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
};

#define MAX_KEYS 16
#define MAX_CONFIGS 32

struct patch_args {
	const char *keys_c, *conf, *enc, *emit, *out, *raw, *passin;
	const char *configs[MAX_CONFIGS];
	size_t n_configs;
	const char *key_paths[MAX_KEYS];
	size_t n_keys;
	bool hw, dry, allow_dev;
	struct mcuprov_key *keys[MAX_KEYS];
	struct mcuprov_key *enc_key;
};

/* Is NAME a bootloader config file worth checking? */
static bool config_name(const char *name)
{
	size_t n = strlen(name);

	return strcmp(name, ".config") == 0 || strcmp(name, "mcuboot_config.h") == 0 ||
	       (n > 5 && strcmp(name + n - 5, ".conf") == 0);
}

/* Check the keys against the configs given and those beside TARGET. */
static int check_configs(struct patch_args *a, const char *target)
{
	struct bootcfg cfg;
	struct mcuprov_err err;
	char *copy = strdup(target), *copy2 = strdup(target), *dir, *tbase;
	DIR *d;
	struct dirent *e;
	size_t i;
	int rc = EXIT_OK;

	memset(&cfg, 0, sizeof(cfg));
	err_clear(&err);
	if (copy == NULL || copy2 == NULL) {
		free(copy);
		free(copy2);
		return EXIT_FAIL;
	}
	dir = dirname(copy);
	tbase = basename(copy2);
	d = opendir(dir);
	while (d != NULL && (e = readdir(d)) != NULL) {
		char path[4096];
		struct stat st;

		if (!config_name(e->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		/* the file being patched states what we are about to set */
		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode) || strcmp(e->d_name, tbase) == 0)
			continue;
		if (bootcfg_read(path, &cfg, &err) < 0) {
			rc = cli_fail(&err);
			goto out;
		}
	}
	for (i = 0; i < a->n_configs; i++)
		if (bootcfg_read(a->configs[i], &cfg, &err) < 0) {
			rc = cli_fail(&err);
			goto out;
		}
	if (bootcfg_check(&cfg, (const struct mcuprov_key *const *)a->keys, a->n_keys, &err) < 0) {
		snprintf(err.subject, sizeof(err.subject), "%s", target);
		rc = cli_fail(&err);
	}
out:
	if (d != NULL)
		closedir(d);
	free(copy);
	free(copy2);
	return rc;
}

/* Show the diff of PATH from OLD to NEW, then (unless dry) back it up and
 * replace it atomically, keeping its mode. */
static int apply(const struct patch_args *a, const char *path, const char *old, size_t old_len,
		 const char *new_text, size_t new_len, mode_t mode, bool existed)
{
	struct mcuprov_err err;
	char *diff = NULL, bak[4200];
	size_t dlen = 0;

	err_clear(&err);
	if (existed && old_len == new_len && memcmp(old, new_text, old_len) == 0) {
		printf("'%s' already trusts these keys: nothing to change\n", path);
		return EXIT_OK;
	}
	if (udiff(old, old_len, new_text, new_len, path, &diff, &dlen, &err) < 0)
		return cli_fail(&err);
	fwrite(diff, 1, dlen, stdout);
	free(diff);
	if (a->dry) {
		printf("dry run: '%s' left unchanged\n", path);
		return EXIT_OK;
	}
	snprintf(bak, sizeof(bak), "%s.bak", path);
	if (existed && file_write_atomic(bak, old, old_len, FILE_WRITE_FORCE, &err) < 0)
		return cli_fail(&err);
	if (file_write_atomic(path, new_text, new_len, existed ? FILE_WRITE_FORCE : 0, &err) < 0)
		return cli_fail(&err);
	if (existed)
		(void)chmod(path, mode & 07777);
	if (existed)
		printf("patched '%s' (the old one is '%s')\n", path, bak);
	else
		printf("created '%s'\n", path);
	return EXIT_OK;
}

static int read_text(const char *path, char **text, size_t *len, mode_t *mode, bool may_miss,
		     bool *existed)
{
	struct mcuprov_err err;
	uint8_t *buf = NULL;

	err_clear(&err);
	*existed = true;
	if (file_read(path, 4 * 1024 * 1024, &buf, len, mode, &err) < 0) {
		if (may_miss && err.code == MCUPROV_ERR_IO && access(path, F_OK) != 0) {
			*existed = false;
			*text = strdup("");
			*len = 0;
			return *text ? EXIT_OK : EXIT_FAIL;
		}
		if (err.code == MCUPROV_ERR_FORMAT && strcmp(err.msg, "file is empty") == 0) {
			*text = strdup("");
			*len = 0;
			return *text ? EXIT_OK : EXIT_FAIL;
		}
		return cli_fail(&err);
	}
	*text = (char *)buf;
	return EXIT_OK;
}

static int do_keys_c(struct patch_args *a)
{
	struct keysc_info *info = NULL;
	struct mcuprov_err err;
	char *text = NULL, *new_text = NULL;
	size_t len = 0, new_len = 0;
	mode_t mode = 0644;
	bool existed;
	int rc;

	err_clear(&err);
	if ((rc = read_text(a->keys_c, &text, &len, &mode, false, &existed)) != EXIT_OK)
		return rc;
	if (keysc_analyze(text, len, a->keys_c, &info, &err) < 0) {
		rc = cli_fail(&err);
		goto out;
	}
	if (info->shape != KEYSC_SHAPE_UNKNOWN)
		printf("'%s': %s\n", a->keys_c, keysc_shape_name(info->shape));
	if (info->shape == KEYSC_SHAPE_GENERATED || info->shape == KEYSC_SHAPE_MULTI) {
		unsigned bit = 1u << a->keys[0]->type;

		if (!(info->declared_types & bit)) {
			fprintf(stderr, "mcuprov: patch: '%s': declares no %s_pub_key: this MCUboot "
					"has no %s support\n",
				a->keys_c, key_type_shortname(a->keys[0]->type),
				key_type_name(a->keys[0]->type));
			rc = EXIT_FAIL;
			goto out;
		}
		if (a->n_keys > 1 && info->shape != KEYSC_SHAPE_MULTI) {
			fprintf(stderr, "mcuprov: patch: '%s': takes one key; %zu keys need MCUboot "
					"2026 or later (MCUBOOT_SIGN_KEY_COUNT)\n",
				a->keys_c, a->n_keys);
			rc = EXIT_FAIL;
			goto out;
		}
		if (a->emit == NULL) {
			fprintf(stderr, "mcuprov: patch: '%s': this keys.c holds no key bytes; it "
					"takes them from CONFIG_BOOT_SIGNATURE_KEY_FILE: use 'mcuprov "
					"patch --conf FRAGMENT' (or --emit-key-file OUT for the generated "
					"file)\n",
				a->keys_c);
			rc = EXIT_FAIL;
			goto out;
		}
		if ((rc = check_configs(a, a->keys_c)) != EXIT_OK)
			goto out;
		if (keysc_generated_file((const struct mcuprov_key *const *)a->keys, a->n_keys,
					 &new_text, &new_len, &err) < 0) {
			rc = cli_fail(&err);
			goto out;
		}
		rc = cli_output(a->emit, new_text, new_len);
		if (rc == EXIT_OK && strcmp(a->emit, "-") != 0)
			printf("wrote the generated key file '%s'\n", a->emit);
		goto out;
	}
	if (info->shape == KEYSC_SHAPE_INLINE && (rc = check_configs(a, a->keys_c)) != EXIT_OK)
		goto out;
	if (keysc_patch(text, len, a->keys_c, info, (const struct mcuprov_key *const *)a->keys,
			a->n_keys, &new_text, &new_len, &err) < 0) {
		rc = cli_fail(&err);
		goto out;
	}
	rc = apply(a, a->keys_c, text, len, new_text, new_len, mode, existed);
out:
	keysc_info_free(info);
	free(text);
	free(new_text);
	return rc;
}

/* The public key file for key I: the key file itself when it is public,
 * else NAME.pub.pem beside it (written, never overwritten with another key). */
static int public_file(struct patch_args *a, size_t i, char *out, size_t outsz)
{
	struct mcuprov_err err;
	char *pem = NULL, base[4096], abs[4096];
	size_t len = 0, n;
	uint8_t *old = NULL;
	size_t oldlen = 0;
	int rc = EXIT_OK;

	err_clear(&err);
	snprintf(base, sizeof(base), "%s", a->key_paths[i]);
	if (a->keys[i]->is_private) {
		n = strlen(base);
		if (n > 4 && strcmp(base + n - 4, ".pem") == 0)
			base[n - 4] = '\0';
		else if (n > 4 && strcmp(base + n - 4, ".der") == 0)
			base[n - 4] = '\0';
		strncat(base, ".pub.pem", sizeof(base) - strlen(base) - 1);
		if (key_public_pem(a->keys[i], &pem, &len, &err) < 0)
			return cli_fail(&err);
		if (file_read(base, 65536, &old, &oldlen, NULL, NULL) == 0) {
			if (oldlen != len || memcmp(old, pem, len) != 0) {
				fprintf(stderr, "mcuprov: patch: '%s': exists and is not the public "
						"half of '%s'\n",
					base, a->key_paths[i]);
				rc = EXIT_FAIL;
			}
		} else if (!a->dry) {
			if (file_write_atomic(base, pem, len, 0, &err) < 0)
				rc = cli_fail(&err);
			else
				printf("wrote the public key '%s'\n", base);
		}
		free(old);
		OPENSSL_free(pem);
		if (rc != EXIT_OK)
			return rc;
	}
	/* Kconfig resolves relative names against the bootloader's tree:
	 * give absolute ones */
	if (realpath(base, abs) == NULL) {
		char cwd[4096];

		if (getcwd(cwd, sizeof(cwd)) == NULL ||
		    snprintf(abs, sizeof(abs), "%s/%s", cwd, base) >= (int)sizeof(abs)) {
			fprintf(stderr, "mcuprov: patch: '%s': path too long\n", base);
			return EXIT_FAIL;
		}
	}
	snprintf(out, outsz, "%s", abs);
	return EXIT_OK;
}

static int do_conf(struct patch_args *a)
{
	struct kconf_settings s;
	struct mcuprov_err err;
	char files[MAX_KEYS][4096], enc_abs[4096], note[512];
	const char *names[MAX_KEYS];
	char *text = NULL, *new_text = NULL, fp[2 * KEY_FINGERPRINT_LEN + 1];
	size_t len = 0, new_len = 0, i;
	mode_t mode = 0644;
	bool existed;
	int rc;

	err_clear(&err);
	if (kconf_type_name(a->keys[0]->type) == NULL) {
		fprintf(stderr, "mcuprov: patch: MCUboot's Kconfig has no signature type for %s keys "
				"(RSA, ECDSA_P256 and ED25519 only)\n",
			key_type_name(a->keys[0]->type));
		return EXIT_FAIL;
	}
	if (a->enc_key != NULL) {
		enum key_type s_t = a->keys[0]->type, e_t = a->enc_key->type;
		bool ok = ((s_t == KEY_RSA2048 || s_t == KEY_RSA3072) && e_t == KEY_RSA2048) ||
			  (s_t == KEY_ECDSA_P256 && e_t == KEY_ECDSA_P256) ||
			  (s_t == KEY_ED25519 && e_t == KEY_X25519);

		if (!ok) {
			fprintf(stderr, "mcuprov: patch: '%s': a %s encryption key does not go with %s "
					"signing (MCUboot pairs rsa with rsa-2048, ecdsa-p256 with "
					"ecdsa-p256, ed25519 with x25519)\n",
				a->enc, key_type_name(e_t), key_type_name(s_t));
			return EXIT_FAIL;
		}
		if (!a->enc_key->is_private) {
			fprintf(stderr, "mcuprov: patch: '%s': the bootloader decrypts with the "
					"private encryption key; this is a public key\n",
				a->enc);
			return EXIT_FAIL;
		}
		if (realpath(a->enc, enc_abs) == NULL)
			snprintf(enc_abs, sizeof(enc_abs), "%s", a->enc);
	}
	if ((rc = check_configs(a, a->conf)) != EXIT_OK)
		return rc;
	for (i = 0; i < a->n_keys; i++) {
		if ((rc = public_file(a, i, files[i], sizeof(files[i]))) != EXIT_OK)
			return rc;
		names[i] = files[i];
	}
	if ((rc = read_text(a->conf, &text, &len, &mode, true, &existed)) != EXIT_OK)
		return rc;
	if (key_fingerprint_hex(a->keys[0], fp, &err) < 0) {
		rc = cli_fail(&err);
		goto out;
	}
	snprintf(note, sizeof(note), "MCUboot signing key%s set by mcuprov (%s %.16s%s)",
		 a->n_keys > 1 ? "s" : "", key_type_name(a->keys[0]->type), fp,
		 a->n_keys > 1 ? ", ..." : "");
	memset(&s, 0, sizeof(s));
	s.type = a->keys[0]->type;
	s.key_files = names;
	s.n_key_files = a->n_keys;
	s.enc_key_file = a->enc_key ? enc_abs : NULL;
	s.note = note;
	if (kconf_patch(text, len, a->conf, &s, &new_text, &new_len, &err) < 0) {
		rc = cli_fail(&err);
		goto out;
	}
	rc = apply(a, a->conf, text, len, new_text, new_len, mode, existed);
out:
	free(text);
	free(new_text);
	return rc;
}

static int do_hw_key(struct patch_args *a)
{
	struct mcuprov_err err;
	uint8_t *der = NULL, h[EVP_MAX_MD_SIZE];
	unsigned int hlen = 0;
	size_t dlen = 0;
	char name[64], *text;
	int rc;

	err_clear(&err);
	if (key_public_der(a->keys[0], &der, &dlen, &err) < 0)
		return cli_fail(&err);
	/* the hash MCUboot compares is the image's: SHA-384 for P-384 */
	EVP_Digest(der, dlen, h, &hlen, a->keys[0]->type == KEY_ECDSA_P384 ? EVP_sha384() : EVP_sha256(),
		   NULL);
	OPENSSL_free(der);
	snprintf(name, sizeof(name), "%s_pub_key_hash", key_type_shortname(a->keys[0]->type));
	text = carray_format(h, hlen, name, CARRAY_LANG_C, 1);
	if (text == NULL)
		return EXIT_FAIL;
	rc = cli_output(a->out, text, strlen(text));
	free(text);
	if (rc == EXIT_OK && a->raw != NULL && file_write_atomic(a->raw, h, hlen, FILE_WRITE_FORCE, &err) < 0)
		rc = cli_fail(&err);
	if (rc == EXIT_OK)
		fprintf(stderr, "mcuprov: patch: note: with MCUBOOT_HW_KEY the device stores only "
				"this hash; sign images with --public-key-format full so that they "
				"carry the whole key\n");
	return rc;
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
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct patch_args a;
	size_t i, loaded = 0;
	int opt, rc = EXIT_FAIL, modes;

	memset(&a, 0, sizeof(a));
	while ((opt = getopt_long(argc, argv, ":k:no:h", longopts, NULL)) != -1) {
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
		case OPT_PASSIN: a.passin = optarg; break;
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

	for (loaded = 0; loaded < a.n_keys; loaded++) {
		const struct mcuprov_key *k;

		if ((rc = cli_load_key(a.key_paths[loaded], a.passin, &a.keys[loaded])) != EXIT_OK)
			goto out;
		k = a.keys[loaded];
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
	if (a.enc != NULL && (rc = cli_load_key(a.enc, a.passin, &a.enc_key)) != EXIT_OK)
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
	return rc;
}
