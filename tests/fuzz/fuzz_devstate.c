/* Fuzz the devices' saved-state loaders: the input is a whole-machine device blob (what
 * devreg_save_all writes: per device a name, a length and its tagged, versioned state).
 * A blob that loads must leave every device consistent: the machine then runs guest port
 * traffic and time, and its own state must save and load back. A blob that is refused
 * leaves the devices to be reset, which must work too. The first input byte selects the
 * form (see load_vga). */
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/fuzz_pc.h"

/* A fixed burst of guest activity over the loaded state (the ports each device decodes). */
static void exercise(fuzz_pc *m)
{
    static const uint16_t ports[] = {0x20,  0x21,  0xA0,  0xA1,  0x40,  0x42,  0x61,  0x71,
                                     0x3F8, 0x3FA, 0x3FD, 0x2F8, 0x60,  0x64,  0x92,  0xCFC,
                                     0x511, 0x1CF, 0x3C1, 0x3C5, 0x3C9, 0x3CF, 0x3D5, 0x3DA};
    for (unsigned i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
        (void)iobus_in(m->io, ports[i], 1);
        (void)iobus_in(m->io, ports[i], 2);
    }
    fuzz_pc_advance(m, 1000000);
    for (uint32_t a = 0; a < FUZZ_PC_VGA_SIZE; a += 0x1111)
        (void)physmap_read(m->pm, FUZZ_PC_VGA_BASE + a, 4);
    physmap_write(m->pm, FUZZ_PC_VGA_BASE + 0x8000, 0x0741, 2);
    vga_update(&m->vga, vclock_now(m->clock));
    i8042_put_scancode(&m->kbc, 0x1C);
    if (m->intr)
        pic_intr_ack(&m->pic);
    fuzz_pc_advance(m, 500000);
}

/* The VGA's blob ends with all of VRAM (1 MiB here): too big to mutate usefully. An input
 * whose first byte is odd is a VGA blob cut after its VRAM size field; zeros stand in for
 * the VRAM contents. */
static int load_vga(fuzz_pc *m, const uint8_t *data, size_t size)
{
    size_t total = size + m->vga.vram_size;
    uint8_t *buf = calloc(1, total ? total : 1);
    if (!buf)
        abort();
    if (size)
        memcpy(buf, data, size);
    dev_blob b;
    dev_blob_init_read(&b, buf, total);
    int r = vga_load(&m->vga, &b);
    free(buf);
    return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_pc *m = fuzz_pc_new();
    int r = size && (data[0] & 1)
                ? load_vga(m, data + 1, size - 1)
                : devreg_load_all(&m->reg, size ? data + 1 : data, size ? size - 1 : 0);
    if (r < 0)
        devreg_reset_all(&m->reg); /* what the machine does with a refused state */
    exercise(m);
    dev_blob b;
    dev_blob_init(&b);
    if (devreg_save_all(&m->reg, &b) < 0 || devreg_load_all(&m->reg, b.data, b.len) < 0)
        abort(); /* the devices accepted a state they cannot reproduce */
    dev_blob_free(&b);
    fuzz_pc_free(m);
    return 0;
}
