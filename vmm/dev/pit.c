/* 8254 PIT.
 *
 * Time model: a running counter has counted acc_ticks + ticks(now - run_start) input clocks
 * since its count was loaded (or since its trigger, in modes 1 and 5). Gating a counter off
 * (modes 0, 2, 3, 4) folds the elapsed clocks into acc_ticks. Everything a guest can read
 * (count, OUT, status) is a function of that number, so no per-tick work ever happens.
 *
 * IRQ 0: in modes 0 and 1 the output rises at terminal count and stays high, and IRQ 0
 * follows it. In modes 2-5 every rising edge of the output is delivered as a pulse on the
 * (edge-triggered) line; between pulses the line is low. */
#include "vmm/dev/pit.h"

#include <errno.h>

/* Port 0x61 bit 4 toggles with every DRAM refresh request, about every 15 us. */
#define PIT_REFRESH_NS 15085u

static uint64_t pit_ns_to_ticks(uint64_t ns)
{
    return (uint64_t)(((unsigned __int128)ns * PIT_HZ) / 1000000000u);
}

/* Smallest ns after which at least `ticks` clocks have elapsed. */
static uint64_t pit_ticks_to_ns(uint64_t ticks)
{
    return (uint64_t)(((unsigned __int128)ticks * 1000000000u + PIT_HZ - 1) / PIT_HZ);
}

static uint32_t pit_from_bcd(uint16_t v)
{
    return (v & 0xF) + ((v >> 4) & 0xF) * 10 + ((v >> 8) & 0xF) * 100 + ((v >> 12) & 0xF) * 1000;
}

static uint16_t pit_to_bcd(uint32_t v)
{
    return (uint16_t)((v % 10) | ((v / 10 % 10) << 4) | ((v / 100 % 10) << 8) |
                      ((v / 1000 % 10) << 12));
}

static uint32_t ch_modulus(const pit_channel *c)
{
    return c->bcd ? 10000 : 65536;
}

/* The programmed period N in input clocks (1..65536). */
static uint32_t ch_period(const pit_channel *c)
{
    uint32_t n = c->bcd ? pit_from_bcd(c->reload) : c->reload;
    return n ? n : ch_modulus(c);
}

static bool ch_gate_pauses(const pit_channel *c)
{
    return c->mode != 1 && c->mode != 5;
}

static bool ch_running(const pit_channel *c)
{
    return c->counting && (c->gate || !ch_gate_pauses(c));
}

static uint64_t ch_elapsed(const pit_channel *c, uint64_t now)
{
    if (!ch_running(c) || now < c->run_start)
        return c->acc_ticks;
    return c->acc_ticks + pit_ns_to_ticks(now - c->run_start);
}

static uint32_t ch_count_at(const pit_channel *c, uint64_t d)
{
    uint32_t n = ch_period(c), m = ch_modulus(c), v, h1;
    if (!c->counting)
        return n % m;
    switch (c->mode) {
    case 2: v = n - (uint32_t)(d % n); break;
    case 3:
        h1 = (n + 1) / 2;
        v = (uint32_t)(d % n);
        v = n - 2 * (v < h1 ? v : v - h1);
        break;
    default: v = (uint32_t)((n + m - d % m) % m); break;
    }
    return v % m;
}

static bool ch_out_at(const pit_channel *c, uint64_t d)
{
    uint32_t n = ch_period(c);
    if (!c->counting)
        return c->mode != 0; /* mode 0 holds OUT low until counted out */
    switch (c->mode) {
    case 0:
    case 1: return d >= n;
    case 2: return !c->gate || n < 2 || d % n != n - 1;
    case 3: return !c->gate || d % n < (n + 1) / 2;
    default: return d != n;
    }
}

uint16_t pit_get_count(pit *s, int n)
{
    if (n < 0 || n > 2)
        return 0;
    pit_channel *c = &s->ch[n];
    uint32_t v = ch_count_at(c, ch_elapsed(c, vclock_now(s->clock)));
    return c->bcd ? pit_to_bcd(v) : (uint16_t)v;
}

bool pit_get_out(pit *s, int n)
{
    if (n < 0 || n > 2)
        return false;
    pit_channel *c = &s->ch[n];
    return ch_out_at(c, ch_elapsed(c, vclock_now(s->clock)));
}

static void pit_irq(pit *s, bool level)
{
    s->ch[0].irq_level = level;
    irq_line_set(&s->irq0, level);
}

/* Arm counter 0's timer for its next output rising edge, if it has one. */
static void pit_arm(pit *s)
{
    pit_channel *c = &s->ch[0];
    vtimer_del(&c->timer);
    if (!ch_running(c))
        return;
    uint64_t d = ch_elapsed(c, vclock_now(s->clock));
    uint64_t n = ch_period(c), target;
    if (c->mode == 2 || c->mode == 3)
        target = (d / n + 1) * n;
    else if (d < n)
        target = n;
    else
        return;
    vtimer_mod(&c->timer, c->run_start + pit_ticks_to_ns(target - c->acc_ticks));
}

static void pit_timer_cb(void *opaque)
{
    pit *s = opaque;
    if (s->ch[0].mode <= 1) {
        pit_irq(s, true);
    } else {
        pit_irq(s, true);
        pit_irq(s, false);
    }
    pit_arm(s);
}

static void ch_start(pit_channel *c, uint64_t now)
{
    c->counting = true;
    c->acc_ticks = 0;
    c->run_start = now;
}

static void pit_load_count(pit *s, int n, uint16_t value)
{
    pit_channel *c = &s->ch[n];
    c->reload = value;
    c->loaded = true;
    c->null_count = false;
    if (c->mode != 1 && c->mode != 5)
        ch_start(c, vclock_now(s->clock));
    if (n == 0) {
        if (c->mode == 0)
            pit_irq(s, false);
        pit_arm(s);
    }
}

void pit_set_gate(pit *s, int n, bool level)
{
    if (n < 0 || n > 2)
        return;
    pit_channel *c = &s->ch[n];
    if (c->gate == level)
        return;
    uint64_t now = vclock_now(s->clock);
    if (ch_gate_pauses(c) && ch_running(c)) {
        c->acc_ticks = ch_elapsed(c, now);
        c->run_start = now;
    }
    c->gate = level;
    if (level) {
        if ((c->mode == 1 || c->mode == 5) && c->loaded)
            ch_start(c, now); /* hardware trigger */
        else if ((c->mode == 2 || c->mode == 3) && c->counting)
            ch_start(c, now); /* rising gate reloads */
        else
            c->run_start = now; /* resume */
    }
    if (n == 0)
        pit_arm(s);
}

static void pit_latch_count(pit *s, int n)
{
    pit_channel *c = &s->ch[n];
    if (c->count_latched)
        return;
    c->latch = pit_get_count(s, n);
    c->count_latched = true;
    c->read_msb_next = false;
}

static void pit_latch_status(pit *s, int n)
{
    pit_channel *c = &s->ch[n];
    if (c->status_latched)
        return;
    c->status = (uint8_t)((pit_get_out(s, n) ? 0x80 : 0) | (c->null_count ? 0x40 : 0) |
                          (c->rw << 4) | (c->mode << 1) | (c->bcd ? 1 : 0));
    c->status_latched = true;
}

static void pit_control(pit *s, uint8_t v)
{
    int sc = v >> 6;
    if (sc == 3) { /* read-back */
        for (int n = 0; n < 3; n++) {
            if (!(v & (2u << n)))
                continue;
            if (!(v & 0x10))
                pit_latch_status(s, n);
            if (!(v & 0x20))
                pit_latch_count(s, n);
        }
        return;
    }
    pit_channel *c = &s->ch[sc];
    uint8_t rw = (v >> 4) & 3;
    if (rw == 0) {
        pit_latch_count(s, sc);
        return;
    }
    c->rw = rw;
    c->mode = (v >> 1) & 7;
    if (c->mode > 5)
        c->mode -= 4;
    c->bcd = v & 1;
    c->counting = false;
    c->loaded = false;
    c->null_count = true;
    c->write_msb_next = false;
    c->read_msb_next = false;
    c->acc_ticks = 0;
    if (sc == 0) {
        pit_irq(s, false);
        pit_arm(s);
    }
}

static uint8_t pit_read_counter(pit *s, int n)
{
    pit_channel *c = &s->ch[n];
    if (c->status_latched) {
        c->status_latched = false;
        return c->status;
    }
    uint16_t v = c->count_latched ? c->latch : pit_get_count(s, n);
    bool msb = c->rw == 2 || (c->rw == 3 && c->read_msb_next);
    if (c->rw == 3)
        c->read_msb_next = !c->read_msb_next;
    if (c->rw != 3 || !c->read_msb_next)
        c->count_latched = false;
    return msb ? (uint8_t)(v >> 8) : (uint8_t)v;
}

static void pit_write_counter(pit *s, int n, uint8_t v)
{
    pit_channel *c = &s->ch[n];
    switch (c->rw) {
    case 1: pit_load_count(s, n, v); break;
    case 2: pit_load_count(s, n, (uint16_t)(v << 8)); break;
    default:
        if (!c->write_msb_next) {
            c->write_lsb = v;
            c->write_msb_next = true;
            if (c->mode == 0 && c->counting) { /* first byte stops a mode 0 count */
                c->counting = false;
                if (n == 0) {
                    pit_irq(s, false);
                    pit_arm(s);
                }
            }
        } else {
            c->write_msb_next = false;
            pit_load_count(s, n, (uint16_t)(c->write_lsb | (v << 8)));
        }
        break;
    }
}

static uint32_t pit_read(void *opaque, uint16_t port, unsigned size)
{
    pit *s = opaque;
    int n = port & 3;
    return n == 3 ? 0xFF : pit_read_counter(s, n); /* the control word is write-only */
}

static void pit_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    pit *s = opaque;
    int n = port & 3;
    if (n == 3)
        pit_control(s, (uint8_t)value);
    else
        pit_write_counter(s, n, (uint8_t)value);
}

static uint32_t port61_read(void *opaque, uint16_t port, unsigned size)
{
    pit *s = opaque;
    bool refresh = (vclock_now(s->clock) / PIT_REFRESH_NS) & 1;
    return (s->ch[2].gate ? 0x01 : 0) | (s->speaker_data ? 0x02 : 0) | (refresh ? 0x10 : 0) |
           (pit_get_out(s, 2) ? 0x20 : 0);
}

static void port61_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    pit *s = opaque;
    s->speaker_data = value & 0x02;
    pit_set_gate(s, 2, value & 0x01);
}

void pit_reset(pit *s)
{
    for (int n = 0; n < 3; n++) {
        pit_channel *c = &s->ch[n];
        vtimer_del(&c->timer);
        vtimer t = c->timer;
        *c = (pit_channel){.rw = 3, .gate = n != 2, .timer = t};
    }
    s->speaker_data = false;
    pit_irq(s, false);
}

static void pit_reset_cb(void *opaque)
{
    pit_reset(opaque);
}

static void ch_save(const pit_channel *c, dev_blob *b)
{
    dev_put_u16(b, c->reload);
    dev_put_u8(b, c->mode);
    dev_put_u8(b, c->rw);
    const bool flags[] = {c->bcd,           c->gate,          c->counting,
                          c->loaded,        c->null_count,    c->write_msb_next,
                          c->read_msb_next, c->count_latched, c->status_latched,
                          c->irq_level};
    for (unsigned i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
        dev_put_bool(b, flags[i]);
    dev_put_u8(b, c->write_lsb);
    dev_put_u16(b, c->latch);
    dev_put_u8(b, c->status);
    dev_put_u64(b, c->acc_ticks);
    dev_put_u64(b, c->run_start);
}

static void ch_load(pit_channel *c, dev_blob *b)
{
    c->reload = dev_get_u16(b);
    c->mode = dev_get_u8(b);
    c->rw = dev_get_u8(b);
    if (c->mode > 5 || c->rw < 1 || c->rw > 3)
        b->error = -EINVAL;
    bool *flags[] = {&c->bcd,           &c->gate,          &c->counting,
                     &c->loaded,        &c->null_count,    &c->write_msb_next,
                     &c->read_msb_next, &c->count_latched, &c->status_latched,
                     &c->irq_level};
    for (unsigned i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
        *flags[i] = dev_get_bool(b);
    c->write_lsb = dev_get_u8(b);
    c->latch = dev_get_u16(b);
    c->status = dev_get_u8(b);
    c->acc_ticks = dev_get_u64(b);
    c->run_start = dev_get_u64(b);
}

int pit_save(const pit *s, dev_blob *b)
{
    dev_put_header(b, "PIT ", 1);
    for (int n = 0; n < 3; n++)
        ch_save(&s->ch[n], b);
    dev_put_bool(b, s->speaker_data);
    return b->error;
}

int pit_load(pit *s, dev_blob *b)
{
    if (dev_get_header(b, "PIT ", 1) < 0)
        return -EINVAL;
    pit_channel saved[3] = {s->ch[0], s->ch[1], s->ch[2]};
    for (int n = 0; n < 3; n++)
        ch_load(&s->ch[n], b);
    bool speaker = dev_get_bool(b);
    if (b->error) {
        for (int n = 0; n < 3; n++)
            s->ch[n] = saved[n];
        return -EINVAL;
    }
    s->speaker_data = speaker;
    irq_line_set(&s->irq0, s->ch[0].irq_level);
    pit_arm(s);
    return 0;
}

static int pit_save_cb(void *opaque, dev_blob *b)
{
    return pit_save(opaque, b);
}

static int pit_load_cb(void *opaque, dev_blob *b)
{
    return pit_load(opaque, b);
}

static const dev_ops pit_ops = {"pit", pit_reset_cb, pit_save_cb, pit_load_cb};

static const dev_port_range pit_ports[] = {
    {0x40, 4, pit_read, pit_write},
    {0x61, 1, port61_read, port61_write},
};

int pit_init(pit *s, const dev_env *env, irq_line irq0)
{
    *s = (pit){.clock = env->clock, .irq0 = irq0};
    vtimer_init(&s->ch[0].timer, env->clock, pit_timer_cb, s);
    pit_reset(s);
    return dev_register(env, pit_ports, 2, &pit_ops, s);
}

void pit_fini(pit *s, const dev_env *env)
{
    vtimer_del(&s->ch[0].timer);
    dev_unregister(env, pit_ports, 2, s);
}
