// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * selinuxType and selinuxContext: the selector keys that name a process's
 * SELinux label, not a cgroup. They add no cgroup predicate: the labels go
 * to the policy as they are (checked, canonical) and the governing policy
 * then applies only to processes with one of them (the kernel reads a
 * task's label from cg_task_labels). Every selector of a policy must name
 * the same labels, which check_selinux_agreement() enforces.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "context.h"
#include "selector.h"

static int compare_labels(const void *a, const void *b)
{
	const struct policy_selinux_label *x = a, *y = b;

	if (x->kind != y->kind)
		return (int)x->kind - (int)y->kind;
	return strcmp(x->value, y->value);
}

/* One label, checked; the canonical value into @buf, or false after reporting. */
static bool check_selinux_label(struct parse_ctx *ctx, const struct ynode *node, const char *path,
				enum policy_selinux_kind kind, const char *value, char *buf, size_t size)
{
	char quoted[DIAG_QUOTE_SIZE], canonical[DIAG_QUOTE_SIZE];
	size_t len = strlen(value);
	int r;

	diag_quote(quoted, value, len);
	if (kind == POLICY_SELINUX_TYPE) {
		if (strchr(value, ':')) {
			parse_error(ctx, node, "%s: %s is a context, not a type (a whole context goes in selinuxContext)",
				    path, quoted);
			return false;
		}
		if (!selinux_name_valid(value, len)) {
			parse_error(ctx, node,
				    "%s: %s is not an SELinux type (a letter, then letters, digits, '_', '-' and '.', at "
				    "most %d bytes)",
				    path, quoted, SELINUX_NAME_MAX);
			return false;
		}
		snprintf(buf, size, "%s", value);
		return true;
	}
	r = selinux_context_canonical(value, len, buf, size);
	if (r == -E2BIG || (r == -ENOBUFS && len > SELINUX_CONTEXT_MAX)) {
		parse_error(ctx, node, "%s: context %s is %zu bytes long, more than %d", path, quoted, len,
			    SELINUX_CONTEXT_MAX);
		return false;
	}
	if (r < 0) {
		parse_error(ctx, node,
			    "%s: %s is not an SELinux context (expected user:role:type or user:role:type:level, as in "
			    "'system_u:system_r:container_t:s0:c12,c34')",
			    path, quoted);
		return false;
	}
	/* Contexts are compared as strings: the policy must say it as the kernel does. */
	if (strcmp(buf, value) != 0) {
		parse_error(ctx, node,
			    "%s: %s is not written as the kernel writes contexts, so no process would ever match it "
			    "(did you mean %s?)",
			    path, quoted, diag_quote(canonical, buf, strlen(buf)));
		return false;
	}
	return true;
}

static int parse_selinux(struct parse_ctx *ctx, const struct field_arg *arg, struct model_selector *selector,
			 enum policy_selinux_kind kind, const char *key)
{
	const struct ynode *node = arg->value, *item;
	char item_path[PATH_SIZE], value[POLICY_SELINUX_LABEL_SIZE], described[DIAG_QUOTE_SIZE];
	size_t index = 0;
	bool single = node->kind != YNODE_SEQUENCE;

	if (selector->nselinux > 0 || selector->selinux_mark.line) {
		parse_error(ctx, node,
			    "%s: a selector names either selinuxType or selinuxContext, not both (a context already "
			    "names its type)",
			    arg->path);
		return 0;
	}
	selector->selinux_mark = (struct model_mark){ node->line, node->column };
	if (!single && node->count == 0) {
		parse_error(ctx, node, "%s: expected at least one %s", arg->path,
			    kind == POLICY_SELINUX_TYPE ? "type" : "context");
		return 0;
	}
	if (!single && node->count > POLICY_MAX_SELINUX_LABELS) {
		parse_error(ctx, node, "%s: %zu items, more than POLICY_MAX_SELINUX_LABELS (%d)", arg->path,
			    node->count, POLICY_MAX_SELINUX_LABELS);
		return 0;
	}
	for (item = single ? node : node->first; item; item = single ? NULL : item->next, index++) {
		const char *path = single ? arg->path : path_index(item_path, arg->path, index);
		const char *text;
		bool duplicate = false;

		if (item->kind != YNODE_SCALAR) {
			parse_error(ctx, item, "%s: expected a string or a list of strings, got %s", path,
				    ynode_describe(item, described));
			return 0;
		}
		if (!expect_string(ctx, item, path, &text))
			return 0;
		if (!check_selinux_label(ctx, item, path, kind, text, value, sizeof(value)))
			return 0;
		for (unsigned i = 0; i < selector->nselinux; i++)
			duplicate = duplicate || strcmp(selector->selinux[i].value, value) == 0;
		if (duplicate)
			continue;
		selector->selinux[selector->nselinux].kind = kind;
		selector->selinux[selector->nselinux].value = strdup(value);
		if (!selector->selinux[selector->nselinux].value)
			return -ENOMEM;
		selector->nselinux++;
		if (selector_appendf(&selector->text, selector->nselinux == 1 ? " and " : " or ", "%s%s%s",
				selector->nselinux == 1 ? key : "", selector->nselinux == 1 ? " " : "", value) < 0)
			return -ENOMEM;
	}
	qsort(selector->selinux, selector->nselinux, sizeof(selector->selinux[0]), compare_labels);
	return 0;
}

int parse_selinux_type(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	return parse_selinux(ctx, arg, target, POLICY_SELINUX_TYPE, "selinuxType");
}

int parse_selinux_context(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	return parse_selinux(ctx, arg, target, POLICY_SELINUX_CONTEXT, "selinuxContext");
}

static bool same_selinux(const struct model_selector *a, const struct model_selector *b)
{
	if (a->nselinux != b->nselinux)
		return false;
	for (unsigned i = 0; i < a->nselinux; i++)
		if (a->selinux[i].kind != b->selinux[i].kind || strcmp(a->selinux[i].value, b->selinux[i].value) != 0)
			return false;
	return true;
}

static void describe_selinux(const struct model_selector *s, char *buf, size_t size)
{
	size_t off = 0;

	snprintf(buf, size, "%s", s->nselinux ? "" : "none: any process");
	for (unsigned i = 0; i < s->nselinux && off < size; i++) {
		int n = snprintf(buf + off, size - off, "%s%s %s", i ? " or " : "",
				 s->selinux[i].kind == POLICY_SELINUX_TYPE ? "selinuxType" : "selinuxContext",
				 s->selinux[i].value);

		if (n < 0)
			break;
		off += (size_t)n;
	}
}

/*
 * The kernel keeps one SELinux condition per policy (cg_policy.selinux_types),
 * applied to whichever of its selectors chose the cgroup: ORed selectors
 * that disagree on it cannot be compiled faithfully.
 */
int check_selinux_agreement(struct parse_ctx *ctx, const char *path, const struct policy_model *model)
{
	char first[512], other[512], item_path[PATH_SIZE], first_path[PATH_SIZE];

	for (unsigned i = 1; i < model->nselectors; i++) {
		const struct model_selector *s = &model->selectors[i];

		if (same_selinux(&model->selectors[0], s))
			continue;
		describe_selinux(&model->selectors[0], first, sizeof(first));
		describe_selinux(s, other, sizeof(other));
		diag_error(ctx->reporter, s->mark.line, s->mark.column,
			   "%s: its SELinux condition (%s) differs from %s's (%s); a policy has one SELinux "
			   "condition for all its selectors: split them into two policies, one per condition",
			   path_index(item_path, path, i), other, path_index(first_path, path, 0), first);
		return 0;
	}
	return 0;
}
