/*
 * Linker script of the mcuprov QEMU demo app (preprocessed by the Makefile,
 * which defines SLOT0, SLOT_SIZE and HEADER_SIZE).  The app runs in place
 * from slot0, after the image header that `mcuprov sign --pad-header` puts
 * in front of app.bin; its vector table comes first.
 */

MEMORY
{
	FLASH (rx) : ORIGIN = SLOT0 + HEADER_SIZE, LENGTH = SLOT_SIZE - HEADER_SIZE
	RAM (rwx) : ORIGIN = 0x20000000, LENGTH = 64K
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
	} > RAM

	_estack = ORIGIN(RAM) + LENGTH(RAM);
}
