/* Runner for the x87 unit tests. */
#include "tests/unit/x87/x87_test.h"

#include <stdlib.h>

int main(void)
{
    Suite *s = suite_create("x87");
    suite_add_tcase(s, x87_tcase_basic());
    suite_add_tcase(s, x87_tcase_semantics());
    suite_add_tcase(s, x87_tcase_diff());
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
