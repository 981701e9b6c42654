/* Fuzz the PC devices from the guest's side: the input is a sequence of operations — port
 * reads and writes of every size, VGA memory-window accesses, guest time passing, host
 * input events, display updates, resets and state round trips — applied to every device
 * of the PC on one bus. Any access outside a device's state is an ASan report; a state
 * that saves but does not load back is an abort. */
#include <stdlib.h>

#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/fuzz_pc.h"

#define MAX_OPS     512
#define MAX_STEP_NS 250000u /* one time step: up to 250 us of guest time */

/* Ports the devices decode; a random 16-bit port would almost never hit one. */
static const uint16_t ports[] = {
    0x20,  0x21,  0xA0,  0xA1,  0x4D0, 0x4D1, 0x40,  0x41,  0x42,  0x43,  0x61,  0x70,  0x71,
    0x3F8, 0x3F9, 0x3FA, 0x3FB, 0x3FC, 0x3FD, 0x3FE, 0x3FF, 0x2F8, 0x2FD, 0x3E8, 0x2E8, 0x60,
    0x64,  0x92,  0xCF8, 0xCF9, 0xCFA, 0xCFB, 0xCFC, 0xCFD, 0xCFE, 0xCFF, 0x510, 0x511, 0x402,
    0xE9,  0x1CE, 0x1CF, 0x3C0, 0x3C1, 0x3C2, 0x3C4, 0x3C5, 0x3C6, 0x3C7, 0x3C8, 0x3C9, 0x3CA,
    0x3CC, 0x3CE, 0x3CF, 0x3D4, 0x3D5, 0x3DA, 0x3B4, 0x3B5, 0x3BA,
};
#define NPORTS (sizeof(ports) / sizeof(ports[0]))

static uint16_t pick_port(uint8_t sel, uint16_t raw)
{
    /* Mostly a known port, sometimes a neighbour of one, sometimes anything. */
    if (sel < 200)
        return ports[raw % NPORTS];
    if (sel < 240)
        return (uint16_t)(ports[raw % NPORTS] + (sel & 7) - 3);
    return raw;
}

static void roundtrip(fuzz_pc *m)
{
    dev_blob b;
    dev_blob_init(&b);
    if (devreg_save_all(&m->reg, &b) < 0 || devreg_load_all(&m->reg, b.data, b.len) < 0)
        abort(); /* a state the devices reached by themselves must restore */
    dev_blob_free(&b);
}

static void misc_op(fuzz_pc *m, uint8_t what, uint32_t v)
{
    switch (what % 8) {
    case 0: i8042_put_scancode(&m->kbc, (uint8_t)v); break;
    case 1:
        i8042_mouse_event(&m->kbc, (int)(v % 2001) - 1000, (int)((v >> 11) % 2001) - 1000,
                          (int)((v >> 22) % 5) - 2, (uint8_t)(v >> 25));
        break;
    case 2: vga_update(&m->vga, vclock_now(m->clock)); break;
    case 3: {
        char *text = NULL;
        if (vga_get_screen_text(&m->vga, &text) == 0)
            free(text);
        break;
    }
    case 4: roundtrip(m); break;
    case 5: devreg_reset_all(&m->reg); break;
    case 6: /* the CPU acknowledging an interrupt */
        if (m->intr)
            pic_intr_ack(&m->pic);
        break;
    default: pic_set_irq(&m->pic, (int)(v & 15), (v >> 4) & 1); break; /* other devices */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_pc *m = fuzz_pc_new();
    fuzz_in in = {data, size};

    for (int op = 0; op < MAX_OPS && in.left; op++) {
        uint8_t kind = fuzz_u8(&in);
        uint8_t sel = fuzz_u8(&in);
        uint16_t raw = fuzz_u16(&in);
        uint32_t v = fuzz_u32(&in);
        unsigned sz = 1u << ((kind >> 4) % 3);
        switch (kind & 7) {
        case 0:
        case 1:
        case 2: iobus_out(m->io, pick_port(sel, raw), v, sz); break;
        case 3:
        case 4: (void)iobus_in(m->io, pick_port(sel, raw), sz); break;
        case 5: fuzz_pc_advance(m, v % MAX_STEP_NS); break;
        case 6: { /* the legacy VGA window, as the CPU would reach it */
            uint32_t a = FUZZ_PC_VGA_BASE + (v % FUZZ_PC_VGA_SIZE);
            if (kind & 8)
                physmap_write(m->pm, a, raw | (uint32_t)sel << 16, sz);
            else
                (void)physmap_read(m->pm, a, sz);
            break;
        }
        default: misc_op(m, sel, v); break;
        }
    }
    roundtrip(m);
    fuzz_pc_free(m);
    return 0;
}
