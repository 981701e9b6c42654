/* The integration test server. Serves two IEverything objects on the session bus:
 *
 *   test-server [--name BUSNAME] [--who WHO] [--relay PREFIX=DEST:TARGET_PREFIX]...
 *
 * exports objects with the uuids TEST_UUID_1 and TEST_UUID_2 under
 * /org/vireo/Test1/everything/, takes BUSNAME if given, and prints "READY <unique name>" when
 * it serves. Runs until SIGTERM or SIGINT, then frees everything and exits 0 (so ASan's leak
 * check sees a clean exit). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/integration/component/test_object.h"

#define TEST_UUID_1 "0a1b2c3d-0000-4000-8000-000000000001"
#define TEST_UUID_2 "0a1b2c3d-0000-4000-8000-000000000002"

static void on_signal(vireo_source *src, int signo, void *ud)
{
    vireo_loop_quit(ud, 0);
}

static void on_disconnect(vireo_bus *bus, void *ud)
{
    vireo_loop_quit(ud, 3);
}

static int export_object(vireo_bus *bus, vireo_loop *loop, const char *id, const char *who)
{
    test_object *t = test_object_new(bus, loop, id, who);
    char *path = vireo_path_for_uuid(VTEST_ROOT_PATH, VTEST_EVERYTHING_COLLECTION, id);
    vireo_error *err = NULL;
    int r = t && path ? vireo_bus_export(bus, path, test_object_base(t), &err) : -1;

    if (r < 0)
        fprintf(stderr, "test-server: export %s: %s\n", id, err ? err->message : "no memory");
    vireo_error_free(err);
    free(path);
    if (t)
        vireo_object_unref(test_object_base(t)); /* the bus holds its own reference */
    return r;
}

/* PREFIX=DEST:TARGET_PREFIX */
static int add_relay(vireo_bus *bus, char *spec)
{
    char *eq = strchr(spec, '='), *colon = eq ? strrchr(eq, ':') : NULL;
    vireo_error *err = NULL;
    int r;

    if (!eq || !colon)
        return -1;
    *eq = '\0';
    *colon = '\0';
    r = vireo_bus_add_relay(bus, spec, bus, eq + 1, colon + 1, &err);
    if (r < 0)
        fprintf(stderr, "test-server: relay: %s\n", err->message);
    vireo_error_free(err);
    return r;
}

int main(int argc, char **argv)
{
    const char *name = NULL, *who = "server";
    vireo_error *err = NULL;
    vireo_loop *loop = vireo_loop_new(&err);
    vireo_bus *bus = NULL;
    int r = 1;

    if (!loop)
        goto out;
    bus = vireo_bus_open_session(&err);
    if (!bus || vireo_bus_attach_loop(bus, loop, &err) < 0)
        goto out;
    vireo_loop_add_signal(loop, SIGTERM, on_signal, loop);
    vireo_loop_add_signal(loop, SIGINT, on_signal, loop);
    vireo_bus_set_disconnect_handler(bus, on_disconnect, loop);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--name") == 0 && i + 1 < argc)
            name = argv[++i];
        else if (strcmp(argv[i], "--who") == 0 && i + 1 < argc)
            who = argv[++i];
        else if (strcmp(argv[i], "--relay") == 0 && i + 1 < argc) {
            if (add_relay(bus, argv[++i]) < 0)
                goto out;
        } else {
            fprintf(stderr, "test-server: bad argument %s\n", argv[i]);
            goto out;
        }
    }
    if (export_object(bus, loop, TEST_UUID_1, who) < 0 ||
        export_object(bus, loop, TEST_UUID_2, who) < 0)
        goto out;
    if (name && vireo_bus_request_name(bus, name, &err) < 0)
        goto out;
    printf("READY %s\n", vireo_bus_unique_name(bus));
    fflush(stdout);
    r = vireo_loop_run(loop);
out:
    if (err)
        fprintf(stderr, "test-server: %s: %s\n", err->name, err->message);
    vireo_error_free(err);
    vireo_bus_unref(bus);
    vireo_loop_free(loop);
    return r;
}
