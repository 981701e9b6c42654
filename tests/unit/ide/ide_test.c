/* IDE test fixture. */
#include "ide_test.h"

#include <stdio.h>
#include <string.h>

static void idet_irq(void *opaque, int n, bool level)
{
    idet *t = opaque;
    int i = n == 14 ? 0 : 1;
    if (level && !t->irq[i])
        t->raises[i]++;
    t->irq[i] = level;
}

uint32_t pci_cfg_read(idet *t, int reg, unsigned size)
{
    iobus_out(t->io, 0xCF8, 0x80000000u | 1u << 11 | 1u << 8 | (uint32_t)(reg & 0xFC), 4);
    return iobus_in(t->io, (uint16_t)(0xCFC + (reg & 3)), size);
}

void pci_cfg_write(idet *t, int reg, uint32_t v, unsigned size)
{
    iobus_out(t->io, 0xCF8, 0x80000000u | 1u << 11 | 1u << 8 | (uint32_t)(reg & 0xFC), 4);
    iobus_out(t->io, (uint16_t)(0xCFC + (reg & 3)), v, size);
}

idet *idet_new(void)
{
    idet *t = calloc(1, sizeof(*t));
    ck_assert_ptr_nonnull(t);
    t->io = iobus_new();
    t->pm = physmap_new();
    t->ram = calloc(1, IDET_RAM);
    ck_assert_ptr_nonnull(t->ram);
    ck_assert_int_eq(physmap_add_ram(t->pm, 0, IDET_RAM, t->ram), 0);
    devreg_init(&t->reg);
    t->env = (dev_env){.io = t->io, .reg = &t->reg};
    ck_assert_int_eq(pci_bus_init(&t->bus, &t->env), 0);
    ck_assert_int_eq(piix3_init(&t->isa, &t->bus, &t->env, NULL, NULL, (dev_machine_cb){0}), 0);
    irq_line irq[2] = {{idet_irq, t, 14}, {idet_irq, t, 15}};
    ck_assert_int_eq(ide_init(&t->ide, &t->bus, &t->env, t->pm, irq), 0);
    pci_cfg_write(t, 0x20, IDET_BM | 1, 4); /* BAR 4 */
    pci_cfg_write(t, 0x04, 0x0005, 2);      /* I/O space, bus master */
    snprintf(t->dir, sizeof(t->dir), "/tmp/vireo-ide-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(t->dir));
    return t;
}

void idet_free(idet *t)
{
    ide_fini(&t->ide, &t->bus, &t->env);
    piix3_fini(&t->isa, &t->env);
    pci_bus_fini(&t->bus, &t->env);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%.60s'", t->dir);
    ck_assert_int_eq(system(cmd), 0);
    physmap_free(t->pm);
    iobus_free(t->io);
    free(t->ram);
    free(t);
}

const char *idet_path(idet *t, const char *name)
{
    static char buf[4][256];
    static int n;
    char *b = buf[n++ % 4];
    snprintf(b, 256, "%s/%s", t->dir, name);
    return b;
}

void idet_fill(uint8_t *buf, size_t len, uint32_t seed, uint64_t offset)
{
    for (size_t i = 0; i < len; i++) {
        uint64_t x = (offset + i) * 0x9E3779B97F4A7C15ull + seed * 0xBF58476D1CE4E5B9ull;
        buf[i] = (uint8_t)((x >> 29) ^ (x >> 47) ^ 1);
    }
}

img *idet_image(idet *t, const char *name, img_format fmt, uint64_t size, uint32_t seed)
{
    img *im = NULL;
    img_err err = {{0}};
    int r = img_create(idet_path(t, name), fmt, size, IMG_VARIANT_DYNAMIC, NULL, &im, &err);
    ck_assert_msg(r == 0, "create %s: %s", name, err.msg);
    if (seed) {
        static uint8_t chunk[1 << 20];
        uint64_t n = size < (8u << 20) ? size : (8u << 20); /* the first 8 MiB */
        for (uint64_t off = 0; off < n; off += sizeof(chunk)) {
            size_t len = n - off < sizeof(chunk) ? (size_t)(n - off) : sizeof(chunk);
            idet_fill(chunk, len, seed, off);
            ck_assert_int_eq(img_write(im, off, chunk, len), 0);
        }
    }
    return im;
}

void ata_lba28(idet *t, uint16_t base, int unit, uint32_t lba, uint8_t count)
{
    out8(t, base + 6, (uint8_t)(0xE0 | unit << 4 | ((lba >> 24) & 0x0F)));
    out8(t, base + 2, count);
    out8(t, base + 3, (uint8_t)lba);
    out8(t, base + 4, (uint8_t)(lba >> 8));
    out8(t, base + 5, (uint8_t)(lba >> 16));
}

void ata_lba48(idet *t, uint16_t base, int unit, uint64_t lba, uint16_t count)
{
    out8(t, base + 6, (uint8_t)(0x40 | unit << 4));
    out8(t, base + 2, (uint8_t)(count >> 8));
    out8(t, base + 3, (uint8_t)(lba >> 24));
    out8(t, base + 4, (uint8_t)(lba >> 32));
    out8(t, base + 5, (uint8_t)(lba >> 40));
    out8(t, base + 2, (uint8_t)count);
    out8(t, base + 3, (uint8_t)lba);
    out8(t, base + 4, (uint8_t)(lba >> 8));
    out8(t, base + 5, (uint8_t)(lba >> 16));
}

uint8_t ata_status(idet *t, uint16_t base)
{
    return in8(t, base + 7);
}

uint8_t ata_altstatus(idet *t, uint16_t base)
{
    return in8(t, base == PRI ? 0x3F6 : 0x376);
}

void ata_pio_read(idet *t, uint16_t base, void *buf, size_t bytes, unsigned width)
{
    uint8_t *p = buf;
    for (size_t i = 0; i < bytes; i += width) {
        uint32_t v = iobus_in(t->io, base, width);
        memcpy(p + i, &v, width);
    }
}

void ata_pio_write(idet *t, uint16_t base, const void *buf, size_t bytes, unsigned width)
{
    const uint8_t *p = buf;
    for (size_t i = 0; i < bytes; i += width) {
        uint32_t v = 0;
        memcpy(&v, p + i, width);
        iobus_out(t->io, base, v, width);
    }
}

void prd_table(idet *t, uint32_t table, const uint32_t *addr, const uint32_t *len, int n)
{
    for (int i = 0; i < n; i++) {
        uint8_t *e = t->ram + table + 8 * i;
        uint32_t l = len[i] == 0x10000 ? 0 : len[i];
        memcpy(e, &addr[i], 4);
        e[4] = (uint8_t)l;
        e[5] = (uint8_t)(l >> 8);
        e[6] = 0;
        e[7] = i == n - 1 ? 0x80 : 0;
    }
}

void bm_start(idet *t, int ch, uint32_t table, bool to_mem)
{
    uint16_t b = (uint16_t)(IDET_BM + 8 * ch);
    iobus_out(t->io, b + 4, table, 4);
    out8(t, b, to_mem ? 0x08 : 0x00);
    out8(t, b, to_mem ? 0x09 : 0x01);
}

uint8_t bm_status(idet *t, int ch)
{
    return in8(t, (uint16_t)(IDET_BM + 8 * ch + 2));
}
