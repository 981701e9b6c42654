/* Statement builders shared by the skeleton and proxy generators (see gen.h). Decoded values
 * live in locals of their storage type (enums as uint32_t) until handed on. */
#include <stdlib.h>

#include "idl/idlc/gen.h"

void gen_local(const gen_ctx *g, buf *b, const idl_type *t, const char *cname)
{
    if (t->array) {
        const char *et = t->kind == IDL_ENUM ? "uint32_t" : NULL;
        char *ct = et ? xstrdup(et) : gen_ctype(g, t);
        buf_printf(b, "    %s%s*%s = NULL;\n    size_t n_%s = 0;\n", ct,
                   gen_is_stringish(t) ? "" : " ", cname, cname);
        free(ct);
        return;
    }
    switch (t->kind) {
    case IDL_BOOLEAN: buf_printf(b, "    bool %s = false;\n", cname); break;
    case IDL_FD: buf_printf(b, "    int %s = -1;\n", cname); break;
    case IDL_ENUM: buf_printf(b, "    uint32_t %s = 0;\n", cname); break;
    case IDL_STRING:
    case IDL_UUID:
    case IDL_IFACE: buf_printf(b, "    char *%s = NULL;\n", cname); break;
    default: {
        char *ct = gen_ctype(g, t);
        buf_printf(b, "    %s %s = 0;\n", ct, cname);
        free(ct);
    }
    }
}

void gen_read(buf *b, const char *iter, const idl_type *t, const char *cname, const char *errp,
              bool variant)
{
    const char *v = variant ? "_variant" : "";

    if (t->array)
        buf_printf(
            b, "    if (r == 0)\n        r = vireo_marshal_read%s_array(%s, %s, &%s, &n_%s, %s);\n",
            v, iter, gen_vtype(t), cname, cname, errp);
    else
        buf_printf(b, "    if (r == 0)\n        r = vireo_marshal_read%s(%s, %s, &%s, %s);\n", v,
                   iter, gen_vtype(t), cname, errp);
}

void gen_check_enum(const gen_ctx *g, buf *b, const idl_type *t, const char *cname,
                    const char *what, const char *errp)
{
    char *et;

    if (t->kind != IDL_ENUM)
        return;
    et = gen_enum_type(g, t->en);
    if (t->array)
        buf_printf(b,
                   "    for (size_t i = 0; r == 0 && i < n_%s; i++)\n"
                   "        if (!%s_is_valid(%s[i]))\n"
                   "            r = vireo_error_invalid_arg(%s, \"%s: %%u is not a %s value\", "
                   "(unsigned)%s[i]);\n",
                   cname, et, cname, errp, what, t->en->name, cname);
    else
        buf_printf(b,
                   "    if (r == 0 && !%s_is_valid(%s))\n"
                   "        r = vireo_error_invalid_arg(%s, \"%s: %%u is not a %s value\", "
                   "(unsigned)%s);\n",
                   et, cname, errp, what, t->en->name, cname);
    free(et);
}

void gen_free_local(buf *b, const idl_type *t, const char *cname)
{
    if (t->array)
        buf_printf(b, "    vireo_marshal_free_array(%s, %s, n_%s);\n", gen_vtype(t), cname, cname);
    else if (gen_is_stringish(t) || t->kind == IDL_FD)
        buf_printf(b, "    vireo_marshal_free(%s, &%s);\n", gen_vtype(t), cname);
}

char *gen_pass(const gen_ctx *g, const idl_type *t, const char *cname)
{
    char *et, *s;

    if (t->array && gen_is_stringish(t))
        return xasprintf("(const char *const *)%s, n_%s", cname, cname);
    if (t->kind != IDL_ENUM)
        return gen_in_args(t, cname);
    et = gen_enum_type(g, t->en);
    s = t->array ? xasprintf("(const %s *)%s, n_%s", et, cname, cname)
                 : xasprintf("(%s)%s", et, cname);
    free(et);
    return s;
}

void gen_append(buf *b, const char *iter, const idl_type *t, const char *cname, bool variant)
{
    const char *v = variant ? "_variant" : "";

    if (t->array)
        buf_printf(b,
                   "    if (r == 0)\n        r = vireo_marshal_append%s_array(%s, %s, %s, n_%s);\n",
                   v, iter, gen_vtype(t), cname, cname);
    else if (t->kind == IDL_ENUM)
        buf_printf(b,
                   "    if (r == 0) {\n        uint32_t v_ = (uint32_t)%s;\n"
                   "        r = vireo_marshal_append%s(%s, VIREO_TYPE_UINT32, &v_);\n    }\n",
                   cname, v, iter);
    else
        buf_printf(b, "    if (r == 0)\n        r = vireo_marshal_append%s(%s, %s, &%s);\n", v,
                   iter, gen_vtype(t), cname);
}

void gen_hand_out(const gen_ctx *g, buf *b, const idl_type *t, const char *cname)
{
    char *et = t->kind == IDL_ENUM ? gen_enum_type(g, t->en) : NULL;

    if (t->array) {
        buf_printf(b, "    if (ret_%s) {\n        *ret_%s = %s%s%s%s;\n        *ret_n_%s = n_%s;\n",
                   cname, cname, et ? "(" : "", et ? et : "", et ? " *)" : "", cname, cname, cname);
        buf_printf(b, "    } else {\n        vireo_marshal_free_array(%s, %s, n_%s);\n    }\n",
                   gen_vtype(t), cname, cname);
    } else if (gen_is_stringish(t) || t->kind == IDL_FD) {
        buf_printf(b,
                   "    if (ret_%s)\n        *ret_%s = %s;\n    else\n"
                   "        vireo_marshal_free(%s, &%s);\n",
                   cname, cname, cname, gen_vtype(t), cname);
    } else {
        buf_printf(b, "    if (ret_%s)\n        *ret_%s = %s%s%s%s;\n", cname, cname, et ? "(" : "",
                   et ? et : "", et ? ")" : "", cname);
    }
    free(et);
}
