/* Unit tests: bounded file reading and atomic, exclusive file writing. */
#include "config.h"

#include "unit.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/stat.h>

#include "mcuprov/fileio.h"

#define MSG_EXISTS  "already exists (use --force to replace it)"
#define MSG_SYMLINK "is a symbolic link; refusing to write through it"

/* The temporary directory of the group (set up once, removed at the end). */
static char tmpdir[64];

/* PATH = tmpdir/NAME */
static void tmp_path(char *path, size_t size, const char *name)
{
	assert_true((size_t)snprintf(path, size, "%s/%s", tmpdir, name) < size);
}

/* How many temporary files ("*.tmp-*") DIR holds. */
static int count_tmp(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strstr(e->d_name, ".tmp-") != NULL)
			n++;
	closedir(d);
	return n;
}

/* The file PATH must hold exactly LEN bytes of WANT. */
static void assert_content(const char *path, const void *want, size_t len)
{
	char buf[256];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	assert_int_equal(n, (ssize_t)len);
	assert_memory_equal(buf, want, len);
}

/* The permission bits of PATH (lstat). */
static unsigned perm_of(const char *path)
{
	struct stat st;

	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	return (unsigned)(st.st_mode & 07777);
}

/* file_write_atomic must fail with CODE, SUBJECT and MSG and leave no
 * temporary file in tmpdir. */
static void assert_write_fails(const char *path, const char *data, unsigned flags, int code,
			       const char *msg)
{
	struct mcuprov_err err;

	err_clear(&err);
	assert_int_equal(file_write_atomic(path, data, strlen(data), flags, &err), code);
	assert_int_equal(err.code, code);
	assert_string_equal(err.subject, path);
	assert_string_equal(err.msg, msg);
	assert_int_equal(count_tmp(tmpdir), 0);
}

static void write_ok(const char *path, const void *data, size_t len, unsigned flags)
{
	struct mcuprov_err err;

	err_clear(&err);
	assert_int_equal(file_write_atomic(path, data, len, flags, &err), 0);
	assert_int_equal(err.code, 0);
	assert_int_equal(count_tmp(tmpdir), 0);
}

static int group_setup(void **state)
{
	return unit_mkdtemp(tmpdir, sizeof(tmpdir));
}

static int group_teardown(void **state)
{
	return unit_rmtree(tmpdir);
}

/* Each test starts with umask 022 (and leaves it so). */
static int test_setup(void **state)
{
	umask(022);
	return 0;
}

static void test_write_creates(void **state)
{
	const uint8_t data[] = { 'k', 'e', 'y', 0x00, 0xff, '\n', 0x80 };
	char path[128];

	tmp_path(path, sizeof(path), "create.bin");
	write_ok(path, data, sizeof(data), 0);
	assert_content(path, data, sizeof(data));
	assert_int_equal(perm_of(path), 0644);
}

static void test_write_empty(void **state)
{
	char path[128];

	tmp_path(path, sizeof(path), "empty.bin");
	write_ok(path, "", 0, 0);
	assert_content(path, "", 0);
}

static void test_write_private(void **state)
{
	char path[128];

	umask(0);
	tmp_path(path, sizeof(path), "private-umask0.pem");
	write_ok(path, "secret\n", 7, FILE_WRITE_PRIVATE);
	assert_content(path, "secret\n", 7);
	assert_int_equal(perm_of(path), 0600);

	/* a umask that would remove the owner's write bit */
	umask(0277);
	tmp_path(path, sizeof(path), "private-umask277.pem");
	write_ok(path, "secret\n", 7, FILE_WRITE_PRIVATE);
	assert_int_equal(perm_of(path), 0600);
	umask(022);
}

static void test_write_umask(void **state)
{
	char path[128];

	umask(022);
	tmp_path(path, sizeof(path), "umask022");
	write_ok(path, "x", 1, 0);
	assert_int_equal(perm_of(path), 0644);

	umask(027);
	tmp_path(path, sizeof(path), "umask027");
	write_ok(path, "x", 1, 0);
	assert_int_equal(perm_of(path), 0640);

	umask(0);
	tmp_path(path, sizeof(path), "umask000");
	write_ok(path, "x", 1, 0);
	assert_int_equal(perm_of(path), 0666);
	umask(022);
}

static void test_write_exists(void **state)
{
	char path[128];

	tmp_path(path, sizeof(path), "exists");
	write_ok(path, "old", 3, 0);
	assert_write_fails(path, "new", 0, MCUPROV_ERR_EXISTS, MSG_EXISTS);
	assert_write_fails(path, "new", FILE_WRITE_PRIVATE, MCUPROV_ERR_EXISTS, MSG_EXISTS);
	assert_content(path, "old", 3);
	assert_int_equal(perm_of(path), 0644);
}

static void test_write_force(void **state)
{
	char path[128];

	tmp_path(path, sizeof(path), "force");
	write_ok(path, "old content", 11, 0);
	assert_int_equal(perm_of(path), 0644);
	write_ok(path, "new", 3, FILE_WRITE_FORCE);
	assert_content(path, "new", 3);
	assert_int_equal(perm_of(path), 0644);
	/* replacing gives the new file's mode, not the old one's */
	write_ok(path, "private", 7, FILE_WRITE_FORCE | FILE_WRITE_PRIVATE);
	assert_content(path, "private", 7);
	assert_int_equal(perm_of(path), 0600);

	/* FORCE on a path that does not exist yet simply creates it */
	tmp_path(path, sizeof(path), "force-new");
	write_ok(path, "fresh", 5, FILE_WRITE_FORCE);
	assert_content(path, "fresh", 5);
}

static void test_write_symlink(void **state)
{
	char target[128], link_path[128], dangling[128], missing[128], got[128];
	struct stat st;
	ssize_t n;

	tmp_path(target, sizeof(target), "symlink-target");
	tmp_path(link_path, sizeof(link_path), "symlink");
	write_ok(target, "original", 8, 0);
	assert_int_equal(symlink(target, link_path), 0);

	assert_write_fails(link_path, "evil", 0, MCUPROV_ERR_REFUSED, MSG_SYMLINK);
	assert_write_fails(link_path, "evil", FILE_WRITE_FORCE, MCUPROV_ERR_REFUSED, MSG_SYMLINK);
	assert_write_fails(link_path, "evil", FILE_WRITE_FORCE | FILE_WRITE_PRIVATE,
			   MCUPROV_ERR_REFUSED, MSG_SYMLINK);
	assert_content(target, "original", 8);
	assert_int_equal(perm_of(target), 0644);
	/* the link itself is left alone */
	assert_int_equal(lstat(link_path, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	n = readlink(link_path, got, sizeof(got) - 1);
	assert_int_equal(n, (ssize_t)strlen(target));
	got[n] = '\0';
	assert_string_equal(got, target);

	/* a dangling link must not create its target */
	tmp_path(missing, sizeof(missing), "symlink-missing-target");
	tmp_path(dangling, sizeof(dangling), "symlink-dangling");
	assert_int_equal(symlink(missing, dangling), 0);
	assert_write_fails(dangling, "evil", FILE_WRITE_FORCE, MCUPROV_ERR_REFUSED, MSG_SYMLINK);
	assert_write_fails(dangling, "evil", 0, MCUPROV_ERR_REFUSED, MSG_SYMLINK);
	assert_int_equal(lstat(missing, &st), -1);
	assert_int_equal(errno, ENOENT);
}

static void test_write_missing_dir(void **state)
{
	char dir[128], path[160], msg[256];

	tmp_path(dir, sizeof(dir), "no-such-dir");
	snprintf(path, sizeof(path), "%s/file", dir);
	snprintf(msg, sizeof(msg),
		 "cannot create temporary file in '%s': No such file or directory", dir);
	assert_write_fails(path, "data", 0, MCUPROV_ERR_IO, msg);
	assert_write_fails(path, "data", FILE_WRITE_FORCE | FILE_WRITE_PRIVATE, MCUPROV_ERR_IO,
			   msg);
	assert_int_equal(access(dir, F_OK), -1);
}

static void test_write_directory(void **state)
{
	char path[128];

	tmp_path(path, sizeof(path), "a-directory");
	assert_int_equal(mkdir(path, 0755), 0);
	assert_write_fails(path, "data", 0, MCUPROV_ERR_IO, "is a directory");
	assert_write_fails(path, "data", FILE_WRITE_FORCE, MCUPROV_ERR_IO, "is a directory");
	assert_int_equal(count_tmp(path), 0);
}

static void test_write_not_regular(void **state)
{
	char path[128];

	tmp_path(path, sizeof(path), "a-fifo");
	assert_int_equal(mkfifo(path, 0644), 0);
	assert_write_fails(path, "data", 0, MCUPROV_ERR_EXISTS, MSG_EXISTS);
	assert_write_fails(path, "data", FILE_WRITE_FORCE, MCUPROV_ERR_IO, "not a regular file");
}

static void test_write_relative(void **state)
{
	int cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char path[128];

	assert_true(cwd >= 0);
	assert_int_equal(chdir(tmpdir), 0);
	write_ok("relative", "rel", 3, 0);
	assert_int_equal(fchdir(cwd), 0);
	close(cwd);
	tmp_path(path, sizeof(path), "relative");
	assert_content(path, "rel", 3);
}

static void test_write_null_err(void **state)
{
	char path[128];

	tmp_path(path, sizeof(path), "null-err");
	assert_int_equal(file_write_atomic(path, "a", 1, 0, NULL), 0);
	assert_int_equal(file_write_atomic(path, "b", 1, 0, NULL), MCUPROV_ERR_EXISTS);
	assert_content(path, "a", 1);
	assert_int_equal(count_tmp(tmpdir), 0);
}

/* (mode & 07777) of the directory PATH */
static unsigned dir_mode(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	return (unsigned)(st.st_mode & 07777);
}

/* FILE_WRITE_MKDIR: the missing directories made (0700 for a private
 * file), an existing one left as it is */
static void test_write_mkdir(void **state)
{
	char a[128], ab[160], path[192];

	tmp_path(a, sizeof(a), "mk-a");
	snprintf(ab, sizeof(ab), "%s/b", a);
	snprintf(path, sizeof(path), "%s/k.pem", ab);
	write_ok(path, "key", 3, FILE_WRITE_PRIVATE | FILE_WRITE_MKDIR);
	assert_content(path, "key", 3);
	assert_int_equal(perm_of(path), 0600);
	assert_int_equal(dir_mode(a), 0700);
	assert_int_equal(dir_mode(ab), 0700);
	assert_int_equal(count_tmp(ab), 0);
	/* an existing directory keeps its mode */
	assert_int_equal(chmod(ab, 0755), 0);
	snprintf(path, sizeof(path), "%s/k2.pem", ab);
	write_ok(path, "k2", 2, FILE_WRITE_PRIVATE | FILE_WRITE_MKDIR);
	assert_int_equal(dir_mode(ab), 0755);
	assert_int_equal(dir_mode(a), 0700);
	/* not private: 0777 less the umask */
	tmp_path(a, sizeof(a), "mk-pub/c");
	snprintf(path, sizeof(path), "%s/f", a);
	write_ok(path, "f", 1, FILE_WRITE_MKDIR);
	assert_int_equal(dir_mode(a), 0755);
	/* a file where a directory must be */
	snprintf(path, sizeof(path), "%s/f/g", a);
	snprintf(ab, sizeof(ab), "%s/f", a);
	assert_write_fails(path, "x", FILE_WRITE_MKDIR, MCUPROV_ERR_IO,
			   "cannot stat: Not a directory");
	snprintf(path, sizeof(path), "%s/f/g/h", a);
	{
		struct mcuprov_err err;

		err_clear(&err);
		assert_int_equal(file_mkdirs(path, 0700, &err), MCUPROV_ERR_IO);
		assert_string_equal(err.subject, ab);
		assert_string_equal(err.msg, "cannot create directory: Not a directory");
		/* all there already: nothing to do */
		assert_int_equal(file_mkdirs(a, 0700, &err), 0);
		assert_int_equal(dir_mode(a), 0755);
	}
}

/* file_write_check(): the errors file_write_atomic() would give, nothing made */
static void test_write_check(void **state)
{
	struct mcuprov_err err;
	char path[256], dir[192], msg[320], ro[128];

	err_clear(&err);
	tmp_path(dir, sizeof(dir), "chk-none/sub");
	snprintf(path, sizeof(path), "%s/k.pem", dir);
	assert_int_equal(file_write_check(path, FILE_WRITE_MKDIR, &err), 0);
	assert_int_equal(access(dir, F_OK), -1);
	tmp_path(msg, sizeof(msg), "chk-none");
	assert_int_equal(access(msg, F_OK), -1);
	/* without FILE_WRITE_MKDIR: as the write would fail */
	snprintf(msg, sizeof(msg),
		 "cannot create temporary file in '%s': No such file or directory", dir);
	assert_int_equal(file_write_check(path, 0, &err), MCUPROV_ERR_IO);
	assert_string_equal(err.subject, path);
	assert_string_equal(err.msg, msg);
	/* an existing file, a link, a directory */
	tmp_path(path, sizeof(path), "chk-file");
	write_ok(path, "x", 1, 0);
	assert_int_equal(file_write_check(path, 0, &err), MCUPROV_ERR_EXISTS);
	assert_string_equal(err.msg, MSG_EXISTS);
	assert_int_equal(file_write_check(path, FILE_WRITE_FORCE, &err), 0);
	tmp_path(path, sizeof(path), "chk-link");
	assert_int_equal(symlink("chk-file", path), 0);
	assert_int_equal(file_write_check(path, FILE_WRITE_FORCE, &err), MCUPROV_ERR_REFUSED);
	assert_string_equal(err.msg, MSG_SYMLINK);
	tmp_path(path, sizeof(path), "chk-file/k.pem");
	assert_int_equal(file_write_check(path, FILE_WRITE_MKDIR, &err), MCUPROV_ERR_IO);
	assert_string_equal(err.msg, "cannot stat: Not a directory");
	if (geteuid() == 0)
		return; /* root writes anywhere */
	/* a read-only directory: as the write, or the mkdir, would fail */
	tmp_path(ro, sizeof(ro), "chk-ro");
	assert_int_equal(mkdir(ro, 0555), 0);
	snprintf(path, sizeof(path), "%s/k.pem", ro);
	snprintf(msg, sizeof(msg), "cannot create temporary file in '%s': Permission denied", ro);
	assert_int_equal(file_write_check(path, FILE_WRITE_MKDIR, &err), MCUPROV_ERR_IO);
	assert_string_equal(err.msg, msg);
	snprintf(path, sizeof(path), "%s/a/b/k.pem", ro);
	snprintf(dir, sizeof(dir), "%s/a", ro);
	assert_int_equal(file_write_check(path, FILE_WRITE_MKDIR, &err), MCUPROV_ERR_IO);
	assert_string_equal(err.subject, dir);
	assert_string_equal(err.msg, "cannot create directory: Permission denied");
	assert_int_equal(file_write_atomic(path, "x", 1, FILE_WRITE_MKDIR, &err), MCUPROV_ERR_IO);
	assert_string_equal(err.subject, dir);
	assert_string_equal(err.msg, "cannot create directory: Permission denied");
	assert_int_equal(chmod(ro, 0755), 0);
}

static void test_read(void **state)
{
	const uint8_t data[] = { 'a', 'b', 'c', 0x00, 'd', 0xff };
	struct mcuprov_err err;
	char path[128];
	uint8_t *buf = NULL;
	size_t len = 0;
	mode_t mode = 0;

	tmp_path(path, sizeof(path), "read.bin");
	write_ok(path, data, sizeof(data), FILE_WRITE_PRIVATE);
	err_clear(&err);
	assert_int_equal(file_read(path, 1024, &buf, &len, &mode, &err), 0);
	assert_int_equal(err.code, 0);
	assert_non_null(buf);
	assert_int_equal(len, sizeof(data));
	assert_memory_equal(buf, data, sizeof(data));
	assert_int_equal(buf[len], 0x00);
	assert_true(S_ISREG(mode));
	assert_int_equal(mode & 07777, 0600);
	free(buf);

	/* exactly MAX bytes is allowed; MODE may be NULL */
	buf = NULL;
	assert_int_equal(file_read(path, sizeof(data), &buf, &len, NULL, &err), 0);
	assert_int_equal(len, sizeof(data));
	assert_memory_equal(buf, data, sizeof(data));
	assert_int_equal(buf[len], 0x00);
	free(buf);
}

/* file_read must fail with CODE, subject PATH and MSG, leaving *buf NULL
 * and *len 0. */
static void assert_read_fails(const char *path, size_t max, int code, const char *msg)
{
	struct mcuprov_err err;
	uint8_t *buf = (uint8_t *)&err;
	size_t len = 99;

	err_clear(&err);
	assert_int_equal(file_read(path, max, &buf, &len, NULL, &err), code);
	assert_null(buf);
	assert_int_equal(len, 0);
	assert_int_equal(err.code, code);
	assert_string_equal(err.subject, path);
	assert_string_equal(err.msg, msg);
}

static void test_read_empty(void **state)
{
	char path[128];

	tmp_path(path, sizeof(path), "read-empty");
	write_ok(path, "", 0, 0);
	assert_read_fails(path, 1024, MCUPROV_ERR_FORMAT, "file is empty");
}

static void test_read_directory(void **state)
{
	assert_read_fails(tmpdir, 1024, MCUPROV_ERR_IO, "is a directory");
}

static void test_read_too_large(void **state)
{
	char path[128];

	tmp_path(path, sizeof(path), "read-large");
	write_ok(path, "0123456789a", 11, 0);
	assert_read_fails(path, 10, MCUPROV_ERR_FORMAT, "file too large (11 bytes, limit 10)");
	assert_read_fails(path, 0, MCUPROV_ERR_FORMAT, "file too large (11 bytes, limit 0)");
}

static void test_read_missing(void **state)
{
	char path[128];

	tmp_path(path, sizeof(path), "read-missing");
	assert_read_fails(path, 1024, MCUPROV_ERR_IO, "cannot open: No such file or directory");
}

static void test_read_special(void **state)
{
	char path[128];

	/* a FIFO must neither hang nor be read */
	tmp_path(path, sizeof(path), "read-fifo");
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_read_fails(path, 1024, MCUPROV_ERR_IO, "not a regular file");
	assert_read_fails("/dev/null", 1024, MCUPROV_ERR_IO, "not a regular file");
}

/* format into the array BUF, which must hold it */
#define FMT(buf, ...) assert_true((size_t)snprintf(buf, sizeof(buf), __VA_ARGS__) < sizeof(buf))

/* ---- temporary names, stale temporaries, the signal-time cleanup ---- */

/* NAME is "BASE.tmp-" 12 lower-case hex digits "." PID */
static void assert_tmp_name(const char *name, const char *base, long pid)
{
	size_t bl = strlen(base);
	char want[32];

	assert_true(strncmp(name, base, bl) == 0);
	assert_true(strncmp(name + bl, ".tmp-", 5) == 0);
	for (size_t k = 0; k < 12; k++)
		assert_non_null(strchr("0123456789abcdef", name[bl + 5 + k]));
	FMT(want, ".%ld", pid);
	assert_string_equal(name + bl + 5 + 12, want);
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* write LEN bytes of DATA to PATH (created or truncated) with MODE */
static void put(const char *path, const char *data, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(file_write_all(fd, data, strlen(data)), 0);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

/* a pid no process has: a child's that has been reaped */
static long dead_pid(void)
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(kill(pid, 0), -1);
	assert_int_equal(errno, ESRCH);
	return (long)pid;
}

static void test_tmp_name(void **state)
{
	struct file_atomic a;
	struct mcuprov_err err;
	char path[PATH_MAX], longname[256], base[PATH_MAX];

	tmp_path(path, sizeof(path), "named.bin");
	err_clear(&err);
	assert_int_equal(file_atomic_open(&a, path, 0, &err), 0);
	assert_tmp_name(a.tmp, path, (long)getpid());
	assert_true(exists(a.tmp));
	assert_false(exists(path));
	assert_int_equal(count_tmp(tmpdir), 1);
	file_atomic_abort(&a);
	assert_int_equal(count_tmp(tmpdir), 0);
	assert_false(exists(path));

	/* a 250-byte name is cut to 200 bytes in its temporary's */
	memset(longname, 'n', 250);
	longname[250] = '\0';
	tmp_path(path, sizeof(path), longname);
	longname[200] = '\0';
	tmp_path(base, sizeof(base), longname);
	assert_int_equal(file_atomic_open(&a, path, 0, &err), 0);
	assert_tmp_name(a.tmp, base, (long)getpid());
	assert_int_equal(file_write_all(a.fd, "x", 1), 0);
	assert_int_equal(file_atomic_commit(&a, &err), 0);
	assert_content(path, "x", 1);
	assert_int_equal(count_tmp(tmpdir), 0);
	unlink(path);
}

static void test_tmp_stale(void **state)
{
	char f[PATH_MAX], dead[PATH_MAX], alive[PATH_MAX], mine[PATH_MAX], other[PATH_MAX],
		notpid[PATH_MAX], shorthex[PATH_MAX], link[PATH_MAX], victim[PATH_MAX],
		longer[PATH_MAX], name[128];
	long gone = dead_pid(), live = (long)getppid() > 1 ? (long)getppid() : 1;
	int n;

	tmp_path(f, sizeof(f), "f");
	put(f, "old", 0644);
	FMT(name, "f.tmp-0123456789ab.%ld", gone);
	tmp_path(dead, sizeof(dead), name);
	put(dead, "half", 0600);
	FMT(name, "f.tmp-0123456789ab.%ld", live);
	tmp_path(alive, sizeof(alive), name);
	put(alive, "being written", 0600);
	FMT(name, "f.tmp-0123456789ab.%ld", (long)getpid());
	tmp_path(mine, sizeof(mine), name);
	put(mine, "this process's", 0600);
	/* not of f, not of the shape: never touched */
	FMT(name, "g.tmp-0123456789ab.%ld", gone);
	tmp_path(other, sizeof(other), name);
	put(other, "g's", 0600);
	FMT(name, "ff.tmp-0123456789ab.%ld", gone);
	tmp_path(longer, sizeof(longer), name);
	put(longer, "ff's", 0600);
	FMT(name, "f.tmp-0123456789ab.%ldx", gone);
	tmp_path(notpid, sizeof(notpid), name);
	put(notpid, "?", 0600);
	FMT(name, "f.tmp-0123456789a.%ld", gone);
	tmp_path(shorthex, sizeof(shorthex), name);
	put(shorthex, "?", 0600);
	/* a symbolic link of the shape is left, and so is what it names */
	tmp_path(victim, sizeof(victim), "victim");
	put(victim, "keep me", 0644);
	FMT(name, "f.tmp-abcdefabcdef.%ld", gone);
	tmp_path(link, sizeof(link), name);
	assert_int_equal(symlink(victim, link), 0);

	{
		struct mcuprov_err err;

		err_clear(&err);
		assert_int_equal(file_write_atomic(f, "new", 3, FILE_WRITE_FORCE, &err), 0);
	}
	assert_content(f, "new", 3);
	assert_false(exists(dead));
	assert_true(exists(alive));
	assert_true(exists(mine));
	assert_true(exists(other));
	assert_true(exists(longer));
	assert_true(exists(notpid));
	assert_true(exists(shorthex));
	assert_true(exists(link));
	assert_content(victim, "keep me", 7);
	n = count_tmp(tmpdir);
	assert_int_equal(n, 7);
	unlink(f);
	unlink(alive);
	unlink(mine);
	unlink(other);
	unlink(longer);
	unlink(notpid);
	unlink(shorthex);
	unlink(link);
	unlink(victim);
}

static void test_tmp_cleanup(void **state)
{
	struct file_atomic a, b;
	struct mcuprov_err err;
	char pa[PATH_MAX], pb[PATH_MAX], tmp[PATH_MAX];

	tmp_path(pa, sizeof(pa), "cleanup-a");
	tmp_path(pb, sizeof(pb), "cleanup-b");
	err_clear(&err);
	/* a committed file is not the cleanup's */
	write_ok(pb, "kept", 4, 0);
	assert_int_equal(file_atomic_open(&a, pa, 0, &err), 0);
	assert_int_equal(file_write_all(a.fd, "half", 4), 0);
	FMT(tmp, "%s", a.tmp);
	assert_true(exists(tmp));
	file_tmp_cleanup();
	assert_false(exists(tmp));
	assert_false(exists(pa));
	assert_content(pb, "kept", 4);
	file_tmp_cleanup(); /* twice is harmless */
	file_atomic_abort(&a); /* and so is the owner's abort afterwards */
	assert_int_equal(count_tmp(tmpdir), 0);
	assert_false(exists(pa));

	/* a file opened after a cleanup is the next cleanup's, even when an
	 * earlier one, cleaned up, is aborted meanwhile */
	assert_int_equal(file_atomic_open(&a, pa, 0, &err), 0);
	file_tmp_cleanup();
	assert_int_equal(file_atomic_open(&b, pb, FILE_WRITE_FORCE, &err), 0);
	FMT(tmp, "%s", b.tmp);
	file_atomic_abort(&a);
	assert_true(exists(tmp));
	file_tmp_cleanup();
	assert_false(exists(tmp));
	file_atomic_abort(&b);
	assert_int_equal(count_tmp(tmpdir), 0);
	unlink(pb);
}

/* ---- changes to several files ---- */

static bool journal_exists(void)
{
	char j[PATH_MAX];

	tmp_path(j, sizeof(j), FILE_TXN_JOURNAL);
	return exists(j);
}

static void test_txn_commit(void **state)
{
	struct file_txn t;
	struct mcuprov_err err;
	char a[PATH_MAX], b[PATH_MAX], c[PATH_MAX];

	tmp_path(a, sizeof(a), "txn-a");
	tmp_path(b, sizeof(b), "txn-b");
	tmp_path(c, sizeof(c), "txn-c");
	put(a, "old a", 0640);
	put(b, "old b", 0755);
	err_clear(&err);
	assert_int_equal(file_txn_begin(&t, tmpdir, &err), 0);
	assert_int_equal(file_txn_add(&t, a, "new a", 5, FILE_WRITE_FORCE, &err), 0);
	assert_int_equal(file_txn_add(&t, b, "new b!", 6, FILE_WRITE_FORCE, &err), 0);
	assert_int_equal(file_txn_add(&t, c, "c", 1, 0, &err), 0);
	/* nothing moved before the commit */
	assert_int_equal(count_tmp(tmpdir), 3);
	assert_content(a, "old a", 5);
	assert_content(b, "old b", 5);
	assert_false(exists(c));
	assert_false(journal_exists());
	assert_int_equal(file_txn_commit(&t, &err), 0);
	assert_int_equal(err.code, 0);
	assert_content(a, "new a", 5);
	assert_content(b, "new b!", 6);
	assert_content(c, "c", 1);
	assert_int_equal(perm_of(a), 0640);
	assert_int_equal(perm_of(b), 0755);
	assert_int_equal(perm_of(c), 0644);
	assert_int_equal(count_tmp(tmpdir), 0);
	assert_false(journal_exists());
	file_txn_abort(&t); /* harmless after a commit */
	assert_content(a, "new a", 5);

	/* a private file stays 0600 */
	assert_int_equal(file_txn_begin(&t, tmpdir, &err), 0);
	assert_int_equal(file_txn_add(&t, a, "secret", 6, FILE_WRITE_FORCE | FILE_WRITE_PRIVATE,
				      &err),
			 0);
	assert_int_equal(file_txn_commit(&t, &err), 0);
	assert_int_equal(perm_of(a), 0600);
	unlink(a);
	unlink(b);
	unlink(c);
}

static void test_txn_abort(void **state)
{
	struct file_txn t;
	struct mcuprov_err err;
	char a[PATH_MAX], b[PATH_MAX];

	tmp_path(a, sizeof(a), "txn-a");
	tmp_path(b, sizeof(b), "txn-b");
	put(a, "old a", 0644);
	err_clear(&err);
	assert_int_equal(file_txn_begin(&t, tmpdir, &err), 0);
	assert_int_equal(file_txn_add(&t, a, "new a", 5, FILE_WRITE_FORCE, &err), 0);
	assert_int_equal(file_txn_add(&t, b, "new b", 5, 0, &err), 0);
	assert_int_equal(count_tmp(tmpdir), 2);
	file_txn_abort(&t);
	assert_content(a, "old a", 5);
	assert_false(exists(b));
	assert_int_equal(count_tmp(tmpdir), 0);
	assert_false(journal_exists());
	file_txn_abort(&t); /* twice is harmless */

	/* an add that fails aborts the change */
	assert_int_equal(file_txn_begin(&t, tmpdir, &err), 0);
	assert_int_equal(file_txn_add(&t, b, "new b", 5, 0, &err), 0);
	assert_int_equal(file_txn_add(&t, a, "new a", 5, 0, &err), MCUPROV_ERR_EXISTS);
	assert_string_equal(err.subject, a);
	assert_string_equal(err.msg, MSG_EXISTS);
	assert_int_equal(count_tmp(tmpdir), 0);
	assert_false(exists(b));
	file_txn_abort(&t);

	/* a file that appears before the commit: nothing moves */
	assert_int_equal(file_txn_begin(&t, tmpdir, &err), 0);
	assert_int_equal(file_txn_add(&t, a, "new a", 5, FILE_WRITE_FORCE, &err), 0);
	assert_int_equal(file_txn_add(&t, b, "new b", 5, 0, &err), 0);
	put(b, "someone else's", 0644);
	assert_int_equal(file_txn_commit(&t, &err), MCUPROV_ERR_EXISTS);
	assert_string_equal(err.subject, b);
	assert_string_equal(err.msg, MSG_EXISTS);
	assert_content(a, "old a", 5);
	assert_content(b, "someone else's", 14);
	assert_int_equal(count_tmp(tmpdir), 0);
	assert_false(journal_exists());
	unlink(a);
	unlink(b);
}

/* write the journal: the magic, then the N*2 strings of NAMES each with
 * its NUL, then cut to CUT bytes less (0: whole) */
static void put_journal(const char *const *names, size_t n, size_t cut)
{
	char j[PATH_MAX], buf[8192];
	size_t len = 0;
	int fd;

	memcpy(buf, "mcuprov-journal 1\n", 18);
	len = 18;
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(names[i]) + 1;

		assert_true(len + l <= sizeof(buf));
		memcpy(buf + len, names[i], l);
		len += l;
	}
	assert_true(cut < len);
	tmp_path(j, sizeof(j), FILE_TXN_JOURNAL);
	fd = open(j, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(file_write_all(fd, buf, len - cut), 0);
	close(fd);
}

static void test_txn_recover(void **state)
{
	struct mcuprov_err err;
	char a[PATH_MAX], b[PATH_MAX], ta[PATH_MAX], tb[PATH_MAX], done[1024], want[2048];
	long gone = dead_pid();
	const char *names[4];

	/* killed between the two renames: a moved, b's temporary pending */
	tmp_path(a, sizeof(a), "keys.c");
	tmp_path(b, sizeof(b), "mcuprov.yaml");
	FMT(ta, "%s.tmp-0123456789ab.%ld", a, gone);
	FMT(tb, "%s.tmp-abcdef012345.%ld", b, gone);
	put(a, "new keys.c", 0644);
	put(b, "old yaml", 0644);
	put(tb, "new yaml", 0644);
	names[0] = ta;
	names[1] = a;
	names[2] = tb;
	names[3] = b;
	put_journal(names, 4, 0);
	err_clear(&err);
	memset(done, 'x', sizeof(done));
	assert_int_equal(file_txn_recover(tmpdir, done, sizeof(done), &err), 0);
	assert_int_equal(err.code, 0);
	FMT(want, "'%s'", b);
	assert_string_equal(done, want);
	assert_content(a, "new keys.c", 10);
	assert_content(b, "new yaml", 8);
	assert_false(journal_exists());
	assert_int_equal(count_tmp(tmpdir), 0);

	/* no journal: nothing to do */
	memset(done, 'x', sizeof(done));
	assert_int_equal(file_txn_recover(tmpdir, done, sizeof(done), &err), 0);
	assert_string_equal(done, "");

	/* killed before any rename: both move, listed in the journal's order */
	put(ta, "newer keys.c", 0644);
	put(tb, "newer yaml", 0644);
	put_journal(names, 4, 0);
	assert_int_equal(file_txn_recover(tmpdir, done, sizeof(done), &err), 0);
	FMT(want, "'%s', '%s'", a, b);
	assert_string_equal(done, want);
	assert_content(a, "newer keys.c", 12);
	assert_content(b, "newer yaml", 10);
	assert_false(journal_exists());
	assert_int_equal(count_tmp(tmpdir), 0);

	/* a short DONE is cut, never overrun */
	put(tb, "yaml 3", 0644);
	put_journal(names, 4, 0);
	memset(done, 'x', sizeof(done));
	assert_int_equal(file_txn_recover(tmpdir, done, 5, &err), 0);
	assert_int_equal(strlen(done), 4);
	assert_true(strncmp(done, "'/tm", 4) == 0);
	assert_int_equal(done[5], 'x');
	assert_content(b, "yaml 3", 6);
	assert_false(journal_exists());
	unlink(a);
	unlink(b);
}

/* file_txn_recover(tmpdir) refuses with MSG: the journal stays, nothing
 * moves (PENDING, when not NULL, still exists) */
static void assert_recover_refused(const char *msg, const char *pending)
{
	struct mcuprov_err err;
	char j[PATH_MAX], done[256];

	tmp_path(j, sizeof(j), FILE_TXN_JOURNAL);
	err_clear(&err);
	assert_int_equal(file_txn_recover(tmpdir, done, sizeof(done), &err), MCUPROV_ERR_FORMAT);
	assert_string_equal(err.subject, j);
	assert_string_equal(err.msg, msg);
	assert_string_equal(done, "");
	assert_true(journal_exists());
	if (pending != NULL)
		assert_true(exists(pending));
}

static void test_txn_recover_refused(void **state)
{
	char a[PATH_MAX], ta[PATH_MAX], x[PATH_MAX], fake[PATH_MAX], other[PATH_MAX],
		msg[2 * PATH_MAX + 128], j[PATH_MAX];
	const char *names[4];
	static const char not_journal[] =
		"not a journal of an interrupted change; remove it to go on";

	tmp_path(a, sizeof(a), "keys.c");
	FMT(ta, "%s.tmp-0123456789ab.999999", a);
	tmp_path(x, sizeof(x), "x");
	put(a, "old keys.c", 0644);
	put(ta, "new keys.c", 0644);
	names[0] = ta;
	names[1] = a;

	/* a file that is not a temporary of its target, after a good entry */
	names[2] = "/etc/passwd";
	names[3] = x;
	put_journal(names, 4, 0);
	snprintf(msg, sizeof(msg),
		 "names '/etc/passwd', which is not a temporary file beside '%s': remove the "
		 "journal to go on",
		 x);
	assert_recover_refused(msg, ta);
	assert_content(a, "old keys.c", 10);
	assert_false(exists(x));
	assert_true(exists("/etc/passwd"));

	/* a temporary's name, but in another directory */
	FMT(other, "/var/tmp/x.tmp-0123456789ab.999999");
	names[2] = other;
	put_journal(names, 4, 0);
	snprintf(msg, sizeof(msg),
		 "names '%s', which is not a temporary file beside '%s': remove the journal to "
		 "go on",
		 other, x);
	assert_recover_refused(msg, ta);

	/* relative names, a temporary of another file, a bad shape */
	{
		static const char *const bad[][2] = {
			{ "x.tmp-0123456789ab.1", "x" },
			{ "@/y.tmp-0123456789ab.1", "@/x" },
			{ "@/x.tmp-0123456789ab.", "@/x" },
			{ "@/x.tmp-0123456789a.1", "@/x" },
			{ "@/x.tmp-0123456789abc.1", "@/x" },
			{ "@/x.tmp-0123456789ab.1a", "@/x" },
			{ "@/x.tmp-0123456789ab.1", "@/" },
			{ "@/x.tmp-0123456789ab.1", "@/x.tmp-0123456789ab.1" },
		};
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			char from[PATH_MAX], to[PATH_MAX];

			FMT(from, "%s%s", bad[i][0][0] == '@' ? tmpdir : "",
				 bad[i][0] + (bad[i][0][0] == '@'));
			FMT(to, "%s%s", bad[i][1][0] == '@' ? tmpdir : "",
				 bad[i][1] + (bad[i][1][0] == '@'));
			names[2] = from;
			names[3] = to;
			put_journal(names, 4, 0);
			snprintf(msg, sizeof(msg),
				 "names '%s', which is not a temporary file beside '%s': remove the "
				 "journal to go on",
				 from, to);
			assert_recover_refused(msg, ta);
		}
	}

	/* truncated: in the middle of the last name, after a temporary's
	 * name (its target missing), an odd number of names */
	FMT(fake, "%s.tmp-abcdef012345.999999", x);
	names[2] = fake;
	names[3] = x;
	put_journal(names, 4, 3);
	assert_recover_refused(not_journal, ta);
	put_journal(names, 4, strlen(x) + 1);
	assert_recover_refused(not_journal, ta);
	put_journal(names, 3, 0);
	assert_recover_refused(not_journal, ta);
	put_journal(names, 2, 1);
	assert_recover_refused(not_journal, ta);
	/* only a part of the magic, another magic */
	tmp_path(j, sizeof(j), FILE_TXN_JOURNAL);
	put(j, "mcuprov-jour", 0644);
	assert_recover_refused(not_journal, ta);
	put(j, "mcuprov-journal 2\n", 0644);
	assert_recover_refused(not_journal, ta);
	assert_content(a, "old keys.c", 10);
	assert_content(ta, "new keys.c", 10);
	assert_false(exists(x));

	/* once the journal is good again, the change is finished */
	put_journal(names, 2, 0);
	{
		struct mcuprov_err err;
		char done[PATH_MAX + 8], want[PATH_MAX + 8];

		err_clear(&err);
		assert_int_equal(file_txn_recover(tmpdir, done, sizeof(done), &err), 0);
		FMT(want, "'%s'", a);
		assert_string_equal(done, want);
	}
	assert_content(a, "new keys.c", 10);
	assert_false(exists(ta));
	assert_false(journal_exists());
	unlink(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_write_creates, test_setup),
		cmocka_unit_test_setup(test_write_empty, test_setup),
		cmocka_unit_test_setup(test_write_private, test_setup),
		cmocka_unit_test_setup(test_write_umask, test_setup),
		cmocka_unit_test_setup(test_write_exists, test_setup),
		cmocka_unit_test_setup(test_write_force, test_setup),
		cmocka_unit_test_setup(test_write_symlink, test_setup),
		cmocka_unit_test_setup(test_write_missing_dir, test_setup),
		cmocka_unit_test_setup(test_write_directory, test_setup),
		cmocka_unit_test_setup(test_write_not_regular, test_setup),
		cmocka_unit_test_setup(test_write_relative, test_setup),
		cmocka_unit_test_setup(test_write_null_err, test_setup),
		cmocka_unit_test_setup(test_write_mkdir, test_setup),
		cmocka_unit_test_setup(test_write_check, test_setup),
		cmocka_unit_test_setup(test_read, test_setup),
		cmocka_unit_test_setup(test_read_empty, test_setup),
		cmocka_unit_test_setup(test_read_directory, test_setup),
		cmocka_unit_test_setup(test_read_too_large, test_setup),
		cmocka_unit_test_setup(test_read_missing, test_setup),
		cmocka_unit_test_setup(test_read_special, test_setup),
		cmocka_unit_test_setup(test_tmp_name, test_setup),
		cmocka_unit_test_setup(test_tmp_stale, test_setup),
		cmocka_unit_test_setup(test_tmp_cleanup, test_setup),
		cmocka_unit_test_setup(test_txn_commit, test_setup),
		cmocka_unit_test_setup(test_txn_abort, test_setup),
		cmocka_unit_test_setup(test_txn_recover, test_setup),
		cmocka_unit_test_setup(test_txn_recover_refused, test_setup),
	};

	return cmocka_run_group_tests_name("fileio", tests, group_setup, group_teardown);
}
