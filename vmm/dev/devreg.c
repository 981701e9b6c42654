/* Device lifecycle registry and the saved-state byte blob. */
#include "vmm/dev/devreg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void dev_blob_init(dev_blob *b)
{
    memset(b, 0, sizeof(*b));
}

void dev_blob_init_read(dev_blob *b, const uint8_t *data, size_t len)
{
    memset(b, 0, sizeof(*b));
    b->data = (uint8_t *)data;
    b->len = len;
    b->reading = true;
}

void dev_blob_free(dev_blob *b)
{
    if (!b->reading)
        free(b->data);
    memset(b, 0, sizeof(*b));
}

void dev_put_bytes(dev_blob *b, const void *src, size_t n)
{
    if (b->error || b->reading) {
        b->error = b->error ? b->error : -EINVAL;
        return;
    }
    if (n > b->cap - b->len) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap - b->len < n)
            cap *= 2;
        uint8_t *p = realloc(b->data, cap);
        if (!p) {
            b->error = -ENOMEM;
            return;
        }
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, src, n);
    b->len += n;
}

void dev_get_bytes(dev_blob *b, void *dst, size_t n)
{
    if (b->error || !b->reading || n > b->len - b->pos) {
        b->error = b->error ? b->error : -EINVAL;
        memset(dst, 0, n);
        return;
    }
    memcpy(dst, b->data + b->pos, n);
    b->pos += n;
}

static void dev_put_le(dev_blob *b, uint64_t v, unsigned n)
{
    uint8_t buf[8];
    for (unsigned i = 0; i < n; i++)
        buf[i] = (uint8_t)(v >> (8 * i));
    dev_put_bytes(b, buf, n);
}

static uint64_t dev_get_le(dev_blob *b, unsigned n)
{
    uint8_t buf[8];
    uint64_t v = 0;
    dev_get_bytes(b, buf, n);
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)buf[i] << (8 * i);
    return v;
}

void dev_put_u8(dev_blob *b, uint8_t v)
{
    dev_put_le(b, v, 1);
}
void dev_put_u16(dev_blob *b, uint16_t v)
{
    dev_put_le(b, v, 2);
}
void dev_put_u32(dev_blob *b, uint32_t v)
{
    dev_put_le(b, v, 4);
}
void dev_put_u64(dev_blob *b, uint64_t v)
{
    dev_put_le(b, v, 8);
}
void dev_put_bool(dev_blob *b, bool v)
{
    dev_put_le(b, v ? 1 : 0, 1);
}
uint8_t dev_get_u8(dev_blob *b)
{
    return (uint8_t)dev_get_le(b, 1);
}
uint16_t dev_get_u16(dev_blob *b)
{
    return (uint16_t)dev_get_le(b, 2);
}
uint32_t dev_get_u32(dev_blob *b)
{
    return (uint32_t)dev_get_le(b, 4);
}
uint64_t dev_get_u64(dev_blob *b)
{
    return dev_get_le(b, 8);
}

bool dev_get_bool(dev_blob *b)
{
    uint8_t v = dev_get_u8(b);
    if (v > 1 && !b->error)
        b->error = -EINVAL;
    return v == 1;
}

void dev_put_header(dev_blob *b, const char tag[4], uint32_t version)
{
    dev_put_bytes(b, tag, 4);
    dev_put_u32(b, version);
}

int dev_get_header(dev_blob *b, const char tag[4], uint32_t max_version)
{
    char got[4];
    dev_get_bytes(b, got, 4);
    uint32_t version = dev_get_u32(b);
    if (b->error || memcmp(got, tag, 4) != 0 || version == 0 || version > max_version)
        return -EINVAL;
    return (int)version;
}

void dev_put_vtimer(dev_blob *b, const vtimer *t)
{
    dev_put_bool(b, t->armed);
    dev_put_u64(b, t->armed ? t->deadline : 0);
}

void dev_get_vtimer(dev_blob *b, vtimer *t)
{
    bool armed = dev_get_bool(b);
    uint64_t deadline = dev_get_u64(b);
    if (b->error)
        return;
    if (armed)
        vtimer_mod(t, deadline);
    else
        vtimer_del(t);
}

void devreg_init(dev_registry *reg)
{
    memset(reg, 0, sizeof(*reg));
}

int devreg_add(dev_registry *reg, const dev_ops *ops, void *opaque)
{
    if (!reg)
        return 0;
    if (reg->count >= DEVREG_MAX)
        return -ENOSPC;
    reg->dev[reg->count].ops = ops;
    reg->dev[reg->count].opaque = opaque;
    reg->count++;
    return 0;
}

void devreg_remove(dev_registry *reg, void *opaque)
{
    if (!reg)
        return;
    for (int i = 0; i < reg->count; i++) {
        if (reg->dev[i].opaque == opaque) {
            memmove(&reg->dev[i], &reg->dev[i + 1],
                    (size_t)(reg->count - i - 1) * sizeof(reg->dev[0]));
            reg->count--;
            return;
        }
    }
}

void devreg_reset_all(dev_registry *reg)
{
    for (int i = 0; i < reg->count; i++)
        if (reg->dev[i].ops->reset)
            reg->dev[i].ops->reset(reg->dev[i].opaque);
}

int devreg_save_all(dev_registry *reg, dev_blob *out)
{
    dev_put_u32(out, (uint32_t)reg->count);
    for (int i = 0; i < reg->count && !out->error; i++) {
        const dev_ops *ops = reg->dev[i].ops;
        dev_blob one;
        dev_blob_init(&one);
        int r = ops->save ? ops->save(reg->dev[i].opaque, &one) : 0;
        if (r == 0)
            r = one.error;
        if (r < 0) {
            dev_blob_free(&one);
            return r;
        }
        size_t nlen = strlen(ops->name);
        dev_put_u16(out, (uint16_t)nlen);
        dev_put_bytes(out, ops->name, nlen);
        dev_put_u32(out, (uint32_t)one.len);
        if (one.len)
            dev_put_bytes(out, one.data, one.len);
        dev_blob_free(&one);
    }
    return out->error;
}

static int devreg_find(dev_registry *reg, const char *name, size_t nlen)
{
    for (int i = 0; i < reg->count; i++) {
        const char *n = reg->dev[i].ops->name;
        if (strlen(n) == nlen && memcmp(n, name, nlen) == 0)
            return i;
    }
    return -1;
}

int devreg_load_all(dev_registry *reg, const uint8_t *data, size_t len)
{
    dev_blob in;
    bool seen[DEVREG_MAX] = {false};
    dev_blob_init_read(&in, data, len);
    uint32_t n = dev_get_u32(&in);
    for (uint32_t k = 0; k < n && !in.error; k++) {
        char name[256];
        uint16_t nlen = dev_get_u16(&in);
        if (nlen >= sizeof(name))
            return -EINVAL;
        dev_get_bytes(&in, name, nlen);
        uint32_t blen = dev_get_u32(&in);
        if (in.error || blen > in.len - in.pos)
            return -EINVAL;
        int i = devreg_find(reg, name, nlen);
        if (i < 0)
            return -ENOENT;
        dev_blob one;
        dev_blob_init_read(&one, in.data + in.pos, blen);
        in.pos += blen;
        const dev_ops *ops = reg->dev[i].ops;
        int r = ops->load ? ops->load(reg->dev[i].opaque, &one) : 0;
        if (r < 0)
            return r;
        seen[i] = true;
    }
    if (in.error)
        return -EINVAL;
    for (int i = 0; i < reg->count; i++)
        if (!seen[i] && reg->dev[i].ops->reset)
            reg->dev[i].ops->reset(reg->dev[i].opaque);
    return 0;
}

int dev_register(const dev_env *env, const dev_port_range *ranges, int nranges, const dev_ops *ops,
                 void *opaque)
{
    int i, r = 0;
    for (i = 0; i < nranges; i++) {
        r = iobus_register(env->io, ranges[i].first, ranges[i].count, ranges[i].read,
                           ranges[i].write, opaque);
        if (r < 0)
            break;
    }
    if (r == 0)
        r = devreg_add(env->reg, ops, opaque);
    if (r < 0) {
        for (int j = 0; j < i; j++)
            iobus_unregister(env->io, ranges[j].first, ranges[j].count);
        return r;
    }
    return 0;
}

void dev_unregister(const dev_env *env, const dev_port_range *ranges, int nranges, void *opaque)
{
    for (int i = 0; i < nranges; i++)
        iobus_unregister(env->io, ranges[i].first, ranges[i].count);
    devreg_remove(env->reg, opaque);
}
