/* mcuprov core: the project file, mcuprov.yaml.
 *
 * One YAML file describes a firmware project for MCUboot: the signing keys
 * (the first signs, all are trusted by the bootloader), the optional
 * image-encryption key, where the bootloader's key file lives, how images
 * are signed, and per target the commands that build the bootloader and
 * the app, flash them and run them.  The full schema, with every key, is in
 * templates/targets/README.md; in short (version 1):
 *
 *   version: 1
 *   keys: [{path: keys/signing.pem, type: ed25519}, ...]
 *     (passin: env:NAME or file:PATH: where an encrypted key's password is)
 *   encryption_key: keys/enc.pem                # optional
 *   bootloader: {tree: DIR, keys_c: FILE}       # or conf: FILE; optional
 *     (defines: [NAME, NAME=VALUE], undefines: [NAME]: its configuration)
 *   image: {header_size: 0x200, slot_size: 0x20000, version: 1.0.0, ...}
 *   default_target: NAME                        # optional
 *   targets:
 *     NAME:
 *       vars: {board: ..., build_dir: build}    # optional
 *       bootloader_build: [[west, build, ...]]  # steps: lists of argv lists
 *       app_build: [[...]]
 *       app: "${build_dir}/zephyr/zephyr.bin"
 *       signed_app: "${build_dir}/zephyr/zephyr.signed.bin"
 *       flash: [[...]]
 *       run: [[...]]
 *
 * A step is an argv (a list of words), never a shell string: it is run with
 * execve, not through a shell.  A word may hold "${name}" references,
 * replaced inside the word (never splitting it) by, in this order of
 * lookup: the target's vars, then the built-ins key (the first signing
 * key's absolute path), signed_app, app (the target's, themselves
 * expanded), project_dir (absolute), build_dir ("build" unless a var),
 * board (only as a var) and mcuprov_examples (datadir_examples(): the
 * folder of mcuprov's demo sources; an error when none is found).  Var values may refer to other vars and built-ins;
 * "$${" is a literal "${".  Everything is checked when the file is loaded:
 * a schema error, an unknown ${name} or a loop among vars is reported as
 *   FILE:LINE:COLUMN: <where>: <what was expected>
 * in the error's message (subject empty), so a front end prints
 *   mcuprov: <cmd>: mcuprov.yaml:7:5: unknown key 'bootlaoder' (...)
 *
 * A key in a PKCS#11 token is named by its URI in keys[].path (never in
 * encryption_key: the bootloader embeds that key's private half); it is
 * not a path: ${key} gives it as written.
 *
 * Relative paths (keys, encryption_key, bootloader.tree, and the files
 * named by expanded app and signed_app) are relative to the directory that
 * holds the project file; steps are meant to run with that directory as
 * their working directory. */
#ifndef MCUPROV_PROJECT_H
#define MCUPROV_PROJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mcuprov/error.h"
#include "mcuprov/image.h"
#include "mcuprov/key.h"

#define PROJECT_FILE_MAX (1024 * 1024) /* largest project file */
#define PROJECT_VERSION 1              /* the schema version this code reads */
#define PROJECT_KEYS_MAX 16            /* signing keys (as render) */
#define PROJECT_TARGETS_MAX 64
#define PROJECT_VARS_MAX 64            /* vars of one target */
#define PROJECT_STEPS_MAX 64           /* steps in one list */
#define PROJECT_ARGV_MAX 256           /* words in one argv */
#define PROJECT_WORD_MAX 8192          /* bytes of one expanded word or var */
#define PROJECT_NAME_MAX 64            /* bytes of a target or var name */
#define PROJECT_DEFINES_MAX 64         /* entries of bootloader.defines, .undefines */

/* Where a value sits in the file (1-based, columns in characters). */
struct project_mark {
	unsigned line;
	unsigned column;
};

struct project_key {
	/* as written: a key file, or an RFC 7512 URI ("pkcs11:token=prod;
	 * object=signing-2026", pkcs11.h) of a key in a token.  A URI with a
	 * pin-value is a schema error ("a PIN in the project file is
	 * refused"): the PIN comes from the URI's pin-source or passin */
	char *path;
	char *abspath;           /* resolved against the project directory; a URI as written */
	enum key_type type;      /* rsa-2048 ... ed25519 (never x25519) */
	struct project_mark mark; /* of the entry */
	/* keys[].passin, where the key's password (a token's PIN) comes from: "env:NAME", or
	 * "file:PATH" with PATH resolved against the project directory; NULL
	 * when not given.  Never the password itself: pass:, fd: and stdin
	 * are schema errors. */
	char *passin;
};

enum project_boot_file {
	PROJECT_BOOT_NONE = 0, /* no bootloader section */
	PROJECT_BOOT_KEYS_C,   /* bootloader.keys_c: a C key file to write */
	PROJECT_BOOT_CONF,     /* bootloader.conf: a Kconfig fragment to patch */
};

struct project_bootloader {
	enum project_boot_file kind;
	char *tree; /* as written, or NULL */
	char *file; /* keys_c or conf as written, or NULL (kind NONE) */
	/* the file resolved: against the tree (itself resolved) when there is
	 * one, else against the project directory; NULL for kind NONE */
	char *path;
	struct project_mark mark; /* of keys_c or conf */
	/* bootloader.defines ("NAME" or "NAME=VALUE", as `-D`) and
	 * bootloader.undefines ("NAME", as `-U`): what the bootloader's build
	 * defines, for the keys.c conditionals and the configuration checks
	 * (provision_opts.defines, .undefs); no name is in both */
	char **defines;
	size_t n_defines;
	char **undefs;
	size_t n_undefs;
};

struct project_image {
	uint32_t header_size;
	uint32_t slot_size;
	unsigned align;                /* 1, 2, 4, 8, 16 or 32; default 1 */
	struct image_version version;
	char *version_text;            /* as written */
	bool has_security_counter;
	bool security_counter_auto;    /* "auto": from the version */
	uint32_t security_counter;
	bool pad;                      /* pad to the slot, write the trailer */
	bool confirm;                  /* mark the image confirmed */
	bool pad_header;               /* add the header in front of the app */
};

/* A var of a target: NAME=VALUE. */
struct project_var {
	char *name;
	char *value;              /* expanded */
	char *raw;                /* as written */
	struct project_mark mark; /* of the value */
};

/* One step: a NULL-terminated argv of word templates (unexpanded). */
struct project_step {
	char **argv;
	size_t argc;
	struct project_mark mark;
};

struct project_steps {
	struct project_step *v;
	size_t n; /* 0: none (key absent or []) */
};

struct project_target {
	char *name;
	struct project_var *vars; /* in file order */
	size_t n_vars;
	struct project_steps bootloader_build;
	struct project_steps app_build;
	struct project_steps flash;
	struct project_steps run;
	char *app;            /* expanded: the artifact to sign */
	char *signed_app;     /* expanded: where the signed image goes */
	char *app_raw;        /* app as written */
	char *signed_app_raw; /* signed_app as written */
	/* ${build_dir} ("build" unless a var) and ${board} (NULL unless a
	 * var): they point into vars or at a literal, never freed alone */
	const char *build_dir;
	const char *board;
	struct project_mark mark; /* of the target's name */
};

struct project {
	char *file;           /* the path given to project_load() */
	char *dir;            /* absolute directory of the file */
	unsigned version;
	struct project_key *keys; /* at least one; keys[0] signs */
	size_t n_keys;
	char *encryption_key;    /* as written, or NULL */
	char *encryption_key_abspath; /* resolved, or NULL */
	struct project_bootloader bootloader;
	struct project_image image;
	char *default_target;    /* or NULL */
	struct project_target *targets; /* in file order; may be none */
	size_t n_targets;
};

/* Load and check the project file PATH (at most PROJECT_FILE_MAX bytes).
 * On success *out is a new project to release with project_free().
 * Returns 0, MCUPROV_ERR_FORMAT (YAML syntax or schema error, message
 * "PATH:LINE:COLUMN: ..."), MCUPROV_ERR_NOMEM, or a file_read() error
 * (MCUPROV_ERR_IO, subject PATH). */
int project_load(const char *path, struct project **out, struct mcuprov_err *err);

/* project_load() on LEN bytes of TEXT (need not be NUL-terminated), named
 * NAME in messages, with relative paths resolved against DIR (made
 * absolute against the working directory when relative; NULL: the
 * directory part of NAME). */
int project_load_mem(const char *name, const char *dir, const char *text, size_t len,
		     struct project **out, struct mcuprov_err *err);

/* Release P and everything it owns.  Safe on NULL. */
void project_free(struct project *p);

/* The target NAME, or with NAME NULL the default_target, else the only
 * target; NULL when there is none such. */
const struct project_target *project_target(const struct project *p, const char *name);

/* project_target() with an error for the front end: "no target 'x'
 * (targets: a, b)", "no targets in 'FILE'", "several targets and no
 * default_target: name one (a, b)".  Returns 0 or MCUPROV_ERR_USAGE. */
int project_target_get(const struct project *p, const char *name,
		       const struct project_target **out, struct mcuprov_err *err);

/* The value of ${NAME} for target T (NULL: only the project's built-ins
 * key, project_dir and build_dir), or NULL when unknown or without a value
 * (board not set).  Valid as long as P. */
const char *project_lookup(const struct project *p, const struct project_target *t,
			   const char *name);

/* Expand the NULL-terminated word templates ARGV_TEMPLATE for target T
 * (NULL: project built-ins only) into *out_argv, a malloc'd
 * NULL-terminated array of malloc'd words (release with
 * project_argv_free()).  Each ${name} is replaced inside its word; "$${"
 * gives "${".  Returns 0, MCUPROV_ERR_NOMEM, or MCUPROV_ERR_FORMAT
 * ("unknown variable '${x}' in word 3 ('...')", more than PROJECT_ARGV_MAX
 * words, a word longer than PROJECT_WORD_MAX, an empty argv). */
int project_expand(const struct project *p, const struct project_target *t,
		   const char *const *argv_template, char ***out_argv, struct mcuprov_err *err);

/* Release an argv from project_expand().  Safe on NULL. */
void project_argv_free(char **argv);

/* REL resolved against the project directory (REL itself when absolute)
 * into OUT (N bytes).  Returns 0 or MCUPROV_ERR_USAGE (does not fit). */
int project_path(const struct project *p, const char *rel, char *out, size_t n);

/* Add the command line's `-D ARG` (UNDEF: `-U ARG`) to P's
 * bootloader.defines (undefines), after dropping every entry of either
 * list for the same name: the command line overrides the file, and a
 * later -D / -U an earlier one.  Returns 0, MCUPROV_ERR_USAGE ("-D 'ARG':
 * REASON": ARG is not NAME[=VALUE] / a name) or MCUPROV_ERR_NOMEM. */
int project_define(struct project *p, const char *arg, bool undef, struct mcuprov_err *err);

/* ---- profiles: starting project files for `mcuprov init` ----------------- */

/* A profile is a project file templates/targets/NAME.yaml whose first line
 * is a "# " comment: its one-line description.  A "# needs: TEXT" line
 * among the comment lines that open it says in one line what the user
 * must supply (their bootloader tree, their app); a profile without one is
 * self-contained: project_create() makes everything it needs.  A
 * "# supply: VAR=DEFAULT[, NAME=basename(VAR)]..." line with it names the
 * one directory the needs line is mainly about: the target var VAR that
 * holds it, DEFAULT its value in the profile (relative to the project
 * directory), and vars that hold its basename (a sysbuild image name);
 * project_init_opts.supply sets them. */
#define PROJECT_NEEDS_MAX 256 /* bytes of a needs (or supply) line */

struct project_profile {
	char *name;        /* file name without ".yaml" */
	char *path;        /* the file found */
	char *description; /* the first comment line without "# ", or "" */
	char *needs;       /* the "# needs: " line's TEXT, or "" (self-contained) */
	/* the "# supply: " line's VAR and DEFAULT, or "" (none, or a line
	 * that does not parse: project_create() says why) */
	char *supply_var;
	char *supply_default;
};

/* Every profile in the profile directories, in order
 * $MCUPROV_TEMPLATES/targets, the source tree's templates/targets (for an
 * uninstalled build), then $(pkgdatadir)/templates/targets; a name found
 * twice is taken from the first.  Sorted by name.  *out (release with
 * project_profiles_free()) may be empty.  Returns 0 or MCUPROV_ERR_NOMEM. */
int project_profiles(struct project_profile **out, size_t *n, struct mcuprov_err *err);

void project_profiles_free(struct project_profile *v, size_t n);

/* The file of profile NAME ("zephyr" or "zephyr.yaml"), or NAME itself when
 * it holds a '/'.  *path is malloc'd.  Returns 0 or MCUPROV_ERR_USAGE
 * ("profile 'x': not found (available: a, b)"). */
int project_profile_find(const char *name, char **path, struct mcuprov_err *err);

/* What `mcuprov init` (and the wizard's create) makes a project from. */
struct project_init_opts {
	const char *profile;  /* a name or a path, as project_profile_find() takes it */
	const char *out_path; /* the project file (NULL: "mcuprov.yaml"); its
			       * directory is the project's */
	bool force;           /* replace OUT_PATH and a rendered keys.c */
	/* the signing type, or KEY_TYPE_NONE: keys[0]'s file's type when it
	 * can be read without a password, else the profile's */
	enum key_type type;
	/* keys[0]'s file, relative to the working directory or absolute,
	 * written relative to the project directory when it lies below it;
	 * NULL: the profile's.  It need not exist yet. */
	const char *key;
	/* the directory the profile's "# supply:" line names (the user's app
	 * or bootloader tree), relative to the working directory or absolute;
	 * it must exist.  Written as -k's file is (relative to the project
	 * directory when below it, else absolute) into every target's
	 * vars.VAR (after "${project_dir}/" when the profile's value starts
	 * so and the path is relative), its basename into the basename vars,
	 * and in place of DEFAULT at the start of bootloader.tree, .keys_c
	 * and .conf.  NULL: the profile's DEFAULT stays. */
	const char *supply;
};

struct project_init_result {
	enum key_type type;              /* keys[0].type in the file */
	char key[4096];                  /* keys[0].path as written in the file */
	char key_abspath[4096];          /* and resolved */
	bool key_exists;                 /* that file exists */
	bool key_dir_made;               /* its directory was made (mode 0700) */
	char keys_c[4096];               /* the keys.c rendered (absolute), or "" */
	bool keys_c_placeholder;         /* it trusts a throwaway key until the
					  * first provisioning (keys[0] absent or
					  * encrypted) */
	char needs[PROJECT_NEEDS_MAX];   /* the profile's needs line, or "" */
	char supply_var[PROJECT_NAME_MAX + 1]; /* with O->supply: the var set, else "" */
	char supply[4096];               /* and its value as written (without
					  * "${project_dir}/"), else "" */
};

/* The text project_create() would write for O (O->out_path "-" or NULL:
 * ./mcuprov.yaml), and R, without touching a file: the profile byte for
 * byte except the values O changes, each rewritten in place (comments and
 * style kept): with another signing type every keys[].type and what
 * project_retype_plan() changes (sign_define vars, bootloader.defines)
 * plus every target var sign_type (Kconfig's name: RSA, ECDSA_P256,
 * ED25519); with O->key keys[0].path; with O->supply what the profile's
 * "# supply:" line names (see project_init_opts.supply).  The type is
 * O->type, else that of keys[0]'s file when it exists and reads without a
 * password, else the profile's.  The text is checked by loading it as the
 * project file.  *text (*len bytes, NUL-terminated) is malloc'd.  Returns
 * 0, MCUPROV_ERR_USAGE (unknown profile, O->type cannot sign, a type a
 * sign_type var cannot name, a key or supplied path with a control
 * character, O->supply for a profile without a "# supply:" line),
 * MCUPROV_ERR_FORMAT (the profile does not load: "FILE:LINE:COLUMN: ...";
 * its "# supply:" line does not parse, comes without a "# needs:" line or
 * names a var no target has: subject the profile's path), MCUPROV_ERR_IO
 * (O->supply is not a directory: subject O->supply, "no such directory
 * (the profile needs: NEEDS)"), MCUPROV_ERR_REFUSED (keys[0]'s file holds
 * a key of another type than O->type, or an encryption key: subject
 * O->key or the profile's path), MCUPROV_ERR_NOMEM, or another error of
 * key_load() on keys[0]'s file (not a key). */
int project_init_text(const struct project_init_opts *o, char **text, size_t *len,
		      struct project_init_result *r, struct mcuprov_err *err);

/* `mcuprov init`: a project from profile O->profile, in the directory of
 * O->out_path: the text of project_init_text() written atomically to
 * O->out_path (an existing file replaced only with O->force, a symbolic
 * link never); keys[0]'s directory made (0700) when missing; and for a
 * self-contained profile (no needs line) whose bootloader is a keys_c,
 * that keys.c rendered from templates/keys/inline-single for the type
 * (its directories made; an existing one kept unless O->force), trusting
 * keys[0] when it reads without a password, else a throwaway key that
 * nobody holds until provisioning puts keys[0] in; a profile with a
 * "# keys_c from: FILE" line (FILE after "${mcuprov_examples}/" in
 * mcuprov's examples, else relative to the profile) gets a copy of FILE
 * there instead (its directories made; an existing one kept unless
 * O->force), self-contained or not.  R says what was made
 * and, for other profiles, what the user must supply (R->needs).
 * Returns 0, the errors of project_init_text(), MCUPROV_ERR_EXISTS
 * (O->out_path exists and not O->force), MCUPROV_ERR_REFUSED (a symbolic
 * link), MCUPROV_ERR_IO (cannot write), or a render() error. */
int project_create(const struct project_init_opts *o, struct project_init_result *r,
		   struct mcuprov_err *err);

/* project_create() with profile PROFILE, OUT_PATH and FORCE, the type and
 * key the profile's (as `mcuprov init -p PROFILE -o OUT_PATH`). */
int project_init(const char *profile, const char *out_path, bool force, struct mcuprov_err *err);

/* ---- a fresh project's signing type (project-type.c) ---------------------- */

/* Switching the project to another signing type, planned: the new texts
 * and their diffs, nothing written. */
struct project_retype {
	enum key_type from, to;
	char *project_file;     /* P->file */
	char *project_old;      /* its text when planned */
	size_t project_old_len;
	char *project_text;     /* its new text */
	size_t project_len;
	char *boot_path;        /* the bootloader file rewritten too, or NULL */
	char *boot_old;
	size_t boot_old_len;
	char *boot_text;
	size_t boot_len;
	char *diff;             /* unified diffs: mcuprov.yaml's, then the boot file's */
};

struct project_retype_result {
	bool project_written, boot_written;
	char project_backup[4200]; /* the backups kept (file_backup()) */
	char boot_backup[4200];
};

/* May project P switch to signing type TO?  Only while none of its key
 * files exists.  Returns 0, MCUPROV_ERR_USAGE (TO cannot sign) or
 * MCUPROV_ERR_REFUSED (subject: a key file that exists; the message says
 * the project keeps its type and why). */
int project_retype_check(const struct project *p, enum key_type to, struct mcuprov_err *err);

/* Plan switching P (as project_load() read it from P->file) to signing
 * type TO, after project_retype_check(): in mcuprov.yaml the `type` of
 * every `keys:` entry, every target var `sign_define` (the MCUBOOT_SIGN_*
 * a loader build takes, as in the demo-qemu profile) and the
 * MCUBOOT_SIGN_* entries of bootloader.defines become TO's (in
 * bootloader.undefines TO's macro becomes the old type's), each value
 * rewritten in place, every other byte kept; a Kconfig fragment
 * (bootloader.conf) that exists gets TO's signature type as
 * kconf_patch() writes it; a keys.c that mcuprov rendered (its first line
 * says so) is rendered again for TO with project_keys_c_render(), any
 * other keys.c is kept once provision_check_type() agrees with TO (its
 * block is chosen at provisioning).  The new mcuprov.yaml must load
 * with every key of type TO.  TO equal to the current type plans no
 * change (an empty diff).  Release PLAN with project_retype_free() (also
 * after a failure).  Returns 0, the errors of project_retype_check(),
 * file_read(), kconf_patch() (MCUPROV_ERR_USAGE: no Kconfig type for
 * ecdsa-p384), project_keys_c_render() and provision_check_type()
 * (MCUPROV_ERR_REFUSED: the bootloader's configuration wants another
 * type), MCUPROV_ERR_FORMAT, MCUPROV_ERR_NOMEM. */
int project_retype_plan(const struct project *p, enum key_type to, struct project_retype *plan,
			struct mcuprov_err *err);

/* Write PLAN: the fragment, then mcuprov.yaml, each only when it changes,
 * atomically and after keeping the old text with file_backup(); both must
 * still hold what was planned from (MCUPROV_ERR_IO "changed since ...").
 * R says what was written. */
int project_retype_apply(const struct project_retype *plan, struct project_retype_result *r,
			 struct mcuprov_err *err);

void project_retype_free(struct project_retype *plan);

/* The keys.c of a self-contained project P for signing type TYPE, as
 * `init` renders it: templates/keys/inline-single with KEY (LABEL its file
 * in messages), or when KEY is NULL or a published development key with a
 * throwaway key nobody holds (*PLACEHOLDER set; its comment then says
 * "key: the project's keys[0], provisioned by mcuprov"), checked with
 * render_verify() under P's bootloader.defines / undefines.  *out (*out_len
 * bytes) is malloc'd.  Returns 0 or the errors of key_generate(),
 * render_template_load(), render() and render_verify(). */
int project_keys_c_render(const struct project *p, enum key_type type,
			  const struct mcuprov_key *key, const char *label, char **out,
			  size_t *out_len, bool *placeholder, struct mcuprov_err *err);

#endif
