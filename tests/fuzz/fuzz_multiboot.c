/* Fuzz the Multiboot loader: the input is a kernel image. Parsing must accept only plans
 * that fit the guest (every segment inside RAM, off the information area, inside the
 * file), and loading must write nowhere but guest RAM (a heap block: ASan watches it). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz.h"
#include "vmm/boot/multiboot.h"

#define RAM_SIZE (4u << 20)

static void check_plan(const multiboot_plan *p, size_t size)
{
    if (p->nsegments > MULTIBOOT_MAX_SEGMENTS)
        abort();
    for (unsigned i = 0; i < p->nsegments; i++) {
        const multiboot_segment *s = &p->seg[i];
        uint64_t file_end = (uint64_t)s->file_offset + s->file_size;
        uint64_t mem_end = (uint64_t)s->addr + s->mem_size;
        if (file_end > size || s->file_size > s->mem_size || mem_end > RAM_SIZE)
            abort(); /* the parser accepted a segment outside the file or RAM */
        if (s->mem_size && s->addr < MULTIBOOT_INFO_BASE + MULTIBOOT_INFO_SIZE &&
            mem_end > MULTIBOOT_INFO_BASE)
            abort(); /* over the information area */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    multiboot_plan plan;
    char err[256];
    int r = multiboot_parse(data, size, RAM_SIZE, &plan, err, sizeof(err));
    if (r == 0)
        check_plan(&plan, size);
    else if (r != -ENOEXEC && r != -EINVAL && r != -ERANGE)
        abort(); /* an error the header does not document */
    if (r < 0 && !memchr(err, 0, sizeof(err)))
        abort(); /* an unterminated message */

    /* One guest for the whole run: the loader writes it from scratch each time. */
    static uint8_t *ram;
    static physmap *pm;
    static iobus *io;
    static cpu *c;
    if (!c) {
        ram = aligned_alloc(PHYS_PAGE_SIZE, RAM_SIZE);
        pm = physmap_new();
        io = iobus_new();
        if (!ram || !pm || !io || physmap_add_ram(pm, 0, RAM_SIZE, ram) < 0)
            abort();
        cpu_platform pl = {.mem = pm, .io = io};
        if (!(c = cpu_new(&pl)))
            abort();
    }
    cpu_reset(c);
    multiboot_config cfg = {.ram_size = RAM_SIZE, .cmdline = "console=ttyS0 root=/dev/ram0"};
    int lr = multiboot_load(pm, c, data, size, &cfg, err, sizeof(err));
    if ((lr == 0) != (r == 0))
        abort(); /* load and parse disagree on the same image */
    if (lr == 0) {
        cpu_regs regs;
        cpu_get_regs(c, &regs);
        if (regs.gpr[CPU_EAX] != MULTIBOOT_BOOTLOADER_MAGIC || regs.eip != plan.entry)
            abort();
    }
    return 0;
}
