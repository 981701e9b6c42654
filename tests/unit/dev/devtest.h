/* Shared fixture for device tests: a port bus, a virtual clock driven by a test-controlled
 * host time, and a device registry. */
#ifndef VIREO_TESTS_UNIT_DEV_DEVTEST_H
#define VIREO_TESTS_UNIT_DEV_DEVTEST_H

#include <check.h>
#include <stdlib.h>

#include "vmm/clock/vclock.h"
#include "vmm/dev/devreg.h"
#include "vmm/dev/irq.h"
#include "vmm/mem/iobus.h"

typedef struct devtest {
    iobus *io;
    vclock *clock;
    dev_registry reg;
    dev_env env;
    uint64_t host_ns;
} devtest;

static inline uint64_t devtest_source(void *opaque)
{
    return ((devtest *)opaque)->host_ns;
}

static inline devtest *devtest_new(void)
{
    devtest *t = calloc(1, sizeof(*t));
    ck_assert_ptr_nonnull(t);
    t->io = iobus_new();
    t->clock = vclock_new();
    ck_assert_ptr_nonnull(t->io);
    ck_assert_ptr_nonnull(t->clock);
    t->host_ns = 1000000000ull;
    vclock_set_source(t->clock, devtest_source, t);
    vclock_set_now(t->clock, 0);
    devreg_init(&t->reg);
    t->env = (dev_env){.io = t->io, .clock = t->clock, .reg = &t->reg};
    return t;
}

static inline void devtest_free(devtest *t)
{
    vclock_free(t->clock);
    iobus_free(t->io);
    free(t);
}

/* An interrupt line that remembers its level and counts rising edges, checking that the
 * device drives the IRQ number it was given. */
typedef struct irq_probe {
    int n;
    bool level;
    int edges;
} irq_probe;

static inline void irq_probe_set(void *opaque, int n, bool level)
{
    irq_probe *p = opaque;
    ck_assert_int_eq(n, p->n);
    if (level && !p->level)
        p->edges++;
    p->level = level;
}

static inline irq_line irq_probe_line(irq_probe *p, int n)
{
    p->n = n;
    return (irq_line){.set = irq_probe_set, .opaque = p, .n = n};
}

/* Let `ns` of guest time pass, running each timer at its own deadline as the VM loop would. */
static inline void devtest_advance(devtest *t, uint64_t ns)
{
    uint64_t target = vclock_now(t->clock) + ns;
    uint64_t d;
    while ((d = vclock_next_deadline(t->clock)) <= target) {
        uint64_t now = vclock_now(t->clock);
        if (d > now)
            t->host_ns += d - now;
        vclock_run_timers(t->clock);
    }
    t->host_ns += target - vclock_now(t->clock);
    vclock_run_timers(t->clock);
}

static inline uint8_t inb(devtest *t, uint16_t port)
{
    return (uint8_t)iobus_in(t->io, port, 1);
}

static inline void outb(devtest *t, uint16_t port, uint8_t v)
{
    iobus_out(t->io, port, v, 1);
}

#define DEVTEST_MAIN(suite_fn)                                                                     \
    int main(void)                                                                                 \
    {                                                                                              \
        SRunner *sr = srunner_create(suite_fn());                                                  \
        srunner_run_all(sr, CK_NORMAL);                                                            \
        int failed = srunner_ntests_failed(sr);                                                    \
        srunner_free(sr);                                                                          \
        return failed ? EXIT_FAILURE : EXIT_SUCCESS;                                               \
    }

#endif
