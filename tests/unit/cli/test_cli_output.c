/* JSON and machine-readable output: exact text, escaping, nesting. */
#include "frontends/cli/output.h"
#include "tests/unit/cli/test_cli.h"

#include <stdlib.h>

typedef struct buf {
    char *data;
    size_t size;
    FILE *f;
} buf;

static void buf_open(buf *b)
{
    b->f = open_memstream(&b->data, &b->size);
    ck_assert_ptr_nonnull(b->f);
}

static const char *buf_text(buf *b)
{
    fflush(b->f);
    return b->data;
}

static void buf_close(buf *b)
{
    fclose(b->f);
    free(b->data);
}

START_TEST(json_nested_document)
{
    buf b;
    buf_open(&b);
    cli_json w;
    cli_json_init(&w, b.f);
    cli_json_begin_object(&w);
    cli_json_kv_string(&w, "name", "demo");
    cli_json_kv_uint(&w, "memory", 128);
    cli_json_kv_int(&w, "delta", -5);
    cli_json_kv_bool(&w, "vnc", false);
    cli_json_kv_string(&w, "snap", NULL);
    cli_json_key(&w, "boot");
    cli_json_begin_array(&w);
    cli_json_string(&w, "dvd");
    cli_json_string(&w, "disk");
    cli_json_end_array(&w);
    cli_json_key(&w, "empty");
    cli_json_begin_array(&w);
    cli_json_end_array(&w);
    cli_json_end_object(&w);
    cli_json_finish(&w);
    ck_assert_str_eq(buf_text(&b), "{\n"
                                   "  \"name\": \"demo\",\n"
                                   "  \"memory\": 128,\n"
                                   "  \"delta\": -5,\n"
                                   "  \"vnc\": false,\n"
                                   "  \"snap\": null,\n"
                                   "  \"boot\": [\n"
                                   "    \"dvd\",\n"
                                   "    \"disk\"\n"
                                   "  ],\n"
                                   "  \"empty\": []\n"
                                   "}\n");
    buf_close(&b);
}
END_TEST

START_TEST(json_escapes_what_must_be_escaped)
{
    buf b;
    buf_open(&b);
    cli_json_write_escaped(b.f, "a\"b\\c\nd\te\x01 \xc3\xa9");
    ck_assert_str_eq(buf_text(&b), "\"a\\\"b\\\\c\\nd\\te\\u0001 \xc3\xa9\"");
    buf_close(&b);
}
END_TEST

START_TEST(json_array_of_objects)
{
    buf b;
    buf_open(&b);
    cli_json w;
    cli_json_init(&w, b.f);
    cli_json_begin_array(&w);
    for (int i = 0; i < 2; i++) {
        cli_json_begin_object(&w);
        cli_json_kv_uint(&w, "i", (uint64_t)i);
        cli_json_end_object(&w);
    }
    cli_json_end_array(&w);
    cli_json_finish(&w);
    ck_assert_str_eq(buf_text(&b), "[\n  {\n    \"i\": 0\n  },\n  {\n    \"i\": 1\n  }\n]\n");
    buf_close(&b);
}
END_TEST

START_TEST(machine_readable_lines)
{
    buf b;
    buf_open(&b);
    cli_mr_string(b.f, "name", "my \"vm\"\\1\nx");
    cli_mr_uint(b.f, "memory", 256);
    cli_mr_int(b.f, "delta", -3);
    cli_mr_bool(b.f, "vnc", true);
    cli_mr_string(b.f, "IDE-0-0", "/d.vdi");
    cli_mr_string(b.f, "empty", NULL);
    ck_assert_str_eq(buf_text(&b), "name=\"my \\\"vm\\\"\\\\1\\nx\"\n"
                                   "memory=256\n"
                                   "delta=-3\n"
                                   "vnc=\"on\"\n"
                                   "\"IDE-0-0\"=\"/d.vdi\"\n"
                                   "empty=\"\"\n");
    buf_close(&b);
}
END_TEST

TCase *test_cli_output_case(void)
{
    TCase *tc = tcase_create("output");
    tcase_add_test(tc, json_nested_document);
    tcase_add_test(tc, json_escapes_what_must_be_escaped);
    tcase_add_test(tc, json_array_of_objects);
    tcase_add_test(tc, machine_readable_lines);
    return tc;
}
