/* Object base and interface descriptions.
 *
 * An implementation object embeds `vireo_object` as its first member (or anywhere, with
 * container_of) and points it at a `vireo_object_class`: the list of interfaces it
 * implements, each an interface description generated from the IDL plus the implementer's
 * function table ("ops", also a generated struct type). QueryInterface looks up the ops table
 * by interface id (the IDL uuid).
 *
 * Lifetime: vireo_object_init() sets one reference; vireo_object_unref() calls the class's
 * destroy() when the count drops to zero. The count is atomic: references may be taken and
 * dropped on any thread (dispatch itself runs on the thread of the bus's main loop). */
#ifndef VIREO_COMPONENT_OBJECT_H
#define VIREO_COMPONENT_OBJECT_H

#include <dbus/dbus.h>
#include <stdatomic.h>
#include <stdint.h>

#include "component/error.h"

typedef struct vireo_call vireo_call;
typedef struct vireo_object vireo_object;

enum vireo_member_kind {
    VIREO_MEMBER_METHOD,
    VIREO_MEMBER_PROPERTY,
    VIREO_MEMBER_SIGNAL,
};

#define VIREO_MEMBER_WRITABLE   0x1u /* property has a setter */
#define VIREO_MEMBER_DEPRECATED 0x2u

/* Every generated method handler has this signature: decode the arguments of `call`, call the
 * implementation in `ops`, and (on failure) reply with an error. Returns 0 or a negative errno. */
typedef int (*vireo_method_fn)(vireo_call *call, vireo_object *self, const void *ops);
/* Property getter: append the value as a variant to `it`. */
typedef int (*vireo_get_fn)(DBusMessageIter *it, vireo_object *self, const void *ops,
                            vireo_error **errp);
/* Property setter: read the variant at `it` and store it. */
typedef int (*vireo_set_fn)(DBusMessageIter *it, vireo_object *self, const void *ops,
                            vireo_error **errp);

/* One row of a generated interface table (sd-bus style vtable). */
typedef struct vireo_member {
    const char *name;          /* D-Bus member name, "TakeSnapshot" */
    uint8_t kind;              /* enum vireo_member_kind */
    uint8_t flags;             /* VIREO_MEMBER_* */
    const char *signature;     /* method: input; property: value; signal: arguments */
    const char *out_signature; /* method: reply */
    vireo_method_fn method;
    vireo_get_fn get;
    vireo_set_fn set;
} vireo_member;

typedef struct vireo_library_info {
    const char *name; /* IDL library name, "Vireo" */
    const char *bus;  /* well-known bus name, "org.vireo.Vireo1" */
    const char *path; /* root object path, "/org/vireo/Vireo1" */
    const vireo_result_info *results;
    unsigned n_results;
} vireo_library_info;

typedef struct vireo_interface_info {
    const char *name;     /* D-Bus interface, "org.vireo.Vireo1.Machine" */
    const char *idl_name; /* "IMachine" */
    const char *iid;      /* interface id (uuid) */
    const vireo_member *members;
    unsigned n_members;
    const char *introspection; /* "<interface name=...>...</interface>" with doc annotations */
    const vireo_library_info *library;
} vireo_interface_info;

typedef struct vireo_object_iface {
    const vireo_interface_info *info;
    const void *ops; /* the generated <prefix>_ops struct the implementation filled */
} vireo_object_iface;

typedef struct vireo_object_class {
    const char *name; /* for messages */
    const vireo_object_iface *ifaces;
    unsigned n_ifaces;
    void (*destroy)(vireo_object *obj); /* frees the containing struct; may be NULL */
} vireo_object_class;

struct vireo_object {
    atomic_uint refs;
    const vireo_object_class *klass;
};

void vireo_object_init(vireo_object *obj, const vireo_object_class *klass);
vireo_object *vireo_object_ref(vireo_object *obj);   /* returns obj; accepts NULL */
vireo_object *vireo_object_unref(vireo_object *obj); /* returns NULL; accepts NULL */
static inline void vireo_object_unrefp(vireo_object **p)
{
    vireo_object_unref(*p);
}

/* QueryInterface: the ops table for interface id `iid`, or NULL if not implemented. */
const void *vireo_object_query_interface(const vireo_object *obj, const char *iid);
/* The implemented interface with D-Bus name `name`, or NULL. */
const vireo_object_iface *vireo_object_find_iface(const vireo_object *obj, const char *name);
/* Find a member by kind and name in one interface; NULL if absent. */
const vireo_member *vireo_interface_find_member(const vireo_interface_info *info, int kind,
                                                const char *name);

#endif
