/* The Markdown API reference: the library, its results, enums and interfaces with every
 * member, its D-Bus form and its documentation. */
#include <stdlib.h>
#include <string.h>

#include "idl/idlc/gen.h"

static char *type_text(const idl_type *t)
{
    return t->array ? xasprintf("%s[]", t->name) : xstrdup(t->name);
}

/* Markdown renderers make heading anchors lower case. Returns a static buffer. */
static const char *anchor(const char *name)
{
    static char a[128];
    size_t i = 0;

    for (; name[i] && i + 1 < sizeof(a); i++)
        a[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
    a[i] = '\0';
    return a;
}

/* Table cells cannot hold '|'. */
static char *cell(const char *s)
{
    buf b = {0};

    buf_add(&b, "");
    for (; s && *s; s++)
        buf_add(&b, *s == '|' ? "\\|" : (char[]){*s, 0});
    return b.s;
}

static void params_table(buf *b, const idl_param *p, size_t n, bool method)
{
    if (!n)
        return;
    buf_add(b, method ? "\n| param | dir | type | D-Bus | description |\n|---|---|---|---|---|\n"
                      : "\n| param | type | D-Bus | description |\n|---|---|---|---|\n");
    for (size_t i = 0; i < n; i++) {
        char *t = type_text(&p[i].type), *sig = gen_signature(&p[i].type), *d = cell(p[i].desc);
        const char *dir = p[i].dir == IDL_DIR_IN    ? "in"
                          : p[i].dir == IDL_DIR_OUT ? "out"
                                                    : "return";
        if (method)
            buf_printf(b, "| `%s` | %s | `%s` | `%s` | %s |\n", p[i].name, dir, t, sig, d);
        else
            buf_printf(b, "| `%s` | `%s` | `%s` | %s |\n", p[i].name, t, sig, d);
        free(t);
        free(sig);
        free(d);
    }
}

static void doc_iface(const gen_ctx *g, const idl_iface *it, buf *b)
{
    char *dbus = gen_dbus_iface(g, it), *pre = gen_iface_prefix(g, it);

    buf_printf(b, "## %s\n\n%s\n\n", it->name, it->desc ? it->desc : "");
    buf_printf(b, "- D-Bus interface: `%s`\n- interface id: `%s`\n- C prefix: `%s_`\n", dbus,
               it->uuid, pre);
    if (it->parent)
        buf_printf(b, "- extends: [%s](#%s)\n", it->parent->name, anchor(it->parent->name));
    if (it->singleton)
        buf_printf(b, "- object path: `%s`\n", g->lib->path);
    else if (it->path)
        buf_printf(b, "- object paths: `%s/%s/<uuid with - as _>`\n", g->lib->path, it->path);
    buf_printf(b, "- since: %d\n", it->since);
    if (it->n_attrs) {
        buf_add(b, "\n### Attributes\n\n| attribute | type | D-Bus property | access | since | "
                   "description |\n"
                   "|---|---|---|---|---|---|\n");
        for (size_t k = 0; k < it->n_attrs; k++) {
            const idl_attr *a = &it->attrs[k];
            char *t = type_text(&a->type), *p = name_pascal(a->name),
                 *sig = gen_signature(&a->type);
            char *d = cell(a->desc);
            buf_printf(b, "| `%s` | `%s` | `%s` (`%s`) | %s | %d | %s |\n", a->name, t, p, sig,
                       a->readonly ? "read" : "read/write", a->since, d);
            free(t);
            free(p);
            free(sig);
            free(d);
        }
    }
    if (it->n_methods)
        buf_add(b, "\n### Methods\n");
    for (size_t k = 0; k < it->n_methods; k++) {
        const idl_method *m = &it->methods[k];
        char *p = name_pascal(m->name), *in = gen_params_signature(m->params, m->n_params, true);
        char *out = gen_params_signature(m->params, m->n_params, false), *s = name_snake(m->name);
        buf_printf(b, "\n#### %s\n\n`%s(%s) → (%s)`, C: `%s_call_%s()`, since %d\n\n%s\n", m->name,
                   p, in, out, pre, s, m->since, m->desc ? m->desc : "");
        params_table(b, m->params, m->n_params, true);
        if (m->n_raises) {
            buf_add(b, "\nErrors:");
            for (size_t r = 0; r < m->n_raises; r++)
                buf_printf(b, "%s `%s.Error.%s`", r ? "," : "", g->lib->bus, m->raises[r]);
            buf_add(b, "\n");
        }
        free(p);
        free(in);
        free(out);
        free(s);
    }
    if (it->n_events)
        buf_add(b, "\n### Events (D-Bus signals)\n");
    for (size_t k = 0; k < it->n_events; k++) {
        const idl_event *e = &it->events[k];
        char *p = name_pascal(e->name), *sig = gen_params_signature(e->params, e->n_params, false);
        buf_printf(b, "\n#### %s\n\nSignal `%s` (`%s`), since %d\n\n%s\n", e->name, p, sig,
                   e->since, e->desc ? e->desc : "");
        params_table(b, e->params, e->n_params, false);
        free(p);
        free(sig);
    }
    buf_add(b, "\n");
    free(dbus);
    free(pre);
}

static void doc_enum(const gen_ctx *g, const idl_enum *e, buf *b)
{
    char *type = gen_enum_type(g, e), *up = name_upper(e->name);

    buf_printf(b,
               "### %s\n\n%s\n\nD-Bus `u`; C type `%s`.\n\n| name | value | C | description |\n"
               "|---|---|---|---|\n",
               e->name, e->desc ? e->desc : "", type);
    for (size_t k = 0; k < e->n_consts; k++) {
        char *cu = name_upper(e->consts[k].name), *d = cell(e->consts[k].desc);
        buf_printf(b, "| `%s` | %lld | `%s_%s_%s` | %s |\n", e->consts[k].name,
                   (long long)e->consts[k].value, g->upper, up, cu, d);
        free(cu);
        free(d);
    }
    buf_add(b, "\n");
    free(type);
    free(up);
}

void gen_markdown(const gen_ctx *g, buf *b)
{
    const idl_library *lib = g->lib;

    gen_banner(b, g, "<!--", " -->");
    buf_printf(b, "# %s API reference\n\n%s\n\n", lib->name, lib->desc ? lib->desc : "");
    buf_printf(b,
               "Bus name `%s`, root object `%s`, API version %d. The mapping rules are in "
               "`docs/api-mapping.md`.\n\n",
               lib->bus, lib->path, lib->version);
    if (lib->n_ifaces) {
        buf_add(b, "Interfaces:");
        for (size_t i = 0; i < lib->n_ifaces; i++)
            buf_printf(b, "%s [%s](#%s)", i ? "," : "", lib->ifaces[i].name,
                       anchor(lib->ifaces[i].name));
        buf_add(b, ".\n\n");
    }
    for (size_t i = 0; i < lib->n_ifaces; i++)
        doc_iface(g, &lib->ifaces[i], b);
    if (lib->n_enums)
        buf_add(b, "## Enumerations\n\n");
    for (size_t i = 0; i < lib->n_enums; i++)
        doc_enum(g, &lib->enums[i], b);
    if (lib->n_results) {
        buf_add(b,
                "## Errors\n\n| result | code | D-Bus error | description |\n|---|---|---|---|\n");
        for (size_t i = 0; i < lib->n_results; i++) {
            char *d = cell(lib->results[i].desc);
            buf_printf(b, "| `%s` | `0x%08x` | `%s.Error.%s` | %s |\n", lib->results[i].name,
                       lib->results[i].value, lib->bus, lib->results[i].name, d);
            free(d);
        }
    }
}
