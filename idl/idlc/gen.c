/* Naming formula and type mapping (see gen.h and docs/api-mapping.md). */
#include "idl/idlc/gen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *gen_iface_prefix(const gen_ctx *g, const idl_iface *it)
{
    char *stem = name_snake(name_iface_stem(it->name));
    char *p = xasprintf("%s_%s", g->prefix, stem);
    free(stem);
    return p;
}

char *gen_iface_upper(const gen_ctx *g, const idl_iface *it)
{
    char *stem = name_upper(name_iface_stem(it->name));
    char *p = xasprintf("%s_%s", g->upper, stem);
    free(stem);
    return p;
}

char *gen_enum_type(const gen_ctx *g, const idl_enum *e)
{
    char *stem = name_snake(e->name);
    char *p = xasprintf("%s_%s", g->prefix, stem);
    free(stem);
    return p;
}

char *gen_dbus_iface(const gen_ctx *g, const idl_iface *it)
{
    return xasprintf("%s.%s", g->lib->bus, name_iface_stem(it->name));
}

static const char *const reserved[] = {
    "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum",
    "extern", "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict",
    "return", "short", "signed", "sizeof", "static", "struct", "switch", "typedef", "union",
    "unsigned", "void", "volatile", "while", "bool", "true", "false",
    /* names the generated signatures and bodies use */
    "call", "proxy", "self", "errp", "bus", "object_path", "userdata", "fn", "reply", "ops", "msg",
    "it", "r", "err", NULL};

char *gen_param_name(const char *idl_name)
{
    char *s = name_snake(idl_name);

    for (const char *const *k = reserved; *k; k++)
        if (strcmp(s, *k) == 0) {
            char *t = xasprintf("%s_", s);
            free(s);
            return t;
        }
    return s;
}

const char *gen_vtype(const idl_type *t)
{
    switch (t->kind) {
    case IDL_BOOLEAN: return "VIREO_TYPE_BOOLEAN";
    case IDL_OCTET: return "VIREO_TYPE_OCTET";
    case IDL_SHORT: return "VIREO_TYPE_INT16";
    case IDL_USHORT: return "VIREO_TYPE_UINT16";
    case IDL_LONG: return "VIREO_TYPE_INT32";
    case IDL_ULONG: return "VIREO_TYPE_UINT32";
    case IDL_LONGLONG: return "VIREO_TYPE_INT64";
    case IDL_ULONGLONG: return "VIREO_TYPE_UINT64";
    case IDL_DOUBLE: return "VIREO_TYPE_DOUBLE";
    case IDL_STRING: return "VIREO_TYPE_STRING";
    case IDL_UUID: return "VIREO_TYPE_UUID";
    case IDL_FD: return "VIREO_TYPE_FD";
    case IDL_ENUM: return "VIREO_TYPE_UINT32";
    case IDL_IFACE: return "VIREO_TYPE_OBJECT";
    }
    return "?";
}

static char dbus_char(idl_kind k)
{
    static const char map[] = {
        [IDL_BOOLEAN] = 'b', [IDL_OCTET] = 'y',  [IDL_SHORT] = 'n',    [IDL_USHORT] = 'q',
        [IDL_LONG] = 'i',    [IDL_ULONG] = 'u',  [IDL_LONGLONG] = 'x', [IDL_ULONGLONG] = 't',
        [IDL_DOUBLE] = 'd',  [IDL_STRING] = 's', [IDL_UUID] = 's',     [IDL_FD] = 'h',
        [IDL_ENUM] = 'u',    [IDL_IFACE] = 'o',
    };
    return map[k];
}

char *gen_signature(const idl_type *t)
{
    return t->array ? xasprintf("a%c", dbus_char(t->kind)) : xasprintf("%c", dbus_char(t->kind));
}

bool gen_is_stringish(const idl_type *t)
{
    return t->kind == IDL_STRING || t->kind == IDL_UUID || t->kind == IDL_IFACE;
}

char *gen_ctype(const gen_ctx *g, const idl_type *t)
{
    switch (t->kind) {
    case IDL_BOOLEAN: return xstrdup("bool");
    case IDL_OCTET: return xstrdup("uint8_t");
    case IDL_SHORT: return xstrdup("int16_t");
    case IDL_USHORT: return xstrdup("uint16_t");
    case IDL_LONG: return xstrdup("int32_t");
    case IDL_ULONG: return xstrdup("uint32_t");
    case IDL_LONGLONG: return xstrdup("int64_t");
    case IDL_ULONGLONG: return xstrdup("uint64_t");
    case IDL_DOUBLE: return xstrdup("double");
    case IDL_FD: return xstrdup("int");
    case IDL_ENUM: return gen_enum_type(g, t->en);
    default: return xstrdup("char *");
    }
}

char *gen_in_decl(const gen_ctx *g, const idl_type *t, const char *cname)
{
    char *ct = gen_ctype(g, t), *d;

    if (gen_is_stringish(t))
        d = t->array ? xasprintf("const char *const *%s, size_t n_%s", cname, cname)
                     : xasprintf("const char *%s", cname);
    else
        d = t->array ? xasprintf("const %s *%s, size_t n_%s", ct, cname, cname)
                     : xasprintf("%s %s", ct, cname);
    free(ct);
    return d;
}

char *gen_out_decl(const gen_ctx *g, const idl_type *t, const char *cname)
{
    char *ct = gen_ctype(g, t), *d;
    const char *sp = gen_is_stringish(t) ? "" : " ";

    d = t->array ? xasprintf("%s%s**ret_%s, size_t *ret_n_%s", ct, sp, cname, cname)
                 : xasprintf("%s%s*ret_%s", ct, sp, cname);
    free(ct);
    return d;
}

char *gen_in_args(const idl_type *t, const char *cname)
{
    return t->array ? xasprintf("%s, n_%s", cname, cname) : xstrdup(cname);
}

char *gen_params_signature(const idl_param *p, size_t n, bool in)
{
    buf b = {0};

    buf_add(&b, "");
    for (size_t i = 0; i < n; i++)
        if ((p[i].dir == IDL_DIR_IN) == in) {
            char *s = gen_signature(&p[i].type);
            buf_add(&b, s);
            free(s);
        }
    return b.s;
}

char *gen_xml_escape(const char *s)
{
    buf b = {0};

    buf_add(&b, "");
    for (; s && *s; s++) {
        switch (*s) {
        case '<': buf_add(&b, "&lt;"); break;
        case '>': buf_add(&b, "&gt;"); break;
        case '&': buf_add(&b, "&amp;"); break;
        case '"': buf_add(&b, "&quot;"); break;
        default: {
            char c[2] = {*s, 0};
            buf_add(&b, c);
        }
        }
    }
    return b.s;
}

void gen_c_string(buf *b, const char *s)
{
    buf_add(b, "\"");
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            buf_printf(b, "\\%c", *s);
        else if (*s == '\n')
            buf_add(b, *(s + 1) ? "\\n\"\n    \"" : "\\n");
        else if ((unsigned char)*s < 0x20)
            buf_printf(b, "\\%03o", (unsigned char)*s);
        else {
            char c[2] = {*s, 0};
            buf_add(b, c);
        }
    }
    buf_add(b, "\"");
}

void gen_banner(buf *b, const gen_ctx *g, const char *open, const char *close)
{
    buf_printf(b, "%s Generated from %s by vireo-idlc. Do not edit: edit the IDL.%s\n", open,
               g->idl_base, close);
}
