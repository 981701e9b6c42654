/* The machine registry: the user's home, Vireo.xml, and every registered machine.
 *
 * Opening loads Vireo.xml and every machine file it lists. A machine whose file is missing
 * or malformed is listed as inaccessible with its error; the others load normally. */
#ifndef VIREO_SVC_REGISTRY_H
#define VIREO_SVC_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>

#include "svc/error.h"
#include "svc/global.h"
#include "svc/machine.h"

enum svc_cleanup_mode {
    SVC_CLEANUP_UNREGISTER_ONLY = 0, /* forget the machine; its files stay */
    SVC_CLEANUP_DELETE_FILES,        /* also delete settings, backups, logs, empty folders */
};

typedef struct svc_registry {
    char *home;
    char *global_path;
    struct svc_global_settings global; /* props and media; .machines is rebuilt on save */
    svc_machine **machines;
    size_t n_machines;
    size_t cap_machines;
    char *recovery_note; /* when Vireo.xml was recovered from -tmp/-prev */
} svc_registry;

/* Open the registry in `home` (NULL: svc_home_resolve()), creating the home (0700) and a
 * default Vireo.xml if there is none. Fails only if Vireo.xml exists and cannot be loaded
 * (nothing is overwritten then) or the home cannot be created. */
int svc_registry_open(const char *home, svc_registry **ret, svc_error **errp);
svc_registry *svc_registry_free(svc_registry *reg); /* accepts NULL, returns NULL */

/* Write Vireo.xml from the current state. */
int svc_registry_save(svc_registry *reg, svc_error **errp);

/* The effective default machine folder (the property, or the home's default). */
const char *svc_registry_machine_folder(const svc_registry *reg);

/* Find by uuid (either case) or by name (exact). Returns a borrowed pointer, or NULL with
 * ObjectNotFound naming what was looked for. */
svc_machine *svc_registry_find(svc_registry *reg, const char *name_or_uuid, svc_error **errp);

/* ObjectInUse if another registered machine than `self` is called `name`. */
int svc_registry_check_name_free(svc_registry *reg, const char *name, const svc_machine *self,
                                 svc_error **errp);

/* A new, unregistered machine called `name` with the defaults for os_type, whose settings
 * file will be "<machine folder>/<name>/<name>.vireo". Fails if the name is invalid or taken
 * or the file exists. *ret holds one reference. */
int svc_registry_create_machine(svc_registry *reg, const char *name, const char *os_type,
                                svc_machine **ret, svc_error **errp);

/* Load an unregistered machine from a settings file (absolute path). A file that does not
 * load is an error here (nothing to register). *ret holds one reference. */
int svc_registry_open_machine(svc_registry *reg, const char *path, svc_machine **ret,
                              svc_error **errp);

/* Register m: writes its settings file if it has none yet, then Vireo.xml. Fails with
 * ObjectInUse if its uuid or name is registered already. The registry takes a reference. */
int svc_registry_register(svc_registry *reg, svc_machine *m, svc_error **errp);

/* Unregister m (and delete its files in DELETE_FILES mode). Refused while a mutable copy is
 * open or the machine runs. Drops the registry's reference. */
int svc_registry_unregister(svc_registry *reg, svc_machine *m, enum svc_cleanup_mode mode,
                            svc_error **errp);

/* Re-check every machine's settings file (svc_machine_check_accessible). Returns the number
 * of inaccessible machines. */
size_t svc_registry_refresh(svc_registry *reg);

#endif
