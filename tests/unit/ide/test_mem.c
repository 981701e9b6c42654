/* Test-only guest address spaces with the semantics of vmm/mem/iobus.h and physmap.h that
 * the IDE needs: a flat port table, and RAM regions for DMA copies (anything else -EFAULT).
 * Used while the real vmm/mem is absent from the tree. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/mem/iobus.h"
#include "vmm/mem/physmap.h"

struct iobus {
    struct {
        io_read_fn read;
        io_write_fn write;
        void *opaque;
        bool used;
    } port[65536];
};

iobus *iobus_new(void)
{
    return calloc(1, sizeof(iobus));
}

void iobus_free(iobus *bus)
{
    free(bus);
}

int iobus_register(iobus *bus, uint16_t first, unsigned count, io_read_fn read, io_write_fn write,
                   void *opaque)
{
    if (count == 0 || first + count > 65536u)
        return -EINVAL;
    for (unsigned i = 0; i < count; i++)
        if (bus->port[first + i].used)
            return -EBUSY;
    for (unsigned i = 0; i < count; i++)
        bus->port[first + i] = (typeof(bus->port[0])){read, write, opaque, true};
    return 0;
}

void iobus_unregister(iobus *bus, uint16_t first, unsigned count)
{
    for (unsigned i = 0; i < count && first + i < 65536u; i++)
        bus->port[first + i].used = false;
}

uint32_t iobus_in(iobus *bus, uint16_t port, unsigned size)
{
    uint32_t ones = size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
    if (!bus->port[port].used || !bus->port[port].read)
        return ones;
    return bus->port[port].read(bus->port[port].opaque, port, size) & ones;
}

void iobus_out(iobus *bus, uint16_t port, uint32_t value, unsigned size)
{
    if (bus->port[port].used && bus->port[port].write)
        bus->port[port].write(bus->port[port].opaque, port, value, size);
}

#define MAX_RAM 8

struct physmap {
    struct {
        uint32_t base, size;
        uint8_t *host;
    } ram[MAX_RAM];
    int n;
};

physmap *physmap_new(void)
{
    return calloc(1, sizeof(physmap));
}

void physmap_free(physmap *pm)
{
    free(pm);
}

int physmap_add_ram(physmap *pm, uint32_t base, uint32_t size, uint8_t *host)
{
    if (pm->n == MAX_RAM || (base | size) & (PHYS_PAGE_SIZE - 1))
        return -EINVAL;
    pm->ram[pm->n].base = base;
    pm->ram[pm->n].size = size;
    pm->ram[pm->n].host = host;
    pm->n++;
    return 0;
}

static uint8_t *physmap_ram(physmap *pm, uint32_t paddr, size_t len)
{
    for (int i = 0; i < pm->n; i++) {
        uint64_t off = (uint64_t)paddr - pm->ram[i].base;
        if (paddr >= pm->ram[i].base && off + len <= pm->ram[i].size)
            return pm->ram[i].host + off;
    }
    return NULL;
}

int physmap_copy_to_guest(physmap *pm, uint32_t paddr, const void *src, size_t len)
{
    uint8_t *p = physmap_ram(pm, paddr, len);
    if (!p)
        return -EFAULT;
    memcpy(p, src, len);
    return 0;
}

int physmap_copy_from_guest(physmap *pm, uint32_t paddr, void *dst, size_t len)
{
    uint8_t *p = physmap_ram(pm, paddr, len);
    if (!p)
        return -EFAULT;
    memcpy(dst, p, len);
    return 0;
}
