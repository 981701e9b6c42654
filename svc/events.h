/* The service's events (IEventSource's signals), queued by the model and drained by the
 * D-Bus layer after each call or main-loop turn, which emits one signal per event. The model
 * never talks to the bus itself.
 *
 * The queue is a bounded ring: if nobody drains it, the oldest events are dropped and
 * counted (a daemon bug, never a reason to grow without bound). */
#ifndef VIREO_SVC_EVENTS_H
#define VIREO_SVC_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "svc/uuid.h"

enum svc_event_kind {
    SVC_EVENT_MACHINE_STATE_CHANGED,    /* machine, value = MachineState */
    SVC_EVENT_MACHINE_REGISTERED,       /* machine, flag = registered */
    SVC_EVENT_MACHINE_SETTINGS_CHANGED, /* machine */
    SVC_EVENT_SESSION_STATE_CHANGED,    /* machine, value = SessionState */
    SVC_EVENT_SNAPSHOT_TAKEN,           /* machine, other = snapshot */
    SVC_EVENT_SNAPSHOT_RESTORED,        /* machine, other = snapshot */
    SVC_EVENT_SNAPSHOT_DELETED,         /* machine, other = snapshot */
    SVC_EVENT_SNAPSHOT_CHANGED,         /* machine, other = snapshot */
    SVC_EVENT_MEDIUM_REGISTERED,        /* other = medium, value = DeviceType, flag */
    SVC_EVENT_KIND_COUNT
};

struct svc_event {
    enum svc_event_kind kind;
    svc_uuid machine;
    svc_uuid other;
    uint32_t value;
    bool flag;
};

#define SVC_EVENT_QUEUE_CAP 4096

typedef struct svc_event_queue {
    struct svc_event ring[SVC_EVENT_QUEUE_CAP];
    size_t head; /* next to pop */
    size_t count;
    uint64_t dropped;
} svc_event_queue;

/* The IDL name of the event ("machineStateChanged"). */
const char *svc_event_name(enum svc_event_kind kind);

void svc_event_queue_init(svc_event_queue *q);
/* Queue an event; a full queue drops its oldest entry. q may be NULL (no listener). */
void svc_event_push(svc_event_queue *q, const struct svc_event *ev);
/* Shorthands for the common events. */
void svc_event_machine(svc_event_queue *q, enum svc_event_kind kind, const svc_uuid *machine,
                       uint32_t value, bool flag);
/* Take the oldest event into *ret; false if the queue is empty. */
bool svc_event_pop(svc_event_queue *q, struct svc_event *ret);

#endif
