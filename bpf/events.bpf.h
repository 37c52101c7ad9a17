/* SPDX-License-Identifier: GPL-2.0-only */
/* Building decision events, shared by the LSM and the syscall-exit paths. */
#ifndef CREDGATE_EVENTS_BPF_H
#define CREDGATE_EVENTS_BPF_H

#include "budget.bpf.h"
#include "decide.bpf.h"

/* What a decision event reports, gathered before the ring buffer is touched. */
struct cg_decision_facts {
	__u32 hook;
	__u32 setid_flags;
	__u32 policy_id;
	__u32 policy_gen;
	__u64 cgroup_id;
	__u32 verdict; /* final: DENIED/KILLED only when really enforced */
	const struct cg_decision *decision;
	const struct cg_ids *old_ids;
	const struct cg_ids *new_ids;
	const struct cg_caps *old_caps;
	const struct cg_caps *new_caps;
	/* setgroups only: kernel group_info pointers, may be NULL */
	const struct group_info *old_groups;
	const struct group_info *new_groups;
};

static __always_inline __u32 cg_group_count(const struct group_info *groups)
{
	return groups ? (__u32)BPF_CORE_READ(groups, ngroups) : 0;
}

static __always_inline const void *cg_group_array(const struct group_info *groups)
{
	/* gid[] is a flexible array member: its offset is relocated by CO-RE. */
	return (const void *)groups + bpf_core_field_offset(struct group_info, gid);
}

/* A decision the budget protects: one that objected, not one that allowed. */
static __always_inline bool cg_is_finding(__u32 verdict)
{
	return verdict == CG_VERDICT_AUDITED || verdict == CG_VERDICT_DENIED ||
	       verdict == CG_VERDICT_KILLED;
}

static __always_inline void cg_count_verdict(__u32 hook, __u32 verdict)
{
	if (hook < CG_HOOK_MAX && verdict < CG_VERDICT_COUNT)
		cg_count(CG_CNT_BY_HOOK + hook * CG_VERDICT_COUNT + verdict);
	switch (verdict) {
	case CG_VERDICT_ALLOWED:
		cg_count(CG_CNT_ALLOWED);
		break;
	case CG_VERDICT_AUDITED:
		cg_count(CG_CNT_AUDITED);
		break;
	case CG_VERDICT_DENIED:
		cg_count(CG_CNT_DENIED);
		break;
	case CG_VERDICT_KILLED:
		cg_count(CG_CNT_KILLED);
		break;
	}
}

static __always_inline void cg_fill_decision(struct cg_decision_event *e, __u32 type, __u32 size,
					     const struct cg_decision_facts *facts)
{
	cg_fill_header(&e->hdr, type, size, facts->cgroup_id);
	e->hook = facts->hook;
	e->setid_flags = facts->setid_flags;
	e->policy_id = facts->policy_id;
	e->policy_gen = facts->policy_gen;
	e->err = facts->decision->err;
	e->rule_flags = facts->decision->flags;
	e->pad = 0;
	e->rule_index = facts->decision->rule_index;
	e->mode = facts->decision->mode;
	e->verdict = facts->verdict;
	e->subject_from = facts->decision->subject_from;
	e->subject_to = facts->decision->subject_to;
	e->old_ids = *facts->old_ids;
	e->new_ids = *facts->new_ids;
	if (facts->old_caps)
		e->old_caps = *facts->old_caps;
	else
		__builtin_memset(&e->old_caps, 0, sizeof(e->old_caps));
	if (facts->new_caps)
		e->new_caps = *facts->new_caps;
	else
		__builtin_memset(&e->new_caps, 0, sizeof(e->new_caps));
	e->ngroups_old = cg_group_count(facts->old_groups);
	e->ngroups_new = cg_group_count(facts->new_groups);
	__builtin_memset(e->groups_new, 0, sizeof(e->groups_new));
	if (e->ngroups_new)
		cg_copy_gids(e->groups_new, e->ngroups_new, cg_group_array(facts->new_groups), false);
}

static __always_inline void cg_emit_decision(const struct cg_decision_facts *facts)
{
	__u64 wakeup = cg_ringbuf_wakeup_flags();
	struct cg_decision_event *e;

	e = cg_reserve_event(sizeof(*e), facts->cgroup_id, cg_is_finding(facts->verdict));
	if (!e) {
		cg_count(CG_CNT_RINGBUF_FULL);
		return;
	}
	cg_fill_decision(e, CG_EVENT_DECISION, sizeof(*e), facts);
	bpf_ringbuf_submit(e, wakeup);
}

/*
 * Enforce a decision in an LSM hook: the errno to return, after SIGKILL
 * when the rule asks for it (a TracingPolicy's Sigkill action).
 */
static __always_inline int cg_enforce(const struct cg_decision *d)
{
	int err = d->err, zero = 0;

	if (d->verdict != CG_VERDICT_DENIED)
		return 0;
	if (d->flags & CG_RULE_KILL)
		bpf_send_signal(SIGKILL);
	if (err < 1 || err > 4095)
		err = EPERM;
	/*
	 * The verifier checks that an LSM program returns 0 or -errno, and
	 * forgets a register's range on negation: 0 - err, with a zero clang
	 * cannot fold away, keeps the range [-4095, -1] it can prove.
	 */
	asm volatile("" : "+r"(zero));
	return zero - err;
}

#endif /* CREDGATE_EVENTS_BPF_H */
