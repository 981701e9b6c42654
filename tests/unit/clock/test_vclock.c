/* The guest clock: follows its source while running, frozen while paused; timers run in
 * deadline order. */
#include <check.h>
#include <stdlib.h>
#include <time.h>

#include "kernel/clock.h"
#include "vmm/clock/vclock.h"

static uint64_t fake_ns;
static uint64_t fake_source(void *opaque)
{
    (void)opaque;
    return fake_ns;
}

typedef struct rec {
    int order[8];
    int n;
} rec;

typedef struct tmr {
    vtimer t;
    rec *r;
    int id;
    uint64_t rearm; /* re-arm period, 0 = one shot */
} tmr;

static void tmr_cb(void *opaque)
{
    tmr *m = opaque;
    if (m->r->n < 8)
        m->r->order[m->r->n++] = m->id;
    if (m->rearm)
        vtimer_mod(&m->t, m->t.deadline + m->rearm);
}

START_TEST(test_follows_monotonic_clock)
{
    vclock *vc = vclock_new();
    uint64_t a = vclock_now(vc);
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
    uint64_t b = vclock_now(vc);
    ck_assert_uint_ge(b - a, 20 * 1000 * 1000);
    ck_assert_uint_lt(b - a, 2000ull * 1000 * 1000);
    vclock_pause(vc);
    uint64_t p = vclock_now(vc);
    nanosleep(&ts, NULL);
    ck_assert_uint_eq(vclock_now(vc), p); /* paused: no time passes */
    vclock_resume(vc);
    ck_assert_uint_lt(vclock_now(vc) - p, 10 * 1000 * 1000);
    ck_assert_uint_gt(clock_realtime_ns(), 1500000000ull * 1000000000ull);
    vclock_free(vc);
}
END_TEST

START_TEST(test_pause_with_source)
{
    vclock *vc = vclock_new();
    fake_ns = 5000;
    vclock_set_source(vc, fake_source, NULL);
    vclock_set_now(vc, 100);
    fake_ns += 50;
    ck_assert_uint_eq(vclock_now(vc), 150);
    vclock_pause(vc);
    fake_ns += 1000;
    ck_assert_uint_eq(vclock_now(vc), 150);
    ck_assert(!vclock_running(vc));
    vclock_resume(vc);
    fake_ns += 7;
    ck_assert_uint_eq(vclock_now(vc), 157);
    vclock_free(vc);
}
END_TEST

START_TEST(test_timers_sorted)
{
    vclock *vc = vclock_new();
    fake_ns = 0;
    vclock_set_source(vc, fake_source, NULL);
    vclock_set_now(vc, 0);
    rec r = {0};
    tmr m[3];
    for (int i = 0; i < 3; i++) {
        m[i] = (tmr){.r = &r, .id = i};
        vtimer_init(&m[i].t, vc, tmr_cb, &m[i]);
    }
    ck_assert_uint_eq(vclock_next_deadline(vc), UINT64_MAX);
    vtimer_mod(&m[0].t, 300);
    vtimer_mod(&m[1].t, 100);
    vtimer_mod(&m[2].t, 200);
    ck_assert_uint_eq(vclock_next_deadline(vc), 100);
    vtimer_mod(&m[1].t, 400); /* re-arming moves it */
    ck_assert_uint_eq(vclock_next_deadline(vc), 200);
    fake_ns = 250;
    ck_assert_int_eq(vclock_run_timers(vc), 1);
    ck_assert_int_eq(r.order[0], 2);
    vtimer_del(&m[0].t);
    fake_ns = 1000;
    ck_assert_int_eq(vclock_run_timers(vc), 1);
    ck_assert_int_eq(r.order[1], 1);
    ck_assert_uint_eq(vclock_next_deadline(vc), UINT64_MAX);
    /* a periodic timer late by 3 periods catches up, and stops at now */
    m[0].rearm = 100;
    vtimer_mod(&m[0].t, 700);
    ck_assert_int_eq(vclock_run_timers(vc), 4); /* 700, 800, 900, 1000 */
    ck_assert_uint_eq(vclock_next_deadline(vc), 1100);
    /* a paused clock runs nothing */
    vclock_pause(vc);
    fake_ns = 5000;
    ck_assert_int_eq(vclock_run_timers(vc), 0);
    vclock_free(vc); /* frees with a timer still armed */
}
END_TEST

static Suite *vclock_suite(void)
{
    Suite *s = suite_create("vclock");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_follows_monotonic_clock);
    tcase_add_test(tc, test_pause_with_source);
    tcase_add_test(tc, test_timers_sorted);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(vclock_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
