/* D-Bus introspection XML. Every element carries its documentation as an
 * org.gtk.GDBus.DocString annotation (the name gdbus-codegen and d-feet understand), its
 * version as org.vireo.Idl.Since; arguments of enum and interface types name their IDL type
 * (org.vireo.Idl.Type) and enums list their values (org.vireo.Idl.Enum). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idl/idlc/gen.h"

static void annotation(buf *b, const char *indent, const char *name, const char *value)
{
    char *v = gen_xml_escape(value);
    buf_printf(b, "%s<annotation name=\"%s\" value=\"%s\"/>\n", indent, name, v);
    free(v);
}

static void doc(buf *b, const char *indent, const char *desc, int since)
{
    char s[16];

    annotation(b, indent, "org.gtk.GDBus.DocString", desc ? desc : "");
    if (since > 0) {
        snprintf(s, sizeof(s), "%d", since);
        annotation(b, indent, "org.vireo.Idl.Since", s);
    }
}

static void type_annotations(buf *b, const char *indent, const idl_type *t)
{
    if (t->kind == IDL_ENUM) {
        buf values = {0};
        annotation(b, indent, "org.vireo.Idl.Type", t->en->name);
        buf_add(&values, "");
        for (size_t k = 0; k < t->en->n_consts; k++)
            buf_printf(&values, "%s%s=%lld", k ? "," : "", t->en->consts[k].name,
                       (long long)t->en->consts[k].value);
        annotation(b, indent, "org.vireo.Idl.Enum", values.s);
        buf_free(&values);
    } else if (t->kind == IDL_IFACE || t->kind == IDL_UUID) {
        annotation(b, indent, "org.vireo.Idl.Type", t->name);
    }
}

static void args(buf *b, const idl_param *p, size_t n, bool method)
{
    for (size_t i = 0; i < n; i++) {
        char *sig = gen_signature(&p[i].type);
        buf_printf(b, "      <arg name=\"%s\" type=\"%s\"", p[i].name, sig);
        if (method)
            buf_printf(b, " direction=\"%s\"", p[i].dir == IDL_DIR_IN ? "in" : "out");
        buf_add(b, ">\n");
        doc(b, "        ", p[i].desc, 0);
        type_annotations(b, "        ", &p[i].type);
        buf_add(b, "      </arg>\n");
        free(sig);
    }
}

void gen_introspection(const gen_ctx *g, const idl_iface *it, buf *b)
{
    char *dbus = gen_dbus_iface(g, it);

    buf_printf(b, "  <interface name=\"%s\">\n", dbus);
    doc(b, "    ", it->desc, it->since);
    annotation(b, "    ", "org.vireo.Idl.Interface", it->name);
    annotation(b, "    ", "org.vireo.Idl.Uuid", it->uuid);
    for (size_t k = 0; k < it->n_methods; k++) {
        const idl_method *m = &it->methods[k];
        char *p = name_pascal(m->name);
        buf_printf(b, "    <method name=\"%s\">\n", p);
        doc(b, "      ", m->desc, m->since);
        for (size_t r = 0; r < m->n_raises; r++) {
            char *e = xasprintf("%s.Error.%s", g->lib->bus, m->raises[r]);
            annotation(b, "      ", "org.vireo.Idl.Raises", e);
            free(e);
        }
        args(b, m->params, m->n_params, true);
        buf_add(b, "    </method>\n");
        free(p);
    }
    for (size_t k = 0; k < it->n_attrs; k++) {
        const idl_attr *a = &it->attrs[k];
        char *p = name_pascal(a->name), *sig = gen_signature(&a->type);
        buf_printf(b, "    <property name=\"%s\" type=\"%s\" access=\"%s\">\n", p, sig,
                   a->readonly ? "read" : "readwrite");
        doc(b, "      ", a->desc, a->since);
        type_annotations(b, "      ", &a->type);
        buf_add(b, "    </property>\n");
        free(p);
        free(sig);
    }
    for (size_t k = 0; k < it->n_events; k++) {
        const idl_event *e = &it->events[k];
        char *p = name_pascal(e->name);
        buf_printf(b, "    <signal name=\"%s\">\n", p);
        doc(b, "      ", e->desc, e->since);
        args(b, e->params, e->n_params, false);
        buf_add(b, "    </signal>\n");
        free(p);
    }
    buf_add(b, "  </interface>\n");
    free(dbus);
}

void gen_xml(const gen_ctx *g, buf *b)
{
    buf_add(b, "<!DOCTYPE node PUBLIC \"-//freedesktop//DTD D-BUS Object Introspection 1.0//EN\"\n"
               " \"http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd\">\n");
    gen_banner(b, g, "<!--", " -->");
    buf_add(b, "<node>\n");
    for (size_t i = 0; i < g->lib->n_ifaces; i++)
        gen_introspection(g, &g->lib->ifaces[i], b);
    buf_add(b, "</node>\n");
}
