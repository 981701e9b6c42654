/* The generated C header: results, enums, per interface the ops table (what a server
 * implements) and the typed functions of the skeleton and the proxy. */
#include <stdlib.h>
#include <string.h>

#include "idl/idlc/gen.h"

/* A C comment holding `text`, wrapped at about 96 columns. */
static void comment(buf *b, const char *indent, const char *text)
{
    const char *s = text ? text : "";
    size_t col;

    buf_printf(b, "%s/* ", indent);
    col = strlen(indent) + 3;
    while (*s) {
        size_t w = strcspn(s, " ");
        if (col + w > 96 && col > strlen(indent) + 3) {
            buf_printf(b, "\n%s * ", indent);
            col = strlen(indent) + 3;
        }
        char *word = strndup(s, w);
        /* A desc must not close the comment early. */
        for (char *p = word; (p = strstr(p, "*/")); p++)
            p[1] = '\\';
        buf_add(b, word);
        free(word);
        col += w;
        s += w;
        if (*s == ' ') {
            s++;
            if (*s) {
                buf_add(b, " ");
                col++;
            }
        }
    }
    buf_add(b, " */\n");
}

static void header_results(const gen_ctx *g, buf *b)
{
    const idl_library *lib = g->lib;

    if (!lib->n_results)
        return;
    buf_add(b, "/* Result codes and their D-Bus error names. */\n");
    for (size_t i = 0; i < lib->n_results; i++) {
        char *u = name_upper(lib->results[i].name);
        comment(b, "", lib->results[i].desc);
        buf_printf(b, "#define %s_RESULT_%s 0x%08xu\n", g->upper, u, lib->results[i].value);
        buf_printf(b, "#define %s_ERROR_%s \"%s.Error.%s\"\n", g->upper, u, lib->bus,
                   lib->results[i].name);
        free(u);
    }
    buf_add(b, "\n");
}

static void header_enum(const gen_ctx *g, const idl_enum *e, buf *b)
{
    char *type = gen_enum_type(g, e), *up = name_upper(e->name);

    comment(b, "", e->desc);
    buf_printf(b, "typedef enum %s {\n", type);
    for (size_t k = 0; k < e->n_consts; k++) {
        char *cu = name_upper(e->consts[k].name);
        comment(b, "    ", e->consts[k].desc);
        buf_printf(b, "    %s_%s_%s = %lldu,\n", g->upper, up, cu, (long long)e->consts[k].value);
        free(cu);
    }
    buf_printf(b, "} %s;\n", type);
    buf_printf(b, "_Static_assert(sizeof(%s) == 4, \"enums travel as 32-bit values\");\n", type);
    buf_printf(b, "#define %s_%s_UUID \"%s\"\n", g->upper, up, e->uuid);
    buf_printf(b, "/* True if v is one of the values above (servers reject others). */\n");
    buf_printf(b, "bool %s_is_valid(uint32_t v);\n", type);
    buf_printf(b, "/* The IDL name of a value (\"%s\"), or NULL. */\n", e->consts[0].name);
    buf_printf(b, "const char *%s_to_string(uint32_t v);\n\n", type);
    free(type);
    free(up);
}

/* "(<first>, <in params>, vireo_error **errp)" style lists. */
static void param_list(const gen_ctx *g, buf *b, const idl_param *p, size_t n, bool in,
                       bool as_input)
{
    for (size_t i = 0; i < n; i++) {
        if ((p[i].dir == IDL_DIR_IN) != in)
            continue;
        char *cn = gen_param_name(p[i].name);
        char *d = as_input ? gen_in_decl(g, &p[i].type, cn) : gen_out_decl(g, &p[i].type, cn);
        buf_printf(b, ", %s", d);
        free(d);
        free(cn);
    }
}

static void header_ops(const gen_ctx *g, const idl_iface *it, const char *pre, buf *b)
{
    buf_printf(b,
               "/* What a server implements for %s: fill the members it supports (NULL ones\n"
               " * answer NotSupported). Getters return owned values (freed, fds closed, by\n"
               " * the skeleton). Method handlers answer with %s_complete_<method>() or\n"
               " * vireo_call_return_error(), now or later (keep a vireo_call_ref()); on\n"
               " * failure they return a negative errno and set *errp. */\n",
               it->name, pre);
    buf_printf(b, "typedef struct %s_ops {\n", pre);
    for (size_t k = 0; k < it->n_attrs; k++) {
        const idl_attr *a = &it->attrs[k];
        char *s = name_snake(a->name), *od = gen_out_decl(g, &a->type, "value");
        char *id = gen_in_decl(g, &a->type, "value");
        comment(b, "    ", a->desc);
        buf_printf(b, "    int (*get_%s)(vireo_object *self, %s, vireo_error **errp);\n", s, od);
        if (!a->readonly)
            buf_printf(b, "    int (*set_%s)(vireo_object *self, %s, vireo_error **errp);\n", s,
                       id);
        free(s);
        free(od);
        free(id);
    }
    for (size_t k = 0; k < it->n_methods; k++) {
        const idl_method *m = &it->methods[k];
        char *s = name_snake(m->name);
        comment(b, "    ", m->desc);
        buf_printf(b, "    int (*%s)(vireo_object *self, vireo_call *call", s);
        param_list(g, b, m->params, m->n_params, true, true);
        buf_add(b, ", vireo_error **errp);\n");
        free(s);
    }
    buf_printf(b, "} %s_ops;\n\n", pre);
}

static void header_server(const gen_ctx *g, const idl_iface *it, const char *pre, buf *b)
{
    buf_add(b, "/* Server side. */\n");
    buf_printf(b, "static inline const %s_ops *%s_query(const vireo_object *obj)\n{\n", pre, pre);
    buf_printf(b,
               "    return (const %s_ops *)vireo_object_query_interface(obj, %s_interface.iid);\n",
               pre, pre);
    buf_add(b, "}\n");
    for (size_t k = 0; k < it->n_methods; k++) {
        const idl_method *m = &it->methods[k];
        char *s = name_snake(m->name);
        buf_printf(b, "int %s_complete_%s(vireo_call *call", pre, s);
        param_list(g, b, m->params, m->n_params, false, true);
        buf_add(b, ");\n");
        free(s);
    }
    for (size_t k = 0; k < it->n_events; k++) {
        const idl_event *e = &it->events[k];
        char *s = name_snake(e->name);
        buf_printf(b, "int %s_emit_%s(vireo_bus *bus, const char *object_path", pre, s);
        param_list(g, b, e->params, e->n_params, false, true);
        buf_add(b, ");\n");
        free(s);
    }
    for (size_t k = 0; k < it->n_attrs; k++) {
        char *s = name_snake(it->attrs[k].name);
        buf_printf(b, "/* PropertiesChanged for %s, value read through the getter. */\n",
                   it->attrs[k].name);
        buf_printf(b, "int %s_notify_%s(vireo_bus *bus, const char *object_path);\n", pre, s);
        free(s);
    }
    buf_add(b, "\n");
}

static void header_client(const gen_ctx *g, const idl_iface *it, const char *pre, buf *b)
{
    buf_add(b, "/* Client side: blocking calls, asynchronous calls, properties, signals. Out\n"
               " * values are owned by the caller (free strings and arrays, close fds); each\n"
               " * ret_ pointer may be NULL to drop that value. */\n");
    for (size_t k = 0; k < it->n_methods; k++) {
        const idl_method *m = &it->methods[k];
        char *s = name_snake(m->name);
        comment(b, "", m->desc);
        buf_printf(b, "int %s_call_%s(vireo_proxy *proxy", pre, s);
        param_list(g, b, m->params, m->n_params, true, true);
        param_list(g, b, m->params, m->n_params, false, false);
        buf_add(b, ", vireo_error **errp);\n");
        buf_printf(b, "int %s_call_%s_async(vireo_proxy *proxy", pre, s);
        param_list(g, b, m->params, m->n_params, true, true);
        buf_add(b, ", vireo_reply_fn fn, void *userdata, vireo_error **errp);\n");
        buf_printf(b, "int %s_call_%s_finish(DBusMessage *reply", pre, s);
        param_list(g, b, m->params, m->n_params, false, false);
        buf_add(b, ", vireo_error **errp);\n");
        free(s);
    }
    for (size_t k = 0; k < it->n_attrs; k++) {
        const idl_attr *a = &it->attrs[k];
        char *s = name_snake(a->name), *od = gen_out_decl(g, &a->type, "value");
        buf_printf(b, "int %s_get_%s(vireo_proxy *proxy, %s, vireo_error **errp);\n", pre, s, od);
        if (!a->readonly) {
            char *id = gen_in_decl(g, &a->type, "value");
            buf_printf(b, "int %s_set_%s(vireo_proxy *proxy, %s, vireo_error **errp);\n", pre, s,
                       id);
            free(id);
        }
        free(s);
        free(od);
    }
    for (size_t k = 0; k < it->n_events; k++) {
        const idl_event *e = &it->events[k];
        char *s = name_snake(e->name);
        comment(b, "", e->desc);
        buf_printf(b, "typedef void (*%s_%s_fn)(vireo_proxy *proxy", pre, s);
        param_list(g, b, e->params, e->n_params, false, true);
        buf_add(b, ", void *userdata);\n");
        buf_printf(b,
                   "vireo_subscription *%s_on_%s(vireo_proxy *proxy, %s_%s_fn fn, "
                   "void *userdata, vireo_error **errp);\n",
                   pre, s, pre, s);
        free(s);
    }
    buf_add(b, "\n");
}

static void header_iface(const gen_ctx *g, const idl_iface *it, buf *b)
{
    char *pre = gen_iface_prefix(g, it), *up = gen_iface_upper(g, it);
    char *dbus = gen_dbus_iface(g, it);

    buf_printf(b, "/* ---- %s (%s) ---- */\n", it->name, dbus);
    comment(b, "", it->desc);
    buf_printf(b, "#define %s_IID \"%s\"\n", up, it->uuid);
    buf_printf(b, "#define %s_INTERFACE \"%s\"\n", up, dbus);
    if (it->path)
        buf_printf(b, "#define %s_COLLECTION \"%s\"\n", up, it->path);
    buf_printf(b, "extern const vireo_interface_info %s_interface;\n\n", pre);
    header_ops(g, it, pre, b);
    header_server(g, it, pre, b);
    header_client(g, it, pre, b);
    free(pre);
    free(up);
    free(dbus);
}

void gen_header(const gen_ctx *g, buf *b)
{
    char *guard = name_upper(g->name);

    for (char *p = guard; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
            *p = '_';
    gen_banner(b, g, "/*", " */");
    comment(b, "", g->lib->desc);
    buf_printf(b, "#ifndef %s_GENERATED_H\n#define %s_GENERATED_H\n\n", guard, guard);
    buf_add(b, "#include <stdbool.h>\n#include <stddef.h>\n#include <stdint.h>\n\n"
               "#include \"component/component.h\"\n\n");
    buf_printf(b, "#define %s_BUS_NAME \"%s\"\n", g->upper, g->lib->bus);
    buf_printf(b, "#define %s_ROOT_PATH \"%s\"\n", g->upper, g->lib->path);
    buf_printf(b, "#define %s_API_VERSION %d\n", g->upper, g->lib->version);
    buf_printf(b, "extern const vireo_library_info %s_library;\n\n", g->prefix);
    header_results(g, b);
    for (size_t i = 0; i < g->lib->n_enums; i++)
        header_enum(g, &g->lib->enums[i], b);
    for (size_t i = 0; i < g->lib->n_ifaces; i++)
        header_iface(g, &g->lib->ifaces[i], b);
    buf_printf(b, "#endif\n");
    free(guard);
}
