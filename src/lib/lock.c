/* Advisory locks on the directories of the files a change writes (see
 * lock.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "mcuprov/fileio.h"
#include "mcuprov/lock.h"

#define LOCK_MAX 16
#define POLL_MS 20

struct held {
	char *dir;        /* resolved */
	const char *path; /* the caller's path, for messages */
	int fd;
};

struct mcuprov_lock {
	struct held h[LOCK_MAX];
	size_t n;
};

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long lock_holder(int fd)
{
	struct stat st;
	char line[256];
	FILE *f;
	long pid = 0;

	if (fstat(fd, &st) < 0 || (f = fopen("/proc/locks", "re")) == NULL)
		return 0;
	/* "1: FLOCK  ADVISORY  WRITE 4242 08:01:1234 0 EOF"; a waiter's line
	 * has "->" after the number */
	while (pid == 0 && fgets(line, sizeof(line), f) != NULL) {
		char kind[16], mode[16], rw[16];
		unsigned maj, min;
		unsigned long ino;
		long p;

		if (strstr(line, "->") != NULL)
			continue;
		if (sscanf(line, "%*[^:]: %15s %15s %15s %ld %x:%x:%lu", kind, mode, rw, &p, &maj,
			   &min, &ino) == 7 &&
		    strcmp(kind, "FLOCK") == 0 && ino == (unsigned long)st.st_ino &&
		    maj == major(st.st_dev) && min == minor(st.st_dev) && p > 0)
			pid = p;
	}
	fclose(f);
	return pid;
}

/* PATH's directory, resolved, malloc'd; NULL with errno set */
static char *dir_resolved(const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX], *r;

	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else if ((size_t)(slash - path) >= sizeof(dir)) {
		errno = ENAMETOOLONG;
		return NULL;
	} else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	/* a directory still to be made (mkdir -p of the write): its nearest
	 * existing ancestor is where two writers meet */
	while ((r = realpath(dir, NULL)) == NULL && errno == ENOENT) {
		char *cut = strrchr(dir, '/');

		if (cut == NULL)
			snprintf(dir, sizeof(dir), ".");
		else if (cut == dir)
			dir[1] = '\0';
		else
			*cut = '\0';
		if (strcmp(dir, ".") == 0 || strcmp(dir, "/") == 0)
			return realpath(dir, NULL);
	}
	return r;
}

static int cmp_held(const void *a, const void *b)
{
	return strcmp(((const struct held *)a)->dir, ((const struct held *)b)->dir);
}

/* Lock H (its dir resolved, fd -1) until DEADLINE. */
static int lock_one(struct held *h, const struct lock_opts *o, long deadline,
		    struct mcuprov_err *err)
{
	bool told = false;

	h->fd = open(h->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	/* a directory one may write in but not list (mode -wx) cannot be
	 * locked this way: go on unlocked, as before locks existed */
	if (h->fd < 0 && errno == EACCES)
		return 0;
	if (h->fd < 0)
		return err_set(err, MCUPROV_ERR_IO, h->path, "cannot lock its directory '%s': %s",
			       h->dir, strerror(errno));
	while (flock(h->fd, LOCK_EX | LOCK_NB) < 0) {
		struct timespec ts = { 0, POLL_MS * 1000000L };
		long pid;

		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK)
			return err_set(err, MCUPROV_ERR_IO, h->path,
				       "cannot lock its directory '%s': %s", h->dir, strerror(errno));
		pid = lock_holder(h->fd);
		if (now_ms() >= deadline) {
			char who[64];

			if (pid > 0)
				snprintf(who, sizeof(who), " (pid %ld)", pid);
			else
				who[0] = '\0';
			return err_set(err, MCUPROV_ERR_IO, h->path,
				       "another mcuprov%s is changing files in '%s': gave up after "
				       "%.1f s (--lock-timeout SECONDS)",
				       who, h->dir,
				       (o != NULL ? o->timeout_ms : LOCK_TIMEOUT_DEFAULT_MS) / 1000.0);
		}
		if (!told && o != NULL && o->waiting != NULL)
			o->waiting(o->arg, h->path, pid);
		told = true;
		nanosleep(&ts, NULL);
	}
	return 0;
}

int lock_add(struct mcuprov_lock *l, const char *const *paths, size_t n,
	     const struct lock_opts *o, struct mcuprov_err *err)
{
	long deadline = now_ms() + (long)(o != NULL ? o->timeout_ms : LOCK_TIMEOUT_DEFAULT_MS);
	size_t first = l->n, i;
	int rc = 0;

	for (i = 0; i < n; i++) {
		char *dir;
		bool dup = false;

		if (paths[i] == NULL)
			continue;
		if ((dir = dir_resolved(paths[i])) == NULL) {
			rc = err_set(err, MCUPROV_ERR_IO, paths[i], "cannot lock its directory: %s",
				     strerror(errno));
			goto fail;
		}
		for (size_t k = 0; k < l->n && !dup; k++)
			dup = strcmp(l->h[k].dir, dir) == 0;
		if (dup) {
			free(dir);
			continue;
		}
		if (l->n == LOCK_MAX) {
			free(dir);
			rc = err_set(err, MCUPROV_ERR_INTERNAL, paths[i], "too many directories to lock");
			goto fail;
		}
		l->h[l->n].dir = dir;
		l->h[l->n].path = paths[i];
		l->h[l->n].fd = -1;
		l->n++;
	}
	/* one order for every process: no two changes wait for each other */
	qsort(l->h + first, l->n - first, sizeof(l->h[0]), cmp_held);
	for (i = first; i < l->n; i++)
		if ((rc = lock_one(&l->h[i], o, deadline, err)) < 0)
			goto fail;
	return 0;
fail:
	/* what this call added goes; what was held stays */
	for (i = first; i < l->n; i++) {
		if (l->h[i].fd >= 0)
			close(l->h[i].fd);
		free(l->h[i].dir);
	}
	l->n = first;
	return rc;
}

int lock_acquire(const char *const *paths, size_t n, const struct lock_opts *o,
		 struct mcuprov_lock **out, struct mcuprov_err *err)
{
	struct mcuprov_lock *l;
	int rc;

	*out = NULL;
	if ((l = calloc(1, sizeof(*l))) == NULL)
		return err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
	if ((rc = lock_add(l, paths, n, o, err)) < 0) {
		free(l);
		return rc;
	}
	*out = l;
	return 0;
}

int lock_project(const char *project_file, const char *const *paths, size_t n,
		 const struct lock_opts *o, struct mcuprov_lock **out, char *recovered, size_t rn,
		 struct mcuprov_err *err)
{
	const char *all[LOCK_MAX];
	char *dir;
	size_t k = 0;
	int rc;

	if (rn > 0)
		recovered[0] = '\0';
	all[k++] = project_file;
	for (size_t i = 0; i < n && k < LOCK_MAX; i++)
		all[k++] = paths[i];
	if ((rc = lock_acquire(all, k, o, out, err)) < 0)
		return rc;
	if ((dir = dir_resolved(project_file)) == NULL) {
		rc = err_set(err, MCUPROV_ERR_IO, project_file, "cannot resolve its directory: %s",
			     strerror(errno));
	} else {
		rc = file_txn_recover(dir, recovered, rn, err);
		free(dir);
	}
	if (rc < 0) {
		lock_release(*out);
		*out = NULL;
	}
	return rc;
}

void lock_release(struct mcuprov_lock *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++) {
		if (l->h[i].fd >= 0)
			close(l->h[i].fd); /* the last descriptor: the lock goes */
		free(l->h[i].dir);
	}
	free(l);
}
