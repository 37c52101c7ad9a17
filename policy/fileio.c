/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Bounded reads of whole files. */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
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
