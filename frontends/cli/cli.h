/* Shared declarations of the `vireo` command line: the context every command gets, the
 * command table entry, and the helpers that print errors the one documented way
 * ("vireo: error: ..." plus a "vireo: detail: ..." line naming the API call). */
#ifndef VIREO_CLI_CLI_H
#define VIREO_CLI_CLI_H
#include <stdbool.h>

#include "frontends/cli/opts.h"
#include "idl/vireo.h"

/* Exit codes (docs/cli.md). */
#define CLI_EXIT_OK      0
#define CLI_EXIT_FAILURE 1
#define CLI_EXIT_USAGE   2

typedef struct cli_ctx {
    vireo_bus *bus;    /* NULL until cli_connect() */
    vireo_proxy *root; /* IVireo */
} cli_ctx;

typedef struct cli_command {
    const char *name;
    int (*run)(cli_ctx *ctx, const struct cli_command *cmd, int argc, char **argv);
    const char *synopsis; /* lines after "vireo " */
    const char *summary;
    const cli_option *options; /* terminated by {NULL}; may be NULL */
} cli_command;

extern const cli_command cli_cmd_list, cli_cmd_createvm, cli_cmd_registervm, cli_cmd_unregistervm,
    cli_cmd_modifyvm, cli_cmd_showvminfo, cli_cmd_startvm, cli_cmd_controlvm, cli_cmd_discardstate,
    cli_cmd_setproperty;

/* Parse a command's arguments with its option table. Returns -1 when parsed (go on), or an
 * exit code to return at once: CLI_EXIT_OK after printing --help, CLI_EXIT_USAGE after a
 * usage error. min_pos..max_pos bounds the count of positional arguments. */
int cli_command_parse(const cli_command *cmd, int argc, char **argv, size_t min_pos, size_t max_pos,
                      cli_args *ret);
void cli_command_help(const cli_command *cmd, FILE *f);

/* Errors. Each prints to stderr and returns the exit code to use. */
int cli_usage_error(const cli_command *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* An API call failed: "vireo: error: [context: ]message" then "vireo: detail: CALL failed
 * with NAME". Frees `err`. */
int cli_api_error(vireo_error *err, const char *call, const char *ctx_fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Connect to the session bus and make sure the service runs (D-Bus activation, else start
 * vireo-svc ourselves). Returns 0 or an exit code after printing the error. */
int cli_connect(cli_ctx *ctx);
void cli_disconnect(cli_ctx *ctx);

/* A proxy on the service for `path` (never NULL: aborts on out of memory). */
vireo_proxy *cli_proxy(cli_ctx *ctx, const char *path);

/* IVireo.findMachine, with the error printed. Returns 0 or an exit code. */
int cli_find_machine(cli_ctx *ctx, const char *name_or_id, char **ret_path);

/* Follow an IProgress to its end: percentage on a terminal (stderr), Ctrl-C cancels when
 * cancelable. `call` names the API call that returned it (for the error detail). Returns 0
 * or an exit code after printing the error. */
int cli_progress_wait(cli_ctx *ctx, const char *progress_path, const char *call);

/* Session helpers: lock a machine and return the session and its machine's paths. */
int cli_lock_machine(cli_ctx *ctx, const char *machine_path, vireo_lock_type type,
                     const char *vm_name, char **ret_session, char **ret_session_machine);
void cli_unlock(cli_ctx *ctx, const char *session_path);

/* Whether machine state `s` has a VM process (the "running" VMs of list runningvms). */
bool cli_state_has_process(uint32_t s);
#endif
