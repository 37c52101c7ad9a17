/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Publishing a compiled policy set into the BPF maps as one new generation:
 * the policies, the selection tables, and the selection state of every
 * cgroup of the host; then switch the generation number in one store, wait
 * until no program can still be deciding with the old one, and delete it.
 * A decision never mixes two generations, and at no instant is there none.
 */
#ifndef CREDGATE_POLICY_MAPS_H
#define CREDGATE_POLICY_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf_loader.h"
#include "cgroup.h"
#include "cgroup_states.h"
#include "policy.h"
#include "policy_names.h" /* the fail-closed policy it publishes, by name */

struct policy_maps;

/*
 * What a publish bound, and every problem found while binding the set to
 * this host's cgroups: diagnostics like the policy files' own (an error
 * refuses the publish, a warning does not), printed by the same printer.
 * At most PUBLISH_MAX_PROBLEMS are kept; diags.dropped counts the rest.
 * policy_diags_clear(&report->diags) after use, whatever publish returned.
 */
#define PUBLISH_MAX_PROBLEMS 32

struct publish_report {
	size_t policies;
	size_t enforcing; /* policies with at least one enforce rule */
	size_t cgroups;	  /* cgroups whose state was computed */
	size_t governed;  /* ... of which a policy governs */
	size_t unstored;  /* cgroups left without a state: the cgroup map was full */
	struct policy_diags diags;
	uint32_t generation;
};

int policy_maps__new(struct policy_maps **out, const struct bpf_loader *loader);
void policy_maps__free(struct policy_maps *maps);

/*
 * Publish @set. On failure (a fatal problem, a map error) nothing changes:
 * the previous generation stays in force. @report says what was bound and
 * every problem, fatal or not.
 */
int policy_maps__publish(struct policy_maps *maps, const struct policy_set *set,
			 const struct cgroup_fs *fs, struct publish_report *report);

uint32_t policy_maps__generation(const struct policy_maps *maps);

/* Who tells publishes what containers' runtimes know (identity selectors); copied. */
void policy_maps__set_container_resolver(struct policy_maps *maps, const struct container_resolver *resolver);

/*
 * A container starts: bind its own cgroup @path in the generation in force,
 * which @set (the set in force) describes. See cgroup_state_bind_container().
 */
int policy_maps__bind_container(struct policy_maps *maps, const struct policy_set *set, const struct cgroup_fs *fs,
				const char *path, const struct container_facts *facts, struct cg_cgroup_state *out,
				struct policy_tie *tie);

/* Cgroups the map holds a state for, per generation (cgroupMapSize). */
uint32_t policy_maps__cgroup_capacity(const struct policy_maps *maps);

/* Cgroups the last publish in force left without a state (the map full). */
size_t policy_maps__unstored(const struct policy_maps *maps);

/* Cgroups that a policy of the generation in force governs now (new ones included). */
int policy_maps__count_governed(const struct policy_maps *maps, size_t *governed);

/*
 * Whether SELinux is enabled on this host (the default: yes). When it is
 * not, generations are published with CG_GENERATION_NO_SELINUX: a policy
 * that requires an SELinux type governs no process, without any labelling.
 */
void policy_maps__set_selinux(struct policy_maps *maps, bool enabled);

/* True when a policy has a rule that enforces (its own mode or the policy's). */
bool policy_enforces(const struct policy *policy);

#endif /* CREDGATE_POLICY_MAPS_H */
