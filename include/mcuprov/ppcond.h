/* mcuprov core: C preprocessor conditionals, evaluated against a
 * bootloader's configuration.
 *
 * A keys.c (or mcuboot_config.h, autoconf.h) is only right or wrong for a
 * configuration: the set of macros its build defines.  This module holds
 * that set (an environment), evaluates `#if` expressions against it and
 * tracks which regions of a file are compiled.  Every answer is
 * three-valued: a macro the environment knows nothing about makes an
 * expression (and the region it guards) MAYBE, and the names behind every
 * MAYBE are collected so that a front end can say which `-D` to give.
 *
 * No text is trusted: expressions are parsed with bounded depth and length,
 * never with the C library's own number parsing of unchecked ranges. */
#ifndef MCUPROV_PPCOND_H
#define MCUPROV_PPCOND_H

#include <stdbool.h>
#include <stddef.h>

#include "mcuprov/error.h"

/* The longest macro name and value kept (longer ones are a format error). */
#define PP_NAME_MAX   128
#define PP_VALUE_MAX  256
#define PP_ORIGIN_MAX 160

/* What the environment says of one macro. */
enum pp_state {
	PP_UNKNOWN = 0, /* not said (the default for every name) */
	PP_UNDEF,	/* known to be undefined */
	PP_DEF,		/* defined, with a value ("" for `#define X`) */
};

/* A truth value with its doubt. */
enum pp_truth {
	PP_FALSE = 0,
	PP_TRUE = 1,
	PP_MAYBE = 2,
};

/* The macros a MAYBE depends on, in the order first met, without repeats;
 * at most PP_NAMES_MAX (further ones set `more`). */
#define PP_NAMES_MAX 8
struct pp_names {
	char v[PP_NAMES_MAX][PP_NAME_MAX];
	size_t n;
	bool more;
};

void pp_names_clear(struct pp_names *n);
/* Add NAME (LEN bytes) unless it is there already. */
void pp_names_add(struct pp_names *n, const char *name, size_t len);
/* Add every name of FROM. */
void pp_names_merge(struct pp_names *n, const struct pp_names *from);
/* "A, B and C" (", ..." when more) into BUF; returns BUF. */
char *pp_names_join(const struct pp_names *n, char *buf, size_t size);

struct pp_env; /* opaque */

/* A new empty environment (every macro PP_UNKNOWN).  Returns 0 or
 * MCUPROV_ERR_NOMEM; *out is freed with pp_env_free(). */
int pp_env_new(struct pp_env **out, struct mcuprov_err *err);
void pp_env_free(struct pp_env *env);
/* A copy of ENV (NULL when out of memory). */
struct pp_env *pp_env_dup(const struct pp_env *env);

/* Say that NAME is defined as VALUE (NULL or "" for no value; `-D X` is
 * "1" as cc makes it, the caller passes that), or undefined, or unknown
 * again.  ORIGIN ("from the key type", "-D", "prj.conf:12") is kept for
 * pp_env_describe(); NULL is "".  A later call replaces an earlier one.
 * Returns 0, MCUPROV_ERR_USAGE (not an identifier, name or value too long)
 * or MCUPROV_ERR_NOMEM. */
int pp_env_define(struct pp_env *env, const char *name, const char *value, const char *origin,
		  struct mcuprov_err *err);
int pp_env_undef(struct pp_env *env, const char *name, const char *origin, struct mcuprov_err *err);
int pp_env_forget(struct pp_env *env, const char *name);

/* Like pp_env_define()/pp_env_undef(), but only when NAME is PP_UNKNOWN:
 * a weaker source (the key type) never overrides a stronger one. */
int pp_env_default_define(struct pp_env *env, const char *name, const char *value,
			  const char *origin, struct mcuprov_err *err);
int pp_env_default_undef(struct pp_env *env, const char *name, const char *origin,
			 struct mcuprov_err *err);

/* A command-line `-D NAME[=VALUE]` (NAME alone is "1") or `-U NAME`.
 * ORIGIN as above.  Returns 0 or MCUPROV_ERR_USAGE with the reason. */
int pp_env_define_arg(struct pp_env *env, const char *arg, const char *origin,
		      struct mcuprov_err *err);
int pp_env_undef_arg(struct pp_env *env, const char *arg, const char *origin,
		     struct mcuprov_err *err);

/* NAME's state; for PP_DEF, *value (may be NULL) gets its value; *origin
 * (may be NULL) its origin.  Pointers stay valid until ENV changes. */
enum pp_state pp_env_get(const struct pp_env *env, const char *name, size_t len, const char **value,
			 const char **origin);

/* Mark every entry as not used; pp_eval() and the tracker mark the
 * entries they consult. */
void pp_env_clear_used(struct pp_env *env);

/* The entries used since pp_env_clear_used(), one line for a front end:
 * "MCUBOOT_SIGN_EC256 (from the key type); MCUBOOT_SIGN_RSA,
 * MCUBOOT_SIGN_ED25519 undefined (from the key type); MCUBOOT_SIGN_RSA_LEN=2048
 * (-D)".  Origins come in the order first used; for each, its defined
 * macros (in the order used, joined by ", ", then " (ORIGIN)"), then its
 * undefined ones ("A, B undefined (ORIGIN)"); the groups are joined by
 * "; ", and " (ORIGIN)" is left out for an empty origin.  A macro with a
 * value is NAME=VALUE whatever the value ("-D X" shows X=1), one defined
 * empty is NAME alone.  Unknown macros are not listed.  "" when nothing
 * was used.  *out is malloc'd, caller frees.  Returns 0 or
 * MCUPROV_ERR_NOMEM. */
int pp_env_describe(const struct pp_env *env, char **out, struct mcuprov_err *err);

/* Evaluate the #if / #elif expression EXPR (LEN bytes, no '#if'; comments
 * and backslash-newlines may be in it) against ENV (NULL: every macro
 * unknown): `defined X`, `defined(X)`, integer literals (decimal, 0x, 0b,
 * octal, u/l suffixes; character constants are MAYBE), identifiers, unary
 * `! ~ - +`, `* / % + - << >> < > <= >= == != & ^ | && || ?:` with C's
 * precedence, parentheses, in intmax_t/uintmax_t as cpp computes them.  A
 * PP_DEF macro is expanded as cpp does (its value rescanned in place, so
 * with `#define W A + 1`, `W * 2` is A + 2; inside its own expansion a
 * macro is a plain identifier, 0), PP_UNDEF is 0, PP_UNKNOWN is MAYBE and
 * taken to be signed.  An unknown identifier followed by '(' (a
 * function-like macro: IS_ENABLED(...), __has_include(...)), or a call of
 * a function-like macro the tracker saw defined, is MAYBE and named.
 * Three-valued: `0 && X` is FALSE and `1 || X` TRUE whatever X is.
 * *truth gets the result; every macro that made a part of it MAYBE (and
 * mattered) is added to UNKNOWN (may be NULL).  ENV entries consulted are
 * marked used.  Where cpp would evaluate it, what C leaves undefined is an
 * error (signed overflow, INTMAX_MIN / -1, a shift by a negative count or
 * by 64 or more), and so are division by zero, nesting deeper than 64 and
 * expansions deeper than 64; in an operand cpp skips (`0 && 1/0`) none of
 * these is.  Returns 0, MCUPROV_ERR_NOMEM, or MCUPROV_ERR_FORMAT with the
 * reason (no subject: "division by zero", "missing ')'", "unexpected end of
 * expression", ...); *truth is PP_MAYBE after an error. */
int pp_eval(struct pp_env *env, const char *expr, size_t len, enum pp_truth *truth,
	    struct pp_names *unknown, struct mcuprov_err *err);

/* ---- the conditional structure of a file ---- */

struct pp_tracker; /* opaque */

/* A tracker over ENV (borrowed, not NULL: `#define`/`#undef` in the
 * regions it tracks change it, with origin "line N"; pass a pp_env_dup()
 * to keep the original).  Returns 0 or MCUPROV_ERR_NOMEM. */
int pp_tracker_new(struct pp_env *env, struct pp_tracker **out, struct mcuprov_err *err);
void pp_tracker_free(struct pp_tracker *t);

/* Feed one preprocessor line: TEXT is from its '#' to the end of the line
 * (backslash-newlines and comments may be in it), LINE its number for
 * messages.  #if/#ifdef/#ifndef/#elif/#elifdef/#elifndef/#else/#endif
 * change the region; #define/#undef change ENV (in a live region: the
 * macro; in a MAYBE region: the macro becomes PP_UNKNOWN, its doubt being
 * that region's names, which an expression using it reports instead of the
 * macro's own name, unless the same definition was there already; in a
 * dead region: nothing); anything else (#include, #error, #pragma, a line
 * that is no directive) is ignored here: pp_directive() says what it was.
 * As in cpp, nothing is evaluated in a dead region or after a taken
 * branch, but the nesting is still counted.  Returns 0, MCUPROV_ERR_NOMEM,
 * or MCUPROV_ERR_FORMAT with the reason: "line N: #else without #if",
 * "line N: #elif after #else", "line N: #endif without #if", "line N:
 * #ifdef without a macro name", "line N: #if: <pp_eval()'s reason>",
 * "line N: #if nested deeper than 64". */
int pp_tracker_line(struct pp_tracker *t, const char *text, size_t len, size_t line,
		    struct mcuprov_err *err);

/* Is the current region compiled?  TRUE, FALSE or MAYBE; for MAYBE,
 * UNKNOWN (may be NULL) gets the names it depends on. */
enum pp_truth pp_tracker_live(const struct pp_tracker *t, struct pp_names *unknown);

/* The current nesting depth (0 outside any #if). */
size_t pp_tracker_depth(const struct pp_tracker *t);

/* At the end of the file: MCUPROV_ERR_FORMAT "line N: #if without #endif"
 * (N of the innermost open one), or 0. */
int pp_tracker_finish(const struct pp_tracker *t, struct mcuprov_err *err);

/* The directive of a preprocessor line ("if", "ifdef", "define", "error",
 * "include", ...), its bytes from the '#'-stripped text: [*start, *end) in
 * TEXT, and the rest after it [*rest, LEN).  Returns false when TEXT is not
 * a directive (no '#' first, or `#` alone). */
bool pp_directive(const char *text, size_t len, size_t *start, size_t *end, size_t *rest);

/* ---- configuration files as an environment ---- */

/* Read a header of `#define`s (mcuboot_config.h, Zephyr's generated
 * autoconf.h) into ENV: its conditionals are tracked against ENV itself,
 * so `#ifdef CONFIG_BOOT_SIGNATURE_TYPE_RSA / #define MCUBOOT_SIGN_RSA`
 * follows what ENV already says (give the Kconfig values first).  ORIGIN
 * names the file ("path/mcuboot_config.h"); each macro's origin is
 * "ORIGIN:LINE".  Returns 0, MCUPROV_ERR_FORMAT (unbalanced conditionals,
 * bad expression, "FILE:LINE: ..." as the reason) or MCUPROV_ERR_NOMEM. */
int pp_env_read_header(struct pp_env *env, const char *text, size_t len, const char *origin,
		       struct mcuprov_err *err);

/* Read a Kconfig file (.config, prj.conf, mcuboot.conf) into ENV as
 * autoconf.h would define it: `CONFIG_X=y` defines CONFIG_X 1, `=n`, `=m`
 * and `# CONFIG_X is not set` undefine it, `=VALUE` defines it as VALUE
 * (strings keep their quotes); a later line wins over an earlier one, a
 * value too long to keep makes its symbol unknown.  One signature type
 * =y is a choice: the other CONFIG_BOOT_SIGNATURE_TYPE_* are undefined
 * too (and CONFIG_BOOT_SIGNATURE_TYPE_RSA_LEN, unless RSA).  Then the
 * MCUboot settings Zephyr derives from them (mcuboot_config.h and
 * boot/zephyr/CMakeLists.txt) are set, each only when the file speaks of
 * its symbols:
 *  - MCUBOOT_SIGN_RSA, _EC256, _ED25519: the chosen type's defined (empty),
 *    the others' and MCUBOOT_SIGN_EC384 (which Zephyr never sets)
 *    undefined; with no type =y, a type's `=n` undefines its own;
 *  - MCUBOOT_SIGN_RSA_LEN: CONFIG_BOOT_SIGNATURE_TYPE_RSA_LEN's value,
 *    undefined when RSA is known off;
 *  - MCUBOOT_HW_KEY (CONFIG_BOOT_HW_KEY), MCUBOOT_IMAGE_NUMBER
 *    (CONFIG_UPDATEABLE_IMAGE_NUMBER);
 *  - MCUBOOT_SIGN_KEY_COUNT: 1 with CONFIG_BOOT_BUILTIN_KEY, else the
 *    number of comma-separated CONFIG_BOOT_SIGNATURE_KEY_FILE entries
 *    (undefined for "" or with _NONE).
 * ORIGIN as above.  Returns 0 or MCUPROV_ERR_NOMEM. */
int pp_env_read_kconfig(struct pp_env *env, const char *text, size_t len, const char *origin,
			struct mcuprov_err *err);

#endif
