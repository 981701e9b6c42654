/* Guest MIPS on an integer loop: cpu_bench [passes] (default 20 million, 8 insns each). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "tests/unit/cpu/harness.h"

int main(int argc, char **argv)
{
    uint32_t passes = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : 20000000u;
    tmach *m = tmach_new(4u << 20);
    if (!m || tmach_load(m, "bench.bin", 0x7C00) < 0) {
        fprintf(stderr, "cpu_bench: cannot set up the machine or load bench.bin\n");
        return 1;
    }
    tmach_poke(m, 0x500, &passes, 4);
    tmach_start_real(m, 0, 0x7C00);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    cpu_exit e = tmach_run(m, UINT64_MAX);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    uint64_t n = cpu_instret(m->cpu);
    printf("exit=%d code=%u instructions=%llu seconds=%.3f MIPS=%.1f\n", (int)e, m->exit_code,
           (unsigned long long)n, s, (double)n / s / 1e6);
    int bad = !m->exited || m->exit_code != 0;
    tmach_free(m);
    return bad;
}
