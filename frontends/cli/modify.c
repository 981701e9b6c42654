/* modifyvm VM --option value ...: every option is checked first, then applied in order to
 * the mutable copy of a Write session and committed with one saveSettings. */
#include "frontends/cli/values.h"
#include "frontends/cli/cli.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
    OPT_NAME = 1,
    OPT_OSTYPE,
    OPT_DESCRIPTION,
    OPT_MEMORY,
    OPT_CPUS,
    OPT_VRAM,
    OPT_BOOT,
    OPT_FIRMWARE,
    OPT_BIOS,
    OPT_KERNEL,
    OPT_INITRD,
    OPT_CMDLINE,
    OPT_VNC,
    OPT_VNC_PORT,
    OPT_VNC_ADDRESS,
    OPT_VNC_PASSWORD,
    OPT_UART,
    OPT_UART_MODE,
};

static const cli_option modify_options[] = {
    {"--name", OPT_NAME, 1, 0, NULL, "NAME", "rename the machine"},
    {"--ostype", OPT_OSTYPE, 1, 0, NULL, "TYPE", "guest OS type (see list ostypes)"},
    {"--description", OPT_DESCRIPTION, 1, 0, NULL, "TEXT", "free text"},
    {"--memory", OPT_MEMORY, 1, 0, NULL, "MB", "guest RAM in MiB"},
    {"--cpus", OPT_CPUS, 1, 0, NULL, "N", "number of virtual CPUs"},
    {"--vram", OPT_VRAM, 1, 0, NULL, "MB", "video memory in MiB"},
    {"--boot", OPT_BOOT, 1, 4, NULL, "none|disk|dvd", "boot order position N (1-4)"},
    {"--firmware", OPT_FIRMWARE, 1, 0, NULL, "bios|kernel|multiboot",
     "BIOS, or direct kernel boot"},
    {"--bios", OPT_BIOS, 1, 0, NULL, "PATH", "BIOS image (empty: the default)"},
    {"--kernel", OPT_KERNEL, 1, 0, NULL, "PATH", "kernel for --firmware kernel|multiboot"},
    {"--initrd", OPT_INITRD, 1, 0, NULL, "PATH", "initial ramdisk (empty: none)"},
    {"--cmdline", OPT_CMDLINE, 1, 0, NULL, "TEXT", "kernel command line"},
    {"--vnc", OPT_VNC, 1, 0, NULL, "on|off", "VNC server of the running machine"},
    {"--vnc-port", OPT_VNC_PORT, 1, 0, NULL, "PORT", "VNC TCP port (0: pick a free one)"},
    {"--vnc-address", OPT_VNC_ADDRESS, 1, 0, NULL, "ADDR", "address the VNC server listens on"},
    {"--vnc-password", OPT_VNC_PASSWORD, 1, 0, NULL, "PW", "1-8 characters (empty: none)"},
    {"--uart", OPT_UART, 1, 4, cli_uart_arity, "off|IOBASE IRQ", "serial port N (1-4)"},
    {"--uart-mode", OPT_UART_MODE, 1, 4, cli_uart_mode_arity,
     "disconnected|file P|server P|client P|tcpserver PORT|pty", "what serial port N connects to"},
    {NULL},
};

/* One checked change. */
typedef struct change {
    const cli_arg *arg;
    uint32_t num;
    bool flag;
    char *path; /* absolute form of a path value (owned) */
    cli_uart_spec uart;
    cli_uart_mode_spec mode;
} change;

static char *absolute_or_empty(const char *p)
{
    if (!p[0] || p[0] == '/')
        return strdup(p);
    char cwd[PATH_MAX], *out = NULL;
    if (!getcwd(cwd, sizeof(cwd)) || asprintf(&out, "%s/%s", cwd, p) < 0)
        return NULL;
    return out;
}

/* Check one option's value; 0 or -1 with `err`. */
static int check(change *c, char *err, size_t n)
{
    const cli_arg *a = c->arg;
    const char *v = a->values[0];
    switch (a->opt->id) {
    case OPT_MEMORY: return cli_value_u32("--memory", v, 1, UINT32_MAX, &c->num, err, n);
    case OPT_CPUS: return cli_value_u32("--cpus", v, 1, UINT32_MAX, &c->num, err, n);
    case OPT_VRAM: return cli_value_u32("--vram", v, 0, UINT32_MAX, &c->num, err, n);
    case OPT_VNC_PORT: return cli_value_u32("--vnc-port", v, 0, 65535, &c->num, err, n);
    case OPT_VNC: return cli_value_bool("--vnc", v, &c->flag, err, n);
    case OPT_BOOT: return cli_value_boot_device(v, &c->num, err, n);
    case OPT_FIRMWARE: return cli_value_firmware(v, &c->num, err, n);
    case OPT_UART: return cli_value_uart(a->values, a->n_values, &c->uart, err, n);
    case OPT_UART_MODE:
        if (cli_value_uart_mode(a->values, a->n_values, &c->mode, err, n) < 0)
            return -1;
        if (c->mode.path && !(c->path = absolute_or_empty(c->mode.path)))
            return snprintf(err, n, "out of memory"), -1;
        c->mode.path = c->path;
        return 0;
    case OPT_BIOS:
    case OPT_KERNEL:
    case OPT_INITRD:
        if (!(c->path = absolute_or_empty(v)))
            return snprintf(err, n, "out of memory"), -1;
        return 0;
    default: return 0;
    }
}

#define SET(call, member, ...)                                                                     \
    (call(m, __VA_ARGS__, &err) < 0 ? cli_api_error(err, member " (set)", NULL) : 0)

/* All --bootN options make one new boot order, set once: applied one by one, a
 * reordering such as "--boot1 disk --boot2 none" would pass through an order with a device
 * twice, which the service refuses. */
static int apply_boot(vireo_proxy *m, const change *changes, size_t n)
{
    vireo_error *err = NULL;
    vireo_boot_device *cur = NULL, slots[4] = {0}, out[4];
    size_t n_cur = 0, k = 0;
    if (vireo_machine_get_boot_order(m, &cur, &n_cur, &err) < 0)
        return cli_api_error(err, "IMachine.bootOrder", NULL);
    for (size_t i = 0; i < n_cur && i < 4; i++)
        slots[i] = cur[i];
    free(cur);
    for (size_t i = 0; i < n; i++)
        if (changes[i].arg->opt->id == OPT_BOOT)
            slots[changes[i].arg->index - 1] = (vireo_boot_device)changes[i].num;
    for (size_t i = 0; i < 4; i++) /* "none" leaves a gap the API does not have */
        if (slots[i])
            out[k++] = slots[i];
    return SET(vireo_machine_set_boot_order, "IMachine.bootOrder", out, k);
}

static int serial_proxy(cli_ctx *ctx, vireo_proxy *m, int index, vireo_proxy **ret)
{
    vireo_error *err = NULL;
    char *path = NULL;
    if (vireo_machine_call_get_serial_port(m, (uint32_t)index - 1, &path, &err) < 0)
        return cli_api_error(err, "IMachine.getSerialPort", NULL);
    *ret = cli_proxy(ctx, path);
    free(path);
    return 0;
}

static int apply_uart(cli_ctx *ctx, vireo_proxy *machine, const change *c)
{
    vireo_proxy *m;
    int r = serial_proxy(ctx, machine, c->arg->index, &m);
    if (r)
        return r;
    vireo_error *err = NULL;
    if (c->uart.enabled) {
        r = SET(vireo_serial_port_set_io_base, "ISerialPort.IOBase", c->uart.io_base);
        if (!r)
            r = SET(vireo_serial_port_set_irq, "ISerialPort.IRQ", c->uart.irq);
    }
    if (!r)
        r = SET(vireo_serial_port_set_enabled, "ISerialPort.enabled", c->uart.enabled);
    vireo_proxy_unref(m);
    return r;
}

static int apply_uart_mode(cli_ctx *ctx, vireo_proxy *machine, const change *c)
{
    vireo_proxy *m;
    int r = serial_proxy(ctx, machine, c->arg->index, &m);
    if (r)
        return r;
    vireo_error *err = NULL;
    const cli_uart_mode_spec *s = &c->mode;
    if (s->mode == VIREO_PORT_MODE_FILE || s->mode == VIREO_PORT_MODE_UNIX_SOCKET)
        r = SET(vireo_serial_port_set_path, "ISerialPort.path", s->path);
    if (!r && s->mode == VIREO_PORT_MODE_UNIX_SOCKET)
        r = SET(vireo_serial_port_set_server, "ISerialPort.server", s->server);
    if (!r && s->mode == VIREO_PORT_MODE_TCP_SERVER)
        r = SET(vireo_serial_port_set_port, "ISerialPort.port", s->port);
    if (!r)
        r = SET(vireo_serial_port_set_mode, "ISerialPort.mode", (vireo_port_mode)s->mode);
    vireo_proxy_unref(m);
    return r;
}

static int apply(cli_ctx *ctx, vireo_proxy *m, const change *c)
{
    vireo_error *err = NULL;
    const char *v = c->arg->values[0];
    switch (c->arg->opt->id) {
    case OPT_NAME: return SET(vireo_machine_set_name, "IMachine.name", v);
    case OPT_OSTYPE: return SET(vireo_machine_set_os_type_id, "IMachine.OSTypeId", v);
    case OPT_DESCRIPTION: return SET(vireo_machine_set_description, "IMachine.description", v);
    case OPT_MEMORY: return SET(vireo_machine_set_memory_size, "IMachine.memorySize", c->num);
    case OPT_CPUS: return SET(vireo_machine_set_cpu_count, "IMachine.CPUCount", c->num);
    case OPT_VRAM: return SET(vireo_machine_set_vram_size, "IMachine.VRAMSize", c->num);
    case OPT_BOOT: return 0; /* all at once, see apply_boot() */
    case OPT_FIRMWARE:
        return SET(vireo_machine_set_firmware_type, "IMachine.firmwareType",
                   (vireo_firmware_type)c->num);
    case OPT_BIOS: return SET(vireo_machine_set_bios_path, "IMachine.BIOSPath", c->path);
    case OPT_KERNEL: return SET(vireo_machine_set_kernel_path, "IMachine.kernelPath", c->path);
    case OPT_INITRD: return SET(vireo_machine_set_initrd_path, "IMachine.initrdPath", c->path);
    case OPT_CMDLINE: return SET(vireo_machine_set_kernel_cmd_line, "IMachine.kernelCmdLine", v);
    case OPT_VNC: return SET(vireo_machine_set_vnc_enabled, "IMachine.VNCEnabled", c->flag);
    case OPT_VNC_PORT: return SET(vireo_machine_set_vnc_port, "IMachine.VNCPort", (uint16_t)c->num);
    case OPT_VNC_ADDRESS: return SET(vireo_machine_set_vnc_address, "IMachine.VNCAddress", v);
    case OPT_VNC_PASSWORD:
        return vireo_machine_call_set_vnc_password(m, v, &err) < 0
                   ? cli_api_error(err, "IMachine.setVNCPassword", NULL)
                   : 0;
    case OPT_UART: return apply_uart(ctx, m, c);
    case OPT_UART_MODE: return apply_uart_mode(ctx, m, c);
    default: return cli_error("internal: option %s has no handler", c->arg->opt->name);
    }
}

/* Lock, apply every change, commit; the lock is released in every case. */
static int modify(cli_ctx *ctx, const char *vm, const change *changes, size_t n)
{
    char *path = NULL, *session = NULL, *copy = NULL;
    int r = cli_find_machine(ctx, vm, &path);
    if (!r)
        r = cli_lock_machine(ctx, path, VIREO_LOCK_TYPE_WRITE, vm, &session, &copy);
    free(path);
    if (r)
        return r;
    vireo_proxy *m = cli_proxy(ctx, copy);
    bool boot_done = false;
    for (size_t i = 0; i < n && !r; i++) {
        if (changes[i].arg->opt->id == OPT_BOOT && !boot_done) {
            r = apply_boot(m, changes, n);
            boot_done = true;
        }
        if (!r)
            r = apply(ctx, m, &changes[i]);
    }
    vireo_error *err = NULL;
    if (!r && vireo_machine_call_save_settings(m, &err) < 0)
        r = cli_api_error(err, "IMachine.saveSettings", "cannot save the settings of '%s'", vm);
    if (r)
        vireo_machine_call_discard_settings(m, NULL);
    vireo_proxy_unref(m);
    cli_unlock(ctx, session);
    free(session);
    free(copy);
    return r;
}

static int run_modifyvm(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    cli_args a;
    int r = cli_command_parse(cmd, argc, argv, 1, 1, &a);
    if (r >= 0)
        return r;
    change *changes = calloc(a.n_opts ? a.n_opts : 1, sizeof(*changes));
    char err[256];
    r = changes ? -1 : cli_error("out of memory");
    if (r < 0 && a.n_opts == 0)
        r = cli_usage_error(cmd, "nothing to change: give at least one option");
    for (size_t i = 0; r < 0 && i < a.n_opts; i++) {
        changes[i].arg = &a.opts[i];
        if (check(&changes[i], err, sizeof(err)) < 0)
            r = cli_usage_error(cmd, "%s", err);
    }
    if (r < 0)
        r = cli_connect(ctx);
    if (r == 0)
        r = modify(ctx, a.positional[0], changes, a.n_opts);
    for (size_t i = 0; changes && i < a.n_opts; i++)
        free(changes[i].path);
    free(changes);
    cli_args_free(&a);
    return r;
}

const cli_command cli_cmd_modifyvm = {
    .name = "modifyvm",
    .run = run_modifyvm,
    .synopsis = "modifyvm VM [--name NAME] [--memory MB] [--cpus N] [--bootN none|disk|dvd] ...",
    .summary = "Change a machine's settings. The machine must not be running; the changes are\n"
               "checked and saved together (nothing is changed if one fails). Paths may be\n"
               "relative to the current directory.",
    .options = modify_options,
};
