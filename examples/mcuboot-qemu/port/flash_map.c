/*
 * MCUboot's flash_area_* for the mcuprov QEMU port: the areas are windows
 * on the mps2-an385's code SSRAM, which reads, writes and "erases" (fills
 * with 0xff) like memory.  The layout comes from the Makefile (-D...).
 */

#include <stdint.h>
#include <string.h>

#include "flash_map_backend/flash_map_backend.h"
#include "sysflash/sysflash.h"

static const struct flash_area areas[] = {
	{.fa_id = FLASH_AREA_BOOTLOADER, .fa_device_id = FLASH_DEVICE_ID, .fa_off = 0, .fa_size = SLOT0_ADDR},
	{.fa_id = FLASH_AREA_IMAGE_0, .fa_device_id = FLASH_DEVICE_ID, .fa_off = SLOT0_ADDR, .fa_size = SLOT_SIZE},
	{.fa_id = FLASH_AREA_IMAGE_1, .fa_device_id = FLASH_DEVICE_ID, .fa_off = SLOT1_ADDR, .fa_size = SLOT_SIZE},
	{.fa_id = FLASH_AREA_IMAGE_SCRATCH, .fa_device_id = FLASH_DEVICE_ID, .fa_off = SCRATCH_ADDR, .fa_size = SCRATCH_SIZE},
};

#define N_AREAS (sizeof(areas) / sizeof(areas[0]))

static int in_area(const struct flash_area *fa, uint32_t off, uint32_t len)
{
	return off <= fa->fa_size && len <= fa->fa_size - off;
}

int flash_device_base(uint8_t fd_id, uintptr_t *ret)
{
	if (fd_id != FLASH_DEVICE_ID)
		return -1;
	*ret = 0;
	return 0;
}

int flash_area_open(uint8_t id, const struct flash_area **fap)
{
	for (unsigned i = 0; i < N_AREAS; i++) {
		if (areas[i].fa_id == id) {
			*fap = &areas[i];
			return 0;
		}
	}
	return -1;
}

void flash_area_close(const struct flash_area *fa)
{
	(void)fa;
}

int flash_area_read(const struct flash_area *fa, uint32_t off, void *dst, uint32_t len)
{
	if (!in_area(fa, off, len))
		return -1;
	memcpy(dst, (const void *)(uintptr_t)(fa->fa_off + off), len);
	return 0;
}

int flash_area_write(const struct flash_area *fa, uint32_t off, const void *src, uint32_t len)
{
	if (!in_area(fa, off, len))
		return -1;
	memcpy((void *)(uintptr_t)(fa->fa_off + off), src, len);
	return 0;
}

int flash_area_erase(const struct flash_area *fa, uint32_t off, uint32_t len)
{
	if (!in_area(fa, off, len))
		return -1;
	memset((void *)(uintptr_t)(fa->fa_off + off), 0xff, len);
	return 0;
}

uint32_t flash_area_align(const struct flash_area *fa)
{
	(void)fa;
	return 1;
}

uint8_t flash_area_erased_val(const struct flash_area *fa)
{
	(void)fa;
	return 0xff;
}

int flash_area_get_sectors(int fa_id, uint32_t *count, struct flash_sector *sectors)
{
	const struct flash_area *fa;
	uint32_t n;

	if (flash_area_open((uint8_t)fa_id, &fa) != 0)
		return -1;
	n = fa->fa_size / SECTOR_SIZE;
	if (n > *count)
		return -1;
	for (uint32_t i = 0; i < n; i++) {
		sectors[i].fs_off = i * SECTOR_SIZE;
		sectors[i].fs_size = SECTOR_SIZE;
	}
	*count = n;
	return 0;
}

int flash_area_get_sector(const struct flash_area *fa, uint32_t off, struct flash_sector *sector)
{
	if (off >= fa->fa_size)
		return -1;
	sector->fs_off = off - off % SECTOR_SIZE;
	sector->fs_size = SECTOR_SIZE;
	return 0;
}

int flash_area_sector_from_off(uint32_t off, struct flash_sector *sector)
{
	sector->fs_off = off - off % SECTOR_SIZE;
	sector->fs_size = SECTOR_SIZE;
	return 0;
}

int flash_area_id_from_multi_image_slot(int image_index, int slot)
{
	if (image_index != 0)
		return -1;
	switch (slot) {
	case 0:
		return FLASH_AREA_IMAGE_PRIMARY(0);
	case 1:
		return FLASH_AREA_IMAGE_SECONDARY(0);
	case 2:
		return FLASH_AREA_IMAGE_SCRATCH;
	}
	return -1;
}

int flash_area_id_from_image_slot(int slot)
{
	return flash_area_id_from_multi_image_slot(0, slot);
}

int flash_area_id_to_multi_image_slot(int image_index, int area_id)
{
	if (image_index != 0)
		return -1;
	if (area_id == FLASH_AREA_IMAGE_PRIMARY(0))
		return 0;
	if (area_id == FLASH_AREA_IMAGE_SECONDARY(0))
		return 1;
	return -1;
}
