/* The machine state machine. */
#include "svc/state.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define B(s) SVC_STATE_BIT(SVC_STATE_##s)

/* Successors of each state. Every state with a VM process can also end in Aborted (the
 * process crashed or was killed), which is added below rather than listed everywhere. */
static const unsigned successors[SVC_STATE_COUNT] = {
    [SVC_STATE_POWERED_OFF] =
        B(STARTING) | B(SNAPSHOTTING) | B(DELETING_SNAPSHOT) | B(RESTORING_SNAPSHOT),
    [SVC_STATE_SAVED] = B(RESTORING) | B(POWERED_OFF) | B(SNAPSHOTTING) | B(DELETING_SNAPSHOT) |
                        B(RESTORING_SNAPSHOT),
    [SVC_STATE_ABORTED] = B(STARTING) | B(POWERED_OFF) | B(SNAPSHOTTING) | B(DELETING_SNAPSHOT) |
                          B(RESTORING_SNAPSHOT),
    [SVC_STATE_STARTING] = B(RUNNING) | B(PAUSED) | B(POWERED_OFF),
    [SVC_STATE_RESTORING] = B(RUNNING) | B(PAUSED) | B(SAVED),
    [SVC_STATE_RUNNING] = B(PAUSED) | B(STOPPING) | B(SAVING) | B(SNAPSHOTTING) |
                          B(RESTORING_SNAPSHOT) | B(STUCK) | B(POWERED_OFF),
    [SVC_STATE_PAUSED] = B(RUNNING) | B(STOPPING) | B(SAVING) | B(SNAPSHOTTING) |
                         B(RESTORING_SNAPSHOT) | B(STUCK) | B(POWERED_OFF),
    [SVC_STATE_STOPPING] = B(POWERED_OFF),
    [SVC_STATE_SAVING] = B(SAVED) | B(RUNNING) | B(PAUSED),
    [SVC_STATE_SNAPSHOTTING] = B(POWERED_OFF) | B(SAVED) | B(ABORTED) | B(RUNNING) | B(PAUSED),
    [SVC_STATE_DELETING_SNAPSHOT] = B(POWERED_OFF) | B(SAVED) | B(ABORTED),
    [SVC_STATE_RESTORING_SNAPSHOT] = B(POWERED_OFF) | B(SAVED) | B(RUNNING) | B(PAUSED),
    [SVC_STATE_STUCK] = B(STOPPING) | B(POWERED_OFF),
};

enum svc_machine_state svc_machine_reported_state(const svc_machine *m)
{
    return m->accessible ? m->state : SVC_STATE_INACCESSIBLE;
}

bool svc_state_has_vm_process(enum svc_machine_state s)
{
    return s != SVC_STATE_NULL && s != SVC_STATE_INACCESSIBLE && !svc_machine_state_persistent(s) &&
           s != SVC_STATE_SNAPSHOTTING && s != SVC_STATE_DELETING_SNAPSHOT &&
           s != SVC_STATE_RESTORING_SNAPSHOT;
}

bool svc_state_transition_allowed(enum svc_machine_state from, enum svc_machine_state to)
{
    if ((unsigned)from >= SVC_STATE_COUNT || (unsigned)to >= SVC_STATE_COUNT)
        return false;
    unsigned next = successors[from];
    /* Snapshotting and restoring a snapshot also happen while a VM process runs. */
    if (svc_state_has_vm_process(from) || from == SVC_STATE_SNAPSHOTTING ||
        from == SVC_STATE_RESTORING_SNAPSHOT)
        next |= B(ABORTED);
    return (next & SVC_STATE_BIT(to)) != 0;
}

/* "A, B or C" from a state mask. */
static void list_states(unsigned mask, char *buf, size_t size)
{
    unsigned total = 0, done = 0;
    for (unsigned s = 0; s < SVC_STATE_COUNT; s++)
        total += (mask >> s) & 1;
    buf[0] = '\0';
    for (unsigned s = 0; s < SVC_STATE_COUNT; s++) {
        if (!(mask & SVC_STATE_BIT(s)))
            continue;
        const char *sep = done == 0 ? "" : (done + 1 == total ? " or " : ", ");
        size_t len = strlen(buf);
        snprintf(buf + len, size - len, "%s%s", sep, svc_machine_state_name(s));
        done++;
    }
}

int svc_state_require(const svc_machine *m, unsigned allowed, const char *operation,
                      svc_error **errp)
{
    enum svc_machine_state found = svc_machine_reported_state(m);
    if (allowed & SVC_STATE_BIT(found))
        return 0;
    char needed[256];
    list_states(allowed, needed, sizeof(needed));
    return svc_error_set(errp, -EBUSY, SVC_E_INVALID_VM_STATE, "%s: machine '%s' is %s; needed %s",
                         operation, m->accessible ? m->settings.name : m->uuid.s,
                         svc_machine_state_name(found), needed);
}

long long svc_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Record a persistent state in the settings file (the committed settings and, if a session
 * edits, its copy, so that its next save does not write the old state back). */
static int persist(svc_machine *m, enum svc_machine_state to, svc_error **errp)
{
    enum svc_machine_state old = m->settings.state;
    long long old_ms = m->settings.last_state_change_ms;
    m->settings.state = to;
    m->settings.last_state_change_ms = svc_now_ms();
    int r = m->on_disk ? svc_machine_save(m, errp) : 0;
    if (r < 0) {
        m->settings.state = old;
        m->settings.last_state_change_ms = old_ms;
        return r;
    }
    if (m->edit) {
        m->edit->state = to;
        m->edit->last_state_change_ms = m->settings.last_state_change_ms;
    }
    return 0;
}

int svc_state_set(svc_machine *m, enum svc_machine_state to, svc_event_queue *q, svc_error **errp)
{
    int r = svc_machine_require_accessible(m, errp);
    if (r < 0)
        return r;
    if (!svc_state_transition_allowed(m->state, to))
        return svc_error_set(errp, -EINVAL, SVC_E_INVALID_VM_STATE,
                             "machine '%s' cannot go from %s to %s", m->settings.name,
                             svc_machine_state_name(m->state), svc_machine_state_name(to));
    if (svc_machine_state_persistent(to)) {
        r = persist(m, to, errp);
        if (r < 0)
            return r;
    }
    m->state = to;
    svc_event_machine(q, SVC_EVENT_MACHINE_STATE_CHANGED, &m->uuid, to, false);
    return 0;
}
