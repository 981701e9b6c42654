/* list vms|runningvms|ostypes|hdds|dvds|systemproperties [--long] [--json] */
#include "frontends/cli/fetch.h"
#include "frontends/cli/output.h"
#include "frontends/cli/vminfo.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

enum { OPT_LONG = 1, OPT_JSON, OPT_SORTED };

static const cli_option list_options[] = {
    {"--long", OPT_LONG, 0, 0, NULL, NULL, "full details of each item"},
    {"-l", OPT_LONG, 0, 0, NULL, NULL, "same as --long"},
    {"--json", OPT_JSON, 0, 0, NULL, NULL, "a JSON array (docs/cli.md)"},
    {"--sorted", OPT_SORTED, 0, 0, NULL, NULL, "sort machines by name"},
    {NULL},
};

int cli_print_system_properties(cli_ctx *ctx, bool json); /* props.c */

typedef struct vm_row {
    const char *name;
    char *uuid;
    char *path;
} vm_row;

static int by_name(const void *a, const void *b)
{
    return strcmp(((const vm_row *)a)->name, ((const vm_row *)b)->name);
}

static int print_long(cli_ctx *ctx, const vm_row *rows, size_t n, bool json)
{
    cli_json w;
    cli_json_init(&w, stdout);
    if (json)
        cli_json_begin_array(&w);
    for (size_t i = 0; i < n; i++) {
        cli_vm_info vm;
        int r = cli_vm_info_read(ctx, rows[i].path, &vm);
        if (r)
            return r;
        if (json) {
            cli_vm_info_print_json(&vm, &w);
        } else {
            if (i)
                fputc('\n', stdout);
            cli_vm_info_print_text(&vm, stdout);
        }
        cli_vm_info_clear(&vm);
    }
    if (json) {
        cli_json_end_array(&w);
        cli_json_finish(&w);
    }
    return 0;
}

static void print_short(const vm_row *rows, size_t n, bool json)
{
    if (!json) {
        for (size_t i = 0; i < n; i++)
            printf("\"%s\" {%s}\n", rows[i].name, rows[i].uuid);
        return;
    }
    cli_json w;
    cli_json_init(&w, stdout);
    cli_json_begin_array(&w);
    for (size_t i = 0; i < n; i++) {
        cli_json_begin_object(&w);
        cli_json_kv_string(&w, "name", rows[i].name);
        cli_json_kv_string(&w, "uuid", rows[i].uuid);
        cli_json_end_object(&w);
    }
    cli_json_end_array(&w);
    cli_json_finish(&w);
}

/* Keep the rows whose machine has a VM process; reads `state` pipelined. */
static int filter_running(cli_ctx *ctx, char **paths, vm_row *rows, size_t *n)
{
    DBusMessage **states = NULL;
    vireo_error *err = NULL;
    if (cli_fetch_property(ctx, paths, *n, &vireo_machine_interface, "State", &states, &err) < 0)
        return cli_api_error(err, "IMachine.state", NULL);
    size_t k = 0;
    for (size_t i = 0; i < *n; i++) {
        uint32_t s = 0;
        if (cli_reply_u32(states[i], &s) == 0 && cli_state_has_process(s))
            rows[k++] = rows[i];
        else
            free(rows[i].uuid);
    }
    cli_replies_free(states, *n);
    *n = k;
    return 0;
}

static int list_vms(cli_ctx *ctx, bool running, bool lng, bool json, bool sorted)
{
    char **paths = NULL;
    size_t n = 0;
    vireo_error *err = NULL;
    if (vireo_vireo_get_machines(ctx->root, &paths, &n, &err) < 0)
        return cli_api_error(err, "IVireo.machines", NULL);
    DBusMessage **names = NULL;
    vm_row *rows = calloc(n ? n : 1, sizeof(*rows));
    int r = 0;
    if (!rows)
        r = cli_error("out of memory");
    else if (cli_fetch_property(ctx, paths, n, &vireo_machine_interface, "Name", &names, &err) < 0)
        r = cli_api_error(err, "IMachine.name", NULL);
    for (size_t i = 0; r == 0 && i < n; i++) {
        rows[i].path = paths[i];
        rows[i].uuid = vireo_path_to_uuid(paths[i]); /* the path carries the uuid */
        if (cli_reply_string(names[i], &rows[i].name) < 0 || !rows[i].uuid)
            r = cli_error("unexpected reply for machine %s", paths[i]);
    }
    size_t shown = n;
    if (r == 0 && running)
        r = filter_running(ctx, paths, rows, &shown);
    if (r == 0 && sorted)
        qsort(rows, shown, sizeof(*rows), by_name);
    if (r == 0 && lng)
        r = print_long(ctx, rows, shown, json);
    else if (r == 0)
        print_short(rows, shown, json);
    for (size_t i = 0; rows && i < shown; i++) /* filter_running freed the others */
        free(rows[i].uuid);
    free(rows);
    cli_replies_free(names, n);
    vireo_strv_free(paths, n);
    return r;
}

static int list_ostypes(cli_ctx *ctx, bool json)
{
    char **ids = NULL;
    size_t n = 0;
    vireo_error *err = NULL;
    if (vireo_vireo_get_guest_os_types(ctx->root, &ids, &n, &err) < 0)
        return cli_api_error(err, "IVireo.guestOSTypes", NULL);
    cli_json w;
    cli_json_init(&w, stdout);
    if (json)
        cli_json_begin_array(&w);
    int r = 0;
    for (size_t i = 0; i < n && r == 0; i++) {
        char *desc = NULL, *family = NULL;
        uint32_t ram = 0, vram = 0;
        uint64_t hdd = 0;
        if (vireo_vireo_call_get_guest_os_type(ctx->root, ids[i], &desc, &family, &ram, &vram, &hdd,
                                               &err) < 0) {
            r = cli_api_error(err, "IVireo.getGuestOSType", "guest OS type '%s'", ids[i]);
            break;
        }
        if (json) {
            cli_json_begin_object(&w);
            cli_json_kv_string(&w, "id", ids[i]);
            cli_json_kv_string(&w, "description", desc);
            cli_json_kv_string(&w, "family", family);
            cli_json_kv_uint(&w, "recommendedRAM", ram);
            cli_json_kv_uint(&w, "recommendedVRAM", vram);
            cli_json_kv_uint(&w, "recommendedHDD", hdd);
            cli_json_end_object(&w);
        } else {
            printf("%sID:          %s\nDescription: %s\nFamily ID:   %s\n", i ? "\n" : "", ids[i],
                   desc, family);
        }
        free(desc);
        free(family);
    }
    if (json && r == 0) {
        cli_json_end_array(&w);
        cli_json_finish(&w);
    }
    vireo_strv_free(ids, n);
    return r;
}

typedef struct medium_info {
    char *uuid, *location, *parent;
    vireo_medium_format format;
    vireo_medium_state state;
    vireo_device_type type;
    uint64_t size, logical_size;
    bool read_only;
    char **machines;
    size_t n_machines;
} medium_info;

static void medium_clear(medium_info *m)
{
    free(m->uuid);
    free(m->location);
    free(m->parent);
    vireo_strv_free(m->machines, m->n_machines);
    memset(m, 0, sizeof(*m));
}

static int medium_read(cli_ctx *ctx, const char *path, medium_info *m)
{
    vireo_proxy *p = cli_proxy(ctx, path);
    vireo_error *err = NULL;
    char *parent = NULL;
    int r = 0;
    memset(m, 0, sizeof(*m));
    if (vireo_medium_get_id(p, &m->uuid, &err) < 0 ||
        vireo_medium_get_location(p, &m->location, &err) < 0 ||
        vireo_medium_get_format(p, &m->format, &err) < 0 ||
        vireo_medium_get_state(p, &m->state, &err) < 0 ||
        vireo_medium_get_device_type(p, &m->type, &err) < 0 ||
        vireo_medium_get_size(p, &m->size, &err) < 0 ||
        vireo_medium_get_logical_size(p, &m->logical_size, &err) < 0 ||
        vireo_medium_get_read_only(p, &m->read_only, &err) < 0 ||
        vireo_medium_get_machine_ids(p, &m->machines, &m->n_machines, &err) < 0 ||
        vireo_medium_get_parent(p, &parent, &err) < 0)
        r = cli_api_error(err, "IMedium (properties)", NULL);
    if (r == 0 && strcmp(parent, "/") != 0)
        m->parent = vireo_path_to_uuid(parent);
    free(parent);
    vireo_proxy_unref(p);
    if (r)
        medium_clear(m);
    return r;
}

static void medium_print(const medium_info *m, bool json, cli_json *w, bool first)
{
    if (json) {
        cli_json_begin_object(w);
        cli_json_kv_string(w, "uuid", m->uuid);
        cli_json_kv_string(w, "parent", m->parent);
        cli_json_kv_string(w, "location", m->location);
        cli_json_kv_string(w, "format", vireo_medium_format_to_string(m->format));
        cli_json_kv_string(w, "state", vireo_medium_state_to_string(m->state));
        cli_json_kv_uint(w, "logicalSize", m->logical_size);
        cli_json_kv_uint(w, "size", m->size);
        cli_json_kv_bool(w, "readOnly", m->read_only);
        cli_json_key(w, "machines");
        cli_json_begin_array(w);
        for (size_t i = 0; i < m->n_machines; i++)
            cli_json_string(w, m->machines[i]);
        cli_json_end_array(w);
        cli_json_end_object(w);
        return;
    }
    printf("%sUUID:           %s\nParent UUID:    %s\nState:          %s\nLocation:       %s\n"
           "Storage format: %s\nCapacity:       %" PRIu64 " MBytes\n",
           first ? "" : "\n", m->uuid, m->parent ? m->parent : "base",
           vireo_medium_state_to_string(m->state), m->location,
           vireo_medium_format_to_string(m->format), m->logical_size >> 20);
    for (size_t i = 0; i < m->n_machines; i++)
        printf("%s%s\n", i ? "                " : "In use by VMs:  ", m->machines[i]);
}

static int list_media(cli_ctx *ctx, vireo_device_type want, bool json)
{
    char **paths = NULL;
    size_t n = 0;
    vireo_error *err = NULL;
    if (vireo_vireo_get_media(ctx->root, &paths, &n, &err) < 0)
        return cli_api_error(err, "IVireo.media", NULL);
    cli_json w;
    cli_json_init(&w, stdout);
    if (json)
        cli_json_begin_array(&w);
    int r = 0;
    bool first = true;
    for (size_t i = 0; i < n && r == 0; i++) {
        medium_info m;
        r = medium_read(ctx, paths[i], &m);
        if (r == 0 && m.type == want) {
            medium_print(&m, json, &w, first);
            first = false;
        }
        if (r == 0)
            medium_clear(&m);
    }
    if (json && r == 0) {
        cli_json_end_array(&w);
        cli_json_finish(&w);
    }
    vireo_strv_free(paths, n);
    return r;
}

static int run_list(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    cli_args a;
    int r = cli_command_parse(cmd, argc, argv, 1, 1, &a);
    if (r >= 0)
        return r;
    const char *what = a.positional[0];
    bool lng = cli_args_find(&a, OPT_LONG), json = cli_args_find(&a, OPT_JSON);
    bool sorted = cli_args_find(&a, OPT_SORTED);
    static const char *const known[] = {"vms",  "runningvms", "ostypes",
                                        "hdds", "dvds",       "systemproperties"};
    size_t k = 0;
    while (k < 6 && strcmp(what, known[k]) != 0)
        k++;
    if (k == 6) {
        r = cli_usage_error(cmd,
                            "unknown list '%s' (one of vms, runningvms, ostypes, hdds, "
                            "dvds, systemproperties)",
                            what);
        cli_args_free(&a);
        return r;
    }
    r = cli_connect(ctx);
    if (r == 0) {
        switch (k) {
        case 0: r = list_vms(ctx, false, lng, json, sorted); break;
        case 1: r = list_vms(ctx, true, lng, json, sorted); break;
        case 2: r = list_ostypes(ctx, json); break;
        case 3: r = list_media(ctx, VIREO_DEVICE_TYPE_HARD_DISK, json); break;
        case 4: r = list_media(ctx, VIREO_DEVICE_TYPE_DVD, json); break;
        default: r = cli_print_system_properties(ctx, json);
        }
    }
    cli_args_free(&a);
    return r;
}

const cli_command cli_cmd_list = {
    .name = "list",
    .run = run_list,
    .synopsis = "list vms|runningvms|ostypes|hdds|dvds|systemproperties [--long] [--sorted] "
                "[--json]",
    .summary = "List registered machines, running machines, guest OS types, registered hard\n"
               "disks or DVD images, or the system properties.",
    .options = list_options,
};
