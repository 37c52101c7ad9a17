// SPDX-License-Identifier: GPL-2.0-only
/*
 * BPF LSM hooks: decide every credential change made in a governed cgroup,
 * report it, and in enforce mode refuse it with -EPERM.
 *
 * Each program runs after the kernel's own permission checks, on the
 * prepared new credentials, and returns a non-zero verdict of an earlier
 * LSM unchanged.
 */
#include "events.bpf.h"

char LICENSE[] SEC("license") = "GPL";

static __always_inline int cg_finish(struct cg_decision_facts *facts, const struct cg_policy *policy)
{
	const struct cg_decision *d = facts->decision;

	facts->verdict = d->verdict;
	cg_count_verdict(facts->verdict);
	if (d->verdict != CG_VERDICT_ALLOWED || (policy->flags & CG_POLICY_REPORT_ALLOWED))
		cg_emit_decision(facts);
	return d->verdict == CG_VERDICT_DENIED ? -EPERM : 0;
}

static __always_inline int cg_decide_setid(enum cg_hook hook, const struct cred *new,
					   const struct cred *old, int flags)
{
	struct cg_config *config = cg_get_config();
	struct cg_ids old_ids, new_ids;
	struct cg_decision decision;
	struct cg_policy *policy;
	__u32 policy_id;
	__u64 cgroup_id;

	if (!config)
		return 0;
	policy = cg_current_policy(config->gen, &cgroup_id, &policy_id);
	if (!policy)
		return 0;

	cg_read_ids(old, &old_ids);
	cg_read_ids(new, &new_ids);
	cg_decision_init(&decision, policy->mode);
	if (hook == CG_HOOK_SETUID)
		cg_check_setuid(policy, &old_ids, &new_ids, &decision);
	else
		cg_check_setgid(policy, &old_ids, &new_ids, &decision);

	struct cg_decision_facts facts = {
		.hook = hook,
		.setid_flags = flags,
		.policy_id = policy_id,
		.policy_gen = config->gen,
		.cgroup_id = cgroup_id,
		.decision = &decision,
		.old_ids = &old_ids,
		.new_ids = &new_ids,
	};
	return cg_finish(&facts, policy);
}

SEC("lsm/task_fix_setuid")
int BPF_PROG(cg_lsm_task_fix_setuid, struct cred *new, const struct cred *old, int flags, int ret)
{
	if (ret)
		return ret;
	return cg_decide_setid(CG_HOOK_SETUID, new, old, flags);
}

SEC("lsm/task_fix_setgid")
int BPF_PROG(cg_lsm_task_fix_setgid, struct cred *new, const struct cred *old, int flags, int ret)
{
	if (ret)
		return ret;
	return cg_decide_setid(CG_HOOK_SETGID, new, old, flags);
}

/* State for checking each new supplementary group in a bpf_loop callback. */
struct cg_groups_scan {
	const void *old_gids;
	const void *new_gids;
	__u32 old_count;
	__u32 policy_id;
	__u32 gen;
	struct cg_decision *decision;
};

/* Group lists are sorted by the kernel (groups_sort) before the hook runs. */
static __always_inline bool cg_groups_contain(const void *gids, __u32 count, __u32 gid)
{
	__u32 lo = 0, hi = count;

	/* 17 halvings cover NGROUPS_MAX (65536). */
	for (int i = 0; i < 17 && lo < hi; i++) {
		__u32 mid = lo + (hi - lo) / 2, value = 0;

		bpf_probe_read_kernel(&value, sizeof(value), gids + (__u64)mid * sizeof(__u32));
		if (value == gid)
			return true;
		if (value < gid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static long cg_scan_new_group(__u32 index, void *ctx)
{
	struct cg_groups_scan *scan = ctx;
	struct cg_policy_key key = { .gen = scan->gen, .policy_id = scan->policy_id };
	struct cg_policy *policy;
	__u32 gid = 0;

	bpf_probe_read_kernel(&gid, sizeof(gid), scan->new_gids + (__u64)index * sizeof(__u32));
	if (cg_groups_contain(scan->old_gids, scan->old_count, gid))
		return 0;
	/* Looked up again here: a callback cannot carry a map value pointer. */
	policy = bpf_map_lookup_elem(&cg_policies, &key);
	if (!policy)
		return 1;
	cg_check_id_move(&policy->setgroups, CG_ID_UNCHANGED, gid, scan->decision);
	return 0;
}

SEC("lsm/task_fix_setgroups")
int BPF_PROG(cg_lsm_task_fix_setgroups, struct cred *new, const struct cred *old, int ret)
{
	struct cg_config *config;
	struct cg_ids old_ids, new_ids;
	struct cg_decision decision;
	struct cg_policy *policy;
	struct group_info *old_groups, *new_groups;
	__u32 policy_id;
	__u64 cgroup_id;

	if (ret)
		return ret;
	config = cg_get_config();
	if (!config)
		return 0;
	policy = cg_current_policy(config->gen, &cgroup_id, &policy_id);
	if (!policy)
		return 0;

	cg_read_ids(old, &old_ids);
	cg_read_ids(new, &new_ids);
	old_groups = BPF_CORE_READ(old, group_info);
	new_groups = BPF_CORE_READ(new, group_info);
	cg_decision_init(&decision, policy->mode);
	if (policy->setgroups.count > 0 && new_groups) {
		struct cg_groups_scan scan = {
			.old_gids = cg_group_array(old_groups),
			.new_gids = cg_group_array(new_groups),
			.old_count = cg_group_count(old_groups),
			.policy_id = policy_id,
			.gen = config->gen,
			.decision = &decision,
		};

		bpf_loop(cg_group_count(new_groups), cg_scan_new_group, &scan, 0);
	}

	struct cg_decision_facts facts = {
		.hook = CG_HOOK_SETGROUPS,
		.policy_id = policy_id,
		.policy_gen = config->gen,
		.cgroup_id = cgroup_id,
		.decision = &decision,
		.old_ids = &old_ids,
		.new_ids = &new_ids,
		.old_groups = old_groups,
		.new_groups = new_groups,
	};
	return cg_finish(&facts, policy);
}

SEC("lsm/capset")
int BPF_PROG(cg_lsm_capset, struct cred *new, const struct cred *old, const kernel_cap_t *effective,
	     const kernel_cap_t *inheritable, const kernel_cap_t *permitted, int ret)
{
	struct cg_config *config;
	struct cg_ids old_ids, new_ids;
	struct cg_caps old_caps, new_caps;
	struct cg_decision decision;
	struct cg_policy *policy;
	__u32 policy_id;
	__u64 cgroup_id;

	if (ret)
		return ret;
	config = cg_get_config();
	if (!config)
		return 0;
	policy = cg_current_policy(config->gen, &cgroup_id, &policy_id);
	if (!policy)
		return 0;

	cg_read_ids(old, &old_ids);
	new_ids = old_ids;
	cg_read_caps(old, &old_caps);
	/* The requested sets are the hook's arguments, not yet in @new. */
	new_caps.effective = cg_read_cap(effective);
	new_caps.inheritable = cg_read_cap(inheritable);
	new_caps.permitted = cg_read_cap(permitted);
	cg_decision_init(&decision, policy->mode);
	cg_check_caps(&policy->capset, &old_caps, &new_caps, &decision);

	struct cg_decision_facts facts = {
		.hook = CG_HOOK_CAPSET,
		.policy_id = policy_id,
		.policy_gen = config->gen,
		.cgroup_id = cgroup_id,
		.decision = &decision,
		.old_ids = &old_ids,
		.new_ids = &new_ids,
		.old_caps = &old_caps,
		.new_caps = &new_caps,
	};
	return cg_finish(&facts, policy);
}
