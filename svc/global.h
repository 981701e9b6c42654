/* The global settings file Vireo.xml: machine registry, media registry, system properties.
 * Format: docs/settings.md. */
#ifndef VIREO_SVC_GLOBAL_H
#define VIREO_SVC_GLOBAL_H

#include <stddef.h>
#include <stdint.h>

#include "svc/enums.h"
#include "svc/error.h"
#include "svc/uuid.h"

#define SVC_GLOBAL_FORMAT_VERSION 1
#define SVC_GLOBAL_FILE_NAME      "Vireo.xml"
#define SVC_IDLE_TIMEOUT_MAX      86400 /* seconds; 0 means never exit when idle */
#define SVC_IDLE_TIMEOUT_DEFAULT  300
#define SVC_DEFAULT_BIOS_PATH     "/usr/share/seabios/bios.bin"
#define SVC_DEFAULT_VGABIOS_PATH  "/usr/share/seabios/vgabios-stdvga.bin"

struct svc_system_properties {    /* ISystemProperties' writable attributes */
    char *default_machine_folder; /* NULL: the home's default (svc_home_default_machine_folder) */
    uint32_t vnc_port_min;
    uint32_t vnc_port_max;
    uint32_t idle_timeout_s;
    char *vm_process_path;      /* NULL: vireo-headless installed with the service */
    char *default_bios_path;    /* never NULL after init/load */
    char *default_vgabios_path; /* never NULL after init/load */
};

struct svc_machine_entry {
    svc_uuid uuid;
    char *path;         /* absolute path of the settings file */
    char *renamed_from; /* set while a rename moves the file (crash recovery), else NULL */
};

struct svc_medium_entry {
    svc_uuid uuid;
    char *location;            /* absolute path of the image */
    enum svc_device_type type; /* HardDisk or DVD */
    enum svc_medium_format format;
};

struct svc_global_settings {
    struct svc_system_properties props;
    struct svc_machine_entry *machines;
    size_t n_machines;
    struct svc_medium_entry *media;
    size_t n_media;
};

/* Defaults (default_machine_folder may be NULL; it is copied). Returns 0 or -ENOMEM. */
int svc_global_init(struct svc_global_settings *g, const char *default_machine_folder);
void svc_global_clear(struct svc_global_settings *g);

int svc_system_properties_validate(const struct svc_system_properties *p, svc_error **errp);

/* Append entries (copies strings). Returns 0 or -ENOMEM. */
int svc_global_add_machine(struct svc_global_settings *g, const svc_uuid *uuid, const char *path);
int svc_global_add_medium(struct svc_global_settings *g, const struct svc_medium_entry *m);

int svc_global_xml_parse(const char *name, const char *data, size_t len,
                         struct svc_global_settings *ret, svc_error **errp);
int svc_global_xml_write(const struct svc_global_settings *g, char **ret_data, size_t *ret_len,
                         svc_error **errp);
/* Load with recovery (atomic.h); *ret is blank on entry. */
int svc_global_load(const char *path, struct svc_global_settings *ret, char **ret_note,
                    svc_error **errp);
int svc_global_save(const char *path, const struct svc_global_settings *g, svc_error **errp);

#endif
