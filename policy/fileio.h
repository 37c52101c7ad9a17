/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading whole files, bounded: policies, the agent's settings, passwd. */
#ifndef CREDGATE_POLICY_FILEIO_H
#define CREDGATE_POLICY_FILEIO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

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

/*
 * Trust in a file that tells credgate what to enforce, as sshd's StrictModes
 * judges authorized_keys: whoever can write a policy file, or rename or
 * replace it through a directory above it, decides what the agent enforces,
 * so that must be nobody but root (or the user the agent runs as).
 *
 * A file or directory is trusted when its owner is root or the effective
 * user, and neither its group nor others may write it. A directory above it
 * may also be root's with the sticky bit set (/tmp): there nobody but root
 * can rename or remove root's entries.
 */
enum trust_problem_kind {
	TRUST_OK,
	TRUST_OWNER,	/* owned by another user */
	TRUST_WRITABLE, /* group or others may write it */
};

struct trust_problem {
	enum trust_problem_kind kind;
	char path[4096]; /* the file or directory at fault */
	uid_t uid;
	mode_t mode;
};

/* Whether @st, of the file or directory itself (@ancestor false) or of a
 * directory above it (@ancestor true), may be trusted; fills @problem when
 * not, except its path. */
bool stat_is_trusted(const struct stat *st, bool ancestor, struct trust_problem *problem);

/*
 * Check @path (resolved with realpath()), and every directory above it up to
 * "/", with stat_is_trusted(). Returns 0 when all are trusted, -EPERM with
 * @problem naming the first one at fault, or -errno when a component cannot
 * be resolved or stat()ed.
 */
int path_check_trusted(const char *path, struct trust_problem *problem);

/* "owned by uid 1000" / "writable by group and others (mode 0666)" */
const char *trust_problem_text(const struct trust_problem *problem, char *buf, size_t size);

#endif /* CREDGATE_POLICY_FILEIO_H */
