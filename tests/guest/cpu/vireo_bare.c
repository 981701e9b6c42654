/* vireo-bare: runs a Multiboot test program on the Vireo CPU with nothing but RAM and debug
 * ports. A test tool, not a product: it exists so that bare-metal programs can be run on the
 * CPU before the PC machine exists, and compared with qemu-system-i386.
 *
 * Devices: ports 0xE9 and 0x402 print characters; 0xF4 exits with (value << 1) | 1 like
 * QEMU's isa-debug-exit; 0x3F8..0x3FF is a serial port that only transmits (LSR reads
 * "transmitter empty").
 * Exit status: as written to 0xF4; 2 on triple fault (after a register dump on stderr);
 * 3 when the instruction budget runs out or the CPU halts with nothing to wake it;
 * 4 on a usage or load error. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kernel/guest_ram.h"
#include "vmm/boot/multiboot.h"
#include "vmm/cpu/cpu.h"
#include "vmm/mem/iobus.h"
#include "vmm/mem/physmap.h"

#define BARE_EXIT_SHUTDOWN 2
#define BARE_EXIT_TIMEOUT  3
#define BARE_EXIT_USAGE    4
#define BARE_SLICE         (1u << 20) /* instructions per cpu_run() call */

typedef struct bare {
    cpu *cpu;
    bool exited;
    int exit_code;
    uint8_t serial_lcr;
} bare;

static void debug_out(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    putchar((int)(value & 0xFF));
}

static uint32_t debug_in(void *opaque, uint16_t port, unsigned size)
{
    return 0xE9; /* Bochs convention: the port reads as its own number when present */
}

static void exit_out(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    bare *b = opaque;
    if (size < 4)
        value &= (1u << (8 * size)) - 1;
    b->exited = true;
    b->exit_code = (int)(((value << 1) | 1) & 0xFF);
    cpu_request_exit(b->cpu);
}

/* 16550 subset: THR (offset 0, DLAB clear) transmits, LCR (3) is remembered so divisor writes
 * are not printed, LSR (5) always says the transmitter is empty. */
static void serial_out(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    bare *b = opaque;
    unsigned reg = port - 0x3F8u;
    if (reg == 3)
        b->serial_lcr = (uint8_t)value;
    else if (reg == 0 && !(b->serial_lcr & 0x80))
        putchar((int)(value & 0xFF));
}

static uint32_t serial_in(void *opaque, uint16_t port, unsigned size)
{
    bare *b = opaque;
    unsigned reg = port - 0x3F8u;
    if (reg == 3)
        return b->serial_lcr;
    if (reg == 5)
        return 0x60;
    return 0;
}

static int read_file(const char *path, uint8_t **ret_data, size_t *ret_size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -errno;
    uint8_t *data = NULL;
    size_t size = 0, cap = 0;
    for (;;) {
        if (size == cap) {
            cap = cap ? cap * 2 : 65536;
            uint8_t *n = realloc(data, cap);
            if (!n) {
                free(data);
                fclose(f);
                return -ENOMEM;
            }
            data = n;
        }
        size_t got = fread(data + size, 1, cap - size, f);
        size += got;
        if (got == 0)
            break;
    }
    fclose(f);
    *ret_data = data;
    *ret_size = size;
    return 0;
}

static uint64_t host_ns(void *opaque)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* CPU time of this process: on a loaded host it measures the interpreter better than the
 * wall clock. */
static uint64_t cpu_time_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint8_t no_intr(void *opaque)
{
    return 0;
}

static void usage(void)
{
    fprintf(stderr, "usage: vireo-bare [-m MiB] [-b max-instructions] [-a cmdline] [-s] "
                    "program\n  -s  print instructions, wall and CPU time to stderr at exit\n");
}

typedef struct bare_opts {
    uint32_t ram_mib;
    uint64_t budget;
    const char *cmdline;
    const char *program;
    bool stats;
} bare_opts;

static int parse_args(int argc, char **argv, bare_opts *o)
{
    o->ram_mib = 32;
    o->budget = 4000000000ull;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-s") == 0)
            o->stats = true;
        else if (i + 1 < argc && strcmp(a, "-m") == 0)
            o->ram_mib = (uint32_t)strtoul(argv[++i], NULL, 0);
        else if (i + 1 < argc && strcmp(a, "-b") == 0)
            o->budget = strtoull(argv[++i], NULL, 0);
        else if (i + 1 < argc && strcmp(a, "-a") == 0)
            o->cmdline = argv[++i];
        else if (a[0] != '-' && !o->program)
            o->program = a;
        else
            return -EINVAL;
    }
    if (!o->program || o->ram_mib < 2 || o->ram_mib > 3072)
        return -EINVAL;
    return 0;
}

static int setup_ports(iobus *io, bare *b)
{
    int r = iobus_register(io, 0xE9, 1, debug_in, debug_out, b);
    if (r == 0)
        r = iobus_register(io, 0x402, 1, NULL, debug_out, b);
    if (r == 0)
        r = iobus_register(io, 0xF4, 1, NULL, exit_out, b);
    if (r == 0)
        r = iobus_register(io, 0x3F8, 8, serial_in, serial_out, b);
    return r;
}

/* Runs until the program exits, faults or runs out of budget; returns the exit status. */
static int run(bare *b, const bare_opts *o)
{
    char dump[4096];
    uint64_t start = host_ns(NULL), cpu_start = cpu_time_ns(), first = cpu_instret(b->cpu);
    int status = BARE_EXIT_TIMEOUT;
    for (;;) {
        uint64_t done = cpu_instret(b->cpu) - first;
        if (done >= o->budget) {
            fprintf(stderr, "vireo-bare: instruction budget exhausted\n");
            break;
        }
        uint64_t slice = o->budget - done < BARE_SLICE ? o->budget - done : BARE_SLICE;
        cpu_exit e = cpu_run(b->cpu, slice);
        if (b->exited) {
            status = b->exit_code;
            break;
        }
        if (e == CPU_EXIT_SHUTDOWN) {
            cpu_dump_state(b->cpu, dump, sizeof(dump));
            fprintf(stderr, "vireo-bare: triple fault\n%s\n", dump);
            status = BARE_EXIT_SHUTDOWN;
            break;
        }
        if (e == CPU_EXIT_HALT) {
            fprintf(stderr, "vireo-bare: CPU halted with no interrupt source\n");
            break;
        }
    }
    fflush(stdout);
    if (o->stats) {
        double secs = (double)(host_ns(NULL) - start) / 1e9;
        double cpu_secs = (double)(cpu_time_ns() - cpu_start) / 1e9;
        uint64_t n = cpu_instret(b->cpu) - first;
        fprintf(stderr,
                "vireo-bare: instructions=%" PRIu64 " seconds=%.3f cpu_seconds=%.3f mips=%.1f\n", n,
                secs, cpu_secs, secs > 0 ? (double)n / secs / 1e6 : 0.0);
    }
    return status;
}

int main(int argc, char **argv)
{
    bare_opts o = {0};
    if (parse_args(argc, argv, &o) < 0) {
        usage();
        return BARE_EXIT_USAGE;
    }
    uint8_t *image = NULL;
    size_t image_size = 0;
    int r = read_file(o.program, &image, &image_size);
    if (r < 0) {
        fprintf(stderr, "vireo-bare: %s: %s\n", o.program, strerror(-r));
        return BARE_EXIT_USAGE;
    }
    uint32_t ram_size = o.ram_mib << 20;
    guest_ram ram = {.fd = -1};
    int ram_err = guest_ram_alloc(&ram, ram_size);
    physmap *pm = physmap_new();
    iobus *io = iobus_new();
    bare b = {0};
    cpu_platform plat = {.mem = pm, .io = io, .opaque = &b, .intr_ack = no_intr, .now_ns = host_ns};
    int status = BARE_EXIT_USAGE;
    char err[256] = "";
    if (ram_err < 0 || !pm || !io || physmap_add_ram(pm, 0, ram_size, ram.host) < 0 ||
        setup_ports(io, &b) < 0 || !(b.cpu = cpu_new(&plat))) {
        fprintf(stderr, "vireo-bare: cannot set up the machine\n");
        goto out;
    }
    cpu_reset(b.cpu);
    multiboot_config cfg = {.ram_size = ram_size, .cmdline = o.cmdline};
    r = multiboot_load(pm, b.cpu, image, image_size, &cfg, err, sizeof(err));
    if (r < 0) {
        fprintf(stderr, "vireo-bare: %s: %s\n", o.program, err);
        goto out;
    }
    status = run(&b, &o);
out:
    if (b.cpu)
        cpu_free(b.cpu);
    if (io)
        iobus_free(io);
    if (pm)
        physmap_free(pm);
    guest_ram_free(&ram);
    free(image);
    return status;
}
