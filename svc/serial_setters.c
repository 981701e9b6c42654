/* Writing ISerialPort's attributes. The whole-port checks that involve several attributes
 * (a path for File, a port for TCPServer, distinct I/O bases) wait for saveSettings, so the
 * attributes can be set in any order. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "svc/machine_setters.h"
#include "svc/validate.h"

/* The port of a slot in the mutable settings; hardware attributes also refuse Saved. */
static struct svc_serial_port *port_of(svc_machine *m, uint32_t slot, bool hw, svc_error **errp)
{
    if (svc_validate_serial_slot(slot, errp) < 0)
        return NULL;
    struct svc_machine_settings *s = svc_machine_mutable(m, errp);
    if (!s)
        return NULL;
    if (hw && m->state == SVC_STATE_SAVED) {
        svc_error_set(errp, -EBUSY, SVC_E_INVALID_VM_STATE,
                      "serial port %u: machine '%s' is Saved; needed PoweredOff or Aborted", slot,
                      s->name);
        return NULL;
    }
    return &s->serial[slot];
}

int svc_serial_set_enabled(svc_machine *m, uint32_t slot, bool enabled, svc_error **errp)
{
    struct svc_serial_port *p = port_of(m, slot, true, errp);
    if (!p)
        return -EINVAL;
    p->enabled = enabled;
    return 0;
}

int svc_serial_set_mode(svc_machine *m, uint32_t slot, uint32_t mode, svc_error **errp)
{
    struct svc_serial_port *p = port_of(m, slot, false, errp);
    if (!p)
        return -EINVAL;
    if (!svc_enum_valid(&svc_enum_port_mode, mode))
        return svc_validate_enum("mode", &svc_enum_port_mode, mode, errp);
    p->mode = (enum svc_port_mode)mode;
    return 0;
}

int svc_serial_set_path(svc_machine *m, uint32_t slot, const char *path, svc_error **errp)
{
    struct svc_serial_port *p = port_of(m, slot, false, errp);
    if (!p)
        return -EINVAL;
    if (path && *path) {
        int r = svc_validate_parent_exists("path", path, errp);
        if (r < 0)
            return r;
        if (strlen(path) > SVC_PATH_MAX)
            return svc_validate_path("path", path, true, errp);
    }
    struct svc_serial_port probe = *p;
    probe.path = (char *)path;
    if (path && *path && svc_validate_serial(slot, &probe, false, errp) < 0)
        return -EINVAL;
    if (svc_str_replace(&p->path, path) < 0)
        return svc_error_set(errp, -ENOMEM, SVC_E_OUT_OF_MEMORY, "out of memory");
    return 0;
}

int svc_serial_set_server(svc_machine *m, uint32_t slot, bool server, svc_error **errp)
{
    struct svc_serial_port *p = port_of(m, slot, false, errp);
    if (!p)
        return -EINVAL;
    p->server = server;
    return 0;
}

int svc_serial_set_port(svc_machine *m, uint32_t slot, uint32_t port, svc_error **errp)
{
    struct svc_serial_port *p = port_of(m, slot, false, errp);
    if (!p)
        return -EINVAL;
    int r = svc_validate_tcp_port("port", port, true, errp);
    if (r == 0)
        p->port = (uint16_t)port;
    return r;
}

int svc_serial_set_irq(svc_machine *m, uint32_t slot, uint32_t irq, svc_error **errp)
{
    struct svc_serial_port *p = port_of(m, slot, true, errp);
    if (!p)
        return -EINVAL;
    int r = svc_validate_range("IRQ", irq, 0, 15, NULL, errp);
    if (r == 0)
        p->irq = (uint8_t)irq;
    return r;
}

int svc_serial_set_io_base(svc_machine *m, uint32_t slot, uint32_t io_base, svc_error **errp)
{
    struct svc_serial_port *p = port_of(m, slot, true, errp);
    if (!p)
        return -EINVAL;
    if (io_base < 0x100 || io_base > 0xfff8 || (io_base & 7))
        return svc_error_set(errp, -EINVAL, SVC_E_INVALID_ARG,
                             "IOBase: 0x%x is out of range; allowed 0x100..0xfff8, a multiple "
                             "of 8",
                             io_base);
    p->io_base = (uint16_t)io_base;
    return 0;
}
