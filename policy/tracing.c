/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Tetragon's TracingPolicy (cilium.io/v1alpha1), as far as credgate can
 * honour it: kprobes on the credential-change system calls, selected by pid
 * namespace, with Post, Sigkill and Override actions. One TracingPolicy is
 * one credgate policy governing every cgroup:
 *
 *   - every listed call is observed (CG_POLICY_OBSERVE, observe_syscalls);
 *   - "Pid NotIn [host_ns]" / "Pid In [host_ns]" become CG_POLICY_PIDNS_*,
 *     which must then be the same for every selector of every kprobe;
 *   - Sigkill or Override on a set*id call becomes a deny rule from any id
 *     to any id (or to the matchArgs Equal values of argument 0), limited to
 *     that call by setid_mask; Sigkill adds CG_RULE_KILL, Override's
 *     argError the errno. The policy's mode is enforce when there is such a
 *     rule, audit otherwise.
 *
 * Everything else Tetragon has is refused with the field's name: a policy
 * that silently did less than it says would be worse than none.
 */

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "parse.h"
#include "tracing.h"

static const struct tp_call tp_calls[] = {
	{ "setuid", CG_SYS_SETUID, CG_HOOK_SETUID, MODEL_SETUID, CG_SETID_ID, 1, true },
	{ "setgid", CG_SYS_SETGID, CG_HOOK_SETGID, MODEL_SETGID, CG_SETID_ID, 1, true },
	{ "setreuid", CG_SYS_SETREUID, CG_HOOK_SETUID, MODEL_SETUID, CG_SETID_RE, 2, false },
	{ "setregid", CG_SYS_SETREGID, CG_HOOK_SETGID, MODEL_SETGID, CG_SETID_RE, 2, false },
	{ "setresuid", CG_SYS_SETRESUID, CG_HOOK_SETUID, MODEL_SETUID, CG_SETID_RES, 3, false },
	{ "setresgid", CG_SYS_SETRESGID, CG_HOOK_SETGID, MODEL_SETGID, CG_SETID_RES, 3, false },
	{ "setfsuid", CG_SYS_SETFSUID, CG_HOOK_SETUID, MODEL_SETUID, CG_SETID_FS, 1, true },
	{ "setfsgid", CG_SYS_SETFSGID, CG_HOOK_SETGID, MODEL_SETGID, CG_SETID_FS, 1, true },
	{ "setgroups", CG_SYS_SETGROUPS, CG_HOOK_SETGROUPS, MODEL_SETGROUPS, 0, 1, false },
	{ "capset", CG_SYS_CAPSET, CG_HOOK_CAPSET, MODEL_ID_KINDS, 0, 0, false },
};

static const char *const pidns_condition_names[] = {
	[PIDNS_ANY] = "no matchNamespaces",
	[PIDNS_HOST] = "Pid In host_ns",
	[PIDNS_NOT_HOST] = "Pid NotIn host_ns",
};

struct tp_state {
	struct policy_model *model;
	/* The first pid namespace condition seen, which all must equal. */
	bool have_condition;
	enum pidns_condition condition;
	char condition_path[PATH_SIZE];
};

/* ---- One kprobe, read raw first: its call decides what the rest may be ---- */

static const char *call_choices(char buf[static CHOICES_SIZE])
{
	buf[0] = '\0';
	for (size_t i = 0; i < ELEMENTSOF(tp_calls); i++) {
		char name[32];

		snprintf(name, sizeof(name), "sys_%s", tp_calls[i].name);
		append_choice(buf, i, ELEMENTSOF(tp_calls), name, false);
	}
	return buf;
}

static int parse_call(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	static const char *const prefixes[] = { "sys_", "__x64_sys_", "__arm64_sys_" };
	struct tp_kprobe *kprobe = target;
	char described[DIAG_QUOTE_SIZE], choices[CHOICES_SIZE];
	const char *call;

	kprobe->call_node = arg->value;
	if (!expect_string(ctx, arg->value, arg->path, &call))
		return 0;
	for (size_t p = 0; p < ELEMENTSOF(prefixes); p++) {
		size_t len = strlen(prefixes[p]);

		if (strncmp(call, prefixes[p], len) != 0)
			continue;
		for (size_t i = 0; i < ELEMENTSOF(tp_calls); i++)
			if (strcmp(call + len, tp_calls[i].name) == 0) {
				kprobe->call = &tp_calls[i];
				return 0;
			}
	}
	parse_error(ctx, arg->value, "%s: %s is not supported by credgate (supported: %s)", arg->path,
		    ynode_describe(arg->value, described), call_choices(choices));
	return 0;
}

static int parse_syscall(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	bool syscall;

	if (parse_bool(ctx, arg->value, arg->path, &syscall) && !syscall)
		parse_error(ctx, arg->value,
			    "%s: only system calls are supported by credgate: 'syscall: false' (a kernel "
			    "function) is not",
			    arg->path);
	return 0;
}

static int store_args(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	((struct tp_kprobe *)target)->args = arg->value;
	return 0;
}

static int store_selectors(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	((struct tp_kprobe *)target)->selectors = arg->value;
	return 0;
}

static const struct field kprobe_fields[] = {
	{ .key = "call", .parse = parse_call, .required = true },
	{ .key = "syscall", .parse = parse_syscall, .required = true },
	{ .key = "args", .parse = store_args },
	{ .key = "selectors", .parse = store_selectors },
};

/* ---- args ---------------------------------------------------------------- */

struct tp_arg {
	long long index;
	bool has_index;
};

static int parse_arg_index(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	struct tp_arg *a = target;

	a->has_index = parse_integer(ctx, arg->value, arg->path, 0, 5, &a->index);
	return 0;
}

static int parse_arg_type(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	char described[DIAG_QUOTE_SIZE];

	if (!scalar_equals(arg->value, "int"))
		parse_error(ctx, arg->value, "%s: type %s is not supported by credgate (only 'int')", arg->path,
			    ynode_describe(arg->value, described));
	return 0;
}

static const struct field arg_fields[] = {
	{ .key = "index", .parse = parse_arg_index, .required = true },
	{ .key = "type", .parse = parse_arg_type, .required = true },
};

/* Returns 0 or -ENOMEM; *@declared gets a bit per declared index. */
static int check_args(struct parse_ctx *ctx, const struct tp_kprobe *kprobe, const char *path, unsigned *declared)
{
	const struct ynode *node = kprobe->args;
	char args_path[PATH_SIZE], item_path[PATH_SIZE], index_path[PATH_SIZE];
	size_t i = 0;
	int r;

	*declared = 0;
	if (!node)
		return 0;
	path_key(args_path, path, "args");
	if (!expect_list(ctx, node, args_path))
		return 0;
	for (const struct ynode *item = node->first; item; item = item->next, i++) {
		struct tp_arg a = {};
		const struct ynode *index_node;

		path_index(item_path, args_path, i);
		if (!expect_mapping(ctx, item, item_path))
			continue;
		r = parse_fields(ctx, item, item_path, item, arg_fields, ELEMENTSOF(arg_fields), &a);
		if (r < 0)
			return r;
		if (!a.has_index || !kprobe->call)
			continue;
		index_node = mapping_find(item, "index");
		path_key(index_path, item_path, "index");
		if (kprobe->call->syscall == CG_SYS_CAPSET) {
			parse_error(ctx, index_node,
				    "%s: the arguments of sys_capset are pointers, which credgate does not support as "
				    "args (it reports the capabilities before and after instead)",
				    index_path);
			continue;
		}
		if (kprobe->call->syscall == CG_SYS_SETGROUPS && a.index == 1) {
			parse_error(ctx, index_node,
				    "%s: argument 1 of sys_setgroups is a pointer to the gid list, which credgate does "
				    "not support as an arg (only index 0, the size; events carry the gids)",
				    index_path);
			continue;
		}
		if ((unsigned long long)a.index >= kprobe->call->int_args) {
			parse_error(ctx, index_node, "%s: sys_%s has %u argument%s, so index %lld does not exist",
				    index_path, kprobe->call->name, kprobe->call->int_args,
				    kprobe->call->int_args == 1 ? "" : "s", a.index);
			continue;
		}
		if (*declared & (1u << a.index)) {
			parse_error(ctx, index_node, "%s: argument %lld is declared twice", index_path, a.index);
			continue;
		}
		*declared |= 1u << a.index;
	}
	return 0;
}

/* The pid namespace condition of one selector (or of a kprobe without any). */
static void note_condition(struct parse_ctx *ctx, struct tp_state *state, enum pidns_condition condition,
			   const struct ynode *node, const char *path)
{
	if (!state->have_condition) {
		state->have_condition = true;
		state->condition = condition;
		snprintf(state->condition_path, sizeof(state->condition_path), "%s", path);
		return;
	}
	if (condition != state->condition)
		parse_error(ctx, node,
			    "%s: %s differs from %s (%s): credgate applies one pid namespace condition to the "
			    "whole TracingPolicy",
			    path, pidns_condition_names[condition], state->condition_path,
			    pidns_condition_names[state->condition]);
}

static int add_deny_rule(struct parse_ctx *ctx, struct tp_state *state, const struct tp_kprobe *kprobe,
			 const struct tp_selector *sel, unsigned selector_index, const char *path)
{
	const struct tp_call *call = kprobe->call;
	struct model_id_rule_list *deny;
	struct model_id_rule *rule;
	char to[400];

	if (!call->setid_mask) {
		parse_error(ctx, sel->enforcing_action,
			    "%s: %s on sys_%s is not supported by credgate (it refuses set*id calls only: use a "
			    "CredentialPolicy's %s rules)",
			    path, sel->sigkill ? "Sigkill" : "Override", call->name,
			    call->syscall == CG_SYS_CAPSET ? "capset" : "setgroups");
		return 0;
	}
	deny = &state->model->id_rules[call->kind].deny;
	if (deny->count >= CG_MAX_ID_RULES) {
		parse_error(ctx, sel->enforcing_action, "%s: more than CG_MAX_ID_RULES (%d) %s rules", path,
			    CG_MAX_ID_RULES, call->kind == MODEL_SETUID ? "setuid" : "setgid");
		return 0;
	}
	rule = &deny->rules[deny->count];
	*rule = (struct model_id_rule){
		.mark = { sel->enforcing_action->line, sel->enforcing_action->column },
		.to_mark = { sel->enforcing_action->line, sel->enforcing_action->column },
		.index = deny->count,
		.from = { .ranges = { { MODEL_ID_ANY_LO, MODEL_ID_ANY_HI } }, .count = 1 },
		.to = { .ranges = { { MODEL_ID_ANY_LO, MODEL_ID_ANY_HI } }, .count = 1 },
		.flags = sel->sigkill ? CG_RULE_KILL : 0,
		.err = sel->err,
		.setid_mask = call->setid_mask,
	};
	if (sel->match_args && sel->values_ok && sel->values.count > 0)
		rule->to = sel->values;
	if (sel->match_args && sel->values.count > 0) {
		size_t len = 0;

		for (unsigned i = 0; i < sel->values.count && len < sizeof(to); i++)
			len += (size_t)snprintf(to + len, sizeof(to) - len, "%s%u", i ? ", " : "[",
						sel->values.ranges[i].lo);
		if (len < sizeof(to))
			snprintf(to + len, sizeof(to) - len, "]");
		if (sel->values.count == 1)
			snprintf(to, sizeof(to), "%u", sel->values.ranges[0].lo);
	} else {
		snprintf(to, sizeof(to), "any");
	}
	if (asprintf(&rule->text, "kprobes[%u].selectors[%u]: sys_%s %s, to %s", kprobe->index, selector_index,
		     call->name, sel->actions_text, to) < 0) {
		rule->text = NULL;
		return -ENOMEM;
	}
	deny->count++;
	return 0;
}

static int check_selectors(struct parse_ctx *ctx, struct tp_state *state, const struct tp_kprobe *kprobe,
			   const char *path, unsigned declared_args)
{
	const struct ynode *node = kprobe->selectors;
	char selectors_path[PATH_SIZE], item_path[PATH_SIZE];
	unsigned i = 0;
	int r;

	if (!node || (node->kind == YNODE_SEQUENCE && node->count == 0)) {
		note_condition(ctx, state, PIDNS_ANY, kprobe->node, path);
		return 0;
	}
	path_key(selectors_path, path, "selectors");
	if (!expect_list(ctx, node, selectors_path))
		return 0;
	for (const struct ynode *item = node->first; item; item = item->next, i++) {
		struct tp_selector sel = { .kprobe = kprobe, .declared_args = declared_args };
		size_t errors = ctx->reporter->errors;

		path_index(item_path, selectors_path, i);
		if (!expect_mapping(ctx, item, item_path))
			continue;
		r = tp_selector_parse(ctx, item, item_path, &sel);
		if (r < 0)
			return r;
		if (!sel.condition_conflict)
			note_condition(ctx, state, sel.condition, item, item_path);
		if (ctx->reporter->errors != errors || !kprobe->call)
			continue;
		if (sel.match_args && !sel.enforcing_action) {
			char key_path[PATH_SIZE];

			parse_error(ctx, sel.match_args,
				    "%s: matchArgs without a Sigkill or Override action is not supported by credgate "
				    "(it reports every call: events cannot be filtered by argument)",
				    path_key(key_path, item_path, "matchArgs"));
			continue;
		}
		if (sel.enforcing_action) {
			r = add_deny_rule(ctx, state, kprobe, &sel, i, item_path);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static int parse_kprobes(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	struct tp_state *state = target;
	const struct ynode *node = arg->value;
	char item_path[PATH_SIZE];
	unsigned index = 0;
	int r;

	if (!expect_list(ctx, node, arg->path))
		return 0;
	if (node->count == 0) {
		parse_error(ctx, node, "%s: expected at least one kprobe", arg->path);
		return 0;
	}
	if (node->count > POLICY_MAX_KPROBES) {
		parse_error(ctx, node, "%s: %zu kprobes, more than POLICY_MAX_KPROBES (%d)", arg->path, node->count,
			    POLICY_MAX_KPROBES);
		return 0;
	}
	for (const struct ynode *item = node->first; item; item = item->next, index++) {
		struct tp_kprobe kprobe = { .index = index, .node = item };
		unsigned declared = 0;

		path_index(item_path, arg->path, index);
		if (!expect_mapping(ctx, item, item_path))
			continue;
		r = parse_fields(ctx, item, item_path, item, kprobe_fields, ELEMENTSOF(kprobe_fields), &kprobe);
		if (r < 0)
			return r;
		r = check_args(ctx, &kprobe, item_path, &declared);
		if (r < 0)
			return r;
		r = check_selectors(ctx, state, &kprobe, item_path, declared);
		if (r < 0)
			return r;
		if (kprobe.call)
			state->model->observe_syscalls |= 1u << kprobe.call->syscall;
	}
	return 0;
}

static const struct field tracing_spec_fields[] = {
	{ .key = "kprobes", .parse = parse_kprobes, .required = true },
};

static int parse_tracing_spec(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	if (!expect_mapping(ctx, arg->value, arg->path))
		return 0;
	return parse_fields(ctx, arg->value, arg->path, arg->key, tracing_spec_fields,
			    ELEMENTSOF(tracing_spec_fields), target);
}

static int parse_tracing_metadata(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	return parse_metadata(ctx, arg, ((struct tp_state *)target)->model);
}

static const struct field tracing_policy_fields[] = {
	{ .key = "apiVersion", .parse = parse_api_version, .required = true },
	{ .key = "kind", .parse = parse_nothing, .required = true },
	{ .key = "metadata", .parse = parse_tracing_metadata },
	{ .key = "spec", .parse = parse_tracing_spec, .required = true },
};

int parse_tracing_policy(struct parse_ctx *ctx, const struct ynode *root, struct policy_model *model)
{
	struct tp_state state = { .model = model };
	struct model_selector *everything;
	int r;

	r = parse_fields(ctx, root, "", root, tracing_policy_fields, ELEMENTSOF(tracing_policy_fields), &state);
	if (r < 0)
		return r;
	if (!mapping_find(root, "metadata"))
		parse_error(ctx, root, "metadata.name is required");

	model->observe = true;
	model->mode = CG_MODE_AUDIT;
	for (unsigned k = 0; k < MODEL_ID_KINDS; k++)
		if (model->id_rules[k].deny.count > 0)
			model->mode = CG_MODE_ENFORCE;
	if (state.condition == PIDNS_HOST)
		model->pidns_flags = CG_POLICY_PIDNS_HOST;
	else if (state.condition == PIDNS_NOT_HOST)
		model->pidns_flags = CG_POLICY_PIDNS_NOT_HOST;

	/* Every cgroup, from the root: Tetragon's policies are not scoped. */
	everything = &model->selectors[model->nselectors++];
	*everything = (struct model_selector){ .mark = model->mark };
	everything->cgroup = strdup("/");
	everything->text = strdup("cgroup /");
	if (!everything->cgroup || !everything->text)
		return -ENOMEM;
	return 0;
}
