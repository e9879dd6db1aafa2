/* Unified diffs through libgit2. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "mcuprov/udiff.h"

int udiff(const char *old, size_t old_len, const char *new_text, size_t new_len, const char *path,
	  char **out, size_t *out_len, struct mcuprov_err *err)
{
	git_diff_options opts;
	git_patch *patch = NULL;
	git_buf buf = { 0 };
	const char *start;
	int rc;

	*out = NULL;
	*out_len = 0;
	git_libgit2_init();
	/* (GIT_DIFF_OPTIONS_INIT leaves fields to zero-initialisation, which
	 * -Wextra reports) */
	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	opts.context_lines = 3;
	/* keys.c and .conf files are text even with a stray byte */
	opts.flags |= GIT_DIFF_FORCE_TEXT;
	/* libgit2 adds the a/ and b/ prefixes */
	if (git_patch_from_buffers(&patch, old, old_len, path, new_text, new_len, path, &opts) != 0 ||
	    git_patch_to_buf(&buf, patch) != 0) {
		const git_error *e = git_error_last();

		rc = err_set(err, MCUPROV_ERR_INTERNAL, path, "diff failed: %s",
			     e && e->message ? e->message : "libgit2 error");
		goto out;
	}
	/* like diff -u: from the "--- " line on (no "diff --git"/"index" lines) */
	start = buf.ptr ? strstr(buf.ptr, "\n--- ") : NULL;
	start = start ? start + 1 : (buf.ptr && strncmp(buf.ptr, "--- ", 4) == 0 ? buf.ptr : "");
	*out = strdup(start);
	if (*out == NULL) {
		rc = err_set(err, MCUPROV_ERR_NOMEM, path, "out of memory");
		goto out;
	}
	*out_len = strlen(*out);
	rc = 0;
out:
	git_buf_dispose(&buf);
	git_patch_free(patch);
	git_libgit2_shutdown();
	return rc;
}
