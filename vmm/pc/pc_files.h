/* Helpers shared by the machine's files that need nothing but libc: error messages, whole-
 * file reads, and which BIOS image a configuration boots. */
#ifndef VIREO_VMM_PC_PC_FILES_H
#define VIREO_VMM_PC_PC_FILES_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/pc/pc.h"

void pc_set_err(char *err, size_t err_size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Read a whole regular file of 1 to max bytes. Returns 0, or a negative errno with a message
 * naming `what` and the path in err. */
int pc_read_file(const char *what, const char *path, size_t max, uint8_t **ret_data,
                 size_t *ret_size, char *err, size_t err_size);
/* The BIOS image path the configuration boots from, or NULL for direct boot. */
const char *pc_bios_path(const pc_config *cfg);

#endif
