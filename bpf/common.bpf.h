/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers every credgate program uses: reading credentials across kernel
 * versions (CO-RE), finding the policy of the current cgroup, counting and
 * filling event headers.
 */
#ifndef CREDGATE_COMMON_BPF_H
#define CREDGATE_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#include "credgate.h"
#include "maps.bpf.h"

#define EPERM 1
#define SIGKILL 9

static __always_inline void cg_count(enum cg_counter counter)
{
	__u32 key = counter;
	__u64 *value = bpf_map_lookup_elem(&cg_counters, &key);

	/* Per-CPU slot, and programs do not migrate while running. */
	if (value)
		*value += 1;
}

/*
 * Copy the first @n gids (at most CG_EVENT_MAX_GROUPS) of a kernel or user
 * array. The size is derived by masking, which the verifier can bound;
 * a clamp with compare-and-branch gets reordered by clang and is refused.
 */
#define CG_GIDS_MASK (CG_EVENT_MAX_GROUPS - 1)
_Static_assert((CG_EVENT_MAX_GROUPS & CG_GIDS_MASK) == 0, "power of two");

static __always_inline void cg_copy_gids(__u32 *dst, __u32 n, const void *src, bool user)
{
	__u32 size = n >= CG_EVENT_MAX_GROUPS ? CG_EVENT_MAX_GROUPS * sizeof(__u32)
					      : (n & CG_GIDS_MASK) * sizeof(__u32);

	if (user)
		bpf_probe_read_user(dst, size, src);
	else
		bpf_probe_read_kernel(dst, size, src);
}

/*
 * Ring-buffer wakeups: waking the agent for every event costs the caller an
 * inter-processor interrupt (an irq_work per submit). Instead the agent
 * polls every 100 ms, and is woken once when unread data crosses 64 KiB and
 * once when it crosses half the buffer, so a burst is drained long before
 * the buffer fills. Each event is smaller than the crossing window, so no
 * crossing is stepped over.
 */
#define CG_WAKEUP_BYTES (64 * 1024)
#define CG_WAKEUP_WINDOW 1024

static __always_inline __u64 cg_ringbuf_wakeup_flags(void)
{
	__u64 avail = bpf_ringbuf_query(&cg_events, BPF_RB_AVAIL_DATA);
	__u64 half = bpf_ringbuf_query(&cg_events, BPF_RB_RING_SIZE) / 2;

	if ((avail >= CG_WAKEUP_BYTES && avail < CG_WAKEUP_BYTES + CG_WAKEUP_WINDOW) ||
	    (avail >= half && avail < half + CG_WAKEUP_WINDOW))
		return BPF_RB_FORCE_WAKEUP;
	return BPF_RB_NO_WAKEUP;
}

static __always_inline struct cg_config *cg_get_config(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&cg_config_map, &zero);
}

/*
 * kernel_cap_t was { __u32 cap[2]; } before 6.3 and is { u64 val; } since:
 * both are 8 bytes with the low word first on little-endian, so reading the
 * 8 bytes at the field's (relocated) offset works on every kernel.
 */
static __always_inline __u64 cg_read_cap(const kernel_cap_t *cap)
{
	__u64 value = 0;

	bpf_probe_read_kernel(&value, sizeof(value), cap);
	return value;
}

/*
 * @cred must be a BTF pointer (an LSM argument, or reached from
 * bpf_get_current_task_btf()): the fields are then plain loads, CO-RE
 * relocated, instead of eight bpf_probe_read_kernel() calls on the hot path.
 */
static __always_inline void cg_read_ids(const struct cred *cred, struct cg_ids *ids)
{
	ids->uid = cred->uid.val;
	ids->euid = cred->euid.val;
	ids->suid = cred->suid.val;
	ids->fsuid = cred->fsuid.val;
	ids->gid = cred->gid.val;
	ids->egid = cred->egid.val;
	ids->sgid = cred->sgid.val;
	ids->fsgid = cred->fsgid.val;
}

static __always_inline void cg_read_caps(const struct cred *cred, struct cg_caps *caps)
{
	caps->permitted = cg_read_cap(__builtin_preserve_access_index(&cred->cap_permitted));
	caps->effective = cg_read_cap(__builtin_preserve_access_index(&cred->cap_effective));
	caps->inheritable = cg_read_cap(__builtin_preserve_access_index(&cred->cap_inheritable));
}

/* Pid namespaces nest 32 levels below the initial one (MAX_PID_NS_LEVEL),
 * so struct pid's numbers[] has up to 33 entries: level 32 is a real one. */
#define CG_MAX_PIDNS_LEVEL 32

/* The inode number of the task's active pid namespace: numbers[level]. A
 * mask (level & 31) made level 32 read as level 0, the host's. */
static __always_inline __u32 cg_task_pidns_ino(struct task_struct *task)
{
	struct pid *pid = BPF_CORE_READ(task, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);
	struct upid upid = {};

	/* numbers[] is a flexible array: index it by hand, with CO-RE sizes. */
	bpf_probe_read_kernel(&upid, sizeof(upid),
			      (void *)pid + bpf_core_field_offset(struct pid, numbers) +
				      (__u64)(level > CG_MAX_PIDNS_LEVEL ? CG_MAX_PIDNS_LEVEL : level) *
					      bpf_core_type_size(struct upid));
	return BPF_CORE_READ(upid.ns, ns.inum);
}

/* The exec time recorded for @task (a thread group leader), or 0. */
static __always_inline __u64 cg_task_exec_boottime(struct task_struct *task)
{
	struct cg_task_exec *te = bpf_task_storage_get(&cg_task_execs, task, NULL, 0);

	return te ? te->exec_boottime : 0;
}

static __always_inline void cg_fill_header(struct cg_event_header *hdr, __u32 type, __u32 size,
					   __u64 cgroup_id)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 pid_tgid = bpf_get_current_pid_tgid();

	hdr->type = type;
	hdr->size = size;
	hdr->time_ns = bpf_ktime_get_boot_ns();
	hdr->start_boottime = task->group_leader->start_boottime;
	hdr->cgroup_id = cgroup_id;
	hdr->pid = pid_tgid >> 32;
	hdr->tid = (__u32)pid_tgid;
	hdr->ppid = task->real_parent->tgid;
	hdr->pidns_ino = cg_task_pidns_ino(task);
	bpf_get_current_comm(hdr->comm, sizeof(hdr->comm));
	hdr->exec_boottime = cg_task_exec_boottime(task->group_leader);
}

struct cg_ancestor_ctx {
	__u64 cgroup_id; /* the nearest ancestor with a state, when found */
	__u32 gen;
	int level; /* the task's cgroup's level */
	__u32 policy_id;
	__u16 flags;
	__u16 found;
};

/* Ancestor at level (level - 1 - i): the nearest first. */
static long cg_ancestor_cb(__u32 i, void *ctx)
{
	struct cg_ancestor_ctx *a = ctx;
	struct cg_cgroup_key key = { .gen = a->gen };
	struct cg_cgroup_state *state;
	int level = a->level - 1 - (int)i;

	if (level < 0)
		return 1;
	key.cgroup_id = bpf_get_current_ancestor_cgroup_id(level);
	state = bpf_map_lookup_elem(&cg_cgroups, &key);
	if (!state)
		return 0;
	a->cgroup_id = key.cgroup_id;
	a->policy_id = state->policy_id;
	a->flags = state->flags;
	a->found = 1;
	return 1;
}

/*
 * The policy of a cgroup with no state in this generation, and whether it
 * may be cached for the task. Below a sealed cgroup (a container's or a
 * delegated one) that is by design: the nearest ancestor with a state is the
 * sealed one, and governs, at any depth. Otherwise the kernel could not store
 * the cgroup's state (the map full, no memory): which policy its path selects
 * is unknown, so a generation with an enforcing policy applies the
 * fail-closed policy, which refuses every change; without one, the nearest
 * ancestor's policy. Counted either way (when @count).
 *
 * *@governing_id becomes the nearest ancestor with a state, when there is
 * one: the sealed cgroup, or the cgroup under which the unknown ones were
 * made. So however many cgroups a container or a user creates, they share
 * its budget (budget.bpf.h) and are counted under it.
 */
static __always_inline __u32 cg_ancestor_policy(__u32 gen, bool *cacheable, __u64 *governing_id,
						bool count)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct cg_ancestor_ctx a = {
		.gen = gen,
		.level = task->cgroups->dfl_cgrp->level,
		.policy_id = CG_NO_POLICY,
	};
	struct cg_policy_key pkey = { .gen = gen, .policy_id = CG_FAIL_CLOSED_POLICY };

	*cacheable = false;
	if (a.level > 0)
		bpf_loop((__u32)a.level, cg_ancestor_cb, &a, 0);
	if (a.found)
		*governing_id = a.cgroup_id;
	if (a.found && (a.flags & CG_CGROUP_SEALED)) {
		*cacheable = true;
		return a.policy_id;
	}
	if (count)
		cg_count(CG_CNT_CGROUP_UNKNOWN);
	if (bpf_map_lookup_elem(&cg_policies, &pkey))
		return CG_FAIL_CLOSED_POLICY;
	return a.policy_id;
}

/*
 * Whether a policy's SELinux condition holds for @task. A task user space
 * has not labelled for this generation yet counts as matching: the policy
 * applies (fail closed), and the event is counted. On a host without
 * SELinux no task has a type, and none is labelled: the policy applies to
 * nobody.
 */
static __always_inline bool cg_selinux_matches(const struct cg_policy *policy,
					      struct task_struct *task, __u32 gen)
{
	struct cg_task_label *label;
	struct cg_generation *generation;

	if (!policy->selinux_types)
		return true;
	label = bpf_task_storage_get(&cg_task_labels, task, NULL, 0);
	if (!label || label->gen != gen) {
		generation = bpf_map_lookup_elem(&cg_generations, &gen);
		if (generation && (generation->flags & CG_GENERATION_NO_SELINUX))
			return false;
		cg_count(CG_CNT_LABEL_UNKNOWN);
		return true;
	}
	return label->selinux_types & policy->selinux_types;
}

/* Whether a policy's pid-namespace condition (from a TracingPolicy) holds. */
static __always_inline bool cg_pidns_matches(const struct cg_policy *policy, __u32 pidns_ino)
{
	if ((policy->flags & CG_POLICY_PIDNS_NOT_HOST) && pidns_ino == CG_HOST_PIDNS_INO)
		return false;
	if ((policy->flags & CG_POLICY_PIDNS_HOST) && pidns_ino != CG_HOST_PIDNS_INO)
		return false;
	return true;
}

/*
 * How the current task is governed in @gen (gen != 0): its policy, the
 * governing cgroup (whose stored state decided it), its pid namespace. A
 * task seen before in the same cgroup and generation costs one task-local
 * lookup; otherwise one lookup of its cgroup's state (below a sealed cgroup,
 * a walk up to it), then cached. @count: count an unknown cgroup (the
 * decision does; the budget, which may ask first, does not count it again).
 */
static __always_inline void cg_task_governance(__u32 gen, struct cg_task_policy *gov, bool count)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct cg_cgroup_key ckey = { .gen = gen };
	__u64 cgid = bpf_get_current_cgroup_id();
	struct cg_cgroup_state *state;
	struct cg_task_policy *tp;
	bool cacheable = true;

	tp = bpf_task_storage_get(&cg_task_policies, task, NULL, 0);
	if (tp && tp->cgroup_id == cgid && tp->gen == gen) {
		*gov = *tp;
		return;
	}
	gov->cgroup_id = cgid;
	gov->governing_id = cgid;
	gov->gen = gen;
	gov->pidns_ino = cg_task_pidns_ino(task);
	gov->pad = 0;
	ckey.cgroup_id = cgid;
	state = bpf_map_lookup_elem(&cg_cgroups, &ckey);
	if (state)
		gov->policy_id = state->policy_id;
	else
		/* Not cached when unknown: the next call may find the cgroup's state. */
		gov->policy_id = cg_ancestor_policy(gen, &cacheable, &gov->governing_id, count);
	if (!cacheable)
		return;
	tp = bpf_task_storage_get(&cg_task_policies, task, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (tp)
		*tp = *gov;
}

/*
 * The policy governing the current task, or NULL. Sets *cgroup_id to the
 * task's own cgroup and *policy_id to the policy found (or CG_NO_POLICY).
 */
static __always_inline struct cg_policy *cg_current_policy(__u32 gen, __u64 *cgroup_id,
							   __u32 *policy_id)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct cg_policy_key pkey = { .gen = gen };
	struct cg_task_policy gov;
	struct cg_policy *policy;

	*cgroup_id = bpf_get_current_cgroup_id();
	*policy_id = CG_NO_POLICY;
	if (!gen)
		return NULL; /* nothing published yet: programs attach before the first policy */
	cg_task_governance(gen, &gov, true);
	pkey.policy_id = gov.policy_id;
	*policy_id = pkey.policy_id;
	if (pkey.policy_id == CG_NO_POLICY)
		return NULL;
	policy = bpf_map_lookup_elem(&cg_policies, &pkey);
	if (policy && (!cg_pidns_matches(policy, gov.pidns_ino) ||
		       !cg_selinux_matches(policy, task->group_leader, gen))) {
		*policy_id = CG_NO_POLICY;
		return NULL;
	}
	return policy;
}

/*
 * What every hook and program asks first: which policy governs the current
 * task, in which generation. config is the published configuration (NULL
 * before the agent wrote it); gen its generation (0: no policy published
 * yet); cgroup_id the task's own cgroup (once a configuration is found);
 * policy_id the policy found, or CG_NO_POLICY.
 */
struct cg_governed {
	struct cg_config *config;
	struct cg_policy *policy;
	__u64 cgroup_id;
	__u32 policy_id;
	__u32 gen;
};

/*
 * Fill *@g for the current task; returns g->policy: NULL when no policy
 * governs it (then the caller has nothing to decide or observe).
 */
static __always_inline struct cg_policy *cg_governing_policy(struct cg_governed *g)
{
	g->config = cg_get_config();
	g->policy = NULL;
	g->cgroup_id = 0;
	g->policy_id = CG_NO_POLICY;
	g->gen = 0;
	if (!g->config)
		return NULL;
	g->gen = g->config->gen;
	g->policy = cg_current_policy(g->gen, &g->cgroup_id, &g->policy_id);
	return g->policy;
}

#endif /* CREDGATE_COMMON_BPF_H */
