/* Validation of every settings value. Each check returns 0, or -EINVAL with an InvalidArg
 * error whose message names the field and the allowed range or form. */
#ifndef VIREO_SVC_VALIDATE_H
#define VIREO_SVC_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "svc/error.h"
#include "svc/settings.h"

/* Code points in a UTF-8 string of len bytes, or -1 if it is not valid UTF-8 (overlongs,
 * surrogates and values above U+10FFFF are invalid). */
long svc_utf8_length(const char *s, size_t len);

/* A machine name: 1..64 characters of valid UTF-8; no '/', '\\', NUL or control character;
 * not "." or ".."; no leading or trailing space. `len` is the byte length (so embedded NULs
 * coming from a length-carrying source are caught). */
int svc_validate_name(const char *s, size_t len, svc_error **errp);

int svc_validate_u32_range(const char *field, uint64_t v, uint64_t min, uint64_t max,
                           const char *unit, svc_error **errp);
int svc_validate_memory(uint64_t mib, svc_error **errp);
int svc_validate_cpu_count(uint64_t n, svc_error **errp);
int svc_validate_vram(uint64_t mib, svc_error **errp);
/* A TCP port 1..65535. */
int svc_validate_port(const char *field, uint64_t port, svc_error **errp);
/* The machine's VNC port: 0 (automatic) or 1..65535. */
int svc_validate_vnc_port(uint64_t port, svc_error **errp);
/* The system VNC range: 1 <= min <= max <= 65535. */
int svc_validate_vnc_range(uint64_t min, uint64_t max, svc_error **errp);
int svc_validate_vnc_password(const char *pw, svc_error **errp);
int svc_validate_os_type(const char *id, svc_error **errp);

/* Free text: valid UTF-8, at most max_bytes, no control characters except (if multiline)
 * newline and tab. NULL is accepted as empty. */
int svc_validate_text(const char *field, const char *s, size_t max_bytes, bool multiline,
                      svc_error **errp);

/* A host path: absolute, at most SVC_PATH_MAX bytes, no control characters. If must_exist,
 * it must name a readable regular file. NULL/"" is accepted only if optional. */
int svc_validate_path(const char *field, const char *path, bool optional, bool must_exist,
                      svc_error **errp);

/* Serial slot number as the API counts it: 1..4. */
int svc_validate_serial_slot(uint64_t slot, svc_error **errp);
/* One serial port's settings (slot 0..3). */
int svc_validate_serial(unsigned slot, const struct svc_serial_port *p, svc_error **errp);

int svc_validate_controllers(const struct svc_machine_settings *s, svc_error **errp);

/* Whole-settings consistency, as checked on load and before every save. It does not require
 * paths to exist (files may move while a machine is off; launching checks them). */
int svc_settings_validate(const struct svc_machine_settings *s, svc_error **errp);

#endif
