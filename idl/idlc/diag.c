/* Diagnostics, printed sorted by line so the output is stable whatever order checks run. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idl/idlc/model.h"
#include "idl/idlc/util.h"

typedef struct diag {
    int line;
    size_t seq;
    char *msg;
} diag;

static diag *diags;
static size_t n_diags;

void idl_diag(int line, const char *fmt, ...)
{
    char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    if (vasprintf(&msg, fmt, ap) < 0)
        msg = xstrdup("(message lost)");
    va_end(ap);
    /* The same message twice on one line says nothing new (libxml repeats some). */
    for (size_t i = 0; i < n_diags; i++)
        if (diags[i].line == line && strcmp(diags[i].msg, msg) == 0) {
            free(msg);
            return;
        }
    diag *d = VEC_PUSH(diags, n_diags);
    d->line = line;
    d->seq = n_diags;
    d->msg = msg;
}

int idl_diag_count(void)
{
    return (int)n_diags;
}

static int diag_cmp(const void *a, const void *b)
{
    const diag *x = a, *y = b;

    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void idl_diag_flush(const char *file)
{
    if (n_diags > 1)
        qsort(diags, n_diags, sizeof(*diags), diag_cmp);
    for (size_t i = 0; i < n_diags; i++) {
        fprintf(stderr, "%s:%d: %s\n", file, diags[i].line, diags[i].msg);
        free(diags[i].msg);
    }
    free(diags);
    diags = NULL;
    n_diags = 0;
}
