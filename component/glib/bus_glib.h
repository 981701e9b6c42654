/* Running a vireo_bus from a GLib main context (GTK programs). Library vireo_component_glib. */
#ifndef VIREO_COMPONENT_GLIB_BUS_GLIB_H
#define VIREO_COMPONENT_GLIB_BUS_GLIB_H

#include <glib.h>

#include "component/bus.h"

/* Watches, timeouts and dispatch of `bus` run from `ctx` (NULL: the default context).
 * Detach with vireo_bus_detach(); vireo_bus_unref() detaches too. */
int vireo_bus_attach_glib(vireo_bus *bus, GMainContext *ctx, vireo_error **errp);

#endif
