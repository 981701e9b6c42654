/* Unit tests: the epoll main loop — fd watches, timers, child processes, signals, defers,
 * and removing sources from inside callbacks. */
#include <check.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

#include "component/loop.h"

typedef struct counts {
    int fired;
    int signo;
    pid_t pid;
    int wstatus;
    bool remove_self;
} counts;

static void run_until(vireo_loop *loop, int *value, int want, int max_ms)
{
    uint64_t end = vireo_loop_now_usec() + (uint64_t)max_ms * 1000u;

    while (*value < want && vireo_loop_now_usec() < end)
        vireo_loop_iterate(loop, 10);
}

static void on_timer(vireo_source *src, void *ud)
{
    counts *c = ud;

    c->fired++;
    if (c->remove_self)
        vireo_source_remove(src);
}

START_TEST(timers)
{
    vireo_loop *loop = vireo_loop_new(NULL);
    counts once = {0}, periodic = {0}, disarmed = {0};
    uint64_t start = vireo_loop_now_usec();
    vireo_source *d;

    vireo_loop_add_timer(loop, 20000, false, on_timer, &once);
    vireo_loop_add_timer(loop, 5000, true, on_timer, &periodic);
    d = vireo_loop_add_timer(loop, 1000, false, on_timer, &disarmed);
    ck_assert_int_eq(vireo_source_set_timer(d, 0, false), 0);
    run_until(loop, &once.fired, 1, 2000);
    ck_assert_int_eq(once.fired, 1);
    ck_assert_uint_ge(vireo_loop_now_usec() - start, 20000);
    /* Expirations missed under load are coalesced into one callback; it keeps firing. */
    run_until(loop, &periodic.fired, 2, 2000);
    ck_assert_int_ge(periodic.fired, 2);
    ck_assert_int_eq(disarmed.fired, 0);
    vireo_loop_free(loop);
}
END_TEST

START_TEST(timer_removes_itself)
{
    vireo_loop *loop = vireo_loop_new(NULL);
    counts c = {.remove_self = true};
    int iterations = 0;

    vireo_loop_add_timer(loop, 1000, true, on_timer, &c);
    run_until(loop, &c.fired, 1, 2000);
    while (iterations++ < 5)
        vireo_loop_iterate(loop, 5);
    ck_assert_int_eq(c.fired, 1);
    vireo_loop_free(loop);
}
END_TEST

static void on_io(vireo_source *src, int fd, uint32_t revents, void *ud)
{
    counts *c = ud;
    char buf[8];

    if (revents & EPOLLIN)
        c->fired += (int)read(fd, buf, sizeof(buf));
}

START_TEST(fd_watch)
{
    vireo_loop *loop = vireo_loop_new(NULL);
    counts c = {0};
    int p[2];
    vireo_source *s;

    ck_assert_int_eq(pipe(p), 0);
    s = vireo_loop_add_io(loop, p[0], EPOLLIN, on_io, &c);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(vireo_loop_iterate(loop, 0), 0);
    ck_assert_int_eq(write(p[1], "abc", 3), 3);
    run_until(loop, &c.fired, 3, 1000);
    ck_assert_int_eq(c.fired, 3);
    /* With no events asked, a readable fd does not dispatch. */
    ck_assert_int_eq(vireo_source_set_io_events(s, 0), 0);
    ck_assert_int_eq(write(p[1], "d", 1), 1);
    vireo_loop_iterate(loop, 20);
    ck_assert_int_eq(c.fired, 3);
    ck_assert_int_eq(vireo_source_set_io_events(s, EPOLLIN), 0);
    run_until(loop, &c.fired, 4, 1000);
    ck_assert_int_eq(c.fired, 4);
    ck_assert_ptr_null(vireo_loop_add_io(loop, 12345, EPOLLIN, on_io, &c)); /* not open */
    vireo_loop_free(loop);
    close(p[0]);
    close(p[1]);
}
END_TEST

static void on_child(vireo_source *src, pid_t pid, int wstatus, void *ud)
{
    counts *c = ud;

    c->fired++;
    c->pid = pid;
    c->wstatus = wstatus;
}

START_TEST(child_processes)
{
    vireo_loop *loop = vireo_loop_new(NULL);
    counts exited = {0}, killed = {0};
    pid_t a = fork(), b;

    if (a == 0)
        _exit(7);
    b = fork();
    if (b == 0) {
        pause();
        _exit(0);
    }
    ck_assert_ptr_nonnull(vireo_loop_add_child(loop, a, on_child, &exited));
    ck_assert_ptr_nonnull(vireo_loop_add_child(loop, b, on_child, &killed));
    kill(b, SIGKILL);
    run_until(loop, &exited.fired, 1, 5000);
    run_until(loop, &killed.fired, 1, 5000);
    ck_assert_int_eq(exited.pid, a);
    ck_assert(WIFEXITED(exited.wstatus) && WEXITSTATUS(exited.wstatus) == 7);
    ck_assert(WIFSIGNALED(killed.wstatus) && WTERMSIG(killed.wstatus) == SIGKILL);
    /* Reaped: nothing left to wait for. */
    ck_assert_int_eq(waitpid(a, NULL, WNOHANG), -1);
    vireo_loop_free(loop);
}
END_TEST

static void on_signal(vireo_source *src, int signo, void *ud);

/* The service blocks SIGTERM for its signalfd; a VM process it spawns must still die of it. */
START_TEST(spawned_children_get_default_signals)
{
    vireo_loop *loop = vireo_loop_new(NULL);
    counts sig = {0}, child = {0};
    char *const argv[] = {"sh", "-c", "kill -TERM $$; sleep 5; exit 3", NULL};
    char *const bad[] = {"/nonexistent/program", NULL};
    vireo_error *err = NULL;
    pid_t pid = 0;

    ck_assert_ptr_nonnull(vireo_loop_add_signal(loop, SIGTERM, on_signal, &sig));
    ck_assert_ptr_nonnull(vireo_loop_spawn(loop, argv, NULL, on_child, &child, &pid, &err));
    run_until(loop, &child.fired, 1, 4000);
    ck_assert_int_eq(child.pid, pid);
    ck_assert_msg(WIFSIGNALED(child.wstatus) && WTERMSIG(child.wstatus) == SIGTERM,
                  "child status %#x", child.wstatus);
    ck_assert_int_eq(sig.fired, 0); /* the child's signal was its own */
    ck_assert_ptr_null(vireo_loop_spawn(loop, bad, NULL, on_child, &child, NULL, &err));
    ck_assert_ptr_nonnull(err);
    vireo_error_free(err);
    vireo_loop_free(loop);
}
END_TEST

static void on_signal(vireo_source *src, int signo, void *ud)
{
    counts *c = ud;

    c->fired++;
    c->signo = signo;
}

START_TEST(signals)
{
    vireo_loop *loop = vireo_loop_new(NULL);
    counts c = {0};
    vireo_source *s = vireo_loop_add_signal(loop, SIGUSR1, on_signal, &c);

    ck_assert_ptr_nonnull(s);
    ck_assert_ptr_null(vireo_loop_add_signal(loop, SIGUSR1, on_signal, &c)); /* one per signal */
    raise(SIGUSR1);
    run_until(loop, &c.fired, 1, 1000);
    ck_assert_int_eq(c.fired, 1);
    ck_assert_int_eq(c.signo, SIGUSR1);
    vireo_loop_free(loop);
}
END_TEST

static void on_defer(vireo_source *src, void *ud)
{
    counts *c = ud;

    if (++c->fired == 3)
        vireo_source_set_enabled(src, false);
}

static void on_quit(vireo_source *src, void *ud)
{
    vireo_loop_quit(ud, 42);
}

START_TEST(defer_and_quit)
{
    vireo_loop *loop = vireo_loop_new(NULL);
    counts c = {0};

    vireo_loop_add_defer(loop, on_defer, &c);
    vireo_loop_add_timer(loop, 30000, false, on_quit, loop);
    ck_assert_int_eq(vireo_loop_run(loop), 42);
    ck_assert_int_eq(c.fired, 3);
    vireo_loop_free(loop);
}
END_TEST

typedef struct poster {
    vireo_loop *loop;
    int ran;
    pthread_t loop_thread;
    bool wrong_thread;
} poster;

static void count_posted(void *ud)
{
    poster *p = ud;

    if (!pthread_equal(pthread_self(), p->loop_thread))
        p->wrong_thread = true;
    p->ran++;
}

static void *post_many(void *ud)
{
    poster *p = ud;

    for (int i = 0; i < 1000; i++)
        ck_assert_int_eq(vireo_loop_post(p->loop, count_posted, p), 0);
    return NULL;
}

START_TEST(posts_from_other_threads)
{
    poster p = {.loop = vireo_loop_new(NULL), .loop_thread = pthread_self()};
    pthread_t a, b;

    pthread_create(&a, NULL, post_many, &p);
    pthread_create(&b, NULL, post_many, &p);
    run_until(p.loop, &p.ran, 2000, 5000);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    ck_assert_int_eq(p.ran, 2000);
    ck_assert(!p.wrong_thread);
    /* Posted but never run: freed with the loop. */
    vireo_loop_post(p.loop, count_posted, &p);
    vireo_loop_free(p.loop);
}
END_TEST

Suite *loop_suite(void)
{
    Suite *s = suite_create("loop");
    TCase *tc = tcase_create("sources");

    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, timers);
    tcase_add_test(tc, timer_removes_itself);
    tcase_add_test(tc, fd_watch);
    tcase_add_test(tc, child_processes);
    tcase_add_test(tc, signals);
    tcase_add_test(tc, spawned_children_get_default_signals);
    tcase_add_test(tc, defer_and_quit);
    tcase_add_test(tc, posts_from_other_threads);
    suite_add_tcase(s, tc);
    return s;
}
