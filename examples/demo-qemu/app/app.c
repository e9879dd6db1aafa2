/*
 * mcuprov QEMU demo app: the image mcuprov signs and the demo loader starts.
 *
 * Linked to run from slot0 + the image header (app.ld); the loader points
 * VTOR at vector_table, loads MSP from its first word and branches to
 * reset_handler.  It says hello through semihosting and stops QEMU with
 * exit status 0.
 */

#include <stdint.h>

#include "semihost.h"

/* From app.ld */
extern uint32_t _estack, _sidata, _sdata, _edata, _sbss, _ebss;

void reset_handler(void);
void fault_handler(void);

typedef void (*vector_t)(void);

__attribute__((section(".vectors"), used)) const vector_t vector_table[16] = {
	(vector_t)(uintptr_t)&_estack, /* initial MSP */
	reset_handler,
	fault_handler, /* NMI */
	fault_handler, /* HardFault */
	fault_handler, /* MemManage */
	fault_handler, /* BusFault */
	fault_handler, /* UsageFault */
	0,
	0,
	0,
	0,
	fault_handler, /* SVCall */
	fault_handler, /* DebugMonitor */
	0,
	fault_handler, /* PendSV */
	fault_handler, /* SysTick */
};

static const char hello[] = "mcuprov demo app: hello from the signed image\n";

void reset_handler(void)
{
	uint32_t *src = &_sidata, *dst = &_sdata;

	while (dst < &_edata)
		*dst++ = *src++;
	for (dst = &_sbss; dst < &_ebss;)
		*dst++ = 0;
	sh_puts(hello);
	sh_exit(0);
}

void fault_handler(void)
{
	sh_puts("app: fault\n");
	sh_exit(2);
}
