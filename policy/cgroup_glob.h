/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What a cgroup glob may be, checked once for its two readers: a selector's
 * "cgroup:" (selector.c) and a containerCgroups place (cgroup_glob.c's
 * policy_container_cgroup_pattern()). Each reader words a refusal its own
 * way; the rules and the canonical form are these.
 */
#ifndef CREDGATE_POLICY_CGROUP_GLOB_H
#define CREDGATE_POLICY_CGROUP_GLOB_H

#include <stdbool.h>
#include <stddef.h>

enum cgroup_glob_problem {
	CGROUP_GLOB_OK,
	CGROUP_GLOB_ANY_FIRST, /* "**" before any other component (CGROUP_GLOB_ANCHORED) */
	CGROUP_GLOB_DOT,       /* a '.' or '..' component */
	CGROUP_GLOB_STARS,     /* more than one '*' in a component that is not "**" */
	CGROUP_GLOB_LONG,      /* a component of CG_PATTERN_LEN bytes or more */
	CGROUP_GLOB_DEEP,      /* more than CG_MAX_CGROUP_DEPTH components */
};

/*
 * CGROUP_GLOB_ANCHORED: "**" may not come first, and counts as a component
 * against CG_MAX_CGROUP_DEPTH (containerCgroups has always counted it).
 */
#define CGROUP_GLOB_ANCHORED 0x1u

struct cgroup_glob {
	char *pattern;	   /* owned: components joined by '/', a run of "**" one "**"; "" for the root */
	size_t components; /* components kept; with CGROUP_GLOB_ANCHORED "**" among them */
	bool ends_any;	   /* the last component is "**" (still in pattern) */
	/* On -EINVAL: the first rule broken, and where in the input. */
	enum cgroup_glob_problem problem;
	const char *at;
	size_t at_len;
	size_t stars;
};

/*
 * Check and normalise @path (components separated by any number of '/';
 * the caller has checked it is absolute, bounded and free of control
 * characters). Returns 0 with g->pattern, -EINVAL with g->problem (pattern
 * NULL), or -ENOMEM. Free g->pattern with free().
 */
int cgroup_glob_parse(const char *path, unsigned flags, struct cgroup_glob *g);

#endif /* CREDGATE_POLICY_CGROUP_GLOB_H */
