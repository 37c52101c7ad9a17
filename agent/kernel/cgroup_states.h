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
#include "policy.h"

struct cgroup_states {
	size_t cgroups;	    /* states stored */
	size_t governed;    /* ... of which a policy governs */
	size_t unstored;    /* cgroups left without one: the map was full, or no memory */
	int unstored_error; /* the errno that refused the first of them */
};

/*
 * Store generation @gen's state of every cgroup into the cgroup map
 * @cgroups_fd. A full map does not fail the walk (such a cgroup is counted
 * in @out->unstored); a map or directory error does, as a negative errno.
 * Entries already written are left for the caller to delete with the rest
 * of the generation.
 */
int cgroup_states_write(int cgroups_fd, const struct policy_set *set, const struct cgroup_fs *fs, uint32_t gen,
			struct diag_reporter *problems, struct cgroup_states *out);

#endif /* CREDGATE_CGROUP_STATES_H */
