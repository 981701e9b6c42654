/* 8259A PIC pair through its ports, as a guest (Linux's init sequence) programs it. */
#include "devtest.h"
#include "vmm/dev/pic.h"

typedef struct fixture {
    devtest *t;
    pic pic;
    bool intr;
    int intr_calls;
} fixture;

static void set_intr(void *opaque, bool level)
{
    fixture *f = opaque;
    f->intr = level;
    f->intr_calls++;
}

static fixture *setup(void)
{
    fixture *f = calloc(1, sizeof(*f));
    f->t = devtest_new();
    ck_assert_int_eq(pic_init(&f->pic, &f->t->env, set_intr, f), 0);
    /* ICW1 edge+ICW4, ICW2 vector base, ICW3 cascade, ICW4 8086 mode */
    outb(f->t, 0x20, 0x11);
    outb(f->t, 0x21, 0x20);
    outb(f->t, 0x21, 0x04);
    outb(f->t, 0x21, 0x01);
    outb(f->t, 0xA0, 0x11);
    outb(f->t, 0xA1, 0x28);
    outb(f->t, 0xA1, 0x02);
    outb(f->t, 0xA1, 0x01);
    outb(f->t, 0x21, 0x00);
    outb(f->t, 0xA1, 0x00);
    return f;
}

static void teardown(fixture *f)
{
    pic_fini(&f->pic, &f->t->env);
    devtest_free(f->t);
    free(f);
}

static void pulse(fixture *f, int irq)
{
    pic_set_irq(&f->pic, irq, true);
    pic_set_irq(&f->pic, irq, false);
}

static uint8_t read_isr(fixture *f, uint16_t cmd)
{
    outb(f->t, cmd, 0x0B);
    return inb(f->t, cmd);
}

static uint8_t read_irr(fixture *f, uint16_t cmd)
{
    outb(f->t, cmd, 0x0A);
    return inb(f->t, cmd);
}

START_TEST(test_priority_and_eoi)
{
    fixture *f = setup();
    ck_assert(!f->intr);
    pulse(f, 3);
    pulse(f, 1);
    ck_assert(f->intr);
    ck_assert_uint_eq(read_irr(f, 0x20), 0x0A);
    ck_assert_uint_eq(pic_intr_ack(&f->pic), 0x21); /* IRQ1 beats IRQ3 */
    ck_assert_uint_eq(read_isr(f, 0x20), 0x02);
    ck_assert(!f->intr);    /* IRQ3 waits behind IRQ1 in service */
    outb(f->t, 0x20, 0x20); /* non-specific EOI */
    ck_assert(f->intr);
    ck_assert_uint_eq(pic_intr_ack(&f->pic), 0x23);
    outb(f->t, 0x20, 0x63); /* specific EOI for IRQ3 */
    ck_assert_uint_eq(read_isr(f, 0x20), 0);
    ck_assert(!f->intr);
    teardown(f);
}
END_TEST

START_TEST(test_higher_priority_nests)
{
    fixture *f = setup();
    pulse(f, 4);
    ck_assert_uint_eq(pic_intr_ack(&f->pic), 0x24);
    pulse(f, 0);
    ck_assert(f->intr); /* IRQ0 outranks IRQ4 in service */
    ck_assert_uint_eq(pic_intr_ack(&f->pic), 0x20);
    ck_assert_uint_eq(read_isr(f, 0x20), 0x11);
    outb(f->t, 0x20, 0x20); /* clears IRQ0, the highest in service */
    ck_assert_uint_eq(read_isr(f, 0x20), 0x10);
    teardown(f);
}
END_TEST

START_TEST(test_masking)
{
    fixture *f = setup();
    outb(f->t, 0x21, 0x10);
    ck_assert_uint_eq(inb(f->t, 0x21), 0x10);
    pulse(f, 4);
    ck_assert(!f->intr);
    ck_assert_uint_eq(read_irr(f, 0x20), 0x10); /* still requested, just masked */
    outb(f->t, 0x21, 0x00);
    ck_assert(f->intr);
    ck_assert_uint_eq(pic_intr_ack(&f->pic), 0x24);
    teardown(f);
}
END_TEST

START_TEST(test_cascade)
{
    fixture *f = setup();
    pulse(f, 10);
    ck_assert(f->intr);
    ck_assert_uint_eq(pic_intr_ack(&f->pic), 0x2A);
    ck_assert_uint_eq(read_isr(f, 0x20), 0x04);
    ck_assert_uint_eq(read_isr(f, 0xA0), 0x04);
    pulse(f, 14); /* lower than IRQ10 on the slave: waits */
    ck_assert(!f->intr);
    outb(f->t, 0xA0, 0x20);
    outb(f->t, 0x20, 0x20);
    ck_assert(f->intr);
    ck_assert_uint_eq(pic_intr_ack(&f->pic), 0x2E);
    /* masking IRQ2 on the master blocks the whole slave */
    outb(f->t, 0xA0, 0x20);
    outb(f->t, 0x20, 0x20);
    outb(f->t, 0x21, 0x04);
    pulse(f, 9);
    ck_assert(!f->intr);
    teardown(f);
}
END_TEST

START_TEST(test_elcr_level)
{
    fixture *f = setup();
    outb(f->t, 0x4D1, 0xFF);
    ck_assert_uint_eq(inb(f->t, 0x4D1), 0xDE); /* IRQ8 and IRQ13 stay edge */
    outb(f->t, 0x4D0, 0xFF);
    ck_assert_uint_eq(inb(f->t, 0x4D0), 0xF8); /* IRQ0-2 stay edge */
    outb(f->t, 0x4D0, 0x20);
    outb(f->t, 0x4D1, 0x08); /* IRQ5, IRQ11 level */
    pic_set_irq(&f->pic, 11, true);
    ck_assert_uint_eq(pic_intr_ack(&f->pic), 0x2B);
    outb(f->t, 0xA0, 0x20);
    outb(f->t, 0x20, 0x20);
    ck_assert(f->intr); /* still high: requests again */
    ck_assert_uint_eq(pic_intr_ack(&f->pic), 0x2B);
    pic_set_irq(&f->pic, 11, false);
    outb(f->t, 0xA0, 0x20);
    outb(f->t, 0x20, 0x20);
    ck_assert(!f->intr);
    /* edge input: one request per rising edge */
    pic_set_irq(&f->pic, 6, true);
    ck_assert_uint_eq(pic_intr_ack(&f->pic), 0x26);
    outb(f->t, 0x20, 0x20);
    ck_assert(!f->intr);
    pic_set_irq(&f->pic, 6, false);
    /* level input dropped before the acknowledge: spurious IRQ7, nothing in service */
    pic_set_irq(&f->pic, 5, true);
    ck_assert(f->intr);
    pic_set_irq(&f->pic, 5, false);
    ck_assert_uint_eq(pic_intr_ack(&f->pic), 0x27);
    ck_assert_uint_eq(read_isr(f, 0x20), 0);
    teardown(f);
}
END_TEST

START_TEST(test_spurious_slave)
{
    fixture *f = setup();
    outb(f->t, 0x4D1, 0x02); /* IRQ9 level */
    pic_set_irq(&f->pic, 9, true);
    ck_assert(f->intr);
    outb(f->t, 0xA1, 0x02); /* masked between request and acknowledge */
    ck_assert_uint_eq(pic_intr_ack(&f->pic), 0x2F);
    ck_assert_uint_eq(read_isr(f, 0xA0), 0);
    teardown(f);
}
END_TEST

START_TEST(test_auto_eoi_and_rotation)
{
    fixture *f = setup();
    outb(f->t, 0x20, 0x11);
    outb(f->t, 0x21, 0x20);
    outb(f->t, 0x21, 0x04);
    outb(f->t, 0x21, 0x03); /* AEOI */
    pulse(f, 2 + 1);
    ck_assert_uint_eq(pic_intr_ack(&f->pic), 0x23);
    ck_assert_uint_eq(read_isr(f, 0x20), 0);
    /* set priority: IRQ3 lowest, so IRQ4 is highest */
    outb(f->t, 0x20, 0xC3);
    pulse(f, 1);
    pulse(f, 5);
    ck_assert_uint_eq(pic_intr_ack(&f->pic), 0x25);
    ck_assert_uint_eq(pic_intr_ack(&f->pic), 0x21);
    /* rotate in AEOI: the served input becomes lowest */
    outb(f->t, 0x20, 0x80);
    pulse(f, 6);
    ck_assert_uint_eq(pic_intr_ack(&f->pic), 0x26);
    pulse(f, 6);
    pulse(f, 7);
    ck_assert_uint_eq(pic_intr_ack(&f->pic), 0x27); /* 7 now outranks 6 */
    teardown(f);
}
END_TEST

START_TEST(test_rotate_on_eoi)
{
    fixture *f = setup();
    pulse(f, 0);
    ck_assert_uint_eq(pic_intr_ack(&f->pic), 0x20);
    outb(f->t, 0x20, 0xA0); /* rotate on non-specific EOI: IRQ0 becomes lowest */
    pulse(f, 0);
    pulse(f, 1);
    ck_assert_uint_eq(pic_intr_ack(&f->pic), 0x21);
    teardown(f);
}
END_TEST

START_TEST(test_poll_mode)
{
    fixture *f = setup();
    outb(f->t, 0x20, 0x0C);
    ck_assert_uint_eq(inb(f->t, 0x20), 0x00); /* nothing pending */
    pulse(f, 5);
    outb(f->t, 0x20, 0x0C);
    ck_assert_uint_eq(inb(f->t, 0x20), 0x85);
    ck_assert_uint_eq(read_isr(f, 0x20), 0x20);
    ck_assert(!f->intr);
    teardown(f);
}
END_TEST

START_TEST(test_special_mask)
{
    fixture *f = setup();
    pulse(f, 3);
    ck_assert_uint_eq(pic_intr_ack(&f->pic), 0x23);
    pulse(f, 5);
    ck_assert(!f->intr);
    outb(f->t, 0x21, 0x08); /* mask IRQ3 (in service) */
    outb(f->t, 0x20, 0x68); /* special mask mode on */
    ck_assert(f->intr);     /* lower priority IRQ5 now allowed */
    ck_assert_uint_eq(pic_intr_ack(&f->pic), 0x25);
    teardown(f);
}
END_TEST

START_TEST(test_save_load_and_bad_input)
{
    fixture *f = setup();
    pic_set_irq(&f->pic, -1, true);
    pic_set_irq(&f->pic, 16, true);
    pic_set_irq(&f->pic, 1000, true);
    ck_assert(!f->intr);
    outb(f->t, 0x21, 0x5A);
    pulse(f, 0);
    dev_blob b;
    dev_blob_init(&b);
    ck_assert_int_eq(devreg_save_all(&f->t->reg, &b), 0);
    devreg_reset_all(&f->t->reg);
    ck_assert_uint_eq(inb(f->t, 0x21), 0x00);
    ck_assert_int_eq(devreg_load_all(&f->t->reg, b.data, b.len), 0);
    ck_assert_uint_eq(inb(f->t, 0x21), 0x5A);
    ck_assert_uint_eq(pic_intr_ack(&f->pic), 0x20);
    /* truncated blobs are refused, never read past their end */
    for (size_t n = 0; n < b.len; n++)
        ck_assert_int_ne(devreg_load_all(&f->t->reg, b.data, n), 0);
    dev_blob_free(&b);
    teardown(f);
}
END_TEST

static Suite *pic_suite(void)
{
    Suite *s = suite_create("pic");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_priority_and_eoi);
    tcase_add_test(tc, test_higher_priority_nests);
    tcase_add_test(tc, test_masking);
    tcase_add_test(tc, test_cascade);
    tcase_add_test(tc, test_elcr_level);
    tcase_add_test(tc, test_spurious_slave);
    tcase_add_test(tc, test_auto_eoi_and_rotation);
    tcase_add_test(tc, test_rotate_on_eoi);
    tcase_add_test(tc, test_poll_mode);
    tcase_add_test(tc, test_special_mask);
    tcase_add_test(tc, test_save_load_and_bad_input);
    suite_add_tcase(s, tc);
    return s;
}

DEVTEST_MAIN(pic_suite)
