/* PS/2 mouse: stream and remote modes, wrap mode, IntelliMouse wheel detection (sample
 * rates 200, 100, 80 in a row switch the id to 3 and packets to four bytes). */
#include <errno.h>

#include "vmm/dev/ps2.h"

#define MOUSE_ACK    0xFA
#define MOUSE_RESEND 0xFE

static void mouse_send(ps2_mouse *m, uint8_t v)
{
    ps2_queue_put(&m->q, v);
    if (m->notify)
        m->notify(m->opaque);
}

static void mouse_defaults(ps2_mouse *m)
{
    m->rate = 100;
    m->resolution = 2; /* 4 counts/mm */
    m->scaling21 = false;
    m->reporting = false;
    m->remote = false;
    m->dx = m->dy = m->dz = 0;
}

void ps2_mouse_reset(ps2_mouse *m)
{
    ps2_queue_clear(&m->q);
    mouse_defaults(m);
    m->wrap = false;
    m->id = 0;
    m->rate_hist[0] = m->rate_hist[1] = m->rate_hist[2] = 0;
    m->param_cmd = -1;
}

void ps2_mouse_init(ps2_mouse *m, void (*notify)(void *opaque), void *opaque)
{
    m->notify = notify;
    m->opaque = opaque;
    m->buttons = 0;
    ps2_mouse_reset(m);
}

static int clamp(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* Queue one movement packet from the accumulated motion; returns false without room. */
static bool mouse_packet(ps2_mouse *m)
{
    unsigned len = m->id == 3 ? 4 : 3;
    if (ps2_queue_room(&m->q) < len)
        return false;
    int dx = clamp(m->dx, -256, 255), dy = clamp(m->dy, -256, 255), dz = clamp(m->dz, -8, 7);
    m->dx -= dx;
    m->dy -= dy;
    m->dz -= dz;
    uint8_t b0 = 0x08 | (m->buttons & 7) | (dx < 0 ? 0x10 : 0) | (dy < 0 ? 0x20 : 0);
    ps2_queue_put(&m->q, b0);
    ps2_queue_put(&m->q, (uint8_t)dx);
    ps2_queue_put(&m->q, (uint8_t)dy);
    if (len == 4)
        ps2_queue_put(&m->q, (uint8_t)(dz & 0x0F));
    if (m->notify)
        m->notify(m->opaque);
    return true;
}

void ps2_mouse_event(ps2_mouse *m, int dx, int dy, int dz, uint8_t buttons)
{
    bool changed = (buttons & 7) != m->buttons;
    m->buttons = buttons & 7;
    if (!m->reporting && !m->remote)
        return; /* stream mode with reporting off discards motion */
    m->dx = clamp(m->dx + dx, -65536, 65536);
    m->dy = clamp(m->dy - dy, -65536, 65536); /* PS/2 counts up as positive */
    m->dz = m->id == 3 ? clamp(m->dz + dz, -4096, 4096) : 0;
    if (m->remote)
        return; /* kept for the next read-data command */
    bool first = true;
    while ((first && changed) || m->dx || m->dy || m->dz) {
        if (!mouse_packet(m))
            break;
        first = false;
    }
}

static void mouse_param(ps2_mouse *m, uint8_t v)
{
    uint8_t cmd = (uint8_t)m->param_cmd;
    m->param_cmd = -1;
    if (cmd == 0xE8) {
        m->resolution = v & 3;
    } else {
        m->rate = v;
        m->rate_hist[0] = m->rate_hist[1];
        m->rate_hist[1] = m->rate_hist[2];
        m->rate_hist[2] = v;
        if (m->rate_hist[0] == 200 && m->rate_hist[1] == 100 && m->rate_hist[2] == 80)
            m->id = 3;
    }
    mouse_send(m, MOUSE_ACK);
}

static void mouse_status(ps2_mouse *m)
{
    uint8_t b = (m->remote ? 0x40 : 0) | (m->reporting ? 0x20 : 0) | (m->scaling21 ? 0x10 : 0) |
                ((m->buttons & PS2_MOUSE_LEFT) ? 0x04 : 0) |
                ((m->buttons & PS2_MOUSE_MIDDLE) ? 0x02 : 0) |
                ((m->buttons & PS2_MOUSE_RIGHT) ? 0x01 : 0);
    mouse_send(m, MOUSE_ACK);
    mouse_send(m, b);
    mouse_send(m, m->resolution);
    mouse_send(m, m->rate);
}

void ps2_mouse_write(ps2_mouse *m, uint8_t v)
{
    if (m->param_cmd >= 0) {
        mouse_param(m, v);
        return;
    }
    if (m->wrap && v != 0xEC && v != 0xFF) {
        mouse_send(m, v); /* wrap mode echoes */
        return;
    }
    switch (v) {
    case 0xE6:
        m->scaling21 = false;
        mouse_send(m, MOUSE_ACK);
        break;
    case 0xE7:
        m->scaling21 = true;
        mouse_send(m, MOUSE_ACK);
        break;
    case 0xE8:
    case 0xF3:
        m->param_cmd = v;
        mouse_send(m, MOUSE_ACK);
        break;
    case 0xE9: mouse_status(m); break;
    case 0xEA:
        m->remote = false;
        mouse_send(m, MOUSE_ACK);
        break;
    case 0xEB:
        mouse_send(m, MOUSE_ACK);
        mouse_packet(m);
        break;
    case 0xEC:
        m->wrap = false;
        mouse_send(m, MOUSE_ACK);
        break;
    case 0xEE:
        m->wrap = true;
        mouse_send(m, MOUSE_ACK);
        break;
    case 0xF0:
        m->remote = true;
        mouse_send(m, MOUSE_ACK);
        break;
    case 0xF2:
        mouse_send(m, MOUSE_ACK);
        mouse_send(m, m->id);
        break;
    case 0xF4:
        m->reporting = true;
        mouse_send(m, MOUSE_ACK);
        break;
    case 0xF5:
        m->reporting = false;
        mouse_send(m, MOUSE_ACK);
        break;
    case 0xF6:
        mouse_defaults(m);
        mouse_send(m, MOUSE_ACK);
        break;
    case 0xFF:
        ps2_mouse_reset(m);
        mouse_send(m, MOUSE_ACK);
        mouse_send(m, 0xAA);
        mouse_send(m, 0x00);
        break;
    default: mouse_send(m, MOUSE_RESEND); break;
    }
}

int ps2_mouse_read(ps2_mouse *m)
{
    return ps2_queue_get(&m->q);
}

void ps2_mouse_save(const ps2_mouse *m, dev_blob *b)
{
    ps2_queue_save(&m->q, b);
    const bool flags[] = {m->reporting, m->remote, m->wrap, m->scaling21};
    for (unsigned i = 0; i < 4; i++)
        dev_put_bool(b, flags[i]);
    const uint8_t bytes[] = {m->rate,         m->resolution,   m->id,     m->rate_hist[0],
                             m->rate_hist[1], m->rate_hist[2], m->buttons};
    dev_put_bytes(b, bytes, sizeof(bytes));
    dev_put_u16(b, (uint16_t)m->param_cmd);
    dev_put_u32(b, (uint32_t)m->dx);
    dev_put_u32(b, (uint32_t)m->dy);
    dev_put_u32(b, (uint32_t)m->dz);
}

void ps2_mouse_load(ps2_mouse *m, dev_blob *b)
{
    ps2_queue_load(&m->q, b);
    m->reporting = dev_get_bool(b);
    m->remote = dev_get_bool(b);
    m->wrap = dev_get_bool(b);
    m->scaling21 = dev_get_bool(b);
    uint8_t bytes[7];
    dev_get_bytes(b, bytes, sizeof(bytes));
    m->rate = bytes[0];
    m->resolution = bytes[1] & 3;
    m->id = bytes[2] == 3 ? 3 : 0;
    m->rate_hist[0] = bytes[3];
    m->rate_hist[1] = bytes[4];
    m->rate_hist[2] = bytes[5];
    m->buttons = bytes[6] & 7;
    m->param_cmd = (int16_t)dev_get_u16(b);
    m->dx = clamp((int32_t)dev_get_u32(b), -65536, 65536);
    m->dy = clamp((int32_t)dev_get_u32(b), -65536, 65536);
    m->dz = clamp((int32_t)dev_get_u32(b), -4096, 4096);
    if (m->param_cmd != -1 && m->param_cmd != 0xE8 && m->param_cmd != 0xF3)
        b->error = -EINVAL;
}
