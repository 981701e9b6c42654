/* Debug log and exit ports. Stateless: nothing to save beyond the header. */
#include "vmm/dev/debugport.h"

#include <errno.h>

static uint32_t debugport_read(void *opaque, uint16_t port, unsigned size)
{
    return port == 0xF4 ? 0 : 0xE9;
}

static void debugport_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    debugport *s = opaque;
    if (port != 0xF4) {
        if (s->log)
            s->log(s->opaque, port, (uint8_t)value);
        return;
    }
    uint32_t v = size >= 4 ? value : value & ((1u << (8 * size)) - 1);
    if (s->exit)
        s->exit(s->opaque, (int)((v << 1) | 1));
}

static int debugport_save_cb(void *opaque, dev_blob *b)
{
    dev_put_header(b, "DBGP", 1);
    return b->error;
}

static int debugport_load_cb(void *opaque, dev_blob *b)
{
    return dev_get_header(b, "DBGP", 1) < 0 ? -EINVAL : 0;
}

static const dev_ops debugport_ops = {"debugport", NULL, debugport_save_cb, debugport_load_cb};
static const dev_port_range debugport_ports[] = {
    {0x402, 1, debugport_read, debugport_write},
    {0xE9, 1, debugport_read, debugport_write},
    {0xF4, 1, debugport_read, debugport_write},
};

int debugport_init(debugport *s, const dev_env *env,
                   void (*log)(void *opaque, uint16_t port, uint8_t byte),
                   void (*exit)(void *opaque, int code), void *opaque)
{
    *s = (debugport){.log = log, .exit = exit, .opaque = opaque};
    return dev_register(env, debugport_ports, 3, &debugport_ops, s);
}

void debugport_fini(debugport *s, const dev_env *env)
{
    dev_unregister(env, debugport_ports, 3, s);
}
