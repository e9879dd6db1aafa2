/* mcuprov core: Intel HEX input and output (what imgtool does with Python's
 * IntelHex library when a file name ends in ".hex").
 *
 * Reading converts a HEX file into a raw image (gaps filled) streamed to a
 * file descriptor; writing emits records as IntelHex does: uppercase hex
 * digits, "\n" line ends, data records of at most 16 bytes that start at the
 * data's own address and never cross a 64 KiB boundary. */
#ifndef MCUPROV_IHEX_H
#define MCUPROV_IHEX_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mcuprov/error.h"

/* Convert the Intel HEX file PATH into raw bytes written with pwrite() to
 * OUT_FD starting at file offset 0, which corresponds to the lowest data
 * address; gaps between records are filled with FILL.  *base receives the
 * lowest address, *size the span (highest address + 1 - lowest).  OUT_FD is
 * not truncated: bytes beyond *size are left as they were.
 * Accepts record types 00 (data), 01 (EOF, required; later lines are
 * ignored), 02 (extended segment address), 03 (start segment address,
 * ignored), 04 (extended linear address), 05 (start linear address,
 * ignored); blank lines and whitespace around records are skipped.  Checks
 * every checksum, hex digit, record length and that data does not overlap
 * earlier data; refuses data past 4 GiB, a file without data and a span
 * larger than MAX_SPAN bytes.  PATH must be a regular file: it is read twice
 * (bounds and checks, then data) using O(1) memory apart from a line buffer.
 * Overlap checks are O(1) per record while records ascend or fall into a few
 * runs; otherwise earlier lines are re-read.
 * Returns 0, MCUPROV_ERR_IO (subject PATH), or MCUPROV_ERR_FORMAT with the
 * message "line N: <reason>". */
int ihex_to_bin(const char *path, uint8_t fill, int out_fd, uint64_t max_span, uint32_t *base,
		uint64_t *size, struct mcuprov_err *err);

struct ihex_writer; /* opaque */

/* Start writing Intel HEX records to the stdio stream F (not owned: the
 * caller closes it after ihex_writer_finish()).
 * Returns the writer, or NULL when out of memory. */
struct ihex_writer *ihex_writer_new(FILE *f);

/* Append LEN bytes of DATA at ADDR.  Calls must have non-decreasing,
 * non-overlapping addresses (gaps allowed).  Data records hold at most 16
 * bytes, start at the address of their first byte, never cross a 64 KiB
 * boundary, and an extended linear address record (type 04) is emitted
 * whenever the upper 16 address bits change (also before the first record
 * when they are not zero).  Up to 16 bytes are buffered, so contiguous calls
 * give the same text as one call with all their data.
 * Returns 0 or MCUPROV_ERR_IO (the stream failed) / MCUPROV_ERR_USAGE (ADDR
 * below the end of earlier data, or ADDR + LEN past 4 GiB).  The writer
 * knows no file name: errors leave the subject empty for the caller. */
int ihex_write(struct ihex_writer *w, uint32_t addr, const uint8_t *data, size_t len,
	       struct mcuprov_err *err);

/* Flush buffered data, write the EOF record ":00000001FF", fflush the stream
 * and check it for errors, then free W (also when failing).
 * Returns 0 or MCUPROV_ERR_IO. */
/* Announce that the data will end at address END (exclusive), so that, as
 * Python's IntelHex does, a file reaching past 64 KiB starts with an
 * extended linear address record even when its first address is below
 * 64 KiB.  Call before the first ihex_write(). */
void ihex_writer_expect_end(struct ihex_writer *w, uint64_t end);

int ihex_writer_finish(struct ihex_writer *w, struct mcuprov_err *err);

/* Free W without finishing (error paths); buffered data is dropped.  Safe on
 * NULL. */
void ihex_writer_free(struct ihex_writer *w);

#endif
