/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SafeSetID's transitivity rule: an allow rule constrains its source ids,
 * so a target that no allow rule names as a source would be a way out of
 * the constraint (move to it, then anywhere). Such a target is constrained
 * to itself: a CG_ACTION_CONSTRAIN rule with that source and an empty
 * target range (to_lo 1 > to_hi 0), which the kernel treats like an allow
 * rule that allows nothing.
 *
 * The plan is worked out from the model alone, before compile.c lays any
 * rule out: which source ranges get a constrain rule, with which mode and
 * from which allow rule (for its text and place).
 */
#ifndef CREDGATE_POLICY_TRANSITIVITY_H
#define CREDGATE_POLICY_TRANSITIVITY_H

#include "model.h"

struct constrain_piece {
	__u32 lo, hi;
	enum cg_mode mode;			/* the strongest of the allow rules reaching it */
	const struct model_id_rule *origin;	/* the first allow rule reaching it */
};

struct constrain_plan {
	struct constrain_piece *pieces;
	unsigned count;
};

/* A rule's own mode, or the policy's when it has none. */
static inline enum cg_mode resolve_mode(enum cg_mode own, enum cg_mode policy_mode)
{
	return own != CG_MODE_NONE ? own : policy_mode;
}

/*
 * The constrain pieces @allow's rules need under @policy_mode, in id order,
 * adjacent pieces of the same origin and mode merged. Returns 0 with @plan
 * (free with constrain_plan_done()), or -ENOMEM.
 */
int plan_constraints(const struct model_id_rule_list *allow, enum cg_mode policy_mode, struct constrain_plan *plan);
void constrain_plan_done(struct constrain_plan *plan);

#endif /* CREDGATE_POLICY_TRANSITIVITY_H */
