/* mcuprov demo: the whole flow on a QEMU board, headless. */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cli.h"
#include "mcuprov/demo.h"
#include "mcuprov/pkcs11.h"

static int demo_exec(int argc, char **argv);

const struct cmd_entry cmd_demo = {
	"demo",
	"run the whole flow on a QEMU board: key, provision, build, sign, verify, boot",
	"demo [--dir DIR] [--mcuboot DIR [--mbedtls DIR]] [--type TYPE | -k KEY [--passin SRC]] [--image FILE] "
	"[--upgrade [--test | --confirm]] [--batch] [--json]",
	"  --dir DIR       work directory (default: ./mcuprov-demo); its key, keys.c\n"
	"                  and build are the demo's own and are replaced on each run\n"
	"  --mcuboot DIR   boot with MCUboot itself, built from the checkout DIR\n"
	"                  (default: $MCUBOOT_DIR when set; else the built-in loader):\n"
	"                  examples/mcuboot-qemu on QEMU mps2-an385, ed25519 or\n"
	"                  ecdsa-p256 keys with MCUboot's own ext/ crypto\n"
	"  --mbedtls DIR   (MCUboot) build mbedTLS from the source tree DIR into it for\n"
	"                  rsa-2048, rsa-3072 and ecdsa-p384 keys, which need it\n"
	"                  (default: $MBEDTLS_DIR when set; scripts/fetch-mbedtls DIR\n"
	"                  unpacks Debian's)\n"
	"  --type TYPE     generate a key of TYPE: ed25519 (default), ecdsa-p256,\n"
	"                  rsa-2048 or rsa-3072 (with MCUboot also ecdsa-p384)\n"
	"  -k, --key KEY   use your private key KEY instead (its type; the file is\n"
	"                  only read), or a key in a PKCS#11 token (pkcs11:token=...;\n"
	"                  object=..., which signs there): the loader trusts it and\n"
	"                  boots the app it signed\n"
	"      --passin SRC  KEY's password or the token's PIN: pass:PW, env:VAR,\n"
	"                  file:PATH, fd:N or stdin (default: ask on the terminal)\n"
	"  --image FILE    boot FILE in the primary slot instead of the signed demo app,\n"
	"                  to show refusals: key, provision and build run as usual,\n"
	"                  signing is skipped, mcuprov verify's objection is only a\n"
	"                  note; the bootloader's refusal fails the demo (exit 1)\n"
	"  --upgrade       (MCUboot) sign the app a second time (version 1.3.0, padded\n"
	"                  with --pad, a test upgrade) into the secondary slot: MCUboot\n"
	"                  swaps it in and boots it; with --image, FILE is the upgrade\n"
	"                  and its refusal fails the demo (exit 1)\n"
	"  --test          --upgrade, then boot again: the unconfirmed upgrade reverts\n"
	"  --confirm       --upgrade signed with --confirm, boot again: it stays\n"
	"  --batch         never ask anything (an encrypted KEY needs --passin)\n"
	"  --json          print the result as JSON on stdout instead of the steps\n"
	"  -h, --help      show this help\n"
	"\n"
	"Needs make, arm-none-eabi-gcc (with newlib) and qemu-system-arm\n"
	"(scripts/install-deps installs them).  The built-in demo loader checks the\n"
	"image hash and that the image names a key compiled into it; it does not\n"
	"verify the signature math on the target - mcuprov verifies it on the host\n"
	"before booting.  It demonstrates provisioning, not a secure boot.  With\n"
	"--mcuboot, MCUboot's own code verifies the signature and prints the\n"
	"fingerprint of the key it verified it with; its refusal fails the demo.\n",
	demo_exec,
};

static volatile sig_atomic_t cancel_flag;

static void on_sigint(int sig)
{
	(void)sig;
	cancel_flag = 1;
}

struct view {
	const struct demo_opts *o;
	bool json;
	json_object *steps;
	unsigned done; /* --json: the steps that succeeded (bits) */
	int progress_shown;
};

static void step_begin(void *arg, enum demo_step step)
{
	struct view *v = arg;

	if (v->json)
		return;
	printf("[%d/%d] %s\n", step + 1, DEMO_N_STEPS, demo_step_label(v->o, step));
	fflush(stdout);
}

static void step_end(void *arg, enum demo_step step, int rc, double seconds, const char *detail)
{
	struct view *v = arg;

	cli_progress_clear(&v->progress_shown);
	if (v->json) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "step", json_object_new_string(demo_step_label(v->o, step)));
		json_object_object_add(o, "ok", json_object_new_boolean(rc == 0));
		json_object_object_add(o, "seconds", json_object_new_double(seconds));
		json_object_object_add(o, "detail", json_object_new_string(detail ? detail : ""));
		json_object_array_add(v->steps, o);
		v->done |= rc == 0 ? 1u << step : 0;
		return;
	}
	printf("      %s %.2f s%s%s\n", rc == 0 ? "ok" : "FAILED", seconds,
	       detail && detail[0] ? "  " : "", detail ? detail : "");
	fflush(stdout);
}

static void line(void *arg, enum demo_step step, const char *text)
{
	struct view *v = arg;

	/* the board's output is the point of the demo; build output goes to
	 * the log */
	if (!v->json && step == DEMO_BOOT) {
		printf("      | %s\n", text);
		fflush(stdout);
	} else if (!v->json && step == DEMO_VERIFY) { /* --image: mcuprov verify's note */
		printf("      note: %s\n", text);
		fflush(stdout);
	}
}

static void progress(void *arg, enum demo_step step, int percent)
{
	struct view *v = arg;

	if (!v->json)
		cli_progress(&v->progress_shown, demo_step_label(v->o, step), percent);
}

static int demo_exec(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "mcuboot", required_argument, NULL, 'm' },
		{ "mbedtls", required_argument, NULL, 'M' },
		{ "type", required_argument, NULL, 't' },
		{ "key", required_argument, NULL, 'k' },
		{ "passin", required_argument, NULL, OPT_PASSIN },
		{ "batch", no_argument, NULL, 'b' },
		{ "json", no_argument, NULL, 'j' },
		{ "image", required_argument, NULL, 'i' },
		{ "upgrade", no_argument, NULL, 'u' },
		{ "test", no_argument, NULL, 'T' },
		{ "confirm", no_argument, NULL, 'C' },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct demo_opts o;
	struct demo_result res;
	struct demo_callbacks cb;
	struct mcuprov_err err;
	struct sigaction sa, old;
	struct view v;
	struct mcuprov_key *key = NULL;
	const char *type = NULL, *key_path = NULL, *passin = NULL;
	bool upgrade = false, test = false, confirm = false;
	int opt, rc;

	memset(&o, 0, sizeof(o));
	memset(&v, 0, sizeof(v));
	o.dir = "mcuprov-demo";
	while ((opt = getopt_long(argc, argv, ":k:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'd': o.dir = optarg; break;
		case 'm': o.mcuboot = optarg; break;
		case 'M': o.mbedtls = optarg; break;
		case 't': type = optarg; break;
		case 'k': key_path = optarg; break;
		case OPT_PASSIN: passin = optarg; break;
		case 'b': cli.batch = true; break;
		case 'j': v.json = true; break;
		case 'i': o.image = optarg; break;
		case 'u': upgrade = true; break;
		case 'T': test = true; break;
		case 'C': confirm = true; break;
		default:
			if ((rc = cli_common_option(&cmd_demo, opt, argv)) >= 0)
				return rc;
		}
	}
	if (optind < argc)
		return cli_usage(&cmd_demo, "unexpected argument '%s'", argv[optind]);
	if (type != NULL && key_path != NULL)
		return cli_usage(&cmd_demo, "give either --type or -k/--key, not both");
	if (test && confirm)
		return cli_usage(&cmd_demo, "give either --test or --confirm, not both");
	if ((test || confirm) && o.image != NULL)
		return cli_usage(&cmd_demo, "--%s signs the upgrade itself: not with --image",
				 test ? "test" : "confirm");
	o.upgrade = confirm ? DEMO_UPGRADE_CONFIRM
		    : test  ? DEMO_UPGRADE_TEST
		    : upgrade ? DEMO_UPGRADE_ONCE
			      : DEMO_UPGRADE_NONE;
	if (passin != NULL && key_path == NULL)
		return cli_usage(&cmd_demo, "--passin without -k/--key (a generated key has none)");
	if (o.mcuboot == NULL && getenv("MCUBOOT_DIR") != NULL && getenv("MCUBOOT_DIR")[0] != '\0')
		o.mcuboot = getenv("MCUBOOT_DIR");
	if (o.mbedtls != NULL && o.mcuboot == NULL)
		return cli_usage(&cmd_demo, "--mbedtls needs MCUboot (--mcuboot DIR or MCUBOOT_DIR)");
	if (o.upgrade != DEMO_UPGRADE_NONE && o.mcuboot == NULL)
		return cli_usage(&cmd_demo,
				 "%s needs MCUboot (--mcuboot DIR or MCUBOOT_DIR): the built-in "
				 "loader has no secondary slot",
				 demo_upgrade_name(o.upgrade));
	o.type = key_type_from_name(type != NULL ? type : "ed25519");
	/* with MCUboot, RSA and P-384 are refused by the core, naming mbedTLS */
	if (o.type != KEY_ED25519 && o.type != KEY_ECDSA_P256 && o.type != KEY_RSA2048 &&
	    o.type != KEY_RSA3072 && !(o.mcuboot != NULL && o.type == KEY_ECDSA_P384))
		return cli_usage(&cmd_demo,
				 "invalid --type '%s' (ed25519, ecdsa-p256, rsa-2048 or rsa-3072)",
				 type);
	if (key_path != NULL) {
		if ((rc = cli_load_key(key_path, passin, &key)) != EXIT_OK)
			return rc;
		/* a key in a token (signing through it, its PIN from --passin) is
		 * named without any PIN its URI carries */
		if (pkcs11_is_uri(key_path) && key->uri != NULL) {
			static char shown[4096];

			snprintf(shown, sizeof(shown), "%s", key->uri);
			key_path = shown;
		}
		o.key = key;
		o.key_path = key_path;
		o.type = key->type;
	}
	/* $MBEDTLS_DIR: only for the types that need it */
	if (o.mbedtls == NULL && o.mcuboot != NULL &&
	    (o.type == KEY_RSA2048 || o.type == KEY_RSA3072 || o.type == KEY_ECDSA_P384) &&
	    getenv("MBEDTLS_DIR") != NULL && getenv("MBEDTLS_DIR")[0] != '\0')
		o.mbedtls = getenv("MBEDTLS_DIR");
	if (o.mbedtls != NULL && o.type != KEY_RSA2048 && o.type != KEY_RSA3072 &&
	    o.type != KEY_ECDSA_P384) {
		key_free(key);
		return cli_usage(&cmd_demo,
				 "--mbedtls is for rsa-2048, rsa-3072 and ecdsa-p384 keys: MCUboot "
				 "verifies %s with its own ext/ crypto",
				 key_type_name(o.type));
	}
	o.cancel = &cancel_flag;
	v.o = &o;
	v.steps = json_object_new_array();
	memset(&cb, 0, sizeof(cb));
	cb.step_begin = step_begin;
	cb.step_end = step_end;
	cb.line = line;
	cb.progress = progress;
	cb.arg = &v;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigaction(SIGINT, &sa, &old);
	if (!v.json && key != NULL)
		printf("mcuprov demo: your %s key '%s', work directory '%s'\n",
		       key_type_name(o.type), key_path, o.dir);
	else if (!v.json)
		printf("mcuprov demo: %s key, work directory '%s'\n", key_type_name(o.type), o.dir);
	if (!v.json && o.mcuboot != NULL)
		printf("loader: MCUboot from '%s'%s%s%s (examples/mcuboot-qemu on QEMU mps2-an385), "
		       "which verifies the signature itself\n",
		       o.mcuboot, o.mbedtls ? " with mbedTLS from '" : "", o.mbedtls ? o.mbedtls : "",
		       o.mbedtls ? "'" : "");
	else if (!v.json)
		printf("loader: the built-in demo loader (hash and key, not the signature); for "
		       "MCUboot itself: --mcuboot DIR or MCUBOOT_DIR=DIR\n");
	err_clear(&err);
	rc = demo_run(&o, &cb, &res, &err);
	sigaction(SIGINT, &old, NULL);
	if (rc < 0) {
		if (!v.json && res.log_path[0])
			printf("demo: FAILED: %s (log: %s)\n", err.msg, res.log_path);
		else if (!v.json)
			printf("demo: FAILED: %s\n", err.msg);
		cli_fail(&err);
	}
	if (v.json) {
		/* only what was made: the key, the signed app, the log */
		json_object *j = json_object_new_object();

		json_object_object_add(j, "command", json_object_new_string("demo"));
		json_object_object_add(j, "type", json_object_new_string(key_type_name(o.type)));
		json_object_object_add(j, "loader",
				       json_object_new_string(o.mcuboot ? "mcuboot" : "built-in"));
		if (o.mcuboot != NULL)
			json_object_object_add(j, "mcuboot", json_object_new_string(o.mcuboot));
		if (o.mbedtls != NULL)
			json_object_object_add(j, "mbedtls", json_object_new_string(o.mbedtls));
		if (res.boot_key[0] != '\0')
			json_object_object_add(j, "boot_key", json_object_new_string(res.boot_key));
		if (res.boot_version[0] != '\0')
			json_object_object_add(j, "boot_version",
					       json_object_new_string(res.boot_version));
		if (v.done & (1u << DEMO_KEYGEN)) {
			json_object_object_add(j, "fingerprint",
					       json_object_new_string(res.fingerprint));
			json_object_object_add(j, "key", json_object_new_string(res.key_path));
		}
		if (o.upgrade != DEMO_UPGRADE_NONE) {
			json_object *u = json_object_new_object();

			json_object_object_add(u, "mode",
					       json_object_new_string(o.upgrade == DEMO_UPGRADE_TEST
									      ? "test"
								      : o.upgrade == DEMO_UPGRADE_CONFIRM
									      ? "confirm"
									      : "once"));
			if (res.upgrade_app[0] != '\0' && (v.done & (1u << DEMO_SIGN)))
				json_object_object_add(u, "image",
						       json_object_new_string(res.upgrade_app));
			if (res.upgrade_swap[0] != '\0')
				json_object_object_add(u, "swap_type",
						       json_object_new_string(res.upgrade_swap));
			if (res.upgrade_version[0] != '\0')
				json_object_object_add(u, "booted",
						       json_object_new_string(res.upgrade_version));
			if (res.reboot_swap[0] != '\0')
				json_object_object_add(u, "reboot_swap_type",
						       json_object_new_string(res.reboot_swap));
			if (res.reboot_version[0] != '\0')
				json_object_object_add(u, "reboot_booted",
						       json_object_new_string(res.reboot_version));
			json_object_object_add(j, "upgrade", u);
		}
		if (o.image != NULL) {
			const char *verdict = res.booted ? "booted" : "not booted";

			if (!res.booted && (v.done & (1u << DEMO_VERIFY)) &&
			    err.code == MCUPROV_ERR_REFUSED)
				verdict = "refused";
			json_object_object_add(j, "image", json_object_new_string(o.image));
			if (v.done & (1u << DEMO_VERIFY))
				json_object_object_add(j, "verify",
						       json_object_new_string(res.image_verified
									      ? "ok"
									      : res.verify_note));
			json_object_object_add(j, "verdict", json_object_new_string(verdict));
		} else if (v.done & (1u << DEMO_SIGN))
			json_object_object_add(j, "signed_app",
					       json_object_new_string(res.signed_app));
		if (res.log_path[0] != '\0' && access(res.log_path, F_OK) == 0)
			json_object_object_add(j, "log", json_object_new_string(res.log_path));
		if (res.boot_line[0] != '\0')
			json_object_object_add(j, "boot_line", json_object_new_string(res.boot_line));
		json_object_object_add(j, "seconds", json_object_new_double(res.seconds));
		json_object_object_add(j, "steps", v.steps);
		cli_json_print(j, rc < 0 ? EXIT_FAIL : EXIT_OK);
	} else {
		json_object_put(v.steps);
	}
	key_free(key);
	if (rc < 0)
		return EXIT_FAIL;
	if (!v.json && o.upgrade == DEMO_UPGRADE_TEST)
		printf("demo: OK - MCUboot (key SHA-256 %s) swapped in the test upgrade %s, booted "
		       "it, and reverted to %s on the next boot since nothing confirmed it (%.1f s)\n",
		       res.boot_key, res.upgrade_version, res.reboot_version, res.seconds);
	else if (!v.json && o.upgrade == DEMO_UPGRADE_CONFIRM)
		printf("demo: OK - MCUboot (key SHA-256 %s) swapped in the confirmed upgrade %s, "
		       "booted it, and kept it on the next boot (%.1f s)\n",
		       res.boot_key, res.upgrade_version, res.seconds);
	else if (!v.json && o.upgrade != DEMO_UPGRADE_NONE && o.image != NULL)
		printf("demo: OK - MCUboot accepted the upgrade '%s' (key SHA-256 %s, version %s, "
		       "swap type %s) and booted it (%.1f s)\n",
		       o.image, res.boot_key, res.upgrade_version, res.upgrade_swap, res.seconds);
	else if (!v.json && o.upgrade != DEMO_UPGRADE_NONE)
		printf("demo: OK - MCUboot (key SHA-256 %s) swapped in the upgrade %s (swap type "
		       "%s) and booted it (%.1f s)\n",
		       res.boot_key, res.upgrade_version, res.upgrade_swap, res.seconds);
	else if (!v.json && o.image != NULL && o.mcuboot != NULL)
		printf("demo: OK - the bootloader (MCUboot) accepted the image '%s' (key SHA-256 %s, "
		       "version %s) and booted it (%.1f s)\n",
		       o.image, res.boot_key, res.boot_version, res.seconds);
	else if (!v.json && o.image != NULL)
		printf("demo: OK - the bootloader accepted the image '%s' (key %.16s...) and booted "
		       "it (%.1f s)\n",
		       o.image, res.fingerprint, res.seconds);
	else if (!v.json && o.mcuboot != NULL && key_path != NULL)
		printf("demo: OK - the bootloader (MCUboot) trusted only your %s key '%s' (key "
		       "SHA-256 %s) and booted the signed app %s (%.1f s)\n",
		       key_type_name(o.type), key_path, res.boot_key, res.boot_version, res.seconds);
	else if (!v.json && o.mcuboot != NULL)
		printf("demo: OK - the bootloader (MCUboot) trusted only the new %s key (key SHA-256 "
		       "%s) and booted the signed app %s (%.1f s)\n",
		       key_type_name(o.type), res.boot_key, res.boot_version, res.seconds);
	else if (!v.json && key_path != NULL)
		printf("demo: OK - the bootloader trusted only your %s key '%s' (%.16s...) and "
		       "booted the signed app (%.1f s)\n",
		       key_type_name(o.type), key_path, res.fingerprint, res.seconds);
	else if (!v.json)
		printf("demo: OK - the bootloader trusted only the new %s key (%.16s...) and booted "
		       "the signed app (%.1f s)\n",
		       key_type_name(o.type), res.fingerprint, res.seconds);
	return EXIT_OK;
}
