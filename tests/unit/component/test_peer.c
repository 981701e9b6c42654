/* Unit test: the generated skeleton and proxy in one process over a private peer-to-peer
 * connection (vireo_server / vireo_bus_open_peer, no dbus-daemon). The server side runs its
 * own loop on a thread; the client makes blocking calls from the test thread. */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "tests/integration/component/test_object.h"

#define PEER_UUID "0a1b2c3d-0000-4000-8000-0000000000aa"

typedef struct peer_server {
    vireo_loop *loop;
    vireo_server *srv;
    vireo_bus *peer;
    int quit_fd;
    int connections;
} peer_server;

static void on_connection(vireo_server *srv, vireo_bus *peer, void *ud)
{
    peer_server *ps = ud;
    test_object *obj = test_object_new(peer, ps->loop, PEER_UUID, "peer");
    char *path = vireo_path_for_uuid(VTEST_ROOT_PATH, VTEST_EVERYTHING_COLLECTION, PEER_UUID);

    ps->connections++;
    vireo_bus_unref(ps->peer);
    ps->peer = vireo_bus_ref(peer);
    vireo_bus_export(peer, path, test_object_base(obj), NULL);
    vireo_object_unref(test_object_base(obj));
    free(path);
}

static void on_quit(vireo_source *src, int fd, uint32_t revents, void *ud)
{
    vireo_loop_quit(ud, 0);
}

static void *server_thread(void *ud)
{
    peer_server *ps = ud;

    vireo_loop_run(ps->loop);
    return NULL;
}

START_TEST(proxy_and_skeleton_over_a_peer_connection)
{
    peer_server ps = {0};
    vireo_error *err = NULL;
    pthread_t thread;
    vireo_bus *bus;
    vireo_proxy *p;
    char *path = vireo_path_for_uuid(VTEST_ROOT_PATH, VTEST_EVERYTHING_COLLECTION, PEER_UUID);
    char *who = NULL, *echo = NULL;
    int32_t sum = 0;
    uint64_t one = 1;

    ps.loop = vireo_loop_new(NULL);
    ps.quit_fd = eventfd(0, EFD_CLOEXEC);
    vireo_loop_add_io(ps.loop, ps.quit_fd, EPOLLIN, on_quit, ps.loop);
    ps.srv = vireo_server_new(ps.loop, "unix:tmpdir=/tmp", on_connection, &ps, &err);
    ck_assert_msg(ps.srv != NULL, "server: %s", err ? err->message : "");
    ck_assert_ptr_nonnull(strstr(vireo_server_address(ps.srv), "unix:"));
    ck_assert_int_eq(pthread_create(&thread, NULL, server_thread, &ps), 0);

    bus = vireo_bus_open_peer(vireo_server_address(ps.srv), &err);
    ck_assert_msg(bus != NULL, "connect: %s", err ? err->message : "");
    ck_assert_ptr_null(vireo_bus_unique_name(bus)); /* no message bus */
    p = vireo_proxy_new(bus, NULL, path);
    ck_assert_int_eq(vtest_everything_call_add(p, 20, 22, &sum, &err), 0);
    ck_assert_int_eq(sum, 42);
    ck_assert_int_eq(vtest_extra_call_whoami(p, &who, &err), 0);
    ck_assert_str_eq(who, "peer");
    /* A deferred reply, answered from the server thread's timer. */
    ck_assert_int_eq(vtest_everything_call_delayed_echo(p, 20, "later", &echo, &err), 0);
    ck_assert_str_eq(echo, "later");
    /* Errors come back with their code. */
    ck_assert_int_lt(vtest_everything_call_fail(p, "Busy", "busy now", &err), 0);
    ck_assert_uint_eq(err->code, VTEST_RESULT_BUSY);
    ck_assert_str_eq(err->message, "busy now");
    vireo_error_free(err);
    err = NULL;
    {
        vireo_proxy *nowhere = vireo_proxy_new(bus, NULL, "/nope");
        ck_assert_int_lt(vtest_everything_call_add(nowhere, 1, 1, NULL, &err), 0);
        ck_assert_str_eq(err->name, VIREO_DBUS_ERROR_UNKNOWN_OBJECT);
        vireo_error_free(err);
        err = NULL;
        vireo_proxy_unref(nowhere);
    }

    vireo_proxy_unref(p);
    vireo_bus_unref(bus);
    ck_assert_int_eq(write(ps.quit_fd, &one, sizeof(one)), sizeof(one));
    pthread_join(thread, NULL);
    ck_assert_int_eq(ps.connections, 1);
    vireo_bus_unref(ps.peer);
    vireo_server_free(ps.srv);
    vireo_loop_free(ps.loop);
    close(ps.quit_fd);
    free(path);
    free(who);
    free(echo);
}
END_TEST

/* Relay over peer links: a "service" thread serves the test's client on one private server
 * and relays /relay to an object on a second private connection (a "VM process" side, here
 * in the same thread), as the service does for console objects. */
typedef struct relay_world {
    vireo_loop *loop;
    vireo_server *front, *vm;
    vireo_bus *client_side, *vm_side, *to_vm;
    int quit_fd;
    int relay_removed;
} relay_world;

static void remove_relay(void *ud)
{
    relay_world *w = ud;

    ck_assert_int_eq(vireo_bus_remove_relay(w->client_side, "/relay"), 0);
    ck_assert_int_eq(vireo_bus_remove_relay(w->client_side, "/relay"), -ENOENT);
    __atomic_store_n(&w->relay_removed, 1, __ATOMIC_RELEASE);
}

static void on_vm_connection(vireo_server *srv, vireo_bus *peer, void *ud)
{
    relay_world *w = ud;
    test_object *obj = test_object_new(peer, w->loop, PEER_UUID, "vm");
    char *path = vireo_path_for_uuid(VTEST_ROOT_PATH, VTEST_EVERYTHING_COLLECTION, PEER_UUID);

    w->vm_side = vireo_bus_ref(peer);
    vireo_bus_export(peer, path, test_object_base(obj), NULL);
    vireo_object_unref(test_object_base(obj));
    free(path);
}

static void on_front_connection(vireo_server *srv, vireo_bus *peer, void *ud)
{
    relay_world *w = ud;

    w->client_side = vireo_bus_ref(peer);
    vireo_bus_add_relay(peer, "/relay", w->to_vm, NULL, VTEST_ROOT_PATH "/everything", NULL);
}

START_TEST(relay_between_peer_connections)
{
    relay_world w = {0};
    vireo_error *err = NULL;
    pthread_t thread;
    vireo_bus *bus;
    vireo_proxy *p;
    char *who = NULL, *text = NULL;
    int fds[2], fd;
    uint64_t one = 1;
    peer_server ps = {0};

    w.loop = vireo_loop_new(NULL);
    w.quit_fd = eventfd(0, EFD_CLOEXEC);
    vireo_loop_add_io(w.loop, w.quit_fd, EPOLLIN, on_quit, w.loop);
    w.vm = vireo_server_new(w.loop, "unix:tmpdir=/tmp", on_vm_connection, &w, &err);
    w.front = vireo_server_new(w.loop, "unix:tmpdir=/tmp", on_front_connection, &w, &err);
    ck_assert(w.vm && w.front);
    w.to_vm = vireo_bus_open_peer(vireo_server_address(w.vm), &err);
    ck_assert_ptr_nonnull(w.to_vm);
    ck_assert_int_eq(vireo_bus_attach_loop(w.to_vm, w.loop, &err), 0);
    ps.loop = w.loop;
    ck_assert_int_eq(pthread_create(&thread, NULL, server_thread, &ps), 0);

    bus = vireo_bus_open_peer(vireo_server_address(w.front), &err);
    ck_assert_ptr_nonnull(bus);
    p = vireo_proxy_new(bus, NULL,
                        "/relay/"
                        "0a1b2c3d_0000_4000_8000_0000000000aa");
    ck_assert_int_eq(vtest_extra_call_whoami(p, &who, &err), 0);
    ck_assert_str_eq(who, "vm");
    /* fds cross both links. */
    ck_assert_int_eq(pipe(fds), 0);
    ck_assert_int_eq(write(fds[1], "relayed fd", 10), 10);
    close(fds[1]);
    ck_assert_int_eq(vtest_everything_call_read_fd(p, fds[0], &text, &err), 0);
    close(fds[0]);
    ck_assert_str_eq(text, "relayed fd");
    free(text);
    ck_assert_int_eq(vtest_everything_call_open_text(p, "back", NULL, NULL, &fd, &err), 0);
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_int_lt(vtest_everything_call_fail(p, "NotFound", "not here", &err), 0);
    ck_assert_uint_eq(err->code, VTEST_RESULT_NOT_FOUND);
    vireo_error_free(err);
    err = NULL;
    /* Removing the relay (on the loop's thread) makes the path unknown again. */
    ck_assert_int_eq(vireo_loop_post(w.loop, remove_relay, &w), 0);
    while (!__atomic_load_n(&w.relay_removed, __ATOMIC_ACQUIRE))
        usleep(1000);
    ck_assert_int_lt(vtest_extra_call_whoami(p, NULL, &err), 0);
    ck_assert_str_eq(err->name, VIREO_DBUS_ERROR_UNKNOWN_OBJECT);
    vireo_error_free(err);

    vireo_proxy_unref(p);
    vireo_bus_unref(bus);
    ck_assert_int_eq(write(w.quit_fd, &one, sizeof(one)), sizeof(one));
    pthread_join(thread, NULL);
    vireo_bus_unref(w.client_side);
    vireo_bus_unref(w.to_vm);
    vireo_bus_unref(w.vm_side);
    vireo_server_free(w.front);
    vireo_server_free(w.vm);
    vireo_loop_free(w.loop);
    close(w.quit_fd);
    free(who);
}
END_TEST

Suite *peer_suite(void)
{
    Suite *s = suite_create("peer");
    TCase *tc = tcase_create("in-process");

    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, proxy_and_skeleton_over_a_peer_connection);
    tcase_add_test(tc, relay_between_peer_connections);
    suite_add_tcase(s, tc);
    return s;
}
