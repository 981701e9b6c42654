/* Uuid generation and parsing. */
#include "svc/uuid.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int read_random(unsigned char *buf, size_t len)
{
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, buf + got, len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int e = n < 0 ? -errno : -EIO;
            close(fd);
            return e;
        }
        got += (size_t)n;
    }
    close(fd);
    return 0;
}

int svc_uuid_generate(svc_uuid *ret, svc_error **errp)
{
    unsigned char b[16];
    int r = read_random(b, sizeof(b));
    if (r < 0)
        return svc_error_set(errp, r, SVC_E_IO_ERROR, "cannot read /dev/urandom: %s", strerror(-r));
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    snprintf(ret->s, sizeof(ret->s),
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
    return 0;
}

bool svc_uuid_valid(const char *text)
{
    if (!text || strlen(text) != SVC_UUID_LEN)
        return false;
    for (int i = 0; i < SVC_UUID_LEN; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? text[i] != '-' : !isxdigit((unsigned char)text[i]))
            return false;
    }
    return true;
}

int svc_uuid_parse(const char *text, svc_uuid *ret, const char *field, svc_error **errp)
{
    if (!svc_uuid_valid(text))
        return svc_error_set(errp, -EINVAL, SVC_E_INVALID_ARG,
                             "%s: '%.64s' is not a uuid (expected "
                             "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx, hex digits)",
                             field, text ? text : "");
    for (int i = 0; i <= SVC_UUID_LEN; i++)
        ret->s[i] = (char)tolower((unsigned char)text[i]);
    return 0;
}
