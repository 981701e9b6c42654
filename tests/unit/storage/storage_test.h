/* Helpers for the image tests: a scratch directory, patterns, and running qemu-img. */
#ifndef VIREO_TESTS_UNIT_STORAGE_TEST_H
#define VIREO_TESTS_UNIT_STORAGE_TEST_H

#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "vmm/storage/image.h"

/* A fresh scratch directory per call; returns its path (static buffer per call site ok). */
const char *st_tmpdir(void);
/* dir/name into a static rotating buffer. */
const char *st_path(const char *dir, const char *name);
/* Deterministic bytes for (seed, offset). */
void st_fill(uint8_t *buf, size_t len, uint32_t seed, uint64_t offset);
/* Run a shell command; returns its exit status (or -1). Output goes to `out` if non-NULL. */
int st_run(const char *cmd, char *out, size_t outlen);
/* Read a whole file; *ret_len set; caller frees. NULL on failure. */
uint8_t *st_read_file(const char *path, size_t *ret_len);
/* qemu-img available? */
int st_have_qemu_img(void);
/* Assert qemu-img check passes on path (no-op without qemu-img). */
void st_qemu_check(const char *path);
/* Convert with qemu-img to raw and compare with `expect` of `len` bytes (no-op without). */
void st_qemu_compare(const char *path, const uint8_t *expect, size_t len);
img *st_open(const char *path, unsigned flags, img *parent);

#define ST_MAIN(suite_fn)                                                                          \
    int main(void)                                                                                 \
    {                                                                                              \
        SRunner *sr = srunner_create(suite_fn());                                                  \
        srunner_set_fork_status(sr, CK_NOFORK);                                                    \
        srunner_run_all(sr, CK_NORMAL);                                                            \
        int failed = srunner_ntests_failed(sr);                                                    \
        srunner_free(sr);                                                                          \
        return failed ? EXIT_FAILURE : EXIT_SUCCESS;                                               \
    }

#endif
