/* IProgress objects of vireo-svc (progress_obj.c): exported at
 * /org/vireo/Vireo1/progress/<uuid_>, completed once by the operation that made them, kept
 * on the bus for SVC_PROGRESS_KEEP_MS after completion. waitForCompletion answers through a
 * deferred reply (the loop never blocks). */
#ifndef VIREO_SVC_DAEMON_PROGRESS_H
#define VIREO_SVC_DAEMON_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

#include "svc/daemon/service.h"

#define SVC_PROGRESS_KEEP_MS (10 * 60 * 1000)

typedef struct svc_progress svc_progress;
/* Called by cancel while the progress is cancelable; the operation then completes it. */
typedef void (*svc_progress_cancel_fn)(svc_progress *p, void *userdata);

/* A new exported progress (owned by the daemon until it leaves the bus), or NULL. */
svc_progress *svc_progress_new(svc_daemon *d, const char *description, bool cancelable,
                               svc_progress_cancel_fn cancel, void *userdata, vireo_error **errp);
const char *svc_progress_path(const svc_progress *p);
bool svc_progress_completed(const svc_progress *p);
bool svc_progress_canceled(const svc_progress *p);
void svc_progress_set_cancelable(svc_progress *p, bool cancelable);
void svc_progress_set_percent(svc_progress *p, uint32_t percent);
/* Complete: err NULL for success, else the failure (freed here). Later calls are ignored.
 * Answers the waiters, fires finished, starts the keep timer. */
void svc_progress_complete(svc_progress *p, svc_error *err);
/* Unexport and free every progress (service shutdown). */
void svc_progress_free_all(svc_daemon *d);

#endif
