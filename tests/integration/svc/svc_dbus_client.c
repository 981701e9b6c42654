/* The machine lifecycle from C through the generated proxies, against the running service
 * on $DBUS_SESSION_BUS_ADDRESS (run by test_svc_dbus.py on its private bus). Exit 0 when
 * every step answered as the API says. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idl/vireo.h"

static int failures;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                   \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

/* Expect a call to have failed with the D-Bus error `name`. */
static void expect_error(int r, vireo_error *err, const char *name, const char *what)
{
    CHECK(r < 0 && err && strcmp(err->name, name) == 0, "%s: expected %s, got %s (%s)", what, name,
          err ? err->name : "success", err ? err->message : "");
    vireo_error_free(err);
}

static const char *msg(vireo_error *err)
{
    return err ? err->message : "";
}

int main(void)
{
    vireo_error *err = NULL;
    vireo_bus *bus = vireo_bus_open_session(&err);
    if (!bus) {
        fprintf(stderr, "no bus: %s\n", msg(err));
        return 1;
    }
    vireo_proxy *root = vireo_proxy_new(bus, VIREO_BUS_NAME, VIREO_ROOT_PATH);
    char *version = NULL, *path = NULL, *found = NULL, *spath = NULL, *cpath = NULL;
    CHECK(vireo_vireo_get_version(root, &version, &err) == 0, "version: %s", msg(err));
    CHECK(version && strcmp(version, "0.1.0") == 0, "version %s", version ? version : "-");

    CHECK(vireo_vireo_call_create_machine(root, "", "c life", "Linux", &path, &err) == 0,
          "createMachine: %s", msg(err));
    vireo_proxy *m = vireo_proxy_new(bus, VIREO_BUS_NAME, path ? path : "/");
    CHECK(vireo_machine_set_memory_size(m, 300, &err) == 0, "memorySize: %s", msg(err));
    int r = vireo_machine_set_memory_size(m, 5000, &err);
    expect_error(r, err, VIREO_ERROR_INVALID_ARG, "memorySize 5000");
    err = NULL;
    CHECK(vireo_vireo_call_register_machine(root, path, &err) == 0, "register: %s", msg(err));
    CHECK(vireo_vireo_call_find_machine(root, "c life", &found, &err) == 0 && found &&
              strcmp(found, path) == 0,
          "findMachine: %s", msg(err));
    r = vireo_machine_set_memory_size(m, 400, &err);
    expect_error(r, err, VIREO_ERROR_INVALID_SESSION_STATE, "set on a registered machine");
    err = NULL;

    CHECK(vireo_machine_call_lock_machine(m, VIREO_LOCK_TYPE_WRITE, 0, &spath, &err) == 0,
          "lockMachine: %s", msg(err));
    vireo_proxy *s = vireo_proxy_new(bus, VIREO_BUS_NAME, spath ? spath : "/");
    CHECK(vireo_session_get_machine(s, &cpath, &err) == 0, "session.machine: %s", msg(err));
    vireo_proxy *copy = vireo_proxy_new(bus, VIREO_BUS_NAME, cpath ? cpath : "/");
    CHECK(vireo_machine_set_memory_size(copy, 600, &err) == 0, "copy memorySize: %s", msg(err));
    CHECK(vireo_machine_call_save_settings(copy, &err) == 0, "saveSettings: %s", msg(err));
    CHECK(vireo_session_call_unlock_machine(s, &err) == 0, "unlockMachine: %s", msg(err));
    uint32_t mem = 0;
    CHECK(vireo_machine_get_memory_size(m, &mem, &err) == 0 && mem == 600, "memory %u: %s", mem,
          msg(err));

    char **media = NULL;
    size_t n_media = 0;
    CHECK(vireo_machine_call_unregister(m, VIREO_CLEANUP_MODE_UNREGISTER_ONLY, &media, &n_media,
                                        &err) == 0,
          "unregister: %s", msg(err));
    vireo_strv_free(media, n_media);
    free(found);
    found = NULL;
    r = vireo_vireo_call_find_machine(root, "c life", &found, &err);
    expect_error(r, err, VIREO_ERROR_OBJECT_NOT_FOUND, "findMachine after unregister");

    free(version);
    free(path);
    free(found);
    free(spath);
    free(cpath);
    vireo_proxy_unref(copy);
    vireo_proxy_unref(s);
    vireo_proxy_unref(m);
    vireo_proxy_unref(root);
    vireo_bus_unref(bus);
    if (failures == 0)
        printf("C lifecycle: ok\n");
    return failures ? 1 : 0;
}
