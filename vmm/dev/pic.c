/* 8259A PIC pair.
 *
 * Priorities: `lowest` names the input with the lowest priority, so the highest priority
 * input is lowest+1 (mod 8) and priority numbers count from there (0 = highest). Rotation
 * only moves `lowest`.
 * Triggering: an input is level triggered when ICW1.LTIM or its ELCR bit is set; then IRR
 * follows the line. Otherwise a rising edge latches IRR until acknowledged. */
#include "vmm/dev/pic.h"

#include <errno.h>

#define PIC_MASTER 0
#define PIC_SLAVE  1

static bool chip_level_mode(const pic_chip *c, int irq)
{
    return c->ltim || (c->elcr & (1u << irq));
}

/* Priority number (0..7) of the highest-priority bit in mask, 8 when mask is empty. */
static int chip_priority(const pic_chip *c, uint8_t mask)
{
    for (int p = 0; p < 8; p++)
        if (mask & (1u << ((c->lowest + 1 + p) & 7)))
            return p;
    return 8;
}

static int prio_to_irq(const pic_chip *c, int p)
{
    return (c->lowest + 1 + p) & 7;
}

/* The input this chip would deliver now, or -1. `is_master` enables the special fully
 * nested rule: a slave in service does not block further slave requests. */
static int chip_pending(const pic_chip *c, bool is_master)
{
    int p = chip_priority(c, c->irr & ~c->imr);
    if (p == 8)
        return -1;
    uint8_t in_service = c->isr;
    if (c->special_mask)
        in_service &= ~c->imr;
    if (is_master && c->sfnm)
        in_service &= ~(1u << 2);
    int cur = chip_priority(c, in_service);
    return p < cur ? prio_to_irq(c, p) : -1;
}

static void chip_set_line(pic_chip *c, int irq, bool level)
{
    uint8_t m = 1u << irq;
    if (chip_level_mode(c, irq)) {
        c->irr = level ? c->irr | m : c->irr & ~m;
    } else if (level && !(c->line & m)) {
        c->irr |= m;
    }
    c->line = level ? c->line | m : c->line & ~m;
}

/* Propagate the slave's output to master input 2 and the master's to INTR. */
static void pic_update(pic *s)
{
    chip_set_line(&s->chip[PIC_MASTER], 2, chip_pending(&s->chip[PIC_SLAVE], false) >= 0);
    bool intr = chip_pending(&s->chip[PIC_MASTER], true) >= 0;
    s->intr = intr;
    if (s->set_intr)
        s->set_intr(s->intr_opaque, intr);
}

void pic_set_irq(pic *s, int irq, bool level)
{
    if (irq < 0 || irq > 15)
        return;
    chip_set_line(&s->chip[irq >> 3], irq & 7, level);
    pic_update(s);
}

void pic_irq_set(void *opaque, int n, bool level)
{
    pic_set_irq(opaque, n, level);
}

irq_line pic_irq_line(pic *s, int irq)
{
    return (irq_line){.set = pic_irq_set, .opaque = s, .n = irq};
}

/* The acknowledge cycle on one chip for input irq. */
static void chip_ack(pic_chip *c, int irq)
{
    uint8_t m = 1u << irq;
    if (c->auto_eoi) {
        if (c->rotate_on_aeoi)
            c->lowest = (uint8_t)irq;
    } else {
        c->isr |= m;
    }
    if (!chip_level_mode(c, irq))
        c->irr &= ~m;
}

uint8_t pic_intr_ack(pic *s)
{
    pic_chip *m = &s->chip[PIC_MASTER], *sl = &s->chip[PIC_SLAVE];
    uint8_t vector;
    int irq = chip_pending(m, true);
    if (irq < 0) {
        vector = m->vector_base + 7; /* spurious IRQ 7: ISR untouched */
    } else if (irq == 2 && !m->single) {
        int irq2 = chip_pending(sl, false);
        if (irq2 >= 0) {
            chip_ack(sl, irq2);
            vector = sl->vector_base + (uint8_t)irq2;
        } else {
            vector = sl->vector_base + 7; /* spurious IRQ 15 */
        }
        chip_ack(m, 2);
    } else {
        chip_ack(m, irq);
        vector = m->vector_base + (uint8_t)irq;
    }
    pic_update(s);
    return vector;
}

uint8_t pic_intr_ack_cb(void *opaque)
{
    return pic_intr_ack(opaque);
}

static void chip_icw1(pic_chip *c, uint8_t v)
{
    /* Initialization clears the mask, in-service state, special mask and the edge latches:
     * an input held high must go low and high again to request. */
    c->isr = 0;
    c->imr = 0;
    c->lowest = 7;
    c->special_mask = false;
    c->read_isr = false;
    c->poll = false;
    c->auto_eoi = false;
    c->rotate_on_aeoi = false;
    c->sfnm = false;
    c->ltim = v & 0x08;
    c->single = v & 0x02;
    c->icw4_needed = v & 0x01;
    c->irr = 0;
    for (int i = 0; i < 8; i++)
        if (chip_level_mode(c, i))
            c->irr |= c->line & (1u << i);
    c->init_step = 2;
}

static void chip_ocw2(pic_chip *c, uint8_t v)
{
    int irq = v & 7;
    int p;
    switch (v >> 5) {
    case 0: c->rotate_on_aeoi = false; break;
    case 4: c->rotate_on_aeoi = true; break;
    case 1: /* non-specific EOI */
    case 5: /* rotate on non-specific EOI */
        p = chip_priority(c, c->isr);
        if (p == 8)
            break;
        irq = prio_to_irq(c, p);
        c->isr &= ~(1u << irq);
        if (v >> 5 == 5)
            c->lowest = (uint8_t)irq;
        break;
    case 3: c->isr &= ~(1u << irq); break;
    case 7:
        c->isr &= ~(1u << irq);
        c->lowest = (uint8_t)irq;
        break;
    case 6: c->lowest = (uint8_t)irq; break;
    default: break; /* 2: no operation */
    }
}

static void chip_ocw3(pic_chip *c, uint8_t v)
{
    if (v & 0x04)
        c->poll = true;
    if (v & 0x02)
        c->read_isr = v & 0x01;
    if (v & 0x40)
        c->special_mask = v & 0x20;
}

static void chip_write_data(pic_chip *c, uint8_t v)
{
    switch (c->init_step) {
    case 2:
        c->vector_base = v & 0xF8;
        c->init_step = c->single ? (c->icw4_needed ? 4 : 0) : 3;
        break;
    case 3: c->init_step = c->icw4_needed ? 4 : 0; break;
    case 4:
        c->auto_eoi = v & 0x02;
        c->sfnm = v & 0x10;
        c->init_step = 0;
        break;
    default: c->imr = v; break;
    }
}

/* A poll read acts as an acknowledge on this chip alone. */
static uint8_t chip_poll(pic_chip *c, bool is_master)
{
    int irq = chip_pending(c, is_master);
    if (irq < 0)
        return 0;
    chip_ack(c, irq);
    return 0x80 | (uint8_t)irq;
}

static uint32_t pic_read(void *opaque, uint16_t port, unsigned size)
{
    pic *s = opaque;
    int n = (port & 0x80) ? PIC_SLAVE : PIC_MASTER;
    pic_chip *c = &s->chip[n];
    uint8_t v;
    if (c->poll) {
        c->poll = false;
        v = chip_poll(c, n == PIC_MASTER);
        pic_update(s);
    } else if (port & 1) {
        v = c->imr;
    } else {
        v = c->read_isr ? c->isr : c->irr;
    }
    return v;
}

static void pic_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    pic *s = opaque;
    pic_chip *c = &s->chip[(port & 0x80) ? PIC_SLAVE : PIC_MASTER];
    uint8_t v = (uint8_t)value;
    if (port & 1)
        chip_write_data(c, v);
    else if (v & 0x10)
        chip_icw1(c, v);
    else if (v & 0x08)
        chip_ocw3(c, v);
    else
        chip_ocw2(c, v);
    pic_update(s);
}

static uint32_t elcr_read(void *opaque, uint16_t port, unsigned size)
{
    pic *s = opaque;
    return s->chip[port & 1].elcr;
}

static void elcr_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    pic *s = opaque;
    pic_chip *c = &s->chip[port & 1];
    c->elcr = (uint8_t)value & c->elcr_mask;
    /* An input switched to level mode takes its current line level. */
    for (int i = 0; i < 8; i++)
        if (c->elcr & (1u << i))
            c->irr = (c->line & (1u << i)) ? c->irr | (1u << i) : c->irr & ~(1u << i);
    pic_update(s);
}

void pic_reset(pic *s)
{
    for (int n = 0; n < 2; n++) {
        pic_chip *c = &s->chip[n];
        uint8_t line = c->line;
        *c = (pic_chip){.lowest = 7, .line = line};
        c->elcr_mask = n == PIC_MASTER ? 0xF8 : 0xDE; /* IRQ 0-2, 8, 13 are always edge */
    }
    pic_update(s);
}

static void pic_reset_cb(void *opaque)
{
    pic_reset(opaque);
}

static void chip_save(const pic_chip *c, dev_blob *b)
{
    const uint8_t bytes[] = {c->irr,  c->isr,         c->imr,    c->line,
                             c->elcr, c->vector_base, c->lowest, c->init_step};
    dev_put_bytes(b, bytes, sizeof(bytes));
    const bool flags[] = {c->icw4_needed,  c->single,         c->ltim,
                          c->auto_eoi,     c->rotate_on_aeoi, c->sfnm,
                          c->special_mask, c->read_isr,       c->poll};
    for (unsigned i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
        dev_put_bool(b, flags[i]);
}

static void chip_load(pic_chip *c, dev_blob *b)
{
    c->irr = dev_get_u8(b);
    c->isr = dev_get_u8(b);
    c->imr = dev_get_u8(b);
    c->line = dev_get_u8(b);
    c->elcr = dev_get_u8(b) & c->elcr_mask;
    c->vector_base = dev_get_u8(b) & 0xF8;
    c->lowest = dev_get_u8(b) & 7;
    c->init_step = dev_get_u8(b);
    if (c->init_step != 2 && c->init_step != 3 && c->init_step != 4)
        c->init_step = 0;
    c->icw4_needed = dev_get_bool(b);
    c->single = dev_get_bool(b);
    c->ltim = dev_get_bool(b);
    c->auto_eoi = dev_get_bool(b);
    c->rotate_on_aeoi = dev_get_bool(b);
    c->sfnm = dev_get_bool(b);
    c->special_mask = dev_get_bool(b);
    c->read_isr = dev_get_bool(b);
    c->poll = dev_get_bool(b);
}

int pic_save(const pic *s, dev_blob *b)
{
    dev_put_header(b, "PIC ", 1);
    chip_save(&s->chip[0], b);
    chip_save(&s->chip[1], b);
    return b->error;
}

int pic_load(pic *s, dev_blob *b)
{
    if (dev_get_header(b, "PIC ", 1) < 0)
        return -EINVAL;
    pic saved = *s;
    chip_load(&s->chip[0], b);
    chip_load(&s->chip[1], b);
    if (b->error) {
        *s = saved;
        return -EINVAL;
    }
    pic_update(s);
    return 0;
}

static int pic_save_cb(void *opaque, dev_blob *b)
{
    return pic_save(opaque, b);
}

static int pic_load_cb(void *opaque, dev_blob *b)
{
    return pic_load(opaque, b);
}

static const dev_ops pic_ops = {"pic", pic_reset_cb, pic_save_cb, pic_load_cb};

static const dev_port_range pic_ports[] = {
    {0x20, 2, pic_read, pic_write},
    {0xA0, 2, pic_read, pic_write},
    {0x4D0, 2, elcr_read, elcr_write},
};

int pic_init(pic *s, const dev_env *env, void (*set_intr)(void *opaque, bool level), void *opaque)
{
    *s = (pic){.set_intr = set_intr, .intr_opaque = opaque};
    pic_reset(s);
    return dev_register(env, pic_ports, 3, &pic_ops, s);
}

void pic_fini(pic *s, const dev_env *env)
{
    dev_unregister(env, pic_ports, 3, s);
}
