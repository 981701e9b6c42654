/* Sessions and machine locks keyed by the owner's bus connection. */
#include "svc/session.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "svc/state.h"

void svc_sessions_init(svc_sessions *t, svc_event_queue *events)
{
    memset(t, 0, sizeof(*t));
    t->events = events;
}

svc_session *svc_session_ref(svc_session *s)
{
    if (s)
        s->refs++;
    return s;
}

svc_session *svc_session_unref(svc_session *s)
{
    if (!s || --s->refs > 0)
        return NULL;
    svc_machine_unref(s->machine);
    free(s->owner);
    free(s);
    return NULL;
}

static bool exclusive(enum svc_lock_type l)
{
    return l == SVC_LOCK_WRITE || l == SVC_LOCK_VM;
}

svc_session *svc_sessions_exclusive(const svc_sessions *t, const svc_machine *m)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->v[i]->machine == m && exclusive(t->v[i]->lock))
            return t->v[i];
    return NULL;
}

enum svc_session_state svc_sessions_machine_state(const svc_sessions *t, const svc_machine *m)
{
    if (svc_sessions_exclusive(t, m))
        return SVC_SESSION_LOCKED;
    for (size_t i = 0; i < t->n_expect; i++) /* launched, its VM process not yet locked */
        if (strcmp(t->expect[i].machine.s, m->uuid.s) == 0)
            return SVC_SESSION_SPAWNING;
    return SVC_SESSION_UNLOCKED;
}

enum svc_session_type svc_sessions_machine_type(const svc_sessions *t, const svc_machine *m)
{
    svc_session *s = svc_sessions_exclusive(t, m);
    return s ? s->type : SVC_SESSION_TYPE_NULL;
}

size_t svc_sessions_count(const svc_sessions *t, const svc_machine *m)
{
    size_t n = 0;
    for (size_t i = 0; i < t->n; i++)
        n += !m || t->v[i]->machine == m;
    return n;
}

static const char *machine_label(const svc_machine *m)
{
    return m->accessible ? m->settings.name : m->uuid.s;
}

static int in_use(const svc_session *holder, const svc_machine *m, svc_error **errp)
{
    return svc_error_set(errp, -EBUSY, SVC_E_OBJECT_IN_USE,
                         "machine '%s' is locked by %s (pid %u) with a %s session",
                         machine_label(m), holder->owner, holder->owner_pid,
                         svc_enum_name(&svc_enum_session_type, holder->type));
}

static struct svc_vm_expect *find_expect(svc_sessions *t, const svc_machine *m)
{
    for (size_t i = 0; i < t->n_expect; i++)
        if (strcmp(t->expect[i].machine.s, m->uuid.s) == 0)
            return &t->expect[i];
    return NULL;
}

/* May `owner` (with pid) take the VM lock of m? */
static int check_vm_lock(svc_sessions *t, const svc_machine *m, const char *owner, uint32_t pid,
                         svc_error **errp)
{
    struct svc_vm_expect *e = find_expect(t, m);
    bool ok = e && (e->owner ? strcmp(e->owner, owner) == 0 : (pid && e->pid == pid));
    if (!ok)
        return svc_error_set(errp, -EACCES, SVC_E_ACCESS_DENIED,
                             "lockType: only the VM process the service launched for machine "
                             "'%s' may take its VM lock",
                             machine_label(m));
    return 0;
}

static int check_lock(svc_sessions *t, svc_machine *m, enum svc_lock_type lock, const char *owner,
                      uint32_t pid, svc_error **errp)
{
    if (lock != SVC_LOCK_SHARED && lock != SVC_LOCK_WRITE && lock != SVC_LOCK_VM)
        return svc_error_set(errp, -EINVAL, SVC_E_INVALID_ARG,
                             "lockType: %u; allowed Shared, Write, VM", (unsigned)lock);
    if (!owner || !*owner)
        return svc_error_set(errp, -EINVAL, SVC_E_INVALID_ARG, "owner: empty connection name");
    int r = svc_machine_require_accessible(m, errp);
    if (r == 0 && !m->registry)
        r = svc_error_set(errp, -EINVAL, SVC_E_INVALID_OBJECT_STATE,
                          "machine '%s' is not registered", machine_label(m));
    if (r < 0)
        return r;
    svc_session *holder = svc_sessions_exclusive(t, m);
    if (lock == SVC_LOCK_VM) {
        r = check_vm_lock(t, m, owner, pid, errp);
        return r < 0 ? r : holder ? in_use(holder, m, errp) : 0;
    }
    if (lock == SVC_LOCK_WRITE) {
        if (holder)
            return in_use(holder, m, errp);
        return svc_state_require(m, SVC_STATES_OFF, "lockMachine(Write)", errp);
    }
    if (!svc_state_has_vm_process(m->state)) /* Shared */
        return svc_state_require(m, SVC_STATES_RUNNING | SVC_STATE_BIT(SVC_STATE_STUCK),
                                 "lockMachine(Shared)", errp);
    return 0;
}

static int push_session(svc_sessions *t, svc_session *s)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 8;
        svc_session **v = realloc(t->v, cap * sizeof(*v));
        if (!v)
            return -ENOMEM;
        t->v = v;
        t->cap = cap;
    }
    t->v[t->n++] = s;
    return 0;
}

static enum svc_session_type type_of(enum svc_lock_type lock)
{
    return lock == SVC_LOCK_WRITE ? SVC_SESSION_TYPE_WRITE_LOCK
           : lock == SVC_LOCK_VM  ? SVC_SESSION_TYPE_VM_PROCESS
                                  : SVC_SESSION_TYPE_SHARED;
}

static svc_session *new_session(svc_machine *m, enum svc_lock_type lock, const char *owner,
                                uint32_t pid, svc_error **errp)
{
    svc_session *s = calloc(1, sizeof(*s));
    if (!s || !(s->owner = strdup(owner))) {
        free(s);
        svc_error_set(errp, -ENOMEM, SVC_E_OUT_OF_MEMORY, "out of memory");
        return NULL;
    }
    if (svc_uuid_generate(&s->id, errp) < 0) {
        free(s->owner);
        free(s);
        return NULL;
    }
    s->refs = 1;
    s->owner_pid = pid;
    s->lock = lock;
    s->type = type_of(lock);
    s->state = SVC_SESSION_LOCKED;
    s->machine = svc_machine_ref(m);
    return s;
}

int svc_lock_machine(svc_sessions *t, svc_machine *m, enum svc_lock_type lock, const char *owner,
                     uint32_t owner_pid, svc_session **ret, svc_error **errp)
{
    int r = check_lock(t, m, lock, owner, owner_pid, errp);
    if (r < 0)
        return r;
    svc_session *s = new_session(m, lock, owner, owner_pid, errp);
    if (!s)
        return -ENOMEM;
    if (lock == SVC_LOCK_WRITE && (r = svc_machine_begin_edit(m, errp)) < 0) {
        svc_session_unref(s);
        return r;
    }
    if (push_session(t, s) < 0) {
        if (lock == SVC_LOCK_WRITE)
            svc_machine_end_edit(m);
        svc_session_unref(s);
        return svc_error_set(errp, -ENOMEM, SVC_E_OUT_OF_MEMORY, "out of memory");
    }
    if (lock == SVC_LOCK_VM)
        svc_sessions_unexpect_vm(t, m);
    if (exclusive(lock))
        svc_event_machine(t->events, SVC_EVENT_SESSION_STATE_CHANGED, &m->uuid, SVC_SESSION_LOCKED,
                          false);
    *ret = svc_session_ref(s);
    return 0;
}

/* Take s out of the table and release its lock; drops the table's reference. vm_gone: a VM
 * lock ends because its process is gone (not because the service shuts down, which must not
 * touch running machines: they re-register with the next service instance). */
static void release(svc_sessions *t, size_t i, bool vm_gone)
{
    svc_session *s = t->v[i];
    memmove(&t->v[i], &t->v[i + 1], (t->n - i - 1) * sizeof(*t->v));
    t->n--;
    s->state = SVC_SESSION_UNLOCKED;
    svc_machine *m = s->machine;
    if (s->lock == SVC_LOCK_WRITE)
        svc_machine_end_edit(m); /* unsaved changes are dropped */
    if (vm_gone && s->lock == SVC_LOCK_VM && m->accessible && svc_state_has_vm_process(m->state))
        svc_state_set(m, SVC_STATE_ABORTED, t->events, NULL); /* the VM process vanished */
    if (exclusive(s->lock))
        svc_event_machine(t->events, SVC_EVENT_SESSION_STATE_CHANGED, &m->uuid,
                          SVC_SESSION_UNLOCKED, false);
    svc_session_unref(s);
}

static size_t index_of(const svc_sessions *t, const svc_session *s)
{
    size_t i = 0;
    while (i < t->n && t->v[i] != s)
        i++;
    return i;
}

int svc_unlock_machine(svc_sessions *t, svc_session *s, const char *caller, svc_error **errp)
{
    size_t i = index_of(t, s);
    if (i == t->n || s->state != SVC_SESSION_LOCKED)
        return svc_error_set(errp, -EINVAL, SVC_E_INVALID_SESSION_STATE, "session %s is not locked",
                             s->id.s);
    if (!caller || strcmp(caller, s->owner) != 0)
        return svc_error_set(errp, -EACCES, SVC_E_ACCESS_DENIED,
                             "session %s belongs to %s; only that connection may unlock it",
                             s->id.s, s->owner);
    release(t, i, true);
    svc_sessions_retry(t);
    return 0;
}

static void drop_waiter(svc_sessions *t, size_t i, svc_session *s, svc_error *err)
{
    svc_lock_waiter w = t->waiters[i];
    memmove(&t->waiters[i], &t->waiters[i + 1], (t->n_waiters - i - 1) * sizeof(w));
    t->n_waiters--;
    if (w.done)
        w.done(w.cookie, s, err);
    else {
        svc_session_unref(s);
        svc_error_free(err);
    }
    svc_machine_unref(w.machine);
    free(w.owner);
}

size_t svc_sessions_owner_gone(svc_sessions *t, const char *owner)
{
    size_t released = 0;
    for (size_t i = t->n; i-- > 0;)
        if (i < t->n && strcmp(t->v[i]->owner, owner) == 0) {
            release(t, i, true);
            released++;
        }
    for (size_t i = t->n_waiters; i-- > 0;)
        if (strcmp(t->waiters[i].owner, owner) == 0) {
            svc_error *err = NULL;
            svc_error_set(&err, -ECANCELED, SVC_E_CANCELED, "the caller %s went away", owner);
            drop_waiter(t, i, NULL, err);
        }
    for (size_t i = t->n_expect; i-- > 0;)
        if (t->expect[i].owner && strcmp(t->expect[i].owner, owner) == 0) {
            free(t->expect[i].owner);
            t->expect[i] = t->expect[--t->n_expect];
        }
    if (released)
        svc_sessions_retry(t);
    return released;
}

int svc_sessions_expect_vm(svc_sessions *t, const svc_machine *m, const char *owner, uint32_t pid)
{
    svc_sessions_unexpect_vm(t, m);
    struct svc_vm_expect *v = realloc(t->expect, (t->n_expect + 1) * sizeof(*v));
    if (!v)
        return -ENOMEM;
    t->expect = v;
    struct svc_vm_expect e = {m->uuid, owner ? strdup(owner) : NULL, pid};
    if (owner && !e.owner)
        return -ENOMEM;
    t->expect[t->n_expect++] = e;
    return 0;
}

void svc_sessions_unexpect_vm(svc_sessions *t, const svc_machine *m)
{
    struct svc_vm_expect *e = find_expect(t, m);
    if (!e)
        return;
    free(e->owner);
    *e = t->expect[--t->n_expect];
}

/* Conditions a waiter may outlast: someone else's lock, or the wrong state for now. */
static bool transient(const svc_error *err)
{
    return err->code == SVC_E_OBJECT_IN_USE || err->code == SVC_E_INVALID_VM_STATE;
}

void svc_sessions_retry(svc_sessions *t)
{
    for (size_t i = 0; i < t->n_waiters;) {
        svc_lock_waiter *w = &t->waiters[i];
        svc_session *s = NULL;
        svc_error *err = NULL;
        if (svc_lock_machine(t, w->machine, w->lock, w->owner, w->owner_pid, &s, &err) == 0) {
            drop_waiter(t, i, s, NULL);
            i = 0; /* the table changed: start over */
        } else if (!transient(err)) {
            drop_waiter(t, i, NULL, err);
        } else {
            svc_error_free(err);
            i++;
        }
    }
}

size_t svc_sessions_expire(svc_sessions *t, long long now_ms)
{
    size_t n = 0;
    for (size_t i = t->n_waiters; i-- > 0;) {
        svc_lock_waiter *w = &t->waiters[i];
        if (w->deadline_ms > now_ms)
            continue;
        svc_session *s = NULL;
        svc_error *err = NULL;
        if (svc_lock_machine(t, w->machine, w->lock, w->owner, w->owner_pid, &s, &err) == 0) {
            drop_waiter(t, i, s, NULL); /* free just in time */
            continue;
        }
        svc_error *tmo = NULL;
        svc_error_set(&tmo, -ETIMEDOUT, SVC_E_TIMEOUT, "lockMachine timed out: %s",
                      err ? err->message : "the lock stayed taken");
        svc_error_free(err);
        drop_waiter(t, i, NULL, tmo);
        n++;
    }
    return n;
}

long long svc_sessions_next_deadline(const svc_sessions *t)
{
    long long best = -1;
    for (size_t i = 0; i < t->n_waiters; i++)
        if (best < 0 || t->waiters[i].deadline_ms < best)
            best = t->waiters[i].deadline_ms;
    return best;
}

int svc_lock_machine_wait(svc_sessions *t, svc_machine *m, enum svc_lock_type lock,
                          const char *owner, uint32_t owner_pid, uint32_t timeout_ms,
                          long long now_ms, svc_lock_done_fn done, void *cookie, svc_error **errp)
{
    if (timeout_ms > SVC_LOCK_TIMEOUT_MAX_MS)
        return svc_error_set(errp, -EINVAL, SVC_E_INVALID_ARG,
                             "timeoutMs: %u is out of range; allowed 0..%u", timeout_ms,
                             SVC_LOCK_TIMEOUT_MAX_MS);
    svc_session *s = NULL;
    svc_error *err = NULL;
    int r = svc_lock_machine(t, m, lock, owner, owner_pid, &s, &err);
    if (r == 0 || timeout_ms == 0 || !transient(err)) {
        done(cookie, s, err);
        return 0;
    }
    svc_error_free(err);
    svc_lock_waiter *v = t->waiters;
    if (t->n_waiters == t->cap_waiters) {
        size_t cap = t->cap_waiters ? t->cap_waiters * 2 : 8;
        v = realloc(t->waiters, cap * sizeof(*v));
        if (!v)
            return svc_error_set(errp, -ENOMEM, SVC_E_OUT_OF_MEMORY, "out of memory");
        t->waiters = v;
        t->cap_waiters = cap;
    }
    svc_lock_waiter w = {svc_machine_ref(m),  lock, strdup(owner), owner_pid,
                         now_ms + timeout_ms, done, cookie};
    if (!w.owner) {
        svc_machine_unref(w.machine);
        return svc_error_set(errp, -ENOMEM, SVC_E_OUT_OF_MEMORY, "out of memory");
    }
    t->waiters[t->n_waiters++] = w;
    return 1;
}

void svc_sessions_clear(svc_sessions *t)
{
    while (t->n)
        release(t, t->n - 1, false);
    while (t->n_waiters) {
        svc_error *err = NULL;
        svc_error_set(&err, -ECANCELED, SVC_E_CANCELED, "the service is shutting down");
        drop_waiter(t, t->n_waiters - 1, NULL, err);
    }
    for (size_t i = 0; i < t->n_expect; i++)
        free(t->expect[i].owner);
    free(t->expect);
    free(t->v);
    free(t->waiters);
    memset(t, 0, sizeof(*t));
}
