/* The VM loop: one thread runs the CPU in bursts and, between bursts, the expired device
 * timers and host I/O. When the guest halts it sleeps in ppoll until the next timer deadline
 * or a host event, so an idle guest costs next to no host CPU. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "vmm/pc/pc_int.h"

#define BURST     1000000u /* instructions per cpu_run(); timers interrupt it (the kick) */
#define MAX_FDS   (1 + 4 * PC_SERIAL_PORTS + PC_WATCH_MAX + 1) /* + the GDB stub */
#define EFLAGS_IF 0x200u

/* The kick: a POSIX timer armed for the next device-timer deadline before each burst. Its
 * signal makes cpu_run() return at the next instruction boundary, so a timer (the PIT tick
 * above all) fires on time however long the burst: a late tick is a lost tick, and a guest
 * that loses ticks loses time and distrusts its TSC. */
static void kick_handler(int sig, siginfo_t *si, void *uc)
{
    pc *m = si->si_value.sival_ptr;
    if (m && m->cpu)
        cpu_request_exit(m->cpu);
}

static int kick_init(pc *m)
{
    struct sigaction sa = {.sa_sigaction = kick_handler, .sa_flags = SA_SIGINFO | SA_RESTART};
    sigemptyset(&sa.sa_mask);
    if (sigaction(PC_KICK_SIGNAL, &sa, NULL) < 0)
        return -errno;
    struct sigevent sev = {
        .sigev_notify = SIGEV_THREAD_ID, .sigev_signo = PC_KICK_SIGNAL, .sigev_value.sival_ptr = m};
    sev._sigev_un._tid = (pid_t)syscall(SYS_gettid); /* the VM thread: pc_run's caller */
    if (timer_create(CLOCK_MONOTONIC, &sev, &m->kick) < 0)
        return -errno;
    m->kick_ready = true;
    return 0;
}

/* Arm the kick for the earliest device timer (re-arming only when that changed). */
static void kick_arm(pc *m)
{
    uint64_t deadline = vclock_next_deadline(m->clock);
    if (deadline == m->kick_deadline)
        return;
    m->kick_deadline = deadline;
    struct itimerspec its = {0};
    if (deadline != UINT64_MAX) {
        uint64_t now = vclock_now(m->clock);
        uint64_t ns = deadline > now ? deadline - now : 1;
        its.it_value.tv_sec = (time_t)(ns / 1000000000u);
        its.it_value.tv_nsec = (long)(ns % 1000000000u);
    }
    timer_settime(m->kick, 0, &its, NULL);
}

int pc_loop_init(pc *m)
{
    m->kick_deadline = UINT64_MAX;
    m->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (m->wakefd < 0)
        return -errno;
    return kick_init(m);
}

void pc_loop_fini(pc *m)
{
    if (m->kick_ready)
        timer_delete(m->kick);
    m->kick_ready = false;
    if (m->wakefd >= 0)
        close(m->wakefd);
    m->wakefd = -1;
}

int pc_watch_fd(pc *m, int fd, void (*cb)(void *opaque), void *opaque)
{
    if (m->nwatch == PC_WATCH_MAX)
        return -ENOSPC;
    m->watch[m->nwatch].fd = fd;
    m->watch[m->nwatch].cb = cb;
    m->watch[m->nwatch].opaque = opaque;
    m->nwatch++;
    return 0;
}

void pc_request_stop(pc *m)
{
    atomic_store(&m->stop, true);
    cpu_request_exit(m->cpu);
    uint64_t one = 1;
    ssize_t n = write(m->wakefd, &one, sizeof(one)); /* async-signal safe */
    (void)n;
}

/* Wait up to timeout_ns (0: just look; UINT64_MAX: forever) for the wake eventfd and the
 * serial backends, and let the backends act on what arrived. A handful of descriptors whose
 * interest changes with every burst (output pending or not): ppoll fits better than epoll,
 * which would need an epoll_ctl per change. */
static int poll_host(pc *m, uint64_t timeout_ns)
{
    struct pollfd fds[MAX_FDS];
    int first[PC_SERIAL_PORTS], count[PC_SERIAL_PORTS], n = 1;
    fds[0] = (struct pollfd){.fd = m->wakefd, .events = POLLIN};
    for (int i = 0; i < PC_SERIAL_PORTS; i++) {
        first[i] = n;
        count[i] = m->serial[i] ? chardev_pollfds(m->serial[i], fds + n, MAX_FDS - n) : 0;
        n += count[i];
    }
    int watch_first = n;
    for (int i = 0; i < m->nwatch; i++)
        fds[n++] = (struct pollfd){.fd = m->watch[i].fd, .events = POLLIN};
    int gdb_slot = n;
    if (m->gdb)
        fds[n++] = (struct pollfd){.fd = gdbstub_fd(m->gdb), .events = POLLIN};
    struct timespec ts = {.tv_sec = (time_t)(timeout_ns / 1000000000u),
                          .tv_nsec = (long)(timeout_ns % 1000000000u)};
    int r = ppoll(fds, (nfds_t)n, timeout_ns == UINT64_MAX ? NULL : &ts, NULL);
    if (r < 0)
        return errno == EINTR ? 0 : -errno;
    if (fds[0].revents & POLLIN) {
        uint64_t v;
        ssize_t got = read(m->wakefd, &v, sizeof(v));
        (void)got;
    }
    for (int i = 0; i < PC_SERIAL_PORTS; i++)
        if (count[i])
            chardev_dispatch(m->serial[i], fds + first[i], count[i]);
    for (int i = 0; i < m->nwatch; i++)
        if (fds[watch_first + i].revents & (POLLIN | POLLERR | POLLHUP))
            m->watch[i].cb(m->watch[i].opaque);
    /* A stopped target means a debugger is attached: --gdb-wait's hold is over. */
    if (m->gdb && (fds[gdb_slot].revents & (POLLIN | POLLERR | POLLHUP)) && !gdbstub_handle(m->gdb))
        m->gdb_hold = false;
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

/* One burst under the GDB stub; CPU_EXIT_DEBUG while the target is stopped (or held for
 * --gdb-wait until a debugger attaches). */
static cpu_exit gdb_run(pc *m)
{
    if (m->gdb_hold)
        return CPU_EXIT_DEBUG;
    return gdbstub_run(m->gdb, BURST);
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
        kick_arm(m);
        cpu_exit e = m->gdb ? gdb_run(m) : cpu_run(m->cpu, BURST);
        if (m->gdb && e == CPU_EXIT_DEBUG) {
            /* Stopped by the debugger: only its input or a stop request can change that. */
            if ((r = poll_host(m, UINT64_MAX)) < 0) {
                pc_set_err(err, err_size, "waiting for the debugger: %s", strerror(-r));
                break;
            }
            /* A kick that fired while stopped would end the next run before its first
             * instruction and so eat a single step: a zero budget only consumes it. */
            (void)cpu_run(m->cpu, 0);
            continue;
        }
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
