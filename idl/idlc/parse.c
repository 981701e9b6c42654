/* Reading the IDL file into the model (libxml2). Structural problems — unknown elements or
 * attributes, missing names, malformed numbers, missing <desc> — are diagnosed here; rules
 * that need the whole file (types, uniqueness) are in check.c. */
#include <ctype.h>
#include <errno.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>

#include "idl/idlc/model.h"
#include "idl/idlc/util.h"

static int line_of(xmlNode *n)
{
    return (int)xmlGetLineNo(n);
}

static bool is_elem(xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static char *attr(xmlNode *n, const char *name)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
    char *s;

    if (!v)
        return NULL;
    s = xstrdup((const char *)v);
    xmlFree(v);
    return s;
}

/* Diagnose attributes not in `allowed` (a NULL-terminated list). */
static void check_attrs(xmlNode *n, const char *const *allowed)
{
    for (xmlAttr *a = n->properties; a; a = a->next) {
        bool ok = false;
        for (const char *const *p = allowed; *p && !ok; p++)
            ok = strcmp(*p, (const char *)a->name) == 0;
        if (!ok)
            idl_diag(line_of(n), "<%s>: unknown attribute '%s'", n->name, a->name);
    }
}

static char *required(xmlNode *n, const char *name)
{
    char *v = attr(n, name);

    if (!v || !*v)
        idl_diag(line_of(n), "<%s>: missing attribute '%s'", n->name, name);
    return v;
}

/* Text of a <desc>, whitespace collapsed. */
static char *desc_text(xmlNode *d)
{
    xmlChar *raw = xmlNodeGetContent(d);
    const char *s = raw ? (const char *)raw : "";
    char *out = xmalloc(strlen(s) + 1), *o = out;
    bool space = false;

    for (; *s; s++) {
        if (isspace((unsigned char)*s)) {
            space = o > out;
            continue;
        }
        if (space)
            *o++ = ' ';
        space = false;
        *o++ = *s;
    }
    *o = '\0';
    xmlFree(raw);
    return out;
}

/* The element's <desc>; diagnoses a missing, empty or repeated one. */
static char *desc_of(xmlNode *n, const char *what, const char *name)
{
    char *d = NULL;

    for (xmlNode *c = n->children; c; c = c->next) {
        if (!is_elem(c, "desc"))
            continue;
        if (d) {
            idl_diag(line_of(c), "%s '%s' has more than one <desc>", what, name ? name : "");
            continue;
        }
        d = desc_text(c);
    }
    if (!d || !*d)
        idl_diag(line_of(n), "%s '%s' has no <desc>", what, name ? name : "");
    return d;
}

static void unknown_child(xmlNode *c, const char *parent)
{
    idl_diag(line_of(c), "<%s> is not allowed in <%s>", c->name, parent);
}

static bool parse_yesno(xmlNode *n, const char *name, bool dflt)
{
    char *v = attr(n, name);
    bool r = dflt;

    if (!v)
        return dflt;
    if (strcmp(v, "yes") == 0)
        r = true;
    else if (strcmp(v, "no") == 0)
        r = false;
    else
        idl_diag(line_of(n), "<%s>: %s must be \"yes\" or \"no\", not \"%s\"", n->name, name, v);
    free(v);
    return r;
}

static bool parse_int(const char *s, int64_t lo, int64_t hi, int64_t *ret)
{
    char *end;
    long long v;

    if (!s || !*s)
        return false;
    errno = 0;
    if (s[0] == '-')
        v = strtoll(s, &end, 0);
    else
        v = (long long)strtoull(s, &end, 0);
    if (errno || *end || v < lo || v > hi)
        return false;
    *ret = v;
    return true;
}

static int parse_since(xmlNode *n, int parent)
{
    char *v = attr(n, "since");
    int64_t x;

    if (!v)
        return parent;
    if (!parse_int(v, 1, 1000000, &x)) {
        idl_diag(line_of(n), "<%s>: since must be a positive integer, not \"%s\"", n->name, v);
        x = parent;
    }
    free(v);
    return (int)x;
}

static void parse_type(xmlNode *n, idl_type *t)
{
    t->name = required(n, "type");
    t->array = parse_yesno(n, "array", false);
}

static void parse_param(xmlNode *n, idl_param *p, bool event)
{
    static const char *const allowed[] = {"name", "type", "dir", "array", NULL};
    char *dir;

    check_attrs(n, allowed);
    p->line = line_of(n);
    p->name = required(n, "name");
    parse_type(n, &p->type);
    dir = attr(n, "dir");
    p->dir = event ? IDL_DIR_OUT : IDL_DIR_IN;
    if (!dir && !event)
        idl_diag(p->line, "param '%s' has no dir (in, out or return)", p->name ? p->name : "");
    else if (dir && event && strcmp(dir, "out") != 0)
        idl_diag(p->line, "event param '%s': dir must be absent or \"out\", not \"%s\"",
                 p->name ? p->name : "", dir);
    else if (dir && !event) {
        if (strcmp(dir, "in") == 0)
            p->dir = IDL_DIR_IN;
        else if (strcmp(dir, "out") == 0)
            p->dir = IDL_DIR_OUT;
        else if (strcmp(dir, "return") == 0)
            p->dir = IDL_DIR_RETURN;
        else
            idl_diag(p->line, "param '%s': dir must be in, out or return, not \"%s\"",
                     p->name ? p->name : "", dir);
    }
    free(dir);
    p->desc = desc_of(n, "param", p->name);
    for (xmlNode *c = n->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && !is_elem(c, "desc"))
            unknown_child(c, "param");
}

static void parse_attribute(xmlNode *n, idl_attr *a, int since)
{
    static const char *const allowed[] = {"name", "type", "array", "readonly", "since", NULL};

    check_attrs(n, allowed);
    a->line = line_of(n);
    a->name = required(n, "name");
    parse_type(n, &a->type);
    a->readonly = parse_yesno(n, "readonly", false);
    a->since = parse_since(n, since);
    a->desc = desc_of(n, "attribute", a->name);
    for (xmlNode *c = n->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && !is_elem(c, "desc"))
            unknown_child(c, "attribute");
}

static void parse_method(xmlNode *n, idl_method *m, int since)
{
    static const char *const allowed[] = {"name", "since", NULL};

    check_attrs(n, allowed);
    m->line = line_of(n);
    m->name = required(n, "name");
    m->since = parse_since(n, since);
    m->desc = desc_of(n, "method", m->name);
    for (xmlNode *c = n->children; c; c = c->next) {
        if (is_elem(c, "param")) {
            parse_param(c, VEC_PUSH(m->params, m->n_params), false);
        } else if (is_elem(c, "raises")) {
            static const char *const ra[] = {"name", NULL};
            char *r = required(c, "name");
            check_attrs(c, ra);
            if (r)
                *VEC_PUSH(m->raises, m->n_raises) = r;
        } else if (c->type == XML_ELEMENT_NODE && !is_elem(c, "desc")) {
            unknown_child(c, "method");
        }
    }
}

static void parse_event(xmlNode *n, idl_event *e, int since)
{
    static const char *const allowed[] = {"name", "since", NULL};

    check_attrs(n, allowed);
    e->line = line_of(n);
    e->name = required(n, "name");
    e->since = parse_since(n, since);
    e->desc = desc_of(n, "event", e->name);
    for (xmlNode *c = n->children; c; c = c->next) {
        if (is_elem(c, "param"))
            parse_param(c, VEC_PUSH(e->params, e->n_params), true);
        else if (c->type == XML_ELEMENT_NODE && !is_elem(c, "desc"))
            unknown_child(c, "event");
    }
}

static void parse_interface(xmlNode *n, idl_iface *i, int since)
{
    static const char *const allowed[] = {"name",      "uuid",  "extends", "path",
                                          "singleton", "since", NULL};

    check_attrs(n, allowed);
    i->line = line_of(n);
    i->name = required(n, "name");
    i->uuid = attr(n, "uuid");
    i->extends = attr(n, "extends");
    i->path = attr(n, "path");
    i->singleton = parse_yesno(n, "singleton", false);
    i->since = parse_since(n, since);
    i->desc = desc_of(n, "interface", i->name);
    for (xmlNode *c = n->children; c; c = c->next) {
        if (is_elem(c, "attribute"))
            parse_attribute(c, VEC_PUSH(i->attrs, i->n_attrs), i->since);
        else if (is_elem(c, "method"))
            parse_method(c, VEC_PUSH(i->methods, i->n_methods), i->since);
        else if (is_elem(c, "event"))
            parse_event(c, VEC_PUSH(i->events, i->n_events), i->since);
        else if (c->type == XML_ELEMENT_NODE && !is_elem(c, "desc"))
            unknown_child(c, "interface");
    }
}

static void parse_const(xmlNode *n, idl_const *k)
{
    static const char *const allowed[] = {"name", "value", "since", NULL};
    char *v;

    check_attrs(n, allowed);
    k->line = line_of(n);
    k->name = required(n, "name");
    v = required(n, "value");
    if (v && !parse_int(v, 0, UINT32_MAX, &k->value))
        idl_diag(k->line, "const '%s': value \"%s\" is not an integer in 0..4294967295",
                 k->name ? k->name : "", v);
    free(v);
    k->desc = desc_of(n, "const", k->name);
}

static void parse_enum(xmlNode *n, idl_enum *e, int since)
{
    static const char *const allowed[] = {"name", "uuid", "since", NULL};

    check_attrs(n, allowed);
    e->line = line_of(n);
    e->name = required(n, "name");
    e->uuid = attr(n, "uuid");
    e->since = parse_since(n, since);
    e->desc = desc_of(n, "enum", e->name);
    for (xmlNode *c = n->children; c; c = c->next) {
        if (is_elem(c, "const"))
            parse_const(c, VEC_PUSH(e->consts, e->n_consts));
        else if (c->type == XML_ELEMENT_NODE && !is_elem(c, "desc"))
            unknown_child(c, "enum");
    }
    if (e->n_consts == 0)
        idl_diag(e->line, "enum '%s' has no <const>", e->name ? e->name : "");
}

static void parse_result(xmlNode *n, idl_result *r, int since)
{
    static const char *const allowed[] = {"name", "value", "since", NULL};
    char *v;
    int64_t x = 0;

    check_attrs(n, allowed);
    r->line = line_of(n);
    r->name = required(n, "name");
    v = required(n, "value");
    if (v && !parse_int(v, 0, UINT32_MAX, &x))
        idl_diag(r->line, "result '%s': value \"%s\" is not an integer in 0..0xffffffff",
                 r->name ? r->name : "", v);
    r->value = (uint32_t)x;
    free(v);
    r->since = parse_since(n, since);
    r->desc = desc_of(n, "result", r->name);
}

static void parse_library(xmlNode *n, idl_library *lib)
{
    static const char *const allowed[] = {"name", "bus", "path", "version", "since", NULL};
    char *v;
    int64_t x = 1;

    check_attrs(n, allowed);
    lib->line = line_of(n);
    lib->name = required(n, "name");
    lib->bus = required(n, "bus");
    lib->path = required(n, "path");
    v = attr(n, "version");
    if (v && !parse_int(v, 1, 1000, &x))
        idl_diag(lib->line, "library version \"%s\" is not a positive integer", v);
    lib->version = (int)x;
    free(v);
    lib->desc = desc_of(n, "library", lib->name);
    for (xmlNode *c = n->children; c; c = c->next) {
        if (is_elem(c, "result"))
            parse_result(c, VEC_PUSH(lib->results, lib->n_results), 1);
        else if (is_elem(c, "enum"))
            parse_enum(c, VEC_PUSH(lib->enums, lib->n_enums), 1);
        else if (is_elem(c, "interface"))
            parse_interface(c, VEC_PUSH(lib->ifaces, lib->n_ifaces), 1);
        else if (c->type == XML_ELEMENT_NODE && !is_elem(c, "desc"))
            unknown_child(c, "library");
    }
}

static void xml_error(void *ctx, const xmlError *e)
{
    char *msg = xstrdup(e->message ? e->message : "XML error");
    size_t n = strlen(msg);

    while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        msg[--n] = '\0';
    idl_diag(e->line, "%s", msg);
    free(msg);
}

idl_library *idl_parse(const char *file)
{
    xmlDoc *doc;
    xmlNode *root;
    idl_library *lib;
    int n_libs = 0;

    xmlSetStructuredErrorFunc(NULL, (xmlStructuredErrorFunc)xml_error);
    doc = xmlReadFile(file, NULL, XML_PARSE_NONET);
    if (!doc)
        return NULL;
    lib = xcalloc(1, sizeof(*lib));
    lib->file = xstrdup(file);
    root = xmlDocGetRootElement(doc);
    if (!root || !is_elem(root, "idl")) {
        idl_diag(root ? line_of(root) : 1, "the root element must be <idl>");
    } else {
        for (xmlNode *c = root->children; c; c = c->next) {
            if (is_elem(c, "library")) {
                if (n_libs++)
                    idl_diag(line_of(c), "only one <library> per file");
                else
                    parse_library(c, lib);
            } else if (c->type == XML_ELEMENT_NODE) {
                unknown_child(c, "idl");
            }
        }
        if (!n_libs)
            idl_diag(line_of(root), "no <library> in <idl>");
    }
    xmlFreeDoc(doc);
    return lib;
}

static void free_params(idl_param *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(p[i].name);
        free(p[i].type.name);
        free(p[i].desc);
    }
    free(p);
}

static void free_iface(idl_iface *i)
{
    for (size_t k = 0; k < i->n_attrs; k++) {
        free(i->attrs[k].name);
        free(i->attrs[k].type.name);
        free(i->attrs[k].desc);
    }
    for (size_t k = 0; k < i->n_methods; k++) {
        idl_method *m = &i->methods[k];
        free(m->name);
        free(m->desc);
        free_params(m->params, m->n_params);
        for (size_t r = 0; r < m->n_raises; r++)
            free(m->raises[r]);
        free(m->raises);
    }
    for (size_t k = 0; k < i->n_events; k++) {
        free(i->events[k].name);
        free(i->events[k].desc);
        free_params(i->events[k].params, i->events[k].n_params);
    }
    free(i->attrs);
    free(i->methods);
    free(i->events);
    free(i->name);
    free(i->uuid);
    free(i->extends);
    free(i->path);
    free(i->desc);
}

void idl_library_free(idl_library *lib)
{
    if (!lib)
        return;
    for (size_t i = 0; i < lib->n_results; i++) {
        free(lib->results[i].name);
        free(lib->results[i].desc);
    }
    for (size_t i = 0; i < lib->n_enums; i++) {
        idl_enum *e = &lib->enums[i];
        for (size_t k = 0; k < e->n_consts; k++) {
            free(e->consts[k].name);
            free(e->consts[k].desc);
        }
        free(e->consts);
        free(e->name);
        free(e->uuid);
        free(e->desc);
    }
    for (size_t i = 0; i < lib->n_ifaces; i++)
        free_iface(&lib->ifaces[i]);
    free(lib->results);
    free(lib->enums);
    free(lib->ifaces);
    free(lib->file);
    free(lib->name);
    free(lib->bus);
    free(lib->path);
    free(lib->desc);
    free(lib);
}
