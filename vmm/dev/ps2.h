/* PS/2 devices behind the i8042: the keyboard (scan code set 2 as the host delivers it;
 * the controller may translate to set 1) and the mouse (standard and IntelliMouse). Each
 * speaks bytes: the controller writes commands with *_write() and pulls replies and input
 * with *_read(); `notify` tells the controller new bytes are waiting. */
#ifndef VIREO_VMM_DEV_PS2_H
#define VIREO_VMM_DEV_PS2_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/dev/devreg.h"

#define PS2_QUEUE_SIZE 256

typedef struct ps2_queue {
    uint8_t data[PS2_QUEUE_SIZE];
    uint16_t head, count;
} ps2_queue;

static inline void ps2_queue_clear(ps2_queue *q)
{
    q->head = q->count = 0;
}

static inline unsigned ps2_queue_room(const ps2_queue *q)
{
    return PS2_QUEUE_SIZE - q->count;
}

static inline void ps2_queue_put(ps2_queue *q, uint8_t v)
{
    if (q->count >= PS2_QUEUE_SIZE)
        return;
    q->data[(q->head + q->count) % PS2_QUEUE_SIZE] = v;
    q->count++;
}

static inline int ps2_queue_get(ps2_queue *q)
{
    if (!q->count)
        return -1;
    uint8_t v = q->data[q->head];
    q->head = (uint16_t)((q->head + 1) % PS2_QUEUE_SIZE);
    q->count--;
    return v;
}

void ps2_queue_save(const ps2_queue *q, dev_blob *b);
void ps2_queue_load(ps2_queue *q, dev_blob *b);

typedef struct ps2_kbd {
    ps2_queue q;
    bool scanning; /* F4/F5: send key codes */
    uint8_t set;   /* scan code set selected by F0 (1-3); keys arrive as set 2 */
    uint8_t leds;
    uint8_t typematic;
    int16_t param_cmd; /* command waiting for its parameter byte, or -1 */
    uint8_t last_sent; /* for FE (resend) */
    void (*notify)(void *opaque);
    void *opaque;
} ps2_kbd;

void ps2_kbd_init(ps2_kbd *k, void (*notify)(void *opaque), void *opaque);
void ps2_kbd_reset(ps2_kbd *k);
/* A command or parameter byte from the host side of the controller. */
void ps2_kbd_write(ps2_kbd *k, uint8_t v);
/* Next byte for the controller, or -1. */
int ps2_kbd_read(ps2_kbd *k);
/* A set-2 scan code byte from the user (make codes, E0 prefixes, F0 break prefixes).
 * Dropped while scanning is disabled or the queue is full. */
void ps2_kbd_put_scancode(ps2_kbd *k, uint8_t code);
void ps2_kbd_save(const ps2_kbd *k, dev_blob *b);
void ps2_kbd_load(ps2_kbd *k, dev_blob *b);

/* Mouse buttons as ps2_mouse_event() takes them. */
#define PS2_MOUSE_LEFT   0x01
#define PS2_MOUSE_RIGHT  0x02
#define PS2_MOUSE_MIDDLE 0x04

typedef struct ps2_mouse {
    ps2_queue q;
    bool reporting; /* F4/F5 */
    bool remote;    /* F0 remote mode / EA stream mode */
    bool wrap;      /* EE wrap (echo) mode */
    bool scaling21;
    uint8_t rate, resolution;
    uint8_t id; /* 0 standard, 3 IntelliMouse (wheel) */
    uint8_t rate_hist[3];
    uint8_t buttons;
    int16_t param_cmd;
    int32_t dx, dy, dz; /* movement not yet reported; dy positive = up (PS/2 sense) */
    void (*notify)(void *opaque);
    void *opaque;
} ps2_mouse;

void ps2_mouse_init(ps2_mouse *m, void (*notify)(void *opaque), void *opaque);
void ps2_mouse_reset(ps2_mouse *m);
void ps2_mouse_write(ps2_mouse *m, uint8_t v);
int ps2_mouse_read(ps2_mouse *m);
/* Relative motion in screen sense (dy positive = down, dz positive = wheel down) and the
 * PS2_MOUSE_* buttons held. Reported in stream mode while reporting is enabled. */
void ps2_mouse_event(ps2_mouse *m, int dx, int dy, int dz, uint8_t buttons);
void ps2_mouse_save(const ps2_mouse *m, dev_blob *b);
void ps2_mouse_load(ps2_mouse *m, dev_blob *b);

#endif
