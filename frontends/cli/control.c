/* startvm, controlvm, discardstate: running machines. */
#include "frontends/cli/cli.h"

#include <stdlib.h>
#include <string.h>

enum { OPT_TYPE = 1, OPT_ENV };

static const cli_option startvm_options[] = {
    {"--type", OPT_TYPE, 1, 0, NULL, "headless|gui", "VM process kind (default headless)"},
    {"--putenv", OPT_ENV, 1, 0, NULL, "NAME[=VALUE]",
     "set (or unset) a variable for the VM "
     "process; repeatable"},
    {NULL},
};

static int launch(cli_ctx *ctx, const char *vm, const char *type, const char **env, size_t n_env)
{
    char *path = NULL, *progress = NULL;
    int r = cli_find_machine(ctx, vm, &path);
    if (r)
        return r;
    vireo_proxy *m = cli_proxy(ctx, path);
    vireo_error *err = NULL;
    if (vireo_machine_call_launch_vm_process(m, type, env, n_env, &progress, &err) < 0) {
        r = cli_api_error(err, "IMachine.launchVMProcess", "cannot start '%s'", vm);
    } else {
        printf("Waiting for VM \"%s\" to power on...\n", vm);
        fflush(stdout);
        r = cli_progress_wait(ctx, progress, "IMachine.launchVMProcess");
        if (!r)
            printf("VM \"%s\" has been successfully started.\n", vm);
    }
    free(progress);
    vireo_proxy_unref(m);
    free(path);
    return r;
}

static int run_startvm(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    cli_args a;
    int r = cli_command_parse(cmd, argc, argv, 1, SIZE_MAX, &a);
    if (r >= 0)
        return r;
    const cli_arg *t = cli_args_find(&a, OPT_TYPE);
    const char *type = t ? t->values[0] : "headless";
    const char **env = calloc(a.n_opts + 1, sizeof(*env));
    size_t n_env = 0;
    for (size_t i = 0; env && i < a.n_opts; i++)
        if (a.opts[i].opt->id == OPT_ENV)
            env[n_env++] = a.opts[i].values[0];
    if (!env)
        r = cli_error("out of memory");
    else if (strcmp(type, "headless") != 0 && strcmp(type, "gui") != 0)
        r = cli_usage_error(cmd, "--type: '%s' is not one of headless|gui", type);
    else
        r = cli_connect(ctx);
    /* Several machines may be given, as with VBoxManage; stop at the first failure. */
    for (size_t i = 0; r == 0 && i < a.n_positional; i++)
        r = launch(ctx, a.positional[i], type, env, n_env);
    free(env);
    cli_args_free(&a);
    return r;
}

const cli_command cli_cmd_startvm = {
    .name = "startvm",
    .run = run_startvm,
    .synopsis = "startvm VM... [--type headless|gui] [--putenv NAME=VALUE]",
    .summary = "Start machines and wait until each guest runs (progress on a terminal;\n"
               "Ctrl-C cancels the start). This version has one VM process kind, headless;\n"
               "--type gui is passed to the service, which refuses it until a GUI VM process\n"
               "exists (use vireo-gtk to watch a running machine).",
    .options = startvm_options,
};

/* controlvm actions: those on the console (Shared lock) and those on the machine itself. */
typedef enum { ACT_POWEROFF, ACT_PAUSE, ACT_RESUME, ACT_RESET, ACT_BUTTON, ACT_SAVE } action;

static const char *const action_names[] = {"poweroff", "pause",           "resume",
                                           "reset",    "acpipowerbutton", "savestate"};

static int console_action(cli_ctx *ctx, vireo_proxy *console, action act)
{
    vireo_error *err = NULL;
    char *progress = NULL;
    int r = 0;
    switch (act) {
    case ACT_POWEROFF:
        if (vireo_console_call_power_down(console, &progress, &err) < 0)
            return cli_api_error(err, "IConsole.powerDown", NULL);
        r = cli_progress_wait(ctx, progress, "IConsole.powerDown");
        free(progress);
        return r;
    case ACT_PAUSE:
        r = vireo_console_call_pause(console, &err);
        return r < 0 ? cli_api_error(err, "IConsole.pause", NULL) : 0;
    case ACT_RESUME:
        r = vireo_console_call_resume(console, &err);
        return r < 0 ? cli_api_error(err, "IConsole.resume", NULL) : 0;
    case ACT_RESET:
        r = vireo_console_call_reset(console, &err);
        return r < 0 ? cli_api_error(err, "IConsole.reset", NULL) : 0;
    default:
        r = vireo_console_call_power_button(console, &err);
        return r < 0 ? cli_api_error(err, "IConsole.powerButton", NULL) : 0;
    }
}

static int save_state(cli_ctx *ctx, const char *path)
{
    vireo_proxy *m = cli_proxy(ctx, path);
    vireo_error *err = NULL;
    char *progress = NULL;
    int r;
    if (vireo_machine_call_save_state(m, &progress, &err) < 0)
        r = cli_api_error(err, "IMachine.saveState", NULL);
    else
        r = cli_progress_wait(ctx, progress, "IMachine.saveState");
    free(progress);
    vireo_proxy_unref(m);
    return r;
}

static int control(cli_ctx *ctx, const char *vm, action act)
{
    char *path = NULL, *session = NULL, *console = NULL;
    int r = cli_find_machine(ctx, vm, &path);
    if (!r && act == ACT_SAVE)
        r = save_state(ctx, path);
    else if (!r)
        r = cli_lock_machine(ctx, path, VIREO_LOCK_TYPE_SHARED, vm, &session, NULL);
    if (!r && session) {
        vireo_proxy *s = cli_proxy(ctx, session);
        vireo_error *err = NULL;
        if (vireo_session_get_console(s, &console, &err) < 0) {
            r = cli_api_error(err, "ISession.console", NULL);
        } else {
            vireo_proxy *c = cli_proxy(ctx, console);
            r = console_action(ctx, c, act);
            vireo_proxy_unref(c);
        }
        vireo_proxy_unref(s);
        cli_unlock(ctx, session);
    }
    free(console);
    free(session);
    free(path);
    return r;
}

static int run_controlvm(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    cli_args a;
    int r = cli_command_parse(cmd, argc, argv, 2, 2, &a);
    if (r >= 0)
        return r;
    size_t k = 0;
    while (k < 6 && strcmp(a.positional[1], action_names[k]) != 0)
        k++;
    if (k == 6)
        r = cli_usage_error(cmd,
                            "unknown action '%s' (poweroff, pause, resume, reset, "
                            "acpipowerbutton, savestate)",
                            a.positional[1]);
    else
        r = cli_connect(ctx);
    if (r == 0)
        r = control(ctx, a.positional[0], (action)k);
    cli_args_free(&a);
    return r;
}

const cli_command cli_cmd_controlvm = {
    .name = "controlvm",
    .run = run_controlvm,
    .synopsis = "controlvm VM poweroff|pause|resume|reset|acpipowerbutton|savestate",
    .summary = "Control a running machine. poweroff and savestate wait for the operation (with\n"
               "progress on a terminal).",
    .options = NULL,
};

static int run_discardstate(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    cli_args a;
    int r = cli_command_parse(cmd, argc, argv, 1, 1, &a);
    if (r >= 0)
        return r;
    char *path = NULL;
    r = cli_connect(ctx);
    if (!r)
        r = cli_find_machine(ctx, a.positional[0], &path);
    if (!r) {
        vireo_proxy *m = cli_proxy(ctx, path);
        vireo_error *err = NULL;
        if (vireo_machine_call_discard_saved_state(m, &err) < 0)
            r = cli_api_error(err, "IMachine.discardSavedState", NULL);
        vireo_proxy_unref(m);
    }
    free(path);
    cli_args_free(&a);
    return r;
}

const cli_command cli_cmd_discardstate = {
    .name = "discardstate",
    .run = run_discardstate,
    .synopsis = "discardstate VM",
    .summary = "Throw away a Saved machine's saved state: it becomes PoweredOff.",
    .options = NULL,
};
