/* Test machine for CPU unit tests: guest RAM at 0, a debug console on port 0xE9 and an exit
 * port 0xF4, optional interrupt source. Programs are nasm binaries built from asm/. */
#ifndef VIREO_TESTS_CPU_HARNESS_H
#define VIREO_TESTS_CPU_HARNESS_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/guest_ram.h"
#include "vmm/cpu/cpu.h"

typedef struct tmach {
    guest_ram ram;
    physmap *pm;
    iobus *io;
    cpu *cpu;
    char out[4096]; /* bytes written to port 0xE9 */
    int nout;
    bool exited;
    uint32_t exit_code;
    uint8_t vector; /* answered by intr_ack */
    int acks;
    uint64_t now;
} tmach;

tmach *tmach_new(uint32_t ram_size);
void tmach_free(tmach *m);
/* Load a file from the test binary directory at a physical address; returns its size. */
long tmach_load(tmach *m, const char *name, uint32_t paddr);
void tmach_poke(tmach *m, uint32_t paddr, const void *bytes, uint32_t len);
uint32_t tmach_peek32(tmach *m, uint32_t paddr);
/* Run until the exit port is written, a halt, a shutdown or `budget` instructions. */
cpu_exit tmach_run(tmach *m, uint64_t budget);
/* Start in real mode at seg:off with everything else at reset values. */
void tmach_start_real(tmach *m, uint16_t seg, uint16_t off);

#endif
