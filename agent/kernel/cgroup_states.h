/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The selection state of every cgroup of this host, for a generation being
 * published (policy_maps.c writes the rest of it and switches to it): a
 * walk of the cgroup2 tree from the root, each cgroup's state computed from
 * its parent's (policy/selection.c) and stored before its children are
 * listed, so that a cgroup made meanwhile is seen by the walk or by the
 * kernel's cgroup_mkdir program, if not by both. What the walk finds wrong
 * goes to @problems: two policies tied on a cgroup is an error; a selector
 * that holds nowhere a warning (only when there was no error).
 *
 * Its own file because it is the half of a publish that reads the host
 * (directories, owners) rather than the compiled set, and holds its own
 * state (the queue of cgroups to list, the selectors seen to hold).
 */
#ifndef CREDGATE_CGROUP_STATES_H
#define CREDGATE_CGROUP_STATES_H

#include <stddef.h>
#include <stdint.h>

#include "cgroup.h"
#include "diag.h"
#include "identity.h"
#include "policy.h"

/*
 * Who tells the walk what a container's runtime knows of it (its name,
 * image, labels), for the set's identity selectors. resolve() fills @facts
 * for the container whose own cgroup is @path (relative to the cgroup2
 * root), valid until its next call, or returns false: nothing known.
 */
struct container_resolver {
	bool (*resolve)(void *ctx, const char *path, struct container_facts *facts);
	void *ctx;
};

struct cgroup_states {
	size_t cgroups;	    /* states stored */
	size_t governed;    /* ... of which a policy governs */
	size_t unstored;    /* cgroups left without one: the map was full, or no memory */
	int unstored_error; /* the errno that refused the first of them */
};

/*
 * Store generation @gen's state of every cgroup into the cgroup map
 * @cgroups_fd. Containers' own cgroups get their identity selectors through
 * @resolver (may be NULL: none hold). A full map does not fail the walk (such a cgroup is counted
 * in @out->unstored); a map or directory error does, as a negative errno.
 * Entries already written are left for the caller to delete with the rest
 * of the generation.
 */
int cgroup_states_write(int cgroups_fd, const struct policy_set *set, const struct cgroup_fs *fs, uint32_t gen,
			const struct container_resolver *resolver, struct diag_reporter *problems,
			struct cgroup_states *out);

/*
 * Offer the identity selectors of @set that hold for @facts to @state, the
 * state of a container's own cgroup (policy_selection_offer()). Returns
 * false, and changes nothing, when @state is not a container's own cgroup
 * where runtimes put containers (a delegated cgroup named like one is not:
 * its name was chosen by whoever it was delegated to), or no identity
 * selector holds. @tie receives a tie, between identity selectors or with
 * the path's winner.
 */
bool cgroup_state_offer_identity(const struct policy_set *set, const struct container_facts *facts,
				 struct cg_cgroup_state *state, struct policy_tie *tie);

/*
 * bind-container: compute the state of the container's own cgroup @path
 * (relative to the cgroup2 root) in generation @gen as a walk would, offer
 * it @facts' identity selectors, and store it. Returns 0 with *@out;
 * -EPERM when @path is not a container's own cgroup where runtimes put
 * containers (or lies below a delegated or sealed cgroup); -ENOENT when it
 * is gone; another negative errno from the map.
 */
int cgroup_state_bind_container(int cgroups_fd, const struct policy_set *set, const struct cgroup_fs *fs,
				uint32_t gen, const char *path, const struct container_facts *facts,
				struct cg_cgroup_state *out, struct policy_tie *tie);

#endif /* CREDGATE_CGROUP_STATES_H */
