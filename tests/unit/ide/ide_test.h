/* Fixture for the IDE tests: port bus, 4 MiB of guest RAM at 0 for DMA, the PCI bus with
 * the IDE function (bus master mapped at IDET_BM), IRQ 14/15 recorders, scratch images. */
#ifndef VIREO_TESTS_UNIT_IDE_TEST_H
#define VIREO_TESTS_UNIT_IDE_TEST_H

#include <check.h>
#include <stdlib.h>

#include "vmm/dev/ide.h"
#include "vmm/dev/piix3.h"
#include "vmm/mem/iobus.h"
#include "vmm/mem/physmap.h"

#define IDET_RAM (4u << 20)
#define IDET_BM  0xC000
#define PRI      0x1F0
#define SEC      0x170

typedef struct idet {
    iobus *io;
    physmap *pm;
    uint8_t *ram;
    dev_registry reg;
    dev_env env;
    pci_bus bus;
    piix3 isa; /* function 0 of the slot: makes function 1 visible */
    ide ide;
    bool irq[2];
    int raises[2]; /* rising edges seen on IRQ 14 / 15 */
    char dir[64];
} idet;

idet *idet_new(void);
void idet_free(idet *t);
/* A new image in the fixture's directory (pattern-filled when seed != 0), open for writing. */
img *idet_image(idet *t, const char *name, img_format fmt, uint64_t size, uint32_t seed);
const char *idet_path(idet *t, const char *name);
void idet_fill(uint8_t *buf, size_t len, uint32_t seed, uint64_t offset);

uint32_t pci_cfg_read(idet *t, int reg, unsigned size);
void pci_cfg_write(idet *t, int reg, uint32_t v, unsigned size);

static inline uint8_t in8(idet *t, uint16_t port)
{
    return (uint8_t)iobus_in(t->io, port, 1);
}

static inline void out8(idet *t, uint16_t port, uint8_t v)
{
    iobus_out(t->io, port, v, 1);
}

/* Task file set-up as a driver does it; `base` is PRI or SEC. */
void ata_lba28(idet *t, uint16_t base, int unit, uint32_t lba, uint8_t count);
void ata_lba48(idet *t, uint16_t base, int unit, uint64_t lba, uint16_t count);
uint8_t ata_status(idet *t, uint16_t base);    /* port 7: acknowledges the interrupt */
uint8_t ata_altstatus(idet *t, uint16_t base); /* 0x3F6 / 0x376 */
void ata_pio_read(idet *t, uint16_t base, void *buf, size_t bytes, unsigned width);
void ata_pio_write(idet *t, uint16_t base, const void *buf, size_t bytes, unsigned width);
/* A PRD table at `table` in RAM: n entries (addr, len with 0x10000 as 0), last gets EOT. */
void prd_table(idet *t, uint32_t table, const uint32_t *addr, const uint32_t *len, int n);
/* Start the bus master of channel ch (0/1) on `table`, direction to memory or from. */
void bm_start(idet *t, int ch, uint32_t table, bool to_mem);
uint8_t bm_status(idet *t, int ch);

#define IDET_MAIN(suite_fn)                                                                        \
    int main(void)                                                                                 \
    {                                                                                              \
        SRunner *sr = srunner_create(suite_fn());                                                  \
        srunner_set_fork_status(sr, CK_NOFORK);                                                    \
        srunner_run_all(sr, CK_NORMAL);                                                            \
        int failed = srunner_ntests_failed(sr);                                                    \
        srunner_free(sr);                                                                          \
        return failed ? EXIT_FAILURE : EXIT_SUCCESS;                                               \
    }

#endif
