/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Publishing a compiled policy set into the BPF maps as one new generation:
 * write it whole, switch the generation number in one store, wait until no
 * program can still be deciding with the old one, then delete the old.
 * A decision never mixes two generations, and at no instant is there none.
 */
#ifndef CREDGATE_POLICY_MAPS_H
#define CREDGATE_POLICY_MAPS_H

#include <stddef.h>
#include <stdint.h>

#include "bpf_loader.h"
#include "cgroup.h"
#include "policy.h"

struct policy_maps;

/* A problem found while binding selectors to cgroups. */
struct binding_problem {
	const struct policy *policy;
	const struct policy_selector *selector;
	int error;	/* negative errno */
	bool fatal;	/* true: the publish is refused */
	char message[256];
};

struct publish_report {
	size_t policies;
	size_t bindings;
	size_t enforcing; /* policies with at least one enforce rule */
	struct binding_problem problems[32];
	size_t nproblems;
	size_t problems_dropped;
	uint32_t generation;
};

int policy_maps__new(struct policy_maps **out, const struct bpf_loader *loader);
void policy_maps__free(struct policy_maps *maps);

/*
 * Publish @set. On failure (a fatal binding problem, a map error) nothing
 * changes: the previous generation stays in force. @report says what was
 * bound and every problem, fatal or not.
 */
int policy_maps__publish(struct policy_maps *maps, const struct policy_set *set,
			 const struct cgroup_fs *fs, struct publish_report *report);

uint32_t policy_maps__generation(const struct policy_maps *maps);

/* True when a policy has a rule that enforces (its own mode or the policy's). */
bool policy_enforces(const struct policy *policy);

#endif /* CREDGATE_POLICY_MAPS_H */
