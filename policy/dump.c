/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The compiled form as text, for `credgatectl policy check --compiled`:
 * what a person reviews before the maps are written, so every entry shows
 * the rule it came from.
 */

#include <inttypes.h>
#include <stdio.h>

#include "names.h"
#include "policy.h"

static const char *action_name(unsigned action)
{
	switch (action) {
	case CG_ACTION_DENY:
		return "deny";
	case CG_ACTION_ALLOW:
		return "allow";
	default:
		return "?";
	}
}

static const char *mode_name(unsigned mode)
{
	const char *name = policy_mode_name((enum cg_mode)mode);

	return name ? name : "?";
}

static void dump_id_rules(const char *what, const struct cg_id_rules *rules, FILE *out)
{
	if (rules->count == 0)
		return;
	fprintf(out, "  %s: %u %s\n", what, rules->count, rules->count == 1 ? "entry" : "entries");
	for (__u32 i = 0; i < rules->count && i < CG_MAX_ID_RULES; i++) {
		const struct cg_id_rule *rule = &rules->rule[i];

		fprintf(out, "    from %" PRIu32 "-%" PRIu32 " to %" PRIu32 "-%" PRIu32 ": %s %s, rule %u\n",
			(uint32_t)rule->from_lo, (uint32_t)rule->from_hi, (uint32_t)rule->to_lo,
			(uint32_t)rule->to_hi, action_name(rule->action), mode_name(rule->mode), rule->rule_index);
	}
}

static void dump_cap_rules(const struct cg_cap_rules *rules, FILE *out)
{
	if (rules->count == 0)
		return;
	fprintf(out, "  capset: %u %s\n", rules->count, rules->count == 1 ? "entry" : "entries");
	for (__u32 i = 0; i < rules->count && i < CG_MAX_CAP_RULES; i++) {
		const struct cg_cap_rule *rule = &rules->rule[i];

		fprintf(out, "    caps 0x%016" PRIx64 " sets 0x%x: %s %s, rule %u\n", (uint64_t)rule->caps,
			rule->sets, action_name(rule->action), mode_name(rule->mode), rule->rule_index);
	}
}

static void dump_policy(const struct policy *policy, FILE *out)
{
	const struct cg_policy *compiled = &policy->compiled;

	fprintf(out, "policy %u: %s (%s:%u:%u)\n", compiled->policy_id, policy->name, policy->file, policy->line,
		policy->column);
	fprintf(out, "  mode: %s\n", mode_name(compiled->mode));
	fprintf(out, "  flags:%s%s%s\n", compiled->flags & CG_POLICY_OBSERVE ? " observe" : "",
		compiled->flags & CG_POLICY_REPORT_ALLOWED ? " reportAllowed" : "",
		compiled->flags ? "" : " none");
	for (size_t i = 0; i < policy->nselectors; i++)
		fprintf(out, "  selector %zu: cgroup %s (line %u)\n", i,
			policy->selectors[i].cgroup ? policy->selectors[i].cgroup : "-", policy->selectors[i].line);
	for (size_t i = 0; i < policy->nrules; i++) {
		const struct policy_rule_info *rule = &policy->rules[i];

		fprintf(out, "  rule %zu: %s [%s, %s, %s] (line %u)\n", i, rule->text, policy_hook_name(rule->hook),
			action_name(rule->action), mode_name(rule->mode), rule->line);
	}
	dump_id_rules("setuid", &compiled->setuid, out);
	dump_id_rules("setgid", &compiled->setgid, out);
	dump_id_rules("setgroups", &compiled->setgroups, out);
	dump_cap_rules(&compiled->capset, out);
}

void policy_set__dump(const struct policy_set *set, FILE *out)
{
	if (!set || !out)
		return;
	for (size_t i = 0; i < set->count; i++)
		dump_policy(&set->policies[i], out);
}
