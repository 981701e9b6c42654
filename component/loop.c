/* epoll main loop (see loop.h).
 *
 * Every source that waits on something is an fd in the epoll set (timers are timerfds,
 * children pidfds, signals signalfds), so one epoll_wait covers them all. Removed sources are
 * only marked dead and freed at the end of the iteration: an event already returned by
 * epoll_wait may still point at them. */
#include "component/loop.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

enum source_kind { SRC_IO, SRC_TIMER, SRC_CHILD, SRC_SIGNAL, SRC_DEFER };

struct vireo_source {
    vireo_loop *loop;
    vireo_source *prev, *next;
    enum source_kind kind;
    bool dead;
    bool enabled;    /* defer sources */
    bool owns_fd;    /* timerfd, pidfd, signalfd */
    bool registered; /* fd is in the epoll set */
    uint32_t events;
    int fd;
    int signo;
    pid_t pid;
    void (*fn)(void);
    void *userdata;
};

typedef struct posted {
    struct posted *next;
    void (*fn)(void *userdata);
    void *userdata;
} posted;

struct vireo_loop {
    int epfd;
    /* cross-thread posts: a queue under a mutex, and an eventfd that wakes epoll */
    pthread_mutex_t post_lock;
    posted *post_head, **post_tail;
    int post_fd;
    vireo_source *post_src;
    bool quit;
    int quit_code;
    vireo_source *head;
    unsigned n_dead;
};

uint64_t vireo_loop_now_usec(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void run_posted(vireo_source *src, int fd, uint32_t revents, void *ud);

vireo_loop *vireo_loop_new(vireo_error **errp)
{
    vireo_loop *loop = calloc(1, sizeof(*loop));

    if (!loop) {
        vireo_error_set_errno(errp, -ENOMEM, "loop");
        return NULL;
    }
    pthread_mutex_init(&loop->post_lock, NULL);
    loop->post_tail = &loop->post_head;
    loop->post_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    loop->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (loop->epfd < 0 || loop->post_fd < 0) {
        vireo_error_set_errno(errp, -errno, "epoll_create1");
        vireo_loop_free(loop);
        return NULL;
    }
    loop->post_src = vireo_loop_add_io(loop, loop->post_fd, EPOLLIN, run_posted, loop);
    if (!loop->post_src) {
        vireo_error_set_errno(errp, -ENOMEM, "loop");
        vireo_loop_free(loop);
        return NULL;
    }
    return loop;
}

int vireo_loop_post(vireo_loop *loop, void (*fn)(void *userdata), void *userdata)
{
    posted *p = malloc(sizeof(*p));
    uint64_t one = 1;

    if (!p)
        return -ENOMEM;
    *p = (posted){.fn = fn, .userdata = userdata};
    pthread_mutex_lock(&loop->post_lock);
    *loop->post_tail = p;
    loop->post_tail = &p->next;
    pthread_mutex_unlock(&loop->post_lock);
    /* An eventfd write only fails when the counter would overflow: it is then readable. */
    (void)!write(loop->post_fd, &one, sizeof(one));
    return 0;
}

static void run_posted(vireo_source *src, int fd, uint32_t revents, void *ud)
{
    vireo_loop *loop = ud;
    uint64_t n;
    posted *list;

    (void)!read(fd, &n, sizeof(n));
    pthread_mutex_lock(&loop->post_lock);
    list = loop->post_head;
    loop->post_head = NULL;
    loop->post_tail = &loop->post_head;
    pthread_mutex_unlock(&loop->post_lock);
    while (list) {
        posted *next = list->next;
        list->fn(list->userdata);
        free(list);
        list = next;
    }
}

static void source_free(vireo_source *src)
{
    vireo_loop *loop = src->loop;

    if (src->prev)
        src->prev->next = src->next;
    else
        loop->head = src->next;
    if (src->next)
        src->next->prev = src->prev;
    if (src->owns_fd && src->fd >= 0)
        close(src->fd);
    free(src);
}

void vireo_loop_free(vireo_loop *loop)
{
    if (!loop)
        return;
    while (loop->head) {
        vireo_source *s = loop->head;
        if (s->kind == SRC_SIGNAL && !s->dead) {
            sigset_t set;
            sigemptyset(&set);
            sigaddset(&set, s->signo);
            pthread_sigmask(SIG_UNBLOCK, &set, NULL);
        }
        source_free(s);
    }
    while (loop->post_head) {
        posted *next = loop->post_head->next;
        free(loop->post_head);
        loop->post_head = next;
    }
    if (loop->post_fd >= 0)
        close(loop->post_fd);
    if (loop->epfd >= 0)
        close(loop->epfd);
    pthread_mutex_destroy(&loop->post_lock);
    free(loop);
}

static vireo_source *source_new(vireo_loop *loop, enum source_kind kind, int fd, bool owns,
                                uint32_t events, void (*fn)(void), void *userdata)
{
    vireo_source *src = calloc(1, sizeof(*src));
    struct epoll_event ev = {.events = events};

    if (!src) {
        if (owns && fd >= 0)
            close(fd);
        return NULL;
    }
    *src = (vireo_source){.loop = loop,
                          .kind = kind,
                          .fd = fd,
                          .owns_fd = owns,
                          .fn = fn,
                          .userdata = userdata,
                          .enabled = true};
    ev.data.ptr = src;
    if (fd >= 0 && events && epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
        if (owns)
            close(fd);
        free(src);
        return NULL;
    }
    src->registered = fd >= 0 && events;
    src->events = events;
    src->next = loop->head;
    if (loop->head)
        loop->head->prev = src;
    loop->head = src;
    return src;
}

vireo_source *vireo_loop_add_io(vireo_loop *loop, int fd, uint32_t events, vireo_io_fn fn,
                                void *userdata)
{
    struct stat st;

    /* With no events the fd is not in the epoll set yet: check it is open now. */
    if (fd < 0 || fstat(fd, &st) < 0)
        return NULL;
    return source_new(loop, SRC_IO, fd, false, events, (void (*)(void))fn, userdata);
}

int vireo_source_set_io_events(vireo_source *src, uint32_t events)
{
    struct epoll_event ev = {.events = events, .data.ptr = src};
    int op = EPOLL_CTL_MOD;

    if (src->kind != SRC_IO || src->dead)
        return -EINVAL;
    /* epoll reports hangups even with no events asked; a source with no events leaves the
     * set so that a hung-up fd nobody wants to read does not spin the loop. */
    if (events == 0)
        op = EPOLL_CTL_DEL;
    else if (!src->registered)
        op = EPOLL_CTL_ADD;
    else if (src->events == events)
        return 0;
    if (op == EPOLL_CTL_DEL && !src->registered)
        return 0;
    if (epoll_ctl(src->loop->epfd, op, src->fd, &ev) < 0)
        return -errno;
    src->registered = events != 0;
    src->events = events;
    return 0;
}

vireo_source *vireo_loop_add_timer(vireo_loop *loop, uint64_t usec, bool periodic,
                                   vireo_timer_fn fn, void *userdata)
{
    int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    vireo_source *src;

    if (fd < 0)
        return NULL;
    src = source_new(loop, SRC_TIMER, fd, true, EPOLLIN, (void (*)(void))fn, userdata);
    if (src && vireo_source_set_timer(src, usec, periodic) < 0)
        src = vireo_source_remove(src);
    return src;
}

int vireo_source_set_timer(vireo_source *src, uint64_t usec, bool periodic)
{
    struct itimerspec its = {0};
    uint64_t dummy;

    if (src->kind != SRC_TIMER)
        return -EINVAL;
    its.it_value.tv_sec = (time_t)(usec / 1000000u);
    its.it_value.tv_nsec = (long)(usec % 1000000u) * 1000;
    if (periodic)
        its.it_interval = its.it_value;
    /* Drop an expiry that is pending but not yet dispatched. */
    while (read(src->fd, &dummy, sizeof(dummy)) > 0)
        ;
    return timerfd_settime(src->fd, 0, &its, NULL) < 0 ? -errno : 0;
}

vireo_source *vireo_loop_add_child(vireo_loop *loop, pid_t pid, vireo_child_fn fn, void *userdata)
{
    int fd = (int)syscall(SYS_pidfd_open, pid, 0);
    vireo_source *src;

    if (fd < 0)
        return NULL;
    src = source_new(loop, SRC_CHILD, fd, true, EPOLLIN, (void (*)(void))fn, userdata);
    if (src)
        src->pid = pid;
    return src;
}

vireo_source *vireo_loop_spawn(vireo_loop *loop, char *const argv[], char *const envp[],
                               vireo_child_fn fn, void *userdata, pid_t *ret_pid,
                               vireo_error **errp)
{
    posix_spawnattr_t attr;
    sigset_t none, all;
    pid_t pid;
    int r;
    vireo_source *src;

    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_init(&attr);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    r = posix_spawnp(&pid, argv[0], NULL, &attr, argv, envp ? envp : environ);
    posix_spawnattr_destroy(&attr);
    if (r != 0) {
        vireo_error_set_errno(errp, -r, argv[0]);
        return NULL;
    }
    src = vireo_loop_add_child(loop, pid, fn, userdata);
    if (!src) {
        /* Unwatched children would linger as zombies: end this one now. */
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        vireo_error_set_errno(errp, -ENOMEM, "child watch");
        return NULL;
    }
    if (ret_pid)
        *ret_pid = pid;
    return src;
}

vireo_source *vireo_loop_add_signal(vireo_loop *loop, int signo, vireo_signal_fn fn, void *userdata)
{
    sigset_t set;
    int fd;
    vireo_source *src;

    for (vireo_source *s = loop->head; s; s = s->next)
        if (s->kind == SRC_SIGNAL && !s->dead && s->signo == signo)
            return NULL;
    sigemptyset(&set);
    sigaddset(&set, signo);
    if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0)
        return NULL;
    fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (fd < 0)
        return NULL;
    src = source_new(loop, SRC_SIGNAL, fd, true, EPOLLIN, (void (*)(void))fn, userdata);
    if (src)
        src->signo = signo;
    return src;
}

vireo_source *vireo_loop_add_defer(vireo_loop *loop, vireo_defer_fn fn, void *userdata)
{
    return source_new(loop, SRC_DEFER, -1, false, 0, (void (*)(void))fn, userdata);
}

void vireo_source_set_enabled(vireo_source *src, bool enabled)
{
    src->enabled = enabled;
}

vireo_source *vireo_source_remove(vireo_source *src)
{
    if (!src || src->dead)
        return NULL;
    src->dead = true;
    src->loop->n_dead++;
    if (src->registered)
        epoll_ctl(src->loop->epfd, EPOLL_CTL_DEL, src->fd, NULL);
    if (src->kind == SRC_SIGNAL) {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, src->signo);
        pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    }
    return NULL;
}

vireo_loop *vireo_source_loop(vireo_source *src)
{
    return src->loop;
}

static void dispatch_child(vireo_source *src)
{
    siginfo_t info = {0};
    int wstatus;

    if (waitid((idtype_t)P_PIDFD, (id_t)src->fd, &info, WEXITED | WNOHANG) < 0 || info.si_pid == 0)
        return;
    if (info.si_code == CLD_EXITED)
        wstatus = (info.si_status & 0xff) << 8;
    else
        wstatus = (info.si_status & 0x7f) | (info.si_code == CLD_DUMPED ? 0x80 : 0);
    ((vireo_child_fn)src->fn)(src, src->pid, wstatus, src->userdata);
    vireo_source_remove(src);
}

static void dispatch(vireo_source *src, uint32_t revents)
{
    uint64_t ticks;
    struct signalfd_siginfo si;

    switch (src->kind) {
    case SRC_IO: ((vireo_io_fn)src->fn)(src, src->fd, revents, src->userdata); break;
    case SRC_TIMER:
        if (read(src->fd, &ticks, sizeof(ticks)) == sizeof(ticks))
            ((vireo_timer_fn)src->fn)(src, src->userdata);
        break;
    case SRC_CHILD: dispatch_child(src); break;
    case SRC_SIGNAL:
        while (!src->dead && read(src->fd, &si, sizeof(si)) == sizeof(si))
            ((vireo_signal_fn)src->fn)(src, (int)si.ssi_signo, src->userdata);
        break;
    case SRC_DEFER: ((vireo_defer_fn)src->fn)(src, src->userdata); break;
    }
}

static void reap_dead(vireo_loop *loop)
{
    vireo_source *s = loop->head, *next;

    for (; s && loop->n_dead; s = next) {
        next = s->next;
        if (s->dead) {
            loop->n_dead--;
            source_free(s);
        }
    }
}

/* Run enabled defer sources; returns how many ran. */
static int run_defers(vireo_loop *loop)
{
    int n = 0;

    for (vireo_source *s = loop->head; s; s = s->next)
        if (s->kind == SRC_DEFER && s->enabled && !s->dead) {
            dispatch(s, 0);
            n++;
        }
    return n;
}

static bool have_enabled_defer(vireo_loop *loop)
{
    for (vireo_source *s = loop->head; s; s = s->next)
        if (s->kind == SRC_DEFER && s->enabled && !s->dead)
            return true;
    return false;
}

int vireo_loop_iterate(vireo_loop *loop, int timeout_ms)
{
    struct epoll_event evs[32];
    int n, done;

    if (have_enabled_defer(loop))
        timeout_ms = 0;
    n = epoll_wait(loop->epfd, evs, 32, timeout_ms);
    if (n < 0)
        return errno == EINTR ? 0 : -errno;
    for (int i = 0; i < n; i++) {
        vireo_source *src = evs[i].data.ptr;
        if (!src->dead)
            dispatch(src, evs[i].events);
    }
    done = n + run_defers(loop);
    reap_dead(loop);
    return done;
}

int vireo_loop_run(vireo_loop *loop)
{
    int r;

    loop->quit = false;
    while (!loop->quit) {
        r = vireo_loop_iterate(loop, -1);
        if (r < 0)
            return r;
    }
    return loop->quit_code;
}

void vireo_loop_quit(vireo_loop *loop, int code)
{
    loop->quit = true;
    loop->quit_code = code;
}
