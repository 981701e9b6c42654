/* Helpers of the IDL compiler (see util.h). */
#include "idl/idlc/util.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void oom(void)
{
    fputs("vireo-idlc: out of memory\n", stderr);
    exit(2);
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom();
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        oom();
    return p;
}

void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        oom();
    return p;
}

char *xstrdup(const char *s)
{
    char *d = strdup(s ? s : "");
    if (!d)
        oom();
    return d;
}

char *xasprintf(const char *fmt, ...)
{
    char *s = NULL;
    va_list ap;

    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) < 0)
        oom();
    va_end(ap);
    return s;
}

void buf_add(buf *b, const char *s)
{
    size_t n = strlen(s);

    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->s = xrealloc(b->s, b->cap);
    }
    memcpy(b->s + b->len, s, n + 1);
    b->len += n;
}

void buf_printf(buf *b, const char *fmt, ...)
{
    char *s = NULL;
    va_list ap;

    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) < 0)
        oom();
    va_end(ap);
    buf_add(b, s);
    free(s);
}

void buf_free(buf *b)
{
    free(b->s);
    *b = (buf){0};
}

static bool file_equals(const char *path, const buf *b)
{
    FILE *f = fopen(path, "rb");
    char *old;
    size_t n;
    bool same;

    if (!f)
        return false;
    old = xmalloc(b->len + 1);
    n = fread(old, 1, b->len + 1, f);
    fclose(f);
    same = n == b->len && memcmp(old, b->s ? b->s : "", b->len) == 0;
    free(old);
    return same;
}

int buf_write_if_changed(const buf *b, const char *path)
{
    char *tmp;
    FILE *f;
    int r = 0;

    if (file_equals(path, b))
        return 0;
    tmp = xasprintf("%s.tmp", path);
    f = fopen(tmp, "wb");
    if (!f) {
        r = -errno;
        free(tmp);
        return r;
    }
    if (b->len && fwrite(b->s, 1, b->len, f) != b->len)
        r = -EIO;
    if (fclose(f) != 0 && r == 0)
        r = -errno;
    if (r == 0 && rename(tmp, path) < 0)
        r = -errno;
    if (r < 0)
        unlink(tmp);
    free(tmp);
    return r;
}

static bool is_up(char c)
{
    return isupper((unsigned char)c);
}

static bool is_low(char c)
{
    return islower((unsigned char)c) || isdigit((unsigned char)c);
}

/* Split points: before an upper-case letter that follows a lower-case letter or digit, or
 * that starts a word after an acronym ("PNGFile" -> PNG|File). */
static char *name_join(const char *camel, bool upper)
{
    size_t n = strlen(camel);
    char *out = xmalloc(2 * n + 1), *o = out;

    for (size_t i = 0; i < n; i++) {
        char c = camel[i];
        bool brk = i > 0 && is_up(c) &&
                   (is_low(camel[i - 1]) ||
                    (is_up(camel[i - 1]) && i + 1 < n && islower((unsigned char)camel[i + 1])));
        if (brk && o > out && o[-1] != '_')
            *o++ = '_';
        *o++ = (char)(upper ? toupper((unsigned char)c) : tolower((unsigned char)c));
    }
    *o = '\0';
    return out;
}

char *name_snake(const char *camel)
{
    return name_join(camel, false);
}

char *name_upper(const char *camel)
{
    return name_join(camel, true);
}

char *name_pascal(const char *camel)
{
    char *s = xstrdup(camel);
    s[0] = (char)toupper((unsigned char)s[0]);
    return s;
}

const char *name_iface_stem(const char *iface)
{
    if (iface[0] == 'I' && is_up(iface[1]))
        return iface + 1;
    return iface;
}
