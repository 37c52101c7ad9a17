/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Stable names of modes, hooks and capability sets. */

#include <string.h>

#include "cleanup.h"
#include "names.h"
#include "cg_names.h"

static const struct policy_keyword mode_keywords[] = {
	{ "audit", CG_MODE_AUDIT },
	{ "enforce", CG_MODE_ENFORCE },
	/* SELinux's words for the same. */
	{ "permissive", CG_MODE_AUDIT },
	{ "enforcing", CG_MODE_ENFORCE },
};

const struct policy_keyword_table policy_mode_keywords = {
	.items = mode_keywords,
	.count = ELEMENTSOF(mode_keywords),
};

static const struct policy_keyword capset_keywords[] = {
	{ "permitted", CG_CAPSET_PERMITTED },
	{ "effective", CG_CAPSET_EFFECTIVE },
	{ "inheritable", CG_CAPSET_INHERITABLE },
	{ "ambient", CG_CAPSET_AMBIENT },
};

const struct policy_keyword_table policy_capset_keywords = {
	.items = capset_keywords,
	.count = ELEMENTSOF(capset_keywords),
};

const struct policy_keyword *policy_keyword_find(const struct policy_keyword_table *table, const char *name)
{
	for (size_t i = 0; i < table->count; i++)
		if (strcmp(table->items[i].name, name) == 0)
			return &table->items[i];
	return NULL;
}

const char *policy_keyword_name(const struct policy_keyword_table *table, unsigned value)
{
	for (size_t i = 0; i < table->count; i++)
		if (table->items[i].value == value)
			return table->items[i].name;
	return NULL;
}

const char *policy_mode_name(enum cg_mode mode)
{
	return policy_keyword_name(&policy_mode_keywords, mode);
}

const char *policy_hook_name(enum cg_hook hook)
{
	/* The LSM hook each rule kind is enforced at: common/cg_names.c spells it. */
	return cg_hook_name(hook);
}

const char *policy_kind_name(enum policy_kind kind)
{
	switch (kind) {
	case POLICY_KIND_CREDENTIAL:
		return "CredentialPolicy";
	case POLICY_KIND_TRACING:
		return "TracingPolicy";
	}
	return NULL;
}
