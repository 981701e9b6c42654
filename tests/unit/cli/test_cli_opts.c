/* The option table parser: what a user typing options gets. */
#include "frontends/cli/opts.h"
#include "frontends/cli/values.h"
#include "tests/unit/cli/test_cli.h"

#include <stdarg.h>
#include <string.h>

enum { O_MEM = 1, O_FLAG, O_BOOT, O_UART, O_MODE };

static const cli_option table[] = {
    {"--memory", O_MEM, 1, 0, NULL, "MB", "memory"},
    {"--register", O_FLAG, 0, 0, NULL, NULL, "flag"},
    {"--boot", O_BOOT, 1, 4, NULL, "DEV", "boot"},
    {"--uart", O_UART, 1, 4, cli_uart_arity, "off|IOBASE IRQ", "uart"},
    {"--uart-mode", O_MODE, 1, 4, cli_uart_mode_arity, "MODE", "mode"},
    {NULL},
};

static int parse(cli_args *a, char *err, int argc, ...)
{
    char *argv[16];
    va_list ap;
    va_start(ap, argc);
    for (int i = 0; i < argc; i++)
        argv[i] = va_arg(ap, char *);
    va_end(ap);
    return cli_parse(table, argc, argv, a, err, 256);
}

START_TEST(values_and_positionals_in_order)
{
    cli_args a;
    char err[256];
    ck_assert_int_eq(parse(&a, err, 5, "vm1", "--memory", "256", "--register", "extra"), 0);
    ck_assert_uint_eq(a.n_positional, 2);
    ck_assert_str_eq(a.positional[0], "vm1");
    ck_assert_str_eq(a.positional[1], "extra");
    ck_assert_uint_eq(a.n_opts, 2);
    ck_assert_int_eq(a.opts[0].opt->id, O_MEM);
    ck_assert_str_eq(a.opts[0].values[0], "256");
    ck_assert_int_eq(a.opts[1].n_values, 0);
    ck_assert_int_eq(a.help, 0);
    cli_args_free(&a);
}
END_TEST

START_TEST(equals_form_and_last_one_wins)
{
    cli_args a;
    char err[256];
    ck_assert_int_eq(parse(&a, err, 3, "--memory=64", "--memory", "128", "vm"), 0);
    const cli_arg *m = cli_args_find(&a, O_MEM);
    ck_assert_ptr_nonnull(m);
    ck_assert_str_eq(m->values[0], "128");
    ck_assert_ptr_null(cli_args_find(&a, O_FLAG));
    cli_args_free(&a);
}
END_TEST

START_TEST(unknown_option_is_named)
{
    cli_args a;
    char err[256];
    ck_assert_int_eq(parse(&a, err, 2, "vm", "--memroy"), -1);
    ck_assert_str_eq(err, "unknown option '--memroy'");
}
END_TEST

START_TEST(missing_value_is_reported)
{
    cli_args a;
    char err[256];
    ck_assert_int_eq(parse(&a, err, 2, "vm", "--memory"), -1);
    ck_assert_str_eq(err, "option '--memory' needs a value (MB)");
    ck_assert_int_eq(parse(&a, err, 1, "--register=yes"), -1);
    ck_assert_str_eq(err, "option '--register' takes no value");
}
END_TEST

START_TEST(indexed_options_carry_their_index)
{
    cli_args a;
    char err[256];
    ck_assert_int_eq(parse(&a, err, 4, "--boot1", "dvd", "--boot4", "disk"), 0);
    ck_assert_int_eq(a.opts[0].index, 1);
    ck_assert_int_eq(a.opts[1].index, 4);
    cli_args_free(&a);
    ck_assert_int_eq(parse(&a, err, 2, "--boot5", "disk"), -1);
    ck_assert_str_eq(err, "option '--boot5': index 5 is out of range 1..4");
    ck_assert_int_eq(parse(&a, err, 2, "--boot", "disk"), -1);
    ck_assert_str_eq(err, "unknown option '--boot'");
}
END_TEST

START_TEST(variable_arity_uart)
{
    cli_args a;
    char err[256];
    ck_assert_int_eq(parse(&a, err, 8, "--uart1", "0x3f8", "4", "--uart2", "off", "--uart-mode1",
                           "file", "/tmp/x"),
                     0);
    ck_assert_uint_eq(a.n_opts, 3);
    ck_assert_int_eq(a.opts[0].n_values, 2);
    ck_assert_str_eq(a.opts[0].values[1], "4");
    ck_assert_int_eq(a.opts[1].n_values, 1);
    ck_assert_int_eq(a.opts[2].opt->id, O_MODE); /* not mistaken for --uart + index */
    ck_assert_str_eq(a.opts[2].values[1], "/tmp/x");
    ck_assert_uint_eq(a.n_positional, 0);
    cli_args_free(&a);
    ck_assert_int_eq(parse(&a, err, 2, "--uart1", "0x3f8"), -1);
    ck_assert_str_eq(err, "option '--uart1 0x3f8' needs 2 values (off|IOBASE IRQ)");
}
END_TEST

START_TEST(help_and_double_dash)
{
    cli_args a;
    char err[256];
    ck_assert_int_eq(parse(&a, err, 3, "--help", "--", "--memory"), 0);
    ck_assert_int_eq(a.help, 1);
    ck_assert_uint_eq(a.n_positional, 1);
    ck_assert_str_eq(a.positional[0], "--memory");
    cli_args_free(&a);
    ck_assert_int_eq(parse(&a, err, 1, "-"), 0); /* a lone dash is an argument */
    ck_assert_str_eq(a.positional[0], "-");
    cli_args_free(&a);
}
END_TEST

TCase *test_cli_opts_case(void)
{
    TCase *tc = tcase_create("opts");
    tcase_add_test(tc, values_and_positionals_in_order);
    tcase_add_test(tc, equals_form_and_last_one_wins);
    tcase_add_test(tc, unknown_option_is_named);
    tcase_add_test(tc, missing_value_is_reported);
    tcase_add_test(tc, indexed_options_carry_their_index);
    tcase_add_test(tc, variable_arity_uart);
    tcase_add_test(tc, help_and_double_dash);
    return tc;
}
