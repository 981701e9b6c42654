/* The fuzzers' PC (fuzz_pc.h). */
#include "tests/fuzz/fuzz_pc.h"

#include <stdlib.h>

static void set_intr(void *o, bool level)
{
    ((fuzz_pc *)o)->intr = level;
}

static void count_reset(void *o)
{
    ((fuzz_pc *)o)->resets++;
}

static void set_a20(void *o, bool on)
{
    ((fuzz_pc *)o)->a20 = on;
}

static void count_exit(void *o, int code)
{
    ((fuzz_pc *)o)->exits++;
}

static void nop_log(void *o, uint16_t port, uint8_t b) {}

static void count_shadow(void *o, uint32_t base, uint32_t size, bool r, bool w)
{
    ((fuzz_pc *)o)->shadows++;
}

static uint64_t host_source(void *opaque)
{
    return ((fuzz_pc *)opaque)->host_ns;
}

#define CHECK(x)                                                                                   \
    do {                                                                                           \
        if ((x) < 0)                                                                               \
            abort();                                                                               \
    } while (0)

fuzz_pc *fuzz_pc_new(void)
{
    fuzz_pc *m = calloc(1, sizeof(*m));
    if (!m)
        abort();
    m->io = iobus_new();
    m->clock = vclock_new();
    m->pm = physmap_new();
    m->surface = display_surface_new();
    if (!m->io || !m->clock || !m->pm || !m->surface)
        abort();
    m->host_ns = 1000000000ull;
    vclock_set_source(m->clock, host_source, m);
    vclock_set_now(m->clock, 0);
    devreg_init(&m->reg);
    m->env = (dev_env){.io = m->io, .clock = m->clock, .reg = &m->reg};
    const dev_env *env = &m->env;
    dev_machine_cb mcb = {set_a20, count_reset, m};
    CHECK(pic_init(&m->pic, env, set_intr, m));
    CHECK(pit_init(&m->pit, env, pic_irq_line(&m->pic, 0)));
    CHECK(rtc_init(&m->rtc, env, pic_irq_line(&m->pic, 8)));
    for (int i = 0; i < 4; i++)
        CHECK(uart_init(&m->com[i], env, uart_pc_base[i], pic_irq_line(&m->pic, uart_pc_irq[i]),
                        NULL));
    CHECK(i8042_init(&m->kbc, env, pic_irq_line(&m->pic, 1), pic_irq_line(&m->pic, 12), mcb));
    CHECK(port92_init(&m->p92, env, mcb));
    CHECK(pci_bus_init(&m->pci, env));
    CHECK(i440fx_init(&m->nb, &m->pci, env, count_shadow, m));
    CHECK(piix3_init(&m->sb, &m->pci, env, pic_irq_set, &m->pic, mcb));
    CHECK(fw_cfg_init(&m->cfg, env));
    /* Items as the machine adds them, so the file directory and reads past ends have data. */
    static const fw_cfg_e820 e820[] = {{0, 0x9FC00, 1}, {0x100000, 0x3F00000, 1}};
    static const char order[] = "/pci@i0cf8/ide@1,1/drive@0/disk@0\n";
    CHECK(fw_cfg_set_e820(&m->cfg, e820, 2));
    CHECK(fw_cfg_add_file(&m->cfg, "bootorder", order, sizeof(order)));
    CHECK(fw_cfg_add_bytes(&m->cfg, FW_CFG_KERNEL_CMDLINE, "console=ttyS0", 14));
    CHECK(debugport_init(&m->dbg, env, nop_log, count_exit, m));
    /* The smallest VRAM keeps each run cheap; every register path is the same. */
    CHECK(vga_init(&m->vga, env, &m->pci, PCI_DEVFN(2, 0), m->pm, m->surface, 1));
    return m;
}

void fuzz_pc_free(fuzz_pc *m)
{
    const dev_env *env = &m->env;
    vga_fini(&m->vga, env);
    debugport_fini(&m->dbg, env);
    fw_cfg_fini(&m->cfg, env);
    piix3_fini(&m->sb, env);
    i440fx_fini(&m->nb, env);
    pci_bus_fini(&m->pci, env);
    port92_fini(&m->p92, env);
    i8042_fini(&m->kbc, env);
    for (int i = 0; i < 4; i++)
        uart_fini(&m->com[i], env);
    rtc_fini(&m->rtc, env);
    pit_fini(&m->pit, env);
    pic_fini(&m->pic, env);
    display_surface_free(m->surface);
    physmap_free(m->pm);
    vclock_free(m->clock);
    iobus_free(m->io);
    free(m);
}

void fuzz_pc_advance(fuzz_pc *m, uint64_t ns)
{
    uint64_t target = vclock_now(m->clock) + ns;
    uint64_t d;
    while ((d = vclock_next_deadline(m->clock)) <= target) {
        uint64_t now = vclock_now(m->clock);
        if (d > now)
            m->host_ns += d - now;
        vclock_run_timers(m->clock);
    }
    m->host_ns += target - vclock_now(m->clock);
    vclock_run_timers(m->clock);
}
