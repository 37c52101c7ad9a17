/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What /proc says about a process an event names: binary, arguments and
 * working directory. Cached by (pid, start time), so a reused pid never
 * gets an older process's identity, and the cache stays bounded.
 */
#ifndef CREDGATE_PROC_INFO_H
#define CREDGATE_PROC_INFO_H

#include <stdbool.h>
#include <stdint.h>

#define PROC_INFO_MAX_ARGS 1024 /* bytes of arguments kept */

struct proc_info {
	char binary[4096];
	char arguments[PROC_INFO_MAX_ARGS];
	char cwd[4096];
	bool has_binary, has_arguments, has_cwd;
};

struct proc_cache;

/* @proc_root is "/proc" outside tests. */
int proc_cache__new(struct proc_cache **out, const char *proc_root, unsigned capacity);
void proc_cache__free(struct proc_cache *cache);

/*
 * Look up @pid whose start time (CLOCK_BOOTTIME, ns, as the kernel's
 * task->start_boottime) is @start_boottime_ns. Returns the cached or freshly
 * read info, or NULL when the process is gone or is another process now.
 * The pointer is valid until the next call.
 */
const struct proc_info *proc_cache__get(struct proc_cache *cache, uint32_t pid,
					uint64_t start_boottime_ns, uint64_t now_boottime_ns);

#endif /* CREDGATE_PROC_INFO_H */
