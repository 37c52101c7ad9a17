/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Bounded reads of whole files. */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fileio.h"

/* First read of a file whose size fstat() gave as 0 (procfs and the like). */
#define READ_CHUNK 4096

int read_fd_bounded(int fd, size_t size_hint, size_t max, char **ret, size_t *ret_len)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, capacity = (size_hint > 0 && size_hint <= max ? size_hint : READ_CHUNK) + 1;

	for (;;) {
		ssize_t n;

		if (len == capacity) {
			char *bigger;

			if (capacity > max) {
				*ret_len = len;
				return -EFBIG;
			}
			capacity = capacity * 2 > max + 1 ? max + 1 : capacity * 2;
			bigger = realloc(buf, capacity);
			if (!bigger)
				return -ENOMEM;
			buf = bigger;
		} else if (!buf) {
			buf = malloc(capacity);
			if (!buf)
				return -ENOMEM;
		}

		n = read(fd, buf + len, capacity - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > max) {
		*ret_len = len;
		return -EFBIG;
	}
	/* Room for the terminator: capacity is always > len here, or grow. */
	if (len == capacity) {
		char *bigger = realloc(buf, len + 1);

		if (!bigger)
			return -ENOMEM;
		buf = bigger;
	}
	buf[len] = '\0';
	*ret = TAKE_PTR(buf);
	*ret_len = len;
	return 0;
}

int read_regular_file(const char *path, size_t max, char **ret, size_t *ret_len)
{
	_cleanup_close_ int fd = -1;
	struct stat st;

	*ret_len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if ((unsigned long long)st.st_size > max) {
		*ret_len = (size_t)st.st_size;
		return -EFBIG;
	}
	return read_fd_bounded(fd, (size_t)st.st_size, max, ret, ret_len);
}

bool stat_is_trusted(const struct stat *st, bool ancestor, struct trust_problem *problem)
{
	problem->uid = st->st_uid;
	problem->mode = st->st_mode;
	if (st->st_uid != 0 && st->st_uid != geteuid()) {
		problem->kind = TRUST_OWNER;
		return false;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		/* /tmp and the like: others may add entries, not touch root's. */
		if (ancestor && S_ISDIR(st->st_mode) && (st->st_mode & S_ISVTX) && st->st_uid == 0) {
			problem->kind = TRUST_OK;
			return true;
		}
		problem->kind = TRUST_WRITABLE;
		return false;
	}
	problem->kind = TRUST_OK;
	return true;
}

int path_check_trusted(const char *path, struct trust_problem *problem)
{
	char resolved[PATH_MAX];
	bool ancestor = false;

	*problem = (struct trust_problem){};
	if (!realpath(path, resolved))
		return -errno;
	/* From the path itself up to "/", cutting one component at a time. */
	for (;;) {
		struct stat st;
		char *slash;

		if (stat(resolved, &st) < 0)
			return -errno;
		if (!stat_is_trusted(&st, ancestor, problem)) {
			snprintf(problem->path, sizeof(problem->path), "%s", resolved);
			return -EPERM;
		}
		if (strcmp(resolved, "/") == 0)
			return 0;
		slash = strrchr(resolved, '/');
		if (slash == resolved)
			slash[1] = '\0';
		else
			*slash = '\0';
		ancestor = true;
	}
}

const char *trust_problem_text(const struct trust_problem *problem, char *buf, size_t size)
{
	switch (problem->kind) {
	case TRUST_OWNER:
		snprintf(buf, size, "owned by uid %u, not by root", (unsigned)problem->uid);
		break;
	case TRUST_WRITABLE:
		snprintf(buf, size, "writable by %s (mode %04o)",
			 (problem->mode & S_IWGRP) && (problem->mode & S_IWOTH) ? "its group and others"
			 : (problem->mode & S_IWGRP)			       ? "its group"
									       : "others",
			 (unsigned)(problem->mode & 07777));
		break;
	case TRUST_OK:
	default:
		snprintf(buf, size, "trusted");
		break;
	}
	return buf;
}
