/* Bounded reads and atomic, exclusive writes. */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
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
char *file_dir_of(const char *path)
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

/* ---- temporary files being written: removed on a signal or at exit ----
 * A lock-free table the front end's signal handler can walk: a slot is
 * 0 (free), 1 (being filled or emptied), 2 (NAME holds a temporary file's
 * path) or 3 (its file removed by file_tmp_cleanup(), the slot still its
 * owner's until tmp_unregister(): never handed to another file meanwhile,
 * whose entry the owner's unregister would otherwise drop). */
#define TMP_SLOTS 32
static char tmp_names[TMP_SLOTS][PATH_MAX];
static _Atomic int tmp_state[TMP_SLOTS];

/* Register NAME; its slot, or -1 when the table is full (then only the
 * next run's stale-file check removes it after a kill). */
static int tmp_register(const char *name)
{
	for (int i = 0; i < TMP_SLOTS; i++) {
		int expected = 0;

		if (strlen(name) >= PATH_MAX)
			return -1;
		if (atomic_compare_exchange_strong(&tmp_state[i], &expected, 1)) {
			memcpy(tmp_names[i], name, strlen(name) + 1);
			atomic_store(&tmp_state[i], 2);
			return i;
		}
	}
	return -1;
}

static void tmp_unregister(int slot)
{
	if (slot >= 0 && slot < TMP_SLOTS)
		atomic_store(&tmp_state[slot], 0);
}

void file_tmp_cleanup(void)
{
	for (int i = 0; i < TMP_SLOTS; i++) {
		int expected = 2;

		/* claim it first: the handler and an exiting thread never both
		 * unlink, and a slot being refilled is left alone */
		if (atomic_compare_exchange_strong(&tmp_state[i], &expected, 1)) {
			(void)unlink(tmp_names[i]);
			atomic_store(&tmp_state[i], 3);
		}
	}
}

/* The temporary names of PATH are "PATH.tmp-<12 hex digits>.<pid>" (PATH's
 * last component cut to 200 bytes).  Remove those of DIR whose process is
 * gone -- left by a kill -9 or a power cut -- never a live process's. */
static void tmp_remove_stale(const char *dir, const char *prefix)
{
	size_t plen = strlen(prefix);
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		const char *p = e->d_name + plen;
		char *end, full[PATH_MAX];
		long pid;
		struct stat st;
		size_t k;

		if (strncmp(e->d_name, prefix, plen) != 0)
			continue;
		for (k = 0; k < 12 && isxdigit((unsigned char)p[k]); k++)
			;
		if (k != 12 || p[12] != '.' || !isdigit((unsigned char)p[13]))
			continue;
		errno = 0;
		pid = strtol(p + 13, &end, 10);
		if (*end != '\0' || errno != 0 || pid <= 0 || pid == (long)getpid())
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue; /* alive, or not ours to ask: leave it */
		if (snprintf(full, sizeof(full), "%s/%s", dir, e->d_name) >= (int)sizeof(full) ||
		    lstat(full, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		(void)unlink(full);
	}
	closedir(d);
}

static void atomic_free(struct file_atomic *a)
{
	tmp_unregister(a->slot);
	a->slot = -1;
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
	char *dir = file_dir_of(path), top[PATH_MAX];
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
	a->slot = -1;
	a->flags = flags;
	if ((rc = check_dest(path, flags, err)) < 0)
		return rc;

	a->path = strdup(path);
	a->dir = file_dir_of(path);
	tmplen = strlen(path) + 48;
	a->tmp = malloc(tmplen);
	if (a->path == NULL || a->dir == NULL || a->tmp == NULL) {
		rc = err_set(err, MCUPROV_ERR_NOMEM, path, "out of memory");
		goto fail;
	}
	if ((flags & FILE_WRITE_MKDIR) &&
	    (rc = file_mkdirs(a->dir, (flags & FILE_WRITE_PRIVATE) ? 0700 : 0777, err)) < 0)
		goto fail;
	{
		/* "NAME.tmp-": PATH's last component may be up to NAME_MAX
		 * long, cut in the temporary name so that the suffix fits */
		size_t blen = strlen(path) - base_off > 200 ? 200 : strlen(path) - base_off;
		char prefix[256];

		snprintf(prefix, sizeof(prefix), "%.*s.tmp-", (int)blen, path + base_off);
		tmp_remove_stale(a->dir, prefix);
	}
	for (tries = 0; tries < 16; tries++) {
		unsigned char rnd[6];
		sigset_t all, old;

		if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
			rc = err_set_ssl(err, MCUPROV_ERR_CRYPTO, path, "cannot make a temporary name");
			goto fail;
		}
		snprintf(a->tmp, tmplen, "%.*s.tmp-%02x%02x%02x%02x%02x%02x.%ld",
			 (int)(base_off + (strlen(path) - base_off > 200 ? 200
									 : strlen(path) - base_off)),
			 path, rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], (long)getpid());
		/* created and registered with signals held: a SIGINT between
		 * the two would leave it behind */
		sigfillset(&all);
		pthread_sigmask(SIG_BLOCK, &all, &old);
		a->fd = open(a->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
		if (a->fd >= 0)
			a->slot = tmp_register(a->tmp);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
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

/* ---- multi-file changes ---- */

#define JOURNAL_MAGIC "mcuprov-journal 1\n"

int file_txn_begin(struct file_txn *t, const char *dir, struct mcuprov_err *err)
{
	size_t n = strlen(dir) + sizeof("/" FILE_TXN_JOURNAL);

	memset(t, 0, sizeof(*t));
	if (n > PATH_MAX)
		return err_set(err, MCUPROV_ERR_USAGE, dir, "path too long");
	if ((t->journal = malloc(n)) == NULL)
		return err_set(err, MCUPROV_ERR_NOMEM, dir, "out of memory");
	snprintf(t->journal, n, "%s/%s", dir, FILE_TXN_JOURNAL);
	return 0;
}

void file_txn_abort(struct file_txn *t)
{
	for (size_t i = 0; i < t->n; i++)
		file_atomic_abort(&t->f[i]);
	t->n = 0;
	free(t->journal);
	t->journal = NULL;
}

int file_txn_add(struct file_txn *t, const char *path, const void *data, size_t len,
		 unsigned flags, struct mcuprov_err *err)
{
	struct file_atomic *a;
	int rc;

	if (t->n == FILE_TXN_MAX) {
		rc = err_set(err, MCUPROV_ERR_INTERNAL, path, "too many files in one change");
		goto fail;
	}
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->f[i].path, path) == 0) {
			rc = err_set(err, MCUPROV_ERR_INTERNAL, path, "written twice in one change");
			goto fail;
		}
	a = &t->f[t->n];
	if ((rc = file_atomic_open(a, path, flags, err)) < 0)
		goto fail;
	t->n++;
	if (file_write_all(a->fd, data, len) < 0) {
		rc = err_set(err, MCUPROV_ERR_IO, path, "write error: %s", strerror(errno));
		goto fail;
	}
	if (!(flags & FILE_WRITE_NOSYNC) && fsync(a->fd) < 0) {
		rc = err_set(err, MCUPROV_ERR_IO, path, "write error: %s", strerror(errno));
		goto fail;
	}
	if ((flags & FILE_WRITE_PRIVATE) == 0 && (flags & FILE_WRITE_FORCE)) {
		struct stat st;

		/* a replaced file keeps its mode (as the callers' chmod after
		 * file_write_atomic did) */
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			(void)fchmod(a->fd, st.st_mode & 07777);
	}
	return 0;
fail:
	file_txn_abort(t);
	return rc;
}

/* DIR/BASE of PATH, with DIR resolved: OUT (PATH_MAX) */
static int abs_name(const char *path, char *out, struct mcuprov_err *err)
{
	char *dir = file_dir_of(path), real[PATH_MAX];
	const char *base = strrchr(path, '/');
	int rc = 0;

	base = base ? base + 1 : path;
	if (dir == NULL)
		return err_set(err, MCUPROV_ERR_NOMEM, path, "out of memory");
	if (realpath(dir, real) == NULL)
		rc = err_set(err, MCUPROV_ERR_IO, path, "cannot resolve its directory: %s",
			     strerror(errno));
	else if (snprintf(out, PATH_MAX, "%s/%s", strcmp(real, "/") == 0 ? "" : real, base) >=
		 PATH_MAX)
		rc = err_set(err, MCUPROV_ERR_USAGE, path, "path too long");
	free(dir);
	return rc;
}

int file_txn_commit(struct file_txn *t, struct mcuprov_err *err)
{
	char *jr = NULL;
	size_t jlen = sizeof(JOURNAL_MAGIC) - 1, jcap = 0;
	int rc = 0;
	size_t i;
	sigset_t all, old;
	bool blocked = false;

	/* what can be checked before anything moves */
	for (i = 0; i < t->n; i++) {
		struct file_atomic *a = &t->f[i];
		char from[PATH_MAX], to[PATH_MAX];
		size_t need;

		if (close(a->fd) < 0) {
			a->fd = -1;
			rc = err_set(err, MCUPROV_ERR_IO, a->path, "write error: %s", strerror(errno));
			goto abort;
		}
		a->fd = -1;
		if ((rc = check_dest(a->path, a->flags, err)) < 0 ||
		    (rc = abs_name(a->tmp, from, err)) < 0 || (rc = abs_name(a->path, to, err)) < 0)
			goto abort;
		need = jlen + strlen(from) + strlen(to) + 2;
		if (need > jcap) {
			char *nj = realloc(jr, jcap = need * 2);

			if (nj == NULL) {
				rc = err_set(err, MCUPROV_ERR_NOMEM, a->path, "out of memory");
				goto abort;
			}
			jr = nj;
		}
		if (i == 0)
			memcpy(jr, JOURNAL_MAGIC, sizeof(JOURNAL_MAGIC) - 1);
		memcpy(jr + jlen, from, strlen(from) + 1);
		jlen += strlen(from) + 1;
		memcpy(jr + jlen, to, strlen(to) + 1);
		jlen += strlen(to) + 1;
	}
	if (t->n == 0)
		goto done;
	/* from here on the temporary files belong to the journal: a signal
	 * must not remove them.  Signals are held until the change is done
	 * (journal written, every file moved, journal removed) or undone: a
	 * SIGINT/SIGTERM/SIGHUP meanwhile ends mcuprov right after, with no
	 * temporary file and no journal left (a kill -9 before the journal
	 * exists leaves stale ones, removed by a later run; after, the next
	 * file_txn_recover() finishes the change) */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	blocked = true;
	for (i = 0; i < t->n; i++) {
		tmp_unregister(t->f[i].slot);
		t->f[i].slot = -1;
	}
	if ((rc = file_write_atomic(t->journal, jr, jlen, FILE_WRITE_FORCE, err)) < 0)
		goto abort;
	for (i = 0; i < t->n; i++) {
		if (rename(t->f[i].tmp, t->f[i].path) < 0) {
			rc = err_set(err, MCUPROV_ERR_IO, t->f[i].path,
				     "cannot rename into place: %s (the next mcuprov run that "
				     "changes this project finishes the change)",
				     strerror(errno));
			/* the journal stays; so do the files not moved yet */
			for (; i < t->n; i++) {
				free(t->f[i].tmp);
				t->f[i].tmp = NULL;
			}
			goto abort;
		}
		free(t->f[i].tmp);
		t->f[i].tmp = NULL; /* moved: nothing to remove */
	}
	for (i = 0; i < t->n; i++)
		if (!(t->f[i].flags & FILE_WRITE_NOSYNC))
			fsync_dir(t->f[i].dir);
	(void)unlink(t->journal);
	{
		char *jd = file_dir_of(t->journal);

		if (jd != NULL)
			fsync_dir(jd);
		free(jd);
	}
done:
	free(jr);
	file_txn_abort(t); /* frees; every temporary file moved */
	if (blocked)
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	return 0;
abort:
	free(jr);
	file_txn_abort(t);
	if (blocked)
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

/* NAME (a temporary file's last component) is TARGET's: "TARGET.tmp-" (the
 * target's name cut to 200 bytes), 12 hex digits, ".", a pid */
static bool tmp_name_of(const char *name, const char *target)
{
	size_t tl = strlen(target) > 200 ? 200 : strlen(target), k;
	const char *p;

	if (strncmp(name, target, tl) != 0 || strncmp(name + tl, ".tmp-", 5) != 0)
		return false;
	p = name + tl + 5;
	for (k = 0; k < 12; k++)
		if (!isxdigit((unsigned char)p[k]))
			return false;
	if (p[12] != '.' || p[13] == '\0')
		return false;
	for (p += 13; *p != '\0'; p++)
		if (!isdigit((unsigned char)*p))
			return false;
	return true;
}

int file_txn_recover(const char *dir, char *done, size_t n, struct mcuprov_err *err)
{
	char journal[PATH_MAX];
	uint8_t *j = NULL;
	size_t len = 0, off, used = 0;
	int rc = 0, pass;

	if (n > 0)
		done[0] = '\0';
	if (snprintf(journal, sizeof(journal), "%s/%s", dir, FILE_TXN_JOURNAL) >=
	    (int)sizeof(journal))
		return err_set(err, MCUPROV_ERR_USAGE, dir, "path too long");
	if (access(journal, F_OK) < 0)
		return 0;
	if ((rc = file_read(journal, 1 << 20, &j, &len, NULL, err)) < 0)
		return rc;
	if (len < sizeof(JOURNAL_MAGIC) - 1 ||
	    memcmp(j, JOURNAL_MAGIC, sizeof(JOURNAL_MAGIC) - 1) != 0 || j[len - 1] != '\0') {
		rc = err_set(err, MCUPROV_ERR_FORMAT, journal,
			     "not a journal of an interrupted change; remove it to go on");
		goto out;
	}
	/* pass 0 checks every entry, pass 1 moves: all or nothing refused */
	for (pass = 0; pass < 2; pass++) {
		for (off = sizeof(JOURNAL_MAGIC) - 1; off < len;) {
			const char *from = (const char *)j + off, *to, *fb, *tb;
			struct stat st;

			off += strlen(from) + 1;
			if (off >= len) {
				rc = err_set(err, MCUPROV_ERR_FORMAT, journal,
					     "not a journal of an interrupted change; remove it to go on");
				goto out;
			}
			to = (const char *)j + off;
			off += strlen(to) + 1;
			fb = strrchr(from, '/');
			tb = strrchr(to, '/');
			if (from[0] != '/' || to[0] != '/' || fb == NULL || tb == NULL ||
			    fb - from != tb - to || strncmp(from, to, (size_t)(fb - from)) != 0 ||
			    !tmp_name_of(fb + 1, tb + 1)) {
				rc = err_set(err, MCUPROV_ERR_FORMAT, journal,
					     "names '%s', which is not a temporary file beside '%s': "
					     "remove the journal to go on",
					     from, to);
				goto out;
			}
			if (pass == 0)
				continue;
			if (lstat(from, &st) < 0) {
				if (errno == ENOENT)
					continue; /* moved before the interruption */
				rc = err_set(err, MCUPROV_ERR_IO, from, "cannot finish the change: %s",
					     strerror(errno));
				goto out;
			}
			if (!S_ISREG(st.st_mode) || rename(from, to) < 0) {
				rc = err_set(err, MCUPROV_ERR_IO, to, "cannot finish the change: %s",
					     S_ISREG(st.st_mode) ? strerror(errno) : "not a file");
				goto out;
			}
			if (n > 0 && used < n) {
				int w = snprintf(done + used, n - used, "%s'%s'", used ? ", " : "", to);

				used = w < 0 ? used : used + (size_t)w > n - 1 ? n - 1 : used + (size_t)w;
			}
		}
	}
	(void)unlink(journal);
	fsync_dir(dir);
out:
	free(j);
	return rc;
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
