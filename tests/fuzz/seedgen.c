/* Writes the seed corpora under tests/fuzz/corpus/ from the libraries' own output: settings
 * files the writers produce, images img_create makes, device states the devices save, and
 * hand-assembled CPU programs, D-Bus bodies, Multiboot images and port sequences.
 *
 *   fuzz_seedgen CORPUS_DIR
 *
 * The IDL seeds are copies of tests/data/idl/ (see docs/fuzzing.md). Run by hand when a
 * format changes; the output is small and committed as test data. */
#include <dbus/dbus.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "component/marshal.h"
#include "svc/global.h"
#include "svc/machine_xml.h"
#include "tests/fuzz/fuzz_pc.h"
#include "vmm/storage/image.h"

static const char *root;

static void die(const char *what)
{
    fprintf(stderr, "fuzz_seedgen: %s\n", what);
    exit(1);
}

static void seed(const char *dir, const char *name, const void *data, size_t len)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", root, dir);
    mkdir(path, 0755);
    snprintf(path, sizeof(path), "%s/%s/%s", root, dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0)
        die(path);
}

/* ---- settings ---- */

static void machine_seed(const char *name, struct svc_machine_settings *s)
{
    char *out;
    size_t len;
    svc_error *err = NULL;
    if (svc_machine_xml_write(s, &out, &len, &err) < 0)
        die(err ? err->message : "machine write");
    seed("machine_xml", name, out, len);
    free(out);
    svc_settings_clear(s);
}

static void machine_seeds(void)
{
    struct svc_machine_settings s;
    if (svc_settings_init(&s, "minimal", "Linux", NULL) < 0)
        die("settings init");
    svc_uuid_parse("11111111-2222-4333-8444-555555555555", &s.uuid, "uuid", NULL);
    machine_seed("minimal.vireo", &s);

    if (svc_settings_init(&s, "full", "Linux", NULL) < 0)
        die("settings init");
    svc_uuid_parse("aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee", &s.uuid, "uuid", NULL);
    svc_str_replace(&s.description, "A machine with every element: <&> \"quoted\"");
    s.firmware = SVC_FIRMWARE_LINUX_KERNEL;
    svc_str_replace(&s.kernel_path, "/boot/vmlinuz");
    svc_str_replace(&s.initrd_path, "/boot/initrd.img");
    svc_str_replace(&s.kernel_cmdline, "console=ttyS0 quiet");
    s.vnc_enabled = true;
    s.vnc_port = 5901;
    svc_str_replace(&s.vnc_password, "secret");
    s.serial[0].enabled = true;
    s.serial[0].mode = SVC_PORT_FILE;
    svc_str_replace(&s.serial[0].path, "/tmp/com1.log");
    s.serial[1].enabled = true;
    s.serial[1].mode = SVC_PORT_TCP_SERVER;
    s.serial[1].port = 4555;
    s.serial[2].enabled = true;
    s.serial[2].mode = SVC_PORT_UNIX_SOCKET;
    s.serial[2].server = true;
    svc_str_replace(&s.serial[2].path, "/tmp/com3.sock");
    s.controllers = calloc(1, sizeof(*s.controllers));
    s.n_controllers = 1;
    s.controllers[0].name = strdup("IDE");
    s.controllers[0].bus = SVC_BUS_IDE;
    s.controllers[0].type = SVC_CONTROLLER_PIIX3;
    s.controllers[0].bootable = true;
    s.controllers[0].attachments = calloc(2, sizeof(struct svc_attachment));
    s.controllers[0].n_attachments = 2;
    s.controllers[0].attachments[0] = (struct svc_attachment){0, 0, SVC_DEVICE_HARD_DISK};
    svc_uuid_parse("12345678-1234-4234-8234-123456789abc", &s.controllers[0].attachments[0].medium,
                   "m", NULL);
    s.controllers[0].attachments[1] = (struct svc_attachment){1, 0, SVC_DEVICE_DVD};
    machine_seed("full.vireo", &s);
}

static void global_seeds(void)
{
    struct svc_global_settings g;
    char *out;
    size_t len;
    svc_error *err = NULL;
    if (svc_global_init(&g, "/home/user/Vireo VMs") < 0)
        die("global init");
    if (svc_global_xml_write(&g, &out, &len, &err) < 0)
        die(err ? err->message : "global write");
    seed("global_xml", "empty.xml", out, len);
    free(out);
    svc_uuid m1, m2;
    svc_uuid_parse("aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee", &m1, "m", NULL);
    svc_uuid_parse("12345678-1234-4234-8234-123456789abc", &m2, "m", NULL);
    svc_global_add_machine(&g, &m1, "/home/user/Vireo VMs/full/full.vireo");
    struct svc_medium_entry me = {m2, "/home/user/disk.vdi", SVC_DEVICE_HARD_DISK, SVC_FORMAT_VDI};
    svc_global_add_medium(&g, &me);
    me.location = "/home/user/debian.iso";
    me.type = SVC_DEVICE_DVD;
    me.format = SVC_FORMAT_ISO;
    svc_uuid_parse("12345678-1234-4234-8234-123456789abd", &me.uuid, "m", NULL);
    svc_global_add_medium(&g, &me);
    g.props.idle_timeout_s = 60;
    if (svc_global_xml_write(&g, &out, &len, &err) < 0)
        die(err ? err->message : "global write");
    seed("global_xml", "registry.xml", out, len);
    free(out);
    svc_global_clear(&g);
}

/* ---- images ---- */

static void copy_file(const char *from, const char *dir, const char *name)
{
    FILE *f = fopen(from, "rb");
    if (!f)
        die(from);
    static uint8_t buf[1 << 20];
    size_t n = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    seed(dir, name, buf, n);
}

static void image_seeds(void)
{
    char tmp[] = "/tmp/vireo-seedgen-XXXXXX", path[128];
    if (!mkdtemp(tmp))
        die("mkdtemp");
    img *im;
    img_err err;
    /* A dynamic VDI with no block allocated: header and block map only. */
    snprintf(path, sizeof(path), "%s/dyn.vdi", tmp);
    if (img_create(path, IMG_FORMAT_VDI, 8u << 20, IMG_VARIANT_DYNAMIC, NULL, &im, &err) < 0)
        die(err.msg);
    img_close(im);
    copy_file(path, "image", "dynamic-8m.vdi");
    unlink(path);
    /* An ISO 9660 volume descriptor at sector 16 and nothing else. */
    static uint8_t iso[18 * 2048];
    memset(iso, 0, sizeof(iso));
    memcpy(iso + 16 * 2048, "\001CD001\001", 7);
    memcpy(iso + 17 * 2048, "\377CD001\001", 7);
    seed("image", "tiny.iso", iso, sizeof(iso));
    /* A raw disk: an MBR boot sector. */
    static uint8_t raw[1024];
    memset(raw, 0, sizeof(raw));
    raw[510] = 0x55;
    raw[511] = 0xAA;
    seed("image", "mbr.raw", raw, sizeof(raw));
    rmdir(tmp);
}

/* ---- Multiboot ---- */

static void wr32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

static void wr16(uint8_t *p, uint16_t v)
{
    memcpy(p, &v, 2);
}

static void multiboot_seeds(void)
{
    static uint8_t img[4096];
    /* a.out kludge: header at 0, loaded at 1 MiB, bss up to 1 MiB + 64 KiB. */
    memset(img, 0x90, sizeof(img));
    uint32_t flags = 0x00010003;
    wr32(img + 0, 0x1BADB002);
    wr32(img + 4, flags);
    wr32(img + 8, -(0x1BADB002 + flags));
    wr32(img + 12, 0x100000);
    wr32(img + 16, 0x100000);
    wr32(img + 20, 0x100000 + sizeof(img));
    wr32(img + 24, 0x110000);
    wr32(img + 28, 0x100020);
    img[32] = 0xF4;
    seed("multiboot", "aout.bin", img, sizeof(img));

    /* ELF32: one PT_LOAD segment with the header inside it, loaded at 1 MiB. */
    memset(img, 0, sizeof(img));
    memcpy(img, "\177ELF\001\001\001", 7);
    wr16(img + 16, 2);        /* ET_EXEC */
    wr16(img + 18, 3);        /* EM_386 */
    wr32(img + 20, 1);        /* version */
    wr32(img + 24, 0x100100); /* entry */
    wr32(img + 28, 52);       /* phoff */
    wr16(img + 40, 52);       /* ehsize */
    wr16(img + 42, 32);       /* phentsize */
    wr16(img + 44, 1);        /* phnum */
    uint8_t *ph = img + 52;
    wr32(ph + 0, 1);         /* PT_LOAD */
    wr32(ph + 4, 0);         /* offset */
    wr32(ph + 8, 0x100000);  /* vaddr */
    wr32(ph + 12, 0x100000); /* paddr */
    wr32(ph + 16, 1024);     /* filesz */
    wr32(ph + 20, 8192);     /* memsz */
    wr32(ph + 24, 5);
    wr32(ph + 28, 4096);
    flags = 0x00000003;
    wr32(img + 128, 0x1BADB002);
    wr32(img + 132, flags);
    wr32(img + 136, -(0x1BADB002 + flags));
    img[0x100] = 0xF4;
    seed("multiboot", "elf.bin", img, 1024);
}

/* ---- D-Bus bodies ---- */

static const char sig_alphabet[] = "ybnqiuxtdsogav(){}";

/* Input for fuzz_marshal: signature (in the harness's alphabet), read ops, body. */
static void marshal_seed(const char *name, const char *sig, const uint8_t *ops, size_t nops,
                         DBusMessage *m)
{
    uint8_t buf[4096];
    size_t n = 0;
    buf[n++] = (uint8_t)strlen(sig);
    for (const char *c = sig; *c; c++)
        buf[n++] = (uint8_t)(strchr(sig_alphabet, *c) - sig_alphabet);
    buf[n++] = (uint8_t)nops;
    memcpy(buf + n, ops, nops);
    n += nops;
    char *wire;
    int wlen;
    if (!dbus_message_marshal(m, &wire, &wlen))
        die("marshal");
    /* the body is the tail of the serialized message */
    const char *s = dbus_message_get_signature(m);
    (void)s;
    uint32_t body_len;
    memcpy(&body_len, wire + 4, 4);
    memcpy(buf + n, wire + wlen - body_len, body_len);
    n += body_len;
    dbus_free(wire);
    seed("marshal", name, buf, n);
    dbus_message_unref(m);
}

static uint8_t op(int how, vireo_type t)
{
    static const vireo_type types[] = {'b', 'y', 'n', 'q', 'i', 'u', 'x',
                                       't', 'd', 's', 'U', 'o', 'h'};
    for (int i = 0; i < 13; i++)
        if (types[i] == t)
            return (uint8_t)(how | i << 2);
    die("type");
    return 0;
}

static void marshal_seeds(void)
{
    DBusMessage *m = dbus_message_new_method_call(NULL, "/a", NULL, "b");
    DBusMessageIter it;
    dbus_message_iter_init_append(m, &it);
    const char *str = "hello", *uuid = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee", *obj = "/org/x";
    uint32_t u = 7;
    int64_t x = -5;
    double d = 2.5;
    bool b = true;
    vireo_marshal_append(&it, 's', &str);
    vireo_marshal_append(&it, 'U', &uuid);
    vireo_marshal_append(&it, 'o', &obj);
    vireo_marshal_append(&it, 'u', &u);
    vireo_marshal_append(&it, 'x', &x);
    vireo_marshal_append(&it, 'd', &d);
    vireo_marshal_append(&it, 'b', &b);
    uint8_t ops1[] = {op(0, 's'), op(0, 'U'), op(0, 'o'), op(0, 'u'),
                      op(0, 'x'), op(0, 'd'), op(0, 'b')};
    marshal_seed("scalars", "ssouxdb", ops1, sizeof(ops1), m);

    m = dbus_message_new_method_call(NULL, "/a", NULL, "b");
    dbus_message_iter_init_append(m, &it);
    const char *strs[] = {"a", "bc", ""};
    uint32_t us[] = {1, 2, 3};
    uint8_t bytes[] = {0, 1, 2, 3, 255};
    vireo_marshal_append_array(&it, 's', strs, 3);
    vireo_marshal_append_array(&it, 'u', us, 3);
    vireo_marshal_append_array(&it, 'y', bytes, 5);
    uint8_t ops2[] = {op(1, 's'), op(1, 'u'), op(1, 'y')};
    marshal_seed("arrays", "asauay", ops2, sizeof(ops2), m);

    m = dbus_message_new_method_call(NULL, "/a", NULL, "b");
    dbus_message_iter_init_append(m, &it);
    uint16_t q = 65535;
    vireo_marshal_append_variant(&it, 'q', &q);
    vireo_marshal_append_variant(&it, 's', &str);
    vireo_marshal_append_variant_array(&it, 'o', (const char *[]){"/", "/a/b"}, 2);
    uint8_t ops3[] = {op(2, 'q'), op(2, 's'), op(3, 'o')};
    marshal_seed("variants", "vvv", ops3, sizeof(ops3), m);
}

/* ---- devices ---- */

static void put_op(uint8_t *buf, size_t *n, uint8_t kind, uint8_t sel, uint16_t raw, uint32_t v)
{
    buf[(*n)++] = kind;
    buf[(*n)++] = sel;
    wr16(buf + *n, raw);
    *n += 2;
    wr32(buf + *n, v);
    *n += 4;
}

/* Index of port in fuzz_ports.c's table (sel < 200 picks ports[raw % NPORTS]). */
static uint16_t port_ix(uint16_t port)
{
    static const uint16_t ports[] = {
        0x20,  0x21,  0xA0,  0xA1,  0x4D0, 0x4D1, 0x40,  0x41,  0x42,  0x43,  0x61,  0x70,  0x71,
        0x3F8, 0x3F9, 0x3FA, 0x3FB, 0x3FC, 0x3FD, 0x3FE, 0x3FF, 0x2F8, 0x2FD, 0x3E8, 0x2E8, 0x60,
        0x64,  0x92,  0xCF8, 0xCF9, 0xCFA, 0xCFB, 0xCFC, 0xCFD, 0xCFE, 0xCFF, 0x510, 0x511, 0x402,
        0xE9,  0x1CE, 0x1CF, 0x3C0, 0x3C1, 0x3C2, 0x3C4, 0x3C5, 0x3C6, 0x3C7, 0x3C8, 0x3C9, 0x3CA,
        0x3CC, 0x3CE, 0x3CF, 0x3D4, 0x3D5, 0x3DA, 0x3B4, 0x3B5, 0x3BA,
    };
    for (uint16_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++)
        if (ports[i] == port)
            return i;
    die("port");
    return 0;
}

#define OUT8(p, v)  put_op(buf, &n, 0x00, 0, port_ix(p), v)
#define OUT16(p, v) put_op(buf, &n, 0x10, 0, port_ix(p), v)
#define OUT32(p, v) put_op(buf, &n, 0x20, 0, port_ix(p), v)
#define IN8(p)      put_op(buf, &n, 0x03, 0, port_ix(p), 0)
#define IN16(p)     put_op(buf, &n, 0x13, 0, port_ix(p), 0)
#define IN32(p)     put_op(buf, &n, 0x23, 0, port_ix(p), 0)
#define WAIT(ns)    put_op(buf, &n, 0x05, 0, 0, ns)
#define MISC(w, v)  put_op(buf, &n, 0x07, w, 0, v)

static void port_seeds(void)
{
    uint8_t buf[2048];
    size_t n = 0;
    /* PIC init, PIT channel 0 rate generator, a tick, EOI. */
    OUT8(0x20, 0x11), OUT8(0x21, 0x08), OUT8(0x21, 0x04), OUT8(0x21, 0x01), OUT8(0x21, 0x00);
    OUT8(0x43, 0x34), OUT8(0x40, 0x9C), OUT8(0x40, 0x2E), WAIT(1000000), MISC(6, 0);
    OUT8(0x20, 0x20), OUT8(0x43, 0xB6), OUT8(0x42, 0x10), OUT8(0x42, 0x00), OUT8(0x61, 0x03);
    IN8(0x61), WAIT(500000), IN8(0x42);
    seed("ports", "pic-pit", buf, n);

    n = 0; /* RTC registers, periodic interrupt, update cycle. */
    OUT8(0x70, 0x0A), IN8(0x71), OUT8(0x70, 0x0B), OUT8(0x71, 0x42), OUT8(0x70, 0x0A);
    OUT8(0x71, 0x26), WAIT(1500000), OUT8(0x70, 0x0C), IN8(0x71), OUT8(0x70, 0x00), IN8(0x71);
    OUT8(0x70, 0x8F), IN8(0x71);
    seed("ports", "rtc", buf, n);

    n = 0; /* UART programmed and written, loopback, FIFO. */
    OUT8(0x3FB, 0x80), OUT8(0x3F8, 0x01), OUT8(0x3F9, 0x00), OUT8(0x3FB, 0x03);
    OUT8(0x3FA, 0xC7), OUT8(0x3FC, 0x1B), OUT8(0x3F9, 0x0F), OUT8(0x3F8, 'A'), WAIT(100000);
    IN8(0x3FD), IN8(0x3F8), IN8(0x3FA), IN8(0x3FE);
    seed("ports", "uart", buf, n);

    n = 0; /* i8042 self test, keyboard reset and echo, mouse enable, A20. */
    OUT8(0x64, 0xAA), IN8(0x60), OUT8(0x60, 0xFF), WAIT(100000), IN8(0x60), IN8(0x60);
    OUT8(0x64, 0xA8), OUT8(0x64, 0xD4), OUT8(0x60, 0xF4), IN8(0x60), MISC(1, 0x12345);
    IN8(0x64), IN8(0x60), OUT8(0x64, 0xD1), OUT8(0x60, 0xDF), OUT8(0x92, 0x02), MISC(0, 0x1C);
    IN8(0x60);
    seed("ports", "i8042", buf, n);

    n = 0; /* PCI: host bridge ID, PAM, PIIX3 PIRQ routing, VGA BAR. */
    OUT32(0xCF8, 0x80000000), IN32(0xCFC), OUT32(0xCF8, 0x80000058), OUT32(0xCFC, 0x33333330);
    OUT32(0xCF8, 0x80000860), OUT32(0xCFC, 0x0B0A0B0A), OUT32(0xCF8, 0x80001010);
    OUT32(0xCFC, 0xFFFFFFFF), IN32(0xCFC), OUT32(0xCFC, 0xE0000000), OUT32(0xCF8, 0x80001004);
    OUT16(0xCFC, 0x0003), OUT8(0xCF9, 0x06);
    seed("ports", "pci", buf, n);

    n = 0; /* fw_cfg: signature, file directory. */
    OUT16(0x510, 0x0000), IN8(0x511), IN8(0x511), IN8(0x511), IN8(0x511);
    OUT16(0x510, 0x0019), IN8(0x511), IN8(0x511), IN8(0x511), IN8(0x511), IN8(0x511);
    OUT8(0x402, 'x'), OUT8(0xE9, 'y');
    seed("ports", "fw_cfg", buf, n);

    n = 0; /* VGA: mode 13h-like registers, palette, text writes, a VBE mode. */
    OUT8(0x3C2, 0x63), OUT16(0x3C4, 0x0E04), OUT16(0x3CE, 0x4005), OUT16(0x3CE, 0x0506);
    OUT16(0x3D4, 0x0011), IN8(0x3DA), OUT8(0x3C0, 0x10), OUT8(0x3C0, 0x41), OUT8(0x3C8, 0x01);
    OUT8(0x3C9, 0x3F), OUT8(0x3C9, 0x00), OUT8(0x3C9, 0x00), MISC(2, 0);
    put_op(buf, &n, 0x1E, 0x07, 0x0741, 0x18000);
    OUT16(0x1CE, 1), OUT16(0x1CF, 640), OUT16(0x1CE, 2), OUT16(0x1CF, 480), OUT16(0x1CE, 3);
    OUT16(0x1CF, 32), OUT16(0x1CE, 4), OUT16(0x1CF, 0x41), put_op(buf, &n, 0x2E, 0, 0, 0x100);
    MISC(2, 0), OUT16(0x1CE, 4), OUT16(0x1CF, 0), MISC(3, 0), MISC(4, 0);
    seed("ports", "vga", buf, n);
}

static void devstate_seeds(void)
{
    fuzz_pc *m = fuzz_pc_new();
    /* Some state worth having: PIC initialised, PIT running, UART set up, RTC interrupting. */
    iobus_out(m->io, 0x20, 0x11, 1);
    iobus_out(m->io, 0x21, 0x08, 1);
    iobus_out(m->io, 0x21, 0x04, 1);
    iobus_out(m->io, 0x21, 0x01, 1);
    iobus_out(m->io, 0x43, 0x34, 1);
    iobus_out(m->io, 0x40, 0x00, 1);
    iobus_out(m->io, 0x40, 0x10, 1);
    iobus_out(m->io, 0x3FB, 0x03, 1);
    iobus_out(m->io, 0x70, 0x0B, 1);
    iobus_out(m->io, 0x71, 0x42, 1);
    i8042_put_scancode(&m->kbc, 0x1C);
    fuzz_pc_advance(m, 2000000);
    dev_blob b;
    dev_blob_init(&b);
    if (devreg_save_all(&m->reg, &b) < 0)
        die("save");
    /* Whole machine minus the VGA entry (1 MiB of VRAM): form byte 0. */
    uint8_t *out = malloc(b.len + 1);
    size_t n = 1, pos = 4;
    uint32_t count, kept = 0;
    out[0] = 0;
    memcpy(&count, b.data, 4);
    n += 4;
    for (uint32_t i = 0; i < count; i++) {
        uint16_t nlen;
        uint32_t blen;
        memcpy(&nlen, b.data + pos, 2);
        memcpy(&blen, b.data + pos + 2 + nlen, 4);
        size_t entry = 2 + nlen + 4 + blen;
        bool vga = nlen == 3 && memcmp(b.data + pos + 2, "vga", 3) == 0;
        if (!vga) {
            memcpy(out + n, b.data + pos, entry);
            n += entry;
            kept++;
        } else {
            /* The VGA's registers, cut before its VRAM: form byte 1. */
            uint8_t *v = malloc(blen + 1);
            v[0] = 1;
            memcpy(v + 1, b.data + pos + 2 + nlen + 4, blen);
            seed("devstate", "vga", v, 1 + blen - m->vga.vram_size);
            free(v);
        }
        pos += entry;
    }
    memcpy(out + 1, &kept, 4);
    if (kept == count)
        die("no vga entry in the saved state");
    seed("devstate", "machine", out, n);
    free(out);
    dev_blob_free(&b);
    fuzz_pc_free(m);
}

/* ---- CPU ---- */

static void cpu_seed(const char *name, uint8_t flags, uint32_t eip, uint16_t cs, uint32_t cr3,
                     const uint8_t *code, size_t len)
{
    uint8_t buf[512];
    size_t n = 0;
    buf[n++] = flags;
    static const uint32_t gpr[8] = {0x11, 0x22, 0x33, 0x44, 0x7000, 0x55, 0x100, 0x200};
    for (int i = 0; i < 8; i++, n += 4)
        wr32(buf + n, gpr[i]);
    wr32(buf + n, 0x202), n += 4; /* eflags */
    wr32(buf + n, eip), n += 4;
    wr32(buf + n, cr3), n += 4;
    uint16_t seg[6] = {0, cs, 0, 0, 0, 0};
    if (flags & 1) /* protected: flat selectors (used with F_SEGS) */
        for (int i = 0; i < 6; i++)
            seg[i] = i == 1 ? 0x10 : 0x18;
    for (int i = 0; i < 6; i++, n += 2)
        wr16(buf + n, seg[i]);
    buf[n++] = 0x20; /* interrupt vector */
    memcpy(buf + n, code, len);
    seed("cpu", name, buf, n + len);
}

static void cpu_seeds(void)
{
    /* real mode: arithmetic, string ops, stack, a software interrupt, port I/O, hlt */
    static const uint8_t real[] = {0xB8, 0x34, 0x12, 0x05, 0x01, 0x00, 0x89, 0xC3, 0x31, 0xC9, 0xB1,
                                   0x10, 0xBE, 0x00, 0x10, 0xBF, 0x00, 0x20, 0xF3, 0xA4, 0x50, 0x5A,
                                   0xCD, 0x10, 0xE4, 0x61, 0xE6, 0x80, 0x0F, 0xA2, 0xD1, 0xE0, 0xF7,
                                   0xE3, 0xF7, 0xF1, 0xFA, 0xFB, 0xF4, 0xEB, 0xFE};
    cpu_seed("real", 0x10, 0x7C00, 0, 0, real, sizeof(real));
    /* real mode: enter protected mode through a GDT the code builds */
    static const uint8_t pe[] = {0x0F, 0x01, 0x16, 0x00, 0x06, 0x0F, 0x20, 0xC0, 0x0C, 0x01,
                                 0x0F, 0x22, 0xC0, 0xEA, 0x00, 0x7E, 0x10, 0x00, 0xF4};
    cpu_seed("real-to-pm", 0x00, 0x7C00, 0, 0, pe, sizeof(pe));
    /* protected flat: memory ops, call/ret, rep stos, div, int3, iret paths */
    static const uint8_t pm[] = {0xB8, 0x78, 0x56, 0x34, 0x12, 0xA3, 0x00, 0x30, 0x00, 0x00,
                                 0x8B, 0x1D, 0x00, 0x30, 0x00, 0x00, 0xE8, 0x00, 0x00, 0x00,
                                 0x00, 0x5E, 0xB9, 0x40, 0x00, 0x00, 0x00, 0xBF, 0x00, 0x40,
                                 0x00, 0x00, 0xF3, 0xAB, 0x31, 0xD2, 0xF7, 0xF3, 0x0F, 0xAF,
                                 0xC3, 0x0F, 0xBC, 0xC8, 0xCC, 0xF4};
    cpu_seed("pm", 0x11, 0x1000, 0, 0, pm, sizeof(pm));
    /* protected with paging: mov cr3, invlpg, a write through the mapping */
    static const uint8_t pg[] = {0x0F, 0x20, 0xD8, 0x0F, 0x22, 0xD8, 0x0F, 0x01, 0x3D,
                                 0x00, 0x50, 0x00, 0x00, 0xC7, 0x05, 0x00, 0x50, 0x00,
                                 0x00, 0x01, 0x00, 0x00, 0x00, 0x0F, 0x20, 0xE0, 0xF4};
    cpu_seed("paging", 0x17, 0x2000, 0, 0x10000, pg, sizeof(pg));
    /* x87 and SSE-free FPU ops */
    static const uint8_t fpu[] = {0xDB, 0xE3, 0xD9, 0xE8, 0xD9, 0xEB, 0xDE, 0xC1, 0xD9, 0xFA,
                                  0xDD, 0x1D, 0x00, 0x30, 0x00, 0x00, 0xDF, 0xE0, 0xF4};
    cpu_seed("x87", 0x01, 0x1000, 0, 0, fpu, sizeof(fpu));
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fputs("usage: fuzz_seedgen CORPUS_DIR\n", stderr);
        return 2;
    }
    root = argv[1];
    mkdir(root, 0755);
    machine_seeds();
    global_seeds();
    image_seeds();
    multiboot_seeds();
    marshal_seeds();
    port_seeds();
    devstate_seeds();
    cpu_seeds();
    return 0;
}
