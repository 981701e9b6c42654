/* The PC machine: memory map, CPU, devices and their wiring, boot paths, reset. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/boot/linux.h"
#include "vmm/boot/multiboot.h"
#include "vmm/pc/pc_int.h"

#define LOW_RAM_END 0xA0000u
#define FERR_IRQ    13
#define HIGH_RAM    0x100000u

void pc_log(pc *m, const char *fmt, ...)
{
    if (!m->cfg.log)
        return;
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n > 0)
        m->cfg.log(m->cfg.log_opaque, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

/* --- platform callbacks ------------------------------------------------------------------ */

static uint64_t platform_now_ns(void *opaque)
{
    pc *m = opaque;
    return vclock_now(m->clock);
}

static uint8_t platform_intr_ack(void *opaque)
{
    pc *m = opaque;
    return pic_intr_ack(&m->pic);
}

/* FERR#: the chipset turns the x87 error signal into IRQ 13 (an edge for the PIC). */
static void platform_fpu_error(void *opaque)
{
    pc *m = opaque;
    irq_line line = pic_irq_line(&m->pic, FERR_IRQ);
    irq_line_pulse(&line);
}

static void pic_set_intr(void *opaque, bool level)
{
    pc *m = opaque;
    cpu_set_intr(m->cpu, level);
}

void pc_set_a20(void *opaque, bool enabled)
{
    pc *m = opaque;
    cpu_set_a20(m->cpu, enabled);
}

void pc_request_reset(void *opaque)
{
    pc *m = opaque;
    m->reset_pending = true;
    cpu_request_exit(m->cpu);
}

/* --- memory ----------------------------------------------------------------------------- */

/* The i440FX's PAM registers moved a BIOS-area segment between RAM and ROM. Direct boot
 * has no BIOS to shadow: the area stays RAM whatever the registers say. */
static void pc_shadow(void *opaque, uint32_t base, uint32_t size, bool read_ram, bool write_ram)
{
    pc *m = opaque;
    if (base < PC_ROM_AREA_BASE || base + size > PC_ROM_AREA_BASE + PC_ROM_AREA_SIZE)
        return;
    if (!m->images.bios)
        read_ram = write_ram = true;
    uint8_t *rom = bios_low_rom(&m->bios, base);
    if (!rom || !bios_low_rom(&m->bios, base + size - 1))
        rom = m->empty_rom + (base - PC_ROM_AREA_BASE);
    physmap_set_shadow(m->pm, base, size, m->ram.host + base, rom, read_ram, write_ram);
}

static void debug_log(void *opaque, uint16_t port, uint8_t byte)
{
    pc *m = opaque;
    if (m->cfg.debugcon && m->cfg.log) {
        char c = (char)byte;
        m->cfg.log(m->cfg.log_opaque, &c, 1);
    }
}

static void debug_exit(void *opaque, int code)
{
    pc *m = opaque;
    m->exit_pending = true;
    m->exit_code = code;
    cpu_request_exit(m->cpu);
}

static int map_memory(pc *m, char *err, size_t err_size)
{
    uint32_t ram = m->cfg.memory_mb << 20;
    uint8_t *host = m->ram.host;
    /* 0xA0000-0xBFFFF is left to the VGA (vga_init maps it). */
    int r = physmap_add_ram(m->pm, 0, LOW_RAM_END, host);
    if (r == 0)
        r = physmap_add_ram(m->pm, HIGH_RAM, ram - HIGH_RAM, host + HIGH_RAM);
    if (r == 0 && m->images.bios) {
        /* Option-ROM space reads as empty ROM; the BIOS answers at its top and at 4 GiB. */
        r = physmap_add_rom(m->pm, PC_ROM_AREA_BASE, PC_ROM_AREA_SIZE, m->empty_rom);
        if (r == 0)
            r = bios_map(&m->bios, m->pm);
    } else if (r == 0) {
        /* Direct boot runs no BIOS: the area is plain RAM (reserved in the e820 map), so the
         * kernel's scans for BIOS tables find nothing. */
        r = physmap_add_ram(m->pm, PC_ROM_AREA_BASE, PC_ROM_AREA_SIZE, host + PC_ROM_AREA_BASE);
    }
    if (r < 0)
        pc_set_err(err, err_size, "cannot build the memory map: %s", strerror(-r));
    return r;
}

/* --- devices ----------------------------------------------------------------------------- */

/* What SeaBIOS asks the firmware configuration device for. */
static int fill_fw_cfg(pc *m)
{
    linux_e820_entry map[LINUX_E820_MAX];
    fw_cfg_e820 fw[LINUX_E820_MAX];
    unsigned n = linux_default_e820(m->cfg.memory_mb << 20, map, LINUX_E820_MAX);
    for (unsigned i = 0; i < n; i++)
        fw[i] = (fw_cfg_e820){map[i].addr, map[i].size, map[i].type};
    int r = fw_cfg_add_i64(&m->fw_cfg, FW_CFG_RAM_SIZE, (uint64_t)m->cfg.memory_mb << 20);
    if (r == 0)
        r = fw_cfg_add_i16(&m->fw_cfg, FW_CFG_NB_CPUS, 1);
    if (r == 0)
        r = fw_cfg_add_i16(&m->fw_cfg, FW_CFG_MAX_CPUS, 1);
    /* The boot device and order come from pc_media_init(). NOGRAPHIC stays set even with
     * the VGA: SeaBIOS then mirrors its screen output to COM1 (sercon). */
    if (r == 0)
        r = fw_cfg_add_i16(&m->fw_cfg, FW_CFG_NOGRAPHIC, 1);
    if (r == 0)
        r = fw_cfg_set_e820(&m->fw_cfg, fw, n);
    /* SeaBIOS also copies its screen output (banner, boot messages) to COM1. */
    static const uint8_t sercon[2] = {0xF8, 0x03};
    if (r == 0 && m->serial[0])
        r = fw_cfg_add_file(&m->fw_cfg, "etc/sercon-port", sercon, sizeof(sercon));
    return r < 0 ? r : 0;
}

static int init_devices(pc *m, char *err, size_t err_size)
{
    devreg_init(&m->reg);
    m->env = (dev_env){.io = m->io, .clock = m->clock, .reg = &m->reg};
    dev_machine_cb mcb = {.set_a20 = pc_set_a20, .request_reset = pc_request_reset, .opaque = m};
    irq_line isa = pic_irq_line(&m->pic, 0);
    /* Interrupt wiring: PIT -> IRQ 0, RTC -> IRQ 8, PCI INTx -> PIIX3 routing -> PIC. dev_up
     * counts the devices initialised, in this order, for pc_free(). */
    int r = pic_init(&m->pic, &m->env, pic_set_intr, m);
    if (r == 0 && ++m->dev_up)
        r = pit_init(&m->pit, &m->env, pic_irq_line(&m->pic, 0));
    if (r == 0 && ++m->dev_up)
        r = rtc_init(&m->rtc, &m->env, pic_irq_line(&m->pic, 8));
    if (r == 0 && ++m->dev_up)
        r = pci_bus_init(&m->pci, &m->env);
    if (r == 0 && ++m->dev_up)
        r = i440fx_init(&m->host_bridge, &m->pci, &m->env, pc_shadow, m);
    if (r == 0 && ++m->dev_up)
        r = piix3_init(&m->isa_bridge, &m->pci, &m->env, isa.set, isa.opaque, mcb);
    if (r == 0 && ++m->dev_up)
        r = port92_init(&m->port92, &m->env, mcb);
    if (r == 0 && ++m->dev_up)
        r = debugport_init(&m->debug, &m->env, debug_log, debug_exit, m);
    if (r == 0 && ++m->dev_up)
        r = fw_cfg_init(&m->fw_cfg, &m->env);
    if (r == 0 && ++m->dev_up)
        r = fill_fw_cfg(m);
    if (r == 0)
        r = i8042_init(&m->kbc, &m->env, pic_irq_line(&m->pic, 1), pic_irq_line(&m->pic, 12), mcb);
    /* COM1-COM4 at their ISA ports and IRQs 4/3, each with its host backend (or none). */
    for (int i = 0; r == 0 && i < PC_SERIAL_PORTS; i++) {
        ++m->dev_up;
        r = uart_init(&m->com[i], &m->env, uart_pc_base[i], pic_irq_line(&m->pic, uart_pc_irq[i]),
                      m->serial[i]);
    }
    if (r == 0)
        m->dev_up++;
    if (r < 0) {
        pc_set_err(err, err_size, "cannot set up the devices: %s", strerror(-r));
        return r;
    }
    r = pc_video_init(m, err, err_size);
    if (r == 0)
        r = pc_media_init(m, err, err_size);
    if (r < 0)
        return r;
    rtc_set_memory(&m->rtc, (uint64_t)m->cfg.memory_mb << 20, 0);
    return 0;
}

static void fini_devices(pc *m)
{
    /* In reverse order of init_devices(); dev_up says how far it got. */
    pc_media_fini(m);
    pc_video_fini(m);
    for (int i = PC_SERIAL_PORTS - 1; i >= 0; i--)
        if (m->dev_up >= 11 + i)
            uart_fini(&m->com[i], &m->env);
    if (m->dev_up >= 10)
        i8042_fini(&m->kbc, &m->env);
    if (m->dev_up >= 9)
        fw_cfg_fini(&m->fw_cfg, &m->env);
    if (m->dev_up >= 8)
        debugport_fini(&m->debug, &m->env);
    if (m->dev_up >= 7)
        port92_fini(&m->port92, &m->env);
    if (m->dev_up >= 6)
        piix3_fini(&m->isa_bridge, &m->env);
    if (m->dev_up >= 5)
        i440fx_fini(&m->host_bridge, &m->env);
    if (m->dev_up >= 4)
        pci_bus_fini(&m->pci, &m->env);
    if (m->dev_up >= 3)
        rtc_fini(&m->rtc, &m->env);
    if (m->dev_up >= 2)
        pit_fini(&m->pit, &m->env);
    if (m->dev_up >= 1)
        pic_fini(&m->pic, &m->env);
    m->dev_up = 0;
}

/* --- boot -------------------------------------------------------------------------------- */

static int boot(pc *m, char *err, size_t err_size)
{
    char why[256];
    int r = 0;
    if (m->images.kernel) {
        linux_config lc = {.ram_size = m->cfg.memory_mb << 20,
                           .cmdline = m->append,
                           .initrd = m->images.initrd,
                           .initrd_size = m->images.initrd_size,
                           .vga_text = m->vga_up};
        pc_video_boot(m);
        r = linux_load(m->pm, m->cpu, m->images.kernel, m->images.kernel_size, &lc, NULL, why,
                       sizeof(why));
        if (r < 0)
            pc_set_err(err, err_size, "kernel '%s': %s", m->cfg.kernel, why);
    } else if (m->images.multiboot) {
        multiboot_config mc = {.ram_size = m->cfg.memory_mb << 20, .cmdline = NULL};
        r = multiboot_load(m->pm, m->cpu, m->images.multiboot, m->images.multiboot_size, &mc, why,
                           sizeof(why));
        if (r < 0)
            pc_set_err(err, err_size, "multiboot kernel '%s': %s", m->cfg.multiboot, why);
    }
    /* BIOS boot: the CPU's reset state already points at the reset vector. */
    return r;
}

int pc_reset(pc *m, char *err, size_t err_size)
{
    devreg_reset_all(&m->reg);
    cpu_reset(m->cpu);
    cpu_set_a20(m->cpu, true);
    m->reset_pending = false;
    return boot(m, err, err_size);
}

/* --- lifecycle --------------------------------------------------------------------------- */

/* The chardev spec of a parsed --serial value. */
static void serial_spec_text(const pc_serial_spec *sp, char *buf, size_t size)
{
    switch (sp->kind) {
    case PC_SERIAL_STDIO: snprintf(buf, size, "stdio"); break;
    case PC_SERIAL_FILE: snprintf(buf, size, "file:%s", sp->path); break;
    case PC_SERIAL_PTY: snprintf(buf, size, "pty"); break;
    case PC_SERIAL_UNIX: snprintf(buf, size, "unix:%s", sp->path); break;
    case PC_SERIAL_TCP: snprintf(buf, size, "tcp:%u", sp->port); break;
    case PC_SERIAL_NONE: buf[0] = 0; break;
    }
}

static int open_serial(pc *m, char *err, size_t err_size)
{
    for (int i = 0; i < PC_SERIAL_PORTS; i++) {
        char spec[300];
        serial_spec_text(&m->cfg.serial[i], spec, sizeof(spec));
        if (!spec[0])
            continue;
        char *why = NULL;
        m->serial[i] = chardev_open(spec, &why);
        if (!m->serial[i]) {
            pc_set_err(err, err_size, "serial port %d (%s): %s", i + 1, spec,
                       why ? why : "cannot open");
            free(why);
            return -EIO;
        }
    }
    return 0;
}

const char *pc_serial_path(const pc *m, int port)
{
    if (port < 0 || port >= PC_SERIAL_PORTS || !m->serial[port])
        return "";
    return chardev_path(m->serial[port]);
}

static int build(pc *m, char *err, size_t err_size)
{
    int r = open_serial(m, err, err_size);
    if (r < 0)
        return r;
    r = guest_ram_alloc(&m->ram, (size_t)m->cfg.memory_mb << 20);
    if (r < 0) {
        pc_set_err(err, err_size, "cannot allocate %u MiB of guest RAM: %s", m->cfg.memory_mb,
                   strerror(-r));
        return r;
    }
    m->pm = physmap_new();
    m->io = iobus_new();
    m->clock = vclock_new();
    m->empty_rom = aligned_alloc(PHYS_PAGE_SIZE, PC_ROM_AREA_SIZE);
    if (!m->pm || !m->io || !m->clock || !m->empty_rom) {
        pc_set_err(err, err_size, "out of memory building the machine");
        return -ENOMEM;
    }
    memset(m->empty_rom, 0xFF, PC_ROM_AREA_SIZE);
    if (m->images.bios) {
        r = bios_image_init(&m->bios, m->images.bios, m->images.bios_size, err, err_size);
        if (r < 0)
            return r;
    }
    r = map_memory(m, err, err_size);
    if (r < 0)
        return r;
    cpu_platform plat = {.mem = m->pm,
                         .io = m->io,
                         .opaque = m,
                         .intr_ack = platform_intr_ack,
                         .now_ns = platform_now_ns,
                         .fpu_error = platform_fpu_error};
    m->cpu = cpu_new(&plat);
    if (!m->cpu) {
        pc_set_err(err, err_size, "out of memory for the CPU");
        return -ENOMEM;
    }
    if (m->cfg.gdb) {
        m->gdb = gdbstub_new(m->cpu, m->cfg.gdb_port, err, err_size);
        if (!m->gdb)
            return -EADDRINUSE;
        m->gdb_hold = m->cfg.gdb_wait;
    }
    r = init_devices(m, err, err_size);
    if (r == 0)
        r = pc_loop_init(m);
    if (r < 0 && err && !*err)
        pc_set_err(err, err_size, "cannot set up the VM loop: %s", strerror(-r));
    return r < 0 ? r : pc_reset(m, err, err_size);
}

pc *pc_new(const pc_config *cfg, char *err, size_t err_size)
{
    if (err && err_size)
        err[0] = 0;
    pc *m = calloc(1, sizeof(*m));
    if (!m) {
        pc_set_err(err, err_size, "out of memory");
        return NULL;
    }
    m->cfg = *cfg;
    m->ram.fd = -1;
    m->wakefd = -1;
    if (cfg->append && !(m->append = strdup(cfg->append))) {
        free(m);
        return NULL;
    }
    int r = pc_images_load(cfg, &m->images, err, err_size);
    if (r == 0)
        r = build(m, err, err_size);
    if (r < 0) {
        pc_free(m);
        return NULL;
    }
    return m;
}

void pc_free(pc *m)
{
    if (!m)
        return;
    pc_loop_fini(m);
    gdbstub_free(m->gdb);
    fini_devices(m);
    if (m->cpu)
        cpu_free(m->cpu);
    if (m->io)
        iobus_free(m->io);
    if (m->pm)
        physmap_free(m->pm);
    if (m->clock)
        vclock_free(m->clock);
    for (int i = 0; i < PC_SERIAL_PORTS; i++)
        chardev_free(m->serial[i]);
    bios_image_fini(&m->bios);
    free(m->empty_rom);
    guest_ram_free(&m->ram);
    pc_images_free(&m->images);
    free(m->append);
    free(m);
}

uint16_t pc_gdb_port(const pc *m)
{
    return m->gdb ? gdbstub_port(m->gdb) : 0;
}
