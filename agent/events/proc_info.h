/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reading what /proc says about one process: its start time, parent and
 * command name (stat), executable, working directory, arguments, uid,
 * loginuid and pid in its own namespace. Every read is bounded; the process
 * cache (process_cache.c) decides when to read.
 */
#ifndef CREDGATE_PROC_INFO_H
#define CREDGATE_PROC_INFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROC_INFO_MAX_ARGS 1024	 /* bytes of arguments kept, NUL included */
#define PROC_INFO_MAX_PATH 4096	 /* binary and cwd, NUL included */

struct proc_stat {
	uint32_t ppid;
	uint64_t start_ticks; /* clock ticks since boot (task->start_boottime, coarse) */
	char comm[16];	      /* NUL-terminated, may be cut */
};

/* Field 22 of /proc/PID/stat and friends. 0 or a negative errno. */
int proc_read_stat(const char *proc_root, uint32_t pid, struct proc_stat *st);

/*
 * Whether the file /proc/PID/exe leads to has no name left (it was
 * deleted): the " (deleted)" the kernel appends to the link's text can be
 * part of a real name too. 1, 0, or a negative errno.
 */
int proc_exe_unlinked(const char *proc_root, uint32_t pid);

/* readlink /proc/PID/@name (exe, cwd) into @buf. Length, or a negative errno. */
int proc_read_link(const char *proc_root, uint32_t pid, const char *name, char *buf, size_t size);

/*
 * argv[1..] joined by spaces, as the reference tool reports "arguments",
 * from /proc/PID/cmdline. Sets *truncated when the arguments did not fit.
 * Length, or a negative errno.
 */
int proc_read_arguments(const char *proc_root, uint32_t pid, char *buf, size_t size, bool *truncated);

/* Real uid and the innermost NSpid from /proc/PID/status. 0 or a negative errno. */
int proc_read_status(const char *proc_root, uint32_t pid, uint32_t *uid, uint32_t *nspid);

/* /proc/PID/loginuid (4294967295 when unset). 0 or a negative errno. */
int proc_read_loginuid(const char *proc_root, uint32_t pid, uint32_t *auid);

/*
 * The SELinux context of @pid (/proc/PID/attr/current), validated: at most
 * SELINUX_CONTEXT_MAX printable bytes, user:role:type[:level]. Read only
 * where SELinux is the LSM that answers attr/current (another LSM, such as
 * AppArmor, answers with its own label, which is refused here as -EINVAL).
 * Length, or a negative errno.
 */
int proc_read_selinux_context(const char *proc_root, uint32_t pid, char *buf, size_t size);

/*
 * argv[1..] joined by spaces from a NUL-separated argv block (argv[0]
 * first), as the kernel's exec record and /proc/PID/cmdline hold it.
 * Writes at most @size - 1 bytes and a NUL; returns the length.
 */
size_t proc_join_arguments(const char *argv, size_t len, char *buf, size_t size, bool *truncated);

/*
 * Call @visit for each process directory of @proc_root (a /proc). Returns
 * how many calls returned true, or a negative errno when @proc_root cannot
 * be read.
 */
int proc_for_each_pid(const char *proc_root, bool (*visit)(void *ctx, uint32_t pid), void *ctx);

#endif /* CREDGATE_PROC_INFO_H */
