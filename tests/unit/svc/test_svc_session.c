/* Sessions, locks, the state machine and the event queue. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svc/machine_xml.h"
#include "svc/registry.h"
#include "svc/session.h"
#include "svc/state.h"
#include "svc_test_util.h"

static char *scratch;
static svc_registry *reg;

static void setup(void)
{
    scratch = svc_test_mkdtemp();
    char *home = svc_test_path(scratch, "home");
    setenv("VIREO_USER_HOME", home, 1);
    free(home);
    ck_assert_int_eq(svc_registry_open(NULL, &reg, NULL), 0);
}

static void teardown(void)
{
    svc_registry_free(reg);
    svc_test_rmtree(scratch);
    free(scratch);
}

static void expect_code(int r, svc_error *err, const char *code, const char *needle)
{
    ck_assert_int_lt(r, 0);
    ck_assert_ptr_nonnull(err);
    ck_assert_msg(strcmp(svc_result_name(err->code), code) == 0, "got %s: %s",
                  svc_result_name(err->code), err->message);
    ck_assert_msg(!needle || strstr(err->message, needle), "'%s' lacks '%s'", err->message, needle);
    svc_error_free(err);
}

#define EXPECT(call, code, needle)                                                                 \
    do {                                                                                           \
        svc_error *err = NULL;                                                                     \
        int r_ = (call);                                                                           \
        expect_code(r_, err, code, needle);                                                        \
    } while (0)

static svc_machine *machine(const char *name)
{
    svc_machine *m = NULL;
    ck_assert_int_eq(svc_registry_create_machine(reg, NULL, name, "Linux", &m, NULL), 0);
    ck_assert_int_eq(svc_registry_register(reg, m, NULL), 0);
    svc_machine_unref(m);
    return m;
}

/* Pop every event and return how many of `kind` there were; the last one's value in *value. */
static int drain(enum svc_event_kind kind, uint32_t *value)
{
    struct svc_event ev;
    int n = 0;
    while (svc_event_pop(reg->events, &ev))
        if (ev.kind == kind) {
            n++;
            if (value)
                *value = ev.value;
        }
    return n;
}

START_TEST(state_transitions_and_messages)
{
    ck_assert(svc_state_transition_allowed(SVC_STATE_POWERED_OFF, SVC_STATE_STARTING));
    ck_assert(svc_state_transition_allowed(SVC_STATE_RUNNING, SVC_STATE_ABORTED));
    ck_assert(svc_state_transition_allowed(SVC_STATE_SAVING, SVC_STATE_SAVED));
    ck_assert(!svc_state_transition_allowed(SVC_STATE_POWERED_OFF, SVC_STATE_RUNNING));
    ck_assert(!svc_state_transition_allowed(SVC_STATE_POWERED_OFF, SVC_STATE_ABORTED));
    ck_assert(!svc_state_transition_allowed(SVC_STATE_SAVED, SVC_STATE_RUNNING));
    ck_assert(!svc_state_transition_allowed(SVC_STATE_COUNT, SVC_STATE_RUNNING));
    svc_machine *m = machine("st");
    drain(SVC_EVENT_KIND_COUNT, NULL);
    EXPECT(svc_state_set(m, SVC_STATE_RUNNING, reg->events, &err), "InvalidVMState",
           "cannot go from PoweredOff to Running");
    ck_assert_int_eq(svc_state_set(m, SVC_STATE_STARTING, reg->events, NULL), 0);
    ck_assert_int_eq(svc_state_set(m, SVC_STATE_RUNNING, reg->events, NULL), 0);
    EXPECT(svc_state_require(m, SVC_STATES_OFF, "launchVMProcess", &err), "InvalidVMState",
           "launchVMProcess: machine 'st' is Running; needed PoweredOff, Saved or Aborted");
    ck_assert_int_eq(svc_state_require(m, SVC_STATES_RUNNING, "pause", NULL), 0);
    /* the file still says PoweredOff: running states are never written */
    struct svc_machine_settings s;
    char *note = NULL;
    ck_assert_int_eq(svc_machine_settings_load(m->settings_path, &s, &note, NULL), 0);
    ck_assert_int_eq(s.state, SVC_STATE_POWERED_OFF);
    svc_settings_clear(&s);
    long long before = svc_now_ms();
    ck_assert_int_eq(svc_state_set(m, SVC_STATE_ABORTED, reg->events, NULL), 0);
    ck_assert_int_eq(svc_machine_settings_load(m->settings_path, &s, &note, NULL), 0);
    ck_assert_int_eq(s.state, SVC_STATE_ABORTED);
    ck_assert_int_ge(s.last_state_change_ms, before);
    svc_settings_clear(&s);
    uint32_t last = 0;
    ck_assert_int_eq(drain(SVC_EVENT_MACHINE_STATE_CHANGED, &last), 3);
    ck_assert_uint_eq(last, SVC_STATE_ABORTED);
    /* an inaccessible machine reports Inaccessible */
    m->accessible = false;
    EXPECT(svc_state_require(m, SVC_STATES_OFF, "lockMachine", &err), "InvalidVMState",
           "is Inaccessible");
    m->accessible = true;
}
END_TEST

START_TEST(event_queue_is_bounded)
{
    svc_event_queue *q = malloc(sizeof(*q));
    svc_event_queue_init(q);
    svc_uuid u = {{0}};
    for (uint32_t i = 0; i < SVC_EVENT_QUEUE_CAP + 10; i++)
        svc_event_machine(q, SVC_EVENT_MACHINE_STATE_CHANGED, &u, i, false);
    ck_assert_uint_eq(q->dropped, 10);
    struct svc_event ev;
    ck_assert(svc_event_pop(q, &ev));
    ck_assert_uint_eq(ev.value, 10); /* the oldest were dropped */
    ck_assert_str_eq(svc_event_name(ev.kind), "machineStateChanged");
    size_t n = 1;
    while (svc_event_pop(q, &ev))
        n++;
    ck_assert_uint_eq(n, SVC_EVENT_QUEUE_CAP);
    ck_assert_uint_eq(ev.value, SVC_EVENT_QUEUE_CAP + 9);
    svc_event_push(NULL, &ev); /* no listener: fine */
    free(q);
}
END_TEST

START_TEST(write_lock_conflicts_and_unlock)
{
    svc_sessions t;
    svc_sessions_init(&t, reg->events);
    svc_machine *m = machine("w");
    drain(SVC_EVENT_KIND_COUNT, NULL);
    svc_session *a = NULL, *b = NULL;
    EXPECT(svc_lock_machine(&t, m, SVC_LOCK_NULL, ":1.1", 11, &a, &err), "InvalidArg",
           "allowed Shared, Write, VM");
    ck_assert_int_eq(svc_lock_machine(&t, m, SVC_LOCK_WRITE, ":1.1", 11, &a, NULL), 0);
    ck_assert_int_eq(a->type, SVC_SESSION_TYPE_WRITE_LOCK);
    ck_assert_int_eq(svc_sessions_machine_state(&t, m), SVC_SESSION_LOCKED);
    ck_assert_ptr_nonnull(m->edit);
    EXPECT(svc_lock_machine(&t, m, SVC_LOCK_WRITE, ":1.2", 22, &b, &err), "ObjectInUse",
           "locked by :1.1 (pid 11) with a WriteLock session");
    EXPECT(svc_lock_machine(&t, m, SVC_LOCK_SHARED, ":1.2", 22, &b, &err), "InvalidVMState",
           "needed Running, Paused or Stuck");
    EXPECT(svc_lock_machine(&t, m, SVC_LOCK_VM, ":1.2", 22, &b, &err), "AccessDenied",
           "only the VM process");
    m->edit->memory_mib = 1024; /* never saved */
    EXPECT(svc_unlock_machine(&t, a, ":1.2", &err), "AccessDenied", "belongs to :1.1");
    ck_assert_int_eq(svc_unlock_machine(&t, a, ":1.1", NULL), 0);
    ck_assert_int_eq(a->state, SVC_SESSION_UNLOCKED);
    EXPECT(svc_unlock_machine(&t, a, ":1.1", &err), "InvalidSessionState", "not locked");
    ck_assert_ptr_null(m->edit);
    ck_assert_uint_eq(m->settings.memory_mib, 256);
    uint32_t last = 0;
    ck_assert_int_eq(drain(SVC_EVENT_SESSION_STATE_CHANGED, &last), 2);
    ck_assert_uint_eq(last, SVC_SESSION_UNLOCKED);
    svc_session_unref(a);
    svc_sessions_clear(&t);
}
END_TEST

START_TEST(disconnect_releases_locks)
{
    svc_sessions t;
    svc_sessions_init(&t, reg->events);
    svc_machine *m1 = machine("one"), *m2 = machine("two");
    svc_session *a = NULL, *b = NULL;
    ck_assert_int_eq(svc_lock_machine(&t, m1, SVC_LOCK_WRITE, ":1.5", 5, &a, NULL), 0);
    ck_assert_int_eq(svc_lock_machine(&t, m2, SVC_LOCK_WRITE, ":1.5", 5, &b, NULL), 0);
    ck_assert_uint_eq(svc_sessions_owner_gone(&t, ":1.6"), 0);
    ck_assert_uint_eq(svc_sessions_owner_gone(&t, ":1.5"), 2);
    ck_assert_uint_eq(svc_sessions_count(&t, NULL), 0);
    ck_assert_int_eq(svc_sessions_machine_state(&t, m1), SVC_SESSION_UNLOCKED);
    ck_assert_ptr_null(m1->edit);
    svc_session_unref(a);
    svc_session_unref(b);
    /* and the machine can be locked again at once */
    ck_assert_int_eq(svc_lock_machine(&t, m1, SVC_LOCK_WRITE, ":1.7", 7, &a, NULL), 0);
    svc_session_unref(a);
    svc_sessions_clear(&t);
    ck_assert_ptr_null(m1->edit);
}
END_TEST

struct result {
    int calls;
    svc_session *s;
    char code[32];
};

static void on_done(void *cookie, svc_session *s, svc_error *err)
{
    struct result *res = cookie;
    res->calls++;
    res->s = s;
    snprintf(res->code, sizeof(res->code), "%s", err ? svc_result_name(err->code) : "ok");
    svc_error_free(err);
}

START_TEST(waiting_for_a_lock)
{
    svc_sessions t;
    svc_sessions_init(&t, reg->events);
    svc_machine *m = machine("wait");
    svc_session *a = NULL;
    ck_assert_int_eq(svc_lock_machine(&t, m, SVC_LOCK_WRITE, ":1.1", 1, &a, NULL), 0);
    struct result r1 = {0}, r2 = {0}, r3 = {0};
    EXPECT(svc_lock_machine_wait(&t, m, SVC_LOCK_WRITE, ":1.2", 2, 600001, 0, on_done, &r1, &err),
           "InvalidArg", "timeoutMs: 600001");
    /* timeout 0: fails at once, through the callback */
    ck_assert_int_eq(
        svc_lock_machine_wait(&t, m, SVC_LOCK_WRITE, ":1.2", 2, 0, 0, on_done, &r1, NULL), 0);
    ck_assert_int_eq(r1.calls, 1);
    ck_assert_str_eq(r1.code, "ObjectInUse");
    ck_assert_int_eq(
        svc_lock_machine_wait(&t, m, SVC_LOCK_WRITE, ":1.2", 2, 5000, 1000, on_done, &r2, NULL), 1);
    ck_assert_int_eq(
        svc_lock_machine_wait(&t, m, SVC_LOCK_WRITE, ":1.3", 3, 1000, 1000, on_done, &r3, NULL), 1);
    ck_assert_int_eq(svc_sessions_next_deadline(&t), 2000);
    ck_assert_uint_eq(svc_sessions_expire(&t, 1999), 0);
    ck_assert_uint_eq(svc_sessions_expire(&t, 2000), 1); /* :1.3 gives up */
    ck_assert_int_eq(r3.calls, 1);
    ck_assert_str_eq(r3.code, "Timeout");
    ck_assert_int_eq(r2.calls, 0);
    /* the holder goes away: the waiter gets the lock, no retry loop needed */
    svc_sessions_owner_gone(&t, ":1.1");
    ck_assert_int_eq(r2.calls, 1);
    ck_assert_str_eq(r2.code, "ok");
    ck_assert_str_eq(r2.s->owner, ":1.2");
    ck_assert_ptr_eq(svc_sessions_exclusive(&t, m), r2.s);
    svc_session_unref(r2.s);
    svc_session_unref(a);
    /* a waiter whose caller goes away is dropped (Canceled) */
    struct result r4 = {0};
    ck_assert_int_eq(
        svc_lock_machine_wait(&t, m, SVC_LOCK_WRITE, ":1.4", 4, 5000, 0, on_done, &r4, NULL), 1);
    svc_sessions_owner_gone(&t, ":1.4");
    ck_assert_str_eq(r4.code, "Canceled");
    svc_sessions_clear(&t);
}
END_TEST

START_TEST(vm_lock_and_crash)
{
    svc_sessions t;
    svc_sessions_init(&t, reg->events);
    svc_machine *m = machine("vm");
    svc_session *vm = NULL, *sh = NULL, *w = NULL;
    ck_assert_int_eq(svc_state_set(m, SVC_STATE_STARTING, reg->events, NULL), 0);
    ck_assert_int_eq(svc_sessions_machine_state(&t, m), SVC_SESSION_UNLOCKED);
    ck_assert_int_eq(svc_sessions_expect_vm(&t, m, NULL, 4242), 0);
    ck_assert_int_eq(svc_sessions_machine_state(&t, m), SVC_SESSION_SPAWNING);
    EXPECT(svc_lock_machine(&t, m, SVC_LOCK_VM, ":1.8", 4141, &vm, &err), "AccessDenied", NULL);
    ck_assert_int_eq(svc_lock_machine(&t, m, SVC_LOCK_VM, ":1.9", 4242, &vm, NULL), 0);
    ck_assert_int_eq(svc_sessions_machine_state(&t, m), SVC_SESSION_LOCKED);
    ck_assert_int_eq(svc_sessions_machine_type(&t, m), SVC_SESSION_TYPE_VM_PROCESS);
    ck_assert_int_eq(svc_state_set(m, SVC_STATE_RUNNING, reg->events, NULL), 0);
    ck_assert_int_eq(svc_lock_machine(&t, m, SVC_LOCK_SHARED, ":1.2", 2, &sh, NULL), 0);
    EXPECT(svc_lock_machine(&t, m, SVC_LOCK_WRITE, ":1.2", 2, &w, &err), "ObjectInUse",
           "locked by :1.9 (pid 4242) with a VMProcess session");
    /* the VM process dies (kill -9): its connection drops, the machine is Aborted */
    drain(SVC_EVENT_KIND_COUNT, NULL);
    ck_assert_uint_eq(svc_sessions_owner_gone(&t, ":1.9"), 1);
    ck_assert_int_eq(m->state, SVC_STATE_ABORTED);
    uint32_t st = 0;
    ck_assert_int_eq(drain(SVC_EVENT_MACHINE_STATE_CHANGED, &st), 1);
    ck_assert_uint_eq(st, SVC_STATE_ABORTED);
    struct svc_machine_settings s;
    char *note = NULL;
    ck_assert_int_eq(svc_machine_settings_load(m->settings_path, &s, &note, NULL), 0);
    ck_assert_int_eq(s.state, SVC_STATE_ABORTED);
    svc_settings_clear(&s);
    /* now it can be locked for writing */
    ck_assert_int_eq(svc_lock_machine(&t, m, SVC_LOCK_WRITE, ":1.2", 2, &w, NULL), 0);
    svc_session_unref(vm);
    svc_session_unref(sh);
    svc_session_unref(w);
    svc_sessions_clear(&t);
}
END_TEST

START_TEST(inaccessible_and_unregistered_machines)
{
    svc_sessions t;
    svc_sessions_init(&t, reg->events);
    svc_machine *m = machine("gone");
    ck_assert_int_eq(remove(m->settings_path), 0);
    svc_session *s = NULL;
    EXPECT(svc_lock_machine(&t, m, SVC_LOCK_WRITE, ":1.1", 1, &s, &err), "InvalidObjectState",
           "was deleted or moved");
    svc_machine *n = NULL;
    ck_assert_int_eq(svc_registry_create_machine(reg, NULL, "new", NULL, &n, NULL), 0);
    EXPECT(svc_lock_machine(&t, n, SVC_LOCK_WRITE, ":1.1", 1, &s, &err), "InvalidObjectState",
           "not registered");
    svc_machine_unref(n);
    svc_sessions_clear(&t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("svc_session");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, state_transitions_and_messages);
    tcase_add_test(tc, event_queue_is_bounded);
    tcase_add_test(tc, write_lock_conflicts_and_unlock);
    tcase_add_test(tc, disconnect_releases_locks);
    tcase_add_test(tc, waiting_for_a_lock);
    tcase_add_test(tc, vm_lock_and_crash);
    tcase_add_test(tc, inaccessible_and_unregistered_machines);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
