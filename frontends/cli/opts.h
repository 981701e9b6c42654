/* The CLI's argument layer: each command describes its options in a static table; the
 * parser checks the whole command line before anything talks to the service, so a typo
 * never leaves a machine half-modified. */
#ifndef VIREO_CLI_OPTS_H
#define VIREO_CLI_OPTS_H
#include <stddef.h>

#define CLI_MAX_VALUES 2

typedef struct cli_option {
    const char *name; /* "--memory"; with `indexed`, the stem of "--uart1".."--uart4" */
    int id;           /* the command's own tag */
    int nargs;        /* values that follow (0 = a flag) */
    int indexed;      /* 0, or the highest index N of NAME1..NAMEN */
    /* Variable arity: number of values given the first one (e.g. "off" -> 1, "0x3f8" -> 2);
     * NULL means `nargs`. */
    int (*arity)(const char *first);
    const char *metavar; /* for help: "MB", "IOBASE IRQ" */
    const char *help;
} cli_option;

typedef struct cli_arg {
    const cli_option *opt;
    int index; /* 1..indexed, or 0 */
    int n_values;
    const char *values[CLI_MAX_VALUES]; /* borrowed from argv */
} cli_arg;

typedef struct cli_args {
    cli_arg *opts; /* in command-line order */
    size_t n_opts;
    const char **positional;
    size_t n_positional;
    int help; /* --help or -h was given */
} cli_args;

/* Parse argv (argv[0] is the first argument after the command name). `--name=value` is
 * accepted for one-value options; `--` ends options. Returns 0, or -1 with a message in
 * `err` (usage error: unknown option, missing value, bad index). */
int cli_parse(const cli_option *table, int argc, char **argv, cli_args *ret, char *err,
              size_t errlen);
void cli_args_free(cli_args *a);

/* The last occurrence of option `id` (later options win, as in VBoxManage), or NULL. */
const cli_arg *cli_args_find(const cli_args *a, int id);

/* Print the option table as help lines. */
#include <stdio.h>
void cli_print_options(FILE *f, const cli_option *table);
#endif
