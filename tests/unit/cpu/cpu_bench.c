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
    /* CPU time as well as wall time: the machine is shared, and CPU time is what the
     * interpreter costs */
    struct timespec t0, t1, c0, c1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
    cpu_exit e = tmach_run(m, UINT64_MAX);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    double cs = (double)(c1.tv_sec - c0.tv_sec) + (double)(c1.tv_nsec - c0.tv_nsec) / 1e9;
    uint64_t n = cpu_instret(m->cpu);
    printf("exit=%d code=%u instructions=%llu wall=%.3fs (%.1f MIPS) cpu=%.3fs (%.1f MIPS)\n",
           (int)e, m->exit_code, (unsigned long long)n, s, (double)n / s / 1e6, cs,
           (double)n / cs / 1e6);
    int bad = !m->exited || m->exit_code != 0;
    tmach_free(m);
    return bad;
}
