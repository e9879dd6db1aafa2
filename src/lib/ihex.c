/* Intel HEX reading (to a raw image) and writing, IntelHex-compatible. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mcuprov/fileio.h"
#include "mcuprov/ihex.h"

#define REC_MAX	     (5 + 255)		 /* bytes of the longest record */
#define REC_DATA_MAX 16			 /* data bytes per record we write */
#define LINE_CAP     1024		 /* characters kept of one line */
#define RUNS_MAX     64			 /* merged data runs remembered */
#define ADDR_LIMIT   ((uint64_t)1 << 32) /* 4 GiB */
#define SEG_SIZE     0x10000U		 /* 64 KiB */

static const char hexdigits[] = "0123456789ABCDEF";

/* ---- reading ---------------------------------------------------------- */

/* Buffered reading through pread() with a private offset, so that a
 * re-scan of earlier lines can run in the middle of a scan. */
struct reader {
	int fd;
	uint64_t off; /* file offset just past buf[len - 1] */
	size_t pos, len;
	unsigned char buf[4096];
};

#define READ_ERROR (-2)

/* The next byte, EOF at the end of the file, or READ_ERROR (errno set). */
static int reader_getc(struct reader *r)
{
	if (r->pos == r->len) {
		ssize_t n;

		do {
			n = pread(r->fd, r->buf, sizeof(r->buf), (off_t)r->off);
		} while (n < 0 && errno == EINTR);
		if (n < 0)
			return READ_ERROR;
		if (n == 0)
			return EOF;
		r->off += (uint64_t)n;
		r->pos = 0;
		r->len = (size_t)n;
	}
	return r->buf[r->pos++];
}

struct parser {
	struct reader rd;
	const char *path;
	unsigned long line; /* lines read so far: the current line's number */
	uint64_t offset;    /* address offset from the latest type 02/04 record */
	size_t len;	    /* characters in text */
	char text[LINE_CAP];
	uint8_t rec[REC_MAX];
};

/* One data record, as an absolute address range. */
struct data_rec {
	uint64_t addr;
	size_t len; /* 1..255 */
	const uint8_t *data;
};

static void parser_init(struct parser *p, int fd, const char *path)
{
	p->rd.fd = fd;
	p->rd.off = 0;
	p->rd.pos = 0;
	p->rd.len = 0;
	p->path = path;
	p->line = 0;
	p->offset = 0;
	p->len = 0;
}

/* Record "line N: <reason>" for the current line; returns
 * MCUPROV_ERR_FORMAT. */
static int bad(const struct parser *p, struct mcuprov_err *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int bad(const struct parser *p, struct mcuprov_err *err, const char *fmt, ...)
{
	char reason[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	return err_set(err, MCUPROV_ERR_FORMAT, p->path, "line %lu: %s", p->line, reason);
}

static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Read the next line into p->text without surrounding whitespace.
 * Returns 1 (a line, maybe empty), 0 at the end of the file, or an error. */
static int read_line(struct parser *p, struct mcuprov_err *err)
{
	int c, any = 0;

	p->len = 0;
	for (;;) {
		c = reader_getc(&p->rd);
		if (c == READ_ERROR)
			return err_set(err, MCUPROV_ERR_IO, p->path, "read error: %s",
				       strerror(errno));
		if (c == EOF) {
			if (!any)
				return 0;
			break;
		}
		if (!any) {
			any = 1;
			p->line++;
		}
		if (c == '\n')
			break;
		if (p->len == 0 && is_space(c))
			continue;
		if (p->len == LINE_CAP)
			return bad(p, err, "line too long (more than %d characters)", LINE_CAP);
		p->text[p->len++] = (char)c;
	}
	while (p->len > 0 && is_space((unsigned char)p->text[p->len - 1]))
		p->len--;
	return 1;
}

static uint8_t hexbyte(const char *s)
{
	return (uint8_t)(hexval((unsigned char)s[0]) << 4 | hexval((unsigned char)s[1]));
}

/* Read records up to the next non-empty data record (returns 1 and fills
 * *d, valid until the next call) or the EOF record (returns 0).  Checks the
 * syntax and checksum of every record; follows type 02/04 records. */
static int next_data(struct parser *p, struct data_rec *d, struct mcuprov_err *err)
{
	for (;;) {
		size_t i, nbytes;
		unsigned sum = 0, type, addr16, reclen, v;
		int rc = read_line(p, err);

		if (rc < 0)
			return rc;
		if (rc == 0) {
			p->line++; /* where the EOF record should have been */
			return bad(p, err, "missing end-of-file record (type 01)");
		}
		if (p->len == 0)
			continue;
		if (p->text[0] != ':')
			return bad(p, err, "record does not start with ':'");
		for (i = 1; i < p->len; i++) {
			unsigned char c = (unsigned char)p->text[i];

			if (hexval(c) >= 0)
				continue;
			if (c > ' ' && c < 0x7f)
				return bad(p, err, "invalid hex digit '%c'", c);
			return bad(p, err, "invalid hex digit (byte 0x%02X)", c);
		}
		if ((p->len - 1) % 2 != 0)
			return bad(p, err, "odd number of hex digits");
		nbytes = (p->len - 1) / 2;
		if (nbytes < 5)
			return bad(p, err, "record too short (%zu bytes, at least 5 needed)",
				   nbytes);
		reclen = hexbyte(p->text + 1);
		if (nbytes < 5 + reclen)
			return bad(p, err,
				   "truncated record (length field says %u data bytes, found %zu)",
				   reclen, nbytes - 5);
		if (nbytes > 5 + reclen)
			return bad(p, err,
				   "record longer than its length field (says %u data bytes, found "
				   "%zu)",
				   reclen, nbytes - 5);
		for (i = 0; i < nbytes; i++) {
			p->rec[i] = hexbyte(p->text + 1 + 2 * i);
			sum += p->rec[i];
		}
		type = p->rec[3];
		if (type > 5)
			return bad(p, err, "unknown record type 0x%02X", type);
		if ((sum & 0xff) != 0)
			return bad(p, err, "bad checksum 0x%02X (expected 0x%02X)",
				   p->rec[nbytes - 1],
				   (0x100 - ((sum - p->rec[nbytes - 1]) & 0xff)) & 0xff);
		addr16 = (unsigned)p->rec[1] << 8 | p->rec[2];
		switch (type) {
		case 0:
			if (reclen == 0)
				continue;
			d->addr = p->offset + addr16;
			d->len = reclen;
			d->data = p->rec + 4;
			if (d->addr + d->len > ADDR_LIMIT)
				return bad(p, err, "data beyond the 4 GiB address space");
			return 1;
		case 1:
			if (reclen != 0)
				return bad(p, err, "end-of-file record (type 01) with data");
			return 0;
		case 2:
		case 4:
			if (reclen != 2 || addr16 != 0)
				return bad(p, err,
					   "malformed extended %s address record (type 0%u)",
					   type == 2 ? "segment" : "linear", type);
			v = (unsigned)p->rec[4] << 8 | p->rec[5];
			p->offset = type == 2 ? (uint64_t)v << 4 : (uint64_t)v << 16;
			continue;
		default: /* 3, 5: start address, not needed for an image */
			if (reclen != 4 || addr16 != 0)
				return bad(p, err, "malformed start %s address record (type 0%u)",
					   type == 3 ? "segment" : "linear", type);
			continue;
		}
	}
}

/* Sorted, disjoint, non-adjacent address runs [start, end) of the data seen
 * so far.  When there are too many runs to remember, later ones are left
 * out and INCOMPLETE is set: an overlap found is still real, but no overlap
 * found proves nothing. */
struct run {
	uint64_t start, end;
};

struct runs {
	size_t n;
	int incomplete;
	struct run r[RUNS_MAX];
};

static int runs_overlap(const struct runs *t, uint64_t a, uint64_t b)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->r[i].start < b && t->r[i].end > a)
			return 1;
	return 0;
}

/* Add [a, b), which overlaps no run. */
static void runs_add(struct runs *t, uint64_t a, uint64_t b)
{
	size_t i = 0;

	if (t->n > 0 && t->r[t->n - 1].end <= a)
		i = t->n - 1; /* the common case: ascending data */
	while (i < t->n && t->r[i].end < a)
		i++;
	if (i < t->n && t->r[i].end == a) {
		t->r[i].end = b;
		if (i + 1 < t->n && t->r[i + 1].start == b) {
			t->r[i].end = t->r[i + 1].end;
			memmove(&t->r[i + 1], &t->r[i + 2], (t->n - i - 2) * sizeof(t->r[0]));
			t->n--;
		}
		return;
	}
	/* Here r[i] (if any) lies entirely at or above b. */
	if (i < t->n && t->r[i].start == b) {
		t->r[i].start = a;
		return;
	}
	if (t->n == RUNS_MAX) {
		t->incomplete = 1;
		return;
	}
	memmove(&t->r[i + 1], &t->r[i], (t->n - i) * sizeof(t->r[0]));
	t->r[i].start = a;
	t->r[i].end = b;
	t->n++;
}

/* Does [a, b) overlap data on the lines before line UPTO?  Re-reads the
 * file from its start (the slow path, for out-of-order data that the run
 * table cannot decide).  Returns 0 with *overlap set, or an error. */
static int rescan_overlap(int fd, const char *path, unsigned long upto, uint64_t a, uint64_t b,
			  int *overlap, struct mcuprov_err *err)
{
	struct parser q;
	struct data_rec d;
	int rc;

	*overlap = 0;
	parser_init(&q, fd, path);
	for (;;) {
		rc = next_data(&q, &d, err);
		if (rc <= 0 || q.line >= upto)
			break;
		if (d.addr < b && d.addr + d.len > a) {
			*overlap = 1;
			break;
		}
	}
	return rc < 0 ? rc : 0;
}

static int pwrite_all(int fd, const void *buf, size_t len, uint64_t off)
{
	const uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = EIO;
			return -1;
		}
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

/* Write FILL to OUT_FD over [from, to). */
static int fill_range(int out_fd, uint8_t fill, uint64_t from, uint64_t to, const char *path,
		      struct mcuprov_err *err)
{
	uint8_t buf[4096];

	memset(buf, fill, sizeof(buf));
	while (from < to) {
		size_t n = to - from < sizeof(buf) ? (size_t)(to - from) : sizeof(buf);

		if (pwrite_all(out_fd, buf, n, from) < 0)
			return err_set(err, MCUPROV_ERR_IO, path,
				       "cannot write the converted image: %s", strerror(errno));
		from += n;
	}
	return 0;
}

int ihex_to_bin(const char *path, uint8_t fill, int out_fd, uint64_t max_span, uint32_t *base,
		uint64_t *size, struct mcuprov_err *err)
{
	/* The largest file offset the output can take. */
	const uint64_t off_max = sizeof(off_t) >= 8 ? (uint64_t)INT64_MAX : (uint64_t)INT32_MAX;
	struct parser parser, *p = &parser;
	struct runs run_table, *runs = &run_table;
	struct data_rec d;
	uint64_t lo = 0, hi = 0, filled = 0; /* data spans [lo, hi) */
	int have = 0, rc, fd;
	struct stat st;

	*base = 0;
	*size = 0;
	fd = file_open_regular(path, &st, err);
	if (fd < 0)
		return fd;

	/* Pass 1: check everything, find the bounds. */
	parser_init(p, fd, path);
	runs->n = 0;
	runs->incomplete = 0;
	while ((rc = next_data(p, &d, err)) == 1) {
		uint64_t a = d.addr, b = d.addr + d.len, nlo = a, nhi = b;

		if (have && a < hi) {
			int overlap = runs_overlap(runs, a, b);

			if (!overlap && runs->incomplete) {
				rc = rescan_overlap(fd, path, p->line, a, b, &overlap, err);
				if (rc < 0)
					goto out;
			}
			if (overlap) {
				rc = bad(p, err,
					 "data at 0x%08jX (%zu bytes) overlaps earlier data",
					 (uintmax_t)a, d.len);
				goto out;
			}
		}
		runs_add(runs, a, b);
		if (have) {
			nlo = lo < a ? lo : a;
			nhi = hi > b ? hi : b;
		}
		if (nhi - nlo > max_span) {
			rc = bad(p, err,
				 "data would span %ju bytes (0x%08jX..0x%08jX), more than the "
				 "limit of %ju",
				 (uintmax_t)(nhi - nlo), (uintmax_t)nlo, (uintmax_t)(nhi - 1),
				 (uintmax_t)max_span);
			goto out;
		}
		lo = nlo;
		hi = nhi;
		have = 1;
	}
	if (rc < 0)
		goto out;
	if (!have) {
		rc = bad(p, err, "no data records");
		goto out;
	}
	if (hi - lo > off_max) {
		rc = err_set(err, MCUPROV_ERR_IO, path,
			     "image of %ju bytes is too large for a file", (uintmax_t)(hi - lo));
		goto out;
	}

	/* Pass 2: write the data.  [0, filled) of OUT_FD holds data or fill;
	 * data below FILLED lands on fill, as nothing overlaps. */
	parser_init(p, fd, path);
	while ((rc = next_data(p, &d, err)) == 1) {
		uint64_t off = d.addr - lo;

		if (d.addr < lo || d.addr + d.len > hi) {
			rc = bad(p, err, "file changed while it was being read");
			goto out;
		}
		if (off > filled) {
			rc = fill_range(out_fd, fill, filled, off, path, err);
			if (rc < 0)
				goto out;
		}
		if (pwrite_all(out_fd, d.data, d.len, off) < 0) {
			rc = err_set(err, MCUPROV_ERR_IO, path,
				     "cannot write the converted image: %s", strerror(errno));
			goto out;
		}
		if (off + d.len > filled)
			filled = off + d.len;
	}
	if (rc < 0)
		goto out;
	rc = fill_range(out_fd, fill, filled, hi - lo, path, err); /* only if changed */
	if (rc < 0)
		goto out;
	*base = (uint32_t)lo;
	*size = hi - lo;
	rc = 0;
out:
	close(fd);
	return rc;
}

/* ---- writing ---------------------------------------------------------- */

struct ihex_writer {
	FILE *f;
	uint64_t next; /* the lowest address the next call may use */
	uint32_t high; /* upper 16 address bits in effect (0 at the start) */
	uint32_t addr; /* address of buf[0] */
	size_t len;    /* bytes in buf */
	uint8_t buf[REC_DATA_MAX];
};

struct ihex_writer *ihex_writer_new(FILE *f)
{
	struct ihex_writer *w = calloc(1, sizeof(*w));

	if (w != NULL)
		w->f = f;
	return w;
}

void ihex_writer_expect_end(struct ihex_writer *w, uint64_t end)
{
	/* IntelHex starts with a type 04 record whenever the file's highest
	 * address is above 0xffff, even when the first one's upper bits are
	 * 0: make the first record's upper bits "changed". */
	if (end > 0x10000)
		w->high = UINT32_MAX;
}

void ihex_writer_free(struct ihex_writer *w)
{
	free(w);
}

/* Write one record ":LLAAAATT<data>CC\n". */
static int put_record(struct ihex_writer *w, unsigned type, unsigned addr16, const uint8_t *data,
		      size_t len, struct mcuprov_err *err)
{
	uint8_t head[4] = {(uint8_t)len, (uint8_t)(addr16 >> 8), (uint8_t)addr16, (uint8_t)type};
	char line[1 + 2 * (5 + REC_DATA_MAX) + 2], *p = line;
	unsigned sum = 0;
	size_t i;

	*p++ = ':';
	for (i = 0; i < sizeof(head) + len; i++) {
		uint8_t b = i < sizeof(head) ? head[i] : data[i - sizeof(head)];

		sum += b;
		*p++ = hexdigits[b >> 4];
		*p++ = hexdigits[b & 0xf];
	}
	sum = (0x100 - (sum & 0xff)) & 0xff;
	*p++ = hexdigits[sum >> 4];
	*p++ = hexdigits[sum & 0xf];
	*p++ = '\n';
	if (fwrite(line, 1, (size_t)(p - line), w->f) != (size_t)(p - line))
		return err_set(err, MCUPROV_ERR_IO, NULL, "write error: %s", strerror(errno));
	return 0;
}

/* Write the buffered bytes as one data record, preceded by an extended
 * linear address record when the upper address bits change. */
static int flush_buf(struct ihex_writer *w, struct mcuprov_err *err)
{
	uint32_t high = w->addr >> 16;
	int rc;

	if (w->len == 0)
		return 0;
	if (high != w->high) {
		uint8_t ela[2] = {(uint8_t)(high >> 8), (uint8_t)high};

		rc = put_record(w, 4, 0, ela, sizeof(ela), err);
		if (rc < 0)
			return rc;
		w->high = high;
	}
	rc = put_record(w, 0, w->addr & 0xffff, w->buf, w->len, err);
	w->len = 0;
	return rc;
}

int ihex_write(struct ihex_writer *w, uint32_t addr, const uint8_t *data, size_t len,
	       struct mcuprov_err *err)
{
	uint64_t cur = addr;
	int rc;

	if (addr < w->next)
		return err_set(err, MCUPROV_ERR_USAGE, NULL,
			       "address 0x%08X is below earlier data (ending at 0x%08jX)", addr,
			       (uintmax_t)(w->next - 1));
	if (len > ADDR_LIMIT - addr)
		return err_set(err, MCUPROV_ERR_USAGE, NULL,
			       "%zu bytes at 0x%08X go past the 4 GiB address space", len, addr);
	if (len == 0)
		return 0;
	if (w->len > 0 && (uint64_t)w->addr + w->len != addr) {
		rc = flush_buf(w, err);
		if (rc < 0)
			return rc;
	}
	while (len > 0) {
		size_t n = REC_DATA_MAX - w->len;
		uint64_t to_boundary = SEG_SIZE - (cur & (SEG_SIZE - 1));

		if (w->len == 0)
			w->addr = (uint32_t)cur;
		if (n > len)
			n = len;
		if (n > to_boundary)
			n = (size_t)to_boundary;
		memcpy(w->buf + w->len, data, n);
		w->len += n;
		data += n;
		len -= n;
		cur += n;
		if (w->len == REC_DATA_MAX || (cur & (SEG_SIZE - 1)) == 0) {
			rc = flush_buf(w, err);
			if (rc < 0)
				return rc;
		}
	}
	w->next = cur;
	return 0;
}

int ihex_writer_finish(struct ihex_writer *w, struct mcuprov_err *err)
{
	int rc = flush_buf(w, err);

	if (rc == 0)
		rc = put_record(w, 1, 0, NULL, 0, err);
	if (rc == 0 && fflush(w->f) != 0)
		rc = err_set(err, MCUPROV_ERR_IO, NULL, "write error: %s", strerror(errno));
	if (rc == 0 && ferror(w->f))
		rc = err_set(err, MCUPROV_ERR_IO, NULL, "write error");
	ihex_writer_free(w);
	return rc;
}
