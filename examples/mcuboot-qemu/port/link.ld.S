/*
 * Linker script of the mcuprov QEMU port and its app (preprocessed by the
 * Makefile with ORIGIN_ADDR/LENGTH_SIZE: MCUboot at 0x0 before slot0; the
 * app at slot0 + the image header).  RAM: the an385's SSRAM2 at 0x20000000.
 */

MEMORY
{
	FLASH (rx) : ORIGIN = ORIGIN_ADDR, LENGTH = LENGTH_SIZE
	RAM (rwx) : ORIGIN = 0x20000000, LENGTH = 256K
}

ENTRY(reset_handler)

SECTIONS
{
	.text :
	{
		KEEP(*(.vectors))
		*(.text*)
		*(.rodata*)
		. = ALIGN(4);
	} > FLASH

	.ARM.exidx :
	{
		*(.ARM.exidx*)
	} > FLASH

	.data :
	{
		. = ALIGN(4);
		_sdata = .;
		*(.data*)
		. = ALIGN(4);
		_edata = .;
	} > RAM AT > FLASH
	_sidata = LOADADDR(.data);

	.bss (NOLOAD) :
	{
		. = ALIGN(4);
		_sbss = .;
		*(.bss*)
		*(COMMON)
		. = ALIGN(4);
		_ebss = .;
		end = .;
	} > RAM

	_estack = ORIGIN(RAM) + LENGTH(RAM);
}
