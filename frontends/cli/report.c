/* How the CLI reports problems, and the per-command parsing and help glue. */
#include "frontends/cli/cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

int cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("vireo: error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return CLI_EXIT_FAILURE;
}

int cli_usage_error(const cli_command *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("vireo: error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    if (cmd)
        fprintf(stderr, "Try 'vireo %s --help'.\n", cmd->name);
    else
        fputs("Try 'vireo help'.\n", stderr);
    return CLI_EXIT_USAGE;
}

int cli_api_error(vireo_error *err, const char *call, const char *ctx_fmt, ...)
{
    fputs("vireo: error: ", stderr);
    if (ctx_fmt) {
        va_list ap;
        va_start(ap, ctx_fmt);
        vfprintf(stderr, ctx_fmt, ap);
        va_end(ap);
        fputs(err && err->message[0] ? ": " : "", stderr);
    }
    fprintf(stderr, "%s\n", err ? err->message : "unknown failure");
    fprintf(stderr, "vireo: detail: %s failed with %s\n", call,
            err ? err->name : "(no error name)");
    vireo_error_free(err);
    return CLI_EXIT_FAILURE;
}

void cli_command_help(const cli_command *cmd, FILE *f)
{
    fprintf(f, "Usage: vireo %s\n\n%s\n", cmd->synopsis, cmd->summary);
    if (cmd->options && cmd->options[0].name) {
        fputs("\nOptions:\n", f);
        cli_print_options(f, cmd->options);
    }
    fputs("  --help                         show this help\n", f);
}

int cli_command_parse(const cli_command *cmd, int argc, char **argv, size_t min_pos, size_t max_pos,
                      cli_args *ret)
{
    static const cli_option none[] = {{NULL}};
    char err[256];
    if (cli_parse(cmd->options ? cmd->options : none, argc, argv, ret, err, sizeof(err)) < 0)
        return cli_usage_error(cmd, "%s", err);
    if (ret->help) {
        cli_command_help(cmd, stdout);
        cli_args_free(ret);
        return CLI_EXIT_OK;
    }
    if (ret->n_positional < min_pos || ret->n_positional > max_pos) {
        int r;
        if (ret->n_positional < min_pos)
            r = cli_usage_error(cmd, "missing argument (usage: vireo %s)", cmd->synopsis);
        else
            r = cli_usage_error(cmd, "unexpected argument '%s'", ret->positional[max_pos]);
        cli_args_free(ret);
        return r;
    }
    return -1; /* parsed: the caller goes on */
}
