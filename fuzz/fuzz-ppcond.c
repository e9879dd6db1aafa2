/* libFuzzer target for the preprocessor-conditional model (ppcond): the
 * input is
 *  - fed line by line (backslash-newlines joined) to a tracker over an
 *    environment with a few MCUboot macros known, the rest unknown;
 *  - evaluated whole as one #if expression (pp_eval);
 *  - read as a header (pp_env_read_header) and as a Kconfig file
 *    (pp_env_read_kconfig), then described (pp_env_describe);
 * each checked against the contract:
 *  - a failure says why, and is a format error (or out of memory);
 *  - the tracker's answers agree: depth within 64, TRUE or FALSE live
 *    regions name nothing, MAYBE ones at most PP_NAMES_MAX;
 *  - pp_eval gives the same answer twice, and on a copy of the env;
 *  - the description is one line.
 *
 * Run: make fuzz-run (all targets) or fuzz/fuzz-ppcond CORPUS_DIR */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcuprov/error.h"
#include "mcuprov/ppcond.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_err(int rc, const struct mcuprov_err *err, const char *what)
{
	if (rc == 0)
		return;
	if ((rc != MCUPROV_ERR_FORMAT && rc != MCUPROV_ERR_NOMEM) || err->code != rc ||
	    err->msg[0] == '\0' || strchr(err->msg, '\n') != NULL) {
		fprintf(stderr, "fuzz-ppcond: %s: bad failure %d '%s'\n", what, rc, err->msg);
		abort();
	}
}

static void check_names(const struct pp_names *n, enum pp_truth t)
{
	char buf[512];

	if (n->n > PP_NAMES_MAX || (t != PP_MAYBE && (n->n != 0 || n->more)))
		abort();
	pp_names_join(n, buf, sizeof(buf));
	if (strlen(buf) >= sizeof(buf))
		abort();
}

static struct pp_env *new_env(void)
{
	struct pp_env *env;

	if (pp_env_new(&env, NULL) < 0)
		abort();
	/* the key type's defaults, and a -D */
	if (pp_env_define(env, "MCUBOOT_SIGN_EC256", "", "from the key type", NULL) < 0 ||
	    pp_env_undef(env, "MCUBOOT_SIGN_RSA", "from the key type", NULL) < 0 ||
	    pp_env_undef(env, "MCUBOOT_SIGN_ED25519", "from the key type", NULL) < 0 ||
	    pp_env_define_arg(env, "MCUBOOT_IMAGE_NUMBER=2", "-D", NULL) < 0 ||
	    pp_env_define_arg(env, "SELF=SELF + 1", "-D", NULL) < 0)
		abort();
	return env;
}

static void track(const char *text, size_t size)
{
	struct pp_env *env = new_env();
	struct pp_tracker *t;
	struct mcuprov_err err;
	size_t pos = 0, line = 1;
	int rc = 0;

	if (pp_tracker_new(env, &t, NULL) < 0)
		abort();
	while (pos < size && rc == 0) {
		size_t end = pos, first = line;
		struct pp_names n;
		enum pp_truth live;

		/* one logical line: backslash-newlines continue it */
		while (end < size && text[end] != '\n')
			end++;
		while (end < size && end > pos && text[end - 1] == '\\') {
			for (end++, line++; end < size && text[end] != '\n';)
				end++;
		}
		err_clear(&err);
		rc = pp_tracker_line(t, text + pos, end - pos, first, &err);
		check_err(rc, &err, "pp_tracker_line");
		if (pp_tracker_depth(t) > 64)
			abort();
		pp_names_clear(&n);
		live = pp_tracker_live(t, &n);
		if (live != PP_TRUE && live != PP_FALSE && live != PP_MAYBE)
			abort();
		check_names(&n, live);
		if (pp_tracker_depth(t) == 0 && live != PP_TRUE)
			abort();
		pos = end + 1;
		line++;
	}
	if (rc == 0) {
		err_clear(&err);
		rc = pp_tracker_finish(t, &err);
		check_err(rc, &err, "pp_tracker_finish");
		if ((rc == 0) != (pp_tracker_depth(t) == 0))
			abort();
	}
	pp_tracker_free(t);
	pp_env_free(env);
}

static void eval(const char *text, size_t size)
{
	struct pp_env *env = new_env(), *dup;
	struct mcuprov_err err;
	struct pp_names n1, n2;
	enum pp_truth t1, t2;
	int rc1, rc2;

	pp_names_clear(&n1);
	pp_names_clear(&n2);
	err_clear(&err);
	rc1 = pp_eval(env, text, size, &t1, &n1, &err);
	check_err(rc1, &err, "pp_eval");
	if (rc1 == 0)
		check_names(&n1, t1);
	dup = pp_env_dup(env);
	if (dup == NULL)
		abort();
	rc2 = pp_eval(dup, text, size, &t2, &n2, NULL);
	if (rc1 != rc2 || t1 != t2 || n1.n != n2.n || n1.more != n2.more)
		abort();
	pp_env_free(dup);
	pp_env_free(env);
}

static void read_files(const char *text, size_t size)
{
	static const char use[] = "defined(MCUBOOT_SIGN_EC256) + MCUBOOT_SIGN_RSA_LEN + "
				  "MCUBOOT_IMAGE_NUMBER + defined MCUBOOT_HW_KEY + "
				  "CONFIG_BOOT_SIGNATURE_TYPE_RSA";
	struct pp_env *env = new_env();
	enum pp_truth t;
	struct mcuprov_err err;
	char *d = NULL;
	int rc;

	err_clear(&err);
	rc = pp_env_read_kconfig(env, text, size, "prj.conf", &err);
	if (rc != 0 && rc != MCUPROV_ERR_NOMEM)
		abort();
	err_clear(&err);
	rc = pp_env_read_header(env, text, size, "mcuboot_config.h", &err);
	check_err(rc, &err, "pp_env_read_header");
	pp_env_clear_used(env);
	pp_eval(env, use, strlen(use), &t, NULL, NULL);
	if (pp_env_describe(env, &d, NULL) == 0) {
		if (d == NULL || strchr(d, '\n') != NULL)
			abort();
		free(d);
	}
	pp_env_free(env);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;

	track(text, size);
	eval(text, size);
	read_files(text, size);
	return 0;
}
