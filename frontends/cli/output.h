/* Output formats of the CLI: JSON (stable, documented shapes in docs/cli.md) and
 * VBoxManage's machine-readable key="value" lines. Pure formatting, no bus: unit tested. */
#ifndef VIREO_CLI_OUTPUT_H
#define VIREO_CLI_OUTPUT_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define CLI_JSON_MAX_DEPTH 16

/* A streaming JSON writer: two-space indentation, keys in the order written. Misuse (a key
 * outside an object, too deep nesting) is a programming error caught by assert. */
typedef struct cli_json {
    FILE *f;
    int depth;
    bool first[CLI_JSON_MAX_DEPTH + 1]; /* no member written yet at this depth */
    bool after_key;
} cli_json;

void cli_json_init(cli_json *w, FILE *f);
void cli_json_begin_object(cli_json *w);
void cli_json_end_object(cli_json *w);
void cli_json_begin_array(cli_json *w);
void cli_json_end_array(cli_json *w);
void cli_json_key(cli_json *w, const char *key);
void cli_json_string(cli_json *w, const char *s); /* NULL writes null */
void cli_json_uint(cli_json *w, uint64_t v);
void cli_json_int(cli_json *w, int64_t v);
void cli_json_bool(cli_json *w, bool v);
void cli_json_null(cli_json *w);
/* Ends the document with a newline. */
void cli_json_finish(cli_json *w);

/* key + value shorthands */
void cli_json_kv_string(cli_json *w, const char *key, const char *s);
void cli_json_kv_uint(cli_json *w, const char *key, uint64_t v);
void cli_json_kv_int(cli_json *w, const char *key, int64_t v);
void cli_json_kv_bool(cli_json *w, const char *key, bool v);

/* Write `s` as a JSON string literal (quotes included). */
void cli_json_write_escaped(FILE *f, const char *s);

/* Machine-readable lines: name="value" for strings (backslash and quote escaped, newline as
 * \n), name=number for numbers, as VBoxManage does. A key that is not [A-Za-z0-9_] only is
 * quoted too ("uart-mode1"). */
void cli_mr_string(FILE *f, const char *key, const char *value);
void cli_mr_uint(FILE *f, const char *key, uint64_t v);
void cli_mr_int(FILE *f, const char *key, int64_t v);
void cli_mr_bool(FILE *f, const char *key, bool v); /* "on" / "off", as VBoxManage */
#endif
