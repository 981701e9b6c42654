/* PIIX3 ISA bridge: PIRQ routing and the reset control register. */
#include "vmm/dev/piix3.h"

#include <errno.h>
#include <string.h>

/* Which ISA IRQs the asserted PIRQs reach under the current route registers. */
static uint16_t piix3_wanted_levels(const piix3 *s)
{
    uint16_t levels = 0;
    for (int p = 0; p < 4; p++) {
        uint8_t route = s->pci.config[PIIX3_PIRQ_ROUTE + p];
        unsigned irq = route & 0x0F;
        bool reserved = irq < 3 || irq == 8 || irq == 13; /* not routable on PIIX3 */
        if (s->pirq_count[p] && !(route & 0x80) && !reserved)
            levels |= (uint16_t)(1u << irq);
    }
    return levels;
}

static void piix3_update(piix3 *s)
{
    uint16_t want = piix3_wanted_levels(s);
    uint16_t changed = want ^ s->isa_levels;
    s->isa_levels = want;
    for (int irq = 0; irq < 16; irq++)
        if ((changed & (1u << irq)) && s->set_isa_irq)
            s->set_isa_irq(s->isa_opaque, irq, want & (1u << irq));
}

static void piix3_route_irq(void *opaque, uint8_t devfn, int pin, bool level)
{
    piix3 *s = opaque;
    int pirq = ((devfn >> 3) + pin) & 3;
    if (level)
        s->pirq_count[pirq]++;
    else if (s->pirq_count[pirq])
        s->pirq_count[pirq]--;
    piix3_update(s);
}

static void piix3_config_written(pci_device *d, unsigned offset, unsigned size)
{
    if (offset < PIIX3_PIRQ_ROUTE + 4 && offset + size > PIIX3_PIRQ_ROUTE)
        piix3_update(d->opaque);
}

static uint8_t piix3_rcr_read(void *opaque)
{
    piix3 *s = opaque;
    return s->rcr;
}

static void piix3_rcr_write(void *opaque, uint8_t value)
{
    piix3 *s = opaque;
    bool start = (value & 0x04) && !(s->rcr & 0x04);
    s->rcr = value & 0x0A; /* bit 2 (reset CPU) does not stick */
    if (start)
        dev_machine_reset(&s->machine);
}

void piix3_reset(piix3 *s)
{
    pci_device *d = &s->pci;
    pci_device_init(d, 0x8086, 0x7000, 0x060100, 0x00);
    d->config[PCI_HEADER_TYPE] = 0x80; /* multi-function: IDE and USB follow */
    pci_set_word(d->config + PCI_COMMAND, 0x0007);
    pci_set_word(d->config + PCI_STATUS, 0x0200);
    memset(d->wmask + 0x40, 0xFF, PCI_CONFIG_SIZE - 0x40);
    for (int p = 0; p < 4; p++) {
        d->config[PIIX3_PIRQ_ROUTE + p] = 0x80;
        d->wmask[PIIX3_PIRQ_ROUTE + p] = 0x8F;
    }
    d->config[0x4C] = 0x4D; /* ISA recovery timer */
    d->config[0x4E] = 0x03; /* X-bus chip select */
    d->config[0x69] = 0x02; /* top of memory */
    d->config[0x70] = 0x80; /* MBIRQ0 disabled */
    d->config[0x76] = 0x0C;
    d->config[0x77] = 0x0C;
    d->config[0x78] = 0x02;
    d->config[0xA0] = 0x08;
    s->rcr = 0;
    piix3_update(s); /* pirq_count follows the devices' lines, which reset on their own */
}

static void piix3_reset_cb(void *opaque)
{
    piix3_reset(opaque);
}

int piix3_save(const piix3 *s, dev_blob *b)
{
    dev_put_header(b, "PIX3", 1);
    pci_device_save(&s->pci, b);
    dev_put_bytes(b, s->pirq_count, sizeof(s->pirq_count));
    dev_put_u8(b, s->rcr);
    return b->error;
}

int piix3_load(piix3 *s, dev_blob *b)
{
    if (dev_get_header(b, "PIX3", 1) < 0)
        return -EINVAL;
    pci_device saved = s->pci;
    pci_device_load(&s->pci, b);
    uint8_t counts[4];
    dev_get_bytes(b, counts, sizeof(counts));
    uint8_t rcr = dev_get_u8(b);
    if (b->error) {
        s->pci = saved;
        return -EINVAL;
    }
    memcpy(s->pirq_count, counts, sizeof(counts));
    s->rcr = rcr & 0x0A;
    piix3_update(s);
    return 0;
}

static int piix3_save_cb(void *opaque, dev_blob *b)
{
    return piix3_save(opaque, b);
}

static int piix3_load_cb(void *opaque, dev_blob *b)
{
    return piix3_load(opaque, b);
}

static const dev_ops piix3_ops = {"piix3", piix3_reset_cb, piix3_save_cb, piix3_load_cb};

int piix3_init(piix3 *s, pci_bus *bus, const dev_env *env, irq_set_fn set_isa_irq, void *isa_opaque,
               dev_machine_cb machine)
{
    memset(s, 0, sizeof(*s));
    s->set_isa_irq = set_isa_irq;
    s->isa_opaque = isa_opaque;
    s->machine = machine;
    s->pci.opaque = s;
    s->pci.config_written = piix3_config_written;
    piix3_reset(s);
    int r = pci_bus_add(bus, &s->pci, PCI_DEVFN(1, 0));
    if (r < 0)
        return r;
    r = dev_register(env, NULL, 0, &piix3_ops, s);
    if (r < 0) {
        pci_bus_remove(bus, &s->pci);
        return r;
    }
    bus->route_irq = piix3_route_irq;
    bus->route_opaque = s;
    bus->rcr_read = piix3_rcr_read;
    bus->rcr_write = piix3_rcr_write;
    bus->rcr_opaque = s;
    return 0;
}

void piix3_fini(piix3 *s, const dev_env *env)
{
    pci_bus *bus = s->pci.bus;
    if (bus) {
        bus->route_irq = NULL;
        bus->rcr_read = NULL;
        bus->rcr_write = NULL;
        pci_bus_remove(bus, &s->pci);
    }
    dev_unregister(env, NULL, 0, s);
}
