/* The integration test client: drives a test server through the generated C proxy.
 *
 *   test-client DEST PATH check   call every member, check the answers, print the state
 *   test-client DEST PATH check-glib   the same, signals and async calls on GLib's loop
 *   test-client DEST PATH dump    print the object's properties, one "name=value" a line
 *   test-client DEST PATH whoami  print IExtra.whoami
 *
 * The state lines are compared by test_bus.py with what Python sees. Exit 0 if every check
 * passed. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "component/glib/bus_glib.h"
#include "idl/test/test.h"

static int failures;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "test-client:%d: check failed: %s: ", __LINE__, #cond);                \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

#define OK(expr)                                                                                   \
    do {                                                                                           \
        vireo_error *e_ = NULL;                                                                    \
        vireo_error **errp = &e_;                                                                  \
        int r_ = (expr);                                                                           \
        CHECK(r_ >= 0, "%s: %s", e_ ? e_->name : "?", e_ ? e_->message : "no error info");         \
        vireo_error_free(e_);                                                                      \
    } while (0)

static void print_strv(const char *name, char **v, size_t n)
{
    printf("%s=[", name);
    for (size_t i = 0; i < n; i++)
        printf("%s%s", i ? "," : "", v[i]);
    printf("]\n");
}

/* One line per property, in a format test_bus.py reproduces. */
static void dump(vireo_proxy *p)
{
    bool b = false;
    uint8_t y = 0, *blob = NULL;
    int16_t n = 0;
    uint16_t q = 0;
    int32_t i = 0;
    uint32_t u = 0, calls = 0;
    int64_t x = 0;
    uint64_t t = 0;
    double d = 0;
    char *s = NULL, *id = NULL, *peer = NULL, **names = NULL;
    vtest_color c = 0, *colors = NULL;
    size_t n_blob = 0, n_names = 0, n_colors = 0;

    OK(vtest_everything_get_flag(p, &b, errp));
    OK(vtest_everything_get_byte_value(p, &y, errp));
    OK(vtest_everything_get_short_value(p, &n, errp));
    OK(vtest_everything_get_ushort_value(p, &q, errp));
    OK(vtest_everything_get_long_value(p, &i, errp));
    OK(vtest_everything_get_ulong_value(p, &u, errp));
    OK(vtest_everything_get_huge_value(p, &x, errp));
    OK(vtest_everything_get_uhuge_value(p, &t, errp));
    OK(vtest_everything_get_ratio(p, &d, errp));
    OK(vtest_everything_get_label(p, &s, errp));
    OK(vtest_everything_get_id(p, &id, errp));
    OK(vtest_everything_get_color(p, &c, errp));
    OK(vtest_everything_get_peer(p, &peer, errp));
    OK(vtest_everything_get_blob(p, &blob, &n_blob, errp));
    OK(vtest_everything_get_names(p, &names, &n_names, errp));
    OK(vtest_everything_get_colors(p, &colors, &n_colors, errp));
    OK(vtest_everything_get_calls(p, &calls, errp));
    printf("flag=%s\nbyteValue=%u\nshortValue=%d\nushortValue=%u\nlongValue=%d\n",
           b ? "true" : "false", y, n, q, i);
    printf("ulongValue=%u\nhugeValue=%lld\nuhugeValue=%llu\nratio=%.17g\nlabel=%s\nid=%s\n", u,
           (long long)x, (unsigned long long)t, d, s ? s : "", id ? id : "");
    printf("color=%s\npeer=%s\nblob=[", vtest_color_to_string(c), peer ? peer : "");
    for (size_t k = 0; k < n_blob; k++)
        printf("%s%u", k ? "," : "", blob[k]);
    printf("]\n");
    print_strv("names", names, n_names);
    printf("colors=[");
    for (size_t k = 0; k < n_colors; k++)
        printf("%s%s", k ? "," : "", vtest_color_to_string(colors[k]));
    printf("]\n");
    free(s);
    free(id);
    free(peer);
    free(blob);
    vireo_strv_free(names, n_names);
    free(colors);
}

static void check_scalars(vireo_proxy *p, const char *peer_path)
{
    bool b = false;
    uint8_t y = 0;
    int16_t n = 0;
    uint16_t q = 0;
    int32_t i = 0;
    uint32_t u = 0;
    int64_t x = 0;
    uint64_t t = 0;
    double d = 0;
    char *s = NULL, *id = NULL, *o = NULL;
    vtest_color c = 0;

    OK(vtest_everything_call_echo_scalars(
        p, true, 255, -32768, 65535, INT32_MIN, UINT32_MAX, INT64_MIN, UINT64_MAX, -1.5e300,
        "h\xc3\xa9llo \"w\"", "0A1B2C3D-0000-4000-8000-0000000000FF", VTEST_COLOR_BLUE, peer_path,
        &b, &y, &n, &q, &i, &u, &x, &t, &d, &s, &id, &c, &o, errp));
    CHECK(b == true && y == 255 && n == -32768 && q == 65535, "small ints");
    CHECK(i == INT32_MIN && u == UINT32_MAX && x == INT64_MIN && t == UINT64_MAX, "big ints");
    CHECK(d == -1.5e300, "double %g", d);
    CHECK(s && strcmp(s, "h\xc3\xa9llo \"w\"") == 0, "string %s", s);
    CHECK(id && strcmp(id, "0a1b2c3d-0000-4000-8000-0000000000ff") == 0, "uuid lowered: %s", id);
    CHECK(c == VTEST_COLOR_BLUE, "enum %d", c);
    CHECK(o && strcmp(o, peer_path) == 0, "object %s", o);
    free(s);
    free(id);
    free(o);
}

static void check_arrays(vireo_proxy *p)
{
    const bool b[] = {true, false, true};
    const uint8_t y[] = {0, 1, 254, 255};
    const int16_t n[] = {-1, 2};
    const uint16_t q[] = {7};
    const int32_t i[] = {INT32_MAX, INT32_MIN, 0};
    const uint32_t u[] = {1, 2, 3};
    const int64_t x[] = {-5};
    const uint64_t t[] = {UINT64_MAX, 0};
    const double d[] = {0.25, -0.0, 1e-300};
    const char *const s[] = {"", "two", "three"};
    const char *const id[] = {"0a1b2c3d-0000-4000-8000-000000000001"};
    const vtest_color c[] = {VTEST_COLOR_RED, VTEST_COLOR_BLUE};
    const char *const o[] = {"/", "/org/vireo/Test1"};
    bool *rb = NULL;
    uint8_t *ry = NULL;
    int16_t *rn = NULL;
    uint16_t *rq = NULL;
    int32_t *ri = NULL;
    uint32_t *ru = NULL;
    int64_t *rx = NULL;
    uint64_t *rt = NULL;
    double *rd = NULL;
    char **rs = NULL, **rid = NULL, **ro = NULL;
    vtest_color *rc = NULL;
    size_t nb, ny, nn, nq, ni, nu, nx, nt, nd, ns, nid, nc, no;

    OK(vtest_everything_call_echo_arrays(p, b, 3, y, 4, n, 2, q, 1, i, 3, u, 3, x, 1, t, 2, d, 3, s,
                                         3, id, 1, c, 2, o, 2, &rb, &nb, &ry, &ny, &rn, &nn, &rq,
                                         &nq, &ri, &ni, &ru, &nu, &rx, &nx, &rt, &nt, &rd, &nd, &rs,
                                         &ns, &rid, &nid, &rc, &nc, &ro, &no, errp));
    CHECK(nb == 3 && rb && rb[0] && !rb[1] && rb[2], "bool array");
    CHECK(ny == 4 && ry && memcmp(ry, y, 4) == 0, "octet array");
    CHECK(nn == 2 && rn && rn[0] == -1 && rn[1] == 2, "short array");
    CHECK(nq == 1 && rq && rq[0] == 7, "ushort array");
    CHECK(ni == 3 && ri && memcmp(ri, i, sizeof(i)) == 0, "long array");
    CHECK(nu == 3 && ru && memcmp(ru, u, sizeof(u)) == 0, "ulong array");
    CHECK(nx == 1 && rx && rx[0] == -5, "long long array");
    CHECK(nt == 2 && rt && rt[0] == UINT64_MAX && rt[1] == 0, "ulong long array");
    CHECK(nd == 3 && rd && rd[0] == 0.25 && signbit(rd[1]) && rd[2] == 1e-300, "double array");
    CHECK(ns == 3 && rs && !strcmp(rs[0], "") && !strcmp(rs[2], "three"), "string array");
    CHECK(nid == 1 && rid && !strcmp(rid[0], id[0]), "uuid array");
    CHECK(nc == 2 && rc && rc[0] == VTEST_COLOR_RED && rc[1] == VTEST_COLOR_BLUE, "enum array");
    CHECK(no == 2 && ro && !strcmp(ro[1], o[1]), "object array");
    free(rb);
    free(ry);
    free(rn);
    free(rq);
    free(ri);
    free(ru);
    free(rx);
    free(rt);
    free(rd);
    vireo_strv_free(rs, ns);
    vireo_strv_free(rid, nid);
    vireo_strv_free(ro, no);
    free(rc);
}

static void check_errors(vireo_proxy *p)
{
    vireo_error *err = NULL;
    int r;

    r = vtest_everything_call_fail(p, "NotFound", "no such thing", &err);
    CHECK(r < 0 && err && err->code == VTEST_RESULT_NOT_FOUND, "NotFound code");
    CHECK(err && !strcmp(err->name, VTEST_ERROR_NOT_FOUND), "NotFound name %s",
          err ? err->name : "");
    CHECK(err && !strcmp(err->message, "no such thing"), "message %s", err ? err->message : "");
    err = (vireo_error_free(err), NULL);
    r = vtest_everything_call_fail(p, "Busy", "later", &err);
    CHECK(r < 0 && err && err->code == VTEST_RESULT_BUSY && !strcmp(err->name, VTEST_ERROR_BUSY),
          "Busy");
    err = (vireo_error_free(err), NULL);
    r = vtest_everything_call_fail(p, "22", "", &err); /* EINVAL with no error info */
    CHECK(r == -EINVAL && err && !strcmp(err->name, VIREO_DBUS_ERROR_INVALID_ARGS), "errno");
    err = (vireo_error_free(err), NULL);
    r = vtest_everything_call_unimplemented(p, &err);
    CHECK(r < 0 && err && !strcmp(err->name, VIREO_DBUS_ERROR_NOT_SUPPORTED), "NotSupported");
    err = (vireo_error_free(err), NULL);
    r = vtest_everything_call_forget(p, &err);
    CHECK(r < 0 && err && !strcmp(err->name, VIREO_DBUS_ERROR_FAILED), "forgotten call");
    err = (vireo_error_free(err), NULL);
    /* The client refuses malformed values before sending. */
    r = vtest_everything_set_peer(p, "not a path", &err);
    CHECK(r == -EINVAL && err, "bad object path refused");
    err = (vireo_error_free(err), NULL);
    r = vtest_everything_set_color(p, (vtest_color)3, &err);
    CHECK(r < 0 && err && !strcmp(err->name, VIREO_DBUS_ERROR_INVALID_ARGS), "bad enum refused");
    vireo_error_free(err);
}

static void check_fds(vireo_proxy *p)
{
    int pipefd[2], fd = -1, *fds = NULL;
    size_t n_fds = 0;
    char *text = NULL, buf[64];
    ssize_t n;

    CHECK(pipe(pipefd) == 0, "pipe");
    CHECK(write(pipefd[1], "through a pipe", 14) == 14, "write");
    close(pipefd[1]);
    OK(vtest_everything_call_read_fd(p, pipefd[0], &text, errp));
    close(pipefd[0]);
    CHECK(text && !strcmp(text, "through a pipe"), "readFd %s", text);
    free(text);
    OK(vtest_everything_call_open_text(p, "back again", &fds, &n_fds, &fd, errp));
    CHECK(fd >= 0 && n_fds == 2, "openText fds %d %zu", fd, n_fds);
    if (fd >= 0) {
        n = read(fd, buf, sizeof(buf) - 1);
        buf[n > 0 ? n : 0] = '\0';
        CHECK(!strcmp(buf, "back again"), "fd content %s", buf);
        close(fd);
    }
    vireo_marshal_free_array(VIREO_TYPE_FD, fds, n_fds);
}

static void check_properties(vireo_proxy *p)
{
    const uint8_t blob[] = {1, 2, 3, 0, 255};
    const char *const names[] = {"alpha", "beta"};
    const vtest_color colors[] = {VTEST_COLOR_GREEN, VTEST_COLOR_RED};
    char *label = NULL;

    OK(vtest_everything_set_flag(p, true, errp));
    OK(vtest_everything_set_byte_value(p, 200, errp));
    OK(vtest_everything_set_short_value(p, -300, errp));
    OK(vtest_everything_set_ushort_value(p, 60000, errp));
    OK(vtest_everything_set_long_value(p, -70000, errp));
    OK(vtest_everything_set_ulong_value(p, 4000000000u, errp));
    OK(vtest_everything_set_huge_value(p, -5000000000ll, errp));
    OK(vtest_everything_set_uhuge_value(p, 10000000000000000000ull, errp));
    OK(vtest_everything_set_ratio(p, 2.25, errp));
    OK(vtest_everything_set_label(p, "set from C", errp));
    OK(vtest_everything_set_color(p, VTEST_COLOR_BLUE, errp));
    OK(vtest_everything_set_peer(
        p, "/org/vireo/Test1/everything/0a1b2c3d_0000_4000_8000_000000000002", errp));
    OK(vtest_everything_set_blob(p, blob, sizeof(blob), errp));
    OK(vtest_everything_set_names(p, names, 2, errp));
    OK(vtest_everything_set_colors(p, colors, 2, errp));
    OK(vtest_everything_get_label(p, &label, errp));
    CHECK(label && !strcmp(label, "set from C"), "label %s", label);
    free(label);
}

typedef struct events {
    vireo_loop *loop;
    uint32_t pings;
    int label_changes;
    bool label_changed;
    char *echo;
} events;

static void on_ping(vireo_proxy *p, uint32_t count, const char *label, const vtest_color *colors,
                    size_t n_colors, void *ud)
{
    events *ev = ud;

    CHECK(count == ev->pings + 1, "ping order %u", count);
    CHECK(!strcmp(label, "set from C") && n_colors == 2 && colors[0] == VTEST_COLOR_GREEN,
          "ping args");
    ev->pings = count;
}

static void on_prop_changed(vireo_proxy *p, const char *property, void *ud)
{
    events *ev = ud;

    if (!strcmp(property, "Label"))
        ev->label_changes++;
}

static void on_delayed(vireo_proxy *p, DBusMessage *reply, void *ud)
{
    events *ev = ud;

    OK(vtest_everything_call_delayed_echo_finish(reply, &ev->echo, errp));
}

/* Signals and asynchronous calls need a main loop: the epoll loop, or GLib's. */
static void check_async(vireo_bus *bus, vireo_proxy *p, bool glib)
{
    events ev = {0};
    vireo_error *err = NULL;
    vireo_subscription *sub, *props, *other;
    uint64_t deadline;

    if (glib) {
        CHECK(vireo_bus_attach_glib(bus, NULL, &err) == 0, "glib attach");
    } else {
        ev.loop = vireo_loop_new(&err);
        CHECK(ev.loop && vireo_bus_attach_loop(bus, ev.loop, &err) == 0, "loop");
    }
    sub = vtest_everything_on_ping(p, on_ping, &ev, &err);
    CHECK(sub != NULL, "subscribe");
    props = vireo_proxy_on_properties_changed(p, &vtest_everything_interface, on_prop_changed, &ev,
                                              &err);
    CHECK(props != NULL, "subscribe to PropertiesChanged");
    other =
        vireo_proxy_on_properties_changed(p, &vtest_extra_interface, on_prop_changed, &ev, &err);
    OK(vtest_everything_set_label(p, "set from C", errp));
    OK(vtest_everything_call_fire_pings(p, 3, errp));
    OK(vtest_everything_call_delayed_echo_async(p, 50, "later", on_delayed, &ev, errp));
    deadline = vireo_loop_now_usec() + 5000000;
    while ((ev.pings < 3 || !ev.echo || !ev.label_changes) && vireo_loop_now_usec() < deadline) {
        if (glib)
            g_main_context_iteration(NULL, TRUE);
        else
            vireo_loop_iterate(ev.loop, 100);
    }
    CHECK(ev.pings == 3, "got %u pings", ev.pings);
    CHECK(ev.echo && !strcmp(ev.echo, "later"), "deferred reply %s", ev.echo);
    /* Once: the IExtra subscription must not see IEverything's changes. */
    CHECK(ev.label_changes == 1, "Label changes seen: %d", ev.label_changes);
    free(ev.echo);
    vireo_subscription_free(sub);
    vireo_subscription_free(props);
    vireo_subscription_free(other);
    vireo_error_free(err);
    vireo_bus_detach(bus);
    vireo_loop_free(ev.loop);
}

int main(int argc, char **argv)
{
    vireo_error *err = NULL;
    vireo_bus *bus;
    vireo_proxy *p;
    int32_t sum = 0;

    if (argc != 4) {
        fprintf(stderr, "usage: test-client DEST PATH check|check-glib|dump|whoami\n");
        return 2;
    }
    bus = vireo_bus_open_session(&err);
    if (!bus) {
        fprintf(stderr, "test-client: %s\n", err->message);
        vireo_error_free(err);
        return 1;
    }
    p = vireo_proxy_new(bus, argv[1], argv[2]);
    if (!strcmp(argv[3], "dump")) {
        dump(p);
    } else if (!strcmp(argv[3], "whoami")) {
        char *who = NULL;
        OK(vtest_extra_call_whoami(p, &who, errp));
        printf("%s\n", who ? who : "");
        free(who);
    } else {
        OK(vtest_everything_call_add(p, 40, 2, &sum, errp));
        CHECK(sum == 42, "add gave %d", sum);
        check_scalars(p, "/org/vireo/Test1/everything/0a1b2c3d_0000_4000_8000_000000000002");
        check_arrays(p);
        check_errors(p);
        check_fds(p);
        check_properties(p);
        check_async(bus, p, !strcmp(argv[3], "check-glib"));
        dump(p);
    }
    vireo_proxy_unref(p);
    vireo_bus_unref(bus);
    return failures ? 1 : 0;
}
