/* Small helpers of the IDL compiler: checked allocation and a growable text buffer. */
#ifndef VIREO_IDLC_UTIL_H
#define VIREO_IDLC_UTIL_H

#include <stdbool.h>
#include <stddef.h>

/* The compiler is a build tool: running out of memory ends it with a message. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Append one zeroed element to a malloc'ed array; returns a pointer to it. */
#define VEC_PUSH(arr, n)                                                                           \
    ((arr) = xrealloc((arr), ((n) + 1) * sizeof(*(arr))),                                          \
     (void)memset(&(arr)[(n)], 0, sizeof(*(arr))), &(arr)[(n)++])

typedef struct buf {
    char *s;
    size_t len, cap;
} buf;

void buf_add(buf *b, const char *s);
void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_free(buf *b);
/* Write b to path unless the file already holds exactly that. Returns 0 or -errno. */
int buf_write_if_changed(const buf *b, const char *path);

/* Names: "takeScreenShotPNG" -> "take_screen_shot_png"; "IMachine" stem -> "Machine". */
char *name_snake(const char *camel);
char *name_upper(const char *camel);  /* TAKE_SCREEN_SHOT_PNG */
char *name_pascal(const char *camel); /* TakeScreenShotPNG */
/* Interface stem: "IMachine" -> "Machine" (a leading I before a capital is dropped). */
const char *name_iface_stem(const char *iface);

#endif
