/* The VM loop: one thread runs the CPU in bursts and, between bursts, the expired device
 * timers and host I/O. When the guest halts it sleeps in epoll until the next timer deadline
 * or a host event, so an idle guest costs next to no host CPU. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "vmm/pc/pc_int.h"

#define BURST      200000u /* instructions per cpu_run(): about a millisecond */
#define MAX_EVENTS 16
#define EFLAGS_IF  0x200u

int pc_loop_init(pc *m)
{
    m->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (m->epfd < 0)
        return -errno;
    m->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (m->wakefd < 0)
        return -errno;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    if (epoll_ctl(m->epfd, EPOLL_CTL_ADD, m->wakefd, &ev) < 0)
        return -errno;
    return 0;
}

void pc_loop_fini(pc *m)
{
    if (m->wakefd >= 0)
        close(m->wakefd);
    if (m->epfd >= 0)
        close(m->epfd);
    m->wakefd = m->epfd = -1;
}

void pc_request_stop(pc *m)
{
    atomic_store(&m->stop, true);
    cpu_request_exit(m->cpu);
    uint64_t one = 1;
    ssize_t n = write(m->wakefd, &one, sizeof(one)); /* async-signal safe */
    (void)n;
}

/* Wait up to timeout_ns (0: just look; UINT64_MAX: forever) and dispatch host events. */
static int poll_host(pc *m, uint64_t timeout_ns)
{
    struct epoll_event ev[MAX_EVENTS];
    struct timespec ts = {.tv_sec = (time_t)(timeout_ns / 1000000000u),
                          .tv_nsec = (long)(timeout_ns % 1000000000u)};
    int n = epoll_pwait2(m->epfd, ev, MAX_EVENTS, timeout_ns == UINT64_MAX ? NULL : &ts, NULL);
    if (n < 0)
        return errno == EINTR ? 0 : -errno;
    for (int i = 0; i < n; i++) {
        if (!ev[i].data.ptr) { /* the wake eventfd */
            uint64_t v;
            ssize_t r = read(m->wakefd, &v, sizeof(v));
            (void)r;
        }
    }
    return 0;
}

/* The guest halted. With interrupts disabled nothing can wake it (no NMI source exists):
 * that is how Linux ends when it cannot power the machine off, so it counts as power off.
 * Otherwise sleep until the next timer or host event. Returns 1 when powered off. */
static int on_halt(pc *m, char *err, size_t err_size)
{
    cpu_regs regs;
    cpu_get_regs(m->cpu, &regs);
    if (!(regs.eflags & EFLAGS_IF)) {
        pc_log(m, "vireo: the guest halted with interrupts disabled: powering off\n");
        return 1;
    }
    vclock_run_timers(m->clock);
    if (m->pic.intr)
        return 0;
    uint64_t deadline = vclock_next_deadline(m->clock);
    uint64_t now = vclock_now(m->clock);
    uint64_t wait = deadline == UINT64_MAX ? UINT64_MAX : deadline > now ? deadline - now : 0;
    int r = poll_host(m, wait);
    if (r < 0)
        pc_set_err(err, err_size, "waiting for host events: %s", strerror(-r));
    return r;
}

static void on_shutdown(pc *m)
{
    char dump[2048];
    int n = cpu_dump_state(m->cpu, dump, sizeof(dump));
    pc_log(m, "vireo: triple fault: the machine resets\n%.*s\n", n > 0 ? n : 0, dump);
    m->reset_pending = true;
}

int pc_run(pc *m, pc_result *ret, char *err, size_t err_size)
{
    pc_result res = {0};
    int r = 0;
    for (;;) {
        if (atomic_load(&m->stop)) {
            res.reason = PC_STOP_REQUEST;
            break;
        }
        cpu_exit e = cpu_run(m->cpu, BURST);
        if (e == CPU_EXIT_SHUTDOWN)
            on_shutdown(m);
        vclock_run_timers(m->clock);
        if (m->exit_pending) {
            res.reason = PC_STOP_DEBUG_EXIT;
            res.exit_code = m->exit_code;
            break;
        }
        if (m->reset_pending) {
            if (m->cfg.no_reboot) {
                res.reason = PC_STOP_RESET;
                break;
            }
            if ((r = pc_reset(m, err, err_size)) < 0)
                break;
            continue;
        }
        if (e == CPU_EXIT_HALT) {
            r = on_halt(m, err, err_size);
            if (r < 0)
                break;
            if (r == 1) {
                res.reason = PC_STOP_POWEROFF;
                r = 0;
                break;
            }
        } else if ((r = poll_host(m, 0)) < 0) {
            pc_set_err(err, err_size, "polling host events: %s", strerror(-r));
            break;
        }
    }
    if (r < 0)
        return r;
    res.instructions = cpu_instret(m->cpu);
    *ret = res;
    return 0;
}
