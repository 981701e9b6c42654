/* Test-only port bus: a flat table with the semantics of vmm/mem/iobus.h (unclaimed ports
 * read all ones, claims never overlap). Used while the real vmm/mem/iobus.c is absent. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "vmm/mem/iobus.h"

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
    for (unsigned i = 0; i < count; i++) {
        bus->port[first + i].read = read;
        bus->port[first + i].write = write;
        bus->port[first + i].opaque = opaque;
        bus->port[first + i].used = true;
    }
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
