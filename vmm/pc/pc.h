/* The PC machine: guest RAM, the physical map, the port space, the CPU, the PC devices with
 * their interrupt wiring, the clock, a boot path (direct Linux, Multiboot or a BIOS), and
 * the VM loop that runs it all on one thread.
 *
 * Memory map (32-bit physical):
 *   0x00000000-0x0009FFFF  RAM (conventional memory; the EBDA at its top is reserved)
 *   0x000A0000-0x000BFFFF  VGA window (the PCI VGA at 00:02.0; its LFB is BAR0 in the PCI hole)
 *   0x000C0000-0x000FFFFF  BIOS areas: ROM with PAM shadow RAM (BIOS boot), RAM otherwise
 *   0x00100000-RAM end     RAM
 *   4 GiB - BIOS size      the BIOS image (BIOS boot)
 * RAM ends below PC_PCI_HOLE, so all of it is below 4 GiB. */
#ifndef VIREO_VMM_PC_PC_H
#define VIREO_VMM_PC_PC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PC_MEM_MIN_MB      8u
#define PC_MEM_MAX_MB      3584u /* RAM stays below the PCI hole */
#define PC_PCI_HOLE        0xE0000000u
#define PC_SERIAL_PORTS    4
#define PC_VGA_ROM_DEFAULT "/usr/share/seabios/vgabios-stdvga.bin"

typedef struct display_surface display_surface;

/* A serial port's host side, as written on the command line:
 * none | stdio | file:PATH | pty | unix:PATH (a listening socket) | tcp:PORT (loopback). */
typedef enum pc_serial_kind {
    PC_SERIAL_NONE,
    PC_SERIAL_STDIO,
    PC_SERIAL_FILE,
    PC_SERIAL_PTY,
    PC_SERIAL_UNIX,
    PC_SERIAL_TCP,
} pc_serial_kind;

typedef struct pc_serial_spec {
    pc_serial_kind kind;
    char path[256]; /* FILE, UNIX */
    uint16_t port;  /* TCP */
} pc_serial_spec;

/* Parse one --serial value. Returns 0, or -EINVAL with a message in err. */
int pc_serial_parse(const char *text, pc_serial_spec *ret_spec, char *err, size_t err_size);

typedef struct pc_config {
    uint32_t memory_mb;
    const char *kernel;    /* bzImage: direct Linux boot */
    const char *initrd;    /* with kernel only */
    const char *append;    /* kernel command line, with kernel only */
    const char *multiboot; /* Multiboot kernel: instead of kernel or bios */
    const char *bios;      /* BIOS image; NULL: BIOS_DEFAULT_PATH when neither kernel nor
                              multiboot is given */
    pc_serial_spec serial[PC_SERIAL_PORTS];
    const char *hda;        /* hard disk image (raw or VDI, by content): primary master */
    const char *cdrom;      /* ISO image in the CD-ROM drive (secondary master; NULL: empty) */
    const char *boot_order; /* BIOS boot: letters c (disk), d (CD-ROM), n; NULL: "cd" */
    const char *vga_rom;    /* VGA BIOS; NULL: PC_VGA_ROM_DEFAULT (missing: a warning) */
    bool no_reboot;         /* a guest reset ends the run instead of restarting */
    bool debugcon;          /* pass debug port output (0x402, 0xE9) to log */
    bool gdb;               /* a GDB remote stub on 127.0.0.1:gdb_port (0: any free port) */
    uint16_t gdb_port;
    bool gdb_wait; /* with gdb: the CPU stays stopped until a debugger attaches */
    /* Machine messages (and debug port output with debugcon); NULL drops them. */
    void (*log)(void *opaque, const char *text, size_t len);
    void *log_opaque;
} pc_config;

/* The boot images, read from their files and checked against the configured machine
 * before anything is built. */
typedef struct pc_images {
    uint8_t *kernel, *initrd, *multiboot, *bios;
    size_t kernel_size, initrd_size, multiboot_size, bios_size;
} pc_images;

/* Check the configuration (memory range, which boot path, option combinations) and read and
 * check every image it names: a missing, empty or unreadable file, a kernel that is not a
 * bzImage or is truncated, an initrd that does not fit, a BIOS image of a wrong size. Returns
 * 0 and fills ret_images, or a negative errno with a message in err that names the file. */
int pc_images_load(const pc_config *cfg, pc_images *ret_images, char *err, size_t err_size);
void pc_images_free(pc_images *images);

typedef struct pc pc;

/* Why pc_run() returned. */
typedef enum pc_stop_reason {
    PC_STOP_POWEROFF,   /* the guest powered off (or halted for good: HLT with IF clear) */
    PC_STOP_DEBUG_EXIT, /* the guest wrote to the debug exit port: see exit_code */
    PC_STOP_RESET,      /* the guest reset the machine and no_reboot was set */
    PC_STOP_REQUEST,    /* pc_request_stop() */
} pc_stop_reason;

typedef struct pc_result {
    pc_stop_reason reason;
    int exit_code; /* PC_STOP_DEBUG_EXIT: (value << 1) | 1 */
    uint64_t instructions;
} pc_result;

/* Build the machine and load its boot path. Returns NULL with a message in err. */
pc *pc_new(const pc_config *cfg, char *err, size_t err_size);
void pc_free(pc *m);

/* Run until the guest stops or pc_request_stop(). Returns 0 and fills ret, or a negative
 * errno (a host failure in the loop) with a message in err. */
int pc_run(pc *m, pc_result *ret, char *err, size_t err_size);

/* The host side of COM port `port` (0-3): a pty's slave path, a unix socket's path,
 * "127.0.0.1:PORT" for TCP; "" otherwise. For the caller to tell the user. */
const char *pc_serial_path(const pc *m, int port);

/* The GDB stub's TCP port on 127.0.0.1; 0 without cfg.gdb. */
uint16_t pc_gdb_port(const pc *m);

/* Check a boot order (1-3 distinct letters of "cdn"). Returns 0 or -EINVAL with a message. */
int pc_boot_order_check(const char *order, char *err, size_t err_size);

/* The screen the machine's VGA draws into, for a display frontend (VNC, screenshots). */
display_surface *pc_display(pc *m);
/* The screen as UTF-8 text lines in a text mode (malloc'd). 0, -ENOTSUP in graphics modes. */
int pc_screen_text(pc *m, char **ret_text);
/* Keyboard (PS/2 set-2 bytes) and mouse input; opaque is the pc. VM thread only (e.g. from
 * a pc_watch_fd() callback). */
void pc_put_scancode(void *opaque, uint8_t set2_code);
void pc_mouse_event(void *opaque, int dx, int dy, int dz, uint8_t buttons);
/* Watch a host fd in the VM loop: cb runs on the VM thread whenever fd is readable. At most
 * PC_WATCH_MAX (4). Returns 0 or -ENOSPC. */
int pc_watch_fd(pc *m, int fd, void (*cb)(void *opaque), void *opaque);

/* Ask pc_run() to return soon. Async-signal safe. */
void pc_request_stop(pc *m);

#endif
