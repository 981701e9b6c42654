/* The parsed IDL: one library of results, enums and interfaces, in document order. */
#ifndef VIREO_IDLC_MODEL_H
#define VIREO_IDLC_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum idl_kind {
    IDL_BOOLEAN,
    IDL_OCTET,
    IDL_SHORT,
    IDL_USHORT,
    IDL_LONG,
    IDL_ULONG,
    IDL_LONGLONG,
    IDL_ULONGLONG,
    IDL_DOUBLE,
    IDL_STRING,
    IDL_UUID,
    IDL_FD,
    IDL_ENUM,
    IDL_IFACE,
} idl_kind;

struct idl_enum;
struct idl_iface;

typedef struct idl_type {
    char *name; /* as written in the IDL */
    idl_kind kind;
    bool array;
    struct idl_enum *en;     /* IDL_ENUM */
    struct idl_iface *iface; /* IDL_IFACE */
} idl_type;

typedef enum idl_dir { IDL_DIR_IN, IDL_DIR_OUT, IDL_DIR_RETURN } idl_dir;

typedef struct idl_param {
    char *name;
    idl_type type;
    idl_dir dir;
    char *desc;
    int line;
} idl_param;

typedef struct idl_attr {
    char *name;
    idl_type type;
    bool readonly;
    int since;
    char *desc;
    int line;
} idl_attr;

typedef struct idl_method {
    char *name;
    idl_param *params;
    size_t n_params;
    char **raises;
    size_t n_raises;
    int since;
    char *desc;
    int line;
} idl_method;

typedef struct idl_event {
    char *name;
    idl_param *params;
    size_t n_params;
    int since;
    char *desc;
    int line;
} idl_event;

typedef struct idl_iface {
    char *name; /* "IMachine" */
    char *uuid;
    char *extends; /* "$unknown" or an interface name */
    struct idl_iface *parent;
    char *path; /* object collection ("machine"), may be NULL */
    bool singleton;
    int since;
    char *desc;
    int line;
    idl_attr *attrs;
    size_t n_attrs;
    idl_method *methods;
    size_t n_methods;
    idl_event *events;
    size_t n_events;
} idl_iface;

typedef struct idl_const {
    char *name;
    int64_t value;
    char *desc;
    int line;
} idl_const;

typedef struct idl_enum {
    char *name;
    char *uuid;
    int since;
    char *desc;
    int line;
    idl_const *consts;
    size_t n_consts;
} idl_enum;

typedef struct idl_result {
    char *name;
    uint32_t value;
    int since;
    char *desc;
    int line;
} idl_result;

typedef struct idl_library {
    char *file; /* as given on the command line, for messages */
    char *name;
    char *bus;
    char *path;
    int version;
    char *desc;
    int line;
    idl_result *results;
    size_t n_results;
    idl_enum *enums;
    size_t n_enums;
    idl_iface *ifaces;
    size_t n_ifaces;
} idl_library;

/* Diagnostics: collected, then printed sorted by line as "file:line: message". */
void idl_diag(int line, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int idl_diag_count(void);
void idl_diag_flush(const char *file);

/* parse.c: read and build the model; structural errors are diagnosed. NULL if the file
 * is not XML at all. */
idl_library *idl_parse(const char *file);
void idl_library_free(idl_library *lib);
/* check.c: resolve types and check every rule of docs/idl.md. */
void idl_check(idl_library *lib);

#endif
