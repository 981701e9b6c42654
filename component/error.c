/* Error info (see error.h). */
#include "component/error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static vireo_error *error_new(uint32_t code, const char *name, char *message)
{
    vireo_error *e = calloc(1, sizeof(*e));
    if (!e) {
        free(message);
        return NULL;
    }
    e->code = code;
    e->name = strdup(name ? name : VIREO_DBUS_ERROR_FAILED);
    e->message = message ? message : strdup("");
    if (!e->name || !e->message) {
        vireo_error_free(e);
        return NULL;
    }
    return e;
}

void vireo_error_setv(vireo_error **errp, uint32_t code, const char *name, const char *fmt,
                      va_list ap)
{
    char *msg = NULL;

    if (!errp || *errp)
        return;
    if (vasprintf(&msg, fmt, ap) < 0)
        msg = NULL;
    *errp = error_new(code, name, msg);
}

void vireo_error_set(vireo_error **errp, uint32_t code, const char *name, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vireo_error_setv(errp, code, name, fmt, ap);
    va_end(ap);
}

int vireo_error_set_errno(vireo_error **errp, int neg_errno, const char *what)
{
    int e = neg_errno < 0 ? -neg_errno : neg_errno;
    uint32_t code = VIREO_E_FAILED;
    const char *name = VIREO_DBUS_ERROR_FAILED;

    if (e == EINVAL) {
        code = VIREO_E_INVALID_ARGS;
        name = VIREO_DBUS_ERROR_INVALID_ARGS;
    } else if (e == ENOMEM) {
        code = VIREO_E_NO_MEMORY;
        name = VIREO_DBUS_ERROR_NO_MEMORY;
    } else if (e == ENOSYS || e == EOPNOTSUPP) {
        code = VIREO_E_NOT_SUPPORTED;
    }
    vireo_error_set(errp, code, name, "%s%s%s", what ? what : "", what ? ": " : "", strerror(e));
    return neg_errno;
}

int vireo_error_invalid_arg(vireo_error **errp, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vireo_error_setv(errp, VIREO_E_INVALID_ARGS, VIREO_DBUS_ERROR_INVALID_ARGS, fmt, ap);
    va_end(ap);
    return -EINVAL;
}

int vireo_error_not_implemented(vireo_error **errp, const char *what)
{
    vireo_error_set(errp, VIREO_E_NOT_SUPPORTED, VIREO_DBUS_ERROR_NOT_SUPPORTED,
                    "%s is not implemented", what);
    return -EOPNOTSUPP;
}

void vireo_error_propagate(vireo_error **errp, vireo_error *err)
{
    if (!err)
        return;
    if (errp && !*errp)
        *errp = err;
    else
        vireo_error_free(err);
}

void vireo_error_prepend(vireo_error *err, const char *fmt, ...)
{
    char *ctx = NULL, *msg = NULL;
    va_list ap;

    if (!err)
        return;
    va_start(ap, fmt);
    if (vasprintf(&ctx, fmt, ap) < 0)
        ctx = NULL;
    va_end(ap);
    if (ctx && asprintf(&msg, "%s: %s", ctx, err->message) >= 0) {
        free(err->message);
        err->message = msg;
    }
    free(ctx);
}

vireo_error *vireo_error_copy(const vireo_error *err)
{
    if (!err)
        return NULL;
    return error_new(err->code, err->name, strdup(err->message));
}

void vireo_error_free(vireo_error *err)
{
    if (!err)
        return;
    free(err->name);
    free(err->message);
    free(err);
}

static const vireo_result_info dbus_results[] = {
    {"Failed", VIREO_DBUS_ERROR_FAILED, VIREO_E_FAILED},
    {"InvalidArgs", VIREO_DBUS_ERROR_INVALID_ARGS, VIREO_E_INVALID_ARGS},
    {"NoMemory", VIREO_DBUS_ERROR_NO_MEMORY, VIREO_E_NO_MEMORY},
    {"UnknownMethod", VIREO_DBUS_ERROR_UNKNOWN_METHOD, VIREO_E_NOT_SUPPORTED},
    {"UnknownObject", VIREO_DBUS_ERROR_UNKNOWN_OBJECT, VIREO_E_NOT_SUPPORTED},
    {"UnknownInterface", VIREO_DBUS_ERROR_UNKNOWN_IFACE, VIREO_E_NOT_SUPPORTED},
    {"UnknownProperty", VIREO_DBUS_ERROR_UNKNOWN_PROP, VIREO_E_NOT_SUPPORTED},
    {"PropertyReadOnly", VIREO_DBUS_ERROR_PROP_READ_ONLY, VIREO_E_NOT_SUPPORTED},
    {"NoReply", VIREO_DBUS_ERROR_NO_REPLY, VIREO_E_DISCONNECTED},
    {"Disconnected", VIREO_DBUS_ERROR_DISCONNECTED, VIREO_E_DISCONNECTED},
    {"NotSupported", VIREO_DBUS_ERROR_NOT_SUPPORTED, VIREO_E_NOT_SUPPORTED},
    {"LimitsExceeded", VIREO_DBUS_ERROR_LIMITS_EXCEEDED, VIREO_E_INVALID_ARGS},
    {"ServiceUnknown", "org.freedesktop.DBus.Error.ServiceUnknown", VIREO_E_DISCONNECTED},
    {"NameHasNoOwner", "org.freedesktop.DBus.Error.NameHasNoOwner", VIREO_E_DISCONNECTED},
    {"Timeout", "org.freedesktop.DBus.Error.Timeout", VIREO_E_DISCONNECTED},
};

uint32_t vireo_error_code_for_name(const vireo_result_info *results, unsigned n_results,
                                   const char *name)
{
    if (!name)
        return VIREO_E_FAILED;
    for (unsigned i = 0; i < n_results; i++)
        if (strcmp(results[i].error, name) == 0)
            return results[i].code;
    for (size_t i = 0; i < sizeof(dbus_results) / sizeof(dbus_results[0]); i++)
        if (strcmp(dbus_results[i].error, name) == 0)
            return dbus_results[i].code;
    return VIREO_E_FAILED;
}

int vireo_error_to_errno(const vireo_error *err)
{
    if (!err)
        return 0;
    switch (err->code) {
    case VIREO_E_INVALID_ARGS: return -EINVAL;
    case VIREO_E_NO_MEMORY: return -ENOMEM;
    case VIREO_E_NOT_SUPPORTED: return -EOPNOTSUPP;
    case VIREO_E_DISCONNECTED: return -ECONNRESET;
    default: return -EIO;
    }
}
