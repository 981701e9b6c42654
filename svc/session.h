/* Sessions and machine locks (ISession, IMachine.lockMachine), keyed by the owner's bus
 * connection (its unique name, e.g. ":1.42"), with release-on-disconnect: when the bus layer
 * sees a connection drop (NameOwnerChanged to ""), it calls svc_sessions_owner_gone() and
 * every lock of that connection goes, as if unlockMachine had been called.
 *
 * Exclusive locks: Write (a client changing settings; the session's machine is the mutable
 * copy) and VM (the VM process running the machine). At most one per machine. Shared locks
 * need a VM process and coexist with it and with each other.
 *
 * Waiting: a lock that cannot be had at once may be queued with a deadline; the table retries
 * waiters whenever a lock goes or a machine's state changes (svc_sessions_retry), and fails
 * them with Timeout at their deadline (svc_sessions_expire). The table never blocks. */
#ifndef VIREO_SVC_SESSION_H
#define VIREO_SVC_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "svc/events.h"
#include "svc/machine.h"

#define SVC_LOCK_TIMEOUT_MAX_MS 600000u

typedef struct svc_session {
    unsigned refs;
    svc_uuid id;
    char *owner;        /* bus unique name of the holder */
    uint32_t owner_pid; /* from the bus credentials; 0 if unknown */
    enum svc_lock_type lock;
    enum svc_session_type type;
    enum svc_session_state state; /* Locked, then Unlocked once released */
    svc_machine *machine;         /* a reference */
} svc_session;

/* Called when a queued lock request completes: exactly one of session (a new reference for
 * the callee) and err (owned by the callee) is non-NULL. */
typedef void (*svc_lock_done_fn)(void *cookie, svc_session *session, svc_error *err);

typedef struct svc_lock_waiter {
    svc_machine *machine; /* a reference */
    enum svc_lock_type lock;
    char *owner;
    uint32_t owner_pid;
    long long deadline_ms;
    svc_lock_done_fn done;
    void *cookie;
} svc_lock_waiter;

typedef struct svc_sessions {
    svc_session **v;
    size_t n, cap;
    svc_lock_waiter *waiters;
    size_t n_waiters, cap_waiters;
    /* the VM process the service launched, per machine, may take the VM lock (by owner) */
    struct svc_vm_expect {
        svc_uuid machine;
        char *owner; /* NULL: any connection of the launched process (matched by pid) */
        uint32_t pid;
    } * expect;
    size_t n_expect;
    svc_event_queue *events; /* sessionStateChanged; borrowed, may be NULL */
} svc_sessions;

void svc_sessions_init(svc_sessions *t, svc_event_queue *events);
/* Releases every session (as if each owner went away) and fails every waiter. */
void svc_sessions_clear(svc_sessions *t);

svc_session *svc_session_ref(svc_session *s);
svc_session *svc_session_unref(svc_session *s); /* accepts NULL, returns NULL */

/* lockMachine without waiting. On success *ret is a new reference to a Locked session.
 * Errors: InvalidArg (lock type), InvalidObjectState (inaccessible), InvalidVMState (Write on
 * a machine with a VM process, Shared on one without), ObjectInUse naming the holder's
 * connection and pid, AccessDenied (VM lock not expected from this owner). */
int svc_lock_machine(svc_sessions *t, svc_machine *m, enum svc_lock_type lock, const char *owner,
                     uint32_t owner_pid, svc_session **ret, svc_error **errp);

/* lockMachine with a timeout: completes at once (returns 0 after calling done) when possible
 * or when timeout_ms is 0; otherwise queues the request and returns 1. InvalidArg for a
 * timeout above SVC_LOCK_TIMEOUT_MAX_MS (done is not called then, the error goes to errp). */
int svc_lock_machine_wait(svc_sessions *t, svc_machine *m, enum svc_lock_type lock,
                          const char *owner, uint32_t owner_pid, uint32_t timeout_ms,
                          long long now_ms, svc_lock_done_fn done, void *cookie, svc_error **errp);

/* ISession.unlockMachine: only the owner may (AccessDenied); an unlocked session answers
 * InvalidSessionState. A Write session's unsaved changes are dropped. */
int svc_unlock_machine(svc_sessions *t, svc_session *s, const char *caller, svc_error **errp);

/* The owner's connection dropped: release its sessions and drop its waiters. Returns the
 * number of sessions released. If it held a VM lock, the machine goes to Aborted. */
size_t svc_sessions_owner_gone(svc_sessions *t, const char *owner);

/* Allow the VM process of a launch to take the VM lock (owner NULL: any connection whose pid
 * matches). Cleared when it takes the lock or by svc_sessions_unexpect_vm. */
int svc_sessions_expect_vm(svc_sessions *t, const svc_machine *m, const char *owner, uint32_t pid);
void svc_sessions_unexpect_vm(svc_sessions *t, const svc_machine *m);

/* Retry queued requests (after an unlock or a state change). */
void svc_sessions_retry(svc_sessions *t);
/* Fail queued requests whose deadline has passed with Timeout. Returns how many. */
size_t svc_sessions_expire(svc_sessions *t, long long now_ms);
/* The earliest waiter deadline, or -1 if none (for the main loop's timer). */
long long svc_sessions_next_deadline(const svc_sessions *t);

/* The session holding m's exclusive lock, or NULL. */
svc_session *svc_sessions_exclusive(const svc_sessions *t, const svc_machine *m);
/* IMachine.sessionState / sessionType from the exclusive lock. */
enum svc_session_state svc_sessions_machine_state(const svc_sessions *t, const svc_machine *m);
enum svc_session_type svc_sessions_machine_type(const svc_sessions *t, const svc_machine *m);
/* Number of sessions (any kind) on m, and in total. */
size_t svc_sessions_count(const svc_sessions *t, const svc_machine *m);

#endif
