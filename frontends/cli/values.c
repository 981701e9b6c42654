/* Option value parsing (see values.h). */
#include "frontends/cli/values.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idl/vireo.h"

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

int cli_value_u32(const char *what, const char *s, uint32_t min, uint32_t max, uint32_t *ret,
                  char *err, size_t errlen)
{
    if (!s[0] || s[0] == '-' || s[0] == '+' || s[0] == ' ')
        return fail(err, errlen, "%s: '%s' is not a number", what, s);
    errno = 0;
    char *end;
    int base = (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) ? 16 : 10;
    unsigned long long v = strtoull(s, &end, base);
    if (*end || end == s)
        return fail(err, errlen, "%s: '%s' is not a number", what, s);
    if (errno == ERANGE || v < min || v > max)
        return fail(err, errlen, "%s: %s is out of range %u..%u", what, s, min, max);
    *ret = (uint32_t)v;
    return 0;
}

int cli_value_bool(const char *what, const char *s, bool *ret, char *err, size_t errlen)
{
    static const char *const yes[] = {"on", "true", "yes", "1"};
    static const char *const no[] = {"off", "false", "no", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (strcmp(s, yes[i]) == 0) {
            *ret = true;
            return 0;
        }
        if (strcmp(s, no[i]) == 0) {
            *ret = false;
            return 0;
        }
    }
    return fail(err, errlen, "%s: '%s' is not on or off", what, s);
}

typedef struct name_value {
    const char *name;
    uint32_t value;
} name_value;

static const name_value boot_names[] = {
    {"none", 0},
    {"disk", VIREO_BOOT_DEVICE_HARD_DISK},
    {"dvd", VIREO_BOOT_DEVICE_DVD},
    {NULL, 0},
};

static const name_value firmware_names[] = {
    {"bios", VIREO_FIRMWARE_TYPE_BIOS},
    {"kernel", VIREO_FIRMWARE_TYPE_LINUX_KERNEL},
    {"multiboot", VIREO_FIRMWARE_TYPE_MULTIBOOT},
    {NULL, 0},
};

/* CLI names of port modes: the option words, also used in showvminfo. */
static const name_value port_mode_names[] = {
    {"disconnected", VIREO_PORT_MODE_DISCONNECTED},
    {"file", VIREO_PORT_MODE_FILE},
    {"socket", VIREO_PORT_MODE_UNIX_SOCKET},
    {"tcpserver", VIREO_PORT_MODE_TCP_SERVER},
    {"pty", VIREO_PORT_MODE_PTY},
    {"stdio", VIREO_PORT_MODE_STDIO},
    {NULL, 0},
};

static int lookup(const name_value *t, const char *what, const char *s, uint32_t *ret, char *err,
                  size_t errlen)
{
    char choices[128] = "";
    for (const name_value *p = t; p->name; p++) {
        if (strcmp(p->name, s) == 0) {
            *ret = p->value;
            return 0;
        }
        snprintf(choices + strlen(choices), sizeof(choices) - strlen(choices), "%s%s",
                 p == t ? "" : "|", p->name);
    }
    return fail(err, errlen, "%s: '%s' is not one of %s", what, s, choices);
}

static const char *name_of(const name_value *t, uint32_t v)
{
    for (const name_value *p = t; p->name; p++)
        if (p->value == v)
            return p->name;
    return "unknown";
}

int cli_value_boot_device(const char *s, uint32_t *ret, char *err, size_t errlen)
{
    return lookup(boot_names, "boot device", s, ret, err, errlen);
}

int cli_value_firmware(const char *s, uint32_t *ret, char *err, size_t errlen)
{
    return lookup(firmware_names, "firmware", s, ret, err, errlen);
}

const char *cli_boot_device_name(uint32_t v)
{
    return name_of(boot_names, v);
}

const char *cli_firmware_name(uint32_t v)
{
    return name_of(firmware_names, v);
}

const char *cli_port_mode_name(uint32_t v)
{
    return name_of(port_mode_names, v);
}

int cli_uart_arity(const char *first)
{
    return strcmp(first, "off") == 0 ? 1 : 2;
}

int cli_value_uart(const char *const *v, int n, cli_uart_spec *ret, char *err, size_t errlen)
{
    if (n == 1 && strcmp(v[0], "off") == 0) {
        *ret = (cli_uart_spec){.enabled = false};
        return 0;
    }
    if (n != 2)
        return fail(err, errlen, "uart: expected off or IOBASE IRQ");
    uint32_t base, irq;
    if (cli_value_u32("uart I/O base", v[0], 0x100, 0xfff8, &base, err, errlen) < 0 ||
        cli_value_u32("uart IRQ", v[1], 0, 15, &irq, err, errlen) < 0)
        return -1;
    if (base % 8)
        return fail(err, errlen, "uart I/O base: %s is not a multiple of 8", v[0]);
    *ret = (cli_uart_spec){.enabled = true, .io_base = (uint16_t)base, .irq = irq};
    return 0;
}

int cli_uart_mode_arity(const char *first)
{
    static const char *const with_arg[] = {"file", "server", "client", "tcpserver"};
    for (size_t i = 0; i < 4; i++)
        if (strcmp(first, with_arg[i]) == 0)
            return 2;
    return 1;
}

int cli_value_uart_mode(const char *const *v, int n, cli_uart_mode_spec *ret, char *err,
                        size_t errlen)
{
    cli_uart_mode_spec m = {0};
    const char *kind = v[0];
    if (strcmp(kind, "disconnected") == 0) {
        m.mode = VIREO_PORT_MODE_DISCONNECTED;
    } else if (strcmp(kind, "pty") == 0) {
        m.mode = VIREO_PORT_MODE_PTY;
    } else if (strcmp(kind, "file") == 0 || strcmp(kind, "server") == 0 ||
               strcmp(kind, "client") == 0) {
        if (n != 2 || !v[1][0])
            return fail(err, errlen, "uart mode %s needs a path", kind);
        m.mode = kind[0] == 'f' ? VIREO_PORT_MODE_FILE : VIREO_PORT_MODE_UNIX_SOCKET;
        m.server = kind[0] == 's';
        m.path = v[1];
    } else if (strcmp(kind, "tcpserver") == 0) {
        uint32_t port;
        if (n != 2 ||
            cli_value_u32("uart tcpserver port", v[1], 1024, 65535, &port, err, errlen) < 0)
            return n != 2 ? fail(err, errlen, "uart mode tcpserver needs a port") : -1;
        m.mode = VIREO_PORT_MODE_TCP_SERVER;
        m.port = (uint16_t)port;
    } else {
        return fail(err, errlen,
                    "uart mode: '%s' is not one of disconnected|file|server|client|tcpserver|pty",
                    kind);
    }
    *ret = m;
    return 0;
}
