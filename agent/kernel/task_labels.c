// SPDX-License-Identifier: LGPL-2.1-or-later
#include "task_labels.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "context.h"
#include "macro.h"
#include "proc_info.h"

struct task_labels {
	int labels_fd, task_execs_fd;
	char proc_root[256];
	uint32_t gen;
	struct policy_selinux_table table;
	uint64_t swept_at;
	struct task_labels_stats stats;
};

static uint64_t clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int task_labels__new(struct task_labels **out, const struct task_labels_options *opts)
{
	struct task_labels *tl = calloc(1, sizeof(*tl));

	if (!tl)
		return -ENOMEM;
	tl->labels_fd = opts->labels_fd;
	tl->task_execs_fd = opts->task_execs_fd;
	snprintf(tl->proc_root, sizeof(tl->proc_root), "%s", opts->proc_root ? opts->proc_root : "/proc");
	*out = tl;
	return 0;
}

void task_labels__free(struct task_labels *tl)
{
	free(tl);
}

void task_labels__set_generation(struct task_labels *tl, uint32_t gen, const struct policy_selinux_table *table)
{
	tl->gen = gen;
	tl->table = *table;
}

bool task_labels__active(const struct task_labels *tl)
{
	return tl && tl->table.count > 0;
}

__u64 task_labels_mask(const struct policy_selinux_table *table, const char *context)
{
	struct selinux_context_parts parts;
	__u64 mask = 0;

	if (!context || selinux_context_parse(context, strlen(context), &parts) < 0)
		return 0; /* no context ("kernel" before a policy is loaded): no type either */
	for (size_t i = 0; i < table->count && i < CG_MAX_SELINUX_TYPES; i++) {
		const char *value = table->labels[i].value;
		bool match;

		if (table->labels[i].kind == POLICY_SELINUX_TYPE)
			match = strlen(value) == parts.type_len && memcmp(value, parts.type, parts.type_len) == 0;
		else
			match = strcmp(value, context) == 0;
		if (match)
			mask |= 1ull << i;
	}
	return mask;
}

/* The exec time the kernel keeps for the task behind @pidfd, or 0. */
static uint64_t exec_time(const struct task_labels *tl, int pidfd)
{
	struct cg_task_exec te;

	if (tl->task_execs_fd < 1 || bpf_map_lookup_elem(tl->task_execs_fd, &pidfd, &te) < 0)
		return 0;
	return te.exec_boottime;
}

int task_labels__label(struct task_labels *tl, uint32_t pid, const char *context, uint64_t event_exec_time)
{
	char buf[SELINUX_CONTEXT_MAX + 1];
	struct cg_task_label label = { .gen = tl->gen };
	_cleanup_close_ int pidfd = -1;
	uint64_t before;

	if (!task_labels__active(tl))
		return 0;
	/* The pidfd pins the process: a pid reused meanwhile fails the update instead of being labelled. */
	pidfd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
	if (pidfd < 0) {
		tl->stats.failed++;
		return negative_errno();
	}
	before = exec_time(tl, pidfd);
	if (event_exec_time && before && before != event_exec_time)
		return -ESTALE; /* exec'd again since the event: that exec's event labels it */
	if (!context && proc_read_selinux_context(tl->proc_root, pid, buf, sizeof(buf)) >= 0)
		context = buf;
	label.selinux_types = task_labels_mask(&tl->table, context);
	if (bpf_map_update_elem(tl->labels_fd, &pidfd, &label, BPF_ANY) < 0) {
		tl->stats.failed++;
		return negative_errno();
	}
	/*
	 * An exec between reading the context and writing the label may have
	 * changed the context, and its clearing of the label came before our
	 * write: withdraw the label (fail closed) until its exec event.
	 */
	if (exec_time(tl, pidfd) != before) {
		label.gen = 0;
		bpf_map_update_elem(tl->labels_fd, &pidfd, &label, BPF_ANY);
		tl->stats.stale++;
		return -ESTALE;
	}
	tl->stats.labelled++;
	return 0;
}

static bool label_found_process(void *ctx, uint32_t pid)
{
	return task_labels__label(ctx, pid, NULL, 0) == 0;
}

int task_labels__sweep(struct task_labels *tl)
{
	uint64_t start = clock_ns(CLOCK_MONOTONIC);
	int n;

	if (!task_labels__active(tl))
		return 0;
	n = proc_for_each_pid(tl->proc_root, label_found_process, tl);
	if (n < 0)
		return n;
	tl->swept_at = clock_ns(CLOCK_BOOTTIME);
	tl->stats.sweeps++;
	tl->stats.last_sweep_ns = clock_ns(CLOCK_MONOTONIC) - start;
	tl->stats.last_sweep_processes = (uint64_t)n;
	return n;
}

void task_labels__note_exec(struct task_labels *tl, uint32_t pid, const char *context, uint64_t exec_time)
{
	if (task_labels__active(tl))
		task_labels__label(tl, pid, context, exec_time);
}

void task_labels__note_fork(struct task_labels *tl, uint32_t pid, uint64_t fork_time_ns, const char *context,
			    uint64_t exec_time)
{
	if (task_labels__fork_needs_label(tl, fork_time_ns))
		task_labels__label(tl, pid, context, exec_time);
}

bool task_labels__fork_needs_label(const struct task_labels *tl, uint64_t fork_time_ns)
{
	return task_labels__active(tl) && fork_time_ns <= tl->swept_at;
}

uint64_t task_labels__swept_at(const struct task_labels *tl)
{
	return tl ? tl->swept_at : 0;
}

void task_labels__stats(const struct task_labels *tl, struct task_labels_stats *stats)
{
	*stats = tl->stats;
}
