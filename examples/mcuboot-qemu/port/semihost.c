/* ARM semihosting for the mcuprov QEMU port and its app (see semihost.h). */

#include <stdint.h>

#include "semihost.h"

#define SYS_WRITE0 0x04
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
