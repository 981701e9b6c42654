/* Reaching the service: the session bus, then org.vireo.Vireo1 by D-Bus activation, else by
 * starting vireo-svc ourselves (ARCHITECTURE.md: "a client that finds the name missing
 * starts it"). */
#include "frontends/cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef VIREO_CLI_INSTALL_BINDIR
#define VIREO_CLI_INSTALL_BINDIR "/usr/local/bin"
#endif
#define SERVICE_START_TIMEOUT_MS 10000

static bool name_has_owner(DBusConnection *conn)
{
    DBusError e;
    dbus_error_init(&e);
    bool owned = dbus_bus_name_has_owner(conn, VIREO_BUS_NAME, &e);
    dbus_error_free(&e);
    return owned;
}

/* D-Bus activation through the bus daemon (a .service file under share/dbus-1/services). */
static bool try_activation(DBusConnection *conn)
{
    DBusError e;
    dbus_error_init(&e);
    dbus_uint32_t result = 0;
    bool ok = dbus_bus_start_service_by_name(conn, VIREO_BUS_NAME, 0, &result, &e);
    dbus_error_free(&e);
    return ok;
}

/* Where vireo-svc is: $VIREO_SVC, beside this program, the build tree's svc/, the install
 * bindir. Returns a malloc'd path or NULL. */
static char *find_service_binary(void)
{
    const char *env = getenv("VIREO_SVC");
    if (env && *env)
        return access(env, X_OK) == 0 ? strdup(env) : NULL;
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    char *cand = NULL;
    if (n > 0) {
        self[n] = '\0';
        char *slash = strrchr(self, '/');
        if (slash)
            *slash = '\0';
        static const char *const rel[] = {"/vireo-svc", "/../../svc/daemon/vireo-svc"};
        for (size_t i = 0; i < 2; i++) {
            if (asprintf(&cand, "%s%s", self, rel[i]) < 0)
                return NULL;
            if (access(cand, X_OK) == 0)
                return cand;
            free(cand);
        }
    }
    if (asprintf(&cand, "%s/vireo-svc", VIREO_CLI_INSTALL_BINDIR) < 0)
        return NULL;
    if (access(cand, X_OK) == 0)
        return cand;
    free(cand);
    return NULL;
}

/* Start the service detached from us (its own session, stdio on /dev/null) so it outlives
 * this command; it exits by itself when idle. */
static int spawn_service(const char *path)
{
    pid_t pid = fork();
    if (pid < 0)
        return -errno;
    if (pid == 0) {
        setsid();
        int fd = open("/dev/null", O_RDWR);
        if (fd >= 0) {
            dup2(fd, 0);
            dup2(fd, 1);
            dup2(fd, 2);
        }
        if (fork() == 0) {
            execl(path, path, (char *)NULL);
            _exit(127);
        }
        _exit(0);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    return 0;
}

static bool wait_for_name(DBusConnection *conn, int timeout_ms)
{
    for (int waited = 0; waited < timeout_ms; waited += 20) {
        if (name_has_owner(conn))
            return true;
        nanosleep(&(struct timespec){0, 20 * 1000000L}, NULL);
    }
    return name_has_owner(conn);
}

static int ensure_service(cli_ctx *ctx)
{
    DBusConnection *conn = vireo_bus_connection(ctx->bus);
    if (name_has_owner(conn) || try_activation(conn))
        return 0;
    char *svc = find_service_binary();
    if (!svc) {
        cli_error("the Vireo service (%s) is not running and cannot be started", VIREO_BUS_NAME);
        fprintf(stderr,
                "vireo: detail: no D-Bus activation file for %s and no vireo-svc "
                "program found (set VIREO_SVC to its path)\n",
                VIREO_BUS_NAME);
        return CLI_EXIT_FAILURE;
    }
    /* VIREO_SVC_START_TIMEOUT_MS: for tests and slow machines. */
    const char *t = getenv("VIREO_SVC_START_TIMEOUT_MS");
    int timeout_ms = t && atoi(t) > 0 ? atoi(t) : SERVICE_START_TIMEOUT_MS;
    int r = spawn_service(svc);
    bool up = r == 0 && wait_for_name(conn, timeout_ms);
    if (!up) {
        cli_error("the Vireo service (%s) did not start", VIREO_BUS_NAME);
        fprintf(stderr, "vireo: detail: started %s; it did not take the bus name within %d ms\n",
                svc, timeout_ms);
    }
    free(svc);
    return up ? 0 : CLI_EXIT_FAILURE;
}

int cli_connect(cli_ctx *ctx)
{
    if (ctx->bus)
        return 0;
    vireo_error *err = NULL;
    ctx->bus = vireo_bus_open_session(&err);
    if (!ctx->bus)
        return cli_api_error(err, "dbus_bus_get(DBUS_BUS_SESSION)",
                             "cannot connect to the D-Bus session bus");
    int r = ensure_service(ctx);
    if (r) {
        cli_disconnect(ctx);
        return r;
    }
    ctx->root = cli_proxy(ctx, VIREO_ROOT_PATH);
    return 0;
}

void cli_disconnect(cli_ctx *ctx)
{
    ctx->root = vireo_proxy_unref(ctx->root);
    ctx->bus = vireo_bus_unref(ctx->bus);
}

vireo_proxy *cli_proxy(cli_ctx *ctx, const char *path)
{
    vireo_proxy *p = vireo_proxy_new(ctx->bus, VIREO_BUS_NAME, path);
    if (!p) {
        fprintf(stderr, "vireo: error: out of memory or bad object path '%s'\n", path);
        exit(CLI_EXIT_FAILURE);
    }
    return p;
}

int cli_find_machine(cli_ctx *ctx, const char *name_or_id, char **ret_path)
{
    vireo_error *err = NULL;
    if (vireo_vireo_call_find_machine(ctx->root, name_or_id, ret_path, &err) < 0)
        return cli_api_error(err, "IVireo.findMachine", NULL);
    return 0;
}

int cli_lock_machine(cli_ctx *ctx, const char *machine_path, vireo_lock_type type,
                     const char *vm_name, char **ret_session, char **ret_session_machine)
{
    vireo_error *err = NULL;
    vireo_proxy *m = cli_proxy(ctx, machine_path);
    char *session = NULL;
    int r = vireo_machine_call_lock_machine(m, type, 0, &session, &err);
    vireo_proxy_unref(m);
    if (r < 0)
        return cli_api_error(err, "IMachine.lockMachine", "cannot lock machine '%s'", vm_name);
    char *sm = NULL;
    if (ret_session_machine) {
        vireo_proxy *s = cli_proxy(ctx, session);
        r = vireo_session_get_machine(s, &sm, &err);
        vireo_proxy_unref(s);
        if (r < 0) {
            cli_unlock(ctx, session);
            free(session);
            return cli_api_error(err, "ISession.machine", NULL);
        }
        *ret_session_machine = sm;
    }
    *ret_session = session;
    return 0;
}

void cli_unlock(cli_ctx *ctx, const char *session_path)
{
    vireo_proxy *s = cli_proxy(ctx, session_path);
    vireo_session_call_unlock_machine(s, NULL);
    vireo_proxy_unref(s);
}

bool cli_state_has_process(uint32_t s)
{
    switch (s) {
    case VIREO_MACHINE_STATE_RUNNING:
    case VIREO_MACHINE_STATE_PAUSED:
    case VIREO_MACHINE_STATE_STUCK:
    case VIREO_MACHINE_STATE_STARTING:
    case VIREO_MACHINE_STATE_STOPPING:
    case VIREO_MACHINE_STATE_SAVING:
    case VIREO_MACHINE_STATE_RESTORING:
    case VIREO_MACHINE_STATE_SNAPSHOTTING: return true;
    default: return false;
    }
}
