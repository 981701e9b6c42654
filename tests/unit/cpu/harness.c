#include "tests/unit/cpu/harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef CPU_TEST_BIN_DIR
#define CPU_TEST_BIN_DIR "."
#endif

static uint32_t port_read(void *opaque, uint16_t port, unsigned size)
{
    return 0xFFFFFFFFu;
}

static void port_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    tmach *m = opaque;
    if (port == 0xE9) {
        if (m->nout < (int)sizeof(m->out) - 1)
            m->out[m->nout++] = (char)value;
        m->out[m->nout] = 0;
    } else if (port == 0xF4) {
        m->exited = true;
        m->exit_code = value;
        cpu_request_exit(m->cpu);
    }
}

static uint8_t ack(void *opaque)
{
    tmach *m = opaque;
    m->acks++;
    cpu_set_intr(m->cpu, false);
    return m->vector;
}

static uint64_t now_ns(void *opaque)
{
    tmach *m = opaque;
    return m->now += 1000;
}

tmach *tmach_new(uint32_t ram_size)
{
    tmach *m = calloc(1, sizeof(*m));
    if (!m)
        return NULL;
    if (guest_ram_alloc(&m->ram, ram_size) < 0) {
        free(m);
        return NULL;
    }
    m->pm = physmap_new();
    m->io = iobus_new();
    physmap_add_ram(m->pm, 0, ram_size, m->ram.host);
    iobus_register(m->io, 0xE9, 1, port_read, port_write, m);
    iobus_register(m->io, 0xF4, 1, port_read, port_write, m);
    cpu_platform p = {.mem = m->pm, .io = m->io, .opaque = m, .intr_ack = ack, .now_ns = now_ns};
    m->cpu = cpu_new(&p);
    return m;
}

void tmach_free(tmach *m)
{
    if (!m)
        return;
    cpu_free(m->cpu);
    iobus_free(m->io);
    physmap_free(m->pm);
    guest_ram_free(&m->ram);
    free(m);
}

long tmach_load(tmach *m, const char *name, uint32_t paddr)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", CPU_TEST_BIN_DIR, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    uint8_t buf[65536];
    size_t n = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    if (physmap_copy_to_guest(m->pm, paddr, buf, n) < 0)
        return -1;
    return (long)n;
}

void tmach_poke(tmach *m, uint32_t paddr, const void *bytes, uint32_t len)
{
    physmap_copy_to_guest(m->pm, paddr, bytes, len);
}

uint32_t tmach_peek32(tmach *m, uint32_t paddr)
{
    uint32_t v = 0;
    physmap_copy_from_guest(m->pm, paddr, &v, 4);
    return v;
}

cpu_exit tmach_run(tmach *m, uint64_t budget)
{
    uint64_t start = cpu_instret(m->cpu);
    for (;;) {
        uint64_t done = cpu_instret(m->cpu) - start;
        if (done >= budget)
            return CPU_EXIT_BUDGET;
        cpu_exit e = cpu_run(m->cpu, budget - done);
        if (e == CPU_EXIT_REQUEST && !m->exited)
            continue;
        return e;
    }
}

void tmach_start_real(tmach *m, uint16_t seg, uint16_t off)
{
    cpu_regs r;
    cpu_reset(m->cpu);
    cpu_get_regs(m->cpu, &r);
    r.seg[CPU_SEG_CS] = seg;
    r.seg[CPU_SEG_DS] = r.seg[CPU_SEG_ES] = r.seg[CPU_SEG_SS] = 0;
    r.gpr[CPU_ESP] = 0x7000;
    r.eip = off;
    cpu_set_regs(m->cpu, &r);
}
