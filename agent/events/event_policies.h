/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Policy names for events, and decisions counted per policy (metrics).
 * The kernel reports a decision by (generation, policy index, rule index);
 * this keeps the two newest generations' sets, since events decided just
 * before a reload arrive just after it. It does not own the sets.
 */
#ifndef CREDGATE_EVENT_POLICIES_H
#define CREDGATE_EVENT_POLICIES_H

#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#include "credgate.h"
#include "policy.h"

struct event_policy_generation {
	uint32_t generation;
	const struct policy_set *set;
	/* Decisions reported, [policy_id][verdict]; carried over by name on reload. */
	uint64_t (*decisions)[CG_VERDICT_COUNT];
};

struct event_policies {
	struct event_policy_generation gen[2]; /* [0] newest */
	char unknown_rule[96];		       /* the rule text named for a policy not known */
};

/* Zeroed memory is an empty event_policies. */
void event_policies_free(struct event_policies *p);

/* @set is now in force as @generation; counts follow a policy's name. */
void event_policies_set(struct event_policies *p, uint32_t generation, const struct policy_set *set);

/*
 * The policy and rule names of a decision, for its event: a policy of a
 * generation held, the fail-closed policy, or "unknown" with a rule text
 * that says which (valid until the next call). Both NULL for CG_NO_POLICY.
 */
void event_policies_names(struct event_policies *p, uint32_t generation, uint32_t policy_id,
			  uint16_t rule_index, const char **policy_name, const char **rule_text);

/* Count @e for its policy, when it is one of a generation held. */
void event_policies_count(struct event_policies *p, const struct cg_decision_event *e);

/* As event_sink__policy_decisions(). */
size_t event_policies_decisions(const struct event_policies *p, size_t index, const char **name,
				uint64_t counts[CG_VERDICT_COUNT]);

#endif /* CREDGATE_EVENT_POLICIES_H */
