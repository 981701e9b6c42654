/* Crash-safe settings files.
 *
 * Write: the new content goes to "<file>-tmp", which is fsynced; the current file gets a
 * second name "<file>-prev" (a hard link; a rename where the file system has no links);
 * "<file>-tmp" is renamed over "<file>"; the directory is fsynced. With hard links "<file>"
 * names a complete file at every instant; with the rename fallback there is a window where
 * only "-prev" and a complete "-tmp" exist, which loading repairs.
 *
 * Load: "<file>" is tried first. If it is missing or its content does not load, "-tmp"
 * (the newer content of an interrupted write) and then "-prev" are tried; the first that
 * loads is written back as "<file>", a broken "<file>" is kept as "<file>-broken", and the
 * caller gets a note saying what happened. */
#ifndef VIREO_SVC_ATOMIC_H
#define VIREO_SVC_ATOMIC_H

#include <stddef.h>
#include <sys/types.h>

#include "svc/error.h"

#define SVC_FILE_MAX_BYTES (16u << 20)

/* Read a whole file (at most SVC_FILE_MAX_BYTES) into a NUL-terminated heap buffer.
 * Returns 0, or a negative errno with a FileError naming the file. */
int svc_file_read(const char *path, char **ret_data, size_t *ret_len, svc_error **errp);

/* Atomically replace path with data, keeping the old content as path-prev. New files get
 * `mode` (settings files use 0600: they may hold a VNC password). */
int svc_atomic_write(const char *path, const char *data, size_t len, mode_t mode, svc_error **errp);

/* Loader callback: parse data (read from `name`) into ctx. On failure it must leave ctx as
 * it found it (or empty) and set errp. */
typedef int (*svc_load_fn)(const char *name, const char *data, size_t len, void *ctx,
                           svc_error **errp);

/* Load path through fn with the recovery rules above. On success *ret_note is NULL, or a
 * heap message describing a recovery. On failure the error is the one of the main file
 * (e.g. "<file>:<line>: <problem>"), or a FileError if no candidate exists. */
int svc_atomic_load(const char *path, svc_load_fn fn, void *ctx, char **ret_note, svc_error **errp);

/* Remove path and its -prev, -tmp and -broken companions (missing ones are fine).
 * Returns 0 or the first negative errno. */
int svc_atomic_remove(const char *path, svc_error **errp);

/* fsync the directory holding path. */
int svc_fsync_parent(const char *path);

#endif
