/* Option table parser (see opts.h). */
#include "frontends/cli/opts.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* Match `word` (without any "=value") against the table; sets *ret_index for indexed
 * options. Returns NULL when nothing matches, *ret_bad_index when the stem matched but the
 * index is out of range. */
static const cli_option *lookup(const cli_option *table, const char *word, size_t len,
                                int *ret_index, bool *ret_bad_index)
{
    *ret_bad_index = false;
    for (const cli_option *o = table; o->name; o++) {
        size_t n = strlen(o->name);
        if (!o->indexed) {
            if (n == len && memcmp(o->name, word, len) == 0) {
                *ret_index = 0;
                return o;
            }
            continue;
        }
        if (len <= n || memcmp(o->name, word, n) != 0)
            continue;
        int idx = 0;
        size_t i;
        for (i = n; i < len && word[i] >= '0' && word[i] <= '9' && idx < 1000; i++)
            idx = idx * 10 + (word[i] - '0');
        if (i != len)
            continue; /* "--uart-mode1" is not "--uart" + digits */
        if (idx < 1 || idx > o->indexed) {
            *ret_bad_index = true;
            *ret_index = idx;
            return o;
        }
        *ret_index = idx;
        return o;
    }
    return NULL;
}

static int add_opt(cli_args *a, const cli_arg *arg)
{
    cli_arg *n = realloc(a->opts, (a->n_opts + 1) * sizeof(*n));
    if (!n)
        return -1;
    a->opts = n;
    a->opts[a->n_opts++] = *arg;
    return 0;
}

static int add_positional(cli_args *a, const char *s)
{
    const char **n = realloc(a->positional, (a->n_positional + 1) * sizeof(*n));
    if (!n)
        return -1;
    a->positional = n;
    a->positional[a->n_positional++] = s;
    return 0;
}

/* One option word at argv[*i]; consumes its values. */
static int parse_option(const cli_option *table, int argc, char **argv, int *i, cli_args *a,
                        char *err, size_t errlen)
{
    const char *word = argv[*i];
    const char *eq = strchr(word, '=');
    size_t len = eq ? (size_t)(eq - word) : strlen(word);
    int index = 0;
    bool bad_index;
    const cli_option *o = lookup(table, word, len, &index, &bad_index);
    if (!o)
        return fail(err, errlen, "unknown option '%.*s'", (int)len, word);
    if (bad_index)
        return fail(err, errlen, "option '%.*s': index %d is out of range 1..%d", (int)len, word,
                    index, o->indexed);
    cli_arg arg = {.opt = o, .index = index};
    int want = o->nargs;
    if (eq) {
        if (want == 0)
            return fail(err, errlen, "option '%.*s' takes no value", (int)len, word);
        arg.values[arg.n_values++] = eq + 1;
    } else if (want > 0 || o->arity) {
        if (*i + 1 >= argc)
            return fail(err, errlen, "option '%s' needs a value (%s)", word,
                        o->metavar ? o->metavar : "VALUE");
        arg.values[arg.n_values++] = argv[++*i];
    }
    if (o->arity && arg.n_values)
        want = o->arity(arg.values[0]);
    if (want > CLI_MAX_VALUES)
        want = CLI_MAX_VALUES;
    while (arg.n_values < want) {
        if (eq || *i + 1 >= argc)
            return fail(err, errlen, "option '%.*s %s' needs %d values (%s)", (int)len, word,
                        arg.values[0], want, o->metavar ? o->metavar : "VALUE");
        arg.values[arg.n_values++] = argv[++*i];
    }
    if (add_opt(a, &arg) < 0)
        return fail(err, errlen, "out of memory");
    return 0;
}

int cli_parse(const cli_option *table, int argc, char **argv, cli_args *ret, char *err,
              size_t errlen)
{
    cli_args a = {0};
    bool options_done = false;
    for (int i = 0; i < argc; i++) {
        const char *w = argv[i];
        int r = 0;
        if (options_done || w[0] != '-' || w[1] == '\0') {
            r = add_positional(&a, w) < 0 ? fail(err, errlen, "out of memory") : 0;
        } else if (strcmp(w, "--") == 0) {
            options_done = true;
        } else if (strcmp(w, "--help") == 0 || strcmp(w, "-h") == 0) {
            a.help = 1;
        } else {
            r = parse_option(table, argc, argv, &i, &a, err, errlen);
        }
        if (r < 0) {
            cli_args_free(&a);
            return -1;
        }
    }
    *ret = a;
    return 0;
}

void cli_args_free(cli_args *a)
{
    free(a->opts);
    free(a->positional);
    memset(a, 0, sizeof(*a));
}

const cli_arg *cli_args_find(const cli_args *a, int id)
{
    for (size_t i = a->n_opts; i-- > 0;)
        if (a->opts[i].opt->id == id)
            return &a->opts[i];
    return NULL;
}

void cli_print_options(FILE *f, const cli_option *table)
{
    for (const cli_option *o = table; o->name; o++) {
        char head[96];
        snprintf(head, sizeof(head), "%s%s%s%s", o->name, o->indexed ? "N" : "",
                 o->metavar ? " " : "", o->metavar ? o->metavar : "");
        if (strlen(head) > 30) /* a long metavar gets its own line */
            fprintf(f, "  %s\n  %-30s %s\n", head, "", o->help ? o->help : "");
        else
            fprintf(f, "  %-30s %s\n", head, o->help ? o->help : "");
    }
}
