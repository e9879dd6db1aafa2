/* The built-in QEMU demo, one flow for the CLI and the wizard. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mcuprov/datadir.h"
#include "mcuprov/demo.h"
#include "mcuprov/fileio.h"
#include "mcuprov/image.h"
#include "mcuprov/keysc.h"
#include "mcuprov/provision.h"
#include "mcuprov/runner.h"

#define APP_LINE "mcuprov demo app: hello from the signed image"
#define MCUBOOT_APP_LINE "app: hello from the image MCUboot verified"
#define MCUBOOT_BOOTING "mcuboot: booting image "
#define SWAP_TYPE "[INF] Image index: 0, Swap type: "
/* QEMU's lm3s6965evb model says this on every boot; it is not the demo's */
#define QEMU_NOISE "Timer with period zero, disabling"

const char *demo_step_name(enum demo_step step)
{
	static const char *const names[] = {
		"generate key", "provision keys.c", "build loader and app",
		"sign app", "verify signed app", "boot in QEMU",
	};

	return step < DEMO_N_STEPS ? names[step] : "?";
}

const char *demo_step_label(const struct demo_opts *o, enum demo_step step)
{
	if (step == DEMO_KEYGEN && o->key != NULL)
		return "load key";
	if (step == DEMO_BUILD && o->mcuboot != NULL)
		return "build MCUboot and app";
	if (step == DEMO_SIGN && o->image != NULL && o->upgrade != DEMO_UPGRADE_NONE)
		return "sign app (the upgrade is --image)";
	if (step == DEMO_SIGN && o->upgrade != DEMO_UPGRADE_NONE)
		return "sign app and its upgrade";
	if (step == DEMO_SIGN && o->image != NULL)
		return "sign app: skipped (--image)";
	if (step == DEMO_VERIFY && o->image != NULL)
		return "verify the image";
	if (step == DEMO_VERIFY && o->upgrade != DEMO_UPGRADE_NONE)
		return "verify app and upgrade";
	if (step == DEMO_BOOT && (o->upgrade == DEMO_UPGRADE_TEST || o->upgrade == DEMO_UPGRADE_CONFIRM))
		return "boot in QEMU, twice";
	return demo_step_name(step);
}

const char *demo_upgrade_name(enum demo_upgrade u)
{
	switch (u) {
	case DEMO_UPGRADE_ONCE:
		return "--upgrade";
	case DEMO_UPGRADE_TEST:
		return "--upgrade --test";
	case DEMO_UPGRADE_CONFIRM:
		return "--upgrade --confirm";
	default:
		return "";
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* What the runner's callbacks need to reach the front end. */
struct run_ctx {
	const struct demo_callbacks *cb;
	enum demo_step step;
	struct demo_result *res;
	unsigned long slot0, slot1, slot_size, header_size, scratch, scratch_size;
	bool mcuboot;
	bool app_ran;
	bool tool_failed; /* run_tool(): the tool ran and exited non-zero */
	char refusal[512]; /* MCUboot's last [ERR] line */
	char swap[16];     /* MCUboot's "Swap type: X" */
};

/* "KEY=0x..." in LINE, as a number (0: absent) */
static unsigned long layout_field(const char *line, const char *key)
{
	const char *p = strstr(line, key);

	return p != NULL ? strtoul(p + strlen(key), NULL, 16) : 0;
}

static void on_line(void *arg, int is_stderr, const char *line)
{
	struct run_ctx *c = arg;

	if (c->step == DEMO_BOOT) {
		if (strcmp(line, QEMU_NOISE) == 0)
			return;
		if (strcmp(line, c->mcuboot ? MCUBOOT_APP_LINE : APP_LINE) == 0)
			c->app_ran = true;
		if (c->mcuboot && strncmp(line, MCUBOOT_BOOTING, strlen(MCUBOOT_BOOTING)) == 0) {
			/* "mcuboot: booting image 1.2.3+4, key SHA-256 HEX" */
			const char *v = line + strlen(MCUBOOT_BOOTING), *k = strstr(v, ", key SHA-256 ");

			if (k != NULL) {
				snprintf(c->res->boot_version, sizeof(c->res->boot_version), "%.*s",
					 (int)(k - v), v);
				snprintf(c->res->boot_key, sizeof(c->res->boot_key), "%s",
					 k + strlen(", key SHA-256 "));
			}
		}
		if (c->mcuboot && strncmp(line, "[ERR] ", 6) == 0)
			snprintf(c->refusal, sizeof(c->refusal), "%s", line + 6);
		if (c->mcuboot && strncmp(line, SWAP_TYPE, strlen(SWAP_TYPE)) == 0)
			snprintf(c->swap, sizeof(c->swap), "%s", line + strlen(SWAP_TYPE));
		snprintf(c->res->boot_line, sizeof(c->res->boot_line), "%s", line);
	}
	if (c->step == DEMO_BUILD && strncmp(line, "SLOT0=", 6) == 0) {
		c->slot0 = layout_field(line, "SLOT0=");
		c->slot_size = layout_field(line, "SLOT_SIZE=");
		c->header_size = layout_field(line, "HEADER_SIZE=");
		c->slot1 = layout_field(line, "SLOT1=");
		c->scratch = layout_field(line, "SCRATCH=");
		c->scratch_size = layout_field(line, "SCRATCH_SIZE=");
	}
	if (c->cb->line != NULL)
		c->cb->line(c->cb->arg, c->step, line);
}

static void on_progress(void *arg, int percent, const char *line)
{
	struct run_ctx *c = arg;

	if (c->cb->progress != NULL)
		c->cb->progress(c->cb->arg, c->step, percent);
}

/* Run ARGV for the current step, in CWD (NULL: here); a non-zero exit is
 * an error (and sets c->tool_failed, for the caller to say why). */
static int run_tool(struct run_ctx *c, const struct demo_opts *o, const char *const *argv,
		    const char *cwd, unsigned timeout_ms, struct mcuprov_err *err)
{
	/* make must not inherit `make check`'s jobserver or flags */
	static const char *const env[] = { "MAKEFLAGS", "MFLAGS", "MAKELEVEL", NULL };
	struct runner_opts ro;
	struct runner_result rr;
	int rc;

	c->tool_failed = false;
	memset(&ro, 0, sizeof(ro));
	ro.argv = argv;
	ro.cwd = cwd;
	ro.setenv = env;
	ro.log_path = c->res->log_path;
	ro.timeout_ms = timeout_ms;
	ro.cancel = o->cancel;
	ro.on_line = on_line;
	ro.on_progress = on_progress;
	ro.arg = c;
	rc = runner_run(&ro, &rr, err);
	if (rc < 0)
		return rc;
	if (rr.cancelled)
		return err_set(err, MCUPROV_ERR_REFUSED, NULL, "cancelled");
	if (rr.timed_out)
		return err_set(err, MCUPROV_ERR_IO, NULL, "%s did not finish in %u s", argv[0],
			       timeout_ms / 1000);
	c->tool_failed = rr.exit_code != 0;
	if (rr.exit_code != 0)
		return err_set(err, MCUPROV_ERR_IO, NULL, "%s failed (%s %d; see '%s')", argv[0],
			       rr.term_signal ? "signal" : "exit status",
			       rr.term_signal ? rr.term_signal : rr.exit_code, c->res->log_path);
	return 0;
}

/* The key types MCUboot verifies only with mbedTLS (RSA; P-384 through
 * mbedTLS's PSA Crypto) */
static bool needs_mbedtls(enum key_type t)
{
	return t == KEY_RSA2048 || t == KEY_RSA3072 || t == KEY_ECDSA_P384;
}

/* OUT = A + B; false when it does not fit. */
static bool join(char *out, size_t n, const char *a, const char *b)
{
	int k = snprintf(out, n, "%s%s", a, b);

	return k >= 0 && (size_t)k < n;
}

/* BUILD/flash.bin: the board's flash from slot 0 to the end of the scratch
 * area, erased (0xff), PRIMARY in the primary slot and SECONDARY (or
 * nothing) in the secondary.  MCUboot's port writes it back after each
 * boot, so booting it again is a reboot of the same board. */
static int flash_compose(const struct run_ctx *c, const char *path, const char *primary,
			 const char *secondary, struct mcuprov_err *err)
{
	const char *files[2] = { primary, secondary };
	unsigned long at[2] = { 0, c->slot1 - c->slot0 };
	size_t size;
	uint8_t *flash, *img = NULL;
	size_t len;
	int rc = 0;

	if (c->slot1 < c->slot0 + c->slot_size || c->scratch < c->slot1 + c->slot_size ||
	    c->scratch_size == 0 || c->scratch_size > 0x100000)
		return err_set(err, MCUPROV_ERR_IO, NULL,
			       "make print-layout gave no usable slot layout for the upgrade");
	size = c->scratch + c->scratch_size - c->slot0;
	if ((flash = malloc(size)) == NULL)
		return err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
	memset(flash, 0xff, size);
	for (int i = 0; i < 2 && rc == 0; i++) {
		if (files[i] == NULL)
			continue;
		if ((rc = file_read(files[i], 64 * 1024 * 1024, &img, &len, NULL, err)) < 0)
			break;
		if (len > c->slot_size) {
			rc = err_set(err, MCUPROV_ERR_REFUSED, files[i],
				     "is %zu bytes: larger than the %s slot (0x%lx bytes)", len,
				     i ? "secondary" : "primary", c->slot_size);
			break;
		}
		memcpy(flash + at[i], img, len);
		free(img);
		img = NULL;
	}
	if (rc == 0)
		rc = file_write_atomic(path, flash, size, FILE_WRITE_FORCE, err);
	free(img);
	free(flash);
	return rc;
}

/* One boot of MCUboot on the board whose flash is BUILD/flash.bin (QEMU
 * runs in BUILD: relative names, whatever characters the path has).
 * Fills RES's boot fields and C's swap type and refusal; a QEMU failure
 * that MCUboot explained is MCUPROV_ERR_REFUSED with its reason. */
static int mcuboot_boot(struct run_ctx *c, const struct demo_opts *o, const char *build,
			struct mcuprov_err *err)
{
	char dev_arg[64];
	const char *argv[] = { "qemu-system-arm", "-M", "mps2-an385", "-nographic",
			       "-semihosting-config",
			       "enable=on,target=native,arg=mcuboot,arg=flash=flash.bin", "-kernel",
			       "mcuboot.elf", "-device", dev_arg, NULL };
	int rc;

	snprintf(dev_arg, sizeof(dev_arg), "loader,file=flash.bin,addr=0x%08lx", c->slot0);
	c->app_ran = false;
	c->refusal[0] = c->swap[0] = '\0';
	c->res->boot_line[0] = c->res->boot_key[0] = c->res->boot_version[0] = '\0';
	rc = run_tool(c, o, argv, build, o->boot_timeout_ms ? o->boot_timeout_ms : 60000, err);
	if (rc < 0 && c->tool_failed &&
	    (c->refusal[0] || strncmp(c->res->boot_line, "mcuboot: ", 9) == 0))
		return err_set(err, MCUPROV_ERR_REFUSED, NULL, "MCUboot refused the image: %s",
			       c->refusal[0] ? c->refusal : c->res->boot_line + 9);
	if (rc < 0)
		return rc;
	if (!c->app_ran)
		return err_set(err, MCUPROV_ERR_REFUSED, NULL,
			       "QEMU exited without the app's greeting (last line: %s)",
			       c->res->boot_line);
	return 0;
}

int demo_run(const struct demo_opts *o, const struct demo_callbacks *cb, struct demo_result *res,
	     struct mcuprov_err *err)
{
	struct run_ctx c;
	struct mcuprov_key *made = NULL;
	const struct mcuprov_key *key = o->key, *keys[1];
	enum key_type type = o->key != NULL ? o->key->type : o->type;
	const char *ex = o->examples ? o->examples : datadir_examples(), *macro;
	char dir[4096], demo_src[4200], keys_c[4200], build[4200], src_keys[4300], app[4300],
		loader[4300], o_arg[4300], k_arg[4300], d_arg[128], dev_arg[4400], exdir[4200],
		mcuboot[4096], m_arg[4200], flash[4300], image_copy[4200], mbedtls[4096],
		tls_arg[4200];
	const bool mb = o->mcuboot != NULL;
	enum demo_step step = DEMO_KEYGEN;
	double t0 = now(), ts = t0;
	char detail[600] = "";
	uint8_t *image = NULL;
	size_t image_len = 0;
	int rc;

	memset(res, 0, sizeof(*res));
	memset(&c, 0, sizeof(c));
	c.cb = cb;
	c.res = res;
	c.mcuboot = mb;
	macro = keysc_sign_macro(type);
	if (o->upgrade != DEMO_UPGRADE_NONE && !mb)
		return err_set(err, MCUPROV_ERR_USAGE, NULL,
			       "%s needs MCUboot (--mcuboot DIR or MCUBOOT_DIR): the built-in loader "
			       "has no secondary slot",
			       demo_upgrade_name(o->upgrade));
	/* MCUboot's QEMU port builds MCUboot's own ext/ crypto for ed25519 and
	 * P-256; RSA and P-384 need an mbedTLS tree */
	if (mb && !needs_mbedtls(type) && type != KEY_ED25519 && type != KEY_ECDSA_P256)
		return err_set(err, MCUPROV_ERR_USAGE, NULL,
			       "MCUboot's QEMU port takes ed25519, ecdsa-p256, rsa-2048, rsa-3072 or "
			       "ecdsa-p384 keys");
	if (mb && needs_mbedtls(type) && o->mbedtls == NULL)
		return err_set(err, MCUPROV_ERR_REFUSED, o->key != NULL ? o->key_path : NULL,
			       "%s%s%sMCUboot verifies %s signatures with mbedTLS, which an MCUboot "
			       "checkout lacks (a submodule): give --mbedtls DIR, an mbedTLS source "
			       "tree (scripts/fetch-mbedtls DIR unpacks Debian's)",
			       o->key != NULL ? "is " : "", o->key != NULL ? key_type_name(type) : "",
			       o->key != NULL ? ": " : "", key_type_name(type));
	if (mb && o->mbedtls != NULL && !needs_mbedtls(type))
		return err_set(err, MCUPROV_ERR_USAGE, NULL,
			       "--mbedtls is for rsa-2048, rsa-3072 and ecdsa-p384 keys: MCUboot "
			       "verifies %s with its own ext/ crypto",
			       key_type_name(type));
	if (!mb && o->mbedtls != NULL)
		return err_set(err, MCUPROV_ERR_USAGE, NULL,
			       "--mbedtls needs MCUboot (--mcuboot DIR or MCUBOOT_DIR): the built-in "
			       "loader does not use it");
	if (!mb && o->key != NULL && (type == KEY_ECDSA_P384 || macro == NULL))
		return err_set(err, MCUPROV_ERR_REFUSED, o->key_path,
			       "is %s: the demo loader takes ed25519, ecdsa-p256, rsa-2048 or "
			       "rsa-3072 keys",
			       key_type_name(type));
	if (!mb && (type == KEY_ECDSA_P384 || macro == NULL))
		return err_set(err, MCUPROV_ERR_USAGE, NULL,
			       "the demo loader takes ed25519, ecdsa-p256, rsa-2048 or rsa-3072 keys");
	if (o->key != NULL && !key_can_sign(o->key))
		return err_set(err, MCUPROV_ERR_REFUSED, o->key_path,
			       "is a public key: the demo signs its app with the private key");
	if (ex == NULL)
		return err_set(err, MCUPROV_ERR_IO, NULL,
			       "demo sources (examples/demo-qemu) not found; set MCUPROV_EXAMPLES");
	if (mb) {
		char probe[4200];

		if (realpath(o->mcuboot, mcuboot) == NULL ||
		    !join(probe, sizeof(probe), mcuboot, "/boot/bootutil/src/loader.c") ||
		    access(probe, R_OK) != 0)
			return err_set(err, MCUPROV_ERR_REFUSED, o->mcuboot,
				       "is not an MCUboot checkout (no boot/bootutil/src/loader.c)");
		if (o->mbedtls != NULL &&
		    (realpath(o->mbedtls, mbedtls) == NULL ||
		     !join(probe, sizeof(probe), mbedtls, "/include/mbedtls/rsa.h") ||
		     access(probe, R_OK) != 0 ||
		     !join(probe, sizeof(probe), mbedtls, "/library/bignum.c") ||
		     access(probe, R_OK) != 0))
			return err_set(err, MCUPROV_ERR_REFUSED, o->mbedtls,
				       "is not an mbedTLS source tree (no include/mbedtls/rsa.h and "
				       "library/bignum.c)");
		if (!join(probe, sizeof(probe), ex, "/mcuboot-qemu/Makefile") ||
		    access(probe, R_OK) != 0)
			return err_set(err, MCUPROV_ERR_IO, NULL,
				       "MCUboot port (examples/mcuboot-qemu) not found; set "
				       "MCUPROV_EXAMPLES");
	}
	/* --image: read before anything is done (a missing file changes nothing) */
	if (o->image != NULL &&
	    (rc = file_read(o->image, 64 * 1024 * 1024, &image, &image_len, NULL, err)) < 0)
		return rc;
	if ((rc = file_mkdirs(o->dir, 0777, err)) < 0) {
		free(image);
		return rc;
	}
	if (realpath(o->dir, dir) == NULL || realpath(ex, exdir) == NULL) {
		free(image);
		return err_set(err, MCUPROV_ERR_IO, o->dir, "cannot resolve: %s", strerror(errno));
	}
	{
		char kname[64];

		snprintf(kname, sizeof(kname), "/demo-%s.pem", key_type_name(type));
		if (!join(demo_src, sizeof(demo_src), exdir, mb ? "/mcuboot-qemu" : "/demo-qemu") ||
		    !join(keys_c, sizeof(keys_c), dir, "/keys.c") ||
		    !join(build, sizeof(build), dir, "/build") ||
		    !join(src_keys, sizeof(src_keys), demo_src, mb ? "/keys.c" : "/loader/keys.c") ||
		    !join(app, sizeof(app), build, "/app.bin") ||
		    !join(loader, sizeof(loader), build, mb ? "/mcuboot.elf" : "/loader.elf") ||
		    !join(m_arg, sizeof(m_arg), "MCUBOOT_DIR=", mb ? mcuboot : "") ||
		    !join(res->key_path, sizeof(res->key_path),
			  o->key ? (o->key_path ? o->key_path : "") : dir, o->key ? "" : kname) ||
		    !join(image_copy, sizeof(image_copy), dir, "/image.bin") ||
		    !join(flash, sizeof(flash), build, "/flash.bin") ||
		    !join(res->signed_app, sizeof(res->signed_app),
			  o->image && !o->upgrade ? dir : build,
			  o->image && !o->upgrade ? "/image.bin" : "/app.signed.bin") ||
		    !join(res->upgrade_app, sizeof(res->upgrade_app), o->image ? dir : build,
			  o->image ? "/image.bin" : "/app-v2.signed.bin") ||
		    !join(res->log_path, sizeof(res->log_path), dir, "/demo.log") ||
		    !join(o_arg, sizeof(o_arg), "O=", build) ||
		    !join(k_arg, sizeof(k_arg), "KEYS_C=", keys_c)) {
			free(image);
			return err_set(err, MCUPROV_ERR_USAGE, o->dir, "path too long");
		}
	}
	(void)unlink(res->log_path);

#define BEGIN(s)                                          \
	do {                                              \
		step = (s);                               \
		c.step = (s);                             \
		ts = now();                               \
		detail[0] = '\0';                         \
		if (cb->step_begin)                       \
			cb->step_begin(cb->arg, (s));     \
	} while (0)
#define END()                                                                  \
	do {                                                                   \
		if (cb->step_end)                                              \
			cb->step_end(cb->arg, step, 0, now() - ts, detail);    \
	} while (0)

	/* 1. the user's key, or a fresh one: the demo directory's files are
	 * the demo's own */
	BEGIN(DEMO_KEYGEN);
	if (key == NULL && ((rc = key_generate(type, &made, err)) < 0 ||
			    (rc = key_save(made, res->key_path, NULL, true, err)) < 0))
		goto out;
	if (key == NULL)
		key = made;
	if ((rc = key_fingerprint_hex(key, res->fingerprint, err)) < 0)
		goto out;
	snprintf(detail, sizeof(detail), "%.400s, fingerprint %s", res->key_path, res->fingerprint);
	END();

	/* 2. the loader's keys.c, provisioned exactly as `mcuprov patch` does */
	BEGIN(DEMO_PROVISION);
	{
		struct provision_opts po;
		struct provision_result pr;
		uint8_t *text = NULL;
		size_t len = 0;

		if ((rc = file_read(src_keys, 4 * 1024 * 1024, &text, &len, NULL, err)) < 0)
			goto out;
		rc = file_write_atomic(keys_c, text, len, FILE_WRITE_FORCE, err);
		free(text);
		if (rc < 0)
			goto out;
		keys[0] = key;
		memset(&po, 0, sizeof(po));
		po.keys = keys;
		po.n_keys = 1;
		rc = provision_keys_c(keys_c, &po, &pr, err);
		provision_result_free(&pr);
		if (rc < 0)
			goto out;
		snprintf(detail, sizeof(detail), "%.400s now trusts only the %s key (%s block)", keys_c,
			 o->key ? "given" : "new", macro);
	}
	END();

	/* 3. loader and app */
	BEGIN(DEMO_BUILD);
	if (mb) /* the port's SIGN=: EC256, ED25519, RSA or EC384 */
		snprintf(d_arg, sizeof(d_arg), "SIGN=%s", macro + strlen("MCUBOOT_SIGN_"));
	else
		snprintf(d_arg, sizeof(d_arg), "SIGN_DEFINE=%s", macro);
	{
		char len_arg[32];
		const char *argv[] = { "make", "-C", demo_src, o_arg, k_arg, d_arg, "all",
				       "print-layout", NULL };
		/* RSA_LEN and MBEDTLS_DIR only for the types that need them */
		const char *mb_argv[] = { "make", "-C", demo_src, o_arg, m_arg, k_arg, d_arg, "all",
					  "print-layout", NULL, NULL, NULL };

		if (mb && needs_mbedtls(type)) {
			snprintf(len_arg, sizeof(len_arg), "RSA_LEN=%d",
				 type == KEY_RSA3072 ? 3072 : 2048);
			if (!join(tls_arg, sizeof(tls_arg), "MBEDTLS_DIR=", mbedtls)) {
				rc = err_set(err, MCUPROV_ERR_USAGE, o->mbedtls, "path too long");
				goto out;
			}
			mb_argv[9] = tls_arg;
			mb_argv[10] = type == KEY_ECDSA_P384 ? NULL : len_arg;
		}

		if ((rc = run_tool(&c, o, mb ? mb_argv : argv, NULL, 300000, err)) < 0)
			goto out;
	}
	if (c.slot0 == 0 || c.slot_size == 0 || c.header_size == 0) {
		rc = err_set(err, MCUPROV_ERR_IO, demo_src, "make print-layout gave no slot layout");
		goto out;
	}
	snprintf(detail, sizeof(detail), "%.280s, %.280s", loader, app);
	END();

	/* 4. sign, as `mcuprov sign` does; with --image, FILE as given (in the
	 * primary slot, or with --upgrade in the secondary) */
	BEGIN(DEMO_SIGN);
	if (o->image != NULL &&
	    (rc = file_write_atomic(image_copy, image, image_len, FILE_WRITE_FORCE, err)) < 0)
		goto out;
	if (o->image == NULL || o->upgrade != DEMO_UPGRADE_NONE) {
		struct image_sign_opts so;
		struct image_sign_result sr, sr2;

		image_sign_opts_init(&so);
		so.infile = app;
		so.outfile = res->signed_app;
		if ((rc = image_version_parse(DEMO_VERSION, &so.version, err)) < 0)
			goto out;
		so.header_size = (uint32_t)c.header_size;
		so.pad_header = true;
		so.slot_size = (uint32_t)c.slot_size;
		so.key = key;
		if ((rc = image_sign(&so, &sr, err)) < 0)
			goto out;
		snprintf(detail, sizeof(detail), "%.400s (%llu bytes, version " DEMO_VERSION ")",
			 res->signed_app, (unsigned long long)sr.out_size);
		if (o->upgrade != DEMO_UPGRADE_NONE && o->image == NULL) {
			/* the upgrade: padded to the slot with the trailer's magic,
			 * image_ok set with --confirm (imgtool's --pad [--confirm]) */
			so.outfile = res->upgrade_app;
			so.pad = true;
			so.confirm = o->upgrade == DEMO_UPGRADE_CONFIRM;
			if ((rc = image_version_parse(DEMO_UPGRADE_VERSION, &so.version, err)) < 0 ||
			    (rc = image_sign(&so, &sr2, err)) < 0)
				goto out;
			snprintf(detail, sizeof(detail),
				 "%.200s (version " DEMO_VERSION "); upgrade %.200s (version "
				 DEMO_UPGRADE_VERSION ", padded, %s)",
				 res->signed_app, res->upgrade_app,
				 so.confirm ? "confirmed: permanent" : "a test upgrade");
		} else if (o->upgrade != DEMO_UPGRADE_NONE) {
			snprintf(detail, sizeof(detail),
				 "%.200s (version " DEMO_VERSION "); the upgrade is '%.200s' as given",
				 res->signed_app, o->image);
		}
	} else {
		snprintf(detail, sizeof(detail), "booting '%.250s' as given (%zu bytes, copied to %.250s)",
			 o->image, image_len, res->signed_app);
	}
	END();

	/* 5. verify on the host: the signature math the demo loader skips;
	 * with --image only a note, the bootloader's verdict is the point */
	BEGIN(DEMO_VERIFY);
	{
		struct image_verify_result vr;
		const char *mine[2] = { NULL, NULL }, *given = NULL;

		keys[0] = key;
		if (o->image == NULL || o->upgrade != DEMO_UPGRADE_NONE)
			mine[0] = res->signed_app;
		if (o->upgrade != DEMO_UPGRADE_NONE && o->image == NULL)
			mine[1] = res->upgrade_app;
		if (o->image != NULL)
			given = o->upgrade != DEMO_UPGRADE_NONE ? res->upgrade_app : res->signed_app;
		for (int i = 0; i < 2; i++)
			if (mine[i] != NULL && (rc = image_verify(mine[i], keys, 1, &vr, err)) < 0)
				goto out;
		snprintf(detail, sizeof(detail), "hash and %s signature valid%s", key_type_name(type),
			 mine[1] != NULL ? " (app and upgrade)" : "");
		if (given != NULL) {
			struct mcuprov_err verr;

			err_clear(&verr);
			if (image_verify(given, keys, 1, &vr, &verr) < 0) {
				snprintf(res->verify_note, sizeof(res->verify_note),
					 "mcuprov verify: %.480s", verr.msg);
				if (cb->line != NULL)
					cb->line(cb->arg, DEMO_VERIFY, res->verify_note);
				snprintf(detail, sizeof(detail),
					 "%snot valid for the provisioned key; booting it anyway: the "
					 "bootloader decides",
					 o->upgrade != DEMO_UPGRADE_NONE ? "the app is valid; the upgrade is "
									 : "");
			} else {
				res->image_verified = true;
			}
		}
	}
	END();

	/* 6. flash and boot: QEMU loads the signed app into slot 0; MCUboot's
	 * board boots from a flash file that outlives each QEMU run */
	BEGIN(DEMO_BOOT);
	if (mb) {
		bool twice = o->upgrade == DEMO_UPGRADE_TEST || o->upgrade == DEMO_UPGRADE_CONFIRM;
		bool up = o->upgrade != DEMO_UPGRADE_NONE;

		if (c.slot1 == 0 || c.scratch == 0) {
			rc = err_set(err, MCUPROV_ERR_IO, demo_src,
				     "make print-layout gave no secondary slot or scratch area");
			goto out;
		}
		if ((rc = flash_compose(&c, flash, res->signed_app, up ? res->upgrade_app : NULL,
					err)) < 0 ||
		    (rc = mcuboot_boot(&c, o, build, err)) < 0)
			goto out;
		if (up) {
			snprintf(res->upgrade_swap, sizeof(res->upgrade_swap), "%s", c.swap);
			snprintf(res->upgrade_version, sizeof(res->upgrade_version), "%s",
				 res->boot_version);
			if (c.refusal[0]) {
				rc = err_set(err, MCUPROV_ERR_REFUSED, NULL,
					     "MCUboot refused the upgrade: %s (it booted %s from the "
					     "primary slot)",
					     c.refusal, res->boot_version);
				goto out;
			}
			if (strcmp(c.swap, "test") != 0 && strcmp(c.swap, "perm") != 0) {
				rc = err_set(err, MCUPROV_ERR_REFUSED, NULL,
					     "MCUboot did not take the upgrade (swap type: %s; it booted "
					     "%s)",
					     c.swap[0] ? c.swap : "not printed", res->boot_version);
				goto out;
			}
			if (o->image == NULL && strcmp(res->boot_version, DEMO_UPGRADE_VERSION) != 0) {
				rc = err_set(err, MCUPROV_ERR_REFUSED, NULL,
					     "MCUboot booted %s, not the upgrade " DEMO_UPGRADE_VERSION,
					     res->boot_version);
				goto out;
			}
		}
		if (strcmp(res->boot_key, res->fingerprint) != 0) {
			rc = err_set(err, MCUPROV_ERR_REFUSED, NULL,
				     "MCUboot booted the image with key %s, not the demo's key %s",
				     res->boot_key[0] ? res->boot_key : "(none printed)",
				     res->fingerprint);
			goto out;
		}
		if (twice) {
			const char *want_swap = o->upgrade == DEMO_UPGRADE_TEST ? "revert" : "none";
			const char *want = o->upgrade == DEMO_UPGRADE_TEST ? DEMO_VERSION
									   : res->upgrade_version;

			if (cb->line != NULL)
				cb->line(cb->arg, DEMO_BOOT,
					 "-- reset: the board boots again from the same flash --");
			if ((rc = mcuboot_boot(&c, o, build, err)) < 0)
				goto out;
			snprintf(res->reboot_swap, sizeof(res->reboot_swap), "%s", c.swap);
			snprintf(res->reboot_version, sizeof(res->reboot_version), "%s",
				 res->boot_version);
			if (strcmp(c.swap, want_swap) != 0 || strcmp(res->boot_version, want) != 0) {
				rc = err_set(err, MCUPROV_ERR_REFUSED, NULL,
					     "on the second boot MCUboot's swap type was %s and it "
					     "booted %s (expected %s and %s)",
					     c.swap[0] ? c.swap : "not printed", res->boot_version,
					     want_swap, want);
				goto out;
			}
			if (strcmp(res->boot_key, res->fingerprint) != 0) {
				rc = err_set(err, MCUPROV_ERR_REFUSED, NULL,
					     "MCUboot booted the image with key %s, not the demo's "
					     "key %s",
					     res->boot_key[0] ? res->boot_key : "(none printed)",
					     res->fingerprint);
				goto out;
			}
		}
		if (o->upgrade == DEMO_UPGRADE_TEST)
			snprintf(detail, sizeof(detail),
				 "MCUboot swapped in %s (test), verified it with key %.64s and started "
				 "it; unconfirmed, it reverted to %s on the next boot",
				 res->upgrade_version, res->boot_key, res->reboot_version);
		else if (o->upgrade == DEMO_UPGRADE_CONFIRM)
			snprintf(detail, sizeof(detail),
				 "MCUboot swapped in %s (permanent), verified it with key %.64s and "
				 "started it; it kept it on the next boot",
				 res->upgrade_version, res->boot_key);
		else if (up)
			snprintf(detail, sizeof(detail),
				 "MCUboot swapped in %s (%s), verified it with key %.64s and started it",
				 res->upgrade_version, res->upgrade_swap, res->boot_key);
		else
			snprintf(detail, sizeof(detail),
				 "MCUboot verified the signature with key %.64s and started the app",
				 res->boot_key);
	} else {
		if (snprintf(dev_arg, sizeof(dev_arg), "loader,file=%s,addr=0x%08lx",
			     res->signed_app, c.slot0) >= (int)sizeof(dev_arg)) {
			rc = err_set(err, MCUPROV_ERR_USAGE, o->dir, "path too long");
			goto out;
		}
		const char *argv[] = { "qemu-system-arm", "-M", "lm3s6965evb", "-nographic",
				       "-semihosting-config", "enable=on,target=native", "-kernel",
				       loader, "-device", dev_arg, NULL };

		rc = run_tool(&c, o, argv, NULL, o->boot_timeout_ms ? o->boot_timeout_ms : 60000, err);
		if (rc < 0 && strncmp(res->boot_line, "loader: ", 8) == 0)
			rc = err_set(err, MCUPROV_ERR_REFUSED, NULL, "the loader refused the image: %s",
				     res->boot_line + 8);
		if (rc < 0)
			goto out;
		if (!c.app_ran) {
			rc = err_set(err, MCUPROV_ERR_REFUSED, NULL,
				     "QEMU exited without the app's greeting (last line: %s)",
				     res->boot_line);
			goto out;
		}
		snprintf(detail, sizeof(detail),
			 "the loader trusted key %.16s... and started the app", res->fingerprint);
	}
	res->booted = true;
	END();
	rc = 0;
out:
	if (rc < 0 && cb->step_end)
		cb->step_end(cb->arg, step, rc, now() - ts, err ? err->msg : "");
	res->seconds = now() - t0;
	key_free(made);
	free(image);
	return rc;
#undef BEGIN
#undef END
}
