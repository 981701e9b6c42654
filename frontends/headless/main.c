/* vireo-headless: the VM process. Standalone (development) use:
 *   vireo-headless --kernel K [--initrd I] [--append "..."] [--memory MiB]
 *                  [--serial stdio|file:P|pty|unix:P|tcp:PORT|none]... [--bios P]
 *                  [--multiboot P] [--no-reboot] [--hda DISK] [--cdrom ISO] [--boot c|d|n]
 *                  [--vnc PORT|auto] [--vnc-password-file FILE] [--gdb PORT|-s] [--gdb-wait]
 * Everything is checked before the machine starts; a bad option or file is reported with
 * its reason and exit status 2 (usage) or 1 (a file or machine error).
 * Exit status after a run: 0 when the guest powered off or was stopped by a signal, the
 * guest's value for the debug exit port (0xF4), 3 when a guest reset ended a --no-reboot run. */
#include <errno.h>
#include <stdbool.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frontends/headless/svc_link.h"
#include "frontends/vnc/vnc.h"
#include "vmm/pc/pc.h"

#define EXIT_USAGE        2
#define EXIT_RESET        3
#define DEFAULT_MEMORY_MB 128
#define VNC_PASSWORD_MAX  256

/* The VNC server's settings from the command line. */
typedef struct vnc_setup {
    bool enabled;
    int port;                        /* 0: auto, the first free in 5900-5999 */
    char password[VNC_PASSWORD_MAX]; /* "" for none; wiped after the server copied it */
} vnc_setup;

static pc *running;

static void usage(FILE *f)
{
    fprintf(f,
            "usage: vireo-headless [options]\n"
            "  --kernel FILE      boot this Linux bzImage directly\n"
            "  --initrd FILE      initial ramdisk for --kernel\n"
            "  --append TEXT      kernel command line for --kernel\n"
            "  --multiboot FILE   boot this Multiboot kernel\n"
            "  --bios FILE        BIOS image (default /usr/share/seabios/bios.bin when no\n"
            "                     kernel is given)\n"
            "  --memory MIB       guest RAM in MiB (default %d, %u to %u)\n"
            "  --serial SPEC      next serial port (COM1 first): none, stdio, file:PATH, pty,\n"
            "                     unix:PATH (listening socket), tcp:PORT (127.0.0.1)\n"
            "  --hda FILE         hard disk image (raw or VDI) on the primary IDE master\n"
            "  --cdrom FILE       ISO image in the CD-ROM drive (secondary IDE master)\n"
            "  --boot ORDER       BIOS boot order: c (disk), d (CD-ROM), n; default cd\n"
            "  --vnc PORT|auto    show the screen over VNC on 127.0.0.1:PORT (auto: the first\n"
            "                     free port in 5900-5999)\n"
            "  --vnc-password-file FILE  VNC password: the file's first line (8 chars used)\n"
            "  --no-reboot        exit when the guest resets instead of rebooting it\n"
            "  --debugcon         print the guest's debug port output (0x402, 0xE9) on stderr\n"
            "  --gdb PORT         GDB remote stub on 127.0.0.1:PORT (gdb: target remote :PORT)\n"
            "  -s                 the same as --gdb 1234\n"
            "  --gdb-wait         with --gdb: keep the CPU stopped until gdb attaches\n"
            "  --help             this text\n",
            DEFAULT_MEMORY_MB, PC_MEM_MIN_MB, PC_MEM_MAX_MB);
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

static int parse_memory(const char *s, uint32_t *ret)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v > UINT32_MAX)
        return -1;
    *ret = (uint32_t)v;
    return 0;
}

static int parse_vnc_port(const char *s, int *ret)
{
    if (!strcmp(s, "auto")) {
        *ret = 0;
        return 0;
    }
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < 1 || v > 65535)
        return -1;
    *ret = (int)v;
    return 0;
}

/* The first line of the file, without its newline. Never echoes the contents. */
static int read_password(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "vireo-headless: error: --vnc-password-file '%s': %s\n", path,
                strerror(errno));
        return -1;
    }
    if (!fgets(buf, (int)size, f))
        buf[0] = 0;
    fclose(f);
    buf[strcspn(buf, "\r\n")] = 0;
    if (!buf[0]) {
        fprintf(stderr, "vireo-headless: error: --vnc-password-file '%s': no password in it\n",
                path);
        return -1;
    }
    return 0;
}

enum {
    OPT_KERNEL = 256,
    OPT_INITRD,
    OPT_APPEND,
    OPT_MEMORY,
    OPT_SERIAL,
    OPT_BIOS,
    OPT_MULTIBOOT,
    OPT_NO_REBOOT,
    OPT_DEBUGCON,
    OPT_HDA,
    OPT_CDROM,
    OPT_BOOT,
    OPT_VNC,
    OPT_VNC_PASSWORD_FILE,
    OPT_GDB,
    OPT_GDB_WAIT,
    OPT_HELP
};

static const struct option options[] = {
    {"kernel", required_argument, NULL, OPT_KERNEL},
    {"initrd", required_argument, NULL, OPT_INITRD},
    {"append", required_argument, NULL, OPT_APPEND},
    {"memory", required_argument, NULL, OPT_MEMORY},
    {"serial", required_argument, NULL, OPT_SERIAL},
    {"bios", required_argument, NULL, OPT_BIOS},
    {"multiboot", required_argument, NULL, OPT_MULTIBOOT},
    {"no-reboot", no_argument, NULL, OPT_NO_REBOOT},
    {"debugcon", no_argument, NULL, OPT_DEBUGCON},
    {"hda", required_argument, NULL, OPT_HDA},
    {"cdrom", required_argument, NULL, OPT_CDROM},
    {"boot", required_argument, NULL, OPT_BOOT},
    {"vnc", required_argument, NULL, OPT_VNC},
    {"vnc-password-file", required_argument, NULL, OPT_VNC_PASSWORD_FILE},
    {"gdb", required_argument, NULL, OPT_GDB},
    {"gdb-wait", no_argument, NULL, OPT_GDB_WAIT},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

/* Returns 0, or the exit status for a usage error (after printing it). */
static int parse_args(int argc, char **argv, pc_config *cfg, vnc_setup *vnc)
{
    int nserial = 0, opt;
    char err[512];
    const char *password_file = NULL;
    while ((opt = getopt_long(argc, argv, "s", options, NULL)) != -1) {
        switch (opt) {
        case OPT_KERNEL: cfg->kernel = optarg; break;
        case OPT_INITRD: cfg->initrd = optarg; break;
        case OPT_APPEND: cfg->append = optarg; break;
        case OPT_BIOS: cfg->bios = optarg; break;
        case OPT_MULTIBOOT: cfg->multiboot = optarg; break;
        case OPT_NO_REBOOT: cfg->no_reboot = true; break;
        case OPT_DEBUGCON: cfg->debugcon = true; break;
        case OPT_HDA: cfg->hda = optarg; break;
        case OPT_CDROM: cfg->cdrom = optarg; break;
        case OPT_VNC_PASSWORD_FILE: password_file = optarg; break;
        case OPT_GDB_WAIT: cfg->gdb_wait = true; break;
        case 's':
            cfg->gdb = true;
            cfg->gdb_port = 1234;
            break;
        case OPT_GDB: {
            int port;
            if (parse_vnc_port(optarg, &port) < 0 || port == 0) {
                fprintf(stderr, "vireo-headless: error: --gdb '%s': expected a port (1-65535)\n",
                        optarg);
                return EXIT_USAGE;
            }
            cfg->gdb = true;
            cfg->gdb_port = (uint16_t)port;
            break;
        }
        case OPT_HELP: usage(stdout); exit(0);
        case OPT_BOOT:
            if (pc_boot_order_check(optarg, err, sizeof(err)) < 0) {
                fprintf(stderr, "vireo-headless: error: --boot: %s\n", err);
                return EXIT_USAGE;
            }
            cfg->boot_order = optarg;
            break;
        case OPT_VNC:
            if (parse_vnc_port(optarg, &vnc->port) < 0) {
                fprintf(stderr,
                        "vireo-headless: error: --vnc '%s': expected a port (1-65535) or auto\n",
                        optarg);
                return EXIT_USAGE;
            }
            vnc->enabled = true;
            break;
        case OPT_MEMORY:
            if (parse_memory(optarg, &cfg->memory_mb) < 0) {
                fprintf(stderr, "vireo-headless: error: --memory '%s' is not a number of MiB\n",
                        optarg);
                return EXIT_USAGE;
            }
            break;
        case OPT_SERIAL:
            if (nserial == PC_SERIAL_PORTS) {
                fprintf(stderr, "vireo-headless: error: at most %d --serial ports\n",
                        PC_SERIAL_PORTS);
                return EXIT_USAGE;
            }
            if (pc_serial_parse(optarg, &cfg->serial[nserial++], err, sizeof(err)) < 0) {
                fprintf(stderr, "vireo-headless: error: --%s\n", err);
                return EXIT_USAGE;
            }
            break;
        default: usage(stderr); return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "vireo-headless: error: unexpected argument '%s'\n", argv[optind]);
        return EXIT_USAGE;
    }
    if (cfg->gdb_wait && !cfg->gdb) {
        fprintf(stderr, "vireo-headless: error: --gdb-wait needs --gdb or -s\n");
        return EXIT_USAGE;
    }
    if (password_file && !vnc->enabled) {
        fprintf(stderr, "vireo-headless: error: --vnc-password-file needs --vnc\n");
        return EXIT_USAGE;
    }
    if (password_file && read_password(password_file, vnc->password, sizeof(vnc->password)) < 0)
        return 1;
    return 0;
}

static int exit_status(const pc_result *res)
{
    switch (res->reason) {
    case PC_STOP_DEBUG_EXIT: return res->exit_code;
    case PC_STOP_RESET: return EXIT_RESET;
    case PC_STOP_POWEROFF:
    case PC_STOP_REQUEST: return 0;
    }
    return 1;
}

static void vnc_input_ready(void *opaque)
{
    vnc_server_dispatch_input(opaque);
}

/* Serve the machine's screen over VNC; keyboard and mouse go to its i8042. */
static vnc_server *start_vnc(pc *m, vnc_setup *setup)
{
    vnc_input in = {pc_put_scancode, pc_mouse_event, m};
    vnc_options o = {.port = setup->port,
                     .port_min = 5900,
                     .port_max = 5999,
                     .password = setup->password[0] ? setup->password : NULL};
    int err = 0;
    vnc_server *srv = vnc_server_start(pc_display(m), &in, &o, &err);
    explicit_bzero(setup->password, sizeof(setup->password));
    if (!srv) {
        if (setup->port)
            fprintf(stderr, "vireo-headless: error: VNC server on 127.0.0.1:%d: %s\n", setup->port,
                    strerror(-err));
        else
            fprintf(stderr, "vireo-headless: error: VNC server: no free port in 5900-5999 (%s)\n",
                    strerror(-err));
        return NULL;
    }
    if (pc_watch_fd(m, vnc_server_input_fd(srv), vnc_input_ready, srv) < 0) {
        fprintf(stderr, "vireo-headless: error: VNC server: the VM loop watches too many fds\n");
        vnc_server_stop(srv);
        return NULL;
    }
    fprintf(stderr, "vireo-headless: VNC server on 127.0.0.1:%d%s\n", vnc_server_port(srv),
            o.password ? " (password required)" : "");
    return srv;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--machine") == 0)
        return headless_svc_main(argc, argv); /* launched by vireo-svc */
    pc_config cfg = {.memory_mb = DEFAULT_MEMORY_MB, .log = log_stderr};
    vnc_setup vnc = {0};
    int r = parse_args(argc, argv, &cfg, &vnc);
    if (r) {
        explicit_bzero(vnc.password, sizeof(vnc.password));
        return r;
    }
    char err[1024];
    pc *m = pc_new(&cfg, err, sizeof(err));
    if (!m) {
        explicit_bzero(vnc.password, sizeof(vnc.password));
        fprintf(stderr, "vireo-headless: error: %s\n", err);
        return 1;
    }
    vnc_server *vnc_srv = NULL;
    if (vnc.enabled && !(vnc_srv = start_vnc(m, &vnc))) {
        pc_free(m);
        return 1;
    }
    for (int i = 0; i < PC_SERIAL_PORTS; i++) {
        const char *where = pc_serial_path(m, i);
        if (*where)
            fprintf(stderr, "vireo-headless: serial port %d is on %s\n", i + 1, where);
    }
    if (cfg.gdb)
        fprintf(stderr, "vireo-headless: gdb stub on 127.0.0.1:%u%s\n", pc_gdb_port(m),
                cfg.gdb_wait ? " (waiting for gdb to attach)" : "");
    running = m;
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    pc_result res;
    r = pc_run(m, &res, err, sizeof(err));
    running = NULL;
    vnc_server_stop(vnc_srv); /* before the machine: it reads the machine's screen */
    pc_free(m);
    if (r < 0) {
        fprintf(stderr, "vireo-headless: error: %s\n", err);
        return 1;
    }
    return exit_status(&res);
}
