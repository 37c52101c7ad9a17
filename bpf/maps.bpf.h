/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Maps shared by every credgate BPF object. Each object declares them; the
 * loader creates them once (with the first object) and hands the same map
 * fds to the others with bpf_map__reuse_fd(), so all programs see one policy
 * and write to one ring buffer.
 */
#ifndef CREDGATE_MAPS_BPF_H
#define CREDGATE_MAPS_BPF_H

#include "credgate.h"

/* Index 0 only: the published generation and the fallback mode. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cg_config);
} cg_config_map SEC(".maps");

/* (generation, cgroup id) -> the cgroup's selection state and policy. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2 * CG_MAX_CGROUPS);
	__type(key, struct cg_cgroup_key);
	__type(value, struct cg_cgroup_state);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} cg_cgroups SEC(".maps");

/* (generation, state) -> NFA state: the compiled selector patterns. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2 * CG_MAX_NFA_STATES);
	__type(key, struct cg_nfa_key);
	__type(value, struct cg_nfa_state);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} cg_nfa SEC(".maps");

/* (generation, index) -> selector. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2 * CG_MAX_SELECTORS);
	__type(key, struct cg_selector_key);
	__type(value, struct cg_selector);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} cg_selectors SEC(".maps");

/* generation -> table sizes and root state. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct cg_generation);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} cg_generations SEC(".maps");

/* (generation, policy, path) -> present: binaries an exec rule allows. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct cg_exec_path_key);
	__type(value, __u8);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} cg_exec_paths SEC(".maps");

/* (generation, policy id) -> compiled rules. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2 * (CG_MAX_POLICIES + 1)); /* + the fail-closed policy */
	__type(key, struct cg_policy_key);
	__type(value, struct cg_policy);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} cg_policies SEC(".maps");

/*
 * Per task: the policy resolved for the cgroup and generation it was in at
 * its last credential change. The hot path of an ungoverned task is then
 * one task-local lookup (a pointer chase from the task), not a hash lookup.
 */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct cg_task_policy);
} cg_task_policies SEC(".maps");

/* Per task: its SELinux types, written by user space (struct cg_task_label). */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct cg_task_label);
} cg_task_labels SEC(".maps");

/* Per task: its program's start, for exec ids (see struct cg_task_exec). */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct cg_task_exec);
} cg_task_execs SEC(".maps");

/*
 * Per task: the privilege its exec gains, measured by the exec decision at
 * bprm_creds_from_file, for the exec event at sched_process_exec (see
 * exec.bpf.h). Shared like every map here: the LSM object writes it, the
 * process object reads it.
 */
struct cg_exec_gain {
	__u64 exec_id; /* the task's self_exec_id once this exec completes; 0: none */
	__u32 flags;   /* CG_EXEC_* */
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct cg_exec_gain);
} cg_exec_gains SEC(".maps");

/* Events to user space; the size is set by the loader before load. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 * 1024 * 1024);
} cg_events SEC(".maps");

/* User space's own bookkeeping, kept across agent restarts (index 0). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cg_agent_state);
} cg_agent_state_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CG_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} cg_counters SEC(".maps");

#endif /* CREDGATE_MAPS_BPF_H */
