/* Unit tests: advisory locks on the directories of a change's files. */
#include "config.h"

#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>

#include "mcuprov/fileio.h"
#include "mcuprov/lock.h"

/* format into the array BUF, which must hold it */
#define FMT(buf, ...) assert_true((size_t)snprintf(buf, sizeof(buf), __VA_ARGS__) < sizeof(buf))

static char tmpdir[64];
static char dir_a[PATH_MAX], dir_b[PATH_MAX]; /* tmpdir/a, tmpdir/b (resolved) */

/* what the waiting callback saw */
struct seen {
	int calls;
	char path[PATH_MAX];
	long pid;
};

static void on_waiting(void *arg, const char *path, long pid)
{
	struct seen *s = arg;

	s->calls++;
	snprintf(s->path, sizeof(s->path), "%s", path);
	s->pid = pid;
}

/* A child holding a lock on the directories of PATHS (N) until told to
 * go (or for HOLD_MS when not 0), from lock_acquire() itself. */
struct holder {
	pid_t pid;
	int go; /* write end: a byte (or closing it) releases */
};

static struct holder hold(const char *const *paths, size_t n, unsigned hold_ms)
{
	int ready[2], go[2];
	struct holder h;
	char c;

	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(go), 0);
	fflush(stdout);
	h.pid = fork();
	assert_true(h.pid >= 0);
	if (h.pid == 0) {
		struct lock_opts o = { 0, NULL, NULL };
		struct mcuprov_lock *l;

		close(ready[0]);
		close(go[1]);
		if (lock_acquire(paths, n, &o, &l, NULL) < 0)
			_exit(3);
		if (write(ready[1], "r", 1) != 1)
			_exit(4);
		if (hold_ms > 0) {
			struct timespec ts = { hold_ms / 1000, (long)(hold_ms % 1000) * 1000000L };

			nanosleep(&ts, NULL);
		} else {
			(void)read(go[0], &c, 1);
		}
		lock_release(l);
		_exit(0);
	}
	close(ready[1]);
	close(go[0]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	h.go = go[1];
	return h;
}

static void release(struct holder *h)
{
	int status;

	close(h->go);
	assert_int_equal(waitpid(h->pid, &status, 0), h->pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static int group_setup(void **state)
{
	char d[PATH_MAX];

	if (unit_mkdtemp(tmpdir, sizeof(tmpdir)) < 0 || realpath(tmpdir, d) == NULL)
		return -1;
	if ((size_t)snprintf(tmpdir, sizeof(tmpdir), "%s", d) >= sizeof(tmpdir))
		return -1;
	if ((size_t)snprintf(dir_a, sizeof(dir_a), "%s/a", tmpdir) >= sizeof(dir_a) ||
	    (size_t)snprintf(dir_b, sizeof(dir_b), "%s/b", tmpdir) >= sizeof(dir_b))
		return -1;
	return mkdir(dir_a, 0700) == 0 && mkdir(dir_b, 0700) == 0 ? 0 : -1;
}

static int group_teardown(void **state)
{
	return unit_rmtree(tmpdir);
}

/* lock the directory D in this process, timeout 0: 0 or the error code */
static int try_lock(const char *path)
{
	struct lock_opts o = { 0, NULL, NULL };
	struct mcuprov_lock *l;
	int rc = lock_acquire(&path, 1, &o, &l, NULL);

	if (rc == 0)
		lock_release(l);
	return rc;
}

static void test_lock_busy(void **state)
{
	char f[PATH_MAX], g[PATH_MAX], msg[PATH_MAX + 128];
	const char *pf;
	struct holder h;
	struct seen s = { 0 };
	struct lock_opts o = { 200, on_waiting, &s };
	struct mcuprov_lock *l = (struct mcuprov_lock *)&s;
	struct mcuprov_err err;
	int fd;

	FMT(f, "%s/mcuprov.yaml", dir_a);
	FMT(g, "%s/keys.c", dir_a);
	pf = f;
	h = hold(&pf, 1, 0);

	/* the holder, from /proc/locks */
	fd = open(dir_a, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(lock_holder(fd), (long)h.pid);
	close(fd);
	fd = open(dir_b, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_int_equal(lock_holder(fd), 0);
	close(fd);

	/* another file of the same directory waits, is told once, gives up */
	err_clear(&err);
	pf = g;
	assert_int_equal(lock_acquire(&pf, 1, &o, &l, &err), MCUPROV_ERR_IO);
	assert_null(l);
	assert_string_equal(err.subject, g);
	FMT(msg,
	    "another mcuprov (pid %ld) is changing files in '%s': gave up after 0.2 s "
	    "(--lock-timeout SECONDS)",
	    (long)h.pid, dir_a);
	assert_string_equal(err.msg, msg);
	assert_int_equal(s.calls, 1);
	assert_string_equal(s.path, g);
	assert_int_equal(s.pid, (long)h.pid);

	/* timeout 0: fails at once, without the notice */
	memset(&s, 0, sizeof(s));
	o.timeout_ms = 0;
	assert_int_equal(lock_acquire(&pf, 1, &o, &l, &err), MCUPROV_ERR_IO);
	FMT(msg,
	    "another mcuprov (pid %ld) is changing files in '%s': gave up after 0.0 s "
	    "(--lock-timeout SECONDS)",
	    (long)h.pid, dir_a);
	assert_string_equal(err.msg, msg);
	assert_int_equal(s.calls, 0);

	/* a change of both directories: nothing is kept locked when one is
	 * busy (b is free again right after) */
	{
		char fb[PATH_MAX];
		const char *both[2];

		FMT(fb, "%s/x", dir_b);
		both[0] = fb;
		both[1] = g;
		assert_int_equal(lock_acquire(both, 2, &o, &l, &err), MCUPROV_ERR_IO);
		assert_string_equal(err.subject, g);
		assert_int_equal(try_lock(fb), 0);
	}

	release(&h);
	assert_int_equal(try_lock(g), 0);
}

static void test_lock_released_meanwhile(void **state)
{
	char f[PATH_MAX];
	const char *pf = f;
	struct holder h;
	struct seen s = { 0 };
	struct lock_opts o = { 5000, on_waiting, &s };
	struct mcuprov_lock *l = NULL;
	struct mcuprov_err err;
	int status;

	FMT(f, "%s/mcuprov.yaml", dir_a);
	h = hold(&pf, 1, 300);
	err_clear(&err);
	assert_int_equal(lock_acquire(&pf, 1, &o, &l, &err), 0);
	assert_non_null(l);
	assert_int_equal(s.calls, 1);
	assert_int_equal(s.pid, (long)h.pid);
	/* it is this process's now: another one cannot have it */
	{
		pid_t pid = fork();

		assert_true(pid >= 0);
		if (pid == 0)
			_exit(try_lock(f) == MCUPROV_ERR_IO ? 0 : 1);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	lock_release(l);
	assert_int_equal(waitpid(h.pid, &status, 0), h.pid);
	close(h.go);
}

static void put(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(file_write_all(fd, data, len), 0);
	close(fd);
}

static void test_lock_add(void **state)
{
	char fa[PATH_MAX], ga[PATH_MAX], fb[PATH_MAX], missing[PATH_MAX], notdir[PATH_MAX],
		file[PATH_MAX], top[PATH_MAX], msg[PATH_MAX + 64];
	const char *p[3];
	struct lock_opts o = { 0, NULL, NULL };
	struct mcuprov_lock *l;
	struct mcuprov_err err;
	int status;
	pid_t pid;

	FMT(fa, "%s/mcuprov.yaml", dir_a);
	FMT(ga, "%s/../a/keys.c", dir_b); /* dir_a by another name */
	FMT(fb, "%s/keys.c", dir_b);
	FMT(missing, "%s/nowhere/deeper/keys.c", tmpdir);
	FMT(file, "%s/file", tmpdir);
	FMT(notdir, "%s/keys.c", file);
	FMT(top, "%s/x", tmpdir);
	put(file, "", 0);
	err_clear(&err);
	p[0] = fa;
	assert_int_equal(lock_acquire(p, 1, &o, &l, &err), 0);
	/* a directory held already is skipped (locking it again through
	 * another descriptor would wait for this very process) */
	p[0] = ga;
	p[1] = NULL;
	p[2] = fb;
	assert_int_equal(lock_add(l, p, 3, &o, &err), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(try_lock(fa) == MCUPROV_ERR_IO && try_lock(fb) == MCUPROV_ERR_IO ? 0 : 1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);

	/* a "directory" that is a file: refused, what was held stays held */
	p[0] = notdir;
	assert_int_equal(lock_add(l, p, 1, &o, &err), MCUPROV_ERR_IO);
	assert_string_equal(err.subject, notdir);
	FMT(msg, "cannot lock its directory '%s/file': Not a directory", tmpdir);
	assert_string_equal(err.msg, msg);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(try_lock(fa) == MCUPROV_ERR_IO && try_lock(fb) == MCUPROV_ERR_IO ? 0 : 1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(WEXITSTATUS(status), 0);

	/* a directory still to be made: its nearest existing ancestor */
	p[0] = missing;
	assert_int_equal(lock_add(l, p, 1, &o, &err), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(try_lock(top) == MCUPROV_ERR_IO ? 0 : 1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(WEXITSTATUS(status), 0);
	lock_release(l);
	lock_release(NULL);
	assert_int_equal(try_lock(fa), 0);
	assert_int_equal(try_lock(fb), 0);
	assert_int_equal(try_lock(top), 0);
	unlink(file);
}


static void test_lock_project(void **state)
{
	char yaml[PATH_MAX], keys[PATH_MAX], tk[PATH_MAX], ty[PATH_MAX], journal[PATH_MAX],
		j[3 * PATH_MAX], got[PATH_MAX + 64], want[3 * PATH_MAX];
	const char *bp;
	struct lock_opts o = { 0, NULL, NULL };
	struct mcuprov_lock *l;
	struct mcuprov_err err;
	size_t n;
	int status;
	pid_t pid;

	FMT(yaml, "%s/mcuprov.yaml", dir_a);
	FMT(keys, "%s/keys.c", dir_b);
	FMT(tk, "%s.tmp-0123456789ab.999999", keys);
	FMT(ty, "%s.tmp-abcdef012345.999999", yaml);
	FMT(journal, "%s/%s", dir_a, FILE_TXN_JOURNAL);
	put(yaml, "old yaml", 8);
	put(keys, "old keys", 8);
	put(tk, "new keys", 8);
	put(ty, "new yaml", 8);
	n = (size_t)snprintf(j, sizeof(j), "mcuprov-journal 1\n%s%c%s%c%s%c%s%c", tk, 0, keys, 0,
			     ty, 0, yaml, 0);
	assert_true(n < sizeof(j));
	put(journal, j, n);

	/* recovered under the lock, before anything else is read */
	bp = keys;
	err_clear(&err);
	assert_int_equal(lock_project(yaml, &bp, 1, &o, &l, got, sizeof(got), &err), 0);
	FMT(want, "'%s', '%s'", keys, yaml);
	assert_string_equal(got, want);
	assert_false(access(journal, F_OK) == 0);
	assert_false(access(tk, F_OK) == 0);
	{
		uint8_t *buf;
		size_t len;

		assert_int_equal(file_read(keys, 100, &buf, &len, NULL, &err), 0);
		assert_int_equal(len, 8);
		assert_memory_equal(buf, "new keys", 8);
		free(buf);
		assert_int_equal(file_read(yaml, 100, &buf, &len, NULL, &err), 0);
		assert_memory_equal(buf, "new yaml", 8);
		free(buf);
	}
	/* both directories held */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(try_lock(yaml) == MCUPROV_ERR_IO && try_lock(keys) == MCUPROV_ERR_IO ? 0 : 1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(WEXITSTATUS(status), 0);
	lock_release(l);

	/* nothing to recover: "" */
	memset(got, 'x', sizeof(got));
	assert_int_equal(lock_project(yaml, NULL, 0, &o, &l, got, sizeof(got), &err), 0);
	assert_string_equal(got, "");
	lock_release(l);

	/* a journal that is not one: refused, nothing held, nothing moved */
	put(tk, "newer keys", 10);
	n = (size_t)snprintf(j, sizeof(j), "mcuprov-journal 1\n%s%c/etc/passwd%c%s%c%s", tk, 0, 0,
			     ty, 0, yaml);
	put(journal, j, n);
	l = (struct mcuprov_lock *)&o;
	assert_int_equal(lock_project(yaml, &bp, 1, &o, &l, got, sizeof(got), &err),
			 MCUPROV_ERR_FORMAT);
	assert_null(l);
	assert_string_equal(err.subject, journal);
	assert_string_equal(err.msg, "not a journal of an interrupted change; remove it to go on");
	assert_int_equal(try_lock(yaml), 0);
	assert_int_equal(try_lock(keys), 0);
	assert_true(access(tk, F_OK) == 0);
	unlink(journal);
	unlink(tk);
	unlink(yaml);
	unlink(keys);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lock_busy),
		cmocka_unit_test(test_lock_released_meanwhile),
		cmocka_unit_test(test_lock_add),
		cmocka_unit_test(test_lock_project),
	};

	return cmocka_run_group_tests_name("lock", tests, group_setup, group_teardown);
}
