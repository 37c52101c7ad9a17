/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Policy model to map value.
 *
 * Each written rule becomes one struct policy_rule_info, and as many
 * cg_id_rule entries as its id lists need (every "from" range paired with
 * every "to" range), all carrying that info's index. Rules are laid out in
 * a fixed order whatever the order of keys in the file: setuid, setgid,
 * setgroups, capset; within each, deny before allow, then list order.
 */

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "compile.h"
#include "names.h"

/* The model's lists bound the written rules; rule_index must stay below
 * CG_NO_RULE. */
_Static_assert(MODEL_ID_KINDS * 2 * CG_MAX_ID_RULES + CG_MAX_CAP_RULES < CG_NO_RULE,
	       "rule_index must fit in __u16 below CG_NO_RULE");

/* Longest rule text: two lists of CG_MAX_ID_RULES ranges of two 10-digit
 * ids, or every capability name; both fit with room to spare. */
#define RULE_TEXT_SIZE 4096

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

static bool check_limits(struct diag_reporter *reporter, const struct policy_model *model)
{
	bool ok = true;
	unsigned cap_rules = !!model->capset.deny_gain.caps + !!model->capset.allow_gain.caps;

	for (size_t kind = 0; kind < MODEL_ID_KINDS; kind++) {
		const struct model_id_section *section = &model->id_rules[kind];
		unsigned entries = id_list_entries(&section->deny) + id_list_entries(&section->allow);

		if (entries > CG_MAX_ID_RULES) {
			diag_error(reporter, section->mark.line, section->mark.column,
				   "spec.%s compiles to %u rules, more than CG_MAX_ID_RULES (%d)", id_kinds[kind].name,
				   entries, CG_MAX_ID_RULES);
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

static enum cg_mode resolve_mode(enum cg_mode own, enum cg_mode policy_mode)
{
	return own != CG_MODE_NONE ? own : policy_mode;
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

		text_append(&text, "%s.%s[%u]: ", kind->name, action_key(action), rule->index);
		if (kind->has_from) {
			text_append(&text, "from ");
			text_append_id_spec(&text, &rule->from);
			text_append(&text, " to ");
		} else {
			text_append(&text, "gid ");
		}
		text_append_id_spec(&text, &rule->to);

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
					.action = (__u8)action,
					.mode = (__u8)mode,
					.rule_index = index,
				};
	}
	return 0;
}

static int compile_cap_list(struct policy *out, const struct model_capset *capset, enum cg_action action,
			    const struct model_cap_list *list)
{
	struct cg_cap_rules *compiled = &out->compiled.capset;
	enum cg_mode mode = resolve_mode(capset->mode, out->mode);
	struct text text = {};
	__u16 index;
	int r;

	/* An empty list ("denyGain: []") says nothing: no rule. */
	if (list->caps == 0)
		return 0;

	text_append(&text, "capset.%s: ", action == CG_ACTION_DENY ? "denyGain" : "allowGain");
	text_append_caps(&text, list->caps);
	text_append(&text, " in ");
	text_append_sets(&text, capset->sets);

	r = add_rule_info(out, CG_HOOK_CAPSET, action, mode, 0, list->mark, &text, &index);
	if (r < 0)
		return r;
	compiled->rule[compiled->count++] = (struct cg_cap_rule){
		.caps = list->caps,
		.sets = capset->sets,
		.action = (__u8)action,
		.mode = (__u8)mode,
		.rule_index = index,
	};
	return 0;
}

static int copy_selectors(struct policy *out, const struct policy_model *model)
{
	if (model->nselectors == 0)
		return 0;
	out->selectors = calloc(model->nselectors, sizeof(*out->selectors));
	if (!out->selectors)
		return -ENOMEM;
	for (unsigned i = 0; i < model->nselectors; i++) {
		const struct model_selector *from = &model->selectors[i];
		struct policy_selector *to = &out->selectors[out->nselectors];

		*to = (struct policy_selector){ .line = from->mark.line, .column = from->mark.column };
		if (from->cgroup) {
			to->cgroup = strdup(from->cgroup);
			if (!to->cgroup)
				return -ENOMEM;
		}
		out->nselectors++;
	}
	return 0;
}

static int compile_into(struct policy *out, const struct policy_model *model, const char *file, __u32 policy_id)
{
	int r;

	out->name = strdup(model->name);
	out->file = strdup(file);
	if (!out->name || !out->file)
		return -ENOMEM;
	out->line = model->mark.line;
	out->column = model->mark.column;
	out->name_line = model->name_mark.line;
	out->name_column = model->name_mark.column;
	out->mode = model->mode;
	out->flags = (model->observe ? CG_POLICY_OBSERVE : 0) | (model->report_allowed ? CG_POLICY_REPORT_ALLOWED : 0);
	out->compiled.policy_id = policy_id;
	out->compiled.flags = out->flags;
	out->compiled.mode = (__u8)model->mode;

	r = copy_selectors(out, model);
	if (r < 0)
		return r;

	size_t nrules = !!model->capset.deny_gain.caps + !!model->capset.allow_gain.caps;

	for (size_t kind = 0; kind < MODEL_ID_KINDS; kind++)
		nrules += model->id_rules[kind].deny.count + model->id_rules[kind].allow.count;
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
	}
	r = compile_cap_list(out, &model->capset, CG_ACTION_DENY, &model->capset.deny_gain);
	if (r < 0)
		return r;
	return compile_cap_list(out, &model->capset, CG_ACTION_ALLOW, &model->capset.allow_gain);
}

int policy_compile(struct diag_reporter *reporter, const struct policy_model *model, const char *file,
		   __u32 policy_id, struct policy *out)
{
	int r;

	*out = (struct policy){};
	if (!check_limits(reporter, model))
		return -EINVAL;
	r = compile_into(out, model, file, policy_id);
	if (r < 0) {
		policy_done(out);
		return r;
	}
	return 0;
}

void policy_done(struct policy *policy)
{
	if (!policy)
		return;
	free(policy->name);
	free(policy->file);
	for (size_t i = 0; i < policy->nselectors; i++)
		free(policy->selectors[i].cgroup);
	free(policy->selectors);
	for (size_t i = 0; i < policy->nrules; i++)
		free(policy->rules[i].text);
	free(policy->rules);
	*policy = (struct policy){};
}
