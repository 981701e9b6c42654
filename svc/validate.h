/* Validation of every settings value. Each check returns 0, or -EINVAL with an InvalidArg
 * error whose message names the field (the IDL attribute name) and the allowed range or form.
 *
 * Two levels: the value checks below are what a setter applies (some look at the file system:
 * paths that must exist); svc_settings_validate() is the whole-settings check of load and
 * saveSettings, which never requires files to exist (they may move while a machine is off;
 * launching checks them again). */
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

/* A name (machines, controllers, snapshots): 1..64 characters of valid UTF-8; no '/', '\\',
 * NUL or control character; not "." or ".."; no leading or trailing space. `len` is the byte
 * length, so embedded NULs from a length-carrying source are caught. `field` names it in
 * messages ("name", "controller name"). */
int svc_validate_name_field(const char *field, const char *s, size_t len, svc_error **errp);
static inline int svc_validate_name(const char *s, size_t len, svc_error **errp)
{
    return svc_validate_name_field("name", s, len, errp);
}

int svc_validate_range(const char *field, uint64_t v, uint64_t min, uint64_t max, const char *unit,
                       svc_error **errp);
int svc_validate_memory(uint64_t mib, svc_error **errp);
int svc_validate_cpu_count(uint64_t n, svc_error **errp);
int svc_validate_vram(uint64_t mib, svc_error **errp);
/* A TCP port a VM process listens on: 0 where `zero_ok` (automatic/unused), else 1024..65535. */
int svc_validate_tcp_port(const char *field, uint64_t port, bool zero_ok, svc_error **errp);
/* The system VNC range: 1024 <= min <= max <= 65535. */
int svc_validate_vnc_range(uint64_t min, uint64_t max, svc_error **errp);
/* 1..8 printable ASCII characters; NULL or "" (no password) is fine. */
int svc_validate_vnc_password(const char *pw, svc_error **errp);
/* An IPv4 or IPv6 literal. */
int svc_validate_vnc_address(const char *addr, svc_error **errp);
int svc_validate_os_type(const char *id, svc_error **errp);
int svc_validate_enum(const char *field, const struct svc_enum_table *t, unsigned v,
                      svc_error **errp);

/* Free text: valid UTF-8, at most max_bytes, no control characters except (if multiline)
 * newline, carriage return and tab. NULL is accepted as empty. */
int svc_validate_text(const char *field, const char *s, size_t max_bytes, bool multiline,
                      svc_error **errp);
/* kernelCmdLine: 0..2047 bytes of UTF-8 without CR or LF. */
int svc_validate_cmdline(const char *s, svc_error **errp);

/* A host path: absolute, at most SVC_PATH_MAX bytes, valid UTF-8, no control characters.
 * NULL/"" is accepted only if optional. */
int svc_validate_path(const char *field, const char *path, bool optional, svc_error **errp);
/* ... which names an existing readable regular file of min..max bytes whose size is a
 * multiple of `multiple` (0/1: any). */
int svc_validate_file(const char *field, const char *path, uint64_t min, uint64_t max,
                      uint64_t multiple, svc_error **errp);
/* ... which names an existing executable regular file. */
int svc_validate_executable(const char *field, const char *path, svc_error **errp);
/* ... whose folder exists (a file or socket to be created there). */
int svc_validate_parent_exists(const char *field, const char *path, svc_error **errp);

/* Serial slot as the API counts it: 0..3. */
int svc_validate_serial_slot(uint64_t slot, svc_error **errp);
/* One serial port's own values (slot 0..3); `complete` adds the saveSettings checks: an
 * enabled File/UnixSocket port has a path, an enabled TCPServer port has a port. */
int svc_validate_serial(unsigned slot, const struct svc_serial_port *p, bool complete,
                        svc_error **errp);

int svc_validate_boot_order(const enum svc_boot_device *order, size_t n, svc_error **errp);
int svc_validate_controllers(const struct svc_machine_settings *s, svc_error **errp);

/* Whole-settings consistency, as checked on load and before every save. */
int svc_settings_validate(const struct svc_machine_settings *s, svc_error **errp);

#endif
