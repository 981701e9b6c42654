#include "tests/unit/cli/test_cli.h"

#include <stdlib.h>

int main(void)
{
    Suite *s = suite_create("cli");
    suite_add_tcase(s, test_cli_opts_case());
    suite_add_tcase(s, test_cli_values_case());
    suite_add_tcase(s, test_cli_output_case());
    suite_add_tcase(s, test_cli_vminfo_case());
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
