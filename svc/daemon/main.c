/* vireo-svc: the per-user service. Owns org.vireo.Vireo1 on the session bus (or the bus in
 * $DBUS_SESSION_BUS_ADDRESS), serves the machine registry, and exits after idleTimeout
 * seconds with no session held and no unregistered machine alive ($VIREO_SVC_IDLE_TIMEOUT
 * overrides it; 0 = never). A second instance finds the name taken and exits with 0. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svc/daemon/progress.h"
#include "svc/daemon/service.h"
#include "svc/daemon/vm.h"
#include "svc/state.h"

#define TICK_USEC 100000 /* lock deadlines and the idle check */

static void on_tick(vireo_source *src, void *ud)
{
    svc_daemon *d = ud;
    if (svc_sessions_expire(&d->sessions, svc_now_ms()))
        svc_daemon_sweep_sessions(d);
    svc_daemon_flush_events(d);
    svc_daemon_update_idle(d);
    if (d->idle_timeout_s && d->idle_since_ms >= 0 &&
        svc_now_ms() - d->idle_since_ms >= (long long)d->idle_timeout_s * 1000) {
        fprintf(stderr, "vireo-svc: idle for %u s, exiting\n", d->idle_timeout_s);
        vireo_loop_quit(d->loop, 0);
    }
}

static void on_signal(vireo_source *src, int signo, void *ud)
{
    vireo_loop_quit(((svc_daemon *)ud)->loop, 0);
}

static void on_disconnect(vireo_bus *bus, void *ud)
{
    fprintf(stderr, "vireo-svc: the bus went away, exiting\n");
    vireo_loop_quit(((svc_daemon *)ud)->loop, 0);
}

static void report_machines(const svc_registry *reg)
{
    if (reg->recovery_note)
        fprintf(stderr, "vireo-svc: %s\n", reg->recovery_note);
    for (size_t i = 0; i < reg->n_machines; i++) {
        const svc_machine *m = reg->machines[i];
        if (m->recovery_note)
            fprintf(stderr, "vireo-svc: %s\n", m->recovery_note);
        if (!m->accessible)
            fprintf(stderr, "vireo-svc: machine %s is inaccessible: %s\n", m->uuid.s,
                    m->access_error ? m->access_error->message : "?");
    }
}

static int export_all(svc_daemon *d, vireo_error **errp)
{
    d->root = svc_root_new(d);
    d->sysprops = svc_sysprops_new(d);
    if (!d->root || !d->sysprops)
        return -ENOMEM;
    if (vireo_bus_export(d->bus, VIREO_ROOT_PATH, d->root, errp) < 0 ||
        vireo_bus_export(d->bus, SVC_SYSTEM_PROPERTIES_PATH, d->sysprops, errp) < 0)
        return -EIO;
    for (size_t i = 0; i < d->reg->n_machines; i++) {
        svc_machine *m = d->reg->machines[i];
        char *path = vireo_path_for_uuid(VIREO_ROOT_PATH, VIREO_MACHINE_COLLECTION, m->uuid.s);
        svc_machine_obj *o =
            path ? svc_machine_obj_export(d, m, SVC_MOBJ_REGISTERED, path, NULL, errp) : NULL;
        free(path);
        if (!o)
            return -EIO;
    }
    return 0;
}

static unsigned idle_timeout(const svc_daemon *d)
{
    const char *env = getenv("VIREO_SVC_IDLE_TIMEOUT");
    if (env && *env)
        return (unsigned)strtoul(env, NULL, 10);
    return d->reg->global.props.idle_timeout_s;
}

static void shutdown_daemon(svc_daemon *d)
{
    svc_vm_forget_all(d);
    svc_progress_free_all(d);
    svc_sessions_clear(&d->sessions); /* running machines stay as they are */
    svc_daemon_sweep_sessions(d);
    while (d->n_machines)
        svc_machine_obj_drop(d, d->machines[d->n_machines - 1]);
    if (d->bus) {
        vireo_bus_unexport(d->bus, VIREO_ROOT_PATH);
        vireo_bus_unexport(d->bus, SVC_SYSTEM_PROPERTIES_PATH);
    }
    vireo_object_unref(d->root);
    vireo_object_unref(d->sysprops);
    for (size_t i = 0; i < d->n_watched; i++) {
        vireo_subscription_free(d->watch_subs[i]);
        free(d->watched[i]);
    }
    free(d->watched);
    free(d->watch_subs);
    free(d->machines);
    free(d->sessions_v);
    if (d->bus) {
        vireo_bus_detach(d->bus);
        vireo_bus_unref(d->bus);
    }
    vireo_loop_free(d->loop);
    svc_registry_free(d->reg);
}

int main(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf(
            "usage: vireo-svc\n"
            "The Vireo per-user service: owns %s on the session bus ($DBUS_SESSION_BUS_ADDRESS).\n"
            "Home: $VIREO_USER_HOME, else $XDG_CONFIG_HOME/vireo, else ~/.config/vireo.\n"
            "Exits after the idle timeout ($VIREO_SVC_IDLE_TIMEOUT seconds, 0 = never).\n",
            VIREO_BUS_NAME);
        return 0;
    }
    svc_daemon d;
    memset(&d, 0, sizeof(d));
    d.idle_since_ms = -1;
    vireo_error *err = NULL;
    svc_error *serr = NULL;
    int code = 1;
    if (svc_registry_open(NULL, &d.reg, &serr) < 0) {
        fprintf(stderr, "vireo-svc: %s\n", serr->message);
        svc_error_free(serr);
        return 1;
    }
    report_machines(d.reg);
    svc_sessions_init(&d.sessions, d.reg->events);
    d.idle_timeout_s = idle_timeout(&d);
    if (!(d.loop = vireo_loop_new(&err)) || !(d.bus = vireo_bus_open_session(&err)) ||
        vireo_bus_attach_loop(d.bus, d.loop, &err) < 0 || export_all(&d, &err) < 0)
        goto out;
    vireo_bus_set_disconnect_handler(d.bus, on_disconnect, &d);
    int r = vireo_bus_request_name(d.bus, VIREO_BUS_NAME, &err);
    if (r == -EEXIST) {
        fprintf(stderr, "vireo-svc: %s is already owned by another instance; exiting\n",
                VIREO_BUS_NAME);
        code = 0;
        goto out;
    }
    if (r < 0)
        goto out;
    vireo_loop_add_timer(d.loop, TICK_USEC, true, on_tick, &d);
    vireo_loop_add_signal(d.loop, SIGTERM, on_signal, &d);
    vireo_loop_add_signal(d.loop, SIGINT, on_signal, &d);
    svc_daemon_update_idle(&d);
    code = vireo_loop_run(d.loop);
out:
    if (err) {
        fprintf(stderr, "vireo-svc: %s\n", err->message);
        vireo_error_free(err);
    }
    shutdown_daemon(&d);
    return code;
}
