/* Guest virtual clock and timers.
 *
 * Invariants:
 *  - while running, guest time = source() - offset; while paused it is frozen at paused_at;
 *  - the timer list is sorted by deadline (ties keep arming order), and a timer is in the
 *    list exactly when its `armed` flag is set. */
#include "vmm/clock/vclock.h"

#include <stdlib.h>

#include "kernel/clock.h"

/* A callback that keeps re-arming into the past must not wedge the VM loop. */
#define VCLOCK_MAX_RUNS_PER_CALL 4096

struct vclock {
    vclock_source_fn source;
    void *source_opaque;
    uint64_t offset;    /* source time at guest time 0 (while running) */
    uint64_t paused_at; /* guest time while paused */
    bool running;
    vtimer *head;
};

static uint64_t vclock_host_source(void *opaque)
{
    (void)opaque;
    return clock_monotonic_ns();
}

vclock *vclock_new(void)
{
    vclock *vc = calloc(1, sizeof(*vc));
    if (!vc)
        return NULL;
    vc->source = vclock_host_source;
    vc->offset = vc->source(NULL);
    vc->running = true;
    return vc;
}

void vclock_free(vclock *vc)
{
    if (!vc)
        return;
    while (vc->head)
        vtimer_del(vc->head);
    free(vc);
}

uint64_t vclock_now(vclock *vc)
{
    if (!vc->running)
        return vc->paused_at;
    return vc->source(vc->source_opaque) - vc->offset;
}

bool vclock_running(const vclock *vc)
{
    return vc->running;
}

void vclock_pause(vclock *vc)
{
    if (!vc->running)
        return;
    vc->paused_at = vclock_now(vc);
    vc->running = false;
}

void vclock_resume(vclock *vc)
{
    if (vc->running)
        return;
    vc->offset = vc->source(vc->source_opaque) - vc->paused_at;
    vc->running = true;
}

void vclock_set_now(vclock *vc, uint64_t now_ns)
{
    if (vc->running)
        vc->offset = vc->source(vc->source_opaque) - now_ns;
    else
        vc->paused_at = now_ns;
}

void vclock_set_source(vclock *vc, vclock_source_fn fn, void *opaque)
{
    uint64_t now = vclock_now(vc);
    vc->source = fn ? fn : vclock_host_source;
    vc->source_opaque = fn ? opaque : NULL;
    vclock_set_now(vc, now);
}

void vtimer_init(vtimer *t, vclock *vc, void (*cb)(void *opaque), void *opaque)
{
    t->deadline = 0;
    t->cb = cb;
    t->opaque = opaque;
    t->clock = vc;
    t->next = NULL;
    t->armed = false;
}

void vtimer_del(vtimer *t)
{
    if (!t->armed)
        return;
    for (vtimer **pp = &t->clock->head; *pp; pp = &(*pp)->next) {
        if (*pp == t) {
            *pp = t->next;
            break;
        }
    }
    t->next = NULL;
    t->armed = false;
}

void vtimer_mod(vtimer *t, uint64_t deadline_ns)
{
    vtimer_del(t);
    vtimer **pp = &t->clock->head;
    while (*pp && (*pp)->deadline <= deadline_ns)
        pp = &(*pp)->next;
    t->deadline = deadline_ns;
    t->next = *pp;
    *pp = t;
    t->armed = true;
}

int vclock_run_timers(vclock *vc)
{
    if (!vc->head)
        return 0; /* the common idle case: no host clock read */
    uint64_t now = vclock_now(vc);
    int ran = 0;
    while (vc->head && vc->head->deadline <= now && ran < VCLOCK_MAX_RUNS_PER_CALL) {
        vtimer *t = vc->head;
        vc->head = t->next;
        t->next = NULL;
        t->armed = false;
        t->cb(t->opaque);
        ran++;
    }
    return ran;
}

uint64_t vclock_next_deadline(vclock *vc)
{
    return vc->head ? vc->head->deadline : UINT64_MAX;
}
