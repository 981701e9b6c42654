/* The test implementation of IEverything and IExtra, shared by the test server, the relay
 * target and the benchmark. */
#ifndef VIREO_TESTS_TEST_OBJECT_H
#define VIREO_TESTS_TEST_OBJECT_H

#include "idl/test/test.h"

typedef struct test_object test_object;

/* A new object with uuid `id`, serving on `bus` with timers from `loop`; `who` is what
 * IExtra.whoami answers. One reference. */
test_object *test_object_new(vireo_bus *bus, vireo_loop *loop, const char *id, const char *who);
vireo_object *test_object_base(test_object *obj);

#endif
