/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The compiled form as text, for `credgatectl policy check --compiled`:
 * what a person reviews before the maps are written, so every entry shows
 * the rule it came from, and the selection shows every state and selector.
 */

#include <errno.h>
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
	case CG_ACTION_CONSTRAIN:
		return "constrain";
	default:
		return "?";
	}
}

static const char *mode_name(unsigned mode)
{
	const char *name = policy_mode_name((enum cg_mode)mode);

	return name ? name : "?";
}

static void dump_rule_extras(unsigned flags, unsigned err, unsigned setid_mask, FILE *out)
{
	if (flags & CG_RULE_KILL)
		fprintf(out, ", kill");
	if (err != EPERM)
		fprintf(out, ", errno %u", err);
	if (setid_mask)
		fprintf(out, ", calls%s%s%s%s", setid_mask & CG_SETID_ID ? " id" : "", setid_mask & CG_SETID_RE ? " re" : "",
			setid_mask & CG_SETID_RES ? " res" : "", setid_mask & CG_SETID_FS ? " fs" : "");
}

static void dump_id_rules(const char *what, const struct cg_id_rules *rules, FILE *out)
{
	if (rules->count == 0)
		return;
	fprintf(out, "  %s: %u %s\n", what, rules->count, rules->count == 1 ? "entry" : "entries");
	for (__u32 i = 0; i < rules->count && i < CG_MAX_ID_RULES; i++) {
		const struct cg_id_rule *rule = &rules->rule[i];

		fprintf(out, "    from %" PRIu32 "-%" PRIu32, (uint32_t)rule->from_lo, (uint32_t)rule->from_hi);
		if (rule->to_lo > rule->to_hi)
			fprintf(out, " to none");
		else
			fprintf(out, " to %" PRIu32 "-%" PRIu32, (uint32_t)rule->to_lo, (uint32_t)rule->to_hi);
		fprintf(out, ": %s %s, rule %u", action_name(rule->action), mode_name(rule->mode), rule->rule_index);
		dump_rule_extras(rule->flags, rule->err, rule->setid_mask, out);
		fprintf(out, "\n");
	}
}

static void dump_cap_rules(const struct cg_cap_rules *rules, FILE *out)
{
	if (rules->count == 0)
		return;
	fprintf(out, "  capset: %u %s\n", rules->count, rules->count == 1 ? "entry" : "entries");
	for (__u32 i = 0; i < rules->count && i < CG_MAX_CAP_RULES; i++) {
		const struct cg_cap_rule *rule = &rules->rule[i];

		fprintf(out, "    caps 0x%016" PRIx64 " sets 0x%x: %s %s, rule %u", (uint64_t)rule->caps, rule->sets,
			action_name(rule->action), mode_name(rule->mode), rule->rule_index);
		dump_rule_extras(rule->flags, rule->err, 0, out);
		fprintf(out, "\n");
	}
}

/* Each condition on its own line: what the agent compares with a container's facts. */
static void dump_identity(const struct policy_identity *identity, FILE *out)
{
	fprintf(out, "    identity (bound at a container's own cgroup, never by path):\n");
	if (identity->container_name)
		fprintf(out, "      containerName glob '%s'\n", identity->container_name);
	if (identity->image)
		fprintf(out, "      image glob '%s'\n", identity->image);
	if (identity->pod_namespace)
		fprintf(out, "      namespace glob '%s'\n", identity->pod_namespace);
	for (size_t i = 0; i < identity->nlabels; i++)
		fprintf(out, "      label '%s' glob '%s'\n", identity->labels[i].key, identity->labels[i].value);
}

static void dump_policy(const struct policy *policy, FILE *out)
{
	static const char *const syscalls[CG_SYS_MAX] = {
		"setuid", "setgid", "setreuid", "setregid", "setresuid",
		"setresgid", "setfsuid", "setfsgid", "setgroups", "capset",
	};
	const struct cg_policy *compiled = &policy->compiled;

	fprintf(out, "policy %u: %s (%s:%u:%u)\n", compiled->policy_id, policy->name, policy->file, policy->line,
		policy->column);
	fprintf(out, "  kind: %s\n", policy_kind_name(policy->kind));
	fprintf(out, "  mode: %s\n", mode_name(compiled->mode));
	fprintf(out, "  priority: %d\n", policy->priority);
	fprintf(out, "  flags:%s%s%s%s%s%s\n", compiled->flags & CG_POLICY_OBSERVE ? " observe" : "",
		compiled->flags & CG_POLICY_REPORT_ALLOWED ? " reportAllowed" : "",
		compiled->flags & CG_POLICY_REGAIN_ALLOWED ? " regainAllowed" : "",
		compiled->flags & CG_POLICY_PIDNS_NOT_HOST ? " pidnsNotHost" : "",
		compiled->flags & CG_POLICY_PIDNS_HOST ? " pidnsHost" : "", compiled->flags ? "" : " none");
	if (compiled->observe_syscalls) {
		fprintf(out, "  observe:");
		for (unsigned i = 0; i < CG_SYS_MAX; i++)
			if (compiled->observe_syscalls & (1u << i))
				fprintf(out, " %s", syscalls[i]);
		fprintf(out, "\n");
	}
	for (size_t i = 0; i < policy->nselectors; i++) {
		fprintf(out, "  selector %zu: %s (line %u)\n", i, policy->selectors[i].text, policy->selectors[i].line);
		if (policy_identity_present(&policy->selectors[i].identity))
			dump_identity(&policy->selectors[i].identity, out);
	}
	if (compiled->selinux_types)
		fprintf(out, "  selinux labels: 0x%016" PRIx64 " (only processes with one of these)\n",
			(uint64_t)compiled->selinux_types);
	for (size_t i = 0; i < policy->nrules; i++) {
		const struct policy_rule_info *rule = &policy->rules[i];

		fprintf(out, "  rule %zu: %s [%s, %s, %s] (line %u)\n", i, rule->text, policy_hook_name(rule->hook),
			action_name(rule->action), mode_name(rule->mode), rule->line);
	}
	dump_id_rules("setuid", &compiled->setuid, out);
	dump_id_rules("setgid", &compiled->setgid, out);
	dump_id_rules("setgroups", &compiled->setgroups, out);
	dump_cap_rules(&compiled->capset, out);
	if (compiled->exec.rule_index != CG_NO_RULE) {
		fprintf(out, "  exec: %s, rule %u, %u target uid %s", mode_name(compiled->exec.mode),
			compiled->exec.rule_index, compiled->exec.nuids, compiled->exec.nuids == 1 ? "range" : "ranges");
		for (__u32 i = 0; i < compiled->exec.nuids && i < CG_MAX_EXEC_UIDS; i++)
			fprintf(out, "%s%u-%u", i ? ", " : ": ", compiled->exec.allow_uids[i].lo,
				compiled->exec.allow_uids[i].hi);
		fprintf(out, "\n");
		for (size_t i = 0; i < policy->nexec_allow_paths; i++)
			fprintf(out, "    path %s\n", policy->exec_allow_paths[i]);
	}
	if (compiled->userns.rule_index != CG_NO_RULE)
		fprintf(out, "  userns: %s, rule %u\n", mode_name(compiled->userns.mode), compiled->userns.rule_index);
}

static void dump_selection(const struct policy_set *set, FILE *out)
{
	static const char *const kinds[] = {
		[CG_MATCH_LITERAL] = "literal", [CG_MATCH_GLOB] = "glob",
		[CG_MATCH_ANY_SEQ] = "any", [CG_MATCH_END] = "end",
	};
	const struct policy_selection *selection = set->selection;
	const struct cg_generation *gen;

	if (!selection)
		return;
	gen = &selection->generation;
	fprintf(out, "selection: %zu predicates, %u states, %u selectors\n", selection->npredicates, gen->nstates,
		gen->nselectors);
	if (gen->container_predicate != CG_NO_PREDICATE)
		fprintf(out, "  container predicate: %u\n", gen->container_predicate);
	for (size_t i = 0; i < selection->npredicates; i++) {
		if (selection->predicates[i].nstates == 0) {
			fprintf(out, "  predicate %zu: %s (no states)\n", i, selection->predicates[i].description);
			continue;
		}
		fprintf(out, "  predicate %zu: %s (states %u-%u)\n", i, selection->predicates[i].description,
			selection->predicates[i].first_state,
			selection->predicates[i].first_state + selection->predicates[i].nstates - 1);
	}
	for (__u32 s = 0; s < gen->nstates && s < CG_MAX_NFA_STATES; s++) {
		const struct cg_nfa_state *state = &selection->states[s];
		bool root = gen->root_active[s / 64] & ((__u64)1 << (s % 64));

		fprintf(out, "  state %u%s: %s", s, root ? " (root)" : "",
			state->kind < sizeof(kinds) / sizeof(kinds[0]) && kinds[state->kind] ? kinds[state->kind] : "?");
		if (state->kind == CG_MATCH_END)
			fprintf(out, " predicate %u\n", state->predicate);
		else if (state->kind == CG_MATCH_GLOB && state->star != 0xff)
			fprintf(out, " '%.*s' star %u\n", (int)state->len, state->pattern, state->star);
		else
			fprintf(out, " '%.*s'\n", (int)state->len, state->pattern);
	}
	for (__u32 i = 0; i < gen->nselectors && i < CG_MAX_SELECTORS; i++) {
		const struct cg_selector *selector = &selection->selectors[i];
		const struct policy_selector_origin *origin = &selection->origins[i];
		bool first = true;

		fprintf(out, "  selector %u: policy %u (%s) selector %u, priority %d, require {", i, selector->policy_id,
			origin->policy_id < set->count ? set->policies[origin->policy_id].name : "?", origin->selector,
			selector->priority);
		for (unsigned p = 0; p < CG_MAX_PREDICATES; p++)
			if (selector->require[p / 64] & ((__u64)1 << (p % 64))) {
				fprintf(out, "%s%u", first ? "" : ", ", p);
				first = false;
			}
		fprintf(out, "}%s\n", selector->flags & CG_SELECTOR_HOST ? " host" : "");
	}
}

static void dump_selinux(const struct policy_set *set, FILE *out)
{
	if (set->selinux.count == 0)
		return;
	fprintf(out, "selinux labels: %zu (processes are labelled with these in cg_task_labels)\n", set->selinux.count);
	for (size_t i = 0; i < set->selinux.count; i++)
		fprintf(out, "  label %zu: %s %s\n", i,
			set->selinux.labels[i].kind == POLICY_SELINUX_TYPE ? "type" : "context",
			set->selinux.labels[i].value);
}

void policy_set__dump(const struct policy_set *set, FILE *out)
{
	if (!set || !out)
		return;
	for (size_t i = 0; i < set->count; i++)
		dump_policy(&set->policies[i], out);
	dump_selection(set, out);
	dump_selinux(set, out);
}
