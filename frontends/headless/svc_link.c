/* vireo-headless --machine UUID: the service's side of the VM process.
 *
 * Started by vireo-svc's launchVMProcess with VIREO_VM_LOG_FD (becomes stdout and stderr,
 * the machine's Logs/VM.log) and VIREO_VM_STATUS_FD (a pipe to the service, one line per
 * event: "running", "error <message>", "poweredoff"). Connects to the session bus, takes the
 * VM lock on the machine, reads its settings through the generated proxies, builds and runs
 * the machine. SIGTERM (the service's powerDown) stops the guest; the process exits 0. */
#include "frontends/headless/svc_link.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "idl/vireo.h"
#include "vmm/pc/pc.h"

#define ME "vireo-headless"

static int status_fd = -1;
static pc *running;

/* One status line to the service (and the log). */
static void report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void report(const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n > sizeof(line) - 2)
        n = sizeof(line) - 2;
    for (int i = 0; i < n; i++)
        if (line[i] == '\n')
            line[i] = ' ';
    line[n++] = '\n';
    fprintf(stderr, ME ": %.*s", n, line);
    if (status_fd >= 0 && write(status_fd, line, (size_t)n) < 0)
        status_fd = -1; /* the service is gone; run on */
}

static int env_fd(const char *name)
{
    const char *s = getenv(name);
    char *end;
    long v = s ? strtol(s, &end, 10) : -1;
    return s && *s && !*end && v > 2 && v < 65536 ? (int)v : -1;
}

static void on_signal(int sig)
{
    if (running)
        pc_request_stop(running);
}

static void log_stderr(void *opaque, const char *text, size_t len)
{
    fwrite(text, 1, len, stderr);
}

/* The strings the config points to. */
struct settings {
    char *kernel, *initrd, *cmdline, *bios;
};

static void settings_free(struct settings *s)
{
    free(s->kernel);
    free(s->initrd);
    free(s->cmdline);
    free(s->bios);
}

static int api_fail(vireo_error *err, const char *what)
{
    report("error %s: %s", what, err ? err->message : "failed");
    vireo_error_free(err);
    return -1;
}

static int serial_spec(vireo_bus *bus, vireo_proxy *m, unsigned slot, pc_serial_spec *ret)
{
    vireo_error *err = NULL;
    char *path = NULL, *host = NULL;
    if (vireo_machine_call_get_serial_port(m, slot, &path, &err) < 0)
        return api_fail(err, "IMachine.getSerialPort");
    vireo_proxy *sp = vireo_proxy_new(bus, VIREO_BUS_NAME, path);
    free(path);
    bool enabled = false, server = true;
    vireo_port_mode mode = VIREO_PORT_MODE_DISCONNECTED;
    uint16_t port = 0;
    int r = -1;
    if (!sp || vireo_serial_port_get_enabled(sp, &enabled, &err) < 0 ||
        vireo_serial_port_get_mode(sp, &mode, &err) < 0 ||
        vireo_serial_port_get_path(sp, &host, &err) < 0 ||
        vireo_serial_port_get_server(sp, &server, &err) < 0 ||
        vireo_serial_port_get_port(sp, &port, &err) < 0) {
        api_fail(err, "ISerialPort");
        goto out;
    }
    memset(ret, 0, sizeof(*ret));
    ret->kind = PC_SERIAL_NONE;
    r = 0;
    if (!enabled)
        goto out;
    switch (mode) {
    case VIREO_PORT_MODE_FILE:
    case VIREO_PORT_MODE_UNIX_SOCKET:
        if (mode == VIREO_PORT_MODE_UNIX_SOCKET && !server) {
            report("error serial port %u: connecting to a unix socket is not supported yet",
                   slot + 1);
            r = -1;
            break;
        }
        if (strlen(host) >= sizeof(ret->path)) {
            report("error serial port %u: path '%s' is too long", slot + 1, host);
            r = -1;
            break;
        }
        ret->kind = mode == VIREO_PORT_MODE_FILE ? PC_SERIAL_FILE : PC_SERIAL_UNIX;
        strcpy(ret->path, host);
        break;
    case VIREO_PORT_MODE_TCP_SERVER:
        ret->kind = PC_SERIAL_TCP;
        ret->port = port;
        break;
    case VIREO_PORT_MODE_PTY: ret->kind = PC_SERIAL_PTY; break;
    default: break; /* Disconnected; Stdio has no terminal here */
    }
out:
    free(host);
    vireo_proxy_unref(sp);
    return r;
}

static char *empty_null(char *s)
{
    if (s && !*s) {
        free(s);
        return NULL;
    }
    return s;
}

static int fetch(vireo_bus *bus, vireo_proxy *m, pc_config *cfg, struct settings *s)
{
    vireo_error *err = NULL;
    vireo_firmware_type fw = VIREO_FIRMWARE_TYPE_BIOS;
    if (vireo_machine_get_memory_size(m, &cfg->memory_mb, &err) < 0 ||
        vireo_machine_get_firmware_type(m, &fw, &err) < 0 ||
        vireo_machine_get_kernel_path(m, &s->kernel, &err) < 0 ||
        vireo_machine_get_initrd_path(m, &s->initrd, &err) < 0 ||
        vireo_machine_get_kernel_cmd_line(m, &s->cmdline, &err) < 0 ||
        vireo_machine_get_bios_path(m, &s->bios, &err) < 0)
        return api_fail(err, "IMachine settings");
    s->kernel = empty_null(s->kernel);
    s->initrd = empty_null(s->initrd);
    s->bios = empty_null(s->bios);
    if (fw == VIREO_FIRMWARE_TYPE_LINUX_KERNEL) {
        cfg->kernel = s->kernel;
        cfg->initrd = s->initrd;
        cfg->append = s->cmdline;
    } else if (fw == VIREO_FIRMWARE_TYPE_MULTIBOOT) {
        cfg->multiboot = s->kernel;
    } else {
        cfg->bios = s->bios;
    }
    for (unsigned i = 0; i < PC_SERIAL_PORTS; i++)
        if (serial_spec(bus, m, i, &cfg->serial[i]) < 0)
            return -1;
    return 0;
}

static int run(pc *m)
{
    for (int i = 0; i < PC_SERIAL_PORTS; i++)
        if (*pc_serial_path(m, i))
            fprintf(stderr, ME ": serial port %d is on %s\n", i + 1, pc_serial_path(m, i));
    running = m;
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    report("running");
    pc_result res;
    char err[1024];
    int r = pc_run(m, &res, err, sizeof(err));
    running = NULL;
    if (r < 0) {
        fprintf(stderr, ME ": error: %s\n", err);
        return 1;
    }
    fprintf(stderr, ME ": the machine stopped (reason %d)\n", (int)res.reason);
    report("poweredoff");
    return 0;
}

int headless_svc_main(int argc, char **argv)
{
    if (argc != 3 || strcmp(argv[1], "--machine") != 0) {
        fprintf(stderr, ME ": error: usage: " ME " --machine UUID\n");
        return 2;
    }
    int log_fd = env_fd("VIREO_VM_LOG_FD");
    if (log_fd >= 0) {
        dup2(log_fd, STDOUT_FILENO);
        dup2(log_fd, STDERR_FILENO);
        close(log_fd);
    }
    setvbuf(stderr, NULL, _IOLBF, 0);
    status_fd = env_fd("VIREO_VM_STATUS_FD");
    fprintf(stderr, ME ": machine %s, pid %d\n", argv[2], (int)getpid());

    vireo_error *err = NULL;
    vireo_bus *bus = vireo_bus_open_session(&err);
    if (!bus)
        return api_fail(err, "cannot connect to the session bus"), 1;
    char *mpath = vireo_path_for_uuid(VIREO_ROOT_PATH, VIREO_MACHINE_COLLECTION, argv[2]);
    vireo_proxy *m = mpath ? vireo_proxy_new(bus, VIREO_BUS_NAME, mpath) : NULL;
    char *session = NULL;
    struct settings s = {0};
    pc_config cfg = {.log = log_stderr};
    pc *vm = NULL;
    int status = 1;
    if (!m)
        report("error machine '%s': bad uuid or out of memory", argv[2]);
    else if (vireo_machine_call_lock_machine(m, VIREO_LOCK_TYPE_VM, 0, &session, &err) < 0)
        api_fail(err, "IMachine.lockMachine(VM)");
    else if (fetch(bus, m, &cfg, &s) == 0) {
        char msg[1024];
        vm = pc_new(&cfg, msg, sizeof(msg));
        if (!vm)
            report("error %s", msg);
        else
            status = run(vm);
    }
    pc_free(vm);
    settings_free(&s);
    free(session);
    vireo_proxy_unref(m);
    free(mpath);
    vireo_bus_unref(bus);
    return status;
}
