/* GDB remote serial protocol stub on a loopback TCP port (like QEMU's -s / -gdb tcp::1234).
 *
 * The VM loop owns the stub: it polls gdbstub_fd() for input and calls gdbstub_handle(), and
 * runs the CPU through gdbstub_run() instead of cpu_run(). While gdb holds the target stopped
 * gdbstub_run() returns CPU_EXIT_DEBUG at once and the loop should only wait for input.
 * Supported: ?, g, G, p, P, m, M, c, s, vCont, Z0/z0 (breakpoints), D, k, Ctrl-C, qSupported,
 * qAttached, thread queries. Addresses are linear (CS base + EIP for the PC). */
#ifndef VIREO_VMM_CPU_GDBSTUB_H
#define VIREO_VMM_CPU_GDBSTUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/cpu/cpu.h"

typedef struct gdbstub gdbstub;

/* Listen on 127.0.0.1:port (0 picks a free port). Returns NULL with a message in err. */
gdbstub *gdbstub_new(cpu *c, uint16_t port, char *err, size_t err_size);
void gdbstub_free(gdbstub *g);
uint16_t gdbstub_port(const gdbstub *g);
/* The descriptor to wait on: the connection when gdb is attached, else the listener. */
int gdbstub_fd(const gdbstub *g);
/* Read and answer what gdb sent (never blocks on input). Returns true when the CPU may run. */
bool gdbstub_handle(gdbstub *g);
/* Run up to budget instructions honouring gdb's continue/step and breakpoints; a stop is
 * reported to gdb and returned as CPU_EXIT_DEBUG. Without a debugger this is cpu_run(). */
cpu_exit gdbstub_run(gdbstub *g, uint64_t budget);

#endif
