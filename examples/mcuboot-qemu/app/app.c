/*
 * The app of the mcuprov QEMU port: linked at slot0 + the image header,
 * started by MCUboot through its vector table; says hello over semihosting
 * and stops QEMU with status 0.
 */

#include <stdint.h>

#include "semihost.h"

extern uint32_t _estack, _sidata, _sdata, _edata, _sbss, _ebss;

void reset_handler(void);
void fault_handler(void);

typedef void (*vector_t)(void);

__attribute__((section(".vectors"), used)) const vector_t vector_table[16] = {
	(vector_t)(uintptr_t)&_estack,
	reset_handler,
	fault_handler, fault_handler, fault_handler, fault_handler, fault_handler,
	0, 0, 0, 0,
	fault_handler, fault_handler, 0, fault_handler, fault_handler,
};

void reset_handler(void)
{
	uint32_t *src = &_sidata, *dst = &_sdata;

	while (dst < &_edata)
		*dst++ = *src++;
	for (dst = &_sbss; dst < &_ebss;)
		*dst++ = 0;
	sh_puts("app: hello from the image MCUboot verified\n");
	sh_exit(0);
}

void fault_handler(void)
{
	sh_puts("app: fault\n");
	sh_exit(2);
}
