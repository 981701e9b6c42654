/* fw_cfg: item store, file directory, and the port interface. */
#include "vmm/dev/fw_cfg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define FW_CFG_KEY_WRITE      0x4000
#define FW_CFG_ID_TRADITIONAL 0x01

static fw_cfg_item *fw_cfg_item_for(fw_cfg *s, uint16_t key)
{
    unsigned idx = key & 0x3FFF;
    if (key & FW_CFG_ARCH_LOCAL)
        return idx < FW_CFG_ARCH_MAX ? &s->arch[idx] : NULL;
    return idx < FW_CFG_FILE_FIRST + FW_CFG_MAX_FILES ? &s->items[idx] : NULL;
}

static int fw_cfg_store(fw_cfg_item *it, const void *data, uint32_t len)
{
    uint8_t *copy = NULL;
    if (len > FW_CFG_ITEM_MAX)
        return -EINVAL;
    if (len) {
        copy = malloc(len);
        if (!copy)
            return -ENOMEM;
        memcpy(copy, data, len);
    }
    free(it->data);
    it->data = copy;
    it->len = len;
    return 0;
}

int fw_cfg_add_bytes(fw_cfg *s, uint16_t key, const void *data, uint32_t len)
{
    fw_cfg_item *it = fw_cfg_item_for(s, key);
    bool numbered = (key & FW_CFG_ARCH_LOCAL) || (key & 0x3FFF) < FW_CFG_FILE_DIR;
    if (!it || (key & FW_CFG_KEY_WRITE) || !numbered)
        return -EINVAL;
    return fw_cfg_store(it, data, len);
}

static int fw_cfg_add_le(fw_cfg *s, uint16_t key, uint64_t v, unsigned n)
{
    uint8_t buf[8];
    for (unsigned i = 0; i < n; i++)
        buf[i] = (uint8_t)(v >> (8 * i));
    return fw_cfg_add_bytes(s, key, buf, n);
}

int fw_cfg_add_i16(fw_cfg *s, uint16_t key, uint16_t v)
{
    return fw_cfg_add_le(s, key, v, 2);
}

int fw_cfg_add_i32(fw_cfg *s, uint16_t key, uint32_t v)
{
    return fw_cfg_add_le(s, key, v, 4);
}

int fw_cfg_add_i64(fw_cfg *s, uint16_t key, uint64_t v)
{
    return fw_cfg_add_le(s, key, v, 8);
}

static void put_be(uint8_t *p, uint32_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

/* Rebuild the directory item from the file table. */
static int fw_cfg_rebuild_dir(fw_cfg *s)
{
    uint32_t len = 4 + (uint32_t)s->nfiles * (8 + FW_CFG_NAME_MAX);
    uint8_t *dir = calloc(1, len);
    if (!dir)
        return -ENOMEM;
    put_be(dir, (uint32_t)s->nfiles, 4);
    for (int i = 0; i < s->nfiles; i++) {
        uint8_t *e = dir + 4 + (size_t)i * (8 + FW_CFG_NAME_MAX);
        put_be(e, s->items[FW_CFG_FILE_FIRST + i].len, 4);
        put_be(e + 4, (uint32_t)(FW_CFG_FILE_FIRST + i), 2);
        memcpy(e + 8, s->names[i], FW_CFG_NAME_MAX);
    }
    free(s->items[FW_CFG_FILE_DIR].data);
    s->items[FW_CFG_FILE_DIR].data = dir;
    s->items[FW_CFG_FILE_DIR].len = len;
    return 0;
}

int fw_cfg_find_file(const fw_cfg *s, const char *name)
{
    for (int i = 0; i < s->nfiles; i++)
        if (strncmp(s->names[i], name, FW_CFG_NAME_MAX) == 0)
            return FW_CFG_FILE_FIRST + i;
    return -ENOENT;
}

int fw_cfg_add_file(fw_cfg *s, const char *name, const void *data, uint32_t len)
{
    size_t nlen = strlen(name);
    if (nlen == 0 || nlen >= FW_CFG_NAME_MAX)
        return -EINVAL;
    int key = fw_cfg_find_file(s, name);
    if (key < 0) {
        if (s->nfiles >= FW_CFG_MAX_FILES)
            return -ENOSPC;
        key = FW_CFG_FILE_FIRST + s->nfiles;
    }
    int r = fw_cfg_store(&s->items[key], data, len);
    if (r < 0)
        return r;
    if (key == FW_CFG_FILE_FIRST + s->nfiles) {
        memset(s->names[s->nfiles], 0, FW_CFG_NAME_MAX);
        memcpy(s->names[s->nfiles], name, nlen);
        s->nfiles++;
    }
    r = fw_cfg_rebuild_dir(s);
    return r < 0 ? r : key;
}

int fw_cfg_set_e820(fw_cfg *s, const fw_cfg_e820 *entries, unsigned n)
{
    if (n > 128)
        return -EINVAL;
    uint8_t buf[128 * 20];
    for (unsigned i = 0; i < n; i++) {
        uint8_t *p = buf + 20 * i;
        for (int b = 0; b < 8; b++) {
            p[b] = (uint8_t)(entries[i].addr >> (8 * b));
            p[8 + b] = (uint8_t)(entries[i].len >> (8 * b));
        }
        for (int b = 0; b < 4; b++)
            p[16 + b] = (uint8_t)(entries[i].type >> (8 * b));
    }
    return fw_cfg_add_file(s, "etc/e820", buf, 20 * n);
}

static uint8_t fw_cfg_read_byte(fw_cfg *s)
{
    fw_cfg_item *it = fw_cfg_item_for(s, s->selector);
    if (!it || s->offset >= it->len)
        return 0;
    return it->data[s->offset++];
}

static uint32_t fw_cfg_port_read(void *opaque, uint16_t port, unsigned size)
{
    fw_cfg *s = opaque;
    if (port == 0x510)
        return s->selector;
    uint32_t v = 0;
    for (unsigned i = 0; i < size && i < 4; i++)
        v |= (uint32_t)fw_cfg_read_byte(s) << (8 * i);
    return v;
}

static void fw_cfg_port_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    fw_cfg *s = opaque;
    if (port == 0x510) {
        s->selector = (uint16_t)value;
        s->offset = 0;
    }
    /* data writes: the guest may not change configuration */
}

void fw_cfg_reset(fw_cfg *s)
{
    s->selector = 0;
    s->offset = 0;
}

static void fw_cfg_reset_cb(void *opaque)
{
    fw_cfg_reset(opaque);
}

int fw_cfg_save(const fw_cfg *s, dev_blob *b)
{
    dev_put_header(b, "FWCF", 1);
    dev_put_u16(b, s->selector);
    dev_put_u32(b, s->offset);
    return b->error;
}

int fw_cfg_load(fw_cfg *s, dev_blob *b)
{
    if (dev_get_header(b, "FWCF", 1) < 0)
        return -EINVAL;
    uint16_t sel = dev_get_u16(b);
    uint32_t off = dev_get_u32(b);
    if (b->error)
        return -EINVAL;
    s->selector = sel;
    s->offset = off; /* reads bounds-check against the item, so any value is safe */
    return 0;
}

static int fw_cfg_save_cb(void *opaque, dev_blob *b)
{
    return fw_cfg_save(opaque, b);
}

static int fw_cfg_load_cb(void *opaque, dev_blob *b)
{
    return fw_cfg_load(opaque, b);
}

static const dev_ops fw_cfg_ops = {"fw_cfg", fw_cfg_reset_cb, fw_cfg_save_cb, fw_cfg_load_cb};
static const dev_port_range fw_cfg_ports[] = {{0x510, 2, fw_cfg_port_read, fw_cfg_port_write}};

static int fw_cfg_defaults(fw_cfg *s)
{
    static const uint8_t zero16[16];
    int r = 0;
    r |= fw_cfg_add_bytes(s, FW_CFG_SIGNATURE, "QEMU", 4);
    r |= fw_cfg_add_i32(s, FW_CFG_ID, FW_CFG_ID_TRADITIONAL);
    r |= fw_cfg_add_bytes(s, FW_CFG_UUID, zero16, 16);
    r |= fw_cfg_add_i64(s, FW_CFG_RAM_SIZE, 0);
    r |= fw_cfg_add_i16(s, FW_CFG_NOGRAPHIC, 0);
    r |= fw_cfg_add_i16(s, FW_CFG_NB_CPUS, 1);
    r |= fw_cfg_add_i16(s, FW_CFG_MAX_CPUS, 1);
    r |= fw_cfg_add_i16(s, FW_CFG_BOOT_MENU, 0);
    r |= fw_cfg_add_i64(s, FW_CFG_NUMA, 0);
    static const uint16_t zero_keys[] = {
        FW_CFG_KERNEL_ADDR,  FW_CFG_KERNEL_SIZE, FW_CFG_KERNEL_ENTRY,
        FW_CFG_INITRD_ADDR,  FW_CFG_INITRD_SIZE, FW_CFG_CMDLINE_ADDR,
        FW_CFG_CMDLINE_SIZE, FW_CFG_SETUP_ADDR,  FW_CFG_SETUP_SIZE};
    for (unsigned i = 0; i < sizeof(zero_keys) / sizeof(zero_keys[0]); i++)
        r |= fw_cfg_add_i32(s, zero_keys[i], 0);
    r |= fw_cfg_add_i16(s, FW_CFG_ACPI_TABLES, 0);
    r |= fw_cfg_add_i16(s, FW_CFG_SMBIOS_ENTRIES, 0);
    r |= fw_cfg_add_i32(s, FW_CFG_IRQ0_OVERRIDE, 1);
    r |= fw_cfg_add_i32(s, FW_CFG_E820_TABLE, 0);
    r |= fw_cfg_rebuild_dir(s);
    return r ? -ENOMEM : 0;
}

static void fw_cfg_free_items(fw_cfg *s)
{
    for (unsigned i = 0; i < sizeof(s->items) / sizeof(s->items[0]); i++) {
        free(s->items[i].data);
        s->items[i] = (fw_cfg_item){0};
    }
    for (unsigned i = 0; i < FW_CFG_ARCH_MAX; i++) {
        free(s->arch[i].data);
        s->arch[i] = (fw_cfg_item){0};
    }
    s->nfiles = 0;
}

int fw_cfg_init(fw_cfg *s, const dev_env *env)
{
    memset(s, 0, sizeof(*s));
    int r = fw_cfg_defaults(s);
    if (r == 0)
        r = dev_register(env, fw_cfg_ports, 1, &fw_cfg_ops, s);
    if (r < 0)
        fw_cfg_free_items(s);
    return r;
}

void fw_cfg_fini(fw_cfg *s, const dev_env *env)
{
    dev_unregister(env, fw_cfg_ports, 1, s);
    fw_cfg_free_items(s);
}
