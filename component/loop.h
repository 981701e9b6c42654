/* An epoll main loop for the daemons: fd watches, timers, child processes (pidfd), signals
 * (signalfd) and deferred callbacks. Single-threaded: create, add sources and run it on one
 * thread. A source may be removed from any callback, including its own. */
#ifndef VIREO_COMPONENT_LOOP_H
#define VIREO_COMPONENT_LOOP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "component/error.h"

typedef struct vireo_loop vireo_loop;
typedef struct vireo_source vireo_source;

/* `revents` is a mask of EPOLLIN/EPOLLOUT/EPOLLERR/EPOLLHUP. */
typedef void (*vireo_io_fn)(vireo_source *src, int fd, uint32_t revents, void *userdata);
typedef void (*vireo_timer_fn)(vireo_source *src, void *userdata);
/* `wstatus` is as from waitpid(): use WIFEXITED()/WEXITSTATUS()/WIFSIGNALED()/WTERMSIG(). The
 * child is reaped; the source is finished and removes itself after the callback. */
typedef void (*vireo_child_fn)(vireo_source *src, pid_t pid, int wstatus, void *userdata);
typedef void (*vireo_signal_fn)(vireo_source *src, int signo, void *userdata);
typedef void (*vireo_defer_fn)(vireo_source *src, void *userdata);

/* Returns NULL with *errp set on failure. */
vireo_loop *vireo_loop_new(vireo_error **errp);
void vireo_loop_free(vireo_loop *loop); /* removes every source; accepts NULL */

/* Run until vireo_loop_quit(); returns the quit code. */
int vireo_loop_run(vireo_loop *loop);
void vireo_loop_quit(vireo_loop *loop, int code);
/* One iteration: wait at most timeout_ms (-1: until an event) and dispatch. Returns the
 * number of sources dispatched or a negative errno. */
int vireo_loop_iterate(vireo_loop *loop, int timeout_ms);
/* CLOCK_MONOTONIC in microseconds. */
uint64_t vireo_loop_now_usec(void);

/* Sources. The add functions return NULL on failure (bad fd, out of memory, a second source
 * for the same signal). The loop does not own the watched fd. */
vireo_source *vireo_loop_add_io(vireo_loop *loop, int fd, uint32_t events, vireo_io_fn fn,
                                void *userdata);
int vireo_source_set_io_events(vireo_source *src, uint32_t events);
/* Fires after `usec` (0: disarmed), then every `usec` again if `periodic`. */
vireo_source *vireo_loop_add_timer(vireo_loop *loop, uint64_t usec, bool periodic,
                                   vireo_timer_fn fn, void *userdata);
int vireo_source_set_timer(vireo_source *src, uint64_t usec, bool periodic);
vireo_source *vireo_loop_add_child(vireo_loop *loop, pid_t pid, vireo_child_fn fn, void *userdata);
/* Start a program (argv[0] searched in PATH; envp NULL: this process's environment) and
 * watch it like vireo_loop_add_child(). The child starts with no signal blocked and default
 * dispositions: signals this process handles through signalfd are blocked here, and a plain
 * fork+exec would pass that mask on (a child that ignores SIGTERM). Descriptors without
 * FD_CLOEXEC are inherited. Returns the source, or NULL with *errp set. */
vireo_source *vireo_loop_spawn(vireo_loop *loop, char *const argv[], char *const envp[],
                               vireo_child_fn fn, void *userdata, pid_t *ret_pid,
                               vireo_error **errp);
/* Blocks `signo` for the thread and delivers it through a signalfd. */
vireo_source *vireo_loop_add_signal(vireo_loop *loop, int signo, vireo_signal_fn fn,
                                    void *userdata);
/* Runs once per iteration while enabled (enabled at creation). */
vireo_source *vireo_loop_add_defer(vireo_loop *loop, vireo_defer_fn fn, void *userdata);
void vireo_source_set_enabled(vireo_source *src, bool enabled);

/* Run fn(userdata) on the loop's thread at its next iteration. The one loop function that
 * may be called from any thread (e.g. the VM thread telling the main loop the guest stopped).
 * Returns 0 or -ENOMEM. Posted calls not yet run when the loop is freed are dropped. */
int vireo_loop_post(vireo_loop *loop, void (*fn)(void *userdata), void *userdata);

/* Remove and free a source; safe inside callbacks; accepts NULL. Returns NULL. */
vireo_source *vireo_source_remove(vireo_source *src);
vireo_loop *vireo_source_loop(vireo_source *src);

#endif
