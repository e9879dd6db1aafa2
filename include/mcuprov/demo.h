/* mcuprov core: the built-in demo — from "no key" to "the board boots my
 * signed app" on any Debian machine, with QEMU as the board.
 *
 * Steps: generate a key (or take the user's), provision the demo loader's
 * keys.c with it, build
 * loader and app (make + arm-none-eabi-gcc, examples/demo-qemu), sign the
 * app, verify it, boot loader + signed app in qemu-system-arm
 * (lm3s6965evb).  The same call serves the CLI (`mcuprov demo`) and the
 * wizard.  The demo loader checks the image hash and that the image names a
 * trusted key; it does not verify signature math (mcuprov does, on the
 * host).
 *
 * With an MCUboot checkout (demo_opts.mcuboot) the same steps drive MCUboot
 * itself instead: the port in examples/mcuboot-qemu (its keys.c
 * provisioned, MCUboot's bootutil and crypto built for the key's type,
 * ed25519 or ecdsa-p256), booted on mps2-an385; MCUboot verifies the
 * signature and prints the fingerprint of the key it verified it with. */
#ifndef MCUPROV_DEMO_H
#define MCUPROV_DEMO_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "mcuprov/error.h"
#include "mcuprov/key.h"

enum demo_step {
	DEMO_KEYGEN,
	DEMO_PROVISION,
	DEMO_BUILD,
	DEMO_SIGN,
	DEMO_VERIFY,
	DEMO_BOOT,
	DEMO_N_STEPS,
};

/* "generate key", "provision keys.c", ... */
const char *demo_step_name(enum demo_step step);

struct demo_callbacks {
	void (*step_begin)(void *arg, enum demo_step step);
	/* RC 0 or MCUPROV_ERR_*; DETAIL: one line about the result */
	void (*step_end)(void *arg, enum demo_step step, int rc, double seconds, const char *detail);
	/* output lines of the build and of the board (QEMU) */
	void (*line)(void *arg, enum demo_step step, const char *line);
	void (*progress)(void *arg, enum demo_step step, int percent);
	void *arg;
};

/* --upgrade and its variants (MCUboot only) */
enum demo_upgrade {
	DEMO_UPGRADE_NONE,
	/* a second version, signed with --pad (a test upgrade), in the
	 * secondary slot: MCUboot swaps it in and boots it */
	DEMO_UPGRADE_ONCE,
	/* as ONCE, then the board boots again: MCUboot reverts to the first
	 * version, the upgrade never having been confirmed */
	DEMO_UPGRADE_TEST,
	/* the second version signed with --pad --confirm (a permanent
	 * upgrade); the board boots twice and keeps it */
	DEMO_UPGRADE_CONFIRM,
};

struct demo_opts {
	const char *dir;        /* work directory (created); its files are the demo's */
	enum key_type type;     /* ed25519 (default), ecdsa-p256, rsa-2048, rsa-3072 */
	/* the user's signing key, loaded by the front end (which knows how to
	 * ask for its password), or NULL: generate a key of TYPE into DIR.
	 * With a key, TYPE is ignored (the key's type is the demo's) and the
	 * key's file is neither written nor changed */
	const struct mcuprov_key *key;
	const char *key_path;   /* KEY's file, for the result and messages */
	const char *examples;   /* examples folder, or NULL: datadir_examples() */
	/* an MCUboot checkout: boot with MCUboot itself (examples/mcuboot-qemu,
	 * ed25519 or ecdsa-p256 keys), or NULL: the built-in demo loader */
	const char *mcuboot;
	/* with MCUBOOT: an mbedTLS source tree, built into MCUboot for rsa-2048,
	 * rsa-3072 and ecdsa-p384 keys (which it requires), or NULL */
	const char *mbedtls;
	/* an image to boot in the primary slot instead of the signed demo app
	 * (for showing refusals), or NULL.  Key, provision and build run as
	 * usual; the sign step is skipped; verify checks FILE against the
	 * provisioned key but its failure does not stop the demo (it is
	 * reported through cb->line on DEMO_VERIFY and in RES->verify_note);
	 * the boot step gives the bootloader's own verdict.  FILE is read
	 * before anything else is done and copied to DIR/image.bin */
	const char *image;
	/* with MCUboot: sign the demo app a second time (version
	 * DEMO_UPGRADE_VERSION, padded to the slot) and place it in the
	 * secondary slot; with IMAGE, IMAGE goes there instead (the primary
	 * slot holds the signed demo app) and a refusal of it fails the demo
	 * although the first version keeps booting */
	enum demo_upgrade upgrade;
	const char *mcuprov;    /* unused by the core; for messages */
	volatile sig_atomic_t *cancel;
	unsigned boot_timeout_ms; /* safety net for QEMU (0: 60 s) */
};

struct demo_result {
	char fingerprint[2 * KEY_FINGERPRINT_LEN + 1];
	char key_path[4096];
	char signed_app[4096];  /* the image for the primary slot */
	/* with O->upgrade: the image for the secondary slot (the signed
	 * upgrade, or O->image's copy) */
	char upgrade_app[4096];
	char log_path[4096];
	bool booted;           /* the app ran and QEMU exited 0 */
	char boot_line[512];   /* the loader's or app's last line */
	/* with MCUboot: the fingerprint of the key MCUboot verified the image
	 * with, as its "mcuboot: booting image V, key SHA-256 HEX" line says
	 * (equal to FINGERPRINT when the demo succeeded) */
	char boot_key[2 * KEY_FINGERPRINT_LEN + 1];
	char boot_version[64]; /* with MCUboot: the version it booted */
	/* with O->image: whether mcuprov verify accepted it with the
	 * provisioned key, and if not "mcuprov verify: <reason>" */
	bool image_verified;
	char verify_note[512];
	/* with O->upgrade: MCUboot's swap type on the first boot ("test",
	 * "perm", "none") and, for TEST/CONFIRM, the swap type and version of
	 * the second boot (BOOT_VERSION is the last boot's) */
	char upgrade_swap[16];
	char upgrade_version[64];
	char reboot_swap[16];
	char reboot_version[64];
	double seconds;
};

/* the demo app's version, and its upgrade's */
#define DEMO_VERSION "1.2.3+4"
#define DEMO_UPGRADE_VERSION "1.3.0+0"

/* The name of STEP in a demo run with O: demo_step_name(), except
 * DEMO_KEYGEN with the user's key (O->key), which is "load key", and
 * DEMO_BUILD with MCUboot (O->mcuboot), which is "build MCUboot and app",
 * and, with O->image, DEMO_SIGN "sign app: skipped (--image)" and
 * DEMO_VERIFY "verify the image". */
const char *demo_step_label(const struct demo_opts *o, enum demo_step step);

/* "--upgrade", "--upgrade --test", "--upgrade --confirm" (for messages) */
const char *demo_upgrade_name(enum demo_upgrade u);

/* Run the whole demo in O->dir, reporting through CB, with a new key of
 * O->type or with the user's key O->key (which must be a private key of a
 * type the loader takes: else MCUPROV_ERR_USAGE, or MCUPROV_ERR_REFUSED
 * with MCUboot or with O->key, before anything is done).  Returns 0 when the signed app booted; else the failing step's
 * error (the boot step fails with MCUPROV_ERR_REFUSED and the loader's
 * line: MCUboot's own reason when MCUboot refuses).  Writes the build and boot output to RES->log_path
 * (DIR/demo.log). */
int demo_run(const struct demo_opts *o, const struct demo_callbacks *cb, struct demo_result *res,
	     struct mcuprov_err *err);

#endif
