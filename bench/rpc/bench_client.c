/* RPC round-trip benchmark, C side: times blocking calls through the generated proxy, the
 * bus and the generated skeleton of the test server.
 *
 *   vireo-bench-rpc-client DEST PATH N
 *
 * Prints one line per call kind: "<kind> <median µs> <p90 µs> <calls/s>". */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "idl/test/test.h"

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
    if (r < 0)
        fprintf(stderr, "bench: a call failed\n");
    vireo_proxy_unref(p);
    vireo_bus_unref(bus);
    return r < 0 ? 1 : 0;
}
