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

/* (generation, cgroup id) -> policy: cgroups a selector names directly. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2 * CG_MAX_BINDINGS);
	__type(key, struct cg_binding_key);
	__type(value, struct cg_binding);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} cg_bindings SEC(".maps");

/* (generation, policy id) -> compiled rules. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2 * CG_MAX_POLICIES);
	__type(key, struct cg_policy_key);
	__type(value, struct cg_policy);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} cg_policies SEC(".maps");

/*
 * cgroup id -> the policy that governs it, for the generation it names.
 * cgroup ids are never reused while the system runs, so an entry can only
 * go stale through a new generation, which the gen field detects.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct cg_cgroup_cache);
} cg_cgroup_cache SEC(".maps");

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

/* Events to user space; the size is set by the loader before load. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 * 1024 * 1024);
} cg_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CG_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} cg_counters SEC(".maps");

#endif /* CREDGATE_MAPS_BPF_H */
