/* Code generation: the naming formula and C/D-Bus type mapping shared by the generators. */
#ifndef VIREO_IDLC_GEN_H
#define VIREO_IDLC_GEN_H

#include "idl/idlc/model.h"
#include "idl/idlc/util.h"

typedef struct gen_ctx {
    const idl_library *lib;
    const char *idl_base; /* "vireo.xidl", for banners */
    const char *name;     /* output base name: <name>.h, <name>-proxy.c ... */
    char *prefix;         /* "vireo" */
    char *upper;          /* "VIREO" */
} gen_ctx;

/* "vireo_machine" and "VIREO_MACHINE" for an interface or enum name. */
char *gen_iface_prefix(const gen_ctx *g, const idl_iface *it);
char *gen_iface_upper(const gen_ctx *g, const idl_iface *it);
char *gen_enum_type(const gen_ctx *g, const idl_enum *e);    /* vireo_machine_state */
char *gen_dbus_iface(const gen_ctx *g, const idl_iface *it); /* org.vireo.Vireo1.Machine */

/* A parameter's C identifier: snake case, suffixed with '_' if it is a C keyword or a
 * name the generated signatures use themselves. */
char *gen_param_name(const char *idl_name);

const char *gen_vtype(const idl_type *t);             /* "VIREO_TYPE_UINT32" */
char *gen_signature(const idl_type *t);               /* "u", "au" */
char *gen_ctype(const gen_ctx *g, const idl_type *t); /* element storage: "char *", "vireo_x" */
bool gen_is_stringish(const idl_type *t);             /* string, uuid, object reference */

/* Declarations: "const char *name" / "const uint32_t *name, size_t n_name" (inputs) and
 * "char **ret_name" / "uint32_t **ret_name, size_t *ret_n_name" (outputs). */
char *gen_in_decl(const gen_ctx *g, const idl_type *t, const char *cname);
char *gen_out_decl(const gen_ctx *g, const idl_type *t, const char *cname);
/* Argument list in calls: "name" / "name, n_name". */
char *gen_in_args(const idl_type *t, const char *cname);

/* Signature of all params with dir in (in=true) or out/return (in=false). */
char *gen_params_signature(const idl_param *p, size_t n, bool in);
/* The XML-escaped / C-string-escaped form of s. */
char *gen_xml_escape(const char *s);
void gen_c_string(buf *b, const char *s);
void gen_banner(buf *b, const gen_ctx *g, const char *open, const char *close);

void gen_header(const gen_ctx *g, buf *b);
void gen_common(const gen_ctx *g, buf *b);
void gen_skeleton(const gen_ctx *g, buf *b);
void gen_proxy(const gen_ctx *g, buf *b);
void gen_introspection(const gen_ctx *g, const idl_iface *it, buf *b);
void gen_xml(const gen_ctx *g, buf *b);
void gen_markdown(const gen_ctx *g, buf *b);

#endif

/* Statement builders for generated bodies (gen_code.c). Every statement is guarded by
 * "if (r == 0)" so a body is a flat list that stops at the first failure. */
void gen_local(const gen_ctx *g, buf *b, const idl_type *t, const char *cname);
void gen_read(buf *b, const char *iter, const idl_type *t, const char *cname, const char *errp,
              bool variant);
void gen_check_enum(const gen_ctx *g, buf *b, const idl_type *t, const char *cname,
                    const char *what, const char *errp);
void gen_free_local(buf *b, const idl_type *t, const char *cname);
char *gen_pass(const gen_ctx *g, const idl_type *t, const char *cname); /* as an in-arg */
void gen_append(buf *b, const char *iter, const idl_type *t, const char *cname, bool variant);
/* Move a decoded local into ret_<cname> (or free it if the caller passed NULL). */
void gen_hand_out(const gen_ctx *g, buf *b, const idl_type *t, const char *cname);
