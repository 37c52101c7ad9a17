/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Staging: policies are parsed into a side set and join the real one only
 * when every file read for one call was free of errors, so a failed load
 * leaves the set as it was.
 */
#ifndef CREDGATE_POLICY_SET_H
#define CREDGATE_POLICY_SET_H

#include <stdbool.h>

#include "policy.h"

struct policy_staging {
	const struct policy_set *base; /* the set the staged policies will join */
	struct policy_set staged;
	struct policy_diags *diags;
	bool too_many_reported;
};

/*
 * Parse one file's text into the staging set. Returns 0, -EINVAL (errors,
 * reported), -EFBIG (text too large, reported) or -ENOMEM.
 */
int policy_staging_parse(struct policy_staging *staging, const char *file, const char *text, size_t len);

/* Move the staged policies into @set (the base). Returns 0 or -ENOMEM. */
int policy_staging_commit(struct policy_staging *staging, struct policy_set *set);

void policy_staging_done(struct policy_staging *staging);

#endif /* CREDGATE_POLICY_SET_H */
