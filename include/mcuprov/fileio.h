/* mcuprov core: bounded file reading and atomic, exclusive file writing. */
#ifndef MCUPROV_FILEIO_H
#define MCUPROV_FILEIO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "mcuprov/error.h"

/* Open PATH read-only, refusing directories, devices and FIFOs (without
 * blocking on a FIFO); *st receives its status.  Returns the descriptor,
 * or MCUPROV_ERR_IO with the reason ("is a directory", ...). */
int file_open_regular(const char *path, struct stat *st, struct mcuprov_err *err);

/* Read the whole regular file PATH, refusing anything larger than MAX bytes,
 * directories, devices and FIFOs.  On success *buf is a malloc'd buffer of
 * *len bytes plus a terminating NUL (not counted) that the caller frees;
 * *mode receives st_mode when MODE is non-NULL.
 * Returns 0 or MCUPROV_ERR_IO / MCUPROV_ERR_FORMAT (empty file, too large). */
int file_read(const char *path, size_t max, uint8_t **buf, size_t *len, mode_t *mode,
	      struct mcuprov_err *err);

/* write(2) all LEN bytes, retrying on EINTR and short writes.
 * Returns 0, or -1 with errno set. */
int file_write_all(int fd, const void *data, size_t len);

/* pread(2) exactly LEN bytes at OFF, retrying on EINTR and short reads.
 * Returns 0, or -1 with errno set (errno 0: end of file came first). */
int file_pread_all(int fd, void *buf, size_t len, uint64_t off);

enum file_write_flags {
	FILE_WRITE_FORCE = 1 << 0,   /* replace an existing regular file */
	FILE_WRITE_PRIVATE = 1 << 1, /* mode 0600 whatever the umask */
	/* skip the fsyncs: for large, reproducible build outputs (images),
	 * where the rename alone keeps the all-or-nothing promise; never for
	 * keys or edited sources */
	FILE_WRITE_NOSYNC = 1 << 2,
	/* create PATH's directory and its missing parents first (with
	 * FILE_WRITE_PRIVATE mode 0700, else 0777, less the umask); existing
	 * directories are never changed, and the ones made stay on failure */
	FILE_WRITE_MKDIR = 1 << 3,
};

/* Create the directory DIR and each missing parent with MODE (less the
 * umask), leaving every existing directory as it is.  Returns 0,
 * MCUPROV_ERR_USAGE (DIR longer than PATH_MAX) or MCUPROV_ERR_IO naming
 * the directory that could not be made ("cannot create directory: Not a
 * directory", "...: Permission denied"). */
int file_mkdirs(const char *dir, mode_t mode, struct mcuprov_err *err);

/* Would file_write_atomic(PATH, ..., FLAGS) get past what can be checked
 * before writing: PATH neither a symbolic link nor a directory, nor an
 * existing file without FILE_WRITE_FORCE; its directory existing and
 * writable, or with FILE_WRITE_MKDIR creatable (the nearest existing
 * ancestor writable).  Creates nothing.  For a front end that asks for a
 * password only when the write can succeed.  Returns 0 or the error
 * file_write_atomic() would give: MCUPROV_ERR_EXISTS, MCUPROV_ERR_REFUSED,
 * MCUPROV_ERR_IO (same subject and message), MCUPROV_ERR_NOMEM. */
int file_write_check(const char *path, unsigned flags, struct mcuprov_err *err);

/* Write LEN bytes to PATH atomically: a temporary file in the same directory
 * is created with O_CREAT|O_EXCL|O_NOFOLLOW (mode 0600 with
 * FILE_WRITE_PRIVATE, else 0666 less the umask), written, fsync'd, then
 * moved into place and the directory fsync'd.  Without FILE_WRITE_FORCE an
 * existing PATH is never replaced (the move uses link(2), which fails
 * atomically if PATH appeared meanwhile).  A symbolic link at PATH is always
 * refused.  On any failure nothing is left behind and PATH is untouched.
 * Returns 0 or MCUPROV_ERR_EXISTS / MCUPROV_ERR_IO / MCUPROV_ERR_REFUSED. */
int file_write_atomic(const char *path, const void *data, size_t len, unsigned flags,
		      struct mcuprov_err *err);

/* A file being written in place of PATH: the streaming form of
 * file_write_atomic() for outputs too large to hold in memory. */
struct file_atomic {
	int fd;     /* write here (O_WRONLY temporary file) */
	char *tmp;  /* its name */
	char *path; /* the final name */
	char *dir;
	unsigned flags;
	int slot; /* its entry in the table file_tmp_cleanup() empties */
};

/* Create the temporary file for PATH (same checks and FLAGS as
 * file_write_atomic).  On success the caller writes to a->fd and ends with
 * file_atomic_commit() or file_atomic_abort(). */
int file_atomic_open(struct file_atomic *a, const char *path, unsigned flags,
		     struct mcuprov_err *err);

/* fsync and move the temporary file into place, fsync the directory, free.
 * On failure the temporary file is removed and PATH untouched. */
int file_atomic_commit(struct file_atomic *a, struct mcuprov_err *err);

/* Remove the temporary file and free.  Safe after a failed open. */
void file_atomic_abort(struct file_atomic *a);

/* The directory part of PATH, as dirname(3) gives it ("." for a bare
 * name), malloc'd; NULL when out of memory. */
char *file_dir_of(const char *path);

/* Remove every temporary file this process is writing (those of
 * file_atomic_open() and file_write_atomic() not yet committed or
 * aborted).  Async-signal-safe: for the front end's SIGINT/SIGTERM/SIGHUP
 * handler and its exit path.  Temporary names end in ".<pid>": a later
 * file_atomic_open() of the same PATH removes those whose process is gone
 * (a kill -9), never a live process's. */
void file_tmp_cleanup(void);

/* ---- changes to several files that land whole or not at all ----
 * Each file's new contents are written to a temporary file beside it
 * (file_txn_add(), fsync'd); file_txn_commit() writes the journal DIR/
 * .mcuprov-journal naming them, renames them all into place and removes
 * the journal.  Killed before the journal exists, nothing changed (the
 * temporary files are stale, removed later); killed after, the next
 * file_txn_recover(DIR) -- run with the project's lock held, before
 * anything is read -- finishes the renames.  Either way no reader ever
 * sees some files of the change without the others, once recovered. */
#define FILE_TXN_MAX 8
#define FILE_TXN_JOURNAL ".mcuprov-journal"

struct file_txn {
	char *journal; /* DIR/.mcuprov-journal */
	struct file_atomic f[FILE_TXN_MAX];
	size_t n;
};

/* Start a change whose journal lives in DIR (the project's directory).
 * Returns 0 or MCUPROV_ERR_NOMEM / MCUPROV_ERR_USAGE (path too long). */
int file_txn_begin(struct file_txn *t, const char *dir, struct mcuprov_err *err);

/* Write LEN bytes of DATA as PATH's next contents (FLAGS as for
 * file_write_atomic(); without FILE_WRITE_FORCE PATH must not exist).
 * PATH may be added once.  Returns 0 or file_atomic_open()'s errors,
 * MCUPROV_ERR_INTERNAL (more than FILE_TXN_MAX files); on failure the
 * change is aborted. */
int file_txn_add(struct file_txn *t, const char *path, const void *data, size_t len,
		 unsigned flags, struct mcuprov_err *err);

/* Move every file of T into place (see above) and free T.  Returns 0, or
 * before anything moved MCUPROV_ERR_EXISTS / MCUPROV_ERR_IO (T aborted,
 * nothing changed), or after some moved MCUPROV_ERR_IO naming the file
 * (the journal stays: file_txn_recover() finishes the change). */
int file_txn_commit(struct file_txn *t, struct mcuprov_err *err);

/* Remove T's temporary files and free it; nothing changes.  Safe after a
 * failed begin or add, and after commit. */
void file_txn_abort(struct file_txn *t);

/* Finish a change interrupted after its journal in DIR was written: move
 * the temporary files it names into place (those already moved are
 * gone), then remove the journal.  *DONE (N bytes) lists the files moved
 * ("'keys.c', 'mcuprov.yaml'"), "" when there was no journal.  A journal
 * naming anything but temporary files of its own shape beside their
 * targets is refused: MCUPROV_ERR_FORMAT, nothing moved.  Returns 0 or
 * MCUPROV_ERR_IO / MCUPROV_ERR_FORMAT. */
int file_txn_recover(const char *dir, char *done, size_t n, struct mcuprov_err *err);

/* Keep DATA (LEN bytes, the old contents of PATH) as a backup that
 * replaces no earlier one: PATH.bak, or when that exists PATH.bak.1,
 * PATH.bak.2, ... (the first free name, written with file_write_atomic()
 * without FILE_WRITE_FORCE, so a name taken meanwhile is skipped).  OUT
 * (N bytes) gets the name used.  Returns 0, MCUPROV_ERR_USAGE (path too
 * long), MCUPROV_ERR_EXISTS (999 backups already) or file_write_atomic()'s
 * errors. */
int file_backup(const char *path, const void *data, size_t len, char *out, size_t n,
		struct mcuprov_err *err);

/* PATH as a person would type it here: relative to the working directory
 * when it lies below it ("keys/a.pem", without "./"), else PATH itself.
 * Written into OUT (N bytes, truncated to fit). */
void file_rel_cwd(const char *path, char *out, size_t n);

#endif
