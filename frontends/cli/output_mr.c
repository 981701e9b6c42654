/* VBoxManage-style machine-readable output (see output.h). */
#include "frontends/cli/output.h"

#include <inttypes.h>
#include <stdbool.h>

static bool plain_key(const char *k)
{
    if (!*k)
        return false;
    for (; *k; k++) {
        char c = *k;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_'))
            return false;
    }
    return true;
}

static void quoted(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', f);
        if (*s == '\n')
            fputs("\\n", f);
        else
            fputc(*s, f);
    }
    fputc('"', f);
}

static void key(FILE *f, const char *k)
{
    if (plain_key(k))
        fputs(k, f);
    else
        quoted(f, k);
    fputc('=', f);
}

void cli_mr_string(FILE *f, const char *k, const char *value)
{
    key(f, k);
    quoted(f, value ? value : "");
    fputc('\n', f);
}

void cli_mr_uint(FILE *f, const char *k, uint64_t v)
{
    key(f, k);
    fprintf(f, "%" PRIu64 "\n", v);
}

void cli_mr_int(FILE *f, const char *k, int64_t v)
{
    key(f, k);
    fprintf(f, "%" PRId64 "\n", v);
}

void cli_mr_bool(FILE *f, const char *k, bool v)
{
    cli_mr_string(f, k, v ? "on" : "off");
}
