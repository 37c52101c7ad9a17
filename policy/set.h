/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Staging: policies are parsed into a side set and join the real one only
 * when every file read for one call was free of errors, so a failed load
 * leaves the set as it was.
 */
#ifndef CREDGATE_POLICY_SET_H
#define CREDGATE_POLICY_SET_H

#include <stdbool.h>

#include "ids.h"
#include "policy.h"

struct policy_staging {
	const struct policy_set *base; /* the set the staged policies will join */
	struct policy_set staged;      /* its selection is unused (NULL) */
	struct policy_diags *diags;
	struct id_names names; /* read once per staging, when first needed */
	bool too_many_reported;
};

/* Start staging into @base. */
void policy_staging_init(struct policy_staging *staging, const struct policy_set *base, struct policy_diags *diags);

/*
 * Parse one file's text into the staging set. Returns 0, -EINVAL (errors,
 * reported), -EFBIG (text too large, reported) or -ENOMEM.
 */
int policy_staging_parse(struct policy_staging *staging, const char *file, const char *text, size_t len);

/*
 * Move the staged policies into @set (the base) and rebuild its selection
 * over every policy. Returns 0, -EINVAL when a selection limit is exceeded
 * (reported; @set is unchanged) or -ENOMEM.
 */
int policy_staging_commit(struct policy_staging *staging, struct policy_set *set);

void policy_staging_done(struct policy_staging *staging);

#endif /* CREDGATE_POLICY_SET_H */
