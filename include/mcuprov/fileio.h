/* mcuprov core: bounded file reading and atomic, exclusive file writing. */
#ifndef MCUPROV_FILEIO_H
#define MCUPROV_FILEIO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "mcuprov/error.h"

/* Read the whole regular file PATH, refusing anything larger than MAX bytes,
 * directories, devices and FIFOs.  On success *buf is a malloc'd buffer of
 * *len bytes plus a terminating NUL (not counted) that the caller frees;
 * *mode receives st_mode when MODE is non-NULL.
 * Returns 0 or MCUPROV_ERR_IO / MCUPROV_ERR_FORMAT (empty file, too large). */
int file_read(const char *path, size_t max, uint8_t **buf, size_t *len, mode_t *mode,
	      struct mcuprov_err *err);

enum file_write_flags {
	FILE_WRITE_FORCE = 1 << 0,   /* replace an existing regular file */
	FILE_WRITE_PRIVATE = 1 << 1, /* mode 0600 whatever the umask */
};

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

#endif
