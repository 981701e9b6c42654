/* A machine's files and folders: "<folder>/<name>/<name>.vireo", "Logs/", "Snapshots/". */
#ifndef VIREO_SVC_MACHINE_FILES_H
#define VIREO_SVC_MACHINE_FILES_H

#include "svc/error.h"

/* "<machine_folder>/<name>/<name>.vireo" (heap), or NULL on allocation failure. */
char *svc_machine_files_default_path(const char *machine_folder, const char *name);

/* Create the folder of settings_path and its Logs/ and Snapshots/ (mode 0700). */
int svc_machine_files_create(const char *settings_path, svc_error **errp);

/* For a rename from old_name to new_name: a folder called old_name becomes new_name, and a
 * file called "<old_name>.vireo" (with its -prev) becomes "<new_name>.vireo". Files in other
 * places keep their paths. *ret_new_path gets the new settings path. Undone on failure. */
int svc_machine_files_rename(const char *old_path, const char *old_name, const char *new_name,
                             char **ret_new_path, svc_error **errp);

/* The settings path svc_machine_files_rename would give (heap; NULL on allocation failure). */
char *svc_machine_files_rename_target(const char *old_path, const char *old_name,
                                      const char *new_name);

/* Delete the settings file (and -prev/-tmp/-broken), the saved-state file if any (relative
 * to the folder), every regular file in Logs/, then Logs/, Snapshots/ and the folder if they
 * are empty. Media are never deleted here. Returns 0, or the error of the settings file. */
int svc_machine_files_delete(const char *settings_path, const char *state_file, svc_error **errp);

/* Path joining helpers (heap; NULL on allocation failure). */
char *svc_path_dirname(const char *path);
char *svc_path_basename(const char *path);
char *svc_path_join(const char *dir, const char *name);

#endif
