/* The machine state machine (MachineState): which transitions exist, the InvalidVMState
 * checks every method makes, and persisting the states a settings file records. */
#ifndef VIREO_SVC_STATE_H
#define VIREO_SVC_STATE_H

#include <stdbool.h>

#include "svc/events.h"
#include "svc/machine.h"

#define SVC_STATE_BIT(s) (1u << (s))
/* Machines without a VM process. */
#define SVC_STATES_OFF                                                                             \
    (SVC_STATE_BIT(SVC_STATE_POWERED_OFF) | SVC_STATE_BIT(SVC_STATE_SAVED) |                       \
     SVC_STATE_BIT(SVC_STATE_ABORTED))
/* Machines whose VM process runs the guest. */
#define SVC_STATES_RUNNING (SVC_STATE_BIT(SVC_STATE_RUNNING) | SVC_STATE_BIT(SVC_STATE_PAUSED))

/* The state the API reports: Inaccessible for an inaccessible machine, else m->state. */
enum svc_machine_state svc_machine_reported_state(const svc_machine *m);

/* True while a VM process exists for the state (everything but PoweredOff, Saved, Aborted,
 * Inaccessible and Null). */
bool svc_state_has_vm_process(enum svc_machine_state s);

/* True if the state machine allows from -> to. */
bool svc_state_transition_allowed(enum svc_machine_state from, enum svc_machine_state to);

/* InvalidVMState unless the machine's reported state is in `allowed` (SVC_STATE_BIT mask):
 * "<operation>: machine '<name>' is <found>; needed <A>, <B> or <C>". */
int svc_state_require(const svc_machine *m, unsigned allowed, const char *operation,
                      svc_error **errp);

/* Move the machine to `to`: InvalidVMState if the transition does not exist. A persistent
 * target (PoweredOff, Saved, Aborted) is written to the settings file with the time of the
 * change (stateFile must be set in the settings for Saved). Fires machineStateChanged on q. */
int svc_state_set(svc_machine *m, enum svc_machine_state to, svc_event_queue *q, svc_error **errp);

/* Milliseconds since the epoch (CLOCK_REALTIME). */
long long svc_now_ms(void);

#endif
