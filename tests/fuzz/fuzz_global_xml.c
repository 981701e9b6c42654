/* Fuzz the global settings reader (Vireo.xml): the input is the file. A file that parses
 * must serialise, and what is written must parse back and serialise to the same bytes. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "svc/global.h"
#include "tests/fuzz/fuzz.h"

static void check_roundtrip(const struct svc_global_settings *g)
{
    char *out1 = NULL, *out2 = NULL;
    size_t len1 = 0, len2 = 0;
    svc_error *err = NULL;
    if (svc_global_xml_write(g, &out1, &len1, &err) < 0) {
        svc_error_free(err);
        abort(); /* the reader accepted settings the writer refuses */
    }
    struct svc_global_settings back;
    memset(&back, 0, sizeof(back));
    if (svc_global_xml_parse("roundtrip.xml", out1, len1, &back, &err) < 0)
        abort(); /* what the writer wrote, the reader refuses */
    if (svc_global_xml_write(&back, &out2, &len2, NULL) < 0 || len1 != len2 ||
        memcmp(out1, out2, len1) != 0)
        abort(); /* a setting changed across save and load */
    svc_global_clear(&back);
    free(out1);
    free(out2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct svc_global_settings g;
    svc_error *err = NULL;
    memset(&g, 0, sizeof(g));
    if (svc_global_xml_parse("Vireo.xml", (const char *)data, size, &g, &err) == 0)
        check_roundtrip(&g);
    else if (!err || !err->message)
        abort(); /* a refusal must say why */
    svc_error_free(err);
    svc_global_clear(&g);

    char path[64], *note = NULL;
    int fd = fuzz_memfile(data, size, path, sizeof(path));
    if (fd < 0)
        abort();
    memset(&g, 0, sizeof(g));
    err = NULL;
    (void)svc_global_load(path, &g, &note, &err);
    svc_error_free(err);
    free(note);
    svc_global_clear(&g);
    close(fd);
    return 0;
}
