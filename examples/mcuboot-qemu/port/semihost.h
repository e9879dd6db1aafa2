/*
 * ARM semihosting (`bkpt 0xab`, operation in r0, argument in r1), as QEMU
 * runs it with -semihosting-config enable=on,target=native.  Shared by the
 * port and the app.
 */

#ifndef MCUPROV_QEMU_SEMIHOST_H
#define MCUPROV_QEMU_SEMIHOST_H

/* Write s (NUL-terminated) to the host's console. */
void sh_puts(const char *s);

/* Stop QEMU with exit status (0..255). */
__attribute__((noreturn)) void sh_exit(int status);

#endif
