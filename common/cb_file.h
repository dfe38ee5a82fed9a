/*
 * cb_file: reading and writing whole files, with the limits and the
 * permission checks canhbao needs for state folders and key files.
 */
#ifndef CB_FILE_H
#define CB_FILE_H

#include <stddef.h>
#include <sys/types.h>

#include "cb_err.h"

/* Read all of path into a malloc'd, NUL-terminated buffer (the caller
 * frees it); fails when the file is larger than max bytes, or is not a
 * regular file.  With nofollow set, a symbolic link is refused. */
char *cb_file_read(const char *path, size_t max, int nofollow, size_t *lenp,
    struct cb_err *err);

/* Read fd (a pipe, a terminal: standard input) to its end into a
 * malloc'd, NUL-terminated buffer (the caller frees it); name (e.g.
 * "standard input") is for err.  Fails past max bytes or on a NUL
 * byte, which the text would be cut at. */
char *cb_file_read_fd(int fd, const char *name, size_t max, size_t *lenp,
    struct cb_err *err);

/* Like cb_file_read with nofollow, for secrets: also refuses a file
 * that group or others may read or write, or that another user owns,
 * as ssh does with private keys. */
char *cb_file_read_secret(const char *path, size_t max, size_t *lenp,
    struct cb_err *err);

/* Write len bytes to path through a temporary file and rename(2), so a
 * reader sees the old file or the new one, never half of one. */
int cb_file_write_atomic(const char *path, const void *data, size_t len,
    mode_t mode, struct cb_err *err);
/* The same without fsync(2), for a status file rewritten every few
 * seconds that means nothing after a crash: readers still see the old
 * file or the new one, and an idle daemon does not wait on the disk. */
int cb_file_replace(const char *path, const void *data, size_t len,
    mode_t mode, struct cb_err *err);

/* Write data to path and the text minisig to path.minisig, each as
 * cb_file_write_atomic does, mode 0644: a file and its signature for
 * minisign -V.  When the second cannot be written the first is removed
 * again. */
int cb_file_write_signed(const char *path, const void *data, size_t len,
    const char *minisig, struct cb_err *err);

/* Create path exclusively (O_EXCL, no links followed) with mode and
 * write data: refuses to overwrite anything. */
int cb_file_write_new(const char *path, const void *data, size_t len,
    mode_t mode, struct cb_err *err);

/* Make sure dir exists and is a folder only its owner can use (0700):
 * created when missing; an existing one with group or other bits set is
 * refused. */
int cb_file_private_dir(const char *dir, int create, struct cb_err *err);

/* Take an exclusive advisory lock on path (created 0600).  Returns the
 * descriptor, kept open for the life of the process, or -1 (another
 * process holds it). */
int cb_file_lock(const char *path, struct cb_err *err);

/* 1 while another process holds the lock cb_file_lock takes on path,
 * 0 when none does (or path is missing).  Creates nothing. */
int cb_file_locked(const char *path);

#endif
