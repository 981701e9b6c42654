/* vireo-svc: the D-Bus side of the service. The model (svc/ headers, library vireo_svc_core)
 * does the work; these files export it as the objects of idl/vireo.xidl:
 *
 *   /org/vireo/Vireo1                     IVireo + IEventSource (root.c)
 *   /org/vireo/Vireo1/SystemProperties    ISystemProperties (sysprops_obj.c)
 *   /org/vireo/Vireo1/machine/<uuid_>     IMachine of a registered machine, or of a new/opened
 *                                         one owned by the connection that made it (machine_obj.c)
 *   /org/vireo/Vireo1/session/<uuid_>     ISession (session_obj.c)
 *   /org/vireo/Vireo1/session/<uuid_>/machine   the Write session's mutable copy (IMachine)
 *
 * One thread, one epoll loop. Handlers convert svc_error to vireo_error in one place
 * (svc_daemon_error) and drain the model's event queue into signals after each call. */
#ifndef VIREO_SVC_DAEMON_SERVICE_H
#define VIREO_SVC_DAEMON_SERVICE_H

#include <stdbool.h>

#include "idl/vireo.h"
#include "svc/registry.h"
#include "svc/session.h"

#define SVC_DAEMON_VERSION         "0.1.0"
#define SVC_SYSTEM_PROPERTIES_PATH VIREO_ROOT_PATH "/SystemProperties"

enum svc_machine_obj_kind {
    SVC_MOBJ_REGISTERED, /* settings read-only; the operational methods work */
    SVC_MOBJ_COPY,       /* a Write session's mutable copy */
    SVC_MOBJ_NEW,        /* from createMachine: mutable until registered */
    SVC_MOBJ_OPENED,     /* from openMachine: read-only until registered */
};

typedef struct svc_machine_obj {
    vireo_object base;
    struct svc_daemon *d;
    svc_machine *m; /* a reference */
    enum svc_machine_obj_kind kind;
    char *path;
    char *owner;          /* NEW/OPENED: the connection that made it */
    svc_session *session; /* COPY: the session it belongs to (borrowed) */
} svc_machine_obj;

typedef struct svc_session_obj {
    vireo_object base;
    struct svc_daemon *d;
    svc_session *s; /* a reference */
    char *path;
    svc_machine_obj *copy; /* Write: the exported mutable copy */
} svc_session_obj;

typedef struct svc_daemon {
    vireo_loop *loop;
    vireo_bus *bus;
    svc_registry *reg;
    svc_sessions sessions;
    vireo_object *root;
    vireo_object *sysprops;
    svc_machine_obj **machines; /* every exported machine object but copies */
    size_t n_machines, cap_machines;
    svc_session_obj **sessions_v;
    size_t n_sessions, cap_sessions;
    char **watched; /* connections we watch for disconnects */
    size_t n_watched;
    vireo_subscription **watch_subs;
    vireo_source *idle_timer;
    vireo_source *lock_timer;
    long long idle_since_ms; /* -1 while busy */
    unsigned idle_timeout_s; /* 0: never */
} svc_daemon;

/* Copy a model error into a vireo_error (code and D-Bus name from the IDL's results) and
 * free it. Returns -EINVAL (or the errno `r` if negative), for `return svc_daemon_error(...)`. */
int svc_daemon_error(vireo_error **errp, svc_error *err, int r);

/* Emit a signal for each queued model event, and PropertiesChanged where a state changed. */
void svc_daemon_flush_events(svc_daemon *d);

/* The process id of a bus connection (from the bus daemon's credentials), or 0. */
uint32_t svc_daemon_pid_of(svc_daemon *d, const char *connection);

/* Watch `owner` for disconnects (once per connection). */
int svc_daemon_watch(svc_daemon *d, const char *owner, vireo_error **errp);

/* Machine objects. */
svc_machine_obj *svc_machine_obj_export(svc_daemon *d, svc_machine *m,
                                        enum svc_machine_obj_kind kind, const char *path,
                                        const char *owner, vireo_error **errp);
void svc_machine_obj_drop(svc_daemon *d, svc_machine_obj *o); /* unexport, forget */
svc_machine_obj *svc_daemon_find_machine_obj(svc_daemon *d, const char *path);
svc_machine_obj *svc_daemon_find_machine_obj_for(svc_daemon *d, const svc_machine *m);

/* Sessions: export one for a new lock; drop the objects of sessions no longer locked. */
svc_session_obj *svc_session_obj_export(svc_daemon *d, svc_session *s, vireo_error **errp);
void svc_daemon_sweep_sessions(svc_daemon *d);

/* Root and system properties objects. */
vireo_object *svc_root_new(svc_daemon *d);
vireo_object *svc_sysprops_new(svc_daemon *d);

/* Re-evaluate the idle state (call after sessions or unregistered machines change). */
void svc_daemon_update_idle(svc_daemon *d);

#endif
