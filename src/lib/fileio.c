/* Bounded reads and atomic, exclusive writes. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "mcuprov/fileio.h"

int file_open_regular(const char *path, struct stat *st, struct mcuprov_err *err)
{
	int fd, rc;

	/* O_NONBLOCK so that opening a FIFO cannot hang; refused below. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return err_set(err, MCUPROV_ERR_IO, path, "cannot open: %s", strerror(errno));
	if (fstat(fd, st) < 0)
		rc = err_set(err, MCUPROV_ERR_IO, path, "cannot stat: %s", strerror(errno));
	else if (S_ISDIR(st->st_mode))
		rc = err_set(err, MCUPROV_ERR_IO, path, "is a directory");
	else if (!S_ISREG(st->st_mode))
		rc = err_set(err, MCUPROV_ERR_IO, path, "not a regular file");
	else
		return fd;
	close(fd);
	return rc;
}

int file_read(const char *path, size_t max, uint8_t **buf, size_t *len, mode_t *mode,
	      struct mcuprov_err *err)
{
	struct stat st;
	uint8_t *data = NULL;
	size_t used = 0;
	int fd, rc;

	*buf = NULL;
	*len = 0;
	fd = file_open_regular(path, &st, err);
	if (fd < 0)
		return fd;
	if ((uintmax_t)st.st_size > max) {
		rc = err_set(err, MCUPROV_ERR_FORMAT, path, "file too large (%jd bytes, limit %zu)",
			     (intmax_t)st.st_size, max);
		goto out;
	}
	data = malloc((size_t)st.st_size + 1);
	if (data == NULL) {
		rc = err_set(err, MCUPROV_ERR_NOMEM, path, "out of memory");
		goto out;
	}
	/* Read what fstat promised; a file that grows meanwhile is cut at the
	 * size we checked, one that shrinks is read to its end. */
	while (used < (size_t)st.st_size) {
		ssize_t n = read(fd, data + used, (size_t)st.st_size - used);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = err_set(err, MCUPROV_ERR_IO, path, "read error: %s", strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	if (used == 0) {
		rc = err_set(err, MCUPROV_ERR_FORMAT, path, "file is empty");
		goto out;
	}
	data[used] = '\0';
	*buf = data;
	*len = used;
	data = NULL;
	if (mode != NULL)
		*mode = st.st_mode;
	rc = 0;
out:
	if (data != NULL)
		OPENSSL_clear_free(data, (size_t)st.st_size + 1);
	close(fd);
	return rc;
}

int file_pread_all(int fd, void *buf, size_t len, uint64_t off)
{
	uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = pread(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = 0;
			return -1;
		}
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

int file_write_all(int fd, const void *data, size_t len)
{
	const uint8_t *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Directory part of PATH, for the temporary file and the directory fsync. */
static char *dir_of(const char *path)
{
	char *copy = strdup(path), *d;

	if (copy == NULL)
		return NULL;
	d = strdup(dirname(copy));
	free(copy);
	return d;
}

static void fsync_dir(const char *dir)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	/* Best effort: some file systems refuse fsync on directories. */
	if (dfd >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
}

static void atomic_free(struct file_atomic *a)
{
	if (a->fd >= 0)
		close(a->fd);
	a->fd = -1;
	free(a->tmp);
	free(a->path);
	free(a->dir);
	a->tmp = a->path = a->dir = NULL;
}

void file_atomic_abort(struct file_atomic *a)
{
	if (a->tmp != NULL)
		(void)unlink(a->tmp);
	atomic_free(a);
}

/* What is at PATH may be replaced under FLAGS: nothing, or with
 * FILE_WRITE_FORCE a regular file; never a symbolic link or a directory. */
static int check_dest(const char *path, unsigned flags, struct mcuprov_err *err)
{
	struct stat st;

	if (lstat(path, &st) == 0) {
		if (S_ISLNK(st.st_mode))
			return err_set(err, MCUPROV_ERR_REFUSED, path,
				       "is a symbolic link; refusing to write through it");
		if (S_ISDIR(st.st_mode))
			return err_set(err, MCUPROV_ERR_IO, path, "is a directory");
		if (!(flags & FILE_WRITE_FORCE))
			return err_set(err, MCUPROV_ERR_EXISTS, path,
				       "already exists (use --force to replace it)");
		if (!S_ISREG(st.st_mode))
			return err_set(err, MCUPROV_ERR_IO, path, "not a regular file");
	} else if (errno != ENOENT) {
		return err_set(err, MCUPROV_ERR_IO, path, "cannot stat: %s", strerror(errno));
	}
	return 0;
}

int file_mkdirs(const char *dir, mode_t mode, struct mcuprov_err *err)
{
	char buf[PATH_MAX], *p;
	struct stat st;
	bool last;

	if ((size_t)snprintf(buf, sizeof(buf), "%s", dir) >= sizeof(buf))
		return err_set(err, MCUPROV_ERR_USAGE, dir, "path too long");
	/* each prefix ending before a '/', then the whole path */
	for (p = buf + 1, last = buf[0] == '\0'; !last; p++) {
		last = *p == '\0';
		if (!last && (*p != '/' || p[-1] == '/'))
			continue;
		*p = '\0';
		if (mkdir(buf, mode) < 0 &&
		    (errno != EEXIST || stat(buf, &st) < 0 || !S_ISDIR(st.st_mode))) {
			if (errno == EEXIST)
				errno = ENOTDIR;
			return err_set(err, MCUPROV_ERR_IO, buf, "cannot create directory: %s",
				       strerror(errno));
		}
		if (!last)
			*p = '/';
	}
	return 0;
}

/* DIR's first ancestor (DIR itself included) that exists, into OUT. */
static void existing_ancestor(const char *dir, char *out, size_t n)
{
	char *slash;

	snprintf(out, n, "%s", dir);
	while (access(out, F_OK) < 0 && errno == ENOENT) {
		if ((slash = strrchr(out, '/')) == NULL) {
			snprintf(out, n, ".");
			return;
		}
		slash[slash == out ? 1 : 0] = '\0';
	}
}

int file_write_check(const char *path, unsigned flags, struct mcuprov_err *err)
{
	char *dir = dir_of(path), top[PATH_MAX];
	struct stat st;
	int rc;

	if (dir == NULL)
		return err_set(err, MCUPROV_ERR_NOMEM, path, "out of memory");
	if ((rc = check_dest(path, flags, err)) < 0)
		goto out;
	existing_ancestor(dir, top, sizeof(top));
	if (strcmp(top, dir) != 0 && !(flags & FILE_WRITE_MKDIR)) {
		rc = err_set(err, MCUPROV_ERR_IO, path, "cannot create temporary file in '%s': %s",
			     dir, strerror(ENOENT));
	} else if (stat(top, &st) < 0 || !S_ISDIR(st.st_mode)) {
		rc = err_set(err, MCUPROV_ERR_IO, top, "not a directory");
	} else if (access(top, W_OK | X_OK) < 0) {
		if (strcmp(top, dir) == 0) {
			rc = err_set(err, MCUPROV_ERR_IO, path,
				     "cannot create temporary file in '%s': %s", dir,
				     strerror(errno));
		} else { /* as file_mkdirs() would fail: on the first missing one */
			size_t k = strcmp(top, ".") == 0 && dir[0] != '.' ? 0 : strlen(top);

			while (dir[k] == '/')
				k++;
			k += strcspn(dir + k, "/");
			snprintf(top, sizeof(top), "%.*s", (int)k, dir);
			rc = err_set(err, MCUPROV_ERR_IO, top, "cannot create directory: %s",
				     strerror(errno));
		}
	}
out:
	free(dir);
	return rc;
}

int file_atomic_open(struct file_atomic *a, const char *path, unsigned flags,
		     struct mcuprov_err *err)
{
	mode_t mode = (flags & FILE_WRITE_PRIVATE) ? 0600 : 0666;
	const char *slash = strrchr(path, '/');
	size_t tmplen, base_off = slash ? (size_t)(slash - path) + 1 : 0;
	int tries, rc;

	memset(a, 0, sizeof(*a));
	a->fd = -1;
	a->flags = flags;
	if ((rc = check_dest(path, flags, err)) < 0)
		return rc;

	a->path = strdup(path);
	a->dir = dir_of(path);
	tmplen = strlen(path) + 32;
	a->tmp = malloc(tmplen);
	if (a->path == NULL || a->dir == NULL || a->tmp == NULL) {
		rc = err_set(err, MCUPROV_ERR_NOMEM, path, "out of memory");
		goto fail;
	}
	if ((flags & FILE_WRITE_MKDIR) &&
	    (rc = file_mkdirs(a->dir, (flags & FILE_WRITE_PRIVATE) ? 0700 : 0777, err)) < 0)
		goto fail;
	for (tries = 0; tries < 16; tries++) {
		unsigned char rnd[6];

		if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
			rc = err_set_ssl(err, MCUPROV_ERR_CRYPTO, path, "cannot make a temporary name");
			goto fail;
		}
		/* PATH's last component may be up to NAME_MAX long: cut the
		 * copy in the temporary name so that the suffix still fits */
		snprintf(a->tmp, tmplen, "%.*s.tmp-%02x%02x%02x%02x%02x%02x",
			 (int)(base_off + (strlen(path) - base_off > 200 ? 200
									 : strlen(path) - base_off)),
			 path, rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5]);
		a->fd = open(a->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
		if (a->fd >= 0 || errno != EEXIST)
			break;
	}
	if (a->fd < 0) {
		rc = err_set(err, MCUPROV_ERR_IO, path, "cannot create temporary file in '%s': %s",
			     a->dir, strerror(errno));
		free(a->tmp);
		a->tmp = NULL; /* nothing to unlink */
		goto fail;
	}
	/* 0600 must hold whatever the umask was; open() only lowers bits. */
	if ((flags & FILE_WRITE_PRIVATE) && fchmod(a->fd, 0600) < 0) {
		rc = err_set(err, MCUPROV_ERR_IO, path, "cannot set mode 0600: %s", strerror(errno));
		goto fail;
	}
	return 0;
fail:
	file_atomic_abort(a);
	return rc;
}

int file_atomic_commit(struct file_atomic *a, struct mcuprov_err *err)
{
	int rc;

	if (!(a->flags & FILE_WRITE_NOSYNC) && fsync(a->fd) < 0) {
		rc = err_set(err, MCUPROV_ERR_IO, a->path, "write error: %s", strerror(errno));
		goto fail;
	}
	rc = close(a->fd);
	a->fd = -1;
	if (rc < 0) {
		rc = err_set(err, MCUPROV_ERR_IO, a->path, "write error: %s", strerror(errno));
		goto fail;
	}
	if (a->flags & FILE_WRITE_FORCE) {
		if (rename(a->tmp, a->path) < 0) {
			rc = err_set(err, MCUPROV_ERR_IO, a->path, "cannot rename into place: %s",
				     strerror(errno));
			goto fail;
		}
	} else {
		/* link() fails with EEXIST if PATH appeared since the lstat() */
		if (link(a->tmp, a->path) < 0) {
			if (errno == EEXIST)
				rc = err_set(err, MCUPROV_ERR_EXISTS, a->path,
					     "already exists (use --force to replace it)");
			else
				rc = err_set(err, MCUPROV_ERR_IO, a->path,
					     "cannot move into place: %s", strerror(errno));
			goto fail;
		}
		(void)unlink(a->tmp);
	}
	if (!(a->flags & FILE_WRITE_NOSYNC))
		fsync_dir(a->dir);
	atomic_free(a);
	return 0;
fail:
	file_atomic_abort(a);
	return rc;
}

int file_write_atomic(const char *path, const void *data, size_t len, unsigned flags,
		      struct mcuprov_err *err)
{
	struct file_atomic a;
	int rc;

	rc = file_atomic_open(&a, path, flags, err);
	if (rc < 0)
		return rc;
	if (file_write_all(a.fd, data, len) < 0) {
		rc = err_set(err, MCUPROV_ERR_IO, path, "write error: %s", strerror(errno));
		file_atomic_abort(&a);
		return rc;
	}
	return file_atomic_commit(&a, err);
}

int file_backup(const char *path, const void *data, size_t len, char *out, size_t n,
		struct mcuprov_err *err)
{
	unsigned k;
	int rc = 0;

	for (k = 0; k < 1000; k++) {
		int w = k == 0 ? snprintf(out, n, "%s.bak", path)
			       : snprintf(out, n, "%s.bak.%u", path, k);

		if (w < 0 || (size_t)w >= n)
			return err_set(err, MCUPROV_ERR_USAGE, path, "path too long");
		rc = file_write_atomic(out, data, len, 0, err);
		if (rc != MCUPROV_ERR_EXISTS)
			return rc;
	}
	return err_set(err, MCUPROV_ERR_EXISTS, path, "%u backups exist already", k);
}

void file_rel_cwd(const char *path, char *out, size_t n)
{
	char cwd[PATH_MAX];
	size_t l;

	if (n == 0)
		return;
	if (getcwd(cwd, sizeof(cwd)) != NULL && (l = strlen(cwd)) > 0) {
		if (strcmp(cwd, "/") == 0 && path[0] == '/' && path[1] != '\0') {
			snprintf(out, n, "%s", path + 1);
			return;
		}
		if (strncmp(path, cwd, l) == 0 && path[l] == '/' && path[l + 1] != '\0') {
			snprintf(out, n, "%s", path + l + 1);
			return;
		}
	}
	snprintf(out, n, "%s", path);
}
