/* A BIOS image (such as the system's SeaBIOS, /usr/share/seabios/bios.bin) mapped as ROM the
 * way a PC wires its firmware flash: the whole image ends at 4 GiB (the reset vector is at
 * 0xFFFFFFF0), and its last 128 KiB also answer at 0xE0000-0xFFFFF below 1 MiB.
 *
 * The low alias starts as plain ROM. The i440FX's PAM registers later shadow it with RAM
 * segment by segment: the host bridge calls physmap_set_shadow() with the guest RAM behind a
 * segment and the ROM bytes that bios_low_rom() returns for it. */
#ifndef VIREO_VMM_BOOT_BIOS_H
#define VIREO_VMM_BOOT_BIOS_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/mem/physmap.h"

#define BIOS_DEFAULT_PATH "/usr/share/seabios/bios.bin"
#define BIOS_MIN_SIZE     0x10000u   /* 64 KiB */
#define BIOS_MAX_SIZE     0x1000000u /* 16 MiB: the flash window below 4 GiB */
#define BIOS_LOW_BASE     0xE0000u   /* the low alias: [BIOS_LOW_BASE, 1 MiB) */
#define BIOS_LOW_SIZE     0x20000u

typedef struct bios_image {
    uint8_t *rom;      /* page-aligned host copy of the image; owned */
    uint32_t size;     /* bytes, a multiple of 64 KiB */
    uint32_t base;     /* guest address of the high mapping: 4 GiB - size */
    uint32_t low_size; /* bytes aliased below 1 MiB: min(size, BIOS_LOW_SIZE) */
} bios_image;

/* Check and copy `image` (size bytes). Returns 0, or -EINVAL (size not a multiple of 64 KiB
 * or outside [64 KiB, 16 MiB]), -ENOMEM, with a message in err (err may be NULL). */
int bios_image_init(bios_image *ret_bios, const uint8_t *image, size_t size, char *err,
                    size_t err_size);
/* Free the copy; accepts a zeroed or already-freed struct. */
void bios_image_fini(bios_image *bios);

/* Map the image as ROM at the top of 4 GiB and its last low_size bytes at 1 MiB - low_size.
 * Returns 0 or the negative errno of physmap_add_rom(). */
int bios_map(const bios_image *bios, physmap *pm);

/* The ROM bytes behind low-alias address `paddr` (BIOS_LOW_BASE <= paddr < 1 MiB), for the
 * PAM shadow; NULL when the image does not reach that low (a 64 KiB image leaves
 * 0xE0000-0xEFFFF without ROM). */
uint8_t *bios_low_rom(const bios_image *bios, uint32_t paddr);

#endif
