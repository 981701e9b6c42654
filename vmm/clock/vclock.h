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

#endif
