/* Host clocks: the one place the VMM reads the host's time. */
#ifndef VIREO_KERNEL_CLOCK_H
#define VIREO_KERNEL_CLOCK_H

#include <stdint.h>

/* Nanoseconds of CLOCK_MONOTONIC: never jumps, counts while the host runs. */
uint64_t clock_monotonic_ns(void);
/* Nanoseconds since the Unix epoch (CLOCK_REALTIME): wall-clock time, may jump. */
uint64_t clock_realtime_ns(void);

#endif
