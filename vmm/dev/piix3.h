/* The PIIX3 PCI-to-ISA bridge (PCI 00:01.0, 8086:7000, multi-function). It routes PCI
 * interrupts: INTx of slot s, pin p arrives on PIRQ (s + p) mod 4, and the PIRQ route
 * registers 0x60-0x63 send each PIRQ to an ISA IRQ (bit 7 disables). PCI interrupts are
 * level triggered: the guest (SeaBIOS) must set the PIC's ELCR bit for a routed IRQ.
 * It also owns the reset control register at 0xCF9 (a 0->1 write of bit 2 resets). */
#ifndef VIREO_VMM_DEV_PIIX3_H
#define VIREO_VMM_DEV_PIIX3_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/dev/irq.h"
#include "vmm/dev/pci.h"

#define PIIX3_PIRQ_ROUTE 0x60

typedef struct piix3 {
    pci_device pci;
    uint8_t pirq_count[4];  /* devices asserting each PIRQ */
    uint16_t isa_levels;    /* ISA IRQs this bridge currently drives high */
    uint8_t rcr;            /* reset control register */
    irq_set_fn set_isa_irq; /* e.g. the PIC's pic_irq_line().set */
    void *isa_opaque;
    dev_machine_cb machine;
} piix3;

/* Adds the bridge at 00:01.0 and takes the bus's INTx routing and 0xCF9. */
int piix3_init(piix3 *s, pci_bus *bus, const dev_env *env, irq_set_fn set_isa_irq, void *isa_opaque,
               dev_machine_cb machine);
void piix3_fini(piix3 *s, const dev_env *env);
void piix3_reset(piix3 *s);
int piix3_save(const piix3 *s, dev_blob *b);
int piix3_load(piix3 *s, dev_blob *b);

#endif
