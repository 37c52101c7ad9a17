/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Policy model to struct policy, whose `compiled` is the kernel map value. */
#ifndef CREDGATE_POLICY_COMPILE_H
#define CREDGATE_POLICY_COMPILE_H

#include "diag.h"
#include "model.h"

/*
 * Fill @out from @model, read from @file, as policy number @policy_id.
 * Returns 0; -EINVAL when a compiled limit is exceeded (reported through
 * @reporter); -ENOMEM. On failure @out holds nothing to free.
 */
int policy_compile(struct diag_reporter *reporter, const struct policy_model *model, const char *file,
		   __u32 policy_id, struct policy *out);

/* Free what a struct policy owns (not the struct itself). */
void policy_done(struct policy *policy);

#endif /* CREDGATE_POLICY_COMPILE_H */
