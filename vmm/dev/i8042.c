/* i8042 keyboard controller.
 *
 * One output buffer: when the guest has read it, the next byte comes from the controller's
 * own replies, then the keyboard (unless disabled in the command byte), then the mouse.
 * IRQ 1 / IRQ 12 follow "buffer full with a keyboard / mouse byte" gated by command-byte
 * bits 0 / 1. */
#include "vmm/dev/i8042.h"

#include <errno.h>
#include <string.h>

enum {
    STAT_OBF = 0x01,
    STAT_SYS = 0x04,
    STAT_CMD = 0x08,
    STAT_UNLOCKED = 0x10,
    STAT_AUX = 0x20,
    CB_KBD_INT = 0x01,
    CB_AUX_INT = 0x02,
    CB_SYS = 0x04,
    CB_KBD_OFF = 0x10,
    CB_AUX_OFF = 0x20,
    CB_XLATE = 0x40,
    OUT_RESET = 0x01,
    OUT_A20 = 0x02,
    OUT_OBF_KBD = 0x10,
    OUT_OBF_AUX = 0x20,
};

/* Set 2 -> set 1 translation for codes below 0x80 (codes from 0x80 up pass unchanged,
 * except F7's 0x83). */
static const uint8_t xlat_set1[128] = {
    0xff, 0x43, 0x41, 0x3f, 0x3d, 0x3b, 0x3c, 0x58,
    0x64, 0x44, 0x42, 0x40, 0x3e, 0x0f, 0x29, 0x59, /* 00 */
    0x65, 0x38, 0x2a, 0x70, 0x1d, 0x10, 0x02, 0x5a,
    0x66, 0x71, 0x2c, 0x1f, 0x1e, 0x11, 0x03, 0x5b, /* 10 */
    0x67, 0x2e, 0x2d, 0x20, 0x12, 0x05, 0x04, 0x5c,
    0x68, 0x39, 0x2f, 0x21, 0x14, 0x13, 0x06, 0x5d, /* 20 */
    0x69, 0x31, 0x30, 0x23, 0x22, 0x15, 0x07, 0x5e,
    0x6a, 0x72, 0x32, 0x24, 0x16, 0x08, 0x09, 0x5f, /* 30 */
    0x6b, 0x33, 0x25, 0x17, 0x18, 0x0b, 0x0a, 0x60,
    0x6c, 0x34, 0x35, 0x26, 0x27, 0x19, 0x0c, 0x61, /* 40 */
    0x6d, 0x73, 0x28, 0x74, 0x1a, 0x0d, 0x62, 0x6e,
    0x3a, 0x36, 0x1c, 0x1b, 0x75, 0x2b, 0x63, 0x76, /* 50 */
    0x55, 0x56, 0x77, 0x78, 0x79, 0x7a, 0x0e, 0x7b,
    0x7c, 0x4f, 0x7d, 0x4b, 0x47, 0x7e, 0x7f, 0x6f, /* 60 */
    0x52, 0x53, 0x50, 0x4c, 0x4d, 0x48, 0x01, 0x45,
    0x57, 0x4e, 0x51, 0x4a, 0x37, 0x49, 0x46, 0x54, /* 70 */
};

static uint8_t xlat(uint8_t v)
{
    if (v < 0x80)
        return xlat_set1[v];
    return v == 0x83 ? 0x41 : v;
}

static uint8_t cmd_byte(const i8042 *s)
{
    return s->ram[0];
}

static void i8042_update_irq(i8042 *s)
{
    bool kbd = s->obf && !s->out_aux && (cmd_byte(s) & CB_KBD_INT);
    bool aux = s->obf && s->out_aux && (cmd_byte(s) & CB_AUX_INT);
    if (kbd != s->irq1_level) {
        s->irq1_level = kbd;
        irq_line_set(&s->irq1, kbd);
    }
    if (aux != s->irq12_level) {
        s->irq12_level = aux;
        irq_line_set(&s->irq12, aux);
    }
}

/* Next keyboard byte as the guest sees it (translated when enabled), or -1. */
static int i8042_next_kbd(i8042 *s)
{
    for (;;) {
        int v = ps2_kbd_read(&s->kbd);
        if (v < 0 || !(cmd_byte(s) & CB_XLATE))
            return v;
        if (v == 0xF0) { /* break prefix: becomes bit 7 of the next code */
            s->xlat_break = true;
            continue;
        }
        uint8_t t = xlat((uint8_t)v);
        if (s->xlat_break) {
            s->xlat_break = false;
            t |= 0x80;
        }
        return t;
    }
}

static void i8042_refill(i8042 *s)
{
    if (!s->obf) {
        int v = -1;
        if (s->ctrl.count) {
            unsigned slot = s->ctrl.head;
            s->out_aux = s->ctrl_aux[slot / 8] & (1u << (slot % 8));
            v = ps2_queue_get(&s->ctrl);
        } else if (!(cmd_byte(s) & CB_KBD_OFF) && (v = i8042_next_kbd(s)) >= 0) {
            s->out_aux = false;
        } else if (!(cmd_byte(s) & CB_AUX_OFF) && (v = ps2_mouse_read(&s->mouse)) >= 0) {
            s->out_aux = true;
        }
        if (v >= 0) {
            s->out = (uint8_t)v;
            s->obf = true;
        }
    }
    i8042_update_irq(s);
}

static void i8042_notify(void *opaque)
{
    i8042_refill(opaque);
}

static void i8042_reply(i8042 *s, uint8_t v, bool aux)
{
    unsigned slot = (s->ctrl.head + s->ctrl.count) % PS2_QUEUE_SIZE;
    if (aux)
        s->ctrl_aux[slot / 8] |= (uint8_t)(1u << (slot % 8));
    else
        s->ctrl_aux[slot / 8] &= (uint8_t) ~(1u << (slot % 8));
    ps2_queue_put(&s->ctrl, v);
    i8042_refill(s);
}

static void i8042_set_outport(i8042 *s, uint8_t v)
{
    uint8_t old = s->outport;
    s->outport = v | OUT_RESET; /* the reset line springs back after the pulse */
    if ((old ^ v) & OUT_A20)
        dev_machine_set_a20(&s->machine, v & OUT_A20);
    if (!(v & OUT_RESET))
        dev_machine_reset(&s->machine);
}

static uint8_t i8042_read_outport(const i8042 *s)
{
    uint8_t v = s->outport & ~(OUT_OBF_KBD | OUT_OBF_AUX);
    if (s->obf)
        v |= s->out_aux ? OUT_OBF_AUX : OUT_OBF_KBD;
    return v;
}

static void i8042_command(i8042 *s, uint8_t cmd)
{
    if (cmd >= 0x20 && cmd <= 0x3F) {
        i8042_reply(s, s->ram[cmd & 0x1F], false);
        return;
    }
    if ((cmd >= 0x60 && cmd <= 0x7F) || (cmd >= 0xD1 && cmd <= 0xD4)) {
        s->pending = cmd;
        return;
    }
    if (cmd >= 0xF0) { /* pulse output lines low: bit 0 is the CPU reset */
        if (!(cmd & 0x01))
            dev_machine_reset(&s->machine);
        return;
    }
    switch (cmd) {
    case 0xA7: s->ram[0] |= CB_AUX_OFF; break;
    case 0xA8: s->ram[0] &= ~CB_AUX_OFF; break;
    case 0xA9: i8042_reply(s, 0x00, false); break; /* aux interface test: OK */
    case 0xAA:                                     /* self-test */
        s->ram[0] |= CB_SYS;
        i8042_reply(s, 0x55, false);
        break;
    case 0xAB: i8042_reply(s, 0x00, false); break; /* keyboard interface test: OK */
    case 0xAD: s->ram[0] |= CB_KBD_OFF; break;
    case 0xAE: s->ram[0] &= ~CB_KBD_OFF; break;
    case 0xC0: i8042_reply(s, 0x80, false); break; /* input port: keyboard not locked */
    case 0xD0: i8042_reply(s, i8042_read_outport(s), false); break;
    case 0xDD: i8042_set_outport(s, s->outport & ~OUT_A20); break;
    case 0xDF: i8042_set_outport(s, s->outport | OUT_A20); break;
    case 0xE0: i8042_reply(s, 0x00, false); break; /* test inputs */
    default: break;
    }
    i8042_refill(s);
}

static void i8042_data(i8042 *s, uint8_t v)
{
    uint8_t cmd = s->pending;
    s->pending = 0;
    if (cmd >= 0x60 && cmd <= 0x7F) {
        s->ram[cmd & 0x1F] = v;
    } else if (cmd == 0xD1) {
        i8042_set_outport(s, v);
    } else if (cmd == 0xD2 || cmd == 0xD3) {
        i8042_reply(s, v, cmd == 0xD3);
    } else if (cmd == 0xD4) {
        ps2_mouse_write(&s->mouse, v);
    } else {
        ps2_kbd_write(&s->kbd, v);
    }
    i8042_refill(s);
}

static uint8_t i8042_status(const i8042 *s)
{
    return (s->obf ? STAT_OBF : 0) | (cmd_byte(s) & CB_SYS ? STAT_SYS : 0) |
           (s->last_cmd ? STAT_CMD : 0) | STAT_UNLOCKED | (s->obf && s->out_aux ? STAT_AUX : 0);
}

static uint32_t i8042_read(void *opaque, uint16_t port, unsigned size)
{
    i8042 *s = opaque;
    if (port == 0x64)
        return i8042_status(s);
    uint8_t v = s->out; /* reading an empty buffer returns the last byte again */
    s->obf = false;
    i8042_update_irq(s); /* the line drops before the next byte raises it again */
    i8042_refill(s);
    return v;
}

static void i8042_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    i8042 *s = opaque;
    s->last_cmd = port == 0x64;
    if (port == 0x64)
        i8042_command(s, (uint8_t)value);
    else
        i8042_data(s, (uint8_t)value);
}

void i8042_put_scancode(i8042 *s, uint8_t set2_code)
{
    ps2_kbd_put_scancode(&s->kbd, set2_code);
}

void i8042_mouse_event(i8042 *s, int dx, int dy, int dz, uint8_t buttons)
{
    ps2_mouse_event(&s->mouse, dx, dy, dz, buttons);
}

void i8042_reset(i8042 *s)
{
    memset(s->ram, 0, sizeof(s->ram));
    s->ram[0] = CB_KBD_INT | CB_SYS | CB_XLATE; /* what a PC BIOS leaves */
    s->pending = 0;
    s->out = 0;
    s->obf = s->out_aux = s->last_cmd = s->xlat_break = false;
    ps2_queue_clear(&s->ctrl);
    ps2_kbd_reset(&s->kbd);
    ps2_mouse_reset(&s->mouse);
    s->outport = OUT_RESET;
    i8042_set_outport(s, OUT_RESET | OUT_A20);
    i8042_update_irq(s);
}

static void i8042_reset_cb(void *opaque)
{
    i8042_reset(opaque);
}

int i8042_save(const i8042 *s, dev_blob *b)
{
    dev_put_header(b, "8042", 1);
    dev_put_bytes(b, s->ram, sizeof(s->ram));
    const uint8_t bytes[] = {s->outport, s->pending, s->out};
    dev_put_bytes(b, bytes, sizeof(bytes));
    const bool flags[] = {s->obf,        s->out_aux,    s->last_cmd,
                          s->xlat_break, s->irq1_level, s->irq12_level};
    for (unsigned i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
        dev_put_bool(b, flags[i]);
    ps2_queue_save(&s->ctrl, b);
    for (unsigned i = 0; i < s->ctrl.count; i++) {
        unsigned slot = (s->ctrl.head + i) % PS2_QUEUE_SIZE;
        dev_put_bool(b, s->ctrl_aux[slot / 8] & (1u << (slot % 8)));
    }
    ps2_kbd_save(&s->kbd, b);
    ps2_mouse_save(&s->mouse, b);
    return b->error;
}

int i8042_load(i8042 *s, dev_blob *b)
{
    if (dev_get_header(b, "8042", 1) < 0)
        return -EINVAL;
    i8042 saved = *s;
    dev_get_bytes(b, s->ram, sizeof(s->ram));
    uint8_t bytes[3];
    dev_get_bytes(b, bytes, sizeof(bytes));
    s->outport = bytes[0] | OUT_RESET;
    s->pending = bytes[1];
    s->out = bytes[2];
    bool *flags[] = {&s->obf,        &s->out_aux,    &s->last_cmd,
                     &s->xlat_break, &s->irq1_level, &s->irq12_level};
    for (unsigned i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
        *flags[i] = dev_get_bool(b);
    ps2_queue_load(&s->ctrl, b);
    memset(s->ctrl_aux, 0, sizeof(s->ctrl_aux));
    for (unsigned i = 0; i < s->ctrl.count && !b->error; i++)
        if (dev_get_bool(b))
            s->ctrl_aux[i / 8] |= (uint8_t)(1u << (i % 8)); /* queue_load starts at 0 */
    ps2_kbd_load(&s->kbd, b);
    ps2_mouse_load(&s->mouse, b);
    if (b->error) {
        *s = saved;
        return -EINVAL;
    }
    irq_line_set(&s->irq1, s->irq1_level);
    irq_line_set(&s->irq12, s->irq12_level);
    i8042_update_irq(s);
    return 0;
}

static int i8042_save_cb(void *opaque, dev_blob *b)
{
    return i8042_save(opaque, b);
}

static int i8042_load_cb(void *opaque, dev_blob *b)
{
    return i8042_load(opaque, b);
}

static const dev_ops i8042_ops = {"i8042", i8042_reset_cb, i8042_save_cb, i8042_load_cb};
static const dev_port_range i8042_ports[] = {
    {0x60, 1, i8042_read, i8042_write},
    {0x64, 1, i8042_read, i8042_write},
};

int i8042_init(i8042 *s, const dev_env *env, irq_line irq1, irq_line irq12, dev_machine_cb machine)
{
    memset(s, 0, sizeof(*s));
    s->irq1 = irq1;
    s->irq12 = irq12;
    s->machine = machine;
    ps2_kbd_init(&s->kbd, i8042_notify, s);
    ps2_mouse_init(&s->mouse, i8042_notify, s);
    i8042_reset(s);
    return dev_register(env, i8042_ports, 2, &i8042_ops, s);
}

void i8042_fini(i8042 *s, const dev_env *env)
{
    dev_unregister(env, i8042_ports, 2, s);
}
