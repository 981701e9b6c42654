/* A machine as the service holds it: its settings file, the committed settings, the
 * accessibility verdict, the run-time state, and the mutable copy a session edits.
 *
 * Lifetime: svc_machine_ref/unref; the registry holds one reference to each registered
 * machine. Not thread-safe: the service runs one event loop. */
#ifndef VIREO_SVC_MACHINE_H
#define VIREO_SVC_MACHINE_H

#include <stdbool.h>

#include "svc/error.h"
#include "svc/settings.h"

struct svc_registry;

typedef struct svc_machine {
    unsigned refs;
    struct svc_registry *registry; /* non-NULL while registered (borrowed) */
    svc_uuid uuid;
    char *settings_path; /* absolute */
    char *rename_from;   /* the old settings path while a rename is under way (registry) */
    bool accessible;
    svc_error *access_error; /* why not accessible (file:line: problem) */
    char *recovery_note;     /* set when the last load recovered from -tmp/-prev */
    bool on_disk;            /* the settings file has been written or read */
    bool is_new;             /* from createMachine: mutable without a lock until registered */
    struct svc_machine_settings settings; /* committed: what the file holds */
    struct svc_machine_settings *edit;    /* the session's mutable copy, or NULL */
    enum svc_machine_state state;         /* run-time state */
} svc_machine;

/* A machine for settings that are already complete (takes them over; *s is left blank).
 * Returns NULL on allocation failure (and clears *s). */
svc_machine *svc_machine_new(struct svc_machine_settings *s, const char *settings_path);

/* An inaccessible machine: known uuid and path, the error that made it so (taken over). */
svc_machine *svc_machine_new_inaccessible(const svc_uuid *uuid, const char *settings_path,
                                          svc_error *why);

/* Load a machine from its settings file. A file that does not load gives an inaccessible
 * machine (not an error): *ret is NULL only on allocation failure (-ENOMEM). */
int svc_machine_load(const char *settings_path, const svc_uuid *expected_uuid, svc_machine **ret);

svc_machine *svc_machine_ref(svc_machine *m);
svc_machine *svc_machine_unref(svc_machine *m); /* accepts NULL, returns NULL */
static inline void svc_machine_unrefp(svc_machine **m)
{
    *m = svc_machine_unref(*m);
}

/* Name of an accessible machine, else NULL. */
const char *svc_machine_name(const svc_machine *m);

/* The folder holding the settings file (heap). NULL on allocation failure. */
char *svc_machine_folder(const svc_machine *m);

/* Re-check the settings file: a file deleted or replaced behind the service's back makes
 * the machine inaccessible (with a message saying so); an inaccessible machine whose file
 * loads again becomes accessible. Returns true if the machine is accessible afterwards. */
bool svc_machine_check_accessible(svc_machine *m);

/* Fail with InvalidObjectState naming the machine and its access error if inaccessible. */
int svc_machine_require_accessible(svc_machine *m, svc_error **errp);

/* The mutable copy: begin (copies the committed settings), the copy itself, commit
 * (saveSettings: validate, rename folder/file if the name changed, save, make it the
 * committed settings, fire machineSettingsChanged; the copy stays open; nothing happens
 * without changes; on a new machine it validates and writes its file), discard (reset the
 * copy), end (drop the copy). */
int svc_machine_begin_edit(svc_machine *m, svc_error **errp);
struct svc_machine_settings *svc_machine_edit_settings(svc_machine *m);
bool svc_machine_is_modified(const svc_machine *m);
int svc_machine_commit(svc_machine *m, svc_error **errp);
int svc_machine_discard(svc_machine *m, svc_error **errp);
void svc_machine_end_edit(svc_machine *m);

/* Write the committed settings to the settings file (creating the folder, Logs/ and
 * Snapshots/ if needed). */
int svc_machine_save(svc_machine *m, svc_error **errp);

/* IMachine.deleteConfig (the machine's own files): refused while registered
 * (InvalidObjectState) or locked; deletes the settings file with its -prev/-tmp/-broken
 * companions, the saved state file, Logs/ and Snapshots/ if they hold nothing else, and the
 * folder if it is then empty. Media are the caller's business. */
int svc_machine_delete_config(svc_machine *m, svc_error **errp);

#endif
