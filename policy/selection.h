/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Building a set's selection (the matcher is public: policy.h). */
#ifndef CREDGATE_POLICY_SELECTION_H
#define CREDGATE_POLICY_SELECTION_H

#include "policy.h"

/* An empty selection: no states, no selectors, no container predicate. */
struct policy_selection *policy_selection_new(void);
void policy_selection_free(struct policy_selection *selection);

/*
 * Compile the selectors of @policies[0..@count) (policy_id = index).
 * @container_cgroups: more places containers are put (newline-separated
 * patterns, anchored at the root, as policy_set__set_container_cgroups()
 * checked them), or NULL. A limit exceeded is reported at the selector that
 * exceeded it, in its policy's file. Returns 0 with *@ret, -EINVAL
 * (reported) or -ENOMEM.
 */
int policy_selection_build(const struct policy *policies, size_t count, const char *container_cgroups,
			   struct policy_diags *diags, struct policy_selection **ret);

/*
 * Seal @state: it is the state of a delegated cgroup (a non-root user may
 * create cgroups in it). Its descendants are governed as it is, whatever
 * their names: policy_selection_child() of a sealed state copies it, and the
 * kernel keeps no state for them (they resolve to this one).
 */
void policy_selection_seal(const struct policy_selection *selection, struct cg_cgroup_state *state);

#endif /* CREDGATE_POLICY_SELECTION_H */
