/* The PC machine's private state, shared by its files (pc.c: assembly and boot, pc_loop.c:
 * the VM loop, pc_config.c: checks and images). */
#ifndef VIREO_VMM_PC_PC_INT_H
#define VIREO_VMM_PC_PC_INT_H

#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

#include "kernel/guest_ram.h"
#include "vmm/boot/bios.h"
#include "vmm/clock/vclock.h"
#include "vmm/cpu/cpu.h"
#include "vmm/cpu/gdbstub.h"
#include "vmm/dev/debugport.h"
#include "vmm/dev/devreg.h"
#include "vmm/dev/fw_cfg.h"
#include "vmm/dev/i440fx.h"
#include "vmm/dev/i8042.h"
#include "vmm/dev/ide.h"
#include "vmm/dev/pci.h"
#include "vmm/dev/pic.h"
#include "vmm/dev/piix3.h"
#include "vmm/dev/pit.h"
#include "vmm/dev/port92.h"
#include "vmm/dev/rtc.h"
#include "vmm/dev/uart.h"
#include "vmm/dev/vga.h"
#include "vmm/display/surface.h"
#include "vmm/mem/iobus.h"
#include "vmm/mem/physmap.h"
#include "vmm/pc/pc.h"
#include "vmm/pc/pc_files.h"

/* The signal of the CPU kick timer (pc_loop.c); the process must leave it alone. */
#define PC_KICK_SIGNAL (SIGRTMIN + 3)

#define PC_ROM_AREA_BASE 0xC0000u /* option ROMs and BIOS: PAM-controlled up to 1 MiB */
#define PC_ROM_AREA_SIZE 0x40000u
#define PC_WATCH_MAX     4 /* host fds a frontend may add to the VM loop */

struct pc {
    pc_config cfg; /* string pointers borrowed from the caller except append */
    char *append;
    pc_images images;
    guest_ram ram;
    physmap *pm;
    iobus *io;
    cpu *cpu;
    vclock *clock;
    dev_registry reg;
    dev_env env;
    pic pic;
    pit pit;
    rtc rtc;
    pci_bus pci;
    i440fx host_bridge;
    piix3 isa_bridge;
    port92 port92;
    debugport debug;
    fw_cfg fw_cfg;
    i8042 kbc;
    uart com[PC_SERIAL_PORTS];
    chardev *serial[PC_SERIAL_PORTS]; /* host side of each COM port; NULL: none */
    int dev_up; /* how many of the devices above are initialised, in init order */
    vga vga;    /* pc_video.c */
    bool vga_up;
    display_surface *surface; /* the screen the VGA draws */
    vtimer vga_timer;         /* screen refresh */
    uint8_t *vga_rom;         /* VGA BIOS image, NULL if not found */
    uint32_t vga_rom_len;
    ide ide; /* pc_media.c */
    bool ide_up;
    img *hda, *cdrom;
    struct {
        int fd;
        void (*cb)(void *opaque);
        void *opaque;
    } watch[PC_WATCH_MAX]; /* pc_watch_fd() */
    int nwatch;
    bios_image bios;    /* BIOS boot only */
    uint8_t *empty_rom; /* reads of ROM areas with no ROM behind them: all ones */
    int wakefd;         /* eventfd: pc_request_stop() */
    timer_t kick;       /* POSIX timer: ends a CPU burst at the next timer deadline */
    bool kick_ready;
    uint64_t kick_deadline; /* deadline the kick is armed for; UINT64_MAX: disarmed */
    atomic_bool stop;
    bool reset_pending;
    bool exit_pending;
    int exit_code;
    gdbstub *gdb;  /* cfg.gdb only: the loop runs the CPU through it */
    bool gdb_hold; /* cfg.gdb_wait and no debugger attached yet: do not run */
};

/* Machine messages to the configured log. */
void pc_log(pc *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Device callbacks into the machine (A20 gate, reset request, debug exit). */
void pc_set_a20(void *opaque, bool enabled);
void pc_request_reset(void *opaque);

/* Reset every device and the CPU and run the boot path again. Returns 0 or -errno. */
int pc_reset(pc *m, char *err, size_t err_size);

/* pc_video.c: the VGA, its refresh timer and ROM; pc_video_boot() after each reset. */
int pc_video_init(pc *m, char *err, size_t err_size);
void pc_video_boot(pc *m);
void pc_video_fini(pc *m);

/* pc_media.c: the IDE controller, its drives, the BIOS boot order. */
int pc_media_init(pc *m, char *err, size_t err_size);
void pc_media_fini(pc *m);

int pc_loop_init(pc *m);
void pc_loop_fini(pc *m);

#endif
