/* i440FX host bridge: PAM shadow control and SMRAM register. */
#include "vmm/dev/i440fx.h"

#include <errno.h>
#include <string.h>

#define SMRAM_D_OPEN 0x40
#define SMRAM_D_LCK  0x10
#define SMRAM_RESET  0x02 /* C_BASE_SEG = 010: SMRAM at 0xA0000 */

/* Segment of PAM register r (0-6), nibble h (0 low, 1 high). PAM0's low nibble is
 * reserved; its high nibble covers the whole 64 KiB at 0xF0000. */
static bool pam_segment(int r, int h, uint32_t *base, uint32_t *size)
{
    if (r == 0) {
        *base = 0xF0000;
        *size = 0x10000;
        return h == 1;
    }
    *base = 0xC0000 + (uint32_t)(r - 1) * 0x8000 + (uint32_t)h * 0x4000;
    *size = 0x4000;
    return true;
}

/* Report every segment whose attributes differ from what was last reported. */
static void i440fx_apply_pam(i440fx *s, bool force)
{
    for (int r = 0; r < 7; r++) {
        uint8_t v = s->pci.config[I440FX_PAM0 + r];
        for (int h = 0; h < 2; h++) {
            uint32_t base, size;
            uint8_t now = (v >> (4 * h)) & 3, old = (s->pam_applied[r] >> (4 * h)) & 3;
            if (!pam_segment(r, h, &base, &size) || (!force && now == old))
                continue;
            if (s->set_shadow)
                s->set_shadow(s->opaque, base, size, now & 1, now & 2);
        }
        s->pam_applied[r] = v;
    }
}

static void i440fx_config_written(pci_device *d, unsigned offset, unsigned size)
{
    i440fx *s = d->opaque;
    if (offset < I440FX_PAM0 + 7 && offset + size > I440FX_PAM0)
        i440fx_apply_pam(s, false);
    if (offset <= I440FX_SMRAM && offset + size > I440FX_SMRAM) {
        uint8_t *smram = &s->pci.config[I440FX_SMRAM];
        *smram = (*smram & 0x78) | SMRAM_RESET; /* C_BASE_SEG is hardwired */
        if (*smram & SMRAM_D_LCK) {             /* lock: D_OPEN off, and no way back */
            *smram &= ~SMRAM_D_OPEN;
            s->pci.wmask[I440FX_SMRAM] = 0;
        }
    }
}

void i440fx_reset(i440fx *s)
{
    pci_device *d = &s->pci;
    pci_device_init(d, 0x8086, 0x1237, 0x060000, 0x02);
    d->config[PCI_HEADER_TYPE] = 0x00;
    pci_set_word(d->config + PCI_COMMAND, 0x0006);
    pci_set_word(d->config + PCI_STATUS, 0x0280);
    /* Subsystem 1AF4:1100 ("QEMU virtual machine") makes SeaBIOS take its QEMU paths:
     * memory size from CMOS, tables and boot order from fw_cfg. */
    pci_set_word(d->config + PCI_SUBSYS_VENDOR, 0x1AF4);
    pci_set_word(d->config + PCI_SUBSYS_VENDOR + 2, 0x1100);
    /* PMCCFG, DRAM control, PAM and DRB/FDHC registers are plain read/write here. */
    memset(d->wmask + 0x50, 0xFF, 0x72 - 0x50);
    d->wmask[I440FX_PAM0] = 0xF0;
    d->config[I440FX_SMRAM] = SMRAM_RESET;
    d->wmask[I440FX_SMRAM] = 0x78;
    i440fx_apply_pam(s, true);
}

static void i440fx_reset_cb(void *opaque)
{
    i440fx_reset(opaque);
}

int i440fx_save(const i440fx *s, dev_blob *b)
{
    dev_put_header(b, "I440", 1);
    pci_device_save(&s->pci, b);
    return b->error;
}

int i440fx_load(i440fx *s, dev_blob *b)
{
    if (dev_get_header(b, "I440", 1) < 0)
        return -EINVAL;
    pci_device_load(&s->pci, b);
    if (b->error)
        return -EINVAL;
    s->pci.wmask[I440FX_SMRAM] = (s->pci.config[I440FX_SMRAM] & SMRAM_D_LCK) ? 0 : 0x78;
    i440fx_apply_pam(s, true);
    return 0;
}

static int i440fx_save_cb(void *opaque, dev_blob *b)
{
    return i440fx_save(opaque, b);
}

static int i440fx_load_cb(void *opaque, dev_blob *b)
{
    return i440fx_load(opaque, b);
}

static const dev_ops i440fx_ops = {"i440fx", i440fx_reset_cb, i440fx_save_cb, i440fx_load_cb};

int i440fx_init(i440fx *s, pci_bus *bus, const dev_env *env, i440fx_shadow_fn set_shadow,
                void *opaque)
{
    memset(s, 0, sizeof(*s));
    s->set_shadow = set_shadow;
    s->opaque = opaque;
    s->pci.opaque = s;
    s->pci.config_written = i440fx_config_written;
    i440fx_reset(s);
    int r = pci_bus_add(bus, &s->pci, PCI_DEVFN(0, 0));
    if (r < 0)
        return r;
    r = dev_register(env, NULL, 0, &i440fx_ops, s);
    if (r < 0)
        pci_bus_remove(bus, &s->pci);
    return r;
}

void i440fx_fini(i440fx *s, const dev_env *env)
{
    if (s->pci.bus)
        pci_bus_remove(s->pci.bus, &s->pci);
    dev_unregister(env, NULL, 0, s);
}
