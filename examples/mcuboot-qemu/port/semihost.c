/* ARM semihosting for the mcuprov QEMU port and its app (see semihost.h). */

#include <stdint.h>

#include "semihost.h"

#define SYS_OPEN 0x01
#define SYS_CLOSE 0x02
#define SYS_WRITE0 0x04
#define SYS_WRITE 0x05
#define SYS_GET_CMDLINE 0x15
#define OPEN_MODE_WB 5 /* fopen's "wb" */
#define SYS_EXIT 0x18
#define SYS_EXIT_EXTENDED 0x20
#define ADP_Stopped_ApplicationExit 0x20026
#define ADP_Stopped_RunTimeErrorUnknown 0x20023

static uintptr_t sh_call(uintptr_t op, uintptr_t arg)
{
	register uintptr_t r0 __asm__("r0") = op;
	register uintptr_t r1 __asm__("r1") = arg;

	__asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
	return r0;
}

void sh_puts(const char *s)
{
	sh_call(SYS_WRITE0, (uintptr_t)s);
}

int sh_cmdline(char *buf, unsigned n)
{
	uintptr_t block[2] = {(uintptr_t)buf, n};

	if (n == 0 || sh_call(SYS_GET_CMDLINE, (uintptr_t)block) != 0)
		return -1;
	buf[block[1] < n ? block[1] : n - 1] = '\0';
	return 0;
}

int sh_write_file(const char *path, const void *p, unsigned len)
{
	uintptr_t open_block[3] = {(uintptr_t)path, OPEN_MODE_WB, 0};
	uintptr_t write_block[3];
	intptr_t fd;
	int rc = 0;

	while (path[open_block[2]] != '\0')
		open_block[2]++;
	fd = (intptr_t)sh_call(SYS_OPEN, (uintptr_t)open_block);
	if (fd < 0)
		return -1;
	write_block[0] = (uintptr_t)fd;
	write_block[1] = (uintptr_t)p;
	write_block[2] = len;
	/* SYS_WRITE returns the number of bytes NOT written */
	if (sh_call(SYS_WRITE, (uintptr_t)write_block) != 0)
		rc = -1;
	if (sh_call(SYS_CLOSE, (uintptr_t)&write_block[0]) != 0)
		rc = -1;
	return rc;
}

void sh_exit(int status)
{
	if (status != 0) {
		/* QEMU exits with the subcode of SYS_EXIT_EXTENDED */
		uint32_t block[2] = {ADP_Stopped_ApplicationExit, (uint32_t)status & 0xffu};

		if (block[1] == 0)
			block[1] = 1;
		sh_call(SYS_EXIT_EXTENDED, (uintptr_t)block);
		sh_call(SYS_EXIT, ADP_Stopped_RunTimeErrorUnknown);
	} else {
		sh_call(SYS_EXIT, ADP_Stopped_ApplicationExit);
	}
	for (;;)
		__asm__ volatile("wfi");
}
