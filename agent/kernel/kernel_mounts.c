// SPDX-License-Identifier: LGPL-2.1-or-later
#include "kernel_mounts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "macro.h"

const struct kernel_mount kernel_mounts_needed[] = {
	{ "tracefs", "/sys/kernel/tracing", "to attach syscall tracepoints" },
	{ "securityfs", "/sys/kernel/security", "to read the active LSM list" },
};
const unsigned kernel_mounts_needed_count = ELEMENTSOF(kernel_mounts_needed);

bool kernel_mount_present(const char *mountinfo_path, const char *fstype, const char *path)
{
	_cleanup_fclose_ FILE *f = fopen(mountinfo_path ? mountinfo_path : "/proc/self/mountinfo", "re");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;

	if (!f)
		return false;
	while (getline(&line, &cap, f) > 0) {
		char mount_point[4096], type[64];
		const char *sep = strstr(line, " - ");

		/* id parent dev root mount-point ...; paths here need no unescaping */
		if (!sep || sscanf(line, "%*s %*s %*s %*s %4095s", mount_point) != 1 ||
		    sscanf(sep + 3, "%63s", type) != 1)
			continue;
		if (strcmp(mount_point, path) == 0 && strcmp(type, fstype) == 0)
			return true;
	}
	return false;
}

int kernel_mount_ensure(const struct kernel_mount *m, const char *mountinfo_path)
{
	if (kernel_mount_present(mountinfo_path, m->fstype, m->path))
		return 0;
	if (mount(m->fstype, m->path, m->fstype, MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) {
		/* Another process may have mounted it meanwhile. */
		if (errno == EBUSY && kernel_mount_present(mountinfo_path, m->fstype, m->path))
			return 0;
		return negative_errno();
	}
	return 1;
}
