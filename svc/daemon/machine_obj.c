/* IMachine objects: a registered machine, a Write session's mutable copy, or a machine a
 * connection created or opened. Getters read the copy for a copy and the committed settings
 * otherwise; setters only work on mutable objects (the model's setters validate). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "svc/daemon/service.h"
#include "svc/daemon/vm.h"
#include "svc/machine_files.h"
#include "svc/machine_setters.h"
#include "svc/state.h"

static svc_machine_obj *mo(vireo_object *self)
{
    return (svc_machine_obj *)self;
}

static int model_error(vireo_error **errp, svc_error *e, int r)
{
    return svc_daemon_error(errp, e, r);
}

/* The settings this object shows; NULL (with an error) if the machine is inaccessible or the
 * session of a copy has ended. */
const struct svc_machine_settings *svc_machine_obj_view(svc_machine_obj *o, vireo_error **errp)
{
    svc_error *e = NULL;
    if (o->kind == SVC_MOBJ_COPY) {
        if (o->m->edit)
            return o->m->edit;
        svc_error_set(&e, -EINVAL, SVC_E_INVALID_SESSION_STATE, "the session has ended");
    } else if (svc_machine_require_accessible(o->m, &e) == 0) {
        return &o->m->settings;
    }
    model_error(errp, e, -EINVAL);
    return NULL;
}

static int dup_str(char **ret, const char *s, vireo_error **errp)
{
    *ret = strdup(s ? s : "");
    if (*ret)
        return 0;
    vireo_error_set(errp, VIREO_RESULT_OUT_OF_MEMORY, VIREO_ERROR_OUT_OF_MEMORY, "out of memory");
    return -ENOMEM;
}

static const struct svc_machine_settings *view(svc_machine_obj *o, vireo_error **errp)
{
    return svc_machine_obj_view(o, errp);
}

/* ---- getters ---- */

static int get_id(vireo_object *self, char **ret, vireo_error **errp)
{
    return dup_str(ret, mo(self)->m->uuid.s, errp);
}

#define GET_STR(fn, expr)                                                                          \
    static int fn(vireo_object *self, char **ret, vireo_error **errp)                              \
    {                                                                                              \
        const struct svc_machine_settings *s = view(mo(self), errp);                               \
        return s ? dup_str(ret, (expr), errp) : -EINVAL;                                           \
    }
#define GET_NUM(fn, ctype, expr)                                                                   \
    static int fn(vireo_object *self, ctype *ret, vireo_error **errp)                              \
    {                                                                                              \
        const struct svc_machine_settings *s = view(mo(self), errp);                               \
        if (!s)                                                                                    \
            return -EINVAL;                                                                        \
        *ret = (ctype)(expr);                                                                      \
        return 0;                                                                                  \
    }

GET_STR(get_name, s->name)
GET_STR(get_description, s->description)
GET_STR(get_os_type_id, s->os_type)
GET_STR(get_bios_path, s->bios_path)
GET_STR(get_kernel_path, s->kernel_path)
GET_STR(get_initrd_path, s->initrd_path)
GET_STR(get_kernel_cmd_line, s->kernel_cmdline)
GET_STR(get_vnc_address, s->vnc_address)
GET_NUM(get_memory_size, uint32_t, s->memory_mib)
GET_NUM(get_cpu_count, uint32_t, s->cpu_count)
GET_NUM(get_vram_size, uint32_t, s->vram_mib)
GET_NUM(get_firmware_type, vireo_firmware_type, s->firmware)
GET_NUM(get_vnc_enabled, bool, s->vnc_enabled)
GET_NUM(get_vnc_port, uint16_t, s->vnc_port)
GET_NUM(get_vnc_password_set, bool, s->vnc_password != NULL)
GET_NUM(get_vnc_active_port, uint16_t, 0) /* no VM processes yet */
GET_NUM(get_last_state_change, int64_t, s->last_state_change_ms)
GET_NUM(get_snapshot_count, uint32_t, svc_settings_snapshot_count(s))

static int get_boot_order(vireo_object *self, vireo_boot_device **ret, size_t *ret_n,
                          vireo_error **errp)
{
    const struct svc_machine_settings *s = view(mo(self), errp);
    if (!s)
        return -EINVAL;
    *ret = calloc(s->n_boot + 1, sizeof(**ret));
    if (!*ret)
        return dup_str((char **)ret, NULL, errp);
    for (unsigned i = 0; i < s->n_boot; i++)
        (*ret)[i] = (vireo_boot_device)s->boot_order[i];
    *ret_n = s->n_boot;
    return 0;
}

static int get_registered(vireo_object *self, bool *ret, vireo_error **errp)
{
    *ret = mo(self)->m->registry != NULL;
    return 0;
}

static int get_state(vireo_object *self, vireo_machine_state *ret, vireo_error **errp)
{
    svc_machine *m = mo(self)->m;
    svc_machine_check_accessible(m);
    *ret = (vireo_machine_state)svc_machine_reported_state(m);
    return 0;
}

static int get_accessible(vireo_object *self, bool *ret, vireo_error **errp)
{
    *ret = svc_machine_check_accessible(mo(self)->m);
    return 0;
}

static int get_access_error(vireo_object *self, char **ret, vireo_error **errp)
{
    svc_machine *m = mo(self)->m;
    svc_machine_check_accessible(m);
    return dup_str(ret, !m->accessible && m->access_error ? m->access_error->message : "", errp);
}

static int get_session_state(vireo_object *self, vireo_session_state *ret, vireo_error **errp)
{
    *ret = (vireo_session_state)svc_sessions_machine_state(&mo(self)->d->sessions, mo(self)->m);
    return 0;
}

static int get_session_type(vireo_object *self, vireo_session_type *ret, vireo_error **errp)
{
    *ret = (vireo_session_type)svc_sessions_machine_type(&mo(self)->d->sessions, mo(self)->m);
    return 0;
}

static int get_session_owner(vireo_object *self, char **ret, vireo_error **errp)
{
    svc_session *s = svc_sessions_exclusive(&mo(self)->d->sessions, mo(self)->m);
    return dup_str(ret, s ? s->owner : "", errp);
}

static int get_session_pid(vireo_object *self, uint32_t *ret, vireo_error **errp)
{
    svc_session *s = svc_sessions_exclusive(&mo(self)->d->sessions, mo(self)->m);
    *ret = s ? s->owner_pid : 0;
    return 0;
}

static int get_settings_file_path(vireo_object *self, char **ret, vireo_error **errp)
{
    return dup_str(ret, mo(self)->m->settings_path, errp);
}

static int get_settings_modified(vireo_object *self, bool *ret, vireo_error **errp)
{
    svc_machine_obj *o = mo(self);
    *ret = o->kind == SVC_MOBJ_COPY ? svc_machine_is_modified(o->m)
                                    : (o->kind == SVC_MOBJ_NEW && !o->m->on_disk);
    return 0;
}

static int folder_of(svc_machine_obj *o, const char *sub, char **ret, vireo_error **errp)
{
    char *dir = svc_machine_folder(o->m);
    *ret = dir ? svc_path_join(dir, sub) : NULL;
    free(dir);
    return *ret ? 0 : dup_str(ret, NULL, errp);
}

static int get_log_folder(vireo_object *self, char **ret, vireo_error **errp)
{
    return folder_of(mo(self), "Logs", ret, errp);
}

static int get_snapshot_folder(vireo_object *self, char **ret, vireo_error **errp)
{
    return folder_of(mo(self), "Snapshots", ret, errp);
}

static int get_state_file_path(vireo_object *self, char **ret, vireo_error **errp)
{
    const struct svc_machine_settings *s = view(mo(self), errp);
    if (!s)
        return -EINVAL;
    if (s->state != SVC_STATE_SAVED || !s->state_file)
        return dup_str(ret, "", errp);
    return folder_of(mo(self), s->state_file, ret, errp);
}

static int get_current_snapshot(vireo_object *self, char **ret, vireo_error **errp)
{
    return dup_str(ret, "/", errp); /* snapshots are not implemented yet */
}

/* ---- setters ---- */

int svc_machine_obj_writable(svc_machine_obj *o, vireo_error **errp)
{
    if (o->kind == SVC_MOBJ_COPY || o->kind == SVC_MOBJ_NEW)
        return 0;
    vireo_error_set(errp, VIREO_RESULT_INVALID_SESSION_STATE, VIREO_ERROR_INVALID_SESSION_STATE,
                    "machine %s is read-only here: lock it for writing (lockMachine Write) "
                    "and change the session's machine",
                    o->m->uuid.s);
    return -EPERM;
}

#define SET(fn, ctype, expr)                                                                       \
    static int fn(vireo_object *self, ctype v, vireo_error **errp)                                 \
    {                                                                                              \
        svc_machine_obj *o = mo(self);                                                             \
        if (svc_machine_obj_writable(o, errp) < 0)                                                 \
            return -EPERM;                                                                         \
        svc_error *e = NULL;                                                                       \
        int r = (expr);                                                                            \
        return r < 0 ? model_error(errp, e, r) : 0;                                                \
    }

SET(set_name, const char *, svc_machine_set_name(o->m, v, strlen(v), &e))
SET(set_description, const char *, svc_machine_set_description(o->m, v, &e))
SET(set_os_type_id, const char *, svc_machine_set_os_type(o->m, v, &e))
SET(set_memory_size, uint32_t, svc_machine_set_memory_size(o->m, v, &e))
SET(set_cpu_count, uint32_t, svc_machine_set_cpu_count(o->m, v, &e))
SET(set_vram_size, uint32_t, svc_machine_set_vram_size(o->m, v, &e))
SET(set_firmware_type, vireo_firmware_type, svc_machine_set_firmware_type(o->m, v, &e))
SET(set_bios_path, const char *, svc_machine_set_bios_path(o->m, v, &e))
SET(set_kernel_path, const char *, svc_machine_set_kernel_path(o->m, v, &e))
SET(set_initrd_path, const char *, svc_machine_set_initrd_path(o->m, v, &e))
SET(set_kernel_cmd_line, const char *, svc_machine_set_kernel_cmdline(o->m, v, &e))
SET(set_vnc_enabled, bool, svc_machine_set_vnc_enabled(o->m, v, &e))
SET(set_vnc_port, uint16_t, svc_machine_set_vnc_port(o->m, v, &e))
SET(set_vnc_address, const char *, svc_machine_set_vnc_address(o->m, v, &e))

static int set_boot_order(vireo_object *self, const vireo_boot_device *v, size_t n,
                          vireo_error **errp)
{
    svc_machine_obj *o = mo(self);
    if (svc_machine_obj_writable(o, errp) < 0)
        return -EPERM;
    uint32_t order[SVC_BOOT_SLOTS + 1];
    for (size_t i = 0; i < n && i <= SVC_BOOT_SLOTS; i++)
        order[i] = (uint32_t)v[i];
    svc_error *e = NULL;
    int r = svc_machine_set_boot_order(o->m, order, n, &e);
    return r < 0 ? model_error(errp, e, r) : 0;
}

static int get_serial_ports(vireo_object *self, char ***ret, size_t *ret_n, vireo_error **errp)
{
    char **v = calloc(SVC_SERIAL_SLOTS + 1, sizeof(*v));
    for (unsigned i = 0; v && i < SVC_SERIAL_SLOTS; i++)
        if (!(v[i] = svc_serial_obj_path(mo(self), i))) {
            vireo_strv_free(v, i);
            v = NULL;
        }
    if (!v)
        return dup_str((char **)ret, NULL, errp);
    *ret = v;
    *ret_n = SVC_SERIAL_SLOTS;
    return 0;
}

/* ---- methods ---- */

struct lock_request {
    svc_daemon *d;
    vireo_call *call;
};

static void lock_done(void *cookie, svc_session *s, svc_error *err)
{
    struct lock_request *req = cookie;
    vireo_error *verr = NULL;
    svc_session_obj *so = s ? svc_session_obj_export(req->d, s, &verr) : NULL;
    if (so)
        vireo_machine_complete_lock_machine(req->call, so->path);
    else {
        if (err)
            svc_daemon_error(&verr, err, -EINVAL);
        vireo_call_return_error(req->call, verr);
        vireo_error_free(verr);
    }
    svc_session_unref(s);
    svc_daemon_flush_events(req->d);
    svc_daemon_update_idle(req->d);
    vireo_call_unref(req->call);
    free(req);
}

static int lock_machine(vireo_object *self, vireo_call *call, vireo_lock_type lock_type,
                        uint32_t timeout_ms, vireo_error **errp)
{
    svc_machine_obj *o = mo(self);
    if (o->kind != SVC_MOBJ_REGISTERED) {
        svc_error *e = NULL;
        svc_error_set(&e, -EINVAL, SVC_E_INVALID_OBJECT_STATE,
                      "lockMachine: machine %s is not registered (or this is a session's copy)",
                      o->m->uuid.s);
        return model_error(errp, e, -EINVAL);
    }
    const char *sender = vireo_call_sender(call);
    if (svc_daemon_watch(o->d, sender ? sender : "", errp) < 0)
        return -EIO;
    struct lock_request *req = malloc(sizeof(*req));
    if (!req)
        return -ENOMEM;
    req->d = o->d;
    req->call = vireo_call_ref(call);
    svc_error *e = NULL;
    int r = svc_lock_machine_wait(&o->d->sessions, o->m, (enum svc_lock_type)lock_type,
                                  sender ? sender : "", svc_daemon_pid_of(o->d, sender), timeout_ms,
                                  svc_now_ms(), lock_done, req, &e);
    if (r < 0) {
        vireo_call_unref(req->call);
        free(req);
        return model_error(errp, e, r);
    }
    return 0; /* answered by lock_done, now or later */
}

static int launch_vm_process(vireo_object *self, vireo_call *call, const char *frontend,
                             const char *const *env, size_t n_env, vireo_error **errp)
{
    return svc_vm_launch(mo(self), call, frontend, env, n_env, errp);
}

static int get_serial_port(vireo_object *self, vireo_call *call, uint32_t slot, vireo_error **errp)
{
    if (slot >= SVC_SERIAL_SLOTS) {
        svc_error *e = NULL;
        svc_error_set(&e, -EINVAL, SVC_E_INVALID_ARG, "slot: %u is out of range; allowed 0..%d",
                      slot, SVC_SERIAL_SLOTS - 1);
        return model_error(errp, e, -EINVAL);
    }
    char *path = svc_serial_obj_path(mo(self), slot);
    int r = path ? vireo_machine_complete_get_serial_port(call, path) : -ENOMEM;
    free(path);
    return r;
}

/* ---- storage ---- */

static int get_storage_controllers(vireo_object *self, char ***ret, size_t *ret_n,
                                   vireo_error **errp)
{
    const struct svc_machine_settings *s = view(mo(self), errp);
    if (!s)
        return -EINVAL;
    char **v = calloc(s->n_controllers + 1, sizeof(*v));
    if (!v)
        return -ENOMEM;
    for (size_t i = 0; i < s->n_controllers; i++)
        if (svc_controller_obj_path(mo(self), s->controllers[i].name, &v[i], errp) < 0) {
            vireo_strv_free(v, i);
            return -ENOMEM;
        }
    *ret = v;
    *ret_n = s->n_controllers;
    return 0;
}

static int get_medium_attachments(vireo_object *self, char ***ret, size_t *ret_n,
                                  vireo_error **errp)
{
    const struct svc_machine_settings *s = view(mo(self), errp);
    if (!s)
        return -EINVAL;
    size_t total = 0, n = 0;
    for (size_t i = 0; i < s->n_controllers; i++)
        total += s->controllers[i].n_attachments;
    char **v = calloc(total + 1, sizeof(*v));
    if (!v)
        return -ENOMEM;
    for (size_t i = 0; i < s->n_controllers; i++)
        for (size_t k = 0; k < s->controllers[i].n_attachments; k++, n++) {
            const struct svc_attachment *a = &s->controllers[i].attachments[k];
            if (svc_attachment_obj_path(mo(self), s->controllers[i].name, a->port, a->device, &v[n],
                                        errp) < 0) {
                vireo_strv_free(v, n);
                return -ENOMEM;
            }
        }
    *ret = v;
    *ret_n = total;
    return 0;
}

/* A medium argument: an object path ("/" = none) to a uuid string (heap, "" for none). */
static char *medium_uuid(const char *path)
{
    if (!path || strcmp(path, "/") == 0 || !*path)
        return strdup("");
    char *u = vireo_path_to_uuid(path);
    return u ? u : strdup("invalid-medium-path");
}

static int add_storage_controller(vireo_object *self, vireo_call *call, const char *name,
                                  vireo_storage_bus bus, vireo_error **errp)
{
    svc_machine_obj *o = mo(self);
    if (svc_machine_obj_writable(o, errp) < 0)
        return -EPERM;
    svc_error *e = NULL;
    int r = svc_machine_add_storage_controller(o->m, name, bus, &e);
    if (r < 0)
        return model_error(errp, e, r);
    char *path = NULL;
    r = svc_controller_obj_path(o, name, &path, errp);
    if (r == 0)
        r = vireo_machine_complete_add_storage_controller(call, path);
    free(path);
    return r;
}

static int remove_storage_controller(vireo_object *self, vireo_call *call, const char *name,
                                     vireo_error **errp)
{
    svc_machine_obj *o = mo(self);
    if (svc_machine_obj_writable(o, errp) < 0)
        return -EPERM;
    svc_error *e = NULL;
    int r = svc_machine_remove_storage_controller(o->m, name, &e);
    return r < 0 ? model_error(errp, e, r) : vireo_machine_complete_remove_storage_controller(call);
}

static int get_storage_controller_by_name(vireo_object *self, vireo_call *call, const char *name,
                                          vireo_error **errp)
{
    const struct svc_machine_settings *s = view(mo(self), errp);
    if (!s)
        return -EINVAL;
    for (size_t i = 0; i < s->n_controllers; i++)
        if (strcmp(s->controllers[i].name, name) == 0) {
            char *path = NULL;
            int r = svc_controller_obj_path(mo(self), name, &path, errp);
            if (r == 0)
                r = vireo_machine_complete_get_storage_controller_by_name(call, path);
            free(path);
            return r;
        }
    svc_error *e = NULL;
    svc_error_set(&e, -ENOENT, SVC_E_OBJECT_NOT_FOUND,
                  "name: the machine has no storage controller called '%s'", name);
    return model_error(errp, e, -ENOENT);
}

static int attach_device(vireo_object *self, vireo_call *call, const char *name, uint32_t port,
                         uint32_t device, vireo_device_type type, const char *medium,
                         vireo_error **errp)
{
    svc_machine_obj *o = mo(self);
    if (svc_machine_obj_writable(o, errp) < 0)
        return -EPERM;
    char *uuid = medium_uuid(medium);
    svc_error *e = NULL;
    int r = uuid ? svc_machine_attach_device(o->m, o->d->reg, name, port, device, type, uuid, &e)
                 : -ENOMEM;
    free(uuid);
    return r < 0 ? model_error(errp, e, r) : vireo_machine_complete_attach_device(call);
}

static int detach_device(vireo_object *self, vireo_call *call, const char *name, uint32_t port,
                         uint32_t device, vireo_error **errp)
{
    svc_machine_obj *o = mo(self);
    if (svc_machine_obj_writable(o, errp) < 0)
        return -EPERM;
    svc_error *e = NULL;
    int r = svc_machine_detach_device(o->m, name, port, device, &e);
    return r < 0 ? model_error(errp, e, r) : vireo_machine_complete_detach_device(call);
}

static int mount_medium(vireo_object *self, vireo_call *call, const char *name, uint32_t port,
                        uint32_t device, const char *medium, bool force, vireo_error **errp)
{
    svc_machine_obj *o = mo(self);
    if (svc_machine_obj_writable(o, errp) < 0) /* a running machine's drive needs its VM */
        return -EPERM;
    char *uuid = medium_uuid(medium);
    svc_error *e = NULL;
    int r =
        uuid ? svc_machine_mount_medium(o->m, o->d->reg, name, port, device, uuid, &e) : -ENOMEM;
    free(uuid);
    return r < 0 ? model_error(errp, e, r) : vireo_machine_complete_mount_medium(call);
}

static int save_settings(vireo_object *self, vireo_call *call, vireo_error **errp)
{
    svc_machine_obj *o = mo(self);
    if (svc_machine_obj_writable(o, errp) < 0)
        return -EPERM;
    svc_error *e = NULL;
    int r = svc_machine_commit(o->m, &e);
    svc_daemon_flush_events(o->d);
    if (r < 0)
        return model_error(errp, e, r);
    return vireo_machine_complete_save_settings(call);
}

static int discard_settings(vireo_object *self, vireo_call *call, vireo_error **errp)
{
    svc_machine_obj *o = mo(self);
    svc_error *e = NULL;
    if (o->kind != SVC_MOBJ_COPY)
        svc_error_set(&e, -EINVAL, SVC_E_INVALID_SESSION_STATE,
                      "machine %s has no saved settings to go back to here", o->m->uuid.s);
    int r = e ? -EINVAL : svc_machine_discard(o->m, &e);
    if (r < 0)
        return model_error(errp, e, r);
    return vireo_machine_complete_discard_settings(call);
}

static int set_vnc_password(vireo_object *self, vireo_call *call, const char *password,
                            vireo_error **errp)
{
    svc_machine_obj *o = mo(self);
    if (svc_machine_obj_writable(o, errp) < 0)
        return -EPERM;
    svc_error *e = NULL;
    int r = svc_machine_set_vnc_password(o->m, password, &e);
    if (r < 0)
        return model_error(errp, e, r);
    return vireo_machine_complete_set_vnc_password(call);
}

static int unregister(vireo_object *self, vireo_call *call, vireo_cleanup_mode mode,
                      vireo_error **errp)
{
    svc_machine_obj *o = mo(self);
    svc_daemon *d = o->d;
    svc_error *e = NULL;
    if (o->kind != SVC_MOBJ_REGISTERED || !o->m->registry)
        svc_error_set(&e, -EINVAL, SVC_E_INVALID_OBJECT_STATE, "machine %s is not registered",
                      o->m->uuid.s);
    svc_uuid *media = NULL;
    size_t n = 0;
    int r = e ? -EINVAL
              : svc_registry_unregister(d->reg, o->m, (enum svc_cleanup_mode)mode, &media, &n, &e);
    svc_daemon_flush_events(d);
    if (r < 0)
        return model_error(errp, e, r);
    char **paths = calloc(n + 1, sizeof(*paths));
    for (size_t i = 0; paths && i < n; i++)
        paths[i] = vireo_path_for_uuid(VIREO_ROOT_PATH, VIREO_MEDIUM_COLLECTION, media[i].s);
    free(media);
    r = vireo_machine_complete_unregister(call, (const char *const *)paths, paths ? n : 0);
    vireo_strv_free(paths, paths ? n : 0);
    /* Without deleteConfig yet, the object leaves the bus with the registration. */
    svc_machine_obj_drop(d, o);
    svc_daemon_update_idle(d);
    return r;
}

static const vireo_machine_ops machine_ops = {
    .get_id = get_id,
    .get_name = get_name,
    .set_name = set_name,
    .get_description = get_description,
    .set_description = set_description,
    .get_os_type_id = get_os_type_id,
    .set_os_type_id = set_os_type_id,
    .get_registered = get_registered,
    .get_memory_size = get_memory_size,
    .set_memory_size = set_memory_size,
    .get_cpu_count = get_cpu_count,
    .set_cpu_count = set_cpu_count,
    .get_vram_size = get_vram_size,
    .set_vram_size = set_vram_size,
    .get_boot_order = get_boot_order,
    .set_boot_order = set_boot_order,
    .get_firmware_type = get_firmware_type,
    .set_firmware_type = set_firmware_type,
    .get_bios_path = get_bios_path,
    .set_bios_path = set_bios_path,
    .get_kernel_path = get_kernel_path,
    .set_kernel_path = set_kernel_path,
    .get_initrd_path = get_initrd_path,
    .set_initrd_path = set_initrd_path,
    .get_kernel_cmd_line = get_kernel_cmd_line,
    .set_kernel_cmd_line = set_kernel_cmd_line,
    .get_vnc_enabled = get_vnc_enabled,
    .set_vnc_enabled = set_vnc_enabled,
    .get_vnc_port = get_vnc_port,
    .set_vnc_port = set_vnc_port,
    .get_vnc_address = get_vnc_address,
    .set_vnc_address = set_vnc_address,
    .get_vnc_password_set = get_vnc_password_set,
    .get_vnc_active_port = get_vnc_active_port,
    .get_state = get_state,
    .get_last_state_change = get_last_state_change,
    .get_session_state = get_session_state,
    .get_session_type = get_session_type,
    .get_session_owner = get_session_owner,
    .get_session_pid = get_session_pid,
    .get_settings_file_path = get_settings_file_path,
    .get_settings_modified = get_settings_modified,
    .get_accessible = get_accessible,
    .get_access_error = get_access_error,
    .get_log_folder = get_log_folder,
    .get_snapshot_folder = get_snapshot_folder,
    .get_state_file_path = get_state_file_path,
    .get_current_snapshot = get_current_snapshot,
    .get_snapshot_count = get_snapshot_count,
    .get_serial_ports = get_serial_ports,
    .get_storage_controllers = get_storage_controllers,
    .get_medium_attachments = get_medium_attachments,
    .add_storage_controller = add_storage_controller,
    .remove_storage_controller = remove_storage_controller,
    .get_storage_controller_by_name = get_storage_controller_by_name,
    .attach_device = attach_device,
    .detach_device = detach_device,
    .mount_medium = mount_medium,
    .get_serial_port = get_serial_port,
    .lock_machine = lock_machine,
    .launch_vm_process = launch_vm_process,
    .save_settings = save_settings,
    .discard_settings = discard_settings,
    .set_vnc_password = set_vnc_password,
    .unregister = unregister,
};

static const vireo_object_iface machine_ifaces[] = {
    {&vireo_machine_interface, &machine_ops},
};

static void machine_destroy(vireo_object *obj)
{
    svc_machine_obj *o = mo(obj);
    svc_machine_unref(o->m);
    free(o->path);
    free(o->owner);
    free(o);
}

static const vireo_object_class machine_class = {
    .name = "machine",
    .ifaces = machine_ifaces,
    .n_ifaces = 1,
    .destroy = machine_destroy,
};

svc_machine_obj *svc_machine_obj_export(svc_daemon *d, svc_machine *m,
                                        enum svc_machine_obj_kind kind, const char *path,
                                        const char *owner, vireo_error **errp)
{
    if (kind != SVC_MOBJ_COPY && d->n_machines == d->cap_machines) {
        size_t cap = d->cap_machines ? d->cap_machines * 2 : 64;
        svc_machine_obj **v = realloc(d->machines, cap * sizeof(*v));
        if (!v) {
            dup_str(NULL, NULL, errp);
            return NULL;
        }
        d->machines = v;
        d->cap_machines = cap;
    }
    svc_machine_obj *o = calloc(1, sizeof(*o));
    if (!o || !(o->path = strdup(path)) || (owner && !(o->owner = strdup(owner)))) {
        if (o)
            free(o->path);
        free(o);
        vireo_error_set(errp, VIREO_RESULT_OUT_OF_MEMORY, VIREO_ERROR_OUT_OF_MEMORY,
                        "out of memory");
        return NULL;
    }
    vireo_object_init(&o->base, &machine_class);
    o->d = d;
    o->m = svc_machine_ref(m);
    o->kind = kind;
    if (vireo_bus_export(d->bus, path, &o->base, errp) < 0) {
        vireo_object_unref(&o->base);
        return NULL;
    }
    if (svc_serial_objs_export(o, errp) < 0) {
        svc_serial_objs_unexport(o);
        vireo_bus_unexport(d->bus, path);
        vireo_object_unref(&o->base);
        return NULL;
    }
    if (kind != SVC_MOBJ_COPY)
        d->machines[d->n_machines++] = o;
    return o; /* the list (or the session object) holds the reference from init */
}

void svc_machine_obj_drop(svc_daemon *d, svc_machine_obj *o)
{
    for (size_t i = 0; i < d->n_machines; i++)
        if (d->machines[i] == o) {
            d->machines[i] = d->machines[--d->n_machines];
            break;
        }
    svc_serial_objs_unexport(o);
    svc_machine_obj_unexport_extra(o);
    vireo_bus_unexport(d->bus, o->path);
    vireo_object_unref(&o->base);
}

svc_machine_obj *svc_daemon_find_machine_obj(svc_daemon *d, const char *path)
{
    for (size_t i = 0; path && i < d->n_machines; i++)
        if (strcmp(d->machines[i]->path, path) == 0)
            return d->machines[i];
    return NULL;
}

svc_machine_obj *svc_daemon_find_machine_obj_for(svc_daemon *d, const svc_machine *m)
{
    for (size_t i = 0; i < d->n_machines; i++)
        if (d->machines[i]->m == m)
            return d->machines[i];
    return NULL;
}
