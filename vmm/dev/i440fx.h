/* The i440FX host bridge (PCI 00:00.0, 8086:1237). Its PAM0-PAM6 registers (0x59-0x5F)
 * choose, per BIOS-area segment, whether reads and writes go to RAM or to the ROM; every
 * change is reported through set_shadow, which the machine turns into physmap_set_shadow().
 * SMRAM control (0x72) is stored; SMM itself is not emulated. */
#ifndef VIREO_VMM_DEV_I440FX_H
#define VIREO_VMM_DEV_I440FX_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/dev/pci.h"

#define I440FX_PAM0         0x59
#define I440FX_SMRAM        0x72
#define I440FX_PAM_SEGMENTS 13

typedef void (*i440fx_shadow_fn)(void *opaque, uint32_t base, uint32_t size, bool read_ram,
                                 bool write_ram);

typedef struct i440fx {
    pci_device pci;
    uint8_t pam_applied[7]; /* PAM values last reported through set_shadow */
    i440fx_shadow_fn set_shadow;
    void *opaque;
} i440fx;

/* Adds the bridge at 00:00.0 of bus and reports the reset PAM state (everything to ROM).
 * Returns 0 or -errno. */
int i440fx_init(i440fx *s, pci_bus *bus, const dev_env *env, i440fx_shadow_fn set_shadow,
                void *opaque);
void i440fx_fini(i440fx *s, const dev_env *env);
void i440fx_reset(i440fx *s);
int i440fx_save(const i440fx *s, dev_blob *b);
int i440fx_load(i440fx *s, dev_blob *b);

#endif
