/* PCI bus 0 with configuration mechanism #1: the address register at 0xCF8 (dword access
 * only) and the data window at 0xCFC-0xCFF (byte, word, dword). Byte accesses to 0xCF9 go
 * to the reset control register hook (the PIIX3's, see piix3.h).
 *
 * A device is a 256-byte configuration space with per-byte writable and write-1-to-clear
 * masks; BAR sizing falls out of the writable mask (write all ones, read back ~(size-1)).
 * A device's optional write hook sees every write after the masks were applied. */
#ifndef VIREO_VMM_DEV_PCI_H
#define VIREO_VMM_DEV_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/dev/devreg.h"

#define PCI_CONFIG_SIZE     256
#define PCI_DEVFN(slot, fn) ((uint8_t)(((slot) << 3) | (fn)))

enum {
    PCI_VENDOR_ID = 0x00,
    PCI_DEVICE_ID = 0x02,
    PCI_COMMAND = 0x04,
    PCI_STATUS = 0x06,
    PCI_REVISION = 0x08,
    PCI_CLASS_PROG = 0x09,
    PCI_HEADER_TYPE = 0x0E,
    PCI_BAR0 = 0x10,
    PCI_SUBSYS_VENDOR = 0x2C,
    PCI_INTERRUPT_LINE = 0x3C,
    PCI_INTERRUPT_PIN = 0x3D,
};

#define PCI_BAR_IO       0x01u
#define PCI_BAR_MEM_PREF 0x08u

typedef struct pci_bus pci_bus;
typedef struct pci_device pci_device;

struct pci_device {
    uint8_t config[PCI_CONFIG_SIZE];
    uint8_t wmask[PCI_CONFIG_SIZE];   /* bits the guest may write */
    uint8_t w1cmask[PCI_CONFIG_SIZE]; /* bits a guest 1 clears */
    uint8_t devfn;
    bool irq_level; /* INTx asserted */
    pci_bus *bus;
    /* Called after each guest write with the written range; may be NULL. */
    void (*config_written)(pci_device *d, unsigned offset, unsigned size);
    void *opaque;
};

struct pci_bus {
    pci_device *dev[256]; /* by devfn */
    uint32_t config_address;
    /* INTx router (the PIIX3): pin 0-3 = INTA-INTD of devfn. */
    void (*route_irq)(void *opaque, uint8_t devfn, int pin, bool level);
    void *route_opaque;
    /* Reset control register at 0xCF9. */
    uint8_t (*rcr_read)(void *opaque);
    void (*rcr_write)(void *opaque, uint8_t value);
    void *rcr_opaque;
};

/* Registers ports 0xCF8-0xCFF. Returns 0 or -errno. */
int pci_bus_init(pci_bus *bus, const dev_env *env);
void pci_bus_fini(pci_bus *bus, const dev_env *env);
void pci_bus_reset(pci_bus *bus);

/* Fill the header of a type-0 device with the standard writable masks. */
void pci_device_init(pci_device *d, uint16_t vendor, uint16_t device, uint32_t class_code,
                     uint8_t revision);
/* Returns 0, -EINVAL for a bad devfn, -EBUSY if taken. */
int pci_bus_add(pci_bus *bus, pci_device *d, uint8_t devfn);
void pci_bus_remove(pci_bus *bus, pci_device *d);
/* Declare BAR n (0-5): size is a power of two (>= 16 for memory, >= 4 for I/O); flags is
 * PCI_BAR_IO or a memory type. Returns 0 or -EINVAL. */
int pci_device_set_bar(pci_device *d, int n, uint32_t size, uint32_t flags);
/* Current BAR address (type bits cleared). */
uint32_t pci_device_bar(const pci_device *d, int n);
/* Drive the device's INTx line (the pin in config[0x3D]). */
void pci_device_set_irq(pci_device *d, bool level);

/* Configuration access as the guest sees it; out-of-range bytes read as 0xFF and
 * writes to them are dropped. */
uint32_t pci_config_read(pci_device *d, unsigned offset, unsigned size);
void pci_config_write(pci_device *d, unsigned offset, uint32_t value, unsigned size);

/* Little-endian helpers for device code. */
static inline void pci_set_word(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static inline void pci_set_long(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint32_t pci_get_long(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Save/load a device's configuration space (for the owning device's save/load). */
void pci_device_save(const pci_device *d, dev_blob *b);
void pci_device_load(pci_device *d, dev_blob *b);

#endif
