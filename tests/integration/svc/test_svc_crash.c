/* Crash consistency: run svc_crash_writer, kill it with SIGKILL after a random delay, and
 * check what a restarted service would find: Vireo.xml loads, every registered machine is
 * accessible with the uuid the registry expects, and every settings file on disk loads
 * (recovering from -tmp/-prev where a crash left that). Repeated N times.
 * Usage: test_svc_crash WRITER N
 *        test_svc_crash --check     (check $VIREO_USER_HOME once) */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "svc/machine_xml.h"
#include "svc/registry.h"

static int failures;

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        fprintf(stderr, "FAIL: " __VA_ARGS__);                                                     \
        fputc('\n', stderr);                                                                       \
        failures++;                                                                                \
    } while (0)

static void run_and_kill(const char *writer, unsigned seed, unsigned delay_us)
{
    pid_t pid = fork();
    if (pid == 0) {
        char arg[16];
        snprintf(arg, sizeof(arg), "%u", seed);
        execl(writer, writer, arg, (char *)NULL);
        _exit(127);
    }
    usleep(delay_us);
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFSIGNALED(status))
        FAIL("writer exited by itself (status %d)", status);
}

/* Every "<x>.vireo" in the machine folder's subfolders must load. */
static unsigned check_files(const char *folder, unsigned *recovered)
{
    unsigned n = 0;
    DIR *d = opendir(folder);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char *sub = NULL, *file = NULL;
        if (asprintf(&sub, "%s/%s", folder, e->d_name) < 0)
            continue;
        if (asprintf(&file, "%s/%s.vireo", sub, e->d_name) >= 0 && access(file, F_OK) == 0) {
            struct svc_machine_settings s;
            char *note = NULL;
            svc_error *err = NULL;
            if (svc_machine_settings_load(file, &s, &note, &err) < 0)
                FAIL("%s does not load: %s", file, err->message);
            else
                svc_settings_clear(&s);
            *recovered += note != NULL;
            free(note);
            svc_error_free(err);
            n++;
        }
        free(sub);
        free(file);
    }
    if (d)
        closedir(d);
    return n;
}

static void check_home(unsigned *machines, unsigned *files, unsigned *recovered)
{
    svc_registry *reg = NULL;
    svc_error *err = NULL;
    if (svc_registry_open(NULL, &reg, &err) < 0) {
        FAIL("the registry does not open: %s", err->message);
        svc_error_free(err);
        return;
    }
    *recovered += reg->recovery_note != NULL;
    for (size_t i = 0; i < reg->n_machines; i++) {
        svc_machine *m = reg->machines[i];
        if (!m->accessible)
            FAIL("registered machine %s is inaccessible: %s", m->uuid.s, m->access_error->message);
        *recovered += m->recovery_note != NULL;
    }
    *machines = (unsigned)reg->n_machines;
    *files = check_files(svc_registry_machine_folder(reg), recovered);
    svc_registry_free(reg);
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--check") == 0) {
        /* one check of $VIREO_USER_HOME, for tests that kill the real service */
        unsigned machines = 0, files = 0, recovered = 0;
        check_home(&machines, &files, &recovered);
        printf("%u registered, %u settings files, %u recoveries\n", machines, files, recovered);
        return failures ? 1 : 0;
    }
    if (argc < 3) {
        fprintf(stderr, "usage: %s WRITER N | --check\n", argv[0]);
        return 2;
    }
    char tmpl[] = "/tmp/vireo-svc-crash-XXXXXX";
    if (!mkdtemp(tmpl))
        return 2;
    setenv("VIREO_USER_HOME", tmpl, 1);
    unsigned rounds = (unsigned)atoi(argv[2]), seed = (unsigned)time(NULL);
    unsigned machines = 0, files = 0, recovered = 0, max_machines = 0;
    printf("seed %u\n", seed);
    for (unsigned i = 0; i < rounds && failures == 0; i++) {
        unsigned delay = 2000 + (unsigned)rand_r(&seed) % 80000;
        run_and_kill(argv[1], seed + i, delay);
        check_home(&machines, &files, &recovered);
        if (machines > max_machines)
            max_machines = machines;
    }
    /* Files beyond the registered machines are creations or deletions a kill interrupted
     * before they completed (the caller never got a success): left on disk, never lost. */
    printf("%u kills; last check: %u registered, %u settings files (%u unregistered leftovers); "
           "up to %u registered; %u recoveries reported\n",
           rounds, machines, files, files - machines, max_machines, recovered);
    char cmd[64];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpl);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpl);
    return failures ? 1 : 0;
}
