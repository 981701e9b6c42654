/* The machine registry: the user's home, Vireo.xml, and every registered machine.
 *
 * Opening loads Vireo.xml and every machine file it lists. A machine whose file is missing
 * or malformed is listed as inaccessible with its error; the others load normally. */
#ifndef VIREO_SVC_REGISTRY_H
#define VIREO_SVC_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>

#include "svc/error.h"
#include "svc/events.h"
#include "svc/global.h"
#include "svc/machine.h"

typedef struct svc_registry {
    char *home;
    char *global_path;
    struct svc_global_settings global; /* props and media; .machines is rebuilt on save */
    svc_machine **machines;
    size_t n_machines;
    size_t cap_machines;
    char *recovery_note;     /* when Vireo.xml was recovered from -tmp/-prev */
    svc_event_queue *events; /* registration and settings events; drained by the bus layer */
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

/* IVireo.createMachine: a new, unregistered machine called `name` with the defaults of
 * os_type (NULL/"": "Other"), whose settings file will be settings_file (absolute, ending in
 * ".vireo") or, if NULL/"", "<machine folder>/<name>/<name>.vireo". Nothing is written.
 * Fails if the name is invalid or taken or the file exists. *ret holds one reference. */
int svc_registry_create_machine(svc_registry *reg, const char *settings_file, const char *name,
                                const char *os_type, svc_machine **ret, svc_error **errp);

/* IVireo.openMachine: load an unregistered machine from a settings file (absolute path). A
 * file that does not load is an error here (nothing to register); a file whose uuid is
 * registered answers ObjectInUse. *ret holds one reference. */
int svc_registry_open_machine(svc_registry *reg, const char *path, svc_machine **ret,
                              svc_error **errp);

/* Register m: writes its settings file if it has none yet, then Vireo.xml. Fails with
 * ObjectInUse if its uuid or name is registered already. The registry takes a reference. */
int svc_registry_register(svc_registry *reg, svc_machine *m, svc_error **errp);

/* IMachine.unregister: remove m from the registry and Vireo.xml. Refused while a session
 * holds it (ObjectInUse), while it has a VM process (InvalidVMState), or with
 * UnregisterOnly while it has snapshots (ObjectInUse). The DetachAll and Full modes detach
 * every medium and save the machine file; *ret_media (may be NULL) gets the media the mode
 * returns (heap array). Its files stay: svc_machine_delete_config() removes them. Drops the
 * registry's reference. */
int svc_registry_unregister(svc_registry *reg, svc_machine *m, enum svc_cleanup_mode mode,
                            svc_uuid **ret_media, size_t *ret_n_media, svc_error **errp);

/* A registered medium by uuid (either case), or NULL. */
const struct svc_medium_entry *svc_registry_find_medium(const svc_registry *reg, const char *uuid);

/* A registered machine other than `self` that attaches the medium, or NULL. */
svc_machine *svc_registry_medium_user(const svc_registry *reg, const char *uuid,
                                      const svc_machine *self);

/* Re-check every machine's settings file (svc_machine_check_accessible). Returns the number
 * of inaccessible machines. */
size_t svc_registry_refresh(svc_registry *reg);

#endif
