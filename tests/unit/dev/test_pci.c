/* PCI configuration mechanism #1, the i440FX host bridge and the PIIX3 ISA bridge. */
#include <errno.h>
#include <string.h>

#include "devtest.h"
#include "vmm/dev/i440fx.h"
#include "vmm/dev/piix3.h"
#include "vmm/dev/pic.h"

typedef struct shadow_call {
    uint32_t base, size;
    bool read_ram, write_ram;
} shadow_call;

typedef struct fixture {
    devtest *t;
    pci_bus bus;
    i440fx host;
    piix3 isa;
    pic pic;
    shadow_call calls[64];
    int ncalls;
    int resets;
    bool intr;
} fixture;

static void set_shadow(void *opaque, uint32_t base, uint32_t size, bool read_ram, bool write_ram)
{
    fixture *f = opaque;
    ck_assert_int_lt(f->ncalls, 64);
    f->calls[f->ncalls++] = (shadow_call){base, size, read_ram, write_ram};
}

static void request_reset(void *opaque)
{
    ((fixture *)opaque)->resets++;
}

static void set_intr(void *opaque, bool level)
{
    ((fixture *)opaque)->intr = level;
}

static fixture *setup(void)
{
    fixture *f = calloc(1, sizeof(*f));
    f->t = devtest_new();
    ck_assert_int_eq(pic_init(&f->pic, &f->t->env, set_intr, f), 0);
    ck_assert_int_eq(pci_bus_init(&f->bus, &f->t->env), 0);
    ck_assert_int_eq(i440fx_init(&f->host, &f->bus, &f->t->env, set_shadow, f), 0);
    dev_machine_cb cb = {.request_reset = request_reset, .opaque = f};
    ck_assert_int_eq(piix3_init(&f->isa, &f->bus, &f->t->env, pic_irq_set, &f->pic, cb), 0);
    return f;
}

static void teardown(fixture *f)
{
    piix3_fini(&f->isa, &f->t->env);
    i440fx_fini(&f->host, &f->t->env);
    pci_bus_fini(&f->bus, &f->t->env);
    pic_fini(&f->pic, &f->t->env);
    devtest_free(f->t);
    free(f);
}

static uint32_t cfg_addr(int slot, int fn, int reg)
{
    return 0x80000000u | (uint32_t)slot << 11 | (uint32_t)fn << 8 | (uint32_t)(reg & 0xFC);
}

static uint32_t cfg_read(fixture *f, int slot, int fn, int reg, unsigned size)
{
    iobus_out(f->t->io, 0xCF8, cfg_addr(slot, fn, reg), 4);
    return iobus_in(f->t->io, (uint16_t)(0xCFC + (reg & 3)), size);
}

static void cfg_write(fixture *f, int slot, int fn, int reg, uint32_t v, unsigned size)
{
    iobus_out(f->t->io, 0xCF8, cfg_addr(slot, fn, reg), 4);
    iobus_out(f->t->io, (uint16_t)(0xCFC + (reg & 3)), v, size);
}

START_TEST(test_ids_and_scan)
{
    fixture *f = setup();
    ck_assert_uint_eq(cfg_read(f, 0, 0, 0, 4), 0x12378086);
    ck_assert_uint_eq(cfg_read(f, 0, 0, 0, 2), 0x8086);
    ck_assert_uint_eq(cfg_read(f, 0, 0, 2, 2), 0x1237);
    ck_assert_uint_eq(cfg_read(f, 0, 0, 0x0B, 1), 0x06); /* bridge */
    ck_assert_uint_eq(cfg_read(f, 1, 0, 0, 4), 0x70008086);
    ck_assert_uint_eq(cfg_read(f, 1, 0, 0x08, 4) >> 8, 0x060100);
    ck_assert_uint_eq(cfg_read(f, 1, 0, 0x0E, 1) & 0x80, 0x80);
    /* empty slots, functions and other buses read all ones */
    ck_assert_uint_eq(cfg_read(f, 5, 0, 0, 4), 0xFFFFFFFF);
    ck_assert_uint_eq(cfg_read(f, 0, 3, 0, 4), 0xFFFFFFFF);
    iobus_out(f->t->io, 0xCF8, 0x80010000u, 4);
    ck_assert_uint_eq(iobus_in(f->t->io, 0xCFC, 4), 0xFFFFFFFF);
    /* address register reads back; disabled addresses hit nothing */
    iobus_out(f->t->io, 0xCF8, 0x00000000u, 4);
    ck_assert_uint_eq(iobus_in(f->t->io, 0xCFC, 2), 0xFFFF);
    iobus_out(f->t->io, 0xCF8, 0x80000803u, 4);
    ck_assert_uint_eq(iobus_in(f->t->io, 0xCF8, 4), 0x80000800u);
    /* read-only ids */
    cfg_write(f, 0, 0, 0, 0xDEADBEEF, 4);
    ck_assert_uint_eq(cfg_read(f, 0, 0, 0, 4), 0x12378086);
    teardown(f);
}
END_TEST

START_TEST(test_bar_sizing)
{
    fixture *f = setup();
    pci_device dev;
    memset(&dev, 0, sizeof(dev));
    pci_device_init(&dev, 0x1234, 0x1111, 0x030000, 0x02);
    ck_assert_int_eq(pci_device_set_bar(&dev, 0, 16u << 20, PCI_BAR_MEM_PREF), 0);
    ck_assert_int_eq(pci_device_set_bar(&dev, 1, 0x20, PCI_BAR_IO), 0);
    ck_assert_int_eq(pci_device_set_bar(&dev, 2, 3000, 0), -EINVAL);
    ck_assert_int_eq(pci_device_set_bar(&dev, 6, 4096, 0), -EINVAL);
    ck_assert_int_eq(pci_bus_add(&f->bus, &dev, PCI_DEVFN(2, 0)), 0);
    ck_assert_int_eq(pci_bus_add(&f->bus, &dev, PCI_DEVFN(2, 0)), -EBUSY);
    cfg_write(f, 2, 0, 0x10, 0xFFFFFFFF, 4);
    ck_assert_uint_eq(cfg_read(f, 2, 0, 0x10, 4), 0xFF000008); /* 16 MiB, prefetchable */
    cfg_write(f, 2, 0, 0x14, 0xFFFFFFFF, 4);
    ck_assert_uint_eq(cfg_read(f, 2, 0, 0x14, 4), 0xFFFFFFE1); /* 32 ports, I/O */
    cfg_write(f, 2, 0, 0x18, 0xFFFFFFFF, 4);
    ck_assert_uint_eq(cfg_read(f, 2, 0, 0x18, 4), 0); /* unimplemented BAR */
    cfg_write(f, 2, 0, 0x10, 0xE0000000, 4);
    ck_assert_uint_eq(pci_device_bar(&dev, 0), 0xE0000000);
    cfg_write(f, 2, 0, 0x14, 0xC041, 4);
    ck_assert_uint_eq(pci_device_bar(&dev, 1), 0xC040);
    /* byte-wise writes through the window land at the right offsets */
    cfg_write(f, 2, 0, 0x3C, 0x0B, 1);
    ck_assert_uint_eq(cfg_read(f, 2, 0, 0x3C, 1), 0x0B);
    cfg_write(f, 2, 0, 0x04, 0xFFFF, 2);
    ck_assert_uint_eq(cfg_read(f, 2, 0, 0x04, 2), 0x0547);
    /* status error bits are write-1-to-clear */
    dev.config[0x07] = 0x80;
    cfg_write(f, 2, 0, 0x06, 0x8000, 2);
    ck_assert_uint_eq(cfg_read(f, 2, 0, 0x06, 2), 0x0000);
    /* accesses running off the end of config space stay inside it */
    iobus_out(f->t->io, 0xCF8, cfg_addr(2, 0, 0xFC), 4);
    ck_assert_uint_eq(iobus_in(f->t->io, 0xCFF, 4), 0xFFFFFF00u | dev.config[0xFF]);
    iobus_out(f->t->io, 0xCFF, 0xFFFFFFFF, 4);
    ck_assert_uint_eq(pci_config_read(&dev, 0x100, 4), 0xFFFFFFFF);
    pci_config_write(&dev, 0x1000, 0, 4);
    pci_bus_remove(&f->bus, &dev);
    teardown(f);
}
END_TEST

START_TEST(test_pam_shadow_callbacks)
{
    fixture *f = setup();
    f->ncalls = 0;
    /* SeaBIOS's make_bios_writable: PAM0 = 0x30, PAM1-6 = 0x33 */
    cfg_write(f, 0, 0, 0x59, 0x30, 1);
    ck_assert_int_eq(f->ncalls, 1);
    ck_assert_uint_eq(f->calls[0].base, 0xF0000);
    ck_assert_uint_eq(f->calls[0].size, 0x10000);
    ck_assert(f->calls[0].read_ram && f->calls[0].write_ram);
    f->ncalls = 0;
    cfg_write(f, 0, 0, 0x5A, 0x33333333, 4); /* PAM1-PAM4 in one dword */
    ck_assert_int_eq(f->ncalls, 8);
    ck_assert_uint_eq(f->calls[0].base, 0xC0000);
    ck_assert_uint_eq(f->calls[1].base, 0xC4000);
    ck_assert_uint_eq(f->calls[7].base, 0xDC000);
    ck_assert_uint_eq(f->calls[7].size, 0x4000);
    f->ncalls = 0;
    cfg_write(f, 0, 0, 0x5F, 0x10, 1); /* PAM6 high: read RAM, write to ROM side */
    ck_assert_int_eq(f->ncalls, 1);    /* only the high nibble changed */
    ck_assert_uint_eq(f->calls[0].base, 0xEC000);
    ck_assert(f->calls[0].read_ram && !f->calls[0].write_ram);
    f->ncalls = 0;
    cfg_write(f, 0, 0, 0x5F, 0x10, 1); /* no change, no call */
    ck_assert_int_eq(f->ncalls, 0);
    ck_assert_uint_eq(cfg_read(f, 0, 0, 0x59, 1), 0x30);
    cfg_write(f, 0, 0, 0x59, 0x3F, 1); /* PAM0 low nibble is reserved */
    ck_assert_uint_eq(cfg_read(f, 0, 0, 0x59, 1), 0x30);
    /* SMRAM: stored, base segment fixed, lock is one-way */
    cfg_write(f, 0, 0, 0x72, 0x4A, 1);
    ck_assert_uint_eq(cfg_read(f, 0, 0, 0x72, 1), 0x4A);
    cfg_write(f, 0, 0, 0x72, 0x1F, 1);
    ck_assert_uint_eq(cfg_read(f, 0, 0, 0x72, 1), 0x1A);
    cfg_write(f, 0, 0, 0x72, 0x40, 1);
    ck_assert_uint_eq(cfg_read(f, 0, 0, 0x72, 1), 0x1A);
    /* save, reset (everything back to ROM), load (re-applied) */
    dev_blob b;
    dev_blob_init(&b);
    ck_assert_int_eq(devreg_save_all(&f->t->reg, &b), 0);
    f->ncalls = 0;
    devreg_reset_all(&f->t->reg);
    ck_assert_int_eq(f->ncalls, 13);
    ck_assert(!f->calls[0].read_ram);
    f->ncalls = 0;
    ck_assert_int_eq(devreg_load_all(&f->t->reg, b.data, b.len), 0);
    ck_assert_int_eq(f->ncalls, 13);
    ck_assert(f->calls[0].read_ram && f->calls[0].write_ram);
    ck_assert_uint_eq(cfg_read(f, 0, 0, 0x72, 1), 0x1A);
    for (size_t n = 0; n < b.len; n += 7) {
        f->ncalls = 0;
        ck_assert_int_ne(devreg_load_all(&f->t->reg, b.data, n), 0);
    }
    dev_blob_free(&b);
    teardown(f);
}
END_TEST

START_TEST(test_pirq_routing_level)
{
    fixture *f = setup();
    /* PIC as Linux sets it up */
    outb(f->t, 0x20, 0x11);
    outb(f->t, 0x21, 0x20);
    outb(f->t, 0x21, 0x04);
    outb(f->t, 0x21, 0x01);
    outb(f->t, 0xA0, 0x11);
    outb(f->t, 0xA1, 0x28);
    outb(f->t, 0xA1, 0x02);
    outb(f->t, 0xA1, 0x01);
    outb(f->t, 0x21, 0);
    outb(f->t, 0xA1, 0);
    pci_device dev;
    memset(&dev, 0, sizeof(dev));
    pci_device_init(&dev, 0x1234, 0x2222, 0x020000, 0);
    dev.config[PCI_INTERRUPT_PIN] = 1; /* INTA# */
    ck_assert_int_eq(pci_bus_add(&f->bus, &dev, PCI_DEVFN(3, 0)), 0);
    /* slot 3 INTA -> PIRQD (0x63); route it to IRQ 11, level in the ELCR */
    ck_assert_uint_eq(cfg_read(f, 1, 0, 0x60, 4), 0x80808080);
    cfg_write(f, 1, 0, 0x63, 0x0B, 1);
    outb(f->t, 0x4D1, 0x08);
    pci_device_set_irq(&dev, true);
    ck_assert(f->intr);
    ck_assert_uint_eq(pic_intr_ack(&f->pic), 0x2B);
    outb(f->t, 0xA0, 0x20);
    outb(f->t, 0x20, 0x20);
    ck_assert(f->intr); /* level: still asserted */
    ck_assert_uint_eq(pic_intr_ack(&f->pic), 0x2B);
    pci_device_set_irq(&dev, false);
    outb(f->t, 0xA0, 0x20);
    outb(f->t, 0x20, 0x20);
    ck_assert(!f->intr);
    /* disabled route: nothing reaches the PIC */
    cfg_write(f, 1, 0, 0x63, 0x8B, 1);
    pci_device_set_irq(&dev, true);
    ck_assert(!f->intr);
    /* enabling the route delivers the pending level */
    cfg_write(f, 1, 0, 0x63, 0x0B, 1);
    ck_assert(f->intr);
    pci_device_set_irq(&dev, false);
    /* the master's cascade input latched the edge: the slave answers spurious IRQ 15 */
    ck_assert_uint_eq(pic_intr_ack(&f->pic), 0x2F);
    pci_bus_remove(&f->bus, &dev);
    teardown(f);
}
END_TEST

START_TEST(test_reset_control_cf9)
{
    fixture *f = setup();
    outb(f->t, 0xCF9, 0x02);
    ck_assert_int_eq(f->resets, 0);
    ck_assert_uint_eq(inb(f->t, 0xCF9), 0x02);
    outb(f->t, 0xCF9, 0x06); /* hard reset, as Linux's reboot=pci writes it */
    ck_assert_int_eq(f->resets, 1);
    ck_assert_uint_eq(inb(f->t, 0xCF9), 0x02);
    outb(f->t, 0xCF9, 0x0E);
    ck_assert_int_eq(f->resets, 2);
    /* a dword to 0xCF8 is the config address, not the reset register */
    iobus_out(f->t->io, 0xCF8, 0x80000000u | 0x0400u, 4);
    ck_assert_int_eq(f->resets, 2);
    teardown(f);
}
END_TEST

static Suite *pci_suite(void)
{
    Suite *s = suite_create("pci");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_ids_and_scan);
    tcase_add_test(tc, test_bar_sizing);
    tcase_add_test(tc, test_pam_shadow_callbacks);
    tcase_add_test(tc, test_pirq_routing_level);
    tcase_add_test(tc, test_reset_control_cf9);
    suite_add_tcase(s, tc);
    return s;
}

DEVTEST_MAIN(pci_suite)
