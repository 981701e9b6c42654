/* The machine registry: Vireo.xml and the registered machines. */
#include "svc/registry.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "svc/atomic.h"
#include "svc/home.h"
#include "svc/machine_files.h"
#include "svc/machine_xml.h"
#include "svc/validate.h"

/* The home's default machine folder, kept next to the registry (not in Vireo.xml). */
struct registry_private {
    svc_registry pub;
    char *default_folder;
};

static int oom(svc_error **errp)
{
    return svc_error_set(errp, -ENOMEM, SVC_E_OUT_OF_MEMORY, "out of memory");
}

static int push_machine(svc_registry *reg, svc_machine *m)
{
    if (reg->n_machines == reg->cap_machines) {
        size_t cap = reg->cap_machines ? reg->cap_machines * 2 : 16;
        svc_machine **n = realloc(reg->machines, cap * sizeof(*n));
        if (!n)
            return -ENOMEM;
        reg->machines = n;
        reg->cap_machines = cap;
    }
    reg->machines[reg->n_machines++] = m;
    m->registry = reg;
    return 0;
}

static bool any_exists(const char *path)
{
    static const char *const suffixes[] = {"", "-tmp", "-prev"};
    for (unsigned i = 0; i < 3; i++) {
        char *p = NULL;
        if (asprintf(&p, "%s%s", path, suffixes[i]) < 0)
            return true; /* be safe: try loading, which reports the real problem */
        bool e = access(p, F_OK) == 0;
        free(p);
        if (e)
            return true;
    }
    return false;
}

static int load_global(struct registry_private *rp, svc_error **errp)
{
    svc_registry *reg = &rp->pub;
    if (!any_exists(reg->global_path)) {
        int r = svc_global_init(&reg->global, NULL);
        if (r < 0)
            return oom(errp);
        return svc_registry_save(reg, errp);
    }
    return svc_global_load(reg->global_path, &reg->global, &reg->recovery_note, errp);
}

/* An entry caught in the middle of a rename (renamedFrom set): finish what the crash
 * interrupted. The folder may have moved without the file (move the file on), or nothing
 * may have moved yet (keep the old path). Returns the path to load (heap) or NULL. */
static char *finish_rename(const struct svc_machine_entry *e)
{
    if (access(e->path, F_OK) == 0)
        return strdup(e->path);
    char *dir = svc_path_dirname(e->path), *old_base = svc_path_basename(e->renamed_from);
    char *half = dir && old_base ? svc_path_join(dir, old_base) : NULL;
    char *result = NULL;
    if (half && access(half, F_OK) == 0 && rename(half, e->path) == 0) {
        char *hp = NULL, *np = NULL;
        if (asprintf(&hp, "%s-prev", half) >= 0 && asprintf(&np, "%s-prev", e->path) >= 0)
            rename(hp, np);
        free(hp);
        free(np);
        svc_fsync_parent(e->path);
        result = strdup(e->path);
    } else {
        result = strdup(access(e->renamed_from, F_OK) == 0 ? e->renamed_from : e->path);
    }
    free(dir);
    free(old_base);
    free(half);
    return result;
}

static int load_machines(svc_registry *reg, svc_error **errp)
{
    int r = 0;
    bool resave = false;
    for (size_t i = 0; i < reg->global.n_machines && r == 0; i++) {
        svc_machine *m = NULL;
        const struct svc_machine_entry *e = &reg->global.machines[i];
        char *path = e->renamed_from ? finish_rename(e) : strdup(e->path);
        resave |= e->renamed_from != NULL;
        r = path ? svc_machine_load(path, &e->uuid, &m) : -ENOMEM;
        free(path);
        if (r == 0 && push_machine(reg, m) < 0) {
            svc_machine_unref(m);
            r = -ENOMEM;
        }
    }
    for (size_t i = 0; i < reg->global.n_machines; i++) {
        free(reg->global.machines[i].path);
        free(reg->global.machines[i].renamed_from);
    }
    free(reg->global.machines);
    reg->global.machines = NULL;
    reg->global.n_machines = 0;
    if (r < 0)
        return oom(errp);
    return resave ? svc_registry_save(reg, errp) : 0;
}

int svc_registry_open(const char *home, svc_registry **ret, svc_error **errp)
{
    struct registry_private *rp = calloc(1, sizeof(*rp));
    if (!rp)
        return oom(errp);
    svc_registry *reg = &rp->pub;
    int r =
        home ? ((reg->home = strdup(home)) ? 0 : oom(errp)) : svc_home_resolve(&reg->home, errp);
    if (r == 0 && !(reg->events = malloc(sizeof(*reg->events))))
        r = oom(errp);
    if (r == 0)
        svc_event_queue_init(reg->events);
    if (r == 0)
        r = svc_home_ensure(reg->home, errp);
    if (r == 0 && !(reg->global_path = svc_path_join(reg->home, SVC_GLOBAL_FILE_NAME)))
        r = oom(errp);
    if (r == 0)
        r = svc_home_default_machine_folder(reg->home, &rp->default_folder, errp);
    if (r == 0)
        r = load_global(rp, errp);
    if (r == 0)
        r = load_machines(reg, errp);
    if (r < 0) {
        svc_registry_free(reg);
        return r;
    }
    *ret = reg;
    return 0;
}

svc_registry *svc_registry_free(svc_registry *reg)
{
    if (!reg)
        return NULL;
    struct registry_private *rp = (struct registry_private *)reg;
    for (size_t i = 0; i < reg->n_machines; i++) {
        reg->machines[i]->registry = NULL;
        svc_machine_unref(reg->machines[i]);
    }
    free(reg->machines);
    svc_global_clear(&reg->global);
    free(reg->home);
    free(reg->global_path);
    free(reg->recovery_note);
    free(reg->events);
    free(rp->default_folder);
    free(rp);
    return NULL;
}

const char *svc_registry_machine_folder(const svc_registry *reg)
{
    const struct registry_private *rp = (const struct registry_private *)reg;
    return reg->global.props.default_machine_folder ? reg->global.props.default_machine_folder
                                                    : rp->default_folder;
}

int svc_registry_save(svc_registry *reg, svc_error **errp)
{
    /* borrow the machines' uuids and paths for the duration of the write */
    struct svc_machine_entry *entries = calloc(reg->n_machines + 1, sizeof(*entries));
    if (!entries)
        return oom(errp);
    for (size_t i = 0; i < reg->n_machines; i++) {
        entries[i].uuid = reg->machines[i]->uuid;
        entries[i].path = reg->machines[i]->settings_path;
        entries[i].renamed_from = reg->machines[i]->rename_from;
    }
    reg->global.machines = entries;
    reg->global.n_machines = reg->n_machines;
    int r = svc_global_save(reg->global_path, &reg->global, errp);
    reg->global.machines = NULL;
    reg->global.n_machines = 0;
    free(entries);
    return r;
}

static svc_machine *find_uuid(svc_registry *reg, const char *uuid)
{
    for (size_t i = 0; i < reg->n_machines; i++)
        if (strcasecmp(reg->machines[i]->uuid.s, uuid) == 0)
            return reg->machines[i];
    return NULL;
}

static svc_machine *find_name(svc_registry *reg, const char *name, const svc_machine *skip)
{
    for (size_t i = 0; i < reg->n_machines; i++) {
        const char *n = svc_machine_name(reg->machines[i]);
        if (reg->machines[i] != skip && n && strcmp(n, name) == 0)
            return reg->machines[i];
    }
    return NULL;
}

svc_machine *svc_registry_find(svc_registry *reg, const char *name_or_uuid, svc_error **errp)
{
    svc_machine *m = NULL;
    size_t len = name_or_uuid ? strlen(name_or_uuid) : 0;
    if (len == SVC_UUID_LEN + 2 && name_or_uuid[0] == '{' && name_or_uuid[len - 1] == '}') {
        char bare[SVC_UUID_LEN + 1];
        memcpy(bare, name_or_uuid + 1, SVC_UUID_LEN);
        bare[SVC_UUID_LEN] = '\0';
        if (svc_uuid_valid(bare))
            m = find_uuid(reg, bare);
    } else if (name_or_uuid && svc_uuid_valid(name_or_uuid)) {
        m = find_uuid(reg, name_or_uuid);
    }
    if (!m && name_or_uuid)
        m = find_name(reg, name_or_uuid, NULL);
    if (!m)
        svc_error_set(errp, -ENOENT, SVC_E_OBJECT_NOT_FOUND,
                      "no machine called or with id '%.100s' is registered",
                      name_or_uuid ? name_or_uuid : "");
    return m;
}

int svc_registry_check_name_free(svc_registry *reg, const char *name, const svc_machine *self,
                                 svc_error **errp)
{
    svc_machine *other = find_name(reg, name, self);
    if (other)
        return svc_error_set(errp, -EEXIST, SVC_E_OBJECT_IN_USE,
                             "name: a machine called '%s' is already registered (%s)", name,
                             other->uuid.s);
    return 0;
}

static int settings_path_for(svc_registry *reg, const char *settings_file, const char *name,
                             char **ret, svc_error **errp)
{
    if (!settings_file || !*settings_file) {
        *ret = svc_machine_files_default_path(svc_registry_machine_folder(reg), name);
        return *ret ? 0 : oom(errp);
    }
    int r = svc_validate_path("settingsFile", settings_file, false, errp);
    size_t len = strlen(settings_file), sl = strlen(SVC_MACHINE_FILE_SUFFIX);
    if (r == 0 && (len <= sl || strcmp(settings_file + len - sl, SVC_MACHINE_FILE_SUFFIX) != 0))
        r = svc_error_set(errp, -EINVAL, SVC_E_INVALID_ARG,
                          "settingsFile: '%s' does not end in \"%s\"", settings_file,
                          SVC_MACHINE_FILE_SUFFIX);
    if (r == 0 && !(*ret = strdup(settings_file)))
        r = oom(errp);
    return r;
}

int svc_registry_create_machine(svc_registry *reg, const char *settings_file, const char *name,
                                const char *os_type, svc_machine **ret, svc_error **errp)
{
    if (!os_type || !*os_type)
        os_type = "Other";
    int r = svc_validate_name(name, name ? strlen(name) : 0, errp);
    if (r == 0)
        r = svc_validate_os_type(os_type, errp);
    if (r == 0)
        r = svc_registry_check_name_free(reg, name, NULL, errp);
    char *path = NULL;
    if (r == 0)
        r = settings_path_for(reg, settings_file, name, &path, errp);
    if (r == 0 && access(path, F_OK) == 0)
        r = svc_error_set(errp, -EEXIST, SVC_E_FILE_ERROR,
                          "settingsFile: %s exists already; open and register it, or choose "
                          "another name",
                          path);
    struct svc_machine_settings s;
    if (r == 0)
        r = svc_settings_init(&s, name, os_type, errp);
    svc_machine *m = r == 0 ? svc_machine_new(&s, path) : NULL;
    if (r == 0 && !m)
        r = oom(errp);
    if (m)
        m->is_new = true;
    free(path);
    if (r == 0)
        *ret = m;
    return r;
}

int svc_registry_open_machine(svc_registry *reg, const char *path, svc_machine **ret,
                              svc_error **errp)
{
    int r = svc_validate_file("settingsFile", path, 0, SVC_FILE_MAX_BYTES, 1, errp);
    if (r < 0)
        return r;
    svc_machine *m = NULL;
    if (svc_machine_load(path, NULL, &m) < 0)
        return oom(errp);
    if (!m->accessible) {
        svc_error_propagate(errp, m->access_error);
        m->access_error = NULL;
        svc_machine_unref(m);
        return -EINVAL;
    }
    svc_machine *same = find_uuid(reg, m->uuid.s);
    if (same) {
        r = svc_error_set(errp, -EEXIST, SVC_E_OBJECT_IN_USE,
                          "machine %s in %s is registered already (from %s)", m->uuid.s, path,
                          same->settings_path);
        svc_machine_unref(m);
        return r;
    }
    *ret = m;
    return 0;
}

int svc_registry_register(svc_registry *reg, svc_machine *m, svc_error **errp)
{
    int r = svc_machine_require_accessible(m, errp);
    if (r == 0 && m->registry)
        r = svc_error_set(errp, -EEXIST, SVC_E_OBJECT_IN_USE, "machine '%s' is registered already",
                          m->settings.name);
    svc_machine *same = r == 0 ? find_uuid(reg, m->uuid.s) : NULL;
    if (same)
        r = svc_error_set(errp, -EEXIST, SVC_E_OBJECT_IN_USE,
                          "a machine with id %s is registered already (%s)", m->uuid.s,
                          same->settings_path);
    if (r == 0)
        r = svc_registry_check_name_free(reg, m->settings.name, m, errp);
    if (r == 0 && m->is_new)
        r = svc_settings_validate(&m->settings, errp);
    if (r == 0 && (m->is_new || !m->on_disk))
        r = svc_machine_save(m, errp);
    if (r == 0 && push_machine(reg, svc_machine_ref(m)) < 0) {
        svc_machine_unref(m);
        r = oom(errp);
    }
    if (r == 0) {
        r = svc_registry_save(reg, errp);
        if (r < 0) { /* not registered after all */
            reg->n_machines--;
            m->registry = NULL;
            svc_machine_unref(m);
        }
    }
    if (r == 0) {
        m->is_new = false;
        svc_event_machine(reg->events, SVC_EVENT_MACHINE_REGISTERED, &m->uuid, 0, true);
    }
    return r;
}

/* Detach the attachments a cleanup mode asks for; collect the media to return. */
static int detach_all(svc_machine *m, enum svc_cleanup_mode mode, svc_uuid **ret_media,
                      size_t *ret_n, svc_error **errp)
{
    struct svc_machine_settings *s = &m->settings;
    size_t total = 0, n = 0;
    for (size_t i = 0; i < s->n_controllers; i++)
        total += s->controllers[i].n_attachments;
    svc_uuid *media = calloc(total + 1, sizeof(*media));
    if (!media)
        return oom(errp);
    for (size_t i = 0; i < s->n_controllers; i++) {
        struct svc_storage_controller *c = &s->controllers[i];
        for (size_t k = 0; k < c->n_attachments; k++) {
            const struct svc_attachment *a = &c->attachments[k];
            bool give = mode == SVC_CLEANUP_FULL ||
                        (mode == SVC_CLEANUP_DETACH_ALL_RETURN_HARD_DISKS_ONLY &&
                         a->type == SVC_DEVICE_HARD_DISK);
            if (give && !svc_uuid_is_null(&a->medium))
                media[n++] = a->medium;
        }
        c->n_attachments = 0;
    }
    *ret_media = media;
    *ret_n = n;
    return 0;
}

static int check_unregister(svc_machine *m, enum svc_cleanup_mode mode, svc_error **errp)
{
    int r = svc_validate_enum("cleanupMode", &svc_enum_cleanup_mode, mode, errp);
    if (r < 0)
        return r;
    if (m->edit)
        return svc_error_set(errp, -EBUSY, SVC_E_OBJECT_IN_USE,
                             "machine '%s' is locked by a session", m->settings.name);
    if (m->accessible && !svc_machine_state_persistent(m->state))
        return svc_error_set(errp, -EBUSY, SVC_E_INVALID_VM_STATE,
                             "machine '%s' is %s; needed PoweredOff, Saved, Aborted or "
                             "Inaccessible",
                             m->settings.name, svc_machine_state_name(m->state));
    if (m->accessible && mode == SVC_CLEANUP_UNREGISTER_ONLY &&
        svc_settings_snapshot_count(&m->settings) > 0)
        return svc_error_set(errp, -EBUSY, SVC_E_OBJECT_IN_USE,
                             "machine '%s' has snapshots; unregister it with a DetachAll or Full "
                             "cleanup mode",
                             m->settings.name);
    return 0;
}

int svc_registry_unregister(svc_registry *reg, svc_machine *m, enum svc_cleanup_mode mode,
                            svc_uuid **ret_media, size_t *ret_n_media, svc_error **errp)
{
    size_t i = 0;
    while (i < reg->n_machines && reg->machines[i] != m)
        i++;
    if (i == reg->n_machines)
        return svc_error_set(errp, -ENOENT, SVC_E_INVALID_OBJECT_STATE,
                             "machine %s is not registered", m->uuid.s);
    int r = check_unregister(m, mode, errp);
    if (r < 0)
        return r;
    memmove(&reg->machines[i], &reg->machines[i + 1],
            (reg->n_machines - i - 1) * sizeof(*reg->machines));
    reg->n_machines--;
    r = svc_registry_save(reg, errp);
    if (r < 0) { /* put it back where it was */
        memmove(&reg->machines[i + 1], &reg->machines[i],
                (reg->n_machines - i) * sizeof(*reg->machines));
        reg->machines[i] = m;
        reg->n_machines++;
        return r;
    }
    m->registry = NULL;
    svc_event_machine(reg->events, SVC_EVENT_MACHINE_REGISTERED, &m->uuid, 0, false);
    svc_uuid *media = NULL;
    size_t n = 0;
    if (m->accessible && mode != SVC_CLEANUP_UNREGISTER_ONLY) {
        /* the registry is saved: a failure to rewrite the machine file is reported but the
         * machine stays unregistered */
        r = detach_all(m, mode, &media, &n, errp);
        if (r == 0 && m->on_disk)
            r = svc_machine_save(m, errp);
    }
    if (ret_media && r == 0) {
        *ret_media = media;
        *ret_n_media = n;
        media = NULL;
    }
    free(media);
    svc_machine_unref(m);
    return r;
}

size_t svc_registry_refresh(svc_registry *reg)
{
    size_t bad = 0;
    for (size_t i = 0; i < reg->n_machines; i++)
        if (!svc_machine_check_accessible(reg->machines[i]))
            bad++;
    return bad;
}

const struct svc_medium_entry *svc_registry_find_medium(const svc_registry *reg, const char *uuid)
{
    for (size_t i = 0; uuid && i < reg->global.n_media; i++)
        if (strcasecmp(reg->global.media[i].uuid.s, uuid) == 0)
            return &reg->global.media[i];
    return NULL;
}

static bool attaches(const struct svc_machine_settings *s, const char *uuid)
{
    for (size_t i = 0; i < s->n_controllers; i++)
        for (size_t k = 0; k < s->controllers[i].n_attachments; k++)
            if (strcasecmp(s->controllers[i].attachments[k].medium.s, uuid) == 0)
                return true;
    return false;
}

svc_machine *svc_registry_medium_user(const svc_registry *reg, const char *uuid,
                                      const svc_machine *self)
{
    for (size_t i = 0; i < reg->n_machines; i++) {
        svc_machine *m = reg->machines[i];
        if (m != self && m->accessible && attaches(&m->settings, uuid))
            return m;
    }
    return NULL;
}
