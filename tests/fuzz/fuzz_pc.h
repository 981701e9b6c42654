/* The PC devices on one port bus, as the machine builds them: the harness for the port-I/O
 * fuzzer and the saved-state fuzzer. Guest time comes from a clock the harness drives. */
#ifndef VIREO_TESTS_FUZZ_FUZZ_PC_H
#define VIREO_TESTS_FUZZ_FUZZ_PC_H

#include "vmm/dev/debugport.h"
#include "vmm/dev/fw_cfg.h"
#include "vmm/dev/i440fx.h"
#include "vmm/dev/i8042.h"
#include "vmm/dev/pic.h"
#include "vmm/dev/piix3.h"
#include "vmm/dev/pit.h"
#include "vmm/dev/port92.h"
#include "vmm/dev/rtc.h"
#include "vmm/dev/uart.h"
#include "vmm/dev/vga.h"
#include "vmm/display/surface.h"

#define FUZZ_PC_VGA_BASE 0xA0000u
#define FUZZ_PC_VGA_SIZE 0x20000u

typedef struct fuzz_pc {
    iobus *io;
    vclock *clock;
    physmap *pm;
    dev_registry reg;
    dev_env env;
    uint64_t host_ns;
    pic pic;
    pit pit;
    rtc rtc;
    uart com[4];
    i8042 kbc;
    port92 p92;
    pci_bus pci;
    i440fx nb;
    piix3 sb;
    fw_cfg cfg;
    debugport dbg;
    display_surface *surface;
    vga vga;
    bool intr;
    int resets, exits, shadows, a20;
} fuzz_pc;

/* Build every device (aborts if that fails: the harness cannot run without them). */
fuzz_pc *fuzz_pc_new(void);
void fuzz_pc_free(fuzz_pc *m);
/* Let ns of guest time pass, running each timer at its deadline as the VM loop does. */
void fuzz_pc_advance(fuzz_pc *m, uint64_t ns);

#endif
