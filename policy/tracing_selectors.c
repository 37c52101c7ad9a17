// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * One selector of a TracingPolicy kprobe, read and checked against the
 * kprobe's call and declared args: its pid namespace condition, the new ids
 * matchArgs names, and the enforcing action (Sigkill, Override's argError).
 * tracing.c turns what it asks into rules; anything Tetragon has that
 * credgate cannot honour is refused here with the field's name.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "tracing.h"


static const char *const namespace_fields_list = "namespace, operator, values";

static int check_namespace_entry(struct parse_ctx *ctx, const struct ynode *item, const char *path,
				 struct tp_selector *sel)
{
	static const char *const keys[] = { "namespace", "operator", "values" };
	const struct ynode *values[3] = {};
	char key_path[PATH_SIZE], described[DIAG_QUOTE_SIZE];
	enum pidns_condition condition = PIDNS_ANY;

	/* Read by hand: the three keys are checked together. */
	for (const struct ynode *key = item->first; key && key->next; key = key->next->next) {
		size_t i;

		for (i = 0; i < ELEMENTSOF(keys); i++)
			if (scalar_equals(key, keys[i]))
				break;
		if (i == ELEMENTSOF(keys)) {
			parse_error(ctx, key, "key %s in %s is not supported by credgate (supported: %s)",
				    ynode_describe(key, described), path, namespace_fields_list);
			return 0;
		}
		if (values[i]) {
			parse_error(ctx, key, "duplicate key '%s' in %s (first defined at %u:%u)", keys[i], path,
				    values[i]->line, values[i]->column);
			return 0;
		}
		values[i] = key->next;
	}
	for (size_t i = 0; i < ELEMENTSOF(keys); i++)
		if (!values[i]) {
			parse_error(ctx, item, "%s is required", path_key(key_path, path, keys[i]));
			return 0;
		}
	if (!scalar_equals(values[0], "Pid")) {
		parse_error(ctx, values[0], "%s: namespace %s is not supported by credgate (only Pid)",
			    path_key(key_path, path, "namespace"), ynode_describe(values[0], described));
		return 0;
	}
	if (scalar_equals(values[1], "In")) {
		condition = PIDNS_HOST;
	} else if (scalar_equals(values[1], "NotIn")) {
		condition = PIDNS_NOT_HOST;
	} else {
		parse_error(ctx, values[1], "%s: operator %s is not supported by credgate (only In and NotIn)",
			    path_key(key_path, path, "operator"), ynode_describe(values[1], described));
		return 0;
	}
	if (values[2]->kind != YNODE_SEQUENCE || values[2]->count != 1 || !scalar_equals(values[2]->first, "host_ns")) {
		parse_error(ctx, values[2],
			    "%s: only [host_ns] is supported by credgate (namespace inode numbers are not)",
			    path_key(key_path, path, "values"));
		return 0;
	}
	if (sel->condition != PIDNS_ANY && sel->condition != condition) {
		parse_error(ctx, item, "%s: Pid In host_ns and Pid NotIn host_ns conflict: nothing could match", path);
		sel->condition_conflict = true;
		return 0;
	}
	sel->condition = condition;
	return 0;
}

static int parse_match_namespaces(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	struct tp_selector *sel = target;
	char item_path[PATH_SIZE];
	size_t i = 0;
	int r;

	if (!expect_list(ctx, arg->value, arg->path))
		return 0;
	for (const struct ynode *item = arg->value->first; item; item = item->next, i++) {
		path_index(item_path, arg->path, i);
		if (!expect_mapping(ctx, item, item_path))
			continue;
		r = check_namespace_entry(ctx, item, item_path, sel);
		if (r < 0)
			return r;
	}
	return 0;
}

struct tp_match_arg {
	struct tp_selector *sel;
	const struct ynode *index;
};

static int parse_match_arg_index(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	struct tp_match_arg *m = target;
	const struct tp_call *call = m->sel->kprobe->call;
	long long index;

	m->index = arg->value;
	if (!parse_integer(ctx, arg->value, arg->path, 0, 5, &index) || !call)
		return 0;
	if (index != 0 || !call->arg0_matchable) {
		parse_error(ctx, arg->value,
			    "%s: matchArgs on argument %lld of sys_%s is not supported by credgate (only argument 0 "
			    "of sys_setuid, sys_setgid, sys_setfsuid and sys_setfsgid: the new id)",
			    arg->path, index, call->name);
		return 0;
	}
	if (!(m->sel->declared_args & 1u))
		parse_error(ctx, arg->value, "%s: argument 0 is not declared in args", arg->path);
	return 0;
}

static int parse_match_arg_operator(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	char described[DIAG_QUOTE_SIZE];

	if (!scalar_equals(arg->value, "Equal"))
		parse_error(ctx, arg->value, "%s: operator %s is not supported by credgate (only Equal)", arg->path,
			    ynode_describe(arg->value, described));
	return 0;
}

static int parse_match_arg_values(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	struct tp_match_arg *m = target;
	struct model_id_spec *values = &m->sel->values;
	char item_path[PATH_SIZE];
	bool ok = true;
	size_t i = 0;

	if (!expect_list(ctx, arg->value, arg->path))
		return 0;
	if (arg->value->count == 0) {
		parse_error(ctx, arg->value, "%s: expected at least one value", arg->path);
		return 0;
	}
	if (arg->value->count > CG_MAX_ID_RULES) {
		parse_error(ctx, arg->value, "%s: %zu values, more than CG_MAX_ID_RULES (%d)", arg->path,
			    arg->value->count, CG_MAX_ID_RULES);
		return 0;
	}
	values->count = 0;
	for (const struct ynode *item = arg->value->first; item; item = item->next, i++) {
		long long id;

		if (!parse_integer(ctx, item, path_index(item_path, arg->path, i), 0, MODEL_ID_MAX, &id)) {
			ok = false;
			continue;
		}
		values->ranges[values->count++] = (struct model_id_range){ (__u32)id, (__u32)id };
	}
	m->sel->values_ok = ok;
	return 0;
}

static const struct field match_arg_fields[] = {
	{ .key = "index", .parse = parse_match_arg_index, .required = true },
	{ .key = "operator", .parse = parse_match_arg_operator, .required = true },
	{ .key = "values", .parse = parse_match_arg_values, .required = true },
};

static int parse_match_args(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	struct tp_selector *sel = target;
	struct tp_match_arg m = { .sel = sel };
	char item_path[PATH_SIZE];

	sel->match_args = arg->value;
	if (!expect_list(ctx, arg->value, arg->path))
		return 0;
	if (arg->value->count != 1) {
		parse_error(ctx, arg->value, "%s: %s supported by credgate", arg->path,
			    arg->value->count == 0 ? "an empty matchArgs is not"
						   : "more than one matchArgs entry is not");
		return 0;
	}
	path_index(item_path, arg->path, 0);
	if (!expect_mapping(ctx, arg->value->first, item_path))
		return 0;
	return parse_fields(ctx, arg->value->first, item_path, arg->value->first, match_arg_fields,
			    ELEMENTSOF(match_arg_fields), &m);
}

struct tp_action {
	struct tp_selector *sel;
	const struct ynode *node;
	const struct ynode *action;
	const struct ynode *arg_error;
	long long err;
};

static int parse_action(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	struct tp_action *a = target;
	char described[DIAG_QUOTE_SIZE];

	if (!scalar_equals(arg->value, "Post") && !scalar_equals(arg->value, "Sigkill") &&
	    !scalar_equals(arg->value, "Override")) {
		parse_error(ctx, arg->value, "%s: action %s is not supported by credgate (supported: Post, Sigkill, Override)",
			    arg->path, ynode_describe(arg->value, described));
		return 0;
	}
	a->action = arg->value;
	return 0;
}

static int parse_arg_error(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	struct tp_action *a = target;

	if (parse_integer(ctx, arg->value, arg->path, ARG_ERROR_MIN, ARG_ERROR_MAX, &a->err))
		a->arg_error = arg->value;
	else
		a->arg_error = NULL;
	return 0;
}

static const struct field action_fields[] = {
	{ .key = "action", .parse = parse_action, .required = true },
	{ .key = "argError", .parse = parse_arg_error },
};

static void append_action_text(struct tp_selector *sel, const char *text)
{
	size_t len = strlen(sel->actions_text);

	snprintf(sel->actions_text + len, sizeof(sel->actions_text) - len, "%s%s", len ? " and " : "", text);
}

static int parse_match_actions(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	struct tp_selector *sel = target;
	char item_path[PATH_SIZE];
	size_t i = 0;
	int r;

	if (!expect_list(ctx, arg->value, arg->path))
		return 0;
	for (const struct ynode *item = arg->value->first; item; item = item->next, i++) {
		struct tp_action a = { .sel = sel, .node = item };

		path_index(item_path, arg->path, i);
		if (!expect_mapping(ctx, item, item_path))
			continue;
		r = parse_fields(ctx, item, item_path, item, action_fields, ELEMENTSOF(action_fields), &a);
		if (r < 0)
			return r;
		if (!a.action)
			continue;
		if (a.arg_error && !scalar_equals(a.action, "Override")) {
			char key_path[PATH_SIZE];

			parse_error(ctx, a.arg_error, "%s: argError goes with the Override action only",
				    path_key(key_path, item_path, "argError"));
			continue;
		}
		if (scalar_equals(a.action, "Post"))
			continue;
		if (!sel->enforcing_action)
			sel->enforcing_action = a.action;
		if (scalar_equals(a.action, "Sigkill")) {
			sel->sigkill = true;
			append_action_text(sel, "Sigkill");
		} else {
			char text[32];

			sel->override = true;
			sel->err = a.arg_error ? (__u8)(-a.err) : 0;
			snprintf(text, sizeof(text), "Override %d", a.arg_error ? (int)a.err : -1);
			append_action_text(sel, text);
		}
	}
	return 0;
}

static const struct field selector_fields[] = {
	{ .key = "matchNamespaces", .parse = parse_match_namespaces },
	{ .key = "matchArgs", .parse = parse_match_args },
	{ .key = "matchActions", .parse = parse_match_actions },
};

int tp_selector_parse(struct parse_ctx *ctx, const struct ynode *item, const char *path, struct tp_selector *sel)
{
	return parse_fields(ctx, item, path, item, selector_fields, ELEMENTSOF(selector_fields), sel);
}
