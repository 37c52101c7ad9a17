/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SELinux security contexts as text: "user:role:type" and, with MLS/MCS,
 * ":level" where a level is "sensitivity[:categories]" or a range
 * "low-high" of two such levels ("system_u:system_r:container_t:s0:c12,c34").
 *
 * Everything here reads bounded text that came from outside (a policy file,
 * /proc/PID/attr/current, an event log) and never trusts it: a context is
 * refused when it is longer than SELINUX_CONTEXT_MAX bytes or holds a byte
 * that is not printable ASCII. Pure functions: no I/O.
 */
#ifndef CREDGATE_SELINUX_CONTEXT_H
#define CREDGATE_SELINUX_CONTEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Longest context accepted, NUL not included (the kernel allows more; nothing real is that long). */
#define SELINUX_CONTEXT_MAX 255
/* Longest type, user or role name accepted. */
#define SELINUX_NAME_MAX 127

/* Where the parts of a valid context start, and how long they are. */
struct selinux_context_parts {
	const char *user, *role, *type, *level; /* level: NULL without MLS */
	size_t user_len, role_len, type_len, level_len;
};

/*
 * Check @len bytes at @text (no NUL needed) and find its parts. Returns 0,
 * -E2BIG when longer than SELINUX_CONTEXT_MAX, or -EINVAL when it is not a
 * context: fewer than three fields, an empty or invalid name, a byte that
 * is not printable ASCII.
 */
int selinux_context_parse(const char *text, size_t len, struct selinux_context_parts *parts);

/* The type of a context, copied NUL-terminated into @buf. Length, or a negative errno (-ENOBUFS). */
int selinux_context_type(const char *text, size_t len, char *buf, size_t size);

/*
 * A type (or user, role) name as the policy language writes identifiers:
 * a letter first, then letters, digits, '_', '-' and '.', at most
 * SELINUX_NAME_MAX bytes.
 */
bool selinux_name_valid(const char *name, size_t len);

/*
 * The context as the kernel prints it (what /proc/PID/attr/current and
 * `ps -Z` show), so that a context written in a policy compares equal to a
 * task's as a string: the categories of each level sorted, runs of three or
 * more written "cA.cB", a range whose two levels are equal written once.
 * Categories must be named cN (N < 1024) to be rewritten; a level with
 * other names is copied as it is. Returns the length, -EINVAL for an
 * invalid context, or -ENOBUFS.
 */
int selinux_context_canonical(const char *text, size_t len, char *buf, size_t size);

#endif /* CREDGATE_SELINUX_CONTEXT_H */
