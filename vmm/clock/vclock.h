/* Guest time and timers. The virtual clock follows the host's monotonic clock while the
 * machine runs and stands still while it is paused, so a paused guest sees no time pass.
 * Devices arm timers on it; the VM loop runs the expired ones between CPU bursts and sleeps
 * until vclock_next_deadline() when the CPU halts. Single-threaded: the VM thread only. */
#ifndef VIREO_VMM_CLOCK_VCLOCK_H
#define VIREO_VMM_CLOCK_VCLOCK_H

#include <stdbool.h>
#include <stdint.h>

typedef struct vclock vclock;

typedef struct vtimer {
    uint64_t deadline; /* guest ns; meaningful while armed */
    void (*cb)(void *opaque);
    void *opaque;
    vclock *clock;
    struct vtimer *next; /* private: the clock's sorted list */
    bool armed;
} vtimer;

vclock *vclock_new(void);
void vclock_free(vclock *vc);

uint64_t vclock_now(vclock *vc); /* guest nanoseconds since the machine was created */
void vclock_pause(vclock *vc);
void vclock_resume(vclock *vc);

void vtimer_init(vtimer *t, vclock *vc, void (*cb)(void *opaque), void *opaque);
void vtimer_mod(vtimer *t, uint64_t deadline_ns); /* (re)arm */
void vtimer_del(vtimer *t);

/* Run every timer whose deadline has passed; returns how many ran. */
int vclock_run_timers(vclock *vc);
/* Earliest armed deadline, or UINT64_MAX when none. */
uint64_t vclock_next_deadline(vclock *vc);

bool vclock_running(const vclock *vc);

/* Host time source, in nanoseconds; the default is kernel/clock.h's CLOCK_MONOTONIC. Tests
 * install a source they control so that elapsed guest time is exact. The guest time seen at
 * the moment of the switch is kept: the new source only decides how time moves from there. */
typedef uint64_t (*vclock_source_fn)(void *opaque);
void vclock_set_source(vclock *vc, vclock_source_fn fn, void *opaque);

/* Set the guest time (state restore). Armed timers keep their absolute deadlines. */
void vclock_set_now(vclock *vc, uint64_t now_ns);

#endif
