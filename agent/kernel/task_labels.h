/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SELinux labels for the kernel: which of a generation's selinuxType /
 * selinuxContext labels each process's context has, written into the
 * cg_task_labels task storage (a pidfd as key) so that the BPF side decides
 * without user space on the hot path.
 *
 * Labelled: every process when a generation is published (a sweep of
 * /proc), a process when its exec event arrives (the kernel cleared its
 * label at the exec), a child forked before the sweep ended. The kernel
 * copies a parent's label to its child at fork. Nothing is done while the
 * generation names no label. docs/selinux.md describes the windows.
 */
#ifndef CREDGATE_TASK_LABELS_H
#define CREDGATE_TASK_LABELS_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/types.h>

#include "policy.h"

struct task_labels_options {
	int labels_fd;	    /* cg_task_labels */
	int task_execs_fd;  /* cg_task_execs: to notice an exec while labelling; < 1: none */
	const char *proc_root; /* NULL: /proc */
};

struct task_labels_stats {
	uint64_t labelled;   /* label writes */
	uint64_t failed;     /* processes that could not be labelled (gone, or a map error) */
	uint64_t stale;	     /* labels withdrawn because the process exec'd while being labelled */
	uint64_t sweeps;
	uint64_t last_sweep_ns;	  /* how long the last sweep took */
	uint64_t last_sweep_processes;
};

struct task_labels;

int task_labels__new(struct task_labels **out, const struct task_labels_options *opts);
void task_labels__free(struct task_labels *tl);

/* The generation now in force and its labels (copied). Labelling is active while there are any. */
void task_labels__set_generation(struct task_labels *tl, uint32_t gen, const struct policy_selinux_table *table);
bool task_labels__active(const struct task_labels *tl);

/* Bit i set when label i of @table holds for @context (NULL or not a context: none). */
__u64 task_labels_mask(const struct policy_selinux_table *table, const char *context);

/*
 * Label process @pid with @context (NULL: read /proc/PID/attr/current).
 * @exec_time: the exec (or fork) time its event reported, or 0: a process
 * that exec'd since is left alone (its own exec event labels it). Returns 0,
 * -ESTALE when it exec'd meanwhile, or a negative errno (-ESRCH: gone).
 */
int task_labels__label(struct task_labels *tl, uint32_t pid, const char *context, uint64_t exec_time);

/*
 * What the event pipeline tells the labeller; it decides whether a label is
 * written (the pipeline never writes the map itself). Both do nothing while
 * labelling is inactive, and accept a NULL @tl.
 *
 * An exec of @pid (exec time @exec_time, CLOCK_BOOTTIME): the kernel cleared
 * its label at the exec, and @context (NULL: read it) is its new context.
 */
void task_labels__note_exec(struct task_labels *tl, uint32_t pid, const char *context, uint64_t exec_time);
/*
 * A fork of child @pid at @fork_time_ns, whose context is @context (a fork
 * keeps its parent's). A child forked before the last sweep ended may have
 * copied its parent's label of the previous generation: it is labelled
 * again. Later forks got a current label from the kernel, and are left alone.
 */
void task_labels__note_fork(struct task_labels *tl, uint32_t pid, uint64_t fork_time_ns, const char *context,
			    uint64_t exec_time);
/* Whether a fork at @fork_time_ns needs task_labels__note_fork(): spares looking up a context for nothing. */
bool task_labels__fork_needs_label(const struct task_labels *tl, uint64_t fork_time_ns);

/* Label every process in /proc. Returns how many were labelled, or a negative errno. */
int task_labels__sweep(struct task_labels *tl);

/* CLOCK_BOOTTIME at which the last sweep ended: forks before it may carry an old label. */
uint64_t task_labels__swept_at(const struct task_labels *tl);

void task_labels__stats(const struct task_labels *tl, struct task_labels_stats *stats);

#endif /* CREDGATE_TASK_LABELS_H */
