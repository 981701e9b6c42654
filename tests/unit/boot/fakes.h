/* Fakes of the guest-memory and CPU calls the boot loaders make, so that the loaders can be
 * tested for exactly what they write where, without the CPU library. Guest memory is one
 * buffer of FAKE_RAM_SIZE bytes; copies outside it (or at or above fake_ram_limit) fail like
 * physmap_copy_to_guest() on a page that is not RAM. */
#ifndef VIREO_TESTS_UNIT_BOOT_FAKES_H
#define VIREO_TESTS_UNIT_BOOT_FAKES_H

#include <stdint.h>

#include "vmm/cpu/cpu.h"
#include "vmm/mem/physmap.h"

#define FAKE_RAM_SIZE (128u << 20)

extern uint8_t *fake_ram;       /* FAKE_RAM_SIZE bytes, allocated by fake_reset() */
extern uint32_t fake_ram_limit; /* copies must end at or below this */
extern int fake_cpu_calls;
extern uint32_t fake_cpu_eip, fake_cpu_gpr[8];

typedef struct fake_rom {
    uint32_t base, size;
    uint8_t *host;
} fake_rom;
extern fake_rom fake_roms[8];
extern int fake_rom_count;

void fake_reset(void);
void fake_free(void);

#endif
