// SPDX-License-Identifier: LGPL-2.1-or-later
#include "output_file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"

#define BUFFER_SIZE (64 * 1024)

struct output_file {
	char *path;
	uint64_t max_bytes;
	unsigned keep;
	unsigned mode;
	int fd;
	uint64_t size; /* of the current file, as written */
	char *buf;
	size_t len;
	uint64_t buffered_lines;
	struct output_file_stats stats;
};

int open_append_nofollow(const char *path, mode_t mode)
{
	struct stat st;
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, mode);

	if (fd < 0)
		return negative_errno();
	if (fstat(fd, &st) < 0) {
		int r = negative_errno();

		close(fd);
		return r;
	}
	if (S_ISREG(st.st_mode) && st.st_nlink > 1) {
		close(fd);
		return -EMLINK;
	}
	return fd;
}

static int open_current(struct output_file *f)
{
	struct stat st;
	int fd = open_append_nofollow(f->path, f->mode);

	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0) {
		int r = negative_errno();

		close(fd);
		return r;
	}
	if (f->fd >= 0)
		close(f->fd);
	f->fd = fd;
	f->size = (uint64_t)st.st_size;
	return 0;
}

int output_file__open(struct output_file **out, const struct output_file_options *opts)
{
	struct output_file *f;
	int r;

	if (!opts->path || !opts->path[0] || opts->keep > OUTPUT_FILE_MAX_KEEP ||
	    strlen(opts->path) > PATH_MAX - 8)
		return -EINVAL;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->fd = -1;
	f->path = strdup(opts->path);
	f->buf = malloc(BUFFER_SIZE);
	f->max_bytes = opts->max_bytes;
	f->keep = opts->keep;
	f->mode = opts->mode ? opts->mode : 0640;
	if (!f->path || !f->buf) {
		output_file__free(f);
		return -ENOMEM;
	}
	r = open_current(f);
	if (r < 0) {
		output_file__free(f);
		return r;
	}
	*out = f;
	return 0;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return negative_errno();
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int output_file__flush(struct output_file *f)
{
	int r;

	if (!f || f->len == 0)
		return 0;
	r = write_all(f->fd, f->buf, f->len);
	if (r < 0) {
		/* A partial write leaves a cut line: start the next on a line of its own. */
		write_all(f->fd, "\n", 1);
		f->stats.lines_lost += f->buffered_lines;
	} else {
		f->stats.lines += f->buffered_lines;
		f->stats.bytes += f->len;
	}
	f->size += f->len;
	f->len = 0;
	f->buffered_lines = 0;
	return r;
}

/* PATH.n -> PATH.n+1 (the oldest removed), PATH -> PATH.1, a new PATH. */
static int rotate(struct output_file *f)
{
	char from[PATH_MAX], to[PATH_MAX];
	int r;

	output_file__flush(f);
	if (f->keep == 0) {
		if (unlink(f->path) < 0 && errno != ENOENT)
			goto failed;
	} else {
		snprintf(to, sizeof(to), "%s.%u", f->path, f->keep);
		unlink(to);
		for (unsigned i = f->keep; i > 1; i--) {
			snprintf(from, sizeof(from), "%s.%u", f->path, i - 1);
			snprintf(to, sizeof(to), "%s.%u", f->path, i);
			if (rename(from, to) < 0 && errno != ENOENT)
				goto failed;
		}
		snprintf(to, sizeof(to), "%s.1", f->path);
		if (rename(f->path, to) < 0)
			goto failed;
	}
	/* Until the new file opens, lines go on to the renamed one: none lost. */
	r = open_current(f);
	if (r < 0)
		goto failed;
	f->stats.rotations++;
	return 0;
failed:
	f->stats.rotate_errors++;
	return negative_errno();
}

int output_file__write(struct output_file *f, const char *line, size_t len)
{
	size_t need = len + 1;

	if (f->max_bytes && f->size + f->len + need > f->max_bytes && f->size + f->len > 0) {
		/* A failed rotation is counted; the line still goes to the current file. */
		if (rotate(f) < 0)
			f->size = 0; /* try again after another max_bytes, not on every line */
	}
	if (f->len + need > BUFFER_SIZE) {
		output_file__flush(f);
		if (need > BUFFER_SIZE) {
			int r = write_all(f->fd, line, len);

			if (r == 0)
				r = write_all(f->fd, "\n", 1);
			if (r < 0) {
				f->stats.lines_lost++;
				return r;
			}
			f->size += need;
			f->stats.lines++;
			f->stats.bytes += need;
			return 0;
		}
	}
	memcpy(f->buf + f->len, line, len);
	f->buf[f->len + len] = '\n';
	f->len += need;
	f->buffered_lines++;
	return 0;
}

void output_file__free(struct output_file *f)
{
	if (!f)
		return;
	if (f->fd >= 0) {
		output_file__flush(f);
		close(f->fd);
	}
	free(f->buf);
	free(f->path);
	free(f);
}

void output_file__stats(const struct output_file *f, struct output_file_stats *stats)
{
	*stats = f->stats;
}
