/* Port 0x92. */
#include "vmm/dev/port92.h"

#include <errno.h>

static uint32_t port92_read(void *opaque, uint16_t port, unsigned size)
{
    port92 *s = opaque;
    return s->value;
}

static void port92_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    port92 *s = opaque;
    uint8_t old = s->value;
    s->value = (uint8_t)value & 0x03;
    if ((old ^ s->value) & 0x02)
        dev_machine_set_a20(&s->cb, s->value & 0x02);
    if (!(old & 0x01) && (s->value & 0x01))
        dev_machine_reset(&s->cb);
}

void port92_reset(port92 *s)
{
    s->value = 0;
}

static void port92_reset_cb(void *opaque)
{
    port92_reset(opaque);
}

int port92_save(const port92 *s, dev_blob *b)
{
    dev_put_header(b, "P92 ", 1);
    dev_put_u8(b, s->value);
    return b->error;
}

int port92_load(port92 *s, dev_blob *b)
{
    if (dev_get_header(b, "P92 ", 1) < 0)
        return -EINVAL;
    uint8_t v = dev_get_u8(b);
    if (b->error)
        return -EINVAL;
    s->value = v & 0x03;
    return 0;
}

static int port92_save_cb(void *opaque, dev_blob *b)
{
    return port92_save(opaque, b);
}

static int port92_load_cb(void *opaque, dev_blob *b)
{
    return port92_load(opaque, b);
}

static const dev_ops port92_ops = {"port92", port92_reset_cb, port92_save_cb, port92_load_cb};
static const dev_port_range port92_ports[] = {{0x92, 1, port92_read, port92_write}};

int port92_init(port92 *s, const dev_env *env, dev_machine_cb cb)
{
    *s = (port92){.cb = cb};
    return dev_register(env, port92_ports, 1, &port92_ops, s);
}

void port92_fini(port92 *s, const dev_env *env)
{
    dev_unregister(env, port92_ports, 1, s);
}
