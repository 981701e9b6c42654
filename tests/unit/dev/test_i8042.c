/* i8042 controller with PS/2 keyboard and mouse, as BIOS and Linux drive them. */
#include <string.h>

#include "devtest.h"
#include "vmm/dev/i8042.h"

typedef struct fixture {
    devtest *t;
    i8042 kbc;
    bool irq1, irq12;
    int irq1_edges, irq12_edges;
    bool a20;
    int resets;
} fixture;

static void irq_set(void *opaque, int n, bool level)
{
    fixture *f = opaque;
    if (n == 1) {
        f->irq1_edges += level && !f->irq1;
        f->irq1 = level;
    } else {
        ck_assert_int_eq(n, 12);
        f->irq12_edges += level && !f->irq12;
        f->irq12 = level;
    }
}

static void set_a20(void *opaque, bool on)
{
    ((fixture *)opaque)->a20 = on;
}

static void request_reset(void *opaque)
{
    ((fixture *)opaque)->resets++;
}

static fixture *setup(void)
{
    fixture *f = calloc(1, sizeof(*f));
    f->t = devtest_new();
    irq_line l1 = {irq_set, f, 1}, l12 = {irq_set, f, 12};
    dev_machine_cb cb = {set_a20, request_reset, f};
    ck_assert_int_eq(i8042_init(&f->kbc, &f->t->env, l1, l12, cb), 0);
    return f;
}

static void teardown(fixture *f)
{
    i8042_fini(&f->kbc, &f->t->env);
    devtest_free(f->t);
    free(f);
}

static void cmd(fixture *f, uint8_t c)
{
    outb(f->t, 0x64, c);
}

/* Read one byte the way a driver does: wait for OBF, then read 0x60. Returns -1 if the
 * buffer stays empty. */
static int rd(fixture *f)
{
    if (!(inb(f->t, 0x64) & 0x01))
        return -1;
    return inb(f->t, 0x60);
}

static void write_cmd_byte(fixture *f, uint8_t v)
{
    cmd(f, 0x60);
    outb(f->t, 0x60, v);
}

START_TEST(test_self_tests_and_command_byte)
{
    fixture *f = setup();
    ck_assert_uint_eq(inb(f->t, 0x64) & 0x01, 0);
    cmd(f, 0xAA);
    ck_assert_uint_eq(inb(f->t, 0x64) & 0x0D, 0x0D); /* OBF, SYS, last write was a command */
    ck_assert_int_eq(rd(f), 0x55);
    ck_assert_int_eq(rd(f), -1);
    cmd(f, 0xAB);
    ck_assert_int_eq(rd(f), 0x00);
    cmd(f, 0xA9);
    ck_assert_int_eq(rd(f), 0x00);
    cmd(f, 0x20);
    ck_assert_int_eq(rd(f), 0x45);
    write_cmd_byte(f, 0x61);
    cmd(f, 0x20);
    ck_assert_int_eq(rd(f), 0x61);
    /* controller RAM */
    cmd(f, 0x7F);
    outb(f->t, 0x60, 0xA5);
    cmd(f, 0x3F);
    ck_assert_int_eq(rd(f), 0xA5);
    teardown(f);
}
END_TEST

START_TEST(test_keyboard_commands)
{
    fixture *f = setup();
    outb(f->t, 0x60, 0xFF); /* reset */
    ck_assert_int_eq(rd(f), 0xFA);
    ck_assert_int_eq(rd(f), 0xAA);
    ck_assert_int_eq(rd(f), -1);
    outb(f->t, 0x60, 0xEE);
    ck_assert_int_eq(rd(f), 0xEE);
    outb(f->t, 0x60, 0xED);
    ck_assert_int_eq(rd(f), 0xFA);
    outb(f->t, 0x60, 0x07);
    ck_assert_int_eq(rd(f), 0xFA);
    ck_assert_uint_eq(f->kbc.kbd.leds, 7);
    outb(f->t, 0x60, 0xF3);
    ck_assert_int_eq(rd(f), 0xFA);
    outb(f->t, 0x60, 0x20);
    ck_assert_int_eq(rd(f), 0xFA);
    outb(f->t, 0x60, 0xF2); /* identify: AB 83, seen as AB 41 through translation */
    ck_assert_int_eq(rd(f), 0xFA);
    ck_assert_int_eq(rd(f), 0xAB);
    ck_assert_int_eq(rd(f), 0x41);
    write_cmd_byte(f, 0x01);
    outb(f->t, 0x60, 0xF2);
    ck_assert_int_eq(rd(f), 0xFA);
    ck_assert_int_eq(rd(f), 0xAB);
    ck_assert_int_eq(rd(f), 0x83);
    outb(f->t, 0x60, 0xF0); /* get scan code set */
    ck_assert_int_eq(rd(f), 0xFA);
    outb(f->t, 0x60, 0x00);
    ck_assert_int_eq(rd(f), 0xFA);
    ck_assert_int_eq(rd(f), 0x02);
    outb(f->t, 0x60, 0x42); /* not a command */
    ck_assert_int_eq(rd(f), 0xFE);
    outb(f->t, 0x60, 0xF5); /* disable scanning: keys are dropped */
    ck_assert_int_eq(rd(f), 0xFA);
    i8042_put_scancode(&f->kbc, 0x1C);
    ck_assert_int_eq(rd(f), -1);
    outb(f->t, 0x60, 0xF4);
    ck_assert_int_eq(rd(f), 0xFA);
    i8042_put_scancode(&f->kbc, 0x1C);
    ck_assert_int_eq(rd(f), 0x1C);
    teardown(f);
}
END_TEST

START_TEST(test_translation_and_irq1)
{
    fixture *f = setup();
    /* 'A' make and break, then Up arrow (E0 75) make and break */
    const uint8_t keys[] = {0x1C, 0xF0, 0x1C, 0xE0, 0x75, 0xE0, 0xF0, 0x75};
    for (unsigned i = 0; i < sizeof(keys); i++)
        i8042_put_scancode(&f->kbc, keys[i]);
    ck_assert(f->irq1);
    const int want[] = {0x1E, 0x9E, 0xE0, 0x48, 0xE0, 0xC8};
    for (unsigned i = 0; i < 6; i++)
        ck_assert_int_eq(rd(f), want[i]);
    ck_assert_int_eq(rd(f), -1);
    ck_assert(!f->irq1);
    ck_assert_int_eq(f->irq1_edges, 6); /* one edge per byte */
    /* no translation: set 2 as sent */
    write_cmd_byte(f, 0x01);
    i8042_put_scancode(&f->kbc, 0xF0);
    i8042_put_scancode(&f->kbc, 0x1C);
    ck_assert_int_eq(rd(f), 0xF0);
    ck_assert_int_eq(rd(f), 0x1C);
    /* interrupts off: data but no IRQ 1 */
    write_cmd_byte(f, 0x00);
    i8042_put_scancode(&f->kbc, 0x1C);
    ck_assert(!f->irq1);
    ck_assert_int_eq(rd(f), 0x1C);
    /* keyboard disabled: held back until enabled */
    write_cmd_byte(f, 0x01);
    cmd(f, 0xAD);
    i8042_put_scancode(&f->kbc, 0x1C);
    ck_assert_int_eq(rd(f), -1);
    cmd(f, 0xAE);
    ck_assert(f->irq1);
    ck_assert_int_eq(rd(f), 0x1C);
    teardown(f);
}
END_TEST

START_TEST(test_a20_and_reset)
{
    fixture *f = setup();
    ck_assert(f->a20); /* enabled after reset */
    cmd(f, 0xD0);
    ck_assert_int_eq(rd(f) & 0x03, 0x03);
    cmd(f, 0xD1);
    outb(f->t, 0x60, 0x01); /* A20 off, reset line high */
    ck_assert(!f->a20);
    ck_assert_int_eq(f->resets, 0);
    cmd(f, 0xD0);
    ck_assert_int_eq(rd(f) & 0x03, 0x01);
    cmd(f, 0xDF);
    ck_assert(f->a20);
    cmd(f, 0xDD);
    ck_assert(!f->a20);
    cmd(f, 0xD1);
    outb(f->t, 0x60, 0xDF); /* the classic "enable A20" write */
    ck_assert(f->a20);
    cmd(f, 0xFF); /* pulse nothing */
    ck_assert_int_eq(f->resets, 0);
    cmd(f, 0xFE); /* pulse reset */
    ck_assert_int_eq(f->resets, 1);
    cmd(f, 0xD1);
    outb(f->t, 0x60, 0x02); /* reset line driven low */
    ck_assert_int_eq(f->resets, 2);
    teardown(f);
}
END_TEST

START_TEST(test_mouse)
{
    fixture *f = setup();
    write_cmd_byte(f, 0x47); /* both interrupts, translation */
    cmd(f, 0xA8);
    cmd(f, 0xD4);
    outb(f->t, 0x60, 0xFF);                          /* reset */
    ck_assert_uint_eq(inb(f->t, 0x64) & 0x21, 0x21); /* OBF from the aux side */
    ck_assert(f->irq12);
    ck_assert_int_eq(rd(f), 0xFA);
    ck_assert_int_eq(rd(f), 0xAA);
    ck_assert_int_eq(rd(f), 0x00);
    /* not reporting yet: motion is not sent */
    i8042_mouse_event(&f->kbc, 5, 5, 0, 0);
    ck_assert_int_eq(rd(f), -1);
    cmd(f, 0xD4);
    outb(f->t, 0x60, 0xF4);
    ck_assert_int_eq(rd(f), 0xFA);
    i8042_mouse_event(&f->kbc, 5, 3, 0, PS2_MOUSE_LEFT); /* right and down */
    ck_assert_int_eq(rd(f), 0x08 | 0x01 | 0x20);         /* Y negative: down */
    ck_assert_int_eq(rd(f), 5);
    ck_assert_int_eq(rd(f), 0xFD);
    i8042_mouse_event(&f->kbc, -300, 0, 0, 0); /* beyond one packet's range */
    ck_assert_int_eq(rd(f), 0x08 | 0x10);
    ck_assert_int_eq(rd(f), 0x00); /* -256 */
    ck_assert_int_eq(rd(f), 0x00);
    ck_assert_int_eq(rd(f), 0x08 | 0x10);
    ck_assert_int_eq(rd(f), (uint8_t)-44);
    ck_assert_int_eq(rd(f), 0x00);
    ck_assert_int_eq(rd(f), -1);
    /* IntelliMouse: rates 200, 100, 80 then the id is 3 and packets carry the wheel */
    const uint8_t seq[] = {0xF3, 200, 0xF3, 100, 0xF3, 80, 0xF2};
    for (unsigned i = 0; i < sizeof(seq); i++) {
        cmd(f, 0xD4);
        outb(f->t, 0x60, seq[i]);
        ck_assert_int_eq(rd(f), 0xFA);
    }
    ck_assert_int_eq(rd(f), 3);
    i8042_mouse_event(&f->kbc, 0, 0, -1, 0);
    ck_assert_int_eq(rd(f), 0x08);
    ck_assert_int_eq(rd(f), 0);
    ck_assert_int_eq(rd(f), 0);
    ck_assert_int_eq(rd(f), 0x0F);
    /* status request */
    cmd(f, 0xD4);
    outb(f->t, 0x60, 0xE9);
    ck_assert_int_eq(rd(f), 0xFA);
    ck_assert_int_eq(rd(f), 0x20);
    ck_assert_int_eq(rd(f), 2);
    ck_assert_int_eq(rd(f), 80);
    /* aux disabled: held back */
    cmd(f, 0xA7);
    i8042_mouse_event(&f->kbc, 1, 0, 0, 0);
    ck_assert_int_eq(rd(f), -1);
    cmd(f, 0xA8);
    ck_assert_int_eq(rd(f), 0x08);
    /* a flood of events never overruns the queue */
    for (int i = 0; i < 1000; i++)
        i8042_mouse_event(&f->kbc, 100, 100, 0, (uint8_t)(i & 1));
    ck_assert_uint_le(f->kbc.mouse.q.count, PS2_QUEUE_SIZE);
    teardown(f);
}
END_TEST

START_TEST(test_save_load)
{
    fixture *f = setup();
    write_cmd_byte(f, 0x47);
    i8042_put_scancode(&f->kbc, 0x1C);
    i8042_put_scancode(&f->kbc, 0x32);
    cmd(f, 0xD1);
    outb(f->t, 0x60, 0x01);
    dev_blob b;
    dev_blob_init(&b);
    ck_assert_int_eq(devreg_save_all(&f->t->reg, &b), 0);
    devreg_reset_all(&f->t->reg);
    ck_assert(f->a20);
    ck_assert_int_eq(devreg_load_all(&f->t->reg, b.data, b.len), 0);
    ck_assert_int_eq(rd(f), 0x1E);
    ck_assert_int_eq(rd(f), 0x30);
    cmd(f, 0x20);
    ck_assert_int_eq(rd(f), 0x47);
    for (size_t n = 0; n < b.len; n++)
        ck_assert_int_ne(devreg_load_all(&f->t->reg, b.data, n), 0);
    dev_blob_free(&b);
    teardown(f);
}
END_TEST

static Suite *i8042_suite(void)
{
    Suite *s = suite_create("i8042");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_self_tests_and_command_byte);
    tcase_add_test(tc, test_keyboard_commands);
    tcase_add_test(tc, test_translation_and_irq1);
    tcase_add_test(tc, test_a20_and_reset);
    tcase_add_test(tc, test_mouse);
    tcase_add_test(tc, test_save_load);
    suite_add_tcase(s, tc);
    return s;
}

DEVTEST_MAIN(i8042_suite)
