/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Node tree to policy model: CredentialPolicy documents, and the dispatch
 * on `kind` (TracingPolicy is in tracing.c, selectors in selector.c).
 *
 * A document with any error yields no model; parsing goes on after a
 * problem so that one run reports as many as it can.
 *
 * Over 600 lines on purpose: one job, the CredentialPolicy grammar, as one
 * field table per section (setuid/setgid/setgroups, capset, exec, userns,
 * metadata and spec) with the small parsers each table names. Read top to
 * bottom it is the whole grammar a policy author writes against
 * (docs/policy.md), and its shared pieces (one id rule list reader for
 * the three id sections, one "deny or fields" reader for exec and userns)
 * stay next to their users. The code that is a job of its own
 * already lives apart: selectors (selector.c, selector_selinux.c),
 * TracingPolicy (tracing.c), the field machinery (fields.c). A natural
 * seam, if it grows: capset (capability lists, sets, suggestions for a
 * misspelt name) is the largest section and could become its own file.
 */

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cleanup.h"
#include "names.h"
#include "parse.h"

static struct model_mark mark_of(const struct ynode *node)
{
	return (struct model_mark){ .line = node->line, .column = node->column };
}

/* ---- setuid, setgid, setgroups ----------------------------------------- */

/* Which ids a section's lists hold: uids for setuid, gids otherwise. */
static enum id_type section_id_type(const struct field_arg *arg)
{
	return strstr(arg->path, "setuid") ? ID_USER : ID_GROUP;
}

static int parse_rule_ids(struct parse_ctx *ctx, const struct field_arg *arg, struct model_id_spec *spec)
{
	return parse_id_spec(ctx, arg->value, arg->path, section_id_type(arg), CG_MAX_ID_RULES, "CG_MAX_ID_RULES",
			     spec);
}

static int parse_from(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	return parse_rule_ids(ctx, arg, &((struct model_id_rule *)target)->from);
}

static int parse_to(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	struct model_id_rule *rule = target;

	rule->to_mark = mark_of(arg->value);
	return parse_rule_ids(ctx, arg, &rule->to);
}

static const struct field transition_rule_fields[] = {
	{ .key = "from", .parse = parse_from },
	{ .key = "to", .parse = parse_to, .required = true },
	{ .key = "mode", .parse = parse_mode_at, .arg = offsetof(struct model_id_rule, mode) },
};

/* A setgroups rule is about each gid being added: it lands in "to". */
static const struct field setgroups_rule_fields[] = {
	{ .key = "gid", .parse = parse_to, .required = true },
	{ .key = "mode", .parse = parse_mode_at, .arg = offsetof(struct model_id_rule, mode) },
};

static int parse_id_rule_list(struct parse_ctx *ctx, const struct field_arg *arg, struct model_id_section *section,
			      const struct field *rule_fields, size_t nrule_fields)
{
	struct model_id_rule_list *list = arg->field->arg == CG_ACTION_DENY ? &section->deny : &section->allow;
	const struct ynode *node = arg->value;
	char item_path[PATH_SIZE];
	unsigned index = 0;
	int r;

	if (ynode_is_null(node))
		return 0; /* "deny:" with nothing after it: no rules */
	if (!expect_list(ctx, node, arg->path))
		return 0;
	if (node->count > CG_MAX_ID_RULES) {
		parse_error(ctx, node, "%s: %zu rules, more than CG_MAX_ID_RULES (%d)", arg->path, node->count,
			    CG_MAX_ID_RULES);
		return 0;
	}
	for (const struct ynode *item = node->first; item; item = item->next, index++) {
		struct model_id_rule *rule;

		path_index(item_path, arg->path, index);
		if (!expect_mapping(ctx, item, item_path))
			continue;
		rule = &list->rules[list->count++];
		*rule = (struct model_id_rule){
			.mark = mark_of(item),
			.index = index,
			.from = { .ranges = { { MODEL_ID_ANY_LO, MODEL_ID_ANY_HI } }, .count = 1 },
			.mode = CG_MODE_NONE,
		};
		r = parse_fields(ctx, item, item_path, item, rule_fields, nrule_fields, rule);
		if (r < 0)
			return r;
	}
	return 0;
}

static int parse_transition_rules(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	return parse_id_rule_list(ctx, arg, target, transition_rule_fields, ELEMENTSOF(transition_rule_fields));
}

static int parse_setgroups_rules(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	return parse_id_rule_list(ctx, arg, target, setgroups_rule_fields, ELEMENTSOF(setgroups_rule_fields));
}

static const struct field transition_section_fields[] = {
	{ .key = "deny", .parse = parse_transition_rules, .arg = CG_ACTION_DENY },
	{ .key = "allow", .parse = parse_transition_rules, .arg = CG_ACTION_ALLOW },
};

static const struct field setgroups_section_fields[] = {
	{ .key = "deny", .parse = parse_setgroups_rules, .arg = CG_ACTION_DENY },
	{ .key = "allow", .parse = parse_setgroups_rules, .arg = CG_ACTION_ALLOW },
};

static int parse_id_section(struct parse_ctx *ctx, const struct field_arg *arg, struct policy_model *model,
			    const struct field *fields, size_t nfields)
{
	struct model_id_section *section = &model->id_rules[arg->field->arg];

	section->present = true;
	section->mark = mark_of(arg->key);
	if (ynode_is_null(arg->value))
		return 0;
	if (!expect_mapping(ctx, arg->value, arg->path))
		return 0;
	return parse_fields(ctx, arg->value, arg->path, arg->key, fields, nfields, section);
}

static int parse_transition_section(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	return parse_id_section(ctx, arg, target, transition_section_fields, ELEMENTSOF(transition_section_fields));
}

static int parse_setgroups_section(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	return parse_id_section(ctx, arg, target, setgroups_section_fields, ELEMENTSOF(setgroups_section_fields));
}

/* ---- capset ------------------------------------------------------------ */

/* The known capability nearest to @name, if it is near enough to be a typo. */
static const char *capability_suggestion(const char *name)
{
	char upper[64];
	const char *best = NULL;
	unsigned best_distance = 1000;
	size_t len;

	if (strncasecmp(name, "CAP_", 4) == 0)
		name += 4;
	len = strlen(name);
	if (len == 0 || len >= sizeof(upper))
		return NULL;
	for (size_t i = 0; i <= len; i++)
		upper[i] = (char)(name[i] >= 'a' && name[i] <= 'z' ? name[i] - 'a' + 'A' : name[i]);
	for (unsigned cap = 0; cap <= POLICY_CAP_LAST_KNOWN; cap++) {
		const char *known = policy_capability_name(cap);
		unsigned distance = edit_distance(upper, known + 4);

		if (distance < best_distance) {
			best_distance = distance;
			best = known;
		}
	}
	return best_distance <= (len >= 5 ? 2u : 1u) ? best : NULL;
}

static int parse_cap_list_at(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	struct model_cap_list *list = FIELD_MEMBER(struct model_cap_list, target, arg);
	const struct ynode *node = arg->value;
	char item_path[PATH_SIZE], described[DIAG_QUOTE_SIZE];
	size_t index = 0;

	list->present = true;
	list->mark = mark_of(arg->key);
	list->caps = 0;
	if (ynode_is_null(node))
		return 0;
	if (!expect_list(ctx, node, arg->path))
		return 0;
	for (const struct ynode *item = node->first; item; item = item->next, index++) {
		const char *suggestion;
		int cap;

		if (!scalar_is_text(item)) {
			parse_error(ctx, item, "%s: expected a capability name, got %s",
				    path_index(item_path, arg->path, index), ynode_describe(item, described));
			continue;
		}
		if (strcasecmp(item->value, "all") == 0) {
			list->caps |= POLICY_CAP_KNOWN_MASK;
			continue;
		}
		cap = policy_capability_parse(item->value);
		if (cap < 0) {
			suggestion = capability_suggestion(item->value);
			if (suggestion)
				parse_error(ctx, item, "unknown capability %s (did you mean %s?)",
					    diag_quote(described, item->value, item->length), suggestion);
			else
				parse_error(ctx, item, "unknown capability %s",
					    diag_quote(described, item->value, item->length));
			continue;
		}
		list->caps |= (__u64)1 << cap;
	}
	return 0;
}

static int parse_cap_sets(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	struct model_cap_entry *entry = target;
	const struct ynode *node = arg->value;
	char item_path[PATH_SIZE], choices[CHOICES_SIZE];
	size_t index = 0;
	bool ok = true;
	__u8 sets = 0;

	if (!expect_list(ctx, node, arg->path))
		return 0;
	if (node->count == 0) {
		parse_error(ctx, node, "%s: expected at least one of %s", arg->path,
			    keyword_choices(choices, &policy_capset_keywords));
		return 0;
	}
	for (const struct ynode *item = node->first; item; item = item->next, index++) {
		unsigned set = 0;

		if (parse_keyword(ctx, item, path_index(item_path, arg->path, index), &policy_capset_keywords, &set))
			sets |= (__u8)set;
		else
			ok = false;
	}
	if (ok)
		entry->sets = sets;
	return 0;
}

#define CAP_ENTRY_FIELDS                                                                                   \
	{ .key = "denyGain", .parse = parse_cap_list_at, .arg = offsetof(struct model_cap_entry, deny_gain) }, \
	{ .key = "allowGain", .parse = parse_cap_list_at, .arg = offsetof(struct model_cap_entry, allow_gain) }, \
	{ .key = "sets", .parse = parse_cap_sets },                                                           \
	{ .key = "mode", .parse = parse_mode_at, .arg = offsetof(struct model_cap_entry, mode) }

static const struct field cap_entry_fields[] = { CAP_ENTRY_FIELDS };

static struct model_cap_entry cap_entry_default(const struct ynode *node)
{
	return (struct model_cap_entry){
		.mark = mark_of(node),
		.sets = CG_CAPSET_PERMITTED | CG_CAPSET_EFFECTIVE,
		.mode = CG_MODE_NONE,
	};
}

/* capset.rules: several entries, each with its own sets and mode. */
static int parse_cap_rules(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	struct model_capset *capset = target;
	const struct ynode *node = arg->value;
	char item_path[PATH_SIZE];
	unsigned index = 0;
	int r;

	if (!expect_list(ctx, node, arg->path))
		return 0;
	if (node->count > CG_MAX_CAP_RULES) {
		parse_error(ctx, node, "%s: %zu rules, more than CG_MAX_CAP_RULES (%d)", arg->path, node->count,
			    CG_MAX_CAP_RULES);
		return 0;
	}
	for (const struct ynode *item = node->first; item; item = item->next, index++) {
		struct model_cap_entry *entry;

		path_index(item_path, arg->path, index);
		if (!expect_mapping(ctx, item, item_path))
			continue;
		entry = &capset->entries[capset->count++];
		*entry = cap_entry_default(item);
		entry->in_rules_list = true;
		entry->index = index;
		r = parse_fields(ctx, item, item_path, item, cap_entry_fields, ELEMENTSOF(cap_entry_fields), entry);
		if (r < 0)
			return r;
	}
	return 0;
}

/* The short form's keys, and "rules"; parsed into a scratch entry first. */
struct capset_scratch {
	struct model_cap_entry entry;
	struct model_capset *capset;
	const struct ynode *rules_key;
};

static int parse_cap_rules_at(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	struct capset_scratch *scratch = target;

	scratch->rules_key = arg->key;
	return parse_cap_rules(ctx, arg, scratch->capset);
}

static const struct field capset_fields[] = {
	{ .key = "denyGain", .parse = parse_cap_list_at,
	  .arg = offsetof(struct capset_scratch, entry) + offsetof(struct model_cap_entry, deny_gain) },
	{ .key = "allowGain", .parse = parse_cap_list_at,
	  .arg = offsetof(struct capset_scratch, entry) + offsetof(struct model_cap_entry, allow_gain) },
	{ .key = "sets", .parse = parse_cap_sets }, /* struct model_cap_entry is first in the scratch */
	{ .key = "mode", .parse = parse_mode_at,
	  .arg = offsetof(struct capset_scratch, entry) + offsetof(struct model_cap_entry, mode) },
	{ .key = "rules", .parse = parse_cap_rules_at },
};

_Static_assert(offsetof(struct capset_scratch, entry) == 0, "parse_cap_sets() takes the scratch as an entry");

static int parse_capset(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	struct model_capset *capset = &((struct policy_model *)target)->capset;
	struct capset_scratch scratch = { .entry = cap_entry_default(arg->key), .capset = capset };
	int r;

	capset->present = true;
	capset->mark = mark_of(arg->key);
	if (ynode_is_null(arg->value))
		return 0;
	if (!expect_mapping(ctx, arg->value, arg->path))
		return 0;
	r = parse_fields(ctx, arg->value, arg->path, arg->key, capset_fields, ELEMENTSOF(capset_fields), &scratch);
	if (r < 0)
		return r;
	if (scratch.rules_key) {
		if (arg->value->count > 2)
			parse_error(ctx, scratch.rules_key,
				    "%s.rules cannot be combined with denyGain, allowGain, sets or mode: give each "
				    "entry of rules its own",
				    arg->path);
		return 0;
	}
	capset->entries[0] = scratch.entry;
	capset->count = 1;
	return 0;
}

/* ---- exec ---------------------------------------------------------------- */

static int parse_exec_paths(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	struct model_exec *exec = target;
	const struct ynode *node = arg->value;
	char item_path[PATH_SIZE], quoted[DIAG_QUOTE_SIZE];
	size_t index = 0;
	int r;

	if (!expect_list(ctx, node, arg->path))
		return 0;
	if (node->count > POLICY_MAX_EXEC_PATHS) {
		parse_error(ctx, node, "%s: %zu paths, more than POLICY_MAX_EXEC_PATHS (%d)", arg->path, node->count,
			    POLICY_MAX_EXEC_PATHS);
		return 0;
	}
	for (const struct ynode *item = node->first; item; item = item->next, index++) {
		_cleanup_free_ char *normal = NULL;
		bool duplicate = false;

		path_index(item_path, arg->path, index);
		r = normalize_absolute_path(ctx, item, item_path, &normal);
		if (r < 0)
			return r;
		if (!normal)
			continue;
		if (strlen(normal) >= CG_PATH_LEN) {
			parse_error(ctx, item, "%s: path %s is %zu bytes long, more than CG_PATH_LEN - 1 (%d)", item_path,
				    diag_quote(quoted, normal, strlen(normal)), strlen(normal), CG_PATH_LEN - 1);
			continue;
		}
		if (strcmp(normal, "/") == 0) {
			parse_error(ctx, item, "%s: expected the path of a program, got '/'", item_path);
			continue;
		}
		/* Written twice, maybe spelled differently: one map key. */
		for (unsigned i = 0; i < exec->npaths; i++)
			duplicate = duplicate || strcmp(exec->paths[i], normal) == 0;
		if (!duplicate)
			exec->paths[exec->npaths++] = TAKE_PTR(normal);
	}
	return 0;
}

static int parse_exec_uids(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	struct model_exec *exec = target;
	struct model_id_spec spec;
	int r;

	r = parse_id_spec(ctx, arg->value, arg->path, ID_USER, CG_MAX_EXEC_UIDS, "CG_MAX_EXEC_UIDS", &spec);
	if (r < 0)
		return r;
	exec->nuids = spec.count;
	memcpy(exec->uids, spec.ranges, spec.count * sizeof(spec.ranges[0]));
	return 0;
}

static const struct field exec_fields[] = {
	{ .key = "mode", .parse = parse_mode_at, .arg = offsetof(struct model_exec, mode) },
	{ .key = "allowPaths", .parse = parse_exec_paths },
	{ .key = "allowTargetUids", .parse = parse_exec_uids },
};

/*
 * "KEY: deny", or a mapping of @fields into @section: either way the rule
 * is present, and marked at its key.
 */
static int parse_deny_or_fields(struct parse_ctx *ctx, const struct field_arg *arg, const struct field *fields,
				size_t nfields, void *section, bool *present, struct model_mark *mark)
{
	char described[DIAG_QUOTE_SIZE];

	*present = true;
	*mark = mark_of(arg->key);
	if (scalar_equals(arg->value, "deny"))
		return 0;
	if (arg->value->kind != YNODE_MAPPING) {
		parse_error(ctx, arg->value, "%s: expected 'deny' or a mapping, got %s", arg->path,
			    ynode_describe(arg->value, described));
		return 0;
	}
	return parse_fields(ctx, arg->value, arg->path, arg->key, fields, nfields, section);
}

/* "exec: deny", or a mapping; either way every privilege-gaining exec is checked. */
static int parse_exec(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	struct model_exec *exec = &((struct policy_model *)target)->exec;

	return parse_deny_or_fields(ctx, arg, exec_fields, ELEMENTSOF(exec_fields), exec, &exec->present,
				    &exec->mark);
}

/* ---- userns -------------------------------------------------------------- */

static const struct field userns_fields[] = {
	{ .key = "mode", .parse = parse_mode_at, .arg = offsetof(struct model_userns, mode) },
};

static int parse_userns(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	struct model_userns *userns = &((struct policy_model *)target)->userns;

	return parse_deny_or_fields(ctx, arg, userns_fields, ELEMENTSOF(userns_fields), userns, &userns->present,
				    &userns->mark);
}

/* ---- metadata and spec -------------------------------------------------- */

/* Like a DNS subdomain (as Kubernetes names are): [a-z0-9]([-a-z0-9.]*[a-z0-9])? */
static bool policy_name_is_valid(const char *name)
{
	size_t len = strlen(name);

	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');

		if (!alnum && ((c != '-' && c != '.') || i == 0 || i == len - 1))
			return false;
	}
	return true;
}

static int parse_name(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	struct policy_model *model = target;
	char described[DIAG_QUOTE_SIZE];
	const char *name;

	if (!expect_string(ctx, arg->value, arg->path, &name))
		return 0;
	if (arg->value->length > POLICY_MAX_NAME_LEN) {
		parse_error(ctx, arg->value, "%s: name is %zu bytes long, more than POLICY_MAX_NAME_LEN (%d)",
			    arg->path, arg->value->length, POLICY_MAX_NAME_LEN);
		return 0;
	}
	if (!policy_name_is_valid(name)) {
		parse_error(ctx, arg->value,
			    "%s: %s is not a valid name (expected lowercase letters, digits, '-' and '.', "
			    "starting and ending with a letter or digit)",
			    arg->path, ynode_describe(arg->value, described));
		return 0;
	}
	free(model->name);
	model->name = strdup(name);
	if (!model->name)
		return -ENOMEM;
	model->name_mark = mark_of(arg->value);
	return 0;
}

static const struct field metadata_fields[] = {
	{ .key = "name", .parse = parse_name, .required = true },
};

int parse_metadata(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	if (!expect_mapping(ctx, arg->value, arg->path))
		return 0;
	return parse_fields(ctx, arg->value, arg->path, arg->key, metadata_fields, ELEMENTSOF(metadata_fields),
			    target);
}

static int parse_priority(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	long long priority;

	if (parse_integer(ctx, arg->value, arg->path, POLICY_MIN_PRIORITY, POLICY_MAX_PRIORITY, &priority))
		((struct policy_model *)target)->priority = (int)priority;
	return 0;
}

enum regain {
	REGAIN_CHECK,
	REGAIN_ALLOW,
};

static const struct policy_keyword regain_keywords[] = {
	{ "check", REGAIN_CHECK },
	{ "allow", REGAIN_ALLOW },
};

static const struct policy_keyword_table regain_table = { regain_keywords, ELEMENTSOF(regain_keywords) };

static int parse_regain(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	unsigned regain;

	if (parse_keyword(ctx, arg->value, arg->path, &regain_table, &regain))
		((struct policy_model *)target)->regain_allowed = regain == REGAIN_ALLOW;
	return 0;
}

static const struct field spec_fields[] = {
	{ .key = "mode", .parse = parse_mode_at, .arg = offsetof(struct policy_model, mode) },
	{ .key = "observe", .parse = parse_bool_at, .arg = offsetof(struct policy_model, observe) },
	{ .key = "reportAllowed", .parse = parse_bool_at, .arg = offsetof(struct policy_model, report_allowed) },
	{ .key = "priority", .parse = parse_priority },
	{ .key = "regain", .parse = parse_regain },
	{ .key = "selector", .parse = parse_selectors, .required = true },
	{ .key = "setuid", .parse = parse_transition_section, .arg = MODEL_SETUID },
	{ .key = "setgid", .parse = parse_transition_section, .arg = MODEL_SETGID },
	{ .key = "setgroups", .parse = parse_setgroups_section, .arg = MODEL_SETGROUPS },
	{ .key = "capset", .parse = parse_capset },
	{ .key = "exec", .parse = parse_exec },
	{ .key = "userns", .parse = parse_userns },
};

static int parse_spec(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	if (!expect_mapping(ctx, arg->value, arg->path))
		return 0;
	return parse_fields(ctx, arg->value, arg->path, arg->key, spec_fields, ELEMENTSOF(spec_fields), target);
}

/* ---- Documents, by kind ------------------------------------------------- */

static const struct field credential_policy_fields[] = {
	{ .key = "apiVersion", .parse = parse_api_version, .required = true },
	{ .key = "kind", .parse = parse_nothing, .required = true }, /* checked to choose this table */
	{ .key = "metadata", .parse = parse_metadata },
	{ .key = "spec", .parse = parse_spec, .required = true },
};

static int parse_credential_policy(struct parse_ctx *ctx, const struct ynode *root, struct policy_model *model)
{
	int r;

	r = parse_fields(ctx, root, "", root, credential_policy_fields, ELEMENTSOF(credential_policy_fields), model);
	if (r < 0)
		return r;
	/* Without metadata at all, say what is really missing. */
	if (!mapping_find(root, "metadata"))
		parse_error(ctx, root, "metadata.name is required");
	return 0;
}

/* What a document may be; the kind decides which keys the rest may have. */
static const struct document_kind {
	const char *kind;
	const char *api_version;
	enum policy_kind policy_kind;
	bool foreign; /* another program's format: unknown keys are unsupported fields */
	int (*parse)(struct parse_ctx *ctx, const struct ynode *root, struct policy_model *model);
} document_kinds[] = {
	{ "CredentialPolicy", "credgate.io/v1", POLICY_KIND_CREDENTIAL, false, parse_credential_policy },
	{ "TracingPolicy", "cilium.io/v1alpha1", POLICY_KIND_TRACING, true, parse_tracing_policy },
};

static const struct document_kind *find_document_kind(const struct ynode *node)
{
	for (size_t i = 0; i < ELEMENTSOF(document_kinds); i++)
		if (scalar_equals(node, document_kinds[i].kind))
			return &document_kinds[i];
	return NULL;
}

void policy_model_free(struct policy_model *model)
{
	if (!model)
		return;
	free(model->name);
	for (unsigned i = 0; i < model->nselectors; i++)
		model_selector_done(&model->selectors[i]);
	for (unsigned k = 0; k < MODEL_ID_KINDS; k++) {
		for (unsigned i = 0; i < model->id_rules[k].deny.count; i++)
			free(model->id_rules[k].deny.rules[i].text);
		for (unsigned i = 0; i < model->id_rules[k].allow.count; i++)
			free(model->id_rules[k].allow.rules[i].text);
	}
	for (unsigned i = 0; i < model->exec.npaths; i++)
		free(model->exec.paths[i]);
	free(model);
}

void policy_model_freep(struct policy_model **model)
{
	policy_model_free(*model);
}

int policy_parse_document(struct diag_reporter *reporter, struct id_names *names, const struct ynode *root,
			  struct policy_model **ret)
{
	_cleanup_(policy_model_freep) struct policy_model *model = NULL;
	struct parse_ctx ctx = { .reporter = reporter, .names = names };
	const struct document_kind *kind_entry;
	size_t errors_before = reporter->errors;
	char described[DIAG_QUOTE_SIZE], choices[CHOICES_SIZE];
	const struct ynode *kind;
	int r;

	*ret = NULL;
	if (root->kind != YNODE_MAPPING) {
		parse_error(&ctx, root, "expected a mapping at the top level of the document, got %s",
			    ynode_describe(root, described));
		return 0;
	}

	kind = mapping_find(root, "kind");
	if (!kind) {
		if (!mapping_find(root, "apiVersion"))
			parse_error(&ctx, root, "apiVersion is required");
		parse_error(&ctx, root, "kind is required");
		return 0;
	}
	kind_entry = find_document_kind(kind);
	if (!kind_entry) {
		choices[0] = '\0';
		for (size_t i = 0; i < ELEMENTSOF(document_kinds); i++)
			append_choice(choices, i, ELEMENTSOF(document_kinds), document_kinds[i].kind, true);
		parse_error(&ctx, kind, "kind: expected %s, got %s", choices, ynode_describe(kind, described));
		return 0;
	}
	ctx.api_version = kind_entry->api_version;
	ctx.foreign = kind_entry->foreign;

	model = calloc(1, sizeof(*model));
	if (!model)
		return -ENOMEM;
	model->kind = kind_entry->policy_kind;
	model->mark = mark_of(root);
	model->mode = CG_MODE_AUDIT;
	model->observe = true;
	r = kind_entry->parse(&ctx, root, model);
	if (r < 0)
		return r;
	if (reporter->errors == errors_before)
		*ret = TAKE_PTR(model);
	return 0;
}
