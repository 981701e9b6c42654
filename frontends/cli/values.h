/* Parsing of option values (numbers, on/off, boot devices, firmware, serial port specs).
 * Each returns 0, or -1 with a user-facing message in `err`; range errors name the range.
 * The service validates again: these catch typos before anything is changed. */
#ifndef VIREO_CLI_VALUES_H
#define VIREO_CLI_VALUES_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decimal, or hexadecimal with 0x. Whole string, no sign, within min..max. */
int cli_value_u32(const char *what, const char *s, uint32_t min, uint32_t max, uint32_t *ret,
                  char *err, size_t errlen);
/* on|off (also true/false, yes/no, 1/0). */
int cli_value_bool(const char *what, const char *s, bool *ret, char *err, size_t errlen);

/* --bootN: none|disk|dvd; *ret is 0 for none, else a vireo_boot_device value. */
int cli_value_boot_device(const char *s, uint32_t *ret, char *err, size_t errlen);
/* --firmware: bios|kernel|multiboot -> vireo_firmware_type. */
int cli_value_firmware(const char *s, uint32_t *ret, char *err, size_t errlen);

/* --uartN: "off" or IOBASE IRQ. */
typedef struct cli_uart_spec {
    bool enabled;
    uint16_t io_base;
    uint32_t irq;
} cli_uart_spec;
int cli_value_uart(const char *const *v, int n, cli_uart_spec *ret, char *err, size_t errlen);
int cli_uart_arity(const char *first);

/* --uart-modeN: disconnected | file PATH | server PATH (unix socket) | client PATH |
 * tcpserver PORT | pty. */
typedef struct cli_uart_mode_spec {
    uint32_t mode; /* vireo_port_mode */
    bool server;   /* unix socket: listen (server) or connect (client) */
    const char *path;
    uint16_t port;
} cli_uart_mode_spec;
int cli_value_uart_mode(const char *const *v, int n, cli_uart_mode_spec *ret, char *err,
                        size_t errlen);
int cli_uart_mode_arity(const char *first);

/* CLI spelling of enum values (lower case, as accepted by the options above). */
const char *cli_boot_device_name(uint32_t v); /* "disk", "dvd", "none" */
const char *cli_firmware_name(uint32_t v);    /* "bios", "kernel", "multiboot" */
const char *cli_port_mode_name(uint32_t v);   /* "disconnected", "file", ... */
#endif
