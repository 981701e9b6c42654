/* PS/2 keyboard. */
#include <errno.h>

#include "vmm/dev/ps2.h"

#define KBD_ACK    0xFA
#define KBD_RESEND 0xFE
#define KBD_BAT_OK 0xAA
#define KBD_ECHO   0xEE

void ps2_queue_save(const ps2_queue *q, dev_blob *b)
{
    dev_put_u16(b, q->count);
    for (unsigned i = 0; i < q->count; i++)
        dev_put_u8(b, q->data[(q->head + i) % PS2_QUEUE_SIZE]);
}

void ps2_queue_load(ps2_queue *q, dev_blob *b)
{
    uint16_t n = dev_get_u16(b);
    if (n > PS2_QUEUE_SIZE) {
        b->error = -EINVAL;
        return;
    }
    ps2_queue_clear(q);
    for (unsigned i = 0; i < n && !b->error; i++)
        ps2_queue_put(q, dev_get_u8(b));
}

static void kbd_send(ps2_kbd *k, uint8_t v)
{
    ps2_queue_put(&k->q, v);
    k->last_sent = v;
    if (k->notify)
        k->notify(k->opaque);
}

static void kbd_defaults(ps2_kbd *k)
{
    k->set = 2;
    k->typematic = 0x2B; /* 10.9 cps, 500 ms */
    k->leds = 0;
}

void ps2_kbd_reset(ps2_kbd *k)
{
    ps2_queue_clear(&k->q);
    kbd_defaults(k);
    k->scanning = true;
    k->param_cmd = -1;
    k->last_sent = 0;
}

void ps2_kbd_init(ps2_kbd *k, void (*notify)(void *opaque), void *opaque)
{
    k->notify = notify;
    k->opaque = opaque;
    ps2_kbd_reset(k);
}

static void kbd_param(ps2_kbd *k, uint8_t v)
{
    uint8_t cmd = (uint8_t)k->param_cmd;
    k->param_cmd = -1;
    switch (cmd) {
    case 0xED:
        k->leds = v & 7;
        kbd_send(k, KBD_ACK);
        break;
    case 0xF3:
        k->typematic = v & 0x7F;
        kbd_send(k, KBD_ACK);
        break;
    default: /* 0xF0: get (0) or set (1-3) the scan code set */
        if (v > 3) {
            kbd_send(k, KBD_RESEND);
            return;
        }
        kbd_send(k, KBD_ACK);
        if (v == 0)
            kbd_send(k, k->set);
        else
            k->set = v;
        break;
    }
}

void ps2_kbd_write(ps2_kbd *k, uint8_t v)
{
    if (k->param_cmd >= 0 && v < 0xED) {
        kbd_param(k, v);
        return;
    }
    k->param_cmd = -1; /* a command byte cancels a pending parameter */
    switch (v) {
    case 0xED:
    case 0xF0:
    case 0xF3:
        k->param_cmd = v;
        kbd_send(k, KBD_ACK);
        break;
    case 0xEE: kbd_send(k, KBD_ECHO); break;
    case 0xF2:
        kbd_send(k, KBD_ACK);
        kbd_send(k, 0xAB);
        kbd_send(k, 0x83);
        break;
    case 0xF4:
        ps2_queue_clear(&k->q);
        k->scanning = true;
        kbd_send(k, KBD_ACK);
        break;
    case 0xF5:
        kbd_defaults(k);
        k->scanning = false;
        kbd_send(k, KBD_ACK);
        break;
    case 0xF6:
        kbd_defaults(k);
        kbd_send(k, KBD_ACK);
        break;
    case 0xF7:
    case 0xF8:
    case 0xF9:
    case 0xFA:
    case 0xFB:
    case 0xFC:
    case 0xFD:
        kbd_send(k, KBD_ACK); /* set-3 key attributes: accepted, no effect */
        break;
    case 0xFE: kbd_send(k, k->last_sent); break;
    case 0xFF:
        ps2_kbd_reset(k);
        kbd_send(k, KBD_ACK);
        kbd_send(k, KBD_BAT_OK);
        break;
    default: kbd_send(k, KBD_RESEND); break;
    }
}

int ps2_kbd_read(ps2_kbd *k)
{
    return ps2_queue_get(&k->q);
}

void ps2_kbd_put_scancode(ps2_kbd *k, uint8_t code)
{
    if (!k->scanning || ps2_queue_room(&k->q) == 0)
        return;
    ps2_queue_put(&k->q, code);
    if (k->notify)
        k->notify(k->opaque);
}

void ps2_kbd_save(const ps2_kbd *k, dev_blob *b)
{
    ps2_queue_save(&k->q, b);
    dev_put_bool(b, k->scanning);
    dev_put_u8(b, k->set);
    dev_put_u8(b, k->leds);
    dev_put_u8(b, k->typematic);
    dev_put_u16(b, (uint16_t)k->param_cmd);
    dev_put_u8(b, k->last_sent);
}

void ps2_kbd_load(ps2_kbd *k, dev_blob *b)
{
    ps2_queue_load(&k->q, b);
    k->scanning = dev_get_bool(b);
    k->set = dev_get_u8(b);
    k->leds = dev_get_u8(b) & 7;
    k->typematic = dev_get_u8(b) & 0x7F;
    k->param_cmd = (int16_t)dev_get_u16(b);
    k->last_sent = dev_get_u8(b);
    bool param_ok =
        k->param_cmd == -1 || k->param_cmd == 0xED || k->param_cmd == 0xF0 || k->param_cmd == 0xF3;
    if (k->set < 1 || k->set > 3 || !param_ok)
        b->error = -EINVAL;
}
