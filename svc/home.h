/* The user's Vireo home: where Vireo.xml lives. */
#ifndef VIREO_SVC_HOME_H
#define VIREO_SVC_HOME_H

#include "svc/error.h"

/* $VIREO_USER_HOME, else $XDG_CONFIG_HOME/vireo (if absolute), else $HOME/.config/vireo.
 * Returns a heap path in *ret, or a negative errno if no home can be determined. */
int svc_home_resolve(char **ret, svc_error **errp);

/* Create path (and missing parents) with mode 0700. An existing folder is left as it is.
 * Returns 0 or a negative errno with a FileError. */
int svc_home_ensure(const char *path, svc_error **errp);

/* The default machine folder (ISystemProperties.defaultMachineFolder): "<home>/machines"
 * when $VIREO_USER_HOME is set (a self-contained home, as tests use), else
 * $XDG_DATA_HOME/vireo/machines (if absolute), else ~/.local/share/vireo/machines. */
int svc_home_default_machine_folder(const char *home, char **ret, svc_error **errp);

/* mkdir -p with the given mode for created folders. Returns 0 or a negative errno. */
int svc_mkdir_p(const char *path, unsigned mode);

#endif
