/* The rules of docs/idl.md that need the whole file: types resolve, names and uuids are
 * unique and well formed, parameter directions are sound, generated C names do not clash. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idl/idlc/model.h"
#include "idl/idlc/util.h"

static const struct {
    const char *name;
    idl_kind kind;
} builtin_types[] = {
    {"boolean", IDL_BOOLEAN},    {"octet", IDL_OCTET},
    {"short", IDL_SHORT},        {"unsigned short", IDL_USHORT},
    {"long", IDL_LONG},          {"unsigned long", IDL_ULONG},
    {"long long", IDL_LONGLONG}, {"unsigned long long", IDL_ULONGLONG},
    {"double", IDL_DOUBLE},      {"string", IDL_STRING},
    {"uuid", IDL_UUID},          {"fd", IDL_FD},
};

static bool is_ident(const char *s)
{
    if (!s || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_')
            return false;
    return true;
}

static bool uuid_ok(const char *s)
{
    if (!s || strlen(s) != 36)
        return false;
    for (int i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
            return false;
    }
    return true;
}

/* A set of names seen in one scope, with the line of the first. */
typedef struct scope {
    char **names;
    int *lines;
    size_t n;
} scope;

static void scope_add(scope *sc, const char *name, int line, const char *what)
{
    if (!name)
        return;
    for (size_t i = 0; i < sc->n; i++)
        if (strcmp(sc->names[i], name) == 0) {
            idl_diag(line, "%s '%s' is already defined at line %d", what, name, sc->lines[i]);
            return;
        }
    sc->names = xrealloc(sc->names, (sc->n + 1) * sizeof(*sc->names));
    sc->lines = xrealloc(sc->lines, (sc->n + 1) * sizeof(*sc->lines));
    sc->names[sc->n] = xstrdup(name);
    sc->lines[sc->n++] = line;
}

/* Names to add to a scope in document order, so "already defined" points at the earlier one
 * whatever kind of element each is. */
typedef struct pending {
    const char *name;
    int line;
    const char *what;
} pending;

static int pending_cmp(const void *a, const void *b)
{
    const pending *x = a, *y = b;
    return (x->line > y->line) - (x->line < y->line);
}

static void scope_add_sorted(scope *sc, pending *p, size_t n)
{
    if (n > 1) /* qsort's array argument must not be NULL, even for a count of 0 */
        qsort(p, n, sizeof(*p), pending_cmp);
    for (size_t i = 0; i < n; i++)
        scope_add(sc, p[i].name, p[i].line, p[i].what);
}

static void scope_free(scope *sc)
{
    for (size_t i = 0; i < sc->n; i++)
        free(sc->names[i]);
    free(sc->names);
    free(sc->lines);
    *sc = (scope){0};
}

static void check_name(const char *name, int line, const char *what)
{
    if (name && !is_ident(name))
        idl_diag(line, "%s name '%s' is not an identifier", what, name);
}

static void resolve_type(idl_library *lib, idl_type *t, int line)
{
    if (!t->name)
        return;
    for (size_t i = 0; i < sizeof(builtin_types) / sizeof(builtin_types[0]); i++)
        if (strcmp(t->name, builtin_types[i].name) == 0) {
            t->kind = builtin_types[i].kind;
            return;
        }
    for (size_t i = 0; i < lib->n_enums; i++)
        if (lib->enums[i].name && strcmp(t->name, lib->enums[i].name) == 0) {
            t->kind = IDL_ENUM;
            t->en = &lib->enums[i];
            return;
        }
    for (size_t i = 0; i < lib->n_ifaces; i++)
        if (lib->ifaces[i].name && strcmp(t->name, lib->ifaces[i].name) == 0) {
            t->kind = IDL_IFACE;
            t->iface = &lib->ifaces[i];
            return;
        }
    idl_diag(line, "unknown type '%s'", t->name);
}

/* Uuids are checked for form here and collected; uniqueness is checked once all are known,
 * in document order. */
typedef struct uuid_set {
    pending *items;
    size_t n;
} uuid_set;

static void check_uuid(const char *uuid, int line, const char *what, const char *name, uuid_set *us)
{
    char *low;

    if (!uuid) {
        idl_diag(line, "%s '%s' has no uuid", what, name ? name : "");
        return;
    }
    if (!uuid_ok(uuid)) {
        idl_diag(line, "%s '%s': malformed uuid '%s'", what, name ? name : "", uuid);
        return;
    }
    low = xstrdup(uuid);
    for (char *c = low; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    *VEC_PUSH(us->items, us->n) = (pending){low, line, "uuid"};
}

static void check_params(idl_library *lib, idl_param *p, size_t n, const char *owner)
{
    scope names = {0};
    int returns = 0;

    for (size_t i = 0; i < n; i++) {
        check_name(p[i].name, p[i].line, "param");
        scope_add(&names, p[i].name, p[i].line, "param");
        resolve_type(lib, &p[i].type, p[i].line);
        if (p[i].dir == IDL_DIR_RETURN) {
            if (returns++)
                idl_diag(p[i].line, "%s has more than one return param", owner);
            else if (i + 1 != n)
                idl_diag(p[i].line, "the return param of %s must come last", owner);
        }
    }
    scope_free(&names);
}

static bool has_result(idl_library *lib, const char *name)
{
    for (size_t i = 0; i < lib->n_results; i++)
        if (lib->results[i].name && strcmp(lib->results[i].name, name) == 0)
            return true;
    return false;
}

/* Generated C names of an interface's members: <prefix>_call_<m>, _get_<a>, _notify_<a>,
 * _emit_<e>, _on_<e>, ... must all differ; so must the ops table members. */
static void check_c_names(idl_iface *it)
{
    scope fns = {0}, ops = {0};
    char *s, *n;

    for (size_t k = 0; k < it->n_attrs; k++) {
        if (!it->attrs[k].name)
            continue;
        s = name_snake(it->attrs[k].name);
        n = xasprintf("get_%s", s);
        scope_add(&fns, n, it->attrs[k].line, "generated function");
        scope_add(&ops, n, it->attrs[k].line, "ops member");
        free(n);
        n = xasprintf("notify_%s", s);
        scope_add(&fns, n, it->attrs[k].line, "generated function");
        free(n);
        if (!it->attrs[k].readonly) {
            n = xasprintf("set_%s", s);
            scope_add(&fns, n, it->attrs[k].line, "generated function");
            scope_add(&ops, n, it->attrs[k].line, "ops member");
            free(n);
        }
        free(s);
    }
    for (size_t k = 0; k < it->n_methods; k++) {
        const char *forms[] = {"call_%s", "call_%s_async", "call_%s_finish", "complete_%s"};
        if (!it->methods[k].name)
            continue;
        s = name_snake(it->methods[k].name);
        for (size_t f = 0; f < 4; f++) {
            n = xasprintf(forms[f], s);
            scope_add(&fns, n, it->methods[k].line, "generated function");
            free(n);
        }
        scope_add(&ops, s, it->methods[k].line, "ops member");
        free(s);
    }
    for (size_t k = 0; k < it->n_events; k++) {
        if (!it->events[k].name)
            continue;
        s = name_snake(it->events[k].name);
        n = xasprintf("emit_%s", s);
        scope_add(&fns, n, it->events[k].line, "generated function");
        free(n);
        n = xasprintf("on_%s", s);
        scope_add(&fns, n, it->events[k].line, "generated function");
        free(n);
        free(s);
    }
    scope_free(&fns);
    scope_free(&ops);
}

/* Generated names are <library>_<name>_...; the runtime (component/) owns these for its own
 * types, so an interface or enum whose snake-case name is one of them would clash. */
static void check_runtime_clash(const char *name, int line, const char *what)
{
    static const char *const taken[] = {
        "bus",          "call",    "error", "loop",   "source",    "object",  "proxy",
        "subscription", "marshal", "type",  "member", "interface", "library", "result",
        "path",         "strv",    "uuid",  "reply",  "method",    "signal",  NULL};
    char *snake;

    if (!name)
        return;
    snake = name_snake(strcmp(what, "interface") == 0 ? name_iface_stem(name) : name);
    for (const char *const *t = taken; *t; t++)
        if (strcmp(snake, *t) == 0)
            idl_diag(line, "%s name '%s' clashes with the runtime's vireo_%s", what, name, *t);
    free(snake);
}

static void check_iface(idl_library *lib, idl_iface *it, uuid_set *uuids)
{
    scope members = {0};

    check_name(it->name, it->line, "interface");
    check_runtime_clash(it->name, it->line, "interface");
    check_uuid(it->uuid, it->line, "interface", it->name, uuids);
    if (!it->extends)
        idl_diag(it->line, "interface '%s' has no extends (use \"$unknown\" for the root)",
                 it->name ? it->name : "");
    else if (strcmp(it->extends, "$unknown") != 0) {
        for (size_t i = 0; i < lib->n_ifaces; i++)
            if (lib->ifaces[i].name && strcmp(lib->ifaces[i].name, it->extends) == 0)
                it->parent = &lib->ifaces[i];
        if (!it->parent)
            idl_diag(it->line, "interface '%s' extends unknown interface '%s'",
                     it->name ? it->name : "", it->extends);
    }
    if (it->path && it->singleton)
        idl_diag(it->line,
                 "interface '%s' is a singleton (at the library path) and cannot "
                 "also have a path collection",
                 it->name ? it->name : "");
    if (it->path && !is_ident(it->path))
        idl_diag(it->line, "interface '%s': path '%s' is not an identifier",
                 it->name ? it->name : "", it->path);
    pending *names = xcalloc(it->n_attrs + it->n_methods + it->n_events + 1, sizeof(*names));
    size_t n_names = 0;

    for (size_t k = 0; k < it->n_attrs; k++) {
        check_name(it->attrs[k].name, it->attrs[k].line, "attribute");
        names[n_names++] = (pending){it->attrs[k].name, it->attrs[k].line, "member"};
        resolve_type(lib, &it->attrs[k].type, it->attrs[k].line);
    }
    for (size_t k = 0; k < it->n_methods; k++) {
        idl_method *m = &it->methods[k];
        check_name(m->name, m->line, "method");
        names[n_names++] = (pending){m->name, m->line, "member"};
        check_params(lib, m->params, m->n_params, m->name ? m->name : "method");
        for (size_t r = 0; r < m->n_raises; r++)
            if (!has_result(lib, m->raises[r]))
                idl_diag(m->line, "method '%s' raises unknown result '%s'", m->name ? m->name : "",
                         m->raises[r]);
    }
    for (size_t k = 0; k < it->n_events; k++) {
        check_name(it->events[k].name, it->events[k].line, "event");
        names[n_names++] = (pending){it->events[k].name, it->events[k].line, "member"};
        check_params(lib, it->events[k].params, it->events[k].n_params,
                     it->events[k].name ? it->events[k].name : "event");
    }
    scope_add_sorted(&members, names, n_names);
    free(names);
    scope_free(&members);
    check_c_names(it);
}

static void check_extends_cycles(idl_library *lib)
{
    for (size_t i = 0; i < lib->n_ifaces; i++) {
        idl_iface *p = lib->ifaces[i].parent;
        for (size_t depth = 0; p; p = p->parent, depth++)
            if (p == &lib->ifaces[i] || depth > lib->n_ifaces) {
                idl_diag(lib->ifaces[i].line,
                         "interface '%s' extends itself (directly or through others)",
                         lib->ifaces[i].name);
                lib->ifaces[i].parent = NULL;
                break;
            }
    }
}

static void check_enum(idl_enum *e, uuid_set *uuids)
{
    scope names = {0};

    check_name(e->name, e->line, "enum");
    check_runtime_clash(e->name, e->line, "enum");
    check_uuid(e->uuid, e->line, "enum", e->name, uuids);
    for (size_t k = 0; k < e->n_consts; k++) {
        check_name(e->consts[k].name, e->consts[k].line, "const");
        scope_add(&names, e->consts[k].name, e->consts[k].line, "const");
        for (size_t j = 0; j < k; j++)
            if (e->consts[j].value == e->consts[k].value) {
                idl_diag(e->consts[k].line, "const '%s' has the value %lld of '%s' (line %d)",
                         e->consts[k].name ? e->consts[k].name : "", (long long)e->consts[k].value,
                         e->consts[j].name ? e->consts[j].name : "", e->consts[j].line);
                break;
            }
    }
    scope_free(&names);
}

void idl_check(idl_library *lib)
{
    scope types = {0}, uuid_scope = {0}, results = {0}, codes = {0};
    uuid_set uuids = {0};

    check_name(lib->name, lib->line, "library");
    if (lib->bus && !strchr(lib->bus, '.'))
        idl_diag(lib->line, "library bus name '%s' is not a D-Bus name", lib->bus);
    if (lib->path && lib->path[0] != '/')
        idl_diag(lib->line, "library path '%s' is not an object path", lib->path);
    for (size_t i = 0; i < lib->n_results; i++) {
        char v[16];
        check_name(lib->results[i].name, lib->results[i].line, "result");
        scope_add(&results, lib->results[i].name, lib->results[i].line, "result");
        snprintf(v, sizeof(v), "0x%08x", lib->results[i].value);
        scope_add(&codes, v, lib->results[i].line, "result value");
    }
    for (size_t i = 0; i < lib->n_enums; i++) {
        scope_add(&types, lib->enums[i].name, lib->enums[i].line, "type");
        check_enum(&lib->enums[i], &uuids);
    }
    for (size_t i = 0; i < lib->n_ifaces; i++)
        scope_add(&types, lib->ifaces[i].name, lib->ifaces[i].line, "type");
    for (size_t i = 0; i < lib->n_ifaces; i++)
        check_iface(lib, &lib->ifaces[i], &uuids);
    check_extends_cycles(lib);
    scope_add_sorted(&uuid_scope, uuids.items, uuids.n);
    for (size_t i = 0; i < uuids.n; i++)
        free((char *)uuids.items[i].name);
    free(uuids.items);
    scope_free(&types);
    scope_free(&uuid_scope);
    scope_free(&results);
    scope_free(&codes);
}
