/* Validation of settings values. */
#include "svc/validate.h"

#include <arpa/inet.h>
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

int svc_validate_name_field(const char *field, const char *s, size_t len, svc_error **errp)
{
    static const char rule[] = "allowed: 1..64 characters of UTF-8 without '/', '\\', NUL or "
                               "control characters, not '.' or '..', no leading or trailing "
                               "space";
    if (!s || len == 0)
        return invalid(errp, "%s: empty; %s", field, rule);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\0')
            return invalid(errp, "%s: contains NUL at byte %zu; %s", field, i, rule);
        if (c == '/' || c == '\\')
            return invalid(errp, "%s: contains '%c'; %s", field, c, rule);
        if (is_control(c))
            return invalid(errp, "%s: contains control character 0x%02x; %s", field, c, rule);
    }
    long chars = svc_utf8_length(s, len);
    if (chars < 0)
        return invalid(errp, "%s: not valid UTF-8; %s", field, rule);
    if (chars > SVC_NAME_MAX_CHARS)
        return invalid(errp, "%s: %ld characters long; %s", field, chars, rule);
    if ((len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' && s[1] == '.'))
        return invalid(errp, "%s: '%.*s' is reserved; %s", field, (int)len, s, rule);
    if (s[0] == ' ' || s[len - 1] == ' ')
        return invalid(errp, "%s: leading or trailing space; %s", field, rule);
    return 0;
}

int svc_validate_range(const char *field, uint64_t v, uint64_t min, uint64_t max, const char *unit,
                       svc_error **errp)
{
    if (v < min || v > max)
        return invalid(errp, "%s: %llu is out of range; allowed %llu..%llu%s%s", field,
                       (unsigned long long)v, (unsigned long long)min, (unsigned long long)max,
                       unit ? " " : "", unit ? unit : "");
    return 0;
}

int svc_validate_memory(uint64_t mib, svc_error **errp)
{
    return svc_validate_range("memorySize", mib, SVC_MEMORY_MIN_MIB, SVC_MEMORY_MAX_MIB, "MiB",
                              errp);
}

int svc_validate_cpu_count(uint64_t n, svc_error **errp)
{
    return svc_validate_range("CPUCount", n, SVC_CPU_MIN, SVC_CPU_MAX, NULL, errp);
}

int svc_validate_vram(uint64_t mib, svc_error **errp)
{
    return svc_validate_range("VRAMSize", mib, SVC_VRAM_MIN_MIB, SVC_VRAM_MAX_MIB, "MiB", errp);
}

int svc_validate_tcp_port(const char *field, uint64_t port, bool zero_ok, svc_error **errp)
{
    if ((port == 0 && zero_ok) || (port >= SVC_TCP_PORT_MIN && port <= 65535))
        return 0;
    return invalid(errp, "%s: %llu is out of range; allowed %s%d..65535", field,
                   (unsigned long long)port, zero_ok ? "0 or " : "", SVC_TCP_PORT_MIN);
}

int svc_validate_vnc_range(uint64_t min, uint64_t max, svc_error **errp)
{
    int r = svc_validate_tcp_port("VNCPortMin", min, false, errp);
    if (r == 0)
        r = svc_validate_tcp_port("VNCPortMax", max, false, errp);
    if (r == 0 && min > max)
        r = invalid(errp, "VNCPortMin: %llu is above VNCPortMax %llu; allowed min <= max",
                    (unsigned long long)min, (unsigned long long)max);
    return r;
}

int svc_validate_vnc_password(const char *pw, svc_error **errp)
{
    size_t n = pw ? strlen(pw) : 0;
    if (n > SVC_VNC_PASSWORD_MAX)
        return invalid(errp,
                       "password: %zu characters; allowed 1..%d printable ASCII "
                       "characters, or empty to remove it",
                       n, SVC_VNC_PASSWORD_MAX);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)pw[i] < 0x20 || (unsigned char)pw[i] > 0x7e)
            return invalid(errp,
                           "password: character %zu is not printable ASCII; allowed "
                           "1..%d printable ASCII characters",
                           i + 1, SVC_VNC_PASSWORD_MAX);
    return 0;
}

int svc_validate_vnc_address(const char *addr, svc_error **errp)
{
    unsigned char buf[16];
    if (addr && (inet_pton(AF_INET, addr, buf) == 1 || inet_pton(AF_INET6, addr, buf) == 1))
        return 0;
    return invalid(errp,
                   "VNCAddress: '%.64s' is not an address; allowed an IPv4 or IPv6 "
                   "literal such as 127.0.0.1 or ::1",
                   addr ? addr : "");
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

int svc_validate_enum(const char *field, const struct svc_enum_table *t, unsigned v,
                      svc_error **errp)
{
    if (svc_enum_valid(t, v) && !(v == 0 && strcmp(t->names[0], "Null") == 0))
        return 0;
    char list[160];
    return invalid(errp, "%s: %u is not a %s; allowed %s", field, v, t->idl_name,
                   svc_enum_list(t, list, sizeof(list)));
}

int svc_validate_text(const char *field, const char *s, size_t max_bytes, bool multiline,
                      svc_error **errp)
{
    if (!s)
        return 0;
    size_t len = strlen(s);
    if (len > max_bytes)
        return invalid(errp, "%s: %zu bytes long; allowed 0..%zu bytes", field, len, max_bytes);
    if (svc_utf8_length(s, len) < 0)
        return invalid(errp, "%s: not valid UTF-8", field);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (is_control(c) && !(multiline && (c == '\n' || c == '\t' || c == '\r')))
            return invalid(errp, "%s: control character 0x%02x at byte %zu; allowed: text%s", field,
                           c, i, multiline ? " with newlines and tabs" : " on one line");
    }
    return 0;
}

int svc_validate_cmdline(const char *s, svc_error **errp)
{
    size_t len = s ? strlen(s) : 0;
    if (len > SVC_CMDLINE_MAX)
        return invalid(errp, "kernelCmdLine: %zu bytes long; allowed 0..%d bytes", len,
                       SVC_CMDLINE_MAX);
    if (len && svc_utf8_length(s, len) < 0)
        return invalid(errp, "kernelCmdLine: not valid UTF-8");
    if (len && strpbrk(s, "\r\n"))
        return invalid(errp, "kernelCmdLine: contains a line break; allowed one line without "
                             "NUL, CR or LF");
    return 0;
}

int svc_validate_path(const char *field, const char *path, bool optional, svc_error **errp)
{
    if (!path || !*path)
        return optional ? 0 : invalid(errp, "%s: must be set (an absolute path)", field);
    int r = svc_validate_text(field, path, SVC_PATH_MAX, false, errp);
    if (r < 0)
        return r;
    if (path[0] != '/')
        return invalid(errp, "%s: '%s' is not an absolute path", field, path);
    return 0;
}

static int stat_regular(const char *field, const char *path, struct stat *st, svc_error **errp)
{
    int r = svc_validate_path(field, path, false, errp);
    if (r < 0)
        return r;
    if (stat(path, st) < 0)
        return invalid(errp, "%s: '%s': %s; allowed: an existing regular file", field, path,
                       strerror(errno));
    if (!S_ISREG(st->st_mode))
        return invalid(errp, "%s: '%s' is not a regular file", field, path);
    return 0;
}

int svc_validate_file(const char *field, const char *path, uint64_t min, uint64_t max,
                      uint64_t multiple, svc_error **errp)
{
    struct stat st;
    int r = stat_regular(field, path, &st, errp);
    if (r < 0)
        return r;
    if (access(path, R_OK) < 0)
        return invalid(errp, "%s: '%s' is not readable", field, path);
    uint64_t size = (uint64_t)st.st_size;
    if (size < min || size > max || (multiple > 1 && size % multiple))
        return invalid(errp, "%s: '%s' is %llu bytes; allowed %llu..%llu bytes%s", field, path,
                       (unsigned long long)size, (unsigned long long)min, (unsigned long long)max,
                       multiple > 1 ? ", a multiple of 64 KiB" : "");
    return 0;
}

int svc_validate_executable(const char *field, const char *path, svc_error **errp)
{
    struct stat st;
    int r = stat_regular(field, path, &st, errp);
    if (r == 0 && access(path, X_OK) < 0)
        r = invalid(errp, "%s: '%s' is not executable", field, path);
    return r;
}

int svc_validate_parent_exists(const char *field, const char *path, svc_error **errp)
{
    int r = svc_validate_path(field, path, false, errp);
    if (r < 0)
        return r;
    const char *slash = strrchr(path, '/');
    char dir[SVC_PATH_MAX + 1];
    snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path), path);
    struct stat st;
    if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
        return invalid(errp, "%s: the folder '%s' does not exist", field, dir);
    return 0;
}

int svc_validate_serial_slot(uint64_t slot, svc_error **errp)
{
    return svc_validate_range("slot", slot, 0, SVC_SERIAL_SLOTS - 1, NULL, errp);
}

static int validate_serial_path(unsigned n, const struct svc_serial_port *p, svc_error **errp)
{
    char field[48];
    snprintf(field, sizeof(field), "serialPort %u path", n);
    int r = svc_validate_path(field, p->path, true, errp);
    if (r == 0 && p->mode == SVC_PORT_UNIX_SOCKET && p->path && strlen(p->path) > SVC_UNIX_PATH_MAX)
        r = invalid(errp, "%s: %zu bytes long; allowed at most %d for a unix socket", field,
                    strlen(p->path), SVC_UNIX_PATH_MAX);
    return r;
}

int svc_validate_serial(unsigned slot, const struct svc_serial_port *p, bool complete,
                        svc_error **errp)
{
    char field[48];
    if (!svc_enum_valid(&svc_enum_port_mode, p->mode)) {
        snprintf(field, sizeof(field), "serialPort %u mode", slot);
        return svc_validate_enum(field, &svc_enum_port_mode, p->mode, errp);
    }
    snprintf(field, sizeof(field), "serialPort %u IRQ", slot);
    int r = svc_validate_range(field, p->irq, 0, 15, NULL, errp);
    if (r < 0)
        return r;
    if (p->io_base < 0x100 || p->io_base > 0xfff8 || (p->io_base & 7))
        return invalid(errp,
                       "serialPort %u IOBase: 0x%x is out of range; allowed "
                       "0x100..0xfff8, a multiple of 8",
                       slot, p->io_base);
    snprintf(field, sizeof(field), "serialPort %u port", slot);
    r = svc_validate_tcp_port(field, p->port, true, errp);
    if (r == 0)
        r = validate_serial_path(slot, p, errp);
    if (r < 0 || !complete || !p->enabled)
        return r;
    if ((p->mode == SVC_PORT_FILE || p->mode == SVC_PORT_UNIX_SOCKET) && !p->path)
        return invalid(errp, "serialPort %u path: must be set for mode %s", slot,
                       svc_enum_name(&svc_enum_port_mode, p->mode));
    if (p->mode == SVC_PORT_TCP_SERVER && p->port == 0)
        return invalid(errp,
                       "serialPort %u port: must be set for mode TCPServer; allowed "
                       "%d..65535",
                       slot, SVC_TCP_PORT_MIN);
    return 0;
}

static int validate_serial_ports(const struct svc_machine_settings *s, svc_error **errp)
{
    int r = 0;
    for (unsigned i = 0; i < SVC_SERIAL_SLOTS && r == 0; i++) {
        r = svc_validate_serial(i, &s->serial[i], true, errp);
        for (unsigned j = 0; r == 0 && j < i; j++)
            if (s->serial[i].enabled && s->serial[j].enabled &&
                s->serial[i].io_base == s->serial[j].io_base)
                r = invalid(errp, "serialPort %u IOBase: 0x%x is used by serial port %u too", i,
                            s->serial[i].io_base, j);
    }
    return r;
}

static int validate_attachment(const struct svc_storage_controller *c, size_t i, svc_error **errp)
{
    const struct svc_attachment *a = &c->attachments[i];
    if (a->port >= SVC_IDE_PORTS)
        return invalid(errp, "controllerPort: %u is out of range for '%s'; allowed 0..%d", a->port,
                       c->name, SVC_IDE_PORTS - 1);
    if (a->device >= SVC_IDE_DEVICES)
        return invalid(errp, "device: %u is out of range for '%s'; allowed 0..%d", a->device,
                       c->name, SVC_IDE_DEVICES - 1);
    if (a->type != SVC_DEVICE_HARD_DISK && a->type != SVC_DEVICE_DVD)
        return invalid(errp, "type: %s at '%s' port %u device %u; allowed HardDisk, DVD",
                       svc_enum_name(&svc_enum_device_type, a->type), c->name, a->port, a->device);
    if (a->type == SVC_DEVICE_HARD_DISK && svc_uuid_is_null(&a->medium))
        return invalid(errp, "medium: the hard disk at '%s' port %u device %u needs one", c->name,
                       a->port, a->device);
    if (!svc_uuid_is_null(&a->medium) && !svc_uuid_valid(a->medium.s))
        return invalid(errp, "medium: at '%s' port %u device %u is not a uuid", c->name, a->port,
                       a->device);
    for (size_t j = 0; j < i; j++)
        if (c->attachments[j].port == a->port && c->attachments[j].device == a->device)
            return invalid(errp, "'%s' port %u device %u is attached twice", c->name, a->port,
                           a->device);
    return 0;
}

static int validate_controller(const struct svc_machine_settings *s, size_t i, svc_error **errp)
{
    const struct svc_storage_controller *c = &s->controllers[i];
    int r =
        svc_validate_name_field("controller name", c->name, c->name ? strlen(c->name) : 0, errp);
    if (r < 0)
        return r;
    r = svc_validate_enum("bus", &svc_enum_storage_bus, c->bus, errp);
    if (r == 0)
        r = svc_validate_enum("controllerType", &svc_enum_controller_type, c->type, errp);
    for (size_t j = 0; r == 0 && j < i; j++) {
        if (strcmp(s->controllers[j].name, c->name) == 0)
            r = invalid(errp, "controller name: '%s' is used twice", c->name);
        else if (s->controllers[j].bus == c->bus)
            r = svc_error_set(errp, -EINVAL, SVC_E_LIMIT_REACHED,
                              "bus: the machine has a %s controller already; allowed one per bus",
                              svc_enum_name(&svc_enum_storage_bus, c->bus));
    }
    if (r == 0 && c->n_attachments > SVC_ATTACHMENTS_MAX)
        r = invalid(errp, "'%s': %zu attachments; allowed at most %d", c->name, c->n_attachments,
                    SVC_ATTACHMENTS_MAX);
    for (size_t k = 0; k < c->n_attachments && r == 0; k++)
        r = validate_attachment(c, k, errp);
    return r;
}

int svc_validate_controllers(const struct svc_machine_settings *s, svc_error **errp)
{
    if (s->n_controllers > SVC_CONTROLLERS_MAX)
        return svc_error_set(errp, -EINVAL, SVC_E_LIMIT_REACHED,
                             "storageControllers: %zu controllers; allowed at most %d",
                             s->n_controllers, SVC_CONTROLLERS_MAX);
    int r = 0;
    for (size_t i = 0; i < s->n_controllers && r == 0; i++)
        r = validate_controller(s, i, errp);
    return r;
}

int svc_validate_boot_order(const enum svc_boot_device *order, size_t n, svc_error **errp)
{
    if (n > SVC_BOOT_SLOTS)
        return invalid(errp, "bootOrder: %zu entries; allowed 0..%d", n, SVC_BOOT_SLOTS);
    for (size_t i = 0; i < n; i++) {
        int r = svc_validate_enum("bootOrder", &svc_enum_boot_device, order[i], errp);
        if (r < 0)
            return r;
        for (size_t j = 0; j < i; j++)
            if (order[j] == order[i])
                return invalid(errp,
                               "bootOrder: %s appears twice; allowed each device class "
                               "once",
                               svc_enum_name(&svc_enum_boot_device, order[i]));
    }
    return 0;
}

static int validate_firmware(const struct svc_machine_settings *s, svc_error **errp)
{
    int r = svc_validate_enum("firmwareType", &svc_enum_firmware, s->firmware, errp);
    if (r == 0)
        r = svc_validate_path("BIOSPath", s->bios_path, true, errp);
    if (r == 0)
        r = svc_validate_path("kernelPath", s->kernel_path, true, errp);
    if (r == 0 && s->firmware != SVC_FIRMWARE_BIOS && !s->kernel_path)
        r = invalid(errp, "kernelPath: must be set for %s firmware",
                    svc_enum_name(&svc_enum_firmware, s->firmware));
    if (r == 0)
        r = svc_validate_path("initrdPath", s->initrd_path, true, errp);
    if (r == 0)
        r = svc_validate_cmdline(s->kernel_cmdline, errp);
    return r;
}

static int validate_vnc(const struct svc_machine_settings *s, svc_error **errp)
{
    int r = svc_validate_tcp_port("VNCPort", s->vnc_port, true, errp);
    if (r == 0)
        r = svc_validate_vnc_address(s->vnc_address, errp);
    if (r == 0)
        r = svc_validate_vnc_password(s->vnc_password, errp);
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
    if (r == 0 && s->state == SVC_STATE_SAVED && !s->state_file)
        r = invalid(errp, "stateFile: a Saved machine needs one");
    if (r == 0 && s->state_file &&
        (s->state_file[0] == '/' || strstr(s->state_file, "..") || strchr(s->state_file, '\\')))
        r = invalid(errp, "stateFile: '%s'; allowed a path inside the machine folder",
                    s->state_file);
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
        r = svc_validate_boot_order(s->boot_order, s->n_boot, errp);
    if (r == 0)
        r = validate_firmware(s, errp);
    if (r == 0)
        r = validate_vnc(s, errp);
    if (r == 0)
        r = validate_serial_ports(s, errp);
    if (r == 0)
        r = svc_validate_controllers(s, errp);
    return r;
}
