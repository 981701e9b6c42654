/* RPC round-trip benchmark, C side: times blocking calls through the generated proxy, the
 * bus and the generated skeleton of the test server.
 *
 *   vireo-bench-rpc-client DEST PATH N
 *
 * Prints one line per call kind: "<kind> <median µs> <p90 µs> <calls/s>"; "add-peer" is the
 * same Add over a private peer connection to a server thread, without dbus-daemon. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "tests/integration/component/test_object.h"

static double now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void report(const char *kind, double *t, int n, double total_us)
{
    qsort(t, (size_t)n, sizeof(*t), cmp_double);
    printf("%s %.1f %.1f %.0f\n", kind, t[n / 2], t[n * 9 / 10], n / (total_us / 1e6));
}

static int call_add(vireo_proxy *p, int i)
{
    int32_t sum = 0;
    return vtest_everything_call_add(p, i, 1, &sum, NULL) < 0 || sum != i + 1 ? -1 : 0;
}

static int get_label(vireo_proxy *p, int i)
{
    char *s = NULL;
    int r = vtest_everything_get_label(p, &s, NULL);
    free(s);
    return r;
}

static int echo_4k(vireo_proxy *p, int i)
{
    static uint8_t blob[4096];
    uint8_t *out = NULL;
    size_t n = 0;
    int r = vtest_everything_call_echo_arrays(
        p, NULL, 0, blob, sizeof(blob), NULL, 0, NULL, 0, NULL, 0, NULL, 0, NULL, 0, NULL, 0, NULL,
        0, NULL, 0, NULL, 0, NULL, 0, NULL, 0, NULL, NULL, &out, &n, NULL, NULL, NULL, NULL, NULL,
        NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
        NULL, NULL, NULL);
    free(out);
    return r < 0 || n != sizeof(blob) ? -1 : 0;
}

static int bench(const char *kind, vireo_proxy *p, int n, int (*fn)(vireo_proxy *, int))
{
    double *t = calloc((size_t)n, sizeof(double)), start, t0;

    if (!t)
        return -1;
    for (int i = 0; i < n / 10 + 10; i++) /* warm up: connection, caches, server pages */
        if (fn(p, i) < 0) {
            free(t);
            return -1;
        }
    start = now_us();
    for (int i = 0; i < n; i++) {
        t0 = now_us();
        if (fn(p, i) < 0) {
            free(t);
            return -1;
        }
        t[i] = now_us() - t0;
    }
    report(kind, t, n, now_us() - start);
    free(t);
    return 0;
}

/* The same server code on a private peer connection in a thread of this process: the round
 * trip without dbus-daemon in the middle (what a service <-> VM process link costs). */
typedef struct peer_side {
    vireo_loop *loop;
    vireo_server *srv;
    vireo_bus *peer;
    int quit_fd;
    pthread_t thread;
} peer_side;

static void on_peer(vireo_server *srv, vireo_bus *peer, void *ud)
{
    peer_side *ps = ud;
    test_object *obj =
        test_object_new(peer, ps->loop, "0a1b2c3d-0000-4000-8000-000000000001", "bench");
    char *path = vireo_path_for_uuid(VTEST_ROOT_PATH, VTEST_EVERYTHING_COLLECTION,
                                     "0a1b2c3d-0000-4000-8000-000000000001");

    ps->peer = vireo_bus_ref(peer);
    if (obj && path)
        vireo_bus_export(peer, path, test_object_base(obj), NULL);
    if (obj)
        vireo_object_unref(test_object_base(obj));
    free(path);
}

static void on_quit(vireo_source *src, int fd, uint32_t revents, void *ud)
{
    vireo_loop_quit(ud, 0);
}

static void *peer_thread(void *ud)
{
    vireo_loop_run(((peer_side *)ud)->loop);
    return NULL;
}

static int bench_peer(const char *path, int n)
{
    peer_side ps = {0};
    vireo_bus *bus = NULL;
    vireo_proxy *p = NULL;
    uint64_t one = 1;
    int r = -1;

    ps.loop = vireo_loop_new(NULL);
    ps.quit_fd = eventfd(0, EFD_CLOEXEC);
    if (!ps.loop || ps.quit_fd < 0 ||
        !vireo_loop_add_io(ps.loop, ps.quit_fd, EPOLLIN, on_quit, ps.loop))
        goto out;
    ps.srv = vireo_server_new(ps.loop, "unix:tmpdir=/tmp", on_peer, &ps, NULL);
    if (!ps.srv || pthread_create(&ps.thread, NULL, peer_thread, &ps) != 0)
        goto out;
    bus = vireo_bus_open_peer(vireo_server_address(ps.srv), NULL);
    if (bus && (p = vireo_proxy_new(bus, NULL, path)))
        r = bench("add-peer", p, n, call_add);
    vireo_proxy_unref(p);
    vireo_bus_unref(bus);
    if (write(ps.quit_fd, &one, sizeof(one)) == sizeof(one))
        pthread_join(ps.thread, NULL);
out:
    vireo_bus_unref(ps.peer);
    vireo_server_free(ps.srv);
    vireo_loop_free(ps.loop);
    if (ps.quit_fd >= 0)
        close(ps.quit_fd);
    return r;
}

int main(int argc, char **argv)
{
    vireo_error *err = NULL;
    vireo_bus *bus;
    vireo_proxy *p;
    int n = argc == 4 ? atoi(argv[3]) : 0, r;

    if (n < 10) {
        fprintf(stderr, "usage: vireo-bench-rpc-client DEST PATH N (N >= 10)\n");
        return 2;
    }
    bus = vireo_bus_open_session(&err);
    if (!bus) {
        fprintf(stderr, "bench: %s\n", err->message);
        vireo_error_free(err);
        return 1;
    }
    p = vireo_proxy_new(bus, argv[1], argv[2]);
    r = bench("add", p, n, call_add);
    if (r == 0)
        r = bench("get", p, n, get_label);
    if (r == 0)
        r = bench("echo4k", p, n, echo_4k);
    if (r == 0)
        r = bench_peer(argv[2], n);
    if (r < 0)
        fprintf(stderr, "bench: a call failed\n");
    vireo_proxy_unref(p);
    vireo_bus_unref(bus);
    return r < 0 ? 1 : 0;
}
