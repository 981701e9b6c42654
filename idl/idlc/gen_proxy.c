/* The generated client side: per method an encoder, a decoder and the blocking, async and
 * finish entry points; property get/set; typed signal subscriptions. */
#include <stdlib.h>
#include <string.h>

#include "idl/idlc/gen.h"

static void in_params(const gen_ctx *g, buf *b, const idl_param *p, size_t n, bool in, bool decl_in)
{
    for (size_t i = 0; i < n; i++)
        if ((p[i].dir == IDL_DIR_IN) == in) {
            char *cn = gen_param_name(p[i].name);
            char *d = decl_in ? gen_in_decl(g, &p[i].type, cn) : gen_out_decl(g, &p[i].type, cn);
            buf_printf(b, ", %s", d);
            free(d);
            free(cn);
        }
}

static void arg_names(buf *b, const idl_param *p, size_t n, bool in, bool outs)
{
    for (size_t i = 0; i < n; i++)
        if ((p[i].dir == IDL_DIR_IN) == in) {
            char *cn = gen_param_name(p[i].name);
            if (outs)
                buf_printf(b, p[i].type.array ? ", ret_%s, ret_n_%s" : ", ret_%s", cn, cn);
            else
                buf_printf(b, p[i].type.array ? ", %s, n_%s" : ", %s", cn, cn);
            free(cn);
        }
}

static void encoder(const gen_ctx *g, const idl_method *m, const char *pre, const char *s, buf *b)
{
    buf_printf(b, "static int %s_encode_%s(DBusMessage *msg", pre, s);
    in_params(g, b, m->params, m->n_params, true, true);
    buf_add(b, ")\n{\n    DBusMessageIter it;\n    int r = 0;\n\n"
               "    dbus_message_iter_init_append(msg, &it);\n");
    for (size_t i = 0; i < m->n_params; i++)
        if (m->params[i].dir == IDL_DIR_IN) {
            char *cn = gen_param_name(m->params[i].name);
            gen_append(b, "&it", &m->params[i].type, cn, false);
            free(cn);
        }
    buf_add(b, "    return r;\n}\n\n");
}

static void decoder(const gen_ctx *g, const idl_method *m, const char *pre, const char *s, buf *b)
{
    buf_printf(b, "static int %s_decode_%s(DBusMessage *reply", pre, s);
    in_params(g, b, m->params, m->n_params, false, false);
    buf_add(b, ", vireo_error **errp)\n{\n    DBusMessageIter it;\n    int r = 0;\n");
    for (size_t i = 0; i < m->n_params; i++)
        if (m->params[i].dir != IDL_DIR_IN) {
            char *cn = gen_param_name(m->params[i].name);
            gen_local(g, b, &m->params[i].type, cn);
            free(cn);
        }
    buf_add(b, "\n    dbus_message_iter_init(reply, &it);\n");
    for (size_t i = 0; i < m->n_params; i++)
        if (m->params[i].dir != IDL_DIR_IN) {
            char *cn = gen_param_name(m->params[i].name);
            gen_read(b, "&it", &m->params[i].type, cn, "errp", false);
            free(cn);
        }
    buf_add(b, "    if (r < 0) {\n");
    for (size_t i = 0; i < m->n_params; i++)
        if (m->params[i].dir != IDL_DIR_IN) {
            char *cn = gen_param_name(m->params[i].name);
            buf_add(b, "    ");
            gen_free_local(b, &m->params[i].type, cn);
            free(cn);
        }
    buf_add(b, "        return r;\n    }\n");
    for (size_t i = 0; i < m->n_params; i++)
        if (m->params[i].dir != IDL_DIR_IN) {
            char *cn = gen_param_name(m->params[i].name);
            gen_hand_out(g, b, &m->params[i].type, cn);
            free(cn);
        }
    buf_add(b, "    return 0;\n}\n\n");
}

static void method(const gen_ctx *g, const idl_iface *it, const idl_method *m, const char *pre,
                   buf *b)
{
    char *s = name_snake(m->name), *p = name_pascal(m->name);
    char *out = gen_params_signature(m->params, m->n_params, false);

    encoder(g, m, pre, s, b);
    decoder(g, m, pre, s, b);
    /* blocking */
    buf_printf(b, "int %s_call_%s(vireo_proxy *proxy", pre, s);
    in_params(g, b, m->params, m->n_params, true, true);
    in_params(g, b, m->params, m->n_params, false, false);
    buf_printf(b,
               ", vireo_error **errp)\n{\n"
               "    DBusMessage *msg = vireo_proxy_new_call(proxy, &%s_interface, \"%s\");\n"
               "    DBusMessage *reply = NULL;\n    int r;\n\n"
               "    if (!msg)\n        return vireo_error_set_errno(errp, -ENOMEM, \"%s.%s\");\n"
               "    r = %s_encode_%s(msg",
               pre, p, it->name, m->name, pre, s);
    arg_names(b, m->params, m->n_params, true, false);
    buf_printf(b,
               ");\n    if (r < 0) {\n        dbus_message_unref(msg);\n"
               "        return vireo_error_set_errno(errp, r, \"%s.%s: arguments\");\n    }\n"
               "    r = vireo_proxy_call(proxy, msg, &%s_interface, \"%s\", &reply, errp);\n"
               "    if (r < 0)\n        return r;\n    r = %s_decode_%s(reply",
               it->name, m->name, pre, out, pre, s);
    arg_names(b, m->params, m->n_params, false, true);
    buf_add(b, ", errp);\n    dbus_message_unref(reply);\n    return r;\n}\n\n");
    /* async */
    buf_printf(b, "int %s_call_%s_async(vireo_proxy *proxy", pre, s);
    in_params(g, b, m->params, m->n_params, true, true);
    buf_printf(b,
               ", vireo_reply_fn fn, void *userdata, vireo_error **errp)\n{\n"
               "    DBusMessage *msg = vireo_proxy_new_call(proxy, &%s_interface, \"%s\");\n"
               "    int r;\n\n"
               "    if (!msg)\n        return vireo_error_set_errno(errp, -ENOMEM, \"%s.%s\");\n"
               "    r = %s_encode_%s(msg",
               pre, p, it->name, m->name, pre, s);
    arg_names(b, m->params, m->n_params, true, false);
    buf_printf(b,
               ");\n    if (r < 0) {\n        dbus_message_unref(msg);\n"
               "        return vireo_error_set_errno(errp, r, \"%s.%s: arguments\");\n    }\n"
               "    return vireo_proxy_call_async(proxy, msg, fn, userdata, errp);\n}\n\n",
               it->name, m->name);
    /* finish */
    buf_printf(b, "int %s_call_%s_finish(DBusMessage *reply", pre, s);
    in_params(g, b, m->params, m->n_params, false, false);
    buf_printf(b,
               ", vireo_error **errp)\n{\n"
               "    int r = vireo_proxy_check_reply(reply, &%s_interface, \"%s\", errp);\n\n"
               "    if (r < 0)\n        return r;\n    return %s_decode_%s(reply",
               pre, out, pre, s);
    arg_names(b, m->params, m->n_params, false, true);
    buf_add(b, ", errp);\n}\n\n");
    free(s);
    free(p);
    free(out);
}

static void property(const gen_ctx *g, const idl_iface *it, const idl_attr *a, const char *pre,
                     buf *b)
{
    char *s = name_snake(a->name), *p = name_pascal(a->name);
    char *od = gen_out_decl(g, &a->type, "value");

    buf_printf(b,
               "int %s_get_%s(vireo_proxy *proxy, %s, vireo_error **errp)\n{\n"
               "    DBusMessage *reply = NULL;\n    DBusMessageIter it;\n    int r;\n",
               pre, s, od);
    gen_local(g, b, &a->type, "value");
    buf_printf(
        b,
        "\n    r = vireo_proxy_call(proxy, vireo_proxy_new_get(proxy, &%s_interface, \"%s\"), "
        "&%s_interface, \"v\", &reply, errp);\n"
        "    if (r < 0)\n        return r;\n    dbus_message_iter_init(reply, &it);\n",
        pre, p, pre);
    gen_read(b, "&it", &a->type, "value", "errp", true);
    buf_add(b, "    dbus_message_unref(reply);\n    if (r < 0)\n        return r;\n");
    gen_hand_out(g, b, &a->type, "value");
    buf_add(b, "    return 0;\n}\n\n");
    if (!a->readonly) {
        char *id = gen_in_decl(g, &a->type, "value");
        buf_printf(b,
                   "int %s_set_%s(vireo_proxy *proxy, %s, vireo_error **errp)\n{\n"
                   "    DBusMessage *msg = vireo_proxy_new_set(proxy, &%s_interface, \"%s\");\n"
                   "    DBusMessage *reply = NULL;\n    DBusMessageIter it;\n"
                   "    int r = msg ? 0 : -ENOMEM;\n\n"
                   "    if (msg)\n        dbus_message_iter_init_append(msg, &it);\n",
                   pre, s, id, pre, p);
        gen_append(b, "&it", &a->type, "value", true);
        buf_printf(b,
                   "    if (r < 0) {\n        if (msg)\n            dbus_message_unref(msg);\n"
                   "        return vireo_error_set_errno(errp, r, \"%s.%s\");\n    }\n"
                   "    r = vireo_proxy_call(proxy, msg, &%s_interface, \"\", &reply, errp);\n"
                   "    if (reply)\n        dbus_message_unref(reply);\n    return r;\n}\n\n",
                   it->name, a->name, pre);
        free(id);
    }
    free(s);
    free(p);
    free(od);
}

static void event_signal(const gen_ctx *g, const idl_event *e, const char *pre, buf *b)
{
    char *s = name_snake(e->name), *p = name_pascal(e->name);
    char *sig = gen_params_signature(e->params, e->n_params, false);

    buf_printf(b,
               "static void %s_raw_%s(vireo_proxy *proxy, DBusMessage *msg, void (*cb)(void), "
               "void *userdata)\n{\n    DBusMessageIter it;\n    int r = 0;\n",
               pre, s);
    for (size_t i = 0; i < e->n_params; i++) {
        char *cn = gen_param_name(e->params[i].name);
        gen_local(g, b, &e->params[i].type, cn);
        free(cn);
    }
    buf_printf(b,
               "\n    if (!dbus_message_has_signature(msg, \"%s\"))\n        return;\n"
               "    dbus_message_iter_init(msg, &it);\n",
               sig);
    for (size_t i = 0; i < e->n_params; i++) {
        char *cn = gen_param_name(e->params[i].name);
        gen_read(b, "&it", &e->params[i].type, cn, "NULL", false);
        free(cn);
    }
    buf_printf(b, "    if (r == 0)\n        ((%s_%s_fn)cb)(proxy", pre, s);
    for (size_t i = 0; i < e->n_params; i++) {
        char *cn = gen_param_name(e->params[i].name), *pass = gen_pass(g, &e->params[i].type, cn);
        buf_printf(b, ", %s", pass);
        free(pass);
        free(cn);
    }
    buf_add(b, ", userdata);\n");
    for (size_t i = 0; i < e->n_params; i++) {
        char *cn = gen_param_name(e->params[i].name);
        gen_free_local(b, &e->params[i].type, cn);
        free(cn);
    }
    buf_add(b, "}\n\n");
    buf_printf(b,
               "vireo_subscription *%s_on_%s(vireo_proxy *proxy, %s_%s_fn fn, void *userdata, "
               "vireo_error **errp)\n{\n"
               "    return vireo_proxy_subscribe(proxy, &%s_interface, \"%s\", %s_raw_%s, "
               "(void (*)(void))fn, userdata, errp);\n}\n\n",
               pre, s, pre, s, pre, p, pre, s);
    free(s);
    free(p);
    free(sig);
}

void gen_proxy(const gen_ctx *g, buf *b)
{
    gen_banner(b, g, "/*", " */");
    buf_printf(b, "#include <errno.h>\n#include <stdlib.h>\n\n#include \"%s.h\"\n\n", g->name);
    for (size_t i = 0; i < g->lib->n_ifaces; i++) {
        const idl_iface *it = &g->lib->ifaces[i];
        char *pre = gen_iface_prefix(g, it);
        buf_printf(b, "/* ---- %s ---- */\n\n", it->name);
        for (size_t k = 0; k < it->n_methods; k++)
            method(g, it, &it->methods[k], pre, b);
        for (size_t k = 0; k < it->n_attrs; k++)
            property(g, it, &it->attrs[k], pre, b);
        for (size_t k = 0; k < it->n_events; k++)
            event_signal(g, &it->events[k], pre, b);
        free(pre);
    }
}
