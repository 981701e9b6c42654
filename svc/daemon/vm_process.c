/* VM processes: launchVMProcess spawns vireo-headless --machine <uuid>, reads its status
 * pipe (lines "running", "error <message>", "poweredoff"), exports its IConsole and turns
 * its exit into PoweredOff or Aborted. One svc_vm per machine with a VM process. */
#include "svc/daemon/vm.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "svc/daemon/progress.h"
#include "svc/machine_files.h"
#include "svc/state.h"

#define ENV_MAX       64
#define ENV_ENTRY_MAX 4096
#define STATUS_MAX    2048

extern char **environ;

typedef struct svc_vm {
    vireo_object console; /* IConsole at <machine path>/console */
    svc_daemon *d;
    svc_machine *m; /* a reference */
    char *console_path;
    pid_t pid;
    vireo_source *child;
    int status_fd;
    vireo_source *status_src;
    char status[STATUS_MAX];
    size_t status_len;
    char *error;                   /* the process's "error" line */
    enum svc_machine_state before; /* state before the launch, restored on a failed start */
    svc_progress *launch, *power_down;
    bool exported;
    struct svc_vm *next;
} svc_vm;

static svc_vm *vms; /* one service per process */

static svc_vm *vm_of(const svc_machine *m)
{
    for (svc_vm *v = vms; v; v = v->next)
        if (v->m == m)
            return v;
    return NULL;
}

const char *svc_vm_console_path(const svc_machine *m)
{
    svc_vm *v = vm_of(m);
    return v && v->exported ? v->console_path : NULL;
}

bool svc_vm_holds_lock(svc_daemon *d, const char *owner)
{
    for (svc_vm *v = vms; v; v = v->next) {
        svc_session *s = svc_sessions_exclusive(&d->sessions, v->m);
        if (v->child && s && s->lock == SVC_LOCK_VM && strcmp(s->owner, owner) == 0)
            return true;
    }
    return false;
}

bool svc_vm_any(void)
{
    return vms != NULL;
}

static void after_change(svc_daemon *d)
{
    svc_sessions_retry(&d->sessions);
    svc_daemon_sweep_sessions(d);
    svc_daemon_flush_events(d);
    svc_daemon_update_idle(d);
}

static void set_state(svc_vm *v, enum svc_machine_state to)
{
    if (v->m->state == to)
        return;
    svc_error *e = NULL;
    if (svc_state_set(v->m, to, v->d->reg->events, &e) < 0)
        svc_error_free(e); /* the table forbids it: keep the state the model has */
    if (v->exported)
        vireo_console_notify_state(v->d->bus, v->console_path);
}

/* ---- IConsole ---- */

static svc_vm *cv(vireo_object *self)
{
    return (svc_vm *)self;
}

static int con_get_machine(vireo_object *self, char **ret, vireo_error **errp)
{
    svc_machine_obj *mo = svc_daemon_find_machine_obj_for(cv(self)->d, cv(self)->m);
    *ret = strdup(mo ? mo->path : "/");
    return *ret ? 0 : -ENOMEM;
}

static int con_get_state(vireo_object *self, vireo_machine_state *ret, vireo_error **errp)
{
    *ret = (vireo_machine_state)svc_machine_reported_state(cv(self)->m);
    return 0;
}

static int con_get_none(vireo_object *self, char **ret, vireo_error **errp)
{
    *ret = strdup("/"); /* keyboard, mouse, display: not relayed yet */
    return *ret ? 0 : -ENOMEM;
}

static int con_power_down(vireo_object *self, vireo_call *call, vireo_error **errp)
{
    svc_vm *v = cv(self);
    svc_error *e = NULL;
    unsigned ok = SVC_STATES_RUNNING | SVC_STATE_BIT(SVC_STATE_STUCK);
    if (svc_state_require(v->m, ok, "powerDown", &e) < 0)
        return svc_daemon_error(errp, e, -EINVAL);
    char desc[300];
    snprintf(desc, sizeof(desc), "Powering off machine %s", svc_machine_name(v->m));
    svc_progress *p = svc_progress_new(v->d, desc, false, NULL, NULL, errp);
    if (!p)
        return -ENOMEM;
    set_state(v, SVC_STATE_STOPPING);
    v->power_down = p;
    kill(v->pid, SIGTERM); /* vireo-headless stops the guest and exits 0 */
    int r = vireo_console_complete_power_down(call, svc_progress_path(p));
    svc_daemon_flush_events(v->d);
    return r;
}

static int not_yet(vireo_error **errp, const char *what)
{
    vireo_error_set(errp, VIREO_RESULT_NOT_SUPPORTED, VIREO_ERROR_NOT_SUPPORTED,
                    "IConsole.%s is not relayed to the VM process yet", what);
    return -EOPNOTSUPP;
}
static int con_reset(vireo_object *self, vireo_call *call, vireo_error **errp)
{
    return not_yet(errp, "reset");
}
static int con_pause(vireo_object *self, vireo_call *call, vireo_error **errp)
{
    return not_yet(errp, "pause");
}
static int con_resume(vireo_object *self, vireo_call *call, vireo_error **errp)
{
    return not_yet(errp, "resume");
}
static int con_power_button(vireo_object *self, vireo_call *call, vireo_error **errp)
{
    vireo_error_set(errp, VIREO_RESULT_NOT_SUPPORTED, VIREO_ERROR_NOT_SUPPORTED,
                    "powerButton: the machine has no ACPI; use powerDown");
    return -EOPNOTSUPP;
}

static const vireo_console_ops console_ops = {
    .get_machine = con_get_machine,
    .get_state = con_get_state,
    .get_keyboard = con_get_none,
    .get_mouse = con_get_none,
    .get_display = con_get_none,
    .power_down = con_power_down,
    .reset = con_reset,
    .pause = con_pause,
    .resume = con_resume,
    .power_button = con_power_button,
};

static const vireo_object_iface console_ifaces[] = {
    {&vireo_console_interface, &console_ops},
};

static void vm_destroy(vireo_object *obj)
{
    svc_vm *v = cv(obj);
    vireo_source_remove(v->status_src);
    if (v->status_fd >= 0)
        close(v->status_fd);
    svc_machine_unref(v->m);
    free(v->console_path);
    free(v->error);
    free(v);
}

static const vireo_object_class console_class = {
    .name = "console",
    .ifaces = console_ifaces,
    .n_ifaces = 1,
    .destroy = vm_destroy,
};

/* ---- supervision ---- */

static void vm_unlist(svc_vm *v)
{
    for (svc_vm **pp = &vms; *pp; pp = &(*pp)->next)
        if (*pp == v) {
            *pp = v->next;
            return;
        }
}

static void vm_end(svc_vm *v)
{
    vm_unlist(v);
    vireo_source_remove(v->status_src);
    v->status_src = NULL;
    if (v->exported)
        vireo_bus_unexport(v->d->bus, v->console_path); /* drops the bus's reference */
    v->exported = false;
    vireo_object_unref(&v->console);
}

static void fail_launch(svc_vm *v, const char *fmt, const char *detail)
{
    if (!v->launch)
        return;
    svc_error *e = NULL;
    svc_error_set(&e, -EIO, SVC_E_VM_ERROR, fmt, svc_machine_name(v->m), detail);
    svc_progress_complete(v->launch, e);
    v->launch = NULL;
}

static void on_status_line(svc_vm *v, char *line)
{
    if (strcmp(line, "running") == 0) {
        set_state(v, SVC_STATE_RUNNING);
        if (v->launch) {
            svc_progress_complete(v->launch, NULL);
            v->launch = NULL;
        }
    } else if (strncmp(line, "error ", 6) == 0) {
        free(v->error); /* the launch fails once the process has exited and its lock gone */
        v->error = strdup(line + 6);
    } else if (strcmp(line, "poweredoff") == 0) {
        set_state(v, SVC_STATE_POWERED_OFF);
    }
    after_change(v->d);
}

static void on_status(vireo_source *src, int fd, uint32_t revents, void *userdata)
{
    svc_vm *v = userdata;
    ssize_t n = read(fd, v->status + v->status_len, sizeof(v->status) - 1 - v->status_len);
    if (n <= 0) {
        if (n < 0 && errno == EINTR)
            return;
        vireo_source_remove(src);
        v->status_src = NULL;
        return;
    }
    v->status_len += (size_t)n;
    v->status[v->status_len] = 0;
    char *nl;
    while ((nl = memchr(v->status, '\n', v->status_len))) {
        *nl = 0;
        size_t used = (size_t)(nl - v->status) + 1;
        char line[STATUS_MAX];
        memcpy(line, v->status, used);
        memmove(v->status, v->status + used, v->status_len - used);
        v->status_len -= used;
        on_status_line(v, line);
    }
    if (v->status_len == sizeof(v->status) - 1)
        v->status_len = 0; /* an overlong line: drop it */
}

static void describe_exit(int wstatus, char *buf, size_t size)
{
    if (WIFSIGNALED(wstatus))
        snprintf(buf, size, "the VM process was killed by signal %d (%s)", WTERMSIG(wstatus),
                 strsignal(WTERMSIG(wstatus)));
    else
        snprintf(buf, size, "the VM process exited with status %d", WEXITSTATUS(wstatus));
}

static void on_child(vireo_source *src, pid_t pid, int wstatus, void *userdata)
{
    svc_vm *v = userdata;
    svc_daemon *d = v->d;
    v->child = NULL;
    /* Read what the process said last before judging its exit. */
    if (v->status_src)
        on_status(v->status_src, v->status_fd, EPOLLIN, v);
    char why[200];
    describe_exit(wstatus, why, sizeof(why));
    bool clean = WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0;
    if (v->launch) { /* a failed (or canceled) launch leaves the state it found */
        set_state(v, v->before);
        fail_launch(v, "machine '%s' did not start: %s", v->error ? v->error : why);
    } else if (svc_state_has_vm_process(v->m->state)) {
        set_state(v, clean ? SVC_STATE_POWERED_OFF : SVC_STATE_ABORTED);
    }
    if (v->power_down) {
        svc_progress_complete(v->power_down, NULL);
        v->power_down = NULL;
    }
    /* Its bus connection may not be gone yet: release its locks now. */
    svc_session *s = svc_sessions_exclusive(&d->sessions, v->m);
    char *owner = s && s->lock == SVC_LOCK_VM ? strdup(s->owner) : NULL; /* s goes below */
    if (owner)
        svc_sessions_owner_gone(&d->sessions, owner);
    free(owner);
    svc_sessions_unexpect_vm(&d->sessions, v->m);
    vm_end(v);
    after_change(d);
}

/* ---- launch ---- */

static char *find_vm_process(svc_daemon *d)
{
    const char *set = d->reg->global.props.vm_process_path;
    if (set && *set)
        return strdup(set);
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0)
        return strdup("vireo-headless");
    self[n] = 0;
    char *dir = svc_path_dirname(self), *p = NULL;
    if (!dir)
        return NULL;
    const char *tries[] = {"%s/vireo-headless", "%s/../../frontends/headless/vireo-headless"};
    for (size_t i = 0; i < 2; i++) {
        free(p);
        p = NULL;
        if (asprintf(&p, tries[i], dir) < 0)
            p = NULL;
        if (p && access(p, X_OK) == 0)
            break;
    }
    free(dir);
    return p;
}

static bool env_name_is(const char *entry, const char *change)
{
    size_t n = strcspn(change, "=");
    return strncmp(entry, change, n) == 0 && entry[n] == '=';
}

/* environ with the caller's changes and the two descriptors. */
static char **build_env(const char *const *chg, size_t n_chg, int log_fd, int status_fd)
{
    size_t n = 0;
    while (environ[n])
        n++;
    char **e = calloc(n + n_chg + 3, sizeof(*e));
    size_t k = 0;
    for (size_t i = 0; e && i < n; i++) {
        bool drop = strncmp(environ[i], "VIREO_VM_", 9) == 0;
        for (size_t j = 0; j < n_chg && !drop; j++)
            drop = env_name_is(environ[i], chg[j]);
        if (!drop)
            e[k++] = strdup(environ[i]);
    }
    for (size_t j = 0; e && j < n_chg; j++)
        if (strchr(chg[j], '='))
            e[k++] = strdup(chg[j]);
    if (e && (asprintf(&e[k++], "VIREO_VM_LOG_FD=%d", log_fd) < 0 ||
              asprintf(&e[k++], "VIREO_VM_STATUS_FD=%d", status_fd) < 0))
        e[--k] = NULL;
    return e;
}

static void strv_free(char **v)
{
    for (size_t i = 0; v && v[i]; i++)
        free(v[i]);
    free(v);
}

/* <machine folder>/Logs/VM.log, the previous one kept as VM.log.1; inheritable. */
static int open_log(svc_machine *m, svc_error **errp)
{
    char *folder = svc_machine_folder(m), *logs = NULL, *log = NULL, *old = NULL;
    int fd = -1;
    if (folder && (logs = svc_path_join(folder, "Logs")) && (log = svc_path_join(logs, "VM.log")) &&
        asprintf(&old, "%s.1", log) >= 0) {
        mkdir(logs, 0755);
        rename(log, old);
        fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
        if (fd < 0)
            svc_error_set(errp, -errno, SVC_E_FILE_ERROR, "cannot create %s: %s", log,
                          strerror(errno));
    } else {
        svc_error_set(errp, -ENOMEM, SVC_E_OUT_OF_MEMORY, "out of memory");
    }
    free(folder);
    free(logs);
    free(log);
    free(old);
    return fd;
}

static void cancel_launch(svc_progress *p, void *userdata)
{
    svc_vm *v = userdata;
    if (v->pid > 0)
        kill(v->pid, SIGKILL); /* on_child completes the progress (Canceled) */
}

static int launch_checks(svc_machine_obj *mo, const char *frontend, const char *const *env,
                         size_t n_env, svc_error **e)
{
    svc_machine *m = mo->m;
    if (mo->kind != SVC_MOBJ_REGISTERED)
        return svc_error_set(e, -EINVAL, SVC_E_INVALID_OBJECT_STATE,
                             "launchVMProcess: machine %s is not registered", m->uuid.s);
    if (*frontend && strcmp(frontend, "headless") != 0)
        return svc_error_set(e, -EINVAL, SVC_E_INVALID_ARG,
                             "frontend: '%s' is not a VM process kind; allowed \"headless\"",
                             frontend);
    if (n_env > ENV_MAX)
        return svc_error_set(e, -EINVAL, SVC_E_INVALID_ARG, "environment: %zu entries; at most %d",
                             n_env, ENV_MAX);
    for (size_t i = 0; i < n_env; i++)
        if (!*env[i] || *env[i] == '=' || strlen(env[i]) > ENV_ENTRY_MAX)
            return svc_error_set(e, -EINVAL, SVC_E_INVALID_ARG,
                                 "environment: entry %zu is empty, has no name or is longer "
                                 "than %d bytes",
                                 i, ENV_ENTRY_MAX);
    int r = svc_machine_require_accessible(m, e);
    if (r < 0)
        return r;
    if ((r = svc_state_require(m, SVC_STATES_OFF, "launchVMProcess", e)) < 0)
        return r;
    if (m->state == SVC_STATE_SAVED)
        return svc_error_set(e, -ENOSYS, SVC_E_NOT_IMPLEMENTED,
                             "launchVMProcess: machine '%s' is Saved; restoring a saved state "
                             "is not implemented yet (discardSavedState first)",
                             svc_machine_name(m));
    svc_session *s = svc_sessions_exclusive(&mo->d->sessions, m);
    if (s || vm_of(m))
        return svc_error_set(e, -EBUSY, SVC_E_OBJECT_IN_USE,
                             "machine '%s' is locked by %s (pid %u) with a %s session",
                             svc_machine_name(m), s ? s->owner : "its VM process",
                             s ? s->owner_pid : 0,
                             s && s->lock == SVC_LOCK_WRITE ? "WriteLock" : "VM");
    return 0;
}

static int spawn(svc_vm *v, const char *const *env, size_t n_env, vireo_error **errp)
{
    svc_error *e = NULL;
    int log_fd = open_log(v->m, &e);
    if (log_fd < 0)
        return svc_daemon_error(errp, e, -EIO);
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) < 0) {
        close(log_fd);
        return vireo_error_set_errno(errp, -errno, "pipe");
    }
    fcntl(pfd[1], F_SETFD, 0); /* the write end goes to the child */
    v->status_fd = pfd[0];
    char *exe = find_vm_process(v->d);
    char **envp = build_env(env, n_env, log_fd, pfd[1]);
    char *argv[] = {exe, "--machine", v->m->uuid.s, NULL};
    vireo_error *verr = NULL;
    v->child =
        exe && envp ? vireo_loop_spawn(v->d->loop, argv, envp, on_child, v, &v->pid, &verr) : NULL;
    close(log_fd);
    close(pfd[1]);
    strv_free(envp);
    free(exe);
    if (!v->child) {
        if (verr)
            vireo_error_set(errp, VIREO_RESULT_VM_ERROR, VIREO_ERROR_VM_ERROR,
                            "cannot start the VM process: %s", verr->message);
        vireo_error_free(verr);
        return -EIO;
    }
    v->status_src = vireo_loop_add_io(v->d->loop, v->status_fd, EPOLLIN, on_status, v);
    return 0;
}

int svc_vm_launch(svc_machine_obj *mo, vireo_call *call, const char *frontend,
                  const char *const *env, size_t n_env, vireo_error **errp)
{
    svc_daemon *d = mo->d;
    svc_error *e = NULL;
    if (launch_checks(mo, frontend, env, n_env, &e) < 0)
        return svc_daemon_error(errp, e, -EINVAL);
    svc_vm *v = calloc(1, sizeof(*v));
    if (!v)
        return -ENOMEM;
    vireo_object_init(&v->console, &console_class);
    v->d = d;
    v->m = svc_machine_ref(mo->m);
    v->status_fd = -1;
    v->before = mo->m->state;
    char desc[300];
    snprintf(desc, sizeof(desc), "Starting machine %s", svc_machine_name(mo->m));
    if (asprintf(&v->console_path, "%s/console", mo->path) < 0) {
        v->console_path = NULL;
        vireo_object_unref(&v->console);
        return -ENOMEM;
    }
    if (spawn(v, env, n_env, errp) < 0) {
        vireo_object_unref(&v->console);
        return -EIO;
    }
    v->next = vms;
    vms = v;
    svc_sessions_expect_vm(&d->sessions, v->m, NULL, (uint32_t)v->pid);
    set_state(v, SVC_STATE_STARTING);
    if (vireo_bus_export(d->bus, v->console_path, &v->console, NULL) == 0) {
        v->exported = true; /* the bus holds a reference of its own */
    }
    v->launch = svc_progress_new(d, desc, true, cancel_launch, v, errp);
    if (!v->launch) {
        kill(v->pid, SIGKILL); /* on_child cleans up */
        return -ENOMEM;
    }
    int r = vireo_machine_complete_launch_vm_process(call, svc_progress_path(v->launch));
    after_change(d);
    return r;
}

void svc_vm_forget_all(svc_daemon *d)
{
    while (vms) {
        svc_vm *v = vms;
        vireo_source_remove(v->child); /* the process runs on without us */
        v->child = NULL;
        vm_end(v);
    }
}
