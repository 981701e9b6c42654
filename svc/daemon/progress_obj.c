/* IProgress objects: the state of one long operation, its waiters (deferred replies with
 * their own timers), the finished event and the stay on the bus after completion. */
#include "svc/daemon/progress.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svc/uuid.h"

#define WAIT_MAX_MS 86400000

struct waiter {
    vireo_call *call;
    vireo_source *timer; /* NULL: waits without a deadline */
    svc_progress *p;
};

struct svc_progress {
    vireo_object base;
    svc_daemon *d;
    svc_uuid id;
    char *path;
    char *description;
    bool cancelable, completed, canceled, exported;
    uint32_t percent;
    uint32_t result_code;
    char *error_name, *error_message;
    svc_progress_cancel_fn cancel_fn;
    void *cancel_ud;
    struct waiter **waiters;
    size_t n_waiters;
    vireo_source *keep_timer;
    svc_progress *next; /* the daemon's list */
};

/* Every live progress, for lookups at shutdown. One service per process. */
static svc_progress *all;

static svc_progress *po(vireo_object *self)
{
    return (svc_progress *)self;
}

static int dup_out(char **ret, const char *s)
{
    *ret = strdup(s ? s : "");
    return *ret ? 0 : -ENOMEM;
}

static int get_id(vireo_object *self, char **ret, vireo_error **errp)
{
    return dup_out(ret, po(self)->id.s);
}
static int get_description(vireo_object *self, char **ret, vireo_error **errp)
{
    return dup_out(ret, po(self)->description);
}
static int get_cancelable(vireo_object *self, bool *ret, vireo_error **errp)
{
    *ret = po(self)->cancelable && !po(self)->completed;
    return 0;
}
static int get_percent(vireo_object *self, uint32_t *ret, vireo_error **errp)
{
    *ret = po(self)->completed ? 100 : po(self)->percent;
    return 0;
}
static int get_time_remaining(vireo_object *self, int32_t *ret, vireo_error **errp)
{
    *ret = po(self)->completed ? 0 : -1;
    return 0;
}
static int get_completed(vireo_object *self, bool *ret, vireo_error **errp)
{
    *ret = po(self)->completed;
    return 0;
}
static int get_canceled(vireo_object *self, bool *ret, vireo_error **errp)
{
    *ret = po(self)->canceled;
    return 0;
}
static int get_result_code(vireo_object *self, uint32_t *ret, vireo_error **errp)
{
    *ret = po(self)->result_code;
    return 0;
}
static int get_error_name(vireo_object *self, char **ret, vireo_error **errp)
{
    return dup_out(ret, po(self)->error_name);
}
static int get_error_message(vireo_object *self, char **ret, vireo_error **errp)
{
    return dup_out(ret, po(self)->error_message);
}
static int get_operation_count(vireo_object *self, uint32_t *ret, vireo_error **errp)
{
    *ret = 1;
    return 0;
}
static int get_operation(vireo_object *self, uint32_t *ret, vireo_error **errp)
{
    *ret = 0;
    return 0;
}
static int get_operation_description(vireo_object *self, char **ret, vireo_error **errp)
{
    return dup_out(ret, po(self)->description);
}

static void waiter_free(struct waiter *w, bool completed)
{
    vireo_progress_complete_wait_for_completion(w->call, completed);
    vireo_call_unref(w->call);
    vireo_source_remove(w->timer);
    free(w);
}

static void waiter_timeout(vireo_source *src, void *userdata)
{
    struct waiter *w = userdata;
    svc_progress *p = w->p;
    for (size_t i = 0; i < p->n_waiters; i++)
        if (p->waiters[i] == w) {
            p->waiters[i] = p->waiters[--p->n_waiters];
            break;
        }
    w->timer = NULL; /* one-shot timers stay until removed */
    vireo_source_remove(src);
    waiter_free(w, false);
}

static int wait_for_completion(vireo_object *self, vireo_call *call, int32_t timeout_ms,
                               vireo_error **errp)
{
    svc_progress *p = po(self);
    if (timeout_ms < -1 || timeout_ms > WAIT_MAX_MS)
        return vireo_error_set(errp, VIREO_RESULT_INVALID_ARG, VIREO_ERROR_INVALID_ARG,
                               "timeoutMs: %d is out of range; allowed -1, 0..%d", timeout_ms,
                               WAIT_MAX_MS),
               -EINVAL;
    if (p->completed || timeout_ms == 0)
        return vireo_progress_complete_wait_for_completion(call, p->completed);
    struct waiter *w = calloc(1, sizeof(*w));
    struct waiter **v = realloc(p->waiters, (p->n_waiters + 1) * sizeof(*v));
    if (v)
        p->waiters = v;
    if (!w || !v) {
        free(w);
        return -ENOMEM;
    }
    w->p = p;
    if (timeout_ms > 0 && !(w->timer = vireo_loop_add_timer(p->d->loop, (uint64_t)timeout_ms * 1000,
                                                            false, waiter_timeout, w))) {
        free(w);
        return -ENOMEM;
    }
    w->call = vireo_call_ref(call);
    p->waiters[p->n_waiters++] = w;
    return 0;
}

static int cancel(vireo_object *self, vireo_call *call, vireo_error **errp)
{
    svc_progress *p = po(self);
    if (p->completed)
        return vireo_error_set(errp, VIREO_RESULT_INVALID_OBJECT_STATE,
                               VIREO_ERROR_INVALID_OBJECT_STATE, "%s: already completed",
                               p->description),
               -EINVAL;
    if (!p->cancelable || !p->cancel_fn)
        return vireo_error_set(errp, VIREO_RESULT_NOT_SUPPORTED, VIREO_ERROR_NOT_SUPPORTED,
                               "%s: cannot be canceled now", p->description),
               -EOPNOTSUPP;
    p->canceled = true;
    int r = vireo_progress_complete_cancel(call);
    p->cancel_fn(p, p->cancel_ud);
    return r;
}

static const vireo_progress_ops progress_ops = {
    .get_id = get_id,
    .get_description = get_description,
    .get_cancelable = get_cancelable,
    .get_percent = get_percent,
    .get_time_remaining = get_time_remaining,
    .get_completed = get_completed,
    .get_canceled = get_canceled,
    .get_result_code = get_result_code,
    .get_error_name = get_error_name,
    .get_error_message = get_error_message,
    .get_operation_count = get_operation_count,
    .get_operation = get_operation,
    .get_operation_description = get_operation_description,
    .get_operation_percent = get_percent,
    .wait_for_completion = wait_for_completion,
    .cancel = cancel,
};

static const vireo_object_iface progress_ifaces[] = {
    {&vireo_progress_interface, &progress_ops},
};

static void progress_destroy(vireo_object *obj)
{
    svc_progress *p = po(obj);
    for (size_t i = 0; i < p->n_waiters; i++)
        waiter_free(p->waiters[i], p->completed);
    free(p->waiters);
    vireo_source_remove(p->keep_timer);
    free(p->path);
    free(p->description);
    free(p->error_name);
    free(p->error_message);
    free(p);
}

static const vireo_object_class progress_class = {
    .name = "progress",
    .ifaces = progress_ifaces,
    .n_ifaces = 1,
    .destroy = progress_destroy,
};

static void unlist(svc_progress *p)
{
    for (svc_progress **pp = &all; *pp; pp = &(*pp)->next)
        if (*pp == p) {
            *pp = p->next;
            return;
        }
}

/* Leaves the bus; the bus held the only reference. */
static void progress_drop(svc_progress *p)
{
    unlist(p);
    vireo_bus_unexport(p->d->bus, p->path);
}

static void keep_expired(vireo_source *src, void *userdata)
{
    svc_progress *p = userdata;
    vireo_source_remove(src);
    p->keep_timer = NULL;
    progress_drop(p);
}

svc_progress *svc_progress_new(svc_daemon *d, const char *description, bool cancelable,
                               svc_progress_cancel_fn cancel_fn, void *userdata, vireo_error **errp)
{
    svc_progress *p = calloc(1, sizeof(*p));
    svc_error *e = NULL;
    if (!p)
        return NULL;
    vireo_object_init(&p->base, &progress_class);
    p->d = d;
    p->cancelable = cancelable;
    p->cancel_fn = cancel_fn;
    p->cancel_ud = userdata;
    if (svc_uuid_generate(&p->id, &e) < 0) {
        svc_daemon_error(errp, e, -EIO);
        vireo_object_unref(&p->base);
        return NULL;
    }
    p->description = strdup(description);
    p->path = vireo_path_for_uuid(VIREO_ROOT_PATH, VIREO_PROGRESS_COLLECTION, p->id.s);
    if (!p->description || !p->path || vireo_bus_export(d->bus, p->path, &p->base, errp) < 0) {
        vireo_object_unref(&p->base);
        return NULL;
    }
    vireo_object_unref(&p->base); /* the bus holds it now */
    p->next = all;
    all = p;
    return p;
}

const char *svc_progress_path(const svc_progress *p)
{
    return p->path;
}
bool svc_progress_completed(const svc_progress *p)
{
    return p->completed;
}
bool svc_progress_canceled(const svc_progress *p)
{
    return p->canceled;
}

void svc_progress_set_cancelable(svc_progress *p, bool cancelable)
{
    if (p->completed || p->cancelable == cancelable)
        return;
    p->cancelable = cancelable;
    vireo_progress_notify_cancelable(p->d->bus, p->path);
}

void svc_progress_set_percent(svc_progress *p, uint32_t percent)
{
    if (p->completed || percent > 100 || percent == p->percent)
        return;
    p->percent = percent;
    vireo_progress_notify_percent(p->d->bus, p->path);
}

void svc_progress_complete(svc_progress *p, svc_error *err)
{
    if (p->completed) {
        svc_error_free(err);
        return;
    }
    if (p->canceled) {
        svc_error_free(err);
        err = NULL;
        svc_error_set(&err, -ECANCELED, SVC_E_CANCELED, "%s: canceled", p->description);
    }
    if (err) {
        vireo_error *v = NULL;
        svc_daemon_error(&v, err, -EIO);
        p->result_code = v->code;
        p->error_name = strdup(v->name);
        p->error_message = strdup(v->message);
        vireo_error_free(v);
    }
    p->completed = true;
    for (size_t i = 0; i < p->n_waiters; i++)
        waiter_free(p->waiters[i], true);
    p->n_waiters = 0;
    vireo_progress_notify_completed(p->d->bus, p->path);
    vireo_progress_notify_percent(p->d->bus, p->path);
    vireo_progress_emit_finished(p->d->bus, p->path, p->result_code);
    p->keep_timer = vireo_loop_add_timer(p->d->loop, (uint64_t)SVC_PROGRESS_KEEP_MS * 1000, false,
                                         keep_expired, p);
}

void svc_progress_free_all(svc_daemon *d)
{
    while (all)
        progress_drop(all);
}
