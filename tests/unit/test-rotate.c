/* Unit tests: key rotation (rotate.h).  The rewrite of mcuprov.yaml's
 * `keys:` list in every style it can be written in (block at any
 * indentation, dash alone, type before path, flow entries, flow list on one
 * or several lines, CRLF, a byte order mark and non-ASCII text before the
 * list, no final newline), exact texts; the refusals with their messages;
 * rotate_apply()'s checks, dry run, backup and file mode; keys that no
 * longer sign kept as their public halves. */
#include "config.h"

#include "unit.h"

#include <sys/stat.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "mcuprov/devkey.h"
#include "mcuprov/fileio.h"
#include "mcuprov/project.h"
#include "mcuprov/rotate.h"

#define IMAGE                                                                                      \
	"image:\n"                                                                                 \
	"  header_size: 0x200\n"                                                                   \
	"  slot_size: 0x20000\n"                                                                   \
	"  version: 1.0.0\n"

static char dir[64], cwd[4096];
static struct mcuprov_key *k_new, *k_old, *k_p256;

static int setup(void **state)
{
	(void)state;
	if (getcwd(cwd, sizeof(cwd)) == NULL || unit_mkdtemp(dir, sizeof(dir)) < 0 ||
	    chdir(dir) < 0)
		return -1;
	if (key_generate(KEY_ED25519, &k_new, NULL) < 0 ||
	    key_generate(KEY_ED25519, &k_old, NULL) < 0 ||
	    key_generate(KEY_ECDSA_P256, &k_p256, NULL) < 0)
		return -1;
	return mkdir("keys", 0700);
}

static int teardown(void **state)
{
	(void)state;
	key_free(k_new);
	key_free(k_old);
	key_free(k_p256);
	if (chdir(cwd) < 0)
		return -1;
	return unit_rmtree(dir);
}

static void write_file(const char *name, const char *text, size_t len)
{
	struct mcuprov_err err;

	(void)unlink(name);
	if (file_write_atomic(name, text, len, 0, &err) < 0)
		fail_msg("%s: %s", name, err.msg);
}

static struct project *load(const char *name, const char *text, size_t len)
{
	struct project *p = NULL;
	struct mcuprov_err err;

	write_file(name, text, len);
	err_clear(&err);
	if (project_load(name, &p, &err) < 0)
		fail_msg("load: %s", err.msg);
	return p;
}

/* Plan ACTION of KEY on TEXT: the new text must be WANT exactly. */
static void plan_is(const char *text, size_t len, enum rotate_action action, const char *key,
		    const char *want, size_t want_len)
{
	struct project *p = load("mcuprov.yaml", text, len);
	struct rotate_plan plan;
	struct mcuprov_err err;
	int rc;

	err_clear(&err);
	rc = rotate_plan(p, action, key, action == ROTATE_ADD ? k_new : NULL, false, &plan, &err);
	if (rc < 0)
		fail_msg("plan: '%s': %s", err.subject, err.msg);
	if (plan.project_len != want_len || memcmp(plan.project_text, want, want_len) != 0)
		fail_msg("got:\n%s\nwant:\n%s", plan.project_text, want);
	assert_int_equal(plan.project_old_len, len);
	assert_memory_equal(plan.project_old, text, len);
	rotate_plan_free(&plan);
	project_free(p);
}

#define PLAN_IS(text, action, key, want)                                                           \
	plan_is(text, sizeof(text) - 1, action, key, want, sizeof(want) - 1)

/* Plan ACTION of KEY (loaded KEYP) on TEXT: fails with CODE, SUBJECT, MSG. */
static void plan_fails(const char *text, enum rotate_action action, const char *key,
		       const struct mcuprov_key *keyp, bool allow_dev, int code,
		       const char *subject, const char *msg)
{
	struct project *p = load("mcuprov.yaml", text, strlen(text));
	struct rotate_plan plan;
	struct mcuprov_err err;

	err_clear(&err);
	assert_int_equal(rotate_plan(p, action, key, keyp, allow_dev, &plan, &err), code);
	assert_string_equal(err.subject, subject);
	assert_string_equal(err.msg, msg);
	assert_null(plan.keys);
	assert_null(plan.project_text);
	project_free(p);
}

/* ---- the rewrite ---------------------------------------------------------- */

#define BLOCK2                                                                                     \
	"# project\n"                                                                              \
	"version: 1\n"                                                                             \
	"keys:          # the first signs\n"                                                       \
	"  # production key\n"                                                                     \
	"  - path: keys/old.pem\n"                                                                 \
	"    type: ed25519   # trailing\n"                                                         \
	"\n"                                                                                       \
	"# after the keys\n" IMAGE

static void test_block_add(void **state)
{
	(void)state;
	PLAN_IS(BLOCK2, ROTATE_ADD, "keys/new.pem",
		"# project\n"
		"version: 1\n"
		"keys:          # the first signs\n"
		"  - path: keys/new.pem\n"
		"    type: ed25519\n"
		"  # production key\n"
		"  - path: keys/old.pem\n"
		"    type: ed25519   # trailing\n"
		"\n"
		"# after the keys\n" IMAGE);
	/* the file given by another name: written relative to the project */
	PLAN_IS(BLOCK2, ROTATE_ADD, "./keys/../keys/new.pem",
		"# project\n"
		"version: 1\n"
		"keys:          # the first signs\n"
		"  - path: keys/new.pem\n"
		"    type: ed25519\n"
		"  # production key\n"
		"  - path: keys/old.pem\n"
		"    type: ed25519   # trailing\n"
		"\n"
		"# after the keys\n" IMAGE);
}

static void test_block_styles(void **state)
{
	(void)state;
	/* column 0, no comments, no final newline */
	PLAN_IS("version: 1\n" IMAGE "keys:\n- path: a.pem\n  type: ed25519", ROTATE_ADD, "n.pem",
		"version: 1\n" IMAGE
		"keys:\n- path: n.pem\n  type: ed25519\n- path: a.pem\n  type: "
		"ed25519");
	/* type first, wide gap after the dash */
	PLAN_IS("version: 1\nkeys:\n    -   type: ed25519\n        path: a.pem\n" IMAGE, ROTATE_ADD,
		"n.pem",
		"version: 1\nkeys:\n    -   type: ed25519\n        path: n.pem\n"
		"    -   type: ed25519\n        path: a.pem\n" IMAGE);
	/* the dash alone on its line */
	PLAN_IS("version: 1\nkeys:\n  -\n    path: a.pem\n    type: ed25519\n" IMAGE, ROTATE_ADD,
		"n.pem",
		"version: 1\nkeys:\n  - path: n.pem\n    type: ed25519\n  -\n    path: a.pem\n    "
		"type: ed25519\n" IMAGE);
	/* flow entries in a block list */
	PLAN_IS("version: 1\nkeys:\n  - { type: ed25519, path: a.pem }\n" IMAGE, ROTATE_ADD,
		"n.pem",
		"version: 1\nkeys:\n  - { type: ed25519, path: n.pem }\n"
		"  - { type: ed25519, path: a.pem }\n" IMAGE);
	/* an anchored entry: the new one in block style */
	PLAN_IS("version: 1\nkeys:\n  - &k {path: a.pem, type: ed25519}\n" IMAGE, ROTATE_ADD,
		"n.pem",
		"version: 1\nkeys:\n  - path: n.pem\n    type: ed25519\n"
		"  - &k {path: a.pem, type: ed25519}\n" IMAGE);
}

static void test_flow(void **state)
{
	(void)state;
	PLAN_IS("version: 1\nkeys: [{path: a.pem, type: ed25519}]  # keys\n" IMAGE, ROTATE_ADD,
		"n.pem",
		"version: 1\nkeys: [{path: n.pem, type: ed25519}, {path: a.pem, type: ed25519}]  # "
		"keys\n" IMAGE);
	/* several lines: the list's own separator */
	PLAN_IS("version: 1\nkeys: [{path: a.pem, type: ed25519},\n       {path: b.pem, type: "
		"ed25519}]\n" IMAGE,
		ROTATE_ADD, "n.pem",
		"version: 1\nkeys: [{path: n.pem, type: ed25519},\n       {path: a.pem, type: "
		"ed25519},\n       {path: b.pem, type: ed25519}]\n" IMAGE);
	PLAN_IS("version: 1\nkeys: [{path: a.pem, type: ed25519},\n       {path: b.pem, type: "
		"ed25519}]\n" IMAGE,
		ROTATE_RETIRE, "b.pem", "version: 1\nkeys: [{path: a.pem, type: ed25519}]\n" IMAGE);
	PLAN_IS("version: 1\nkeys: [{path: a.pem, type: ed25519}, {path: b.pem, type: ed25519}, "
		"{path: c.pem, type: ed25519}]\n" IMAGE,
		ROTATE_RETIRE, "b.pem",
		"version: 1\nkeys: [{path: a.pem, type: ed25519}, {path: c.pem, type: "
		"ed25519}]\n" IMAGE);
}

static void test_crlf_bom_utf8(void **state)
{
	(void)state;
	PLAN_IS("version: 1\r\nkeys:\r\n  - path: a.pem\r\n    type: ed25519\r\nimage:\r\n  "
		"header_size: 0x200\r\n  slot_size: 0x20000\r\n  version: 1.0.0\r\n",
		ROTATE_ADD, "n.pem",
		"version: 1\r\nkeys:\r\n  - path: n.pem\r\n    type: ed25519\r\n  - path: "
		"a.pem\r\n    type: ed25519\r\nimage:\r\n  header_size: 0x200\r\n  slot_size: "
		"0x20000\r\n  version: 1.0.0\r\n");
	/* libyaml counts characters: the byte offsets must still be right */
	PLAN_IS("\xef\xbb\xbf# cl\xc3\xa9s \xe2\x80\x94 \xf0\x9f\x94\x91\nversion: 1\nkeys:\n  - "
		"path: \"k\xc3\xa9y.pem\"\n    type: ed25519\n  - path: b.pem\n    type: ed25519\n"
		"  - path: c.pem # \xc3\xa9\n    type: ed25519\n" IMAGE,
		ROTATE_RETIRE, "b.pem",
		"\xef\xbb\xbf# cl\xc3\xa9s \xe2\x80\x94 \xf0\x9f\x94\x91\nversion: 1\nkeys:\n  - "
		"path: \"k\xc3\xa9y.pem\"\n    type: ed25519\n"
		"  - path: c.pem # \xc3\xa9\n    type: ed25519\n" IMAGE);
}

static void test_retire_block(void **state)
{
	(void)state;
	/* the comment lines above the retired entry go with it */
	PLAN_IS("version: 1\nkeys:\n  - path: a.pem\n    type: ed25519 # a\n  # b: old\n  - path: "
		"b.pem\n    type: ed25519 # b\n  # c\n  - path: c.pem\n    type: ed25519\n# "
		"end\n" IMAGE,
		ROTATE_RETIRE, "b.pem",
		"version: 1\nkeys:\n  - path: a.pem\n    type: ed25519 # a\n  # c\n  - path: "
		"c.pem\n    type: ed25519\n# end\n" IMAGE);
	/* the last entry, at the end of a file without a final newline */
	PLAN_IS("version: 1\n" IMAGE "keys:\n  - path: a.pem\n    type: ed25519\n  - path: b.pem\n"
		"    type: ed25519",
		ROTATE_RETIRE, "./b.pem",
		"version: 1\n" IMAGE "keys:\n  - path: a.pem\n    type: ed25519\n");
}

static void test_quoting(void **state)
{
	char abs[4200], want[8192];
	int n;

	(void)state;
	PLAN_IS("version: 1\nkeys: [{path: a.pem, type: ed25519}]\n" IMAGE, ROTATE_ADD,
		"my keys/n\"ew\\.pem",
		"version: 1\nkeys: [{path: \"my keys/n\\\"ew\\\\.pem\", type: ed25519}, {path: "
		"a.pem, "
		"type: ed25519}]\n" IMAGE);
	PLAN_IS("version: 1\nkeys: [{path: a.pem, type: ed25519}]\n" IMAGE, ROTATE_ADD, "null",
		"version: 1\nkeys: [{path: \"null\", type: ed25519}, {path: a.pem, type: "
		"ed25519}]\n" IMAGE);
	PLAN_IS("version: 1\nkeys: [{path: a.pem, type: ed25519}]\n" IMAGE, ROTATE_ADD, "-n#.pem",
		"version: 1\nkeys: [{path: \"-n#.pem\", type: ed25519}, {path: a.pem, type: "
		"ed25519}]\n" IMAGE);
	/* outside the project directory: absolute */
	snprintf(abs, sizeof(abs), "%s/sub", dir);
	assert_int_equal(mkdir(abs, 0700), 0);
	assert_int_equal(chdir(abs), 0);
	n = snprintf(want, sizeof(want),
		     "version: 1\nkeys: [{path: %s/n.pem, type: ed25519}, {path: a.pem, type: "
		     "ed25519}]\n" IMAGE,
		     dir);
	plan_is("version: 1\nkeys: [{path: a.pem, type: ed25519}]\n" IMAGE,
		strlen("version: 1\nkeys: [{path: a.pem, type: ed25519}]\n" IMAGE), ROTATE_ADD,
		"../n.pem", want, (size_t)n);
	assert_int_equal(chdir(dir), 0);
}

/* ---- refusals ------------------------------------------------------------- */

#define TWO                                                                                        \
	"version: 1\nkeys:\n  - path: keys/a.pem\n    type: ed25519\n  - path: keys/b.pem\n"       \
	"    type: ed25519\nencryption_key: keys/enc.pem\n" IMAGE

static void test_refusals(void **state)
{
	struct devkey fake;

	(void)state;
	plan_fails(TWO, ROTATE_RETIRE, "keys/a.pem", NULL, false, MCUPROV_ERR_USAGE, "keys/a.pem",
		   "is the signing key: add its successor first (mcuprov rotate add)");
	plan_fails("version: 1\nkeys: [{path: a.pem, type: ed25519}]\n" IMAGE, ROTATE_RETIRE,
		   "a.pem", NULL, false, MCUPROV_ERR_USAGE, "a.pem",
		   "is the project's only key: add its successor first (mcuprov rotate add)");
	plan_fails(TWO, ROTATE_RETIRE, "keys/c.pem", NULL, false, MCUPROV_ERR_USAGE, "keys/c.pem",
		   "is not a key of 'mcuprov.yaml' (keys: keys/a.pem, keys/b.pem)");
	plan_fails(TWO, ROTATE_ADD, "./keys//b.pem", k_new, false, MCUPROV_ERR_USAGE,
		   "./keys//b.pem", "is already keys[1] of 'mcuprov.yaml'");
	plan_fails(TWO, ROTATE_ADD, "keys/enc.pem", k_new, false, MCUPROV_ERR_USAGE, "keys/enc.pem",
		   "is the encryption_key of 'mcuprov.yaml' (a signing key must not be the "
		   "encryption key)");
	plan_fails(TWO, ROTATE_ADD, "keys/p.pem", k_p256, false, MCUPROV_ERR_REFUSED, "keys/p.pem",
		   "is ecdsa-p256 but the project's keys are ed25519: one bootloader verifies one "
		   "signature type");
	/* a public key; a development key */
	k_new->is_private = false;
	plan_fails(TWO, ROTATE_ADD, "keys/n.pem", k_new, false, MCUPROV_ERR_REFUSED, "keys/n.pem",
		   "is a public key: the new signing key must be the private key");
	k_new->is_private = true;
	memset(&fake, 0, sizeof(fake));
	fake.name = "root-ed25519.pem";
	k_new->devkey = &fake;
	plan_fails(TWO, ROTATE_ADD, "keys/n.pem", k_new, false, MCUPROV_ERR_REFUSED, "keys/n.pem",
		   "is MCUboot's published development key root-ed25519.pem: a bootloader trusting "
		   "it boots anybody's images (use --allow-dev-key for a development build)");
	k_new->devkey = NULL;
	/* aliases into the list cannot be rewritten */
	plan_fails(
		"version: 1\nbootloader: {tree: &t ed25519, keys_c: k.c}\nkeys:\n  - path: a.pem\n"
		"    type: ed25519\n  - path: b.pem\n    type: *t\n" IMAGE,
		ROTATE_RETIRE, "b.pem", NULL, false, MCUPROV_ERR_FORMAT, "mcuprov.yaml",
		"keys[1]: written with an alias (*name): write it out to rotate keys");
}

static void test_dev_key_allowed(void **state)
{
	struct project *p = load("mcuprov.yaml", TWO, strlen(TWO));
	struct rotate_plan plan;
	struct mcuprov_err err;
	struct devkey fake;

	(void)state;
	memset(&fake, 0, sizeof(fake));
	fake.name = "root-ed25519.pem";
	k_new->devkey = &fake;
	err_clear(&err);
	assert_int_equal(rotate_plan(p, ROTATE_ADD, "keys/n.pem", k_new, true, &plan, &err), 0);
	k_new->devkey = NULL;
	assert_int_equal(plan.n_keys, 3);
	assert_string_equal(plan.keys[0].path, "keys/n.pem");
	assert_true(plan.keys[0].is_new);
	assert_string_equal(plan.keys[2].path, "keys/b.pem");
	assert_false(plan.keys[2].is_new);
	assert_non_null(strstr(plan.project_diff, "--- a/mcuprov.yaml\n+++ b/mcuprov.yaml\n"));
	assert_non_null(strstr(plan.project_diff, "\n+  - path: keys/n.pem\n+    type: ed25519\n"));
	rotate_plan_free(&plan);
	project_free(p);
}

/* ---- apply ---------------------------------------------------------------- */

static void test_apply(void **state)
{
	const char *text = "version: 1\nkeys: [{path: a.pem, type: ed25519}]\n" IMAGE;
	struct project *p = load("mcuprov.yaml", text, strlen(text));
	const struct mcuprov_key *keys[2];
	struct rotate_plan plan;
	struct rotate_result r;
	struct mcuprov_err err;
	uint8_t *buf = NULL;
	size_t len = 0;
	mode_t mode = 0;

	(void)state;
	assert_int_equal(chmod("mcuprov.yaml", 0640), 0);
	err_clear(&err);
	assert_int_equal(rotate_plan(p, ROTATE_ADD, "n.pem", k_new, false, &plan, &err), 0);

	/* the same key under two names */
	keys[0] = k_old;
	keys[1] = k_old;
	assert_int_equal(rotate_apply(p, &plan, keys, NULL, false, &r, &err), MCUPROV_ERR_USAGE);
	assert_string_equal(err.msg, "the same key twice ('n.pem' and 'a.pem')");
	rotate_result_free(&r);
	/* a key of another type than planned */
	keys[0] = k_p256;
	assert_int_equal(rotate_apply(p, &plan, keys, NULL, false, &r, &err), MCUPROV_ERR_REFUSED);
	assert_string_equal(err.subject, "n.pem");
	assert_string_equal(err.msg, "is ecdsa-p256 but 'mcuprov.yaml' says ed25519");
	rotate_result_free(&r);

	/* dry run: nothing written */
	keys[0] = k_new;
	assert_int_equal(rotate_apply(p, &plan, keys, NULL, true, &r, &err), 0);
	assert_false(r.provisioned);
	assert_false(r.project_written);
	assert_int_equal(access("mcuprov.yaml.bak", F_OK), -1);
	rotate_result_free(&r);

	/* the file changed since the plan */
	write_file("mcuprov.yaml", "# edited\n", 9);
	assert_int_equal(rotate_apply(p, &plan, keys, NULL, false, &r, &err), MCUPROV_ERR_IO);
	assert_string_equal(err.subject, "mcuprov.yaml");
	assert_string_equal(err.msg, "changed since the rotation was planned: plan it again");
	rotate_result_free(&r);
	write_file("mcuprov.yaml", text, strlen(text));
	assert_int_equal(chmod("mcuprov.yaml", 0640), 0);

	assert_int_equal(rotate_apply(p, &plan, keys, NULL, false, &r, &err), 0);
	assert_true(r.project_written);
	assert_string_equal(r.project_backup, "mcuprov.yaml.bak");
	assert_int_equal(file_read("mcuprov.yaml.bak", 65536, &buf, &len, NULL, &err), 0);
	assert_int_equal(len, strlen(text));
	assert_memory_equal(buf, text, len);
	free(buf);
	assert_int_equal(file_read("mcuprov.yaml", 65536, &buf, &len, &mode, &err), 0);
	assert_int_equal(len, plan.project_len);
	assert_memory_equal(buf, plan.project_text, len);
	assert_int_equal(mode & 07777, 0640);
	free(buf);
	rotate_result_free(&r);

	/* applying the same plan again: the file changed */
	assert_int_equal(rotate_apply(p, &plan, keys, NULL, false, &r, &err), MCUPROV_ERR_IO);
	rotate_result_free(&r);
	rotate_plan_free(&plan);
	project_free(p);
}

/* ---- keys that no longer sign: their public halves ---------------------- */

/* old.pem (k_old), enc.pem (another key, encrypted), n.pem (k_new) and
 * pub.pem (a public key) in the working directory. */
static void write_keys(struct mcuprov_key **enc)
{
	struct mcuprov_err err;
	char *pem = NULL;
	size_t len = 0;

	err_clear(&err);
	(void)unlink("old.pub.pem");
	(void)unlink("enc.pub.pem");
	if (key_save(k_old, "old.pem", NULL, true, &err) < 0 ||
	    key_save(k_new, "n.pem", NULL, true, &err) < 0 ||
	    key_generate(KEY_ED25519, enc, &err) < 0 ||
	    key_save(*enc, "enc.pem", "pw", true, &err) < 0 ||
	    key_public_pem(k_p256, &pem, &len, &err) < 0)
		fail_msg("keys: %s", err.msg);
	write_file("pub.pem", pem, len);
	OPENSSL_free(pem);
}

static void test_public_halves(void **state)
{
	struct mcuprov_key *enc = NULL;
	struct project *p;
	struct rotate_plan plan;
	struct mcuprov_err err;
	char want[4200];

	(void)state;
	write_keys(&enc);
	/* block: the entry rewritten in its place and style, its passin gone,
	 * the comment after it kept */
	PLAN_IS("version: 1\nkeys:\n  - path: old.pem\n    passin: env:OLD  # ci\n    type: "
		"ed25519 # old\n# end\n" IMAGE,
		ROTATE_ADD, "new.pem",
		"version: 1\nkeys:\n  - path: new.pem\n    type: ed25519\n  - path: "
		"old.pub.pem\n    type: ed25519 # old\n# end\n" IMAGE);
	/* an encrypted key (nothing decrypted), type first */
	PLAN_IS("version: 1\nkeys:\n- type: ed25519\n  path: enc.pem\n" IMAGE, ROTATE_ADD,
		"new.pem",
		"version: 1\nkeys:\n- type: ed25519\n  path: new.pem\n- type: ed25519\n  path: "
		"enc.pub.pem\n" IMAGE);
	/* flow: a public key stays as it is */
	PLAN_IS("version: 1\nkeys: [{path: old.pem, type: ed25519}, { type: ed25519, path: pub.pem "
		"}]\n" IMAGE,
		ROTATE_ADD, "new.pem",
		"version: 1\nkeys: [{path: new.pem, type: ed25519}, {path: old.pub.pem, type: "
		"ed25519}, { type: ed25519, path: pub.pem }]\n" IMAGE);
	/* retire: the signing key stays private, a trusted one left becomes public */
	PLAN_IS("version: 1\nkeys:\n  - {path: n.pem, type: ed25519}\n  - {path: old.pem, type: "
		"ed25519, passin: file:pw}\n  - {path: b.pem, type: ed25519}\n" IMAGE,
		ROTATE_RETIRE, "b.pem",
		"version: 1\nkeys:\n  - {path: n.pem, type: ed25519}\n  - {path: old.pub.pem, "
		"type: ed25519}\n" IMAGE);
	/* retire a key kept as its public half by its private key file */
	PLAN_IS("version: 1\nkeys: [{path: n.pem, type: ed25519}, {path: old.pub.pem, type: "
		"ed25519}]\n" IMAGE,
		ROTATE_RETIRE, "./old.pem", "version: 1\nkeys: [{path: n.pem, type: ed25519}]\n" IMAGE);

	/* the plan: the file to load now, its public half's */
	p = load("mcuprov.yaml", "version: 1\nkeys: [{path: old.pem, type: ed25519}]\n" IMAGE,
		 strlen("version: 1\nkeys: [{path: old.pem, type: ed25519}]\n" IMAGE));
	err_clear(&err);
	assert_int_equal(rotate_plan(p, ROTATE_ADD, "new.pem", k_new, false, &plan, &err), 0);
	assert_int_equal(plan.n_keys, 2);
	assert_int_equal(plan.keys[0].from, -1);
	assert_null(plan.keys[0].pub_abspath);
	assert_int_equal(plan.keys[1].from, 0);
	assert_string_equal(plan.keys[1].path, "old.pub.pem");
	snprintf(want, sizeof(want), "%s/old.pem", p->dir);
	assert_string_equal(plan.keys[1].abspath, want);
	snprintf(want, sizeof(want), "%s/old.pub.pem", p->dir);
	assert_string_equal(plan.keys[1].pub_abspath, want);
	rotate_plan_free(&plan);
	project_free(p);

	/* entries it cannot rewrite, a public half listed as well */
	plan_fails("version: 1\nkeys:\n  - &k {path: old.pem, type: ed25519}\n" IMAGE, ROTATE_ADD,
		   "new.pem", k_new, false, MCUPROV_ERR_FORMAT, "mcuprov.yaml",
		   "keys[0]: cannot be rewritten in its style: write it as {path: FILE, type: "
		   "TYPE} to rotate keys");
	plan_fails("version: 1\nkeys: [{path: n.pem, type: ed25519}, {path: old.pem, type: "
		   "ed25519}, {path: old.pub.pem, type: ed25519}]\n" IMAGE,
		   ROTATE_RETIRE, "n.pem", NULL, false, MCUPROV_ERR_USAGE, "n.pem",
		   "is the signing key: add its successor first (mcuprov rotate add)");
	plan_fails("version: 1\nkeys: [{path: n.pem, type: ed25519}, {path: old.pem, type: "
		   "ed25519}, {path: old.pub.pem, type: ed25519}, {path: b.pem, type: "
		   "ed25519}]\n" IMAGE,
		   ROTATE_RETIRE, "b.pem", NULL, false, MCUPROV_ERR_USAGE, "old.pem",
		   "its public half 'old.pub.pem' is keys[2] of 'mcuprov.yaml' too: list the key "
		   "once");
	plan_fails("version: 1\nkeys: [{path: old.pub.pem, type: ed25519}]\n" IMAGE, ROTATE_ADD,
		   "./old.pem", k_old, false, MCUPROV_ERR_USAGE, "./old.pem",
		   "is already keys[0] of 'mcuprov.yaml', as its public half 'old.pub.pem'");
	key_free(enc);
}

static void test_apply_public(void **state)
{
	const char *text = "version: 1\nkeys: [{path: old.pem, type: ed25519}]\n" IMAGE;
	struct mcuprov_key *enc = NULL, *pub = NULL;
	const struct mcuprov_key *keys[2];
	struct project *p;
	struct rotate_plan plan;
	struct rotate_result r;
	struct mcuprov_err err;
	char *pem = NULL, *other = NULL, want[4200];
	uint8_t *buf = NULL;
	size_t len = 0, olen = 0, blen = 0;

	(void)state;
	write_keys(&enc);
	(void)unlink("mcuprov.yaml.bak");
	p = load("mcuprov.yaml", text, strlen(text));
	err_clear(&err);
	assert_int_equal(rotate_plan(p, ROTATE_ADD, "n.pem", k_new, false, &plan, &err), 0);
	keys[0] = k_new;
	keys[1] = k_old;
	assert_int_equal(key_public_pem(k_old, &pem, &len, &err), 0);
	assert_int_equal(key_public_pem(k_new, &other, &olen, &err), 0);

	/* dry run: nothing written */
	assert_int_equal(rotate_apply(p, &plan, keys, NULL, true, &r, &err), 0);
	assert_int_equal(r.boot.n_pub_written, 0);
	assert_int_equal(access("old.pub.pem", F_OK), -1);
	rotate_result_free(&r);
	/* a file there holding another key: refused, nothing written */
	write_file("old.pub.pem", other, olen);
	assert_int_equal(rotate_apply(p, &plan, keys, NULL, false, &r, &err), MCUPROV_ERR_REFUSED);
	snprintf(want, sizeof(want), "%s/old.pub.pem", p->dir);
	assert_string_equal(err.subject, want);
	assert_string_equal(err.msg, "exists and is not the public half of 'old.pem'");
	assert_int_equal(access("mcuprov.yaml.bak", F_OK), -1);
	rotate_result_free(&r);
	assert_int_equal(unlink("old.pub.pem"), 0);
	/* written, and the project names it */
	assert_int_equal(rotate_apply(p, &plan, keys, NULL, false, &r, &err), 0);
	assert_int_equal(r.boot.n_pub_written, 1);
	assert_string_equal(r.boot.pub_written[0], want);
	assert_int_equal(file_read("old.pub.pem", 65536, &buf, &blen, NULL, &err), 0);
	assert_int_equal(blen, len);
	assert_memory_equal(buf, pem, len);
	free(buf);
	assert_int_equal(key_load("old.pub.pem", NULL, NULL, &pub, &err), 0);
	assert_false(pub->is_private);
	rotate_result_free(&r);
	rotate_plan_free(&plan);
	project_free(p);
	/* the project loads: the old key is public now */
	p = NULL;
	assert_int_equal(project_load("mcuprov.yaml", &p, &err), 0);
	assert_string_equal(p->keys[1].path, "old.pub.pem");
	project_free(p);
	key_free(pub);
	key_free(enc);
	OPENSSL_free(pem);
	OPENSSL_free(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_block_add),    cmocka_unit_test(test_block_styles),
		cmocka_unit_test(test_flow),	     cmocka_unit_test(test_crlf_bom_utf8),
		cmocka_unit_test(test_retire_block), cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_refusals),     cmocka_unit_test(test_dev_key_allowed),
		cmocka_unit_test(test_apply),	     cmocka_unit_test(test_public_halves),
		cmocka_unit_test(test_apply_public),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
