/* The machine settings file "<name>.vireo": reading, writing, loading with recovery.
 * The format is documented element by element in docs/settings.md. */
#ifndef VIREO_SVC_MACHINE_XML_H
#define VIREO_SVC_MACHINE_XML_H

#include <stddef.h>

#include "svc/error.h"
#include "svc/settings.h"

/* The version this code writes; it reads 1..SVC_MACHINE_FORMAT_VERSION. */
#define SVC_MACHINE_FORMAT_VERSION 1
#define SVC_MACHINE_FILE_SUFFIX    ".vireo"

/* Parse a machine file's bytes (name is used in messages) into *ret, which must be blank.
 * Returns 0, or -EINVAL with an XmlError "<name>:<line>: <problem>". */
int svc_machine_xml_parse(const char *name, const char *data, size_t len,
                          struct svc_machine_settings *ret, svc_error **errp);

/* Serialise valid settings. Returns 0 or a negative errno. */
int svc_machine_xml_write(const struct svc_machine_settings *s, char **ret_data, size_t *ret_len,
                          svc_error **errp);

/* Load path (with -tmp/-prev recovery, see atomic.h) into *ret (blank on entry). */
int svc_machine_settings_load(const char *path, struct svc_machine_settings *ret, char **ret_note,
                              svc_error **errp);

/* Validate and atomically save to path (mode 0600). */
int svc_machine_settings_save(const char *path, const struct svc_machine_settings *s,
                              svc_error **errp);

#endif
