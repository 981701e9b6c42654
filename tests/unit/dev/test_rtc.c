/* MC146818 RTC: time as the guest reads it, interrupts on IRQ 8, CMOS bytes. */
#include <time.h>

#include "devtest.h"
#include "kernel/clock.h"
#include "vmm/dev/rtc.h"

typedef struct fixture {
    devtest *t;
    rtc rtc;
    irq_probe irq;
} fixture;

static fixture *setup(void)
{
    fixture *f = calloc(1, sizeof(*f));
    f->t = devtest_new();
    ck_assert_int_eq(rtc_init(&f->rtc, &f->t->env, irq_probe_line(&f->irq, 8)), 0);
    return f;
}

static void teardown(fixture *f)
{
    rtc_fini(&f->rtc, &f->t->env);
    devtest_free(f->t);
    free(f);
}

static uint8_t cmos_read(fixture *f, uint8_t idx)
{
    outb(f->t, 0x70, idx);
    return inb(f->t, 0x71);
}

static void cmos_write(fixture *f, uint8_t idx, uint8_t v)
{
    outb(f->t, 0x70, idx);
    outb(f->t, 0x71, v);
}

static int bcd(uint8_t v)
{
    return (v >> 4) * 10 + (v & 0xF);
}

/* Read the date as a guest does (BCD, 24 h) into Unix seconds. */
static int64_t guest_time(fixture *f)
{
    while (cmos_read(f, 0x0A) & 0x80)
        devtest_advance(f->t, 10000);
    struct tm tm = {0};
    tm.tm_sec = bcd(cmos_read(f, 0x00));
    tm.tm_min = bcd(cmos_read(f, 0x02));
    tm.tm_hour = bcd(cmos_read(f, 0x04));
    tm.tm_mday = bcd(cmos_read(f, 0x07));
    tm.tm_mon = bcd(cmos_read(f, 0x08)) - 1;
    tm.tm_year = bcd(cmos_read(f, 0x32)) * 100 + bcd(cmos_read(f, 0x09)) - 1900;
    return (int64_t)timegm(&tm);
}

START_TEST(test_bcd_time_matches_host)
{
    fixture *f = setup();
    int64_t host = (int64_t)(clock_realtime_ns() / 1000000000ull);
    int64_t guest = guest_time(f);
    ck_assert_int_le(llabs(guest - host), 2);
    /* it advances with guest time */
    devtest_advance(f->t, 10ull * 1000000000ull);
    ck_assert_int_le(llabs(guest_time(f) - (host + 10)), 2);
    /* day of week: 1 = Sunday */
    time_t tt = (time_t)rtc_get_time(&f->rtc);
    struct tm tm;
    gmtime_r(&tt, &tm);
    ck_assert_int_eq(bcd(cmos_read(f, 0x06)), tm.tm_wday + 1);
    teardown(f);
}
END_TEST

START_TEST(test_set_time_binary_and_12h)
{
    fixture *f = setup();
    cmos_write(f, 0x0B, 0x82); /* SET, BCD, 24 h */
    cmos_write(f, 0x32, 0x19);
    cmos_write(f, 0x09, 0x99);
    cmos_write(f, 0x08, 0x12);
    cmos_write(f, 0x07, 0x31);
    cmos_write(f, 0x04, 0x23);
    cmos_write(f, 0x02, 0x59);
    cmos_write(f, 0x00, 0x59);
    devtest_advance(f->t, 5ull * 1000000000ull); /* frozen while SET */
    ck_assert_uint_eq(cmos_read(f, 0x00), 0x59);
    cmos_write(f, 0x0B, 0x02);
    ck_assert_int_eq(rtc_get_time(&f->rtc), 946684799);
    devtest_advance(f->t, 1000000000ull);
    ck_assert_int_eq(rtc_get_time(&f->rtc), 946684800);
    ck_assert_uint_eq(cmos_read(f, 0x32), 0x20);
    ck_assert_uint_eq(cmos_read(f, 0x09), 0x00);
    ck_assert_uint_eq(cmos_read(f, 0x08), 0x01);
    /* binary, 24 h */
    rtc_set_time(&f->rtc, 946684800 + 13 * 3600 + 45 * 60 + 30); /* 13:45:30 */
    cmos_write(f, 0x0B, 0x06);
    ck_assert_uint_eq(cmos_read(f, 0x04), 13);
    ck_assert_uint_eq(cmos_read(f, 0x02), 45);
    ck_assert_uint_eq(cmos_read(f, 0x00), 30);
    /* BCD, 12 h: 1 PM */
    cmos_write(f, 0x0B, 0x00);
    ck_assert_uint_eq(cmos_read(f, 0x04), 0x81);
    rtc_set_time(&f->rtc, 946684800); /* midnight is 12 AM */
    ck_assert_uint_eq(cmos_read(f, 0x04), 0x12);
    teardown(f);
}
END_TEST

START_TEST(test_periodic_rate_and_reg_c)
{
    fixture *f = setup();
    cmos_write(f, 0x0A, 0x26); /* 1024 Hz */
    cmos_write(f, 0x0C, 0xFF); /* read-only */
    cmos_read(f, 0x0C);
    cmos_write(f, 0x0B, 0x42); /* PIE */
    int seen = 0;
    for (int i = 0; i < 10000; i++) {
        devtest_advance(f->t, 100000);
        if (f->irq.level) {
            ck_assert_uint_eq(cmos_read(f, 0x0C) & 0xC0, 0xC0); /* IRQF | PF (UF may ride along) */
            ck_assert(!f->irq.level);                           /* reading C lowered IRQ 8 */
            ck_assert_uint_eq(cmos_read(f, 0x0C), 0x00);        /* and cleared it */
            seen++;
        }
    }
    ck_assert_int_ge(seen, 1023);
    ck_assert_int_le(seen, 1025);
    /* rate select 15: 2 Hz */
    cmos_write(f, 0x0A, 0x2F);
    cmos_read(f, 0x0C);
    f->irq.edges = 0;
    for (int i = 0; i < 100; i++) {
        devtest_advance(f->t, 50000000);
        if (f->irq.level)
            cmos_read(f, 0x0C);
    }
    ck_assert_int_ge(f->irq.edges, 9);
    ck_assert_int_le(f->irq.edges, 11);
    /* PIE off: no interrupt, but the flag still sets */
    cmos_write(f, 0x0B, 0x02);
    f->irq.edges = 0;
    devtest_advance(f->t, 2000000000ull);
    ck_assert_int_eq(f->irq.edges, 0);
    ck_assert_uint_eq(cmos_read(f, 0x0C) & 0xC0, 0x40);
    teardown(f);
}
END_TEST

START_TEST(test_update_and_alarm_interrupts)
{
    fixture *f = setup();
    cmos_write(f, 0x0B, 0x12); /* UIE */
    for (int i = 0; i < 50; i++) {
        devtest_advance(f->t, 100000000);
        if (f->irq.level)
            ck_assert_uint_eq(cmos_read(f, 0x0C) & 0x90, 0x90); /* IRQF | UF */
    }
    ck_assert_int_ge(f->irq.edges, 4);
    ck_assert_int_le(f->irq.edges, 6);
    /* alarm two seconds ahead, minutes and hours "don't care" */
    cmos_write(f, 0x0B, 0x02);
    cmos_read(f, 0x0C);
    int64_t t = rtc_get_time(&f->rtc) + 2;
    cmos_write(f, 0x01, (uint8_t)(((t % 60) / 10) << 4 | (t % 10)));
    cmos_write(f, 0x03, 0xFF);
    cmos_write(f, 0x05, 0xC0);
    cmos_write(f, 0x0B, 0x22); /* AIE */
    f->irq.edges = 0;
    devtest_advance(f->t, 1000000000ull - 1);
    ck_assert_int_le(f->irq.edges, 0 + (rtc_get_time(&f->rtc) == t));
    devtest_advance(f->t, 1200000000ull);
    ck_assert_int_eq(f->irq.edges, 1);
    ck_assert_uint_eq(cmos_read(f, 0x0C) & 0xA0, 0xA0);
    teardown(f);
}
END_TEST

START_TEST(test_uip_window)
{
    fixture *f = setup();
    int high = 0;
    for (int i = 0; i < 22000; i++) { /* 1.1 s in 50 us steps */
        devtest_advance(f->t, 50000);
        high += (cmos_read(f, 0x0A) & 0x80) != 0;
    }
    ck_assert_int_ge(high, 4); /* 244 us per second */
    ck_assert_int_le(high, 10);
    teardown(f);
}
END_TEST

START_TEST(test_memory_bytes_and_nmi)
{
    fixture *f = setup();
    rtc_set_memory(&f->rtc, 128ull << 20, 0);
    ck_assert_uint_eq(cmos_read(f, 0x15) | cmos_read(f, 0x16) << 8, 640);
    ck_assert_uint_eq(cmos_read(f, 0x17) | cmos_read(f, 0x18) << 8, 0xFFFF);
    ck_assert_uint_eq(cmos_read(f, 0x30) | cmos_read(f, 0x31) << 8, 0xFFFF);
    ck_assert_uint_eq(cmos_read(f, 0x34) | cmos_read(f, 0x35) << 8, (128 - 16) * 16);
    rtc_set_memory(&f->rtc, 8ull << 20, 1ull << 32);
    ck_assert_uint_eq(cmos_read(f, 0x17) | cmos_read(f, 0x18) << 8, 7 * 1024);
    ck_assert_uint_eq(cmos_read(f, 0x34) | cmos_read(f, 0x35) << 8, 0);
    ck_assert_uint_eq(cmos_read(f, 0x5B) | cmos_read(f, 0x5C) << 8 | cmos_read(f, 0x5D) << 16,
                      65536);
    rtc_set_equipment(&f->rtc, 0x06);
    unsigned sum = 0;
    for (int i = 0x10; i <= 0x2D; i++)
        sum += cmos_read(f, (uint8_t)i);
    ck_assert_uint_eq(cmos_read(f, 0x2E) << 8 | cmos_read(f, 0x2F), sum);
    ck_assert_uint_eq(cmos_read(f, 0x14), 0x06);
    /* NMI mask bit does not change the index's meaning */
    outb(f->t, 0x70, 0x80 | 0x14);
    ck_assert(f->rtc.nmi_masked);
    ck_assert_uint_eq(inb(f->t, 0x71), 0x06);
    outb(f->t, 0x70, 0x14);
    ck_assert(!f->rtc.nmi_masked);
    ck_assert_uint_eq(cmos_read(f, 0x0D), 0x80);
    /* plain RAM keeps what is written, all 128 bytes reachable, nothing beyond */
    cmos_write(f, 0x7F, 0xA5);
    ck_assert_uint_eq(cmos_read(f, 0x7F), 0xA5);
    ck_assert_uint_eq(cmos_read(f, 0xFF), 0xA5); /* index 0xFF is NMI bit + 0x7F */
    rtc_cmos_set(&f->rtc, 0x1FF, 0x11);          /* masked to 0x7F */
    ck_assert_uint_eq(rtc_cmos_get(&f->rtc, 0x7F), 0x11);
    teardown(f);
}
END_TEST

START_TEST(test_save_load)
{
    fixture *f = setup();
    cmos_write(f, 0x40, 0x77);
    cmos_write(f, 0x0B, 0x42);
    int64_t t = rtc_get_time(&f->rtc);
    dev_blob b;
    dev_blob_init(&b);
    ck_assert_int_eq(devreg_save_all(&f->t->reg, &b), 0);
    cmos_write(f, 0x40, 0x00);
    devreg_reset_all(&f->t->reg);
    ck_assert_uint_eq(vclock_next_deadline(f->t->clock), UINT64_MAX);
    ck_assert_int_eq(devreg_load_all(&f->t->reg, b.data, b.len), 0);
    ck_assert_uint_eq(cmos_read(f, 0x40), 0x77);
    ck_assert_uint_eq(cmos_read(f, 0x0B), 0x42);
    ck_assert_int_eq(rtc_get_time(&f->rtc), t);
    ck_assert_uint_ne(vclock_next_deadline(f->t->clock), UINT64_MAX);
    for (size_t n = 0; n < b.len; n++)
        ck_assert_int_ne(devreg_load_all(&f->t->reg, b.data, n), 0);
    dev_blob_free(&b);
    teardown(f);
}
END_TEST

static Suite *rtc_suite(void)
{
    Suite *s = suite_create("rtc");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_bcd_time_matches_host);
    tcase_add_test(tc, test_set_time_binary_and_12h);
    tcase_add_test(tc, test_periodic_rate_and_reg_c);
    tcase_add_test(tc, test_update_and_alarm_interrupts);
    tcase_add_test(tc, test_uip_window);
    tcase_add_test(tc, test_memory_bytes_and_nmi);
    tcase_add_test(tc, test_save_load);
    suite_add_tcase(s, tc);
    return s;
}

DEVTEST_MAIN(rtc_suite)
