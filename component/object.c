/* Object base: refcount and QueryInterface (see object.h). */
#include "component/object.h"

#include <string.h>

void vireo_object_init(vireo_object *obj, const vireo_object_class *klass)
{
    atomic_init(&obj->refs, 1);
    obj->klass = klass;
}

vireo_object *vireo_object_ref(vireo_object *obj)
{
    if (obj)
        atomic_fetch_add_explicit(&obj->refs, 1, memory_order_relaxed);
    return obj;
}

vireo_object *vireo_object_unref(vireo_object *obj)
{
    if (!obj)
        return NULL;
    /* acq_rel: the destroying thread must see every write made under other references. */
    if (atomic_fetch_sub_explicit(&obj->refs, 1, memory_order_acq_rel) == 1 && obj->klass->destroy)
        obj->klass->destroy(obj);
    return NULL;
}

const void *vireo_object_query_interface(const vireo_object *obj, const char *iid)
{
    if (!obj || !iid)
        return NULL;
    for (unsigned i = 0; i < obj->klass->n_ifaces; i++)
        if (strcasecmp(obj->klass->ifaces[i].info->iid, iid) == 0)
            return obj->klass->ifaces[i].ops;
    return NULL;
}

const vireo_object_iface *vireo_object_find_iface(const vireo_object *obj, const char *name)
{
    for (unsigned i = 0; i < obj->klass->n_ifaces; i++)
        if (strcmp(obj->klass->ifaces[i].info->name, name) == 0)
            return &obj->klass->ifaces[i];
    return NULL;
}

const vireo_member *vireo_interface_find_member(const vireo_interface_info *info, int kind,
                                                const char *name)
{
    for (unsigned i = 0; i < info->n_members; i++)
        if (info->members[i].kind == kind && strcmp(info->members[i].name, name) == 0)
            return &info->members[i];
    return NULL;
}
