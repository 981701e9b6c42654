/* Host clocks. clock_gettime() on these ids never fails on Linux; a zero return would only
 * come from a kernel without them, which we do not support. */
#include "kernel/clock.h"

#include <time.h>

static uint64_t clock_read(clockid_t id)
{
    struct timespec ts;
    if (clock_gettime(id, &ts) != 0)
        return 0;
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t clock_monotonic_ns(void)
{
    return clock_read(CLOCK_MONOTONIC);
}

uint64_t clock_realtime_ns(void)
{
    return clock_read(CLOCK_REALTIME);
}
