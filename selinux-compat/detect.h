/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Whether SELinux runs beside credgate, and how: an active LSM or not,
 * where selinuxfs is mounted, whether a policy is loaded, enforcing or
 * permissive, and the kernel's LSM order (which decides whether SELinux or
 * credgate's BPF LSM sees a credential change first).
 *
 * Read from the kernel's files only, never libselinux: the agent must not
 * depend on the SELinux userland, and every path can point at a fixture.
 */
#ifndef CREDGATE_SELINUX_DETECT_H
#define CREDGATE_SELINUX_DETECT_H

#include <stdbool.h>
#include <stddef.h>

enum selinux_mode {
	SELINUX_MODE_OFF = 0,	 /* not an active LSM */
	SELINUX_MODE_UNKNOWN,	 /* active, but selinuxfs is not mounted (or unreadable) */
	SELINUX_MODE_NO_POLICY,	 /* active, no policy loaded yet: nothing is decided */
	SELINUX_MODE_PERMISSIVE, /* denials are logged, not enforced */
	SELINUX_MODE_ENFORCING,
};

/* Files read; NULL members take the real paths. */
struct selinux_paths {
	const char *mountinfo; /* /proc/self/mountinfo */
	const char *lsm_list;  /* /sys/kernel/security/lsm */
	const char *selinuxfs; /* /sys/fs/selinux: tried when mountinfo names none */
};

#define SELINUX_LSM_LIST_MAX 256
#define SELINUX_PATH_MAX 256

struct selinux_status {
	bool enabled;	      /* "selinux" is an active LSM (or selinuxfs is mounted) */
	enum selinux_mode mode;
	char selinuxfs[SELINUX_PATH_MAX]; /* its mount point, "" when not found */
	char lsms[SELINUX_LSM_LIST_MAX];  /* the kernel's LSM order, "" when unreadable */
	int selinux_position;		  /* index of "selinux" in lsms, -1 when absent */
	int bpf_position;		  /* index of "bpf", -1 when absent */
};

/*
 * Fill @st. Missing files are facts, not errors (no securityfs: the LSM
 * list is ""; no selinuxfs: mode unknown). Returns 0, or a negative errno
 * when a file exists but cannot be read.
 */
int selinux_detect(const struct selinux_paths *paths, struct selinux_status *st);

/* "off", "unknown", "no-policy", "permissive", "enforcing". */
const char *selinux_mode_name(enum selinux_mode mode);

/*
 * One line for people: "enabled, permissive (selinuxfs /sys/fs/selinux);
 * LSM order lockdown,capability,selinux,bpf: SELinux decides first, BPF LSM
 * (credgate) after it". Returns the length written (cut to @size).
 */
size_t selinux_describe(const struct selinux_status *st, char *buf, size_t size);

/*
 * The mount point of the first @fstype in a mountinfo file, octal escapes
 * (\040 for a space) decoded. 0, -ENOENT when there is none, or a negative
 * errno. Exposed for tests.
 */
int selinux_find_mount(const char *mountinfo, const char *fstype, char *buf, size_t size);

#endif /* CREDGATE_SELINUX_DETECT_H */
