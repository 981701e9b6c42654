/* Machine/medium identifiers: RFC 4122 version-4 uuids in canonical lowercase text. */
#ifndef VIREO_SVC_UUID_H
#define VIREO_SVC_UUID_H

#include <stdbool.h>

#include "svc/error.h"

#define SVC_UUID_LEN 36 /* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" without the NUL */

/* A uuid in canonical form; the empty string means "none". */
typedef struct svc_uuid {
    char s[SVC_UUID_LEN + 1];
} svc_uuid;

/* Fill *ret with a new random (version 4) uuid from /dev/urandom.
 * Returns 0, or a negative errno (and *errp) if the random source cannot be read. */
int svc_uuid_generate(svc_uuid *ret, svc_error **errp);

/* Parse text (either case, no braces) into canonical lowercase form. `field` names the
 * value in the InvalidArg message. Returns 0 or -EINVAL. */
int svc_uuid_parse(const char *text, svc_uuid *ret, const char *field, svc_error **errp);

/* True if text is a well-formed uuid (either case). */
bool svc_uuid_valid(const char *text);

static inline bool svc_uuid_is_null(const svc_uuid *u)
{
    return u->s[0] == '\0';
}

#endif
