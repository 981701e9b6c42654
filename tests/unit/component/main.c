/* Unit tests of the component runtime. */
#include <check.h>
#include <stdlib.h>

Suite *marshal_suite(void);
Suite *error_suite(void);
Suite *loop_suite(void);
Suite *peer_suite(void);

int main(void)
{
    SRunner *sr = srunner_create(marshal_suite());
    int failed;

    srunner_add_suite(sr, error_suite());
    srunner_add_suite(sr, loop_suite());
    srunner_add_suite(sr, peer_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
