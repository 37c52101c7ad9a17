// SPDX-License-Identifier: LGPL-2.1-or-later
#include "detect.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"

/* Every file read here is a one-line kernel file; anything longer is cut. */
#define SMALL_FILE_MAX 512

static const char *const mode_names[] = {
	[SELINUX_MODE_OFF] = "off",
	[SELINUX_MODE_UNKNOWN] = "unknown",
	[SELINUX_MODE_NO_POLICY] = "no-policy",
	[SELINUX_MODE_PERMISSIVE] = "permissive",
	[SELINUX_MODE_ENFORCING] = "enforcing",
};

const char *selinux_mode_name(enum selinux_mode mode)
{
	return (unsigned)mode < ELEMENTSOF(mode_names) ? mode_names[mode] : "unknown";
}

/* Read a small file, NUL-terminated, trailing newlines and NULs cut. Length or a negative errno. */
static int read_small_file(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	err = errno;
	close(fd);
	if (n < 0)
		return -err;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\0'))
		n--;
	buf[n] = '\0';
	return (int)n;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape_octal(char *s)
{
	char *out = s;

	for (const char *in = s; *in;) {
		if (in[0] == '\\' && in[1] >= '0' && in[1] <= '3' && in[2] >= '0' && in[2] <= '7' && in[3] >= '0' &&
		    in[3] <= '7') {
			*out++ = (char)((in[1] - '0') * 64 + (in[2] - '0') * 8 + (in[3] - '0'));
			in += 4;
		} else {
			*out++ = *in++;
		}
	}
	*out = '\0';
}

int selinux_find_mount(const char *mountinfo, const char *fstype, char *buf, size_t size)
{
	FILE *f = fopen(mountinfo, "re");
	char *line = NULL;
	size_t cap = 0;
	int r = -ENOENT;

	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		char mount_point[SELINUX_PATH_MAX * 4], type[64];
		const char *separator = strstr(line, " - ");

		/* ID PARENT MAJ:MIN ROOT MOUNT-POINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER-OPTIONS */
		if (!separator || sscanf(line, "%*s %*s %*s %*s %1023s", mount_point) != 1 ||
		    sscanf(separator + 3, "%63s", type) != 1 || strcmp(type, fstype) != 0)
			continue;
		unescape_octal(mount_point);
		if (strlen(mount_point) >= size) {
			r = -ENAMETOOLONG;
			continue;
		}
		strcpy(buf, mount_point);
		r = 0;
		break;
	}
	free(line);
	fclose(f);
	return r;
}

/* Index of @name in a comma-separated list, or -1. */
static int list_position(const char *list, const char *name)
{
	size_t len = strlen(name);
	int index = 0;

	for (const char *p = list; *p; index++) {
		size_t n = strcspn(p, ",");

		if (n == len && strncmp(p, name, len) == 0)
			return index;
		p += n;
		if (*p == ',')
			p++;
	}
	return -1;
}

/*
 * A policy is loaded once the kernel's initial contexts are contexts:
 * before the first load, initial_contexts/kernel reads as the bare initial
 * SID name "kernel", afterwards as "system_u:system_r:kernel_t:s0".
 */
static int policy_loaded(const char *selinuxfs, bool *loaded)
{
	char path[SELINUX_PATH_MAX + 32], text[SMALL_FILE_MAX];
	int r;

	snprintf(path, sizeof(path), "%s/initial_contexts/kernel", selinuxfs);
	r = read_small_file(path, text, sizeof(text));
	if (r < 0)
		return r;
	*loaded = strchr(text, ':') != NULL;
	return 0;
}

static void find_selinuxfs(const struct selinux_paths *paths, struct selinux_status *st)
{
	const char *fallback = paths->selinuxfs ? paths->selinuxfs : "/sys/fs/selinux";
	char enforce[SELINUX_PATH_MAX + 16];

	if (selinux_find_mount(paths->mountinfo ? paths->mountinfo : "/proc/self/mountinfo", "selinuxfs",
			       st->selinuxfs, sizeof(st->selinuxfs)) == 0)
		return;
	/* No mountinfo entry (another mount namespace, or a fixture): the usual place, if it is there. */
	snprintf(enforce, sizeof(enforce), "%s/enforce", fallback);
	if (access(enforce, R_OK) == 0 && strlen(fallback) < sizeof(st->selinuxfs))
		strcpy(st->selinuxfs, fallback);
}

int selinux_detect(const struct selinux_paths *paths_in, struct selinux_status *st)
{
	const struct selinux_paths none = {};
	const struct selinux_paths *paths = paths_in ? paths_in : &none;
	char path[SELINUX_PATH_MAX + 16], text[SMALL_FILE_MAX];
	bool loaded = false;
	int r;

	*st = (struct selinux_status){ .mode = SELINUX_MODE_OFF, .selinux_position = -1, .bpf_position = -1 };
	r = read_small_file(paths->lsm_list ? paths->lsm_list : "/sys/kernel/security/lsm", text, sizeof(text));
	if (r < 0 && r != -ENOENT)
		return r;
	if (r >= 0) {
		/* The list has a handful of short names: cut, it still says the order. */
		memcpy(st->lsms, text, (size_t)r < sizeof(st->lsms) ? (size_t)r : sizeof(st->lsms) - 1);
		st->selinux_position = list_position(st->lsms, "selinux");
		st->bpf_position = list_position(st->lsms, "bpf");
	}
	find_selinuxfs(paths, st);
	/*
	 * The LSM list is the authority; without securityfs, a mounted
	 * selinuxfs (registered only when SELinux initialised) says the same.
	 */
	st->enabled = st->lsms[0] ? st->selinux_position >= 0 : st->selinuxfs[0] != '\0';
	if (!st->enabled)
		return 0;
	st->mode = SELINUX_MODE_UNKNOWN;
	if (!st->selinuxfs[0])
		return 0;
	r = policy_loaded(st->selinuxfs, &loaded);
	if (r == 0 && !loaded) {
		st->mode = SELINUX_MODE_NO_POLICY;
		return 0;
	}
	snprintf(path, sizeof(path), "%s/enforce", st->selinuxfs);
	r = read_small_file(path, text, sizeof(text));
	if (r < 0)
		return r == -ENOENT ? 0 : r;
	if (strcmp(text, "1") == 0)
		st->mode = SELINUX_MODE_ENFORCING;
	else if (strcmp(text, "0") == 0)
		st->mode = SELINUX_MODE_PERMISSIVE;
	return 0;
}

size_t selinux_describe(const struct selinux_status *st, char *buf, size_t size)
{
	const char *order;
	int n;

	if (size == 0)
		return 0;
	if (!st->lsms[0])
		order = " (securityfs not readable)";
	else if (st->selinux_position < 0)
		order = "";
	else if (st->bpf_position < 0)
		order = ": bpf is not an active LSM, credgate cannot refuse";
	else if (st->selinux_position < st->bpf_position)
		order = ": SELinux decides first, and a change it refuses never reaches credgate";
	else
		order = ": credgate decides first, SELinux after it";
	if (!st->enabled)
		n = snprintf(buf, size, "not enabled (LSM order %s)", st->lsms[0] ? st->lsms : "unknown");
	else
		n = snprintf(buf, size, "enabled, %s%s%s%s; LSM order %s%s", selinux_mode_name(st->mode),
			     st->selinuxfs[0] ? " (selinuxfs " : " (selinuxfs not mounted",
			     st->selinuxfs, ")", st->lsms[0] ? st->lsms : "unknown", order);
	if (n < 0)
		return 0;
	return (size_t)n < size ? (size_t)n : size - 1;
}
