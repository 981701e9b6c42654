/* An interrupt line from a device to an interrupt controller. A device drives its line's
 * level; the controller decides what an edge or a level means (the PIC's ELCR). A line with
 * no `set` is unconnected, so a device works without a controller (tests, early boot). */
#ifndef VIREO_VMM_DEV_IRQ_H
#define VIREO_VMM_DEV_IRQ_H

#include <stdbool.h>

typedef void (*irq_set_fn)(void *opaque, int n, bool level);

typedef struct irq_line {
    irq_set_fn set;
    void *opaque;
    int n; /* input number on the controller */
} irq_line;

static inline void irq_line_set(const irq_line *line, bool level)
{
    if (line->set)
        line->set(line->opaque, line->n, level);
}

static inline void irq_line_pulse(const irq_line *line)
{
    irq_line_set(line, true);
    irq_line_set(line, false);
}

#endif
