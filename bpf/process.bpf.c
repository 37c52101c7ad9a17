// SPDX-License-Identifier: GPL-2.0-only
/*
 * Process lifecycle: exec, fork (of a process, not a thread) and exit, for
 * the agent's process cache, which gives every event the process's binary,
 * arguments, parent and exec id. Each task's exec time is also kept in task
 * storage, so every event carries it (cg_event_header.exec_boottime) even
 * when the agent missed the exec.
 */
#include "budget.bpf.h"
#include "exec.bpf.h"
#include "path.bpf.h"

char LICENSE[] SEC("license") = "GPL";

static __always_inline void cg_fill_task_header(struct cg_event_header *hdr, __u32 type, __u32 size,
						struct task_struct *task)
{
	struct task_struct *leader = task->group_leader;

	hdr->type = type;
	hdr->size = size;
	hdr->time_ns = bpf_ktime_get_boot_ns();
	hdr->start_boottime = leader->start_boottime;
	hdr->cgroup_id = task->cgroups->dfl_cgrp->kn->id;
	hdr->pid = task->tgid;
	hdr->tid = task->pid;
	hdr->ppid = task->real_parent->tgid;
	hdr->pidns_ino = cg_task_pidns_ino(task);
	bpf_probe_read_kernel_str(hdr->comm, sizeof(hdr->comm), task->comm);
	hdr->exec_boottime = cg_task_exec_boottime(leader);
}

/*
 * Copy the new program's arguments (the user memory between arg_start and
 * arg_end), never beyond: the environment follows them and is not ours to
 * report. The size is bounded by masking, which the verifier can follow.
 */
static __always_inline void cg_copy_args(struct cg_exec_event *e, struct task_struct *task)
{
	unsigned long start = task->mm->arg_start, end = task->mm->arg_end;
	__u64 len = end > start ? end - start : 0;

	e->args_truncated = len > CG_ARGS_LEN;
	if (len >= CG_ARGS_LEN) {
		bpf_probe_read_user(e->args, CG_ARGS_LEN, (const void *)start);
		e->args_len = CG_ARGS_LEN;
	} else {
		bpf_probe_read_user(e->args, len & (CG_ARGS_LEN - 1), (const void *)start);
		e->args_len = (__u32)len;
	}
}

/*
 * An exec may change the SELinux context (a domain transition), which only
 * user space can read: the label stops counting (fail closed) until the
 * agent relabels the process from its exec event. A task never labelled
 * costs one lookup.
 */
static __always_inline void cg_invalidate_label(struct task_struct *task)
{
	struct cg_task_label *label = bpf_task_storage_get(&cg_task_labels, task, NULL, 0);

	if (label)
		label->gen = 0;
}

/*
 * A fork keeps its parent's context: the child gets the parent's label
 * (when it is for the generation in force), so it is never unlabelled.
 */
static __always_inline void cg_inherit_label(struct task_struct *parent, struct task_struct *child)
{
	struct cg_config *config = cg_get_config();
	struct cg_task_label *parent_label, copy;

	parent_label = bpf_task_storage_get(&cg_task_labels, parent->group_leader, NULL, 0);
	if (!parent_label || !config || parent_label->gen != config->gen)
		return;
	copy = *parent_label;
	bpf_task_storage_get(&cg_task_labels, child, &copy, BPF_LOCAL_STORAGE_GET_F_CREATE);
}

/*
 * The file the exec runs, named from the task's root: bprm->file, which
 * for a script is its interpreter (the script's own file was released
 * when the interpreter was opened), as /proc/PID/exe names it. Should a
 * kernel have released it by this tracepoint, the new mm's exe_file is
 * the same file.
 */
static __always_inline __u32 cg_exec_file_path(struct task_struct *task, struct linux_binprm *bprm, char *out)
{
	struct file *file = BPF_CORE_READ(bprm, file);

	if (!file)
		file = BPF_CORE_READ(task, mm, exe_file);
	return cg_file_path(task, file, out);
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(cg_sched_process_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u64 wakeup = cg_ringbuf_wakeup_flags();
	struct cg_governed g;
	struct cg_policy *policy;
	struct cg_task_exec *te;
	struct cg_exec_event *e;
	struct cg_caps caps;
	__u64 now = bpf_ktime_get_boot_ns();

	/* After de_thread(), the exec'ing thread leads its group. */
	te = bpf_task_storage_get(&cg_task_execs, p, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);
	e = cg_reserve_event(sizeof(*e), bpf_get_current_cgroup_id(), false);
	if (!e) {
		__u32 unused;

		cg_count(CG_CNT_PROCESS_LOST);
		cg_exec_gain_take(p, &unused); /* this exec's record, used or not */
		if (te) {
			te->exec_boottime = now;
			te->flags = CG_PROC_EXECVE;
			te->binary_flags = 0;
		}
		cg_invalidate_label(p);
		return 0;
	}
	cg_read_ids(p->cred, &e->ids);
	cg_read_caps(p->cred, &caps);
	e->cap_permitted = caps.permitted;
	e->cap_effective = caps.effective;
	/* The exec decision's measure when it made one, else a reading of the result. */
	if (!cg_exec_gain_take(p, &e->binary_flags))
		e->binary_flags = cg_exec_gain_after(&e->ids, &caps,
						     cg_read_cap(__builtin_preserve_access_index(&p->cred->cap_ambient)));
	if (te) {
		te->exec_boottime = now;
		te->flags = CG_PROC_EXECVE;
		te->binary_flags = e->binary_flags;
	}
	cg_fill_task_header(&e->hdr, CG_EVENT_EXEC, sizeof(*e), p);
	e->hdr.time_ns = now;
	e->auid = p->loginuid.val;
	policy = cg_governing_policy(&g);
	e->policy_id = g.policy_id;
	e->policy_gen = g.gen;
	e->observe = policy && (policy->flags & CG_POLICY_OBSERVE);
	/* After the policy above was found with the label the exec started with. */
	cg_invalidate_label(p);
	__builtin_memset(e->filename, 0, sizeof(e->filename));
	bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), bprm->filename);
	e->path_flags = cg_exec_file_path(p, bprm, e->binary);
	cg_copy_args(e, p);
	bpf_ringbuf_submit(e, wakeup);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(cg_sched_process_fork, struct task_struct *parent, struct task_struct *child)
{
	__u64 wakeup = cg_ringbuf_wakeup_flags();
	struct cg_task_exec *pte, *cte;
	struct cg_fork_event *e;

	if (child->pid != child->tgid)
		return 0; /* a new thread, not a new process */
	cg_inherit_label(parent, child);
	/* Until it execs, a child runs its parent's program: a "clone". */
	pte = bpf_task_storage_get(&cg_task_execs, parent->group_leader, NULL, 0);
	cte = bpf_task_storage_get(&cg_task_execs, child, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (cte) {
		cte->exec_boottime = child->start_boottime;
		cte->flags = CG_PROC_CLONE;
		cte->binary_flags = pte ? pte->binary_flags : 0;
	}
	e = cg_reserve_event(sizeof(*e), bpf_get_current_cgroup_id(), false);
	if (!e) {
		cg_count(CG_CNT_PROCESS_LOST);
		return 0;
	}
	cg_fill_task_header(&e->hdr, CG_EVENT_FORK, sizeof(*e), child);
	e->parent_pid = parent->tgid;
	e->parent_start_boottime = parent->group_leader->start_boottime;
	e->parent_exec_boottime = pte ? pte->exec_boottime : 0;
	e->pad = 0;
	bpf_ringbuf_submit(e, wakeup);
	return 0;
}

/* Only the first argument: 6.1 passes the task alone, later kernels more. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(cg_sched_process_exit, struct task_struct *p)
{
	__u64 wakeup = cg_ringbuf_wakeup_flags();
	struct cg_exit_event *e;

	if (p->pid != p->tgid)
		return 0; /* a thread; the process ends with its main thread */
	e = cg_reserve_event(sizeof(*e), bpf_get_current_cgroup_id(), false);
	if (!e) {
		cg_count(CG_CNT_PROCESS_LOST);
		return 0;
	}
	cg_fill_task_header(&e->hdr, CG_EVENT_EXIT, sizeof(*e), p);
	e->exit_code = (__u32)p->exit_code;
	e->pad = 0;
	bpf_ringbuf_submit(e, wakeup);
	return 0;
}
