/* Test-only physical map: a short list of regions, the latest mapping winning, with the
 * semantics of vmm/mem/physmap.h that the VGA uses. Used while vmm/mem/physmap.c is absent. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/mem/physmap.h"

#define MAX_REGIONS 32

struct physmap {
    struct {
        uint32_t base, size;
        uint8_t *host;
        bool rom;
        const mmio_ops *ops;
        void *opaque;
    } r[MAX_REGIONS];
    int n;
    uint64_t gen;
};

physmap *physmap_new(void)
{
    return calloc(1, sizeof(physmap));
}

void physmap_free(physmap *pm)
{
    free(pm);
}

static int add(physmap *pm, uint32_t base, uint32_t size, uint8_t *host, bool rom,
               const mmio_ops *ops, void *opaque)
{
    if ((base | size) & (PHYS_PAGE_SIZE - 1) || (uint64_t)base + size > 0x100000000ull)
        return -EINVAL;
    if (pm->n == MAX_REGIONS)
        return -ENOSPC;
    pm->r[pm->n].base = base;
    pm->r[pm->n].size = size;
    pm->r[pm->n].host = host;
    pm->r[pm->n].rom = rom;
    pm->r[pm->n].ops = ops;
    pm->r[pm->n].opaque = opaque;
    pm->n++;
    pm->gen++;
    return 0;
}

int physmap_add_ram(physmap *pm, uint32_t base, uint32_t size, uint8_t *host)
{
    return add(pm, base, size, host, false, NULL, NULL);
}

int physmap_add_rom(physmap *pm, uint32_t base, uint32_t size, uint8_t *host)
{
    return add(pm, base, size, host, true, NULL, NULL);
}

int physmap_add_mmio(physmap *pm, uint32_t base, uint32_t size, const mmio_ops *ops, void *opaque)
{
    return add(pm, base, size, NULL, false, ops, opaque);
}

static int find(physmap *pm, uint32_t paddr)
{
    for (int i = pm->n - 1; i >= 0; i--)
        if (paddr >= pm->r[i].base && paddr - pm->r[i].base < pm->r[i].size)
            return i;
    return -1;
}

uint8_t *physmap_page_ptr(physmap *pm, uint32_t paddr, bool write)
{
    int i = find(pm, paddr);
    if (i < 0 || pm->r[i].ops || (write && pm->r[i].rom))
        return NULL;
    return pm->r[i].host + ((paddr - pm->r[i].base) & ~(PHYS_PAGE_SIZE - 1));
}

uint32_t physmap_read(physmap *pm, uint32_t paddr, unsigned size)
{
    int i = find(pm, paddr);
    if (i < 0)
        return size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
    uint32_t off = paddr - pm->r[i].base;
    if (pm->r[i].ops)
        return pm->r[i].ops->read(pm->r[i].opaque, off, size);
    uint32_t v = 0;
    memcpy(&v, pm->r[i].host + off, size);
    return v;
}

void physmap_write(physmap *pm, uint32_t paddr, uint32_t value, unsigned size)
{
    int i = find(pm, paddr);
    if (i < 0 || pm->r[i].rom)
        return;
    uint32_t off = paddr - pm->r[i].base;
    if (pm->r[i].ops)
        pm->r[i].ops->write(pm->r[i].opaque, off, value, size);
    else
        memcpy(pm->r[i].host + off, &value, size);
}

uint64_t physmap_generation(const physmap *pm)
{
    return pm->gen;
}
