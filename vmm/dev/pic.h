/* The 8259A programmable interrupt controller pair of the PC: master at 0x20/0x21 with
 * IRQ 0-7, slave at 0xA0/0xA1 with IRQ 8-15 cascaded on the master's IRQ 2, and the PIIX
 * edge/level control registers (ELCR) at 0x4D0/0x4D1. */
#ifndef VIREO_VMM_DEV_PIC_H
#define VIREO_VMM_DEV_PIC_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/dev/devreg.h"
#include "vmm/dev/irq.h"

/* One 8259A. */
typedef struct pic_chip {
    uint8_t irr;         /* interrupt request register */
    uint8_t isr;         /* in-service register */
    uint8_t imr;         /* interrupt mask register (OCW1) */
    uint8_t line;        /* current level of each input, for edge detection */
    uint8_t elcr;        /* 1 = level triggered (PIIX ELCR) */
    uint8_t elcr_mask;   /* ELCR bits the guest may set */
    uint8_t vector_base; /* ICW2 & 0xF8 */
    uint8_t lowest;      /* input with the lowest priority (rotation); 7 after init */
    uint8_t init_step;   /* 0: ready; 2, 3, 4: expecting that ICW */
    bool icw4_needed;    /* ICW1 IC4 */
    bool single;         /* ICW1 SNGL: no ICW3 */
    bool ltim;           /* ICW1 LTIM: every input level triggered */
    bool auto_eoi;       /* ICW4 AEOI */
    bool rotate_on_aeoi; /* OCW2 rotate in automatic EOI mode */
    bool sfnm;           /* ICW4 special fully nested mode */
    bool special_mask;   /* OCW3 SMM */
    bool read_isr;       /* OCW3 RIS: command port reads ISR instead of IRR */
    bool poll;           /* OCW3 P: next read is a poll */
} pic_chip;

typedef struct pic {
    pic_chip chip[2]; /* master, slave */
    bool intr;        /* level of the INTR output */
    void (*set_intr)(void *opaque, bool level);
    void *intr_opaque;
} pic;

/* Registers ports 0x20-0x21, 0xA0-0xA1, 0x4D0-0x4D1. set_intr receives the INTR pin level
 * (connect it to cpu_set_intr). Returns 0 or -errno. */
int pic_init(pic *s, const dev_env *env, void (*set_intr)(void *opaque, bool level), void *opaque);
void pic_fini(pic *s, const dev_env *env);
void pic_reset(pic *s);

/* Drive input `irq` (0-15) to `level`. Out-of-range numbers are ignored. */
void pic_set_irq(pic *s, int irq, bool level);
/* The line a device drives for `irq`. */
irq_line pic_irq_line(pic *s, int irq);
/* pic_set_irq with the irq_set_fn signature (opaque = the pic), for routers like PIIX3. */
void pic_irq_set(void *opaque, int irq, bool level);

/* Interrupt acknowledge: returns the vector and moves the request in service; a request
 * that vanished yields the spurious vector of IRQ 7 (or 15 on the slave). */
uint8_t pic_intr_ack(pic *s);
/* Same, with the signature of cpu_platform.intr_ack (opaque = the pic). */
uint8_t pic_intr_ack_cb(void *opaque);

int pic_save(const pic *s, dev_blob *b);
int pic_load(pic *s, dev_blob *b);

#endif
