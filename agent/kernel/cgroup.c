// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cgroup.h"

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

/* kernfs exports cgroup file handles of this type (include/linux/exportfs.h). */
#define FILEID_KERNFS 0xfe

struct cgroup_fs {
	char mount_point[PATH_MAX];
	int mount_fd;
};

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static int unescape_octal(const char *in, size_t len, char *out, size_t size)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		char c = in[i];

		if (c == '\\' && i + 3 < len && in[i + 1] >= '0' && in[i + 1] <= '3' &&
		    in[i + 2] >= '0' && in[i + 2] <= '7' && in[i + 3] >= '0' && in[i + 3] <= '7') {
			c = (char)((in[i + 1] - '0') * 64 + (in[i + 2] - '0') * 8 + (in[i + 3] - '0'));
			i += 3;
		}
		if (o + 1 >= size)
			return -ENAMETOOLONG;
		out[o++] = c;
	}
	out[o] = '\0';
	return 0;
}

int cgroup_parse_mountinfo_line(const char *line, char *mount_point, size_t size)
{
	const char *field[5], *p = line, *sep, *fstype;
	size_t len[5];

	/* id parent major:minor root mount-point ... - fstype source options */
	for (int i = 0; i < 5; i++) {
		while (*p == ' ')
			p++;
		field[i] = p;
		while (*p && *p != ' ' && *p != '\n')
			p++;
		len[i] = (size_t)(p - field[i]);
		if (len[i] == 0)
			return 0;
	}
	sep = strstr(p, " - ");
	if (!sep)
		return 0;
	fstype = sep + 3;
	if (strncmp(fstype, "cgroup2 ", 8) != 0)
		return 0;
	/* A mount of a subtree (root other than "/") does not show every cgroup. */
	if (len[3] != 1 || field[3][0] != '/')
		return 0;
	if (unescape_octal(field[4], len[4], mount_point, size) < 0)
		return 0;
	return 1;
}

int cgroup_fs__open(struct cgroup_fs **out, const char *mountinfo_path)
{
	_cleanup_fclose_ FILE *f = NULL;
	_cleanup_free_ char *line = NULL;
	_cleanup_free_ struct cgroup_fs *fs = NULL;
	size_t cap = 0;
	bool found = false;

	f = fopen(mountinfo_path ? mountinfo_path : "/proc/self/mountinfo", "re");
	if (!f)
		return negative_errno();
	fs = calloc(1, sizeof(*fs));
	if (!fs)
		return -ENOMEM;
	fs->mount_fd = -1;
	while (getline(&line, &cap, f) > 0) {
		if (cgroup_parse_mountinfo_line(line, fs->mount_point, sizeof(fs->mount_point)) == 1) {
			found = true;
			break;
		}
	}
	if (!found)
		return -ENOENT;
	fs->mount_fd = open(fs->mount_point, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fs->mount_fd < 0)
		return negative_errno();
	*out = TAKE_PTR(fs);
	return 0;
}

void cgroup_fs__free(struct cgroup_fs *fs)
{
	if (!fs)
		return;
	if (fs->mount_fd >= 0)
		close(fs->mount_fd);
	free(fs);
}

const char *cgroup_fs__mount_point(const struct cgroup_fs *fs)
{
	return fs->mount_point;
}

int cgroup_fs__root_fd(const struct cgroup_fs *fs)
{
	return fs->mount_fd;
}

int cgroup_fs__resolve_path(const struct cgroup_fs *fs, const char *path, uint64_t *id,
			    unsigned *depth)
{
	const char *rel = path;
	struct stat st;
	unsigned d = 0;

	if (path[0] != '/')
		return -EINVAL;
	while (*rel == '/')
		rel++;
	if (fstatat(fs->mount_fd, *rel ? rel : ".", &st, 0) < 0)
		return negative_errno();
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	for (const char *p = rel; *p; p++)
		if (*p == '/' && p[1] && p[1] != '/')
			d++;
	if (*rel)
		d++;
	*id = st.st_ino;
	if (depth)
		*depth = d;
	return 0;
}

int cgroup_fs__path_of_id(const struct cgroup_fs *fs, uint64_t id, char *buf, size_t size)
{
	struct {
		struct file_handle fh;
		uint64_t cgid;
	} handle = { .fh = { .handle_bytes = sizeof(uint64_t), .handle_type = FILEID_KERNFS } };
	char proc_path[64], target[PATH_MAX];
	/* A cgroup2 mounted on "/" itself: every path is already relative to it. */
	size_t mlen = strcmp(fs->mount_point, "/") == 0 ? 0 : strlen(fs->mount_point);
	_cleanup_close_ int fd = -1;
	ssize_t n;

	memcpy(handle.fh.f_handle, &id, sizeof(id));
	fd = open_by_handle_at(fs->mount_fd, &handle.fh, O_RDONLY | O_CLOEXEC | O_PATH);
	if (fd < 0)
		return negative_errno();
	snprintf(proc_path, sizeof(proc_path), "/proc/self/fd/%d", fd);
	n = readlink(proc_path, target, sizeof(target) - 1);
	if (n < 0)
		return negative_errno();
	target[n] = '\0';
	if (strncmp(target, fs->mount_point, mlen) != 0)
		return -EXDEV;
	/* The root itself reads back as the mount point. */
	if (snprintf(buf, size, "%s", target[mlen] ? target + mlen : "/") >= (int)size)
		return -ENAMETOOLONG;
	return 0;
}
