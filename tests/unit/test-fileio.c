/* Unit tests: bounded file reading and atomic, exclusive file writing. */
#include "config.h"

#include "unit.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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
	};

	return cmocka_run_group_tests_name("fileio", tests, group_setup, group_teardown);
}
