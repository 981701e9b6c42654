/* 8254 PIT: counts read back after known guest time, IRQ 0 rates, port 0x61. */
#include "devtest.h"
#include "vmm/dev/pit.h"

typedef struct fixture {
    devtest *t;
    pit pit;
    irq_probe irq;
} fixture;

static fixture *setup(void)
{
    fixture *f = calloc(1, sizeof(*f));
    f->t = devtest_new();
    ck_assert_int_eq(pit_init(&f->pit, &f->t->env, irq_probe_line(&f->irq, 0)), 0);
    return f;
}

static void teardown(fixture *f)
{
    pit_fini(&f->pit, &f->t->env);
    devtest_free(f->t);
    free(f);
}

/* Guest ns after which exactly `ticks` input clocks have elapsed. */
static uint64_t ticks_ns(uint64_t ticks)
{
    return (ticks * 1000000000ull + PIT_HZ - 1) / PIT_HZ;
}

static void program(fixture *f, int ch, uint8_t mode_bits, uint16_t count)
{
    outb(f->t, 0x43, (uint8_t)((ch << 6) | 0x30 | mode_bits));
    outb(f->t, 0x40 + ch, (uint8_t)count);
    outb(f->t, 0x40 + ch, (uint8_t)(count >> 8));
}

static uint16_t latch_read(fixture *f, int ch)
{
    outb(f->t, 0x43, (uint8_t)(ch << 6)); /* counter latch */
    uint16_t lo = inb(f->t, 0x40 + ch);
    return (uint16_t)(lo | inb(f->t, 0x40 + ch) << 8);
}

START_TEST(test_mode2_count_readback)
{
    fixture *f = setup();
    program(f, 0, 2 << 1, 1000);
    ck_assert_uint_eq(latch_read(f, 0), 1000);
    devtest_advance(f->t, ticks_ns(300));
    ck_assert_uint_eq(latch_read(f, 0), 700);
    devtest_advance(f->t, ticks_ns(1000)); /* wraps with the period: 1300 % 1000 */
    ck_assert_uint_eq(latch_read(f, 0), 700);
    /* a latched value holds while time passes */
    outb(f->t, 0x43, 0x00);
    devtest_advance(f->t, ticks_ns(100));
    ck_assert_uint_eq(inb(f->t, 0x40), 700 & 0xFF);
    ck_assert_uint_eq(inb(f->t, 0x40), 700 >> 8);
    teardown(f);
}
END_TEST

START_TEST(test_mode2_irq_rate)
{
    fixture *f = setup();
    program(f, 0, 2 << 1, 11932); /* ~100 Hz, as Linux and BIOSes program it */
    devtest_advance(f->t, ticks_ns(100 * 11932) - 1);
    ck_assert_int_eq(f->irq.edges, 99);
    devtest_advance(f->t, 1);
    ck_assert_int_eq(f->irq.edges, 100);
    ck_assert(!f->irq.level);
    teardown(f);
}
END_TEST

START_TEST(test_mode3_irq_rate)
{
    fixture *f = setup();
    program(f, 0, 3 << 1, 0); /* 65536: the BIOS's 18.2 Hz */
    devtest_advance(f->t, 10ull * 1000000000ull);
    ck_assert_int_eq(f->irq.edges, 182);
    teardown(f);
}
END_TEST

START_TEST(test_mode0_oneshot)
{
    fixture *f = setup();
    program(f, 0, 0, 5000);
    ck_assert(!f->irq.level);
    devtest_advance(f->t, ticks_ns(4999));
    ck_assert(!f->irq.level);
    ck_assert_uint_eq(latch_read(f, 0), 1);
    devtest_advance(f->t, ticks_ns(5000) - ticks_ns(4999));
    ck_assert(f->irq.level); /* OUT high at terminal count, and it stays */
    ck_assert_int_eq(f->irq.edges, 1);
    devtest_advance(f->t, ticks_ns(100000));
    ck_assert_int_eq(f->irq.edges, 1);
    /* reprogramming drops OUT and starts again */
    program(f, 0, 0, 10);
    ck_assert(!f->irq.level);
    devtest_advance(f->t, ticks_ns(10));
    ck_assert_int_eq(f->irq.edges, 2);
    teardown(f);
}
END_TEST

START_TEST(test_readback_status)
{
    fixture *f = setup();
    outb(f->t, 0x43, 0x34);                   /* ch0, lo/hi, mode 2, binary */
    outb(f->t, 0x43, 0xE2);                   /* read-back status only, counter 0 */
    ck_assert_uint_eq(inb(f->t, 0x40), 0xF4); /* OUT high, null count, rw 3, mode 2 */
    outb(f->t, 0x40, 0x00);
    outb(f->t, 0x40, 0x10);
    outb(f->t, 0x43, 0xC2); /* status and count */
    ck_assert_uint_eq(inb(f->t, 0x40), 0xB4);
    ck_assert_uint_eq(inb(f->t, 0x40), 0x00);
    ck_assert_uint_eq(inb(f->t, 0x40), 0x10);
    teardown(f);
}
END_TEST

START_TEST(test_bcd_and_byte_modes)
{
    fixture *f = setup();
    outb(f->t, 0x43, 0x71); /* ch1, lo/hi, mode 0, BCD */
    outb(f->t, 0x41, 0x00);
    outb(f->t, 0x41, 0x10); /* 1000 decimal */
    devtest_advance(f->t, ticks_ns(250));
    ck_assert_uint_eq(latch_read(f, 1), 0x0750);
    outb(f->t, 0x43, 0x54); /* ch1, LSB only, mode 2 */
    outb(f->t, 0x41, 200);
    devtest_advance(f->t, ticks_ns(50));
    ck_assert_uint_eq(inb(f->t, 0x41), 150);
    ck_assert_uint_eq(inb(f->t, 0x41), 150); /* no flip-flop in LSB-only mode */
    outb(f->t, 0x43, 0x64);                  /* ch1, MSB only, mode 2 */
    outb(f->t, 0x41, 0x02);                  /* 512 */
    devtest_advance(f->t, ticks_ns(256));
    ck_assert_uint_eq(inb(f->t, 0x41), 0x01);
    teardown(f);
}
END_TEST

START_TEST(test_channel2_port61)
{
    fixture *f = setup();
    /* Linux's PIT calibration: gate off, mode 0, count, gate on, wait for OUT2 */
    outb(f->t, 0x61, 0x00);
    program(f, 2, 0, 1000);
    ck_assert_uint_eq(inb(f->t, 0x61) & 0x21, 0x00);
    devtest_advance(f->t, ticks_ns(5000));
    ck_assert_uint_eq(latch_read(f, 2), 1000); /* gate low: not counting */
    outb(f->t, 0x61, 0x01);
    devtest_advance(f->t, ticks_ns(999));
    ck_assert_uint_eq(inb(f->t, 0x61) & 0x21, 0x01);
    devtest_advance(f->t, ticks_ns(1000) - ticks_ns(999));
    ck_assert_uint_eq(inb(f->t, 0x61) & 0x21, 0x21);
    /* mode 3 square wave on OUT2 */
    program(f, 2, 3 << 1, 100);
    devtest_advance(f->t, ticks_ns(10));
    ck_assert(inb(f->t, 0x61) & 0x20);
    devtest_advance(f->t, ticks_ns(60) - ticks_ns(10));
    ck_assert(!(inb(f->t, 0x61) & 0x20));
    /* speaker enable bit is kept, IRQ 0 untouched */
    outb(f->t, 0x61, 0x03);
    ck_assert_uint_eq(inb(f->t, 0x61) & 0x03, 0x03);
    ck_assert_int_eq(f->irq.edges, 0);
    teardown(f);
}
END_TEST

START_TEST(test_refresh_toggles)
{
    fixture *f = setup();
    int changes = 0;
    uint8_t last = inb(f->t, 0x61) & 0x10;
    for (int i = 0; i < 100; i++) {
        devtest_advance(f->t, 7000);
        uint8_t now = inb(f->t, 0x61) & 0x10;
        changes += now != last;
        last = now;
    }
    ck_assert_int_ge(changes, 40); /* 700 us at one toggle per ~15 us */
    ck_assert_int_le(changes, 50);
    teardown(f);
}
END_TEST

START_TEST(test_save_load)
{
    fixture *f = setup();
    program(f, 0, 2 << 1, 1000);
    devtest_advance(f->t, ticks_ns(100));
    dev_blob b;
    dev_blob_init(&b);
    ck_assert_int_eq(devreg_save_all(&f->t->reg, &b), 0);
    devreg_reset_all(&f->t->reg);
    ck_assert_uint_eq(vclock_next_deadline(f->t->clock), UINT64_MAX);
    ck_assert_int_eq(devreg_load_all(&f->t->reg, b.data, b.len), 0);
    ck_assert_uint_eq(latch_read(f, 0), 900);
    int before = f->irq.edges;
    devtest_advance(f->t, ticks_ns(10000));
    ck_assert_int_eq(f->irq.edges - before, 10); /* the timer was re-armed */
    for (size_t n = 0; n < b.len; n++)
        ck_assert_int_ne(devreg_load_all(&f->t->reg, b.data, n), 0);
    dev_blob_free(&b);
    teardown(f);
}
END_TEST

static Suite *pit_suite(void)
{
    Suite *s = suite_create("pit");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_mode2_count_readback);
    tcase_add_test(tc, test_mode2_irq_rate);
    tcase_add_test(tc, test_mode3_irq_rate);
    tcase_add_test(tc, test_mode0_oneshot);
    tcase_add_test(tc, test_readback_status);
    tcase_add_test(tc, test_bcd_and_byte_modes);
    tcase_add_test(tc, test_channel2_port61);
    tcase_add_test(tc, test_refresh_toggles);
    tcase_add_test(tc, test_save_load);
    suite_add_tcase(s, tc);
    return s;
}

DEVTEST_MAIN(pit_suite)
