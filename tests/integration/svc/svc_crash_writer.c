/* Test helper: change machines through the settings layer in an endless loop, to be killed
 * with SIGKILL at a random instant by test_svc_crash. Usage: svc_crash_writer SEED
 * (the home comes from $VIREO_USER_HOME). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svc/machine_setters.h"
#include "svc/registry.h"

static void create_one(svc_registry *reg, unsigned *seed)
{
    char name[32];
    snprintf(name, sizeof(name), "vm %u", rand_r(seed) % 100000);
    svc_machine *m = NULL;
    if (svc_registry_create_machine(reg, NULL, name, "Linux", &m, NULL) == 0) {
        svc_machine_set_description(m, "created by the crash writer", NULL);
        svc_registry_register(reg, m, NULL);
        svc_machine_unref(m);
    }
}

static void change_one(svc_registry *reg, svc_machine *m, unsigned *seed)
{
    unsigned op = rand_r(seed) % 10;
    if (op < 2) { /* unregister and delete */
        svc_machine_ref(m);
        if (svc_registry_unregister(reg, m, SVC_CLEANUP_FULL, NULL, NULL, NULL) == 0)
            svc_machine_delete_config(m, NULL);
        svc_machine_unref(m);
        return;
    }
    if (svc_machine_begin_edit(m, NULL) < 0)
        return;
    if (op < 4) {
        char name[32];
        snprintf(name, sizeof(name), "vm %u", rand_r(seed) % 100000);
        svc_machine_set_name(m, name, strlen(name), NULL);
    } else {
        svc_machine_set_memory_size(m, 4 + rand_r(seed) % 3000, NULL);
        svc_machine_set_description(m, op & 1 ? "odd" : "even", NULL);
    }
    svc_machine_commit(m, NULL);
    svc_machine_end_edit(m);
}

int main(int argc, char **argv)
{
    unsigned seed = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 1;
    svc_registry *reg = NULL;
    svc_error *err = NULL;
    if (svc_registry_open(NULL, &reg, &err) < 0) {
        fprintf(stderr, "svc_crash_writer: %s\n", err->message);
        return 1;
    }
    for (;;) {
        if (reg->n_machines < 8 || rand_r(&seed) % 4 == 0)
            create_one(reg, &seed);
        else
            change_one(reg, reg->machines[rand_r(&seed) % reg->n_machines], &seed);
    }
}
