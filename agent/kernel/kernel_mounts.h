/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The kernel file systems the agent needs, mounted where systemd would
 * mount them when they are not mounted yet: tracefs (attaching syscall
 * tracepoints) and securityfs (reading the active LSM list). The agent
 * mounts nothing else; docs/operations.md and credgated(8) say so.
 */
#ifndef CREDGATE_KERNEL_MOUNTS_H
#define CREDGATE_KERNEL_MOUNTS_H

#include <stdbool.h>

struct kernel_mount {
	const char *fstype;
	const char *path;
	const char *why;
};

extern const struct kernel_mount kernel_mounts_needed[];
extern const unsigned kernel_mounts_needed_count;

/*
 * Mount @m unless a file system of its type is mounted at its path.
 * Returns 1 when it mounted, 0 when already mounted, or a negative errno.
 * @mountinfo_path: NULL for /proc/self/mountinfo.
 */
int kernel_mount_ensure(const struct kernel_mount *m, const char *mountinfo_path);

/* Whether mountinfo lists @fstype mounted at @path (exposed for tests). */
bool kernel_mount_present(const char *mountinfo_path, const char *fstype, const char *path);

#endif /* CREDGATE_KERNEL_MOUNTS_H */
