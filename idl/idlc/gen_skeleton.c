/* The generated server side: library and enum tables, per interface the method handlers,
 * property accessors, the static const member table (sd-bus style) and the interface
 * description, plus the typed complete/emit/notify functions. */
#include <stdlib.h>
#include <string.h>

#include "idl/idlc/gen.h"

void gen_common(const gen_ctx *g, buf *b)
{
    const idl_library *lib = g->lib;

    buf_printf(b, "static const vireo_result_info %s_results[] = {\n", g->prefix);
    for (size_t i = 0; i < lib->n_results; i++)
        buf_printf(b, "    {\"%s\", \"%s.Error.%s\", 0x%08xu},\n", lib->results[i].name, lib->bus,
                   lib->results[i].name, lib->results[i].value);
    if (!lib->n_results)
        buf_add(b, "    {NULL, NULL, 0},\n");
    buf_add(b, "};\n\n");
    buf_printf(b,
               "const vireo_library_info %s_library = {\n    \"%s\", \"%s\", \"%s\", %s_results, "
               "%zu,\n};\n\n",
               g->prefix, lib->name, lib->bus, lib->path, g->prefix, lib->n_results);
    for (size_t i = 0; i < lib->n_enums; i++) {
        const idl_enum *e = &lib->enums[i];
        char *type = gen_enum_type(g, e);
        buf_printf(b, "bool %s_is_valid(uint32_t v)\n{\n    return %s_to_string(v) != NULL;\n}\n\n",
                   type, type);
        buf_printf(b, "const char *%s_to_string(uint32_t v)\n{\n    switch (v) {\n", type);
        for (size_t k = 0; k < e->n_consts; k++)
            buf_printf(b, "    case %lldu: return \"%s\";\n", (long long)e->consts[k].value,
                       e->consts[k].name);
        buf_add(b, "    default: return NULL;\n    }\n}\n\n");
        free(type);
    }
}

static void handler(const gen_ctx *g, const idl_iface *it, const idl_method *m, const char *pre,
                    buf *b)
{
    char *s = name_snake(m->name);

    buf_printf(
        b, "static int %s_handle_%s(vireo_call *call, vireo_object *self, const void *ops_)\n{\n",
        pre, s);
    buf_printf(b,
               "    const %s_ops *ops = ops_;\n    DBusMessageIter it;\n"
               "    vireo_error *err = NULL;\n    int r = 0;\n",
               pre);
    for (size_t i = 0; i < m->n_params; i++)
        if (m->params[i].dir == IDL_DIR_IN) {
            char *cn = gen_param_name(m->params[i].name);
            gen_local(g, b, &m->params[i].type, cn);
            free(cn);
        }
    buf_printf(b,
               "\n    if (!ops->%s) {\n        r = vireo_error_not_implemented(&err, \"%s.%s\");\n"
               "        return vireo_call_fail(call, err, r);\n    }\n",
               s, it->name, m->name);
    buf_add(b, "    dbus_message_iter_init(vireo_call_message(call), &it);\n");
    for (size_t i = 0; i < m->n_params; i++)
        if (m->params[i].dir == IDL_DIR_IN) {
            char *cn = gen_param_name(m->params[i].name);
            gen_read(b, "&it", &m->params[i].type, cn, "&err", false);
            gen_check_enum(g, b, &m->params[i].type, cn, m->params[i].name, "&err");
            free(cn);
        }
    buf_printf(b, "    if (r == 0)\n        r = ops->%s(self, call", s);
    for (size_t i = 0; i < m->n_params; i++)
        if (m->params[i].dir == IDL_DIR_IN) {
            char *cn = gen_param_name(m->params[i].name),
                 *pass = gen_pass(g, &m->params[i].type, cn);
            buf_printf(b, ", %s", pass);
            free(pass);
            free(cn);
        }
    buf_add(b, ", &err);\n    if (r < 0)\n        vireo_call_fail(call, err, r);\n"
               "    else\n        vireo_error_free(err);\n");
    for (size_t i = 0; i < m->n_params; i++)
        if (m->params[i].dir == IDL_DIR_IN) {
            char *cn = gen_param_name(m->params[i].name);
            gen_free_local(b, &m->params[i].type, cn);
            free(cn);
        }
    buf_add(b, "    return r;\n}\n\n");
    free(s);
}

static void complete(const gen_ctx *g, const idl_method *m, const char *pre, buf *b)
{
    char *s = name_snake(m->name);

    buf_printf(b, "int %s_complete_%s(vireo_call *call", pre, s);
    for (size_t i = 0; i < m->n_params; i++)
        if (m->params[i].dir != IDL_DIR_IN) {
            char *cn = gen_param_name(m->params[i].name),
                 *d = gen_in_decl(g, &m->params[i].type, cn);
            buf_printf(b, ", %s", d);
            free(d);
            free(cn);
        }
    buf_add(b, ")\n{\n    DBusMessage *reply = vireo_call_new_reply(call);\n"
               "    DBusMessageIter it;\n    int r = reply ? 0 : -ENOMEM;\n\n"
               "    if (reply)\n        dbus_message_iter_init_append(reply, &it);\n");
    for (size_t i = 0; i < m->n_params; i++)
        if (m->params[i].dir != IDL_DIR_IN) {
            char *cn = gen_param_name(m->params[i].name);
            gen_append(b, "&it", &m->params[i].type, cn, false);
            free(cn);
        }
    buf_printf(b, "    if (r < 0) {\n        if (reply)\n            dbus_message_unref(reply);\n"
                  "        /* The caller still gets an answer: the values could not be sent. */\n"
                  "        return vireo_call_fail(call, NULL, r);\n    }\n"
                  "    return vireo_call_send_reply(call, reply);\n}\n\n");
    free(s);
}

static void emit(const gen_ctx *g, const idl_event *e, const char *pre, buf *b)
{
    char *s = name_snake(e->name), *pascal = name_pascal(e->name);

    buf_printf(b, "int %s_emit_%s(vireo_bus *bus, const char *object_path", pre, s);
    for (size_t i = 0; i < e->n_params; i++) {
        char *cn = gen_param_name(e->params[i].name), *d = gen_in_decl(g, &e->params[i].type, cn);
        buf_printf(b, ", %s", d);
        free(d);
        free(cn);
    }
    buf_printf(
        b,
        ")\n{\n    DBusMessage *msg = vireo_bus_new_signal(object_path, &%s_interface, \"%s\");\n"
        "    DBusMessageIter it;\n    int r = msg ? 0 : -ENOMEM;\n\n"
        "    if (msg)\n        dbus_message_iter_init_append(msg, &it);\n",
        pre, pascal);
    for (size_t i = 0; i < e->n_params; i++) {
        char *cn = gen_param_name(e->params[i].name);
        gen_append(b, "&it", &e->params[i].type, cn, false);
        free(cn);
    }
    buf_add(b, "    if (r < 0) {\n        if (msg)\n            dbus_message_unref(msg);\n"
               "        return r;\n    }\n    return vireo_bus_send(bus, msg);\n}\n\n");
    free(s);
    free(pascal);
}

static void accessors(const gen_ctx *g, const idl_iface *it, const idl_attr *a, const char *pre,
                      buf *b)
{
    char *s = name_snake(a->name), *pascal = name_pascal(a->name);

    buf_printf(b,
               "static int %s_prop_get_%s(DBusMessageIter *it, vireo_object *self, "
               "const void *ops_, vireo_error **errp)\n{\n",
               pre, s);
    buf_printf(b, "    const %s_ops *ops = ops_;\n    int r = 0;\n", pre);
    gen_local(g, b, &a->type, "value");
    buf_printf(
        b,
        "\n    if (!ops->get_%s)\n        return vireo_error_not_implemented(errp, \"%s.%s\");\n",
        s, it->name, a->name);
    if (a->type.array)
        buf_printf(b, "    r = ops->get_%s(self, %s&value, &n_value, errp);\n", s,
                   a->type.kind == IDL_ENUM ? "(void *)" : "");
    else if (a->type.kind == IDL_ENUM) {
        char *et = gen_enum_type(g, a->type.en);
        buf_printf(b,
                   "    {\n        %s v_ = (%s)0;\n        r = ops->get_%s(self, &v_, errp);\n"
                   "        value = (uint32_t)v_;\n    }\n",
                   et, et, s);
        free(et);
    } else
        buf_printf(b, "    r = ops->get_%s(self, &value, errp);\n", s);
    buf_add(b, "    if (r < 0)\n        return r;\n");
    gen_append(b, "it", &a->type, "value", true);
    buf_printf(b, "    if (r < 0)\n        vireo_error_set_errno(errp, r, \"%s.%s\");\n", it->name,
               a->name);
    gen_free_local(b, &a->type, "value");
    buf_add(b, "    return r;\n}\n\n");
    if (!a->readonly) {
        buf_printf(b,
                   "static int %s_prop_set_%s(DBusMessageIter *it, vireo_object *self, "
                   "const void *ops_, vireo_error **errp)\n{\n",
                   pre, s);
        buf_printf(b, "    const %s_ops *ops = ops_;\n    int r = 0;\n", pre);
        gen_local(g, b, &a->type, "value");
        buf_printf(b,
                   "\n    if (!ops->set_%s)\n        return vireo_error_not_implemented(errp, "
                   "\"%s.%s\");\n",
                   s, it->name, a->name);
        gen_read(b, "it", &a->type, "value", "errp", true);
        gen_check_enum(g, b, &a->type, "value", a->name, "errp");
        char *pass = gen_pass(g, &a->type, "value");
        buf_printf(b, "    if (r == 0)\n        r = ops->set_%s(self, %s, errp);\n", s, pass);
        free(pass);
        gen_free_local(b, &a->type, "value");
        buf_add(b, "    return r;\n}\n\n");
    }
    buf_printf(b,
               "int %s_notify_%s(vireo_bus *bus, const char *object_path)\n{\n"
               "    static const char *const names[] = {\"%s\"};\n\n"
               "    return vireo_bus_emit_properties_changed(bus, object_path, &%s_interface, "
               "names, 1);\n}\n\n",
               pre, s, pascal, pre);
    free(s);
    free(pascal);
}

static void member_table(const gen_ctx *g, const idl_iface *it, const char *pre, buf *b)
{
    buf_printf(b, "static const vireo_member %s_members[] = {\n", pre);
    for (size_t k = 0; k < it->n_methods; k++) {
        const idl_method *m = &it->methods[k];
        char *s = name_snake(m->name), *p = name_pascal(m->name);
        char *in = gen_params_signature(m->params, m->n_params, true);
        char *out = gen_params_signature(m->params, m->n_params, false);
        buf_printf(
            b, "    {\"%s\", VIREO_MEMBER_METHOD, 0, \"%s\", \"%s\", %s_handle_%s, NULL, NULL},\n",
            p, in, out, pre, s);
        free(s);
        free(p);
        free(in);
        free(out);
    }
    for (size_t k = 0; k < it->n_attrs; k++) {
        const idl_attr *a = &it->attrs[k];
        char *s = name_snake(a->name), *p = name_pascal(a->name), *sig = gen_signature(&a->type);
        if (a->readonly)
            buf_printf(b,
                       "    {\"%s\", VIREO_MEMBER_PROPERTY, 0, \"%s\", NULL, NULL, %s_prop_get_%s, "
                       "NULL},\n",
                       p, sig, pre, s);
        else
            buf_printf(
                b,
                "    {\"%s\", VIREO_MEMBER_PROPERTY, VIREO_MEMBER_WRITABLE, \"%s\", NULL, NULL, "
                "%s_prop_get_%s, %s_prop_set_%s},\n",
                p, sig, pre, s, pre, s);
        free(s);
        free(p);
        free(sig);
    }
    for (size_t k = 0; k < it->n_events; k++) {
        const idl_event *e = &it->events[k];
        char *p = name_pascal(e->name), *sig = gen_params_signature(e->params, e->n_params, false);
        buf_printf(b, "    {\"%s\", VIREO_MEMBER_SIGNAL, 0, \"%s\", NULL, NULL, NULL, NULL},\n", p,
                   sig);
        free(p);
        free(sig);
    }
    if (!it->n_methods && !it->n_attrs && !it->n_events)
        buf_add(b, "    {NULL, 0, 0, NULL, NULL, NULL, NULL, NULL},\n");
    buf_add(b, "};\n\n");
}

static void iface_info(const gen_ctx *g, const idl_iface *it, const char *pre, buf *b)
{
    buf xml = {0};
    char *dbus = gen_dbus_iface(g, it);

    gen_introspection(g, it, &xml);
    buf_printf(b, "static const char %s_xml[] =\n    ", pre);
    gen_c_string(b, xml.s);
    buf_add(b, ";\n\n");
    buf_printf(b,
               "const vireo_interface_info %s_interface = {\n"
               "    \"%s\", \"%s\", \"%s\", %s_members, %zu, %s_xml, &%s_library,\n};\n\n",
               pre, dbus, it->name, it->uuid, pre, it->n_methods + it->n_attrs + it->n_events, pre,
               g->prefix);
    buf_free(&xml);
    free(dbus);
}

void gen_skeleton(const gen_ctx *g, buf *b)
{
    gen_banner(b, g, "/*", " */");
    buf_printf(b, "#include <errno.h>\n#include <stdlib.h>\n\n#include \"%s.h\"\n\n", g->name);
    gen_common(g, b);
    for (size_t i = 0; i < g->lib->n_ifaces; i++) {
        const idl_iface *it = &g->lib->ifaces[i];
        char *pre = gen_iface_prefix(g, it);
        buf_printf(b, "/* ---- %s ---- */\n\n", it->name);
        buf_printf(b, "extern const vireo_interface_info %s_interface;\n\n", pre);
        for (size_t k = 0; k < it->n_methods; k++) {
            handler(g, it, &it->methods[k], pre, b);
            complete(g, &it->methods[k], pre, b);
        }
        for (size_t k = 0; k < it->n_attrs; k++)
            accessors(g, it, &it->attrs[k], pre, b);
        for (size_t k = 0; k < it->n_events; k++)
            emit(g, &it->events[k], pre, b);
        member_table(g, it, pre, b);
        iface_info(g, it, pre, b);
        free(pre);
    }
}
