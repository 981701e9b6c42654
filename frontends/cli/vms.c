/* createvm, registervm, unregistervm: machines entering and leaving the registry. */
#include "frontends/cli/output.h"
#include "frontends/cli/cli.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { OPT_NAME = 1, OPT_OSTYPE, OPT_BASEFOLDER, OPT_REGISTER, OPT_JSON, OPT_DELETE };

/* Paths given to the API must be absolute: the service has its own working directory. */
static char *absolute(const char *p)
{
    if (p[0] == '/')
        return strdup(p);
    char cwd[PATH_MAX];
    char *out = NULL;
    if (!getcwd(cwd, sizeof(cwd)) || asprintf(&out, "%s/%s", cwd, p) < 0)
        return NULL;
    return out;
}

static const cli_option createvm_options[] = {
    {"--name", OPT_NAME, 1, 0, NULL, "NAME", "the machine's name (required)"},
    {"--ostype", OPT_OSTYPE, 1, 0, NULL, "TYPE", "guest OS type (see list ostypes)"},
    {"--basefolder", OPT_BASEFOLDER, 1, 0, NULL, "DIR",
     "create DIR/NAME/NAME.vireo (default: the machine folder)"},
    {"--register", OPT_REGISTER, 0, 0, NULL, NULL, "register the machine at once"},
    {"--json", OPT_JSON, 0, 0, NULL, NULL, "print the result as JSON"},
    {NULL},
};

static int create_and_save(cli_ctx *ctx, const char *settings, const char *name, const char *ostype,
                           bool reg, char **ret_path)
{
    vireo_error *err = NULL;
    char *path = NULL;
    if (vireo_vireo_call_create_machine(ctx->root, settings, name, ostype, &path, &err) < 0)
        return cli_api_error(err, "IVireo.createMachine", "cannot create machine '%s'", name);
    int r = 0;
    if (reg) {
        if (vireo_vireo_call_register_machine(ctx->root, path, &err) < 0)
            r = cli_api_error(err, "IVireo.registerMachine", "cannot register machine '%s'", name);
    } else {
        vireo_proxy *m = cli_proxy(ctx, path);
        if (vireo_machine_call_save_settings(m, &err) < 0)
            r = cli_api_error(err, "IMachine.saveSettings", "cannot save machine '%s'", name);
        vireo_proxy_unref(m);
    }
    if (r)
        free(path);
    else
        *ret_path = path;
    return r;
}

static void print_created(const char *name, const char *uuid, const char *file, bool reg, bool json)
{
    if (!json) {
        printf("Virtual machine '%s' is created%s.\nUUID: %s\nSettings file: '%s'\n", name,
               reg ? " and registered" : "", uuid, file);
        return;
    }
    cli_json w;
    cli_json_init(&w, stdout);
    cli_json_begin_object(&w);
    cli_json_kv_string(&w, "name", name);
    cli_json_kv_string(&w, "uuid", uuid);
    cli_json_kv_string(&w, "settingsFile", file);
    cli_json_kv_bool(&w, "registered", reg);
    cli_json_end_object(&w);
    cli_json_finish(&w);
}

static int run_createvm(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    cli_args a;
    int r = cli_command_parse(cmd, argc, argv, 0, 0, &a);
    if (r >= 0)
        return r;
    const cli_arg *name = cli_args_find(&a, OPT_NAME), *os = cli_args_find(&a, OPT_OSTYPE);
    const cli_arg *base = cli_args_find(&a, OPT_BASEFOLDER);
    bool reg = cli_args_find(&a, OPT_REGISTER), json = cli_args_find(&a, OPT_JSON);
    char *settings = NULL, *path = NULL;
    if (!name) {
        cli_args_free(&a);
        return cli_usage_error(cmd, "--name is required");
    }
    if (base) {
        char *dir = absolute(base->values[0]);
        if (!dir ||
            asprintf(&settings, "%s/%s/%s.vireo", dir, name->values[0], name->values[0]) < 0)
            settings = NULL;
        free(dir);
        if (!settings)
            r = cli_error("out of memory");
    }
    if (r < 0)
        r = cli_connect(ctx);
    if (r == 0)
        r = create_and_save(ctx, settings ? settings : "", name->values[0], os ? os->values[0] : "",
                            reg, &path);
    if (r == 0) {
        vireo_proxy *m = cli_proxy(ctx, path);
        char *uuid = NULL, *file = NULL;
        vireo_error *err = NULL;
        if (vireo_machine_get_id(m, &uuid, &err) < 0 ||
            vireo_machine_get_settings_file_path(m, &file, &err) < 0)
            r = cli_api_error(err, "IMachine.id/settingsFilePath", NULL);
        else
            print_created(name->values[0], uuid, file, reg, json);
        free(uuid);
        free(file);
        vireo_proxy_unref(m);
    }
    free(path);
    free(settings);
    cli_args_free(&a);
    return r;
}

const cli_command cli_cmd_createvm = {
    .name = "createvm",
    .run = run_createvm,
    .synopsis = "createvm --name NAME [--ostype TYPE] [--basefolder DIR] [--register] [--json]",
    .summary = "Create a machine with the defaults of its OS type and write its settings file;\n"
               "--register also adds it to the registry.",
    .options = createvm_options,
};

static int run_registervm(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    cli_args a;
    int r = cli_command_parse(cmd, argc, argv, 1, 1, &a);
    if (r >= 0)
        return r;
    char *file = absolute(a.positional[0]), *path = NULL;
    vireo_error *err = NULL;
    r = file ? cli_connect(ctx) : cli_error("out of memory");
    if (r == 0 && vireo_vireo_call_open_machine(ctx->root, file, &path, &err) < 0)
        r = cli_api_error(err, "IVireo.openMachine", "cannot open '%s'", file);
    if (r == 0 && vireo_vireo_call_register_machine(ctx->root, path, &err) < 0)
        r = cli_api_error(err, "IVireo.registerMachine", "cannot register '%s'", file);
    free(path);
    free(file);
    cli_args_free(&a);
    return r;
}

const cli_command cli_cmd_registervm = {
    .name = "registervm",
    .run = run_registervm,
    .synopsis = "registervm FILE",
    .summary = "Register the machine described by the settings file FILE (NAME.vireo).",
    .options = NULL,
};

static const cli_option unregistervm_options[] = {
    {"--delete", OPT_DELETE, 0, 0, NULL, NULL,
     "also delete the settings file, logs, saved state and hard disks"},
    {NULL},
};

static int delete_files(cli_ctx *ctx, const char *vm, const char *path, char **media, size_t n)
{
    vireo_proxy *m = cli_proxy(ctx, path);
    vireo_error *err = NULL;
    char *progress = NULL;
    int r = 0;
    if (vireo_machine_call_delete_config(m, (const char *const *)media, n, &progress, &err) < 0)
        r = cli_api_error(err, "IMachine.deleteConfig",
                          "'%s' is unregistered, but its files were not deleted", vm);
    else
        r = cli_progress_wait(ctx, progress, "IMachine.deleteConfig");
    free(progress);
    vireo_proxy_unref(m);
    return r;
}

static int run_unregistervm(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    cli_args a;
    int r = cli_command_parse(cmd, argc, argv, 1, 1, &a);
    if (r >= 0)
        return r;
    bool del = cli_args_find(&a, OPT_DELETE);
    char *path = NULL, **media = NULL;
    size_t n = 0;
    r = cli_connect(ctx);
    if (r == 0)
        r = cli_find_machine(ctx, a.positional[0], &path);
    if (r == 0) {
        vireo_proxy *m = cli_proxy(ctx, path);
        vireo_error *err = NULL;
        vireo_cleanup_mode mode = del ? VIREO_CLEANUP_MODE_DETACH_ALL_RETURN_HARD_DISKS_ONLY
                                      : VIREO_CLEANUP_MODE_DETACH_ALL_RETURN_NONE;
        if (vireo_machine_call_unregister(m, mode, &media, &n, &err) < 0)
            r = cli_api_error(err, "IMachine.unregister", "cannot unregister '%s'",
                              a.positional[0]);
        vireo_proxy_unref(m);
    }
    if (r == 0 && del)
        r = delete_files(ctx, a.positional[0], path, media, n);
    vireo_strv_free(media, n);
    free(path);
    cli_args_free(&a);
    return r;
}

const cli_command cli_cmd_unregistervm = {
    .name = "unregistervm",
    .run = run_unregistervm,
    .synopsis = "unregistervm VM [--delete]",
    .summary = "Remove a machine from the registry; its files stay unless --delete is given.",
    .options = unregistervm_options,
};
