/* Helpers for the svc unit tests: scratch folders and small file operations. */
#ifndef VIREO_SVC_TEST_UTIL_H
#define VIREO_SVC_TEST_UTIL_H

#include <stddef.h>

/* A fresh private folder under $TMPDIR (or /tmp); removed by svc_test_rmtree. */
char *svc_test_mkdtemp(void);
/* Remove a folder tree (test scratch only). */
void svc_test_rmtree(const char *path);
/* Write a file with the given content (not atomically: used to fake crash states). */
void svc_test_write(const char *path, const char *data, size_t len);
/* Read a whole file; NULL if it does not exist. */
char *svc_test_read(const char *path, size_t *ret_len);
int svc_test_exists(const char *path);
/* Join with '/' into a heap string. */
char *svc_test_path(const char *dir, const char *name);

#endif
