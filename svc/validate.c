/* Validation of settings values. */
#include "svc/validate.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int invalid(svc_error **errp, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int invalid(svc_error **errp, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = svc_error_setv(errp, -EINVAL, SVC_E_INVALID_ARG, fmt, ap);
    va_end(ap);
    return r;
}

/* Length of the UTF-8 sequence starting with byte c, or 0 if c cannot start one. */
static unsigned utf8_seq_len(unsigned char c)
{
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        return 2;
    if (c >= 0xe0 && c <= 0xef)
        return 3;
    if (c >= 0xf0 && c <= 0xf4)
        return 4;
    return 0;
}

long svc_utf8_length(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    long count = 0;
    for (size_t i = 0; i < len; count++) {
        unsigned n = utf8_seq_len(p[i]);
        if (n == 0 || i + n > len)
            return -1;
        uint32_t cp = n == 1 ? p[i] : (uint32_t)(p[i] & (0x7f >> n));
        for (unsigned k = 1; k < n; k++) {
            if ((p[i + k] & 0xc0) != 0x80)
                return -1;
            cp = (cp << 6) | (p[i + k] & 0x3f);
        }
        static const uint32_t min_cp[5] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < min_cp[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return -1;
        i += n;
    }
    return count;
}

static bool is_control(unsigned char c)
{
    return c < 0x20 || c == 0x7f;
}

int svc_validate_name(const char *s, size_t len, svc_error **errp)
{
    static const char rule[] = "allowed: 1..64 characters of UTF-8 without '/', '\\', NUL or "
                               "control characters, not '.' or '..', no leading or trailing "
                               "space";
    if (!s || len == 0)
        return invalid(errp, "name: empty; %s", rule);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\0')
            return invalid(errp, "name: contains NUL at byte %zu; %s", i, rule);
        if (c == '/' || c == '\\')
            return invalid(errp, "name: contains '%c'; %s", c, rule);
        if (is_control(c))
            return invalid(errp, "name: contains control character 0x%02x; %s", c, rule);
    }
    long chars = svc_utf8_length(s, len);
    if (chars < 0)
        return invalid(errp, "name: not valid UTF-8; %s", rule);
    if (chars > SVC_NAME_MAX_CHARS)
        return invalid(errp, "name: %ld characters long; %s", chars, rule);
    if ((len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' && s[1] == '.'))
        return invalid(errp, "name: '%.*s' is reserved; %s", (int)len, s, rule);
    if (s[0] == ' ' || s[len - 1] == ' ')
        return invalid(errp, "name: leading or trailing space; %s", rule);
    return 0;
}

int svc_validate_u32_range(const char *field, uint64_t v, uint64_t min, uint64_t max,
                           const char *unit, svc_error **errp)
{
    if (v < min || v > max)
        return invalid(errp, "%s: %llu is out of range; allowed %llu..%llu%s%s", field,
                       (unsigned long long)v, (unsigned long long)min, (unsigned long long)max,
                       unit ? " " : "", unit ? unit : "");
    return 0;
}

int svc_validate_memory(uint64_t mib, svc_error **errp)
{
    return svc_validate_u32_range("memorySize", mib, SVC_MEMORY_MIN_MIB, SVC_MEMORY_MAX_MIB, "MiB",
                                  errp);
}

int svc_validate_cpu_count(uint64_t n, svc_error **errp)
{
    return svc_validate_u32_range("cpuCount", n, SVC_CPU_MIN, SVC_CPU_MAX, NULL, errp);
}

int svc_validate_vram(uint64_t mib, svc_error **errp)
{
    return svc_validate_u32_range("VRAMSize", mib, SVC_VRAM_MIN_MIB, SVC_VRAM_MAX_MIB, "MiB", errp);
}

int svc_validate_port(const char *field, uint64_t port, svc_error **errp)
{
    return svc_validate_u32_range(field, port, 1, 65535, NULL, errp);
}

int svc_validate_vnc_port(uint64_t port, svc_error **errp)
{
    if (port > 65535)
        return invalid(errp, "vncPort: %llu is out of range; allowed 0 (automatic) or 1..65535",
                       (unsigned long long)port);
    return 0;
}

int svc_validate_vnc_range(uint64_t min, uint64_t max, svc_error **errp)
{
    int r = svc_validate_port("vncPortMin", min, errp);
    if (r == 0)
        r = svc_validate_port("vncPortMax", max, errp);
    if (r == 0 && min > max)
        r = invalid(errp, "vncPortMin: %llu is above vncPortMax %llu; allowed min <= max",
                    (unsigned long long)min, (unsigned long long)max);
    return r;
}

int svc_validate_vnc_password(const char *pw, svc_error **errp)
{
    size_t n = pw ? strlen(pw) : 0;
    if (n > SVC_VNC_PASSWORD_MAX)
        return invalid(errp, "vncPassword: %zu characters; allowed 0..%d printable ASCII", n,
                       SVC_VNC_PASSWORD_MAX);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)pw[i] < 0x20 || (unsigned char)pw[i] > 0x7e)
            return invalid(errp,
                           "vncPassword: byte %zu is not printable ASCII; allowed 0..%d "
                           "printable ASCII",
                           i, SVC_VNC_PASSWORD_MAX);
    return 0;
}

int svc_validate_os_type(const char *id, svc_error **errp)
{
    if (svc_os_type_find(id))
        return 0;
    unsigned n;
    const struct svc_os_type *t = svc_os_types(&n);
    char list[256] = "";
    for (unsigned i = 0; i < n; i++) {
        strncat(list, t[i].id, sizeof(list) - strlen(list) - 1);
        if (i + 1 < n)
            strncat(list, ", ", sizeof(list) - strlen(list) - 1);
    }
    return invalid(errp, "OSTypeId: '%.64s' is unknown; allowed %s", id ? id : "", list);
}

int svc_validate_text(const char *field, const char *s, size_t max_bytes, bool multiline,
                      svc_error **errp)
{
    if (!s)
        return 0;
    size_t len = strlen(s);
    if (len > max_bytes)
        return invalid(errp, "%s: %zu bytes long; allowed at most %zu", field, len, max_bytes);
    if (svc_utf8_length(s, len) < 0)
        return invalid(errp, "%s: not valid UTF-8", field);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (is_control(c) && !(multiline && (c == '\n' || c == '\t')))
            return invalid(errp, "%s: control character 0x%02x at byte %zu; allowed: text%s", field,
                           c, i, multiline ? " with newlines and tabs" : " on one line");
    }
    return 0;
}

int svc_validate_path(const char *field, const char *path, bool optional, bool must_exist,
                      svc_error **errp)
{
    if (!path || !*path)
        return optional ? 0 : invalid(errp, "%s: must be set (an absolute path)", field);
    int r = svc_validate_text(field, path, SVC_PATH_MAX, false, errp);
    if (r < 0)
        return r;
    if (path[0] != '/')
        return invalid(errp, "%s: '%s' is not an absolute path", field, path);
    if (!must_exist)
        return 0;
    struct stat st;
    if (stat(path, &st) < 0)
        return invalid(errp, "%s: '%s': %s; allowed: an existing readable file", field, path,
                       strerror(errno));
    if (!S_ISREG(st.st_mode))
        return invalid(errp, "%s: '%s' is not a regular file", field, path);
    if (access(path, R_OK) < 0)
        return invalid(errp, "%s: '%s' is not readable", field, path);
    return 0;
}

int svc_validate_serial_slot(uint64_t slot, svc_error **errp)
{
    return svc_validate_u32_range("serialPort slot", slot, 1, SVC_SERIAL_SLOTS, NULL, errp);
}

int svc_validate_serial(unsigned slot, const struct svc_serial_port *p, svc_error **errp)
{
    char field[48];
    unsigned n = slot + 1;
    if ((unsigned)p->mode >= SVC_SERIAL_COUNT)
        return invalid(errp, "serialPort %u mode: %d is unknown; allowed %s", n, (int)p->mode,
                       svc_serial_mode_names());
    snprintf(field, sizeof(field), "serialPort %u irq", n);
    int r = svc_validate_u32_range(field, p->irq, 0, 15, NULL, errp);
    if (r < 0)
        return r;
    if (p->io_base < 0x100 || p->io_base > 0xfff8 || (p->io_base & 7))
        return invalid(errp,
                       "serialPort %u ioBase: 0x%x is out of range; allowed "
                       "0x100..0xfff8, a multiple of 8",
                       n, p->io_base);
    snprintf(field, sizeof(field), "serialPort %u path", n);
    if (p->mode == SVC_SERIAL_FILE || p->mode == SVC_SERIAL_UNIX)
        return svc_validate_path(field, p->path, false, false, errp);
    if (p->mode == SVC_SERIAL_TCP) {
        snprintf(field, sizeof(field), "serialPort %u tcpPort", n);
        return svc_validate_port(field, p->tcp_port, errp);
    }
    return 0;
}

static uint32_t bus_max_ports(enum svc_storage_bus bus)
{
    return bus == SVC_BUS_IDE ? 2 : 30;
}

static uint32_t bus_devices_per_port(enum svc_storage_bus bus)
{
    return bus == SVC_BUS_IDE ? 2 : 1;
}

static int validate_attachment(const struct svc_storage_controller *c, size_t i, svc_error **errp)
{
    const struct svc_attachment *a = &c->attachments[i];
    if (a->port >= c->port_count)
        return invalid(errp, "controller '%s' attachment: port %u is out of range; allowed 0..%u",
                       c->name, a->port, c->port_count - 1);
    if (a->device >= bus_devices_per_port(c->bus))
        return invalid(errp,
                       "controller '%s' attachment: device %u is out of range; "
                       "allowed 0..%u",
                       c->name, a->device, bus_devices_per_port(c->bus) - 1);
    if (a->type != SVC_DEVICE_HARD_DISK && a->type != SVC_DEVICE_DVD)
        return invalid(errp, "controller '%s' port %u device %u: type %s; allowed HardDisk, DVD",
                       c->name, a->port, a->device, svc_device_type_name(a->type));
    if (a->type == SVC_DEVICE_HARD_DISK && svc_uuid_is_null(&a->medium))
        return invalid(errp, "controller '%s' port %u device %u: a HardDisk needs a medium",
                       c->name, a->port, a->device);
    if (!svc_uuid_is_null(&a->medium) && !svc_uuid_valid(a->medium.s))
        return invalid(errp, "controller '%s' port %u device %u: medium is not a uuid", c->name,
                       a->port, a->device);
    for (size_t j = 0; j < i; j++)
        if (c->attachments[j].port == a->port && c->attachments[j].device == a->device)
            return invalid(errp, "controller '%s': port %u device %u is attached twice", c->name,
                           a->port, a->device);
    return 0;
}

static int validate_controller(const struct svc_machine_settings *s, size_t i, svc_error **errp)
{
    const struct svc_storage_controller *c = &s->controllers[i];
    int r = svc_validate_text("storage controller name", c->name, 64, false, errp);
    if (r < 0)
        return r;
    if (!c->name || !*c->name)
        return invalid(errp, "storage controller name: empty; allowed 1..64 characters");
    for (size_t j = 0; j < i; j++)
        if (strcmp(s->controllers[j].name, c->name) == 0)
            return invalid(errp, "storage controller name: '%s' is used twice", c->name);
    if ((unsigned)c->bus >= SVC_BUS_COUNT)
        return invalid(errp, "controller '%s' bus: unknown; allowed %s", c->name,
                       svc_storage_bus_names());
    char field[96];
    snprintf(field, sizeof(field), "controller '%.64s' portCount", c->name);
    r = svc_validate_u32_range(field, c->port_count, 1, bus_max_ports(c->bus), NULL, errp);
    if (r < 0)
        return r;
    if (c->n_attachments > SVC_ATTACHMENTS_MAX)
        return invalid(errp, "controller '%s': %zu attachments; allowed at most %d", c->name,
                       c->n_attachments, SVC_ATTACHMENTS_MAX);
    for (size_t k = 0; k < c->n_attachments && r == 0; k++)
        r = validate_attachment(c, k, errp);
    return r;
}

int svc_validate_controllers(const struct svc_machine_settings *s, svc_error **errp)
{
    if (s->n_controllers > SVC_CONTROLLERS_MAX)
        return invalid(errp, "storageControllers: %zu controllers; allowed at most %d",
                       s->n_controllers, SVC_CONTROLLERS_MAX);
    int r = 0;
    for (size_t i = 0; i < s->n_controllers && r == 0; i++)
        r = validate_controller(s, i, errp);
    return r;
}

static int validate_boot(const struct svc_machine_settings *s, svc_error **errp)
{
    for (unsigned i = 0; i < SVC_BOOT_SLOTS; i++) {
        if ((unsigned)s->boot_order[i] >= SVC_DEVICE_COUNT)
            return invalid(errp, "bootOrder position %u: unknown device; allowed %s", i + 1,
                           svc_device_type_names());
        for (unsigned j = 0; j < i; j++)
            if (s->boot_order[i] != SVC_DEVICE_NULL && s->boot_order[j] == s->boot_order[i])
                return invalid(errp, "bootOrder: %s appears twice",
                               svc_device_type_name(s->boot_order[i]));
    }
    return 0;
}

static int validate_firmware(const struct svc_machine_settings *s, svc_error **errp)
{
    if ((unsigned)s->firmware >= SVC_FIRMWARE_COUNT)
        return invalid(errp, "firmwareType: unknown; allowed %s", svc_firmware_names());
    int r = svc_validate_path("biosPath", s->bios_path, true, false, errp);
    if (r == 0)
        r = svc_validate_path("kernelPath", s->kernel_path, s->firmware != SVC_FIRMWARE_KERNEL,
                              false, errp);
    if (r == 0)
        r = svc_validate_path("initrdPath", s->initrd_path, true, false, errp);
    if (r == 0)
        r = svc_validate_text("kernelCmdline", s->kernel_cmdline, SVC_CMDLINE_MAX, false, errp);
    return r;
}

static int validate_identity(const struct svc_machine_settings *s, svc_error **errp)
{
    if (!svc_uuid_valid(s->uuid.s))
        return invalid(errp, "id: '%s' is not a uuid", s->uuid.s);
    int r = svc_validate_name(s->name, s->name ? strlen(s->name) : 0, errp);
    if (r == 0)
        r = svc_validate_os_type(s->os_type, errp);
    if (r == 0)
        r = svc_validate_text("description", s->description, SVC_DESCRIPTION_MAX, true, errp);
    if (r == 0 && !svc_machine_state_persistent(s->state))
        r = invalid(errp, "state: %s cannot be stored; allowed PoweredOff, Saved, Aborted",
                    svc_machine_state_name(s->state));
    if (r == 0 && s->state == SVC_STATE_SAVED && (!s->state_file || !*s->state_file))
        r = invalid(errp, "state: Saved needs a stateFile");
    if (r == 0 && !svc_uuid_is_null(&s->current_snapshot) && !svc_uuid_valid(s->current_snapshot.s))
        r = invalid(errp, "currentSnapshot: not a uuid");
    return r;
}

int svc_settings_validate(const struct svc_machine_settings *s, svc_error **errp)
{
    int r = validate_identity(s, errp);
    if (r == 0)
        r = svc_validate_memory(s->memory_mib, errp);
    if (r == 0)
        r = svc_validate_cpu_count(s->cpu_count, errp);
    if (r == 0)
        r = svc_validate_vram(s->vram_mib, errp);
    if (r == 0)
        r = validate_boot(s, errp);
    if (r == 0)
        r = validate_firmware(s, errp);
    if (r == 0)
        r = svc_validate_vnc_port(s->vnc_port, errp);
    if (r == 0)
        r = svc_validate_vnc_password(s->vnc_password, errp);
    for (unsigned i = 0; i < SVC_SERIAL_SLOTS && r == 0; i++)
        r = svc_validate_serial(i, &s->serial[i], errp);
    if (r == 0)
        r = svc_validate_controllers(s, errp);
    return r;
}
