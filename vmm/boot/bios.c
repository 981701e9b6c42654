/* BIOS image mapping: ROM at the top of 4 GiB and the legacy alias below 1 MiB. */
#include "vmm/boot/bios.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOW_END 0x100000u

static void set_err(char *err, size_t err_size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t err_size, const char *fmt, ...)
{
    if (!err || !err_size)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_size, fmt, ap);
    va_end(ap);
}

int bios_image_init(bios_image *ret_bios, const uint8_t *image, size_t size, char *err,
                    size_t err_size)
{
    if (size < BIOS_MIN_SIZE || size > BIOS_MAX_SIZE || size % BIOS_MIN_SIZE) {
        set_err(err, err_size,
                "BIOS image is %zu bytes: expected a multiple of 64 KiB from 64 KiB to 16 MiB",
                size);
        return -EINVAL;
    }
    uint8_t *rom = aligned_alloc(PHYS_PAGE_SIZE, size);
    if (!rom) {
        set_err(err, err_size, "out of memory for a %zu-byte BIOS image", size);
        return -ENOMEM;
    }
    memcpy(rom, image, size);
    ret_bios->rom = rom;
    ret_bios->size = (uint32_t)size;
    ret_bios->base = (uint32_t)(0x100000000ull - size);
    ret_bios->low_size = size < BIOS_LOW_SIZE ? (uint32_t)size : BIOS_LOW_SIZE;
    return 0;
}

void bios_image_fini(bios_image *bios)
{
    free(bios->rom);
    memset(bios, 0, sizeof(*bios));
}

int bios_map(const bios_image *bios, physmap *pm)
{
    int r = physmap_add_rom(pm, bios->base, bios->size, bios->rom);
    if (r < 0)
        return r;
    return physmap_add_rom(pm, LOW_END - bios->low_size, bios->low_size,
                           bios->rom + bios->size - bios->low_size);
}

uint8_t *bios_low_rom(const bios_image *bios, uint32_t paddr)
{
    if (!bios->rom || paddr >= LOW_END || paddr < LOW_END - bios->low_size)
        return NULL;
    return bios->rom + bios->size - (LOW_END - paddr);
}
