/* setproperty NAME VALUE, and the system properties shown by list systemproperties. */
#include "frontends/cli/output.h"
#include "frontends/cli/values.h"
#include "frontends/cli/cli.h"

#include <stdlib.h>
#include <string.h>

int cli_print_system_properties(cli_ctx *ctx, bool json);

typedef struct sysprops {
    char *version, *home, *settings, *machine_folder, *vm_process, *bios, *vgabios;
    uint32_t api, idle, min_ram, max_ram, min_cpus, max_cpus, min_vram, max_vram, max_boot,
        serial_count;
    uint16_t vnc_min, vnc_max;
} sysprops;

#define GET(p, fn, member, dst)                                                                    \
    do {                                                                                           \
        if (fn(p, dst, &err) < 0)                                                                  \
            return cli_api_error(err, member, NULL);                                               \
    } while (0)

static int read_root(cli_ctx *ctx, sysprops *s)
{
    vireo_error *err = NULL;
    GET(ctx->root, vireo_vireo_get_version, "IVireo.version", &s->version);
    GET(ctx->root, vireo_vireo_get_api_version, "IVireo.APIVersion", &s->api);
    GET(ctx->root, vireo_vireo_get_home_folder, "IVireo.homeFolder", &s->home);
    GET(ctx->root, vireo_vireo_get_settings_file_path, "IVireo.settingsFilePath", &s->settings);
    return 0;
}

static int read_props(vireo_proxy *p, sysprops *s)
{
    vireo_error *err = NULL;
    GET(p, vireo_system_properties_get_default_machine_folder,
        "ISystemProperties.defaultMachineFolder", &s->machine_folder);
    GET(p, vireo_system_properties_get_vnc_port_min, "ISystemProperties.VNCPortMin", &s->vnc_min);
    GET(p, vireo_system_properties_get_vnc_port_max, "ISystemProperties.VNCPortMax", &s->vnc_max);
    GET(p, vireo_system_properties_get_idle_timeout, "ISystemProperties.idleTimeout", &s->idle);
    GET(p, vireo_system_properties_get_vm_process_path, "ISystemProperties.VMProcessPath",
        &s->vm_process);
    GET(p, vireo_system_properties_get_default_bios_path, "ISystemProperties.defaultBIOSPath",
        &s->bios);
    GET(p, vireo_system_properties_get_default_vgabios_path, "ISystemProperties.defaultVGABIOSPath",
        &s->vgabios);
    GET(p, vireo_system_properties_get_min_guest_ram, "ISystemProperties.minGuestRAM", &s->min_ram);
    GET(p, vireo_system_properties_get_max_guest_ram, "ISystemProperties.maxGuestRAM", &s->max_ram);
    GET(p, vireo_system_properties_get_min_guest_cpu_count, "ISystemProperties.minGuestCPUCount",
        &s->min_cpus);
    GET(p, vireo_system_properties_get_max_guest_cpu_count, "ISystemProperties.maxGuestCPUCount",
        &s->max_cpus);
    GET(p, vireo_system_properties_get_min_guest_vram, "ISystemProperties.minGuestVRAM",
        &s->min_vram);
    GET(p, vireo_system_properties_get_max_guest_vram, "ISystemProperties.maxGuestVRAM",
        &s->max_vram);
    GET(p, vireo_system_properties_get_max_boot_position, "ISystemProperties.maxBootPosition",
        &s->max_boot);
    GET(p, vireo_system_properties_get_serial_port_count, "ISystemProperties.serialPortCount",
        &s->serial_count);
    return 0;
}

static void sysprops_clear(sysprops *s)
{
    free(s->version);
    free(s->home);
    free(s->settings);
    free(s->machine_folder);
    free(s->vm_process);
    free(s->bios);
    free(s->vgabios);
}

static void print_json(const sysprops *s)
{
    cli_json w;
    cli_json_init(&w, stdout);
    cli_json_begin_object(&w);
    cli_json_kv_string(&w, "version", s->version);
    cli_json_kv_uint(&w, "apiVersion", s->api);
    cli_json_kv_string(&w, "homeFolder", s->home);
    cli_json_kv_string(&w, "settingsFile", s->settings);
    cli_json_kv_string(&w, "machineFolder", s->machine_folder);
    cli_json_kv_uint(&w, "vncPortMin", s->vnc_min);
    cli_json_kv_uint(&w, "vncPortMax", s->vnc_max);
    cli_json_kv_uint(&w, "idleTimeout", s->idle);
    cli_json_kv_string(&w, "vmProcessPath", s->vm_process);
    cli_json_kv_string(&w, "biosPath", s->bios);
    cli_json_kv_string(&w, "vgaBiosPath", s->vgabios);
    cli_json_kv_uint(&w, "minGuestRAM", s->min_ram);
    cli_json_kv_uint(&w, "maxGuestRAM", s->max_ram);
    cli_json_kv_uint(&w, "minGuestCPUs", s->min_cpus);
    cli_json_kv_uint(&w, "maxGuestCPUs", s->max_cpus);
    cli_json_kv_uint(&w, "minGuestVRAM", s->min_vram);
    cli_json_kv_uint(&w, "maxGuestVRAM", s->max_vram);
    cli_json_kv_uint(&w, "maxBootPosition", s->max_boot);
    cli_json_kv_uint(&w, "serialPortCount", s->serial_count);
    cli_json_end_object(&w);
    cli_json_finish(&w);
}

static void print_text(const sysprops *s)
{
    printf("Vireo version:                  %s\n", s->version);
    printf("API version:                    %u\n", s->api);
    printf("Home folder:                    %s\n", s->home);
    printf("Settings file:                  %s\n", s->settings);
    printf("Default machine folder:         %s\n", s->machine_folder);
    printf("VNC port range:                 %u-%u\n", s->vnc_min, s->vnc_max);
    printf("Idle timeout:                   %u s\n", s->idle);
    printf("VM process path:                %s\n", s->vm_process);
    printf("Default BIOS:                   %s\n", s->bios);
    printf("Default VGA BIOS:               %s\n", s->vgabios);
    printf("Minimum guest RAM size:         %u Megabytes\n", s->min_ram);
    printf("Maximum guest RAM size:         %u Megabytes\n", s->max_ram);
    printf("Minimum guest CPU count:        %u\n", s->min_cpus);
    printf("Maximum guest CPU count:        %u\n", s->max_cpus);
    printf("Minimum video RAM size:         %u Megabytes\n", s->min_vram);
    printf("Maximum video RAM size:         %u Megabytes\n", s->max_vram);
    printf("Maximum boot position:          %u\n", s->max_boot);
    printf("Serial ports per machine:       %u\n", s->serial_count);
}

static vireo_proxy *sysprops_proxy(cli_ctx *ctx, int *ret_r)
{
    char *path = NULL;
    vireo_error *err = NULL;
    if (vireo_vireo_get_system_properties(ctx->root, &path, &err) < 0) {
        *ret_r = cli_api_error(err, "IVireo.systemProperties", NULL);
        return NULL;
    }
    vireo_proxy *p = cli_proxy(ctx, path);
    free(path);
    *ret_r = 0;
    return p;
}

int cli_print_system_properties(cli_ctx *ctx, bool json)
{
    sysprops s = {0};
    int r;
    vireo_proxy *p = sysprops_proxy(ctx, &r);
    if (!p)
        return r;
    r = read_root(ctx, &s);
    if (!r)
        r = read_props(p, &s);
    if (!r && json)
        print_json(&s);
    else if (!r)
        print_text(&s);
    sysprops_clear(&s);
    vireo_proxy_unref(p);
    return r;
}

/* setproperty: the writable ISystemProperties, under VBoxManage's names where it has one.
 * Values are checked before anything is sent. */
enum { PROP_STRING, PROP_U32, PROP_U16 };

typedef struct prop_setter {
    const char *name;
    const char *member; /* for the error detail */
    int kind;
    int (*set_string)(vireo_proxy *, const char *, vireo_error **);
    int (*set_u32)(vireo_proxy *, uint32_t, vireo_error **);
    int (*set_u16)(vireo_proxy *, uint16_t, vireo_error **);
} prop_setter;

static const prop_setter setters[] = {
    {"machinefolder", "ISystemProperties.defaultMachineFolder", PROP_STRING,
     vireo_system_properties_set_default_machine_folder, NULL, NULL},
    {"vncportmin", "ISystemProperties.VNCPortMin", PROP_U16, NULL, NULL,
     vireo_system_properties_set_vnc_port_min},
    {"vncportmax", "ISystemProperties.VNCPortMax", PROP_U16, NULL, NULL,
     vireo_system_properties_set_vnc_port_max},
    {"idletimeout", "ISystemProperties.idleTimeout", PROP_U32, NULL,
     vireo_system_properties_set_idle_timeout, NULL},
    {"vmprocesspath", "ISystemProperties.VMProcessPath", PROP_STRING,
     vireo_system_properties_set_vm_process_path, NULL, NULL},
    {"biospath", "ISystemProperties.defaultBIOSPath", PROP_STRING,
     vireo_system_properties_set_default_bios_path, NULL, NULL},
    {"vgabiospath", "ISystemProperties.defaultVGABIOSPath", PROP_STRING,
     vireo_system_properties_set_default_vgabios_path, NULL, NULL},
    {NULL},
};

static int apply(cli_ctx *ctx, const prop_setter *s, const char *value, uint32_t num)
{
    int r;
    vireo_proxy *p = sysprops_proxy(ctx, &r);
    if (!p)
        return r;
    vireo_error *err = NULL;
    if (s->kind == PROP_STRING)
        r = s->set_string(p, value, &err);
    else if (s->kind == PROP_U32)
        r = s->set_u32(p, num, &err);
    else
        r = s->set_u16(p, (uint16_t)num, &err);
    vireo_proxy_unref(p);
    if (r < 0) {
        char call[96];
        snprintf(call, sizeof(call), "%s (set)", s->member);
        return cli_api_error(err, call, NULL);
    }
    return 0;
}

static int run_setproperty(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    cli_args a;
    int r = cli_command_parse(cmd, argc, argv, 2, 2, &a);
    if (r >= 0)
        return r;
    const char *name = a.positional[0], *value = a.positional[1];
    const prop_setter *s = setters;
    while (s->name && strcmp(s->name, name) != 0)
        s++;
    char uerr[256];
    uint32_t num = 0;
    if (!s->name)
        r = cli_usage_error(cmd, "unknown property '%s'", name);
    else if (s->kind != PROP_STRING &&
             cli_value_u32(name, value, 0, s->kind == PROP_U16 ? 65535 : UINT32_MAX, &num, uerr,
                           sizeof(uerr)) < 0)
        r = cli_usage_error(cmd, "%s", uerr);
    else
        r = cli_connect(ctx);
    if (r == 0)
        r = apply(ctx, s, value, num);
    cli_args_free(&a);
    return r;
}

const cli_command cli_cmd_setproperty = {
    .name = "setproperty",
    .run = run_setproperty,
    .synopsis = "setproperty machinefolder|vncportmin|vncportmax|idletimeout|vmprocesspath|"
                "biospath|vgabiospath VALUE",
    .summary = "Change a system property (see list systemproperties). machinefolder and the\n"
               "paths take absolute paths; \"default\" is not special: give the path.",
    .options = NULL,
};
