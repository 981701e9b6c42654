/* The Vireo component runtime: everything generated code and its users need.
 * See docs/component.md for how to implement and call interfaces. */
#ifndef VIREO_COMPONENT_COMPONENT_H
#define VIREO_COMPONENT_COMPONENT_H

#include "component/bus.h"
#include "component/call.h"
#include "component/error.h"
#include "component/loop.h"
#include "component/marshal.h"
#include "component/object.h"
#include "component/proxy.h"

#endif
