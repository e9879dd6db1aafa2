/* mcuprov core: advisory locks around changes to a project's files.
 *
 * A command that changes project files (mcuprov.yaml, keys.c, a Kconfig
 * fragment, a rendered file) holds a lock on the directory of each of them
 * for the whole change -- read, plan, check, write -- so that two mcuprov
 * processes never interleave their changes: flock(2) on the directory
 * itself, which is not replaced when the files in it are (they are written
 * to a temporary file and renamed), and leaves no lock file behind.  The
 * directories are locked in one order (by resolved path), so two changes
 * never wait for each other.  The locks are advisory: only mcuprov (and
 * whatever else uses flock on the directory) honours them; they are
 * released when the process ends, however it ends. */
#ifndef MCUPROV_LOCK_H
#define MCUPROV_LOCK_H

#include <stddef.h>

#include "mcuprov/error.h"

/* the default wait for a busy lock, in milliseconds */
#define LOCK_TIMEOUT_DEFAULT_MS 5000

struct lock_opts {
	unsigned timeout_ms; /* the longest wait in all; 0: fail at once */
	/* called once per busy directory before waiting, or NULL: PATH the
	 * file whose directory is locked, PID the holder (0: not known) */
	void (*waiting)(void *arg, const char *path, long pid);
	void *arg;
};

struct mcuprov_lock;

/* Lock the directories of PATHS (N of them; NULL entries skipped, each
 * directory once).  A path need not exist; a directory still to be made
 * stands for its nearest existing ancestor, and one that cannot be read
 * (mode -wx) is not locked.  Returns 0
 * with *OUT to give to lock_release(), or with nothing locked
 * MCUPROV_ERR_IO: "'PATH': another mcuprov (pid N) is changing files in
 * 'DIR': gave up after S s (--lock-timeout SECONDS)" or the reason the
 * directory could not be locked; MCUPROV_ERR_NOMEM. */
int lock_acquire(const char *const *paths, size_t n, const struct lock_opts *o,
		 struct mcuprov_lock **out, struct mcuprov_err *err);

/* Lock also the directories of PATHS that L does not hold yet (for the
 * bootloader's files, known once mcuprov.yaml -- locked first -- has been
 * read).  Returns as lock_acquire(); on failure L holds what it held. */
int lock_add(struct mcuprov_lock *l, const char *const *paths, size_t n,
	     const struct lock_opts *o, struct mcuprov_err *err);

/* Lock for a change to a project: the directories of PROJECT_FILE (its
 * mcuprov.yaml) and of PATHS (N; the bootloader's files...), as
 * lock_acquire(), then finish a change of this project that was
 * interrupted after its journal was written (file_txn_recover() in
 * PROJECT_FILE's directory): RECOVERED (RN bytes) lists the files it
 * moved into place, "" when none.  Returns as lock_acquire(), or
 * file_txn_recover()'s error with nothing locked. */
int lock_project(const char *project_file, const char *const *paths, size_t n,
		 const struct lock_opts *o, struct mcuprov_lock **out, char *recovered, size_t rn,
		 struct mcuprov_err *err);

/* Release every lock of L and free it; NULL is fine. */
void lock_release(struct mcuprov_lock *l);

/* The holder of a flock(2) lock on the file or directory FD, from
 * /proc/locks: its pid, or 0 when none or not known. */
long lock_holder(int fd);

#endif
