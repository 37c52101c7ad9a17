/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading whole files, bounded: policies, the agent's settings, passwd. */
#ifndef CREDGATE_POLICY_FILEIO_H
#define CREDGATE_POLICY_FILEIO_H

#include <stddef.h>

/*
 * Read all of @fd, at most @max bytes (the size from fstat() is only a first
 * guess: a file may grow while it is read). Returns 0 with *@ret (owned,
 * NUL-terminated) and *@ret_len; -EFBIG with *@ret_len the bytes seen (more
 * than @max); -errno of read(); -ENOMEM.
 */
int read_fd_bounded(int fd, size_t size_hint, size_t max, char **ret, size_t *ret_len);

/*
 * Open @path without blocking on a FIFO or a device, check that it is a
 * regular file and read it as read_fd_bounded() does. Returns what that
 * returns, or -errno of open()/fstat(), or -EINVAL when @path is not a
 * regular file (-EISDIR for a directory).
 */
int read_regular_file(const char *path, size_t max, char **ret, size_t *ret_len);

#endif /* CREDGATE_POLICY_FILEIO_H */
