#include "tests/unit/boot/fakes.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

uint8_t *fake_ram;
uint32_t fake_ram_limit;
int fake_cpu_calls;
uint32_t fake_cpu_eip, fake_cpu_gpr[8];
fake_rom fake_roms[8];
int fake_rom_count;

void fake_reset(void)
{
    if (!fake_ram)
        fake_ram = calloc(1, FAKE_RAM_SIZE);
    else
        memset(fake_ram, 0, FAKE_RAM_SIZE);
    fake_ram_limit = FAKE_RAM_SIZE;
    fake_cpu_calls = 0;
    fake_rom_count = 0;
}

void fake_free(void)
{
    free(fake_ram);
    fake_ram = NULL;
}

int physmap_copy_to_guest(physmap *pm, uint32_t paddr, const void *src, size_t len)
{
    if ((uint64_t)paddr + len > fake_ram_limit)
        return -EFAULT;
    memcpy(fake_ram + paddr, src, len);
    return 0;
}

int physmap_add_rom(physmap *pm, uint32_t base, uint32_t size, uint8_t *host)
{
    if ((base | size) & (PHYS_PAGE_SIZE - 1) || (uint64_t)base + size > 0x100000000ull)
        return -EINVAL;
    if (fake_rom_count == 8)
        return -ENOSPC;
    fake_roms[fake_rom_count++] = (fake_rom){base, size, host};
    return 0;
}

void cpu_setup_flat32(cpu *c, uint32_t eip, const uint32_t gpr[8])
{
    fake_cpu_calls++;
    fake_cpu_eip = eip;
    memcpy(fake_cpu_gpr, gpr, sizeof(fake_cpu_gpr));
}
