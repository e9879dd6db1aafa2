/*
 * ARM semihosting for the mcuprov QEMU demo (loader and app).
 *
 * A semihosting call is `bkpt 0xab` on M-profile with the operation in r0
 * and its argument in r1; QEMU runs it on the host when started with
 * -semihosting-config enable=on,target=native.  Without semihosting the
 * breakpoint faults: these programs need it.
 */

#ifndef DEMO_SEMIHOST_H
#define DEMO_SEMIHOST_H

#define SYS_WRITE0	  0x04 /* write a NUL-terminated string to the console */
#define SYS_EXIT	  0x18 /* stop; A32/T32: r1 holds the reason itself */
#define SYS_EXIT_EXTENDED 0x20 /* stop; r1 -> { reason, subcode } */

#define ADP_Stopped_ApplicationExit	0x20026
#define ADP_Stopped_RunTimeErrorUnknown 0x20023

/* Write s (NUL-terminated) to the host's console. */
void sh_puts(const char *s);

/*
 * Stop the program; QEMU exits with status (0..255).  0 uses SYS_EXIT with
 * ADP_Stopped_ApplicationExit, the only reason QEMU maps to 0 on 32-bit ARM.
 * Anything else uses SYS_EXIT_EXTENDED { ADP_Stopped_ApplicationExit,
 * status }, which QEMU turns into exit(status); should the host not support
 * it, SYS_EXIT with ADP_Stopped_RunTimeErrorUnknown, which QEMU turns into
 * exit(1).
 */
__attribute__((noreturn)) void sh_exit(int status);

#endif /* DEMO_SEMIHOST_H */
