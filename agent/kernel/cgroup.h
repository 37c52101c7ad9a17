/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The cgroup v2 hierarchy: where it is mounted, and translation between a
 * cgroup's path (relative to the cgroup2 root, as policies write it) and its
 * id (the inode number, what bpf_get_current_cgroup_id() returns).
 */
#ifndef CREDGATE_CGROUP_H
#define CREDGATE_CGROUP_H

#include <stddef.h>
#include <stdint.h>

struct cgroup_fs;

/*
 * Find the cgroup2 mount in @mountinfo_path (NULL: /proc/self/mountinfo).
 * Returns 0, -ENOENT when there is none, or another negative errno.
 */
int cgroup_fs__open(struct cgroup_fs **out, const char *mountinfo_path);
void cgroup_fs__free(struct cgroup_fs *fs);

const char *cgroup_fs__mount_point(const struct cgroup_fs *fs);

/* An O_DIRECTORY fd of the cgroup2 root, owned by @fs. */
int cgroup_fs__root_fd(const struct cgroup_fs *fs);

/* Path relative to the cgroup2 root ("/" or "/a/b") -> id and depth. */
int cgroup_fs__resolve_path(const struct cgroup_fs *fs, const char *path, uint64_t *id,
			    unsigned *depth);

/*
 * Id -> path relative to the cgroup2 root, through a file handle
 * (needs CAP_DAC_READ_SEARCH). -ESTALE when the cgroup is gone.
 */
int cgroup_fs__path_of_id(const struct cgroup_fs *fs, uint64_t id, char *buf, size_t size);

/*
 * Parse one /proc/self/mountinfo line; on a cgroup2 mount copy its
 * unescaped mount point into @mount_point and return 1, else return 0.
 * Exposed for unit tests.
 */
int cgroup_parse_mountinfo_line(const char *line, char *mount_point, size_t size);

#endif /* CREDGATE_CGROUP_H */
