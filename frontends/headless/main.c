/* vireo-headless: the VM process. Standalone (development) use:
 *   vireo-headless --kernel K [--initrd I] [--append "..."] [--memory MiB]
 *                  [--serial stdio|file:P|pty|unix:P|tcp:PORT|none]... [--bios P]
 *                  [--multiboot P] [--no-reboot]
 * Everything is checked before the machine starts; a bad option or file is reported with
 * its reason and exit status 2 (usage) or 1 (a file or machine error).
 * Exit status after a run: 0 when the guest powered off or was stopped by a signal, the
 * guest's value for the debug exit port (0xF4), 3 when a guest reset ended a --no-reboot run. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frontends/headless/svc_link.h"
#include "vmm/pc/pc.h"

#define EXIT_USAGE        2
#define EXIT_RESET        3
#define DEFAULT_MEMORY_MB 128

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
            "  --no-reboot        exit when the guest resets instead of rebooting it\n"
            "  --debugcon         print the guest's debug port output (0x402, 0xE9) on stderr\n"
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
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

/* Returns 0, or the exit status for a usage error (after printing it). */
static int parse_args(int argc, char **argv, pc_config *cfg)
{
    int nserial = 0, opt;
    char err[512];
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (opt) {
        case OPT_KERNEL: cfg->kernel = optarg; break;
        case OPT_INITRD: cfg->initrd = optarg; break;
        case OPT_APPEND: cfg->append = optarg; break;
        case OPT_BIOS: cfg->bios = optarg; break;
        case OPT_MULTIBOOT: cfg->multiboot = optarg; break;
        case OPT_NO_REBOOT: cfg->no_reboot = true; break;
        case OPT_DEBUGCON: cfg->debugcon = true; break;
        case OPT_HELP: usage(stdout); exit(0);
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

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--machine") == 0)
        return headless_svc_main(argc, argv); /* launched by vireo-svc */
    pc_config cfg = {.memory_mb = DEFAULT_MEMORY_MB, .log = log_stderr};
    int r = parse_args(argc, argv, &cfg);
    if (r)
        return r;
    char err[1024];
    pc *m = pc_new(&cfg, err, sizeof(err));
    if (!m) {
        fprintf(stderr, "vireo-headless: error: %s\n", err);
        return 1;
    }
    for (int i = 0; i < PC_SERIAL_PORTS; i++) {
        const char *where = pc_serial_path(m, i);
        if (*where)
            fprintf(stderr, "vireo-headless: serial port %d is on %s\n", i + 1, where);
    }
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
    pc_free(m);
    if (r < 0) {
        fprintf(stderr, "vireo-headless: error: %s\n", err);
        return 1;
    }
    return exit_status(&res);
}
