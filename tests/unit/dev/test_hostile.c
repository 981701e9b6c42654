/* Hostile guest: every device of a PC on one bus, hammered with pseudo-random port
 * accesses of every size while time passes, and fed corrupted saved state. Run under
 * ASan/UBSan (scripts/test.sh), any access outside a device's state aborts. Afterwards a
 * machine reset must bring every device back to what a BIOS expects. */
#include <string.h>

#include "devtest.h"
#include "vmm/dev/debugport.h"
#include "vmm/dev/fw_cfg.h"
#include "vmm/dev/i440fx.h"
#include "vmm/dev/i8042.h"
#include "vmm/dev/pic.h"
#include "vmm/dev/piix3.h"
#include "vmm/dev/pit.h"
#include "vmm/dev/port92.h"
#include "vmm/dev/rtc.h"
#include "vmm/dev/uart.h"

typedef struct pc {
    devtest *t;
    pic pic;
    pit pit;
    rtc rtc;
    uart com[4];
    i8042 kbc;
    port92 p92;
    pci_bus pci;
    i440fx nb;
    piix3 sb;
    fw_cfg cfg;
    debugport dbg;
    int resets, exits, shadows;
} pc;

static void nop_intr(void *o, bool l) {}
static void count_reset(void *o)
{
    ((pc *)o)->resets++;
}
static void nop_a20(void *o, bool on) {}
static void count_exit(void *o, int code)
{
    ((pc *)o)->exits++;
}
static void nop_log(void *o, uint16_t port, uint8_t b) {}
static void count_shadow(void *o, uint32_t base, uint32_t size, bool r, bool w)
{
    ((pc *)o)->shadows++;
}

static pc *pc_new(void)
{
    pc *m = calloc(1, sizeof(*m));
    m->t = devtest_new();
    const dev_env *env = &m->t->env;
    dev_machine_cb mcb = {nop_a20, count_reset, m};
    ck_assert_int_eq(pic_init(&m->pic, env, nop_intr, m), 0);
    ck_assert_int_eq(pit_init(&m->pit, env, pic_irq_line(&m->pic, 0)), 0);
    ck_assert_int_eq(rtc_init(&m->rtc, env, pic_irq_line(&m->pic, 8)), 0);
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(uart_init(&m->com[i], env, uart_pc_base[i],
                                   pic_irq_line(&m->pic, uart_pc_irq[i]), NULL),
                         0);
    ck_assert_int_eq(
        i8042_init(&m->kbc, env, pic_irq_line(&m->pic, 1), pic_irq_line(&m->pic, 12), mcb), 0);
    ck_assert_int_eq(port92_init(&m->p92, env, mcb), 0);
    ck_assert_int_eq(pci_bus_init(&m->pci, env), 0);
    ck_assert_int_eq(i440fx_init(&m->nb, &m->pci, env, count_shadow, m), 0);
    ck_assert_int_eq(piix3_init(&m->sb, &m->pci, env, pic_irq_set, &m->pic, mcb), 0);
    ck_assert_int_eq(fw_cfg_init(&m->cfg, env), 0);
    ck_assert_int_eq(debugport_init(&m->dbg, env, nop_log, count_exit, m), 0);
    return m;
}

static void pc_free(pc *m)
{
    const dev_env *env = &m->t->env;
    debugport_fini(&m->dbg, env);
    fw_cfg_fini(&m->cfg, env);
    piix3_fini(&m->sb, env);
    i440fx_fini(&m->nb, env);
    pci_bus_fini(&m->pci, env);
    port92_fini(&m->p92, env);
    i8042_fini(&m->kbc, env);
    for (int i = 0; i < 4; i++)
        uart_fini(&m->com[i], env);
    rtc_fini(&m->rtc, env);
    pit_fini(&m->pit, env);
    pic_fini(&m->pic, env);
    devtest_free(m->t);
    free(m);
}

static uint32_t lcg(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s;
}

static const uint16_t ports[] = {
    0x20,  0x21,  0xA0,  0xA1,  0x4D0, 0x4D1, 0x40,  0x41,  0x42,  0x43,  0x61,  0x70, 0x71, 0x3F8,
    0x3F9, 0x3FA, 0x3FB, 0x3FC, 0x3FD, 0x3FE, 0x3FF, 0x2F8, 0x2FD, 0x3E8, 0x2E8, 0x60, 0x64, 0x92,
    0xCF8, 0xCF9, 0xCFA, 0xCFB, 0xCFC, 0xCFD, 0xCFE, 0xCFF, 0x510, 0x511, 0x402, 0xE9,
};

static void hammer(pc *m, uint32_t seed, int ops)
{
    uint32_t s = seed;
    for (int i = 0; i < ops; i++) {
        uint32_t r = lcg(&s);
        uint16_t port = ports[r % (sizeof(ports) / sizeof(ports[0]))];
        unsigned size = 1u << ((r >> 8) % 3);
        uint32_t v = lcg(&s);
        if ((r >> 12) & 1)
            iobus_out(m->t->io, port, v, size);
        else
            iobus_in(m->t->io, port, size);
        if ((r >> 13) % 64 == 0)
            devtest_advance(m->t, (r >> 16) * 100);
        if ((r >> 20) % 256 == 0)
            i8042_put_scancode(&m->kbc, (uint8_t)v);
        if ((r >> 20) % 256 == 1)
            i8042_mouse_event(&m->kbc, (int)(v % 2001) - 1000, (int)(v >> 20) - 2048, 1,
                              (uint8_t)v);
    }
}

/* What firmware checks first, after a machine reset. */
static void assert_sane_after_reset(pc *m)
{
    devreg_reset_all(&m->t->reg);
    devtest *t = m->t;
    outb(t, 0x21, 0xFB);
    ck_assert_uint_eq(inb(t, 0x21), 0xFB);
    outb(t, 0x64, 0xAA);
    ck_assert_uint_eq(inb(t, 0x64) & 1, 1);
    ck_assert_uint_eq(inb(t, 0x60), 0x55);
    outb(t, 0x70, 0x0D);
    ck_assert_uint_eq(inb(t, 0x71), 0x80);
    iobus_out(t->io, 0xCF8, 0x80000000u, 4);
    ck_assert_uint_eq(iobus_in(t->io, 0xCFC, 4), 0x12378086);
    iobus_out(t->io, 0x510, 0, 2);
    ck_assert_uint_eq(inb(t, 0x511), 'Q');
    outb(t, 0x3FB, 0x03);
    outb(t, 0x3FC, 0x10);
    outb(t, 0x3F8, 0x42);
    ck_assert_uint_eq(inb(t, 0x3F8), 0x42);
}

START_TEST(test_random_port_storm)
{
    pc *m = pc_new();
    for (uint32_t seed = 1; seed <= 8; seed++) {
        hammer(m, seed * 2654435761u, 30000);
        /* state survives a save/load round trip mid-storm */
        dev_blob b;
        dev_blob_init(&b);
        ck_assert_int_eq(devreg_save_all(&m->t->reg, &b), 0);
        ck_assert_int_eq(devreg_load_all(&m->t->reg, b.data, b.len), 0);
        dev_blob_free(&b);
    }
    assert_sane_after_reset(m);
    pc_free(m);
}
END_TEST

START_TEST(test_corrupted_state)
{
    pc *m = pc_new();
    hammer(m, 12345, 20000);
    dev_blob b;
    dev_blob_init(&b);
    ck_assert_int_eq(devreg_save_all(&m->t->reg, &b), 0);
    uint8_t *copy = malloc(b.len);
    uint32_t s = 99;
    int accepted = 0;
    for (int round = 0; round < 400; round++) {
        memcpy(copy, b.data, b.len);
        int flips = 1 + (int)(lcg(&s) % 8);
        for (int k = 0; k < flips; k++)
            copy[lcg(&s) % b.len] ^= (uint8_t)(1u << (lcg(&s) % 8));
        size_t len = (lcg(&s) % 4 == 0) ? lcg(&s) % b.len : b.len;
        if (devreg_load_all(&m->t->reg, copy, len) == 0)
            accepted++;
        hammer(m, lcg(&s), 200); /* whatever was accepted must still run */
    }
    ck_assert_int_lt(accepted, 400); /* truncations at least are refused */
    free(copy);
    dev_blob_free(&b);
    assert_sane_after_reset(m);
    pc_free(m);
}
END_TEST

static Suite *hostile_suite(void)
{
    Suite *s = suite_create("hostile");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 110);
    tcase_add_test(tc, test_random_port_storm);
    tcase_add_test(tc, test_corrupted_state);
    suite_add_tcase(s, tc);
    return s;
}

DEVTEST_MAIN(hostile_suite)
