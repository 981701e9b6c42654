/* Error info: a result code, a D-Bus error name and a human message.
 *
 * The pattern is QEMU's `Error **errp`: a function that can fail takes a trailing
 * `vireo_error **errp`, returns a negative errno (or NULL) on failure and sets *errp only
 * then. Callers that do not care pass NULL. An error is set at most once: setting an
 * already-set *errp keeps the first error (the first cause is the useful one). */
#ifndef VIREO_COMPONENT_ERROR_H
#define VIREO_COMPONENT_ERROR_H

#include <stdarg.h>
#include <stdint.h>

/* Result codes of the runtime itself; the IDL's <result> elements add the API's own. */
#define VIREO_E_OK            0x00000000u
#define VIREO_E_FAILED        0x80004005u /* unspecified failure */
#define VIREO_E_INVALID_ARGS  0x80070057u /* wrong signature or malformed argument */
#define VIREO_E_NO_MEMORY     0x8007000Eu
#define VIREO_E_NOT_SUPPORTED 0x80004001u /* unknown method/property, not implemented */
#define VIREO_E_DISCONNECTED  0x80010108u /* peer went away, no reply, timeout */

/* Standard D-Bus error names the runtime produces. */
#define VIREO_DBUS_ERROR_FAILED          "org.freedesktop.DBus.Error.Failed"
#define VIREO_DBUS_ERROR_INVALID_ARGS    "org.freedesktop.DBus.Error.InvalidArgs"
#define VIREO_DBUS_ERROR_NO_MEMORY       "org.freedesktop.DBus.Error.NoMemory"
#define VIREO_DBUS_ERROR_UNKNOWN_METHOD  "org.freedesktop.DBus.Error.UnknownMethod"
#define VIREO_DBUS_ERROR_UNKNOWN_OBJECT  "org.freedesktop.DBus.Error.UnknownObject"
#define VIREO_DBUS_ERROR_UNKNOWN_IFACE   "org.freedesktop.DBus.Error.UnknownInterface"
#define VIREO_DBUS_ERROR_UNKNOWN_PROP    "org.freedesktop.DBus.Error.UnknownProperty"
#define VIREO_DBUS_ERROR_PROP_READ_ONLY  "org.freedesktop.DBus.Error.PropertyReadOnly"
#define VIREO_DBUS_ERROR_NO_REPLY        "org.freedesktop.DBus.Error.NoReply"
#define VIREO_DBUS_ERROR_DISCONNECTED    "org.freedesktop.DBus.Error.Disconnected"
#define VIREO_DBUS_ERROR_NOT_SUPPORTED   "org.freedesktop.DBus.Error.NotSupported"
#define VIREO_DBUS_ERROR_LIMITS_EXCEEDED "org.freedesktop.DBus.Error.LimitsExceeded"

typedef struct vireo_error {
    uint32_t code; /* result code (IDL <result value>, or VIREO_E_*) */
    char *name;    /* D-Bus error name, never NULL */
    char *message; /* human message, never NULL (may be empty) */
} vireo_error;

/* One <result> of an IDL library: generated tables map names to codes. */
typedef struct vireo_result_info {
    const char *name;  /* short name, "InvalidVMState" */
    const char *error; /* D-Bus name, "org.vireo.Vireo1.Error.InvalidVMState" */
    uint32_t code;
} vireo_result_info;

/* Set *errp (if errp is non-NULL and *errp is still NULL). */
void vireo_error_set(vireo_error **errp, uint32_t code, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void vireo_error_setv(vireo_error **errp, uint32_t code, const char *name, const char *fmt,
                      va_list ap) __attribute__((format(printf, 4, 0)));
/* Set *errp from a negative errno: name and code follow the errno (EINVAL → InvalidArgs,
 * ENOMEM → NoMemory, else Failed); the message is `what: strerror`. Returns `neg_errno`. */
int vireo_error_set_errno(vireo_error **errp, int neg_errno, const char *what);
/* Set an InvalidArgs error with a message; returns -EINVAL. For argument checks. */
int vireo_error_invalid_arg(vireo_error **errp, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Set a NotSupported error (org.freedesktop.DBus.Error.NotSupported) naming what is not
 * implemented; returns -EOPNOTSUPP. */
int vireo_error_not_implemented(vireo_error **errp, const char *what);
/* Move `err` into *errp (or free it if errp is NULL or already set). */
void vireo_error_propagate(vireo_error **errp, vireo_error *err);
/* Add context in front of the message: "ctx: message". Does nothing if err is NULL. */
void vireo_error_prepend(vireo_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
vireo_error *vireo_error_copy(const vireo_error *err);
void vireo_error_free(vireo_error *err); /* accepts NULL */
static inline void vireo_error_freep(vireo_error **p)
{
    vireo_error_free(*p);
}

/* Map a D-Bus error name to a code: the library table first (may be NULL), then the standard
 * D-Bus names the runtime knows; unknown names give VIREO_E_FAILED. */
uint32_t vireo_error_code_for_name(const vireo_result_info *results, unsigned n_results,
                                   const char *name);
/* Negative errno that best matches an error (for callers that only keep an int). */
int vireo_error_to_errno(const vireo_error *err);

#endif
