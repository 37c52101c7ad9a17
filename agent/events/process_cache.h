/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Every process on the host, as credgate knows it: fed by the kernel's exec,
 * fork and exit records, seeded from /proc at start for processes that ran
 * before the agent. Keyed by (pid, exec time), so a reused pid never takes
 * another process's identity, and an exec'd process's old program stays
 * known to the children it forked before.
 *
 * Exited processes stay for a grace period (their events may still be in
 * the ring buffer), then are freed. The size is bounded: when full, the
 * oldest exited entries go first; strings are allocated to their length
 * and shared between a process and the children it forked until they exec.
 */
#ifndef CREDGATE_PROCESS_CACHE_H
#define CREDGATE_PROCESS_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#include "credgate.h"

/* process_info.flags, named as the reference tool names them */
#define PROCESS_F_EXECVE (1u << 0)	/* "execve": credgate saw the exec */
#define PROCESS_F_PROCFS (1u << 1)	/* "procFS": found in /proc at start or on a miss */
#define PROCESS_F_CLONE (1u << 2)	/* "clone": credgate saw the fork */
#define PROCESS_F_ROOTCWD (1u << 3)	/* "rootcwd": the working directory is / */
#define PROCESS_F_TRUNC_ARGS (1u << 4)	/* "truncArgs": arguments were cut */
#define PROCESS_F_MISS (1u << 5)	/* "miss": nothing but the event itself was known */
/*
 * How binary names the program (cg_exec_event.path_flags). "errorFilename"
 * (the reference tool's word): the kernel could not name the file, and
 * binary is the string given to execve(), as given; the other words, with
 * or without it, say why or what is special.
 */
#define PROCESS_F_ERROR_FILENAME (1u << 6)	/* "errorFilename" */
#define PROCESS_F_BINARY_DELETED (1u << 7)	/* "binaryDeleted": unlinked, binary ends " (deleted)" */
#define PROCESS_F_BINARY_OUTSIDE_ROOT (1u << 8) /* "binaryOutsideRoot": not below its root */
#define PROCESS_F_BINARY_TOO_LONG (1u << 9)	/* "binaryTooLong" (with errorFilename) */
#define PROCESS_F_BINARY_TOO_DEEP (1u << 10)	/* "binaryTooDeep" (with errorFilename) */
#define PROCESS_F_BINARY_DISCONNECTED (1u << 11) /* "binaryDisconnected" (with errorFilename) */
#define PROCESS_F_BINARY_MASK                                                                      \
	(PROCESS_F_ERROR_FILENAME | PROCESS_F_BINARY_DELETED | PROCESS_F_BINARY_OUTSIDE_ROOT |     \
	 PROCESS_F_BINARY_TOO_LONG | PROCESS_F_BINARY_TOO_DEEP | PROCESS_F_BINARY_DISCONNECTED)

#define PROCESS_FLAGS_MAX 192 /* bytes of the longest flags string, NUL included */

/* One process, for formatting; valid until the next call that changes the cache. */
struct process_info {
	uint32_t pid;
	uint32_t ppid;	      /* parent at fork (or at start, for procFS) */
	uint32_t uid;	      /* real uid at exec, updated from later events */
	uint32_t auid;	      /* loginuid; 4294967295 when unset */
	uint32_t nspid;	      /* pid in its own pid namespace; 0 when unknown */
	uint32_t flags;	      /* PROCESS_F_* */
	uint32_t version;     /* changes whenever anything here changes (cache-wide unique) */
	uint32_t pidns_ino;   /* 0 when unknown */
	uint64_t exec_boottime;	       /* the key: see cg_event_header.exec_boottime */
	uint64_t start_boottime;       /* the task's start, CLOCK_BOOTTIME */
	uint64_t parent_exec_boottime; /* the parent's key, 0 when unknown */
	uint64_t cgroup_id;	       /* last seen; 0 when unknown */
	uint64_t exit_boottime;	       /* 0 while it runs (or was replaced by an exec: see exited) */
	/*
	 * The file its exec ran, named in the kernel from its root (see the
	 * PROCESS_F_BINARY_* flags for what could not be named); readlink of
	 * /proc/PID/exe for procFS processes. NULL when unknown.
	 */
	const char *binary;
	const char *arguments;	       /* argv[1..] joined by spaces; NULL when unknown */
	const char *cwd;	       /* NULL when unknown */
	/*
	 * SELinux context, read once when the cache learns the process (exec,
	 * start, miss) and shared with the children it forks until they exec;
	 * NULL when SELinux is off or the process was gone before it was read.
	 */
	const char *selinux_context;
	char comm[CG_COMM_LEN + 1];
	bool exited; /* gone, or replaced by a newer exec of the same pid */
};

struct process_cache_options {
	const char *proc_root;	 /* "/proc" outside tests */
	const char *cgroup_root; /* cgroup2 mount (for seeded processes' cgroup ids), or NULL */
	int task_execs_fd;	 /* cg_task_execs (task storage, keyed by pidfd), or < 1 */
	unsigned max_entries;	 /* 0: 65536 */
	uint64_t grace_ns;	 /* how long exited processes stay; 0: 30 s */
	bool selinux_contexts;	 /* SELinux is enabled: read each process's context */
};

struct process_cache_stats {
	uint64_t entries;	/* now, exited included */
	uint64_t exited;	/* now, waiting for their grace period to end */
	uint64_t string_bytes;	/* bytes of binary/arguments/cwd held */
	uint64_t execs, forks, exits;
	uint64_t seeded;	/* found in /proc at start */
	uint64_t misses;	/* events whose process was unknown */
	uint64_t evicted;	/* exited entries freed early because the cache was full */
	uint64_t full;		/* processes not cached: full of running processes */
};

struct process_cache;

int process_cache__new(struct process_cache **out, const struct process_cache_options *opts);
void process_cache__free(struct process_cache *cache);

/* Add every process in /proc (flag procFS). Returns how many, or a negative errno. */
int process_cache__scan_proc(struct process_cache *cache);

/* The kernel's records; @now_boottime is for the exited list's clock. */
const struct process_info *process_cache__exec(struct process_cache *cache, const struct cg_exec_event *e);
void process_cache__fork(struct process_cache *cache, const struct cg_fork_event *e);
void process_cache__exit(struct process_cache *cache, const struct cg_exit_event *e);

/*
 * The process an event names (its header), from the cache, or read from
 * /proc and added on a miss (when even that fails: an entry with only what
 * the header says, flag "miss"). Never NULL unless out of memory.
 */
const struct process_info *process_cache__get(struct process_cache *cache,
					      const struct cg_event_header *hdr);

/* The parent of @p, or NULL when it is not known (any more). */
const struct process_info *process_cache__parent(struct process_cache *cache,
						 const struct process_info *p);

/* An event showed this process's current uid / cgroup. */
void process_cache__note_uid(struct process_cache *cache, const struct process_info *p, uint32_t uid);
void process_cache__note_cgroup(struct process_cache *cache, const struct process_info *p,
				uint64_t cgroup_id);

/* Free exited processes whose grace period ended by @now_boottime. */
void process_cache__gc(struct process_cache *cache, uint64_t now_boottime);

void process_cache__stats(const struct process_cache *cache, struct process_cache_stats *stats);

/* The exec time a process with no exec record gets: its start, at /proc's (tick) resolution. */
uint64_t process_coarse_start(uint64_t start_boottime);

/* The key of the process an event names: hdr->exec_boottime, or the coarse start. */
uint64_t process_event_key(const struct cg_event_header *hdr);

/*
 * exec_id, as the reference tool computes it: base64("NODE:EXEC_NS:PID").
 * Returns the length, or -ENOBUFS.
 */
int process_exec_id(const char *node, uint64_t exec_boottime, uint32_t pid, char *buf, size_t size);

/* "execve rootcwd clone": the flags in the reference tool's words. */
void process_flags_string(uint32_t flags, char *buf, size_t size);

#endif /* CREDGATE_PROCESS_CACHE_H */
