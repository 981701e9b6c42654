/* The bounded event queue. */
#include "svc/events.h"

#include <string.h>

static const char *const names[SVC_EVENT_KIND_COUNT] = {
    [SVC_EVENT_MACHINE_STATE_CHANGED] = "machineStateChanged",
    [SVC_EVENT_MACHINE_REGISTERED] = "machineRegistered",
    [SVC_EVENT_MACHINE_SETTINGS_CHANGED] = "machineSettingsChanged",
    [SVC_EVENT_SESSION_STATE_CHANGED] = "sessionStateChanged",
    [SVC_EVENT_SNAPSHOT_TAKEN] = "snapshotTaken",
    [SVC_EVENT_SNAPSHOT_RESTORED] = "snapshotRestored",
    [SVC_EVENT_SNAPSHOT_DELETED] = "snapshotDeleted",
    [SVC_EVENT_SNAPSHOT_CHANGED] = "snapshotChanged",
    [SVC_EVENT_MEDIUM_REGISTERED] = "mediumRegistered",
};

const char *svc_event_name(enum svc_event_kind kind)
{
    return (unsigned)kind < SVC_EVENT_KIND_COUNT ? names[kind] : "?";
}

void svc_event_queue_init(svc_event_queue *q)
{
    q->head = 0;
    q->count = 0;
    q->dropped = 0;
}

void svc_event_push(svc_event_queue *q, const struct svc_event *ev)
{
    if (!q)
        return;
    if (q->count == SVC_EVENT_QUEUE_CAP) {
        q->head = (q->head + 1) % SVC_EVENT_QUEUE_CAP;
        q->count--;
        q->dropped++;
    }
    q->ring[(q->head + q->count) % SVC_EVENT_QUEUE_CAP] = *ev;
    q->count++;
}

void svc_event_machine(svc_event_queue *q, enum svc_event_kind kind, const svc_uuid *machine,
                       uint32_t value, bool flag)
{
    struct svc_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.kind = kind;
    ev.machine = *machine;
    ev.value = value;
    ev.flag = flag;
    svc_event_push(q, &ev);
}

bool svc_event_pop(svc_event_queue *q, struct svc_event *ret)
{
    if (!q || q->count == 0)
        return false;
    *ret = q->ring[q->head];
    q->head = (q->head + 1) % SVC_EVENT_QUEUE_CAP;
    q->count--;
    return true;
}
