/*
 * ARM semihosting (`bkpt 0xab`, operation in r0, argument in r1), as QEMU
 * runs it with -semihosting-config enable=on,target=native.  Shared by the
 * port and the app.
 */

#ifndef MCUPROV_QEMU_SEMIHOST_H
#define MCUPROV_QEMU_SEMIHOST_H

/* Write s (NUL-terminated) to the host's console. */
void sh_puts(const char *s);

/* The command line QEMU gives the program (-semihosting-config ...,arg=A,
 * arg=B: "A B") into BUF of N bytes, NUL-terminated; 0 or -1. */
int sh_cmdline(char *buf, unsigned n);

/* Write LEN bytes at P to the host file PATH (relative to QEMU's working
 * directory), created or truncated; 0 or -1. */
int sh_write_file(const char *path, const void *p, unsigned len);

/* Stop QEMU with exit status (0..255). */
__attribute__((noreturn)) void sh_exit(int status);

#endif
