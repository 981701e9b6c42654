/* What every device shares: the environment it is built in (port space, clock, registry)
 * and its lifecycle hooks (reset, save, load), registered together by its <dev>_init().
 *
 * Saved state is a byte blob per device: a 4-character tag and a version, then the state
 * struct's fields in a fixed order, little-endian. A loader accepts versions up to its own
 * and rejects anything malformed with -EINVAL, leaving the device to be reset. */
#ifndef VIREO_VMM_DEV_DEVREG_H
#define VIREO_VMM_DEV_DEVREG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/clock/vclock.h"
#include "vmm/mem/iobus.h"

/* A growable write buffer, or a bounded read cursor over borrowed bytes. Errors stick:
 * after one failed get or put, every later call is a no-op and `error` holds -errno. */
typedef struct dev_blob {
    uint8_t *data;
    size_t len, cap, pos;
    int error;
    bool reading;
} dev_blob;

void dev_blob_init(dev_blob *b);
void dev_blob_init_read(dev_blob *b, const uint8_t *data, size_t len);
void dev_blob_free(dev_blob *b);

void dev_put_u8(dev_blob *b, uint8_t v);
void dev_put_u16(dev_blob *b, uint16_t v);
void dev_put_u32(dev_blob *b, uint32_t v);
void dev_put_u64(dev_blob *b, uint64_t v);
void dev_put_bool(dev_blob *b, bool v);
void dev_put_bytes(dev_blob *b, const void *src, size_t n);
uint8_t dev_get_u8(dev_blob *b);
uint16_t dev_get_u16(dev_blob *b);
uint32_t dev_get_u32(dev_blob *b);
uint64_t dev_get_u64(dev_blob *b);
bool dev_get_bool(dev_blob *b);
void dev_get_bytes(dev_blob *b, void *dst, size_t n);

void dev_put_header(dev_blob *b, const char tag[4], uint32_t version);
/* Returns the version (1..max_version), or -EINVAL for a wrong tag or version. */
int dev_get_header(dev_blob *b, const char tag[4], uint32_t max_version);

/* A timer's state: armed flag and absolute deadline. dev_get_vtimer re-arms it. */
void dev_put_vtimer(dev_blob *b, const vtimer *t);
void dev_get_vtimer(dev_blob *b, vtimer *t);

typedef struct dev_ops {
    const char *name;
    void (*reset)(void *opaque);
    int (*save)(void *opaque, dev_blob *b);
    int (*load)(void *opaque, dev_blob *b);
} dev_ops;

#define DEVREG_MAX 64

typedef struct dev_registry {
    struct {
        const dev_ops *ops;
        void *opaque;
    } dev[DEVREG_MAX];
    int count;
} dev_registry;

/* Everything a device's init needs from the machine. `reg` may be NULL. */
typedef struct dev_env {
    iobus *io;
    vclock *clock;
    dev_registry *reg;
} dev_env;

/* What devices ask of the machine: gate A20 (port 0x92, the i8042 output port; the machine
 * ORs the sources) and reset (port 0x92, 0xCF9, the i8042 pulse). Either may be NULL. */
typedef struct dev_machine_cb {
    void (*set_a20)(void *opaque, bool enabled);
    void (*request_reset)(void *opaque);
    void *opaque;
} dev_machine_cb;

static inline void dev_machine_set_a20(const dev_machine_cb *cb, bool enabled)
{
    if (cb->set_a20)
        cb->set_a20(cb->opaque, enabled);
}

static inline void dev_machine_reset(const dev_machine_cb *cb)
{
    if (cb->request_reset)
        cb->request_reset(cb->opaque);
}

void devreg_init(dev_registry *reg);
/* Returns 0, or -ENOSPC when full. A NULL registry accepts and ignores. */
int devreg_add(dev_registry *reg, const dev_ops *ops, void *opaque);
void devreg_remove(dev_registry *reg, void *opaque);
/* Reset every device in registration order. */
void devreg_reset_all(dev_registry *reg);
/* Every device's blob, each prefixed by its name and length. Returns 0 or -errno. */
int devreg_save_all(dev_registry *reg, dev_blob *out);
/* Load what devreg_save_all wrote. Returns 0, -ENOENT naming no device, -EINVAL if
 * malformed. A device missing from the blob is reset. On failure, devices before the bad
 * one hold loaded state: the caller resets the machine. */
int devreg_load_all(dev_registry *reg, const uint8_t *data, size_t len);

/* Register ports and the lifecycle hooks in one step; on failure nothing stays registered.
 * Returns 0 or -errno from iobus_register. */
typedef struct dev_port_range {
    uint16_t first;
    unsigned count;
    io_read_fn read;
    io_write_fn write;
} dev_port_range;

int dev_register(const dev_env *env, const dev_port_range *ranges, int nranges, const dev_ops *ops,
                 void *opaque);
void dev_unregister(const dev_env *env, const dev_port_range *ranges, int nranges, void *opaque);

#endif
