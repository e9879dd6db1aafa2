/* Flash area ids of the mcuprov QEMU port (one image). */

#ifndef MCUPROV_QEMU_SYSFLASH_H
#define MCUPROV_QEMU_SYSFLASH_H

#define FLASH_AREA_BOOTLOADER 0
#define FLASH_AREA_IMAGE_0 1
#define FLASH_AREA_IMAGE_1 2
#define FLASH_AREA_IMAGE_SCRATCH 3

#define FLASH_AREA_IMAGE_PRIMARY(x) (((x) == 0) ? FLASH_AREA_IMAGE_0 : 255)
#define FLASH_AREA_IMAGE_SECONDARY(x) (((x) == 0) ? FLASH_AREA_IMAGE_1 : 255)

#endif /* MCUPROV_QEMU_SYSFLASH_H */
