/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Policy model to map value.
 *
 * Each written rule becomes one struct policy_rule_info, and as many
 * cg_id_rule entries as its id lists need (every "from" range paired with
 * every "to" range), all carrying that info's index. Rules are laid out in
 * a fixed order whatever the order of keys in the file: setuid, setgid,
 * setgroups, capset, exec, userns; within each id kind, deny before allow,
 * then the constrain rules the transitivity rule adds (transitivity.c plans
 * them); then list order.
 *
 * Over 600 lines on purpose: one function per rule kind, each short, all
 * sharing the layout above and the mode and id-range helpers; split by
 * kind, the fixed order that events and `policy check --compiled` rely on
 * would live in several files.
 */

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "compile.h"
#include "ids.h"
#include "names.h"
#include "transitivity.h"

/* The model's lists bound the written rules; rule_index must stay below
 * CG_NO_RULE. */
_Static_assert(MODEL_ID_KINDS * 3 * CG_MAX_ID_RULES + CG_MAX_CAP_RULES + 2 < CG_NO_RULE,
	       "rule_index must fit in __u16 below CG_NO_RULE");

/* Longest rule text: an exec rule's POLICY_MAX_EXEC_PATHS paths of
 * CG_PATH_LEN bytes and its ids; id lists and capability names are shorter. */
#define RULE_TEXT_SIZE (POLICY_MAX_EXEC_PATHS * CG_PATH_LEN + 2048)

struct id_kind {
	const char *name;
	enum cg_hook hook;
	bool has_from; /* setgroups rules name only the gid being added */
	size_t offset; /* of its struct cg_id_rules in struct cg_policy */
};

static const struct id_kind id_kinds[MODEL_ID_KINDS] = {
	[MODEL_SETUID] = { "setuid", CG_HOOK_SETUID, true, offsetof(struct cg_policy, setuid) },
	[MODEL_SETGID] = { "setgid", CG_HOOK_SETGID, true, offsetof(struct cg_policy, setgid) },
	[MODEL_SETGROUPS] = { "setgroups", CG_HOOK_SETGROUPS, false, offsetof(struct cg_policy, setgroups) },
};

/* ---- Rule text ---------------------------------------------------------- */

struct text {
	char buf[RULE_TEXT_SIZE];
	size_t len;
};

static void text_append(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void text_append(struct text *t, const char *fmt, ...)
{
	size_t avail = sizeof(t->buf) - t->len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->len, avail, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->len = (size_t)n < avail ? t->len + (size_t)n : sizeof(t->buf) - 1;
}

static void text_append_range(struct text *t, const struct model_id_range *range)
{
	if (range->lo == MODEL_ID_ANY_LO && range->hi == MODEL_ID_ANY_HI)
		text_append(t, "any");
	else if (range->lo == range->hi)
		text_append(t, "%u", range->lo);
	else
		text_append(t, "%u-%u", range->lo, range->hi);
}

/* "0", "1000-1999", "any", or "[1001, 1002]" for a list. */
static void text_append_id_spec(struct text *t, const struct model_id_spec *spec)
{
	if (spec->count == 1) {
		text_append_range(t, &spec->ranges[0]);
		return;
	}
	text_append(t, "[");
	for (unsigned i = 0; i < spec->count; i++) {
		text_append(t, i ? ", " : "");
		text_append_range(t, &spec->ranges[i]);
	}
	text_append(t, "]");
}

static void text_append_caps(struct text *t, __u64 caps)
{
	unsigned count = (unsigned)__builtin_popcountll(caps);

	if ((caps & POLICY_CAP_KNOWN_MASK) == POLICY_CAP_KNOWN_MASK) {
		text_append(t, "all");
		return;
	}
	text_append(t, count == 1 ? "" : "[");
	for (unsigned cap = 0, n = 0; cap <= POLICY_CAP_LAST_KNOWN; cap++)
		if (caps & ((__u64)1 << cap))
			text_append(t, "%s%s", n++ ? ", " : "", policy_capability_name(cap));
	text_append(t, count == 1 ? "" : "]");
}

static void text_append_sets(struct text *t, __u8 sets)
{
	unsigned count = (unsigned)__builtin_popcount(sets);

	text_append(t, count == 1 ? "" : "[");
	for (size_t i = 0, n = 0; i < policy_capset_keywords.count; i++)
		if (sets & policy_capset_keywords.items[i].value)
			text_append(t, "%s%s", n++ ? ", " : "", policy_capset_keywords.items[i].name);
	text_append(t, count == 1 ? "" : "]");
}

/* ---- Compiling ---------------------------------------------------------- */

static const char *action_key(enum cg_action action)
{
	return action == CG_ACTION_DENY ? "deny" : "allow";
}

static unsigned id_list_entries(const struct model_id_rule_list *list)
{
	unsigned entries = 0;

	for (unsigned i = 0; i < list->count; i++)
		entries += list->rules[i].from.count * list->rules[i].to.count;
	return entries;
}

static unsigned cap_rule_count(const struct model_capset *capset)
{
	unsigned count = 0;

	for (unsigned i = 0; i < capset->count; i++)
		count += !!capset->entries[i].deny_gain.caps + !!capset->entries[i].allow_gain.caps;
	return count;
}

struct compile_plan {
	struct constrain_plan constrain[MODEL_ID_KINDS];
};

static void compile_plan_done(struct compile_plan *plan)
{
	for (size_t i = 0; i < MODEL_ID_KINDS; i++)
		constrain_plan_done(&plan->constrain[i]);
}

/* Returns 1 when within the limits, 0 after reporting, -ENOMEM. */
static int check_limits(struct diag_reporter *reporter, const struct policy_model *model, struct compile_plan *plan)
{
	unsigned cap_rules = cap_rule_count(&model->capset);
	bool ok = true;
	int r;

	for (size_t kind = 0; kind < MODEL_ID_KINDS; kind++) {
		const struct model_id_section *section = &model->id_rules[kind];
		unsigned entries = id_list_entries(&section->deny) + id_list_entries(&section->allow);

		/* Within the limit before transitivity, the plan stays small. */
		if (kind != MODEL_SETGROUPS && entries <= CG_MAX_ID_RULES) {
			r = plan_constraints(&section->allow, model->mode, &plan->constrain[kind]);
			if (r < 0)
				return r;
		}
		if (entries + plan->constrain[kind].count > CG_MAX_ID_RULES) {
			if (plan->constrain[kind].count > 0)
				diag_error(reporter, section->mark.line, section->mark.column,
					   "spec.%s compiles to %u rules (%u of them added by the transitivity rule), "
					   "more than CG_MAX_ID_RULES (%d)",
					   id_kinds[kind].name, entries + plan->constrain[kind].count,
					   plan->constrain[kind].count, CG_MAX_ID_RULES);
			else
				diag_error(reporter, section->mark.line, section->mark.column,
					   "spec.%s compiles to %u rules, more than CG_MAX_ID_RULES (%d)",
					   id_kinds[kind].name, entries, CG_MAX_ID_RULES);
			ok = false;
		}
	}
	if (cap_rules > CG_MAX_CAP_RULES) {
		diag_error(reporter, model->capset.mark.line, model->capset.mark.column,
			   "spec.capset compiles to %u rules, more than CG_MAX_CAP_RULES (%d)", cap_rules,
			   CG_MAX_CAP_RULES);
		ok = false;
	}
	return ok;
}

static int add_rule_info(struct policy *out, enum cg_hook hook, enum cg_action action, enum cg_mode mode,
			 unsigned list_index, struct model_mark mark, const struct text *text, __u16 *ret_index)
{
	struct policy_rule_info *info = &out->rules[out->nrules];

	*info = (struct policy_rule_info){
		.hook = hook,
		.action = action,
		.mode = mode,
		.list_index = list_index,
		.line = mark.line,
		.column = mark.column,
		.text = strdup(text->buf),
	};
	if (!info->text)
		return -ENOMEM;
	*ret_index = (__u16)out->nrules++;
	return 0;
}

/* What cg_*_rule.err holds when a policy does not say: EPERM. */
static __u8 rule_errno(__u8 err)
{
	return err ? err : EPERM;
}

static int compile_id_list(struct policy *out, const struct id_kind *kind, enum cg_action action,
			   const struct model_id_rule_list *list)
{
	struct cg_id_rules *compiled = (struct cg_id_rules *)((char *)&out->compiled + kind->offset);
	int r;

	for (unsigned i = 0; i < list->count; i++) {
		const struct model_id_rule *rule = &list->rules[i];
		enum cg_mode mode = resolve_mode(rule->mode, out->mode);
		struct text text = {};
		__u16 index;

		if (rule->text) {
			text_append(&text, "%s", rule->text);
		} else {
			text_append(&text, "%s.%s[%u]: ", kind->name, action_key(action), rule->index);
			if (kind->has_from) {
				text_append(&text, "from ");
				text_append_id_spec(&text, &rule->from);
				text_append(&text, " to ");
			} else {
				text_append(&text, "gid ");
			}
			text_append_id_spec(&text, &rule->to);
		}

		r = add_rule_info(out, kind->hook, action, mode, rule->index, rule->mark, &text, &index);
		if (r < 0)
			return r;

		for (unsigned f = 0; f < rule->from.count; f++)
			for (unsigned t = 0; t < rule->to.count; t++)
				compiled->rule[compiled->count++] = (struct cg_id_rule){
					.from_lo = rule->from.ranges[f].lo,
					.from_hi = rule->from.ranges[f].hi,
					.to_lo = rule->to.ranges[t].lo,
					.to_hi = rule->to.ranges[t].hi,
					.rule_index = index,
					.action = (__u8)action,
					.mode = (__u8)mode,
					.flags = rule->flags,
					.err = rule_errno(rule->err),
					.setid_mask = rule->setid_mask,
				};
	}
	return 0;
}

static int compile_constraints(struct diag_reporter *reporter, struct policy *out, const struct id_kind *kind,
			       enum id_type type, const struct constrain_plan *plan)
{
	struct cg_id_rules *compiled = (struct cg_id_rules *)((char *)&out->compiled + kind->offset);
	int r;

	for (unsigned i = 0; i < plan->count; i++) {
		const struct constrain_piece *piece = &plan->pieces[i];
		struct model_id_range range = { piece->lo, piece->hi };
		struct text text = {}, target = {}, from = {};
		__u16 index;

		text_append_range(&target, &range);
		text_append_id_spec(&from, &piece->origin->from);
		diag_report(reporter, POLICY_DIAG_WARNING, piece->origin->to_mark.line, piece->origin->to_mark.column,
			    "%s %s may move to %s, which no allow rule constrains; %s is constrained to itself "
			    "(SafeSetID's transitivity rule)",
			    id_type_noun(type), from.buf, target.buf, target.buf);

		text_append(&text, "%s: %s constrained to itself (transitivity of %s.allow[%u])", kind->name,
			    target.buf, kind->name, piece->origin->index);
		r = add_rule_info(out, kind->hook, CG_ACTION_CONSTRAIN, piece->mode, piece->origin->index,
				  piece->origin->to_mark, &text, &index);
		if (r < 0)
			return r;
		/* An empty target range: no move away from the source is allowed. */
		compiled->rule[compiled->count++] = (struct cg_id_rule){
			.from_lo = piece->lo,
			.from_hi = piece->hi,
			.to_lo = 1,
			.to_hi = 0,
			.rule_index = index,
			.action = CG_ACTION_CONSTRAIN,
			.mode = (__u8)piece->mode,
			.err = EPERM,
		};
	}
	return 0;
}

static int compile_cap_list(struct policy *out, const struct model_cap_entry *entry, enum cg_action action,
			    const struct model_cap_list *list)
{
	struct cg_cap_rules *compiled = &out->compiled.capset;
	enum cg_mode mode = resolve_mode(entry->mode, out->mode);
	const char *key = action == CG_ACTION_DENY ? "denyGain" : "allowGain";
	struct text text = {};
	__u16 index;
	int r;

	/* An empty list ("denyGain: []") says nothing: no rule. */
	if (list->caps == 0)
		return 0;

	if (entry->in_rules_list)
		text_append(&text, "capset.rules[%u].%s: ", entry->index, key);
	else
		text_append(&text, "capset.%s: ", key);
	text_append_caps(&text, list->caps);
	text_append(&text, " in ");
	text_append_sets(&text, entry->sets);

	r = add_rule_info(out, CG_HOOK_CAPSET, action, mode, entry->index, list->mark, &text, &index);
	if (r < 0)
		return r;
	compiled->rule[compiled->count++] = (struct cg_cap_rule){
		.caps = list->caps,
		.sets = entry->sets,
		.action = (__u8)action,
		.mode = (__u8)mode,
		.rule_index = index,
		.err = EPERM,
	};
	return 0;
}

static int compile_exec(struct policy *out, const struct model_exec *exec)
{
	struct cg_exec_rule *compiled = &out->compiled.exec;
	enum cg_mode mode = resolve_mode(exec->mode, out->mode);
	struct text text = {};
	__u16 index;
	int r;

	*compiled = (struct cg_exec_rule){ .rule_index = CG_NO_RULE };
	if (!exec->present)
		return 0;

	text_append(&text, "exec:");
	if (exec->npaths > 0) {
		text_append(&text, " allowPaths [");
		for (unsigned i = 0; i < exec->npaths; i++)
			text_append(&text, "%s%s", i ? ", " : "", exec->paths[i]);
		text_append(&text, "]");
	}
	if (exec->nuids > 0) {
		text_append(&text, "%s allowTargetUids [", exec->npaths > 0 ? "," : "");
		for (unsigned i = 0; i < exec->nuids; i++) {
			text_append(&text, i ? ", " : "");
			text_append_range(&text, &exec->uids[i]);
		}
		text_append(&text, "]");
	}
	if (exec->npaths == 0 && exec->nuids == 0)
		text_append(&text, " deny");
	r = add_rule_info(out, CG_HOOK_EXEC, CG_ACTION_DENY, mode, 0, exec->mark, &text, &index);
	if (r < 0)
		return r;

	compiled->rule_index = index;
	compiled->mode = (__u8)mode;
	compiled->nuids = exec->nuids;
	for (unsigned i = 0; i < exec->nuids; i++) {
		compiled->allow_uids[i].lo = exec->uids[i].lo;
		compiled->allow_uids[i].hi = exec->uids[i].hi;
	}

	if (exec->npaths > 0) {
		out->exec_allow_paths = calloc(exec->npaths, sizeof(*out->exec_allow_paths));
		if (!out->exec_allow_paths)
			return -ENOMEM;
		for (unsigned i = 0; i < exec->npaths; i++) {
			out->exec_allow_paths[i] = strdup(exec->paths[i]);
			if (!out->exec_allow_paths[i])
				return -ENOMEM;
			out->nexec_allow_paths++;
		}
	}
	return 0;
}

static int compile_userns(struct policy *out, const struct model_userns *userns)
{
	struct cg_userns_rule *compiled = &out->compiled.userns;
	enum cg_mode mode = resolve_mode(userns->mode, out->mode);
	struct text text = {};
	__u16 index;
	int r;

	*compiled = (struct cg_userns_rule){ .rule_index = CG_NO_RULE };
	if (!userns->present)
		return 0;
	text_append(&text, "userns: deny");
	r = add_rule_info(out, CG_HOOK_USERNS, CG_ACTION_DENY, mode, 0, userns->mark, &text, &index);
	if (r < 0)
		return r;
	compiled->rule_index = index;
	compiled->mode = (__u8)mode;
	return 0;
}

/* A NULL source stays NULL; otherwise a copy into *@to, or -ENOMEM. */
static int copy_optional(char **to, const char *from)
{
	if (!from)
		return 0;
	*to = strdup(from);
	return *to ? 0 : -ENOMEM;
}

static int copy_identity(struct policy_identity *to, const struct model_selector *from)
{
	if (copy_optional(&to->container_name, from->container_name) < 0 ||
	    copy_optional(&to->image, from->image) < 0 || copy_optional(&to->pod_namespace, from->pod_namespace) < 0)
		return -ENOMEM;
	if (from->nlabels == 0)
		return 0;
	to->labels = calloc(from->nlabels, sizeof(*to->labels));
	if (!to->labels)
		return -ENOMEM;
	for (unsigned i = 0; i < from->nlabels; i++) {
		/* Counted first, so that selector_done() frees a half-copied one. */
		to->nlabels++;
		if (copy_optional(&to->labels[i].key, from->labels[i].key) < 0 ||
		    copy_optional(&to->labels[i].value, from->labels[i].value) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int copy_selector(struct policy_selector *to, const struct model_selector *from)
{
	int r;

	*to = (struct policy_selector){
		.line = from->mark.line,
		.column = from->mark.column,
		.host = from->host,
		.index = POLICY_NO_SELECTOR,
	};
	if (from->cgroup) {
		to->cgroup = strdup(from->cgroup);
		if (!to->cgroup)
			return -ENOMEM;
	}
	to->text = strdup(from->text ? from->text : "");
	if (!to->text)
		return -ENOMEM;
	if (from->nselinux > 0) {
		to->selinux = calloc(from->nselinux, sizeof(*to->selinux));
		if (!to->selinux)
			return -ENOMEM;
		for (unsigned i = 0; i < from->nselinux; i++) {
			to->selinux[i].kind = from->selinux[i].kind;
			to->selinux[i].value = strdup(from->selinux[i].value);
			to->nselinux++;
			if (!to->selinux[i].value)
				return -ENOMEM;
		}
	}
	r = copy_identity(&to->identity, from);
	if (r < 0)
		return r;
	if (from->npredicates == 0)
		return 0;
	to->predicates = calloc(from->npredicates, sizeof(*to->predicates));
	if (!to->predicates)
		return -ENOMEM;
	for (unsigned i = 0; i < from->npredicates; i++) {
		struct policy_selector_predicate *predicate = &to->predicates[to->npredicates];

		predicate->patterns = strdup(from->predicates[i].patterns);
		predicate->description = strdup(from->predicates[i].description);
		to->npredicates++;
		if (!predicate->patterns || !predicate->description)
			return -ENOMEM;
	}
	return 0;
}

static int copy_selectors(struct policy *out, const struct policy_model *model)
{
	int r;

	if (model->nselectors == 0)
		return 0;
	out->selectors = calloc(model->nselectors, sizeof(*out->selectors));
	if (!out->selectors)
		return -ENOMEM;
	for (unsigned i = 0; i < model->nselectors; i++) {
		/* Counted first, so that policy_done() frees a half-copied one. */
		out->nselectors++;
		r = copy_selector(&out->selectors[i], &model->selectors[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

static int compile_into(struct diag_reporter *reporter, struct policy *out, const struct policy_model *model,
			const char *file, __u32 policy_id, const struct compile_plan *plan)
{
	__u32 all_syscalls = (1u << CG_SYS_MAX) - 1;
	int r;

	out->name = strdup(model->name);
	out->file = strdup(file);
	if (!out->name || !out->file)
		return -ENOMEM;
	out->kind = model->kind;
	out->line = model->mark.line;
	out->column = model->mark.column;
	out->name_line = model->name_mark.line;
	out->name_column = model->name_mark.column;
	out->mode = model->mode;
	out->priority = model->priority;
	out->flags = (model->observe ? CG_POLICY_OBSERVE : 0) | (model->report_allowed ? CG_POLICY_REPORT_ALLOWED : 0) |
		     (model->regain_allowed ? CG_POLICY_REGAIN_ALLOWED : 0) | model->pidns_flags;
	out->compiled.policy_id = policy_id;
	out->compiled.flags = out->flags;
	out->compiled.mode = (__u8)model->mode;
	if (model->observe)
		out->compiled.observe_syscalls = model->observe_syscalls ? model->observe_syscalls : all_syscalls;

	r = copy_selectors(out, model);
	if (r < 0)
		return r;

	size_t nrules = cap_rule_count(&model->capset) + model->exec.present + model->userns.present;

	for (size_t kind = 0; kind < MODEL_ID_KINDS; kind++)
		nrules += model->id_rules[kind].deny.count + model->id_rules[kind].allow.count +
			  plan->constrain[kind].count;
	if (nrules > 0) {
		out->rules = calloc(nrules, sizeof(*out->rules));
		if (!out->rules)
			return -ENOMEM;
	}
	for (size_t kind = 0; kind < MODEL_ID_KINDS; kind++) {
		const struct model_id_section *section = &model->id_rules[kind];

		r = compile_id_list(out, &id_kinds[kind], CG_ACTION_DENY, &section->deny);
		if (r < 0)
			return r;
		r = compile_id_list(out, &id_kinds[kind], CG_ACTION_ALLOW, &section->allow);
		if (r < 0)
			return r;
		r = compile_constraints(reporter, out, &id_kinds[kind], kind == MODEL_SETUID ? ID_USER : ID_GROUP,
					&plan->constrain[kind]);
		if (r < 0)
			return r;
	}
	for (unsigned i = 0; i < model->capset.count; i++) {
		const struct model_cap_entry *entry = &model->capset.entries[i];

		r = compile_cap_list(out, entry, CG_ACTION_DENY, &entry->deny_gain);
		if (r < 0)
			return r;
		r = compile_cap_list(out, entry, CG_ACTION_ALLOW, &entry->allow_gain);
		if (r < 0)
			return r;
	}
	r = compile_exec(out, &model->exec);
	if (r < 0)
		return r;
	return compile_userns(out, &model->userns);
}

int policy_compile(struct diag_reporter *reporter, const struct policy_model *model, const char *file,
		   __u32 policy_id, struct policy *out)
{
	_cleanup_(compile_plan_done) struct compile_plan plan = {};
	int r;

	*out = (struct policy){};
	r = check_limits(reporter, model, &plan);
	if (r < 0)
		return r;
	if (r == 0)
		return -EINVAL;
	r = compile_into(reporter, out, model, file, policy_id, &plan);
	if (r < 0) {
		policy_done(out);
		return r;
	}
	return 0;
}

static void selector_done(struct policy_selector *selector)
{
	free(selector->cgroup);
	free(selector->text);
	for (size_t i = 0; i < selector->npredicates; i++) {
		free(selector->predicates[i].patterns);
		free(selector->predicates[i].description);
	}
	free(selector->predicates);
	for (size_t i = 0; i < selector->nselinux; i++)
		free(selector->selinux[i].value);
	free(selector->selinux);
	free(selector->identity.container_name);
	free(selector->identity.image);
	free(selector->identity.pod_namespace);
	for (size_t i = 0; i < selector->identity.nlabels; i++) {
		free(selector->identity.labels[i].key);
		free(selector->identity.labels[i].value);
	}
	free(selector->identity.labels);
}

void policy_done(struct policy *policy)
{
	if (!policy)
		return;
	free(policy->name);
	free(policy->file);
	for (size_t i = 0; i < policy->nselectors; i++)
		selector_done(&policy->selectors[i]);
	free(policy->selectors);
	for (size_t i = 0; i < policy->nrules; i++)
		free(policy->rules[i].text);
	free(policy->rules);
	for (size_t i = 0; i < policy->nexec_allow_paths; i++)
		free(policy->exec_allow_paths[i]);
	free(policy->exec_allow_paths);
	*policy = (struct policy){};
}
