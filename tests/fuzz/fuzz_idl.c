/* Fuzz the IDL compiler's front end: the input is an IDL file. It is parsed and checked;
 * one that passes every check is run through every generator (into memory). Problems are
 * diagnostics, never crashes, and a file with no diagnostic must generate. */
#include <stdlib.h>
#include <unistd.h>

#include "idl/idlc/gen.h"
#include "tests/fuzz/fuzz.h"

static void flush_diags(void *file)
{
    idl_diag_flush(file);
}

static void generate(const idl_library *lib)
{
    gen_ctx g = {.lib = lib, .idl_base = "fuzz.xidl", .name = "fuzz"};
    void (*gens[])(const gen_ctx *, buf *) = {gen_header, gen_skeleton, gen_proxy, gen_xml,
                                              gen_markdown};
    g.prefix = name_snake(lib->name);
    g.upper = name_upper(lib->name);
    for (size_t i = 0; i < sizeof(gens) / sizeof(gens[0]); i++) {
        buf b = {0};
        buf_add(&b, "");
        gens[i](&g, &b);
        if (!b.s || b.len == 0)
            abort(); /* a checked library generated nothing */
        buf_free(&b);
    }
    free(g.prefix);
    free(g.upper);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    int fd = fuzz_memfile(data, size, path, sizeof(path));
    if (fd < 0)
        abort();
    idl_library *lib = idl_parse(path);
    if (lib)
        idl_check(lib);
    if (lib && idl_diag_count() == 0)
        generate(lib);
    if (idl_diag_count()) /* as vireo-idlc's main() does */
        fuzz_quiet(flush_diags, path);
    idl_library_free(lib);
    close(fd);
    return 0;
}
