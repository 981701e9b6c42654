/* Port 0x92 (fast A20, fast reset) and the debug ports (0x402, 0xE9, 0xF4). */
#include <errno.h>
#include <string.h>

#include "devtest.h"
#include "vmm/dev/debugport.h"
#include "vmm/dev/port92.h"

typedef struct fixture {
    devtest *t;
    port92 p92;
    debugport dbg;
    bool a20;
    int a20_calls, resets;
    char log[64];
    int nlog;
    uint16_t log_port;
    int exit_code, exits;
} fixture;

static void set_a20(void *opaque, bool on)
{
    fixture *f = opaque;
    f->a20 = on;
    f->a20_calls++;
}

static void request_reset(void *opaque)
{
    ((fixture *)opaque)->resets++;
}

static void log_byte(void *opaque, uint16_t port, uint8_t byte)
{
    fixture *f = opaque;
    if (f->nlog < 63)
        f->log[f->nlog++] = (char)byte;
    f->log_port = port;
}

static void do_exit(void *opaque, int code)
{
    fixture *f = opaque;
    f->exit_code = code;
    f->exits++;
}

static fixture *setup(void)
{
    fixture *f = calloc(1, sizeof(*f));
    f->t = devtest_new();
    dev_machine_cb cb = {set_a20, request_reset, f};
    ck_assert_int_eq(port92_init(&f->p92, &f->t->env, cb), 0);
    ck_assert_int_eq(debugport_init(&f->dbg, &f->t->env, log_byte, do_exit, f), 0);
    return f;
}

static void teardown(fixture *f)
{
    debugport_fini(&f->dbg, &f->t->env);
    port92_fini(&f->p92, &f->t->env);
    devtest_free(f->t);
    free(f);
}

START_TEST(test_port92)
{
    fixture *f = setup();
    ck_assert_uint_eq(inb(f->t, 0x92), 0x00);
    outb(f->t, 0x92, 0x02);
    ck_assert(f->a20);
    ck_assert_uint_eq(inb(f->t, 0x92), 0x02);
    outb(f->t, 0x92, 0x02); /* unchanged: no call */
    ck_assert_int_eq(f->a20_calls, 1);
    ck_assert_int_eq(f->resets, 0);
    outb(f->t, 0x92, 0x03);
    ck_assert_int_eq(f->resets, 1);
    outb(f->t, 0x92, 0x03); /* needs a 0 -> 1 transition */
    ck_assert_int_eq(f->resets, 1);
    outb(f->t, 0x92, 0x00);
    ck_assert(!f->a20);
    /* the same port twice cannot be claimed */
    port92 other;
    dev_machine_cb none = {0};
    ck_assert_int_eq(port92_init(&other, &f->t->env, none), -EBUSY);
    teardown(f);
}
END_TEST

START_TEST(test_debug_ports)
{
    fixture *f = setup();
    ck_assert_uint_eq(inb(f->t, 0xE9), 0xE9);
    ck_assert_uint_eq(inb(f->t, 0x402), 0xE9);
    const char *msg = "SeaBIOS";
    for (const char *p = msg; *p; p++)
        outb(f->t, 0x402, (uint8_t)*p);
    ck_assert_str_eq(f->log, "SeaBIOS");
    ck_assert_uint_eq(f->log_port, 0x402);
    outb(f->t, 0xE9, '!');
    ck_assert_uint_eq(f->log_port, 0xE9);
    outb(f->t, 0xF4, 0x10);
    ck_assert_int_eq(f->exits, 1);
    ck_assert_int_eq(f->exit_code, 0x21);
    iobus_out(f->t->io, 0xF4, 0x1FF, 1); /* a byte write carries only its byte */
    ck_assert_int_eq(f->exit_code, 0x1FF);
    iobus_out(f->t->io, 0xF4, 0x1234, 2);
    ck_assert_int_eq(f->exit_code, 0x2469);
    teardown(f);
}
END_TEST

static Suite *misc_suite(void)
{
    Suite *s = suite_create("misc");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_port92);
    tcase_add_test(tc, test_debug_ports);
    suite_add_tcase(s, tc);
    return s;
}

DEVTEST_MAIN(misc_suite)
