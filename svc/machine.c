/* A machine: settings file, committed settings, accessibility, mutable copy. */
#include "svc/machine.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "svc/machine_files.h"
#include "svc/machine_xml.h"
#include "svc/registry.h"
#include "svc/validate.h"

static svc_machine *alloc_machine(const char *settings_path)
{
    svc_machine *m = calloc(1, sizeof(*m));
    if (!m)
        return NULL;
    m->refs = 1;
    m->settings_path = strdup(settings_path);
    if (!m->settings_path) {
        free(m);
        return NULL;
    }
    svc_settings_init_empty(&m->settings);
    m->state = SVC_STATE_POWERED_OFF;
    return m;
}

svc_machine *svc_machine_new(struct svc_machine_settings *s, const char *settings_path)
{
    svc_machine *m = alloc_machine(settings_path);
    if (!m) {
        svc_settings_clear(s);
        return NULL;
    }
    m->settings = *s;
    svc_settings_init_empty(s);
    m->uuid = m->settings.uuid;
    m->accessible = true;
    m->state = m->settings.state;
    return m;
}

svc_machine *svc_machine_new_inaccessible(const svc_uuid *uuid, const char *settings_path,
                                          svc_error *why)
{
    svc_machine *m = alloc_machine(settings_path);
    if (!m) {
        svc_error_free(why);
        return NULL;
    }
    m->uuid = *uuid;
    m->access_error = why;
    m->on_disk = true;
    return m;
}

int svc_machine_load(const char *settings_path, const svc_uuid *expected_uuid, svc_machine **ret)
{
    struct svc_machine_settings s;
    svc_error *err = NULL;
    char *note = NULL;
    int r = svc_machine_settings_load(settings_path, &s, &note, &err);
    if (r == 0 && expected_uuid && strcmp(s.uuid.s, expected_uuid->s) != 0) {
        svc_error_set(&err, -EINVAL, SVC_E_INVALID_OBJECT_STATE,
                      "%s holds machine %s, but the registry expects %s", settings_path, s.uuid.s,
                      expected_uuid->s);
        svc_settings_clear(&s);
        r = -EINVAL;
    }
    svc_machine *m;
    if (r == 0) {
        m = svc_machine_new(&s, settings_path);
        if (m)
            m->on_disk = true;
    } else {
        svc_uuid none = {{0}};
        m = svc_machine_new_inaccessible(expected_uuid ? expected_uuid : &none, settings_path, err);
    }
    if (!m) {
        free(note);
        return -ENOMEM;
    }
    m->recovery_note = note;
    *ret = m;
    return 0;
}

svc_machine *svc_machine_ref(svc_machine *m)
{
    if (m)
        m->refs++;
    return m;
}

svc_machine *svc_machine_unref(svc_machine *m)
{
    if (!m || --m->refs > 0)
        return NULL;
    svc_settings_clear(&m->settings);
    if (m->edit) {
        svc_settings_clear(m->edit);
        free(m->edit);
    }
    svc_error_free(m->access_error);
    free(m->recovery_note);
    free(m->settings_path);
    free(m->rename_from);
    free(m);
    return NULL;
}

const char *svc_machine_name(const svc_machine *m)
{
    return m->accessible ? m->settings.name : NULL;
}

char *svc_machine_folder(const svc_machine *m)
{
    return svc_path_dirname(m->settings_path);
}

static void make_inaccessible(svc_machine *m, svc_error *why)
{
    m->accessible = false;
    svc_error_free(m->access_error);
    m->access_error = why;
    if (m->edit) {
        svc_settings_clear(m->edit);
        free(m->edit);
        m->edit = NULL;
    }
}

static bool reload(svc_machine *m)
{
    svc_machine *fresh = NULL;
    if (svc_machine_load(m->settings_path, svc_uuid_is_null(&m->uuid) ? NULL : &m->uuid, &fresh) <
        0)
        return false;
    if (fresh->accessible) {
        svc_settings_clear(&m->settings);
        m->settings = fresh->settings;
        svc_settings_init_empty(&fresh->settings);
        m->uuid = m->settings.uuid;
        m->accessible = true;
        m->state = m->settings.state;
        m->access_error = svc_error_free(m->access_error);
        free(m->recovery_note);
        m->recovery_note = fresh->recovery_note;
        fresh->recovery_note = NULL;
    } else {
        make_inaccessible(m, fresh->access_error);
        fresh->access_error = NULL;
    }
    svc_machine_unref(fresh);
    return m->accessible;
}

bool svc_machine_check_accessible(svc_machine *m)
{
    if (!m->on_disk)
        return m->accessible;
    if (access(m->settings_path, F_OK) < 0) {
        if (m->accessible) {
            svc_error *why = NULL;
            svc_error_set(&why, -ENOENT, SVC_E_FILE_ERROR,
                          "the settings file %s was deleted or moved while the service ran",
                          m->settings_path);
            make_inaccessible(m, why);
        }
        return false;
    }
    if (!m->accessible)
        return reload(m);
    return true;
}

int svc_machine_require_accessible(svc_machine *m, svc_error **errp)
{
    if (svc_machine_check_accessible(m))
        return 0;
    return svc_error_set(errp, -EIO, SVC_E_INVALID_OBJECT_STATE, "machine %s is inaccessible: %s",
                         m->uuid.s[0] ? m->uuid.s : "?",
                         m->access_error ? m->access_error->message : "unknown reason");
}

int svc_machine_begin_edit(svc_machine *m, svc_error **errp)
{
    int r = svc_machine_require_accessible(m, errp);
    if (r < 0)
        return r;
    if (m->edit)
        return svc_error_set(errp, -EBUSY, SVC_E_INVALID_SESSION_STATE,
                             "machine '%s' already has a mutable copy open", m->settings.name);
    struct svc_machine_settings *copy = malloc(sizeof(*copy));
    if (!copy || svc_settings_copy(copy, &m->settings) < 0) {
        free(copy);
        return svc_error_set(errp, -ENOMEM, SVC_E_OUT_OF_MEMORY, "out of memory");
    }
    m->edit = copy;
    return 0;
}

struct svc_machine_settings *svc_machine_edit_settings(svc_machine *m)
{
    return m->edit;
}

bool svc_machine_is_modified(const svc_machine *m)
{
    return m->edit && !svc_settings_equal(m->edit, &m->settings);
}

int svc_machine_save(svc_machine *m, svc_error **errp)
{
    int r = svc_machine_files_create(m->settings_path, errp);
    if (r == 0)
        r = svc_machine_settings_save(m->settings_path, &m->settings, errp);
    if (r == 0)
        m->on_disk = true;
    return r;
}

/* The name changed: move the folder and file, then point the machine at the new path.
 * For a registered machine the registry first records the new path with the old one as
 * renamedFrom, so that a crash in the middle of the moves is finished at the next load
 * (svc_registry_open); the caller clears renamedFrom with its final registry save. */
static int apply_rename(svc_machine *m, const char *new_name, svc_error **errp)
{
    char *old_path = m->settings_path;
    char *target = svc_machine_files_rename_target(old_path, m->settings.name, new_name);
    if (!target)
        return svc_error_set(errp, -ENOMEM, SVC_E_OUT_OF_MEMORY, "out of memory");
    int r = 0;
    if (m->registry) {
        m->rename_from = old_path;
        m->settings_path = target;
        r = svc_registry_save(m->registry, errp);
        m->settings_path = old_path;
        if (r < 0) {
            m->rename_from = NULL;
            free(target);
            return r;
        }
        m->rename_from = strdup(old_path);
    }
    char *new_path = NULL;
    r = svc_machine_files_rename(old_path, m->settings.name, new_name, &new_path, errp);
    free(target);
    if (r < 0) {
        free(m->rename_from);
        m->rename_from = NULL;
        if (m->registry)
            svc_registry_save(m->registry, NULL); /* back to the old path */
        return r;
    }
    free(m->settings_path);
    m->settings_path = new_path;
    return 0;
}

int svc_machine_commit(svc_machine *m, svc_error **errp)
{
    if (!m->edit && m->is_new && !m->registry) {
        int r = svc_settings_validate(&m->settings, errp);
        return r < 0 ? r : svc_machine_save(m, errp);
    }
    if (m->edit && svc_settings_equal(m->edit, &m->settings))
        return 0;
    if (!m->edit)
        return svc_error_set(errp, -EINVAL, SVC_E_INVALID_SESSION_STATE,
                             "machine %s has no mutable copy (lock it for writing first)",
                             m->uuid.s);
    int r = svc_machine_require_accessible(m, errp);
    if (r == 0)
        r = svc_settings_validate(m->edit, errp);
    bool renamed = r == 0 && strcmp(m->edit->name, m->settings.name) != 0;
    if (renamed && m->registry)
        r = svc_registry_check_name_free(m->registry, m->edit->name, m, errp);
    if (r == 0 && renamed && m->on_disk)
        r = apply_rename(m, m->edit->name, errp);
    struct svc_machine_settings next;
    if (r == 0 && svc_settings_copy(&next, m->edit) < 0)
        r = svc_error_set(errp, -ENOMEM, SVC_E_OUT_OF_MEMORY, "out of memory");
    if (r < 0)
        return r;
    struct svc_machine_settings prev = m->settings;
    m->settings = next;
    r = m->on_disk ? svc_machine_save(m, errp) : 0;
    if (r == 0 && renamed && m->registry) {
        free(m->rename_from);
        m->rename_from = NULL;
        r = svc_registry_save(m->registry, errp);
    }
    if (r < 0) {
        /* keep the old committed settings; the file is whatever the last good save wrote */
        svc_settings_clear(&m->settings);
        m->settings = prev;
        return r;
    }
    bool changed = !svc_settings_equal(&prev, &m->settings);
    svc_settings_clear(&prev);
    if (changed && m->registry)
        svc_event_machine(m->registry->events, SVC_EVENT_MACHINE_SETTINGS_CHANGED, &m->uuid, 0,
                          false);
    return 0;
}

int svc_machine_discard(svc_machine *m, svc_error **errp)
{
    if (!m->edit)
        return svc_error_set(errp, -EINVAL, SVC_E_INVALID_SESSION_STATE,
                             "machine %s has no mutable copy", m->uuid.s);
    struct svc_machine_settings copy;
    if (svc_settings_copy(&copy, &m->settings) < 0)
        return svc_error_set(errp, -ENOMEM, SVC_E_OUT_OF_MEMORY, "out of memory");
    svc_settings_clear(m->edit);
    *m->edit = copy;
    return 0;
}

void svc_machine_end_edit(svc_machine *m)
{
    if (!m->edit)
        return;
    svc_settings_clear(m->edit);
    free(m->edit);
    m->edit = NULL;
}

int svc_machine_delete_config(svc_machine *m, svc_error **errp)
{
    if (m->registry)
        return svc_error_set(errp, -EBUSY, SVC_E_INVALID_OBJECT_STATE,
                             "machine '%s' is registered; unregister it first",
                             m->accessible ? m->settings.name : m->uuid.s);
    if (m->edit)
        return svc_error_set(errp, -EBUSY, SVC_E_OBJECT_IN_USE,
                             "machine '%s' is locked by a session", m->settings.name);
    int r = svc_machine_files_delete(m->settings_path,
                                     m->accessible ? m->settings.state_file : NULL, errp);
    if (r == 0)
        m->on_disk = false;
    return r;
}
