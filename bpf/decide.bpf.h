/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Rule evaluation: given a policy and the credentials before and after a
 * change, find the strongest rule the change violates. Used by the LSM hooks
 * (before the change) and, where the kernel has no BPF LSM, by the syscall
 * exit programs (after it), so both paths decide identically.
 */
#ifndef CREDGATE_DECIDE_BPF_H
#define CREDGATE_DECIDE_BPF_H

#include "common.bpf.h"

struct cg_decision {
	__u8 verdict; /* CG_VERDICT_ALLOWED, or AUDITED/DENIED "would" verdicts */
	__u8 mode;    /* mode of the rule that decided */
	__u16 rule_index;
	__u32 subject_from;
	__u32 subject_to;
	__u8 flags; /* CG_RULE_* of the deciding rule */
	__u8 err;   /* errno to return when enforced */
	__u16 pad;
};

static __always_inline void cg_decision_init(struct cg_decision *d, __u8 policy_mode)
{
	d->verdict = CG_VERDICT_ALLOWED;
	d->mode = policy_mode;
	d->rule_index = CG_NO_RULE;
	d->subject_from = 0;
	d->subject_to = 0;
	d->flags = 0;
	d->err = EPERM;
	d->pad = 0;
}

/* Keep the strongest violation: enforce beats audit, the first one wins a tie. */
static __always_inline void cg_decision_violate(struct cg_decision *d, __u8 mode, __u16 rule_index,
						__u32 from, __u32 to, __u8 flags, __u8 err)
{
	__u8 verdict = mode == CG_MODE_ENFORCE ? CG_VERDICT_DENIED : CG_VERDICT_AUDITED;

	/* ALLOWED < AUDITED < DENIED: a violation only ever raises the verdict. */
	if (verdict <= d->verdict)
		return;
	d->verdict = verdict;
	d->mode = mode;
	d->rule_index = rule_index;
	d->subject_from = from;
	d->subject_to = to;
	d->flags = flags;
	d->err = err ? err : EPERM;
}

static __always_inline bool cg_in_range(__u32 value, __u32 lo, __u32 hi)
{
	return value >= lo && value <= hi;
}

/*
 * The checks below are global (non-static, noinline) functions on purpose:
 * the verifier checks a global function once, on its argument types, instead
 * of once per call site and caller state. And they keep what they learn
 * while scanning rules in memory (*d, *allow), never in locals: a local
 * holding a different constant on each path stops the verifier from merging
 * paths at the loop head, and the paths multiply with every rule (this
 * turned a 2,700-instruction check into 200,000). Global functions return a
 * scalar and check their pointers for NULL.
 */

/* What allow rules said about one id move or one capability set. */
struct cg_allow_scan {
	__u64 caps;	/* capability rules: union of allowed capabilities */
	__u16 rule;	/* first allow rule that applied, CG_NO_RULE if none */
	__u8 mode;	/* strongest mode among them */
	__u8 matched;	/* id rules: some allow rule matched the target */
	__u32 setid_flags; /* input: the call's CG_SETID_* (0 for setgroups) */
};

static __always_inline void cg_allow_scan_init(struct cg_allow_scan *allow)
{
	allow->caps = 0;
	allow->rule = CG_NO_RULE;
	allow->mode = CG_MODE_AUDIT;
	allow->matched = 0;
	allow->setid_flags = 0;
}

static __always_inline void cg_allow_note(struct cg_allow_scan *allow, __u16 rule_index, __u8 mode)
{
	if (allow->rule == CG_NO_RULE)
		allow->rule = rule_index;
	if (mode == CG_MODE_ENFORCE)
		allow->mode = CG_MODE_ENFORCE;
}

/* Lowest set bit (BPF has no ctz). Global: its branches stay out of callers. */
__noinline int cg_lowest_bit(__u64 v)
{
	int n = 0;

	if (!v)
		return 0;
	if (!(v & 0xffffffffull)) {
		n += 32;
		v >>= 32;
	}
	if (!(v & 0xffffull)) {
		n += 16;
		v >>= 16;
	}
	if (!(v & 0xffull)) {
		n += 8;
		v >>= 8;
	}
	if (!(v & 0xfull)) {
		n += 4;
		v >>= 4;
	}
	if (!(v & 0x3ull)) {
		n += 2;
		v >>= 2;
	}
	if (!(v & 0x1ull))
		n += 1;
	return n;
}

/*
 * Scan the id rules for one move from @from to @to made by a call of the
 * allow->setid_flags family (0: setgroups): deny rules that match both ends
 * are recorded in *d, allow and constrain rules that name @from in *allow.
 * *allow is an argument, not a local, so the verifier knows nothing of its
 * contents and every path through the loop body merges at the loop head.
 */
__noinline int cg_scan_id_rules(const struct cg_id_rules *rules, __u32 from, __u32 to,
				struct cg_decision *d, struct cg_allow_scan *allow)
{
	if (!rules || !d || !allow)
		return 0;
	for (int i = 0; i < CG_MAX_ID_RULES; i++) {
		const struct cg_id_rule *rule = &rules->rule[i];

		if (i >= rules->count)
			break;
		if (rule->setid_mask && !(rule->setid_mask & allow->setid_flags))
			continue;
		if (!cg_in_range(from, rule->from_lo, rule->from_hi))
			continue;
		if (rule->action == CG_ACTION_DENY) {
			if (cg_in_range(to, rule->to_lo, rule->to_hi))
				cg_decision_violate(d, rule->mode, rule->rule_index, from, to, rule->flags,
						    rule->err);
			continue;
		}
		/* ALLOW names @from as constrained; CONSTRAIN allows nothing. */
		cg_allow_note(allow, rule->rule_index, rule->mode);
		if (rule->action == CG_ACTION_ALLOW && cg_in_range(to, rule->to_lo, rule->to_hi))
			allow->matched = 1;
	}
	return 0;
}

/*
 * One id moving from @from to @to. Deny rules match on both ends. Allow
 * rules constrain their source: once an allow rule names @from, the move
 * must match one of them (SafeSetID's "constrained" source).
 */
__noinline int cg_check_id_move(const struct cg_id_rules *rules, __u32 from, __u32 to,
				__u32 setid_flags, struct cg_decision *d)
{
	struct cg_allow_scan allow;

	if (!d)
		return 0;
	cg_allow_scan_init(&allow);
	allow.setid_flags = setid_flags;
	cg_scan_id_rules(rules, from, to, d, &allow);
	if (allow.rule != CG_NO_RULE && !allow.matched)
		cg_decision_violate(d, allow.mode, allow.rule, from, to, 0, EPERM);
	return 0;
}

/* The four ids of one kind (real, effective, saved, fs), before and after. */
struct cg_id_quad {
	__u32 old_ids[4];
	__u32 new_ids[4];
};

/*
 * Compare each of real, effective, saved and fs ids: each id that changes
 * is one move from its old value to its new one. With @regain, a move to
 * an id the process already holds as real, effective or saved is not
 * checked (SafeSetID's rule).
 */
static __always_inline void cg_check_id_slots(const struct cg_id_rules *rules,
					      const struct cg_id_quad *q, __u32 setid_flags,
					      bool regain, struct cg_decision *d)
{
	for (int slot = 0; slot < 4; slot++) {
		__u32 from = q->old_ids[slot], to = q->new_ids[slot];

		if (from == to)
			continue;
		if (regain && (to == q->old_ids[0] || to == q->old_ids[1] || to == q->old_ids[2]))
			continue;
		cg_check_id_move(rules, from, to, setid_flags, d);
	}
}

static __always_inline void cg_check_setuid(const struct cg_policy *policy, const struct cg_ids *old,
					    const struct cg_ids *new, __u32 setid_flags,
					    struct cg_decision *d)
{
	struct cg_id_quad q = {
		.old_ids = { old->uid, old->euid, old->suid, old->fsuid },
		.new_ids = { new->uid, new->euid, new->suid, new->fsuid },
	};

	cg_check_id_slots(&policy->setuid, &q, setid_flags,
			  policy->flags & CG_POLICY_REGAIN_ALLOWED, d);
}

static __always_inline void cg_check_setgid(const struct cg_policy *policy, const struct cg_ids *old,
					    const struct cg_ids *new, __u32 setid_flags,
					    struct cg_decision *d)
{
	struct cg_id_quad q = {
		.old_ids = { old->gid, old->egid, old->sgid, old->fsgid },
		.new_ids = { new->gid, new->egid, new->sgid, new->fsgid },
	};

	cg_check_id_slots(&policy->setgid, &q, setid_flags,
			  policy->flags & CG_POLICY_REGAIN_ALLOWED, d);
}

/* The capability-rule twin of cg_scan_id_rules(). */
__noinline int cg_scan_cap_rules(const struct cg_cap_rules *rules, __u32 set_bit, __u64 gained,
				 struct cg_decision *d, struct cg_allow_scan *allow)
{
	if (!rules || !d || !allow)
		return 0;
	for (int i = 0; i < CG_MAX_CAP_RULES; i++) {
		const struct cg_cap_rule *rule = &rules->rule[i];
		__u64 hit;

		if (i >= rules->count)
			break;
		if (!(rule->sets & set_bit))
			continue;
		if (rule->action == CG_ACTION_DENY) {
			hit = gained & rule->caps;
			if (hit)
				cg_decision_violate(d, rule->mode, rule->rule_index, set_bit,
						    cg_lowest_bit(hit), rule->flags | CG_RULE_SUBJECT_CAP,
						    rule->err);
			continue;
		}
		cg_allow_note(allow, rule->rule_index, rule->mode);
		allow->caps |= rule->caps;
	}
	return 0;
}

/*
 * Capabilities @gained in the set @set_bit (enum cg_cap_set). subject_from
 * is the set, subject_to the lowest offending capability.
 */
__noinline int cg_check_cap_set(const struct cg_cap_rules *rules, __u32 set_bit, __u64 gained,
				struct cg_decision *d)
{
	struct cg_allow_scan allow;
	__u64 outside;

	if (!d || !gained)
		return 0;
	cg_allow_scan_init(&allow);
	cg_scan_cap_rules(rules, set_bit, gained, d, &allow);
	outside = gained & ~allow.caps;
	if (allow.rule != CG_NO_RULE && outside)
		cg_decision_violate(d, allow.mode, allow.rule, set_bit, cg_lowest_bit(outside),
				    CG_RULE_SUBJECT_CAP, EPERM);
	return 0;
}

/*
 * Capabilities gained between @old and @new, whatever the call: capset(),
 * or a set*id call or an exec that gave them (the decision's
 * CG_RULE_SUBJECT_CAP tells events of those hooks that the subject is a
 * capability).
 */
static __always_inline void cg_check_caps(const struct cg_cap_rules *rules, const struct cg_caps *old,
					  const struct cg_caps *new, struct cg_decision *d)
{
	cg_check_cap_set(rules, CG_CAPSET_PERMITTED, new->permitted & ~old->permitted, d);
	cg_check_cap_set(rules, CG_CAPSET_EFFECTIVE, new->effective & ~old->effective, d);
	cg_check_cap_set(rules, CG_CAPSET_INHERITABLE, new->inheritable & ~old->inheritable, d);
}

#endif /* CREDGATE_DECIDE_BPF_H */
