/* showvminfo VM [--machinereadable | --json] */
#include "frontends/cli/vminfo.h"

#include <stdlib.h>

enum { OPT_MR = 1, OPT_JSON, OPT_DETAILS };

static const cli_option show_options[] = {
    {"--machinereadable", OPT_MR, 0, 0, NULL, NULL, "key=\"value\" lines (VBoxManage form)"},
    {"--json", OPT_JSON, 0, 0, NULL, NULL, "one JSON object (docs/cli.md)"},
    {"--details", OPT_DETAILS, 0, 0, NULL, NULL, "accepted for VBoxManage compatibility"},
    {NULL},
};

static int run_show(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    cli_args a;
    int r = cli_command_parse(cmd, argc, argv, 1, 1, &a);
    if (r >= 0)
        return r;
    bool mr = cli_args_find(&a, OPT_MR), json = cli_args_find(&a, OPT_JSON);
    if (mr && json) {
        cli_args_free(&a);
        return cli_usage_error(cmd, "--machinereadable and --json exclude each other");
    }
    char *path = NULL;
    cli_vm_info vm;
    r = cli_connect(ctx);
    if (!r)
        r = cli_find_machine(ctx, a.positional[0], &path);
    if (!r)
        r = cli_vm_info_read(ctx, path, &vm);
    if (!r) {
        if (json) {
            cli_json w;
            cli_json_init(&w, stdout);
            cli_vm_info_print_json(&vm, &w);
            cli_json_finish(&w);
        } else if (mr) {
            cli_vm_info_print_mr(&vm, stdout);
        } else {
            cli_vm_info_print_text(&vm, stdout);
        }
        cli_vm_info_clear(&vm);
    }
    free(path);
    cli_args_free(&a);
    return r;
}

const cli_command cli_cmd_showvminfo = {
    .name = "showvminfo",
    .run = run_show,
    .synopsis = "showvminfo VM [--machinereadable | --json]",
    .summary = "Show a machine's settings and state. VM is a name or uuid.",
    .options = show_options,
};
