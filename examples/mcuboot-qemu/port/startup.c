/*
 * Startup of the mcuprov QEMU port (mps2-an385): the vector table at 0x0,
 * the reset handler (copy .data, zero .bss, main) and a fault handler that
 * reports through semihosting and stops QEMU with status 2.
 */

#include <stdint.h>

#include "semihost.h"

extern uint32_t _estack, _sidata, _sdata, _edata, _sbss, _ebss;

int main(void);
void reset_handler(void);
void fault_handler(void);

typedef void (*vector_t)(void);

__attribute__((section(".vectors"), used)) const vector_t vector_table[16] = {
	(vector_t)(uintptr_t)&_estack,
	reset_handler,
	fault_handler, /* NMI */
	fault_handler, /* HardFault */
	fault_handler, /* MemManage */
	fault_handler, /* BusFault */
	fault_handler, /* UsageFault */
	0, 0, 0, 0,
	fault_handler, /* SVCall */
	fault_handler, /* DebugMonitor */
	0,
	fault_handler, /* PendSV */
	fault_handler, /* SysTick */
};

void reset_handler(void)
{
	uint32_t *src = &_sidata, *dst = &_sdata;

	while (dst < &_edata)
		*dst++ = *src++;
	for (dst = &_sbss; dst < &_ebss;)
		*dst++ = 0;
	main();
	sh_exit(1);
}

void fault_handler(void)
{
	sh_puts("mcuboot: fault\n");
	sh_exit(2);
}
