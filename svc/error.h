/* Error info for the service's model layer (QEMU's Error ** pattern).
 *
 * A function that can fail returns a negative errno (or NULL) and, when its caller passes a
 * non-NULL `errp`, sets `*errp` to a new svc_error describing the failure. `*errp` must be
 * NULL on entry; it is written only on failure. The result codes mirror the IDL's <result>
 * names (D-Bus error org.vireo.Vireo1.Error.<name>).
 *
 * TODO(fold): the component runtime (component/) will define the project-wide error info;
 * when it lands, this type becomes a thin alias of it and svc_result maps onto the generated
 * result codes. Keep the names here identical to the IDL's. */
#ifndef VIREO_SVC_ERROR_H
#define VIREO_SVC_ERROR_H

#include <stdarg.h>

enum svc_result {
    SVC_OK = 0,
    SVC_E_INVALID_ARG,           /* InvalidArg: a value out of range or malformed */
    SVC_E_OBJECT_NOT_FOUND,      /* ObjectNotFound */
    SVC_E_INVALID_VM_STATE,      /* InvalidVMState: the machine is in the wrong state */
    SVC_E_INVALID_OBJECT_STATE,  /* InvalidObjectState: e.g. machine inaccessible */
    SVC_E_INVALID_SESSION_STATE, /* InvalidSessionState: not mutable / no session */
    SVC_E_OBJECT_IN_USE,         /* ObjectInUse: name taken, locked by another session */
    SVC_E_BUSY,                  /* Busy */
    SVC_E_FILE_ERROR,            /* FileError: a file cannot be opened/created/renamed */
    SVC_E_IO_ERROR,              /* IOError: reading or writing failed */
    SVC_E_XML_ERROR,             /* XMLError: a settings file is malformed */
    SVC_E_FORMAT_ERROR,          /* FormatError */
    SVC_E_VM_ERROR,              /* VMError */
    SVC_E_NOT_SUPPORTED,         /* NotSupported */
    SVC_E_NOT_IMPLEMENTED,       /* NotImplemented */
    SVC_E_ACCESS_DENIED,         /* AccessDenied */
    SVC_E_CANCELED,              /* Canceled */
    SVC_E_TIMEOUT,               /* Timeout */
    SVC_E_LIMIT_REACHED,         /* LimitReached */
    SVC_E_OUT_OF_MEMORY,         /* OutOfMemory */
    SVC_E_INTERNAL,              /* Internal: a bug or an impossible condition */
    SVC_RESULT_COUNT
};

typedef struct svc_error {
    enum svc_result code;
    char *message; /* UTF-8, one line, names the object/field/file concerned */
} svc_error;

/* The IDL result name of `code` ("InvalidArg"); "Internal" for unknown codes. */
const char *svc_result_name(enum svc_result code);

/* Set *errp (if errp is non-NULL) to a new error. Returns -err_no, so that callers can write
 * `return svc_error_set(errp, -EINVAL, SVC_E_INVALID_ARG, "...")`. If *errp is already set,
 * the first error wins. */
int svc_error_set(svc_error **errp, int err_no, enum svc_result code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int svc_error_setv(svc_error **errp, int err_no, enum svc_result code, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

/* Prefix the message of *errp with "prefix: ". No-op if errp or *errp is NULL. */
void svc_error_prefix(svc_error **errp, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Move *src into *dst (dst must be empty or NULL to drop). */
void svc_error_propagate(svc_error **dst, svc_error *src);

/* Free an error; accepts NULL; returns NULL. */
svc_error *svc_error_free(svc_error *e);
static inline void svc_error_freep(svc_error **e)
{
    *e = svc_error_free(*e);
}

#endif
