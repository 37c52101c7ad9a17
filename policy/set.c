/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Policy sets: parsing text into a staging set, then committing it whole. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "compile.h"
#include "parse.h"
#include "selection.h"
#include "set.h"
#include "yaml_doc.h"

struct policy_set *policy_set__new(void)
{
	struct policy_set *set = calloc(1, sizeof(struct policy_set));

	if (!set)
		return NULL;
	set->selection = policy_selection_new();
	if (!set->selection) {
		free(set);
		return NULL;
	}
	return set;
}

static void policy_set_done(struct policy_set *set)
{
	for (size_t i = 0; i < set->count; i++)
		policy_done(&set->policies[i]);
	free(set->policies);
	policy_selection_free(set->selection);
	free(set->passwd_file);
	free(set->group_file);
	free(set->container_cgroups);
	*set = (struct policy_set){};
}

void policy_set__free(struct policy_set *set)
{
	if (!set)
		return;
	policy_set_done(set);
	free(set);
}

int policy_set__set_name_files(struct policy_set *set, const char *passwd_file, const char *group_file)
{
	_cleanup_free_ char *passwd = NULL, *group = NULL;

	if (!set)
		return -EINVAL;
	if (passwd_file && !(passwd = strdup(passwd_file)))
		return -ENOMEM;
	if (group_file && !(group = strdup(group_file)))
		return -ENOMEM;
	free(set->passwd_file);
	free(set->group_file);
	set->passwd_file = TAKE_PTR(passwd);
	set->group_file = TAKE_PTR(group);
	return 0;
}

int policy_set__set_container_cgroups(struct policy_set *set, const char *const *patterns, size_t count,
				      const char **why)
{
	_cleanup_free_ char *joined = NULL;
	size_t len = 0;

	*why = NULL;
	if (!set || (count && !patterns))
		return -EINVAL;
	for (size_t i = 0; i < count; i++) {
		_cleanup_free_ char *normal = NULL;
		char *grown;
		size_t n;
		int r = policy_container_cgroup_pattern(patterns[i], &normal, why);

		if (r < 0)
			return r;
		n = strlen(normal);
		grown = realloc(joined, len + n + 2);
		if (!grown)
			return -ENOMEM;
		joined = grown;
		if (len)
			joined[len++] = '\n';
		memcpy(joined + len, normal, n + 1);
		len += n;
	}
	free(set->container_cgroups);
	set->container_cgroups = TAKE_PTR(joined);
	return 0;
}

void policy_staging_init(struct policy_staging *staging, const struct policy_set *base, struct policy_diags *diags)
{
	*staging = (struct policy_staging){ .base = base, .diags = diags };
	id_names_init(&staging->names, base->passwd_file, base->group_file);
}

void policy_staging_done(struct policy_staging *staging)
{
	policy_set_done(&staging->staged);
	id_names_done(&staging->names);
}

static const struct policy *set_find_name(const struct policy_set *set, const char *name)
{
	for (size_t i = 0; i < set->count; i++)
		if (strcmp(set->policies[i].name, name) == 0)
			return &set->policies[i];
	return NULL;
}

static const struct policy *staging_find_name(const struct policy_staging *staging, const char *name)
{
	const struct policy *found = set_find_name(staging->base, name);

	return found ? found : set_find_name(&staging->staged, name);
}

/* Returns 0 (problems are reported) or -ENOMEM. */
static int staging_add_document(struct policy_staging *staging, struct diag_reporter *reporter,
				const struct ydoc *doc)
{
	_cleanup_(policy_model_freep) struct policy_model *model = NULL;
	size_t count = staging->base->count + staging->staged.count;
	const struct policy *first;
	struct policy *policies;
	struct policy policy;
	int r;

	/* An invalid document had its problems reported while it was read;
	 * an empty one ("---" and nothing, or only comments) is no policy. */
	if (!doc->valid || !doc->root || ynode_is_null(doc->root))
		return 0;

	r = policy_parse_document(reporter, &staging->names, doc->root, &model);
	if (r < 0)
		return r;
	if (!model)
		return 0;

	first = staging_find_name(staging, model->name);
	if (first) {
		diag_error(reporter, model->name_mark.line, model->name_mark.column,
			   "duplicate policy name '%s' (first defined at %s:%u:%u)", model->name, first->file,
			   first->name_line, first->name_column);
		return 0;
	}
	if (count >= CG_MAX_POLICIES) {
		/* Once is enough: every further document would say the same. */
		if (!staging->too_many_reported)
			diag_error(reporter, model->mark.line, model->mark.column,
				   "too many policies: more than CG_MAX_POLICIES (%d) in one set", CG_MAX_POLICIES);
		else
			reporter->errors++;
		staging->too_many_reported = true;
		return 0;
	}

	r = policy_compile(reporter, model, reporter->file, (__u32)count, &policy);
	if (r == -EINVAL)
		return 0;
	if (r < 0)
		return r;

	policies = reallocarray(staging->staged.policies, staging->staged.count + 1, sizeof(*policies));
	if (!policies) {
		policy_done(&policy);
		return -ENOMEM;
	}
	staging->staged.policies = policies;
	policies[staging->staged.count++] = policy;
	return 0;
}

int policy_staging_parse(struct policy_staging *staging, const char *file, const char *text, size_t len)
{
	struct diag_reporter reporter = { .diags = staging->diags, .file = file };
	struct ystream stream;
	int r;

	if (len > POLICY_MAX_FILE_SIZE) {
		diag_error(&reporter, 0, 0, "file is too large: %zu bytes, more than POLICY_MAX_FILE_SIZE (%d)", len,
			   POLICY_MAX_FILE_SIZE);
		return -EFBIG;
	}

	r = ystream_open(&stream, &reporter, text, len);
	if (r < 0)
		return r;
	for (;;) {
		struct ydoc doc;

		r = ystream_next(&stream, &doc);
		if (r <= 0)
			break;
		r = staging_add_document(staging, &reporter, &doc);
		ydoc_done(&doc);
		if (r < 0)
			break;
	}
	ystream_close(&stream);

	/* -EINVAL from the stream is a reported syntax error: counted below. */
	if (r < 0 && r != -EINVAL)
		return r;
	if (reporter.out_of_memory)
		return -ENOMEM;
	return reporter.errors > 0 ? -EINVAL : 0;
}

/*
 * The SELinux labels of every policy, numbered in order of first use (bit i
 * of cg_policy.selinux_types is label i), and each policy's mask into
 * @masks. A label past CG_MAX_SELINUX_TYPES is reported where it is written.
 * Returns 0, -EINVAL (reported) or -ENOMEM.
 */
static int build_selinux_table(const struct policy *policies, size_t count, struct policy_diags *diags,
			       struct policy_selinux_table *table, __u64 *masks)
{
	memset(table, 0, sizeof(*table));
	for (size_t p = 0; p < count; p++) {
		const struct policy *policy = &policies[p];
		/* Every selector of a policy has the same condition (checked while parsing). */
		const struct policy_selector *selector = policy->nselectors ? &policy->selectors[0] : NULL;

		masks[p] = 0;
		for (size_t l = 0; selector && l < selector->nselinux; l++) {
			const struct policy_selinux_label *label = &selector->selinux[l];
			size_t index = 0;

			while (index < table->count && !(table->labels[index].kind == label->kind &&
							 strcmp(table->labels[index].value, label->value) == 0))
				index++;
			if (index == table->count) {
				struct diag_reporter reporter = { .diags = diags, .file = policy->file };

				if (table->count >= CG_MAX_SELINUX_TYPES) {
					diag_error(&reporter, selector->line, selector->column,
						   "too many distinct SELinux types and contexts in the policy set: '%s' "
						   "would be number %zu, more than CG_MAX_SELINUX_TYPES (%d)",
						   label->value, table->count + 1, CG_MAX_SELINUX_TYPES);
					return reporter.out_of_memory ? -ENOMEM : -EINVAL;
				}
				table->labels[index].kind = label->kind;
				snprintf(table->labels[index].value, sizeof(table->labels[index].value), "%s",
					 label->value);
				table->count++;
			}
			masks[p] |= 1ull << index;
		}
	}
	return 0;
}

int policy_staging_commit(struct policy_staging *staging, struct policy_set *set)
{
	struct policy_set *staged = &staging->staged;
	_cleanup_free_ struct policy_selinux_table *table = NULL;
	_cleanup_free_ __u64 *masks = NULL;
	struct policy_selection *selection;
	struct policy *policies;
	size_t count;
	int r;

	if (staged->count == 0)
		return 0;
	count = set->count + staged->count;
	policies = reallocarray(set->policies, count, sizeof(*policies));
	if (!policies)
		return -ENOMEM;
	set->policies = policies;
	/* Copies past set->count: the set owns them only once the selection is
	 * built; until then staging does, and frees them on failure. */
	memcpy(policies + set->count, staged->policies, staged->count * sizeof(*policies));
	/* Ids were given as staged; renumber in case the base changed since. */
	for (size_t i = set->count; i < count; i++)
		policies[i].compiled.policy_id = (__u32)i;

	masks = calloc(count, sizeof(*masks));
	table = malloc(sizeof(*table));
	if (!masks || !table)
		return -ENOMEM;
	r = build_selinux_table(policies, count, staging->diags, table, masks);
	if (r < 0)
		return r;
	r = policy_selection_build(policies, count, set->container_cgroups, staging->diags, &selection);
	if (r < 0)
		return r;
	for (size_t i = 0; i < count; i++)
		policies[i].compiled.selinux_types = masks[i];
	set->selinux = *table;
	for (__u32 i = 0; i < selection->generation.nselectors; i++) {
		const struct policy_selector_origin *origin = &selection->origins[i];

		policies[origin->policy_id].selectors[origin->selector].index = i;
	}
	policy_selection_free(set->selection);
	set->selection = selection;
	set->count = count;
	free(staged->policies);
	*staged = (struct policy_set){};
	return 0;
}

int policy_set__parse(struct policy_set *set, const char *filename, const char *text, size_t len,
		      struct policy_diags *diags)
{
	struct policy_staging staging;
	int r;

	if (!set || (!text && len > 0))
		return -EINVAL;
	policy_staging_init(&staging, set, diags);
	r = policy_staging_parse(&staging, filename ? filename : "<input>", text ? text : "", len);
	if (r == 0)
		r = policy_staging_commit(&staging, set);
	policy_staging_done(&staging);
	return r;
}
