/* Writing IMachine's settings, one validated attribute at a time. */
#include "svc/machine_setters.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "svc/machine_files.h"
#include "svc/registry.h"
#include "svc/validate.h"

struct svc_machine_settings *svc_machine_mutable(svc_machine *m, svc_error **errp)
{
    if (m->edit)
        return m->edit;
    if (!m->registry && m->is_new && m->accessible)
        return &m->settings; /* a new machine from createMachine */
    svc_error_set(errp, -EPERM, SVC_E_INVALID_SESSION_STATE,
                  "machine '%s' is read-only here: lock it for writing (lockMachine Write) and "
                  "change the session's machine",
                  m->accessible ? m->settings.name : m->uuid.s);
    return NULL;
}

/* The mutable settings for a hardware setting, which a saved state pins down. */
static struct svc_machine_settings *hardware(svc_machine *m, const char *field, svc_error **errp)
{
    struct svc_machine_settings *s = svc_machine_mutable(m, errp);
    if (s && m->state == SVC_STATE_SAVED) {
        svc_error_set(errp, -EBUSY, SVC_E_INVALID_VM_STATE,
                      "%s: machine '%s' is Saved; needed PoweredOff or Aborted (discard the "
                      "saved state first)",
                      field, s->name);
        return NULL;
    }
    return s;
}

static int oom(svc_error **errp)
{
    return svc_error_set(errp, -ENOMEM, SVC_E_OUT_OF_MEMORY, "out of memory");
}

static int set_str(char **slot, const char *value, svc_error **errp)
{
    return svc_str_replace(slot, value) < 0 ? oom(errp) : 0;
}

/* A new machine not yet written moves with its name ("<folder>/<name>/<name>.vireo"),
 * so registering it after a rename does not leave it under the first name. */
static int follow_new_name(svc_machine *m, const char *old_name, const char *new_name,
                           svc_error **errp)
{
    char *target = svc_machine_files_rename_target(m->settings_path, old_name, new_name);
    if (!target)
        return oom(errp);
    if (strcmp(target, m->settings_path) != 0 && access(target, F_OK) == 0) {
        int r = svc_error_set(errp, -EEXIST, SVC_E_FILE_ERROR,
                              "name: the settings file %s exists already", target);
        free(target);
        return r;
    }
    free(m->settings_path);
    m->settings_path = target;
    return 0;
}

int svc_machine_set_name(svc_machine *m, const char *name, size_t len, svc_error **errp)
{
    struct svc_machine_settings *s = svc_machine_mutable(m, errp);
    if (!s)
        return -EPERM;
    int r = svc_validate_name(name, len, errp);
    if (r == 0 && m->registry)
        r = svc_registry_check_name_free(m->registry, name, m, errp);
    if (r == 0 && m->is_new && !m->on_disk)
        r = follow_new_name(m, s->name, name, errp);
    return r < 0 ? r : set_str(&s->name, name, errp);
}

int svc_machine_set_description(svc_machine *m, const char *text, svc_error **errp)
{
    struct svc_machine_settings *s = svc_machine_mutable(m, errp);
    if (!s)
        return -EPERM;
    int r = svc_validate_text("description", text, SVC_DESCRIPTION_MAX, true, errp);
    return r < 0 ? r : set_str(&s->description, text, errp);
}

int svc_machine_set_os_type(svc_machine *m, const char *id, svc_error **errp)
{
    struct svc_machine_settings *s = svc_machine_mutable(m, errp);
    if (!s)
        return -EPERM;
    int r = svc_validate_os_type(id, errp);
    return r < 0 ? r : set_str(&s->os_type, id, errp);
}

#define SET_HW_U32(fn, field, member, check)                                                       \
    int fn(svc_machine *m, uint32_t v, svc_error **errp)                                           \
    {                                                                                              \
        struct svc_machine_settings *s = hardware(m, field, errp);                                 \
        if (!s)                                                                                    \
            return -EPERM;                                                                         \
        int r = check(v, errp);                                                                    \
        if (r == 0)                                                                                \
            s->member = v;                                                                         \
        return r;                                                                                  \
    }

SET_HW_U32(svc_machine_set_memory_size, "memorySize", memory_mib, svc_validate_memory)
SET_HW_U32(svc_machine_set_cpu_count, "CPUCount", cpu_count, svc_validate_cpu_count)
SET_HW_U32(svc_machine_set_vram_size, "VRAMSize", vram_mib, svc_validate_vram)

int svc_machine_set_boot_order(svc_machine *m, const uint32_t *order, size_t n, svc_error **errp)
{
    struct svc_machine_settings *s = svc_machine_mutable(m, errp);
    if (!s)
        return -EPERM;
    enum svc_boot_device tmp[SVC_BOOT_SLOTS];
    if (n > SVC_BOOT_SLOTS)
        return svc_validate_boot_order(NULL, n, errp);
    for (size_t i = 0; i < n; i++)
        tmp[i] = (enum svc_boot_device)order[i];
    int r = svc_validate_boot_order(tmp, n, errp);
    if (r == 0) {
        memcpy(s->boot_order, tmp, n * sizeof(tmp[0]));
        s->n_boot = (unsigned)n;
    }
    return r;
}

int svc_machine_set_firmware_type(svc_machine *m, uint32_t type, svc_error **errp)
{
    struct svc_machine_settings *s = svc_machine_mutable(m, errp);
    if (!s)
        return -EPERM;
    int r = svc_validate_enum("firmwareType", &svc_enum_firmware, type, errp);
    if (r == 0)
        s->firmware = (enum svc_firmware)type;
    return r;
}

/* "" clears; otherwise an existing file within the size bounds. */
static int set_file(svc_machine *m, const char *field,
                    char **(*slot)(struct svc_machine_settings *), const char *path, uint64_t min,
                    uint64_t max, uint64_t multiple, svc_error **errp)
{
    struct svc_machine_settings *s = svc_machine_mutable(m, errp);
    if (!s)
        return -EPERM;
    int r = (path && *path) ? svc_validate_file(field, path, min, max, multiple, errp) : 0;
    return r < 0 ? r : set_str(slot(s), path, errp);
}

static char **bios_slot(struct svc_machine_settings *s)
{
    return &s->bios_path;
}
static char **kernel_slot(struct svc_machine_settings *s)
{
    return &s->kernel_path;
}
static char **initrd_slot(struct svc_machine_settings *s)
{
    return &s->initrd_path;
}

int svc_machine_set_bios_path(svc_machine *m, const char *path, svc_error **errp)
{
    return set_file(m, "BIOSPath", bios_slot, path, SVC_BIOS_MIN_BYTES, SVC_BIOS_MAX_BYTES,
                    64u << 10, errp);
}

int svc_machine_set_kernel_path(svc_machine *m, const char *path, svc_error **errp)
{
    return set_file(m, "kernelPath", kernel_slot, path, 1, UINT64_MAX, 1, errp);
}

int svc_machine_set_initrd_path(svc_machine *m, const char *path, svc_error **errp)
{
    return set_file(m, "initrdPath", initrd_slot, path, 0, UINT64_MAX, 1, errp);
}

int svc_machine_set_kernel_cmdline(svc_machine *m, const char *cmdline, svc_error **errp)
{
    struct svc_machine_settings *s = svc_machine_mutable(m, errp);
    if (!s)
        return -EPERM;
    int r = svc_validate_cmdline(cmdline, errp);
    return r < 0 ? r : set_str(&s->kernel_cmdline, cmdline, errp);
}

int svc_machine_set_vnc_enabled(svc_machine *m, bool enabled, svc_error **errp)
{
    struct svc_machine_settings *s = svc_machine_mutable(m, errp);
    if (!s)
        return -EPERM;
    s->vnc_enabled = enabled;
    return 0;
}

int svc_machine_set_vnc_port(svc_machine *m, uint32_t port, svc_error **errp)
{
    struct svc_machine_settings *s = svc_machine_mutable(m, errp);
    if (!s)
        return -EPERM;
    int r = svc_validate_tcp_port("VNCPort", port, true, errp);
    if (r == 0)
        s->vnc_port = (uint16_t)port;
    return r;
}

int svc_machine_set_vnc_address(svc_machine *m, const char *address, svc_error **errp)
{
    struct svc_machine_settings *s = svc_machine_mutable(m, errp);
    if (!s)
        return -EPERM;
    int r = svc_validate_vnc_address(address, errp);
    return r < 0 ? r : set_str(&s->vnc_address, address, errp);
}

int svc_machine_set_vnc_password(svc_machine *m, const char *password, svc_error **errp)
{
    struct svc_machine_settings *s = svc_machine_mutable(m, errp);
    if (!s)
        return -EPERM;
    int r = svc_validate_vnc_password(password, errp);
    return r < 0 ? r : set_str(&s->vnc_password, password, errp);
}
