/* vireo: the VBoxManage-style command line of Vireo. A client of the service's D-Bus API
 * only; each command family lives in its own file. */
#include "frontends/cli/cli.h"

#include <stdio.h>
#include <string.h>

static const cli_command *const commands[] = {
    &cli_cmd_list,
    &cli_cmd_showvminfo,
    &cli_cmd_createvm,
    &cli_cmd_registervm,
    &cli_cmd_unregistervm,
    &cli_cmd_modifyvm,
    &cli_cmd_startvm,
    &cli_cmd_controlvm,
    &cli_cmd_discardstate,
    &cli_cmd_setproperty,
    NULL,
};

static const cli_command *find_command(const char *name)
{
    for (size_t i = 0; commands[i]; i++)
        if (strcmp(commands[i]->name, name) == 0)
            return commands[i];
    return NULL;
}

static void print_overview(FILE *f)
{
    fputs("Usage: vireo COMMAND [ARGS...]\n"
          "       vireo help [COMMAND]\n"
          "       vireo COMMAND --help\n\n"
          "Commands:\n",
          f);
    for (size_t i = 0; commands[i]; i++)
        fprintf(f, "  %s\n", commands[i]->synopsis);
    fputs("\nVM is a machine's name or uuid. Exit status: 0 success, 1 failure, 2 usage error.\n"
          "The manual: man vireo, or docs/cli.md.\n",
          f);
}

static int help(int argc, char **argv)
{
    if (argc < 2) {
        print_overview(stdout);
        return CLI_EXIT_OK;
    }
    const cli_command *cmd = find_command(argv[1]);
    if (!cmd)
        return cli_usage_error(NULL, "unknown command '%s'", argv[1]);
    cli_command_help(cmd, stdout);
    return CLI_EXIT_OK;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_overview(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "help") == 0 || strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
        return help(argc - 1, argv + 1);
    if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
        printf("vireo %s\n", VIREO_CLI_VERSION);
        return CLI_EXIT_OK;
    }
    const cli_command *cmd = find_command(name);
    if (!cmd)
        return cli_usage_error(NULL, "unknown command '%s'", name);
    cli_ctx ctx = {0};
    int r = cmd->run(&ctx, cmd, argc - 2, argv + 2);
    cli_disconnect(&ctx);
    fflush(stdout);
    return r;
}
