// SPDX-License-Identifier: LGPL-2.1-or-later
#include "event_policies.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "policy_names.h"

void event_policies_free(struct event_policies *p)
{
	for (size_t i = 0; i < ELEMENTSOF(p->gen); i++) {
		free(p->gen[i].decisions);
		p->gen[i].decisions = NULL;
	}
}

void event_policies_set(struct event_policies *p, uint32_t generation, const struct policy_set *set)
{
	const struct event_policy_generation *prev = &p->gen[0];
	uint64_t(*decisions)[CG_VERDICT_COUNT] = NULL;

	/* Counts follow a policy's name across reloads (O(n*m), at reload only). */
	if (set && set->count) {
		decisions = calloc(set->count, sizeof(*decisions));
		for (size_t i = 0; decisions && prev->set && prev->decisions && i < set->count; i++)
			for (size_t j = 0; j < prev->set->count; j++)
				if (strcmp(set->policies[i].name, prev->set->policies[j].name) == 0) {
					memcpy(decisions[i], prev->decisions[j], sizeof(decisions[i]));
					break;
				}
	}
	/* Without memory the counts start again: only metrics lose. */
	free(p->gen[1].decisions);
	p->gen[1] = p->gen[0];
	p->gen[0] = (struct event_policy_generation){
		.generation = generation, .set = set, .decisions = decisions,
	};
}

size_t event_policies_decisions(const struct event_policies *p, size_t index, const char **name,
				uint64_t counts[CG_VERDICT_COUNT])
{
	const struct event_policy_generation *g = &p->gen[0];

	if (!g->set || !g->decisions || index >= g->set->count)
		return 0;
	*name = g->set->policies[index].name;
	memcpy(counts, g->decisions[index], sizeof(g->decisions[index]));
	return g->set->count;
}

void event_policies_count(struct event_policies *p, const struct cg_decision_event *e)
{
	for (size_t i = 0; i < ELEMENTSOF(p->gen); i++) {
		struct event_policy_generation *g = &p->gen[i];

		if (g->set && g->decisions && g->generation == e->policy_gen && e->policy_id < g->set->count &&
		    e->verdict < CG_VERDICT_COUNT) {
			g->decisions[e->policy_id][e->verdict]++;
			return;
		}
	}
}

static const struct policy *find_policy(const struct event_policies *p, uint32_t generation, uint32_t policy_id)
{
	for (size_t i = 0; i < ELEMENTSOF(p->gen); i++) {
		const struct event_policy_generation *g = &p->gen[i];

		if (g->set && g->generation == generation && policy_id < g->set->count)
			return &g->set->policies[policy_id];
	}
	return NULL;
}

void event_policies_names(struct event_policies *p, uint32_t generation, uint32_t policy_id,
			  uint16_t rule_index, const char **policy_name, const char **rule_text)
{
	const struct policy *policy = find_policy(p, generation, policy_id);

	*policy_name = NULL;
	*rule_text = NULL;
	if (policy) {
		*policy_name = policy->name;
		if (rule_index < policy->nrules)
			*rule_text = policy->rules[rule_index].text;
	} else if (policy_id == CG_FAIL_CLOSED_POLICY) {
		/* The kernel could not know the cgroup's policy: name what decided, and why. */
		*policy_name = POLICY_FAIL_CLOSED_NAME;
		*rule_text = POLICY_FAIL_CLOSED_RULE;
	} else if (policy_id != CG_NO_POLICY) {
		/*
		 * A generation this agent does not hold (older than the two it
		 * keeps, or an earlier agent's): never a blank name.
		 */
		*policy_name = POLICY_UNKNOWN_NAME;
		snprintf(p->unknown_rule, sizeof(p->unknown_rule),
			 "unknown: policy %u of generation %u, not known to this agent", policy_id, generation);
		*rule_text = p->unknown_rule;
	}
}
