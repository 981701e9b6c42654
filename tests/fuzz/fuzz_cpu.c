/* Fuzz the x86 decoder and interpreter: the input is a register state and the bytes of a
 * program, run for a bounded number of instructions in real mode or in flat 32-bit
 * protected mode (optionally with paging through tables the input also supplies).
 *
 * Guest RAM is an ordinary heap block, so ASan reports any host access outside it; a ROM
 * and an MMIO page check that the CPU never writes ROM and hands devices only in-range
 * offsets and sizes; every port access must have size 1, 2 or 4. Any exception, triple
 * fault or halt is a normal outcome: only host-side misbehaviour is a bug. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests/fuzz/fuzz.h"
#include "vmm/cpu/cpu.h"

#define RAM_SIZE  (2u << 20) /* covers the real-mode 1 MiB + 64 KiB (A20) */
#define ROM_BASE  0xFFFF0000u
#define ROM_SIZE  0x10000u
#define MMIO_BASE 0xFEC00000u
#define MMIO_SIZE 0x1000u
#define BUDGET    3000u

enum {
    F_PROTECTED = 1 << 0,
    F_PAGING = 1 << 1,
    F_PSE = 1 << 2,
    F_A20_OFF = 1 << 3,
    F_INTR = 1 << 4,
    F_NMI = 1 << 5,
    F_SEGS = 1 << 6, /* protected mode: load the selectors from the input's tables */
};

typedef struct machine {
    uint8_t *ram, *rom;
    physmap *pm;
    iobus *io;
    cpu *cpu;
    uint8_t vector;
    uint64_t now;
} machine;

static uint32_t rom_sum;

/* A watchdog, as the VM loop's timer is: an input that keeps the CPU in cpu_run past
 * WATCHDOG_NS (e.g. a fault loop that retires no instruction, see findings/README.md)
 * is stopped with cpu_request_exit(). */
#define WATCHDOG_NS 20000000ull
static pthread_mutex_t wd_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t wd_deadline;
static cpu *wd_cpu;
static bool wd_fired;

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void *watchdog(void *arg)
{
    for (;;) {
        usleep(2000);
        pthread_mutex_lock(&wd_lock);
        if (wd_deadline && mono_ns() > wd_deadline) {
            cpu_request_exit(wd_cpu);
            wd_fired = true;
            wd_deadline = 0;
        }
        pthread_mutex_unlock(&wd_lock);
    }
    return NULL;
}

static void watchdog_arm(cpu *c, bool on)
{
    pthread_mutex_lock(&wd_lock);
    wd_cpu = c;
    wd_deadline = on ? mono_ns() + WATCHDOG_NS : 0;
    if (on && wd_fired) {
        (void)cpu_run(c, 0); /* consume a request that fired after the last run ended */
        wd_fired = false;
    }
    pthread_mutex_unlock(&wd_lock);
}

static uint32_t mmio_read(void *opaque, uint32_t offset, unsigned size)
{
    if (offset >= MMIO_SIZE || (size != 1 && size != 2 && size != 4) || offset + size > MMIO_SIZE)
        abort(); /* the physical map handed a device an access outside its region */
    return offset * 0x01010101u;
}

static void mmio_write(void *opaque, uint32_t offset, uint32_t value, unsigned size)
{
    if (offset >= MMIO_SIZE || (size != 1 && size != 2 && size != 4) || offset + size > MMIO_SIZE)
        abort();
}

static uint32_t port_read(void *opaque, uint16_t port, unsigned size)
{
    if (size != 1 && size != 2 && size != 4)
        abort();
    return port == 0x61 ? 0x20 : 0xFFFFFFFFu;
}

static void port_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    if (size != 1 && size != 2 && size != 4)
        abort();
}

static uint8_t intr_ack(void *opaque)
{
    machine *m = opaque;
    cpu_set_intr(m->cpu, false);
    return m->vector;
}

static uint64_t now_ns(void *opaque)
{
    machine *m = opaque;
    return m->now += 100;
}

static const mmio_ops mmio = {mmio_read, mmio_write};

static int machine_init(machine *m)
{
    static uint8_t *rom;
    if (!rom) { /* a fixed ROM image: real-mode code jumps into it via the reset vector */
        rom = malloc(ROM_SIZE);
        if (!rom)
            return -1;
        for (uint32_t i = 0; i < ROM_SIZE; i++)
            rom[i] = (uint8_t)(i * 7 + 0x90);
        for (uint32_t i = 0; i < ROM_SIZE; i++)
            rom_sum = rom_sum * 31 + rom[i];
    }
    m->rom = rom;
    m->ram = aligned_alloc(PHYS_PAGE_SIZE, RAM_SIZE);
    m->pm = physmap_new();
    m->io = iobus_new();
    if (!m->ram || !m->pm || !m->io)
        return -1;
    memset(m->ram, 0, RAM_SIZE);
    if (physmap_add_ram(m->pm, 0, RAM_SIZE, m->ram) < 0 ||
        physmap_add_rom(m->pm, ROM_BASE, ROM_SIZE, m->rom) < 0 ||
        physmap_add_mmio(m->pm, MMIO_BASE, MMIO_SIZE, &mmio, m) < 0 ||
        iobus_register(m->io, 0, 0x10000, port_read, port_write, m) < 0)
        return -1;
    cpu_platform p = {
        .mem = m->pm, .io = m->io, .opaque = m, .intr_ack = intr_ack, .now_ns = now_ns};
    m->cpu = cpu_new(&p);
    if (!m->cpu)
        return -1;
    const char *nowd = getenv("VIREO_FUZZ_NO_WATCHDOG"); /* to reproduce a hang */
    pthread_t t;
    if (nowd && *nowd == '1')
        return 0;
    if (pthread_create(&t, NULL, watchdog, NULL) != 0)
        return -1;
    pthread_detach(t);
    return 0;
}

/* Registers from the input; returns the physical address of the first instruction. */
static uint32_t setup_regs(machine *m, fuzz_in *in, uint8_t flags)
{
    cpu_regs r;
    uint32_t gpr[8];
    for (int i = 0; i < 8; i++)
        gpr[i] = fuzz_u32(in);
    uint32_t eflags = fuzz_u32(in), eip = fuzz_u32(in), cr3 = fuzz_u32(in);
    uint16_t seg[6];
    for (int i = 0; i < 6; i++)
        seg[i] = fuzz_u16(in);
    m->vector = fuzz_u8(in);

    cpu_reset(m->cpu);
    if (!(flags & F_PROTECTED)) {
        cpu_get_regs(m->cpu, &r);
        memcpy(r.gpr, gpr, sizeof(gpr));
        memcpy(r.seg, seg, sizeof(seg));
        r.eip = eip & 0xFFFF;
        r.eflags = (eflags & 0x3F7FD5) | 2; /* no VM86: that needs protected mode */
        cpu_set_regs(m->cpu, &r);
        return ((uint32_t)seg[CPU_SEG_CS] << 4) + r.eip;
    }
    eip %= RAM_SIZE - 16;
    /* A flat GDT at 0 (GDTR's reset value points there): cpu_set_regs reloads the
     * selectors from it. Entries 0x10 code and 0x18 data, as cpu_setup_flat32 uses. */
    static const uint64_t gdt[4] = {0, 0, 0x00CF9B000000FFFFull, 0x00CF93000000FFFFull};
    memcpy(m->ram, gdt, sizeof(gdt));
    cpu_setup_flat32(m->cpu, eip, gpr);
    cpu_get_regs(m->cpu, &r);
    r.eflags = (eflags & 0x3F7FD5) | 2;
    if (flags & F_SEGS)
        memcpy(r.seg, seg, sizeof(seg));
    if (flags & F_PAGING) {
        /* Identity-map the code's 4 MiB with a PSE page, other entries from the input. */
        r.cr3 = (cr3 % RAM_SIZE) & ~0xFFFu;
        r.cr4 |= 0x10;
        uint32_t pde = 0x87; /* present, writable, user, 4 MiB */
        memcpy(m->ram + r.cr3, &pde, 4);
        r.cr0 |= 0x80000000u;
    }
    if (!(flags & F_PSE))
        r.cr4 &= ~0x10u;
    cpu_set_regs(m->cpu, &r);
    return eip;
}

static void run(machine *m, uint8_t flags)
{
    if (flags & F_A20_OFF)
        cpu_set_a20(m->cpu, false);
    if (flags & F_NMI)
        cpu_raise_nmi(m->cpu);
    uint64_t start = cpu_instret(m->cpu);
    watchdog_arm(m->cpu, true);
    for (int round = 0; round < 64; round++) {
        uint64_t done = cpu_instret(m->cpu) - start;
        if (done >= BUDGET)
            break;
        cpu_exit e = cpu_run(m->cpu, BUDGET - done);
        if (e == CPU_EXIT_SHUTDOWN || e == CPU_EXIT_BUDGET || e == CPU_EXIT_REQUEST)
            break;
        if (e == CPU_EXIT_HALT) {
            if (!(flags & F_INTR))
                break;
            cpu_set_intr(m->cpu, true); /* wake it: an interrupt arrives */
        }
    }
    watchdog_arm(m->cpu, false);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* One machine for the whole run (building one costs more than running the input);
     * each input starts from RESET with RAM cleared, and cpu_reset drops every cache. */
    static machine m;
    if (!m.cpu && machine_init(&m) < 0)
        abort();
    fuzz_in in = {data, size};
    memset(m.ram, 0, RAM_SIZE);
    m.now = 0;
    cpu_set_a20(m.cpu, true);
    cpu_set_intr(m.cpu, false);
    uint8_t flags = fuzz_u8(&in);
    uint32_t entry = setup_regs(&m, &in, flags);

    /* The rest is code at the entry point; the same bytes also fill the start of RAM (the
     * real-mode vector table, descriptor tables, page tables the code may point at). */
    const uint8_t *code;
    size_t n = fuzz_bytes(&in, 8192, &code);
    if (entry < RAM_SIZE)
        memcpy(m.ram + entry, code, n < RAM_SIZE - entry ? n : RAM_SIZE - entry);
    memcpy(m.ram + 0x500, code, n < 0x1000 ? n : 0x1000);

    run(&m, flags);

    cpu_regs r;
    char dump[2048];
    cpu_get_regs(m.cpu, &r);
    cpu_dump_state(m.cpu, dump, sizeof(dump));
    uint32_t sum = 0;
    for (uint32_t i = 0; i < ROM_SIZE; i++)
        sum = sum * 31 + m.rom[i];
    if (sum != rom_sum)
        abort(); /* a guest write reached ROM */
    return 0;
}
