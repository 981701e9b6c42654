/* Fuzz the machine settings reader (<name>.vireo): the input is a settings file. A file
 * that parses must serialise, and what is written must parse back to equal settings and
 * serialise to the same bytes (nothing read is lost or changed by a save). The loader with
 * recovery reads the same bytes from a file. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "svc/machine_xml.h"
#include "tests/fuzz/fuzz.h"

static void check_roundtrip(const struct svc_machine_settings *s)
{
    char *out1 = NULL, *out2 = NULL;
    size_t len1 = 0, len2 = 0;
    svc_error *err = NULL;
    if (svc_machine_xml_write(s, &out1, &len1, &err) < 0) {
        /* The reader accepted settings the writer refuses: a file that cannot be saved. */
        svc_error_free(err);
        abort();
    }
    struct svc_machine_settings back;
    memset(&back, 0, sizeof(back));
    if (svc_machine_xml_parse("roundtrip.vireo", out1, len1, &back, &err) < 0)
        abort(); /* what the writer wrote, the reader refuses */
    if (!svc_settings_equal(s, &back))
        abort(); /* a setting changed across save and load */
    if (svc_machine_xml_write(&back, &out2, &len2, NULL) < 0 || len1 != len2 ||
        memcmp(out1, out2, len1) != 0)
        abort(); /* saving twice gives different files */
    svc_settings_clear(&back);
    free(out1);
    free(out2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct svc_machine_settings s;
    svc_error *err = NULL;
    memset(&s, 0, sizeof(s));
    if (svc_machine_xml_parse("fuzz.vireo", (const char *)data, size, &s, &err) == 0) {
        check_roundtrip(&s);
    } else if (!err || !err->message) {
        abort(); /* a refusal must say why */
    }
    svc_error_free(err);
    svc_settings_clear(&s);

    char path[64], *note = NULL;
    int fd = fuzz_memfile(data, size, path, sizeof(path));
    if (fd < 0)
        abort();
    memset(&s, 0, sizeof(s));
    err = NULL;
    (void)svc_machine_settings_load(path, &s, &note, &err);
    svc_error_free(err);
    free(note);
    svc_settings_clear(&s);
    close(fd);
    return 0;
}
