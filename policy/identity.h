/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Identity selectors (containerName, image, labels, namespace) against what
 * a container runtime says about one container. The kernel cannot see
 * those facts, so no NFA state stands for them: the agent resolves a
 * container's facts (agent/runtime/cri_metadata.c) and asks here which policy
 * they choose, then writes that choice at the container's own cgroup. Pure:
 * no I/O, no allocation.
 */
#ifndef CREDGATE_POLICY_IDENTITY_H
#define CREDGATE_POLICY_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"

struct container_label {
	const char *key, *value;
};

/* What a runtime says about one container; NULL: unknown (no selector naming it holds). */
struct container_facts {
	const char *runtime; /* "docker", "podman", "containerd", "cri-o" */
	const char *id;
	const char *name;	   /* docker's leading '/' is ignored */
	const char *image;	   /* normalised reference: "docker.io/library/nginx:latest" */
	const char *pod_namespace; /* Kubernetes */
	const struct container_label *labels; /* sorted by key (any order is matched correctly) */
	size_t nlabels;
};

struct identity_match {
	uint32_t policy_id; /* index in the set */
	uint32_t selector;  /* index in that policy's selectors[]; its cg_selector is .index */
	int priority;
	bool tie;	    /* another policy's selector held at the same priority: the lower id won */
	uint32_t tied_with; /* that other policy (the first such), when tie */
};

/*
 * The best identity selector of @set that holds for @facts: the highest
 * priority; at equal priority the lower policy id, with tie = true. Returns
 * false (and *@out zeroed) when none holds. Linear in the size of @facts
 * for a given set: a glob costs at most (pattern length + 1) x (text length
 * + 1) character comparisons, never backtracking further.
 */
bool policy_set_match_identity(const struct policy_set *set, const struct container_facts *facts,
			       struct identity_match *out);

bool policy_set_has_identity_selectors(const struct policy_set *set);

/*
 * The strongest mode (CG_MODE_ENFORCE > CG_MODE_AUDIT) among policies with
 * an identity selector, counting the modes of their rules (a rule may
 * enforce in an audit policy); CG_MODE_NONE when there is none. This is
 * what /run/credgate/containers.mode says, for the OCI hook to decide
 * whether to refuse a container when the agent does not answer.
 */
enum cg_mode policy_set_identity_mode(const struct policy_set *set);

#endif /* CREDGATE_POLICY_IDENTITY_H */
