/* fw_cfg as SeaBIOS reads it: signature, ID, file directory, e820, numeric items. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "devtest.h"
#include "vmm/dev/fw_cfg.h"

typedef struct fixture {
    devtest *t;
    fw_cfg cfg;
} fixture;

static fixture *setup(void)
{
    fixture *f = calloc(1, sizeof(*f));
    f->t = devtest_new();
    ck_assert_int_eq(fw_cfg_init(&f->cfg, &f->t->env), 0);
    return f;
}

static void teardown(fixture *f)
{
    fw_cfg_fini(&f->cfg, &f->t->env);
    devtest_free(f->t);
    free(f);
}

static void cfg_read(fixture *f, uint16_t key, void *buf, size_t len)
{
    iobus_out(f->t->io, 0x510, key, 2);
    for (size_t i = 0; i < len; i++)
        ((uint8_t *)buf)[i] = inb(f->t, 0x511);
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* Walk the directory like SeaBIOS; returns the size of `name` and its key, or -1. */
static int dir_lookup(fixture *f, const char *name, uint16_t *ret_key)
{
    uint8_t count[4], e[64];
    cfg_read(f, FW_CFG_FILE_DIR, count, 4);
    for (uint32_t i = 0; i < be32(count); i++) {
        for (int b = 0; b < 64; b++)
            e[b] = inb(f->t, 0x511);
        if (strncmp((char *)e + 8, name, 56) == 0) {
            *ret_key = (uint16_t)(e[4] << 8 | e[5]);
            return (int)be32(e);
        }
    }
    return -1;
}

START_TEST(test_signature_and_id)
{
    fixture *f = setup();
    char sig[5] = {0};
    cfg_read(f, FW_CFG_SIGNATURE, sig, 4);
    ck_assert_str_eq(sig, "QEMU");
    uint8_t id[4];
    cfg_read(f, FW_CFG_ID, id, 4);
    ck_assert_uint_eq(le(id, 4), 1); /* traditional interface, no DMA */
    /* reading past the end and unknown keys give zeros */
    uint8_t more[4];
    cfg_read(f, FW_CFG_SIGNATURE, sig, 4);
    for (int i = 0; i < 4; i++)
        more[i] = inb(f->t, 0x511);
    ck_assert_uint_eq(le(more, 4), 0);
    cfg_read(f, 0x7FFF, more, 4);
    ck_assert_uint_eq(le(more, 4), 0);
    cfg_read(f, 0xFFFF, more, 4);
    ck_assert_uint_eq(le(more, 4), 0);
    cfg_read(f, 0x4000 | FW_CFG_SIGNATURE, sig, 4); /* write-flagged selector */
    ck_assert_str_eq(sig, "QEMU");
    /* the selector reads back; the guest cannot write items */
    ck_assert_uint_eq(iobus_in(f->t->io, 0x510, 2), 0x4000);
    iobus_out(f->t->io, 0x510, FW_CFG_SIGNATURE, 2);
    outb(f->t, 0x511, 'X');
    cfg_read(f, FW_CFG_SIGNATURE, sig, 4);
    ck_assert_str_eq(sig, "QEMU");
    teardown(f);
}
END_TEST

START_TEST(test_numeric_items)
{
    fixture *f = setup();
    ck_assert_int_eq(fw_cfg_add_i64(&f->cfg, FW_CFG_RAM_SIZE, 128ull << 20), 0);
    ck_assert_int_eq(fw_cfg_add_i16(&f->cfg, FW_CFG_NB_CPUS, 2), 0);
    uint8_t b[8];
    cfg_read(f, FW_CFG_RAM_SIZE, b, 8);
    ck_assert_uint_eq(le(b, 8), 128ull << 20);
    cfg_read(f, FW_CFG_NB_CPUS, b, 2);
    ck_assert_uint_eq(le(b, 2), 2);
    cfg_read(f, FW_CFG_MAX_CPUS, b, 2);
    ck_assert_uint_eq(le(b, 2), 1);
    cfg_read(f, FW_CFG_KERNEL_SIZE, b, 4);
    ck_assert_uint_eq(le(b, 4), 0);
    cfg_read(f, FW_CFG_ACPI_TABLES, b, 2); /* SeaBIOS reads counts of legacy tables */
    ck_assert_uint_eq(le(b, 2), 0);
    cfg_read(f, FW_CFG_E820_TABLE, b, 4);
    ck_assert_uint_eq(le(b, 4), 0);
    cfg_read(f, FW_CFG_NUMA, b, 8);
    ck_assert_uint_eq(le(b, 8), 0);
    /* keys that are not numbered items are refused */
    ck_assert_int_eq(fw_cfg_add_i32(&f->cfg, FW_CFG_FILE_DIR, 0), -EINVAL);
    ck_assert_int_eq(fw_cfg_add_i32(&f->cfg, FW_CFG_FILE_FIRST, 0), -EINVAL);
    ck_assert_int_eq(fw_cfg_add_i32(&f->cfg, 0x8000 + 100, 0), -EINVAL);
    ck_assert_int_eq(fw_cfg_add_i32(&f->cfg, 0x4003, 0), -EINVAL);
    teardown(f);
}
END_TEST

START_TEST(test_file_dir_and_e820)
{
    fixture *f = setup();
    fw_cfg_e820 map[] = {{0, 0x9FC00, 1}, {0x100000, 127u << 20, 1}, {0xFFFC0000, 0x40000, 2}};
    int ekey = fw_cfg_set_e820(&f->cfg, map, 3);
    ck_assert_int_ge(ekey, FW_CFG_FILE_FIRST);
    const char order[] = "/pci@i0cf8/ide@1,1/drive@0/disk@0\n";
    int bkey = fw_cfg_add_file(&f->cfg, "bootorder", order, sizeof(order) - 1);
    uint8_t wait[4] = {0x60, 0xEA, 0, 0}; /* 60000 ms */
    ck_assert_int_ge(fw_cfg_add_file(&f->cfg, "etc/boot-fail-wait", wait, 4), 0);
    uint16_t key;
    ck_assert_int_eq(dir_lookup(f, "etc/e820", &key), 60);
    ck_assert_uint_eq(key, (unsigned)ekey);
    uint8_t e[60];
    cfg_read(f, key, e, 60);
    ck_assert_uint_eq(le(e + 20, 8), 0x100000);
    ck_assert_uint_eq(le(e + 28, 8), 127u << 20);
    ck_assert_uint_eq(le(e + 36, 4), 1);
    ck_assert_uint_eq(le(e + 40, 8), 0xFFFC0000);
    ck_assert_uint_eq(le(e + 56, 4), 2);
    ck_assert_int_eq(dir_lookup(f, "bootorder", &key), (int)sizeof(order) - 1);
    ck_assert_uint_eq(key, (unsigned)bkey);
    char text[64] = {0};
    cfg_read(f, key, text, sizeof(order) - 1);
    ck_assert_str_eq(text, order);
    ck_assert_int_eq(dir_lookup(f, "etc/boot-fail-wait", &key), 4);
    ck_assert_int_eq(dir_lookup(f, "etc/none", &key), -1);
    /* replacing keeps the key and updates the size */
    ck_assert_int_eq(fw_cfg_add_file(&f->cfg, "bootorder", "x", 1), bkey);
    ck_assert_int_eq(dir_lookup(f, "bootorder", &key), 1);
    ck_assert_int_eq(fw_cfg_find_file(&f->cfg, "bootorder"), bkey);
    teardown(f);
}
END_TEST

START_TEST(test_bad_input)
{
    fixture *f = setup();
    char longname[80];
    memset(longname, 'a', sizeof(longname) - 1);
    longname[79] = 0;
    ck_assert_int_eq(fw_cfg_add_file(&f->cfg, longname, "x", 1), -EINVAL);
    ck_assert_int_eq(fw_cfg_add_file(&f->cfg, "", "x", 1), -EINVAL);
    ck_assert_int_eq(fw_cfg_add_file(&f->cfg, "big", "x", FW_CFG_ITEM_MAX + 1), -EINVAL);
    char name[16];
    for (int i = 0; i < FW_CFG_MAX_FILES; i++) {
        snprintf(name, sizeof(name), "f%d", i);
        ck_assert_int_ge(fw_cfg_add_file(&f->cfg, name, &i, sizeof(i)), 0);
    }
    ck_assert_int_eq(fw_cfg_add_file(&f->cfg, "one-more", "x", 1), -ENOSPC);
    /* every selector value is safe to read, a few bytes past each item's end too */
    for (uint32_t k = 0; k <= 0xFFFF; k += 97) {
        iobus_out(f->t->io, 0x510, k, 2);
        for (int i = 0; i < 8; i++)
            inb(f->t, 0x511);
    }
    /* the last file key, then one past */
    uint8_t v[4];
    cfg_read(f, FW_CFG_FILE_FIRST + FW_CFG_MAX_FILES - 1, v, 4);
    ck_assert_uint_eq(le(v, 4), FW_CFG_MAX_FILES - 1);
    cfg_read(f, FW_CFG_FILE_FIRST + FW_CFG_MAX_FILES, v, 4);
    ck_assert_uint_eq(le(v, 4), 0);
    /* a restored offset beyond the item reads zeros */
    dev_blob b;
    dev_blob_init(&b);
    iobus_out(f->t->io, 0x510, FW_CFG_SIGNATURE, 2);
    inb(f->t, 0x511);
    ck_assert_int_eq(devreg_save_all(&f->t->reg, &b), 0);
    devreg_reset_all(&f->t->reg);
    ck_assert_int_eq(devreg_load_all(&f->t->reg, b.data, b.len), 0);
    ck_assert_uint_eq(inb(f->t, 0x511), 'E');
    f->cfg.offset = 0xFFFFFFF0u;
    ck_assert_uint_eq(inb(f->t, 0x511), 0);
    dev_blob_free(&b);
    teardown(f);
}
END_TEST

static Suite *fw_cfg_suite(void)
{
    Suite *s = suite_create("fw_cfg");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_signature_and_id);
    tcase_add_test(tc, test_numeric_items);
    tcase_add_test(tc, test_file_dir_and_e820);
    tcase_add_test(tc, test_bad_input);
    suite_add_tcase(s, tc);
    return s;
}

DEVTEST_MAIN(fw_cfg_suite)
