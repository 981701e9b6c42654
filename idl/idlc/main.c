/* vireo-idlc: check an IDL file and generate C, introspection XML and Markdown from it.
 *
 *   vireo-idlc [--check] [--out DIR] [--name NAME] FILE.xidl
 *
 * Writes DIR/NAME.h, NAME-skeleton.c, NAME-proxy.c, NAME.xml and NAME.md (NAME defaults to
 * the file's base name), each only if its content changed. Problems are printed as
 * "FILE:LINE: message"; the exit status is 1 if there were any, 2 on usage or I/O errors. */
#include <errno.h>
#include <libgen.h>
#include <libxml/parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idl/idlc/gen.h"

static int usage(void)
{
    fputs("usage: vireo-idlc [--check] [--out DIR] [--name NAME] FILE.xidl\n", stderr);
    return 2;
}

static int write_out(const char *dir, const char *name, const char *suffix, const buf *b)
{
    char *path = xasprintf("%s/%s%s", dir, name, suffix);
    int r = buf_write_if_changed(b, path);

    if (r < 0)
        fprintf(stderr, "vireo-idlc: cannot write %s: %s\n", path, strerror(-r));
    free(path);
    return r;
}

static int generate(const idl_library *lib, const char *file, const char *dir, const char *name)
{
    char *base_copy = xstrdup(file);
    gen_ctx g = {.lib = lib, .idl_base = basename(base_copy), .name = name};
    void (*gens[])(const gen_ctx *, buf *) = {gen_header, gen_skeleton, gen_proxy, gen_xml,
                                              gen_markdown};
    const char *suffixes[] = {".h", "-skeleton.c", "-proxy.c", ".xml", ".md"};
    int r = 0;

    g.prefix = name_snake(lib->name);
    g.upper = name_upper(lib->name);
    for (size_t i = 0; i < 5 && r == 0; i++) {
        buf b = {0};
        buf_add(&b, "");
        gens[i](&g, &b);
        r = write_out(dir, name, suffixes[i], &b);
        buf_free(&b);
    }
    free(g.prefix);
    free(g.upper);
    free(base_copy);
    return r;
}

static char *default_name(const char *file)
{
    char *copy = xstrdup(file), *base = xstrdup(basename(copy)), *dot = strrchr(base, '.');

    if (dot && dot != base)
        *dot = '\0';
    free(copy);
    return base;
}

int main(int argc, char **argv)
{
    const char *out = ".", *name = NULL, *file = NULL;
    bool check_only = false;
    idl_library *lib;
    char *dflt = NULL;
    int status = 0;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--check") == 0)
            check_only = true;
        else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
            out = argv[++i];
        else if (strcmp(argv[i], "--name") == 0 && i + 1 < argc)
            name = argv[++i];
        else if (argv[i][0] == '-' || file)
            return usage();
        else
            file = argv[i];
    }
    if (!file)
        return usage();
    lib = idl_parse(file);
    if (lib)
        idl_check(lib);
    if (idl_diag_count() || !lib) {
        if (!idl_diag_count())
            fprintf(stderr, "%s:1: cannot read the file\n", file);
        idl_diag_flush(file);
        idl_library_free(lib);
        xmlCleanupParser();
        return 1;
    }
    if (!check_only) {
        if (!name)
            name = dflt = default_name(file);
        status = generate(lib, file, out, name) < 0 ? 2 : 0;
    }
    free(dflt);
    idl_library_free(lib);
    xmlCleanupParser();
    return status;
}
