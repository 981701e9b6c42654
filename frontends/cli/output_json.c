/* Streaming JSON writer (see output.h). */
#include "frontends/cli/output.h"

#include <assert.h>
#include <inttypes.h>

void cli_json_init(cli_json *w, FILE *f)
{
    w->f = f;
    w->depth = 0;
    w->first[0] = true;
    w->after_key = false;
}

static void indent(cli_json *w)
{
    fputc('\n', w->f);
    for (int i = 0; i < w->depth; i++)
        fputs("  ", w->f);
}

/* Separator and indentation before a value or a key. */
static void before_item(cli_json *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (w->depth > 0) {
        if (!w->first[w->depth])
            fputc(',', w->f);
        indent(w);
    }
    w->first[w->depth] = false;
}

static void json_open(cli_json *w, char c)
{
    before_item(w);
    fputc(c, w->f);
    assert(w->depth < CLI_JSON_MAX_DEPTH);
    w->depth++;
    w->first[w->depth] = true;
}

static void json_close(cli_json *w, char c)
{
    assert(w->depth > 0);
    bool empty = w->first[w->depth];
    w->depth--;
    if (!empty)
        indent(w);
    fputc(c, w->f);
}

void cli_json_begin_object(cli_json *w)
{
    json_open(w, '{');
}

void cli_json_end_object(cli_json *w)
{
    json_close(w, '}');
}

void cli_json_begin_array(cli_json *w)
{
    json_open(w, '[');
}

void cli_json_end_array(cli_json *w)
{
    json_close(w, ']');
}

void cli_json_write_escaped(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        default:
            if (*p < 0x20 || *p == 0x7f)
                fprintf(f, "\\u%04x", *p);
            else
                fputc(*p, f); /* UTF-8 passes through: D-Bus strings are valid UTF-8 */
        }
    }
    fputc('"', f);
}

void cli_json_key(cli_json *w, const char *key)
{
    before_item(w);
    cli_json_write_escaped(w->f, key);
    fputs(": ", w->f);
    w->after_key = true;
}

void cli_json_string(cli_json *w, const char *s)
{
    before_item(w);
    if (s)
        cli_json_write_escaped(w->f, s);
    else
        fputs("null", w->f);
}

void cli_json_uint(cli_json *w, uint64_t v)
{
    before_item(w);
    fprintf(w->f, "%" PRIu64, v);
}

void cli_json_int(cli_json *w, int64_t v)
{
    before_item(w);
    fprintf(w->f, "%" PRId64, v);
}

void cli_json_bool(cli_json *w, bool v)
{
    before_item(w);
    fputs(v ? "true" : "false", w->f);
}

void cli_json_null(cli_json *w)
{
    before_item(w);
    fputs("null", w->f);
}

void cli_json_finish(cli_json *w)
{
    assert(w->depth == 0);
    fputc('\n', w->f);
}

void cli_json_kv_string(cli_json *w, const char *key, const char *s)
{
    cli_json_key(w, key);
    cli_json_string(w, s);
}

void cli_json_kv_uint(cli_json *w, const char *key, uint64_t v)
{
    cli_json_key(w, key);
    cli_json_uint(w, v);
}

void cli_json_kv_int(cli_json *w, const char *key, int64_t v)
{
    cli_json_key(w, key);
    cli_json_int(w, v);
}

void cli_json_kv_bool(cli_json *w, const char *key, bool v)
{
    cli_json_key(w, key);
    cli_json_bool(w, v);
}
