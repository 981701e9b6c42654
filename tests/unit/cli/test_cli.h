#ifndef VIREO_TEST_CLI_H
#define VIREO_TEST_CLI_H
#include <check.h>
TCase *test_cli_opts_case(void);
TCase *test_cli_values_case(void);
TCase *test_cli_output_case(void);
TCase *test_cli_vminfo_case(void);
#endif
