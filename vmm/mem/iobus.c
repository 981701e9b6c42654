/* The I/O port space: a direct table of 64 Ki slots, each pointing at the handler that
 * claimed the port, so IN and OUT cost one index. */
#include "vmm/mem/iobus.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

typedef struct io_slot {
    io_read_fn read;
    io_write_fn write;
    void *opaque;
    bool claimed;
} io_slot;

struct iobus {
    io_slot slots[0x10000];
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
    if (count == 0 || (uint32_t)first + count > 0x10000)
        return -EINVAL;
    for (unsigned k = 0; k < count; k++)
        if (bus->slots[first + k].claimed)
            return -EBUSY;
    for (unsigned k = 0; k < count; k++)
        bus->slots[first + k] = (io_slot){read, write, opaque, true};
    return 0;
}

void iobus_unregister(iobus *bus, uint16_t first, unsigned count)
{
    for (unsigned k = 0; k < count && (uint32_t)first + k < 0x10000; k++)
        bus->slots[first + k] = (io_slot){0};
}

static uint32_t ones(unsigned size)
{
    return size >= 4 ? 0xFFFFFFFFu : (1u << (size * 8)) - 1;
}

uint32_t iobus_in(iobus *bus, uint16_t port, unsigned size)
{
    const io_slot *s = &bus->slots[port];
    if (!s->read)
        return ones(size);
    return s->read(s->opaque, port, size) & ones(size);
}

void iobus_out(iobus *bus, uint16_t port, uint32_t value, unsigned size)
{
    const io_slot *s = &bus->slots[port];
    if (s->write)
        s->write(s->opaque, port, value & ones(size), size);
}
