/* Shared includes and helpers for cmocka unit tests. */
#ifndef MCUPROV_UNIT_H
#define MCUPROV_UNIT_H

#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

/* The vectors folder (MCUPROV_VECTORS, set by `make check`) when it
 * exists, or NULL (a user's fresh clone has no ../shared/vectors). */
static inline const char *unit_vectors(void)
{
	const char *v = getenv("MCUPROV_VECTORS");
	char keys[4096];

	if (v == NULL || v[0] == '\0')
		return NULL;
	snprintf(keys, sizeof(keys), "%s/keys", v);
	return access(keys, R_OK | X_OK) == 0 ? v : NULL;
}

/* Tests that need the vectors are left out of the run when they are
 * absent, with this TAP comment: cmocka's "not ok # SKIP" would count as a
 * failure under automake's TAP driver. */
#define UNIT_VECTOR_TESTS_SKIPPED(n)                                                         \
	printf("# %d vector tests skipped: vectors folder not found (set MCUPROV_VECTORS)\n", \
	       (int)(n))

/* Skip the running test for REASON ("vectors folder not found"), in a
 * group run by unit_run_group_tests(): cmocka 1.1's skip() prints TAP's
 * "not ok N # SKIP name", which automake's TAP driver counts as a FAIL;
 * the group's runner turns it into "ok N # SKIP name: REASON", a SKIP. */
#define UNIT_SKIP_MARK "# mcuprov-unit-skip: "
#define unit_skip(reason)                                   \
	do {                                                \
		printf(UNIT_SKIP_MARK "%s\n", (reason)); \
		skip();                                     \
	} while (0)

/* cmocka_run_group_tests_name() with TAP's SKIP lines made right (see
 * unit_skip()): the group runs in a child whose standard output is read
 * line by line and passed on, every "[not ]ok N # SKIP name" as
 * "ok N # SKIP name: REASON".  Returns the group's result (the number of
 * failed tests), or 1 when the child died or could not be started. */
static inline int unit_run_tests_filtered(const char *name, const struct CMUnitTest *tests,
					  size_t n, CMFixtureFunction setup,
					  CMFixtureFunction teardown)
{
	char line[4096], reason[sizeof(line)] = "";
	size_t mark = strlen(UNIT_SKIP_MARK);
	int fds[2], status;
	pid_t pid;
	FILE *in;

	fflush(stdout);
	if (pipe(fds) < 0)
		return 1;
	if ((pid = fork()) < 0)
		return 1;
	if (pid == 0) {
		close(fds[0]);
		if (dup2(fds[1], STDOUT_FILENO) < 0)
			_exit(1);
		close(fds[1]);
		status = _cmocka_run_group_tests(name, tests, n, setup, teardown);
		fflush(stdout);
		exit(status);
	}
	close(fds[1]);
	if ((in = fdopen(fds[0], "r")) == NULL)
		return 1;
	while (fgets(line, sizeof(line), in) != NULL) {
		unsigned num;
		int off = -1;

		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, UNIT_SKIP_MARK, mark) == 0) {
			snprintf(reason, sizeof(reason), "%s", line + mark);
			continue;
		}
		if ((sscanf(line, "not ok %u # SKIP %n", &num, &off) == 1 ||
		     sscanf(line, "ok %u # SKIP %n", &num, &off) == 1) &&
		    off > 0) {
			printf("ok %u # SKIP %s%s%s\n", num, line + off, reason[0] ? ": " : "",
			       reason);
			reason[0] = '\0';
			continue;
		}
		printf("%s\n", line);
	}
	fclose(in);
	fflush(stdout);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 1;
	return WEXITSTATUS(status);
}

#define unit_run_group_tests(name, tests, setup, teardown) \
	unit_run_tests_filtered(name, tests, sizeof(tests) / sizeof((tests)[0]), setup, teardown)

/* Create a fresh private directory /tmp/mcuprov-unit-XXXXXX into DIR
 * (at least 32 bytes).  Returns 0 or -1. */
static inline int unit_mkdtemp(char *dir, size_t size)
{
	if ((size_t)snprintf(dir, size, "/tmp/mcuprov-unit-XXXXXX") >= size)
		return -1;
	return mkdtemp(dir) != NULL ? 0 : -1;
}

static inline int unit_rmtree_one(const char *path, const struct stat *st, int type,
				  struct FTW *ftw)
{
	return remove(path);
}

/* Remove DIR and everything below it (symbolic links are not followed).
 * Returns 0 or -1. */
static inline int unit_rmtree(const char *dir)
{
	return nftw(dir, unit_rmtree_one, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
