/* Error info for the service's model layer. */
#include "svc/error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const result_names[SVC_RESULT_COUNT] = {
    [SVC_OK] = "Ok",
    [SVC_E_INVALID_ARG] = "InvalidArg",
    [SVC_E_OBJECT_NOT_FOUND] = "ObjectNotFound",
    [SVC_E_INVALID_VM_STATE] = "InvalidVMState",
    [SVC_E_INVALID_OBJECT_STATE] = "InvalidObjectState",
    [SVC_E_INVALID_SESSION_STATE] = "InvalidSessionState",
    [SVC_E_OBJECT_IN_USE] = "ObjectInUse",
    [SVC_E_BUSY] = "Busy",
    [SVC_E_FILE_ERROR] = "FileError",
    [SVC_E_IO_ERROR] = "IOError",
    [SVC_E_XML_ERROR] = "XMLError",
    [SVC_E_FORMAT_ERROR] = "FormatError",
    [SVC_E_VM_ERROR] = "VMError",
    [SVC_E_NOT_SUPPORTED] = "NotSupported",
    [SVC_E_NOT_IMPLEMENTED] = "NotImplemented",
    [SVC_E_ACCESS_DENIED] = "AccessDenied",
    [SVC_E_CANCELED] = "Canceled",
    [SVC_E_TIMEOUT] = "Timeout",
    [SVC_E_LIMIT_REACHED] = "LimitReached",
    [SVC_E_OUT_OF_MEMORY] = "OutOfMemory",
    [SVC_E_INTERNAL] = "Internal",
};

const char *svc_result_name(enum svc_result code)
{
    if ((unsigned)code >= SVC_RESULT_COUNT)
        return "Internal";
    return result_names[code];
}

/* Shared by every path that cannot allocate: a static error is never freed. */
static svc_error oom_error = {SVC_E_OUT_OF_MEMORY, (char *)"out of memory"};

int svc_error_setv(svc_error **errp, int err_no, enum svc_result code, const char *fmt, va_list ap)
{
    if (err_no > 0)
        err_no = -err_no;
    if (!errp || *errp)
        return err_no;
    svc_error *e = malloc(sizeof(*e));
    if (!e) {
        *errp = &oom_error;
        return err_no;
    }
    e->code = code;
    if (vasprintf(&e->message, fmt, ap) < 0) {
        free(e);
        *errp = &oom_error;
        return err_no;
    }
    *errp = e;
    return err_no;
}

int svc_error_set(svc_error **errp, int err_no, enum svc_result code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = svc_error_setv(errp, err_no, code, fmt, ap);
    va_end(ap);
    return r;
}

void svc_error_prefix(svc_error **errp, const char *fmt, ...)
{
    if (!errp || !*errp || *errp == &oom_error)
        return;
    char *prefix = NULL, *joined = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&prefix, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if (asprintf(&joined, "%s: %s", prefix, (*errp)->message) >= 0) {
        free((*errp)->message);
        (*errp)->message = joined;
    }
    free(prefix);
}

void svc_error_propagate(svc_error **dst, svc_error *src)
{
    if (!src)
        return;
    if (dst && !*dst) {
        *dst = src;
        return;
    }
    svc_error_free(src);
}

svc_error *svc_error_free(svc_error *e)
{
    if (!e || e == &oom_error)
        return NULL;
    free(e->message);
    free(e);
    return NULL;
}
