/* The x86 I/O port space (64 Ki ports). Devices register handlers for port ranges; the CPU
 * calls iobus_in/iobus_out for IN, OUT, INS and OUTS after its permission checks.
 * Unclaimed ports read as all ones and ignore writes. */
#ifndef VIREO_VMM_MEM_IOBUS_H
#define VIREO_VMM_MEM_IOBUS_H

#include <stdint.h>

typedef struct iobus iobus;

/* size is 1, 2 or 4. A handler that does not implement a size may split or ignore it. */
typedef uint32_t (*io_read_fn)(void *opaque, uint16_t port, unsigned size);
typedef void (*io_write_fn)(void *opaque, uint16_t port, uint32_t value, unsigned size);

iobus *iobus_new(void);
void iobus_free(iobus *bus);

/* Claim ports [first, first+count). Returns 0, or -EBUSY if any port is already claimed,
 * -EINVAL if the range wraps past 0xFFFF. Either callback may be NULL. */
int iobus_register(iobus *bus, uint16_t first, unsigned count, io_read_fn read,
                   io_write_fn write, void *opaque);
void iobus_unregister(iobus *bus, uint16_t first, unsigned count);

uint32_t iobus_in(iobus *bus, uint16_t port, unsigned size);
void iobus_out(iobus *bus, uint16_t port, uint32_t value, unsigned size);

#endif
