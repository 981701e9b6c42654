/* PCI bus 0, configuration mechanism #1. */
#include "vmm/dev/pci.h"

#include <errno.h>
#include <string.h>

void pci_device_init(pci_device *d, uint16_t vendor, uint16_t device, uint32_t class_code,
                     uint8_t revision)
{
    memset(d->config, 0, sizeof(d->config));
    memset(d->wmask, 0, sizeof(d->wmask));
    memset(d->w1cmask, 0, sizeof(d->w1cmask));
    pci_set_word(d->config + PCI_VENDOR_ID, vendor);
    pci_set_word(d->config + PCI_DEVICE_ID, device);
    d->config[PCI_REVISION] = revision;
    d->config[PCI_CLASS_PROG] = (uint8_t)class_code;
    d->config[PCI_CLASS_PROG + 1] = (uint8_t)(class_code >> 8);
    d->config[PCI_CLASS_PROG + 2] = (uint8_t)(class_code >> 16);
    /* command: I/O, memory, bus master, parity, SERR, INTx disable */
    pci_set_word(d->wmask + PCI_COMMAND, 0x0547);
    /* status: error bits are write-1-to-clear */
    pci_set_word(d->w1cmask + PCI_STATUS, 0xF900);
    d->wmask[0x0C] = 0xFF; /* cache line size */
    d->wmask[0x0D] = 0xFF; /* latency timer */
    d->wmask[PCI_INTERRUPT_LINE] = 0xFF;
}

int pci_device_set_bar(pci_device *d, int n, uint32_t size, uint32_t flags)
{
    bool io = flags & PCI_BAR_IO;
    if (n < 0 || n > 5 || size == 0 || (size & (size - 1)) || size < (io ? 4u : 16u))
        return -EINVAL;
    unsigned off = PCI_BAR0 + 4 * (unsigned)n;
    uint32_t type_bits = io ? PCI_BAR_IO : (flags & 0x0E);
    pci_set_long(d->config + off, type_bits);
    pci_set_long(d->wmask + off, ~(size - 1) & (io ? 0xFFFFFFFCu : 0xFFFFFFF0u));
    return 0;
}

uint32_t pci_device_bar(const pci_device *d, int n)
{
    if (n < 0 || n > 5)
        return 0;
    uint32_t v = pci_get_long(d->config + PCI_BAR0 + 4 * n);
    return v & ((v & PCI_BAR_IO) ? 0xFFFFFFFCu : 0xFFFFFFF0u);
}

uint32_t pci_config_read(pci_device *d, unsigned offset, unsigned size)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < size && i < 4; i++) {
        unsigned o = offset + i;
        uint8_t byte = o < PCI_CONFIG_SIZE ? d->config[o] : 0xFF;
        v |= (uint32_t)byte << (8 * i);
    }
    return v;
}

void pci_config_write(pci_device *d, unsigned offset, uint32_t value, unsigned size)
{
    unsigned n = 0;
    for (unsigned i = 0; i < size && i < 4; i++) {
        unsigned o = offset + i;
        if (o >= PCI_CONFIG_SIZE)
            break;
        uint8_t v = (uint8_t)(value >> (8 * i));
        d->config[o] = (d->config[o] & ~d->wmask[o]) | (v & d->wmask[o]);
        d->config[o] &= ~(v & d->w1cmask[o]);
        n++;
    }
    if (n && d->config_written)
        d->config_written(d, offset, n);
}

void pci_device_set_irq(pci_device *d, bool level)
{
    if (d->irq_level == level)
        return;
    d->irq_level = level;
    int pin = d->config[PCI_INTERRUPT_PIN];
    if (d->bus && d->bus->route_irq && pin >= 1 && pin <= 4)
        d->bus->route_irq(d->bus->route_opaque, d->devfn, pin - 1, level);
}

int pci_bus_add(pci_bus *bus, pci_device *d, uint8_t devfn)
{
    if (bus->dev[devfn])
        return -EBUSY;
    d->devfn = devfn;
    d->bus = bus;
    bus->dev[devfn] = d;
    return 0;
}

void pci_bus_remove(pci_bus *bus, pci_device *d)
{
    if (d->bus == bus && bus->dev[d->devfn] == d)
        bus->dev[d->devfn] = NULL;
    d->bus = NULL;
}

/* The device the current address selects, or NULL (disabled, other bus, empty slot, or a
 * function > 0 of a single-function device). */
static pci_device *pci_selected(pci_bus *bus)
{
    uint32_t a = bus->config_address;
    if (!(a & 0x80000000u) || ((a >> 16) & 0xFF) != 0)
        return NULL;
    uint8_t devfn = (uint8_t)(a >> 8);
    pci_device *fn0 = bus->dev[devfn & 0xF8];
    if ((devfn & 7) && (!fn0 || !(fn0->config[PCI_HEADER_TYPE] & 0x80)))
        return NULL;
    return bus->dev[devfn];
}

static uint32_t pci_ones(unsigned size)
{
    return size >= 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
}

static uint32_t pci_port_read(void *opaque, uint16_t port, unsigned size)
{
    pci_bus *bus = opaque;
    if (port < 0xCFC) {
        if (port == 0xCF8 && size == 4)
            return bus->config_address;
        if (port == 0xCF9 && size == 1 && bus->rcr_read)
            return bus->rcr_read(bus->rcr_opaque);
        return pci_ones(size);
    }
    pci_device *d = pci_selected(bus);
    if (!d)
        return pci_ones(size);
    return pci_config_read(d, (bus->config_address & 0xFC) + (port & 3u), size);
}

static void pci_port_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    pci_bus *bus = opaque;
    if (port < 0xCFC) {
        if (port == 0xCF8 && size == 4)
            bus->config_address = value & 0x80FFFFFCu;
        else if (port == 0xCF9 && size == 1 && bus->rcr_write)
            bus->rcr_write(bus->rcr_opaque, (uint8_t)value);
        return;
    }
    pci_device *d = pci_selected(bus);
    if (d)
        pci_config_write(d, (bus->config_address & 0xFC) + (port & 3u), value, size);
}

void pci_bus_reset(pci_bus *bus)
{
    bus->config_address = 0;
}

static void pci_bus_reset_cb(void *opaque)
{
    pci_bus_reset(opaque);
}

static int pci_bus_save_cb(void *opaque, dev_blob *b)
{
    pci_bus *bus = opaque;
    dev_put_header(b, "PCI ", 1);
    dev_put_u32(b, bus->config_address);
    return b->error;
}

static int pci_bus_load_cb(void *opaque, dev_blob *b)
{
    pci_bus *bus = opaque;
    if (dev_get_header(b, "PCI ", 1) < 0)
        return -EINVAL;
    uint32_t a = dev_get_u32(b);
    if (b->error)
        return -EINVAL;
    bus->config_address = a & 0x80FFFFFCu;
    return 0;
}

void pci_device_save(const pci_device *d, dev_blob *b)
{
    dev_put_bytes(b, d->config, PCI_CONFIG_SIZE);
    dev_put_bool(b, d->irq_level);
}

void pci_device_load(pci_device *d, dev_blob *b)
{
    uint8_t cfg[PCI_CONFIG_SIZE];
    dev_get_bytes(b, cfg, sizeof(cfg));
    bool level = dev_get_bool(b);
    if (b->error)
        return;
    memcpy(d->config, cfg, sizeof(cfg));
    d->irq_level = level;
}

static const dev_ops pci_bus_ops = {"pci", pci_bus_reset_cb, pci_bus_save_cb, pci_bus_load_cb};
static const dev_port_range pci_ports[] = {{0xCF8, 8, pci_port_read, pci_port_write}};

int pci_bus_init(pci_bus *bus, const dev_env *env)
{
    memset(bus, 0, sizeof(*bus));
    return dev_register(env, pci_ports, 1, &pci_bus_ops, bus);
}

void pci_bus_fini(pci_bus *bus, const dev_env *env)
{
    dev_unregister(env, pci_ports, 1, bus);
}
